"""What the inequality engine says about a problem: an answer with its evidence, or an abstention."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from qed.verifiers.final_answer import format_answer

Status = Literal["answered", "abstained"]


@dataclass
class EngineAnswer:
    """status "answered" carries `answer` (a LaTeX value for a bound, an option letter A-F for a
    relation) and the evidence it rests on; "abstained" carries `reason` and whatever was found."""

    status: Status
    kind: str | None = None
    answer: str | None = None
    certified: bool = False
    evidence: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    seconds: float = 0.0

    @property
    def answered(self) -> bool:
        return self.status == "answered"

    @property
    def formatted(self) -> str | None:
        """The answer in IneqMath's format: `$$C = ...$$` or the full relation option."""
        if not self.answered or self.answer is None or self.kind not in ("bound", "relation"):
            return None
        return format_answer(self.kind, self.answer)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["formatted"] = self.formatted
        return data

    @classmethod
    def abstain(cls, reason: str, kind: str | None = None, evidence: dict[str, Any] | None = None) -> EngineAnswer:
        return cls("abstained", kind, None, False, evidence or {}, reason)
