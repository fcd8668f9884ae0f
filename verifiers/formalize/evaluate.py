"""A parsed formula to sympy, once the statement has said what each name means.

The context carries the variables (x_1 ... x_N for a family already instantiated), helper
definitions (u = ab + bc + ca), integer parameters (n, k) and sum indices. Elided terms
(`x_1 + x_2 + \\cdots + x_n`) are filled in by shifting the indices of the last written term until
it meets the next written one; cyclic sums permute the variables declared together.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field, replace

import sympy as sp
from qed.verifiers.formalize.errors import FormalizeError
from qed.verifiers.formalize.tree import (
    Add,
    Apply,
    Big,
    Const,
    Div,
    EllipsisMark,
    Factorial,
    Func,
    Member,
    Mul,
    Name,
    Neg,
    Node,
    Num,
    Pow,
    Rel,
    Root,
    Seq,
    Text,
)
from qed.verifiers.input_limits import MAX_FACTORIAL, MAX_TERMS, count, power_refusal

_MEMBER = re.compile(r"^(.+)_(\d+)$")
RELATION_CLASSES = {"<=": sp.Le, ">=": sp.Ge, "<": sp.Lt, ">": sp.Gt, "=": sp.Eq, "!=": sp.Ne}
_FUNCTIONS = {
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    "cot": sp.cot,
    "sec": sp.sec,
    "csc": sp.csc,
    "ln": sp.log,
    "exp": sp.exp,
    "arcsin": sp.asin,
    "arccos": sp.acos,
    "arctan": sp.atan,
    "sinh": sp.sinh,
    "cosh": sp.cosh,
    "tanh": sp.tanh,
    "abs": sp.Abs,
}


@dataclass
class Context:
    names: dict[str, sp.Expr] = field(default_factory=dict)  # variables and definitions
    indices: dict[str, int] = field(default_factory=dict)  # parameters and bound sum indices
    cyclic_groups: list[list[sp.Symbol]] = field(default_factory=list)
    functions: dict[str, sp.Lambda] = field(default_factory=dict)  # f(x) = ... definitions
    notes: list[str] = field(default_factory=list)

    def with_indices(self, **values: int) -> Context:
        return replace(self, indices={**self.indices, **values})


def name_of(node: Name, ctx: Context | None = None) -> str:
    """The flat name a subscripted letter stands for: x_{1+1} -> 'x_2', l_{\\alpha} -> 'l_alpha'."""
    if node.sub is None:
        return node.base
    return f"{node.base}_{subscript_label(node.sub, ctx)}"


def subscript_label(sub: Node, ctx: Context | None) -> str:
    if isinstance(sub, Num) and sub.text.isdigit():
        return str(int(sub.text))
    if isinstance(sub, Name) and sub.sub is None:
        if ctx is not None and sub.base in ctx.indices:
            return str(ctx.indices[sub.base])
        return sub.base
    if isinstance(sub, Mul) and all(isinstance(f, (Name, Num)) for f in sub.items):
        return "".join(subscript_label(f, ctx) for f in sub.items)
    if isinstance(sub, Seq):
        return "".join(subscript_label(f, ctx) for f in sub.items)
    if ctx is None:
        return f"<{type(sub).__name__}>"  # an index expression such as n-1, for static checks
    value = evaluate(sub, ctx)
    if value.is_Integer:
        return str(int(value))
    raise FormalizeError("a subscript that is not an integer or a label")


def evaluate(node: Node, ctx: Context) -> sp.Expr:
    """The sympy value of an expression node (relations go through `relations`)."""
    method = _EVALUATORS.get(type(node))
    if method is None:
        raise FormalizeError(f"{_describe(node)} where a number was expected")
    return method(node, ctx)


def relations(node: Node, ctx: Context) -> list[sp.Basic]:
    """A relation chain a <= b < c as its links [a <= b, b < c]."""
    if not isinstance(node, Rel):
        raise FormalizeError(f"expected a relation, found {_describe(node)}")
    items = node.items
    exprs, ops = [evaluate(items[0], ctx)], []
    k = 1
    while k < len(items):
        if isinstance(items[k + 1], EllipsisMark):  # a_1 <= a_2 <= ... <= a_n
            op, target = items[k + 2], evaluate(items[k + 3], ctx)
            middle, drop_target = fill_ellipsis(exprs, target, ctx)
            for term in middle + ([] if drop_target else [target]):
                ops.append(op)
                exprs.append(term)
            k += 4
        else:
            ops.append(items[k])
            exprs.append(evaluate(items[k + 1], ctx))
            k += 2
    return [
        RELATION_CLASSES[op](exprs[j], exprs[j + 1], evaluate=False) for j, op in enumerate(ops)
    ]


def _describe(node: Node) -> str:
    if isinstance(node, Text):
        return f"text '{node.content}'"
    if isinstance(node, Rel):
        return "a relation"
    if isinstance(node, Seq):
        return "a list"
    if isinstance(node, Member):
        return "a set membership"
    return type(node).__name__


def _num(node: Num, ctx: Context) -> sp.Expr:
    return sp.Rational(node.text)


def _name(node: Name, ctx: Context) -> sp.Expr:
    full = name_of(node, ctx)
    if full in ctx.indices:
        return sp.Integer(ctx.indices[full])
    if full in ctx.names:
        return ctx.names[full]
    if full == "e":
        return sp.E
    shown = full if node.sub is None else f"{node.base}_{{{full.split('_', 1)[1]}}}"
    raise FormalizeError(f"'{shown}' is used but never introduced")


def _const(node: Const, ctx: Context) -> sp.Expr:
    return sp.pi if node.name == "pi" else sp.oo


def _add(node: Add, ctx: Context) -> sp.Expr:
    terms = _expand_items(
        [x if isinstance(x, EllipsisMark) else (x[0], x[1]) for x in node.items],
        lambda item: item[0] * evaluate(item[1], ctx),
        ctx,
        "sum",
    )
    return sp.Add(*terms)


def _mul(node: Mul, ctx: Context) -> sp.Expr:
    factors = _expand_items(list(node.items), lambda f: evaluate(f, ctx), ctx, "product")
    return sp.Mul(*factors)


def _div(node: Div, ctx: Context) -> sp.Expr:
    den = evaluate(node.den, ctx)
    if den == 0:
        raise FormalizeError("division by zero in the statement")
    return evaluate(node.num, ctx) / den


def _pow(node: Pow, ctx: Context) -> sp.Expr:
    base = node.base
    if (
        isinstance(base, Apply)
        and name_of(base.func, ctx) not in ctx.functions
        and len(base.args) == 1
    ):  # C(a + b)^3 is C * (a + b)^3 unless C is a defined function
        return evaluate(base.func, ctx) * bounded_power(evaluate(base.args[0], ctx), evaluate(node.exp, ctx))
    return bounded_power(evaluate(base, ctx), evaluate(node.exp, ctx))


def bounded_power(base: sp.Expr, exp: sp.Expr) -> sp.Expr:
    """base ** exp, refused when the exponent is a huge number or the exact value would be huge
    (`x^{10^{10}}`, `9^{9^{9}}`): sympy would try to expand or compute it."""
    if exp.is_number:
        refusal = power_refusal(digits_of(base) if base.is_number else None, _magnitude(exp))
        if refusal:
            raise FormalizeError(refusal)
    return base**exp


def _magnitude(value: sp.Expr) -> float:
    """|value| as a float (inf when it cannot be told)."""
    try:
        if value.is_Rational:
            return abs(int(value.p)) / int(value.q) if value.p.bit_length() < 1000 else math.inf
        return abs(complex(sp.N(value, 15)))
    except (TypeError, ValueError, OverflowError):
        return math.inf


def digits_of(value: sp.Expr) -> float:
    """About how many decimal digits an exact number takes (numerator or denominator)."""
    if value.is_Rational:
        return max(int(value.p).bit_length(), int(value.q).bit_length()) * math.log10(2)
    size = _magnitude(value)
    if size == 0:
        return 0.0
    return abs(math.log10(size)) if math.isfinite(size) else math.inf


def _neg(node: Neg, ctx: Context) -> sp.Expr:
    return -evaluate(node.arg, ctx)


def _root(node: Root, ctx: Context) -> sp.Expr:
    arg = evaluate(node.arg, ctx)
    if node.index is None:
        return sp.sqrt(arg)
    return sp.root(arg, evaluate(node.index, ctx))


def _func(node: Func, ctx: Context) -> sp.Expr:
    if node.name in ("max", "min"):
        args = _expand_items(list(node.args), lambda a: evaluate(a, ctx), ctx, "list")
    else:
        args = [evaluate(a, ctx) for a in node.args]
    if node.name == "max":
        value = sp.Max(*args)
    elif node.name == "min":
        value = sp.Min(*args)
    elif node.name == "binom":
        if len(args) == 2 and all(a.is_number for a in args):
            refusal = power_refusal(digits_of(args[0]), _magnitude(args[1]))
            if refusal:
                raise FormalizeError(refusal)
        value = sp.binomial(*args)
    elif node.name in ("log", "lg"):
        if node.base is not None:
            value = sp.log(args[0], evaluate(node.base, ctx))
        else:
            value = sp.log(args[0], 10) if node.name == "lg" else sp.log(args[0])
    else:
        value = _FUNCTIONS[node.name](*args)
    if node.power is not None:
        power = evaluate(node.power, ctx)
        if power == -1 and node.name in ("sin", "cos", "tan"):
            raise FormalizeError(f"\\{node.name}^{{-1}} is ambiguous (inverse or reciprocal)")
        value = bounded_power(value, power)
    return value


def _apply(node: Apply, ctx: Context) -> sp.Expr:
    name = name_of(node.func, ctx)
    args = [evaluate(a, ctx) for a in node.args]
    if name in ctx.functions:
        function = ctx.functions[name]
        if len(args) != len(function.variables):
            raise FormalizeError(f"{name} takes {len(function.variables)} argument(s)")
        return function(*args)
    if len(args) != 1:
        raise FormalizeError(f"'{name}' is applied to a list but is not a defined function")
    return evaluate(node.func, ctx) * args[0]


def _factorial(node: Factorial, ctx: Context) -> sp.Expr:
    arg = evaluate(node.arg, ctx)
    if arg.is_number and _magnitude(arg) > MAX_FACTORIAL:
        raise FormalizeError(f"the factorial of a number above {count(MAX_FACTORIAL)} is beyond what QED computes")
    return sp.factorial(arg)


def _big(node: Big, ctx: Context) -> sp.Expr:
    combine = sp.Add if node.op == "sum" else sp.Mul
    kind = node.spec[0]
    if kind == "range":
        _, indices, lo_node, hi_node = node.spec
        lo, hi = _integer(lo_node, ctx), _integer(hi_node, ctx)
        _check_terms(max(0, hi - lo + 1) ** len(indices))
        terms = [
            evaluate(node.body, ctx.with_indices(**dict(zip(indices, values, strict=True))))
            for values in itertools.product(range(lo, hi + 1), repeat=len(indices))
        ]
        return combine(*terms)
    if kind == "pairs":
        _, i, j, lo_node, hi_node = node.spec
        lo, hi = _integer(lo_node, ctx), _integer(hi_node, ctx)
        size = max(0, hi - lo + 1)
        _check_terms(size * (size - 1) // 2)
        terms = [
            evaluate(node.body, ctx.with_indices(**{i: a, j: b}))
            for a in range(lo, hi + 1)
            for b in range(a + 1, hi + 1)
        ]
        return combine(*terms)
    body = evaluate(node.body, ctx)
    if kind == "plain":
        ctx.notes.append("a \\sum or \\prod without limits was read as cyclic")
    return combine(*permuted_copies(body, ctx.cyclic_groups, symmetric=kind == "sym"))


def _check_terms(n: int) -> None:
    if n > MAX_TERMS:
        raise FormalizeError(f"a sum or product of {count(n)} terms, more than the {count(MAX_TERMS)} QED expands")


def _integer(node: Node, ctx: Context) -> int:
    value = evaluate(node, ctx)
    if not value.is_Integer:
        raise FormalizeError(f"a summation limit {value} is not an integer")
    return int(value)


def permuted_copies(body: sp.Expr, groups: list[list[sp.Symbol]], symmetric: bool) -> list[sp.Expr]:
    """The terms of a cyclic (or symmetric) sum: body under the rotations of its variables."""
    present = [g for g in groups if set(g) & body.free_symbols]
    if not present:
        raise FormalizeError("a cyclic sum whose body has none of the declared variables")
    sizes = {len(g) for g in present}
    if len(sizes) != 1:
        raise FormalizeError("a cyclic sum over variable groups of different sizes")
    size = sizes.pop()
    if symmetric:
        if len(present) != 1:
            raise FormalizeError("a symmetric sum over several variable groups")
        group = present[0]
        return [
            body.xreplace(dict(zip(group, perm, strict=True)))
            for perm in itertools.permutations(group)
        ]
    copies = []
    for shift in range(size):
        mapping = {}
        for g in present:
            mapping.update({g[k]: g[(k + shift) % size] for k in range(size)})
        copies.append(body.xreplace(mapping))
    return copies


# -- elided terms ------------------------------------------------------------------------------


def _expand_items(items, value_of, ctx: Context, what: str) -> list[sp.Expr]:
    """Evaluate a sum's terms (or a product's factors), filling in each ellipsis."""
    values: list = [x if isinstance(x, EllipsisMark) else value_of(x) for x in items]
    out: list[sp.Expr] = []
    k = 0
    while k < len(values):
        v = values[k]
        if not isinstance(v, EllipsisMark):
            out.append(v)
            k += 1
            continue
        if not out or k + 1 >= len(values) or isinstance(values[k + 1], EllipsisMark):
            raise FormalizeError(f"an ellipsis in a {what} needs a written term on each side")
        nxt = values[k + 1]
        middle, drop_next = fill_ellipsis(out, nxt, ctx)
        out.extend(middle)
        if not drop_next:
            out.append(nxt)
        k += 2
    return out


def _members(expr: sp.Expr, ctx: Context) -> dict[sp.Symbol, tuple[str, int]]:
    found = {}
    for s in expr.free_symbols:
        m = _MEMBER.match(s.name)
        if m and ctx.names.get(s.name) == s:
            found[s] = (m.group(1), int(m.group(2)))
    return found


def _family_size(base: str, ctx: Context) -> int:
    size = 0
    for name in ctx.names:
        m = _MEMBER.match(name)
        if m and m.group(1) == base:
            size = max(size, int(m.group(2)))
    return size


def _shift(expr: sp.Expr, step: int, cyclic: bool, ctx: Context) -> sp.Expr | None:
    mapping = {}
    for sym, (base, k) in _members(expr, ctx).items():
        if cyclic:
            size = _family_size(base, ctx)
            target = f"{base}_{(k - 1 + step) % size + 1}"
        else:
            target = f"{base}_{k + step}"
        if target not in ctx.names:
            return None
        mapping[sym] = ctx.names[target]
    return expr.xreplace(mapping) if mapping else None


def _same(a: sp.Expr, b: sp.Expr) -> bool:
    if a == b:
        return True
    try:
        return sp.expand(a - b) == 0
    except Exception:  # noqa: BLE001 - sympy may refuse exotic expressions; then they differ
        return False


def fill_ellipsis(before: list[sp.Expr], nxt: sp.Expr, ctx: Context) -> tuple[list[sp.Expr], bool]:
    """The terms an ellipsis stands for between the written `before` terms and `nxt`.

    Returns (middle terms, whether `nxt` duplicates the last written term, which happens when a
    family x_1, x_2, ..., x_n is instantiated with n = 2).
    """
    last = before[-1]
    if _same(last, nxt):
        return [], True
    if any(_same(b, nxt) for b in before[:-1]):
        raise FormalizeError("the elided family is too short for the terms written out")
    if not _members(last, ctx):
        raise FormalizeError("cannot tell what an ellipsis stands for (no indexed variable)")
    steps = [1]
    if len(before) >= 3:
        for s in (2, 3):
            a = _shift(before[-3], s, False, ctx)
            b = _shift(before[-2], s, False, ctx)
            if a is not None and b is not None and _same(a, before[-2]) and _same(b, last):
                steps.insert(0, s)
    limit = max(_family_size(base, ctx) for base, _ in _members(last, ctx).values()) + 2
    for step in steps:
        for cyclic in (False, True):
            middle: list[sp.Expr] = []
            term = last
            for _ in range(limit):
                term = _shift(term, step, cyclic, ctx)
                if term is None:
                    break
                if _same(term, nxt):
                    return middle, False
                middle.append(term)
    raise FormalizeError("cannot tell what an ellipsis stands for (no index pattern)")


_EVALUATORS = {
    Num: _num,
    Name: _name,
    Const: _const,
    Add: _add,
    Mul: _mul,
    Div: _div,
    Pow: _pow,
    Neg: _neg,
    Root: _root,
    Func: _func,
    Factorial: _factorial,
    Apply: _apply,
    Big: _big,
}
