r"""A tree to sympy: the arithmetic every front-end shares, bounded by the input limits.

`Evaluator` computes numbers, sums, products, quotients, powers, roots, functions and factorials
the same way for everyone, and refuses what sympy would spend unbounded time or memory on
(`x^{10^{10}}`, `9^{9^{9}}`, `5000!`). What a name, a call `f(x)`, a `\sum` or an elided term
means is the front-end's: `FormulaEvaluator` reads the formula as it stands (names are real
symbols; sums and ellipses are refused), the formalizer's statement evaluator reads it in the
statement's context (verifiers.formalize.evaluate).
"""

from __future__ import annotations

import math

import sympy as sp
from qed.verifiers.input_limits import MAX_FACTORIAL, count, power_refusal
from qed.verifiers.latex.ambiguity import Ambiguity, Readings
from qed.verifiers.latex.errors import LatexError
from qed.verifiers.latex.tree import (
    Add,
    Apply,
    Big,
    Const,
    Div,
    EllipsisMark,
    Factorial,
    Func,
    IntervalNode,
    Member,
    Mul,
    Name,
    Neg,
    Node,
    Num,
    NumberSet,
    Pow,
    Rel,
    Root,
    Seq,
    Text,
)
from qed.verifiers.latex.vocabulary import FUNCTION_LETTERS

FUNCTIONS = {
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "cot": sp.cot, "sec": sp.sec, "csc": sp.csc,
    "arcsin": sp.asin, "arccos": sp.acos, "arctan": sp.atan, "sinh": sp.sinh, "cosh": sp.cosh,
    "tanh": sp.tanh, "ln": sp.log, "exp": sp.exp, "abs": sp.Abs,
}
_INVERSE_OR_RECIPROCAL = ("sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh")

_SYMBOLS: dict[str, sp.Symbol] = {}


def symbol(name: str) -> sp.Symbol:
    """The real symbol a formula's name stands for (one object per name)."""
    if name not in _SYMBOLS:
        _SYMBOLS[name] = sp.Symbol(name, real=True)
    return _SYMBOLS[name]


def describe(node: Node) -> str:
    if isinstance(node, Text):
        return f"text '{node.content}'"
    if isinstance(node, Rel):
        return "a relation"
    if isinstance(node, Seq):
        return "a list"
    if isinstance(node, Member):
        return "a set membership"
    if isinstance(node, (NumberSet, IntervalNode)):
        return "a set"
    return type(node).__name__


class Evaluator:
    """Tree -> sympy. Subclasses say what names, calls, sums and elided terms mean."""

    error = LatexError  # the exception a front-end's refusals are

    def __init__(self, readings: Readings):
        self.readings = readings
        self.ambiguities: list[Ambiguity] = []

    def value(self, node: Node) -> sp.Expr:
        method = getattr(self, _METHODS.get(type(node), ""), None)
        if method is None:
            raise self.error(f"{describe(node)} where a number was expected")
        return method(node)

    # -- what the front-ends decide ------------------------------------------------------------------
    def name(self, node: Name) -> sp.Expr:
        raise NotImplementedError

    def apply(self, node: Apply) -> sp.Expr:
        raise NotImplementedError

    def called_power(self, node: Apply, exp: sp.Expr) -> sp.Expr:
        """`C(a + b)^3`: the power of a call, or C times the power of the bracket."""
        raise NotImplementedError

    def big(self, node: Big) -> sp.Expr:
        raise self.error("a sum or product (\\sum, \\prod) is not read here")

    def items(self, items: list, value_of, what: str) -> list[sp.Expr]:
        """The values of a sum's terms (a product's factors, a list's items); ellipses refused."""
        if any(isinstance(x, EllipsisMark) for x in items):
            raise self.error(f"an ellipsis in a {what} is not read here")
        return [value_of(x) for x in items]

    def infinity(self) -> sp.Expr:
        return sp.oo

    # -- shared arithmetic ---------------------------------------------------------------------------
    def num(self, node: Num) -> sp.Expr:
        return sp.Rational(node.text)

    def const(self, node: Const) -> sp.Expr:
        if node.name == "oo":
            return self.infinity()
        return sp.pi if node.name == "pi" else sp.E

    def add(self, node: Add) -> sp.Expr:
        return sp.Add(*self.items(list(node.items), lambda item: item[0] * self.value(item[1]), "sum"))

    def mul(self, node: Mul) -> sp.Expr:
        return sp.Mul(*self.items(list(node.items), self.value, "product"))

    def div(self, node: Div) -> sp.Expr:
        den = self.value(node.den)
        if den == 0:
            raise self.error("division by zero")
        return self.value(node.num) / den

    def pow(self, node: Pow) -> sp.Expr:
        if isinstance(node.base, Apply) and len(node.base.args) == 1:
            return self.called_power(node.base, self.value(node.exp))
        return self.power(self.value(node.base), self.value(node.exp))

    def power(self, base: sp.Expr, exp: sp.Expr) -> sp.Expr:
        """base ** exp, refused when the exponent is a huge number or the exact value would be huge
        (`x^{10^{10}}`, `9^{9^{9}}`): sympy would try to expand or compute it."""
        if exp.is_number:
            refusal = power_refusal(digits_of(base) if base.is_number else None, magnitude(exp))
            if refusal:
                raise self.error(refusal)
        return base**exp

    def neg(self, node: Neg) -> sp.Expr:
        return -self.value(node.arg)

    def root(self, node: Root) -> sp.Expr:
        arg = self.value(node.arg)
        if node.index is None:
            return sp.sqrt(arg)
        index = self.value(node.index)
        odd = index.is_Integer and int(index) % 2 == 1
        if odd and arg.is_number and arg.is_negative:
            return -sp.Pow(-arg, sp.Rational(1, int(index)))  # the real root: ∛-8 = -2
        if odd and not arg.is_number and self.readings.odd_root == "real":
            return sp.real_root(arg, index)
        if index == 0:
            raise self.error("a root of index 0")
        return sp.Pow(arg, 1 / index)

    def func(self, node: Func) -> sp.Expr:
        if node.name in ("max", "min"):
            args = self.items(list(node.args), self.value, "list")
        else:
            args = [self.value(a) for a in node.args]
        if node.name == "max":
            value = sp.Max(*args)
        elif node.name == "min":
            value = sp.Min(*args)
        elif node.name == "binom":
            if len(args) == 2 and all(a.is_number for a in args):
                refusal = power_refusal(digits_of(args[0]), magnitude(args[1]))
                if refusal:
                    raise self.error(refusal)
            value = sp.binomial(*args)
        elif node.name in ("log", "lg"):
            if node.base is not None:
                value = sp.log(args[0], self.value(node.base))
            else:
                value = sp.log(args[0], 10) if node.name == "lg" else sp.log(args[0])
        else:
            value = FUNCTIONS[node.name](*args)
        if node.power is not None:
            power = self.value(node.power)
            if power == -1 and node.name in _INVERSE_OR_RECIPROCAL:
                raise self.error(f"\\{node.name}^{{-1}} is ambiguous (inverse or reciprocal)")
            value = self.power(value, power)
        return value

    def factorial(self, node: Factorial) -> sp.Expr:
        arg = self.value(node.arg)
        if arg.is_number:
            if not (arg.is_Integer and arg >= 0):
                raise self.error("the factorial of a number that is not a whole number")
            if arg > MAX_FACTORIAL:
                raise self.error(f"the factorial of a number above {count(MAX_FACTORIAL)} is beyond what QED computes")
        return sp.factorial(arg)


