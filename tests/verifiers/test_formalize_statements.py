"""Whole statements (written for these tests, in the IneqMath style) to formal records."""

from __future__ import annotations

import pytest
import sympy as sp
from qed.problems.record import Problem
from qed.verifiers.formalize import formalize

BLANK_TAIL = "\nDetermine the correct inequality relation to fill in the blank."


def relation(statement: str):
    outcome = formalize(Problem(id="t", statement=statement + BLANK_TAIL, kind="relation"))
    assert outcome.ok, outcome.reason
    assert outcome.path == "parser"
    return outcome.formal


def bound(statement: str):
    outcome = formalize(Problem(id="t", statement=statement, kind="bound"))
    assert outcome.ok, outcome.reason
    return outcome.formal


def failure(statement: str, kind: str) -> str:
    outcome = formalize(Problem(id="t", statement=statement, kind=kind))
    assert not outcome.ok and outcome.formal is None
    assert outcome.reason and "\n" not in outcome.reason
    return outcome.reason


def sym(fp, name: str) -> sp.Symbol:
    (found,) = [v for v in fp.variables if v.name == name]
    return found


def same(a: sp.Expr, b: sp.Expr) -> bool:
    return sp.simplify(a - b) == 0


# -- relation problems ---------------------------------------------------------------------------


def test_relation_with_positive_variables_and_an_equality():
    fp = relation(
        "Let $p, q, r$ be positive real numbers such that $pqr = 8$. Consider the following "
        "expressions:\n$$\np + q + r \\quad () \\quad 6\n$$"
    )
    p, q, r = (sym(fp, n) for n in "pqr")
    assert fp.kind == "relation" and fp.variables == [p, q, r]
    assert all(fp.domains[v] == sp.Interval.open(0, sp.oo) for v in fp.variables)
    assert fp.constraints == [sp.Eq(p * q * r, 8)]
    assert fp.lhs == p + q + r and fp.rhs == 6
    assert fp.origin == "parser"


def test_named_expression_before_the_blank_is_the_expression():
    fp = relation("Let $p, q > 0$. Consider:\n$$\nT = p + \\frac{1}{q} \\quad () \\quad 1\n$$")
    assert fp.lhs == sym(fp, "p") + 1 / sym(fp, "q")


def test_domain_words_and_sets():
    fp = relation(
        "Let $p, q$ be non-negative real numbers, $u, v \\in (0, 2)$ and let $w$ be a real "
        "number different from $3$. Consider:\n$$\np + q + u v \\quad () \\quad w\n$$"
    )
    assert fp.domains[sym(fp, "p")] == sp.Interval(0, sp.oo)
    assert fp.domains[sym(fp, "u")] == sp.Interval.open(0, 2)
    assert fp.domains[sym(fp, "w")] == sp.Complement(sp.Reals, sp.FiniteSet(3))


def test_domain_said_twice_is_intersected():
    fp = bound(
        "Let $p, q$ be non-negative real numbers. Find the largest constant $C$ such that the "
        "following inequality holds for all $p, q \\in \\mathbb{R}^{+}$:\n$$\np^2 + q^2 \\geq C p q\n$$"
    )
    assert fp.domains[sym(fp, "p")] == sp.Interval.open(0, sp.oo)


def test_bounds_on_single_variables_go_to_domains_and_others_stay_constraints():
    fp = relation(
        "Let $p, q > 0$ be real numbers such that $p \\leq 2$ and $p + q \\leq 5$. Consider:"
        "\n$$\n\\sqrt{p} + \\sqrt{q} \\quad () \\quad 3\n$$"
    )
    p, q = sym(fp, "p"), sym(fp, "q")
    assert fp.domains[p] == sp.Interval.Lopen(0, 2)
    assert fp.constraints == [sp.Le(p + q, 5)]


