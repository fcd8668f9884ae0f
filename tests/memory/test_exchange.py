"""Export and import keep every node, edge, status and provenance; importing never overwrites."""

from __future__ import annotations

from pathlib import Path

import pytest
from qed.memory import MemoryStoreError, open_memory

from .conftest import nesbitt


def _populate(mem) -> dict[str, str]:
    false = mem.add("fact", "Nesbitt at least 2", formal=nesbitt("2"))
    mem.add("counterexample", "a = b = c = 1", data={"point": {"a": 1, "b": 1, "c": 1}})
    s = mem.add("strategy", "when a cyclic sum of fractions appears, try Titu's lemma")
    mem.forget(s)
    return {"false": false, "forgotten": s}


def _snapshot(mem):
    nodes = {n["id"]: (n["kind"], n["text"], n["status"], n["forgotten"], n["provenance"]["source"])
             for n in __import__("json").loads(mem.export("json"))["nodes"]}
    edges = {(e[0], e[1], e[2]) for e in mem.store.query("SELECT src, dst, kind FROM edges")}
    return nodes, edges


@pytest.mark.parametrize("fmt", ["json", "graphml"])
def test_export_import_round_trip(mem, tmp_path: Path, fmt: str):
    ids = _populate(mem)
    out = tmp_path / f"export.{fmt}"
    out.write_text(mem.export(fmt))
    with open_memory(tmp_path / "copy.db", seed_library=False, embeddings=False) as copy:
        counts = copy.import_file(out)
        assert counts["nodes_added"] == len(_snapshot(mem)[0])
        assert _snapshot(copy) == _snapshot(mem)
        assert copy.get(ids["false"]).status == "refuted" and copy.get(ids["forgotten"]).forgotten
        again = copy.import_file(out)
        assert again["nodes_added"] == 0 and again["edges_added"] == 0


def test_import_rejects_files_that_are_not_exports(mem, tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}')
    with pytest.raises(MemoryStoreError, match="not a QED memory export"):
        mem.import_file(bad)
    garbled = tmp_path / "garbled.json"
    garbled.write_text("{not json")
    with pytest.raises(MemoryStoreError, match="not a readable memory export"):
        mem.import_file(garbled)
