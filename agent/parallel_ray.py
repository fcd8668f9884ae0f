"""`qed solve --ray [ADDRESS]`: the same problems as Ray tasks, on a local Ray or an existing cluster.

The driver (this process) keeps the JobPool's contract: it alone appends to results.jsonl, each
result once, as tasks finish; a task that fails or whose worker dies is that problem's `error`;
a problem past its seconds is cancelled and recorded `abstained`; the run's tokens and calls are
counted by one small actor every task reports to. At most `jobs` tasks run at once (default: the
cluster's CPUs), which is also how many calls at most go to a shared OpenAI-compatible endpoint.

Local models: on this machine the tasks use the driver's llama.cpp worker (one per model file);
on a cluster each node starts its own, once, in a `NodeModels` actor pinned to the node, and
tasks there use it. The run folder must be on storage every node can write (checkpoints and the
call log are SQLite files in it).

Ray is an optional extra: pip install 'qed-workbench[ray]'.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

from qed.agent.budget import BudgetExhausted, spent
from qed.agent.parallel_worker import JobSpec, open_solver
from qed.agent.runs import RunDir
from qed.agent.solve import Solver, result_line, run_budget_cut
from qed.agent.summary import render_summary
from qed.problems.record import Problem

EventFn = Callable[[dict[str, Any]], None]


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ValueError("--ray needs Ray: pip install 'qed-workbench[ray]'") from None
    return ray


class RunCounterActor:
    """The run's tokens and calls, for every task's budget meter (made a Ray actor at run time)."""

    def __init__(self, tokens: int, calls: int):
        self.tokens, self.calls = tokens, calls

    def add(self, tokens: int, calls: int) -> None:
        self.tokens += tokens
        self.calls += calls

    def read(self) -> tuple[int, int]:
        return self.tokens, self.calls

    def take_call(self, limit: int | None) -> bool:
        if limit is not None and self.calls >= limit:
            return False
        self.calls += 1
        return True


class ActorCounter:
    """A budget RunCounter backed by the run's counter actor."""

    def __init__(self, actor: Any):
        self.actor = actor

    def add(self, tokens: int, calls: int) -> None:
        _ray().get(self.actor.add.remote(tokens, calls))

    def read(self) -> tuple[int, int]:
        return tuple(_ray().get(self.actor.read.remote()))  # type: ignore[return-value]

    def take_call(self, limit: int | None) -> bool:
        return bool(_ray().get(self.actor.take_call.remote(limit)))


class NodeModels:
    """One llama.cpp worker per model file on one node, for every task scheduled there."""

    def __init__(self, specs: dict[str, str]):
        from qed.models.roles import RoleSpecs

        self.models = RoleSpecs({r: s for r, s in specs.items() if s.startswith("local:")}).build()

    def servers(self) -> dict[str, str]:
        from qed.agent.parallel_local import start_shared

        return start_shared(self.models)


_SOLVERS: dict[str, Solver] = {}  # one per run folder in each Ray worker process (they are reused)


def _solve_in_task(spec: JobSpec, problem: dict[str, Any], counter: Any, node_models: dict[str, Any]) -> dict[str, Any]:
    ray = _ray()
    solver = _SOLVERS.get(spec.run_dir)
    if solver is None:
        node = ray.get_runtime_context().get_node_id()
        if node in node_models:
            spec = replace(spec, local_servers=ray.get(node_models[node].servers.remote()))
        solver = _SOLVERS[spec.run_dir] = open_solver(spec, ActorCounter(counter), lambda e: None)
    return solver.solve_one(Problem.from_dict(problem))