def test_helper_definitions_are_substituted():
    fp = relation(
        "Let $p, q, r$ be positive reals. Let $s = p + q + r$ and $m = pq + qr + rp$. "
        "Consider the following inequality:\n$$\ns^2 \\quad () \\quad 3m\n$$"
    )
    p, q, r = (sym(fp, n) for n in "pqr")
    assert fp.lhs == (p + q + r) ** 2
    assert same(fp.rhs, 3 * (p * q + q * r + r * p))
    assert len(fp.variables) == 3


def test_where_clause_ordering_condition_becomes_inequalities():
    fp = relation(
        "Let $p, q, r$ be positive reals with $p + q + r = 3$, and let $r = \\min\\{p, q, r\\}$. "
        "Consider:\n$$\npq \\quad () \\quad r^2\n$$"
    )
    p, q, r = (sym(fp, n) for n in "pqr")
    assert set(fp.constraints) == {sp.Eq(p + q + r, 3), sp.Le(r, p), sp.Le(r, q)}


def test_add_up_to_is_a_sum_constraint():
    fp = relation(
        "Let $p, q, r > 0$ add up to 2. Consider:\n$$\npqr \\quad () \\quad \\frac{8}{27}\n$$"
    )
    assert fp.constraints == [sp.Eq(sym(fp, "p") + sym(fp, "q") + sym(fp, "r"), 2)]


def test_triangle_sides_use_the_ravi_substitution():
    fp = relation(
        "Let $p, q, r$ be the side lengths of a triangle. Consider:\n$$\n"
        "p^2 + q^2 + r^2 \\quad () \\quad 2(pq + qr + rp)\n$$"
    )
    x, y, z = fp.variables
    assert all(fp.domains[v] == sp.Interval.open(0, sp.oo) for v in fp.variables)
    sides = {s.name: e for s, e in fp.substitution.items()}
    assert sides == {"p": y + z, "q": z + x, "r": x + y}
    assert same(fp.lhs, (y + z) ** 2 + (z + x) ** 2 + (x + y) ** 2)


def test_triangle_quantities_named_in_prose():
    fp = bound(
        "Let $a, b, c$ be the side lengths of a triangle, and let $S$ and $R$ be its area and "
        "circumradius, respectively. Find the smallest constant $C$ such that the following "
        "inequality holds for all triangles:\n$$\nS \\leq C R^2\n$$"
    )
    x, y, z = fp.variables
    # Ravi: s = x + y + z, area = sqrt(s x y z), R = abc / (4 area); the best C is 3 sqrt(3) / 4
    at_equilateral = fp.target.subs({x: 1, y: 1, z: 1})
    assert same(at_equilateral, 3 * sp.sqrt(3) / 4)
    assert fp.sense == "max"


def test_triangle_known_only_through_its_quantities_gets_sides():
    fp = bound(
        "Let $F$ and $p$ denote the area and the semiperimeter of $\\triangle XYZ$. Find the "
        "largest constant $C$ such that the following inequality holds for all triangles:\n"
        "$$\np^2 \\geq C F\n$$"
    )
    assert len(fp.variables) == 3 and fp.substitution
    assert same(fp.target.subs({v: 1 for v in fp.variables}), 3 * sp.sqrt(3))


def test_family_of_n_variables_is_instantiated_and_can_be_rebuilt():
    fp = relation(
        "Let $n \\geq 2$ and let $t_1, t_2, \\ldots, t_n$ be positive reals with "
        "$t_1 + t_2 + \\cdots + t_n = n$. Consider:\n$$\nt_1^2 + t_2^2 + \\cdots + t_n^2 "
        "\\quad () \\quad n\n$$"
    )
    n = sp.Symbol("n", integer=True)
    assert fp.parameters == {n: sp.Range(2, sp.oo)}
    assert fp.parameter_values == {n: 3}
    assert [v.name for v in fp.variables] == ["t_1", "t_2", "t_3"]
    assert fp.rhs == 3
    five = fp.instantiate({n: 5})
    assert len(five.variables) == 5 and five.rhs == 5
    assert five.constraints == [sp.Eq(sum(five.variables), 5)]
    with pytest.raises(ValueError, match="at least 2"):
        fp.instantiate({n: 1})


