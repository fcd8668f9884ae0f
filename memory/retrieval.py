"""Hybrid recall: full text, embeddings, the graph around the hits and salience, fused by RRF.

Each channel ranks nodes its own way (equal evidence, equal rank) and memory.fusion combines the
ranks, scaled by how far each item can be trusted (memory.trust). Only active, unforgotten nodes
take part, and nodes that belong to the excluded problem are invisible to every channel,
including as stepping stones in the graph walk (so a problem's own episode cannot lead recall
to the theorem that solved it).
"""

from __future__ import annotations

import math
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from qed.memory import fusion
from qed.memory.records import KNOWLEDGE_KINDS, Provenance, Recalled
from qed.memory.salience import salience
from qed.memory.store import Store
from qed.memory.textsearch import TermFilter, all_terms, match_expression
from qed.memory.trust import FULL, trust_factors
from qed.memory.vectors import VectorIndex

WEIGHTS = {"fts": 1.0, "vector": 1.0, "graph": 2.0, "salience": 0.5}  # graph: what similar problems used
CHANNEL_DEPTH = 100  # how many hits each text channel contributes
SEEDS = 6  # nearest hits the graph walk starts from (what the closest earlier problems used)
HOP_DECAY = 0.5
EDGE_WEIGHT = {"uses": 1.0, "about": 0.8, "derived_from": 0.8, "similar": 0.7, "specializes": 0.7,
               "refutes": 0.6, "contradicts": 0.3, "supersedes": 0.3}
BRIDGE_KINDS = {"problem", "episode", "strategy"}  # nodes whose neighbours the walk visits a second time
DIRECT_CHANNELS = ("fts", "vector")  # the channels that look at the query itself; each keeps its leader on top
LEADER_TRUST = FULL  # only an item recall may fully rely on is kept on top for leading a channel


# The query is encoded on this thread while the full-text search runs on the caller's: numpy's
# matrix products and SQLite both release the GIL, so with a free core the two overlap.
_ENCODER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qed-query-encoder")


@dataclass(slots=True)
class _Row:
    """A candidate as recall reads it; salience and provenance are worked out only when asked for,
    since most candidates never reach the fused pool and only the k returned show provenance."""

    seq: int
    id: str
    kind: str
    problem_id: str | None
    raw: tuple  # run_id, run_dir, model, source, created_at, last_used_at, uses_ok, uses_failed, support
    now: datetime

    @property
    def provenance(self) -> Provenance:
        run_id, run_dir, model, source, created = self.raw[:5]
        return Provenance(run=run_id, model=model, when=created, source=source, run_dir=run_dir)

    @property
    def salience(self) -> float:
        created, last_used, ok, failed, support = self.raw[4:]
        return salience(self.kind, created, last_used, ok, failed, support, self.now)


@dataclass
class RecallReport:
    """What recall did, for `qed memory search --explain` and for the run record."""

    channels: dict[str, int] = field(default_factory=dict)  # channel -> number of candidates
    notes: list[str] = field(default_factory=list)


# Candidates are read without their title and text (hundreds per recall; only k are shown).
_ROW_SQL = ("SELECT seq, id, kind, problem_id, run_id, run_dir, model, source, created_at, "
            "last_used_at, uses_ok, uses_failed, support FROM nodes WHERE status = 'active' AND forgotten_at IS NULL "
            "AND (problem_id IS NULL OR problem_id != ?) AND {key} IN ({marks})")


def _rows(store: Store, key: str, values: list, exclude_problem: str | None, now: datetime) -> dict:
    """Visible nodes among `values` (seqs or ids), keyed the same way."""
    out = {}
    for start in range(0, len(values), 500):
        chunk = values[start:start + 500]
        sql = _ROW_SQL.format(key=key, marks=",".join("?" * len(chunk)))
        by_seq = key == "seq"
        for r in store.query(sql, [exclude_problem or "", *chunk]):
            out[r[0] if by_seq else r[1]] = _Row(r[0], r[1], r[2], r[3], r[4:], now)
    return out


