"""QED's research loop (or its engine alone) as an Inspect solver.

Each task run gets one QED run folder (`runs/<timestamp>-inspect-<name>/`: config, results, call
log, checkpoints, summary, as `qed solve` writes them, so `qed report` and `qed eval` read it too)
and one QED solver whose models start once. Inspect may run samples concurrently; QED's solver
holds one loop graph and one model server, so samples take turns through it (parallel solving is
`qed solve`'s business). The QED result rides on the sample's metadata (`qed`) for the scorers.
"""

from __future__ import annotations

import atexit
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
from inspect_ai.model import ChatMessageAssistant, ModelOutput
from inspect_ai.solver import Generate, Solver, TaskState, solver
from qed.agent.config import load_config
from qed.agent.report.rundata import PROOF_FILE, problem_folders
from qed.agent.runs import RunDir
from qed.agent.session import RunSession
from qed.agent.solve import SolveOptions
from qed.agent.solve import Solver as QedSolver
from qed.agent.summary import render_summary
from qed.models.roles import parse_role_overrides
from qed.problems.record import Problem

SOLVERS = ("loop", "symbolic")


class QedSession:
    """One run folder and one QED solver for all samples of a task; started by the first sample."""

    def __init__(self, name: str, solver: str, model: str | None, roles: list[str], config: str | None,
                 rounds: int | None):
        if solver not in SOLVERS:
            raise ValueError(f"solver must be one of {', '.join(SOLVERS)}, not {solver!r}")
        self.name, self.solver_kind, self.model, self.roles = name, solver, model, roles
        self.config_path, self.rounds = config, rounds
        self._lock = threading.Lock()
        self._qed: QedSolver | None = None

    def _start(self) -> QedSolver:
        cfg = load_config(self.config_path, model=self.model, role_overrides=parse_role_overrides(self.roles),
                          loop_overrides={"max_rounds": self.rounds} if self.rounds else None)
        cfg.loop.use_memory = False  # an evaluation measures the loop, not what earlier runs taught it
        run = RunDir.create("inspect", self.name)
        run.write_config({"command": "inspect", "source": self.name, "solver": self.solver_kind,
                          "started": datetime.now(UTC).isoformat(), **cfg.to_dict()})
        needed = None if self.solver_kind == "loop" else ()  # the engine alone opens no model
        session = RunSession(run, cfg.roles, needed=needed, deadline_s=cfg.loop.call_deadline_s)
        qed = QedSolver(cfg, session, SolveOptions(solver=self.solver_kind))
        if self.solver_kind == "loop":
            qed.models()  # a missing model or a bad key fails the first sample, not each call
        atexit.register(qed.close)
        return qed

    @property
    def run_dir(self) -> Path | None:
        return self._qed.run.path if self._qed else None

    def solve(self, problem: Problem) -> tuple[dict[str, Any], str | None, str | None]:
        """(QED's result, the proof it wrote if any, where that proof came from)."""
        with self._lock:
            if self._qed is None:
                self._qed = self._start()
            qed = self._qed
            result = qed.solve_one(problem)
            qed.run.append_result(result)
            results = qed.run.results()
            qed.run.write_summary(render_summary(qed.run.read_config(), results, len(results)))
            text, origin = self._proof(qed, problem) if result.get("outcome") == "solved" else (None, None)
        return result, text, origin

    def _proof(self, qed: QedSolver, problem: Problem) -> tuple[str | None, str | None]:
        """The proof QED stands behind: its proof.md, else the accepted draft (only for solved)."""
        for folder in problem_folders(qed.run.path, problem.id):
            f = folder / PROOF_FILE
            if f.is_file():
                return f.read_text(encoding="utf-8", errors="replace"), PROOF_FILE
        if self.solver_kind == "loop":
            values = qed.graph().get_state({"configurable": {"thread_id": problem.id}}).values
            drafts = values.get("drafts") or []
            if drafts and drafts[-1].get("text"):
                return drafts[-1]["text"], "the final draft"
        return None, None


def _output_text(result: dict[str, Any], proof: str | None) -> str:
    outcome, answer = result.get("outcome"), result.get("answer")
    head = f"QED: {outcome}" + (f"; answer {answer}" if answer else "") + (
        f" ({result['reason']})" if result.get("reason") else "") + (
        f"; error: {result['error']}" if result.get("error") else "")
    return f"{proof.rstrip()}\n\n{head}" if proof else head


@solver
def qed_solver(solver: str = "symbolic", model: str | None = None, roles: list[str] | str | None = None,
               config: str | None = None, rounds: int | None = None, name: str = "inspect") -> Solver:
    """QED answers each sample: `solver` "symbolic" (the inequality engine, no model) or "loop"
    (models and computation); `model` a QED model spec for every role (local:..., openai:...,
    anthropic:..., scripted:...), `roles` ROLE=SPEC overrides, `config` a qed.toml."""
    role_list = [roles] if isinstance(roles, str) else list(roles or [])
    session = QedSession(name, solver, model, role_list, config, rounds)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        problem = Problem.from_dict(dict(state.metadata["problem"]))
        if state.epoch > 1:  # each epoch is its own attempt, with its own checkpoint thread
            problem.id = f"{problem.id}#epoch{state.epoch}"
        result, proof, origin = await anyio.to_thread.run_sync(session.solve, problem)
        text = _output_text(result, proof)
        state.metadata["qed"] = result
        state.metadata["qed_proof"] = proof
        state.metadata["qed_proof_from"] = origin
        state.metadata["qed_run"] = str(session.run_dir)
        state.messages.append(ChatMessageAssistant(content=text, source="generate"))
        state.output = ModelOutput.from_content(model=f"qed/{solver}", content=text,
                                                stop_reason="stop", error=result.get("error"))
        return state

    return solve
