"""A statement's formula, read by verifiers.latex, to sympy once the statement has said what each name means.

This is statement semantics, not reading: the tree comes from `latex.read_statement` and the shared
arithmetic (powers, roots, functions, their limits) from `latex.values.Evaluator`. What is left
here is what only a whole statement decides. The context carries the variables (x_1 ... x_N for a
family already instantiated), helper definitions (u = ab + bc + ca), defined functions
(f(x) = ...), integer parameters (n, k) and sum indices. Elided terms (`x_1 + x_2 + \\cdots + x_n`)
are filled in by shifting the indices of the last written term until it meets the next written
one; cyclic sums permute the variables declared together.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace

import sympy as sp
from qed.verifiers.formalize.errors import FormalizeError
from qed.verifiers.input_limits import MAX_TERMS, count
from qed.verifiers.latex.ambiguity import STATEMENT
from qed.verifiers.latex.tree import (
    Apply,
    Big,
    EllipsisMark,
    Mul,
    Name,
    Node,
    Num,
    Rel,
    Seq,
)
from qed.verifiers.latex.values import Evaluator, describe

_MEMBER = re.compile(r"^(.+)_(\d+)$")
RELATION_CLASSES = {"<=": sp.Le, ">=": sp.Ge, "<": sp.Lt, ">": sp.Gt, "=": sp.Eq, "!=": sp.Ne}


@dataclass
class Context:
    names: dict[str, sp.Expr] = field(default_factory=dict)  # variables and definitions
    indices: dict[str, int] = field(default_factory=dict)  # parameters and bound sum indices
    cyclic_groups: list[list[sp.Symbol]] = field(default_factory=list)
    functions: dict[str, sp.Lambda] = field(default_factory=dict)  # f(x) = ... definitions
    notes: list[str] = field(default_factory=list)

    def with_indices(self, **values: int) -> Context:
        return replace(self, indices={**self.indices, **values})


def evaluate(node: Node, ctx: Context) -> sp.Expr:
    """The sympy value of an expression node (relations go through `relations`)."""
    return StatementEvaluator(ctx).value(node)


def relations(node: Node, ctx: Context) -> list[sp.Basic]:
    """A relation chain a <= b < c as its links [a <= b, b < c]."""
    if not isinstance(node, Rel):
        raise FormalizeError(f"expected a relation, found {describe(node)}")
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


class StatementEvaluator(Evaluator):
    """Names, calls, sums and ellipses as the statement's context says (readings: STATEMENT)."""

    error = FormalizeError

    def __init__(self, ctx: Context):
        super().__init__(STATEMENT)
        self.ctx = ctx

    def name(self, node: Name) -> sp.Expr:
        ctx = self.ctx
        full = name_of(node, ctx)
        if full in ctx.indices:
            return sp.Integer(ctx.indices[full])
        if full in ctx.names:
            return ctx.names[full]
        if full == "e":  # STATEMENT reads e as Euler's number unless the statement introduced it
            return sp.E
        shown = full if node.sub is None else f"{node.base}_{{{full.split('_', 1)[1]}}}"
        raise FormalizeError(f"'{shown}' is used but never introduced")

    def apply(self, node: Apply) -> sp.Expr:
        name = name_of(node.func, self.ctx)
        args = [self.value(a) for a in node.args]
        if name in self.ctx.functions:
            function = self.ctx.functions[name]
            if len(args) != len(function.variables):
                raise FormalizeError(f"{name} takes {len(function.variables)} argument(s)")
            return function(*args)
        if len(args) != 1:
            raise FormalizeError(f"'{name}' is applied to a list but is not a defined function")
        return self.value(node.func) * args[0]

    def called_power(self, node: Apply, exp: sp.Expr) -> sp.Expr:
        # C(a + b)^3 is C * (a + b)^3 unless C is a defined function
        if name_of(node.func, self.ctx) in self.ctx.functions:
            return self.power(self.apply(node), exp)
        return self.value(node.func) * self.power(self.value(node.args[0]), exp)

    def big(self, node: Big) -> sp.Expr:
        ctx = self.ctx
        combine = sp.Add if node.op == "sum" else sp.Mul
        kind = node.spec[0]
        if kind == "range":
            _, indices, lo_node, hi_node = node.spec
            lo, hi = self._integer(lo_node), self._integer(hi_node)
            _check_terms(max(0, hi - lo + 1) ** len(indices))
            terms = [
                evaluate(node.body, ctx.with_indices(**dict(zip(indices, values, strict=True))))
                for values in itertools.product(range(lo, hi + 1), repeat=len(indices))
            ]
            return combine(*terms)
        if kind == "pairs":
            _, i, j, lo_node, hi_node = node.spec
            lo, hi = self._integer(lo_node), self._integer(hi_node)
            size = max(0, hi - lo + 1)
            _check_terms(size * (size - 1) // 2)
            terms = [
                evaluate(node.body, ctx.with_indices(**{i: a, j: b}))
                for a in range(lo, hi + 1)
                for b in range(a + 1, hi + 1)
            ]
            return combine(*terms)
        body = self.value(node.body)
        if kind == "plain":
            ctx.notes.append("a \\sum or \\prod without limits was read as cyclic")
        return combine(*permuted_copies(body, ctx.cyclic_groups, symmetric=kind == "sym"))

    def _integer(self, node: Node) -> int:
        value = self.value(node)
        if not value.is_Integer:
            raise FormalizeError(f"a summation limit {value} is not an integer")
        return int(value)

    def items(self, items: list, value_of, what: str) -> list[sp.Expr]:
        """A sum's terms (or a product's factors, a list's items), each ellipsis filled in."""
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
            middle, drop_next = fill_ellipsis(out, nxt, self.ctx)
            out.extend(middle)
            if not drop_next:
                out.append(nxt)
            k += 2
        return out


def _check_terms(n: int) -> None:
    if n > MAX_TERMS:
        raise FormalizeError(f"a sum or product of {count(n)} terms, more than the {count(MAX_TERMS)} QED expands")


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
