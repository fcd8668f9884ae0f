"""Retries share one deadline: each attempt gets only the time that is left, and backoff never overruns it."""

from __future__ import annotations

import pytest
from qed.models.base import ModelError
from qed.models.deadline import Deadline
from qed.models.retry import Transient, with_retries


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _timing_out(clock: FakeClock, timeouts: list[float]):
    def call(timeout: float) -> str:
        timeouts.append(timeout)
        clock.now += timeout  # the server never answers: the attempt uses its whole timeout
        raise Transient("fake: cannot reach the server")

    return call


def test_each_attempt_gets_only_the_time_left_of_the_deadline():
    clock, timeouts = FakeClock(), []
    deadline = Deadline(100, clock=clock)
    with pytest.raises(ModelError, match="no reply within the call deadline of 100 s"):
        with_retries(_timing_out(clock, timeouts), deadline=deadline, timeout_s=60, attempts=4, sleep=clock.sleep)
    assert timeouts == [60, 39]  # 60, a 1 s backoff, then the 39 s that were left
    assert clock.now <= 100


def test_without_a_tight_deadline_the_attempts_run_out_first():
    clock, timeouts = FakeClock(), []
    with pytest.raises(ModelError, match="gave up after 3 attempts"):
        with_retries(_timing_out(clock, timeouts), deadline=Deadline(1000, clock=clock), timeout_s=5,
                     attempts=3, sleep=clock.sleep)
    assert timeouts == [5, 5, 5]


def test_a_backoff_longer_than_what_is_left_ends_the_call():
    clock, calls = FakeClock(), []

    def refused(timeout: float) -> str:
        calls.append(timeout)
        clock.now += 0.5
        raise Transient("fake: rate limited (429)")

    with pytest.raises(ModelError, match="deadline"):
        with_retries(refused, deadline=Deadline(3, clock=clock), timeout_s=60, attempts=10, sleep=clock.sleep)
    assert clock.now < 3 and len(calls) == 2  # 0.5 + 1 s backoff + 0.5; a 2 s backoff would overrun


def test_a_success_after_a_transient_failure_is_returned():
    clock, attempts = FakeClock(), []

    def flaky(timeout: float) -> str:
        attempts.append(timeout)
        if len(attempts) == 1:
            raise Transient("fake: server error 503")
        return "fine"

    assert with_retries(flaky, deadline=Deadline(100, clock=clock), timeout_s=30, sleep=clock.sleep) == "fine"
