"""Logical-gap judge: a step that does not follow or lacks its justification (a model judge, prompt in logical_gap.txt)."""

from __future__ import annotations

from qed.problems.record import Problem
from qed.verifiers.judges.judge import Judge, JudgeContext
from qed.verifiers.judges.model_judge import run_step_judge
from qed.verifiers.judges.verdict import JudgeVerdict

NAME = "logical_gap"


def _judge(problem: Problem | None, proof: str, context: JudgeContext) -> JudgeVerdict:
    return run_step_judge(NAME, "logical_gap", problem, proof, context.model("judge"), context.settings.model_options)


JUDGE = Judge(NAME, "judge", "a step that does not follow or lacks justification (model)", _judge, stepwise=True)
