"""Run problems through the loop (or the engine alone), one result per problem, never losing one.

A batch keeps going when a problem fails: its result says `error` and why. Results are appended
as each problem ends; checkpoints let an interrupted problem resume where it stopped.
"""

from __future__ import annotations

import contextlib
import dataclasses
import resource
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from langgraph.types import Command
from qed.agent.answers import engine_answer, grade, shown
from qed.agent.budget import BudgetedModel, BudgetExhausted, Budgets, Meter
from qed.agent.config import QedConfig
from qed.agent.deps import LoopDeps
from qed.agent.draft_file import write_draft_file
from qed.agent.graph import build_graph
from qed.agent.nodes.common import Metered
from qed.agent.recipes import Recipe, Verification, pooled_usage, verify
from qed.agent.session import RunSession
from qed.agent.state import Draft, EngineResult, LoopState, ProblemRecord, plain
from qed.agent.summary import render_summary
from qed.models.base import ChatModel, ModelError
from qed.models.calllog import calls_for
from qed.problems.record import Problem
from qed.verifiers.engine import solve_problem
from qed.verifiers.proofs.files import write_proof_files
from qed.verifiers.proofs.pipeline import ComputedProof, prove_problem, settles

EventFn = Callable[[dict[str, Any]], None]
AskFn = Callable[[dict[str, Any]], Any]  # interactive: the person's decision for an interrupt


@dataclass
class SolveOptions:
    solver: str = "loop"  # "loop" (models + computation) or "symbolic" (the engine alone)
    memory: Any | None = None
    ask: AskFn | None = None
    budgets: Budgets = dataclasses.field(default_factory=Budgets)
    recipe: Recipe = dataclasses.field(default_factory=Recipe)
    meter: Meter | None = None  # the run's meter (a worker process passes one sharing the run's counts)


def run_budget_cut(result: dict[str, Any]) -> bool:
    """A result the run's budget cut short: not recorded, so a resume with more budget redoes it."""
    return (result.get("budget") or {}).get("scope") == "run"


def _error_text(e: BaseException) -> str:
    text = str(e).strip() or type(e).__name__
    first = text.splitlines()[0]
    return first if isinstance(e, ModelError) else f"{type(e).__name__}: {first}"


