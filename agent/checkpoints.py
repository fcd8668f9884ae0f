"""Checkpoints are data: the reader rebuilds plain JSON and LangGraph's interrupts, and nothing else.

LangGraph's default serializer imports and calls whatever a checkpoint names, so a patched
checkpoints.sqlite in a run folder someone sent could call os.system on `qed solve --resume`.
QED's loop state is plain JSON by design (agent/state.py); LangGraph's own bookkeeping in this
graph's checkpoints is plain too (channel versions, task ids, `__resume__` values written by
Command(resume=...)) except for `Interrupt`, which is rebuilt here by its constructor, never by
importing a name taken from the file. Any other stored type, pickle or legacy JSON refuses the
whole read with one line.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import ormsgpack
from langgraph.checkpoint.serde.jsonplus import EXT_CONSTRUCTOR_KW_ARGS, JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.types import Interrupt


class CheckpointRefused(ValueError):
    """A checkpoint holds something QED never writes; it is not read, and nothing it names runs."""


def _interrupt(kwargs: Any) -> Interrupt:
    if (not isinstance(kwargs, dict) or not set(kwargs) <= {"value", "id", "response_schema"}
            or not isinstance(kwargs.get("id"), str) or not isinstance(kwargs.get("response_schema"), dict | None)):
        raise CheckpointRefused("an interrupt record with unexpected fields")
    if kwargs.get("response_schema") is None:
        return Interrupt(value=kwargs.get("value"), id=kwargs["id"])
    return Interrupt(value=kwargs.get("value"), id=kwargs["id"], response_schema=kwargs["response_schema"])


# (ext code, module, name) -> constructor of the stored arguments. The only non-JSON type here.
_KNOWN = {(EXT_CONSTRUCTOR_KW_ARGS, "langgraph.types", "Interrupt"): _interrupt}
_OPTION = ormsgpack.OPT_NON_STR_KEYS


def _unpack(blob: bytes) -> Any:
    refusals: list[str] = []  # ormsgpack replaces an ext hook's exception by its own; keep ours

    def ext_hook(code: int, data: bytes) -> Any:
        inner = ormsgpack.unpackb(data, ext_hook=ext_hook, option=_OPTION)  # nested refusals: kept above
        if not (isinstance(inner, list | tuple) and len(inner) >= 3 and all(isinstance(x, str) for x in inner[:2])):
            refusals.append(f"a stored object of kind {code} that QED never writes")
            raise CheckpointRefused(refusals[-1])
        build = _KNOWN.get((code, inner[0], inner[1]))
        if build is None:
            refusals.append(f"it names {inner[0]}.{inner[1]}, which QED never writes")
            raise CheckpointRefused(refusals[-1])
        try:
            return build(inner[2])
        except CheckpointRefused as e:
            refusals.append(str(e))
            raise

    try:
        return ormsgpack.unpackb(blob, ext_hook=ext_hook, option=_OPTION)
    except (ValueError, TypeError) as e:
        raise CheckpointRefused(refusals[0] if refusals else f"not readable msgpack ({e})") from None


class StrictSerializer(JsonPlusSerializer):
    """Writes as LangGraph does (msgpack); reads only what `_KNOWN` and plain msgpack allow."""

    def __init__(self) -> None:
        super().__init__(pickle_fallback=False, allowed_json_modules=None, allowed_msgpack_modules=None)

    def with_msgpack_allowlist(self, extra_allowlist: Any) -> StrictSerializer:
        return self  # the state schema's types are plain; the list above is the whole allowlist

    def loads_typed(self, data: tuple[str, bytes]) -> Any:
        kind, blob = data
        if kind == "null":
            return None
        if kind == "msgpack":
            return _unpack(blob)
        raise CheckpointRefused(f"a value stored as {kind!r}; QED stores msgpack only")


def checkpointer(conn: sqlite3.Connection) -> SqliteSaver:
    return SqliteSaver(conn, serde=StrictSerializer())


def verify_checkpoints(path: Path) -> int:
    """Read every checkpoint and pending write in `path` strictly; the count, or CheckpointRefused.

    Run before a resume does anything else, so a patched file stops the resume with one line
    instead of failing (or worse) problem by problem.
    """
    if not path.exists():
        return 0
    serde = StrictSerializer()
    where = f"{path}"
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as e:
        raise CheckpointRefused(f"{where}: cannot be opened ({e}); refusing to resume") from None
    count = 0
    try:
        rows = conn.execute("SELECT thread_id, checkpoint_id, type, checkpoint, metadata FROM checkpoints").fetchall()
        writes = conn.execute("SELECT thread_id, checkpoint_id, type, value FROM writes").fetchall()
        for thread, cid, kind, blob, metadata in rows:
            where = f"{path}: checkpoint of {thread!r} ({cid})"
            serde.loads_typed((kind, blob))
            if metadata is not None:
                json.loads(metadata)
            count += 1
        for thread, cid, kind, blob in writes:
            where = f"{path}: pending write of {thread!r} ({cid})"
            serde.loads_typed((kind, blob))
            count += 1
    except CheckpointRefused as e:
        raise CheckpointRefused(f"{where}: {e}; refusing to resume (a run folder is data, "
                                "and QED never runs what it names)") from None
    except (sqlite3.Error, ValueError, TypeError) as e:
        raise CheckpointRefused(f"{where}: not a QED checkpoint file ({type(e).__name__}: {e}); "
                                "refusing to resume") from None
    finally:
        conn.close()
    return count
