"""Run a function in a forked child killed at a hard deadline, so that a hang cannot stop the caller.

The pattern of verifiers/engine/solve.py, kept here so the certificate search does not depend on
another package: the child dies with its parent, runs in its own process group, and sends its
result through a pipe; a timeout, a crash or an unpicklable result comes back as a reason.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import time
import traceback
from collections.abc import Callable
from multiprocessing import get_context
from typing import Any

from qed.verifiers import children


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _child(fn: Callable[..., Any], args: tuple, conn) -> None:
    _die_with_parent()
    os.setpgrp()
    try:
        conn.send(("ok", fn(*args)))
    except Exception as exc:  # noqa: BLE001 - a failure in the child is reported, not raised
        with contextlib.suppress(Exception):
            conn.send(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=4)}"))
    finally:
        conn.close()


def run_bounded(fn: Callable[..., Any], args: tuple, seconds: float) -> tuple[str, Any]:
    """("ok", result) | ("error", text) | ("timeout", text) | ("died", text); never raises."""
    ctx = get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fn, args, send), daemon=True)
    t0 = time.monotonic()
    proc.start()
    children.started(proc.pid)
    send.close()
    out: tuple[str, Any] | None = None
    try:
        if recv.poll(seconds):
            out = recv.recv()
    except (EOFError, OSError):
        out = None
    finally:
        recv.close()
    if proc.is_alive():
        for kill in (lambda: os.killpg(proc.pid, signal.SIGKILL), lambda: os.kill(proc.pid, signal.SIGKILL)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                kill()
    proc.join(5)
    children.ended(proc.pid)  # raises KeyboardInterrupt when a Ctrl-C killed it
    if out is not None:
        return out
    if time.monotonic() - t0 < seconds and proc.exitcode not in (None, 0):
        return "died", f"the search process died (exit code {proc.exitcode})"
    return "timeout", f"time limit of {seconds:g} s reached"
