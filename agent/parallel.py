"""`qed solve --jobs N`: problems in N job processes on this machine, each result recorded once.

The parent hands problems out one at a time and is the only writer of results.jsonl, appending
each result the moment it arrives (fsynced, as in a sequential run). A job that crashes or is
killed costs only its problem, recorded as that problem's `error`, and a fresh job takes its place;
a problem past its time budget is stopped the same way and recorded `abstained` with the reason.
A kill of the whole run (even -9) loses nothing recorded: the jobs notice and stop, and
`--resume` skips every recorded problem and continues the others from their checkpoints.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any

from qed.agent.budget import BudgetExhausted, SharedCounter, spent
from qed.agent.parallel_local import start_shared
from qed.agent.parallel_start import job_context
from qed.agent.parallel_worker import JobSpec, main
from qed.agent.runs import RunDir, earlier_seconds
from qed.agent.solve import Solver, result_line, run_budget_cut
from qed.agent.summary import render_summary
from qed.problems.record import Problem

EventFn = Callable[[dict[str, Any]], None]
JOBS_FILE = "jobs.json"  # which job process holds which problem, while the run goes
KILL_GRACE_S = 5.0  # past a problem's seconds, how long a job may finish its current step
START_TIMEOUT_S = 300.0  # a job that cannot import and open its session in this long is broken


@dataclass
class _Job:
    process: Any
    conn: Any
    ready: bool = False
    problem: Problem | None = None
    index: int = 0
    started: float = 0.0
    spawned: float = field(default_factory=time.monotonic)


def _death(process: Any) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the job process was killed ({name})"
    return f"the job process exited with status {code}"


class JobPool:
    """N job processes over one run folder; `solve_all` has the Solver's contract."""

    def __init__(self, spec: JobSpec, jobs: int, on_event: EventFn | None = None):
        if jobs < 1:
            raise ValueError("--jobs must be at least 1")
        self.spec = spec
        self.jobs = jobs
        self.on_event = on_event or (lambda e: None)
        self.run = RunDir.open(spec.run_dir)
        self.ctx = job_context()  # a fork server that imported the solver once (may be running already)
        self.workers: list[_Job] = []
        self.results: list[dict[str, Any]] = []
        self.total = 0
        self.stopped: str | None = None  # why the run stopped early (its budget)
        self.order = "as in the file"  # the order problems are handed out in

    # -- jobs ---------------------------------------------------------------------------------
    def _spawn(self) -> _Job:
        parent, child = self.ctx.Pipe()
        # Not daemonic: a daemonic process may not start children, and the certificate search runs
        # in a multiprocessing child of its job. The pool stops its jobs itself (solve_all's finally),
        # and a job whose parent is gone stops on its own (parallel_worker._watch_parent).
        process = self.ctx.Process(target=main, args=(self.spec, child, self.counter.array, os.getpid()),
                                   name="qed-job", daemon=False)
        process.start()
        child.close()
        job = _Job(process, parent)
        self.workers.append(job)
        return job

    def _retire(self, job: _Job, kill: bool = False) -> None:
        if kill and job.process.is_alive():
            job.process.kill()
        job.process.join(timeout=10)
        if job.process.is_alive():
            job.process.kill()
            job.process.join()
        job.conn.close()
        self.workers.remove(job)

    # -- results ------------------------------------------------------------------------------
    def _record(self, result: dict[str, Any]) -> None:
        if run_budget_cut(result):
            self.stopped = self.stopped or result.get("reason") or "the run's budget is used up"
            return
        self.run.append_result(result)
        self.results.append(result)
        self.run.write_summary(render_summary(self.run.read_config(), self.results, self.total))
        self.on_event({"event": "problem_end", "result": result})

    def _lost(self, job: _Job, why: str, *, budget: BudgetExhausted | None = None) -> None:
        """The job's problem ended without a result from the job: record why."""
        problem = job.problem
        assert problem is not None
        seconds = time.monotonic() - job.started
        if budget is not None:
            result = result_line(problem, {"outcome": "abstained", "reason": f"{budget} ({why})"}, seconds)
            result["budget"] = budget.to_dict()
        else:
            result = result_line(problem, {}, seconds, error=why)
        job.problem = None
        self._record(result)

    # -- the batch ----------------------------------------------------------------------------
    def solve_all(self, problems: Iterable[Problem], total: int | None = None) -> list[dict[str, Any]]:
        if total is None:
            problems = list(problems)
            total = len(problems)
        self.total = total
        done = {r["problem_id"]: r for r in self.run.results()}
        self.results = list(done.values())
        self.counter = SharedCounter.create(self.ctx, *spent(self.results))
        todo = self._schedule(problems, done)
        self.on_event({"event": "run_start", "total": total, "done": self.results, "run_dir": str(self.run.path),
                       "jobs": self.jobs, "budgets": self.spec.budgets.to_dict(), "order": self.order})
        pending: tuple[int, Problem] | None = next(todo, None)
        try:
            for _ in range(min(self.jobs, max(1, total - len(done)))):
                if pending is not None:
                    self._spawn()
            while self.workers and (pending is not None or any(j.problem for j in self.workers)):
                for job in self.workers:
                    if job.ready and job.problem is None and pending is not None and self.stopped is None:
                        self._hand_out(job, *pending)
                        pending = next(todo, None)
                self._wait()
                if self.stopped is not None:
                    pending = None  # the problems still running finish (or meet the same budget)
                elif pending is not None:
                    while len(self.workers) < min(self.jobs, max(1, total - len(done))):
                        self._spawn()  # replace a job that died
        finally:
            for job in list(self.workers):
                if job.process.is_alive():
                    with contextlib.suppress(OSError):
                        job.conn.send(("stop",))
                self._retire(job, kill=job.problem is not None)
            self.run.file(JOBS_FILE).unlink(missing_ok=True)  # no job is running any more
        self.on_event({"event": "run_end", "results": self.results})
        return self.results

    def _schedule(self, problems: Iterable[Problem], done: dict[str, Any]) -> Iterator[tuple[int, Problem]]:
        """The problems still to solve, with their index in the file: longest first when earlier
        runs of this file timed them (so no job idles at the end behind one long problem), else
        in the file's order, read as the run goes."""
        todo = ((i, p) for i, p in enumerate(problems) if p.id not in done)
        known = earlier_seconds(self.run) if self.jobs > 1 else {}
        if not known:
            return todo
        ordered = longest_first(list(todo), known)
        timed = sum(p.id in known for _, p in ordered)
        self.order = f"longest first ({timed} of {len(ordered)} timed by earlier runs of this file)"
        return iter(ordered)

    def _show_jobs(self) -> None:
        """jobs.json: each job process and its problem (for a person, or a test, watching the run)."""
        text = json.dumps({"jobs": [{"pid": j.process.pid, "problem_id": j.problem.id if j.problem else None}
                                    for j in self.workers]})
        tmp = self.run.file(JOBS_FILE + ".tmp")
        tmp.write_text(text + "\n")
        tmp.replace(self.run.file(JOBS_FILE))

    def _hand_out(self, job: _Job, index: int, problem: Problem) -> None:
        job.problem, job.index, job.started = problem, index, time.monotonic()
        self._show_jobs()
        self.on_event({"event": "problem_start", "index": index, "total": self.total, "problem": problem.to_dict()})
        with contextlib.suppress(OSError):  # a dead job: _wait records its problem
            job.conn.send(("solve", problem.to_dict()))

    def _wait(self) -> None:
        conns = {job.conn: job for job in self.workers}
        sentinels = {job.process.sentinel: job for job in self.workers}
        ready = wait([*conns, *sentinels], timeout=0.5)
        for item in ready:
            job = conns.get(item)
            if job is not None and job in self.workers:
                self._drain(job)
        for job in list(self.workers):
            if not job.process.is_alive():
                self._drain(job)
                if job.problem is not None:
                    self._lost(job, _death(job.process))
                elif not job.ready:
                    self.stopped = self.stopped or f"a job process could not start ({_death(job.process)})"
                self._retire(job)
        self._enforce_time()

    def _drain(self, job: _Job) -> None:
        try:
            while job.conn.poll():
                self._handle(job, job.conn.recv())
        except (EOFError, OSError):
            pass

    def _handle(self, job: _Job, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "ready":
            job.ready = True
        elif kind == "event":
            self.on_event({**message[2], "problem_id": message[1]})
        elif kind == "result" and job.problem is not None and message[1] == job.problem.id:
            job.problem = None
            self._record(message[2])

    def _enforce_time(self) -> None:
        """A problem past its seconds is stopped (the job cannot be trusted to notice in time)."""
        now = time.monotonic()
        limit = self.spec.budgets.problem.seconds
        for job in list(self.workers):
            if job.problem is not None and limit is not None and now - job.started > limit + KILL_GRACE_S:
                self._retire(job, kill=True)
                self._lost(job, "the job was stopped", budget=BudgetExhausted("problem", "seconds", limit, now - job.started))
            elif not job.ready and now - job.spawned > START_TIMEOUT_S:
                self._retire(job, kill=True)
                self.stopped = self.stopped or "a job process did not start in time"
        deadline = self.spec.run_deadline
        if deadline is not None and time.time() > deadline + KILL_GRACE_S:
            seconds = self.spec.budgets.run.seconds or 0.0
            self.stopped = self.stopped or str(BudgetExhausted("run", "seconds", seconds, seconds + time.time() - deadline))
            for job in list(self.workers):
                if job.problem is not None:  # cut off by the run's budget: unrecorded, resumable
                    self._retire(job, kill=True)


def longest_first(todo: list[tuple[int, Problem]], seconds: dict[str, float]) -> list[tuple[int, Problem]]:
    """Longest-processing-time-first: problems never timed go first (they may be long), then the
    timed ones from the longest down; ties keep the file's order."""
    return sorted(todo, key=lambda item: -seconds.get(item[1].id, float("inf")))


def job_spec(solver: Solver, memory_path: Any = None, run_deadline: float | None = None) -> JobSpec:
    """What each job needs to solve like `solver` does; local models are started here, once."""
    opts = solver.options
    return JobSpec(
        run_dir=str(solver.run.path), config=solver.config, solver=opts.solver,
        memory=opts.memory is not None, memory_path=str(memory_path) if memory_path else None,
        budgets=opts.budgets, recipe=opts.recipe, run_deadline=run_deadline,
        local_servers=start_shared(solver.session.models()) if opts.solver == "loop" else {},
    )


def batch_runner(solver: Solver, *, jobs: int = 1, ray: str | None = None, memory_path: Any = None,
                 run_deadline: float | None = None) -> Any:
    """What runs the batch: the solver itself (one job, in this process), a JobPool, or Ray.

    One job with a time limit per problem still gets a job process: only a process can be stopped
    when a problem overruns its seconds.
    """
    if jobs == 1 and ray is None and solver.options.budgets.problem.seconds is None:
        return solver
    spec = job_spec(solver, memory_path, run_deadline)
    if ray is not None:
        from qed.agent.parallel_ray import RayPool

        return RayPool(spec, address=None if ray == "local" else ray, jobs=jobs)
    return JobPool(spec, jobs)
