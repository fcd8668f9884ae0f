"""Triangles in prose: sides, angles, named quantities (area, radii, bisectors, ...).

What a sentence names ("$P, L, R$ denote the area, perimeter and circumradius of $\\triangle
ABC$") becomes a Quantity computed from the side lengths at build time; undeclared vertex names
of a named triangle are its angles (A, B, C) and sides (a, b, c).
"""

from __future__ import annotations

import re

import sympy as sp
from qed.verifiers.formalize.errors import FormalizeError
from qed.verifiers.formalize.evaluate import name_of
from qed.verifiers.formalize.restricting import Word
from qed.verifiers.formalize.segments import (
    Segment,
    text_before,
)
from qed.verifiers.formalize.statement_parts import Quantity, Reading, Variable
from qed.verifiers.latex.tree import (
    Func,
    Name,
    Node,
    Num,
    Rel,
    walk,
)

_ROLES = re.compile(
    r"(semi-?perimeters?)|(perimeters?)|(areas?)|(circum-?radi(?:us|i)|radius of the circum\w*)"
    r"|(in-?radi(?:us|i)|radius of the in\w*)|(bisectors?)|(medians?)|(altitudes?|heights?)",
    re.I,
)


_ROLE_NAMES = (
    "semiperimeter",
    "perimeter",
    "area",
    "circumradius",
    "inradius",
    "bisector",
    "median",
    "altitude",
)


PER_VERTEX = {"bisector", "median", "altitude"}


_TRIANGLE_NAME = re.compile(
    r"(?:\\triangle|triangles?)\s*\$?\s*((?:[A-Z](?:\s*_\s*\{?\s*\d+\s*\}?)?\s*){3})(?![a-z])"
)


_BE_A_TRIANGLE = re.compile(r"\$\s*((?:[A-Z]\s*){3})\$\s*(?:be|is|denote)s?\s+a\s+triangle")


_TRIPLET = re.compile(r"(?<![A-Za-z_{])((?:[A-Z](?:\s*_\s*\{?\s*\d+\s*\}?)?\s*){3})(?![A-Za-z])")


def maybe_side_list(items: list[Node], k: int, segments: list[Segment], reading: Reading) -> None:
    """`... triangle A_1B_1C_1 with side lengths $a + b/2, b + c/2, c + a/2$`."""
    if len(items) != 3 or not re.search(r"side[- ]?lengths?|sides", text_before(segments, k)):
        return
    before = "".join(
        s.text if s.kind == "text" else f"${s.text}$" for s in segments[max(0, k - 3) : k]
    )
    names = _TRIANGLE_NAME.findall(before)
    name = _triangle_key(names[-1]) if names else "ABC"
    reading.triangles[name] = list(items)


def _triangle_names(text: str) -> list[str]:
    """Triangle names after the first "triangle" keyword: "triangles ABC and A_1B_1C_1"."""
    m = re.search(r"\\triangle|\btriangles?\b", text)
    if not m:
        return []
    return [_triangle_key(t) for t in _TRIPLET.findall(text[m.start() :])]


def _triangle_key(raw: str) -> str:
    return re.sub(r"[\s{}]", "", raw)


def named_triangle(before: str, after: str) -> str | None:
    """The triangle whose sides are being declared: the name said nearest before, else after."""
    found = [(m.start(), m.group(1)) for m in _TRIANGLE_NAME.finditer(before)]
    found += [(m.start(), m.group(1)) for m in _BE_A_TRIANGLE.finditer(before)]
    if found:
        return _triangle_key(max(found)[1])
    m = _TRIANGLE_NAME.search(after)
    return _triangle_key(m.group(1)) if m else None


def quantity_roles(text: str) -> list[str]:
    """Quantity words naming the listed symbols; none once the phrase turns to sides
    ("the side lengths of a triangle with perimeter 2" declares sides, not a perimeter)."""
    side = re.search(r"\bsides?\b|side[- ]lengths?", text, re.I)
    if side:
        text = text[: side.start()]
    out = []
    for m in _ROLES.finditer(text):
        out.append(_ROLE_NAMES[m.lastindex - 1])
    return out


_VERTEX_LABELS = {
    "a": 0,
    "b": 1,
    "c": 2,
    "A": 0,
    "B": 1,
    "C": 2,
    "alpha": 0,
    "beta": 1,
    "gamma": 2,
    "1": 0,
    "2": 1,
    "3": 2,
}


