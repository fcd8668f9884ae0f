"""What a statement says, before any instantiation: declarations, conditions, the main formula.

Prose is read only where it carries mathematics: the words after (or before) a list of
variables give their domain ("be positive real numbers", "for all real numbers", "the lengths of
the sides of a triangle", "denote the area, perimeter and circumradius"); "add up to 1" is a
constraint. Every formula outside the main display is a declaration ($a, b, c > 0$,
$x_1, \\ldots, x_n \\in \\mathbb{R}^+$), a condition ($abc = 1$), a helper definition
($u = ab + bc + ca$) or a mention that carries no condition ($C$, $\\triangle ABC$). A formula
that looks like a condition but cannot be read makes the whole statement fail: dropping a
condition silently would change the problem.
"""

from __future__ import annotations

import re

from qed.verifiers import latex
from qed.verifiers.formalize.conditions import classify, try_parse
from qed.verifiers.formalize.declarations import apply_declarations, settle_parameters
from qed.verifiers.formalize.errors import FormalizeError
from qed.verifiers.formalize.evaluate import name_of
from qed.verifiers.formalize.restricting import (
    Word,
    require_all_read,
    restricting_words,
    words_in_segments,
)
from qed.verifiers.formalize.segments import (
    Segment,
    clean_statement,
    split_segments,
    text_before,
)
from qed.verifiers.formalize.statement_parts import Decl, Reading
from qed.verifiers.formalize.triangles import (
    constant_inside_a_function,
    implicit_triangle,
    implicit_vertices,
    read_triangle_kinds,
)
from qed.verifiers.latex.tree import (
    Apply,
    Member,
    Name,
    Node,
    Rel,
    Seq,
    Text,
    walk,
)

BLANK = re.compile(r"\((?:\s|\\quad|\\qquad|\\[,;: ]|~)*\)")


_EXTREME_WORDS = (
    r"largest|greatest|maximal|maximum|biggest|smallest|least|minimal|minimum|best|optimal"
)


_CONSTANT_PATTERNS = [
    re.compile(r"\bconstants?\s*\$([^$]{1,20})\$", re.I),
    re.compile(
        rf"\b(?:{_EXTREME_WORDS})\s+(?:possible\s+)?(?:positive\s+|non-?negative\s+)?"
        r"(?:real\s+)?(?:number|value|constant|coefficient|parameter|integer)?\s*(?:of\s+)?"
        r"\$([^$]{1,20})\$",
        re.I,
    ),
    re.compile(r"\b(?:value|coefficient|parameter)\s+(?:of\s+)?\$([^$]{1,20})\$", re.I),
]


_LARGEST = re.compile(r"\b(largest|greatest|maximal|maximum|biggest|max)\b", re.I)


_SMALLEST = re.compile(r"\b(smallest|least|minimal|minimum|min)\b", re.I)


# A formula after these words says when equality holds; it does not restrict the variables.
_NOT_A_CONDITION = re.compile(
    r"(?:\bequality\b[^.$]*?\b(?:if and only if|iff|only if|if|when|whenever|exactly when|for|at)"
    r"|\b(?:attained|achieved|reached|occurs)\s+(?:at|when|for|if|iff))\s*$",
    re.I,
)


_CONDITION_HINT = re.compile(r"[<>=]|\\(?:le|ge|leq|geq|neq|ne|in|lt|gt)\b")


def read_statement(statement: str, kind: str) -> Reading:
    """Read a bound or relation statement; raises FormalizeError with a one-line reason."""
    segments = split_segments(clean_statement(statement))
    words = _restricting_words(segments)
    reading = Reading(kind=kind)
    if kind == "relation":
        main = _find_blank(segments)
        _read_relation_main(segments[main].text, reading)
    elif kind == "bound":
        reading.constant, reading.asked, main, windows = _find_constant_and_main(segments)
        _read_constant_words(segments, windows, reading)
        _read_bound_main(segments[main].text, reading)
    else:
        raise FormalizeError(f"only bound and relation problems are formalized, not {kind!r}")
    _read_context(segments, main, reading)
    if kind == "bound":
        _mark_real_parameters(segments, reading)
    read_triangle_kinds(words, reading)
    require_all_read(words, reading.consumption, lambda w: _context_of(segments, w))
    return reading


