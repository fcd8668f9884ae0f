"""A proof attempt (exact square factorisation, then z3/cvc5) that ends within its time, encoding included.

`certify_nonnegative` counts its timeout from the moment the claim is encoded, and encoding a
large rational expression (expanding the product of its denominators) can itself take longer
than the whole engine budget on a loaded machine; the engine's hard limit then kills the child
and every result of the search is lost. Here the attempt runs in a bounded child killed at the
deadline, so a slow encoding ends as "unknown" with its reason, never as a lost answer.
"""

from __future__ import annotations

import time

import sympy as sp
from qed.verifiers.bounded import Limits, run_bounded
from qed.verifiers.engine.square_factors import square_certificate
from qed.verifiers.formal import FormalProblem
from qed.verifiers.smt.certify import Certificate, certify_nonnegative

MIN_SECONDS = 1.0  # below this a proof attempt cannot even start the solver process
# What a proof attempt gets even when the search overran its share: the engine's hard limit has
# a grace beyond the budget, and the attempt can no longer overrun its own time.
CERTIFY_FLOOR = 2.0
SOLVER_SHARE = 0.8  # of the time the solvers get once the claim is encoded
MEMORY_MB = 1024  # on top of what the engine holds, and never beyond the engine's own limit


def certify_within(g: sp.Expr, fp: FormalProblem, *, strict: bool, seconds: float) -> Certificate:
    """Try to prove g >= 0 (g > 0 when strict) on fp's domain, all of it within `seconds`."""
    claim = f"{g} {'>' if strict else '>='} 0 on the feasible set"
    if seconds < MIN_SECONDS:
        return Certificate("unknown", claim, detail=f"no time left for a proof attempt ({max(seconds, 0):.1f} s)")
    result = run_bounded(_factor_then_solve, g, fp, strict=strict, timeout=SOLVER_SHARE * seconds,
                         limits=Limits(seconds=seconds, memory_mb=MEMORY_MB))
    if result.ok and isinstance(result.value, Certificate):
        return result.value
    if result.stopped == "memory":
        # the limits are only ever lowered, so this is the engine's own memory budget spent on the
        # claim's size: the engine stops at its memory limit, as it did before the attempt moved here
        raise MemoryError(result.reason)
    return Certificate("unknown", claim, detail=f"the proof attempt was stopped: {result.reason or result.stopped}")


def _factor_then_solve(g: sp.Expr, fp: FormalProblem, *, strict: bool, timeout: float) -> Certificate:
    """An exact factorisation into squares first (no solver needed), z3/cvc5 with the time left."""
    t0 = time.monotonic()
    cert = square_certificate(g, fp, strict=strict)
    if cert is not None:
        return cert
    return certify_nonnegative(g, fp, strict=strict, timeout=max(0.5, timeout - (time.monotonic() - t0)))
