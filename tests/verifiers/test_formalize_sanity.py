"""The sanity check behind every record: feasible points, finite expressions."""

from __future__ import annotations

import pytest
import sympy as sp
from qed.verifiers.formal import FormalProblem
from qed.verifiers.formalize.errors import FormalizeError
from qed.verifiers.formalize.sanity import check, sample_feasible

p, q, r = sp.symbols("p q r", positive=True)
u = sp.Symbol("u", real=True)
POSITIVE = sp.Interval.open(0, sp.oo)


def record(constraints, lhs=None, rhs=None, domains=None, variables=(p, q, r)):
    variables = list(variables)
    return FormalProblem(
        kind="relation",
        variables=variables,
        domains=domains or {v: POSITIVE for v in variables},
        constraints=list(constraints),
        lhs=lhs,
        rhs=rhs,
    )


def test_points_meet_equalities_inequalities_and_domains():
    fp = record([sp.Eq(p * q * r, 1), sp.Le(p + q, 3)])
    points = sample_feasible(fp, count=6)
    assert len(points) == 6
    for pt in points:
        assert abs(pt[p] * pt[q] * pt[r] - 1) < 1e-8
        assert pt[p] + pt[q] <= 3 and min(pt.values()) > 0


def test_small_inequality_regions_are_still_found():
    fp = record([sp.Le(p + q + r, sp.Rational(1, 100))])
    assert len(sample_feasible(fp, count=4)) == 4


def test_interval_and_punctured_domains_are_respected():
    fp = record(
        [],
        domains={
            p: sp.Interval.open(1, 2),
            q: POSITIVE,
            r: sp.Complement(sp.Reals, sp.FiniteSet(1)),
        },
    )
    for pt in sample_feasible(fp, count=8):
        assert 1 < pt[p] < 2 and pt[q] > 0 and abs(pt[r] - 1) > 1e-6


def test_degenerate_near_zero_points_do_not_count_as_feasible():
    # x + y + z = xyz holds in the limit x, y, z -> 0 only approximately; real points are > sqrt(3)
    fp = record([sp.Eq(p + q + r, p * q * r)])
    for pt in sample_feasible(fp, count=8):
        assert min(pt.values()) > 1e-3


def test_an_empty_feasible_set_gives_no_points_and_check_says_so():
    fp = record([sp.Eq(p + q, -1)], lhs=p, rhs=q)
    assert sample_feasible(fp) == []
    with pytest.raises(FormalizeError, match="no feasible point"):
        check(fp, [])


def test_expressions_that_are_not_real_where_feasible_are_rejected():
    fp = record(
        [],
        lhs=sp.sqrt(u - 5),
        rhs=sp.Integer(1),
        domains={u: sp.Interval.open(0, 1)},
        variables=[u],
    )
    with pytest.raises(FormalizeError, match="left side is not a finite real"):
        check(fp, sample_feasible(fp))


def test_stray_symbols_in_an_expression_are_rejected():
    fp = record([], lhs=p + sp.Symbol("g"), rhs=q)
    with pytest.raises(FormalizeError, match="undeclared g"):
        check(fp, sample_feasible(fp))
