"""The loop's one typed state. Everything in it is plain JSON so checkpoints stay readable."""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal, TypedDict

Outcome = Literal["solved", "refuted", "abstained", "error"]
Decision = Literal["accept", "refine", "abstain"]
Verdict = Literal["pass", "fail", "unknown", "skipped"]


def add_usage(old: dict[str, int] | None, new: dict[str, int] | None) -> dict[str, int]:
    out = dict(old or {})
    for key, value in (new or {}).items():
        out[key] = out.get(key, 0) + value
    return out


class Draft(TypedDict):
    round: int
    text: str
    answer: str | None  # the answer read from the text (bound value or option letter), if any
    truncated: bool


class Check(TypedDict):
    """One verdict with its evidence: the unit of 'why we believe this'."""

    round: int
    stage: str  # self_verify | execute | review
    verdict: Verdict
    summary: str
    evidence: dict[str, Any]


class LoopState(TypedDict, total=False):
    problem: dict[str, Any]  # Problem.to_dict()
    round: int
    recalled: list[dict[str, Any]]
    drafts: Annotated[list[Draft], operator.add]
    checks: Annotated[list[Check], operator.add]
    engine: dict[str, Any] | None  # the inequality engine's result, computed once per problem
    feedback: str | None  # what the next generate round must address
    decision: Decision | None
    outcome: Outcome | None
    answer: str | None
    reason: str | None  # why we accepted / abstained, in one line
    usage: Annotated[dict[str, int], add_usage]
    memory_written: list[str]


def plain(value: Any) -> Any:
    """Make evidence from verifiers (numpy scalars, sympy objects, tuples) plain JSON for the state."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    for kind in (bool, int, float, str):  # subclasses such as numpy.float64 become the base type
        if isinstance(value, kind):
            return kind(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item) and getattr(value, "shape", None) == ():
        return plain(item())
    return str(value)


def checks_of_round(state: LoopState, rnd: int) -> list[Check]:
    return [c for c in state.get("checks", []) if c["round"] == rnd]


def latest_draft(state: LoopState) -> Draft | None:
    drafts = state.get("drafts") or []
    return drafts[-1] if drafts else None
