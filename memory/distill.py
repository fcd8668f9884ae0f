"""Turn a finished episode into knowledge, deterministically, from the loop's own evidence.

No model is needed: a bound or relation the engine certified becomes a lemma (with its formal
record and certificate), an uncertified accepted answer with a formal record becomes a fact (an
answer with no formal record stays on the episode: it is about one problem), a counterexample becomes
a counterexample node refuting the claim it breaks, and a solved problem whose solution relied on
recalled items or the engine leaves a strategy ("when a problem looks like this, try ...").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from qed.memory.formal_facts import FormalFact, FormalFactError, fact_from_solution, parse_fact
from qed.memory.records import Episode, Node, Provenance
from qed.memory.store import new_id

EXCERPT = 240
SOLUTION_CHARS = 6000  # the accepted draft or the computed proof, kept on the episode for a later reader


@dataclass
class Item:
    """One piece of knowledge to write, with edges to nodes that already exist or are written with it."""

    kind: str
    title: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)
    formal: FormalFact | None = None
    links: list[tuple[str, str, float]] = field(default_factory=list)  # (edge kind, target id, weight)
    status: str = "active"
    source: str | None = None  # provenance source when not the evidence itself (e.g. "distill:model")
    model: str | None = None  # the model that proposed it, if any


def problem_node_id(problem_id: str) -> str:
    return "prob-" + hashlib.sha1(problem_id.encode()).hexdigest()[:12]


def excerpt(text: str, limit: int = EXCERPT) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def _walk(evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each evidence item, the engine dicts nested in it, and the engine's own evidence
    (verifiers.engine.EngineAnswer keeps formal, extremum and certificate under `evidence`)."""
    out = []
    for item in evidence:
        if not isinstance(item, dict):
            continue
        out.append(item)
        engine = item.get("engine")
        if isinstance(engine, dict):
            out.append(engine)
            inner = engine.get("evidence")
            if isinstance(inner, dict):
                out.append({**inner, "certified": engine.get("certified")})
    return out


@dataclass
class Findings:
    formal: dict[str, Any] | None = None
    certified: bool = False
    certificate: Any = None
    closed_form: str | None = None
    points: list[dict[str, Any]] = field(default_factory=list)  # counterexamples
    claims: list[dict[str, Any]] = field(default_factory=list)  # formal claims those points refute
    extremum_point: dict[str, Any] | None = None
    summaries: list[str] = field(default_factory=list)
    proof_steps: list[str] = field(default_factory=list)  # a re-verified computed proof's step titles


def read_evidence(evidence: list[dict[str, Any]]) -> Findings:
    f = Findings()
    for item in _walk(evidence):
        if f.formal is None and isinstance(item.get("formal"), dict):
            f.formal = item["formal"]
        if item.get("certified") is True:
            f.certified = True
            f.certificate = item.get("certificate", f.certificate)
        if item.get("closed_form") and not f.closed_form:
            f.closed_form = str(item["closed_form"])
        cex = item.get("counterexample")
        if isinstance(cex, dict) and cex:
            point = cex.get("point") if isinstance(cex.get("point"), dict) else cex
            f.points.append({str(k): v for k, v in point.items()})
            claim = cex.get("claim") if isinstance(cex.get("claim"), dict) else item.get("claim")
            f.claims.append(claim if isinstance(claim, dict) else {})
        for key in ("extremum_point", "argmin", "argmax", "equality_point"):
            if isinstance(item.get(key), dict) and f.extremum_point is None:
                f.extremum_point = item[key]
        steps = item.get("proof_steps")
        if item.get("stage") == "proof" and isinstance(steps, list) and not f.proof_steps:
            f.proof_steps = [str(x)[:80] for x in steps[:8]]
        if item.get("summary") and item.get("stage"):
            f.summaries.append(f"{item['stage']}: {item['summary']}")
    return f


def _point_text(point: dict[str, Any]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in point.items())


