"""Write the finished episode into memory so later problems can recall what it taught."""

from __future__ import annotations

from typing import Any

from qed.agent.deps import LoopDeps
from qed.agent.nodes.common import node
from qed.agent.provenance import of_state
from qed.agent.state import LoopState


@node("remember")
def remember(state: LoopState, deps: LoopDeps) -> dict[str, Any]:
    if deps.memory is None or not deps.config.use_memory:
        return {"memory_written": []}
    from qed.memory import Episode

    episode = Episode.from_loop_state(state, run_id=deps.run_id, run_dir=deps.run_dir,
                                      model=deps.models["generator"].spec)
    answer = state.get("answer")
    episode.answer = answer["text"] if answer else None  # memory keeps the answer as written
    found = of_state(state)
    episode.verified = found is None or found.verified  # a person's unchecked yes is no fact
    written = deps.memory.remember_episode(episode, model=None)
    used = [item["id"] for item in state.get("recalled") or []]
    if used:
        deps.memory.mark_used(used, success=state.get("outcome") == "solved" and episode.verified)
    return {"memory_written": list(written)}
