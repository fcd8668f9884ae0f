"""The engine on input that used to take minutes and gigabytes, and on values only their size made odd:
it answers, or abstains with a reason that is true."""

from __future__ import annotations

import qed.verifiers.engine.solve as engine_solve
import qed.verifiers.input_limits as input_limits
import sympy as sp
from qed.problems.record import Problem
from qed.verifiers.engine import solve_formal, solve_problem
from qed.verifiers.formal import FormalProblem
from qed.verifiers.numeric.extremum import extremum

x, y = sp.symbols("x y", positive=True)
POS = sp.Interval.open(0, sp.oo)

TOWER = Problem(
    id="tower", kind="bound",
    statement="Let $x$ be a positive real number. Find the largest constant $C$ such that the inequality "
    "$$ x^{10^{10}} + \\frac{1}{x} \\geq C $$ holds for every such $x$.",
)


def min_record(target, variables=(x,)) -> FormalProblem:
    return FormalProblem(kind="bound", variables=list(variables), domains={v: POS for v in variables},
                         target=target, sense="min")


def test_a_tower_exponent_abstains_at_once_saying_which_exponent():
    ans = solve_problem(TOWER, seconds=25)
    assert ans.status == "abstained"
    assert ans.reason == "could not formalize: parser: the exponent 10,000,000,000 is beyond the limit of 10,000"


def test_without_the_cap_the_engine_child_stops_at_its_memory_limit(monkeypatch):
    # With the reader's cap lifted the record is built; certifying x^(10^10) + 1/x - C >= 0 would need
    # gigabytes. The engine's child is stopped at its memory limit and the caller is told so.
    monkeypatch.setattr(input_limits, "MAX_EXPONENT", 10**12)
    monkeypatch.setattr(input_limits, "MAX_VALUE_DIGITS", 10**12)
    monkeypatch.setattr(engine_solve, "ENGINE_MEMORY_MB", 300)
    ans = solve_problem(TOWER, seconds=120)  # time to spare: under load the memory must still be what stops it
    assert ans.status == "abstained"
    assert ans.reason == "memory limit of 300 MiB reached"


def test_a_huge_finite_minimum_is_answered_not_called_unbounded():
    # (x + 1/x)^200 >= C: the minimum is 2^200 at x = 1, a 61-digit number, not a sign of divergence.
    target = (x + 1 / x) ** 200
    ext = extremum(target, min_record(target), "min", seconds=8)
    assert not ext.unbounded and ext.exact == 2**200
    ans = solve_formal(min_record(target), seconds=20)
    assert (ans.status, ans.answer) == ("answered", str(2**200))


def test_a_large_negative_minimum_is_exact_not_unbounded():
    # min 2 - 10^9 at x = 1, far below any "unbounded" threshold
    statement = ("Let $x$ be a positive real number. Find the largest constant $C$ such that the inequality "
                 "$$ x + \\frac{1}{x} - 10^{9} \\geq C $$ holds for every such $x$.")
    ans = solve_problem(Problem(id="big", kind="bound", statement=statement), seconds=20)
    assert (ans.status, ans.answer, ans.certified) == ("answered", "-999999998", True)
    # the same record without its statement: the same answer, but nothing to re-check it against
    bare = solve_formal(min_record(x + 1 / x - 10**9), seconds=20)
    assert (bare.status, bare.answer, bare.certified) == ("answered", "-999999998", False)


def test_an_unbounded_target_is_called_so_with_the_limit_that_shows_it():
    ans = solve_formal(min_record(x - y, (x, y)), seconds=20)
    assert ans.status == "abstained"
    assert ans.reason == ("the target is unbounded below (its exact limit as x -> its lower end, y -> its upper end "
                          "is -oo): no finite constant works")
