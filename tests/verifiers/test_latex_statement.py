"""read_statement and the formalizer's evaluation in context: each construct inequality statements use,
on formulas written for these tests."""

from __future__ import annotations

import pytest
import sympy as sp
from qed.verifiers.formalize.errors import FormalizeError
from qed.verifiers.formalize.evaluate import Context, evaluate, relations
from qed.verifiers.latex import LatexError, read_statement

p, q, r, s, t = sp.symbols("p q r s t", positive=True)
u, v, w = sp.symbols("u v w", real=True)


def ctx(*symbols: sp.Symbol, groups: list[list[sp.Symbol]] | None = None, **indices: int):
    names = {sym.name: sym for sym in symbols}
    return Context(names=names, indices=dict(indices), cyclic_groups=groups or [list(symbols)])


def family(base: str, size: int) -> list[sp.Symbol]:
    return [sp.Symbol(f"{base}_{k}", positive=True) for k in range(1, size + 1)]


def value(src: str, context: Context) -> sp.Expr:
    return evaluate(read_statement(src), context)


def same(a: sp.Expr, b: sp.Expr) -> bool:
    return sp.simplify(a - b) == 0


def test_fractions_in_every_spelling():
    c = ctx(p, q)
    assert same(
        value(r"\frac{p}{q} + \dfrac{1}{2} + \tfrac{q}{3}", c), p / q + sp.Rational(1, 2) + q / 3
    )
    assert value(r"\frac12", c) == sp.Rational(1, 2)
    assert same(value(r"\frac p q", c), p / q)


def test_roots_with_and_without_index():
    c = ctx(p, q)
    assert value(r"\sqrt{p q}", c) == sp.sqrt(p * q)
    assert same(value(r"\sqrt[3]{p + q}", c), (p + q) ** sp.Rational(1, 3))
    assert value(r"\sqrt p", c) == sp.sqrt(p)


def test_juxtaposition_multiplies_letters_numbers_and_groups():
    c = ctx(p, q, r)
    assert value("2pqr", c) == 2 * p * q * r
    assert same(value(r"p(q + r)\left(p - q\right)", c), p * (q + r) * (p - q))
    assert same(value(r"pq \frac{p + r}{q + r}", c), p * q * (p + r) / (q + r))
    assert same(value(r"3 \cdot p \times q", c), 3 * p * q)


def test_explicit_division_takes_the_whole_juxtaposed_product():
    assert same(value("p/qr", ctx(p, q, r)), p / (q * r))
    assert same(value("(2p + 1/2)", ctx(p)), 2 * p + sp.Rational(1, 2))


def test_powers_braced_single_character_and_negative():
    c = ctx(p, q)
    assert value("p^{q+1}", c) == p ** (q + 1)
    assert value("p^23", c) == 3 * p**2  # LaTeX reads ^23 as ^2 followed by 3
    assert value("p^{-2}", c) == p**-2
    assert value(r"\left(\frac{p}{q}\right)^{2}", c) == (p / q) ** 2


def test_unary_minus_binds_looser_than_power():
    assert value("-p^2", ctx(p)) == -(p**2)


def test_greek_letters_and_subscripts_are_names():
    alpha, x1, l_beta = sp.symbols("alpha x_1 l_beta", positive=True)
    c = ctx(alpha, x1, l_beta)
    assert value(r"\alpha + x_{1} + l_{\beta}", c) == alpha + x1 + l_beta
    assert value(r"x_1^2 \alpha^{x_1}", c) == x1**2 * alpha**x1


def test_pi_infinity_and_euler_e_when_e_is_not_a_variable():
    assert value(r"\pi + e", ctx(p)) == sp.pi + sp.E
    e = sp.Symbol("e", positive=True)
    assert value("e + 1", ctx(e)) == e + 1


def test_absolute_values_max_min_and_functions():
    c = ctx(u, v)
    assert value(r"|u - v| + \left| u \right|", c) == sp.Abs(u - v) + sp.Abs(u)
    assert value(r"\max\{u, v, 1\}", c) == sp.Max(u, v, 1)
    assert value(r"\min \left\{ u, v \right\}", c) == sp.Min(u, v)
    assert value(r"\sin^2 u + \cos u \ln v", c) == sp.sin(u) ** 2 + sp.cos(u) * sp.log(v)
    assert value(r"\log_{2} v", c) == sp.log(v, 2)


def test_cyclic_sum_rotates_the_declared_variables():
    c = ctx(p, q, r)
    assert same(value(r"\sum_{cyc} \frac{p}{q + r}", c), p / (q + r) + q / (r + p) + r / (p + q))
    assert same(value(r"\sum_{\text{cyc}} p^2 q", c), p**2 * q + q**2 * r + r**2 * p)
    assert same(value(r"\prod_{cyc} (p + q)", c), (p + q) * (q + r) * (r + p))


def test_cyclic_sum_over_two_groups_rotates_both():
    c = ctx(p, q, r, u, v, w, groups=[[p, q, r], [u, v, w]])
    assert same(value(r"\sum_{cyc} p u", c), p * u + q * v + r * w)