def _texts(store: Store, ids: list[str]) -> dict[str, tuple[str, str]]:
    """Title and text of the items recall returns."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {i: (title, text) for i, title, text in store.query(f"SELECT id, title, text FROM nodes WHERE id IN ({marks})", ids)}


_TERM_FILTERS: dict[str, TermFilter] = {}


def corpus_size(store: Store) -> int:
    return store.query("SELECT COALESCE(MAX(seq), 0) FROM nodes")[0][0]


def discriminating_terms(store: Store, text: str) -> list[str]:
    filt = _TERM_FILTERS.setdefault(str(store.path), TermFilter())
    return filt.select(store.query, all_terms(text), corpus_size(store))


def _fts_hits(store: Store, query: str) -> list[tuple[int, float]]:
    """(node seq, relevance) of the best full-text matches, best first; relevance is -BM25."""
    expr = match_expression(discriminating_terms(store, query))
    if expr is None:
        return []
    try:
        rows = store.query("SELECT rowid, -bm25(nodes_fts, 3.0, 1.0, 1.0) AS score FROM nodes_fts "
                           f"WHERE nodes_fts MATCH ? ORDER BY score DESC LIMIT {CHANNEL_DEPTH * 2}", (expr,))
    except sqlite3.OperationalError:
        return []
    return [(r[0], r[1]) for r in rows]


def _graph_activation(store: Store, seeds: dict[str, float], exclude_problem: str | None, now: datetime,
                      known: dict[str, _Row]) -> dict[str, float]:
    """Spread activation from the seeds over edges, two hops, through visible nodes only."""
    activation: dict[str, float] = {}
    frontier = dict(seeds)
    for hop in range(2):
        if not frontier:
            break
        ids = list(frontier)
        marks = ",".join("?" * len(ids))
        edges = store.query(f"SELECT src, dst, kind, weight FROM edges WHERE src IN ({marks}) "
                            f"UNION ALL SELECT src, dst, kind, weight FROM edges WHERE dst IN ({marks})", ids + ids)
        reached: dict[str, float] = {}
        for src, dst, kind, weight in edges:
            for here, there in ((src, dst), (dst, src)):
                if here in frontier and there != here:
                    gain = frontier[here] * EDGE_WEIGHT.get(kind, 0.5) * weight * (HOP_DECAY ** hop)
                    reached[there] = reached.get(there, 0.0) + gain
        missing = [i for i in reached if i not in known]
        if missing:
            known.update(_rows(store, "id", missing, exclude_problem, now))
        reached = {i: a for i, a in reached.items() if i in known}
        for i, a in reached.items():
            activation[i] = activation.get(i, 0.0) + a
        bridges = sorted(((a, i) for i, a in reached.items() if known[i].kind in BRIDGE_KINDS and i not in seeds),
                         reverse=True)[:SEEDS * 2]
        frontier = {i: a for a, i in bridges}
    return activation


EXPERIENCE_KINDS = {"strategy", "counterexample", "episode", "problem"}  # what happened on earlier problems


def experience_cap(k: int) -> int:
    """At most this many experience items (strategies, counterexamples, ...) in a top-k list; the
    rest goes to knowledge to use (theorems, lemmas, facts), so strategies from similar problems
    cannot crowd out the theorems they used. One in five: a listed strategy brings the theorem it
    applies right after it, so a second strategy would mostly repeat the advice at the price of a
    theorem the list then leaves out."""
    return max(1, math.ceil(0.2 * k))


def _diverse(ordered: list[str], known: dict[str, _Row], k: int,
             applies: dict[str, list[str]] | None = None, head: int = 0) -> list[str]:
    """Fused order under the experience cap; a listed strategy brings the knowledge it applies
    next (when that is a candidate), so the advice comes with what it refers to. The first `head`
    items (the fused first and the channel leaders) keep their places ahead of what is brought."""
    cap, used, out, spill = experience_cap(k), 0, [], []
    queue = list(ordered)
    pending_head = set(ordered[:head])
    placed: set[str] = set()
    while queue:
        i = queue.pop(0)
        pending_head.discard(i)
        if i in placed:
            continue
        if known[i].kind in EXPERIENCE_KINDS:
            if used >= cap:
                spill.append(i)
                continue
            used += 1
        out.append(i)
        placed.add(i)
        if len(out) == k:
            return out
        if applies and i in applies:
            at = next((n for n, j in enumerate(queue) if j not in pending_head), len(queue))
            queue[at:at] = [j for j in applies[i] if j not in placed and j not in pending_head]
    return (out + [i for i in spill if i not in placed])[:k]  # fill up with experience, in fused order


def _applies(store: Store, strategies: list[str], candidates: dict[str, float]) -> dict[str, list[str]]:
    """For each strategy, the candidates it says to use (its 'uses' edges), best fused first."""
    if not strategies:
        return {}
    marks = ",".join("?" * len(strategies))
    out: dict[str, list[str]] = {}
    for src, dst in store.query(f"SELECT src, dst FROM edges WHERE kind = 'uses' AND src IN ({marks})", strategies):
        if dst in candidates:
            out.setdefault(src, []).append(dst)
    return {s: sorted(d, key=lambda i: (-candidates[i], i)) for s, d in out.items()}


def _seeds(score: dict[str, dict[str, float]]) -> dict[str, float]:
    """Where the graph walk starts: the few best text and vector hits of any kind, fused.

    The walk asks "what did the most similar earlier problems use", so its seeds are the closest
    few: a longer seed list dilutes the near neighbours' votes with far ones."""
    first: dict[str, float] = {}
    for c in ("fts", "vector"):
        channel = fusion.tied_rank(fusion.by_value(score[c])[:CHANNEL_DEPTH], score[c])
        for i, r in channel.items():
            first[i] = first.get(i, 0.0) + 1.0 / (fusion.RRF_K + r)
    seed_ids = sorted(first, key=lambda i: (-first[i], i))[:SEEDS]
    return {i: 1.0 / (1 + n) for n, i in enumerate(seed_ids)}


