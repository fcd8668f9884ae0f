"""Retry with exponential backoff for the failures that pass on their own (timeouts, 429, 5xx),
inside one deadline for the whole call."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from qed.models.base import ModelError
from qed.models.deadline import Deadline

T = TypeVar("T")


class Transient(Exception):
    """Raised by a backend for a failure worth trying again; carries the user-facing reason."""


def with_retries(
    call: Callable[[float], T],
    *,
    deadline: Deadline,
    timeout_s: float,
    attempts: int = 4,
    base_delay_s: float = 1.0,
    max_delay_s: float = 20.0,
    on_retry: Callable[[int, Exception], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `call(timeout)`; on Transient wait base*2^k seconds and try again, at most `attempts` times.

    Each attempt's timeout is min(timeout_s, what is left of the deadline); no attempt starts and
    no backoff ends past the deadline. Gives up with one ModelError line saying why.
    """
    for attempt in range(1, attempts + 1):
        try:
            return call(min(timeout_s, max(deadline.left(), 0.001)))
        except Transient as e:
            if deadline.passed() or deadline.cut:
                raise ModelError(f"{e} (no reply within the call deadline of {deadline.seconds:g} s)") from e
            if attempt == attempts:
                raise ModelError(f"{e} (gave up after {attempts} attempts)") from e
            delay = min(max_delay_s, base_delay_s * 2 ** (attempt - 1))
            if delay >= deadline.left():
                raise ModelError(f"{e} (no reply within the call deadline of {deadline.seconds:g} s)") from e
            if on_retry:
                on_retry(attempt, e)
            sleep(delay)
    raise AssertionError("unreachable")
