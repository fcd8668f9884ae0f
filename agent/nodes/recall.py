"""Bring what earlier work learned into this attempt's context, each item with its provenance."""

from __future__ import annotations

from typing import Any

from qed.agent.deps import LoopDeps
from qed.agent.nodes.common import emit, node
from qed.agent.state import LoopState, RecalledItem, plain


@node("recall")
def recall(state: LoopState, deps: LoopDeps) -> dict[str, Any]:
    base = {"round": state.get("round") or 1}
    if deps.memory is None or not deps.config.use_memory:
        return {**base, "recalled": []}
    problem = state["problem"]
    items = deps.memory.recall(problem["statement"], k=deps.config.recall_k, exclude_problem=problem["id"])
    recalled: list[RecalledItem] = [plain(item.to_dict() if hasattr(item, "to_dict") else dict(item))
                                      for item in items]
    emit({"event": "status", "text": f"recalled {len(recalled)} item(s) from memory"})
    return {**base, "recalled": recalled}
