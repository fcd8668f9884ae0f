"""Numeric search on problems with known extrema: interior, boundary, limit, equality constraint."""

from __future__ import annotations

import numpy as np
import sympy as sp
from qed.verifiers.formal import FormalProblem
from qed.verifiers.numeric.domain import build_charts
from qed.verifiers.numeric.extremum import extremum
from qed.verifiers.numeric.search import minimise

a, b, c, x, y = sp.symbols("a b c x y")
POS = sp.Interval.open(0, sp.oo)
NONNEG = sp.Interval(0, sp.oo)


def problem(variables, domains=None, constraints=()) -> FormalProblem:
    domains = domains or {v: POS for v in variables}
    return FormalProblem(kind="bound", variables=list(variables), domains=domains, constraints=list(constraints))


def test_interior_minimum_of_a_rational_function_is_found_exactly():
    # x + 1/x + y + 4/y has its minimum 2 + 4 = 6 at x = 1, y = 2.
    fp = problem([x, y])
    ext = extremum(x + 1 / x + y + 4 / y, fp, "min")
    assert ext.exact == 6
    assert ext.attained and ext.where == "interior"
    assert ext.witness.point == {x: 1, y: 2}


def test_minimum_on_an_equality_constraint_by_elimination():
    # abc + 1/a + 1/b + 1/c with a + b + c = 1: minimum 244/27 at a = b = c = 1/3.
    fp = problem([a, b, c], constraints=[sp.Eq(a + b + c, 1)])
    ext = extremum(a * b * c + 1 / a + 1 / b + 1 / c, fp, "min")
    assert ext.exact == sp.Rational(244, 27)
    assert ext.witness.point[a] == sp.Rational(1, 3)


def test_maximum_on_the_boundary_of_a_closed_interval():
    # x(1 - x) + y on [0, 1]^2 is largest at y = 1 (the closed end), x = 1/2: value 5/4.
    fp = problem([x, y], domains={x: sp.Interval(0, 1), y: sp.Interval(0, 1)})
    ext = extremum(x * (1 - x) + y, fp, "max")
    assert ext.exact == sp.Rational(5, 4)
    assert ext.where == "boundary"
    assert ext.witness.point[y] == 1


def test_supremum_approached_at_a_limit_is_not_attained():
    # (a^2 + b^2 + c^2)/(ab + bc + ca) on triangle sides (Ravi: a = y+z, ...) tends to 2 as one side -> 0.
    u, v, w = sp.symbols("u v w")
    sides = {a: v + w, b: w + u, c: u + v}
    ratio = ((a**2 + b**2 + c**2) / (a * b + b * c + c * a)).subs(sides)
    ext = extremum(ratio, problem([u, v, w]), "max")
    assert ext.exact == 2
    assert ext.where == "limit" and not ext.attained


def test_maximum_of_a_cyclic_radical_expression_is_recognised_from_a_high_precision_solve():
    # a/(a+bc) + b/(b+ca) + sqrt(abc)/(c+ab) with a+b+c = 1 has maximum 1 + 3*sqrt(3)/4.
    fp = problem([a, b, c], constraints=[sp.Eq(a + b + c, 1)])
    f = a / (a + b * c) + b / (b + c * a) + sp.sqrt(a * b * c) / (c + a * b)
    ext = extremum(f, fp, "max")
    assert sp.simplify(ext.exact - (1 + 3 * sp.sqrt(3) / 4)) == 0


def test_scale_free_problem_is_normalised_before_search():
    ext = extremum((a**4 + b**4 + c**4) / (a * b * c * (a + b + c)), problem([a, b, c]), "min")
    assert ext.exact == 1
    assert any("scale fixed" in n for n in ext.notes)


def test_unbounded_target_is_reported_as_unbounded():
    ext = extremum(x + y, problem([x, y]), "max")
    assert ext.unbounded and ext.exact is None


def test_search_evaluates_points_in_batches_and_counts_them():
    fp = problem([a, b, c], constraints=[sp.Eq(a + b + c, 3)])
    result = minimise((a - 1) ** 2 + (b - 2) ** 2, build_charts(fp), seconds=3)
    assert result.evaluations > 5000
    assert abs(result.best.value) < 1e-9
    assert np.isclose(result.best.point[c], 0.0, atol=1e-6) is False or result.best.point[c] > 0


def test_polynomial_constraint_of_degree_three_is_charted_by_its_real_roots():
    # a^3 + b^3 + c^3 - 3abc = 1 over the reals: a^2 + b^2 + c^2 >= 1, with equality at (0, 0, 1).
    fp = problem([a, b, c], domains={v: sp.S.Reals for v in (a, b, c)}, constraints=[sp.Eq(a**3 + b**3 + c**3 - 3 * a * b * c, 1)])
    ext = extremum(a**2 + b**2 + c**2, fp, "min")
    assert ext.exact == 1


def test_values_that_overflow_in_double_precision_do_not_win():
    # x^x y^y >= ((x+y)/2)^(x+y): powers overflow to inf/inf for large x, y; the minimum is 1 at x = y.
    f = x**x * y**y / ((x + y) / 2) ** (x + y)
    ext = extremum(f, problem([x, y]), "min")
    assert ext.exact == 1 and not ext.unbounded
