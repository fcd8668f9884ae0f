"""Fit new knowledge into what memory holds: merge near-duplicates, detect contradictions by computation.

For each item about to be written:
- the same text, the same formal statement, or (with embeddings) a near-identical sentence of the
  same kind already active -> merge: the old node gains support and the new provenance, no new node;
- a formal fact that an active counterexample's point refutes -> written, but as refuted;
- a counterexample whose point satisfies an active fact's hypotheses and breaks its relation ->
  that fact is marked refuted (edge `refutes`);
- two formal facts whose relations on equivalent expressions cannot both hold -> computation tries
  to find a point that refutes one; failing that, a certified lemma beats an uncertified fact and
  otherwise the newer supersedes the older. Either way an edge records why; nothing is deleted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from qed.memory.distill import Item
from qed.memory.formal_facts import (
    FormalFact,
    FormalFactError,
    contradiction,
    parse_fact,
    point_refutes,
    same_statement,
    search_counterexample,
    specializes,
)
from qed.memory.records import Edge, Node, Provenance
from qed.memory.store import Store, new_id

FORMAL_SCAN = 400  # most recent formal facts compared with a new one
NEAR_DUPLICATE_COSINE = 0.95
NEAR_DUPLICATE_JACCARD = 0.85
_STRENGTH = {"lemma": 2, "fact": 1}


@dataclass
class Plan:
    """Everything one item's consolidation writes, applied in one short transaction."""

    merge_into: str | None = None
    status: str = "active"
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    status_changes: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _formal_nodes(store: Store, kinds: tuple[str, ...] = ("fact", "lemma")) -> list[tuple[str, str, FormalFact]]:
    marks = ",".join("?" * len(kinds))
    rows = store.query(
        f"SELECT id, kind, json_extract(data, '$.formal') FROM nodes WHERE kind IN ({marks}) AND status = 'active' "
        f"AND forgotten_at IS NULL AND json_extract(data, '$.formal') IS NOT NULL ORDER BY seq DESC LIMIT {FORMAL_SCAN}",
        kinds,
    )
    out = []
    for nid, kind, raw in rows:
        try:
            out.append((nid, kind, parse_fact(json.loads(raw))))
        except (FormalFactError, json.JSONDecodeError, TypeError):
            continue
    return out


def _counterexample_points(store: Store) -> list[tuple[str, dict[str, Any]]]:
    rows = store.query("SELECT id, json_extract(data, '$.point') FROM nodes WHERE kind = 'counterexample' AND "
                       "status = 'active' AND forgotten_at IS NULL AND json_extract(data, '$.point') IS NOT NULL "
                       f"ORDER BY seq DESC LIMIT {FORMAL_SCAN}")
    out = []
    for nid, raw in rows:
        try:
            point = json.loads(raw)
        except (json.JSONDecodeError, TypeError):
            continue
        if isinstance(point, dict):
            out.append((nid, point))
    return out


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _numbers(text: str) -> list[str]:
    """The numbers a text states: texts that differ in any of them are never near-duplicates."""
    return sorted(re.findall(r"\d+(?:\.\d+)?", text))


def _near_duplicate(store: Store, index: Any, item: Item) -> str | None:
    rows: list[tuple[str, str]] = []
    numbers = _numbers(item.text)
    if index is not None:
        index.refresh()
    if index is not None and len(index):
        vector = index.encode_query(item.text)
        hits = [(seq, cos) for seq, cos in index.search(vector, 8) if cos >= NEAR_DUPLICATE_COSINE]
        if hits:
            marks = ",".join("?" * len(hits))
            found = {seq: (nid, text) for seq, nid, text in store.query(
                f"SELECT seq, id, text FROM nodes WHERE seq IN ({marks}) AND kind = ? AND status = 'active' "
                "AND forgotten_at IS NULL", [s for s, _ in hits] + [item.kind])}
            for seq, _ in hits:
                if seq in found and _numbers(found[seq][1]) == numbers:
                    return found[seq][0]
    from qed.memory.retrieval import discriminating_terms
    from qed.memory.textsearch import match_expression

    expr = match_expression(discriminating_terms(store, item.text))
    if expr:
        rows = store.query("SELECT n.id, n.text FROM nodes_fts JOIN nodes n ON n.seq = nodes_fts.rowid "
                           "WHERE nodes_fts MATCH ? AND n.kind = ? AND n.status = 'active' AND n.forgotten_at IS NULL "
                           "ORDER BY bm25(nodes_fts) LIMIT 10", (expr, item.kind))
    mine = _words(item.text)
    for nid, text in rows:
        theirs = _words(text)
        if (mine and theirs and len(mine & theirs) / len(mine | theirs) >= NEAR_DUPLICATE_JACCARD
                and _numbers(text) == numbers):
            return nid
    return None


def _refutation_node(point: dict[str, str], fact_id: str, fact: FormalFact, why: str, prov: Provenance) -> tuple[Node, Edge]:
    shown = ", ".join(f"{k} = {v}" for k, v in point.items())
    node = Node(id=new_id("counterexample"), kind="counterexample", title="Counterexample found by search",
                text=f"{shown} refutes {fact.describe()}: {why}.",
                data={"point": point, "claim": fact.to_dict(), "found_by": "random search at 30 digits"},
                provenance=prov)
    return node, Edge(node.id, fact_id, "refutes", data={"reason": why}, provenance=prov)


