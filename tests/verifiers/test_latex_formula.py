"""read_formula and the lexer: olympiad notation read exactly, tokens that keep their place, refusals."""

from __future__ import annotations

import pytest
import sympy as sp
from qed.verifiers.latex import ANSWER, FORMULA, LatexError, read_formula, symbol, tokenize
from qed.verifiers.latex.vocabulary import COMMANDS

a, b, c, x, y, z = (symbol(n) for n in "abcxyz")


def value(src: str, readings=FORMULA) -> sp.Expr:
    return read_formula(src, readings).expr


def kinds(src: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokenize(src)]


def test_reader_handles_olympiad_notation() -> None:
    assert value(r"\dfrac12 + \frac{1}{3}") == value(r"\frac{5}{6}")
    assert value(r"\sqrt[3]{-8}") == -2
    assert str(value(r"\cos 3\theta")) == "cos(3*theta)"
    assert str(value("a b c(a+b+c)")) == "a*b*c*(a + b + c)"
    assert str(value(r"x_{1}+x_2")) == "x_1 + x_2"
    assert value(r"\left(\frac{a}{b}\right)^{2} \cdot 3") == 3 * (a / b) ** 2
    assert value(r"2^{10} - \binom{5}{2} + 3!") == 1024 - 10 + 6
    assert value(r"\max\{a, b\} + \min(1, 2)") == sp.Max(a, b) + 1
    assert value(r"\log_{2} 8 + \ln e", ANSWER) == 4
    assert value(r"\sin^2 x + \cos^2 x") == sp.sin(x) ** 2 + sp.cos(x) ** 2
    assert value(r"|a - b| + \lvert c \rvert") == sp.Abs(a - b) + sp.Abs(c)


@pytest.mark.parametrize("bad", [r"\frac{1}{", r"f(x)", r"\sum_{i} a_i", r"a + \cdots + b", r"f'(x)",
                                 r"\text{LHS}", r"\infty", r"\langle a, b \rangle", r"\lfloor x \rfloor",
                                 r"a \le b", r"(a, b)", r"x; y", r"\oint x", r"\mathrm{lcm}(a, b)"])
def test_what_cannot_be_read_faithfully_is_refused(bad: str) -> None:
    with pytest.raises(LatexError):
        read_formula(bad)


def test_tokens_keep_their_offsets_in_the_source() -> None:
    src = r"3 \cdot x_{1} \geq \frac{12}{5}"
    tokens = tokenize(src)
    assert all(src[t.start : t.end] for t in tokens)
    num = [t for t in tokens if t.kind == "num"]
    assert [src[t.start : t.end] for t in num] == ["3", "1", "12", "5"]
    rel = next(t for t in tokens if t.kind == "rel")
    assert (rel.text, src[rel.start : rel.end]) == (">=", r"\geq")


def test_a_formula_carries_its_numbers_and_decimals() -> None:
    f = read_formula(r"1.25 x + 0.5")
    assert [t.text for t in f.numbers] == ["1.25", "0.5"]
    assert f.has_decimal and f.decimal_places == 2
    assert not read_formula("2x + 1").has_decimal


def test_read_formula_accepts_the_tokens_a_judge_cut_out() -> None:
    tokens = tokenize(r"x^2 + 2 \geq 0")
    assert read_formula(tokens[:5]).expr == x**2 + 2
    assert read_formula(tokens[6:]).expr == 0


def test_the_lexer_gives_the_judges_their_separators() -> None:
    assert kinds(r"a = 1 \quad \text{and} \quad b = 2 \\ c") == [
        ("sym", "a"), ("rel", "="), ("num", "1"), ("sep", "quad"), ("text", "and"), ("sep", "quad"),
        ("sym", "b"), ("rel", "="), ("num", "2"), ("stop", "\\\\"), ("sym", "c")]
    assert kinds(r"x \in (0, 1) \Rightarrow y \notin S") == [
        ("sym", "x"), ("rel", "in"), ("open", "("), ("num", "0"), ("sep", ","), ("num", "1"),
        ("close", ")"), ("rel", "logic"), ("sym", "y"), ("rel", "notin"), ("sym", "S")]
    assert kinds(r"\begin{array}{cc} 1 \end{array}") == [("begin", "array"), ("num", "1"), ("end", "array")]


def test_the_lexer_drops_layout_and_keeps_annotated_relations() -> None:
    assert kinds(r"\left. x \right|_{0} \displaystyle\tag{1}\label{eq}") == [
        ("sym", "x"), ("bar", "|"), ("op", "_"), ("lbrace", "{"), ("num", "0"), ("rbrace", "}")]
    assert kinds(r"a \stackrel{\text{AM-GM}}{\geq} b") == [("sym", "a"), ("rel", ">="), ("sym", "b")]
    assert kinds(r"a \not= b") == [("sym", "a"), ("rel", "other"), ("sym", "b")]
    assert kinds("a % a comment\n+ b") == [("sym", "a"), ("op", "+"), ("sym", "b")]
    assert kinds(r"x ≤ 2π·α") == [("sym", "x"), ("rel", "<="), ("num", "2"), ("cmd", "pi"), ("op", "*"),
                                  ("cmd", "alpha")]


def test_numbers_split_only_by_thin_spaces_are_one_number() -> None:
    assert kinds(r"1\,000") == [("num", "1000")]
    assert kinds("x^2 3") == [("sym", "x"), ("op", "^"), ("num", "2"), ("num", "3")]
    assert value("x^2 3") == 3 * x**2


def test_every_command_of_the_vocabulary_is_lexed_by_its_category() -> None:
    dropped = {"layout", "style", "drop_argument"}
    for name, entry in COMMANDS.items():
        if entry.category in ("annotated", "negation", "environment", "text", "upright"):
            continue  # these take arguments; their tests are above
        got = tokenize(f"\\{name}")
        if entry.category in dropped:
            assert got == [], name
        else:
            assert len(got) == 1, name


def test_a_subscript_names_its_symbol_as_written() -> None:
    assert value(r"a_{n+1} - a_n") == symbol("a_n+1") - symbol("a_n")
    assert value(r"\alpha_1 + l_{\beta}") == symbol("alpha_1") + symbol("l_beta")
    assert value(r"x^2_1") == symbol("x_1") ** 2


def test_a_letter_before_a_bracket_multiplies_but_a_function_letter_is_refused() -> None:
    assert value("a(b + c)^2") == a * (b + c) ** 2
    for call in (r"f(x)", r"g_1(x)", r"\varphi(t)", r"P(x) + 1"):
        with pytest.raises(LatexError, match="function application"):
            read_formula(call)


def test_unary_signs_after_an_operator_are_read() -> None:
    assert value(r"a \cdot -b + -c") == -a * b - c
    assert value(r"\frac{a}{-2}") == -a / 2


def test_odd_roots_of_negatives_are_real_and_refusals_name_the_problem() -> None:
    assert value(r"\sqrt[3]{-27} + \sqrt[5]{-32}") == -5
    with pytest.raises(LatexError, match="division by zero"):
        read_formula(r"\frac{1}{0}")
    with pytest.raises(LatexError, match="factorial"):
        read_formula(r"(1.5)!")
