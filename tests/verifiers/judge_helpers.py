"""Calling a judge the one way there is (registry.run_judge), with a statement written as text."""

from __future__ import annotations

from collections.abc import Mapping

from qed.models.base import ChatModel
from qed.problems.kinds import infer_kind
from qed.problems.record import Problem
from qed.verifiers.judges.registry import JudgeSettings, run_judge
from qed.verifiers.judges.verdict import JudgeVerdict


def as_problem(problem: Problem | str | None) -> Problem | None:
    if problem is None or isinstance(problem, Problem):
        return problem
    return Problem(id="t", statement=problem, kind=infer_kind(problem))


def judge(name: str, proof: str, problem: Problem | str | None = None, models: Mapping[str, ChatModel] | None = None,
          settings: JudgeSettings | None = None) -> JudgeVerdict:
    return run_judge(name, as_problem(problem), proof, models or {}, settings)
