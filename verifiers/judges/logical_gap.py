"""Logical-gap judge: a step that does not follow or lacks its justification (a model judge, prompt in logical_gap.txt)."""

from __future__ import annotations

from qed.models.base import ChatModel
from qed.problems.record import Problem
from qed.verifiers.judges.model_judge import ModelJudgeOptions, run_step_judge
from qed.verifiers.judges.verdict import JudgeVerdict

NAME = "logical_gap"


def judge(problem: Problem | str | None, proof: str, model: ChatModel,
          options: ModelJudgeOptions | None = None) -> JudgeVerdict:
    return run_step_judge(NAME, "logical_gap", problem, proof, model, options)
