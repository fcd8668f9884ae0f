"""Turn "the best C with relation(x, C) for all x" into "min or max of target(x)".

Write the relation as h(x, C) >= 0. Where h = 0 has a root C = t(x) and h grows with C there
(dh/dC > 0 at every feasible point sampled), the relation holds exactly for C >= t(x), so the best
C is the supremum of t: sense "max". Where h falls with C, it is the infimum: sense "min".
This covers f >= C (t = f, min), f <= C·g with g > 0 (t = f/g, max), C inside a root or a power,
and a quadratic in C (two roots; the direction the statement asks for picks one).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import TypeVar

import sympy as sp
from qed.verifiers.formal import FormalProblem
from qed.verifiers.formalize.errors import FormalizeError
from qed.verifiers.formalize.sanity import Point, finite_share, values_at

T = TypeVar("T")
SOLVE_SECONDS = 5


class _Timeout(Exception):
    pass


def _limited(fn: Callable[[], T], seconds: int) -> T:
    """Run fn with a wall-clock limit where the platform allows (main thread, POSIX)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        return fn()

    def _raise(signum, frame):  # noqa: ARG001 - signal handler signature
        raise _Timeout

    old = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _roots(h: sp.Expr, c: sp.Symbol) -> list[sp.Expr]:
    derivative = sp.diff(h, c)
    if c not in derivative.free_symbols:
        if derivative == 0:
            return []
        rest = h.subs(c, 0)
        if derivative.could_extract_minus_sign():
            return [rest / -derivative]
        return [-rest / derivative]
    if sp.count_ops(h) > 400:
        raise FormalizeError("the constant enters non-linearly in an expression too large to solve")
    try:
        roots = _limited(lambda: sp.solve(h, c), SOLVE_SECONDS)
    except _Timeout:
        raise FormalizeError(
            "the constant enters non-linearly and solving for it timed out"
        ) from None
    except (NotImplementedError, ValueError, TypeError) as e:
        raise FormalizeError(
            f"the constant enters non-linearly and cannot be isolated ({e})"
        ) from None
    return [r for r in roots if c not in r.free_symbols]


def _slope_sign(slope: sp.Expr, variables: list[sp.Symbol], points: list[Point]) -> int:
    values = [v for v in values_at(slope, variables, points) if v is not None]
    if len(values) < 0.75 * len(points):
        return 0
    nonzero = [v for v in values if abs(v) > 1e-12]
    if len(nonzero) < 0.75 * len(points):
        return 0
    if all(v > 0 for v in nonzero):
        return 1
    if all(v < 0 for v in nonzero):
        return -1
    return 0


def isolate(fp: FormalProblem, points: list[Point]) -> None:
    """Set fp.target and fp.sense when the constant can be isolated; note why when not."""
    rel, c = fp.relation_with_constant, fp.constant
    if isinstance(rel, sp.Eq):
        raise FormalizeError("the constant is fixed by an equation, not bounded by an inequality")
    if isinstance(rel, sp.Ne) or not isinstance(rel, sp.core.relational.Relational):
        raise FormalizeError("the constant's condition is not an inequality")
    h = rel.lhs - rel.rhs if isinstance(rel, (sp.Ge, sp.Gt)) else rel.rhs - rel.lhs
    if c not in h.free_symbols:
        raise FormalizeError(f"the constant {c} does not appear in the inequality")
    candidates: list[tuple[str, sp.Expr]] = []
    slope = sp.diff(h, c)
    roots = [r for r in _roots(h, c) if finite_share(r, fp.variables, points) >= 0.75]
    for root in roots:
        sign = _slope_sign(slope.subs(c, root), fp.variables, points)
        if sign:
            candidates.append(("max" if sign > 0 else "min", root))
    asked = fp.extra.get("asked")
    wanted = {"largest": "min", "smallest": "max"}.get(asked or "")
    if not candidates and len(roots) == 1 and wanted is not None:
        _restrict(fp, slope.subs(c, roots[0]), roots[0], wanted, points)
        return
    if len(candidates) > 1:
        chosen = [cand for cand in candidates if cand[0] == wanted]
        if len(chosen) != 1:
            fp.notes.append("the constant has several branches and the statement does not pick one")
            return
        candidates = chosen
    if not candidates:
        fp.notes.append(f"cannot isolate {c}: its effect on the inequality changes sign")
        return
    sense, target = candidates[0]
    if wanted is not None and sense != wanted:
        fp.notes.append(
            f"the statement asks for the {asked} {c}, but the inequality only bounds {c} from "
            f"{'below' if sense == 'max' else 'above'}; the finite end is used"
        )
    fp.target, fp.sense = target, sense


def _restrict(fp: FormalProblem, slope: sp.Expr, root: sp.Expr, wanted: str, points) -> None:
    """f >= C g with g of both signs, largest C: only where g > 0 does f >= C g cap C from above
    (where g < 0 it bounds C from below, which the engine must still check); so the target is
    f / g over the part of the domain where g > 0."""
    condition = sp.Gt(slope, 0) if wanted == "max" else sp.Lt(slope, 0)
    signs = values_at(slope, fp.variables, points)
    if not any(v is not None and (v > 0 if wanted == "max" else v < 0) for v in signs):
        fp.notes.append(f"cannot isolate {fp.constant}: no sampled point bounds it as asked")
        return
    fp.constraints.append(condition)
    fp.target, fp.sense = root, wanted
    fp.extra["restricted_by"] = condition
    fp.notes.append(
        f"{fp.constant} is capped only where {condition}; the target is taken there, and the "
        "rest of the domain bounds the constant from the other side"
    )
