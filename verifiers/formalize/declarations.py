"""Declared names get their meaning from the prose around them.

"be positive real numbers", "for all real numbers", "non-negative", "different from 1", "positive
integers" (parameters), "the side lengths of a triangle", "add up to 1"; qualifiers such as
$\\in (0, 1)$ or $> 0$; and the integer parameters behind families x_1, ..., x_n.
"""

from __future__ import annotations

import re

import sympy as sp
from qed.verifiers.formalize.conditions import is_constant_node
from qed.verifiers.formalize.domains import (
    bound_set,
    integer_low,
    interval_set,
    number_set,
    read_domain_words,
)
from qed.verifiers.formalize.errors import FormalizeError
from qed.verifiers.formalize.evaluate import Context, evaluate
from qed.verifiers.formalize.segments import (
    Segment,
    raw_after,
    raw_before,
    sentence_of,
    sentence_pieces,
    text_after,
    text_before,
)
from qed.verifiers.formalize.statement_parts import Decl, Parameter, Reading, Variable
from qed.verifiers.formalize.triangles import (
    declare_angles,
    declare_quantities,
    given_quantities,
    named_triangle,
    quantity_roles,
)
from qed.verifiers.latex.tree import (
    IntervalNode,
    Member,
    Name,
    NumberSet,
    Rel,
    walk,
)

_JOINER = re.compile(r"^\s*(,|and|,\s*and|as well as)?\s*$", re.I)


_AFTER_CUT = re.compile(
    r"\b(such that|which|satisfying|satisfy|satisfies|where|so that|for which|whose|with|"
    r"add up|adds up|sum up|sum to|and|let|consider|find|determine|prove)\b|[.;:]",
    re.I,
)


# Quantity lists run across "and" ("be its area and circumradius"), so they are cut less eagerly.
_ROLE_CUT = re.compile(
    r"\b(such that|satisfying|where|so that|for which|consider|find|determine|prove)\b|[.;:]",
    re.I,
)


_BEFORE_CUT = re.compile(
    r".*(\blet\b|\bfor all\b|\bfor any\b|\bfor every\b|\bfor each\b|\bsuch that\b|"
    r"\bsatisfying\b|\bwhere\b|\bwith\b|\band\b|[.,;:])",
    re.I | re.S,
)


_TRIANGLE_PARTS = re.compile(r"\s*(?:the\s+)?(?:angles|sides|side lengths)\s*", re.I)

_NUMBER = r"(-?\d+(?:\.\d+)?(?:/\d+)?)"


_SUMS_TO = re.compile(
    r"^\s*(?:add|adds|sum|sums)\s+up\s+to\s+"
    + _NUMBER
    + r"|^\s*sum\s+to\s+"
    + _NUMBER
    + r"|^[^.;$]*?\b(?:whose|their|with)\s+sum\s+(?:is|equals|equal to|being)\s+"
    + _NUMBER,
    re.I,
)


_PRODUCT_IS = re.compile(
    r"^[^.;$]*?\b(?:whose|their|with)\s+product\s+(?:is|equals|equal to|being)\s+" + _NUMBER,
    re.I,
)


_PROSE_DEFINITION = re.compile(
    r"^\s*(?:represents|denotes|stands for|is|be)\s+the\s+(?:maximum|minimum|maximal|minimal|"
    r"largest|smallest|greatest|least|best|optimal|extreme)",
    re.I,
)


def _groups(decls: list[Decl], segments: list[Segment]) -> list[list[Decl]]:
    groups: list[list[Decl]] = []
    for d in decls:
        if (
            groups
            and groups[-1][-1].k + 2 == d.k
            and groups[-1][-1].qualifier is None
            and _JOINER.match(segments[d.k - 1].text)
        ):
            groups[-1].append(d)
        else:
            groups.append([d])
    return groups


def _domain_text(segments: list[Segment], first: int, last: int) -> tuple[str, int, str]:
    """The prose that qualifies a declaration: (text before, its offset in segment first - 1,
    text after, which starts segment last + 1)."""
    after = text_after(segments, last)
    after = _AFTER_CUT.split(after, maxsplit=1)[0]
    before = text_before(segments, first)
    m = _BEFORE_CUT.match(before)
    offset = m.end() if m else 0
    if m and m.group(1).lower() == "with" and _TRIANGLE_PARTS.fullmatch(before[offset:]):
        # "In an acute triangle with angles $A, B, C$": the triangle's words are before "with"
        head = before[: m.start(1)]
        m2 = _BEFORE_CUT.match(head)
        if re.search(r"\btriangle\b", head[m2.end() if m2 else 0:], re.I):
            offset = m2.end() if m2 else 0
    return before[offset:], offset, after


