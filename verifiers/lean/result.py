"""The verdict of one Lean check, with everything needed to show or re-check it later."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from qed.verifiers.lean.messages import LeanMessage

LeanStatusWord = Literal["proved", "failed", "error", "unavailable"]
Backend = Literal["lake", "lean-dojo", "source-screen", "none"]


@dataclass
class LeanResult:
    """proved: Lean's kernel accepted the proof using only the standard axioms.
    failed: Lean (or the source screen) rejected it: errors, `sorry`, extra axioms.
    error: the check itself did not complete (time-out, broken project, crashed tool).
    unavailable: no Lean here; `reason` says what is missing.
    """

    status: LeanStatusWord
    reason: str
    source: str
    backend: Backend
    duration_s: float = 0.0
    messages: list[LeanMessage] = field(default_factory=list)
    axioms: list[str] | None = None
    timed_out: bool = False
    output: str = ""

    @property
    def proved(self) -> bool:
        return self.status == "proved"

    @property
    def errors(self) -> list[LeanMessage]:
        return [m for m in self.messages if m.severity == "error"]

    def describe(self) -> dict[str, object]:
        """A JSON-able account, stored as evidence next to the answer it supports."""
        return {
            "status": self.status,
            "reason": self.reason,
            "backend": self.backend,
            "duration_s": round(self.duration_s, 3),
            "timed_out": self.timed_out,
            "axioms": self.axioms,
            "messages": [m.describe() for m in self.messages],
            "source": self.source,
        }
