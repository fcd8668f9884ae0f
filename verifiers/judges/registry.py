"""The judges by name: every module of this package that exports a `JUDGE` (judge.py), and the
groups their declared properties make.

Adding a judge is adding a module (and its prompt): `qed judges list`, `qed grade --judges NAME`,
the groups and calibration find it here. Groups: `all`; `numeric`, the judges that need no model;
`model`, those that do; `stepwise`, those that name the offending step.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping

from qed.models.base import ChatModel
from qed.problems.record import Problem
from qed.verifiers.judges.group_names import GROUP_NAMES
from qed.verifiers.judges.judge import Judge, JudgeContext, JudgeSettings
from qed.verifiers.judges.verdict import JudgeVerdict

__all__ = ["GROUP_NAMES", "Judge", "JudgeContext", "JudgeSettings", "get", "groups", "judges", "parse_judges",
           "roles_needed", "run_judge"]


def judges() -> dict[str, Judge]:
    """Every registered judge by name: computation judges first, then model judges, each by name."""
    import qed.verifiers.judges as package

    found: dict[str, tuple[str, Judge]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        if info.ispkg or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        judge = getattr(module, "JUDGE", None)
        if not isinstance(judge, Judge):
            continue
        if judge.name in found:
            raise RuntimeError(f"two judges are named {judge.name!r}: in {found[judge.name][0]} and {info.name}")
        found[judge.name] = (info.name, judge)
    ordered = sorted(found.values(), key=lambda m: (m[1].needs_model, m[1].name))
    return {j.name: j for _module, j in ordered}


def groups(registered: Mapping[str, Judge] | None = None) -> dict[str, tuple[str, ...]]:
    """The group names and the judges each means, from what the judges declare."""
    js = list((registered if registered is not None else judges()).values())
    return {
        "all": tuple(j.name for j in js),
        "numeric": tuple(j.name for j in js if not j.needs_model),
        "model": tuple(j.name for j in js if j.needs_model),
        "stepwise": tuple(j.name for j in js if j.stepwise),
    }


def get(name: str) -> Judge:
    registered = judges()
    if name not in registered:
        raise ValueError(f"unknown judge {name!r}; choose from {', '.join([*registered, *GROUP_NAMES])}")
    return registered[name]


def parse_judges(spec: str | None) -> list[str]:
    """'numeric_computation,toy_case' or a group name ('all', 'numeric', 'model', 'stepwise')."""
    registered = judges()
    named = groups(registered)
    if not spec:
        return list(named["all"])
    out: list[str] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        for name in named.get(part, (part,)):
            if name not in registered:
                raise ValueError(f"unknown judge {name!r}; choose from {', '.join([*registered, *named])}")
            if name not in out:
                out.append(name)
    if not out:
        raise ValueError("--judges names no judge")
    return out


def roles_needed(names: list[str]) -> list[str]:
    """The model roles the selected judges call (empty: no model has to be started)."""
    registered = judges()
    roles: list[str] = []
    for name in names:
        role = registered[name].role
        if role and role not in roles:
            roles.append(role)
    return roles


def run_judge(name: str, problem: Problem | None, proof: str, models: Mapping[str, ChatModel],
              settings: JudgeSettings | None = None) -> JudgeVerdict:
    """One judge on one proof by name (Judge.run: the contract's checks included)."""
    return get(name).run(problem, proof, JudgeContext(models, settings or JudgeSettings()))
