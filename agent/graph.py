"""The whole research loop in one place.

compute ─┬→ (proved) present → remember → END
         └→ recall → generate → self_verify → execute → review → decide ─┬→ accept  → remember → END
                                                                        ├→ refine  → generate
                                                                        └→ abstain → remember → END

compute runs the engine, the certificate search and the proof before any draft; a problem it
settles is only presented, any other is drafted with its partial evidence.
"""

from __future__ import annotations

import functools

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from qed.agent.deps import LoopDeps
from qed.agent.nodes.compute import compute, route_after_compute
from qed.agent.nodes.decide import decide
from qed.agent.nodes.execute import execute
from qed.agent.nodes.generate import generate
from qed.agent.nodes.present import present
from qed.agent.nodes.recall import recall
from qed.agent.nodes.remember import remember
from qed.agent.nodes.review import review
from qed.agent.nodes.self_verify import self_verify
from qed.agent.state import LoopState

NODES = {
    "compute": compute,
    "present": present,
    "recall": recall,
    "generate": generate,
    "self_verify": self_verify,
    "execute": execute,
    "review": review,
    "decide": decide,
    "remember": remember,
}


def route_after_decide(state: LoopState) -> str:
    return "generate" if state.get("decision") == "refine" else "remember"


def build_graph(deps: LoopDeps, checkpointer: BaseCheckpointSaver | None = None) -> CompiledStateGraph:
    graph = StateGraph(LoopState)
    for name, fn in NODES.items():
        graph.add_node(name, functools.partial(fn, deps=deps))
    graph.add_edge(START, "compute")
    graph.add_conditional_edges("compute", route_after_compute, {"present": "present", "recall": "recall"})
    graph.add_edge("present", "remember")
    graph.add_edge("recall", "generate")
    graph.add_edge("generate", "self_verify")
    graph.add_edge("self_verify", "execute")
    graph.add_edge("execute", "review")
    graph.add_edge("review", "decide")
    graph.add_conditional_edges("decide", route_after_decide, {"generate": "generate", "remember": "remember"})
    graph.add_edge("remember", END)
    return graph.compile(checkpointer=checkpointer)
