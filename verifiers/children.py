"""The bounded children this process has running, so that one Ctrl-C can end them at once.

A Ctrl-C reaches the main thread while the loop's node may be waiting on a forked child (the
engine, a certificate search) in a worker thread; the child runs in its own process group, so the
terminal's signal never reaches it and the wait would last until the child finished. `stop_all`
kills every such child, and the waits it cut raise KeyboardInterrupt instead of returning a
failure: a killed engine must not be recorded, and resumed, as a finished step.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading

_lock = threading.Lock()
_live: set[int] = set()
_stopped: set[int] = set()


def started(pid: int) -> None:
    with _lock:
        _live.add(pid)


def ended(pid: int) -> None:
    """Forget a reaped child; raises KeyboardInterrupt if stop_all ended it."""
    with _lock:
        _live.discard(pid)
        was_stopped = pid in _stopped
        _stopped.discard(pid)
    if was_stopped:
        raise KeyboardInterrupt("stopped by an interrupt")


def stop_all() -> int:
    """Kill every live child's process group; returns how many there were."""
    with _lock:
        pids = list(_live)
        _stopped.update(pids)
    for pid in pids:
        for kill in (lambda p=pid: os.killpg(p, signal.SIGKILL), lambda p=pid: os.kill(p, signal.SIGKILL)):
            with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
                kill()
    return len(pids)