def plan_item(store: Store, index: Any, item: Item, node_id: str, prov: Provenance) -> Plan:
    """Decide how `item` (to be written as `node_id`) joins the graph."""
    plan = Plan(status=item.status)
    existing = store.active_by_hash(item.kind, item.text)
    if existing:
        plan.merge_into = existing
        plan.notes.append(f"same text as {existing}: merged")
        return plan
    if item.formal is not None and item.kind in _STRENGTH:
        _plan_formal(store, item, node_id, prov, plan)
        if plan.merge_into:
            return plan
    elif item.kind in ("fact", "strategy"):
        dup = _near_duplicate(store, index, item)
        if dup:
            plan.merge_into = dup
            plan.notes.append(f"near-duplicate of {dup}: merged")
            return plan
    if item.kind == "counterexample" and isinstance(item.data.get("point"), dict):
        _plan_counterexample(store, item, node_id, prov, plan)
    return plan


def _plan_formal(store: Store, item: Item, node_id: str, prov: Provenance, plan: Plan) -> None:
    new = item.formal
    assert new is not None
    for cex_id, point in _counterexample_points(store):
        why = point_refutes(point, new)
        if why:
            plan.status = "refuted"
            plan.edges.append(Edge(cex_id, node_id, "refutes", data={"reason": why}, provenance=prov))
            plan.notes.append(f"refuted on arrival by {cex_id}")
            return
    for old_id, old_kind, old in _formal_nodes(store):
        if same_statement(new, old):
            if _STRENGTH[item.kind] > _STRENGTH[old_kind]:
                plan.status_changes.append((old_id, "superseded"))
                plan.edges.append(Edge(node_id, old_id, "supersedes", data={"reason": "now certified"}, provenance=prov))
                plan.notes.append(f"supersedes {old_id} (same statement, now certified)")
            else:
                plan.merge_into = old_id
                plan.notes.append(f"same statement as {old_id}: merged")
            return
        if specializes(new, old):
            plan.edges.append(Edge(node_id, old_id, "specializes", provenance=prov))
            plan.notes.append(f"a special case of {old_id}")
        elif specializes(old, new):
            plan.edges.append(Edge(old_id, node_id, "specializes", provenance=prov))
            plan.notes.append(f"generalises {old_id}")
        why = contradiction(new, old)
        if why:
            _resolve(new, node_id, item.kind, old, old_id, old_kind, why, prov, plan)
            if plan.status != "active":
                return


def _resolve(new: FormalFact, new_id_: str, new_kind: str, old: FormalFact, old_id: str, old_kind: str,
             why: str, prov: Provenance, plan: Plan) -> None:
    """Two facts conflict: let computation pick the false one, else certified beats uncertified, else newer wins."""
    plan.edges.append(Edge(new_id_, old_id, "contradicts", data={"reason": why}, provenance=prov))
    for fact, fid, is_new in ((old, old_id, False), (new, new_id_, True)):
        point = search_counterexample(fact)
        if point:
            cex, edge = _refutation_node(point, fid, fact, point_refutes(point, fact) or "the relation fails", prov)
            plan.nodes.append(cex)
            plan.edges.append(edge)
            if is_new:
                plan.status = "refuted"
            else:
                plan.status_changes.append((fid, "refuted"))
            plan.notes.append(f"contradiction with {old_id} settled by a counterexample to {fid}")
            return
    if _STRENGTH[old_kind] > _STRENGTH[new_kind]:
        plan.status = "superseded"
        plan.edges.append(Edge(old_id, new_id_, "supersedes", data={"reason": f"contradicts a certified lemma: {why}"},
                               provenance=prov))
        plan.notes.append(f"contradicts certified {old_id}: written as superseded")
    else:
        plan.status_changes.append((old_id, "superseded"))
        plan.edges.append(Edge(new_id_, old_id, "supersedes", data={"reason": why}, provenance=prov))
        plan.notes.append(f"contradicts {old_id}: the newer supersedes it")


def _plan_counterexample(store: Store, item: Item, node_id: str, prov: Provenance, plan: Plan) -> None:
    point = item.data["point"]
    refuted_claim = False
    claim = None
    if isinstance(item.data.get("claim"), dict):
        try:
            claim = parse_fact(item.data["claim"])
        except FormalFactError:
            claim = None
    for fid, _kind, fact in _formal_nodes(store):
        why = point_refutes(point, fact)
        if why:
            plan.status_changes.append((fid, "refuted"))
            plan.edges.append(Edge(node_id, fid, "refutes", data={"reason": why}, provenance=prov))
            plan.notes.append(f"refutes {fid}")
            refuted_claim = refuted_claim or (claim is not None and same_statement(claim, fact))
    if claim is not None and not refuted_claim:
        why = point_refutes(point, claim)
        if why:
            node = Node(id=new_id("fact"), kind="fact", title="Refuted claim", text=f"Claim: {claim.describe()}",
                        data={"formal": claim.to_dict()}, status="refuted", provenance=prov)
            plan.nodes.append(node)
            plan.edges.append(Edge(node_id, node.id, "refutes", data={"reason": why}, provenance=prov))
        else:
            plan.notes.append("the point does not refute the stated claim by computation; kept as reported")
