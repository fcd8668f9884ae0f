"""A power of a bracket holding a letter-times-bracket product squares the whole product."""

from __future__ import annotations

import pytest
import sympy as sp
from qed.verifiers.latex import read_formula

a, b, c, x, C = sp.symbols("a b c x C", real=True)


@pytest.mark.parametrize(("text", "value"), [
    (r"(a(b+c))^{2}", a**2 * (b + c) ** 2),
    (r"\left(C(a+b+c)\right)^{a+b+c}", (C * (a + b + c)) ** (a + b + c)),
    (r"\left[a(b+c)\right]^{3} + 1", a**3 * (b + c) ** 3 + 1),
    (r"(2(a+b))^{2}", 4 * (a + b) ** 2),
])
def test_the_exponent_applies_to_the_whole_bracket(text, value):
    assert sp.simplify(read_formula(text).expr - value) == 0


def test_a_bare_letter_before_a_powered_bracket_is_still_a_coefficient():
    assert sp.simplify(read_formula(r"C(a+b)^{2}").expr - C * (a + b) ** 2) == 0
    assert sp.simplify(read_formula(r"a(b+c)^{3} + x").expr - (a * (b + c) ** 3 + x)) == 0
