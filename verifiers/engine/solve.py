"""The inequality engine's entry points: a formal record or a problem statement in, an EngineAnswer out.

`solve_formal` works in the calling process with soft time budgets; `solve_problem` formalizes the
statement (itself bounded, see verifiers.formalize.pipeline) and then runs `solve_formal` in a child
under verifiers.bounded: killed at a hard deadline or a memory limit, so a hang in sympy, a
statement that asks for gigabytes or a crash in a native library ends as an abstention that names
its cause, never as an exception or a stuck caller.
"""

from __future__ import annotations

import time
import traceback

import sympy.physics.units  # noqa: F401 - sympy.simplify imports it on first use: imported once here, before the bounded children fork, instead of in every child
from qed.problems.record import Problem
from qed.verifiers.bounded import Limits, run_bounded
from qed.verifiers.engine.answer import EngineAnswer
from qed.verifiers.engine.bound import solve_bound
from qed.verifiers.engine.parametric import solve_parametric
from qed.verifiers.engine.real_parameter import solve_real_parameter
from qed.verifiers.engine.relation import solve_relation
from qed.verifiers.formal import FormalProblem

DEFAULT_SECONDS = 25.0
ENGINE_MEMORY_MB = 2048  # beyond what the child inherits; each answer records its worker's peak


def solve_formal(fp: FormalProblem, seconds: float = DEFAULT_SECONDS) -> EngineAnswer:
    """Search, recognise, certify: the engine on one formal record, in this process."""
    t0 = time.monotonic()
    try:
        if fp.parameters and fp.instantiate is not None:
            answer = solve_parametric(fp, seconds)
        elif fp.kind == "bound" and fp.extra.get("real_parameters"):
            answer = solve_real_parameter(fp, seconds)
        elif fp.kind == "relation":
            answer = solve_relation(fp, seconds)
        elif fp.kind == "bound":
            answer = solve_bound(fp, seconds)
        else:
            answer = EngineAnswer.abstain(f"the engine answers bound and relation problems, not {fp.kind!r}")
    except MemoryError:
        raise  # a bounded child reports its memory limit; inside a caller's process this is no engine bug
    except Exception as exc:  # noqa: BLE001 - an engine bug must become a reason, not a crash
        answer = EngineAnswer.abstain(
            f"internal error: {type(exc).__name__}: {exc}", fp.kind, {"traceback": traceback.format_exc(limit=6)}
        )
    answer.seconds = time.monotonic() - t0
    return answer


def solve_formal_isolated(fp: FormalProblem, seconds: float = DEFAULT_SECONDS, grace: float = 10.0) -> EngineAnswer:
    """solve_formal in a bounded child: killed (with its process group) after seconds + grace, or
    at ENGINE_MEMORY_MB of memory; any of these ends as an abstention that names the limit."""
    limits = Limits(seconds=seconds + grace, memory_mb=ENGINE_MEMORY_MB)
    result = run_bounded(solve_formal, fp, seconds, limits=limits)
    if result.ok and isinstance(result.value, EngineAnswer):
        answer = result.value
    else:
        if result.stopped == "error":
            why = f"internal error: {result.reason}"
        elif result.stopped == "died":
            why = f"the engine process died ({result.reason})"
        else:
            why = result.reason or "the engine process gave no answer"
        answer = EngineAnswer.abstain(why, fp.kind, {"formal": fp.describe()})
        if result.trace:
            answer.evidence["traceback"] = result.trace
    answer.evidence["worker"] = {"cpu_seconds": round(result.cpu_seconds, 2), "peak_mb": round(result.peak_mb)}
    answer.seconds = result.seconds
    return answer


def solve_problem(problem: Problem, model=None, seconds: float = DEFAULT_SECONDS) -> EngineAnswer:
    """Formalize (parser, then the formalizer model if given), then solve in an isolated child."""
    from qed.verifiers.formalize import formalize

    t0 = time.monotonic()
    try:
        outcome = formalize(problem, model)
    except Exception as exc:  # noqa: BLE001 - formalize promises not to raise; be safe anyway
        return EngineAnswer.abstain(f"formalizer failed: {type(exc).__name__}: {exc}", problem.kind)
    if outcome.formal is None:
        answer = EngineAnswer.abstain(f"could not formalize: {outcome.reason}", problem.kind, {"formalize": outcome.failures})
        answer.seconds = time.monotonic() - t0
        return answer
    answer = solve_formal_isolated(outcome.formal, seconds)
    answer.evidence.setdefault("formalized_by", outcome.path)
    answer.seconds = time.monotonic() - t0
    return answer