class RayPool:
    """Problems as Ray tasks; `solve_all` has the Solver's contract."""

    def __init__(self, spec: JobSpec, address: str | None = None, jobs: int = 1, on_event: EventFn | None = None):
        self.ray = _ray()
        self.spec = spec
        self.address = address
        self.jobs = jobs
        self.on_event = on_event or (lambda e: None)
        self.run = RunDir.open(spec.run_dir)
        self.results: list[dict[str, Any]] = []
        self.total = 0
        self.stopped: str | None = None

    def _start(self) -> bool:
        """Connect to the cluster (or start a local Ray); True when we started it and must stop it."""
        ray = self.ray
        if ray.is_initialized():
            return False
        try:
            if self.address:
                ray.init(address=self.address, log_to_driver=False)
            else:
                ray.init(include_dashboard=False, log_to_driver=False, num_cpus=max(self.jobs, 1))
        except Exception as e:  # noqa: BLE001 — Ray raises bare Exceptions for a node that did not start
            where = f"the Ray cluster at {self.address}" if self.address else "a local Ray"
            first = (str(e).strip().splitlines() or [type(e).__name__])[0]
            raise ValueError(f"could not start or reach {where}: {first}") from None
        return True

    def _node_models(self) -> dict[str, Any]:
        """On a cluster with local models: one NodeModels actor per node, pinned there."""
        if not self.address or not any(s.startswith("local:") for s in self.spec.config.roles.specs.values()):
            return {}
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        actor = self.ray.remote(NodeModels)
        out = {}
        for node in self.ray.nodes():
            if node.get("Alive"):
                out[node["NodeID"]] = actor.options(
                    scheduling_strategy=NodeAffinitySchedulingStrategy(node["NodeID"], soft=False)
                ).remote(dict(self.spec.config.roles.specs))
        return out

    def _record(self, result: dict[str, Any]) -> None:
        if run_budget_cut(result):
            self.stopped = self.stopped or result.get("reason") or "the run's budget is used up"
            return
        self.run.append_result(result)
        self.results.append(result)
        self.run.write_summary(render_summary(self.run.read_config(), self.results, self.total))
        self.on_event({"event": "problem_end", "result": result})

    def solve_all(self, problems: Iterable[Problem], total: int | None = None) -> list[dict[str, Any]]:
        ray = self.ray
        if total is None:
            problems = list(problems)
            total = len(problems)
        self.total = total
        done = {r["problem_id"]: r for r in self.run.results()}
        self.results = list(done.values())
        self.on_event({"event": "run_start", "total": total, "done": self.results, "run_dir": str(self.run.path),
                       "jobs": self.jobs, "budgets": self.spec.budgets.to_dict()})
        todo: Iterator[tuple[int, Problem]] = ((i, p) for i, p in enumerate(problems) if p.id not in done)
        pending = next(todo, None)
        started = self._start() if pending is not None else False  # nothing left to do: no cluster needed
        try:
            if pending is None:
                return self._end()
            counter = ray.remote(RunCounterActor).remote(*spent(self.results))
            node_models = self._node_models()
            task = ray.remote(max_retries=0)(_solve_in_task)
            limit = self.jobs if self.jobs > 1 or not self.address else int(ray.cluster_resources().get("CPU", 1))
            flying: dict[Any, tuple[Problem, float]] = {}
            while pending is not None or flying:
                while pending is not None and len(flying) < limit and self.stopped is None:
                    index, problem = pending
                    self.on_event({"event": "problem_start", "index": index, "total": total, "problem": problem.to_dict()})
                    ref = task.remote(self.spec, problem.to_dict(), counter, node_models)
                    flying[ref] = (problem, time.monotonic())
                    pending = next(todo, None)
                if self.stopped is not None:
                    pending = None
                if not flying:
                    break
                ready, _ = ray.wait(list(flying), num_returns=1, timeout=0.5)
                for ref in ready:
                    problem, t0 = flying.pop(ref)
                    try:
                        result = ray.get(ref)
                    except Exception as e:  # noqa: BLE001 — a task that failed or lost its worker: that problem's error
                        text = str(e).strip().splitlines()
                        result = result_line(problem, {}, time.monotonic() - t0,
                                             error=f"the Ray task failed: {type(e).__name__}"
                                             + (f": {text[-1][:200]}" if text else ""))
                    self._record(result)
                self._enforce_time(flying)
        finally:
            if started:
                ray.shutdown()
        return self._end()

    def _end(self) -> list[dict[str, Any]]:
        self.on_event({"event": "run_end", "results": self.results})
        return self.results

    def _enforce_time(self, flying: dict[Any, tuple[Problem, float]]) -> None:
        from qed.agent.parallel import KILL_GRACE_S

        limit = self.spec.budgets.problem.seconds
        now = time.monotonic()
        for ref, (problem, t0) in list(flying.items()):
            if limit is not None and now - t0 > limit + KILL_GRACE_S:
                self.ray.cancel(ref, force=True)
                flying.pop(ref)
                budget = BudgetExhausted("problem", "seconds", limit, now - t0)
                result = result_line(problem, {"outcome": "abstained", "reason": f"{budget} (the task was cancelled)"},
                                     now - t0)
                result["budget"] = budget.to_dict()
                self._record(result)
        deadline = self.spec.run_deadline
        if deadline is not None and time.time() > deadline + KILL_GRACE_S:
            seconds = self.spec.budgets.run.seconds or 0.0
            self.stopped = self.stopped or str(BudgetExhausted("run", "seconds", seconds, seconds + time.time() - deadline))
            for ref in list(flying):
                self.ray.cancel(ref, force=True)  # cut off by the run's budget: unrecorded, resumable
                flying.pop(ref)
