"""The SQLite file behind a memory: connection, short write transactions, node and edge rows.

Several processes may write one memory at once (parallel solve runs): the file is in WAL mode,
every connection waits on a busy timeout, and each write is one short `BEGIN IMMEDIATE`
transaction, so writers queue instead of failing or losing rows. Node content is never updated
in place; only lifecycle columns (status, forgotten_at, use counts, support) change.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from qed.memory.errors import MemoryStoreError
from qed.memory.filecheck import check_memory_file, read_only_connection
from qed.memory.mathwords import math_words
from qed.memory.records import EDGE_KINDS, NODE_KINDS, STATUSES, Edge, Node, Provenance, now_iso
from qed.memory.schema import migrate

BUSY_TIMEOUT_S = 60.0
_PREFIX = {"problem": "prob", "episode": "ep", "fact": "fact", "strategy": "strat", "lemma": "lem",
           "counterexample": "cex", "theorem": "thm"}

NODE_COLUMNS = ("seq, id, kind, title, text, data, status, problem_id, run_id, run_dir, model, source, "
                "created_at, forgotten_at, uses_ok, uses_failed, last_used_at, support")


def new_id(kind: str) -> str:
    return f"{_PREFIX[kind]}-{uuid.uuid4().hex[:12]}"


def content_hash(text: str) -> str:
    """Equal for texts that differ only in case, spacing and punctuation at the ends."""
    norm = re.sub(r"\s+", " ", text.strip().lower()).strip(" .;:")
    return hashlib.sha1(norm.encode()).hexdigest()


def node_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Node:
    (_, nid, kind, title, text, data, status, problem_id, run_id, run_dir, model, source, created_at,
     forgotten_at, uses_ok, uses_failed, last_used_at, support) = row
    return Node(
        id=nid, kind=kind, title=title, text=text, data=json.loads(data or "{}"), status=status,
        problem_id=problem_id,
        provenance=Provenance(run=run_id, model=model, when=created_at, source=source, run_dir=run_dir),
        forgotten=forgotten_at is not None, uses_ok=uses_ok, uses_failed=uses_failed,
        last_used=last_used_at, support=support,
    )


def edge_from_row(row: tuple[Any, ...]) -> Edge:
    src, dst, kind, weight, data, run_id, model, source, created_at = row
    return Edge(src, dst, kind, weight, json.loads(data or "{}"),
                Provenance(run=run_id, model=model, when=created_at, source=source))


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def _create(path: Path) -> None:
    """A new, migrated memory at `path`, made under a temporary name and linked into place; if
    another process got there first, theirs is kept."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.new")
    try:
        conn = _connect(tmp)
        try:
            migrate(conn, str(path))
        finally:
            conn.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            if not path.exists():
                os.replace(tmp, path)
    except sqlite3.DatabaseError as e:
        raise MemoryStoreError(f"cannot create a memory at {path} ({e})") from None
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            leftover.unlink(missing_ok=True)


