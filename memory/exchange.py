"""Export a memory to JSON or GraphML and import it back, keeping ids, status and provenance.

Embeddings are not exported: they are recomputed from the text where the model is present.
Importing never overwrites: a node whose id already exists is skipped, as is an edge that exists.

An export is data from elsewhere: every node's formal parts (`formal`, `claim`, `point`) are read
again by the allow-listed reader before anything is written. A node that fails is refused, with
its id and the reason, and not imported (nor are edges that touch it); the other nodes are. A
file that is not an export at all is refused whole.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from qed.memory.errors import MemoryStoreError
from qed.memory.record_check import formal_problem
from qed.memory.records import EDGE_KINDS, NODE_KINDS, Edge, Node, Provenance, now_iso
from qed.memory.store import NODE_COLUMNS, Store, node_from_row

FORMAT = "qed-memory-export"
VERSION = 1
_GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
_NODE_FIELDS = ("kind", "title", "text", "data", "status", "problem_id", "forgotten", "uses_ok", "uses_failed",
                "last_used", "support", "run", "model", "when", "source", "run_dir")
_EDGE_FIELDS = ("kind", "weight", "data", "run", "model", "when", "source")


def _all_nodes(store: Store) -> list[Node]:
    return [node_from_row(r) for r in store.query(f"SELECT {NODE_COLUMNS} FROM nodes ORDER BY seq")]


def _all_edges(store: Store) -> list[Edge]:
    from qed.memory.store import edge_from_row

    return [edge_from_row(r) for r in store.query(
        "SELECT src, dst, kind, weight, data, run_id, model, source, created_at FROM edges ORDER BY seq")]


def export_json(store: Store) -> str:
    return json.dumps({
        "format": FORMAT, "version": VERSION, "exported_at": now_iso(),
        "nodes": [n.to_dict() for n in _all_nodes(store)],
        "edges": [e.to_dict() for e in _all_edges(store)],
    }, ensure_ascii=False, indent=1)


def _flat_node(n: Node) -> dict[str, str]:
    p = n.provenance
    values: dict[str, Any] = {"kind": n.kind, "title": n.title, "text": n.text, "data": json.dumps(n.data),
                              "status": n.status, "problem_id": n.problem_id, "forgotten": n.forgotten,
                              "uses_ok": n.uses_ok, "uses_failed": n.uses_failed, "last_used": n.last_used,
                              "support": n.support, "run": p.run, "model": p.model, "when": p.when,
                              "source": p.source, "run_dir": p.run_dir}
    return {k: "" if v is None else str(v) for k, v in values.items()}


def export_graphml(store: Store) -> str:
    ET.register_namespace("", _GRAPHML_NS)
    root = ET.Element(f"{{{_GRAPHML_NS}}}graphml")
    for scope, fields in (("node", _NODE_FIELDS), ("edge", _EDGE_FIELDS)):
        for name in fields:
            ET.SubElement(root, f"{{{_GRAPHML_NS}}}key", id=f"{scope[0]}_{name}", attrib={"for": scope,
                          "attr.name": name, "attr.type": "string"})
    graph = ET.SubElement(root, f"{{{_GRAPHML_NS}}}graph", id="qed-memory", edgedefault="directed")
    for n in _all_nodes(store):
        el = ET.SubElement(graph, f"{{{_GRAPHML_NS}}}node", id=n.id)
        for k, v in _flat_node(n).items():
            ET.SubElement(el, f"{{{_GRAPHML_NS}}}data", key=f"n_{k}").text = v
    for e in _all_edges(store):
        el = ET.SubElement(graph, f"{{{_GRAPHML_NS}}}edge", source=e.src, target=e.dst)
        p = e.provenance
        for k, v in {"kind": e.kind, "weight": e.weight, "data": json.dumps(e.data), "run": p.run, "model": p.model,
                     "when": p.when, "source": p.source}.items():
            ET.SubElement(el, f"{{{_GRAPHML_NS}}}data", key=f"e_{k}").text = "" if v is None else str(v)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def _node(d: dict[str, Any]) -> Node:
    p = d.get("provenance") or {}
    if d.get("kind") not in NODE_KINDS:
        raise MemoryStoreError(f"import: node {d.get('id')!r} has unknown kind {d.get('kind')!r}")
    return Node(id=str(d["id"]), kind=d["kind"], title=d.get("title") or "", text=d.get("text") or "",
                data=d.get("data") or {}, status=d.get("status") or "active", problem_id=d.get("problem_id"),
                provenance=Provenance(**{k: p.get(k) for k in ("run", "model", "when", "source", "run_dir")}),
                forgotten=bool(d.get("forgotten")), uses_ok=int(d.get("uses_ok") or 0),
                uses_failed=int(d.get("uses_failed") or 0), last_used=d.get("last_used"),
                support=int(d.get("support") or 1))


def _edge(d: dict[str, Any]) -> Edge:
    p = d.get("provenance") or {}
    if d.get("kind") not in EDGE_KINDS:
        raise MemoryStoreError(f"import: edge {d.get('src')}->{d.get('dst')} has unknown kind {d.get('kind')!r}")
    return Edge(str(d["src"]), str(d["dst"]), d["kind"], float(d.get("weight", 1.0)), d.get("data") or {},
                Provenance(**{k: p.get(k) for k in ("run", "model", "when", "source", "run_dir")}))


def _read_graphml(text: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    root = ET.fromstring(text)
    ns = {"g": _GRAPHML_NS}
    keys = {k.get("id"): k.get("attr.name") for k in root.findall("g:key", ns)}
    nodes, edges = [], []
    for el in root.iter(f"{{{_GRAPHML_NS}}}node"):
        f = {keys.get(d.get("key")): d.text or "" for d in el.findall("g:data", ns)}
        nodes.append({"id": el.get("id"), "kind": f.get("kind"), "title": f.get("title"), "text": f.get("text"),
                      "data": json.loads(f.get("data") or "{}"), "status": f.get("status") or "active",
                      "problem_id": f.get("problem_id") or None, "forgotten": f.get("forgotten") == "True",
                      "uses_ok": f.get("uses_ok") or 0, "uses_failed": f.get("uses_failed") or 0,
                      "last_used": f.get("last_used") or None, "support": f.get("support") or 1,
                      "provenance": {k: f.get(k) or None for k in ("run", "model", "when", "source", "run_dir")}})
    for el in root.iter(f"{{{_GRAPHML_NS}}}edge"):
        f = {keys.get(d.get("key")): d.text or "" for d in el.findall("g:data", ns)}
        edges.append({"src": el.get("source"), "dst": el.get("target"), "kind": f.get("kind"),
                      "weight": f.get("weight") or 1.0, "data": json.loads(f.get("data") or "{}"),
                      "provenance": {k: f.get(k) or None for k in ("run", "model", "when", "source")}})
    return nodes, edges


def import_file(store: Store, path: Path) -> dict[str, Any]:
    """Add an export's readable nodes and edges that this memory lacks; return counts added, skipped
    and refused, and under "refused" one line per refused node ("<id>: <reason>")."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise MemoryStoreError(f"{path} is not a text export (JSON or GraphML)") from None
    try:
        if text.lstrip().startswith("<"):
            raw_nodes, raw_edges = _read_graphml(text)
        else:
            doc = json.loads(text)
            if not isinstance(doc, dict) or doc.get("format") != FORMAT:
                raise MemoryStoreError(f"{path} is not a QED memory export (format {FORMAT!r} expected)")
            if int(doc.get("version", 0)) > VERSION:
                raise MemoryStoreError(f"{path} was exported by a newer QED (version {doc['version']})")
            raw_nodes, raw_edges = doc.get("nodes") or [], doc.get("edges") or []
        nodes = [_node(d) for d in raw_nodes]
        edges = [_edge(d) for d in raw_edges]
    except (json.JSONDecodeError, ET.ParseError, KeyError, TypeError, ValueError) as e:
        if isinstance(e, MemoryStoreError):
            raise
        raise MemoryStoreError(f"{path} is not a readable memory export: {e}") from None
    refused: list[str] = []
    readable = []
    for n in nodes:
        why = formal_problem(n.data)
        if why:
            refused.append(f"{n.id}: {why}")
        else:
            readable.append(n)
    bad = {n.id for n in nodes} - {n.id for n in readable}
    nodes, edges = readable, [e for e in edges if e.src not in bad and e.dst not in bad]
    present = set(store.get_many([n.id for n in nodes]))
    fresh = [n for n in nodes if n.id not in present]
    ids = {n.id for n in nodes} | present
    known = ids | set(store.get_many(list({e.src for e in edges} | {e.dst for e in edges})))
    usable = [e for e in edges if e.src in known and e.dst in known]
    before = store.query("SELECT COUNT(*) FROM edges")[0][0]
    with store.write() as conn:
        store.insert_nodes(conn, fresh)
        store.insert_edges(conn, usable)
    after = store.query("SELECT COUNT(*) FROM edges")[0][0]
    return {"nodes_added": len(fresh), "nodes_skipped": len(nodes) - len(fresh), "edges_added": after - before,
            "edges_skipped": len(edges) - (after - before), "nodes_refused": len(refused), "refused": refused}
