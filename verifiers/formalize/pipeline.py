"""formalize(): the parser first, then (when given) the formalizer model; never raises.

Reading a statement and checking a model's record are sympy work on text someone else wrote, so
each runs in a bounded child (verifiers.bounded): a formula that would take hours or gigabytes ends
as a one-line reason naming the limit. The model call itself stays in this process (its backend,
connection and call log belong here; its time is bounded by the call's own timeout).
"""

from __future__ import annotations

import re
from functools import partial

import sympy.physics.units  # noqa: F401 - sympy.simplify imports it on first use: imported once here, before the bounded children fork, instead of in every child
from qed.models.base import CallOptions, ChatModel, Message
from qed.problems.record import Problem
from qed.verifiers.bounded import Bounded, Limits, run_bounded
from qed.verifiers.formal import FormalProblem
from qed.verifiers.formalize.errors import FormalizeError
from qed.verifiers.formalize.from_parser import complete, parse_statement
from qed.verifiers.formalize.outcome import FormalizeOutcome
from qed.verifiers.input_limits import MAX_STATEMENT_CHARS, too_long
from qed.verifiers.latex import LatexError

_BLANK = re.compile(r"\(\s*\)")
_CONSTANT = re.compile(r"(constant|number|value)\s*\$", re.I)

# Measured: every IneqMath sample statement is read in at most 2.3 s (at a load of 6 on 2 cores) and
# 100 MB; these limits leave room for slower machines and longer statements.
PARSE_LIMITS = Limits(seconds=60.0, cpu_seconds=30.0, memory_mb=1024)
MODEL_CALL_SECONDS = 300.0


def problem_kind(problem: Problem) -> str | None:
    """bound or relation; an unlabelled statement is recognised by its blank or its constant."""
    if problem.kind in ("bound", "relation"):
        return problem.kind
    if _BLANK.search(problem.statement):
        return "relation"
    if _CONSTANT.search(problem.statement):
        return "bound"
    return None


def _one_line(error: BaseException | str) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def with_statement(record: FormalProblem, statement: str) -> FormalProblem:
    """Keep the statement with its record (and every record rebuilt from it), so that the points an
    answer rests on can be re-checked against the statement itself, not only against the record."""
    record.extra["statement"] = statement
    rebuild = record.instantiate
    if rebuild is not None:
        # a partial, not a lambda: records travel to and from bounded children
        record.instantiate = partial(_rebuilt_with_statement, rebuild, statement)
    return record


def _rebuilt_with_statement(rebuild, statement: str, values: dict) -> FormalProblem:
    return with_statement(rebuild(values), statement)


def formalize(
    problem: Problem,
    model: ChatModel | None = None,
    *,
    model_max_tokens: int = 400,
    limits: Limits = PARSE_LIMITS,
) -> FormalizeOutcome:
    """The problem's formal record, or why there is none; never raises."""
    kind = problem_kind(problem)
    if kind is None:
        return FormalizeOutcome(
            None, None, f"a {problem.kind} problem is neither bound nor relation"
        )
    refusal = too_long("the statement", len(problem.statement), MAX_STATEMENT_CHARS)
    if refusal:
        return FormalizeOutcome(None, None, refusal, {"input": refusal})
    failures: dict[str, str] = {}
    parsed = run_bounded(parse_statement, problem.statement, kind, limits=limits)
    if parsed.ok:
        return FormalizeOutcome(with_statement(parsed.value, problem.statement), "parser")
    failures["parser"] = _failure(parsed)
    if model is not None:
        try:
            text, truncated = ask_formalizer(problem.statement, kind, model, model_max_tokens)
        except FormalizeError as e:
            failures["model"] = _one_line(e)
        except Exception as e:  # noqa: BLE001 - a backend error is a reason, not a crash
            failures["model"] = f"{type(e).__name__}: {_one_line(e)}"
        else:
            checked = run_bounded(
                record_from_reply_text, text, truncated, problem.statement, kind, model.spec,
                model_max_tokens, limits=limits,
            )
            if checked.ok:
                return FormalizeOutcome(with_statement(checked.value, problem.statement), "model", failures=failures)
            failures["model"] = _failure(checked)
    reason = "; ".join(f"{path}: {why}" for path, why in failures.items())
    return FormalizeOutcome(None, None, reason, failures)


def _failure(result: Bounded) -> str:
    """A bounded step's failure as one line: the reader's own reason, or the limit it hit."""
    if isinstance(result.error, LatexError):
        return _one_line(result.error)
    if result.stopped == "error":
        return f"internal error: {_one_line(result.reason or '')}"
    return f"stopped: {result.reason}"


def ask_formalizer(statement: str, kind: str, model: ChatModel, max_tokens: int) -> tuple[str, bool]:
    """The formalizer model's reply to the statement (text, whether it was cut off)."""
    from qed.verifiers.formalize.from_model import build_prompt
    from qed.verifiers.formalize.reading import BLANK

    if kind == "relation" and not BLANK.search(statement):
        # nothing to compare: a model would fill lhs/rhs with whatever the statement displays
        raise FormalizeError("the statement has no blank '()' for a model to fill either")
    messages = [Message("user", build_prompt(statement, kind))]
    options = CallOptions(max_tokens=max_tokens, temperature=0.0, timeout_s=MODEL_CALL_SECONDS)
    reply = model.chat(messages, options)
    return reply.text, bool(reply.truncated)


def record_from_reply_text(
    text: str, truncated: bool, statement: str, kind: str, spec: str, max_tokens: int
) -> FormalProblem:
    """A checked record from the model's reply (the same checks as formalize_with_model)."""
    from qed.verifiers.formalize.from_model import check_faithful, extract_json, record_from_reply

    try:
        data = extract_json(text)
    except FormalizeError:
        if truncated:
            raise FormalizeError(f"the model's reply was cut off at {max_tokens} tokens") from None
        raise
    check_faithful(data, statement)
    fp = record_from_reply(data, kind)
    fp.notes.append(f"formalized by {spec}")
    return complete(fp)
