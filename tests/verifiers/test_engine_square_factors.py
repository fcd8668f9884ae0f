"""Proofs by exact factorisation into squares: sound on every real point, and never stretched."""

from __future__ import annotations

import sympy as sp
from qed.verifiers.engine.certify_within import certify_within
from qed.verifiers.engine.square_factors import SOLVER, square_certificate
from qed.verifiers.formal import FormalProblem

a, b, c, x, y = sp.symbols("a b c x y", real=True)
REALS = sp.S.Reals


def record(*variables: sp.Symbol) -> FormalProblem:
    return FormalProblem(kind="relation", variables=list(variables), domains={v: REALS for v in variables}, lhs=x, rhs=y)


def proved(g: sp.Expr, strict: bool = False) -> bool:
    cert = square_certificate(g, record(x, y), strict=strict)
    return cert is not None and cert.verdict == "proved"


def test_a_square_times_a_positive_factor_is_proved():
    assert proved((x - y) ** 2)
    assert proved(x**2 + y**2 - 2 * x * y)
    assert proved(3 * (x - y) ** 2 * (x**2 + 1) * (x * y + 1) ** 4)


def test_a_factor_that_can_change_sign_is_not_a_proof():
    assert not proved((x - y) ** 2 * x)  # negative at x = -1, y = 0
    assert not proved(-((x - y) ** 2))
    assert not proved((x - y) ** 2 - 1)
    assert not proved(x**2 - x * y + y**2)  # true, but not a product of squares: left to the solvers


def test_strict_claims_and_other_symbols_are_left_to_the_solvers():
    assert not proved((x - y) ** 2 + 1, strict=True)
    k = sp.Symbol("k")
    assert not proved(k * (x - y) ** 2)  # k is not a variable of the record: its sign is unknown


def test_a_high_degree_square_is_proved_within_the_time_the_solvers_would_not_finish_in():
    base = a**2 * b**2 * c**2 + 2 * a * b - a * c + b**2 * c**3 - 3 * a * b * c + c**2 + 1
    g = sp.expand(base**2 * (a**2 + b**2 + 1))
    cert = certify_within(g, record(a, b, c), strict=False, seconds=5)
    assert cert.verdict == "proved" and cert.solver == SOLVER
    assert cert.confirmed_by  # the factors are re-expanded and compared with g
    assert certify_within(g - 1, record(a, b, c), strict=False, seconds=3).verdict != "proved"


def test_an_exact_zero_of_the_square_is_found_and_must_be_accepted():
    from qed.verifiers.engine.square_factors import zero_of_a_square

    g = sp.expand((x**2 * y - 2) ** 2 * (x**2 + 1))
    point = zero_of_a_square(g, record(x, y), {x: 1.1, y: 1.9}, lambda p: True)
    assert point is not None and g.subs(point) == 0 and all(v.is_Rational for v in point.values())
    assert zero_of_a_square(g, record(x, y), {x: 1.1, y: 1.9}, lambda p: False) is None
    assert zero_of_a_square(g + 1, record(x, y), {x: 1.1, y: 1.9}, lambda p: True) is None  # no squared factor


def test_a_zero_where_both_sides_vanish_is_no_witness_that_c_cannot_be_improved():
    import numpy as np
    from qed.verifiers.engine.bound import _attained_on_the_square
    from qed.verifiers.numeric.extremum import Extremum
    from qed.verifiers.numeric.search import Located, SearchResult

    C = sp.Symbol("C")
    # largest C with (x - y)^2 (x^2 + 2) >= C (x - y)^2: the ratio x^2 + 2 has its minimum 2 at x = 0
    fp = FormalProblem(kind="bound", variables=[x, y], domains={x: REALS, y: REALS}, constant=C,
                       relation_with_constant=sp.Ge((x - y) ** 2 * (x**2 + 2), C * (x - y) ** 2), extra={"asked": "largest"})
    best = Located(value=2.0, point={x: 0.01, y: 1.3}, chart=0, u=np.zeros(2))
    search = SearchResult(best=best, minima=[best], evaluations=1, seconds=0.0)
    right = _attained_on_the_square(fp, Extremum("min", 2.0, sp.Integer(2), search=search), {})
    assert right.witness is not None and right.witness.point[x] == 0 and right.witness.point[y] != 0
    # at C = 1 the difference (x - y)^2 (x^2 + 1) is 0 only where x = y, where both sides are 0
    # whatever C is: that says nothing about C = 1 being the best, so no witness is made
    wrong = _attained_on_the_square(fp, Extremum("min", 1.0, sp.Integer(1), search=search), {})
    assert wrong.witness is None
