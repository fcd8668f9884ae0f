"""The one reader of expressions written as text — by a model, in a file, by a user — into sympy.

Text never reaches `eval`, `sympify` or `parse_expr` (tests/test_no_eval_from_text.py keeps it so).
It is parsed by Python's `ast` into a tree, which is checked against an allow-list: arithmetic
(+ - * / ** and ^ for power, juxtaposed products such as `2(a+b)` or `abc` for declared a, b, c),
the functions in FUNCTIONS, the constants pi, E, oo, and the names the caller declares; relations
and sets only where the caller asks for them. Nothing else is accepted: no attributes (except
`Interval.open` and its kin in sets), no subscripts, strings, keywords or comprehensions.

The tree is also bounded before sympy builds anything, because sympy evaluates numbers eagerly
(`9^9^9` would compute a 370-million-digit integer): at most MAX_CHARS characters, MAX_NODES
parts, MAX_DEPTH levels of nesting; every exponent at most MAX_EXPONENT in absolute value; and an
upper bound on the digits of any rational number the expression could produce (sympy collapses
`(2^x)^(1000/x)` to 2^1000) at most MAX_DIGITS, with at most MAX_POWER_DIGITS digits produced by
powers and roots in all. Only then is the expression built, node by node.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp

MAX_CHARS = 5_000
MAX_NODES = 1_000
MAX_DEPTH = 40
MAX_EXPONENT = 10_000
MAX_DIGITS = 1_000
MAX_POWER_DIGITS = 2_000

FUNCTIONS: dict[str, Callable[..., sp.Basic]] = {
    "sqrt": sp.sqrt,
    "cbrt": sp.cbrt,
    "root": sp.root,
    "Abs": sp.Abs,
    "abs": sp.Abs,
    "Max": sp.Max,
    "max": sp.Max,
    "Min": sp.Min,
    "min": sp.Min,
    "log": sp.log,
    "ln": sp.log,
    "exp": sp.exp,
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    # the rest of what the LaTeX formalizer writes, so facts it produced read back from memory
    "cot": sp.cot,
    "sec": sp.sec,
    "csc": sp.csc,
    "asin": sp.asin,
    "acos": sp.acos,
    "atan": sp.atan,
    "sinh": sp.sinh,
    "cosh": sp.cosh,
    "tanh": sp.tanh,
}
CONSTANTS: dict[str, sp.Basic] = {"pi": sp.pi, "E": sp.E, "oo": sp.oo}
RESERVED_NAMES = frozenset(FUNCTIONS) | frozenset(CONSTANTS)  # a declared variable may not take these

RELATIONS: dict[str, Callable[..., sp.Basic]] = {
    "Eq": sp.Eq, "Ne": sp.Ne, "Ge": sp.Ge, "Gt": sp.Gt, "Le": sp.Le, "Lt": sp.Lt,
}
_COMPARE = {ast.Eq: sp.Eq, ast.NotEq: sp.Ne, ast.GtE: sp.Ge, ast.Gt: sp.Gt, ast.LtE: sp.Le, ast.Lt: sp.Lt}
SETS: dict[str, Callable[..., sp.Basic]] = {
    "Interval": sp.Interval, "Union": sp.Union, "Intersection": sp.Intersection,
    "Complement": sp.Complement, "FiniteSet": sp.FiniteSet,
}
_INTERVAL_KINDS = {"open": sp.Interval.open, "Lopen": sp.Interval.Lopen, "Ropen": sp.Interval.Ropen}
SET_CONSTANTS: dict[str, sp.Basic] = {"Reals": sp.S.Reals, "EmptySet": sp.S.EmptySet}

_ARITY = {"root": (2, 2), "log": (1, 2), "Max": (1, 64), "max": (1, 64), "Min": (1, 64), "min": (1, 64)}  # others: 1
_ARITHMETIC = r"A-Za-z0-9_+\-*/^().,\s"
_PLAIN = re.compile(rf"^[{_ARITHMETIC}]*$")
_WITH_RELATIONS = re.compile(rf"^[{_ARITHMETIC}<>=!]*$")
_WITH_SETS = re.compile(rf"^[{_ARITHMETIC}{{}}]*$")  # {1, 2} is how sympy prints a FiniteSet
_DECIMAL_DOT = re.compile(r"(?<=\d)\.|\.(?=\d)")
_INTERVAL_ATTRIBUTE = re.compile(r"\bInterval\.(?:open|Lopen|Ropen)\b")
_NUMBER = re.compile(r"^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$")
_LOG10_E = math.log10(math.e)


class ExpressionError(ValueError):
    """Text the reader refuses, and why, in one line."""


@dataclass
class _Value:
    """A built node with bounds on what sympy may compute from it later in the same expression.

    size: log10 of the largest height (max |numerator|, denominator) of a rational this node could
          collapse to; degree: the largest power a variable could reach in it.
    """

    expr: Any
    size: float = 0.0
    degree: float = 0.0


def parse_expression(text: Any, names: Mapping[str, sp.Basic], what: str, *, exact: bool = True) -> sp.Expr:
    """An expression over the declared `names`; ExpressionError says why not.

    exact: decimals become fractions (0.5 -> 1/2); otherwise they stay sympy Floats.
    """
    expr = _Reader(names, what, exact=exact).read(text)
    if not isinstance(expr, sp.Expr):
        raise ExpressionError(f"{what} is not an expression: {_short(text)}")
    return expr


def parse_relation(text: Any, names: Mapping[str, sp.Basic], what: str, *, exact: bool = True) -> sp.Basic:
    """One equation or inequality (`a + b >= 2`, `Eq(a + b, 2)`), kept unevaluated."""
    expr = _Reader(names, what, exact=exact, relations=True).read(text)
    if not isinstance(expr, sp.core.relational.Relational):
        raise ExpressionError(f"{what} is not an equation or inequality: {_short(text)}")
    return expr


def parse_set(text: Any, names: Mapping[str, sp.Basic], what: str, *, exact: bool = True) -> sp.Set:
    """A set of reals as sympy prints one: `Interval.open(0, oo)`, `Reals`, `Union(...)`."""
    expr = _Reader(names, what, exact=exact, sets=True).read(text)
    if not isinstance(expr, sp.Set):
        raise ExpressionError(f"{what} is not a set: {_short(text)}")
    return expr


def parse_number(text: Any, what: str, *, exact: bool = True) -> sp.Expr:
    """A constant (`3/2`, `sqrt(2)`, `0.25`, `pi/4`): an expression without variables."""
    return parse_expression(text, {}, what, exact=exact)


def safe_expr(text: Any, names: Mapping[str, sp.Basic], what: str) -> sp.Expr:
    """A model-written expression: exact arithmetic, the listed functions and declared names only."""
    return parse_expression(text, names, what, exact=True)


def _short(text: Any, limit: int = 60) -> str:
    s = text if isinstance(text, str) else repr(text)
    return repr(s if len(s) <= limit else s[:limit] + "…")


class _Reader:
    def __init__(self, names: Mapping[str, sp.Basic], what: str, *, exact: bool, relations: bool = False,
                 sets: bool = False):
        self.names = dict(names)
        self.what = what
        self.exact = exact
        self.relations = relations
        self.sets = sets
        self.power_digits = 0.0
        self.source = ""

    def fail(self, why: str) -> ExpressionError:
        return ExpressionError(f"{self.what} {why}")

    # --- text -> checked tree --------------------------------------------------------------------

    def read(self, text: Any) -> sp.Basic:
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            text = repr(text) if isinstance(text, float) else str(text)
        if not isinstance(text, str) or not text.strip():
            raise self.fail("is not an expression")
        if len(text) > MAX_CHARS:
            raise self.fail(f"is {len(text):,} characters long; the reader takes at most {MAX_CHARS:,}")
        allowed = _WITH_RELATIONS if self.relations else _WITH_SETS if self.sets else _PLAIN
        if not allowed.match(text) or "__" in text:
            raise self.fail(f"has characters outside arithmetic: {_short(text)}")
        rest = _INTERVAL_ATTRIBUTE.sub("", text) if self.sets else text
        if "." in _DECIMAL_DOT.sub("", rest):
            raise self.fail(f"has characters outside arithmetic (attribute access): {_short(text)}")
        depth = _paren_depth(text)
        if depth > MAX_DEPTH:
            raise self.fail(f"nests parentheses {depth} deep; at most {MAX_DEPTH}")
        self.source = " ".join(text.split()).replace("^", "**")
        try:
            tree = ast.parse(self.source, mode="eval")  # a parse, never a compile: nothing runs
        except SyntaxError as e:
            raise self.fail(f"does not parse: {_short(text)} ({e.msg})") from None
        except (RecursionError, MemoryError):
            raise self.fail(f"nests too deeply to read: {_short(text)}") from None
        count = sum(isinstance(n, ast.expr) for n in ast.walk(tree))
        if count > MAX_NODES:
            raise self.fail(f"has {count:,} parts; the reader takes at most {MAX_NODES:,}")
        try:
            return self.build(tree.body, 0).expr
        except ExpressionError:
            raise
        except Exception as e:  # noqa: BLE001 — whatever sympy raises on odd input is a refusal, never a crash
            raise self.fail(f"does not make sense to sympy: {_short(text)} ({e})") from None

    # --- checked tree -> sympy -------------------------------------------------------------------

    def segment(self, node: ast.AST) -> str:
        return _short(ast.get_source_segment(self.source, node) or "", 40)

    def bound(self, value: _Value, node: ast.AST) -> _Value:
        if value.size > MAX_DIGITS:
            raise self.fail(f"could reach numbers of about {value.size:,.0f} digits at {self.segment(node)}; "
                            f"at most {MAX_DIGITS:,}")
        if value.degree > MAX_EXPONENT:
            raise self.fail(f"raises a variable to a power that may reach {value.degree:,.0f} at "
                            f"{self.segment(node)}; at most {MAX_EXPONENT:,}")
        return value

    def build(self, node: ast.AST, depth: int) -> _Value:
        if depth > MAX_DEPTH:
            raise self.fail(f"nests more than {MAX_DEPTH} levels deep")
        d = depth + 1
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = self.build(node.operand, d)
            return _Value(-v.expr if isinstance(node.op, ast.USub) else v.expr, v.size, v.degree)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            return self.bound(self.sum(node, d), node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            return self.bound(self.product(node, d), node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            return self.power(self.build(node.left, d), self.build(node.right, d), node)
        if isinstance(node, ast.Call):
            return self.call(node, d)
        if isinstance(node, ast.Compare) and self.relations:
            if len(node.ops) != 1:
                raise self.fail(f"chains comparisons at {self.segment(node)}; write one relation")
            if type(node.ops[0]) not in _COMPARE:
                raise self.fail(f"compares with {self.segment(node)}, which is not a relation")
            left, right = self.build(node.left, d), self.build(node.comparators[0], d)
            return _Value(_COMPARE[type(node.ops[0])](left.expr, right.expr, evaluate=False),
                          left.size + right.size, max(left.degree, right.degree))
        if isinstance(node, ast.Set) and self.sets:
            items = [self.build(e, d) for e in node.elts]
            return _Value(sp.FiniteSet(*(i.expr for i in items)), max((i.size for i in items), default=0.0))
        raise self.fail(f"uses {_describe(node)} at {self.segment(node)}, which the reader does not accept")

    def number(self, node: ast.Constant) -> _Value:
        text = ast.get_source_segment(self.source, node) or ""
        m = _NUMBER.match(text)
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)) or not m or not (m[1] or m[2]):
            raise self.fail(f"has {self.segment(node)}, which is not a plain number")
        whole, frac, exp = m[1] or "", m[2] or "", int(m[3] or 0)
        digits = len((whole + frac).lstrip("0")) + len(frac) + abs(exp)  # of numerator and denominator
        if digits > MAX_DIGITS:
            raise self.fail(f"has the number {self.segment(node)} of about {digits:,} digits; at most {MAX_DIGITS:,}")
        if isinstance(node.value, int):
            value: sp.Expr = sp.Integer(int(whole))
        elif self.exact:
            value = sp.Rational(int(whole + frac or "0"), 10 ** len(frac)) * sp.Rational(10) ** exp
        else:
            value = sp.Float(text)
        numerator = int(whole + frac or "0")
        return _Value(value, (math.log10(numerator) if numerator else 0.0) + len(frac) + abs(exp))

    def name(self, node: ast.Name) -> _Value:
        ident = node.id
        if ident in self.names:
            return _Value(self.names[ident], 0.0, 1.0)
        if ident in CONSTANTS:
            return _Value(CONSTANTS[ident], _LOG10_E if ident == "E" else 0.0)
        if self.sets and ident in SET_CONSTANTS:
            return _Value(SET_CONSTANTS[ident])
        if ident in FUNCTIONS or ident in RELATIONS or ident in SETS:
            raise self.fail(f"names the function '{ident}' without applying it")
        if len(ident) > 1 and all(ch in self.names for ch in ident):  # `abc` written for a*b*c
            return _Value(sp.Mul(*(self.names[ch] for ch in ident)), 0.0, float(len(ident)))
        raise self.fail(f"uses undeclared '{ident}'")

    def sum(self, node: ast.BinOp, depth: int) -> _Value:
        terms: list[tuple[int, ast.AST]] = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            terms.append((-1 if isinstance(node.op, ast.Sub) else 1, node.right))
            node = node.left
        terms.append((1, node))
        values = [(sign, self.build(t, depth)) for sign, t in reversed(terms)]
        expr = values[0][1].expr
        for sign, v in values[1:]:  # left to right, as Python (and so sympify) would have built it
            expr = expr + v.expr if sign > 0 else expr - v.expr
        return _Value(expr, sum(v.size for _, v in values) + math.log10(len(values)),
                      max(v.degree for _, v in values))

    def product(self, node: ast.BinOp, depth: int) -> _Value:
        factors: list[tuple[bool, ast.AST]] = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            factors.append((isinstance(node.op, ast.Div), node.right))
            node = node.left
        factors.append((False, node))
        values = [(div, self.build(f, depth)) for div, f in reversed(factors)]
        expr = values[0][1].expr
        for div, v in values[1:]:
            expr = expr / v.expr if div else expr * v.expr
        return _Value(expr, sum(v.size for _, v in values), sum(v.degree for _, v in values))

    def power(self, base: _Value, exponent: _Value, node: ast.AST) -> _Value:
        """base ** exponent, once the exponent and every number the power could produce are bounded."""
        e = exponent.expr
        if isinstance(e, sp.Rational):
            if max(abs(e.p), e.q) > MAX_EXPONENT:
                raise self.fail(f"has the exponent {_short(str(e), 30)} at {self.segment(node)}; "
                                f"at most {MAX_EXPONENT:,} in absolute value")
            reach = max(1.0, abs(e.p) / e.q)  # sympy takes the integer part out: 2^(9/2) is 16*sqrt(2)
            degree = base.degree * float(abs(e))
        else:
            reach = 10.0 ** min(exponent.size, 30.0)
            if reach > MAX_EXPONENT:
                raise self.fail(f"has an exponent that may reach {reach:,.0f} at {self.segment(node)}; "
                                f"at most {MAX_EXPONENT:,}")
            degree = base.degree * reach + exponent.degree
        # the numbers this power may collapse to (a power of a number may meet other exponents:
        # (2^x)^(1000/x) is 2^1000); the exponent's own numbers were bounded where it was built
        size = base.size * reach
        value = self.bound(_Value(None, size, degree), node)
        if base.size > 0:
            self.power_digits += size
            if self.power_digits > MAX_POWER_DIGITS:
                raise self.fail(f"computes powers and roots of about {self.power_digits:,.0f} digits in all; "
                                f"at most {MAX_POWER_DIGITS:,}")
        value.expr = sp.Pow(base.expr, e)
        return value

    def call(self, node: ast.Call, depth: int) -> _Value:
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail(f"passes keywords or starred arguments at {self.segment(node)}")
        func = node.func
        if isinstance(func, ast.Attribute):
            if self.sets and isinstance(func.value, ast.Name) and func.value.id == "Interval" and func.attr in _INTERVAL_KINDS:
                args = self.arguments(node, depth, 2, 2)
                return _Value(_INTERVAL_KINDS[func.attr](*(a.expr for a in args)), max(a.size for a in args))
            raise self.fail(f"uses attribute access at {self.segment(node)}, which the reader does not accept")
        if isinstance(func, ast.Name) and func.id not in self.names:
            ident = func.id
            if ident in FUNCTIONS:
                return self.function(ident, node, depth)
            if self.relations and ident in RELATIONS:
                left, right = self.arguments(node, depth, 2, 2)
                return _Value(RELATIONS[ident](left.expr, right.expr, evaluate=False), left.size + right.size,
                              max(left.degree, right.degree))
            if self.sets and ident in SETS:
                low = 1 if ident != "FiniteSet" else 0
                args = self.arguments(node, depth, low, 2 if ident in ("Interval", "Complement") else 64)
                return _Value(SETS[ident](*(a.expr for a in args)), max((a.size for a in args), default=0.0))
            if ident in RELATIONS or ident in SETS:
                kind = "relation" if ident in RELATIONS else "set"
                raise self.fail(f"is a {kind} ({ident}) where an expression is expected")
        # anything else applied to one argument is a product: 2(a+b), (a+b)(a-b), a(b+c)
        if len(node.args) != 1:
            raise self.fail(f"applies something that is not a function at {self.segment(node)}")
        left, right = self.build(func, depth), self.build(node.args[0], depth)
        return self.bound(_Value(left.expr * right.expr, left.size + right.size, left.degree + right.degree), node)

    def arguments(self, node: ast.Call, depth: int, low: int, high: int) -> list[_Value]:
        name = ast.get_source_segment(self.source, node.func) or "a function"
        if not low <= len(node.args) <= high:
            want = str(low) if low == high else f"{low} to {high}"
            raise self.fail(f"gives {name} {len(node.args)} argument(s) at {self.segment(node)}; it takes {want}")
        return [self.build(a, depth) for a in node.args]

    def function(self, ident: str, node: ast.Call, depth: int) -> _Value:
        low, high = _ARITY.get(ident, (1, 1))
        args = self.arguments(node, depth, low, high)
        a = args[0]
        if ident in ("sqrt", "cbrt"):
            return self.power(a, _Value(sp.Rational(1, 2 if ident == "sqrt" else 3)), node)
        if ident == "root":
            n = args[1].expr
            if not isinstance(n, sp.Integer) or n == 0:
                raise self.fail(f"takes a root of order {_short(str(n), 30)} at {self.segment(node)}; "
                                "the order must be a non-zero integer")
            return self.power(a, _Value(1 / n), node)
        if ident == "exp":
            return self.power(_Value(sp.E, _LOG10_E), a, node)
        if ident in ("log", "ln"):
            # log(a) matters only inside exp(k*log(a)) = a^k: its size makes exp's bound cover k*digits(a)
            size = sum(math.log10(max(x.size, 1.0)) + 1 for x in args)
            return self.bound(_Value(FUNCTIONS[ident](*(x.expr for x in args)), size, 0.0), node)
        size = max(x.size for x in args) if ident in ("Max", "max", "Min", "min") else a.size
        return self.bound(_Value(FUNCTIONS[ident](*(x.expr for x in args)), size,
                                 max(x.degree for x in args)), node)


def _paren_depth(text: str) -> int:
    depth = deepest = 0
    for ch in text:
        if ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth -= 1
    return deepest


def _describe(node: ast.AST) -> str:
    return {
        "Attribute": "attribute access", "Subscript": "a subscript", "Compare": "a comparison",
        "BoolOp": "'and'/'or'", "IfExp": "'if ... else'", "Lambda": "a lambda", "Tuple": "a tuple",
        "List": "a list", "Set": "a set literal", "Dict": "a dict", "Starred": "a starred argument",
    }.get(type(node).__name__, f"the construct {type(node).__name__}")