class Solver:
    """The loop (or the engine) over problems, inside one RunSession that owns its models, call
    log and checkpoints; `close()` closes the session."""

    def __init__(
        self,
        config: QedConfig,
        session: RunSession,
        options: SolveOptions | None = None,
        on_event: EventFn | None = None,
    ):
        self.config = config
        self.session = session
        self.run = session.run
        self.options = options or SolveOptions()
        self.on_event = on_event or (lambda e: None)
        self.meter = self.options.meter or Meter(self.options.budgets)
        self._graphs: dict[float | None, Any] = {}
        self._budgeted: dict[str, ChatModel] | None = None
        self.stopped: str | None = None  # why solve_all stopped before the end (the run's budget)

    # -- set-up -------------------------------------------------------------------------------
    def models(self) -> dict[str, ChatModel]:
        return self.session.models()

    def metered_models(self) -> dict[str, ChatModel]:
        """The session's models, each call checked against and counted in the budget meter."""
        if self._budgeted is None:
            self._budgeted = {role: BudgetedModel(m, self.meter, self._show_budget)
                              for role, m in self.session.models().items()}
        return self._budgeted

    def graph(self, temperature: float | None = None):
        """The loop (one per temperature: a recipe's later attempts explore at their own)."""
        if temperature not in self._graphs:
            loop = self.config.loop if temperature is None else dataclasses.replace(
                self.config.loop, temperature=temperature, refine_temperature=max(temperature, self.config.loop.refine_temperature))
            deps = LoopDeps(
                models=self.metered_models(), config=loop, memory=self.options.memory,
                engine=solve_problem,
                run_id=self.run.path.name, run_dir=str(self.run.path),
            )
            self._graphs[temperature] = build_graph(deps, self.session.checkpointer())  # strict: checkpoints are data
        return self._graphs[temperature]

    def _show_budget(self, meter: Meter) -> None:
        """After each model call: what the problem (and the run) spent, for the live view."""
        run_tokens, run_calls = meter.counter.read()
        self.on_event({"event": "spend", "tokens": meter.tokens, "calls": meter.calls,
                       "run_tokens": run_tokens, "run_calls": run_calls})
        if not self.options.budgets.empty:
            self.on_event({"event": "status", "text": meter.line()})

    def close(self) -> None:
        self.session.close()

    # -- running ------------------------------------------------------------------------------
    def solve_all(self, problems: Iterable[Problem], total: int | None = None) -> list[dict[str, Any]]:
        """Solve problems as the iterable hands them out (a file is read as the run goes, never held
        whole); `total` is for the live view and summary, counted from the list when not given."""
        if total is None:
            problems = list(problems)
            total = len(problems)
        done = {r["problem_id"]: r for r in self.run.results()}
        results = list(done.values())
        self.on_event({"event": "run_start", "total": total, "done": results, "run_dir": str(self.run.path),
                       "jobs": 1, "budgets": self.options.budgets.to_dict()})
        for i, problem in enumerate(problems):
            if problem.id in done:
                continue
            self.on_event({"event": "problem_start", "index": i, "total": total, "problem": problem.to_dict()})
            result = self.solve_one(problem)
            if run_budget_cut(result):
                self.stopped = result["reason"]
                break
            self.run.append_result(result)
            results.append(result)
            self.run.write_summary(render_summary(self.run.read_config(), results, total))
            self.on_event({"event": "problem_end", "result": result})
        self.on_event({"event": "run_end", "results": results})
        return results

    def solve_one(self, problem: Problem) -> dict[str, Any]:
        """One problem under the recipe and the budget; never raises (a failure is the result's error).

        The result's `cpu_seconds` beside its (wall) `seconds` shows how much of the time was
        computing and how much waiting: for a core, a model server, a time limit."""
        cpu = _cpu_seconds()
        result = self._solve_one(problem)
        result["cpu_seconds"] = round(_cpu_seconds() - cpu, 2)
        return result

    def _solve_one(self, problem: Problem) -> dict[str, Any]:
        start = time.perf_counter()
        self.meter.start(problem.id)
        if self.options.solver == "symbolic":
            return self._symbolic(problem, start)
        recipe = self.options.recipe
        if recipe.name == "best-of":
            return self._best_of(problem, recipe, start)
        if recipe.name == "heavy":
            from qed.agent.recipe_heavy import run_heavy

            return run_heavy(self, problem, recipe, start)
        state, error = self._attempt(problem, problem.id, None)
        extra: dict[str, Any] = {}
        if recipe.name == "pessimistic" and error is None and state.get("outcome") == "solved":
            state, extra = self._pessimistic(problem, state, recipe)
        return self._finish(problem, state, start, error, extra)

    def _attempt(self, problem: Problem, thread: str, temperature: float | None,
                 feedback: str | None = None) -> tuple[LoopState, str | None]:
        """One run of the loop (resumed from its checkpoint when it has one): its state and error.
        `feedback` starts the thread with what its first draft must address (a recipe's refinement)."""
        node = "start"
        cfg: dict[str, Any] = {"configurable": {"thread_id": thread}, "recursion_limit": 100}
        try:
            graph = self.graph(temperature)
            inp: Any = {"problem": problem_record(problem), "round": 1}
            if feedback:
                inp["feedback"] = feedback
            pending = _unfinished(graph.get_state(cfg))
            if pending:
                inp = None  # continue the thread from its checkpoint
                self.on_event({"event": "status", "text": f"resuming at {', '.join(pending)}"})
            while True:
                interrupted = None
                # durability="sync": a node's checkpoint is on disk before the next node starts, so a
                # kill -9 never costs a finished step (LangGraph's default writes it during the next one)
                for mode, chunk in graph.stream(inp, cfg, stream_mode=["updates", "custom"], durability="sync"):
                    if mode == "custom":
                        if chunk.get("event") == "node":
                            node = chunk["node"]
                        self.on_event(chunk)
                    elif "__interrupt__" in chunk:
                        interrupted = chunk["__interrupt__"][0].value
                    else:
                        for name, update in chunk.items():
                            self.on_event({"event": "update", "node": name, "update": update or {}})
                if interrupted is None:
                    break
                if self.options.ask is None:
                    raise RuntimeError("the loop asked for a decision but nobody is there to answer")
                inp = Command(resume=self.options.ask(interrupted))
            return graph.get_state(cfg).values, None
        except Exception as e:  # one bad problem never stops the batch
            state: LoopState = {}
            with contextlib.suppress(Exception):  # the error we report is the first one
                state = self.graph(temperature).get_state(cfg).values
            if isinstance(e, BudgetExhausted):
                return state, None  # _finish reads the meter's refusal
            self.on_event({"event": "error", "node": node, "text": _error_text(e), "trace": traceback.format_exc()})
            return state, f"{node}: {_error_text(e)}"

    def _finish(self, problem: Problem, state: LoopState, start: float, error: str | None,
                extra: dict[str, Any] | None = None) -> dict[str, Any]:
        refusal = self.meter.exhausted
        if refusal is not None and error is None and state.get("outcome") is None:
            state = {**state, "outcome": "abstained", "answer": None, "reason": str(refusal)}
        result = self._result(problem, state, time.perf_counter() - start, error=error)
        for key, value in (extra or {}).items():
            if key == "usage":
                result["tokens"]["prompt"] += value["prompt_tokens"]
                result["tokens"]["completion"] += value["completion_tokens"]
                result["calls"] += value["calls"]
            elif key == "recipe":
                result["evidence"]["recipe"] = value
        if refusal is not None:
            result["budget"] = refusal.to_dict()
        return result

    def _verifier(self) -> Metered:
        return Metered(self.metered_models()["reviewer"])

    def _verify(self, problem: Problem, state: LoopState, n: int, recipe: Recipe, meter: Metered) -> Verification | None:
        """N checks of the state's final draft; None when computation already settled it."""
        engine = state.get("engine")
        drafts = state.get("drafts") or []
        if not drafts or engine is not None and engine.get("certified") and state.get("answer") == state.get("engine_answer"):
            return None  # a certificate settles the answer: a model check could only add noise
        cfg = self.config.loop
        try:
            with calls_for(problem_id=problem.id, node=f"recipe {recipe.label}"):
                return verify(problem, drafts[-1]["text"], meter, n, recipe, cfg.review_max_tokens, cfg.call_timeout_s)
        except BudgetExhausted:
            return None

    def _pessimistic(self, problem: Problem, state: LoopState, recipe: Recipe) -> tuple[LoopState, dict[str, Any]]:
        """The loop's accepted draft, rejected if any of N independent checks finds an error."""
        self.on_event({"event": "node", "node": f"recipe {recipe.label}", "round": state.get("round", 1)})
        meter = self._verifier()
        checked = self._verify(problem, state, recipe.n, recipe, meter)
        extra: dict[str, Any] = {"usage": meter.usage}
        if checked is None:
            if self.meter.exhausted is not None:
                # out of budget before the checks could run: unverified is not accepted
                return {**state, "outcome": "abstained", "answer": None,
                        "reason": f"{recipe.label}: {self.meter.exhausted}"}, extra
            extra["recipe"] = {"name": recipe.label, "skipped": "the answer is certified by computation"}
            return state, extra
        extra["recipe"] = {"name": recipe.label, **checked.to_dict()}
        if checked.accepted:
            return {**state, "reason": f"{state.get('reason')}; {checked.reason(recipe.label)}"}, extra
        return {**state, "outcome": "abstained", "answer": None, "reason": checked.reason(recipe.label)}, extra

    def _best_of(self, problem: Problem, recipe: Recipe, start: float) -> dict[str, Any]:
        """N loop attempts (later ones at the recipe's temperature); the best-verified solved one is kept."""
        attempts: list[tuple[LoopState, str | None]] = []
        lines: list[dict[str, Any]] = []
        checks = Metered(self.metered_models()["reviewer"])  # the selecting verifier's calls, for the result
        best: tuple[float, int] | None = None
        for k in range(recipe.n):
            if self.meter.exhausted is not None:
                break
            thread = problem.id if k == 0 else f"{problem.id}#attempt{k + 1}"
            self.on_event({"event": "status", "text": f"{recipe.label}: attempt {k + 1} of {recipe.n}"})
            state, error = self._attempt(problem, thread, None if k == 0 else recipe.temperature)
            attempts.append((state, error))
            line: dict[str, Any] = {"attempt": k + 1, "outcome": "error" if error else state.get("outcome"),
                                    "answer": shown(problem.kind, state.get("answer"))}
            if error is None and state.get("outcome") == "solved":
                checked = self._verify(problem, state, 1, recipe, checks)
                if checked is None and self.meter.exhausted is not None:
                    score = 0.0  # out of budget before the check: unverified
                else:
                    score = 1.0 if checked is None else checked.score  # None: certified by computation
                line["score"] = score
                if best is None or score > best[0]:
                    best = (score, k)
            lines.append(line)
        chosen = best[1] if best is not None else 0
        state, error = attempts[chosen] if attempts else ({}, None)
        if best is not None:
            state = {**state, "reason": f"{state.get('reason')}; {recipe.label}: attempt {chosen + 1} of "
                                        f"{len(attempts)} kept (verifier score {best[0]:g})"}
        elif attempts and error is None and state.get("outcome") is not None:
            state = {**state, "reason": f"{state.get('reason')}; {recipe.label}: no attempt of {len(attempts)} was solved"}
        usage = pooled_usage(checks.usage, attempts, chosen)
        return self._finish(problem, state, start, error,
                            {"usage": usage, "recipe": {"name": recipe.label, "attempts": lines,
                                                        "chosen": chosen + 1 if best is not None else None}})

    def _symbolic(self, problem: Problem, start: float) -> dict[str, Any]:
        if problem.kind not in ("bound", "relation"):
            if problem.kind == "proof" and self.config.loop.proofs:
                return self._symbolic_proof(problem, start)
            state: LoopState = {"outcome": "abstained",
                                "reason": f"the engine answers bound and relation problems, not {problem.kind}"}
            return self._result(problem, state, time.perf_counter() - start)
        self.on_event({"event": "node", "node": "engine", "round": 1})
        try:
            engine: EngineResult = plain(solve_problem(problem, model=None).to_dict())
            answer = engine_answer(engine)
            proof = self._proof(problem, engine if answer is not None else None)
        except Exception as e:  # the engine promises clean abstentions; a bug must not stop the batch
            return self._result(problem, {}, time.perf_counter() - start, error=f"engine: {_error_text(e)}")
        state = {
            "proof": proof,
            "outcome": "solved" if answer is not None else "abstained",
            "answer": answer,
            "reason": engine["reason"] or ("certified" if engine["certified"] else "numerical evidence"),
            "engine": engine,
            "engine_answer": answer,
        }
        return self._result(problem, state, time.perf_counter() - start)

    def _proof(self, problem: Problem, engine: EngineResult | None) -> ComputedProof | None:
        """The certificate and proof the loop's compute node makes (None when proofs are off)."""
        if not self.config.loop.proofs or (problem.kind in ("bound", "relation") and engine is None):
            return None
        self.on_event({"event": "node", "node": "compute", "round": 1})
        return plain(prove_problem(problem, engine, self.config.loop.certificate_seconds,
                                   check_lean=self.config.loop.lean_check))

    def _symbolic_proof(self, problem: Problem, start: float) -> dict[str, Any]:
        """A "Prove that" statement without a model: its certificate's proof or refutation, or abstain."""
        try:
            proof = self._proof(problem, None)
        except Exception as e:  # noqa: BLE001 - one bad problem never stops the batch
            return self._result(problem, {}, time.perf_counter() - start, error=f"compute: {_error_text(e)}")
        settled = settles("proof", proof, False)
        state: LoopState = {"proof": proof, "outcome": settled[0] if settled else "abstained",
                            "reason": settled[1] if settled else (proof or {}).get("reason") or "no proof"}
        return self._result(problem, state, time.perf_counter() - start)

    def _result(self, problem: Problem, state: LoopState, seconds: float, error: str | None = None) -> dict[str, Any]:
        line = result_line(problem, state, seconds, error)
        # the proof's files are written here, as the result is recorded (verifiers/proofs/files.py)
        line["proof"] = write_proof_files(self.run.path, problem.id, state.get("proof"))
        line["draft"] = write_draft_file(self.run.path, problem.id, state)
        return line