_METHODS = {
    Num: "num", Name: "name", Const: "const", Add: "add", Mul: "mul", Div: "div", Pow: "pow",
    Neg: "neg", Root: "root", Func: "func", Factorial: "factorial", Apply: "apply", Big: "big",
}


class FormulaEvaluator(Evaluator):
    """A formula as it stands: each name a real symbol, `x_{n+1}` the symbol named x_n+1."""

    def name(self, node: Name) -> sp.Expr:
        if node.base == "e" and node.sub is None:
            self.ambiguities.append(Ambiguity("e", *(node.span or (0, 0)), "e: a variable or Euler's number"))
            if self.readings.e == "euler":
                return sp.E
        return symbol(flat_name(node))

    def apply(self, node: Apply) -> sp.Expr:
        self._product_call(node)
        return self.name(node.func) * self.value(node.args[0])

    def called_power(self, node: Apply, exp: sp.Expr) -> sp.Expr:
        self._product_call(node)
        return self.name(node.func) * self.power(self.value(node.args[0]), exp)

    def _product_call(self, node: Apply) -> None:
        if node.func.base in FUNCTION_LETTERS:
            raise self.error(f"{flat_name(node.func)}(...) reads as a function application")
        if len(node.args) != 1:
            raise self.error(f"{flat_name(node.func)}(...) is applied to a list")

    def infinity(self) -> sp.Expr:
        raise self.error("\\infty is not a number to compute with")


def flat_name(node: Name) -> str:
    """The symbol name of a letter as written: x, x_1, x_n+1 (for x_{n+1}), alpha_i."""
    if node.sub is None:
        return node.base
    label = node.label if node.label is not None else _label_of(node.sub)
    return f"{node.base}_{label}"


def _label_of(sub: Node) -> str:
    if isinstance(sub, Num):
        return sub.text
    if isinstance(sub, Name):
        return flat_name(sub)
    raise LatexError("a subscript that is not a number or a letter")


def magnitude(value: sp.Expr) -> float:
    """|value| as a float (inf when it cannot be told)."""
    try:
        if value.is_Rational:
            return abs(int(value.p)) / int(value.q) if int(value.p).bit_length() < 1000 else math.inf
        return abs(complex(sp.N(value, 15)))
    except (TypeError, ValueError, OverflowError):
        return math.inf


def digits_of(value: sp.Expr) -> float:
    """About how many decimal digits an exact number takes (numerator or denominator)."""
    if value.is_Rational:
        return max(int(value.p).bit_length(), int(value.q).bit_length()) * math.log10(2)
    size = magnitude(value)
    if size == 0:
        return 0.0
    return abs(math.log10(size)) if math.isfinite(size) else math.inf
