"""The memory file's schema as numbered migrations, applied once each and recorded in a table.

Like `llm` and sqlite-utils: a migration is a function `mNNN_name(db)`; `migrate` applies the ones
a file lacks, in order, inside one write transaction, so an old memory still opens and two
processes opening a fresh file at once do not both build it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import sqlite_utils
from qed.memory.errors import MemoryStoreError

MIGRATIONS_TABLE = "_qed_memory_migrations"
APPLICATION_ID = 0x51454431  # "QED1" in the SQLite header: tells a QED memory from other databases

Migration = Callable[[sqlite_utils.Database], None]
MIGRATIONS: list[Migration] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append(fn)
    return fn


@migration
def m001_initial(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE nodes (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            data TEXT NOT NULL DEFAULT '{}',
            status TEXT NOT NULL DEFAULT 'active',
            problem_id TEXT,
            content_hash TEXT NOT NULL,
            run_id TEXT,
            run_dir TEXT,
            model TEXT,
            source TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            forgotten_at TEXT,
            uses_ok INTEGER NOT NULL DEFAULT 0,
            uses_failed INTEGER NOT NULL DEFAULT 0,
            last_used_at TEXT,
            support INTEGER NOT NULL DEFAULT 1
        )"""
    )
    db.execute("CREATE INDEX nodes_kind_status ON nodes(kind, status)")
    db.execute("CREATE INDEX nodes_problem ON nodes(problem_id)")
    db.execute("CREATE INDEX nodes_hash ON nodes(kind, content_hash)")
    db.execute(
        """CREATE TABLE edges (
            seq INTEGER PRIMARY KEY,
            src TEXT NOT NULL REFERENCES nodes(id),
            dst TEXT NOT NULL REFERENCES nodes(id),
            kind TEXT NOT NULL,
            weight REAL NOT NULL DEFAULT 1.0,
            data TEXT NOT NULL DEFAULT '{}',
            run_id TEXT,
            model TEXT,
            source TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            UNIQUE(src, dst, kind)
        )"""
    )
    db.execute("CREATE INDEX edges_dst ON edges(dst, kind)")
    db.execute(
        """CREATE TABLE embeddings (
            seq INTEGER PRIMARY KEY,
            node_seq INTEGER NOT NULL UNIQUE REFERENCES nodes(seq),
            model TEXT NOT NULL,
            vector BLOB NOT NULL
        )"""
    )
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    # Full text over title and text, kept in step by triggers; porter stemming, accents folded.
    db.execute(
        """CREATE VIRTUAL TABLE nodes_fts USING fts5(
            title, text, content='nodes', content_rowid='seq',
            tokenize='porter unicode61 remove_diacritics 2'
        )"""
    )
    db.execute("CREATE VIRTUAL TABLE nodes_fts_vocab USING fts5vocab(nodes_fts, 'row')")
    db.execute(
        """CREATE TRIGGER nodes_ai AFTER INSERT ON nodes BEGIN
             INSERT INTO nodes_fts(rowid, title, text) VALUES (new.seq, new.title, new.text);
           END"""
    )
    db.execute(
        """CREATE TRIGGER nodes_ad AFTER DELETE ON nodes BEGIN
             INSERT INTO nodes_fts(nodes_fts, rowid, title, text) VALUES ('delete', old.seq, old.title, old.text);
           END"""
    )
    db.execute(
        """CREATE TRIGGER nodes_au AFTER UPDATE OF title, text ON nodes BEGIN
             INSERT INTO nodes_fts(nodes_fts, rowid, title, text) VALUES ('delete', old.seq, old.title, old.text);
             INSERT INTO nodes_fts(rowid, title, text) VALUES (new.seq, new.title, new.text);
           END"""
    )
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")


