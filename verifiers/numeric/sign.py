"""How lhs compares with rhs over a feasible set: <=, >=, =, strict or not, or neither.

The search works on the relative difference r = (lhs - rhs) / sqrt(lhs^2 + rhs^2), which has the
sign of lhs - rhs, lies in [-1, 1] and does not change when a homogeneous problem is rescaled.

Tolerances (on r):
* SIGN_TOL = 1e-9: |r| below this is "zero" for deciding the direction; a smaller r of the other
  sign is rounding, not a counterexample.
* NEAR_ZERO = 1e-5: an infimum of r below this is examined for an exact equality point; above it,
  and with no exact zero found, the inequality holds with a margin (strictly, and not tight).
* ROUNDING = 1e-6: values of the wrong sign smaller than this, at points that do not survive
  being made exact, are rounding (cancellation in an eliminated variable), not counterexamples.

Strict versus non-strict is never read from floating point. Equality is "attained" only when an
exact feasible point is found where lhs - rhs is exactly zero (sympy simplification, or zero to 50
digits); it is "limit" when lhs - rhs tends to exactly 0 while a variable tends to an open end or
to infinity and no attained zero was found; otherwise it is "unknown". "none" (both signs) needs
two exact feasible points whose differences have opposite signs, each evaluated to 50 digits.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import sympy as sp
from qed.verifiers.formal import FormalProblem
from qed.verifiers.numeric.domain import Chart, DomainError, build_charts
from qed.verifiers.numeric.exact import (
    ExactPoint,
    feasible_exactly,
    limit_value,
    reduced,
    snapped,
    structure_of,
    structure_of_empty,
    symmetric_points,
)
from qed.verifiers.numeric.extremum import READINGS, normalised, scale_free, split_constraints
from qed.verifiers.numeric.search import Located, SearchResult, minimise

SIGN_TOL = 1e-9
NEAR_ZERO = 1e-5
ROUNDING = 1e-6
ZERO_DIGITS = 50

Direction = Literal[">=", "<=", "=", "none"]
Equality = Literal["attained", "limit", "never", "unknown", "everywhere"]


@dataclass
class SignResult:
    """direction: lhs >= rhs, lhs <= rhs, lhs = rhs everywhere, or both signs; None when unsure."""

    direction: Direction | None
    equality: Equality | None = None
    min_relative: float | None = None
    max_relative: float | None = None
    equality_point: ExactPoint | None = None
    witnesses: dict[str, dict] = field(default_factory=dict)
    searches: dict[str, SearchResult] = field(default_factory=dict)
    reason: str = ""
    notes: list[str] = field(default_factory=list)

    def describe(self) -> dict:
        return {
            "direction": self.direction,
            "equality": self.equality,
            "min_relative_difference": self.min_relative,
            "max_relative_difference": self.max_relative,
            "equality_point": None if self.equality_point is None else self.equality_point.describe(),
            "witnesses": self.witnesses,
            "searches": {k: v.summary() for k, v in self.searches.items()},
            "reason": self.reason,
            "notes": list(self.notes),
        }


def relative_difference(lhs: sp.Expr, rhs: sp.Expr) -> sp.Expr:
    return (lhs - rhs) / sp.sqrt(lhs**2 + rhs**2)


def analyse_sign(lhs: sp.Expr, rhs: sp.Expr, fp: FormalProblem, *, seconds: float = 10.0, seed: int = 0) -> SignResult:
    """Compare lhs with rhs over fp's feasible set (see the module docstring for the rules)."""
    t0 = time.monotonic()
    deadline = t0 + seconds
    r = relative_difference(lhs, rhs)
    d = lhs - rhs
    notes: list[str] = []
    try:
        charts = build_charts(fp)
        if scale_free(r, fp, charts, np.random.default_rng(seed)):
            fp = normalised(fp, charts)
            charts = build_charts(fp)
            notes.append(fp.notes[-1])
    except DomainError as exc:
        return SignResult(None, reason=f"domain: {exc}")
    per = max(1.0, 0.3 * seconds)
    low = minimise(r, charts, seconds=per, seed=seed)
    high = minimise(-r, charts, seconds=per, seed=seed + 1)
    searches = {"min": low, "max": high}
    if low.best is None or high.best is None:
        return SignResult(None, searches=searches, reason="no feasible point where both sides are defined", notes=notes)
    m, big_m = low.best.value, -high.best.value
    res = SignResult(None, None, m, big_m, searches=searches, notes=notes)
    eqs, ineqs = split_constraints(fp)
    if m >= -SIGN_TOL and big_m <= SIGN_TOL:
        return _identity(d, low, charts, ineqs, res)
    if m >= -SIGN_TOL:
        res.direction = ">="
        return _equality_case(d, low, charts, eqs, ineqs, m, deadline, res)
    if big_m <= SIGN_TOL:
        res.direction = "<="
        return _equality_case(-d, high, charts, eqs, ineqs, -big_m, deadline, res)
    neg = _first_witness(d, low, charts, ineqs, -1)
    pos = _first_witness(d, high, charts, ineqs, +1)
    if neg is not None and pos is not None:
        res.direction = "none"
        res.witnesses = {"lhs<rhs": neg, "lhs>rhs": pos}
        res.reason = "both signs occur at exact feasible points"
        return res
    # One side seen only by a hair and not at any exact point: rounding (for instance in an
    # eliminated variable) rather than a counterexample; the other side is examined as usual.
    if neg is None and pos is not None and -m < ROUNDING:
        res.direction = ">="
        res.notes.append(f"negative relative differences down to {m:.2g} were not confirmed at exact points")
        return _equality_case(d, low, charts, eqs, ineqs, max(m, 0.0), deadline, res)
    if pos is None and neg is not None and big_m < ROUNDING:
        res.direction = "<="
        res.notes.append(f"positive relative differences up to {big_m:.2g} were not confirmed at exact points")
        return _equality_case(-d, high, charts, eqs, ineqs, max(-big_m, 0.0), deadline, res)
    res.reason = "both signs seen numerically but not confirmed at exact points"
    return res