def test_family_declared_with_an_index_range():
    fp = bound(
        "Let $\\beta_{i} > 0, i = 1, 2, \\ldots, n$, be real numbers with "
        "$\\sum_{i=1}^{n} \\beta_i = 1$. Find the largest constant $C$ such that the following "
        "inequality holds:\n$$\n\\sum_{i=1}^{n} \\frac{1}{\\beta_i} \\geq C\n$$"
    )
    assert [v.name for v in fp.variables] == ["beta_1", "beta_2", "beta_3"]
    assert fp.sense == "min" and same(fp.target, sum(1 / v for v in fp.variables))


def test_integer_exponent_parameter():
    fp = relation(
        "Let $p, q$ be positive real numbers and $k$ be a positive integer. Consider:\n$$\n"
        "p^k + q^k \\quad () \\quad 2\\left(\\frac{p + q}{2}\\right)^k\n$$"
    )
    k = sp.Symbol("k", integer=True)
    assert fp.parameters == {k: sp.Range(1, sp.oo)} and fp.parameter_values == {k: 2}
    assert fp.instantiate({k: 3}).lhs == sym(fp, "p") ** 3 + sym(fp, "q") ** 3


def test_plain_sum_is_read_as_cyclic_with_a_note():
    fp = relation(
        "Let $p, q, r$ be positive reals. Consider:\n$$\n\\sum \\frac{p}{q} \\quad () \\quad 3\n$$"
    )
    p, q, r = (sym(fp, n) for n in "pqr")
    assert same(fp.lhs, p / q + q / r + r / p)
    assert any("cyclic" in note for note in fp.notes)


# -- bound problems -----------------------------------------------------------------------------


def test_largest_constant_below_an_expression():
    fp = bound(
        "Let $p, q, r$ be positive real numbers with $p + q + r = 1$. Find the largest constant "
        "$C$ such that the following inequality holds for all $p, q, r$:\n$$\n"
        "\\frac{1}{p} + \\frac{1}{q} + \\frac{1}{r} \\geq C\n$$"
    )
    p, q, r = (sym(fp, n) for n in "pqr")
    assert fp.constant == sp.Symbol("C", real=True)
    assert fp.relation_with_constant == sp.Ge(1 / p + 1 / q + 1 / r, fp.constant)
    assert fp.target == 1 / p + 1 / q + 1 / r and fp.sense == "min"
    assert fp.extra["asked"] == "largest"


def test_smallest_constant_times_a_positive_factor():
    fp = bound(
        "Let $p, q$ be positive reals. Determine the minimal constant $C$ such that the "
        "following inequality holds for all $p, q$:\n$$\np^3 + q^3 \\leq C (p + q)^3\n$$"
    )
    p, q = sym(fp, "p"), sym(fp, "q")
    assert same(fp.target, (p**3 + q**3) / (p + q) ** 3) and fp.sense == "max"


def test_constant_on_the_small_side_gives_a_minimum_of_the_quotient():
    fp = bound(
        "Let $p, q > 0$. Find the maximal constant $C$ such that the following inequality holds "
        "for all $p, q$:\n$$\nC \\cdot p q \\leq p^2 + q^2\n$$"
    )
    p, q = sym(fp, "p"), sym(fp, "q")
    assert same(fp.target, (p**2 + q**2) / (p * q)) and fp.sense == "min"


def test_constant_under_a_root_and_in_a_denominator():
    under_root = bound(
        "Let $p, q > 0$. Find the largest constant $C$ such that the following inequality holds "
        "for all $p, q$:\n$$\np + q \\geq \\sqrt{C p q}\n$$"
    )
    p, q = sym(under_root, "p"), sym(under_root, "q")
    assert same(under_root.target, (p + q) ** 2 / (p * q)) and under_root.sense == "min"
    in_denominator = bound(
        "Let $p, q > 0$. Find the smallest positive number $C$ such that the following inequality "
        "holds for all $p, q$:\n$$\n\\frac{p + q}{C} \\leq \\sqrt{p^2 + q^2}\n$$"
    )
    p, q = sym(in_denominator, "p"), sym(in_denominator, "q")
    assert same(in_denominator.target, (p + q) / sp.sqrt(p**2 + q**2))
    assert in_denominator.sense == "max"


