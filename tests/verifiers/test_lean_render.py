"""Stating formal inequality records as Lean theorems (pure Python: no Lean needed)."""

from __future__ import annotations

import pytest
import sympy as sp
from qed.verifiers.formal import FormalProblem
from qed.verifiers.lean import LeanRenderError, default_proofs, render_lean_theorem

a, b, c, x, C, n = sp.symbols("a b c x C n")
POS = sp.Interval(0, sp.oo, left_open=True)


def relation(lhs, rhs, variables=(a, b), domains=None, constraints=()):
    domains = {v: POS for v in variables} if domains is None else domains
    return FormalProblem(kind="relation", variables=list(variables), domains=domains,
                         constraints=list(constraints), lhs=lhs, rhs=rhs)


def test_two_variable_am_gm_renders_as_the_textbook_statement():
    thm = render_lean_theorem(relation(a**2 + b**2, 2 * a * b), relation=">=")
    assert thm.statement == "theorem qed_ineq (a b : ℝ) (ha : 0 < a) (hb : 0 < b) : a^2 + b^2 ≥ 2*a*b"


def test_each_relation_word_maps_to_lean_notation():
    p = relation(a + b, 2 * a)
    goals = {r: render_lean_theorem(p, relation=r).relation for r in ("<=", "<", ">=", ">", "=", "≥")}
    assert goals == {"<=": "≤", "<": "<", ">=": "≥", ">": ">", "=": "=", "≥": "≥"}


def test_relation_problem_without_a_relation_is_refused():
    with pytest.raises(LeanRenderError, match="needs the relation"):
        render_lean_theorem(relation(a, b))
    with pytest.raises(LeanRenderError, match="unknown relation"):
        render_lean_theorem(relation(a, b), relation="approx")


def test_constraints_and_interval_domains_become_hypotheses():
    p = relation(a * b + b * c + c * a, 3, variables=(a, b, c),
                 domains={a: POS, b: sp.Interval(0, 1), c: sp.Interval(-1, 2, True, True)},
                 constraints=[sp.Eq(a + b + c, 3)])
    thm = render_lean_theorem(p, relation="<=")
    assert thm.hypotheses == (("ha", "0 < a"), ("hb", "0 ≤ b"), ("hb'", "b ≤ 1"), ("hc", "-1 < c"),
                              ("hc'", "c < 2"), ("h1", "a + b + c = 3"))
    assert thm.goal == "a*b + a*c + b*c ≤ 3"


def test_interval_bounded_by_another_variable_keeps_its_hypothesis():
    p = relation(a * b, b**2, domains={a: sp.Interval(0, b, True, False), b: POS})
    assert render_lean_theorem(p, relation="<=").hypotheses == (("ha", "0 < a"), ("ha'", "a ≤ b"),
                                                                 ("hb", "0 < b"))
    with pytest.raises(LeanRenderError, match="not one of the problem's variables"):
        render_lean_theorem(relation(a, b, domains={a: sp.Interval(0, n)}), relation="<=")


def test_bound_substitutes_the_value_and_states_the_non_strict_inequality():
    p = FormalProblem(kind="bound", variables=[a, b], domains={a: POS, b: POS}, constant=C,
                      relation_with_constant=sp.StrictGreaterThan(a / b + b / a + a * b, C))
    # not polynomial (a/b): refused with the reason
    with pytest.raises(LeanRenderError, match="not a polynomial"):
        render_lean_theorem(p, value=3)
    p = FormalProblem(kind="bound", variables=[a, b], domains={a: POS, b: POS}, constant=C,
                      relation_with_constant=sp.StrictGreaterThan(a**3 + b**3, C * a * b * (a + b)))
    thm = render_lean_theorem(p, value=1)
    assert thm.relation == "≥"  # a strict claim at an attained extreme would be false
    assert thm.goal == "a^3 + b^3 ≥ a*b*(a + b)"


