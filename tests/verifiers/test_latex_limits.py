"""The reader's input limits (verifiers.input_limits), enforced in one place for both front-ends."""

from __future__ import annotations

import pytest
from qed.verifiers.formalize.evaluate import Context, evaluate
from qed.verifiers.latex import LatexError, read_formula, read_statement, symbol, tokenize

LONG_FORMULA = "+".join(["a"] * 24000)


@pytest.mark.parametrize(
    ("formula", "refusal"),
    [
        ("9^{9^{9}}", "the exponent 387,420,489 is beyond the limit of 10,000"),
        ("x^{10^{10}}", "the exponent 10,000,000,000 is beyond the limit of 10,000"),
        ("(7^{3000})^{5}", "a power with about 12,677 digits is beyond the limit of 10,000 digits"),
        ("1" * 101, "a number with 101 digits, more than the 100 QED reads"),
        ("1001!", "the factorial of a number above 1,000 is beyond what QED computes"),
        (r"\binom{10^{50}}{10^{4}}", "a power with about 502,720 digits is beyond the limit of 10,000 digits"),
        (LONG_FORMULA, "a formula has 47,999 characters, more than the 40,000 QED reads"),
        ("(" * 70 + "1" + ")" * 70, "a formula nests brackets 70 deep, more than the 60 QED reads"),
    ],
)
def test_both_front_ends_refuse_what_they_cannot_compute_safely(formula: str, refusal: str) -> None:
    with pytest.raises(LatexError) as err:
        read_formula(formula)
    assert str(err.value) == refusal
    with pytest.raises(LatexError) as err:
        evaluate(read_statement(formula), Context(names={"x": symbol("x"), "a": symbol("a")}))
    assert str(err.value) == refusal


def test_large_values_within_the_limits_are_still_computed() -> None:
    assert read_formula("(7^{3000})^{3}").expr == (7**3000) ** 3
    assert read_formula("x^{2025}").expr == symbol("x") ** 2025
    assert read_formula("2^{5000}").expr == 2**5000


def test_the_lexer_refuses_before_reading_a_character_too_many() -> None:
    with pytest.raises(LatexError, match="47,999 characters"):
        tokenize(LONG_FORMULA)


def test_a_long_list_of_tokens_is_refused() -> None:
    tokens = tokenize("+".join(["a"] * 2000)) * 12
    with pytest.raises(LatexError, match="tokens, more than the 40,000"):
        read_formula(tokens)