def test_direction_follows_the_inequality_when_the_wording_disagrees():
    fp = bound(
        "Let $p, q > 0$. Find the smallest constant $C$ such that the following inequality "
        "holds:\n$$\np^2 + q^2 \\geq C p q\n$$"
    )
    assert fp.sense == "min"
    assert any("asks for the smallest" in note for note in fp.notes)


def test_factor_of_both_signs_restricts_the_target_to_where_it_caps_the_constant():
    fp = bound(
        "Let $u, v$ be real numbers. Find the largest constant $C$ such that the following "
        "inequality holds for all real $u, v$:\n$$\n(u^2 + v^2)^2 \\geq C u v (u^2 + v^2)\n$$"
    )
    u, v = sym(fp, "u"), sym(fp, "v")
    assert fp.sense == "min"
    (condition,) = fp.constraints
    assert condition.subs({u: 1, v: 1}) == sp.true and condition.subs({u: 1, v: -1}) == sp.false
    assert same(fp.target, (u**2 + v**2) / (u * v))


def test_quadratic_in_the_constant_picks_the_branch_asked_for():
    fp = bound(
        "Let $p, q > 0$. Find the smallest constant $C$ such that the following inequality holds "
        "for all $p, q$:\n$$\n(p + C)(q + C) \\geq 4 p q + 1\n$$"
    )
    p, q = sym(fp, "p"), sym(fp, "q")
    assert fp.sense == "max"
    # at p = q = 1, (1 + C)^2 = 5: the root where the left side grows with C is sqrt(5) - 1
    assert same(fp.target.subs({p: 1, q: 1}), sp.sqrt(5) - 1)


def test_strict_inequality_is_kept_in_the_relation():
    fp = bound(
        "Let $p, q, r$ be the side lengths of a triangle. Find the minimal constant $C$ such that "
        "the following inequality holds for all $p, q, r$:\n$$\npqr < C (p + q + r)^3\n$$"
    )
    assert isinstance(fp.relation_with_constant, sp.StrictLessThan)
    assert fp.sense == "max"


def test_unlabelled_problem_kind_is_recognised():
    outcome = formalize(
        Problem(
            id="t",
            statement="Let $p, q > 0$. Find the largest constant $C$ such that "
            "$$p + q \\geq C \\sqrt{pq}$$ holds.",
        )
    )
    assert outcome.ok and outcome.formal.kind == "bound"


# -- failures: a one-line reason, never an exception ---------------------------------------------


def test_missing_blank_is_a_failure():
    reason = failure("Let $p > 0$. Show that $$p + 1/p \\geq 2.$$", "relation")
    assert "blank" in reason


def test_constant_fixed_by_an_equation_is_a_failure():
    reason = failure(
        "Let $p, q > 0$. Find the constant $C$ such that $$p^2 + q^2 = C p q$$ holds.", "bound"
    )
    assert "equation" in reason


def test_a_side_written_in_prose_is_a_failure():
    reason = failure(
        "Let $p > 0$. Consider:\n$$\np + \\frac{1}{p} \\quad () \\quad \\text{its least value}\n$$",
        "relation",
    )
    assert "prose" in reason


def test_an_undeclared_symbol_is_a_failure():
    reason = failure("Let $p > 0$. Consider:\n$$\np + g \\quad () \\quad 1\n$$", "relation")
    assert "'g'" in reason


def test_an_unreadable_condition_is_a_failure_not_a_dropped_condition():
    reason = failure(
        "Let $p, q > 0$ such that $p \\star q = 1$. Consider:\n$$\np \\quad () \\quad q\n$$",
        "relation",
    )
    assert "condition" in reason


