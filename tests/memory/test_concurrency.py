"""Several processes writing one memory at once lose nothing (real processes, real SQLite)."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

from qed.memory import Episode, open_memory

WRITERS = 4
EACH = 15


def _writer(path: str, worker: int, ready, go) -> None:
    mem = open_memory(Path(path), seed_library=False, embeddings=False)
    ready.release()
    go.wait()
    for i in range(EACH):
        mem.add("strategy", f"worker {worker} note {i}: try substitution number {worker * 100 + i}")
        mem.remember_episode(Episode(problem_id=f"w{worker}-p{i}", statement=f"problem {i} of worker {worker}",
                                     kind="bound", outcome="abstained", run_id=f"run-{worker}"))
        mem.mark_used([f"missing-{i}"], success=True)
    mem.close()


def test_concurrent_writers_from_several_processes_lose_nothing(tmp_path: Path):
    path = tmp_path / "shared.db"
    open_memory(path, seed_library=False, embeddings=False).close()
    ctx = mp.get_context("spawn")
    ready, go = ctx.Semaphore(0), ctx.Event()
    procs = [ctx.Process(target=_writer, args=(str(path), w, ready, go)) for w in range(WRITERS)]
    for p in procs:
        p.start()
    for _ in procs:
        assert ready.acquire(timeout=120)
    go.set()
    for p in procs:
        p.join(timeout=300)
        assert p.exitcode == 0
    with open_memory(path, seed_library=False, embeddings=False) as mem:
        s = mem.stats()["by_kind"]
        assert s["strategy"]["active"] == WRITERS * EACH
        assert s["episode"]["active"] == WRITERS * EACH
        assert s["problem"]["active"] == WRITERS * EACH
        texts = {r[0] for r in mem.store.query("SELECT text FROM nodes WHERE kind = 'strategy'")}
        assert all(f"worker {w} note {i}:" in " ".join(texts) for w in range(WRITERS) for i in range(EACH))
        assert mem.store.query("SELECT COUNT(*) FROM edges WHERE kind = 'about'")[0][0] == WRITERS * EACH
