"""A hostile referee attacks the draft, seeing what computation has already established."""

from __future__ import annotations

from typing import Any

from qed.agent.deps import LoopDeps
from qed.agent.nodes.common import Metered, call_model, emit, judge_summary, node, recalled_block
from qed.agent.prompts import render
from qed.agent.state import (
    Check,
    Draft,
    LoopState,
    RefereeEvidence,
    Verdict,
    checks_of_round,
    latest_draft,
)
from qed.agent.verdicts import read_verdict, reason_of
from qed.models.base import Message
from qed.problems.record import Problem
from qed.verifiers.judges.judge import JudgeSettings, statement_only
from qed.verifiers.judges.model_judge import ModelJudgeOptions
from qed.verifiers.judges.registry import run_judge


@node("review")
def review(state: LoopState, deps: LoopDeps) -> dict[str, Any]:
    draft = latest_draft(state)
    assert draft is not None, "review runs after generate"
    computed = [c for c in checks_of_round(state, draft["round"]) if c["stage"] == "execute"]
    engine = state.get("engine")
    certified = engine is not None and engine["certified"] and any(
        c["verdict"] == "pass" and c["evidence"].get("uses_engine") for c in computed)
    if certified:
        # A certificate settles the answer; a model referee could only add noise to it.
        check = Check(round=draft["round"], stage="review", verdict="skipped",
                      summary="the answer is certified by computation; no model review needed", evidence={})
        return {"checks": [check]}
    if state["problem"]["kind"] == "proof":
        return _dsm_review(state, draft, deps)
    evidence = "\n".join(f"- {c['summary']}" for c in computed)
    messages = [
        Message("system", render("review_system")),
        Message("user", render(
            "review_user",
            statement=state["problem"]["statement"],
            draft=draft["text"],
            evidence=recalled_block(state)
            + (render("context_evidence", evidence=evidence) + "\n\n" if evidence else ""),
        )),
    ]
    result, usage = call_model(deps, "reviewer", messages, deps.config.review_max_tokens)
    verdict = read_verdict(result.text)
    summary = reason_of(result.text) or "no reasons given"
    if verdict == "unknown":
        summary = f"no verdict in the referee's reply: {summary}"
    check = Check(round=draft["round"], stage="review", verdict=verdict, summary=summary,
                  evidence=RefereeEvidence(reply=result.text, truncated=result.truncated))
    return {"checks": [check], "usage": usage}


def _dsm_review(state: LoopState, draft: Draft, deps: LoopDeps) -> dict[str, Any]:
    """Proofs get the DeepSeekMath-V2 protocol: listed issues, a score in {0, 0.5, 1}, and a
    meta-verifier that throws out issues that are not real. Only a full score passes."""
    cfg = deps.config
    emit({"event": "call", "role": "reviewer"})
    meter = Metered(deps.model("reviewer"))
    settings = JudgeSettings(samples=cfg.review_samples, meta=cfg.review_meta,
                             verifier_options=ModelJudgeOptions(max_tokens=cfg.review_max_tokens,
                                                                timeout_s=cfg.call_timeout_s))
    # the reviewer's model plays the DSM verifier's role
    judged = run_judge("dsm_verifier", statement_only(Problem.from_dict(state["problem"])), draft["text"],
                       {"verifier": meter}, settings)
    verdict: Verdict = {"pass": "pass", "fail": "fail"}.get(judged.verdict, "unknown")
    if judged.verdict == "pass" and (judged.score or 0) < 1:
        verdict = "fail"
    score = "no score" if judged.score is None else f"score {judged.score:g}"
    check = Check(round=draft["round"], stage="review", verdict=verdict, summary=f"{score}: {judged.reason}",
                  evidence=judge_summary(judged, drop=("raw",)))
    return {"checks": [check], "usage": meter.usage}