def test_an_empty_feasible_set_is_a_failure():
    reason = failure(
        "Let $p, q$ be positive reals such that $p + q = -1$. Consider:\n$$\np \\quad () \\quad q\n$$",
        "relation",
    )
    assert "feasible" in reason


def test_proof_problems_are_not_formalized():
    outcome = formalize(
        Problem(id="t", statement="Prove that there are infinitely many primes.", kind="proof")
    )
    assert not outcome.ok and "neither bound nor relation" in outcome.reason


@pytest.mark.parametrize(
    "statement",
    ["$$", "Consider $$ () $$", "Let $a$ be. Consider $$ a^{ () \\quad 1 $$", "\\frac{"],
)
def test_garbage_never_raises(statement):
    outcome = formalize(Problem(id="t", statement=statement, kind="relation"))
    assert not outcome.ok and outcome.reason


def test_angles_of_a_triangle_sum_to_pi():
    fp = relation(
        "Let $\\theta, \\phi, \\psi$ be the angles of a triangle. Consider:\n$$\n"
        "\\sin \\theta + \\sin \\phi + \\sin \\psi \\quad () \\quad \\frac{3\\sqrt{3}}{2}\n$$"
    )
    theta, phi, psi = fp.variables
    assert all(fp.domains[v] == sp.Interval.open(0, sp.pi) for v in fp.variables)
    assert fp.constraints == [sp.Eq(theta + phi + psi, sp.pi)]


def test_vertices_of_a_named_triangle_give_undeclared_angles_and_sides():
    fp = relation(
        "In a triangle $XYZ$, consider:\n$$\n\\cos X + \\cos Y + \\cos Z \\quad () \\quad "
        "\\frac{3}{2}\n$$"
    )
    assert len(fp.variables) == 3 and sp.Eq(sp.Add(*fp.variables), sp.pi) in fp.constraints
    with_sides = relation(
        "In a triangle $XYZ$ with side lengths $x, y, z$, consider:\n$$\n"
        "x \\cos X \\quad () \\quad y + z\n$$"
    )
    u, v, w = with_sides.variables  # Ravi variables; cos X comes from the law of cosines
    assert with_sides.substitution
    # equilateral (u = v = w = 1, sides 2): x cos X = 2 * 1/2
    assert same(with_sides.lhs.subs({u: 1, v: 1, w: 1}), 1)


def test_ordering_chain_introduces_its_names():
    fp = relation(
        "Let $p \\geq q \\geq r > 0$ be real numbers. Consider:\n$$\np - r \\quad () \\quad q - r\n$$"
    )
    p, q, r = (sym(fp, n) for n in "pqr")
    assert fp.domains[r] == sp.Interval.open(0, sp.oo)
    assert set(fp.constraints) == {sp.Ge(p, q), sp.Ge(q, r)}


def test_interval_given_in_prose():
    fp = relation(
        "Let $p, q$ be real numbers in the interval $[0, 1]$. Consider:\n$$\npq \\quad () \\quad "
        "p + q\n$$"
    )
    assert fp.domains[sym(fp, "p")] == sp.Interval(0, 1)


def test_sum_and_product_given_in_prose():
    fp = relation(
        "Let $p, q, r$ be positive reals whose product is 1. Consider:\n$$\np + q + r \\quad () "
        "\\quad 3\n$$"
    )
    assert fp.constraints == [sp.Eq(sym(fp, "p") * sym(fp, "q") * sym(fp, "r"), 1)]


def test_maximum_over_an_elided_list():
    fp = relation(
        "Let $n \\geq 2$ and $t_1, t_2, \\ldots, t_n$ be positive reals. Consider:\n$$\n"
        "\\max\\{t_1, t_2, \\ldots, t_n\\} \\quad () \\quad \\frac{t_1 + t_2 + \\cdots + t_n}{n}\n$$"
    )
    assert fp.lhs == sp.Max(*fp.variables) and len(fp.variables) == 3


