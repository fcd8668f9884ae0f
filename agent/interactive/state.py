"""The session's state: the loop's state plus what a person did, all plain JSON for the checkpoints.

A session is one LangGraph thread. Each step a person takes (a claim, a computation, a message,
one node of the loop) is one checkpoint, so /history, /undo and /goto are LangGraph time travel and
a step written before a kill is there on resume. The loop's own keys (agent/state.py) are kept as
the loop writes them, so /step and /auto continue the same loop the person has been steering.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from qed.agent.state import LoopState


class Entry(TypedDict):
    """One step as the transcript shows it: what was asked, the verdict, what backs it."""

    n: int  # the step's number in this branch (1-based)
    command: str  # "claim", "prove", "run", "say", "step", "proof", ...
    input: str
    verdict: str | None  # claim/prove: certified | refuted | ...; run: ok | error; None for text
    output: str  # what the screen showed, as text
    evidence: dict[str, Any]  # certificate, counterexample, sandbox result, judge verdicts ...


class Action(TypedDict, total=False):
    """The step to take, given as the input of one graph run."""

    command: str
    input: str
    options: dict[str, Any]


class SessionState(LoopState, total=False):
    action: Action | None
    entries: Annotated[list[Entry], operator.add]
    proof_text: str | None  # the proof as it stands (the person's, or the generator's latest)
    proof_from: str | None  # who wrote it: "you", "generator", "loop"
    last_claim: str | None
    loop_next: str | None  # the loop node /step runs next; None once the loop has ended
    roles: dict[str, str]  # role -> spec switched by /model during the session


def entries(state: dict[str, Any]) -> list[Entry]:
    return list(state.get("entries") or [])
