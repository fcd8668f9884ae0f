r"""A corpus of tricky statements (written for these tests) with known answers: the engine may
abstain on any of them, but a certified answer must be right, a required abstention must happen,
and every certified answer must name the independent re-check that confirmed it.

Answers follow IneqMath's convention (verifiers.engine.relation): the strongest relation that
holds on the stated domain; an equality point counts wherever it lies in the domain (all variables
0 when 0 is allowed, x = y = z), a limit outside the domain does not.
"""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import pytest
from qed.problems.record import Problem
from qed.verifiers.engine import solve_problem
from qed.verifiers.final_answer import format_answer, is_correct

T = " Consider the following inequality:\n$$\n{} \\quad () \\quad {}\n$$\nDetermine the correct inequality relation to fill in the blank."
ABSTAIN = None  # the engine must not answer


def rel(head: str, lhs: str, rhs: str) -> str:
    return head + T.format(lhs, rhs)


# (id, kind, statement, answer: an option letter, a LaTeX value, or ABSTAIN)
CORPUS: list[tuple[str, str, str, str | None]] = [
    # -- domain words ------------------------------------------------------------------------
    ("acute-tan", "relation", rel("In an acute triangle $ABC$,", "\\tan A + \\tan B + \\tan C", "3\\sqrt{3}"), "B"),
    ("any-tan", "relation", rel("In a triangle $ABC$,", "\\tan A + \\tan B + \\tan C", "3\\sqrt{3}"), "F"),
    ("obtuse-cos-product", "relation", rel("Let $A, B, C$ be the angles of an obtuse triangle.", "\\cos A \\cos B \\cos C", "0"), "D"),
    ("nonneg-squares", "relation", rel("Let $x, y$ be non-negative real numbers.", "x^{2} + y^{2}", "x y"), "B"),
    ("pos-squares", "relation", rel("Let $x, y$ be positive real numbers.", "x^{2} + y^{2}", "x y"), "E"),
    ("nonneg-cubes", "relation", rel("Let $x, y \\geq 0$.", "x^{3} + y^{3}", "x^{2} y"), "B"),
    ("pos-cubes", "relation", rel("Let $x, y > 0$.", "x^{3} + y^{3}", "x^{2} y"), "E"),
    ("distinct-three", "relation", rel("Let $a, b, c$ be distinct positive real numbers.", "a^{2} + b^{2} + c^{2}", "a b + b c + c a"), "E"),
    ("plain-three", "relation", rel("Let $a, b, c$ be positive real numbers.", "a^{2} + b^{2} + c^{2}", "a b + b c + c a"), "B"),
    ("greater-than-one", "relation", rel("Let $x, y$ be real numbers greater than 1.", "x y + 1", "x + y"), "E"),
    ("at-least-one", "relation", rel("Let $x, y$ be real numbers that are at least 1.", "x y + 1", "x + y"), "B"),
    ("nonzero-square", "relation", rel("Let $x$ be a nonzero real number.", "x^{2}", "0"), "E"),
    ("real-square", "relation", rel("Let $x$ be a real number.", "x^{2}", "0"), "B"),
    ("ordered-weak", "relation", rel("Let $a \\geq b \\geq c > 0$ be real numbers.", "\\left(a - b\\right)\\left(b - c\\right)", "0"), "B"),
    ("ordered-strict", "relation", rel("Let $a > b > c > 0$ be real numbers.", "\\left(a - b\\right)\\left(b - c\\right)", "0"), "E"),
    ("rational", "relation", rel("Let $x, y$ be positive rational numbers.", "x + y", "2\\sqrt{x y}"), ABSTAIN),
    ("not-all-equal", "relation", rel("Let $x, y, z$ be positive reals, not all equal.", "x^{2} + y^{2} + z^{2}", "x y + y z + z x"), ABSTAIN),
    ("isosceles-unsaid", "relation", rel("Let $a, b, c$ be the side lengths of an isosceles triangle.", "a + b", "c"), ABSTAIN),
    ("increasing", "relation", rel("Let $x, y, z$ be positive reals in increasing order.", "x + z", "2 y"), ABSTAIN),
    ("equilateral", "relation", rel("Let $a, b, c$ be the side lengths of an equilateral triangle.", "a + b", "2 c"), "C"),
    ("right-pythagoras", "relation", rel("Let $a, b, c$ be the side lengths of a right triangle with hypotenuse $c$.", "a^{2} + b^{2}", "c^{2}"), "C"),
    ("acute-sides", "relation", rel("Let $a, b, c$ be the side lengths of an acute triangle.", "a^{2} + b^{2}", "c^{2}"), "E"),
    ("plain-sides", "relation", rel("Let $a, b, c$ be the side lengths of a triangle.", "a^{2} + b^{2}", "c^{2}"), "F"),
    ("with-angles-acute", "relation", rel("In an acute triangle with angles $A, B, C$,", "\\tan A + \\tan B + \\tan C", "3\\sqrt{3}"), "B"),
    ("with-angles-obtuse", "relation", rel("In an obtuse triangle with angles $A, B, C$,", "\\cos A \\cos B \\cos C", "0"), "D"),
    ("with-sides-acute", "relation", rel("In an acute triangle with sides $a, b, c$,", "a^{2} + b^{2}", "c^{2}"), "E"),
    ("cos-sum", "relation", rel("In a triangle $ABC$,", "\\cos A + \\cos B + \\cos C", "\\frac{3}{2}"), "A"),
    ("closed-interval", "relation", rel("Let $x \\in [0, 1]$.", "x^{2}", "x"), "A"),
    ("open-interval", "relation", rel("Let $x \\in (0, 1)$.", "x^{2}", "x"), "D"),
    ("prose-interval", "relation", rel("Let $x, y$ be real numbers in the interval $[0, 1]$.", "x y", "x"), "A"),
    ("nonneg-sum-one", "relation", rel("Let $a, b, c \\geq 0$ with $a + b + c = 1$.", "a b + b c + c a", "\\frac{1}{3}"), "A"),
    ("not-exceeding", "relation", rel("Let $a, b$ be positive real numbers not exceeding 1.", "a + b", "a b + 1"), "A"),
    ("less-than-one", "relation", rel("Let $a, b$ be positive real numbers less than 1.", "a + b", "a b + 1"), "D"),
    # -- a letter for two things -----------------------------------------------------------
    ("clash-sin-sum", "bound", "Let $A, B, C$ be the angles of a triangle. Find the smallest constant $C$ such that the following inequality holds for all such triangles:\n$$\n\\sin A + \\sin B \\leq C\n$$", "2"),
    ("clash-sin-product", "bound", "In a triangle $ABC$, find the smallest constant $C$ such that\n$$\n\\sin A \\sin B \\leq C\n$$\nholds.", "1"),
    ("clash-inside-function", "bound", "Let $A, B, C$ be the angles of a triangle. Find the largest constant $C$ such that\n$$\n\\cos A + \\cos B + \\cos C \\geq C \\sin C\n$$\nholds for all triangles.", ABSTAIN),
    ("constant-K-acute", "bound", "Let $A, B, C$ be the angles of an acute triangle. Find the largest constant $K$ such that\n$$\n\\tan A + \\tan B + \\tan C \\geq K\n$$\nholds for all such triangles.", "3\\sqrt{3}"),
    ("positive-constant", "bound", "Find the largest positive constant $C$ such that for all real numbers $x, y$:\n$$\nx^{2} + y^{2} \\geq C x y\n$$", "2"),
    ("integer-constant-exact", "bound", "Let $x > 0$. Find the largest integer $k$ such that\n$$\nx + \\frac{1}{x} \\geq k\n$$\nholds for all $x$.", "2"),
    ("integer-constant-floor", "bound", "Let $x > 0$. Find the largest integer $k$ such that\n$$\nx^{2} + 3 \\geq k x\n$$\nholds for all $x$.", "3"),
    # -- degenerate points -------------------------------------------------------------------
    ("amgm-three-nonneg", "relation", rel("Let $x, y, z \\geq 0$.", "x^{3} + y^{3} + z^{3}", "3 x y z"), "B"),
    ("cyclic-both-signs", "relation", rel("Let $a, b, c > 0$.", "a^{2} b + b^{2} c + c^{2} a", "a b^{2} + b c^{2} + c a^{2}"), "F"),
    ("product-of-squares", "relation", rel("Let $a, b, c$ be real numbers.", "\\left(a - b\\right)^{2}\\left(b - c\\right)^{2}\\left(c - a\\right)^{2}", "0"), "B"),
    ("nonneg-product", "relation", rel("Let $x, y$ be non-negative reals.", "x y", "0"), "B"),
    ("pos-product", "relation", rel("Let $x, y$ be positive reals.", "x y", "0"), "E"),
    ("both-vanish", "relation", rel("Let $a, b > 0$.", "\\left(a - b\\right)^{2}", "\\left|a - b\\right| \\left(a + b\\right)"), "A"),
    ("triangle-abs", "relation", rel("Let $a, b, c$ be real numbers.", "\\left|a - b\\right| + \\left|b - c\\right|", "\\left|a - c\\right|"), "B"),
    # -- limits ------------------------------------------------------------------------------
    ("cyclic-upper", "relation", rel("Let $a, b, c$ be positive real numbers.", "\\frac{a}{a + b} + \\frac{b}{b + c} + \\frac{c}{c + a}", "2"), "D"),
    ("cyclic-lower", "relation", rel("Let $a, b, c$ be positive real numbers.", "\\frac{a}{a + b} + \\frac{b}{b + c} + \\frac{c}{c + a}", "1"), "E"),
    ("to-infinity", "relation", rel("Let $x > 0$.", "\\frac{x}{1 + x}", "1"), "D"),
    ("exp-tangent", "relation", rel("Let $x > 0$.", "e^{x}", "1 + x"), "E"),
    ("sin-below-x", "relation", rel("Let $x \\in \\left(0, \\frac{\\pi}{2}\\right)$.", "\\sin x", "x"), "D"),
    ("unit-square", "relation", rel("Let $x, y \\in (0, 1)$.", "x y + (1 - x)(1 - y)", "1"), "D"),
    ("triangle-nesbitt-upper", "relation", rel("Let $a, b, c$ be the side lengths of a triangle.", "\\frac{a}{b + c} + \\frac{b}{c + a} + \\frac{c}{a + b}", "2"), "D"),
    ("limit-bound", "bound", "Let $x > 0$. Find the smallest constant $C$ such that\n$$\n\\frac{x}{1 + x} \\leq C\n$$\nholds for all $x$.", "1"),
    ("triangle-limit-bound", "bound", "Let $a, b, c$ be the side lengths of a triangle. Find the smallest constant $C$ such that\n$$\n\\frac{a}{b + c} + \\frac{b}{c + a} + \\frac{c}{a + b} < C\n$$\nholds for all triangles.", "2"),
    ("unbounded", "bound", "Let $x > 0$. Find the smallest constant $C$ such that\n$$\nx + \\frac{1}{x} \\leq C\n$$\nholds for all $x$.", ABSTAIN),
    # -- equality constraints and bounds -----------------------------------------------------
    ("sum-two", "relation", rel("Let $x, y > 0$ with $x + y = 2$.", "x y", "1"), "A"),
    ("product-one", "relation", rel("Let $a, b, c$ be positive reals with $a b c = 1$.", "a + b + c", "3"), "B"),
    ("squares-two", "relation", rel("Let $a, b > 0$ with $a^{2} + b^{2} = 2$.", "a + b", "2"), "A"),
    ("sum-zero", "relation", rel("Let $x, y, z$ be real numbers with $x + y + z = 0$.", "x y + y z + z x", "0"), "A"),
    ("reciprocals", "bound", "Let $x, y > 0$ with $x + y = 1$. Find the largest constant $C$ such that\n$$\n\\frac{1}{x} + \\frac{1}{y} \\geq C\n$$", "4"),
    ("eight-abc", "bound", "Let $a, b, c$ be positive reals. Find the largest constant $C$ such that\n$$\n(a + b)(b + c)(c + a) \\geq C a b c\n$$", "8"),
    ("negative-answer", "bound", "Find the largest constant $C$ such that for every real number $x$:\n$$\nx^{2} - x \\geq C\n$$", "-\\frac{1}{4}"),
    ("no-positive-constant", "bound", "Find the largest positive constant $C$ such that for every real number $x$:\n$$\nx^{2} - x \\geq C\n$$", ABSTAIN),
    ("closed-interval-bound", "bound", "Let $x \\in [0, 2]$. Find the smallest constant $C$ such that\n$$\nx (2 - x) \\leq C\n$$", "1"),
    ("shifted-amgm", "bound", "Let $x > 1$. Find the largest constant $C$ such that\n$$\nx + \\frac{1}{x - 1} \\geq C\n$$", "3"),
    ("right-legs", "bound", "Let $a, b, c$ be the side lengths of a right triangle with hypotenuse $c$. Find the smallest constant $C$ such that\n$$\na + b \\leq C c\n$$", "\\sqrt{2}"),
    ("weitzenboeck", "bound", "Let $a, b, c$ be the side lengths of a triangle and let $S$ be its area. Find the largest constant $C$ such that\n$$\na^{2} + b^{2} + c^{2} \\geq C S\n$$", "4\\sqrt{3}"),
    ("distinct-bound", "bound", "Let $x, y$ be distinct positive reals. Find the largest constant $C$ such that\n$$\n\\frac{x^{2} + y^{2}}{x y} > C\n$$", "2"),
    ("nonneg-bound", "bound", "Let $a, b$ be non-negative reals. Find the largest constant $C$ such that\n$$\na^{3} + b^{3} \\geq C a b (a + b)\n$$", "1"),
]