def _consume_around(
    reading: Reading, segments: list[Segment], first: int, last: int, before_offset: int,
    before: str, after: str, kinds: set[str],
) -> None:
    if kinds and first > 0 and segments[first - 1].kind == "text":
        reading.consumption.consume(first - 1, before_offset, before, kinds)
    if kinds and last + 1 < len(segments) and segments[last + 1].kind == "text":
        reading.consumption.consume(last + 1, 0, after, kinds)


def consume_in_sentence(reading: Reading, segments: list[Segment], k: int, kinds: set[str]) -> None:
    """Mark the words of `kinds` in the prose of the sentence that holds segment k."""
    for j, start, text in sentence_pieces(segments, k):
        reading.consumption.consume(j, start, text, kinds)


def apply_declarations(segments: list[Segment], decls: list[Decl], reading: Reading) -> None:
    for gid, group in enumerate(_groups(decls, segments)):
        first, last = group[0].k, group[-1].k
        before, before_offset, after = _domain_text(segments, first, last)
        sentence = sentence_of(segments, last)
        names = [n for d in group for n in d.names]
        if _PROSE_DEFINITION.match(text_after(segments, last)):
            shown = ", ".join(n for n, _ in names)
            raise FormalizeError(f"{shown} is defined in words, not by a formula")
        roles = quantity_roles(
            _ROLE_CUT.split(text_after(segments, last), maxsplit=1)[0]
        ) or quantity_roles(before)
        if roles:
            declare_quantities(names, roles, raw_after(segments, last), reading)
            consume_in_sentence(reading, segments, last, {"triangle"})
            continue
        words = read_domain_words(
            before
            + " "
            + after
            + (
                " triangle"
                if re.search(r"triangle", sentence) and re.search(r"side", before + after)
                else ""
            )
        )
        used = set(words.used)
        if words.integer:
            for name, _ in names:
                reading.parameters.setdefault(name, Parameter(name))
                if words.integer_low is not None:
                    reading.parameters[name].low = words.integer_low
            _consume_around(reading, segments, first, last, before_offset, before, after, used)
            for d in group:  # "$n \geq 3$ be an integer": the bound is part of the declaration
                if d.qualifier is not None:
                    _apply_qualifier(d, reading)
            continue
        for name, size in names:
            var = reading.variables.get(name)
            if var is None:
                if name in reading.parameters or _is_family_reference(name, reading):
                    continue
                var = reading.variables.setdefault(name, Variable(name, gid, size))
            if words.real_set is not None:
                var.domain = var.domain.intersect(words.real_set)
                var.stated = True
            for point in words.excluded:
                var.domain = sp.Complement(var.domain, sp.FiniteSet(point))
        if words.distinct:
            plain = [name for name, size in names if size is None]
            if len(plain) != len(names) or len(plain) < 2:
                raise FormalizeError("condition not understood: 'distinct' for a family of variables")
            reading.distinct_groups.append(plain)
        if words.triangle_sides and len(names) == 3:
            for name, _ in names:
                reading.variables[name].role = "side"
            key = named_triangle(raw_before(segments, first), raw_after(segments, last)) or "ABC"
            if reading.triangles.get(key) is not None:
                raise FormalizeError(f"triangle {key} is given two sets of side lengths")
            reading.triangles[key] = None
            reading.main_triangle = key
            given_quantities(sentence, key, reading)
            used |= {"triangle"}
            consume_in_sentence(reading, segments, last, {"triangle"})
            if words.acute:
                reading.acute.add(key)
                used.add("acute")
                consume_in_sentence(reading, segments, last, {"acute"})
            if re.search(r"\bright(?:-angled)?\s+triangle", sentence, re.I):
                m = re.search(r"hypotenuse\s*(?:is\s*)?\$\s*([A-Za-z])\s*\$", sentence)
                side_names = [n for n, _ in names]
                hypotenuse = m.group(1) if m and m.group(1) in side_names else side_names[-1]
                reading.right_angle = hypotenuse
                consume_in_sentence(reading, segments, last, {"right"})
                if not m:
                    reading.notes.append(f"right triangle: {hypotenuse} taken as the hypotenuse")
                    reading.assumptions.append(f"the hypotenuse of the right triangle is taken to be {hypotenuse}")
        elif words.triangle_angles and len(names) == 3:
            declare_angles([n for n, _ in names], reading, acute=words.acute)
            used |= {"triangle"} | ({"acute"} if words.acute else set())
            consume_in_sentence(reading, segments, last, used & {"triangle", "acute"})
        _consume_around(reading, segments, first, last, before_offset, before, after, used)
        for d in group:
            if d.qualifier is not None:
                _apply_qualifier(d, reading)
        after_group = text_after(segments, last)
        for pattern, combine in ((_SUMS_TO, "sum"), (_PRODUCT_IS, "product")):
            m = pattern.search(after_group)
            if m:
                value = sp.Rational(next(g for g in m.groups() if g is not None))
                reading.sums_to.append(([n for n, _ in names], value, combine))
                reading.consumption.consume(last + 1, m.start(), m.group(0), {"sum_product"})


