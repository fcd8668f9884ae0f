"""Run problems through the loop (or the engine alone), one result per problem, never losing one.

A batch keeps going when a problem fails: its result says `error` and why. Results are appended
as each problem ends; checkpoints let an interrupted problem resume where it stopped.
"""

from __future__ import annotations

import contextlib
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from langgraph.types import Command
from qed.agent.answers import engine_answer, grade, shown
from qed.agent.config import QedConfig
from qed.agent.deps import LoopDeps
from qed.agent.graph import build_graph
from qed.agent.session import RunSession
from qed.agent.state import Draft, EngineResult, LoopState, ProblemRecord, plain
from qed.agent.summary import render_summary
from qed.models.base import ChatModel, ModelError
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
        self._graph = None

    # -- set-up -------------------------------------------------------------------------------
    def models(self) -> dict[str, ChatModel]:
        return self.session.models()

    def graph(self):
        if self._graph is None:
            deps = LoopDeps(
                models=self.models(), config=self.config.loop, memory=self.options.memory,
                engine=solve_problem,
                run_id=self.run.path.name, run_dir=str(self.run.path),
            )
            self._graph = build_graph(deps, self.session.checkpointer())  # strict: checkpoints are data
        return self._graph

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
        self.on_event({"event": "run_start", "total": total, "done": results, "run_dir": str(self.run.path)})
        for i, problem in enumerate(problems):
            if problem.id in done:
                continue
            self.on_event({"event": "problem_start", "index": i, "total": total, "problem": problem.to_dict()})
            result = self.solve_one(problem)
            self.run.append_result(result)
            results.append(result)
            self.run.write_summary(render_summary(self.run.read_config(), results, total))
            self.on_event({"event": "problem_end", "result": result})
        self.on_event({"event": "run_end", "results": results})
        return results

    def solve_one(self, problem: Problem) -> dict[str, Any]:
        start = time.perf_counter()
        if self.options.solver == "symbolic":
            return self._symbolic(problem, start)
        node = "start"
        try:
            graph = self.graph()
            cfg = {"configurable": {"thread_id": problem.id}, "recursion_limit": 100}
            snapshot = graph.get_state(cfg)
            inp: Any = None if snapshot.next else {"problem": problem_record(problem), "round": 1}
            if snapshot.next:
                self.on_event({"event": "status", "text": f"resuming at {', '.join(snapshot.next)}"})
            while True:
                interrupted = None
                for mode, chunk in graph.stream(inp, cfg, stream_mode=["updates", "custom"]):
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
            state = graph.get_state(cfg).values
            return self._result(problem, state, time.perf_counter() - start)
        except Exception as e:  # one bad problem never stops the batch
            self.on_event({"event": "error", "node": node, "text": _error_text(e), "trace": traceback.format_exc()})
            state = {}
            with contextlib.suppress(Exception):  # the error we report is the first one
                state = self.graph().get_state({"configurable": {"thread_id": problem.id}}).values
            return self._result(problem, state, time.perf_counter() - start, error=f"{node}: {_error_text(e)}")

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
            # the proof's files are written here, as the result is recorded (verifiers/proofs/files.py)
            "proof": write_proof_files(self.run.path, problem.id, state.get("proof")),
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
