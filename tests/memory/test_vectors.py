"""Vector search above EXACT_LIMIT (Hamming pre-selection, then exact cosine) finds what the full scan finds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from qed.memory.store import Store
from qed.memory.vectors import EXACT_LIMIT, VectorIndex


class _NoEmbedder:
    name, dim = "none", 64


def test_the_hamming_preselection_keeps_the_exact_nearest(tmp_path: Path):
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(50, 64))
    rows = EXACT_LIMIT + 5000
    matrix = centres[rng.integers(0, 50, rows)] + rng.normal(0, 0.6, (rows, 64))
    matrix = (matrix / np.linalg.norm(matrix, axis=1, keepdims=True)).astype(np.float32)
    store = Store(tmp_path / "m.db")
    index = VectorIndex(store, _NoEmbedder())
    index._matrix, index._seqs = matrix, np.arange(rows) + 1  # noqa: SLF001 — a matrix without nodes behind it
    index._update_codes()  # noqa: SLF001
    kept = []
    for n in range(40):
        query = matrix[n * 101] + rng.normal(0, 0.05, 64).astype(np.float32)
        query /= np.linalg.norm(query)
        fast, exact = index.search(query, 10), index.search_exact(query, 10)
        assert fast[0] == exact[0]  # the nearest row always survives the pre-selection
        assert [s for _, s in fast] == sorted((s for _, s in fast), reverse=True)
        kept.append(len({i for i, _ in fast} & {i for i, _ in exact}) / 10)
    assert np.mean(kept) >= 0.9, kept
    store.close()
