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
from collections.abc import Callable, Iterator
from typing import Any

_active: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar("qed_call_deadline", default=None)


class Deadline:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self.clock = clock
        self.end = clock() + seconds
        self.cut = False  # the watchdog shut a connection down
        self._timers: list[threading.Timer] = []
        self._lock = threading.Lock()

    def left(self) -> float:
        return self.end - self.clock()

    def passed(self) -> bool:
        return self.left() <= 0

    @contextlib.contextmanager
    def active(self) -> Iterator[Deadline]:
        """While active, every response the guarded HTTP clients receive is watched."""
        token = _active.set(self)
        try:
            yield self
        finally:
            _active.reset(token)
            with self._lock:
                for t in self._timers:
                    t.cancel()
                self._timers.clear()

    def watch(self, sock: socket.socket) -> None:
        timer = threading.Timer(max(0.0, self.left()), self._shut, (sock,))
        timer.daemon = True
        with self._lock:
            self._timers.append(timer)
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