def declare_quantities(names, roles, raw: str, reading: Reading) -> None:
    plain = [n for n, size in names if size is None]
    if len(plain) != len(names):
        raise FormalizeError("a family of geometric quantities is not supported")
    triangles = _triangle_names(raw)
    if len(set(roles)) == 1 and roles[0] in PER_VERTEX and len(plain) == 3:
        pairs = [(n, roles[0], v) for v, n in enumerate(plain)]
    elif len(roles) == len(plain):
        pairs = [(n, r, None) for n, r in zip(plain, roles, strict=True)]
    elif len(set(roles)) == 1:
        pairs = [(n, roles[0], None) for n in plain]
    else:
        raise FormalizeError("cannot match the named quantities with their symbols")
    for j, (name, role, vertex) in enumerate(pairs):
        if role in PER_VERTEX and vertex is None:
            label = name.rpartition("_")[2]
            if label not in _VERTEX_LABELS:
                raise FormalizeError(f"cannot tell which vertex the {role} {name} belongs to")
            vertex = _VERTEX_LABELS[label]
        if len(triangles) == len(pairs):
            tri = triangles[j]
        elif triangles:
            tri = triangles[0]
        else:
            tri = reading.main_triangle or "ABC"
        reading.quantities.append(Quantity(name, role, tri, vertex))
        reading.triangles.setdefault(tri, None)


def declare_angles(names: list[str], reading: Reading, acute: bool = False) -> None:
    for name in names:
        var = reading.variables.setdefault(name, Variable(name, 998))
        var.role = "angle"
        var.domain = var.domain.intersect(sp.Interval.open(0, sp.pi / 2 if acute else sp.pi))
        var.stated = True
    reading.angle_groups.append(names)


def _used_names(reading: Reading) -> set[str]:
    trees = [reading.lhs, reading.rhs, reading.relation, *reading.constraints]
    trees += [body for _, body in reading.definitions]
    return {
        name_of(n) for tree in trees if tree is not None for n in walk(tree) if isinstance(n, Name)
    }


def implicit_vertices(segments: list[Segment], reading: Reading) -> None:
    """In "triangle ABC", undeclared a, b, c are its sides and A, B, C its angles."""
    prose = "".join(s.text if s.kind == "text" else f"${s.text}$" for s in segments)
    if not re.search(r"triangle", prose, re.I):
        return
    used = _used_names(reading)
    declared = set(reading.variables) | set(reading.parameters) | {reading.constant or ""}
    declared |= {name for name, _ in reading.definitions} | {q.name for q in reading.quantities}
    tri = reading.main_triangle
    if tri is None:
        m = _TRIANGLE_NAME.search(prose) or _BE_A_TRIANGLE.search(prose)
        tri = _triangle_key(m.group(1)) if m else "ABC"
    letters = list(tri) if re.fullmatch(r"[A-Z]{3}", tri) else ["A", "B", "C"]
    sides = [x.lower() for x in letters]
    has_sides = any(v.role == "side" for v in reading.variables.values())
    if any(x in used and x not in declared for x in sides) and not has_sides:
        if any(x in declared for x in sides):
            raise FormalizeError("some side names of the triangle are already taken")
        for name in sides:
            reading.variables[name] = Variable(
                name, 997, domain=sp.Interval.open(0, sp.oo), stated=True, role="side"
            )
        reading.triangles[tri] = None
        reading.main_triangle = tri
        has_sides = True
        reading.notes.append(f"{', '.join(sides)} read as the side lengths of triangle {tri}")
    missing = [x for x in letters if x in used and x not in declared]
    if not missing:
        return
    if has_sides:
        for vertex, name in enumerate(letters):
            if name in missing:
                reading.quantities.append(
                    Quantity(name, "angle", reading.main_triangle or tri, vertex)
                )
        reading.notes.append(f"{', '.join(missing)} read as angles of triangle {tri}")
    elif not any(x in declared - {reading.constant} for x in letters):
        names = list(letters)
        if reading.constant in letters:
            if constant_inside_a_function(reading):
                raise FormalizeError(
                    f"the letter {reading.constant} names both the constant asked for and an "
                    f"angle of triangle {tri}"
                )
            names[letters.index(reading.constant)] = f"{reading.constant}_angle"
            reading.notes.append(
                f"{reading.constant} is the constant asked for; the triangle's angle "
                f"{reading.constant} is called {reading.constant}_angle"
            )
        declare_angles(names, reading)
        reading.notes.append(f"{', '.join(names)} read as the angles of triangle {tri}")


_GIVEN_QUANTITY = re.compile(
    r"\b(semi-?perimeter|perimeter|area|circumradius|inradius)\s+(?:is\s+|equals?\s+|equal to\s+|"
    r"of\s+)?(-?\d+(?:\.\d+)?(?:/\d+)?)(?![\d.])",
    re.I,
)


