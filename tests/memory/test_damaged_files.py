"""A memory file that is damaged, foreign or empty is refused in one line and never changed.

Checked by the file's bytes and modification time before and after each command. Read-only
commands (stats, search, show, export) never write even to a healthy memory, and solve/prove
stop with exit 2 instead of recording every problem as an error.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from qed.memory import MemoryStoreError, open_memory

from tests.agent.loop_helpers import roles_script
from tests.cli.cli_helpers import qed, run_dirs, write_jsonl

PAGE = 4096


def _qed_memory(memory: Path, *args: str) -> subprocess.CompletedProcess:
    code = "from qed.cli.app import main; main()"
    return subprocess.run([sys.executable, "-c", code, "memory", "--memory", str(memory), *args],
                          capture_output=True, text=True, timeout=300,
                          env={"QED_EMBEDDER_DIR": "off", "PATH": "", "HOME": str(memory.parent), "COLUMNS": "200"})


def _fingerprint(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def _one_line(r: subprocess.CompletedProcess, *words: str) -> str:
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in r.stderr, r.stderr
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def _memory_with_nodes(path: Path, n: int = 150, seed: bool = False) -> str:
    with open_memory(path, seed_library=seed, embeddings=False) as mem:
        ids = [mem.add("strategy", f"strategy {i}: for cyclic sums try the tangent line trick with weight {i * 7}")
               for i in range(n)]
    return ids[0]


def _damage(path: Path) -> None:
    """Overwrite part of every third page after the first (the header page stays intact)."""
    data = bytearray(path.read_bytes())
    for page in range(2, len(data) // PAGE, 3):
        data[page * PAGE + 100: page * PAGE + 900] = b"\xa5" * 800
    path.write_bytes(bytes(data))


@pytest.fixture
def damaged(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "damaged.db"
    first = _memory_with_nodes(path, seed=True)
    _damage(path)
    return path, first


@pytest.mark.parametrize("command", [["stats"], ["search", "cyclic sums"], ["show", "ID"], ["export"],
                                     ["forget", "ID"], ["import", "EXPORT"]])
def test_a_memory_with_damaged_pages_is_refused_in_one_line_and_left_unchanged(damaged, tmp_path: Path, command):
    path, first = damaged
    export = tmp_path / "export.json"
    export.write_text(json.dumps({"format": "qed-memory-export", "version": 1, "nodes": [], "edges": []}))
    before = _fingerprint(path)
    args = [{"ID": first, "EXPORT": str(export)}.get(a, a) for a in command]
    _one_line(_qed_memory(path, *args), str(path), "is damaged", "move it aside")
    assert _fingerprint(path) == before


def test_the_api_refuses_a_damaged_memory_before_writing(damaged):
    path, _ = damaged
    before = _fingerprint(path)
    for read_only in (False, True):
        with pytest.raises(MemoryStoreError, match="is damaged"):
            open_memory(path, read_only=read_only)
    assert _fingerprint(path) == before


@pytest.mark.parametrize("application_id", [0, 0x12345678])
def test_a_foreign_sqlite_file_is_refused_before_anything_changes(tmp_path: Path, application_id: int):
    path = tmp_path / "invoices.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {application_id}")
    conn.execute("CREATE TABLE invoices (id INTEGER, amount REAL)")
    conn.commit()
    conn.close()
    before = _fingerprint(path)
    with pytest.raises(MemoryStoreError, match="not a QED memory"):
        open_memory(path)
    _one_line(_qed_memory(path, "stats"), "not a QED memory")
    _one_line(_qed_memory(path, "import", str(path)), "not a QED memory")
    assert _fingerprint(path) == before
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # never switched to WAL
    conn.close()


def test_an_empty_file_is_refused_with_what_to_do_and_stays_empty(tmp_path: Path):
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    before = _fingerprint(path)
    for command in (["stats"], ["import", str(path)]):
        _one_line(_qed_memory(path, *command), "empty file (0 bytes), not a QED memory", "delete it")
    with pytest.raises(MemoryStoreError, match="empty file"):
        open_memory(path)
    assert _fingerprint(path) == before


def test_read_only_commands_never_write_to_a_healthy_memory(tmp_path: Path):
    path = tmp_path / "m.db"
    first = _memory_with_nodes(path, n=5)  # never seeded: a command that seeds would write the library
    before = _fingerprint(path)
    for command in (["stats"], ["search", "tangent line trick"], ["show", first], ["export"],
                    ["export", "--format", "graphml"]):
        r = _qed_memory(path, *command)
        assert r.returncode == 0, (command, r.stderr)
        assert _fingerprint(path) == before, command
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    with open_memory(path, read_only=True) as mem:
        assert mem.recall("tangent line trick", k=2)
        with pytest.raises(MemoryStoreError, match="opened read-only"):
            mem.add("strategy", "a new idea")
    assert _fingerprint(path) == before


def test_a_memory_that_does_not_exist_yet_is_created_normally(tmp_path: Path):
    path = tmp_path / "new" / "memory.db"
    r = _qed_memory(path, "stats")
    assert r.returncode == 0, r.stderr
    assert "seed:library" in r.stdout and path.stat().st_size > 0
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".new")] == []
    with open_memory(path, seed_library=False, embeddings=False) as mem:
        assert mem.stats()["by_kind"]["theorem"]["active"] > 0


PROBLEMS = [{"id": "p1", "statement": "What is the smallest prime greater than 10?", "kind": "open", "answer": "11"},
            {"id": "p2", "statement": "What is the largest prime below 10?", "kind": "open", "answer": "7"}]


@pytest.mark.parametrize("command", ["solve", "prove"])
def test_solve_and_prove_with_an_unusable_memory_stop_with_one_line_and_exit_2(tmp_path: Path, command: str):
    memory = tmp_path / "memory.db"  # where tests.cli.cli_helpers points QED_MEMORY
    _memory_with_nodes(memory, seed=True)
    _damage(memory)
    before = _fingerprint(memory)
    write_jsonl(tmp_path / "p.jsonl", PROBLEMS[:1] if command == "prove" else PROBLEMS)
    (tmp_path / "qed.toml").write_text("[loop]\nuse_engine = false\nmax_rounds = 1\n")
    spec = roles_script(tmp_path, ["The answer is 11."], ["VERDICT: PASS"], ["VERDICT: ACCEPT"])
    r = qed(tmp_path, command, "p.jsonl", "--model", f"scripted:{spec}")
    _one_line(r, "memory:", "is damaged", "--no-memory")
    for run in run_dirs(tmp_path):
        results = run / "results.jsonl"
        assert not results.exists() or results.read_text() == ""
    assert _fingerprint(memory) == before
