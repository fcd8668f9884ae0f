"""One test per row of the decision table (verifiers.latex.ambiguity): the reading each front-end takes."""

from __future__ import annotations

import pytest
import sympy as sp
from qed.verifiers.formalize.evaluate import Context, evaluate
from qed.verifiers.latex import (
    ANSWER,
    DECISIONS,
    FORMULA,
    STATEMENT,
    LatexError,
    read_formula,
    read_statement,
)
from qed.verifiers.latex import symbol as s

a, b, c, x, y, e = (s(n) for n in "abcxye")


def formula(src: str, readings=FORMULA) -> sp.Expr:
    return read_formula(src, readings).expr


def flags(src: str, readings=FORMULA) -> list[str]:
    return [amb.kind for amb in read_formula(src, readings).ambiguities]


def statement(src: str, *names: str, **functions: sp.Lambda) -> sp.Expr:
    ctx = Context(names={n: s(n) for n in names}, cyclic_groups=[[s(n) for n in names]])
    ctx.functions.update(functions)
    return evaluate(read_statement(src), ctx)


def other(src: str) -> sp.Expr:
    f = read_formula(src)
    (alt,) = f.alternatives()
    return read_formula(src, alt).expr


def test_every_decision_gives_a_reading_and_a_reason() -> None:
    assert len(DECISIONS) >= 20
    for d in DECISIONS:
        assert d.notation and d.reading and d.front_ends and d.reason
        if d.choice is not None:
            assert hasattr(FORMULA, d.choice)


def test_slash_before_a_product_takes_the_product_everywhere_and_is_flagged() -> None:
    assert formula("1/2x") == 1 / (2 * x) and formula("a/bc") == a / (b * c)
    assert statement("1/2x", "x") == 1 / (2 * x) and statement("a/bc", "a", "b", "c") == a / (b * c)
    assert formula(r"a \div bc") == a / (b * c)
    assert flags("1/2x") == ["slash"] and other("1/2x") == x / 2
    assert flags("1/2 + x") == [] and flags(r"a / b \cdot c") == []


def test_a_script_without_braces_takes_one_digit_and_a_split_is_flagged() -> None:
    assert formula("x^23") == 3 * x**2 and statement("x^23", "x") == 3 * x**2
    assert formula("x_12") == 2 * s("x_1")
    assert flags("x^23") == ["script_digits"] and other("x^23") == x**23
    assert flags("x^2 3") == [] and flags("x^{23}") == []


def test_an_unbraced_argument_is_one_digit() -> None:
    assert formula(r"\frac123") == sp.Rational(3, 2) and formula(r"\sqrt23") == 3 * sp.sqrt(2)
    assert formula(r"\frac12") == sp.Rational(1, 2) and statement(r"\tfrac32", "x") == sp.Rational(3, 2)


@pytest.mark.parametrize("src", ["x^2.5", "x^-1", "x^.5"])
def test_unbraced_decimal_or_signed_exponents_are_refused(src: str) -> None:
    with pytest.raises(LatexError):
        read_formula(src)
    with pytest.raises(LatexError):
        read_statement(src)


def test_a_double_superscript_is_refused() -> None:
    for read in (read_formula, read_statement):
        with pytest.raises(LatexError, match="double superscript"):
            read("a^b^c")


def test_a_bare_function_argument_is_a_run_of_letters_and_numbers() -> None:
    assert formula(r"\sin 2x \sqrt{3}") == sp.sin(2 * x) * sp.sqrt(3)
    assert statement(r"\sin 2x \sqrt{3}", "x") == sp.sin(2 * x) * sp.sqrt(3)
    assert formula(r"\sin x (1 + y)") == sp.sin(x) * (1 + y)
    assert formula(r"\sin \frac{x}{2} \cos y") == sp.sin(x / 2) * sp.cos(y)
    assert flags(r"\sin x (1 + y)") == ["function_argument"] and other(r"\sin x (1 + y)") == sp.sin(x * (1 + y))
    assert flags(r"\sin x \cos y") == [] and flags(r"\cos 3\theta") == []


def test_a_power_after_a_function_is_the_power_of_its_value() -> None:
    assert formula(r"\sin^2 x") == sp.sin(x) ** 2 and formula(r"\log^2 x") == sp.log(x) ** 2
    assert formula(r"\ln(1+x)^2") == sp.log(1 + x) ** 2 == statement(r"\ln(1+x)^2", "x")


def test_an_inverse_or_reciprocal_power_is_refused() -> None:
    with pytest.raises(LatexError, match="ambiguous"):
        read_formula(r"\sin^{-1} x")
    with pytest.raises(LatexError, match="ambiguous"):
        statement(r"\tan^{-1} x", "x")


def test_log_is_natural_and_lg_is_decimal() -> None:
    assert formula(r"\log x + \lg y + \log_3 c") == sp.log(x) + sp.log(y, 10) + sp.log(c, 3)
    assert statement(r"\log x", "x") == sp.log(x)