def _restricting_words(segments: list[Segment]) -> list[Word]:
    """Restricting words in the prose, and in \\text{...} inside formulas."""
    pieces: list[tuple[int, str]] = []
    for k, seg in enumerate(segments):
        if seg.kind == "text":
            pieces.append((k, seg.text))
        else:
            for m in _TEXT_IN_MATH.finditer(seg.text):
                pieces.append((k, " " * m.start(1) + m.group(1)))
    return words_in_segments(pieces)


_TEXT_IN_MATH = re.compile(r"\\(?:text|mbox|textrm|mathrm)\s*\{([^{}]*)\}")


def _context_of(segments: list[Segment], w: Word) -> str:
    text = segments[w.segment].text
    start = max(0, w.start - 40)
    piece = " ".join(text[start : w.end + 30].split())
    return ("..." if start > 0 else "") + piece + ("..." if w.end + 30 < len(text) else "")


# "the largest positive constant", "the smallest real number": what the constant may be.
_CONSTANT_DOMAIN = (("nonnegative", "nonnegative"), ("positive", "positive"), ("integer", "integer"))


def _read_constant_words(segments: list[Segment], windows: list[tuple[int, int]], reading: Reading) -> None:
    """Sign and integrality said of the constant itself ("largest positive constant C")."""
    starts, pos = [], 0
    for k, seg in enumerate(segments):
        starts.append((pos, k))
        pos += len(seg.text) if seg.kind == "text" else len(seg.text) + 2
    for a, b in windows:
        for seg_start, k in starts:
            seg = segments[k]
            if seg.kind != "text":
                continue
            lo, hi = max(a, seg_start), min(b, seg_start + len(seg.text))
            if lo >= hi:
                continue
            piece = seg.text[lo - seg_start : hi - seg_start]
            for _s, _e, kind, _w in restricting_words(piece):
                for word_kind, domain in _CONSTANT_DOMAIN:
                    if kind == word_kind and reading.constant_domain in (None, domain):
                        reading.constant_domain = domain
            reading.consumption.consume(k, lo - seg_start, piece, {"positive", "nonnegative", "integer"})


def _find_blank(segments: list[Segment]) -> int:
    for k, seg in enumerate(segments):
        if seg.kind == "math" and BLANK.search(seg.text):
            return k
    raise FormalizeError("no blank '()' between two expressions to compare")


def _strip_definition(node: Node) -> Node:
    """`S = a + b + 1/a` in the main display names the expression; keep the expression."""
    if isinstance(node, Rel) and node.items[1] == "=" and isinstance(node.items[0], Name):
        return node.items[2] if len(node.items) == 3 else Rel(node.items[2:])
    return node


def _read_relation_main(text: str, reading: Reading) -> None:
    parts = BLANK.split(text)
    if len(parts) != 2:
        raise FormalizeError("the display has more than one blank '()'")
    sides = []
    for part in parts:
        if not part.strip().strip(".,"):
            raise FormalizeError("one side of the blank '()' is empty")
        node = _strip_definition(latex.read_statement(part))
        if isinstance(node, Rel):  # "0 <= E () 1": E is what is compared
            node = node.items[-1] if not sides else node.items[0]
            reading.notes.append(
                "a side of the blank was part of a chain; the term next to it is used"
            )
        for sub in walk(node):
            if isinstance(sub, Text):
                raise FormalizeError(
                    f"a side of the comparison is prose, not a formula: '{sub.content}'"
                )
        if isinstance(node, (Rel, Seq, Member)):
            raise FormalizeError("a side of the comparison is not a single expression")
        sides.append(node)
    reading.lhs, reading.rhs = sides


