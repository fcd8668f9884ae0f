"""The formal record of an inequality problem: the contract between formalizer, search and certifier.

Everything here is a sympy object so that numeric search (lambdify), closed-form recognition and
SMT encoding all read the same thing. Fields may be added; existing ones keep their meaning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import sympy as sp

Sense = Literal["min", "max"]


@dataclass
class FormalProblem:
    """An inequality problem over real variables.

    relation: decide how `lhs` compares with `rhs` over the feasible set.
    bound:    `constant` (usually C) appears in `relation_with_constant`; the answer is the extreme
              value of C for which it holds on the whole feasible set. When C can be isolated,
              `target` and `sense` say the answer is min/max of `target` over the feasible set
              ("largest C with f >= C"  ->  target=f, sense="min").
    """

    kind: Literal["bound", "relation"]
    variables: list[sp.Symbol]
    # Per-variable domain as a sympy Set (Interval(0, oo, left_open=True) for positive reals, ...).
    domains: dict[sp.Symbol, sp.Set] = field(default_factory=dict)
    # Side conditions: sympy relationals (Eq, Ge, Gt, Le, Lt) over the variables.
    constraints: list[sp.Basic] = field(default_factory=list)
    # relation problems
    lhs: sp.Expr | None = None
    rhs: sp.Expr | None = None
    # bound problems
    constant: sp.Symbol | None = None
    relation_with_constant: sp.Basic | None = None
    target: sp.Expr | None = None
    sense: Sense | None = None
    # where the record came from ("parser" or "model") and anything the formalizer wants to say
    origin: str = "parser"
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    # Integer parameters kept out of the search (n in x_1, ..., x_n; k in a^k with k in N): the set
    # of values each may take (a sympy Range), the values this record was built with, and a way to
    # rebuild the record for other values (raises ValueError for a value it cannot take).
    parameters: dict[sp.Symbol, sp.Set] = field(default_factory=dict)
    parameter_values: dict[sp.Symbol, int] = field(default_factory=dict)
    instantiate: Callable[[dict[sp.Symbol, int]], FormalProblem] | None = field(
        default=None, repr=False, compare=False
    )
    # The statement's own variables written in terms of `variables` when the formalizer changed
    # variables (triangle sides a = y + z, ...); empty when `variables` are the statement's own.
    substitution: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        """A JSON-able account of the record, stored as evidence with every answer."""
        return {
            "kind": self.kind,
            "variables": [str(v) for v in self.variables],
            "domains": {str(k): str(v) for k, v in self.domains.items()},
            "constraints": [str(c) for c in self.constraints],
            "lhs": None if self.lhs is None else str(self.lhs),
            "rhs": None if self.rhs is None else str(self.rhs),
            "constant": None if self.constant is None else str(self.constant),
            "relation_with_constant": None if self.relation_with_constant is None else str(self.relation_with_constant),
            "target": None if self.target is None else str(self.target),
            "sense": self.sense,
            "origin": self.origin,
            "notes": list(self.notes),
            "parameters": {str(k): str(v) for k, v in self.parameters.items()},
            "parameter_values": {str(k): v for k, v in self.parameter_values.items()},
            "substitution": {str(k): str(v) for k, v in self.substitution.items()},
        }