def test_e_is_a_variable_in_a_proof_and_eulers_number_in_an_answer_or_an_undeclared_statement() -> None:
    assert formula("e^x") == e**x and flags("e^x") == ["e"] and other("e^x") == sp.exp(x)
    assert formula("e^2", ANSWER) == sp.exp(2)
    assert statement("e + x", "x") == sp.E + x
    assert statement("e + x", "x", "e") == e + x
    assert formula(r"\mathrm{e}^x") == sp.exp(x) and flags(r"\mathrm{e}^x") == []


def test_i_is_a_variable() -> None:
    assert formula("i^2 + 1") == s("i") ** 2 + 1
    assert statement("i + 1", "i") == s("i") + 1


def test_an_odd_root_is_the_real_root() -> None:
    assert formula(r"\sqrt[3]{-8}") == -2 == statement(r"\sqrt[3]{-8}", "x")
    assert formula(r"\sqrt[3]{x}").subs(x, -8) == -2  # real for a symbolic radicand too
    assert statement(r"\sqrt[3]{x}", "x") == x ** sp.Rational(1, 3)  # STATEMENT keeps the power


def test_a_bar_after_an_operand_closes_the_open_absolute_value() -> None:
    assert formula("|a|b|c|") == sp.Abs(a) * b * sp.Abs(c)
    assert formula("|a-b||c-b|") == sp.Abs(a - b) * sp.Abs(c - b)
    assert statement("2|a||b|", "a", "b") == 2 * sp.Abs(a) * sp.Abs(b)


def test_digits_apart_only_by_spacing_are_one_number() -> None:
    assert formula("2 3") == 23 == statement("2 3", "x")
    assert formula(r"1\,000 + x") == 1000 + x


def test_a_letter_before_a_bracket_is_a_product_unless_the_statement_defines_it() -> None:
    assert formula("a(b+c)") == a * (b + c)
    with pytest.raises(LatexError, match="function application"):
        read_formula("f(x)")
    assert statement("a(b+c)", "a", "b", "c") == a * (b + c)
    t = sp.Dummy("t")
    assert statement("f(x) + 1", "x", f=sp.Lambda(t, t**2)) == x**2 + 1
    assert statement(r"\varphi(x)", "x", varphi=sp.Lambda(t, 2 * t)) == 2 * x


def test_sums_and_ellipses_are_expanded_in_a_statement_and_refused_in_a_formula() -> None:
    assert sp.expand(statement(r"\sum_{cyc} a^2", "a", "b", "c") - (a**2 + b**2 + c**2)) == 0
    for src in (r"\sum_{cyc} a^2", r"a_1 + \cdots + a_n", r"\prod_{i=1}^{3} a_i"):
        with pytest.raises(LatexError):
            read_formula(src)


def test_infinity_is_read_in_a_statement_only() -> None:
    assert statement(r"x + \infty", "x") == sp.oo
    with pytest.raises(LatexError, match="infty"):
        read_formula(r"x + \infty")


def test_upright_words_are_prose_not_products() -> None:
    assert formula(r"\mathrm{d} x") == s("d") * x
    with pytest.raises(LatexError):
        read_formula(r"\mathrm{lcm} + 1")
    with pytest.raises(LatexError, match="text 'cyc'"):
        statement(r"\text{cyc}", "x")
    assert statement(r"\sum_{\mathrm{cyc}} a", "a", "b", "c") == a + b + c


def test_style_commands_are_read_through() -> None:
    assert formula(r"\boxed{\frac{3}{2}}") == sp.Rational(3, 2)
    assert formula(r"\color{red}{x} + \mathbf{y}") == x + y
    assert statement(r"\boxed{x + 1}", "x") == x + 1


@pytest.mark.parametrize("src", [r"\langle a \rangle", r"\lfloor a \rfloor", r"\|a\|", r"a \mid b"])
def test_brackets_that_are_not_brackets_are_refused(src: str) -> None:
    with pytest.raises(LatexError):
        read_formula(src)
    with pytest.raises(LatexError):
        read_statement(src)


def test_a_half_open_interval_only_after_in() -> None:
    tree = read_statement(r"x \in (0, 1]")
    assert tree.set.left_open and not tree.set.right_open
    for read in (read_formula, read_statement):
        with pytest.raises(LatexError, match="closed by"):
            read("(a + b]")


def test_the_presets_are_the_table_choices() -> None:
    assert (STATEMENT.e, FORMULA.e, ANSWER.e) == ("declared", "variable", "euler")
    assert STATEMENT.slash == FORMULA.slash == ANSWER.slash == "product"
    assert (STATEMENT.odd_root, FORMULA.odd_root) == ("real_numbers", "real")


def test_a_judge_calls_an_ambiguous_relation_false_only_if_every_reading_is_false() -> None:
    from qed.verifiers.judges import numeric_computation

    statement = "Let $x$ be a positive real number. Prove that $x + 1 > x$."
    # 1/2x is x/2 to some writers: the claim holds under that reading, so it is not a wrong computation
    assert numeric_computation.check_in_process(r"Clearly $\frac{x}{2} = 1/2x$.", statement).verdict != "fail"
    # false however 1/2x is read
    assert numeric_computation.check_in_process(r"Clearly $\frac{x}{3} = 1/2x$.", statement).verdict == "fail"
