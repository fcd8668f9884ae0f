"""One Ctrl-C ends the bounded children a node waits on in a worker thread: the wait ends at once
and raises KeyboardInterrupt, so a killed engine run is never taken for a finished step."""

from __future__ import annotations

import threading
import time

import pytest
from qed.verifiers import children
from qed.verifiers.bounded import Limits, run_bounded
from qed.verifiers.certificates.bounded import run_bounded as run_search_bounded


def _sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "finished"


@pytest.mark.parametrize("start", [
    lambda: run_bounded(_sleep, 60, limits=Limits(seconds=90)),
    lambda: run_search_bounded(_sleep, (60,), 90),
], ids=["bounded", "certificate-search"])
def test_stop_all_ends_a_wait_in_another_thread_with_keyboard_interrupt(start):
    outcome: list[object] = []

    def work() -> None:
        try:
            outcome.append(start())
        except KeyboardInterrupt as e:
            outcome.append(e)

    thread = threading.Thread(target=work)
    thread.start()
    deadline = time.monotonic() + 30
    while not children._live and time.monotonic() < deadline:
        time.sleep(0.05)
    assert children.stop_all() == 1
    thread.join(20)
    assert not thread.is_alive(), "the wait outlived the stop"
    [got] = outcome
    assert isinstance(got, KeyboardInterrupt), got
    assert not children._live and not children._stopped


def test_a_child_that_ends_by_itself_returns_its_value_and_is_forgotten():
    assert run_bounded(_sleep, 0, limits=Limits(seconds=30)).value == "finished"
    assert run_search_bounded(_sleep, (0,), 30) == ("ok", "finished")
    assert not children._live and children.stop_all() == 0