def _is_family_reference(name: str, reading: Reading) -> bool:
    """`x_i` or `\\alpha_i` in "for all $x_i$" refers back to a declared family."""
    base, _, label = name.rpartition("_")
    var = reading.variables.get(base)
    return bool(base) and var is not None and var.family_size is not None and label.isalpha()


def _apply_qualifier(decl: Decl, reading: Reading) -> None:
    q = decl.qualifier
    names = [n for n, _ in decl.names]
    if isinstance(q, Member):
        if isinstance(q.set, NumberSet):
            what, value = number_set(q.set)
            if what == "integer":
                for name in names:
                    reading.variables.pop(name, None)
                    param = reading.parameters.setdefault(name, Parameter(name))
                    param.low = (
                        max(param.low, int(value)) if name in reading.parameters else int(value)
                    )
                return
            domain = value
        elif isinstance(q.set, IntervalNode):
            ctx = Context()
            domain = interval_set(q.set, evaluate(q.set.lo, ctx), evaluate(q.set.hi, ctx))
        else:
            raise FormalizeError("a membership in a set that is not an interval or number set")
        for name in names:
            var = reading.variables.get(name)
            if var is not None:
                var.domain = var.domain.intersect(domain)
                var.stated = True
        return
    assert isinstance(q, Rel)
    items = q.items
    for j in range(1, len(items), 2):
        left, op, right = items[j - 1], items[j], items[j + 1]
        if isinstance(left, Name) and is_constant_node(right):
            value, on_left = evaluate(right, Context()), True
        elif isinstance(right, Name) and is_constant_node(left):
            value, on_left = evaluate(left, Context()), False
        else:
            raise FormalizeError("cannot read a bound on the declared variables")
        for name in names:
            if name in reading.parameters:
                _bound_parameter(reading.parameters[name], op, value, on_left)
                continue
            var = reading.variables.get(name)
            if var is not None:
                var.domain = var.domain.intersect(bound_set(op, value, on_left))
                var.stated = True


def _bound_parameter(param: Parameter, op: str, value: sp.Expr, on_left: bool) -> None:
    low = integer_low(op, value, on_left)
    if low is not None:
        param.low = max(param.low, low)
        return
    flipped = op if on_left else {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
    if flipped in ("<", "<="):
        high = int(sp.ceiling(value)) - 1 if flipped == "<" else int(sp.floor(value))
        param.high = high if param.high is None else min(param.high, high)
    elif flipped == "=":
        param.low = param.high = int(value)


def _bound_parameter_by_set(param: Parameter, domain: sp.Set) -> None:
    """`$n > 2$` read before n showed up as a family length: carry the bound over."""
    if domain.inf.is_finite:
        low = int(sp.ceiling(domain.inf))
        while not domain.contains(low):
            low += 1
        param.low = max(param.low, low)
    if domain.sup.is_finite:
        high = int(sp.floor(domain.sup))
        while not domain.contains(high):
            high -= 1
        param.high = high if param.high is None else min(param.high, high)


def settle_parameters(reading: Reading, pending_bounds) -> None:
    """Family lengths and summation limits are integer parameters; apply bounds said earlier."""
    for var in reading.variables.values():
        if var.family_size is not None:
            for n in walk(var.family_size):
                if isinstance(n, Name) and n.sub is None:
                    reading.parameters.setdefault(n.base, Parameter(n.base)).counts = True
    for upper in reading.index_ranges.values():
        for n in walk(upper):
            if isinstance(n, Name) and n.sub is None:
                reading.parameters.setdefault(n.base, Parameter(n.base)).counts = True
    for name in list(reading.variables):
        if name in reading.parameters:
            var = reading.variables.pop(name)
            if var.stated:
                _bound_parameter_by_set(reading.parameters[name], var.domain)
    for name, op, value_node, on_left in pending_bounds:
        value = evaluate(value_node, Context())
        if name in reading.parameters:
            _bound_parameter(reading.parameters[name], op, value, on_left)
        elif name in reading.variables:
            var = reading.variables[name]
            var.domain = var.domain.intersect(bound_set(op, value, on_left))
            var.stated = var.stated or op != "!="
        elif name == reading.constant:
            flipped = op if on_left else {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
            reading.constant_bounds.append((flipped, value))
            reading.notes.append(f"the constant must satisfy {name} {flipped} {value}")
        else:
            var = reading.variables.setdefault(name, Variable(name, 1000 + len(reading.variables)))
            var.domain = var.domain.intersect(bound_set(op, value, on_left))
            var.stated = True
