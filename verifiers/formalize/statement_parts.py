"""The pieces a statement reading is made of: variables, parameters, named quantities, and the
lists of names found in formulas before their domains are known."""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp
from qed.verifiers.formalize.domains import REALS
from qed.verifiers.formalize.restricting import Consumption
from qed.verifiers.latex.tree import Node


@dataclass
class Variable:
    name: str  # a plain name, or a family's base when family_size is set
    group: int
    family_size: Node | None = None
    domain: sp.Set = REALS
    stated: bool = False
    role: str = "free"  # "free", "side" (of the main triangle), "angle"


@dataclass
class Parameter:
    name: str
    low: int = 1
    high: int | None = None
    counts: bool = False  # it is the length of a variable family


@dataclass
class Quantity:
    """A geometric quantity the prose names: P is the area of triangle ABC, l_a a bisector."""

    name: str
    role: str
    triangle: str
    vertex: int | None = None


@dataclass
class Reading:
    kind: str
    variables: dict[str, Variable] = field(default_factory=dict)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    real_parameters: dict[str, sp.Set] = field(default_factory=dict)  # the answer is a function of these
    index_ranges: dict[str, Node] = field(default_factory=dict)
    constraints: list[Node] = field(default_factory=list)
    sums_to: list[tuple[list[str], sp.Rational, str]] = field(default_factory=list)
    angle_groups: list[list[str]] = field(default_factory=list)
    acute: set[str] = field(default_factory=set)  # triangles said to be acute
    right_angle: str | None = None  # the hypotenuse, when the main triangle is right-angled
    # other kinds said of a triangle ("obtuse", "equilateral", "scalene"), by triangle name
    triangle_kinds: dict[str, set[str]] = field(default_factory=dict)
    distinct_groups: list[list[str]] = field(default_factory=list)  # "distinct": pairwise unequal
    # what the wording says of the constant asked for: "positive", "nonnegative", "integer"
    constant_domain: str | None = None
    constant_bounds: list[tuple[str, sp.Expr]] = field(default_factory=list)  # ("<", 1): C < 1
    # readings that rest on a convention rather than on the text (an unnamed hypotenuse taken as
    # the last side); an answer built on one is never certified
    assumptions: list[str] = field(default_factory=list)
    definitions: list[tuple[str, Node]] = field(default_factory=list)
    functions: list[tuple[str, list[str], Node]] = field(default_factory=list)  # f(x) = ...
    triangles: dict[str, list[Node] | None] = field(default_factory=dict)
    main_triangle: str | None = None
    quantities: list[Quantity] = field(default_factory=list)
    lhs: Node | None = None
    rhs: Node | None = None
    relation: Node | None = None
    constant: str | None = None
    asked: str | None = None
    notes: list[str] = field(default_factory=list)
    consumption: Consumption = field(default_factory=Consumption)

    def count_parameters(self) -> list[str]:
        return [p.name for p in self.parameters.values() if p.counts]


@dataclass
class Decl:
    """One math segment that lists variables: the names, families and an optional qualifier."""

    k: int
    names: list[tuple[str, Node | None]]  # (name or family base, family size)
    qualifier: Node | None  # Member set or the relation that bounds them
