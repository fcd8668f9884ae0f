"""A true identity is not refuted by float rounding, and a false one still is, at the same points."""

from __future__ import annotations

import sympy as sp
from qed.verifiers.judges.relcheck import _compile, _evaluate, parse_relation

# Both sides are about 3.8e24 at the point below, where float64 loses their difference.
LHS = (r"\left(1 - \left(\frac{a}{a + b^{4} + c^{4}} + \frac{b}{a^{4} + b + c^{4}} + \frac{c}{a^{4} + b^{4} + c}\right)\right)"
       r" \left(a + b^{4} + c^{4}\right) \left(a^{4} + b + c^{4}\right) \left(a^{4} + b^{4} + c\right)")
RHS = (r"a^{8} b^{4} + a^{8} c^{4} + a^{4} b^{8} + 2 a^{4} b^{4} c^{4} + a^{4} c^{8} + b^{8} c^{4} + b^{4} c^{8}"
       r" - a^{5} b - a^{5} c - a b^{5} - 2 a b c - a c^{5} - b^{5} c - b c^{5}")
POINT = {"a": 0.006831, "b": 9422.253067, "c": 0.015538}


def _at_point(lhs: str, rhs: str) -> tuple[int, int]:
    rel = parse_relation(lhs, "=", rhs)
    pt = {s: POINT[s.name] for s in rel.free}
    valid, failed, _example, _ties = _evaluate(rel, _compile(rel), [pt, {s: 1.5 for s in rel.free}])
    return valid, failed


def test_float_rounding_alone_does_not_refute_an_identity() -> None:
    a, b, c = sp.symbols("a b c")
    lhs = (1 - (a / (a + b**4 + c**4) + b / (a**4 + b + c**4) + c / (a**4 + b**4 + c))) \
        * (a + b**4 + c**4) * (a**4 + b + c**4) * (a**4 + b**4 + c)
    rhs = (a**8 * b**4 + a**8 * c**4 + a**4 * b**8 + 2 * a**4 * b**4 * c**4 + a**4 * c**8 + b**8 * c**4 + b**4 * c**8
           - a**5 * b - a**5 * c - a * b**5 - 2 * a * b * c - a * c**5 - b**5 * c - b * c**5)
    assert sp.simplify(lhs - rhs) == 0  # the identity is true
    assert _at_point(LHS, RHS) == (2, 0)


def test_a_wrong_coefficient_is_still_refuted_there() -> None:
    assert _at_point(LHS, RHS.replace("- 2 a b c", "- 3 a b c"))[1] >= 1
    assert _at_point(LHS, RHS + " + 1")[1] >= 1
