"""Retry with exponential backoff for the failures that pass on their own (timeouts, 429, 5xx)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Transient(Exception):
    """Raised by a backend for a failure worth trying again; carries the user-facing reason."""


def with_retries(
    call: Callable[[], T],
    *,
    attempts: int = 4,
    base_delay_s: float = 1.0,
    max_delay_s: float = 20.0,
    on_retry: Callable[[int, Exception], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `call`; on Transient wait base*2^k seconds and try again, at most `attempts` times."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except Transient as e:
            if attempt == attempts:
                raise
            if on_retry:
                on_retry(attempt, e)
            sleep(min(max_delay_s, base_delay_s * 2 ** (attempt - 1)))
    raise AssertionError("unreachable")
