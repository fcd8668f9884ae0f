"""A context the sampler reaches only a few times excuses a failing relation only if it is really a
different setting: a counterexample found elsewhere that lies in it refutes the relation there too."""

from __future__ import annotations

import pytest
import sympy as sp
from qed.verifiers.judges import relcheck
from qed.verifiers.judges.relcheck import PointCache, check_relation
from qed.verifiers.judges.sampling import Context, PointSet, contains
from qed.verifiers.latex import symbol

a, b = symbol("a"), symbol("b")  # the symbols the LaTeX reader makes
ON_LINE = a + b - 1  # the problem's condition a + b = 1


def _check(rel: str, extra: Context) -> str:
    """The relation in the problem's setting and in `extra`; contexts other than the problem's own are
    sampled at 6 points only, so `extra` is always scarce."""
    base = Context("positive", equalities=(ON_LINE,))
    lhs, rhs = rel.split("\\leq")
    result, _parsed = check_relation(lhs, "<=", rhs, [base, extra], PointCache(n=6, n_base=120))
    return result.status


def test_a_scarce_context_holding_a_counterexample_found_elsewhere_does_not_excuse_it() -> None:
    # ab <= 0.2499 fails only within about 0.01 of a = b = 1/2: the 6 points of the second context miss it
    same_line = Context("positive", equalities=(ON_LINE,), filters=(sp.Gt(a, sp.Rational(1, 100)),),
                        label="the assumption a > 1/100")
    assert _check("a b \\leq \\frac{2499}{10000}", same_line) == "false"


def test_a_scarce_context_that_excludes_the_counterexample_still_excuses_it() -> None:
    # on a = 3b the product is 3/16 < 0.2499: the relation holds there, the counterexample a = b is not on it
    other_line = Context("positive", equalities=(ON_LINE, a - 3 * b), label="the condition a = 3b")
    assert _check("a b \\leq \\frac{2499}{10000}", other_line) == "conditional"


def test_a_point_lies_in_a_context_when_its_definitions_conditions_and_filters_hold_there() -> None:
    x = symbol("x")
    ctx = Context("positive", equalities=(x - 1,), substitutions=((x, a + b),), filters=(sp.Gt(a, b),))
    assert contains(ctx, {a: 0.75, b: 0.25})
    assert not contains(ctx, {a: 0.25, b: 0.75})  # the filter a > b fails
    assert not contains(ctx, {a: 0.5, b: 0.75})  # x = a + b = 1.25, not 1
    assert contains(ctx, {a: 0.75, b: 0.25, x: 1.0})
    assert not contains(ctx, {a: 0.75, b: 0.25, x: 2.0})  # x is given a value its definition does not give
    assert not contains(ctx, {a: 0.75})  # b has no value: nothing is known
    assert not contains(Context("positive"), {a: -1.0, b: 2.0})  # outside the domain


class _FixedPoints(PointCache):
    """The problem's own setting sampled as usual; every other context drawn only at a few points far from
    a = 4/5 (where the relation below fails), as a hard-to-sample context is in practice."""

    def get(self, ctx: Context, symbols: set[sp.Symbol]) -> PointSet:
        if ctx.label == "base":
            return super().get(ctx, symbols)
        return PointSet([{a: v, b: 1 - v} for v in (0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.14, 0.16, 0.18, 0.2)], 10)


def _no_hunt_outside_base(rel, compiled, ctx, points):  # noqa: ANN001, ANN202
    return relcheck_hunt(rel, compiled, ctx, points) if ctx.label == "base" else None


relcheck_hunt = relcheck._hunt


def test_a_context_that_held_at_its_points_is_refuted_by_a_failing_point_of_the_problem_that_lies_in_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(relcheck, "_hunt", _no_hunt_outside_base)
    base = Context("positive", equalities=(ON_LINE,))
    rel = ("\\left(a-\\frac{4}{5}\\right)^{2}", ">=", "\\frac{1}{10^{6}}")  # false only within 1/1000 of a = 4/5
    same_line = Context("positive", equalities=(ON_LINE,), filters=(sp.Gt(a, sp.Rational(1, 100)),),
                        label="the assumption a > 1/100")
    result, _ = check_relation(*rel, [base, same_line], _FixedPoints())
    assert result.status == "false"
    assert any("at a failing point of base" in t["context"] for t in result.evidence["trials"])
    left_half = Context("positive", equalities=(ON_LINE,), filters=(sp.Lt(a, sp.Rational(1, 2)),),
                        label="the assumption a < 1/2")  # a different setting: the failing point is not in it
    result, _ = check_relation(*rel, [base, left_half], _FixedPoints())
    assert result.status == "conditional"
