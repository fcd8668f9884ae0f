"""Global minimisation of an expression over charts of a feasible set, in batches.

Three stages, all vectorised: (1) a sample of some ten thousand points per chart that mixes a
low-discrepancy cloud, wide log-scale draws, points with tied coordinates (variables equal) and
points with coordinates pushed to their ends (variables tending to 0, to infinity, to interval
ends); (2) a pattern search run from the best distinct samples at once, each step one batch of
candidate moves for every start; (3) a quasi-Newton polish of the few best. The result says where
the minimum was reached: inside the domain, on a boundary, or in a limit.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import mpmath
import numpy as np
import sympy as sp
from qed.verifiers.numeric.compile import vectorise
from qed.verifiers.numeric.domain import U_LIMIT, Chart
from scipy.optimize import minimize as scipy_minimize
from scipy.stats import qmc

EDGE_U = U_LIMIT - 2.0  # beyond this a coordinate is "at its end" (a limit or a closed endpoint)


@dataclass
class Located:
    """A point of the feasible set with its objective value and how it sits in the domain."""

    value: float
    point: dict[sp.Symbol, float]
    chart: int
    u: np.ndarray
    ends: dict[sp.Symbol, str] = field(default_factory=dict)  # var -> "lower"/"upper" (end of its range)
    revalued: bool = False  # the double-precision value was replaced by a 40-digit one

    @property
    def where(self) -> str:
        return "interior" if not self.ends else "boundary or limit"


@dataclass
class SearchResult:
    best: Located | None
    minima: list[Located]  # distinct local minima, best first
    evaluations: int
    seconds: float
    timed_out: bool = False

    def summary(self) -> dict:
        b = self.best
        return {
            "evaluations": self.evaluations,
            "seconds": round(self.seconds, 3),
            "timed_out": self.timed_out,
            "best_value": None if b is None else b.value,
            "best_point": None if b is None else {str(k): v for k, v in b.point.items()},
            "ends": None if b is None else {str(k): v for k, v in b.ends.items()},
        }


class _Objective:
    """Objective in search coordinates for one chart; infeasible, undefined or overflowing points are +inf."""

    def __init__(self, expr: sp.Expr, chart: Chart) -> None:
        self.chart = chart
        self.f = vectorise(expr, chart.variables)
        self.count = 0

    def __call__(self, u: np.ndarray) -> np.ndarray:
        u = np.atleast_2d(u)
        x = self.chart.points(u)
        values = self.f(x)
        self.count += u.shape[1]
        # inf and -inf mostly come from overflow (inf/inf, 0*inf) rather than from a true pole, which
        # shows as huge finite values nearby; either way such a point cannot be ranked.
        values[~np.isfinite(values)] = np.inf
        return values


def sample_u(chart: Chart, n: int, rng: np.random.Generator) -> np.ndarray:
    """Starting coordinates (dim, ~n): a mix meant to find interior, tied and limit minima."""
    d = chart.dim
    if d == 0:
        return np.zeros((0, 1))
    parts = []
    m = 2 ** max(6, int(math.log2(max(n // 3, 64))))
    sobol = qmc.Sobol(d, seed=rng).random(m)
    parts.append(sobol.T * 8.0 - 4.0)
    parts.append(rng.normal(0.0, 7.0, size=(d, n // 6)))
    sweep = np.linspace(-12, 12, 241)
    parts.append(np.tile(sweep, (d, 1)))  # all coordinates equal
    tied = rng.normal(0.0, 2.5, size=(d, n // 6))
    groups = rng.integers(0, max(2, d - 1), size=(d, n // 6))
    for g in range(d):
        same = groups == g
        first = np.argmax(same, axis=0)
        tied = np.where(same, tied[first, np.arange(tied.shape[1])], tied)
    parts.append(tied)
    ends = rng.normal(0.0, 2.0, size=(d, n // 4))
    push = rng.random((d, n // 4)) < 0.35
    sign = np.where(rng.random((d, n // 4)) < 0.5, -1.0, 1.0)
    ends = np.where(push, sign * U_LIMIT, ends)
    parts.append(ends)
    closed = [(j, e) for j, v in enumerate(chart.free) for e in chart.ranges[v].closed_u_ends()]
    if closed:
        k = n // 8
        probe = rng.normal(0.0, 2.0, size=(d, k))
        for col in range(k):
            for j, e in closed:
                if rng.random() < 0.4:
                    probe[j, col] = e
        parts.append(probe)
        # the all-tied sweep again with closed ends reached exactly
        for j, e in closed:
            ring = np.tile(sweep, (d, 1)).copy()
            ring[j] = e
            parts.append(ring)
    return np.concatenate(parts, axis=1)


def _distinct_starts(u: np.ndarray, values: np.ndarray, k: int) -> list[int]:
    order = np.argsort(values)
    chosen: list[int] = []
    for i in order:
        if not np.isfinite(values[i]):
            break
        ui = np.clip(u[:, i], -U_LIMIT, U_LIMIT)
        if all(np.max(np.abs(ui - np.clip(u[:, j], -U_LIMIT, U_LIMIT))) > 0.25 for j in chosen):
            chosen.append(int(i))
        if len(chosen) >= k:
            break
    return chosen


def _pattern_search(obj: _Objective, starts: np.ndarray, deadline: float, rng: np.random.Generator, iters: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """Compass search with random directions, all starts advancing in one batch per step."""
    x = starts.copy()  # (K, d)
    k, d = x.shape
    fx = obj(x.T)
    step = np.full(k, 1.0)
    axis = np.concatenate([np.eye(d), -np.eye(d)])
    last = np.zeros_like(x)
    for _ in range(iters):
        if time.monotonic() > deadline or np.all(step < 1e-11):
            break
        rand = rng.normal(size=(max(4, d), d))
        rand /= np.linalg.norm(rand, axis=1, keepdims=True)
        dirs = np.concatenate([axis, rand])
        cand = x[:, None, :] + step[:, None, None] * dirs[None, :, :]
        norms = np.linalg.norm(last, axis=1, keepdims=True)
        momentum = np.where(norms > 0, last / np.where(norms > 0, norms, 1), 0.0)
        cand = np.concatenate([cand, (x + 2 * step[:, None] * momentum)[:, None, :]], axis=1)
        # coordinates already at a closed end (+-inf) stay there
        cand = np.where(np.isinf(x)[:, None, :], x[:, None, :], np.clip(cand, -U_LIMIT, U_LIMIT))
        m = cand.shape[1]
        fc = obj(cand.reshape(-1, d).T).reshape(k, m)
        j = np.argmin(fc, axis=1)
        fbest = fc[np.arange(k), j]
        better = fbest < fx
        new = cand[np.arange(k), j]
        with np.errstate(all="ignore"):
            last = np.where(better[:, None] & np.isfinite(new), new - x, 0.0)
        x = np.where(better[:, None], new, x)
        fx = np.where(better, fbest, fx)
        step = np.where(better, np.minimum(step * 2.0, 8.0), step * 0.5)
    return x, fx


def _polish(obj: _Objective, u0: np.ndarray, deadline: float) -> tuple[np.ndarray, float]:
    """L-BFGS-B from a pattern-search result, gradients by central differences in one batch."""
    fixed = np.isinf(u0)
    if fixed.all() or time.monotonic() > deadline:
        return u0, float(obj(u0[:, None])[0])
    free_idx = np.where(~fixed)[0]

    def full(z: np.ndarray) -> np.ndarray:
        u = u0.copy()
        u[free_idx] = z
        return u

    def fun(z: np.ndarray) -> tuple[float, np.ndarray]:
        h = 1e-7 * np.maximum(1.0, np.abs(z))
        pts = [full(z)]
        for i in range(z.size):
            for s in (1, -1):
                zz = z.copy()
                zz[i] += s * h[i]
                pts.append(full(zz))
        vals = obj(np.array(pts).T)
        with np.errstate(all="ignore"):
            grad = (vals[1::2] - vals[2::2]) / (2 * h)
        if not np.all(np.isfinite(grad)):
            grad = np.zeros_like(z)
        return float(vals[0]), grad

    z0 = u0[free_idx]
    try:
        res = scipy_minimize(
            fun, z0, jac=True, method="L-BFGS-B",
            bounds=[(-U_LIMIT, U_LIMIT)] * z0.size, options={"maxiter": 200, "ftol": 1e-15, "gtol": 1e-12},
        )
    except (ValueError, FloatingPointError):
        return u0, float(obj(u0[:, None])[0])
    u1 = full(res.x)
    f0, f1 = float(obj(u0[:, None])[0]), float(obj(u1[:, None])[0])
    return (u1, f1) if f1 <= f0 else (u0, f0)


def _onto_closed_ends(obj: _Objective, chart: Chart, u: np.ndarray, f: float) -> tuple[np.ndarray, float]:
    """Coordinates pressed against a closed end are moved onto it when that is no worse."""
    for j, v in enumerate(chart.free):
        for end in chart.ranges[v].closed_u_ends():
            if (end < 0 and u[j] <= -EDGE_U) or (end > 0 and u[j] >= EDGE_U):
                trial = u.copy()
                trial[j] = end
                ft = float(obj(trial[:, None])[0])
                if ft <= f + 1e-9 * max(1.0, abs(f)):
                    u, f = trial, min(f, ft)
    return u, f


def _ends(chart: Chart, u: np.ndarray, x: np.ndarray) -> dict[sp.Symbol, str]:
    """Which variables sit at an end of their range (or run off to infinity) at this point."""
    ends: dict[sp.Symbol, str] = {}
    by_value = [e.var for e in chart.eliminations]
    if chart.projection is None:
        for j, v in enumerate(chart.free):
            if u[j] <= -EDGE_U:
                ends[v] = "lower"
            elif u[j] >= EDGE_U:
                ends[v] = "upper"
    else:  # rescaled points: where a coordinate sits says nothing about its search coordinate
        by_value = list(chart.variables)
    for var in by_value:
        i = chart.variables.index(var)
        r = chart.ranges[var]
        val = x[i]
        scale = max(1.0, abs(val))
        if math.isfinite(r.lo_f) and abs(val - r.lo_f) <= 1e-7 * scale:
            ends[var] = "lower"
        elif math.isfinite(r.hi_f) and abs(val - r.hi_f) <= 1e-7 * scale:
            ends[var] = "upper"
        elif abs(val) >= 1e9:
            ends[var] = "upper" if val > 0 else "lower"
    return ends


def minimise(
    expr: sp.Expr,
    charts: list[Chart],
    *,
    seconds: float = 6.0,
    samples: int = 12_000,
    starts: int = 14,
    seed: int = 0,
) -> SearchResult:
    """The smallest value of `expr` found over the charts, with distinct local minima."""
    t0 = time.monotonic()
    deadline = t0 + seconds
    rng = np.random.default_rng(seed)
    found: list[Located] = []
    evaluations = 0
    timed_out = False
    per_chart = max(2, starts // max(1, len(charts)) + 2)
    for ci, chart in enumerate(charts):
        if time.monotonic() > deadline:
            timed_out = True
            break
        obj = _Objective(expr, chart)
        if chart.dim == 0:
            u = np.zeros((0, 1))
            val = obj(u)[0]
            if np.isfinite(val):
                x = chart.points(u)[:, 0]
                found.append(Located(float(val), dict(zip(chart.variables, x, strict=False)), ci, u[:, 0]))
            evaluations += obj.count
            continue
        u = sample_u(chart, samples * max(1, chart.dim // 2), rng)
        vals = obj(u)
        idx = _distinct_starts(u, vals, per_chart)
        if idx:
            x0 = u[:, idx].T.copy()
            xs, fs = _pattern_search(obj, x0, deadline, rng)
            order = np.argsort(fs)
            for rank, i in enumerate(order):
                ui, fi = xs[i], fs[i]
                if rank < 3 and np.isfinite(fi):
                    ui, fi = _polish(obj, ui, deadline)
                if not np.isfinite(fi):
                    continue
                ui, fi = _onto_closed_ends(obj, chart, ui, fi)
                x = chart.points(ui[:, None])[:, 0]
                found.append(Located(float(fi), dict(zip(chart.variables, x, strict=False)), ci, ui, _ends(chart, ui, x)))
        evaluations += obj.count
    if time.monotonic() > deadline:
        timed_out = True
    found.sort(key=lambda loc: loc.value)
    for loc in found:  # a few dozen local minima at most; each costs milliseconds
        _revalue(expr, charts[loc.chart], loc)
    found.sort(key=lambda loc: loc.value)
    minima: list[Located] = []
    for loc in found:
        if all(_far(loc, m) for m in minima):
            minima.append(loc)
    return SearchResult(minima[0] if minima else None, minima, evaluations, time.monotonic() - t0, timed_out)


PRECISE_DPS = 40


def _revalue(expr: sp.Expr, chart: Chart, loc: Located) -> None:
    """Re-evaluate a candidate at 40 digits (same free coordinates, eliminated variables recomputed).

    Near a limit, double precision can cancel catastrophically (1 - z with z = 1 - 1e-13) and
    report a value below the true infimum; such a value must not win the ranking.
    """
    with mpmath.workdps(PRECISE_DPS):
        try:
            point = {v: mpmath.mpf(float(loc.point[v])) for v in chart.free}
            for k in reversed(range(len(chart.eliminations))):
                elim = chart.eliminations[k]
                if elim.expr is not None:
                    point[elim.var] = _mp_eval(elim.expr, point)
                else:
                    coeffs = [_mp_eval(c, point) for c in elim.poly_coeffs]
                    roots = sorted(mpmath.re(r) for r in mpmath.polyroots(coeffs, maxsteps=200, extraprec=200) if abs(mpmath.im(r)) < mpmath.mpf(10) ** -20)
                    point[elim.var] = roots[elim.branch]
            value = _mp_eval(expr, point)
        except (ValueError, TypeError, ZeroDivisionError, IndexError, OverflowError, mpmath.libmp.NoConvergence):
            return
        if not isinstance(value, mpmath.mpf) or not mpmath.isfinite(value):
            return
        precise = float(value)
    if abs(precise - loc.value) > 1e-9 * (1.0 + abs(precise)):
        loc.value = precise
        loc.revalued = True


def _mp_eval(expr: sp.Expr, point: dict) -> mpmath.mpf:
    syms = sorted(expr.free_symbols, key=str)
    f = sp.lambdify(syms, expr, "mpmath")
    value = f(*[point[s] for s in syms])
    if isinstance(value, mpmath.mpc):
        if abs(value.imag) > mpmath.mpf(10) ** -25 * (1 + abs(value.real)):
            raise ValueError("not real")
        value = value.real
    return value


def _far(a: Located, b: Located) -> bool:
    pa = np.array([a.point[k] for k in a.point])
    pb = np.array([b.point[k] for k in a.point])
    scale = np.maximum(1.0, np.maximum(np.abs(pa), np.abs(pb)))
    return bool(np.max(np.abs(pa - pb) / scale) > 1e-4) or a.chart != b.chart
