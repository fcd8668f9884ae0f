"""What every judge returns: a verdict, the offending step quoted, a reason, and its evidence.

`pass` means the judge checked something (its `coverage` says how much) and found nothing wrong;
`fail` means it found a flaw; `not_checked` means it found nothing it could check: it does not
apply (`applicable=False`: a final-answer judge with no known answer, a relation judge on a proof
without relations) or it could read none of what it looks for; `no_verdict` means it tried and
could not decide (junk model output, a failed call, a limit). Only `pass` is a pass.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Verdict = Literal["pass", "fail", "not_checked", "no_verdict"]
VERDICTS: tuple[str, ...] = ("pass", "fail", "not_checked", "no_verdict")


@dataclass
class Finding:
    """One observation of a judge about one place of the proof."""

    status: str  # judge-specific: "wrong", "verified", "unchecked", "flaw", ...
    quote: str
    reason: str
    step: int | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    checked: bool = False  # the judge decided this place (found it right or wrong), not only read it
    how: str = ""  # how it was checked or why not: "exact", "sampled at 120 points", "not read: ..."
    steps: list[int] = field(default_factory=list)  # the steps it speaks for, when more than `step`


@dataclass
class Coverage:
    """How much of what a judge looks for it checked: `checked` of `read` of `total` places."""

    unit: str  # "relations", "relations with decimals", "windows", "samples", "final answer"
    total: int
    read: int
    checked: int

    def text(self) -> str:
        """`4 of 51 relations read, 0 checked`; `12 of 12 relations checked`."""
        if self.read == self.total == self.checked:
            return f"{self.checked} of {self.total} {self.unit} checked"
        return f"{self.read} of {self.total} {self.unit} read, {self.checked} checked"

    @property
    def share(self) -> float | None:
        return self.checked / self.total if self.total else None


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
    coverage: Coverage | None = None  # what it checked; a pass without it is not a pass

    @property
    def failed(self) -> bool:
        return self.verdict == "fail"

    @property
    def decided(self) -> bool:
        return self.verdict in ("pass", "fail")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JudgeVerdict:
        findings = [Finding(**f) for f in data.get("findings", [])]
        coverage = Coverage(**data["coverage"]) if data.get("coverage") else None
        return cls(**{**data, "findings": findings, "coverage": coverage})
