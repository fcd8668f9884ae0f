"""What every judge returns: a verdict, the offending step quoted, a reason, and its evidence.

`pass` means the judge looked and found nothing wrong, `fail` means it found a flaw, and
`no_verdict` means it could not decide (nothing checkable, junk model output, a failed call).
A no_verdict is never counted as a pass.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Verdict = Literal["pass", "fail", "no_verdict"]
VERDICTS: tuple[str, ...] = ("pass", "fail", "no_verdict")


@dataclass
class Finding:
    """One observation of a judge about one place of the proof."""

    status: str  # judge-specific: "wrong", "verified", "unchecked", "flaw", ...
    quote: str
    reason: str
    step: int | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class JudgeVerdict:
    judge: str
    verdict: Verdict
    reason: str
    step: int | None = None  # index of the offending step, when there is one
    quote: str = ""  # the offending step (or formula) quoted from the proof
    score: float | None = None  # judges that score (the DSM verifier) put it here
    findings: list[Finding] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    raw: list[str] = field(default_factory=list)  # model outputs, for the record
    applicable: bool = True  # False: the judge does not apply (a final answer in a pure proof)

    @property
    def failed(self) -> bool:
        return self.verdict == "fail"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JudgeVerdict:
        findings = [Finding(**f) for f in data.get("findings", [])]
        return cls(**{**data, "findings": findings})
