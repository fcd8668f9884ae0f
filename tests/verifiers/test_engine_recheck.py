"""The independent re-check: points are judged against the statement, not against the record."""

from __future__ import annotations

import sympy as sp
from qed.problems.record import Problem
from qed.verifiers.engine import solve_formal
from qed.verifiers.engine.recheck import (
    check_point,
    check_reading,
    degenerate_equality,
    domain_coverage,
    excluded_by_statement,
    sign_of,
)
from qed.verifiers.engine.reread import reread
from qed.verifiers.formal import FormalProblem
from qed.verifiers.formalize import formalize

TAIL = " Consider the following inequality:\n$$\n{} \\quad () \\quad {}\n$$\nDetermine the correct inequality relation to fill in the blank."
ACUTE_TAN = "In an acute triangle $ABC$," + TAIL.format("\\tan A + \\tan B + \\tan C", "3\\sqrt{3}")


def record(statement: str, kind: str = "relation") -> FormalProblem:
    outcome = formalize(Problem(id="t", statement=statement, kind=kind))
    assert outcome.ok, outcome.reason
    return outcome.formal


def test_second_reading_lists_the_stated_conditions():
    rr = reread("Let $a, b, c$ be non-negative reals such that $a + b + c = 3$ and $a \\geq b$." + TAIL.format("ab", "1"), "relation")
    a, b, c = sp.symbols("a b c", real=True)
    relations = {r for cond in rr.conditions for r in cond.relations}
    assert {sp.Ge(a, 0), sp.Ge(b, 0), sp.Ge(c, 0), sp.Eq(a + b + c, 3), sp.Ge(a, b)} <= relations
    assert rr.complete and rr.lhs == a * b and rr.rhs == 1


def test_an_obtuse_point_is_rejected_for_an_acute_triangle():
    rr = reread(ACUTE_TAN, "relation")
    pi = sp.pi
    obtuse = check_reading(rr, {"A": 2 * pi / 3, "B": pi / 6, "C": pi / 6}, "witness", expect="negative")
    assert obtuse.verdict == "violated" and "acute triangle" in obtuse.failed
    equilateral = check_reading(rr, {"A": pi / 3, "B": pi / 3, "C": pi / 3}, "equality point", expect="zero")
    assert equilateral.verdict == "confirmed"


def test_a_record_that_dropped_acute_cannot_certify_an_answer():
    # The record says "angles of a triangle"; the statement says acute. Every witness of "both signs"
    # has an obtuse angle, so the re-check rejects it and the engine abstains instead of answering (F).
    A, B, C = sp.symbols("A B C", real=True)
    angle = sp.Interval.open(0, sp.pi)
    fp = FormalProblem(kind="relation", variables=[A, B, C], domains={A: angle, B: angle, C: angle},
                       constraints=[sp.Eq(A + B + C, sp.pi)], lhs=sp.tan(A) + sp.tan(B) + sp.tan(C), rhs=3 * sp.sqrt(3),
                       extra={"statement": ACUTE_TAN})
    ans = solve_formal(fp, seconds=15)
    assert not ans.certified
    assert ans.status == "abstained" and "re-check" in ans.reason


def test_the_limit_of_a_degenerate_triangle_is_outside_the_statement():
    fp = record("Let $a, b, c$ be the side lengths of a triangle." + TAIL.format("a^2 + b^2 + c^2", "2(ab + bc + ca)"))
    x, y, z = fp.variables
    out = excluded_by_statement(fp, {x: sp.Integer(0), y: sp.Integer(0), z: sp.Integer(1)}, "limit")
    assert out.verdict == "confirmed" and any("excluded" in n for n in out.notes)


