"""Accept, refine or abstain from the round's verdicts. Accepting needs positive evidence.

A draft is accepted when no check failed and computation or the referee confirmed it. When the
rounds run out, an answer the inequality engine trusts still stands (it is evidence, not a guess);
otherwise QED abstains and says what was tried.
"""

from __future__ import annotations

from typing import Any

from langgraph.types import interrupt
from qed.agent.answers import ANSWER_KINDS, proof_complete
from qed.agent.deps import LoopDeps
from qed.agent.nodes.common import node
from qed.agent.provenance import USER_ACCEPTED
from qed.agent.state import LoopState, checks_of_round, latest_draft


def assess(state: LoopState, max_rounds: int) -> dict[str, Any]:
    """The decision and its consequences, as a pure function of the state."""
    problem = state["problem"]
    kind = problem["kind"]
    draft = latest_draft(state)
    assert draft is not None
    rnd = draft["round"]
    checks = {c["stage"]: c for c in checks_of_round(state, rnd)}
    failures = [c for c in checks.values() if c["verdict"] == "fail"]
    confirmed = [c for s, c in checks.items() if s in ("execute", "review") and c["verdict"] == "pass"]
    if kind == "proof" and not proof_complete(draft["text"]):
        failures.append({"stage": "generate", "summary": "the proof is incomplete (no closing QED line)"})
    if not failures and confirmed:
        stages = ", ".join(c["stage"] for c in confirmed)
        return {"decision": "accept", "outcome": "solved", "answer": draft["answer"],
                "reason": f"round {rnd}: confirmed by {stages}; no check failed"}
    if failures:
        problems = [f"{c['stage']}: {c['summary']}" for c in failures]
    else:
        problems = ["no check could confirm the draft; give a complete argument and a clearly stated final answer"]
    feedback = "\n".join(f"- {p}" for p in problems)
    if rnd < max_rounds:
        return {"decision": "refine", "feedback": feedback, "round": rnd + 1}
    engine, theirs = state.get("engine"), state.get("engine_answer")
    if engine is not None and theirs is not None and kind in ANSWER_KINDS:
        return {"decision": "accept", "outcome": "solved", "answer": theirs,
                "reason": "the drafts were not confirmed; the answer is the inequality engine's "
                + ("certified" if engine["certified"] else "numerical") + " result"}
    return {"decision": "abstain", "outcome": "abstained", "answer": None,
            "reason": f"no confirmed answer after {rnd} round(s); last: " + "; ".join(problems)}


@node("decide")
def decide(state: LoopState, deps: LoopDeps) -> dict[str, Any]:
    update = assess(state, deps.config.max_rounds)
    if deps.config.interactive:
        answer = update.get("answer")
        choice = interrupt({"proposal": update["decision"], "reason": update.get("reason") or update.get("feedback"),
                            "answer": answer["text"] if answer else None})
        update = apply_choice(state, update, choice, deps.config.max_rounds)
    return update


def apply_choice(state: LoopState, proposed: dict[str, Any], choice: Any, max_rounds: int) -> dict[str, Any]:
    """A person's decision overrides the proposal; their words become the feedback for a refine."""
    if not isinstance(choice, dict):
        choice = {"decision": str(choice)}
    decision = choice.get("decision", proposed["decision"])
    draft = latest_draft(state)
    assert draft is not None
    if decision == proposed["decision"] and not choice.get("feedback"):
        return proposed
    note = choice.get("feedback") or ""
    if decision == "accept":
        return {"decision": "accept", "outcome": "solved", "answer": draft["answer"],
                "reason": f"{USER_ACCEPTED}{': ' + note if note else ''}"}
    if decision == "refine":
        return {"decision": "refine", "round": draft["round"] + 1,
                "feedback": note or proposed.get("feedback") or "the user asked for another attempt"}
    return {"decision": "abstain", "outcome": "abstained", "answer": None,
            "reason": f"the user abstained{': ' + note if note else ''}"}
