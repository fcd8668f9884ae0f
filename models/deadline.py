"""One deadline per model call, across all its retries, that no server can stretch.

Each attempt's timeout is what is left of the deadline (so 4 attempts never add up to 4 timeouts),
and a watchdog shuts the connection down when the deadline passes, because a read timeout alone
never fires for a server that keeps sending a byte now and then (keep-alive comments, a trickle).
"""

from __future__ import annotations

import contextlib
import contextvars
import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from typing import Any

_active: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar("qed_call_deadline", default=None)
_live: weakref.WeakSet[Deadline] = weakref.WeakSet()  # calls in flight, for cut_all (Ctrl-C)


_cancelled = False  # after cut_all, every call is born cut: no retries in a process being stopped


def cut_all() -> None:
    """Shut every in-flight call's connection now (Ctrl-C): a streaming read fails at once."""
    global _cancelled
    _cancelled = True
    for deadline in list(_live):  # no lock: this runs in a signal handler
        deadline.cut = True  # and no retry starts
        for sock in list(deadline._socks):
            deadline._shut(sock)


def cancelled() -> bool:
    """True once cut_all ran: a process being stopped starts and continues no call."""
    return _cancelled


class Deadline:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self.clock = clock
        self.end = clock() + seconds
        self.cut = _cancelled  # the watchdog shut a connection down (or Ctrl-C: cut_all)
        self._timers: list[threading.Timer] = []
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()

    def left(self) -> float:
        return self.end - self.clock()

    def passed(self) -> bool:
        return self.left() <= 0

    @contextlib.contextmanager
    def active(self) -> Iterator[Deadline]:
        """While active, every response the guarded HTTP clients receive is watched."""
        token = _active.set(self)
        _live.add(self)
        try:
            yield self
        finally:
            _active.reset(token)
            _live.discard(self)
            with self._lock:
                for t in self._timers:
                    t.cancel()
                self._timers.clear()
                self._socks.clear()

    def watch(self, sock: socket.socket) -> None:
        timer = threading.Timer(max(0.0, self.left()), self._shut, (sock,))
        timer.daemon = True
        with self._lock:
            self._timers.append(timer)
            self._socks.append(sock)
        timer.start()

    def _shut(self, sock: socket.socket) -> None:
        self.cut = True
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked read; the SDK sees a dropped connection


def watch_response(response: Any) -> None:
    """httpx response hook: arm the active call's watchdog on the connection the reply comes over."""
    deadline = _active.get()
    stream = getattr(response, "extensions", {}).get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if deadline is not None and isinstance(sock, socket.socket):
        deadline.watch(sock)
