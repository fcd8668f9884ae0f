"""The one reader of text expressions: only arithmetic over declared names, and bounded work."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp
from qed.verifiers.formal import FormalProblem
from qed.verifiers.judges.calibration.errata import Claim, claim_problem
from qed.verifiers.lean import LeanRenderError, render_lean_theorem
from qed.verifiers.safe_expr import (
    ExpressionError,
    parse_expression,
    parse_number,
    parse_relation,
    parse_set,
)

a, b, c, x = sp.symbols("a b c x", real=True)
NAMES = {"a": a, "b": b, "c": c, "x": x}


def read(text, names=NAMES, **kw):
    return parse_expression(text, names, "lhs", **kw)


def test_arithmetic_over_declared_names_reads_as_sympy():
    assert read("a/(b+c) + b/(c+a) + c/(a+b)") == a / (b + c) + b / (c + a) + c / (a + b)
    assert read("x^2 - 2*x + 1") == x**2 - 2 * x + 1
    assert read("sqrt(a*b)") == sp.sqrt(a * b)
    assert read("abc + 2(a+b)(a-b)") == a * b * c + 2 * (a + b) * (a - b)
    assert read("Abs(x) + Max(a, b) + log(x, 2) + exp(-x^2/2) + root(x, 3)") == (
        sp.Abs(x) + sp.Max(a, b) + sp.log(x, 2) + sp.exp(-(x**2) / 2) + sp.root(x, 3))
    assert read("cot(x) + asin(a) + tanh(b)") == sp.cot(x) + sp.asin(a) + sp.tanh(b)
    assert read("0.5*x") == x / 2 and read("0.5*x", exact=False) == sp.Float("0.5") * x
    assert read("1.00000000000000e-10", exact=False) == sp.Float("1e-10")
    assert parse_number("pi/4 + E - oo", "value") == sp.pi / 4 + sp.E - sp.oo
    assert parse_number(3, "value") == 3 and parse_number(0.25, "value") == sp.Rational(1, 4)


def test_relations_and_sets_read_what_sympy_prints():
    for rel in (sp.Eq(a + b, 2), a + b >= 2, sp.Lt(a, b), sp.Ne(a, 1)):
        assert parse_relation(str(rel), NAMES, "constraint") == rel
    for s in (sp.Interval.open(0, sp.oo), sp.Interval(0, 1), sp.Interval.Lopen(-1, 1), sp.S.Reals,
              sp.Union(sp.Interval(0, 1), sp.Interval(2, 3)), sp.FiniteSet(1, 2), sp.Interval.open(0, sp.pi)):
        assert parse_set(str(s), {}, "domain") == s
    with pytest.raises(ExpressionError, match="chains comparisons"):
        parse_relation("0 < a < 1", NAMES, "constraint")
    with pytest.raises(ExpressionError, match="is a relation"):
        read("Eq(a, b)")


@pytest.mark.parametrize("text", [
    "__import__('os').system('touch /tmp/x')+a/b",
    "a.__class__", "a.func", "a.subs(a, 2)", "(a).evalf()", "lambda: 1", "[a]", "a[0]", "'text'", "{a: 1}",
    "a if b else c", "a and b", "not a", "a // b", "a % b", "a @ b", "a << 2", "0x1F", "1_000", "2j", "True",
    "eval", "exec(a)", "getattr(a, b)", "Symbol(a)", "Integer(2)", "Function(a)(b)", "a(b, c)", "sqrt",
    "f(*a)", "sqrt(x=2)", "x;a", "a\\b",
])
def test_anything_but_arithmetic_is_refused(text):
    with pytest.raises(ExpressionError):
        read(text)


def test_only_declared_names_are_accepted():
    with pytest.raises(ExpressionError, match="undeclared 'y'"):
        read("x + y")
    with pytest.raises(ExpressionError, match="undeclared 'ab'"):
        read("ab", {"a": a})
    assert read("E", {"E": x}) == x  # a declared name wins over the constant


@pytest.mark.parametrize("text, reason", [
    ("9^9^9", r"exponent '387420489'"),
    ("10**10**10", r"exponent '10000000000'"),
    ("x" * 5_000_000, r"5,000,000 characters long"),
    ("(" * 500 + "x" + ")" * 500, r"nests parentheses 500 deep"),
    ("-" * 4_000 + "x", r"nests too deeply|more than 40 levels"),
    ("+".join(["x"] * 2_000), r"parts; the reader takes at most"),
    ("7^10000", r"numbers of about 8,451 digits"),
    ("(2^x)^(10000/x)", r"numbers of about 3,010 digits"),  # sympy would collapse it to 2^10000
    ("exp(10000*log(10))", r"exponent that may reach"),  # sympy would make it 10^10000
    ("E^E^E^E^E", r"exponent that may reach"),
    ("(x^100)^1000", r"power that may reach 100,000"),
    ("1" * 1_200, r"digits; at most 1,000"),
    ("1e100000", r"digits; at most 1,000"),
    ("sqrt(7^1000+1)+sqrt(7^1000+3)+sqrt(7^1000+5)", r"powers and roots of about"),
])
def test_unbounded_work_is_refused_with_a_reason(text, reason):
    with pytest.raises(ExpressionError, match=reason):
        read(text)


def test_large_but_bounded_values_are_still_read():
    assert read("2^3000") == sp.Integer(2) ** 3000
    assert read("(2^x)^(1000/x)") == sp.Integer(2) ** 1000
    assert read("x^10000") == x**10000
    assert read("sqrt(" * 30 + "2" + ")" * 30) == sp.Integer(2) ** sp.Rational(1, 2**30)


def test_lean_render_reads_a_string_value_without_running_it(tmp_path: Path):
    marker = tmp_path / "pwned-lean"
    problem = FormalProblem(kind="bound", variables=[x], domains={x: sp.S.Reals}, target=x**2 - 2 * x, sense="min")
    with pytest.raises(LeanRenderError, match="characters outside arithmetic"):
        render_lean_theorem(problem, value=f"__import__('os').system('touch {marker}')")
    assert not marker.exists()
    assert render_lean_theorem(problem, value="-1").goal == "x^2 - 2*x ≥ -1"
    with pytest.raises(LeanRenderError, match="exponent"):
        render_lean_theorem(problem, value="9^9^9")


def test_an_erratum_point_is_read_without_running_it(tmp_path: Path):
    marker = tmp_path / "pwned-errata"
    claim = Claim("a + b \\geq 3", {"a": f"__import__('os').system('touch {marker}')", "b": "1"})
    assert "not read" in (claim_problem(claim, None) or "")
    assert not marker.exists()
    assert claim_problem(Claim("a + b \\geq 3", {"a": "1/2", "b": "sqrt(2)"}), None) is None