def _solve(item):
    ident, kind, statement, answer = item
    return item, solve_problem(Problem(id=ident, statement=statement, kind=kind), seconds=10)


@pytest.fixture(scope="module")
def results():
    # Two worker processes, each forking the engine's child from its own main thread (forking
    # from one of several threads could copy a lock another thread holds).
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("fork")) as pool:
        return list(pool.map(_solve, CORPUS))


def _gold(kind: str, answer: str) -> str:
    return format_answer(kind, answer)


def test_the_corpus_is_large_and_has_its_own_ids():
    assert len(CORPUS) >= 60
    assert len({c[0] for c in CORPUS}) == len(CORPUS)


def test_no_certified_answer_is_wrong_and_required_abstentions_happen(results):
    certified_wrong, answered_wrong, correct, abstained = [], [], [], []
    for (ident, kind, _statement, answer), ans in results:
        if not ans.answered:
            abstained.append(ident)
            continue
        if answer is ABSTAIN or not is_correct(kind, ans.formatted, _gold(kind, answer)):
            (certified_wrong if ans.certified else answered_wrong).append((ident, ans.formatted, answer))
        else:
            correct.append(ident)
    print(f"\ncorpus: {len(results)} statements, {len(correct)} correct, {len(answered_wrong)} wrong (uncertified), "
          f"{len(certified_wrong)} certified wrong, {len(abstained)} abstained", file=sys.stderr)
    assert certified_wrong == []
    must_abstain = [ident for (ident, _k, _s, answer), ans in results if answer is ABSTAIN and ans.answered]
    assert must_abstain == []


def test_every_certified_answer_names_its_confirmed_recheck(results):
    for (ident, *_), ans in results:
        if ans.certified:
            checks = ans.evidence.get("recheck")
            assert checks, ident
            assert all(c["check"].startswith("independent re-check") and c["verdict"] == "confirmed" for c in checks), ident
            assert "re-check confirmed" in ans.evidence["certified_because"], ident


def test_unread_domain_words_abstain_with_the_word_named(results):
    reasons = {item[0]: ans.reason for item, ans in results}
    assert "condition not understood: 'rational'" in reasons["rational"]
    assert "condition not understood: 'not all'" in reasons["not-all-equal"]
    assert "condition not understood: 'isosceles'" in reasons["isosceles-unsaid"]
    assert "condition not understood" in reasons["increasing"]
    assert "names both the constant asked for and an angle" in reasons["clash-inside-function"]
