"""The memory the loop and the CLI talk to: recall, remember, reinforce, and the lifecycle around them."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from qed.memory.consolidate import Plan, plan_item
from qed.memory.distill import Item, episode_nodes, knowledge_items, problem_node_id, read_evidence
from qed.memory.errors import MemoryStoreError
from qed.memory.formal_facts import FormalFactError, parse_fact
from qed.memory.library import seed
from qed.memory.paths import default_memory_path
from qed.memory.record_check import formal_problem
from qed.memory.records import (
    KNOWLEDGE_KINDS,
    NODE_KINDS,
    Edge,
    Episode,
    Node,
    Provenance,
    Recalled,
    now_iso,
)
from qed.memory.retrieval import RecallReport, hybrid_recall
from qed.memory.store import Store, new_id
from qed.memory.vectors import VectorIndex
from qed.models.base import ChatModel

EMBED_PER_RECALL = 32  # a recall embeds at most this many new nodes first, so it never stalls for long


class Memory:
    """One memory file. Safe to share between threads; other processes may write the same file."""

    def __init__(self, store: Store, *, embeddings: bool = True):
        self.store = store
        self.path = store.path
        self._want_embeddings = embeddings
        self._index: VectorIndex | None = None
        self._index_checked = False
        self._index_lock = threading.Lock()
        self.embedder_note: str | None = None
        self.notes: list[str] = []  # what consolidation decided during the last write

    # --- embeddings -----------------------------------------------------------------------------

    @property
    def index(self) -> VectorIndex | None:
        """The vector index, loading the embedder on first use; None (with a note) when absent."""
        with self._index_lock:
            if not self._index_checked:
                self._index_checked = True
                if not self._want_embeddings:
                    self.embedder_note = "embeddings turned off"
                else:
                    from qed.memory.embedder import (
                        EmbedderUnavailable,
                        absent_reason,
                        load_embedder,
                    )

                    try:
                        embedder = load_embedder()
                    except EmbedderUnavailable as e:
                        embedder, self.embedder_note = None, str(e)
                    if embedder is None:
                        self.embedder_note = self.embedder_note or absent_reason()
                    else:
                        self._index = VectorIndex(self.store, embedder)
            return self._index

    def embed_pending(self, limit: int | None = None) -> int:
        index = self.index
        return index.embed_pending(limit) if index is not None else 0

    # --- reading --------------------------------------------------------------------------------

    def recall(self, query: str, *, k: int = 5, exclude_problem: str | None = None,
               kinds: tuple[str, ...] | None = KNOWLEDGE_KINDS, report: RecallReport | None = None) -> list[Recalled]:
        """The k items most worth knowing for `query`, each with its provenance.

        kinds=None returns any kind (problems and episodes too). exclude_problem hides everything
        that belongs to that problem id (its node, its episodes, knowledge derived from them).
        """
        if k < 1:
            raise ValueError("k must be at least 1")
        index = self.index
        report = report if report is not None else RecallReport()
        if index is not None:
            if not self.store.read_only:
                index.embed_pending(limit=EMBED_PER_RECALL)
            waiting = index.pending_count()
            if waiting:
                report.notes.append(f"{waiting} node(s) not embedded yet (run `qed memory embedder --index`); "
                                    "they are found by full text and graph meanwhile")
        if self.embedder_note and index is None:
            report.notes.append(self.embedder_note)
        return hybrid_recall(self.store, index, query, k=k, exclude_problem=exclude_problem, kinds=kinds,
                             report=report)

    def get(self, node_id: str) -> Node:
        return self.store.require(node_id)

    def explain(self, node_id: str) -> dict[str, Any]:
        """A node, its edges with the node at the other end, and what supersedes or refutes it."""
        node = self.store.require(node_id)
        edges = self.store.edges_of(node_id)
        others = self.store.get_many(list({e.dst if e.src == node_id else e.src for e in edges}))
        rows = []
        for e in edges:
            outgoing = e.src == node_id
            other = others.get(e.dst if outgoing else e.src)
            rows.append({"direction": "out" if outgoing else "in", "edge": e, "other": other})
        helped = [r["other"].problem_id for r in rows if r["edge"].kind == "uses" and r["direction"] == "in" and r["other"]
                  and r["other"].kind == "episode" and r["edge"].data.get("outcome") == "solved"]
        hurt = [r["other"].problem_id for r in rows if r["edge"].kind == "uses" and r["direction"] == "in" and r["other"]
                and r["other"].kind == "episode" and r["edge"].data.get("outcome") in ("abstained", "error", "refuted")]
        return {"node": node, "edges": rows, "helped": sorted(set(filter(None, helped))),
                "hurt": sorted(set(filter(None, hurt)))}

    def stats(self) -> dict[str, Any]:
        q = self.store.query
        by_kind = {k: {"active": 0, "superseded": 0, "refuted": 0, "forgotten": 0} for k in NODE_KINDS}
        for kind, status, forgotten, n in q("SELECT kind, status, forgotten_at IS NOT NULL, COUNT(*) FROM nodes "
                                            "GROUP BY kind, status, forgotten_at IS NOT NULL"):
            by_kind.setdefault(kind, {"active": 0, "superseded": 0, "refuted": 0, "forgotten": 0})
            by_kind[kind]["forgotten" if forgotten else status] += n
        edges = dict(q("SELECT kind, COUNT(*) FROM edges GROUP BY kind"))
        embedded = q("SELECT COUNT(*) FROM embeddings")[0][0]
        nodes = q("SELECT COUNT(*) FROM nodes")[0][0]
        return {
            "path": str(self.path),
            "nodes": nodes,
            "by_kind": by_kind,
            "edges": edges,
            "embedded": embedded,
            "seeded": {k: v for k, v in q("SELECT key, value FROM meta WHERE key LIKE 'seed:%'")},
            "size_bytes": self.path.stat().st_size if self.path.exists() else 0,
        }

    # --- writing --------------------------------------------------------------------------------

    def mark_used(self, ids: list[str], success: bool) -> None:
        """Reinforce (success) or weaken the salience of items an attempt relied on."""
        self.store.mark_used(list(dict.fromkeys(ids)), success)

    def remember_episode(self, episode: Episode, model: ChatModel | None = None) -> list[str]:
        """Write the episode and the knowledge it yields; return the ids written or reinforced."""
        self.notes = []
        findings = read_evidence(episode.evidence)
        problem, ep_node = episode_nodes(episode, findings)
        prov = Provenance(run=episode.run_id, model=episode.model, when=episode.timestamp,
                          source="distill:evidence", run_dir=episode.run_dir)
        linked = list(dict.fromkeys(episode.used + episode.recalled))
        present = self.store.get_many(linked)
        edges = [Edge(ep_node.id, problem.id, "about", provenance=prov)]
        for i in linked:
            if i in present:
                weight = 1.0 if i in episode.used else (0.5 if episode.outcome == "solved" else 0.1)
                edges.append(Edge(ep_node.id, i, "uses", weight, data={"outcome": episode.outcome}, provenance=prov))
        with self.store.write() as conn:
            self.store.insert_nodes(conn, [problem, ep_node])
            self.store.insert_edges(conn, edges)
        written = [problem.id, ep_node.id]
        titles = {i: n.title for i, n in present.items()}
        items = knowledge_items(episode, findings, titles)
        if model is not None:
            from qed.memory.model_distill import extract_with_model

            extracted, note = extract_with_model(model, episode, findings)
            items += extracted
            if note:
                self.notes.append(note)
        for item in items:
            item_prov = prov if item.source is None else Provenance(
                run=episode.run_id, model=item.model, when=episode.timestamp, source=item.source,
                run_dir=episode.run_dir)
            links = [("derived_from", ep_node.id, 1.0), ("about", problem.id, 1.0), *item.links]
            written.append(self._write_item(item, item_prov, links, problem_id=episode.problem_id))
        return list(dict.fromkeys(written))

    def add(self, kind: str, text: str, *, title: str = "", data: dict[str, Any] | None = None,
            formal: dict[str, Any] | None = None, problem_id: str | None = None,
            provenance: Provenance | None = None, links: list[tuple[str, str, float]] | None = None) -> str:
        """Write one piece of knowledge through consolidation; return its id (or the id it merged into)."""
        if kind not in KNOWLEDGE_KINDS:
            raise MemoryStoreError(f"can only add knowledge ({', '.join(KNOWLEDGE_KINDS)}), not {kind!r}")
        if not text.strip():
            raise MemoryStoreError("empty text")
        data = dict(data or {})
        parsed = None
        if formal is not None:
            try:
                parsed = parse_fact(formal)
            except FormalFactError as e:
                raise MemoryStoreError(f"formal record: {e}") from None
            data["formal"] = parsed.to_dict()
        _check_data(data)
        self.notes = []
        item = Item(kind=kind, title=title or text[:60], text=text, data=data, formal=parsed)
        prov = provenance or Provenance(when=now_iso(), source="user")
        if not prov.when:
            prov.when = now_iso()
        return self._write_item(item, prov, list(links or []), problem_id=problem_id)

    def _write_item(self, item: Item, prov: Provenance, links: list[tuple[str, str, float]],
                    problem_id: str | None) -> str:
        node_id = new_id(item.kind)
        plan: Plan = plan_item(self.store, self.index, item, node_id, prov)
        self.notes += plan.notes
        target = plan.merge_into or node_id
        edges = [Edge(target, dst, kind, weight, provenance=prov) for kind, dst, weight in links if dst != target]
        with self.store.write() as conn:
            if plan.merge_into is None:
                again = self.store.active_by_hash(item.kind, item.text)  # another process may have just written it
                if again:
                    target = again
                    edges = [Edge(target, e.dst, e.kind, e.weight, provenance=prov) for e in edges]
                    self.store.add_support(conn, target)
                else:
                    node = Node(id=node_id, kind=item.kind, title=item.title, text=item.text, data=item.data,
                                status=plan.status, problem_id=problem_id, provenance=prov)
                    self.store.insert_nodes(conn, [node, *plan.nodes])
                    for old, status in plan.status_changes:
                        self.store.set_status(conn, old, status)
                    edges += plan.edges
            else:
                self.store.add_support(conn, target)
            self.store.insert_edges(conn, edges)
        return target

    def revise(self, node_id: str, text: str, *, data: dict[str, Any] | None = None,
               formal: dict[str, Any] | None = None, reason: str = "",
               provenance: Provenance | None = None) -> str:
        """Correct a node: a new node supersedes it; the old one stays, marked superseded."""
        old = self.store.require(node_id)
        if old.kind not in KNOWLEDGE_KINDS:
            raise MemoryStoreError(f"{node_id} is a {old.kind}; only knowledge can be revised")
        prov = provenance or Provenance(when=now_iso(), source="user")
        new_data = dict(data if data is not None else old.data)
        if formal is not None:
            try:
                new_data["formal"] = parse_fact(formal).to_dict()
            except FormalFactError as e:
                raise MemoryStoreError(f"formal record: {e}") from None
        _check_data(new_data)
        node = Node(id=new_id(old.kind), kind=old.kind, title=old.title, text=text, data=new_data,
                    problem_id=old.problem_id, provenance=prov)
        with self.store.write() as conn:
            self.store.insert_nodes(conn, [node])
            self.store.set_status(conn, node_id, "superseded")
            self.store.insert_edges(conn, [Edge(node.id, node_id, "supersedes", data={"reason": reason}, provenance=prov)])
        return node.id

    def forget(self, node_id: str) -> None:
        """Hide a node from recall; reversible with `restore`, nothing is deleted."""
        self.store.set_forgotten(node_id, True)

    def restore(self, node_id: str) -> None:
        self.store.set_forgotten(node_id, False)

    def export(self, fmt: str = "json") -> str:
        from qed.memory.exchange import export_graphml, export_json

        if fmt not in ("json", "graphml"):
            raise MemoryStoreError(f"export format must be json or graphml, not {fmt!r}")
        return export_json(self.store) if fmt == "json" else export_graphml(self.store)

    def import_file(self, path: Path | str) -> dict[str, Any]:
        from qed.memory.exchange import import_file

        return import_file(self.store, Path(path))

    def problem_node(self, problem_id: str) -> Node | None:
        return self.store.get(problem_node_id(problem_id))

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Memory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_data(data: dict[str, Any]) -> None:
    """Refuse data whose formal parts (formal, claim, point) the allow-listed reader cannot read."""
    why = formal_problem(data)
    if why:
        raise MemoryStoreError(f"data {why}")


def open_memory(path: Path | str | None = None, *, seed_library: bool = True, embeddings: bool = True,
                read_only: bool = False) -> Memory:
    """Open (creating and migrating as needed) the memory at `path`, $QED_MEMORY or the default place.

    An empty, damaged or foreign file, or one from a newer QED, raises MemoryStoreError before
    anything is written to it. read_only: never write (no seeding, no embedding, no migration);
    a path that does not exist yet is still created as a new memory first.
    """
    path = Path(path) if path is not None else default_memory_path()
    if read_only and not path.exists() and not path.is_symlink():
        open_memory(path, seed_library=seed_library, embeddings=False).close()
    store = Store(path, read_only=read_only)
    memory = Memory(store, embeddings=embeddings)
    if seed_library and not read_only:
        try:
            seed(store)
        except BaseException:
            store.close()
            raise
    return memory
