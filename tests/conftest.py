"""Suite-wide pytest hooks: per-test CPU time, the load-independent measure of what a test costs.

Wall-clock durations on a shared 2-core machine say more about the neighbours than about the
test. QED_TEST_CPU_LOG=FILE records, for each test (set-up, call and tear-down together), the CPU time
of this process and of the children it has waited for, next to its wall time, as tab-separated
lines; under pytest-xdist each worker writes FILE.<worker id>. Nothing is recorded without it.

`make test` runs two pytest workers on a 2-core machine, so each llama.cpp worker a test starts
gets one thread (QED_THREADS=1, unless set): with two threads per server and another test busy on
the other core, llama.cpp's threads spin waiting for each other (measured under load: 33 s of CPU
for one loop run with two threads, 11 s with one). Answers do not depend on the thread count.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

import pytest

os.environ.setdefault("QED_THREADS", "1")  # inherited by the `qed` subprocesses tests start


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _log_path() -> Path | None:
    # An environment variable, not an option: xdist workers and a bare `pytest file.py` see it alike.
    name = os.environ.get("QED_TEST_CPU_LOG")
    if not name:
        return None
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return Path(f"{name}.{worker}" if worker else name)


def pytest_configure(config: pytest.Config) -> None:
    path = _log_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("nodeid\tcpu_s\twall_s\n")
        config.stash[_LOG] = path


_LOG = pytest.StashKey[Path]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    path = item.config.stash.get(_LOG, None)
    if path is None:
        yield
        return
    cpu0, wall0 = _cpu_seconds(), time.perf_counter()
    yield
    cpu, wall = _cpu_seconds() - cpu0, time.perf_counter() - wall0
    with path.open("a") as log:  # appended per test, so a killed run keeps what it measured
        log.write(f"{item.nodeid}\t{cpu:.3f}\t{wall:.3f}\n")


# The files that take longest (measured with QED_TEST_CPU_LOG and --durations), longest first.
# `make test` hands whole files to two workers in collection order (--no-loadscope-reorder);
# starting the long ones first keeps one of them from running alone at the end. A file missing
# from this list just keeps its place: the order changes only the run's length, never its result.
LONGEST_FIRST = (
    "tests/verifiers/test_engine_corpus.py",
    "tests/agent/test_inspect_tasks.py",
    "tests/integration/test_judges_local.py",
    "tests/integration/test_llamacpp.py",
    "tests/agent/test_interactive_export.py",
    "tests/agent/test_session_local.py",
    "tests/agent/test_resume_after_kill.py",
    "tests/test_install_wheel.py",
    "tests/verifiers/test_sandbox_containment.py",
)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    root = config.rootpath

    def place(item: pytest.Item) -> int:
        try:
            name = item.path.relative_to(root).as_posix()
        except ValueError:
            return len(rank)
        return rank.get(name, len(rank))

    items.sort(key=place)  # stable: tests keep their order within a file, other files theirs
