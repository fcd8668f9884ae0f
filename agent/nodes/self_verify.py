"""The draft checked twice without a referee: by the model itself (the verifier role) and by the
step-wise judges that need no model (the judge registry's; today they recompute every equality and
inequality the draft writes down and flag decimals where an exact value is needed). A judge's
failure outweighs the model's approval. The judges see the statement, never the known answer."""

from __future__ import annotations

from typing import Any

from qed.agent.deps import LoopDeps
from qed.agent.nodes.common import call_model, judge_summary, node
from qed.agent.prompts import render
from qed.agent.state import Check, LoopState, SelfVerifyEvidence, Verdict, latest_draft
from qed.agent.verdicts import read_verdict, reason_of
from qed.models.base import Message
from qed.problems.record import Problem
from qed.verifiers.judges import registry
from qed.verifiers.judges.judge import statement_only
from qed.verifiers.judges.verdict import JudgeVerdict


def computation_judges() -> list[str]:
    """The judges the loop runs on every draft: step-wise, and needing no model."""
    return [j.name for j in registry.judges().values() if j.stepwise and not j.needs_model]


def judge_draft(text: str, problem: Problem) -> list[JudgeVerdict]:
    seen = statement_only(problem)
    return [registry.run_judge(name, seen, text, {}) for name in computation_judges()]


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
    judged = judge_draft(draft["text"], Problem.from_dict(state["problem"]))
    parts = [f"{j.judge}: {j.reason}" + (f" (in: {j.quote[:120]})" if j.quote else "") for j in judged if j.failed]
    said = reason_of(result.text) or "no reasons given"
    parts.append(f"self-check: {said}" if own != "unknown" else f"no verdict in the self-check: {said}")
    check = Check(
        round=draft["round"], stage="self_verify", verdict=combine(own, judged), summary="; ".join(parts),
        evidence=SelfVerifyEvidence(reply=result.text, truncated=result.truncated, self_check=own,
                                    judges=[judge_summary(j, drop=("raw", "findings")) for j in judged]),
    )
    return {"checks": [check], "usage": usage}
