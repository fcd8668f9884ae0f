"""One job process of a parallel solve: problems in over a pipe, events and results out.

A job runs problems with the same Solver as `qed solve --jobs 1`, in its own RunSession on the
run folder (the call log and the checkpoints are SQLite files several processes may write). It
never writes results.jsonl: the parent does, so a result is recorded once. A job whose parent
is gone (killed with -9) stops within a second instead of running on unseen.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qed.agent.budget import Budgets, Meter, SharedCounter
from qed.agent.config import QedConfig
from qed.agent.parallel_local import attach
from qed.agent.recipes import Recipe
from qed.agent.runs import RunDir
from qed.agent.session import RunSession
from qed.agent.solve import SolveOptions, Solver
from qed.models.roles import RoleSpecs
from qed.problems.record import Problem

FORWARDED = ("node", "status", "error", "spend")  # tokens stay in the job: too many to ship
CHECKPOINT_BUSY_MS = 60_000  # several jobs write one checkpoint file; a writer waits its turn


@dataclass
class JobSpec:
    """Everything a job needs, picklable (it crosses a process spawn or a Ray task)."""

    run_dir: str
    config: QedConfig
    solver: str = "loop"
    memory: bool = False
    memory_path: str | None = None
    budgets: Budgets = field(default_factory=Budgets)
    recipe: Recipe = field(default_factory=Recipe)
    run_deadline: float | None = None  # time.time() when the run's seconds are used up
    local_servers: dict[str, str] = field(default_factory=dict)  # the parent's llama.cpp workers


def open_solver(spec: JobSpec, counter: Any, on_event: Any) -> Solver:
    """A Solver for this process over the run folder, sharing the run's budget counter."""
    attach(spec.local_servers)
    roles = spec.config.roles if spec.solver == "loop" else RoleSpecs({})
    session = RunSession(RunDir(Path(spec.run_dir)), roles, deadline_s=spec.config.loop.call_deadline_s)
    mem = None
    if spec.memory:
        from qed.memory import open_memory

        mem = session.adopt(open_memory(Path(spec.memory_path) if spec.memory_path else None))
    meter = Meter(spec.budgets, counter, spec.run_deadline)
    solver = Solver(spec.config, session,
                    SolveOptions(solver=spec.solver, memory=mem, budgets=spec.budgets, recipe=spec.recipe,
                                 meter=meter), on_event)
    if spec.solver == "loop":
        conn = session.checkpointer().conn
        if isinstance(conn, sqlite3.Connection):
            conn.execute(f"PRAGMA busy_timeout = {CHECKPOINT_BUSY_MS}")
    return solver


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch_parent(parent: int) -> None:
    """Stop when the `qed` process that runs the batch is gone (a job's own parent is the fork server)."""
    def watch() -> None:
        while True:
            time.sleep(0.5)
            if not _alive(parent):
                os._exit(3)  # the run folder is crash-safe; nothing here is worth finishing unseen

    threading.Thread(target=watch, daemon=True, name="qed-parent-watch").start()


def main(spec: JobSpec, conn: Any, counter_array: Any, parent: int) -> None:
    """The job loop: ("solve", problem dict) → ("result", id, result); ("stop",) or EOF ends it.

    A terminal's Ctrl-C reaches the whole process group, jobs included. The job leaves it to the
    parent, which stops its jobs and writes the summary: a KeyboardInterrupt here would only race
    the parent's kill to print a traceback on the user's terminal.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _watch_parent(parent)
    lock = threading.Lock()
    current: list[str] = [""]

    def send(message: tuple[Any, ...]) -> None:
        with lock:
            conn.send(message)

    def on_event(event: dict[str, Any]) -> None:
        if event.get("event") in FORWARDED:
            send(("event", current[0], {k: v for k, v in event.items() if k != "trace"}))

    solver = open_solver(spec, SharedCounter(counter_array), on_event)
    try:
        send(("ready", os.getpid()))
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                return
            if message[0] != "solve":
                return
            problem = Problem.from_dict(message[1])
            current[0] = problem.id
            result = solver.solve_one(problem)
            send(("result", problem.id, result))
    finally:
        solver.close()