def test_zero_is_an_equality_point_when_the_statement_allows_it():
    nonneg = record("Let $x, y$ be non-negative reals." + TAIL.format("x^2 + y^2", "x y"))
    assert degenerate_equality(nonneg).verdict == "violated"
    positive = record("Let $x, y$ be positive reals." + TAIL.format("x^2 + y^2", "x y"))
    assert degenerate_equality(positive).verdict == "confirmed"
    x, y = positive.variables
    assert excluded_by_statement(positive, {x: sp.Integer(0), y: sp.Integer(0)}, "limit").verdict == "confirmed"


def test_a_record_narrower_than_the_statement_does_not_cover_it():
    fp = record("Let $x, y$ be non-negative reals." + TAIL.format("x^2 + y^2", "x y"))
    assert domain_coverage(fp).verdict == "confirmed"
    x, y = fp.variables
    fp.domains = {x: sp.Interval.open(0, sp.oo), y: sp.Interval.open(0, sp.oo)}
    out = domain_coverage(fp)
    assert out.verdict == "violated" and "statement allows x" in out.failed[0]


def test_a_record_without_its_statement_confirms_nothing():
    x = sp.Symbol("x", real=True)
    fp = FormalProblem(kind="relation", variables=[x], domains={x: sp.Reals}, lhs=x**2, rhs=sp.Integer(0))
    assert check_point(fp, {x: sp.Integer(0)}, "equality point", expect="zero").verdict == "unconfirmed"
    ans = solve_formal(fp, seconds=10)
    assert ans.answered and ans.answer == "B" and not ans.certified
    assert "no statement" in ans.evidence["certified_because"]


def test_bound_points_are_checked_with_the_answer_in_place_of_the_constant():
    fp = record("Let $x, y$ be positive reals with $x + y = 2$. Find the smallest constant $C$ such that\n$$\nx y \\leq C\n$$", "bound")
    x, y = fp.variables
    assert check_point(fp, {x: 1, y: 1}, "extremal point", expect="zero", constant=sp.Integer(1)).verdict == "confirmed"
    wrong = check_point(fp, {x: 1, y: 1}, "extremal point", expect="zero", constant=sp.Rational(3, 2))
    assert wrong.verdict == "violated"
    off = check_point(fp, {x: 1, y: 2}, "extremal point", expect="zero", constant=sp.Integer(1))
    assert off.verdict == "violated" and any("x + y" in f for f in off.failed)


def test_values_are_decided_exactly_or_to_sixty_digits():
    assert sign_of(sp.sqrt(2) + sp.sqrt(3) - sp.sqrt(5 + 2 * sp.sqrt(6)))[0] == 0
    assert sign_of(sp.pi - sp.Rational(355, 113))[0] == -1
    assert sign_of(sp.Symbol("q"))[0] is None


def test_a_word_after_be_describes_the_names_before_it_not_the_next_list():
    rr = reread("Let $a, b$ be positive and $c$ be negative real numbers." + TAIL.format("a + b - c", "0"), "relation")
    a, b, c = sp.symbols("a b c", real=True)
    relations = {r for cond in rr.conditions for r in cond.relations}
    assert {sp.Gt(a, 0), sp.Gt(b, 0), sp.Lt(c, 0)} <= relations
    assert sp.Gt(c, 0) not in relations


def test_a_cyclic_sum_in_a_bound_statement_does_not_cycle_through_the_constant():
    statement = ("Find the largest constant $C$ such that for all positive real numbers $a, b, c$, the following "
                 "inequality holds:\n$$\n\\sum \\frac{a^{2}}{b} \\geq C (a + b + c)\n$$")
    rr = reread(statement, "bound", {"a": sp.Integer(1), "b": sp.Integer(2), "c": sp.Integer(3)})
    assert rr.relation is not None
    by_name = {s.name: s for s in rr.relation.lhs.free_symbols}
    assert set(by_name) == {"a", "b", "c"}
    a, b, c = by_name["a"], by_name["b"], by_name["c"]
    assert sp.simplify(rr.relation.lhs - (a**2 / b + b**2 / c + c**2 / a)) == 0