def _identity(d: sp.Expr, search: SearchResult, charts: list[Chart], ineqs: list, res: SignResult) -> SignResult:
    """lhs = rhs everywhere: confirmed by an exact zero at several exactly feasible rational points."""
    confirmed = 0
    for loc in search.minima[:6]:
        w = _exact_sign_witness(d, loc, charts[loc.chart], ineqs, 0)
        if w is not None:
            confirmed += 1
            res.witnesses[f"equal at {confirmed}"] = w
    if confirmed >= 2:
        res.direction, res.equality = "=", "everywhere"
        res.reason = f"lhs - rhs is exactly zero at {confirmed} distinct exact feasible points and numerically zero everywhere searched"
    else:
        res.reason = "lhs - rhs is numerically zero everywhere searched, but not confirmed exactly"
    return res


def _equality_case(
    d: sp.Expr, search: SearchResult, charts: list[Chart], eqs: list, ineqs: list, m: float, deadline: float, res: SignResult
) -> SignResult:
    """d >= 0 numerically (d is lhs - rhs oriented so): is d = 0 attained, approached, or never?"""
    limit_zero: ExactPoint | None = None
    exact_positive = False
    if m <= NEAR_ZERO:
        for chart in charts[:2]:
            for ep in symmetric_points(chart, eqs, ineqs, d):
                value = limit_value(d, ep, structure_of_empty())
                zero = value is not None and is_exact_zero(value)
                if zero:
                    res.equality, res.equality_point = "attained", ep
                    res.reason = f"lhs = rhs at an exact feasible point with {ep.method} ({zero})"
                    return res
    structures = []
    for loc in search.minima[:4]:
        if loc.value > max(NEAR_ZERO, 10 * m + SIGN_TOL):
            break
        for tie_tol, active_tol, _ in READINGS:
            structures.append((loc, charts[loc.chart], structure_of(loc, charts[loc.chart], eqs, ineqs, tie_tol, active_tol), tie_tol))
    # Cheap candidates (snapping) for every point first, the mpmath stationarity solve after.
    for expensive in (False, True):
        for loc, chart, st, tie_tol in structures:
            if expensive and time.monotonic() > deadline:
                break
            ep = reduced(d, loc, st, deadline)[0] if expensive else snapped(loc, st, max(1e-7, tie_tol / 10))
            if ep is None or not feasible_exactly(ep, chart, ineqs):
                continue
            value = limit_value(d, ep, st)
            if value is None:
                continue
            zero = is_exact_zero(value)
            if zero and ep.attained:
                res.equality, res.equality_point = "attained", ep
                res.reason = f"lhs = rhs at an exact feasible point ({zero})"
                return res
            if zero and limit_zero is None:
                limit_zero = ep
            elif not zero and ep.attained and _positive(value):
                exact_positive = True
    if limit_zero is not None:
        res.equality, res.equality_point = "limit", limit_zero
        res.reason = "lhs - rhs tends to 0 only as variables tend to an end of the domain; no feasible point attains it"
        return res
    if m > NEAR_ZERO:
        res.equality = "never"
        res.reason = f"the relative difference stays above {m:.3g} on the domain: the inequality is strict and not tight"
        return res
    res.equality = "unknown"
    res.reason = "the infimum of lhs - rhs is near 0 but no exact equality point or limit was found" + (
        " (the exact candidates give a positive difference)" if exact_positive else ""
    )
    return res


