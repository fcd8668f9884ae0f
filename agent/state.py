"""The loop's one typed state. Everything in it is plain JSON so checkpoints stay readable.

The records are TypedDicts, not classes: a checkpoint is read back by a strict reader
(agent/checkpoints.py) that rebuilds plain data only, so the state holds dicts, lists, strings,
numbers and booleans, and these types say which keys each dict has. Each fact is kept once: the
engine's result once per problem (checks refer to it), each answer parsed once, where it is read.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal, TypedDict

from qed.problems.record import ProblemKind
from qed.verifiers.proofs.pipeline import ComputedProof

Outcome = Literal["solved", "refuted", "abstained", "error"]
Decision = Literal["accept", "refine", "abstain"]
Verdict = Literal["pass", "fail", "unknown", "skipped"]
Stage = Literal["self_verify", "execute", "review"]


def add_usage(old: dict[str, int] | None, new: dict[str, int] | None) -> dict[str, int]:
    out = dict(old or {})
    for key, value in (new or {}).items():
        out[key] = out.get(key, 0) + value
    return out


# -- what the loop is given ---------------------------------------------------------------------

class ProofRecord(TypedDict):
    label: str
    text: str


class ProblemRecord(TypedDict):
    """problems.record.Problem.to_dict(): the problem as the state carries it."""

    id: str
    statement: str
    kind: ProblemKind
    answer: str | None  # the known answer, if any (IneqMath's format)
    choices: list[str] | None
    solution: str | None
    source: str
    metadata: dict[str, Any]
    proofs: list[ProofRecord]


class ProvenanceRecord(TypedDict):
    run: str | None
    model: str | None
    when: str
    source: str
    run_dir: str | None


class RecalledItem(TypedDict):
    """memory.Recalled.to_dict(): one item recall put into this attempt's context."""

    id: str
    kind: str
    title: str
    text: str
    score: float
    provenance: ProvenanceRecord
    channels: dict[str, int]  # channel -> 1-based rank in it


# -- answers ------------------------------------------------------------------------------------

class Answer(TypedDict):
    """A final answer, parsed once where it is read; every later stage uses this, not the text.

    text: as written — a bound's LaTeX value (an approximation keeps its `\\approx`), a relation's
    option letter, an open problem's words. exact: a bound's exact value in sympy's syntax, which
    verifiers.safe_expr reads back (None when it is no exact value QED can read); a relation's
    letter; None for an open answer. symbols: the parameters `exact` is written in (n, k, ...).
    decimal: a decimal approximation stands where an exact value is needed.
    """

    text: str
    exact: str | None
    symbols: list[str]
    decimal: bool


class Draft(TypedDict):
    round: int
    text: str
    answer: Answer | None  # the answer read from the text, if any
    truncated: bool


# -- what the checks found ------------------------------------------------------------------------

class EngineResult(TypedDict):
    """verifiers.engine.EngineAnswer.to_dict() as plain data: computed once per problem, kept once."""

    status: Literal["answered", "abstained"]
    kind: str | None
    answer: str | None  # a bound's LaTeX value or a relation's letter, when answered
    certified: bool
    evidence: dict[str, Any]  # formal record, extremum, certificate, ... (the engine's own shapes)
    reason: str | None
    seconds: float
    formatted: str | None


class SandboxEvidence(TypedDict):
    origin: Literal["draft", "verifier"]  # whose code ran
    code: str
    result: str  # the run's reason, stdout and stderr, clipped
    ok: bool
    limit_hit: str | None


class JudgeSummary(TypedDict, total=False):
    """verifiers.judges' JudgeVerdict.to_dict() without the raw model output (and, in self_verify,
    without the per-formula findings)."""

    judge: str
    verdict: Literal["pass", "fail", "no_verdict"]
    reason: str
    step: int | None
    quote: str
    score: float | None
    findings: list[dict[str, Any]]
    stats: dict[str, Any]
    applicable: bool


class SelfVerifyEvidence(TypedDict):
    reply: str
    truncated: bool
    self_check: Verdict  # the model's own verdict, before the computation judges weigh in
    judges: list[JudgeSummary]


class ExecuteEvidence(TypedDict, total=False):
    uses_engine: bool  # the verdict weighs the problem's engine result (LoopState.engine)
    sandbox: SandboxEvidence


class RefereeEvidence(TypedDict):
    reply: str
    truncated: bool


Evidence = SelfVerifyEvidence | ExecuteEvidence | RefereeEvidence | JudgeSummary  # a proof's review: the DSM verdict


class Check(TypedDict):
    """One verdict with its evidence: the unit of 'why we believe this'."""

    round: int
    stage: Stage
    verdict: Verdict
    summary: str
    evidence: Evidence


class LoopState(TypedDict, total=False):
    problem: ProblemRecord
    round: int
    recalled: list[RecalledItem]
    drafts: Annotated[list[Draft], operator.add]
    checks: Annotated[list[Check], operator.add]
    engine: EngineResult | None  # the inequality engine's result, computed once per problem
    engine_answer: Answer | None  # the engine's answer, parsed once when the result arrives
    proof: ComputedProof | None  # the certificate and the proof computed before any draft (compute)
    feedback: str | None  # what the next generate round must address
    decision: Decision | None
    outcome: Outcome | None
    answer: Answer | None  # the accepted answer: a draft's or the engine's record, as parsed there
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
