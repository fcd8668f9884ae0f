"""Triangle quantities as functions of the side lengths, and the Ravi substitution.

Side lengths a, b, c of a (non-degenerate) triangle are exactly a = y + z, b = z + x, c = x + y
with x, y, z > 0, so searching over positive x, y, z covers every triangle and nothing else.
"""

from __future__ import annotations

import sympy as sp
from qed.verifiers.formalize.errors import FormalizeError

RAVI_NAMES = (("x", "y", "z"), ("p", "q", "r"), ("u", "v", "w"), ("t_1", "t_2", "t_3"))


def ravi(taken: set[str]) -> tuple[list[sp.Symbol], list[sp.Expr]]:
    """Three fresh positive symbols and the sides y + z, z + x, x + y built from them."""
    for names in RAVI_NAMES:
        if not taken & set(names):
            x, y, z = (sp.Symbol(n, positive=True) for n in names)
            return [x, y, z], [y + z, z + x, x + y]
    raise FormalizeError("no free names for the triangle substitution")


def quantity(role: str, sides: list[sp.Expr], vertex: int | None) -> sp.Expr:
    """The area, perimeter, radii, an angle, bisector, median or altitude of the triangle with
    `sides` (per-vertex quantities take the vertex 0, 1, 2 opposite sides[0], sides[1], sides[2])."""
    a, b, c = sides
    s = (a + b + c) / 2
    area = sp.sqrt(s * (s - a) * (s - b) * (s - c))
    if role == "area":
        return area
    if role == "perimeter":
        return a + b + c
    if role == "semiperimeter":
        return s
    if role == "circumradius":
        return a * b * c / (4 * area)
    if role == "inradius":
        return area / s
    if vertex is None:
        raise FormalizeError(f"a {role} without its vertex")
    opposite = sides[vertex]
    u, v = (sides[(vertex + 1) % 3], sides[(vertex + 2) % 3])
    if role == "angle":
        return sp.acos((u**2 + v**2 - opposite**2) / (2 * u * v))
    if role == "bisector":
        return sp.sqrt(u * v * ((u + v) ** 2 - opposite**2)) / (u + v)
    if role == "median":
        return sp.sqrt(2 * u**2 + 2 * v**2 - opposite**2) / 2
    if role == "altitude":
        return 2 * area / opposite
    raise FormalizeError(f"unknown triangle quantity {role!r}")


def triangle_conditions(sides: list[sp.Expr]) -> list[sp.Basic]:
    """The strict triangle inequalities, for a triangle whose sides are given by expressions."""
    a, b, c = sides
    return [sp.Lt(a, b + c), sp.Lt(b, c + a), sp.Lt(c, a + b)]


def triangle_kind_conditions(kind: str, values: list[sp.Expr], of: str) -> list[sp.Basic]:
    """"obtuse", "equilateral" or "scalene" as conditions on the three sides or the three angles."""
    a, b, c = values
    if kind == "equilateral":
        return [sp.Eq(a, b), sp.Eq(b, c)]
    if kind == "scalene":
        return [sp.Ne(a, b), sp.Ne(b, c), sp.Ne(c, a)]
    if kind == "obtuse" and of == "angles":
        return [sp.Gt(sp.Max(a, b, c), sp.pi / 2)]
    if kind == "obtuse":
        return [sp.Lt(sp.Min(b**2 + c**2 - a**2, c**2 + a**2 - b**2, a**2 + b**2 - c**2), 0)]
    raise FormalizeError(f"condition not understood: a {kind} triangle")
