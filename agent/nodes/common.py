"""What every node shares: labelling its model calls and telling the live view it started."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from langgraph.config import get_stream_writer
from qed.agent.deps import LoopDeps
from qed.agent.prompts import render
from qed.agent.state import JudgeSummary, LoopState, plain
from qed.models.base import CallOptions, ChatModel, Completion, Message, TokenCallback
from qed.models.calllog import calls_for
from qed.verifiers.judges.verdict import JudgeVerdict

NodeFn = Callable[[LoopState, LoopDeps], dict[str, Any]]


def emit(event: dict[str, Any]) -> None:
    """Send an event to whoever streams the graph (the live view); silent outside a stream."""
    try:
        writer = get_stream_writer()
    except RuntimeError:
        return
    writer(event)


def node(name: str) -> Callable[[NodeFn], NodeFn]:
    def wrap(fn: NodeFn) -> NodeFn:
        @functools.wraps(fn)
        def run(state: LoopState, deps: LoopDeps) -> dict[str, Any]:
            emit({"event": "node", "node": name, "round": state.get("round", 1)})
            with calls_for(problem_id=state["problem"]["id"], node=name):
                return fn(state, deps)

        return run

    return wrap


def call_model(
    deps: LoopDeps, role: str, messages: list[Message], max_tokens: int, temperature: float | None = None
) -> tuple[Completion, dict[str, int]]:
    """One model call with streamed tokens forwarded to the live view; returns usage for the state."""
    cfg = deps.config
    opts = CallOptions(
        max_tokens=max_tokens,
        temperature=cfg.temperature if temperature is None else temperature,
        timeout_s=cfg.call_timeout_s,
    )
    emit({"event": "call", "role": role})
    result = deps.model(role).chat(messages, opts, on_token=lambda piece: emit({"event": "token", "text": piece}))
    usage = {
        "prompt_tokens": result.usage.prompt_tokens,
        "completion_tokens": result.usage.completion_tokens,
        "calls": 1,
    }
    return result, usage


def recalled_block(state: LoopState) -> str:
    """The recalled items as a prompt block, each with where it came from; empty when none."""
    items = state.get("recalled") or []
    if not items:
        return ""
    lines = []
    for it in items:
        prov = it.get("provenance") or {}
        origin = ", ".join(str(prov[k]) for k in ("source", "run") if prov.get(k)) or "memory"
        lines.append(f"- [{it['kind']} {it['id']}] {it['text']} (from {origin})")
    return render("context_recalled", items="\n".join(lines)) + "\n\n"


class Metered:
    """A model handed to a verifier that makes its own calls, counting what they cost."""

    def __init__(self, inner: ChatModel):
        self.inner = inner
        self.spec = inner.spec
        self.usage: dict[str, int] = {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0}

    def chat(self, messages: list[Message], options: CallOptions | None = None,
             on_token: TokenCallback | None = None) -> Completion:
        result = self.inner.chat(messages, options, on_token)
        self.usage["calls"] += 1
        self.usage["prompt_tokens"] += result.usage.prompt_tokens
        self.usage["completion_tokens"] += result.usage.completion_tokens
        return result

    def close(self) -> None:
        self.inner.close()


def judge_summary(judged: JudgeVerdict, drop: tuple[str, ...] = ("raw",)) -> JudgeSummary:
    """A judge's verdict as evidence: plain data, without the raw model output (in the call log)."""
    return plain({k: v for k, v in judged.to_dict().items() if k not in drop})
