"""The model's only job once computation has proved the answer: presentation, optional and bounded.

With [loop] present = true and a generator model, the model rewrites the computed proof's prose
(verifiers/proofs/rewrite.py); the rewrite replaces the computed text only if it keeps every
displayed formula and passes the same numeric judges. One call, at most present_max_tokens.
"""

from __future__ import annotations

from typing import Any

from qed.agent.deps import LoopDeps
from qed.agent.nodes.common import Metered, emit, node
from qed.agent.state import LoopState, plain
from qed.problems.record import Problem
from qed.verifiers.proofs.rewrite import rewrite_proof


@node("present")
def present(state: LoopState, deps: LoopDeps) -> dict[str, Any]:
    proof = state.get("proof")
    if not deps.config.present or proof is None or not proof["markdown"] or "generator" not in deps.models:
        return {}
    emit({"event": "call", "role": "generator"})
    model = Metered(deps.model("generator"))
    new = dict(proof)
    try:
        outcome = rewrite_proof(model, proof["markdown"], Problem.from_dict(dict(state["problem"])),
                                max_tokens=deps.config.present_max_tokens,
                                on_token=lambda piece: emit({"event": "token", "text": piece}))
    except Exception as e:  # noqa: BLE001 - a failing model never costs the computed proof
        new["rewrite"] = {"accepted": False, "reason": f"the model call failed: {type(e).__name__}: {str(e)[:160]}"}
        emit({"event": "status", "text": f"presentation: computed text kept ({new['rewrite']['reason']})"})
        return {"proof": new, "usage": model.usage}
    new["rewrite"] = plain(outcome.describe())
    if outcome.accepted and outcome.text:
        new["computed_markdown"], new["markdown"] = proof["markdown"], outcome.text
    emit({"event": "status", "text": f"presentation: {'rewrite used' if outcome.accepted else 'computed text kept'}"
          f" — {outcome.reason}"})
    return {"proof": new, "usage": model.usage}
