"""Build scripted models, problems and a solver in a tmp folder, so loop tests read like stories."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qed.agent.config import LoopConfig, QedConfig
from qed.agent.runs import RunDir
from qed.agent.session import RunSession
from qed.agent.solve import SolveOptions, Solver
from qed.models.calllog import CallLog
from qed.models.roles import ROLES, RoleSpecs
from qed.problems.record import Problem

BOUND = Problem(
    id="amgm-sum",
    statement="Let $a, b$ be positive real numbers. Find the largest constant $C$ such that "
    "$\\frac{a}{b}+\\frac{b}{a} \\geq C$ holds for all $a, b$.",
    kind="bound",
    answer="$$C = 2$$",
)


def script(tmp_path: Path, name: str, rules: list[dict[str, Any]]) -> Path:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"rules": rules}))
    return path


CHECK_OK = "```python\nprint('CHECK equality case: OK')\n```"


def roles_script(
    tmp_path: Path,
    generator: list[Any],
    verifier: list[Any],
    reviewer: list[Any],
    *,
    checker: list[Any] | None = None,
    delay_review_s: float = 0.0,
) -> Path:
    """One scripted model that answers each role by the role's prompt wording."""
    review: dict[str, Any] = {"match": "hostile referee", "replies": reviewer}
    if delay_review_s:
        review["delay_s"] = delay_review_s
    return script(tmp_path, "roles", [
        {"match": "check your own mathematical work", "replies": verifier},
        {"match": "test mathematical claims by computation", "replies": checker or [CHECK_OK]},
        review,
        {"match": "cut off before the final answer", "replies": ["I cannot say."]},
        {"match": "careful research mathematician", "replies": generator},
    ])


def make_solver(
    tmp_path: Path, spec_file: Path, loop: LoopConfig | None = None, run: RunDir | None = None
) -> tuple[Solver, RunDir]:
    loop = loop or LoopConfig(use_engine=False, use_memory=False)
    spec = f"scripted:{spec_file}"
    config = QedConfig(RoleSpecs({r: spec for r in ROLES}), loop)
    run = run or RunDir.create("solve", "test", root=tmp_path / "runs")
    run.write_config({"command": "solve", "source": "test", "solver": "loop", **config.to_dict()})
    solver = Solver(config, RunSession(run, config.roles), SolveOptions())
    return solver, run


def calls(run: RunDir) -> list[dict[str, Any]]:
    log = CallLog(run.file(RunDir.CALLS))
    try:
        return log.rows()
    finally:
        log.close()
