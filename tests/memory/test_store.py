"""The memory file: created and migrated once, refused with one clear line when it is not ours."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from qed.memory import MemoryStoreError, default_memory_path, open_memory
from qed.memory.schema import MIGRATIONS_TABLE, m001_initial


def test_fresh_file_is_migrated_once_and_reopens(tmp_path: Path):
    path = tmp_path / "sub" / "m.db"
    with open_memory(path, seed_library=False, embeddings=False) as m:
        m.add("strategy", "normalise a + b + c = 3 for homogeneous inequalities")
    with open_memory(path, seed_library=False, embeddings=False) as m:
        applied = [r[0] for r in m.store.query(f"SELECT name FROM {MIGRATIONS_TABLE}")]
        assert applied == ["m001_initial", "m002_math_words", "m003_plain_embeddings"]
        assert m.stats()["by_kind"]["strategy"]["active"] == 1
        assert m.store.query("PRAGMA journal_mode")[0][0] == "wal"


def test_memory_written_by_the_first_schema_is_upgraded_in_place(tmp_path: Path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"CREATE TABLE {MIGRATIONS_TABLE} (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    m001_initial(sqlite_utils.Database(conn))
    conn.execute(f"INSERT INTO {MIGRATIONS_TABLE} VALUES ('m001_initial', datetime('now'))")
    conn.execute("INSERT INTO nodes(id, kind, title, text, content_hash, created_at) VALUES "
                 "('fact-old', 'fact', 'old', 'for x > 0: \\sqrt{x} + 1/\\sqrt{x} >= 2', 'h', '2024-01-01T00:00:00+00:00')")
    conn.close()
    with open_memory(path, seed_library=False, embeddings=False) as m:
        assert m.get("fact-old").text.startswith("for x > 0")
        assert m.store.query("SELECT keywords FROM nodes WHERE id = 'fact-old'")[0][0] == "mwroot"
        hits = m.store.query("SELECT rowid FROM nodes_fts WHERE nodes_fts MATCH 'mwroot'")
        assert len(hits) == 1
        assert [i.id for i in m.recall("minimise \\sqrt{t} + 1/\\sqrt{t} for t > 0", k=1)] == ["fact-old"]


def test_corrupt_file_gives_one_clear_error(tmp_path: Path):
    path = tmp_path / "broken.db"
    path.write_bytes(b"this is not a database at all\n" * 200)
    with pytest.raises(MemoryStoreError, match="not a QED memory: not a readable SQLite database"):
        open_memory(path, seed_library=False, embeddings=False)


def test_foreign_sqlite_database_is_refused_untouched(tmp_path: Path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER, amount REAL)")
    conn.commit()
    conn.close()
    with pytest.raises(MemoryStoreError, match=r"other tables \(invoices\)"):
        open_memory(path, seed_library=False, embeddings=False)
    conn = sqlite3.connect(path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert tables == {"invoices"}


def test_newer_schema_is_refused(tmp_path: Path):
    path = tmp_path / "m.db"
    open_memory(path, seed_library=False, embeddings=False).close()
    conn = sqlite3.connect(path)
    conn.execute(f"INSERT INTO {MIGRATIONS_TABLE} VALUES ('m999_future', datetime('now'))")
    conn.commit()
    conn.close()
    with pytest.raises(MemoryStoreError, match="newer QED"):
        open_memory(path, seed_library=False, embeddings=False)


def test_directory_path_is_refused(tmp_path: Path):
    with pytest.raises(MemoryStoreError, match="is a directory"):
        open_memory(tmp_path, seed_library=False, embeddings=False)


def test_memory_path_comes_from_the_environment(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("QED_MEMORY", str(tmp_path / "env.db"))
    assert default_memory_path() == tmp_path / "env.db"
    with open_memory(seed_library=False, embeddings=False) as m:
        assert m.path == tmp_path / "env.db"
    monkeypatch.delenv("QED_MEMORY")
    assert default_memory_path().name == "memory.db" and "qed" in str(default_memory_path())


def test_unknown_id_is_a_clear_error(mem):
    with pytest.raises(MemoryStoreError, match="no memory item with id 'fact-nope'"):
        mem.forget("fact-nope")
