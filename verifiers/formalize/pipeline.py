"""formalize(): the parser first, then (when given) the formalizer model; never raises."""

from __future__ import annotations

import re

from qed.models.base import ChatModel
from qed.problems.record import Problem
from qed.verifiers.formal import FormalProblem
from qed.verifiers.formalize.errors import FormalizeError
from qed.verifiers.formalize.from_parser import parse_statement
from qed.verifiers.formalize.outcome import FormalizeOutcome

_BLANK = re.compile(r"\(\s*\)")
_CONSTANT = re.compile(r"(constant|number|value)\s*\$", re.I)


def problem_kind(problem: Problem) -> str | None:
    """bound or relation; an unlabelled statement is recognised by its blank or its constant."""
    if problem.kind in ("bound", "relation"):
        return problem.kind
    if _BLANK.search(problem.statement):
        return "relation"
    if _CONSTANT.search(problem.statement):
        return "bound"
    return None


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def with_statement(record: FormalProblem, statement: str) -> FormalProblem:
    """Keep the statement with its record (and every record rebuilt from it), so that the points an
    answer rests on can be re-checked against the statement itself, not only against the record."""
    record.extra["statement"] = statement
    rebuild = record.instantiate
    if rebuild is not None:
        record.instantiate = lambda values: with_statement(rebuild(values), statement)
    return record


def formalize(
    problem: Problem, model: ChatModel | None = None, *, model_max_tokens: int = 400
) -> FormalizeOutcome:
    """The problem's formal record, or why there is none; never raises."""
    kind = problem_kind(problem)
    if kind is None:
        return FormalizeOutcome(
            None, None, f"a {problem.kind} problem is neither bound nor relation"
        )
    failures: dict[str, str] = {}
    try:
        return FormalizeOutcome(with_statement(parse_statement(problem.statement, kind), problem.statement), "parser")
    except FormalizeError as e:
        failures["parser"] = _one_line(e)
    except Exception as e:  # noqa: BLE001 - a parser bug must become a reason, not a crash
        failures["parser"] = f"internal error: {type(e).__name__}: {_one_line(e)}"
    if model is not None:
        from qed.verifiers.formalize.from_model import formalize_with_model

        try:
            record = formalize_with_model(problem.statement, kind, model, model_max_tokens)
            return FormalizeOutcome(with_statement(record, problem.statement), "model", failures=failures)
        except FormalizeError as e:
            failures["model"] = _one_line(e)
        except Exception as e:  # noqa: BLE001 - same: a bad reply or backend error is a reason
            failures["model"] = f"{type(e).__name__}: {_one_line(e)}"
    reason = "; ".join(f"{path}: {why}" for path, why in failures.items())
    return FormalizeOutcome(None, None, reason, failures)
