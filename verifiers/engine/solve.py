"""The inequality engine's entry points: a formal record or a problem statement in, an EngineAnswer out.

`solve_formal` works in the calling process with soft time budgets; `solve_problem` formalizes the
statement and then runs `solve_formal` in a forked child killed at a hard deadline, so a hang in
sympy or a crash in a native library ends as an abstention with the reason, never as an exception
or a stuck caller.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import time
import traceback
from multiprocessing import get_context

from qed.problems.record import Problem
from qed.verifiers.engine.answer import EngineAnswer
from qed.verifiers.engine.bound import solve_bound
from qed.verifiers.engine.parametric import solve_parametric
from qed.verifiers.engine.real_parameter import solve_real_parameter
from qed.verifiers.engine.relation import solve_relation
from qed.verifiers.formal import FormalProblem

DEFAULT_SECONDS = 25.0


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
    except Exception as exc:  # noqa: BLE001 - an engine bug must become a reason, not a crash
        answer = EngineAnswer.abstain(
            f"internal error: {type(exc).__name__}: {exc}", fp.kind, {"traceback": traceback.format_exc(limit=6)}
        )
    answer.seconds = time.monotonic() - t0
    return answer


def _die_with_parent() -> None:
    """Linux: have the kernel kill this child when the parent dies (a killed bench leaves no orphans)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _child(fp: FormalProblem, seconds: float, conn) -> None:
    _die_with_parent()
    os.setpgrp()
    try:
        conn.send(solve_formal(fp, seconds))
    except Exception as exc:  # noqa: BLE001 - an unpicklable result is reported, not raised
        conn.send(EngineAnswer.abstain(f"could not return the engine's answer: {type(exc).__name__}: {exc}", fp.kind))
    finally:
        conn.close()


def solve_formal_isolated(fp: FormalProblem, seconds: float = DEFAULT_SECONDS, grace: float = 10.0) -> EngineAnswer:
    """solve_formal in a forked child; killed (with its process group) after seconds + grace."""
    t0 = time.monotonic()
    ctx = get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fp, seconds, send), daemon=True)
    proc.start()
    send.close()
    answer: EngineAnswer | None = None
    try:
        if recv.poll(seconds + grace):
            answer = recv.recv()
    except (EOFError, OSError):
        answer = None
    finally:
        recv.close()
    if proc.is_alive():
        _kill(proc.pid)
    proc.join(5)
    if answer is None:
        if proc.exitcode not in (None, 0) and time.monotonic() - t0 < seconds + grace:
            answer = EngineAnswer.abstain(f"the engine process died (exit code {proc.exitcode})", fp.kind)
        else:
            answer = EngineAnswer.abstain(f"time limit of {seconds + grace:g} s reached", fp.kind)
        answer.evidence = {"formal": fp.describe()}
    answer.seconds = time.monotonic() - t0
    return answer


def _kill(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            target()


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
