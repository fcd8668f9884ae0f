"""Sorting the formulas around the main display: declarations, conditions, definitions.

Each formula outside the main display is a declaration ($a, b, c > 0$, $x_1, \\ldots, x_n$), a
condition ($abc = 1$), an equation that is a helper definition or a condition (decided once all
declarations are read), or a mention that carries no condition ($\\triangle ABC$).
"""

from __future__ import annotations

import re

from qed.verifiers import latex
from qed.verifiers.formalize.errors import FormalizeError
from qed.verifiers.formalize.evaluate import name_of
from qed.verifiers.formalize.segments import (
    Segment,
    text_before,
)
from qed.verifiers.formalize.statement_parts import Decl, Reading
from qed.verifiers.formalize.triangles import maybe_side_list
from qed.verifiers.latex.tree import (
    Apply,
    EllipsisMark,
    IntervalNode,
    Member,
    Mul,
    Name,
    Node,
    Num,
    Rel,
    Seq,
    Text,
    walk,
)


def try_parse(text: str) -> Node | None:
    """The tree of a formula, or None when it does not parse (for optional readings)."""
    try:
        return latex.read_statement(text)
    except latex.LatexError:
        return None


def classify(
    node: Node,
    k: int,
    segments: list[Segment],
    reading: Reading,
    decls: list[Decl],
    pending_bounds: list[tuple[str, str, Node, bool]],
    equations: list[Rel],
) -> None:
    """File formula k: declarations into `decls`, one-name bounds into `pending_bounds`,
    `name = expression` into `equations` (definitions or conditions, decided later), other
    relations into the reading's constraints; mentions are skipped."""
    items = list(node.items) if isinstance(node, Seq) else [node]
    items = _take_index_range(items, reading)
    if not items:
        return
    interval = _prose_interval(segments, k)
    if interval is not None and decls:
        first = decls[-1].names[0][0]
        decls.append(Decl(k, decls[-1].names, Member(Name(first), interval)))
        return
    decl = _as_declaration(items, k, reading)
    if decl is not None:
        decls.append(decl)
        return
    for item in items:
        chain_names = _chain_names(item)
        if chain_names:
            decls.append(Decl(k, [(name_of(n), None) for n in chain_names], None))
        if isinstance(item, EllipsisMark):
            raise FormalizeError(f"cannot read the list ${segments[k].text}$")
        single = _as_declaration([item], k, reading) if len(items) > 1 else None
        if single is not None:
            decls.append(single)
        elif isinstance(item, Rel):
            _relation_item(item, reading, pending_bounds, equations)
        elif isinstance(item, Member):
            raise FormalizeError(f"cannot read the membership ${segments[k].text}$")
        elif isinstance(item, (Text, Mul)) and any(isinstance(n, Text) for n in walk(item)):
            continue  # \triangle ABC and other mentions
    if not any(isinstance(i, Rel) for i in items):
        maybe_side_list(items, k, segments, reading)


def _chain_names(item: Node) -> list[Name]:
    """The names of an ordering such as `a \\geq b \\geq c > 0`: they are being introduced."""
    if not isinstance(item, Rel):
        return []
    exprs = item.items[::2]
    if any(isinstance(x, EllipsisMark) for x in exprs):
        return []  # a_1 <= ... <= a_n orders a family declared elsewhere
    names = [x for x in exprs if isinstance(x, Name)]
    if len(names) >= 2 and all(isinstance(x, Name) or is_constant_node(x) for x in exprs):
        return names
    return []


_INTERVAL_LITERAL = re.compile(r"^\s*([(\[])\s*([^,]+?)\s*,\s*([^,]+?)\s*([)\]])\s*$")


_INTERVAL_LEAD = re.compile(
    r"(?:\bin|\binside|\bbelongs? to|\blies? in|\bfrom)\s+(?:the\s+)?(?:open\s+|closed\s+)?"
    r"(?:interval|range|segment)?\s*$",
    re.I,
)


def _prose_interval(segments: list[Segment], k: int) -> IntervalNode | None:
    """`... be real numbers in the interval $[0, 1]$`: the interval the last names live in."""
    m = _INTERVAL_LITERAL.match(segments[k].text)
    if not m or not _INTERVAL_LEAD.search(text_before(segments, k)):
        return None
    lo, hi = try_parse(m.group(2)), try_parse(m.group(3))
    if lo is None or hi is None or not (is_constant_node(lo) and is_constant_node(hi)):
        return None
    return IntervalNode(lo, hi, m.group(1) == "(", m.group(4) == ")")