def test_blank_written_with_spacing_inside():
    fp = relation("Let $p > 0$. Consider:\n$$\np^2 + 1 \\quad ( \\quad ) \\quad 2p\n$$")
    assert fp.rhs == 2 * sym(fp, "p")


def test_constant_named_after_its_direction_word():
    fp = bound(
        "For every real number $p$, find the greatest real $k$ such that\n$$\np^2 + 1 \\geq k p\n$$"
        " holds whenever $p > 0$."
    )
    assert fp.constant.name == "k" and fp.extra["asked"] == "largest"
    assert fp.sense == "min" and fp.domains[sym(fp, "p")] == sp.Interval.open(0, sp.oo)


def test_triangle_with_a_given_perimeter_is_sides_plus_a_condition():
    fp = relation(
        "Let $p, q, r$ be the side lengths of a triangle with perimeter $6$. Consider:\n$$\n"
        "pqr \\quad () \\quad 8\n$$"
    )
    x, y, z = fp.variables
    assert fp.substitution and fp.constraints == [sp.Eq(2 * (x + y + z), 6)]


def test_acute_triangle_adds_the_acute_conditions():
    fp = relation(
        "Let $p, q, r$ be the side lengths of an acute triangle. Consider:\n$$\n"
        "p^2 + q^2 + r^2 \\quad () \\quad pq + qr + rp\n$$"
    )
    assert len(fp.constraints) == 3 and all(
        isinstance(c, sp.StrictGreaterThan) for c in fp.constraints
    )
    angles = relation(
        "Let $\\theta, \\phi, \\psi$ be the angles of an acute triangle. Consider:\n$$\n"
        "\\cos \\theta \\quad () \\quad 1\n$$"
    )
    assert angles.domains[angles.variables[0]] == sp.Interval.open(0, sp.pi / 2)


def test_equality_case_is_not_a_condition():
    fp = relation(
        "Let $p, q > 0$. Consider:\n$$\np^2 + q^2 \\quad () \\quad 2pq\n$$\nwith equality if and "
        "only if $p = q$."
    )
    assert fp.constraints == [] and any("equality case" in n for n in fp.notes)


def test_blank_next_to_a_chain_compares_the_adjacent_term():
    fp = relation(
        "Let $p, q \\geq 0$ with $p + q = 1$. Consider:\n$$\n0 \\leq pq \\quad () \\quad "
        "\\frac{1}{4}\n$$"
    )
    assert fp.lhs == sym(fp, "p") * sym(fp, "q")


def test_right_triangle_relates_the_legs_and_the_hypotenuse():
    fp = relation(
        "Let $p, q, r$ be the side lengths of a right triangle with hypotenuse $r$. Consider:"
        "\n$$\np + q \\quad () \\quad \\sqrt{2} r\n$$"
    )
    x, y, z = fp.variables
    p, q, r = fp.substitution.values()
    (condition,) = fp.constraints
    assert same(condition.lhs - condition.rhs, p**2 + q**2 - r**2)


def test_constant_declared_like_a_variable_is_still_the_constant():
    fp = bound(
        "Let $k$ be a real number and $p, q > 0$. Find the largest $k$ such that\n$$\n"
        "p^2 + q^2 \\geq k p q\n$$\nholds for all $p, q$."
    )
    assert fp.constant.name == "k" and [v.name for v in fp.variables] == ["p", "q"]


def test_helper_function_definitions_are_applied():
    fp = relation(
        "Let $f(t) = \\frac{t}{1 + t}$ and let $p, q > 0$. Consider:\n$$\nf(p) + f(q) \\quad () "
        "\\quad f(p + q)\n$$"
    )
    p, q = sym(fp, "p"), sym(fp, "q")
    assert same(fp.lhs, p / (1 + p) + q / (1 + q)) and same(fp.rhs, (p + q) / (1 + p + q))