def test_symmetric_sum_takes_every_permutation():
    c = ctx(p, q, r)
    assert same(
        value(r"\sum_{sym} p^2 q", c), sum(a**2 * b for a in (p, q, r) for b in (p, q, r) if a != b)
    )


def test_indexed_sum_and_product_with_parameter_limit():
    xs = family("x", 4)
    c = ctx(*xs, n=4)
    assert same(value(r"\sum_{i=1}^{n} x_i^2", c), sum(x**2 for x in xs))
    assert same(value(r"\prod_{k=1}^{n} (1 + x_{k})", c), sp.prod([1 + x for x in xs]))
    assert same(value(r"\sum_{i=1}^{n-1} x_i x_{i+1}", c), sum(xs[i] * xs[i + 1] for i in range(3)))


def test_double_sum_and_sum_over_pairs():
    xs = family("x", 3)
    c = ctx(*xs, n=3)
    assert same(value(r"\sum_{i,j=1}^{n} x_i x_j", c), sum(xs) ** 2)
    assert same(
        value(r"\sum_{1 \le i < j \le n} x_i x_j", c), xs[0] * xs[1] + xs[0] * xs[2] + xs[1] * xs[2]
    )


def test_elided_sum_and_product_follow_the_index():
    xs = family("y", 5)
    c = ctx(*xs, m=5)
    assert value(r"y_1 + y_2 + \cdots + y_m", c) == sum(xs)
    assert value(r"y_{1} y_{2} \cdots y_{m}", c) == sp.prod(xs)
    assert same(value(r"(1 + y_1)(1 + y_2) \cdots (1 + y_m)", c), sp.prod([1 + x for x in xs]))
    assert same(
        value(r"\frac{1}{y_1} + \frac{1}{y_2} + \ldots + \frac{1}{y_m}", c), sum(1 / x for x in xs)
    )


def test_elided_sum_with_a_gap_and_with_a_rotation():
    xs = family("y", 4)
    c = ctx(*xs, m=4)
    assert value(r"y_1 + y_3 + \cdots + y_m", c) == xs[0] + xs[2] + xs[3]
    rotated = value(
        r"\frac{y_1}{y_2 + y_3 + \cdots + y_m} + \frac{y_2}{y_3 + \cdots + y_m + y_1} + \cdots"
        r" + \frac{y_m}{y_1 + y_2 + \cdots + y_{m-1}}",
        c,
    )
    expected = sum(xs[i] / (sum(xs) - xs[i]) for i in range(4))
    assert same(rotated, expected)


def test_elided_family_of_length_two_does_not_repeat_the_last_term():
    xs = family("y", 2)
    assert value(r"y_1 + y_2 + \cdots + y_m", ctx(*xs, m=2)) == xs[0] + xs[1]


def test_ellipsis_without_an_index_pattern_is_refused():
    with pytest.raises(FormalizeError, match="ellipsis"):
        value(r"p + q + \cdots + r", ctx(p, q, r))


def test_aligned_display_is_one_formula():
    src = r"\begin{aligned} & p + q \\ & \quad + r \end{aligned}"
    assert value(src, ctx(p, q, r)) == p + q + r


def test_relation_chain_gives_each_link():
    links = relations(read_statement(r"0 < p \leq q < 1"), ctx(p, q))
    assert [type(x) for x in links] == [sp.StrictLessThan, sp.LessThan, sp.StrictLessThan]


def test_unknown_name_is_reported_by_name():
    with pytest.raises(FormalizeError, match="'z' is used but never introduced"):
        value("p + z", ctx(p))


def test_unsupported_command_and_unbalanced_group_are_errors():
    with pytest.raises(LatexError, match=r"\\oint is not read"):
        read_statement(r"\oint p")
    with pytest.raises(LatexError):
        read_statement(r"\frac{p}{q")
    with pytest.raises(LatexError, match="environment"):
        read_statement(r"\begin{tikzpicture} p \end{tikzpicture}")


def test_a_formalize_error_is_a_latex_error():
    # the formalizer's callers catch one type for "this statement is not read"
    assert issubclass(FormalizeError, LatexError)


def test_prose_inside_a_formula_is_not_a_number():
    with pytest.raises(FormalizeError, match="text 'least value'"):
        value(r"\text{least value}", ctx(p))


def test_letter_before_a_bracket_multiplies_unless_it_is_a_defined_function():
    c = ctx(p, q)
    assert same(value("p(q + 1)^2", c), p * (q + 1) ** 2)
    c.functions["f"] = sp.Lambda(u, u**2 + 1)
    assert same(value("f(p) + f(q + 1)^2", c), p**2 + 1 + ((q + 1) ** 2 + 1) ** 2)


def test_chain_of_relations_over_an_elided_family():
    xs = family("y", 4)
    links = relations(read_statement(r"y_1 \leq y_2 \leq \cdots \leq y_m"), ctx(*xs, m=4))
    assert links == [sp.Le(xs[i], xs[i + 1]) for i in range(3)]
