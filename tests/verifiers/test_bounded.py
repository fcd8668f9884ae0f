"""The bounded call: a value, or the limit that stopped the work, and nothing left running."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from qed.verifiers.bounded import Limits, run_bounded

from tests.verifiers.procs import live_children


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_the_value_comes_back():
    result = run_bounded(sorted, [3, 1, 2], limits=Limits(seconds=30))
    assert result.ok and result.value == [1, 2, 3] and result.reason is None


def test_an_exception_is_a_reason_with_the_exception_itself():
    def fails(text: str) -> None:
        raise ValueError(f"cannot read {text}")

    result = run_bounded(fails, "x^", limits=Limits(seconds=30))
    assert result.stopped == "error"
    assert result.reason == "ValueError: cannot read x^"
    assert isinstance(result.error, ValueError) and "fails" in result.trace


def test_memory_beyond_the_budget_stops_the_child_not_the_caller():
    def hog() -> int:
        blocks = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GiB if it were allowed
        return len(blocks)

    result = run_bounded(hog, limits=Limits(seconds=60, memory_mb=256))
    assert result.stopped == "memory" and result.limited
    assert result.reason == "memory limit of 256 MiB reached"


def test_cpu_beyond_the_limit_stops_the_child():
    def spin() -> None:
        while True:
            pass

    result = run_bounded(spin, limits=Limits(seconds=60, cpu_seconds=1))
    assert result.stopped == "cpu"
    assert result.reason == "CPU limit of 1 s reached"
    assert result.cpu_seconds >= 0.9


def test_the_wall_limit_kills_the_child_and_its_process_group(tmp_path: Path):
    marker = tmp_path / "grandchild.pid"

    def sleeper() -> None:
        child = subprocess.Popen(["sleep", "60"])  # same process group as the worker
        marker.write_text(str(child.pid))
        time.sleep(60)

    before = live_children()
    result = run_bounded(sleeper, limits=Limits(seconds=1.5))
    assert result.stopped == "wall"
    assert result.reason == "time limit of 1.5 s reached"
    assert not live_children() - before
    grandchild = int(marker.read_text())
    deadline = time.monotonic() + 5
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild)


def test_a_crash_is_reported_as_the_signal_that_killed_it():
    def crash() -> None:
        import faulthandler

        faulthandler.disable()
        os.kill(os.getpid(), signal.SIGSEGV)

    result = run_bounded(crash, limits=Limits(seconds=30))
    assert result.stopped == "died"
    assert result.reason == "the worker process was killed by SIGSEGV"


def test_a_value_that_cannot_travel_back_is_a_reason():
    result = run_bounded(lambda: (lambda: 1), limits=Limits(seconds=30))
    assert result.stopped == "result"
    assert result.reason.startswith("the value could not be sent back")