def _constant_candidates(segments: list[Segment]) -> list[tuple[str, str | None, list[tuple[int, int]]]]:
    """Names the statement may be asking about, most explicit wording first, each with the
    direction asked ("largest", "smallest" or None when the wording says neither or both) and
    the stretches of prose (offsets in the joined statement) that name it."""
    prose = "".join(s.text if s.kind == "text" else f"${s.text}$" for s in segments)
    found: dict[str, tuple[bool, bool]] = {}
    windows: dict[str, list[tuple[int, int]]] = {}
    for pattern in _CONSTANT_PATTERNS:
        for m in pattern.finditer(prose):
            node = try_parse(m.group(1))
            if not isinstance(node, Name):
                continue
            name = name_of(node)
            window = prose[max(0, m.start() - 60) : m.end() - len(m.group(1)) - 1]
            window = window.split(". ")[-1]
            largest, smallest = found.get(name, (False, False))
            found[name] = (
                largest or bool(_LARGEST.search(window)),
                smallest or bool(_SMALLEST.search(window)),
            )
            windows.setdefault(name, []).append((m.start(), m.start(1)))
    out = []
    for name, (largest, smallest) in found.items():
        asked = "largest" if largest and not smallest else None
        asked = "smallest" if smallest and not largest else asked
        out.append((name, asked, windows[name]))
    return out


def _find_constant_and_main(segments: list[Segment]) -> tuple[str, str | None, int, list[tuple[int, int]]]:
    candidates = _constant_candidates(segments)
    if not candidates:
        raise FormalizeError("cannot tell which constant the problem asks for")
    first_error: latex.LatexError | None = None
    for name, asked, windows in candidates:
        try:
            return name, asked, _find_bound_main(segments, name), windows
        except latex.LatexError as e:
            first_error = first_error or e
    assert first_error is not None
    raise first_error


def _mentions(node: Node, name: str) -> bool:
    return any(isinstance(n, Name) and name_of(n) == name for n in walk(node))


def _find_bound_main(segments: list[Segment], constant: str) -> int:
    candidates: list[tuple[bool, int]] = []
    first_error: latex.LatexError | None = None
    for k, seg in enumerate(segments):
        if seg.kind != "math" or not _CONDITION_HINT.search(seg.text):
            continue
        try:
            node = latex.read_statement(seg.text)
        except latex.LatexError as e:
            if re.search(rf"(?<![A-Za-z\\]){re.escape(constant)}(?![A-Za-z])", seg.text):
                first_error = first_error or e
            continue
        if isinstance(node, Rel) and _mentions(node, constant):
            candidates.append((seg.display, k))
    if not candidates:
        if first_error is not None:
            raise first_error
        raise FormalizeError(f"no inequality involving the constant {constant}")
    displays = [k for display, k in candidates if display]
    return (displays or [k for _, k in candidates])[-1]


def _read_bound_main(text: str, reading: Reading) -> None:
    node = latex.read_statement(text)
    assert isinstance(node, Rel)
    items = list(node.items)
    # drop a leading "S =" that only names the expression
    while len(items) >= 5 and items[1] == "=" and isinstance(items[0], Name):
        items = items[2:]
    links = [Rel((items[k - 1], items[k], items[k + 1])) for k in range(1, len(items), 2)]
    with_constant = [link for link in links if _mentions(link, reading.constant or "")]
    if len(with_constant) != 1:
        raise FormalizeError(
            "the constant appears in more than one link of a chain of inequalities"
        )
    reading.relation = with_constant[0]
    if any(isinstance(n, Text) for n in walk(reading.relation)):
        raise FormalizeError("the inequality with the constant contains prose")


def _read_context(segments: list[Segment], main: int, reading: Reading) -> None:
    decls: list[Decl] = []
    pending_bounds: list[tuple[str, str, Node, bool]] = []  # name, op, value node, var on left
    equations: list[Rel] = []  # name = expression: definitions or conditions, decided below
    for k, seg in enumerate(segments):
        if seg.kind != "math" or k == main:
            continue
        if _NOT_A_CONDITION.search(text_before(segments, k)):
            reading.notes.append(f"${seg.text}$ describes the equality case, not a condition")
            continue
        try:
            node = latex.read_statement(seg.text)
        except latex.LatexError as e:
            if _CONDITION_HINT.search(seg.text):
                raise FormalizeError(f"cannot read the condition: {e}") from None
            reading.notes.append(f"ignored a formula it could not read: ${seg.text}$")
            continue
        classify(node, k, segments, reading, decls, pending_bounds, equations)
    apply_declarations(segments, decls, reading)
    settle_parameters(reading, pending_bounds)
    if reading.constant is not None:
        _separate_constant_from_angle(reading)
        if reading.variables.pop(reading.constant, None) is not None:
            reading.notes.append(f"{reading.constant} is the constant asked for, not a variable")
    for rel in equations:
        head = rel.items[0]
        name = name_of(head.func if isinstance(head, Apply) else head)
        if name in reading.variables or name in reading.parameters or name == reading.constant:
            reading.constraints.append(rel)
        elif isinstance(head, Apply):
            params = [name_of(a) for a in head.args]
            reading.functions.append((name, params, rel.items[2]))
        else:
            reading.definitions.append((name, rel.items[2]))
    implicit_vertices(segments, reading)
    if reading.quantities and reading.main_triangle is None:
        implicit_triangle(reading)