def test_bound_from_target_and_sense():
    p = FormalProblem(kind="bound", variables=[x], domains={x: sp.S.Reals}, target=x**2 - 2 * x, sense="min")
    assert render_lean_theorem(p, value=-1).statement == "theorem qed_ineq (x : ℝ) : x^2 - 2*x ≥ -1"
    p.sense = "max"
    assert render_lean_theorem(p, value=sp.Rational(7, 2)).goal == "x^2 - 2*x ≤ 7/2"


def test_bound_without_value_or_with_decimal_value_is_refused():
    p = FormalProblem(kind="bound", variables=[x], target=x**2, sense="min")
    with pytest.raises(LeanRenderError, match="needs the bound's value"):
        render_lean_theorem(p)
    with pytest.raises(LeanRenderError, match="decimal"):
        render_lean_theorem(p, value=sp.Float(0.5))


@pytest.mark.parametrize(("expr", "text"), [
    (-a**2 + b, "-(a^2) + b"),
    (a / 2 - 3 * b / 4, "a/2 - 3*b/4"),
    ((a - b) ** 2 * (a + b), "(a - b)^2*(a + b)"),
    (-a * b - (a + b) ** 3, "-a*b - (a + b)^3"),
    (sp.sqrt(2) * a - sp.pi * b**2, "Real.sqrt 2*a - Real.pi*b^2"),
    (sp.cbrt(2) * a, "(2 : ℝ) ^ ((1 : ℝ)/3)*a"),
    (-(a - 1) ** 3, "-((a - 1)^3)"),
    (-sp.Rational(1, 2) * a**2, "-(a^2/2)"),
    (sp.sqrt(sp.Rational(1, 2)) * a, "Real.sqrt 2*a/2"),
])
def test_printer_keeps_lean_precedence_and_exact_constants(expr, text):
    assert render_lean_theorem(relation(expr, sp.Integer(0)), relation="<=").lhs == text


def test_non_polynomial_or_foreign_symbols_are_refused_with_the_reason():
    with pytest.raises(LeanRenderError, match="not a polynomial"):
        render_lean_theorem(relation(sp.sqrt(a) + b, 0), relation=">=")
    with pytest.raises(LeanRenderError, match="not a polynomial"):
        render_lean_theorem(relation(sp.Abs(a - b), 0), relation=">=")
    with pytest.raises(LeanRenderError, match="n, which are not variables"):
        render_lean_theorem(relation(a**n, b), relation=">=")
    with pytest.raises(LeanRenderError, match="not an interval"):
        render_lean_theorem(relation(a, b, domains={a: sp.S.Integers}), relation=">=")


def test_awkward_variable_names_are_quoted_and_hypotheses_do_not_clash():
    at, ha = sp.Symbol("at"), sp.Symbol("ha")
    thm = render_lean_theorem(relation(at + ha, 0, variables=(at, ha)), relation=">=")
    assert thm.variables == ("«at»", "ha")
    labels = [h for h, _ in thm.hypotheses]
    assert len(set(labels)) == len(labels) and "ha" not in labels
    alpha = sp.Symbol("α")
    assert render_lean_theorem(relation(alpha**2, 0, variables=(alpha,)), relation=">=").goal == "«α»^2 ≥ 0"


def test_default_proofs_use_square_and_positivity_hints():
    thm = render_lean_theorem(relation(a**2 + b**2 + c**2, a * b + b * c + c * a, variables=(a, b, c)),
                              relation=">=")
    proofs = default_proofs(thm)
    assert proofs[0] == "by nlinarith [sq_nonneg (a - b), sq_nonneg (a - c), sq_nonneg (b - c)]"
    assert "mul_pos ha hb" in proofs[-1] and "mul_pos (mul_pos ha hb) hc" in proofs[-1]
    zero_side = render_lean_theorem(relation(a**2 * b + b, 0), relation=">")
    assert default_proofs(zero_side)[0] == "by rw [gt_iff_lt]; positivity"
