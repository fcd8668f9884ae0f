"""The plain records memory reads and writes: nodes, edges, provenance, recalled items, episodes."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

_STEP_TITLE = re.compile(r"\*\*Step \d+ \(([^()\n]{1,80})\)\.\*\*")  # a computed proof's step titles

NODE_KINDS: tuple[str, ...] = ("problem", "episode", "fact", "strategy", "lemma", "counterexample", "theorem")
EDGE_KINDS: tuple[str, ...] = (
    "derived_from", "uses", "refutes", "contradicts", "supersedes", "about", "similar", "specializes",
)
# What recall returns by default: knowledge, not transcripts. Problems and episodes are the bridges
# the graph channel walks through.
KNOWLEDGE_KINDS: tuple[str, ...] = ("theorem", "lemma", "fact", "strategy", "counterexample")
STATUSES: tuple[str, ...] = ("active", "superseded", "refuted")
Outcome = Literal["solved", "refuted", "abstained", "error"]
OUTCOMES: tuple[str, ...] = ("solved", "refuted", "abstained", "error")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Provenance:
    """Where a node or edge came from: which run, which model, when, and by what path."""

    run: str | None = None
    model: str | None = None
    when: str = ""
    source: str = ""  # "library", "ineqmath:...#Theorem 35", "distill:evidence", "distill:model", "import:<file>", "user"
    run_dir: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        parts = [self.source or "unknown source"]
        if self.run:
            parts.append(f"run {self.run}")
        if self.model:
            parts.append(f"model {self.model}")
        if self.when:
            parts.append(self.when)
        return ", ".join(parts)


@dataclass
class Node:
    id: str
    kind: str
    title: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)
    status: str = "active"
    problem_id: str | None = None  # the problem this node belongs to (recall can exclude it)
    provenance: Provenance = field(default_factory=Provenance)
    forgotten: bool = False
    uses_ok: int = 0
    uses_failed: int = 0
    last_used: str | None = None
    support: int = 1  # how many episodes or sources said the same thing (near-duplicates merged)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Edge:
    src: str
    dst: str
    kind: str
    weight: float = 1.0
    data: dict[str, Any] = field(default_factory=dict)
    provenance: Provenance = field(default_factory=Provenance)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Recalled:
    """One item recall hands to the loop, with why it ranked and where it came from."""

    id: str
    kind: str
    title: str
    text: str
    score: float
    provenance: Provenance
    channels: dict[str, int] = field(default_factory=dict)  # channel -> 1-based rank in it

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def render(self) -> str:
        """One line for a prompt: kind, id, text and its provenance."""
        return f"[{self.kind} {self.id}] {self.text} (from {self.provenance.describe()})"


@dataclass
class Episode:
    """One finished attempt at a problem, as the loop hands it to `Memory.remember_episode`.

    evidence: one dict per check with keys stage, verdict, summary and, when there is one, any of
    formal (FormalProblem.describe()), certified, certificate, counterexample (variable -> value),
    closed_form, answer, engine (a nested dict with the same keys).
    recalled: memory ids that were in the attempt's context; used: ids the solution relied on.
    """

    problem_id: str
    statement: str
    kind: str = "open"
    outcome: Outcome = "abstained"
    answer: str | None = None
    rounds: int = 0
    evidence: list[dict[str, Any]] = field(default_factory=list)
    run_id: str | None = None
    run_dir: str | None = None
    model: str | None = None
    timestamp: str = field(default_factory=now_iso)
    solution: str | None = None
    reason: str | None = None
    recalled: list[str] = field(default_factory=list)
    used: list[str] = field(default_factory=list)
    verified: bool = True  # False: a person accepted it and no check confirmed it (no fact, no strategy)

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"episode outcome must be one of {', '.join(OUTCOMES)}, not {self.outcome!r}")
        if not self.problem_id or not self.statement.strip():
            raise ValueError("an episode needs a problem id and a statement")

    @classmethod
    def from_loop_state(cls, state: dict[str, Any], *, run_id: str | None = None, run_dir: str | None = None,
                        model: str | None = None) -> Episode:
        """Read an episode out of the research loop's state (agent.state.LoopState, plain JSON)."""
        problem = state.get("problem") or {}
        evidence = []
        for check in state.get("checks") or []:
            item = {k: v for k, v in (check.get("evidence") or {}).items() if k != "reply"}
            item.update({"stage": check.get("stage"), "verdict": check.get("verdict"),
                         "summary": check.get("summary"), "round": check.get("round")})
            evidence.append(item)
        if state.get("engine"):
            evidence.append({"stage": "engine", "verdict": state["engine"].get("status"),
                             "summary": state["engine"].get("reason") or "", "engine": state["engine"]})
        drafts = state.get("drafts") or []
        solution = drafts[-1].get("text") if drafts and state.get("outcome") == "solved" else None
        proof = state.get("proof") or {}
        if proof.get("verified") and proof.get("emitted"):  # a computed proof: re-verified and judged
            steps = _STEP_TITLE.findall(proof.get("computed_markdown") or proof.get("markdown") or "")
            evidence.append({"stage": "proof", "verdict": proof.get("status"),
                             "summary": f"{proof.get('status')} by {proof.get('method')}; the certificate "
                                        "re-verified with the independent checker",
                             "proof_method": proof.get("method"), "proof_steps": list(dict.fromkeys(steps))})
            if solution is None and state.get("outcome") == "solved":
                solution = proof.get("computed_markdown") or proof.get("markdown")  # never the model's overview
        return cls(
            problem_id=str(problem.get("id") or "unknown"),
            statement=str(problem.get("statement") or ""),
            kind=str(problem.get("kind") or "open"),
            outcome=state.get("outcome") or "error",
            answer=state.get("answer"),
            rounds=len(drafts),
            evidence=evidence,
            run_id=run_id,
            run_dir=run_dir,
            model=model,
            solution=solution,
            reason=state.get("reason"),
            recalled=[str(it["id"]) for it in state.get("recalled") or [] if it.get("id")],
        )
