"""The draft checked twice without a referee: by the model itself (the verifier role) and by the
computation judges, which recompute every equality and inequality the draft writes down and
flag decimals where an exact value is needed. A judge's failure outweighs the model's approval."""

from __future__ import annotations

from typing import Any

from qed.agent.deps import LoopDeps
from qed.agent.nodes.common import call_model, judge_summary, node
from qed.agent.prompts import render
from qed.agent.state import Check, LoopState, SelfVerifyEvidence, Verdict, latest_draft
from qed.agent.verdicts import read_verdict, reason_of
from qed.models.base import Message
from qed.verifiers.judges import numeric_approximation, numeric_computation
from qed.verifiers.judges.verdict import JudgeVerdict

COMPUTATION_JUDGES = (numeric_computation, numeric_approximation)


def judge_draft(text: str, statement: str) -> list[JudgeVerdict]:
    return [judge.check(text, statement) for judge in COMPUTATION_JUDGES]


def combine(model_verdict: Verdict, judged: list[JudgeVerdict]) -> Verdict:
    if any(j.failed for j in judged):
        return "fail"
    return model_verdict


@node("self_verify")
def self_verify(state: LoopState, deps: LoopDeps) -> dict[str, Any]:
    draft = latest_draft(state)
    assert draft is not None, "self_verify runs after generate"
    statement = state["problem"]["statement"]
    messages = [
        Message("system", render("self_verify_system")),
        Message("user", render("self_verify_user", statement=statement, draft=draft["text"])),
    ]
    result, usage = call_model(deps, "verifier", messages, deps.config.verify_max_tokens)
    own = read_verdict(result.text)
    judged = judge_draft(draft["text"], statement)
    parts = [f"{j.judge}: {j.reason}" + (f" (in: {j.quote[:120]})" if j.quote else "") for j in judged if j.failed]
    said = reason_of(result.text) or "no reasons given"
    parts.append(f"self-check: {said}" if own != "unknown" else f"no verdict in the self-check: {said}")
    check = Check(
        round=draft["round"], stage="self_verify", verdict=combine(own, judged), summary="; ".join(parts),
        evidence=SelfVerifyEvidence(reply=result.text, truncated=result.truncated, self_check=own,
                                    judges=[judge_summary(j, drop=("raw", "findings")) for j in judged]),
    )
    return {"checks": [check], "usage": usage}
