"""Draft a solution; if the budget cut it off before an answer, ask once more for just the answer.

The draft's answer is read and parsed here, once (agent/answers.py); later nodes use the record.
"""

from __future__ import annotations

from typing import Any

from qed.agent.answers import ANSWER_KINDS, answer_format, read_answer
from qed.agent.deps import LoopDeps
from qed.agent.nodes.common import call_model, node, recalled_block
from qed.agent.prompts import render
from qed.agent.state import Draft, LoopState, add_usage
from qed.models.base import Message
from qed.verifiers.proofs.pipeline import partial_evidence


def _context(state: LoopState) -> str:
    parts = []
    if recalled := recalled_block(state):
        parts.append(recalled)
    if found := partial_evidence(state.get("engine"), state.get("proof")):
        parts.append(render("context_evidence", evidence="\n".join(f"- {line}" for line in found)) + "\n\n")
    if state.get("feedback"):
        parts.append(render("context_feedback", feedback=state["feedback"]) + "\n\n")
    return "".join(parts)


@node("generate")
def generate(state: LoopState, deps: LoopDeps) -> dict[str, Any]:
    problem = state["problem"]
    rnd = state.get("round", 1)
    cfg = deps.config
    fmt = answer_format(problem)
    messages = [
        Message("system", render("generate_system")),
        Message("user", render("generate_user", statement=problem["statement"], context=_context(state), answer_format=fmt)),
    ]
    temperature = cfg.temperature if rnd == 1 else cfg.refine_temperature
    result, usage = call_model(deps, "generator", messages, cfg.generate_max_tokens, temperature)
    text = result.text
    answer = read_answer(problem, text)
    if answer is None and problem["kind"] in ANSWER_KINDS:
        follow = messages + [Message("assistant", text), Message("user", render("followup", answer_format=fmt))]
        extra, extra_usage = call_model(deps, "generator", follow, cfg.followup_max_tokens, 0.0)
        usage = add_usage(usage, extra_usage)
        answer = read_answer(problem, extra.text)
        text = f"{text}\n\n{extra.text.strip()}"
    draft = Draft(round=rnd, text=text, answer=answer, truncated=result.truncated)
    return {"drafts": [draft], "usage": usage, "round": rnd}
