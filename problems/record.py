"""The one problem record every loader produces and every command consumes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

ProblemKind = Literal["bound", "relation", "proof", "open"]
KINDS: tuple[str, ...] = ("bound", "relation", "proof", "open")

# IneqMath's relation options, in its own wording; relation problems without explicit choices use these.
RELATION_CHOICES: tuple[str, ...] = (
    "(A) $\\leq$",
    "(B) $\\geq$",
    "(C) $=$",
    "(D) $<$",
    "(E) $>$",
    "(F) None of the above",
)


@dataclass
class ProofToGrade:
    """A proof written by someone (a person, a model) that QED is asked to grade."""

    label: str
    text: str


@dataclass
class Problem:
    """A problem statement with whatever is known about its answer."""

    id: str
    statement: str
    kind: ProblemKind = "open"
    answer: str | None = None
    choices: list[str] | None = None
    solution: str | None = None
    source: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    proofs: list[ProofToGrade] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"problem {self.id!r}: kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if not self.statement or not self.statement.strip():
            raise ValueError(f"problem {self.id!r}: empty statement")
        if self.kind == "relation" and not self.choices:
            self.choices = list(RELATION_CHOICES)
        self.proofs = [p if isinstance(p, ProofToGrade) else ProofToGrade(**p) for p in self.proofs]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Problem:
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(sorted(unknown))}")
        if "id" not in data or "statement" not in data:
            raise ValueError("a problem needs at least 'id' and 'statement'")
        return cls(**{k: v for k, v in data.items() if k in known})
