"""Inspect tasks over QED's problem sets: `inspect eval qed/starter`, `inspect eval qed/problem_set -T path=...`.

Registered with Inspect through the `inspect_ai` entry point in pyproject.toml. Task arguments
(`-T name=value`): `solver` ("symbolic" or "loop"), `model` (a QED model spec for every role),
`roles` (ROLE=SPEC, comma-separated), `config` (a qed.toml), `rounds`, `limit`, `ids`, and
`judges` (for the proof scorer; computation-only judges by default).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from inspect_ai import Task, task
from qed.agent.evals.inspect_dataset import problem_dataset
from qed.agent.evals.inspect_scorers import final_answer, proof_judges
from qed.agent.evals.inspect_solver import qed_solver

STARTER = Path(str(files("qed.problems") / "sets" / "starter.jsonl"))


def _task_name(short: str) -> str:
    """`qed/<short>` however QED is installed: Inspect prefixes a task's name with its package only
    when it finds the package installed (a wheel in site-packages, or an editable install of a
    distribution named like the package, which `qed-workbench` is not)."""
    try:
        from inspect_ai._util.package import get_installed_package_name

        prefixed = get_installed_package_name(_task_name) is not None
    except ImportError:  # an Inspect without that helper: judge by where this file lives
        prefixed = "site-packages" in Path(__file__).resolve().parts
    return short if prefixed else f"qed/{short}"


def qed_task(path: str | Path, *, solver: str, model: str | None, roles: str | None, config: str | None,
             rounds: int | None, limit: int | None, ids: str | None, judges: str) -> Task:
    name = Path(path).stem
    role_list = [r.strip() for r in roles.split(",") if r.strip()] if roles else []
    return Task(
        dataset=problem_dataset(path, limit=limit, ids=ids),
        solver=qed_solver(solver=solver, model=model, roles=role_list, config=config, rounds=rounds, name=name),
        scorer=[final_answer(), proof_judges(judges=judges, model=model)],
        model="none",  # QED's own models answer (the `model` argument); Inspect's model is not called
        metadata={"qed_solver": solver, "qed_model": model, "problems": str(path)},
    )


@task(name=_task_name("problem_set"))
def problem_set(path: str, solver: str = "symbolic", model: str | None = None, roles: str | None = None,
                config: str | None = None, rounds: int | None = None, limit: int | None = None,
                ids: str | None = None, judges: str = "numeric") -> Task:
    """Any problem file `qed solve` reads, solved by QED and scored by its judges."""
    return qed_task(path, solver=solver, model=model, roles=roles, config=config, rounds=rounds,
                    limit=limit, ids=ids, judges=judges)


@task(name=_task_name("starter"))
def starter(solver: str = "symbolic", model: str | None = None, roles: str | None = None,
            config: str | None = None, rounds: int | None = None, limit: int | None = None,
            ids: str | None = None, judges: str = "numeric") -> Task:
    """QED's own starter set: 12 inequality problems (6 bound, 6 relation)."""
    return qed_task(STARTER, solver=solver, model=model, roles=roles, config=config, rounds=rounds,
                    limit=limit, ids=ids, judges=judges)