def given_quantities(sentence: str, triangle: str, reading: Reading) -> None:
    """ "a triangle with perimeter 2": a condition on a quantity of the triangle."""
    for m in _GIVEN_QUANTITY.finditer(sentence):
        role = m.group(1).lower().replace("-", "")
        hidden = f"{role}_{triangle}_given"
        if all(q.name != hidden for q in reading.quantities):
            reading.quantities.append(Quantity(hidden, role, triangle))
        reading.constraints.append(Rel((Name(hidden), "=", Num(m.group(2)))))


def implicit_triangle(reading: Reading) -> None:
    """Quantities of a triangle whose sides the statement never names: introduce sides."""
    used = {v for v in reading.variables} | {q.name for q in reading.quantities}
    used |= {reading.constant or ""} | set(reading.parameters)
    for trio in (("a", "b", "c"), ("a_0", "b_0", "c_0")):
        if not used & set(trio):
            break
    key = next((t for t, sides in reading.triangles.items() if sides is None), "ABC")
    for name in trio:
        var = Variable(name, 999, domain=sp.Interval.open(0, sp.oo), stated=True, role="side")
        reading.variables[name] = var
    reading.triangles[key] = None
    reading.main_triangle = key
    reading.notes.append(f"introduced side lengths {', '.join(trio)} for triangle {key}")


_KINDS = ("acute", "obtuse", "right", "isosceles", "equilateral", "scalene")


def read_triangle_kinds(words: list[Word], reading: Reading) -> None:
    """Apply "acute", "obtuse", "right", "equilateral", "scalene", "isosceles" to the triangle the
    statement is about, and mark "triangle" read once a triangle was read.

    A kind is applied only when the statement has one triangle whose sides or angles are the
    variables (with several triangles a word cannot be placed, and stays unread). "isosceles"
    and a right angle among angles are applied only when a stated equation already says which
    sides or which angle; otherwise which vertex is meant is a guess, and the word stays unread.
    """
    has_sides = any(v.role == "side" for v in reading.variables.values())
    has_angles = bool(reading.angle_groups)
    triangles = [t for t in reading.triangles if t is not None]
    if reading.quantities or has_sides or has_angles or triangles:
        for w in words:
            if w.kind == "triangle":
                reading.consumption.consume_word(w)
    if not (has_sides or has_angles) or len(set(triangles) - {reading.main_triangle}) > 0:
        return
    key = reading.main_triangle or "ABC"
    for w in reading.consumption.unread([w for w in words if w.kind in _KINDS]):
        kind = w.kind
        if kind == "acute":
            if has_sides:
                reading.acute.add(key)
            else:
                for names in reading.angle_groups:
                    for name in names:
                        var = reading.variables[name]
                        var.domain = var.domain.intersect(sp.Interval.open(0, sp.pi / 2))
        elif kind in ("obtuse", "equilateral", "scalene"):
            reading.triangle_kinds.setdefault(key, set()).add(kind)
        elif kind == "right":
            if not (has_sides and reading.right_angle is not None) and not _stated_right_angle(reading):
                continue
        elif kind == "isosceles" and not _stated_equal_pair(reading):
            continue
        reading.consumption.consume_word(w)


def _stated_right_angle(reading: Reading) -> bool:
    """A condition such as C = pi/2 or C = 90 among the angles."""
    angles = {n for names in reading.angle_groups for n in names}
    for rel in reading.constraints:
        items = rel.items
        if len(items) == 3 and items[1] == "=" and isinstance(items[0], Name) and name_of(items[0]) in angles:
            return True
    return False


def _stated_equal_pair(reading: Reading) -> bool:
    """A condition x = y between two sides or two angles of the triangle."""
    members = {n for names in reading.angle_groups for n in names}
    members |= {n for n, v in reading.variables.items() if v.role == "side"}
    for rel in reading.constraints:
        items = rel.items
        if (
            len(items) == 3 and items[1] == "="
            and all(isinstance(x, Name) and name_of(x) in members for x in (items[0], items[2]))
        ):
            return True
    return False


def constant_inside_a_function(reading: Reading) -> bool:
    """The constant's letter appears in the argument of sin, cos, ...: there it can only be an
    angle, so one letter names two things in one formula."""
    name = reading.constant or ""
    if reading.relation is None:
        return False
    return any(
        isinstance(node, Func)
        and any(isinstance(n, Name) and name_of(n) == name for arg in node.args for n in walk(arg))
        for node in walk(reading.relation)
    )