def _separate_constant_from_angle(reading: Reading) -> None:
    """"the largest constant C ... for all angles A, B, C": the formula's C is the constant and the
    triangle's third angle gets another name, unless C also sits inside sin, cos, ... where it can
    only be the angle; then the statement is ambiguous and the reading stops."""
    name = reading.constant
    groups = [g for g in reading.angle_groups if name in g]
    if not groups:
        return
    if constant_inside_a_function(reading):
        raise FormalizeError(
            f"the letter {name} names both the constant asked for and an angle of the triangle"
        )
    fresh = f"{name}_angle"
    for g in groups:
        g[g.index(name)] = fresh
    var = reading.variables.pop(name)
    var.name = fresh
    reading.variables[fresh] = var
    reading.notes.append(
        f"{name} is the constant asked for; the triangle's angle {name} is called {fresh}"
    )


_DEPENDS = re.compile(
    r"(?:depending|depends|dependent)\s+(?:only\s+)?(?:up)?on\s+\$([^$]+)\$|\bin\s+terms\s+of\s+\$([^$]+)\$"
    r"|\$([^$]+)\$\s+(?:is|be)\s+(?:a\s+)?(?:fixed|given)\b|\b(?:a\s+)?(?:fixed|given)\s+(?:positive\s+|"
    r"non-?negative\s+)?(?:real\s+)?(?:number|constant|parameter)?\s*\$([^$]+)\$",
    re.I,
)
_FOR_ALL = re.compile(
    r"\bfor\s+(?:all|every|any|each)\s+(?:(?:positive|non-?negative|real|reals|numbers?)\s+)*\$([^$]+)\$", re.I
)


def _mark_real_parameters(segments: list[Segment], reading: Reading) -> None:
    """A real number the answer may depend on: "C depending on $k$", "a fixed $k > 0$", or a
    declared variable left out of the question's own "for all $x, y$". It is kept out of the
    search; the engine solves for the constant as a function of it."""
    prose = "".join(seg.text if seg.kind == "text" else f"${seg.text}$" for seg in segments)
    named: set[str] = set()
    for m in _DEPENDS.finditer(prose):
        node = try_parse(next(g for g in m.groups() if g is not None))
        items = node.items if isinstance(node, Seq) else [node]
        for item in items:
            target = item.element if isinstance(item, Member) else item
            if isinstance(target, Rel):
                target = target.items[0]
            if isinstance(target, Name):
                named.add(name_of(target))
    quantified: list[set[str]] = []
    for m in _FOR_ALL.finditer(prose):
        node = try_parse(m.group(1))
        items = node.items if isinstance(node, Seq) else [node]
        inner = [i.element if isinstance(i, Member) else i for i in items]
        inner = [i.items[0] if isinstance(i, Rel) else i for i in inner]
        if inner and all(isinstance(i, Name) for i in inner):
            quantified.append({name_of(i) for i in inner})
    in_relation = {name_of(n) for n in walk(reading.relation) if isinstance(n, Name)} if reading.relation is not None else set()
    free = {n for n, v in reading.variables.items() if v.role == "free" and v.family_size is None}
    if quantified:
        listed = set().union(*quantified)
        if listed & free:
            named |= {n for n in free - listed if n in in_relation}
    for name in sorted(named & free):
        var = reading.variables.pop(name)
        reading.real_parameters[name] = var.domain
        reading.notes.append(f"{name} is a parameter of the answer (real, in {var.domain}), not a variable")
