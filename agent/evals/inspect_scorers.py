"""QED's judges as Inspect scorers: the exact final-answer comparison, and the step-wise proof judges.

Both give CORRECT / INCORRECT, or NOANSWER when there is nothing they can judge (no known answer,
no proof, or a judge without a verdict): "no verdict" is never a pass here either.
"""

from __future__ import annotations

from typing import Any

import anyio
from inspect_ai.scorer import (
    CORRECT,
    INCORRECT,
    NOANSWER,
    Score,
    Scorer,
    Target,
    accuracy,
    scorer,
    stderr,
)
from inspect_ai.solver import TaskState
from qed.agent.report.rescore import answer_correct
from qed.models.base import ChatModel
from qed.models.roles import RoleSpecs
from qed.problems.record import Problem
from qed.verifiers.judges.grading import GradeItem, grade
from qed.verifiers.judges.registry import JudgeSettings, parse_judges, roles_needed


@scorer(metrics=[accuracy(), stderr()])
def final_answer() -> Scorer:
    """QED's answer against the target, compared exactly (sympy; a decimal is not an exact value)."""

    async def score(state: TaskState, target: Target) -> Score:
        result = state.metadata.get("qed") or {}
        kind = str(state.metadata.get("kind") or result.get("kind") or "open")
        answer = result.get("answer")
        gold = target.text or None
        correct, note = await anyio.to_thread.run_sync(
            answer_correct, kind, str(result.get("outcome") or "error"), answer, gold)
        meta = {"outcome": result.get("outcome"), "qed_correct": result.get("correct"),
                "certified": (result.get("evidence") or {}).get("engine", {}).get("certified")}
        if correct is None:
            return Score(value=NOANSWER, answer=answer, metadata=meta,
                         explanation=f"no exact answer to compare for a {kind} problem")
        why = note or (f"QED {result.get('outcome')}: {answer or 'no answer'}; the known answer is {gold}")
        return Score(value=CORRECT if correct else INCORRECT, answer=answer, explanation=why, metadata=meta)

    return score


@scorer(metrics=[accuracy(), stderr()])
def proof_judges(judges: str = "numeric", model: str | None = None) -> Scorer:
    """The proof QED wrote (its proof.md, or the loop's final draft) through QED's judges: CORRECT
    when every applicable judge passes, INCORRECT when one finds a flaw, NOANSWER otherwise.
    Model judges (toy_case_model, logical_gap, dsm_verifier) need `model`, a QED model spec."""
    chosen = parse_judges(judges)
    needed = roles_needed(chosen)
    if needed and not model:
        raise ValueError(f"the judges {', '.join(chosen)} need a model: pass model=<QED model spec>")
    models: dict[str, ChatModel] = {}

    def judge(item: GradeItem) -> Any:
        if needed and not models:
            models.update(RoleSpecs({r: model for r in needed}).build(None))  # type: ignore[misc]
        return grade(item, chosen, models, JudgeSettings())

    async def score(state: TaskState, target: Target) -> Score:
        origin = state.metadata.get("qed_proof_from")
        text = state.metadata.get("qed_proof") or ""
        if not text.strip():
            return Score(value=NOANSWER, explanation="QED wrote no proof for this problem")
        problem = Problem.from_dict(dict(state.metadata["problem"]))
        result = await anyio.to_thread.run_sync(judge, GradeItem(problem.id, str(origin), text, problem))
        value = {"pass": CORRECT, "fail": INCORRECT}.get(result.overall, NOANSWER)
        return Score(value=value, answer=result.overall, explanation="; ".join(result.reasons)[:2000],
                     metadata={"judges": {k: v.verdict for k, v in result.judges.items()}, "proof_from": origin})

    return score
