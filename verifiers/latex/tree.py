"""The parsed shape of a formula before any meaning is attached.

One tree serves both front-ends: the formalizer evaluates it in the context a statement builds
(a statement about x_1, ..., x_n is parsed once and evaluated for n = 3, 4, 5, ...; `\\sum_{cyc}`
is expanded once the variables are known), and read_formula evaluates it as it stands. Every node
may carry `span`, its (start, end) in the source; spans never take part in comparisons.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class Node:
    """Base of every tree node."""

    span: tuple[int, int] | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True)
class EllipsisMark(Node):
    """`\\cdots` inside a sum, product or list: the terms it stands for are inferred."""


ELLIPSIS = EllipsisMark()


@dataclass(frozen=True)
class Num(Node):
    text: str


@dataclass(frozen=True)
class Name(Node):
    """A letter or Greek letter, possibly subscripted: x, x_1, x_{n-1}, l_{\\alpha}.

    `label` is the subscript as written, tokens joined (`n+1` for x_{n+1}): a formula read as it
    stands names its symbol by it; a statement evaluates the subscript in its context instead."""

    base: str
    sub: Node | None = None
    label: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Const(Node):
    name: str  # "pi", "oo" or "E" (`\mathrm{e}`)


@dataclass(frozen=True)
class Add(Node):
    items: tuple[tuple[int, Node] | EllipsisMark, ...]  # (sign, term) pairs and ellipses


@dataclass(frozen=True)
class Mul(Node):
    items: tuple[Node, ...]  # factors and ellipses


@dataclass(frozen=True)
class Div(Node):
    num: Node
    den: Node


@dataclass(frozen=True)
class Pow(Node):
    base: Node
    exp: Node


@dataclass(frozen=True)
class Neg(Node):
    arg: Node


@dataclass(frozen=True)
class Root(Node):
    arg: Node
    index: Node | None = None


@dataclass(frozen=True)
class Func(Node):
    """sin, log, abs, max, min, binom, ...; `power` is the p of sin^p x, `base` the b of log_b."""

    name: str
    args: tuple[Node, ...]
    power: Node | None = None
    base: Node | None = None


@dataclass(frozen=True)
class Apply(Node):
    """A letter right before a bracket, `f(x + 1)`: a call when f is a function, otherwise a
    product (a(b + c)); which one is the front-end's choice (see ambiguity)."""

    func: Name
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Factorial(Node):
    arg: Node


@dataclass(frozen=True)
class Big(Node):
    """A sum or product. spec: ("range", indices, lo, hi) | ("pairs", i, j, lo, hi) |
    ("cyc",) | ("sym",) | ("plain",)."""

    op: str  # "sum" or "prod"
    spec: tuple
    body: Node


@dataclass(frozen=True)
class Text(Node):
    content: str


@dataclass(frozen=True)
class Rel(Node):
    """A chain a op b op c ...: items alternate expressions and operators ("<=", "=", ...)."""

    items: tuple


@dataclass(frozen=True)
class NumberSet(Node):
    """\\mathbb{R}^+, \\mathbb{N}, ...: letter R/N/Z/Q and what the scripts said ("+", "+0", ">0")."""

    letter: str
    qualifier: str = ""


@dataclass(frozen=True)
class IntervalNode(Node):
    lo: Node
    hi: Node
    left_open: bool
    right_open: bool


@dataclass(frozen=True)
class Member(Node):
    element: Node
    set: Node


@dataclass(frozen=True)
class Seq(Node):
    """A comma-separated list: `a, b, c > 0`, `x_1, x_2, \\ldots, x_n`, the arguments of max."""

    items: tuple[Node, ...]


def walk(node: Node):
    """Every node of the tree, depth first."""
    yield node
    for f in fields(node):
        if f.name != "span":
            yield from _walk_value(getattr(node, f.name))


def _walk_value(value):
    if isinstance(value, Node):
        yield from walk(value)
    elif isinstance(value, tuple):
        for item in value:
            yield from _walk_value(item)