_FTS_TRIGGERS = (
    """CREATE TRIGGER nodes_ai AFTER INSERT ON nodes BEGIN
         INSERT INTO nodes_fts(rowid, title, text, keywords) VALUES (new.seq, new.title, new.text, new.keywords);
       END""",
    """CREATE TRIGGER nodes_ad AFTER DELETE ON nodes BEGIN
         INSERT INTO nodes_fts(nodes_fts, rowid, title, text, keywords)
         VALUES ('delete', old.seq, old.title, old.text, old.keywords);
       END""",
    """CREATE TRIGGER nodes_au AFTER UPDATE OF title, text, keywords ON nodes BEGIN
         INSERT INTO nodes_fts(nodes_fts, rowid, title, text, keywords)
         VALUES ('delete', old.seq, old.title, old.text, old.keywords);
         INSERT INTO nodes_fts(rowid, title, text, keywords) VALUES (new.seq, new.title, new.text, new.keywords);
       END""",
)


@migration
def m002_math_words(db: sqlite_utils.Database) -> None:
    """Index words for the shape of formulas (memory.mathwords) beside the text."""
    from qed.memory.mathwords import math_words

    db.execute("ALTER TABLE nodes ADD COLUMN keywords TEXT NOT NULL DEFAULT ''")
    rows = db.execute("SELECT seq, title, text FROM nodes").fetchall()
    db.conn.executemany("UPDATE nodes SET keywords = ? WHERE seq = ?",
                        [(math_words(f"{title} {text}"), seq) for seq, title, text in rows])
    for name in ("nodes_ai", "nodes_ad", "nodes_au"):
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    db.execute("DROP TABLE IF EXISTS nodes_fts_vocab")
    db.execute("DROP TABLE IF EXISTS nodes_fts")
    db.execute(
        """CREATE VIRTUAL TABLE nodes_fts USING fts5(
            title, text, keywords, content='nodes', content_rowid='seq',
            tokenize='porter unicode61 remove_diacritics 2'
        )"""
    )
    db.execute("INSERT INTO nodes_fts(nodes_fts) VALUES ('rebuild')")
    for sql in _FTS_TRIGGERS:
        db.execute(sql)


@migration
def m003_plain_embeddings(db: sqlite_utils.Database) -> None:
    """Drop vectors of the raw text form: nodes are now embedded as plain math (memory.plaintext),
    and a query in that form compared with a raw-form vector measures the form, not the content.
    Recall re-embeds them a batch at a time (or all at once: `qed memory embedder --index`)."""
    from qed.memory.plaintext import VERSION

    db.execute("DELETE FROM embeddings WHERE instr(model, ?) = 0", (f"+{VERSION}",))


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def check_identity(conn: sqlite3.Connection, path: str) -> None:
    """Refuse a file that is not SQLite, or an SQLite database that some other program owns."""
    try:
        tables = _tables(conn)
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    except sqlite3.DatabaseError as e:
        raise MemoryStoreError(f"{path} is not a QED memory: not a readable SQLite database ({e})") from None
    if app_id not in (0, APPLICATION_ID):
        raise MemoryStoreError(f"{path} is not a QED memory: it is an SQLite database of another application")
    foreign = {t for t in tables if not t.startswith("sqlite_")}
    if foreign and MIGRATIONS_TABLE not in tables:
        shown = ", ".join(sorted(foreign)[:5])
        raise MemoryStoreError(f"{path} is not a QED memory: it is an SQLite database with other tables ({shown})")


def migrate(conn: sqlite3.Connection, path: str) -> list[str]:
    """Apply missing migrations under one write lock; return the names applied."""
    check_identity(conn, path)
    db = sqlite_utils.Database(conn)
    known = {m.__name__ for m in MIGRATIONS}
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.DatabaseError as e:
        raise MemoryStoreError(f"{path}: cannot open for writing ({e})") from None
    try:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        done = {r[0] for r in conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE}")}
        newer = done - known
        if newer:
            raise MemoryStoreError(f"{path} was written by a newer QED (unknown migrations: {', '.join(sorted(newer))})")
        applied = []
        for fn in MIGRATIONS:
            if fn.__name__ in done:
                continue
            fn(db)
            conn.execute(f"INSERT INTO {MIGRATIONS_TABLE}(name, applied_at) VALUES (?, datetime('now'))", (fn.__name__,))
            applied.append(fn.__name__)
        conn.execute("COMMIT")
        return applied
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
