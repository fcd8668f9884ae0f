"""Run one SMT query in a child process that is killed, with its process group, at a hard deadline.

Solvers can run far past their own time limits (cvc5 ignores its limit on nonlinear problems) or
use unbounded memory; a separate process with an address-space limit keeps both from touching the
caller. Whatever happens, the caller gets an SmtOutcome, never an exception.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Literal

Status = Literal["unsat", "sat", "unknown", "timeout", "error"]
SOLVERS = ("z3", "cvc5")
MEMORY_LIMIT = 3 * 1024**3


@dataclass
class SmtOutcome:
    solver: str
    status: Status
    seconds: float
    model: dict[str, str] = field(default_factory=dict)
    detail: str = ""


def _child_limits(timeout: float):
    """Limits set in the solver process before it starts: memory, CPU time, death with its parent."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        cpu = int(timeout) + 5
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG

    return apply


def decide(script: str, solver: str = "z3", timeout: float = 10.0) -> SmtOutcome:
    """Check the query with `solver` ("z3" or "cvc5"); the child is killed after `timeout` seconds."""
    if solver not in SOLVERS:
        raise ValueError(f"unknown SMT solver {solver!r}; choose one of {', '.join(SOLVERS)}")
    t0 = time.monotonic()
    cmd = [sys.executable, "-m", "qed.verifiers.smt.worker", solver]
    try:
        proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True, preexec_fn=_child_limits(timeout), text=True,
        )
    except OSError as exc:
        return SmtOutcome(solver, "error", 0.0, detail=f"could not start the solver process: {exc}")
    try:
        out, err = proc.communicate(script, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        return SmtOutcome(solver, "timeout", time.monotonic() - t0, detail=f"killed after {timeout:g} s")
    seconds = time.monotonic() - t0
    if proc.returncode != 0:
        tail = (err or "").strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
        return SmtOutcome(solver, "error", seconds, detail=f"solver process failed: {tail[0]}")
    try:
        data = json.loads(out)
    except json.JSONDecodeError:
        return SmtOutcome(solver, "error", seconds, detail="solver process printed no verdict")
    status = data.get("status", "error")
    if status not in ("unsat", "sat", "unknown", "error"):
        status = "error"
    return SmtOutcome(solver, status, seconds, data.get("model", {}), data.get("detail", ""))


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    try:
        proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
