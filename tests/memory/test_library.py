"""A fresh memory knows the classical inequalities, and seeding is idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest
from qed.memory import open_memory
from qed.memory.library import ineqmath_path, library_nodes, read_ineqmath_theorems


def test_fresh_memory_is_seeded_with_the_projects_library_once(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("QED_DATA_DIR", str(tmp_path / "no-data-here"))
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "m.db"
    with open_memory(path, embeddings=False) as mem:
        theorems = mem.stats()["by_kind"]["theorem"]["active"]
        names = {n.title for n in library_nodes()}
        assert theorems == len(names) >= 15
        assert {"AM-GM inequality", "Cauchy-Schwarz inequality", "Schur's inequality", "Jensen's inequality"} <= names
        top = mem.recall("sum of products squared is at most product of sums of squares", k=3)
        assert "thm-cauchy-schwarz" in [i.id for i in top]
        assert top[0].provenance.source == "library:qed"
    with open_memory(path, embeddings=False) as mem:
        assert mem.stats()["by_kind"]["theorem"]["active"] == theorems


@pytest.mark.skipif(ineqmath_path() is None, reason="../shared/data/ineqmath/train_sample_200.json is absent")
def test_ineqmath_theorem_annotations_are_seeded_and_linked(tmp_path: Path):
    annotated = read_ineqmath_theorems(ineqmath_path())
    with open_memory(tmp_path / "m.db", embeddings=False) as mem:
        node = mem.get("thm-ineqmath-26")
        assert node.kind == "theorem" and node.data["ineqmath_key"] == "Theorem 26"
        assert node.provenance.source.startswith("ineqmath:train_sample_200.json")
        similar = {e.dst for e in mem.store.edges_of(node.id) if e.kind == "similar"}
        assert "thm-cauchy-schwarz" in similar
        assert mem.stats()["seeded"]["seed:ineqmath"].endswith(f"{len(annotated)} theorems")