def episode_nodes(ep: Episode, findings: Findings) -> tuple[Node, Node]:
    """The problem node (one per problem id) and this attempt's episode node."""
    prov = Provenance(run=ep.run_id, model=ep.model, when=ep.timestamp, source="episode", run_dir=ep.run_dir)
    problem = Node(id=problem_node_id(ep.problem_id), kind="problem", title=ep.problem_id, text=ep.statement,
                   data={"problem_id": ep.problem_id, "kind": ep.kind}, problem_id=ep.problem_id,
                   provenance=prov)
    answer = f"; answer {ep.answer}" if ep.answer else ""
    checks = "; ".join(findings.summaries[-4:])
    text = (f"{'' if ep.verified else 'Unverified (accepted by the user, no check confirmed it): '}"
            f"{ep.outcome.capitalize()} attempt at {ep.kind} problem {ep.problem_id} in {ep.rounds} round(s){answer}. "
            f"{ep.reason or ''} {('Checks: ' + checks) if checks else ''}").strip()
    compact = [{k: item.get(k) for k in ("stage", "verdict", "summary", "round") if item.get(k) is not None}
               for item in ep.evidence if isinstance(item, dict)]
    episode = Node(id=new_id("episode"), kind="episode", title=f"{ep.outcome}: {ep.problem_id}", text=text,
                   data={"outcome": ep.outcome, "answer": ep.answer, "rounds": ep.rounds, "reason": ep.reason,
                         "checks": compact, "statement_excerpt": excerpt(ep.statement),
                         "solution": ep.solution[:SOLUTION_CHARS] if ep.solution else None},
                   problem_id=ep.problem_id, provenance=prov)
    return problem, episode


def knowledge_items(ep: Episode, findings: Findings, titles: dict[str, str]) -> list[Item]:
    """Lemmas, facts, counterexamples and a strategy the evidence supports."""
    items: list[Item] = []
    gist = excerpt(ep.statement, 160)
    if ep.outcome == "solved" and ep.answer and ep.verified:
        formal = None
        if findings.formal:
            try:
                formal = fact_from_solution(findings.formal, ep.kind, ep.answer)
            except FormalFactError:
                formal = None
        if formal is not None:
            proved = findings.certified
            kind = "lemma" if proved else "fact"
            how = "certified by computation" if proved else "accepted, not certified"
            items.append(Item(kind=kind, title=f"{'Lemma' if proved else 'Fact'} from {ep.problem_id}",
                              text=f"{formal.describe()} ({how}; from the problem: {gist})",
                              data={"formal": formal.to_dict(), "certificate": findings.certificate,
                                    "answer": ep.answer, "certified": proved},
                              formal=formal))
        # Without a formal record an answer is a fact about this one problem, not reusable knowledge:
        # it stays on the episode node (and reaches other problems through the strategy below).
    for point, claim in zip(findings.points, findings.claims, strict=True):
        formal = None
        if claim:
            try:
                formal = parse_fact(claim)
            except FormalFactError:
                formal = None
        target = formal.describe() if formal else f"the claim of «{gist}»"
        items.append(Item(kind="counterexample", title=f"Counterexample from {ep.problem_id}",
                          text=f"{_point_text(point)} refutes {target}.",
                          data={"point": point, "claim": formal.to_dict() if formal else None}))
    if ep.outcome == "solved" and ep.verified:
        ways = []
        used = [i for i in dict.fromkeys(ep.used) if i in titles]
        if used:
            ways.append("apply " + ", ".join(titles[i] for i in used))
        if findings.extremum_point:
            ways.append(f"the extreme value is reached at {_point_text(findings.extremum_point)}")
        if findings.proof_steps:
            ways.append("prove it as a re-verified certificate did: " + ", then ".join(findings.proof_steps))
        if findings.certified:
            ways.append("formalise it and let the inequality engine certify the bound")
        elif findings.closed_form:
            ways.append(f"numeric search then closed-form recognition ({findings.closed_form})")
        if ways:
            answer = f" (answer: {ep.answer})" if ep.answer else ""
            items.append(Item(kind="strategy", title=f"Strategy from {ep.problem_id}",
                              text=f"When a {ep.kind} problem looks like «{gist}», try: {'; '.join(ways)}{answer}.",
                              data={"helped": [ep.problem_id], "uses": used},
                              links=[("uses", i, 1.0) for i in used]))
    return items
