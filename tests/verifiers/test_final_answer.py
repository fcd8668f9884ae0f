"""The final-answer judge reads answers exactly: equivalent forms agree, approximations do not."""

from __future__ import annotations

import pytest
from qed.verifiers.final_answer import (
    bounds_equal,
    extract_bound,
    extract_relation,
    format_answer,
    gold_relation_letter,
    is_correct,
    is_decimal_approximation,
    latex_to_sympy,
    relation_choice,
)


@pytest.mark.parametrize(
    "predicted, gold",
    [
        (r"C = \frac{3}{2}", r"$$C = \frac{3}{2}$$"),
        ("C=1.5", r"$$C = \frac{3}{2}$$"),
        (r"\dfrac{3}{2}", r"C = \frac{3}{2}"),
        (r"\tfrac32", r"C = \frac{3}{2}"),
        (r"18\sqrt{3}", r"C = 18\sqrt{3}"),
        (r"18 \sqrt 3", r"C = 18\sqrt{3}"),
        (r"\sqrt{972}", r"C = 18\sqrt{3}"),
        (r"\frac{3}{\sqrt[3]{4}}", r"3/\sqrt[3]{4}"),
        (r"\frac{3\sqrt[3]{2}}{2}", r"3/\sqrt[3]{4}"),
        (r"1+\frac{3\sqrt{3}}{4}", r"C = 1 + \frac{3\sqrt{3}}{4}"),
        (r"\frac{4+3\sqrt3}{4}", r"C = 1 + \frac{3\sqrt{3}}{4}"),
        (r"n^{-2}", r"C = \frac{1}{n^2}"),
        (r"\frac{1}{n \cdot n}", r"C = \frac{1}{n^2}"),
        (r"nm - n - m + 1", r"C = (n-1)(m-1)"),
        (r"\sqrt{\frac{n}{n-1}}", r"C = \sqrt{\frac{n}{n-1}}"),
        (r"n^{k}\cdot n", r"C = n^{k+1}"),
        (r"\frac{i j}{i+j-1}", r"C = \frac{ij}{i+j-1}"),
        (r"\min\left\{\frac14, \frac{1}{9}+\frac{d}{27}\right\}",
         r"C = \min \left\{\frac{1}{4}, \frac{1}{9}+\frac{d}{27}\right\}"),
        (r"2^{n}", r"C = 2^n"),
        (r"  C =   \frac { 27 } { 4 } ", r"C = \frac{27}{4}"),
    ],
)
def test_equivalent_bound_forms_agree(predicted: str, gold: str) -> None:
    assert bounds_equal(predicted, gold)
    assert is_correct("bound", predicted, gold)


@pytest.mark.parametrize(
    "predicted, gold",
    [
        (r"C \approx 1.89", r"3/\sqrt[3]{4}"),
        ("1.89", r"3/\sqrt[3]{4}"),
        ("1.8899", r"\frac{3}{\sqrt[3]{4}}"),
        ("0.333", r"\frac{1}{3}"),
        ("1.732", r"\sqrt{3}"),
        (r"\approx 2", "2"),
        (r"\frac{3}{2}", r"\frac{2}{3}"),
        ("2^n", "n^2"),
        (r"\frac{1}{n}", r"\frac{1}{n^2}"),
        ("3", "n"),
    ],
)
def test_approximations_and_other_values_are_wrong(predicted: str, gold: str) -> None:
    assert not bounds_equal(predicted, gold)


def test_decimal_that_is_exactly_the_value_counts() -> None:
    assert bounds_equal("0.25", r"\frac{1}{4}")
    assert bounds_equal("C = 13.5", r"\frac{27}{2}")


def test_bound_read_from_text_keeps_approximation_marker() -> None:
    text = r"Numerically the minimum is about this, so $C \approx 1.89$."
    value = extract_bound(text)
    assert value is not None and is_decimal_approximation(value)
    assert not is_correct("bound", value, r"C = \frac{3}{\sqrt[3]{4}}")


@pytest.mark.parametrize(
    "text, value",
    [
        (r"Therefore, the answer is $C = \frac{1}{7}$.", r"\frac{1}{7}"),
        (r"so $C = \frac{27}{3} = 9$. Thus the answer is $C=9$.", "9"),
        (r"The final answer is $\boxed{\dfrac{9}{4}}$", r"\dfrac{9}{4}"),
        (r"We get \boxed{C = 18\sqrt{3}} in the end.", r"18\sqrt{3}"),
        (r"Hence $$C = \min\left\{\frac14, \frac19 + \frac{d}{27}\right\}$$", r"\min\left\{\frac14, \frac19 + \frac{d}{27}\right\}"),
        (r"the answer is $\frac{40}{3}$", r"\frac{40}{3}"),
    ],
)
def test_extract_bound_from_prose(text: str, value: str) -> None:
    got = extract_bound(text)
    assert got is not None
    assert bounds_equal(got, value)


def test_no_bound_when_none_is_stated() -> None:
    assert extract_bound("We could not finish the proof.") is None
    assert extract_bound("") is None


@pytest.mark.parametrize(
    "text, letter",
    [
        (r"Therefore, the answer is (B) $\geq$.", "B"),
        (r"The answer is \boxed{A}", "A"),
        (r"\boxed{(D)}", "D"),
        (r"So the relation is $\leq$, i.e. the answer is $\leq$.", "A"),
        (r"Final answer: \boxed{\geq}", "B"),
        ("The answer is E.", "E"),
        ("answer: option C", "C"),
        ("The left side is always strictly greater, so the answer is: strictly greater.", "E"),
        (r"Thus LHS $\ge$ RHS always. Answer: $\ge$", "B"),
        ("The answer is (F) None of the above", "F"),
        (r"$\left(\frac{a}{b}\right) \leq 1$, so the answer is $\leq$", "A"),
    ],
)
def test_relation_letter_however_phrased(text: str, letter: str) -> None:
    assert extract_relation(text) == letter
    assert is_correct("relation", f"({extract_relation(text)})", relation_choice(letter))


def test_relation_without_commitment_is_none() -> None:
    assert extract_relation("I am not sure which relation holds.") is None
    assert extract_relation("") is None


def test_gold_letters_and_formats() -> None:
    assert gold_relation_letter(r"(B) $\geq$") == "B"
    assert gold_relation_letter("C") == "C"
    assert format_answer("bound", r"\frac{3}{2}") == r"$$C = \frac{3}{2}$$"
    assert format_answer("relation", "D") == "(D) $<$"
    with pytest.raises(ValueError):
        relation_choice("Z")


def test_latex_to_sympy_reads_values_and_refuses_junk() -> None:
    assert latex_to_sympy(r"C = \dfrac{3}{2}") == latex_to_sympy("1.5")
    assert latex_to_sympy(r"\frac{3}{") is None
    assert latex_to_sympy(r"\approx 1.89") is None
    assert latex_to_sympy(r"\infty") is None
    assert latex_to_sympy("e").is_number  # Euler's number in an answer


def test_is_correct_without_gold_or_answer() -> None:
    assert is_correct("bound", "3", None) is None
    assert is_correct("bound", None, "3") is False
    assert is_correct("relation", None, "(A) $\\leq$") is False
