"""The model's only job once computation has proved the answer: presentation, optional and bounded.

With [loop] present = true and a generator model, one call of at most a fixed number of tokens:
- present_style = "rewrite": the model rewrites the computed proof's prose
  (verifiers/proofs/rewrite.py); the rewrite replaces the computed text only if it keeps every
  displayed formula and passes the same numeric judges;
- present_style = "overview": the model writes two or three sentences in words that go above the
  proof, labelled as its writing (verifiers/proofs/overview.py); they are kept only if every
  formula, number and theorem name in them is the proof's own.
Either way the computed proof is never lost: a refused or failed call keeps it as it was.
"""

from __future__ import annotations

from typing import Any

from qed.agent.deps import LoopDeps
from qed.agent.nodes.common import Metered, emit, node
from qed.agent.state import LoopState, plain
from qed.problems.record import Problem
from qed.verifiers.proofs.overview import with_overview_markdown, with_overview_tex, write_overview
from qed.verifiers.proofs.rewrite import rewrite_proof


def _ask(model: Metered, proof: dict[str, Any], problem: Problem, deps: LoopDeps) -> dict[str, Any]:
    """The new fields of the proof after the model's presentation (the outcome in `rewrite`)."""
    def on_token(piece: str) -> None:
        emit({"event": "token", "text": piece})

    if deps.config.present_style == "overview":
        outcome = write_overview(model, proof["markdown"], problem, max_tokens=deps.config.overview_max_tokens,
                                 on_token=on_token)
        new: dict[str, Any] = {"rewrite": plain(outcome.describe())}
        if outcome.accepted and outcome.text:
            new["computed_markdown"] = proof["markdown"]
            new["markdown"] = with_overview_markdown(proof["markdown"], outcome.text, model.spec)
            if proof.get("tex"):
                new["tex"] = with_overview_tex(proof["tex"], outcome.text, model.spec)
        return new
    outcome = rewrite_proof(model, proof["markdown"], problem, max_tokens=deps.config.present_max_tokens,
                            on_token=on_token)
    new = {"rewrite": plain(outcome.describe())}
    if outcome.accepted and outcome.text:
        new["computed_markdown"], new["markdown"] = proof["markdown"], outcome.text
    return new


@node("present")
def present(state: LoopState, deps: LoopDeps) -> dict[str, Any]:
    proof = state.get("proof")
    if not deps.config.present or proof is None or not proof["markdown"] or "generator" not in deps.models:
        return {}
    style = deps.config.present_style
    emit({"event": "call", "role": "generator"})
    model = Metered(deps.model("generator"))
    new = dict(proof)
    try:
        new.update(_ask(model, proof, Problem.from_dict(dict(state["problem"])), deps))
    except Exception as e:  # noqa: BLE001 - a failing model never costs the computed proof
        new["rewrite"] = {"style": style, "accepted": False,
                          "reason": f"the model call failed: {type(e).__name__}: {str(e)[:160]}"}
        emit({"event": "status", "text": f"presentation: computed text kept ({new['rewrite']['reason']})"})
        return {"proof": new, "usage": model.usage}
    outcome = new["rewrite"]
    if style == "overview":
        said = "overview in words added" if outcome["accepted"] else "no overview"
    else:
        said = "rewrite used" if outcome["accepted"] else "computed text kept"
    emit({"event": "status", "text": f"presentation: {said} — {outcome['reason']}"})
    return {"proof": new, "usage": model.usage}