def _take_index_range(items: list[Node], reading: Reading) -> list[Node]:
    """`\\alpha_i > 0, i = 1, 2, \\ldots, n`: record i in 1..n and drop those items."""
    for j, item in enumerate(items):
        if (
            isinstance(item, Rel)
            and len(item.items) == 3
            and item.items[1] == "="
            and isinstance(item.items[0], Name)
            and item.items[0].sub is None
            and isinstance(item.items[2], Num)
            and j + 2 < len(items)
            and any(isinstance(x, EllipsisMark) for x in items[j + 1 :])
            and all(isinstance(x, (Num, EllipsisMark)) for x in items[j + 1 : -1])
        ):
            reading.index_ranges[item.items[0].base] = items[-1]
            return items[:j]
    return items


def is_constant_node(node: Node) -> bool:
    return not any(isinstance(n, Name) for n in walk(node))


def _family_of(names: list[Node], reading: Reading) -> list[tuple[str, Node | None]] | None:
    """Names and elided families in a list: [x_1, x_2, ..., x_n] -> [('x', n)]."""
    out: list[tuple[str, Node | None]] = []
    j = 0
    while j < len(names):
        item = names[j]
        if isinstance(item, EllipsisMark):
            if not out or j + 1 >= len(names) or not isinstance(names[j + 1], Name):
                return None
            last = names[j + 1]
            base = last.base
            # everything written before with the same base belongs to the family
            while out and out[-1][0].startswith(base + "_"):
                out.pop()
            if last.sub is None:
                return None
            out.append((base, last.sub))
            j += 2
            continue
        if not isinstance(item, Name):
            return None
        if (
            item.sub is not None
            and isinstance(item.sub, Name)
            and item.sub.base in (reading.index_ranges)
        ):
            out.append((item.base, reading.index_ranges[item.sub.base]))
        else:
            out.append((name_of(item), None))
        j += 1
    return out


def _as_declaration(items: list[Node], k: int, reading: Reading) -> Decl | None:
    """A list of names, the last possibly qualified: `a, b, c > 0`, `x, y \\in (0, 1)`."""
    *head, last = items
    qualifier: Node | None = None
    if isinstance(last, Member) and isinstance(last.element, Name):
        qualifier = last
        last_names = [last.element]
    elif isinstance(last, Member) and isinstance(last.element, Seq):
        qualifier = last
        last_names = list(last.element.items)
    elif isinstance(last, Rel) and _single_name_bound(last) is not None:
        qualifier = last
        last_names = [_single_name_bound(last)]
    else:
        last_names = [last]
    names = head + last_names
    if not all(isinstance(n, (Name, EllipsisMark)) for n in names):
        return None
    if qualifier is None and len(names) == 1 and name_of(names[0]) == reading.constant:
        return None
    family = _family_of(names, reading)
    if family is None:
        return None
    return Decl(k, family, qualifier)


def _single_name_bound(rel: Rel) -> Name | None:
    """The name in `a > 0`, `0 < x < 1`, `n \\geq 2` (one name, the rest numbers)."""
    names = [x for x in rel.items[::2] if isinstance(x, Name)]
    others = [x for x in rel.items[::2] if not isinstance(x, Name)]
    if len(names) == 1 and all(is_constant_node(o) for o in others) and "=" not in rel.items:
        return names[0]
    return None


def _relation_item(
    rel: Rel,
    reading: Reading,
    pending_bounds: list[tuple[str, str, Node, bool]],
    equations: list[Rel],
) -> None:
    items = rel.items
    defines_function = isinstance(items[0], Apply) and all(
        isinstance(a, Name) and a.sub is None for a in items[0].args
    )
    if (
        len(items) == 3
        and items[1] == "="
        and (isinstance(items[0], Name) or defines_function)
        and not (isinstance(items[0], Name) and is_constant_node(items[2]))
    ):
        equations.append(rel)  # a definition unless the name turns out to be a variable
        return
    if len(items) == 3 and isinstance(items[0], Name) and is_constant_node(items[2]):
        pending_bounds.append((name_of(items[0]), items[1], items[2], True))
        return
    if len(items) == 3 and isinstance(items[2], Name) and is_constant_node(items[0]):
        pending_bounds.append((name_of(items[2]), items[1], items[0], False))
        return
    reading.constraints.append(rel)
