"""Every word that restricts the domain is read into the record, or the reading stops naming it."""

from __future__ import annotations

import pytest
import sympy as sp
from qed.problems.record import Problem
from qed.verifiers.formalize import formalize

TAIL = " Consider the following inequality:\n$$\n{} \\quad () \\quad {}\n$$\nDetermine the correct inequality relation to fill in the blank."


def read(statement: str, kind: str = "relation"):
    return formalize(Problem(id="t", statement=statement, kind=kind))


def rel(head: str, lhs: str = "a + b", rhs: str = "c") -> str:
    return head + TAIL.format(lhs, rhs)


@pytest.mark.parametrize(
    ("head", "word"),
    [
        ("Let $a, b, c$ be positive rational numbers.", "rational"),
        ("Let $a, b, c$ be positive reals, not all equal.", "not all"),
        ("Let $a, b, c$ be the side lengths of an isosceles triangle.", "isosceles"),
        ("Let $a, b, c$ be positive reals in decreasing order.", "decreasing"),
        ("Let $a, b, c$ be positive reals and let $c$ be odd.", "odd"),
        ("Let $a, b, c$ be lengths of chords of a circle.", "circle"),
        ("Let $a, b, c$ be positive reals between 1 and 2.", "between"),
    ],
)
def test_a_restricting_word_no_rule_reads_stops_the_reading(head, word):
    outcome = read(rel(head))
    assert not outcome.ok
    assert f"condition not understood: '{word}'" in outcome.reason


def test_acute_applies_to_angles_of_a_triangle_named_only_by_its_vertices():
    fp = read(rel("In an acute triangle $ABC$,", "\\tan A + \\tan B + \\tan C", "3\\sqrt{3}")).formal
    assert all(fp.domains[v] == sp.Interval.open(0, sp.pi / 2) for v in fp.variables)


def test_obtuse_and_equilateral_become_conditions():
    obtuse = read(rel("Let $A, B, C$ be the angles of an obtuse triangle.", "\\cos A", "0")).formal
    A, B, C = obtuse.variables
    assert sp.Gt(sp.Max(A, B, C), sp.pi / 2) in obtuse.constraints
    equilateral = read(rel("Let $a, b, c$ be the side lengths of an equilateral triangle.", "a + b", "2 c")).formal
    assert sum(isinstance(c, sp.Eq) for c in equilateral.constraints) == 2


def test_distinct_nonzero_and_prose_bounds_reach_the_record():
    fp = read(rel("Let $a, b$ be distinct real numbers greater than 1 and let $c$ be a nonzero real.")).formal
    a, b, c = fp.variables
    assert sp.Ne(a, b) in fp.constraints
    assert fp.domains[a] == sp.Interval.open(1, sp.oo)
    assert 0 not in fp.domains[c] and 1 in fp.domains[c]
    at_most = read(rel("Let $a, b, c$ be positive reals not exceeding 2.")).formal
    assert at_most.domains[at_most.variables[0]] == sp.Interval.Lopen(0, 2)


def test_words_about_the_equality_case_restrict_nothing():
    outcome = read(rel("Let $a, b, c$ be the side lengths of a triangle.", "a^2 + b^2 + c^2", "ab + bc + ca")
                   + "\nEquality holds exactly when the triangle is equilateral.")
    assert outcome.ok, outcome.reason


def test_the_constant_is_not_the_angle_it_shares_a_letter_with():
    fp = read("Let $A, B, C$ be the angles of a triangle. Find the smallest constant $C$ such that\n$$\n\\sin A + \\sin B \\leq C\n$$", "bound").formal
    assert fp.constant.name == "C" and "C_angle" in {v.name for v in fp.variables}
    assert fp.target.free_symbols <= set(fp.variables)
    clash = read("Let $A, B, C$ be the angles of a triangle. Find the largest constant $C$ such that\n$$\n\\cos A + \\cos B \\geq C \\sin C\n$$", "bound")
    assert not clash.ok and "names both the constant asked for and an angle" in clash.reason


def test_what_the_wording_says_of_the_constant_is_kept():
    fp = read("Find the largest positive constant $C$ such that for all real $x$:\n$$\nx^2 + 1 \\geq C x\n$$", "bound").formal
    assert fp.extra["constant_domain"] == "positive"
    integer = read("Let $x > 0$. Find the largest integer $k$ such that\n$$\nx^2 + 3 \\geq k x\n$$", "bound").formal
    assert integer.extra["constant_domain"] == "integer"


def test_a_variable_left_out_of_the_question_is_a_parameter_of_the_answer():
    fp = read("Let $k > 0$ and let $x, y$ be positive reals. Find the largest constant $C$ such that for all $x, y$:\n"
              "$$\nx^2 + k y^2 \\geq C x y\n$$", "bound").formal
    (k, domain), = fp.extra["real_parameters"].items()
    assert k.name == "k" and domain == sp.Interval.open(0, sp.oo)
    assert [v.name for v in fp.variables] == ["x", "y"] and k in fp.target.free_symbols
    quantified = read("Let $k > 0$ and let $x, y$ be positive reals. Find the largest constant $C$ such that for all $x, y, k$:\n"
                      "$$\nx^2 + k y^2 \\geq C x y\n$$", "bound").formal
    assert "real_parameters" not in quantified.extra and len(quantified.variables) == 3


def test_a_bound_written_on_an_integer_parameter_is_kept():
    statement = ("Let $n \\geq 3$ be an integer and let $t_1, t_2, \\ldots, t_n$ be positive real numbers such that "
                 "$t_1 + t_2 + \\cdots + t_n = n$. Consider the following inequality:\n$$\nt_1^{2} + t_2^{2} + \\cdots + t_n^{2} "
                 "\\quad () \\quad n\n$$\nDetermine the correct inequality relation to fill in the blank.")
    outcome = formalize(Problem(id="t", statement=statement, kind="relation"))
    assert outcome.ok, outcome.reason
    (allowed,) = outcome.formal.parameters.values()
    assert 2 not in allowed and 3 in allowed