def is_exact_zero(value: sp.Expr) -> str | None:
    """How a closed-form number was shown to be 0 ("simplifies to 0", "zero to 50 digits"), or None."""
    try:
        if value == 0 or sp.simplify(value) == 0:
            return "simplifies to 0"
        approx = sp.N(value, ZERO_DIGITS + 10)
        if approx.is_number and abs(approx) < sp.Float(10) ** (-ZERO_DIGITS):
            return f"zero to {ZERO_DIGITS} digits"
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return None


def _positive(value: sp.Expr) -> bool:
    try:
        approx = sp.N(value, ZERO_DIGITS)
        return bool(approx.is_real and approx > sp.Float(10) ** (-ZERO_DIGITS + 10))
    except (TypeError, ValueError):
        return False


def _first_witness(d: sp.Expr, search: SearchResult, charts: list[Chart], ineqs: list, sign: int) -> dict | None:
    """An exact witness of the sign near the best point, else near the next local minima (the best
    one may sit at a limit, where no exact feasible point is close)."""
    for loc in search.minima[:6]:
        w = _exact_sign_witness(d, loc, charts[loc.chart], ineqs, sign)
        if w is not None:
            return w
    # The extremes may all lie at limits (a variable tending to 0) where a rational point nearby
    # is infeasible or ties variables; moderate random points of the right sign serve as well.
    rng = np.random.default_rng(11)
    for ci, chart in enumerate(charts[:4]):
        if chart.dim == 0:
            continue
        u = rng.normal(0.0, 1.5, size=(chart.dim, 400))
        x = chart.points(u)
        f = sp.lambdify(chart.variables, d, "numpy")
        with np.errstate(all="ignore"):
            values = np.asarray(f(*x), dtype=float) * sign
        order = [i for i in np.argsort(-np.nan_to_num(values, nan=-np.inf)) if np.isfinite(values[i]) and values[i] > 0][:8]
        for i in order:
            loc = Located(float(-values[i]), dict(zip(chart.variables, x[:, i], strict=False)), ci, u[:, i])
            w = _exact_sign_witness(d, loc, chart, ineqs, sign)
            if w is not None:
                return w
    return None


def _exact_sign_witness(d: sp.Expr, loc: Located, chart: Chart, ineqs: list, sign: int) -> dict | None:
    """A rational feasible point near loc where d has the given sign (0: is exactly zero), or None."""
    f = sp.lambdify(chart.variables, d, "numpy")
    for clamp, tol in ((None, 1e-3), (None, 1e-6), (8.0, 1e-3), (4.0, 1e-3), (None, 1e-9)):
        u = loc.u if clamp is None else np.clip(loc.u, -clamp, clamp)
        x = chart.points(u[:, None])[:, 0]
        if not np.all(np.isfinite(x)):
            continue
        if sign != 0:
            with np.errstate(all="ignore"):
                dx = float(f(*x))
            if not np.isfinite(dx) or dx * sign <= 0:
                continue
        point: dict[sp.Symbol, sp.Expr] = {}
        for v in chart.free:
            xv = float(x[chart.variables.index(v)])
            point[v] = sp.nsimplify(xv, rational=True, tolerance=tol * max(1.0, abs(xv)))
        if not _complete_exactly(point, chart):
            continue
        ep = ExactPoint(point, {}, "rational point near the numeric extremum")
        if not feasible_exactly(ep, chart, ineqs):
            continue
        try:
            value = d.subs(point)
        except (TypeError, ValueError):
            continue
        if value.free_symbols:
            continue
        if sign == 0:
            if is_exact_zero(value):
                return {"point": ep.describe()["point"], "difference": "0"}
            return None
        approx = sp.N(value, ZERO_DIGITS)
        if approx.is_real and (approx > 0 if sign > 0 else approx < 0) and abs(approx) > sp.Float(10) ** (-ZERO_DIGITS + 10):
            return {"point": ep.describe()["point"], "difference": str(sp.N(value, 12))}
    return None


def _complete_exactly(point: dict, chart: Chart) -> bool:
    """Fill in eliminated variables exactly (closed forms, or the matching real root of a polynomial)."""
    for k in reversed(range(len(chart.eliminations))):
        elim = chart.eliminations[k]
        if elim.expr is not None:
            value = elim.expr.subs(point)
        else:
            coeffs = [c.subs(point) for c in elim.poly_coeffs]
            if any(c.free_symbols for c in coeffs):
                return False
            t = sp.Dummy("t")
            try:
                roots = sp.Poly(sum(c * t ** (len(coeffs) - 1 - i) for i, c in enumerate(coeffs)), t).real_roots()
            except (sp.PolynomialError, NotImplementedError):
                return False
            if elim.branch >= len(roots):
                return False
            value = roots[elim.branch]
        if value.free_symbols or value.has(sp.zoo, sp.nan, sp.I):
            return False
        point[elim.var] = value
    return True
