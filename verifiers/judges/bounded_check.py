"""The computation judges run in a bounded child: a proof can make sympy work forever; a judge cannot.

A proof is text someone else wrote. Before any reading, a proof longer than MAX_PROOF_CHARS is
refused with a no_verdict that says so; the reading itself runs under JUDGE_LIMITS
(verifiers.bounded), and a judge stopped by a limit gives a no_verdict naming the limit. Either
way the grade report says what was not judged and why; a no_verdict never counts as a pass.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qed.verifiers.bounded import Limits, run_bounded
from qed.verifiers.input_limits import MAX_PROOF_CHARS, too_long
from qed.verifiers.judges.extract import MathSegment, refused_formulas
from qed.verifiers.judges.verdict import Finding, JudgeVerdict

# Measured: the longest FirstProof solution (24,000 characters) takes 14 s of CPU and under 100 MB
# (40 s of wall time at a load of 6 on 2 cores); CPU time is the limit that bounds the work.
JUDGE_LIMITS = Limits(seconds=300.0, cpu_seconds=90.0, memory_mb=1536)


def proof_refusal(text: str) -> str | None:
    """Why a proof is not read at all (it is too long), or None."""
    refusal = too_long("the proof", len(text), MAX_PROOF_CHARS)
    return f"{refusal}: not judged" if refusal else None


def bounded_verdict(name: str, check: Callable[..., JudgeVerdict], text: str, *args: Any,
                    limits: Limits = JUDGE_LIMITS) -> JudgeVerdict:
    """check(text, *args) in a bounded child; a refusal or a limit becomes a no_verdict with its reason."""
    refusal = proof_refusal(text)
    if refusal:
        return JudgeVerdict(name, "no_verdict", refusal, stats={"refused": refusal})
    result = run_bounded(check, text, *args, limits=limits)
    if result.ok and isinstance(result.value, JudgeVerdict):
        return result.value
    if result.stopped == "error":
        reason = f"internal error: {result.reason}"
    else:
        reason = f"not judged: {result.reason}"
    return JudgeVerdict(name, "no_verdict", reason, stats={"stopped": result.stopped, "reason": result.reason})


def with_refusals(verdict: JudgeVerdict, segments: list[MathSegment]) -> JudgeVerdict:
    """The verdict with a finding for each formula too large to read, and its reason saying so."""
    refused = refused_formulas(segments)
    if not refused:
        return verdict
    for seg, why in refused:
        shown = " ".join(seg.content[:80].split())
        verdict.findings.append(Finding("refused", shown + ("…" if len(seg.content) > 80 else ""),
                                        f"{why}: not read", seg.step, how=f"{why}: not read"))
    verdict.stats["refused_formulas"] = len(refused)
    if verdict.coverage is not None:
        verdict.coverage.total += len(refused)  # each refused formula counts as one place not read
    if not verdict.applicable:  # "no relation" only because the formulas holding them were refused
        verdict.applicable = True
        verdict.verdict = "not_checked"
    first = refused[0][1]
    more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
    verdict.reason = f"{verdict.reason}; not read: {first}{more}"
    return verdict
