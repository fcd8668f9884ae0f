"""Decide whether an existing file is a healthy QED memory before anything writes to it.

A file is looked at in this order, and refused with one line at the first problem: empty (0
bytes), not SQLite (the 16-byte header), another application's database (application_id in the
header), then, through a read-only connection, a database with other tables, a damaged one
(`PRAGMA quick_check`) and one written by a newer QED. Nothing here writes to the file: a read-
only SQLite connection may create the `-wal`/`-shm` side files of a WAL database, never change
the database itself. Only a file that passes is opened for writing (store.Store).
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path
from urllib.parse import quote

from qed.memory.errors import MemoryStoreError
from qed.memory.schema import APPLICATION_ID, MIGRATIONS, MIGRATIONS_TABLE

SQLITE_HEADER = b"SQLite format 3\x00"
_APPLICATION_ID_OFFSET = 68
START_AFRESH = "move it aside (or give --memory a new path) and QED starts a new memory"


def read_only_connection(path: Path, timeout_s: float) -> sqlite3.Connection:
    """A connection that cannot write to `path` (SQLite's mode=ro)."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    return sqlite3.connect(uri, uri=True, timeout=timeout_s, isolation_level=None, check_same_thread=False)


def check_memory_file(path: Path, timeout_s: float) -> str:
    """Refuse (MemoryStoreError) a file that is not a healthy QED memory; otherwise return its
    state: "current" (every migration applied), "older" (some missing) or "blank" (SQLite, no
    tables yet)."""
    try:
        with open(path, "rb") as f:
            header = f.read(100)
    except OSError as e:
        raise MemoryStoreError(f"{path} cannot be read: {e.strerror or e}") from None
    if not header:
        raise MemoryStoreError(f"{path} is an empty file (0 bytes), not a QED memory; delete it, or give --memory "
                               "a path that does not exist yet, and QED creates a new memory there")
    if not header.startswith(SQLITE_HEADER) or len(header) < 100:
        raise MemoryStoreError(f"{path} is not a QED memory: not a readable SQLite database (no SQLite header); "
                               f"{START_AFRESH}")
    (app_id,) = struct.unpack(">I", header[_APPLICATION_ID_OFFSET:_APPLICATION_ID_OFFSET + 4])
    if app_id not in (0, APPLICATION_ID):
        raise MemoryStoreError(f"{path} is not a QED memory: it is an SQLite database of another application")
    try:
        conn = read_only_connection(path, timeout_s)
    except sqlite3.Error as e:
        raise MemoryStoreError(f"{path} cannot be opened read-only ({e})") from None
    try:
        return _inspect(conn, path)
    finally:
        conn.close()


def _inspect(conn: sqlite3.Connection, path: Path) -> str:
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as e:
        raise MemoryStoreError(f"{path} is damaged (its schema cannot be read: {e}); {START_AFRESH}") from None
    foreign = {t for t in tables if not t.startswith("sqlite_")}
    if not foreign:
        return "blank"
    if MIGRATIONS_TABLE not in tables:
        shown = ", ".join(sorted(foreign)[:5])
        raise MemoryStoreError(f"{path} is not a QED memory: it is an SQLite database with other tables ({shown})")
    try:
        problems = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
        done = {r[0] for r in conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE}")}
    except sqlite3.DatabaseError as e:
        raise MemoryStoreError(f"{path} is damaged ({e}); {START_AFRESH}") from None
    if problems != ["ok"]:
        first = next((line for p in problems for line in p.splitlines() if line and not line.startswith("***")), "?")
        raise MemoryStoreError(f"{path} is damaged ({first}); QED will not read or change it: restore a backup, or "
                               f"{START_AFRESH}")
    known = {m.__name__ for m in MIGRATIONS}
    if done - known:
        raise MemoryStoreError(f"{path} was written by a newer QED (unknown migrations: "
                               f"{', '.join(sorted(done - known))})")
    return "current" if known <= done else "older"
