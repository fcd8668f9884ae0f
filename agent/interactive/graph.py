"""The session graph: one run of it is one step a person takes, and each step is a checkpoint.

START ─route_action─┬→ act (a command: claim, prove, run, say, review, grade, ...) → END
                    └→ the loop node /step runs next (recall, generate, ... remember)  → END

The loop nodes are agent/graph.py's own functions; the order between them is read from the
loop's assembled graph (its edges and route_after_decide), so /step walks exactly the loop that
`qed solve` runs, one node per step, with the person's commands in between.
"""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from qed.agent.deps import LoopDeps
from qed.agent.graph import NODES, build_graph, route_after_decide
from qed.agent.interactive.actions import HANDLERS, entry
from qed.agent.interactive.state import SessionState
from qed.agent.nodes.common import emit

FIRST_NODE = "recall"


def loop_successors() -> dict[str, str]:
    """node -> the node after it in the loop, for every node with one fixed successor."""
    edges = build_graph(LoopDeps(models={})).builder.edges
    return {a: b for a, b in edges if a in NODES and b in NODES}


def next_node(name: str, state: dict[str, Any], successors: dict[str, str]) -> str | None:
    if name == "decide":
        return route_after_decide(state)  # type: ignore[arg-type]
    return successors.get(name)


def route_action(state: SessionState) -> str:
    action = state.get("action") or {}
    if action.get("command") == "step" and state.get("loop_next") in NODES:
        return state["loop_next"]  # type: ignore[return-value]
    return "act"


def _numbered(state: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    base = len(state.get("entries") or [])
    for i, e in enumerate(update.get("entries") or [], start=1):
        e["n"] = base + i
    return update


def _loop_step(name: str, deps: LoopDeps, successors: dict[str, str]):
    fn = NODES[name]

    def run(state: SessionState) -> dict[str, Any]:
        update = dict(fn(state, deps=deps))  # type: ignore[arg-type]
        merged = {**state, **update}
        following = next_node(name, merged, successors)
        update["loop_next"] = following
        lines = []
        for d in update.get("drafts") or []:
            update["proof_text"], update["proof_from"] = d["text"], "loop"
            lines.append(f"draft (round {d['round']}): answer {d['answer']['text'] if d['answer'] else '(none read)'}")
        for c in update.get("checks") or []:
            lines.append(f"{c['stage']}: {c['verdict']} — {c['summary']}")
        if update.get("decision"):
            lines.append(f"decision: {update['decision']} {update.get('reason') or update.get('feedback') or ''}".rstrip())
        if update.get("outcome"):
            lines.append(f"outcome: {update['outcome']}")
        if name == "recall":
            lines.append(f"recalled {len(update.get('recalled') or [])} item(s)")
        lines.append(f"next: {following}" if following else "the loop has ended")
        checks = update.get("checks") or []
        verdict = checks[-1]["verdict"] if checks else (update.get("decision") or update.get("outcome") or "ok")
        update["entries"] = [entry("step", name, verdict, "\n".join(lines),
                                   {"node": name, "checks": checks, "decision": update.get("decision")})]
        return _numbered(state, update)

    return run


def build_session_graph(deps: LoopDeps, checkpointer: BaseCheckpointSaver | None = None) -> CompiledStateGraph:
    successors = loop_successors()

    def act(state: SessionState) -> dict[str, Any]:
        action = state.get("action") or {}
        command = action.get("command", "")
        text = action.get("input", "")
        if command == "step":  # routed here only when the loop has no next node
            return _numbered(state, {"entries": [entry("step", "", "skipped", "the loop has ended (/undo or /goto to go back)")]})
        handler = HANDLERS.get(command)
        if handler is None:
            return _numbered(state, {"entries": [entry(command, text, "error", f"unknown command /{command}")]})
        emit({"event": "node", "node": command, "round": state.get("round", 1)})
        return _numbered(state, handler(state, deps, text))

    graph = StateGraph(SessionState)
    graph.add_node("act", act)
    for name in NODES:
        graph.add_node(name, _loop_step(name, deps, successors))
    graph.add_conditional_edges(START, route_action, {n: n for n in ["act", *NODES]})
    for name in ["act", *NODES]:
        graph.add_edge(name, END)
    return graph.compile(checkpointer=checkpointer)
