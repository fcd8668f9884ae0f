"""Start the jobs' fork server as early as the command knows it will need one.

`qed solve --jobs N` forks its jobs from a server that imports the solver once (agent/parallel.py).
That import costs seconds of CPU. Started only when the pool spawns its first job, it runs after
everything the parent does first, one thing after the other; started as the command begins, it
runs beside the parent's own set-up on the machine's other core. Light on purpose: importing this
module imports nothing of the solver.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import multiprocessing.forkserver
import os
import signal
from collections.abc import Sequence

PRELOAD = ["qed.agent.parallel_worker"]  # what every job needs, imported once in the fork server


def job_context() -> multiprocessing.context.BaseContext:
    """The jobs' start method: a fork server that preloads the solver (never a fork of the parent,
    which holds threads and servers)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def start_job_server() -> None:
    """Launch the fork server now; it imports the solver while the caller goes on.

    It is stopped when this process exits: by then the pool has ended its jobs, and a command
    that fails early (a usage error) must not leave it importing for seconds more, holding the
    terminal's or a pipe's output open.
    """
    job_context()
    multiprocessing.forkserver.ensure_running()
    atexit.register(stop_job_server)


def stop_job_server() -> None:
    """Kill this process's fork server at once, even mid-import (it holds no work: jobs are its
    children, each with its own watch on the `qed` process), and reap it."""
    server = multiprocessing.forkserver._forkserver
    pid = server._forkserver_pid
    if pid is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        server._stop()  # closes its pipe and reaps it


def jobs_asked(args: Sequence[str]) -> int:
    """N from `--jobs N`, `--jobs=N`, `-j N` or `-jN` in a command line; 1 when absent or unreadable
    (the command's own parser reports a bad value; this only decides whether to start early)."""
    n = 1
    for i, arg in enumerate(args):
        value = None
        if arg in ("--jobs", "-j"):
            value = args[i + 1] if i + 1 < len(args) else None
        elif arg.startswith("--jobs="):
            value = arg.split("=", 1)[1]
        elif arg.startswith("-j") and not arg.startswith("--"):
            value = arg[2:]
        if value is not None:
            n = int(value) if value.isdigit() else 1
    return n


def start_early(args: Sequence[str]) -> bool:
    """Start the fork server when the command line asks for local jobs (not Ray, not help)."""
    if jobs_asked(args) < 2 or any(a == "--ray" or a.startswith("--ray=") or a in ("--help", "-h") for a in args):
        return False
    start_job_server()
    return True
