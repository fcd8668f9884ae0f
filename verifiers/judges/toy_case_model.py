"""Toy-case model judge: what the computation judge (toy_case) cannot see, asked of a model (prompt in toy_case.txt)."""

from __future__ import annotations

from qed.problems.record import Problem
from qed.verifiers.judges.judge import Judge, JudgeContext
from qed.verifiers.judges.model_judge import run_step_judge
from qed.verifiers.judges.verdict import JudgeVerdict

NAME = "toy_case_model"


def _judge(problem: Problem | None, proof: str, context: JudgeContext) -> JudgeVerdict:
    return run_step_judge(NAME, "toy_case", problem, proof, context.model("judge"), context.settings.model_options)


JUDGE = Judge(NAME, "judge", "a general claim supported only by special cases (model)", _judge, stepwise=True)
