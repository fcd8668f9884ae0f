"""Toy-case judge: a general claim supported only by special cases (a model judge, prompt in toy_case.txt)."""

from __future__ import annotations

from qed.models.base import ChatModel
from qed.problems.record import Problem
from qed.verifiers.judges.model_judge import ModelJudgeOptions, run_step_judge
from qed.verifiers.judges.verdict import JudgeVerdict

NAME = "toy_case"


def judge(problem: Problem | str | None, proof: str, model: ChatModel,
          options: ModelJudgeOptions | None = None) -> JudgeVerdict:
    return run_step_judge(NAME, "toy_case", problem, proof, model, options)