def hybrid_recall(store: Store, index: VectorIndex | None, query: str, *, k: int = 5,
                  exclude_problem: str | None = None, kinds: tuple[str, ...] | None = KNOWLEDGE_KINDS,
                  report: RecallReport | None = None) -> list[Recalled]:
    now = datetime.now(UTC)
    report = report if report is not None else RecallReport()
    wanted = set(kinds) if kinds else None

    # Everything up to the vector search needs only the query's text, so it runs while the
    # query is encoded: full-text hits, their rows, and the trust of those sure to be ranked.
    encoding = None
    if index is not None:
        index.refresh()
        if len(index):
            encoding = _ENCODER.submit(index.encode_query, query)
    fts_hits = _fts_hits(store, query)
    asked = {s for s, _ in fts_hits}
    by_seq = _rows(store, "seq", list(asked), exclude_problem, now)
    score = {"fts": {by_seq[s].id: v for s, v in fts_hits if s in by_seq}}
    fts_all = fusion.by_value(score["fts"])
    fts_kinds = {r.id: r.kind for r in by_seq.values()}
    fts_top = [i for i in fts_all if wanted is None or fts_kinds[i] in wanted]
    trust = trust_factors(store, fts_top[:CHANNEL_DEPTH], fts_kinds)

    vec_hits: list[tuple[int, float]] = []
    if index is not None and encoding is not None:
        vec_hits = index.search(encoding.result(), CHANNEL_DEPTH)
    elif index is None and not report.notes:
        report.notes.append("embeddings unavailable: ranking by full text, graph and salience")
    by_seq.update(_rows(store, "seq", list(dict.fromkeys(s for s, _ in vec_hits if s not in asked)), exclude_problem, now))
    score["vector"] = {by_seq[s].id: v for s, v in vec_hits if s in by_seq}
    vec_all = fusion.by_value(score["vector"])
    known = {r.id: r for r in by_seq.values()}

    seeds = _seeds(score)
    activation = _graph_activation(store, seeds, exclude_problem, now, known)

    def keep(i: str) -> bool:
        return wanted is None or known[i].kind in wanted

    ordered = {
        "fts": fts_top,
        "vector": [i for i in vec_all if keep(i)],
        "graph": [i for i in fusion.by_value(activation) if keep(i)],
    }
    score["graph"] = activation
    ranks = {c: fusion.tied_rank(ids[:CHANNEL_DEPTH], score[c]) for c, ids in ordered.items()}
    pool = list(dict.fromkeys(i for c in ranks for i in ranks[c]))
    ranks["salience"] = fusion.tied_rank(pool, {i: known[i].salience for i in pool})
    report.channels = {name: len(r) for name, r in ranks.items()}
    trust.update(trust_factors(store, [i for i in pool if i not in trust], {i: known[i].kind for i in pool}))
    fused = fusion.rrf(ranks, WEIGHTS, pool, trust)
    leaders = [next((i for i in ordered[c][:CHANNEL_DEPTH] if trust.get(i, 0.0) >= LEADER_TRUST), None) for c in DIRECT_CHANNELS
               if WEIGHTS.get(c, 0.0) > 0]
    leaders = [i for i in leaders if i]
    order = fusion.keep_leaders(fusion.fused_order(fused), leaders)
    applies = _applies(store, [i for i in order if known[i].kind == "strategy"][:k], fused)
    best = _diverse(order, known, k, applies, head=1 + len(set(leaders) - {order[0]} if order else set()))
    texts = _texts(store, best)
    return [
        Recalled(id=i, kind=known[i].kind, title=texts[i][0], text=texts[i][1], score=round(fused[i], 6),
                 provenance=known[i].provenance, channels={c: ranks[c][i] for c in ranks if i in ranks[c]})
        for i in best
    ]
