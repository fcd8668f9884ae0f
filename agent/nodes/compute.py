"""Compute first: the inequality engine, a certificate for its answer (or for the statement to
prove) and the proof written from it, before any model drafts anything.

When the proof settles the problem (verifiers/proofs/pipeline.settles) the loop only presents it;
otherwise the engine's result stays in the state for execute to weigh drafts against, and its
partial evidence goes into the draft prompt (generate).
"""

from __future__ import annotations

from typing import Any

from qed.agent.answers import engine_answer
from qed.agent.deps import LoopDeps
from qed.agent.nodes.common import emit, node
from qed.agent.nodes.execute import run_engine
from qed.agent.state import LoopState, plain
from qed.problems.record import Problem
from qed.verifiers.proofs.pipeline import prove_problem, settles


@node("compute")
def compute(state: LoopState, deps: LoopDeps) -> dict[str, Any]:
    problem = state["problem"]
    engine = run_engine(problem, deps)
    theirs = engine_answer(engine)
    # decision is reset here: a problem solved again on its old thread must not route on the old one
    update: dict[str, Any] = {"engine": engine, "engine_answer": theirs, "decision": None}
    if not deps.config.proofs:
        return update
    emit({"event": "status", "text": "certificate: search → re-check → proof → numeric judges"})
    proof = plain(prove_problem(Problem.from_dict(dict(problem)), engine, deps.config.certificate_seconds,
                                check_lean=deps.config.lean_check))
    update["proof"] = proof
    settled = settles(problem["kind"], proof, theirs is not None)
    emit({"event": "status", "text": f"proof: {proof['status']}"
          + (f" ({proof['method']})" if proof["method"] else "") + (f" — {proof['reason']}" if proof["reason"] else "")})
    if settled is not None:
        outcome, reason = settled
        update.update(outcome=outcome, reason=reason, decision="accept",
                      answer=theirs if problem["kind"] in ("bound", "relation") else None)
    return update


def route_after_compute(state: LoopState) -> str:
    """A settled problem is only presented; anything else is drafted as before."""
    return "present" if state.get("decision") == "accept" else "recall"
