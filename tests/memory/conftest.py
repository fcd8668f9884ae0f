from __future__ import annotations

from pathlib import Path

import pytest
from qed.memory import open_memory

POSITIVE = {"a": "Interval.open(0, oo)", "b": "Interval.open(0, oo)", "c": "Interval.open(0, oo)"}
NESBITT_LHS = "a/(b+c) + b/(c+a) + c/(a+b)"


@pytest.fixture
def mem(tmp_path: Path):
    """A fresh memory without the library and without embeddings: fast and deterministic."""
    m = open_memory(tmp_path / "memory.db", seed_library=False, embeddings=False)
    yield m
    m.close()


def nesbitt(rhs: str, rel: str = ">=", **extra) -> dict:
    return {"variables": ["a", "b", "c"], "domains": POSITIVE, "lhs": NESBITT_LHS, "rel": rel, "rhs": rhs, **extra}