class Store:
    """One connection to one memory file, safe to share between threads of one process.

    An existing file is checked first, read-only (memory.filecheck: identity, `quick_check`,
    schema version), and is opened for writing only if it passes, so a damaged or foreign file is
    refused unchanged. A path that does not exist becomes a new memory, built under a temporary
    name and linked into place, so no other process ever sees it empty or half-made. With
    read_only=True nothing is ever written (SQLite's mode=ro): for `stats`, `search`, `show`, `export`.
    """

    def __init__(self, path: Path, *, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        if self.path.is_dir():
            raise MemoryStoreError(f"{self.path} is a directory; give a file path for the memory")
        self._lock = threading.RLock()
        if not self.path.exists():
            if read_only:
                raise MemoryStoreError(f"no memory at {self.path} yet")
            _create(self.path)
        state = check_memory_file(self.path, BUSY_TIMEOUT_S)
        try:
            if read_only:
                if state != "current":
                    raise MemoryStoreError(f"{self.path} needs its schema upgraded, which a read-only command does "
                                           "not do: run a command that writes to memory (qed solve, qed memory "
                                           "import) once")
                self.conn = read_only_connection(self.path, BUSY_TIMEOUT_S)
                self.conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            else:
                self.conn = _connect(self.path)
                migrate(self.conn, str(self.path))
        except sqlite3.DatabaseError as e:
            raise MemoryStoreError(f"{self.path} is not a QED memory: not a readable SQLite database ({e})") from None

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    # --- transactions ---------------------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction; the write lock is taken at BEGIN so it never needs upgrading."""
        if self.read_only:
            raise MemoryStoreError(f"{self.path} was opened read-only; this command cannot change it")
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self.conn.execute(sql, tuple(params)).fetchall()

    # --- nodes ----------------------------------------------------------------------------------

    def insert_nodes(self, conn: sqlite3.Connection, nodes: list[Node]) -> None:
        """Insert nodes inside an open write transaction; an id already present is left alone."""
        rows = []
        for n in nodes:
            if n.kind not in NODE_KINDS:
                raise MemoryStoreError(f"unknown node kind {n.kind!r}; kinds: {', '.join(NODE_KINDS)}")
            if n.status not in STATUSES:
                raise MemoryStoreError(f"unknown status {n.status!r}")
            p = n.provenance
            rows.append((n.id, n.kind, n.title, n.text, json.dumps(n.data, default=str), n.status, n.problem_id,
                         content_hash(n.text), p.run, p.run_dir, p.model, p.source, p.when or now_iso(),
                         now_iso() if n.forgotten else None, n.uses_ok, n.uses_failed, n.last_used, n.support,
                         math_words(f"{n.title} {n.text}")))
        conn.executemany(
            "INSERT INTO nodes(id, kind, title, text, data, status, problem_id, content_hash, run_id, run_dir, "
            "model, source, created_at, forgotten_at, uses_ok, uses_failed, last_used_at, support, keywords) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
            rows,
        )

    def insert_edges(self, conn: sqlite3.Connection, edges: list[Edge]) -> None:
        rows = []
        for e in edges:
            if e.kind not in EDGE_KINDS:
                raise MemoryStoreError(f"unknown edge kind {e.kind!r}; kinds: {', '.join(EDGE_KINDS)}")
            p = e.provenance
            rows.append((e.src, e.dst, e.kind, e.weight, json.dumps(e.data, default=str), p.run, p.model, p.source,
                         p.when or now_iso()))
        conn.executemany(
            "INSERT INTO edges(src, dst, kind, weight, data, run_id, model, source, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(src, dst, kind) DO NOTHING",
            rows,
        )

    def get(self, node_id: str) -> Node | None:
        rows = self.query(f"SELECT {NODE_COLUMNS} FROM nodes WHERE id = ?", (node_id,))
        return node_from_row(rows[0]) if rows else None

    def require(self, node_id: str) -> Node:
        node = self.get(node_id)
        if node is None:
            raise MemoryStoreError(f"no memory item with id {node_id!r}")
        return node

    def get_many(self, ids: list[str]) -> dict[str, Node]:
        out: dict[str, Node] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.query(f"SELECT {NODE_COLUMNS} FROM nodes WHERE id IN ({marks})", chunk):
                node = node_from_row(row)
                out[node.id] = node
        return out

    def active_by_hash(self, kind: str, text: str) -> str | None:
        rows = self.query("SELECT id FROM nodes WHERE kind = ? AND content_hash = ? AND status = 'active' "
                          "AND forgotten_at IS NULL ORDER BY seq LIMIT 1", (kind, content_hash(text)))
        return rows[0][0] if rows else None

    def edges_of(self, node_id: str) -> list[Edge]:
        cols = "src, dst, kind, weight, data, run_id, model, source, created_at"
        rows = self.query(f"SELECT {cols} FROM edges WHERE src = ? UNION ALL "
                          f"SELECT {cols} FROM edges WHERE dst = ? AND src != dst", (node_id, node_id))
        return [edge_from_row(r) for r in rows]

    # --- lifecycle ------------------------------------------------------------------------------

    def set_status(self, conn: sqlite3.Connection, node_id: str, status: str) -> None:
        if status not in STATUSES:
            raise MemoryStoreError(f"unknown status {status!r}")
        conn.execute("UPDATE nodes SET status = ? WHERE id = ?", (status, node_id))

    def set_forgotten(self, node_id: str, forgotten: bool) -> None:
        self.require(node_id)
        with self.write() as conn:
            conn.execute("UPDATE nodes SET forgotten_at = ? WHERE id = ?", (now_iso() if forgotten else None, node_id))

    def add_support(self, conn: sqlite3.Connection, node_id: str) -> None:
        conn.execute("UPDATE nodes SET support = support + 1 WHERE id = ?", (node_id,))

    def mark_used(self, ids: list[str], success: bool) -> None:
        if not ids:
            return
        column = "uses_ok" if success else "uses_failed"
        with self.write() as conn:
            conn.executemany(f"UPDATE nodes SET {column} = {column} + 1, last_used_at = ? WHERE id = ?",
                             [(now_iso(), i) for i in ids])

    # --- meta -----------------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        rows = self.query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, conn: sqlite3.Connection, key: str, value: str) -> None:
        conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                     (key, value))
