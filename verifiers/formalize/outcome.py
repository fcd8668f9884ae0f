"""What formalize returns: a record, or the one-line reason there is none, and which path tried."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from qed.verifiers.formal import FormalProblem

Path = Literal["parser", "model"]


@dataclass
class FormalizeOutcome:
    formal: FormalProblem | None
    path: Path | None  # which path produced `formal` (None when neither did)
    reason: str | None = None  # one line when formal is None
    # the reason each path that failed gave, e.g. {"parser": "...", "model": "..."}
    failures: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.formal is not None
