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

GATE_JUDGES = ("numeric_computation", "numeric_approximation")


@dataclass
class GateResult:
    passed: bool
    verdicts: dict[str, dict[str, Any]] = field(default_factory=dict)  # judge -> {verdict, reason}

    @property
    def reason(self) -> str:
        bad = [f"{name}: {v['verdict']}: {v['reason']}" for name, v in self.verdicts.items() if v["verdict"] != "pass"]
        return "; ".join(bad) if bad else "every numeric judge passed"

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "judges": self.verdicts}


def judge_proof(text: str, problem: Problem | None) -> GateResult:
    """Run each gate judge on the proof text; it passes only when every judge says `pass`
    (a `no_verdict` is not a pass)."""
    verdicts: dict[str, dict[str, Any]] = {}
    for name in GATE_JUDGES:
        v = run_judge(name, problem, text, {})
        verdicts[name] = {"verdict": v.verdict, "reason": v.reason, "quote": v.quote}
    return GateResult(all(v["verdict"] == "pass" for v in verdicts.values()), verdicts)