def _cpu_seconds() -> float:
    """CPU time of this process and of the children it has reaped (the engine's and the search's)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _unfinished(snapshot: Any) -> list[str]:
    """The nodes a thread's last checkpoint still has to run, or [] when it ended (or never began).

    `snapshot.next` leaves out a task whose writes were saved: after a kill between a node's
    writes and the step's checkpoint (LangGraph saves the two apart), `next` is empty although
    the loop is mid-way. `tasks` keeps such a task, so the thread resumes with its writes applied.
    """
    return list(dict.fromkeys(t.name for t in snapshot.tasks))


def result_line(problem: Problem, state: LoopState, seconds: float, error: str | None = None) -> dict[str, Any]:
    """The line results.jsonl keeps for a problem: one engine copy, answers as parsed in the loop."""
    kind = problem.kind
    answer = state.get("answer")
    outcome = "error" if error else (state.get("outcome") or "error")
    usage = state.get("usage") or {}
    checks = [
        {k: v for k, v in c.items() if k != "evidence"} | {"evidence": _compact(c.get("evidence", {}))}
        for c in state.get("checks", [])
    ]
    evidence: dict[str, Any] = {"checks": checks}
    if state.get("engine"):
        evidence["engine"] = state["engine"]
    return {
        "problem_id": problem.id,
        "kind": kind,
        "source": problem.source,
        "outcome": outcome,
        "answer": shown(kind, answer),
        "gold": problem.answer,
        "correct": grade(kind, answer if outcome == "solved" else None, problem.answer),
        "rounds": len(state.get("drafts", [])),
        "tokens": {"prompt": usage.get("prompt_tokens", 0), "completion": usage.get("completion_tokens", 0)},
        "calls": usage.get("calls", 0),
        "seconds": round(seconds, 2),
        "reason": state.get("reason"),
        "error": error if error else (None if state.get("outcome") else "the loop ended without an outcome"),
        "drafts": [_draft_line(d) for d in state.get("drafts", [])],
        "memory": {"recalled": [it.get("id") for it in state.get("recalled", [])], "written": state.get("memory_written", [])},
        "evidence": evidence,
    }


def _draft_line(draft: Draft) -> dict[str, Any]:
    """A draft in results.jsonl: its answer as written and as parsed; the text is in the call log."""
    answer = draft["answer"]
    return {"round": draft["round"], "answer": answer["text"] if answer else None,
            "exact": answer["exact"] if answer else None, "truncated": draft["truncated"]}


def _compact(evidence: Mapping[str, Any]) -> dict[str, Any]:
    """Model replies live in the call log; results keep the verdict-bearing evidence only."""
    return {k: v for k, v in evidence.items() if k != "reply"}


def problem_record(problem: Problem) -> ProblemRecord:
    return plain(problem.to_dict())
