"""The judges a written proof must pass before it is emitted: QED's own computation judges.

A proof rendered from a certificate is true by construction; running the numeric-computation and
numeric-approximation judges over the very text a person reads is the independent check that the
text says what the certificate says (a wrong coefficient or a flipped sign in what is printed
fails here). They are run through the judge registry, like `qed grade` runs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qed.problems.record import Problem
from qed.verifiers.judges.registry import run_judge
from qed.verifiers.judges.verdict import JudgeVerdict

GATE_JUDGES = ("numeric_computation", "numeric_approximation")
# The one relation a computed text may leave unchecked: the refuted claim, which it says is false.
ANNOUNCED_FALSE = "the text itself says this is false"


@dataclass
class GateResult:
    passed: bool
    verdicts: dict[str, dict[str, Any]] = field(default_factory=dict)  # judge -> {verdict, reason}

    @property
    def reason(self) -> str:
        bad = [f"{name}: {v['reason']}" for name, v in self.verdicts.items() if v["gate"] != "pass"]
        return "; ".join(bad) if bad else "every numeric judge passed"

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "judges": self.verdicts}


def judge_passes(v: JudgeVerdict) -> tuple[bool, str]:
    """A judge passes the gate when it checked and found nothing wrong, or when what it looks for
    is absent (no decimals for the approximation judge: `not_checked`, not applicable). The
    computation judge must have checked every relation it found: a step it could not read is not
    a step that passed."""
    if v.verdict == "pass":
        if v.judge == "numeric_computation":
            left = [f for f in v.findings if not f.checked and f.reason != ANNOUNCED_FALSE]
            if v.coverage is None or left:
                where = f": {left[0].quote[:80]} ({left[0].reason})" if left else ""
                return False, f"not every relation was checked ({v.coverage.text() if v.coverage else 'no coverage'}){where}"
        return True, v.reason
    if v.verdict == "not_checked" and not v.applicable and v.judge != "numeric_computation":
        return True, v.reason
    return False, f"{v.verdict}: {v.reason}"


def judge_proof(text: str, problem: Problem | None) -> GateResult:
    """Run each gate judge on the proof text; it passes only when every judge passes (judge_passes)."""
    verdicts: dict[str, dict[str, Any]] = {}
    for name in GATE_JUDGES:
        v = run_judge(name, problem, text, {})
        ok, why = judge_passes(v)
        verdicts[name] = {"verdict": v.verdict, "gate": "pass" if ok else "fail", "reason": why, "quote": v.quote,
                          "coverage": v.coverage.text() if v.coverage else None}
    return GateResult(all(v["gate"] == "pass" for v in verdicts.values()), verdicts)
