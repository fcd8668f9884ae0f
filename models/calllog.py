"""Every model call as a row in the run's SQLite log: the log is a product feature, not debugging."""

from __future__ import annotations

import contextvars
import dataclasses
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils
from qed.models.base import CallOptions, ChatModel, Completion, Message, ModelError, TokenCallback
from qed.models.keys import StreamRedactor, keys_in_use, redact

# Which problem and node a call belongs to; set by the loop, read when a call is logged.
call_context: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("qed_call_context", default=None)


@contextmanager
def calls_for(**labels: str) -> Iterator[None]:
    token = call_context.set({**(call_context.get() or {}), **labels})
    try:
        yield
    finally:
        call_context.reset(token)


def _m001_calls(db: sqlite_utils.Database) -> None:
    db["calls"].create(
        {
            "id": int, "ts": float, "role": str, "spec": str, "model": str, "problem_id": str,
            "node": str, "messages": str, "response": str, "prompt_tokens": int,
            "completion_tokens": int, "latency_s": float, "finish_reason": str, "error": str,
            "options": str,
        },
        pk="id",
    )
    db["calls"].create_index(["problem_id"])


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_m001_calls]


def migrate(db: sqlite_utils.Database, migrations: list[Callable[[sqlite_utils.Database], None]]) -> None:
    """Apply numbered migrations once each, recorded in a `_migrations` table."""
    db["_migrations"].create({"name": str, "applied_at": float}, pk="name", if_not_exists=True)
    done = {row["name"] for row in db["_migrations"].rows}
    for fn in migrations:
        if fn.__name__ not in done:
            fn(db)
            db["_migrations"].insert({"name": fn.__name__, "applied_at": time.time()})


class CallLog:
    def __init__(self, path: Path):
        self.path = path
        conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.Lock()
        migrate(self.db, MIGRATIONS)

    def record(self, **row: Any) -> None:
        with self._lock:
            self.db["calls"].insert(row)

    def rows(self, **where: str) -> list[dict[str, Any]]:
        if not where:
            return list(self.db["calls"].rows)
        clause = " and ".join(f"{k} = ?" for k in where)
        return list(self.db["calls"].rows_where(clause, list(where.values())))

    def close(self) -> None:
        self.db.conn.close()


class LoggedModel:
    """Wraps a backend so each call (or failure) lands in the call log with its role and context.

    Any API key in use is scrubbed (models/keys.py `redact`) from the reply, the streamed tokens,
    the error and the logged prompt, so a server that echoes the key back cannot get it into a run
    folder, a log or the terminal.
    """

    def __init__(self, inner: ChatModel, log: CallLog | None, role: str):
        self.inner = inner
        self.log = log
        self.role = role
        self.spec = inner.spec

    def chat(
        self,
        messages: list[Message],
        options: CallOptions | None = None,
        on_token: TokenCallback | None = None,
    ) -> Completion:
        opts = options or CallOptions()
        started = time.time()
        shown = StreamRedactor(on_token) if on_token is not None and keys_in_use() else None
        try:
            result = self.inner.chat(messages, opts, shown or on_token)
        except ModelError as e:
            if shown:
                shown.flush()
            message = redact(str(e)) or type(e).__name__
            self._write(messages, opts, started, None, message)
            if message == str(e):
                raise
            raise type(e)(message) from None
        if shown:
            shown.flush()
        result = dataclasses.replace(result, text=redact(result.text) or "")
        self._write(messages, opts, started, result, None)
        return result

    def _write(self, messages: list[Message], opts: CallOptions, started: float,
               result: Completion | None, error: str | None) -> None:
        if self.log is None:
            return
        ctx = call_context.get() or {}
        self.log.record(
            ts=started, role=self.role, spec=self.spec,
            model=result.model if result else self.spec,
            problem_id=ctx.get("problem_id", ""), node=ctx.get("node", ""),
            messages=redact(json.dumps([m.to_dict() for m in messages], ensure_ascii=False)),
            response=result.text if result else None,
            prompt_tokens=result.usage.prompt_tokens if result else 0,
            completion_tokens=result.usage.completion_tokens if result else 0,
            latency_s=result.latency_s if result else time.time() - started,
            finish_reason=result.finish_reason if result else None,
            error=error,
            options=json.dumps({"max_tokens": opts.max_tokens, "temperature": opts.temperature}),
        )

    def close(self) -> None:
        self.inner.close()
