"""From a numerically found extremal point to an exact one: structure, snapping, high-precision solve.

A double-precision optimum says where to look, not what the exact answer is. This module reads the
point's structure (variables at an end of their range or running off to infinity, variables equal
to each other, inequality constraints that are active), then proposes exact points two ways:

* snapping: every coordinate replaced by a simple exact number close to it, kept only if every
  equality (and active constraint) then holds exactly;
* reduction: equal variables merged, ends substituted, and the stationarity (Lagrange) system of
  what is left solved to 50 digits with mpmath, each coordinate then recognised in closed form.

An ExactPoint lists variables that tend to an end separately (`limits`): the value there is a
limit, not attained. Callers check every proposal against the numeric value before using it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import mpmath
import numpy as np
import sympy as sp
from qed.verifiers.numeric.closed_form import recognise
from qed.verifiers.numeric.domain import Chart
from qed.verifiers.numeric.search import Located

HIGH_DPS = 50
ACTIVE_TOL = 1e-7


@dataclass
class ExactPoint:
    """Exact coordinates; variables in `limits` tend to an end ("lower"/"upper") instead."""

    point: dict[sp.Symbol, sp.Expr]
    limits: dict[sp.Symbol, str] = field(default_factory=dict)
    method: str = ""
    digits: int | None = None  # digits of the high-precision solve the coordinates came from
    # the point itself is excluded by a "!=" condition (distinct variables) but every condition
    # else holds: the value there is approached, not attained
    approached: bool = False

    @property
    def attained(self) -> bool:
        return not self.limits and not self.approached

    def describe(self) -> dict:
        return {
            "point": {str(k): str(v) for k, v in self.point.items()},
            "limits": {str(k): v for k, v in self.limits.items()},
            "method": self.method,
            "approached": self.approached,
        }


@dataclass
class Structure:
    """What the numeric point looks like: ends, ties, active constraints."""

    ends: dict[sp.Symbol, str]  # variable -> "lower"/"upper"
    exact_ends: dict[sp.Symbol, sp.Expr]  # closed finite endpoints reached exactly
    limit_ends: dict[sp.Symbol, str]  # open endpoints or infinity, approached
    limit_points: dict[sp.Symbol, sp.Expr]  # where each of those tends (a finite end, oo or -oo)
    groups: list[list[sp.Symbol]]  # tied variables among the rest
    equations: list[sp.Expr]  # equalities and active inequality constraints, as expr = 0


def structure_of_empty() -> Structure:
    """The structure of a point with no ends, ties or active constraints."""
    return Structure({}, {}, {}, {}, [], [])


def _endpoint(chart: Chart, v: sp.Symbol, side: str) -> tuple[sp.Expr | None, bool]:
    r = chart.ranges[v]
    end, is_open = (r.lo, r.lo_open) if side == "lower" else (r.hi, r.hi_open)
    if not end.is_finite:
        return None, True
    return end, is_open


def structure_of(
    loc: Located,
    chart: Chart,
    equalities: list[sp.Expr],
    inequalities: list[tuple[sp.Expr, bool]],
    tie_tol: float = 1e-5,
    active_tol: float = ACTIVE_TOL,
) -> Structure:
    """Read ends, ties (relative tie_tol) and active constraints (|g| <= active_tol * scale)."""
    x = loc.point
    ends = dict(loc.ends)
    exact_ends: dict[sp.Symbol, sp.Expr] = {}
    limit_ends: dict[sp.Symbol, str] = {}
    limit_points: dict[sp.Symbol, sp.Expr] = {}
    for v, side in ends.items():
        end, is_open = _endpoint(chart, v, side)
        if end is not None and not is_open:
            exact_ends[v] = end
            continue
        limit_ends[v] = side
        limit_points[v] = end if end is not None else (sp.oo if side == "upper" else -sp.oo)
    rest = [v for v in chart.variables if v not in ends]
    groups: list[list[sp.Symbol]] = []
    for v in rest:
        for g in groups:
            w = g[0]
            if abs(x[v] - x[w]) <= tie_tol * max(1.0, abs(x[v]), abs(x[w])):
                g.append(v)
                break
        else:
            groups.append([v])
    equations = list(equalities)
    point = np.array([[x[v]] for v in chart.variables])
    for g, strict in inequalities:
        gv = float(sp.lambdify(chart.variables, g, "numpy")(*point)[0]) if g.free_symbols else float(g)
        scale = 1.0 + max(abs(float(x[v])) for v in chart.variables)
        if not strict and abs(gv) <= active_tol * scale:
            equations.append(g)
    return Structure(ends, exact_ends, limit_ends, limit_points, groups, equations)


def _snap_number(value: float, rel: float = 1e-7) -> sp.Expr | None:
    if not math.isfinite(value):
        return None
    tol = rel * max(1.0, abs(value))
    if abs(value) <= tol:
        return sp.Integer(0)
    r = sp.nsimplify(value, rational=True, tolerance=tol)
    if isinstance(r, sp.Rational) and r.q <= 60 and abs(r.p) <= 10**4:
        return r
    for surd in (2, 3, 5, 6, 7):
        q = sp.nsimplify(value / math.sqrt(surd), rational=True, tolerance=tol)
        if isinstance(q, sp.Rational) and q.q <= 24 and abs(q.p) <= 100 and q != 0:
            return q * sp.sqrt(surd)
    return None


def _holds_exactly(eq: sp.Expr, sub: dict) -> bool:
    try:
        val = eq.subs(sub)
        if val.free_symbols:
            return False
        if val == 0:
            return True
        return bool(sp.simplify(val) == 0)
    except (TypeError, ValueError, ZeroDivisionError):
        return False


def snapped(loc: Located, st: Structure, rel: float = 1e-7) -> ExactPoint | None:
    """Every remaining coordinate replaced by a nearby simple number; kept only if the equations hold."""
    sub: dict[sp.Symbol, sp.Expr] = dict(st.exact_ends)
    for g in st.groups:
        s = _snap_number(float(loc.point[g[0]]), rel)
        if s is None:
            return None
        for v in g:
            sub[v] = s
    limit_free = [e for e in st.equations if not (e.free_symbols & set(st.limit_ends))]
    if not all(_holds_exactly(e, sub) for e in limit_free):
        return None
    return ExactPoint(sub, dict(st.limit_ends), "snapped to simple numbers")


def reduced(
    objective: sp.Expr, loc: Located, st: Structure, deadline: float
) -> tuple[ExactPoint | None, mpmath.mpf | None]:
    """Merge tied variables, substitute ends, solve the stationarity system to 50 digits.

    Returns an exact point when each coordinate is recognised in closed form, and the objective's
    high-precision value at the solution either way (None when the solve fails).
    """
    reps = [g[0] for g in st.groups]
    sub: dict[sp.Symbol, sp.Expr] = dict(st.exact_ends)
    for g in st.groups:
        for v in g[1:]:
            sub[v] = g[0]
    f = take_limits(objective.subs(sub), st)
    if f is None:
        return None, None
    eqs = []
    for e in st.equations:
        r = limit_equation(e.subs(sub), st)
        if r is None:
            return None, None
        r = sp.together(r)
        if r != 0 and r.free_symbols:
            eqs.append(sp.numer(r))
        elif r != 0 and not r.free_symbols and abs(float(r)) > 1e-12:
            return None, None
    unknowns = [t for t in reps if t in f.free_symbols or any(t in e.free_symbols for e in eqs)]
    # Unknowns the objective ignores and no equation binds (a free scale) are set to their rounded value.
    fixed = {t: _snap_number(float(loc.point[t])) or sp.Rational(round(float(loc.point[t]) * 1000), 1000) for t in reps if t not in unknowns}
    f = f.subs(fixed)
    eqs = [e.subs(fixed) for e in eqs]
    start = [float(loc.point[t]) for t in unknowns]
    if time.monotonic() > deadline:
        return None, None
    if not unknowns:
        point = {**st.exact_ends, **fixed}
        for g in st.groups:
            for v in g[1:]:
                point[v] = point.get(g[0])
        point = _complete(point, st)
        return ExactPoint(point, dict(st.limit_ends), "ends and ties fixed every variable"), _mp_value(f, {})
    exact = _exact_univariate(f, eqs, unknowns, start) if len(unknowns) == 1 else None
    if exact is not None:
        values = {unknowns[0]: exact}
        method = "exact root of the reduced stationarity equation"
        digits = None
    else:
        sol = _lagrange_solve(f, eqs, unknowns, start, deadline)
        if sol is None:
            return None, None
        values, digits = {}, HIGH_DPS - 5
        for t, val in zip(unknowns, sol, strict=False):
            cf = recognise(val, digits)
            if cf is None:
                with mpmath.workdps(HIGH_DPS):
                    return None, _mp_value(f, dict(zip(unknowns, sol, strict=False)))
            values[t] = cf.value
        method = f"reduced stationarity system solved to {HIGH_DPS} digits, coordinates recognised"
    point = dict(fixed)
    point.update(st.exact_ends)
    point.update(values)
    for g in st.groups:
        for v in g[1:]:
            point[v] = point.get(g[0])
    point = _complete(point, st)
    if any(not _holds_exactly(e, point) for e in st.equations if not (e.free_symbols & set(st.limit_ends))):
        return None, _mp_value(f, values)
    ep = ExactPoint(point, dict(st.limit_ends), method, digits if exact is None else None)
    return ep, _mp_value(f, values)


def _complete(point: dict, st: Structure) -> dict:
    return {k: v for k, v in point.items() if v is not None and k not in st.limit_ends}


def feasible_exactly(ep: ExactPoint, chart: Chart, inequalities: list[tuple[sp.Expr, bool]], exclusions: bool = True) -> bool:
    """Every coordinate in its range and every inequality constraint true, decided exactly
    (and every "!=" condition, unless `exclusions` is False)."""
    for v, val in ep.point.items():
        r = chart.ranges.get(v)
        if r is None:
            continue
        if r.lo.is_finite and not _sign_ok(val - r.lo, r.lo_open):
            return False
        if r.hi.is_finite and not _sign_ok(r.hi - val, r.hi_open):
            return False
        if any(_is_zero(val - e) for e in r.excluded):
            return False
    for g, strict in inequalities:
        if g.free_symbols & set(ep.limits):
            continue
        if not _sign_ok(g.subs(ep.point), strict):
            return False
    for g in chart.exclusions if exclusions else []:
        if g.free_symbols & set(ep.limits):
            continue
        value = g.subs(ep.point)
        if value.free_symbols or _is_zero(value):
            return False
    return True


def _is_zero(value: sp.Expr) -> bool:
    try:
        return value == 0 or bool(sp.simplify(value) == 0)
    except (TypeError, ValueError):
        return False


def _sign_ok(value: sp.Expr, strict: bool) -> bool:
    """value > 0 (strict) or value >= 0, decided exactly for a closed-form number."""
    if value.free_symbols:
        return False
    if _is_zero(value):
        return not strict
    try:
        approx = sp.N(value, 50)
        return bool(approx.is_real and approx > 0)
    except (TypeError, ValueError):
        return False


def take_limits(expr: sp.Expr, st: Structure) -> sp.Expr | None:
    """expr with each variable that tends to an end replaced by its limit (endpoint when continuous)."""
    out = expr
    for v, side in st.limit_ends.items():
        if v not in out.free_symbols:
            continue
        end = st.limit_points[v]
        try:
            if end.is_finite:
                direct = out.subs(v, end)
                if direct.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
                    direct = sp.limit(out, v, end, "+" if side == "lower" else "-")
                out = direct
            else:
                out = sp.limit(out, v, end)
        except (NotImplementedError, ValueError, TypeError, ZeroDivisionError):
            return None
        if out.has(sp.zoo, sp.nan, sp.Limit):
            return None
    return out


def limit_equation(e: sp.Expr, st: Structure) -> sp.Expr | None:
    """The limiting form of a constraint e = 0 as variables tend to their ends.

    A constraint such as x + y + z = xyz with z -> oo keeps a meaning after division by the
    growing variable (1 = xy), so infinite limits are retried on e / v**k.
    """
    out = take_limits(e, st)
    if out is not None and not out.has(sp.oo, -sp.oo):
        return out
    for v in st.limit_ends:
        if st.limit_points[v].is_finite or v not in e.free_symbols:
            continue
        for k in range(1, 5):
            out = take_limits(sp.together(e / v**k), st)
            if out is not None and not out.has(sp.oo, -sp.oo) and out != 0:
                return out
    return None


def limit_value(expr: sp.Expr, ep: ExactPoint, st: Structure) -> sp.Expr | None:
    """expr at an exact point, taking limits for the variables that tend to an end."""
    try:
        out = take_limits(expr.subs(ep.point), st)
    except (TypeError, ValueError):
        return None
    return None if out is None or out.free_symbols else out


def _mp_value(f: sp.Expr, values: dict) -> mpmath.mpf | None:
    try:
        v = sp.N(f.subs(values), HIGH_DPS)
        if v.free_symbols or not v.is_real:
            return None
        with mpmath.workdps(HIGH_DPS):
            return mpmath.mpf(str(v))
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def _exact_univariate(f: sp.Expr, eqs: list[sp.Expr], unknowns: list[sp.Symbol], start: list[float]) -> sp.Expr | None:
    """One unknown: a root of the constraint (if any) or of f', exactly, nearest the numeric value."""
    t = unknowns[0]
    target = eqs[0] if eqs else sp.numer(sp.together(sp.diff(f, t)))
    try:
        poly = sp.Poly(target, t)
    except sp.PolynomialError:
        return None
    if poly.degree() < 1 or poly.degree() > 12:
        return None
    best, dist = None, math.inf
    for root in sp.Poly(poly, t).real_roots():
        d = abs(float(root) - start[0])
        if d < dist:
            best, dist = root, d
    if best is None or dist > 1e-4 * max(1.0, abs(start[0])):
        return None
    if isinstance(best, sp.CRootOf):
        radical = sp.nsimplify(best) if best.is_rational else None
        if radical is None:
            try:
                sols = sp.solve(sp.Poly(poly, t).as_expr(), t) if poly.degree() <= 4 else []
            except NotImplementedError:
                sols = []
            for s in sols:
                if s.is_real and abs(float(s) - start[0]) <= 1e-6 * max(1, abs(start[0])):
                    radical = s
            if radical is None:
                return None
        best = radical
    return best


def _lagrange_solve(f: sp.Expr, eqs: list[sp.Expr], unknowns: list[sp.Symbol], start: list[float], deadline: float) -> list[mpmath.mpf] | None:
    """Newton's method in mpmath on grad f = sum(lambda_j grad e_j), e_j = 0 (or e = 0 when square)."""
    k, m = len(unknowns), len(eqs)
    if m > k:
        eqs = eqs[:k]
        m = k
    lams = sp.symbols(f"lam0:{m}")
    if m == k:
        system, variables = list(eqs), list(unknowns)
        x0 = list(start)
    else:
        grad = [sp.diff(f, t) - sum(lam * sp.diff(e, t) for lam, e in zip(lams, eqs, strict=False)) for t in unknowns]
        system, variables = grad + list(eqs), list(unknowns) + list(lams)
        x0 = list(start) + _initial_multipliers(f, eqs, unknowns, start)
    if time.monotonic() > deadline or any(e.has(sp.Min, sp.Max, sp.Abs, sp.Piecewise, sp.sign) for e in [f, *eqs]):
        return None  # Newton's method needs smooth equations
    jac = sp.Matrix(system).jacobian(variables)
    fs = sp.lambdify(variables, system, "mpmath")
    js = sp.lambdify(variables, jac, "mpmath")
    with mpmath.workdps(HIGH_DPS + 10):
        try:
            sol = mpmath.findroot(
                lambda *a: fs(*a), [mpmath.mpf(v) for v in x0],
                J=lambda *a: js(*a), tol=mpmath.mpf(10) ** (-2 * HIGH_DPS), maxsteps=60,
                method="mdnewton",
            )
        except (ValueError, ZeroDivisionError, TypeError, OverflowError, NameError):
            return None
        sol = [sol[i] for i in range(len(variables))] if isinstance(sol, mpmath.matrix) else [sol]
        if any(abs(mpmath.im(v)) > mpmath.mpf(10) ** (-HIGH_DPS + 5) for v in sol):
            return None
        sol = [mpmath.re(v) for v in sol]
        try:
            resid = max(abs(v) for v in fs(*sol)) if system else 0
        except (ValueError, ZeroDivisionError, TypeError, OverflowError, NameError):
            return None
        if not resid < mpmath.mpf(10) ** (-HIGH_DPS + 5):
            return None
    values = sol[:k]
    if any(abs(float(v) - s) > 1e-2 * max(1.0, abs(s)) for v, s in zip(values, start, strict=False)):
        return None
    return values


def _initial_multipliers(f: sp.Expr, eqs: list[sp.Expr], unknowns: list[sp.Symbol], start: list[float]) -> list[float]:
    if not eqs:
        return []
    at = dict(zip(unknowns, start, strict=False))
    try:
        g = np.array([float(sp.diff(f, t).subs(at)) for t in unknowns])
        a = np.array([[float(sp.diff(e, t).subs(at)) for e in eqs] for t in unknowns])
        lam, *_ = np.linalg.lstsq(a, g, rcond=None)
        return [float(v) for v in lam]
    except (TypeError, ValueError, np.linalg.LinAlgError):
        return [0.0] * len(eqs)


def symmetric_points(
    chart: Chart,
    equations: list[sp.Expr],
    inequalities: list[tuple[sp.Expr, bool]],
    zero_of: sp.Expr | None,
    stationary_of: sp.Expr | None = None,
) -> list[ExactPoint]:
    """Exact feasible points where every variable is equal (or all but one, that one at a closed end):
    the usual equality cases, probed directly because a search that converges to a limit elsewhere
    may never visit them. The common value solves the equalities; when none bind it, it is a zero
    of `zero_of` or a stationary point of `stationary_of` along the diagonal."""
    t = sp.Symbol("t_sym", real=True)
    variables = chart.variables
    patterns: list[dict[sp.Symbol, sp.Expr]] = [{v: t for v in variables}]
    for v in variables:
        r = chart.ranges[v]
        if r.lo.is_finite and not r.lo_open and len(variables) > 1:
            patterns.append({w: (r.lo if w == v else t) for w in variables})
    out: list[ExactPoint] = []
    for sub in patterns:
        eqs = [sp.together(e.xreplace(sub)) for e in equations]
        eqs = [e for e in eqs if not _identically_zero(e, t)]
        target = sp.together(zero_of.xreplace(sub) if zero_of is not None else sp.diff(stationary_of.xreplace(sub), t))
        if eqs:
            roots = _real_roots(eqs[0], t)
        elif _identically_zero(target, t):
            roots = [_inside_value(chart, variables, sub, t)]
        else:
            roots = _real_roots(target, t)
        for root in roots:
            if root is None:
                continue
            point = {v: (val.xreplace({t: root}) if isinstance(val, sp.Expr) else val) for v, val in sub.items()}
            ep = ExactPoint(point, {}, "all variables equal" if len(set(point.values())) == 1 else "variables equal, one at an end")
            if all(_holds_exactly(e, point) for e in equations) and feasible_exactly(ep, chart, inequalities):
                out.append(ep)
    return out


def _identically_zero(e: sp.Expr, t: sp.Symbol) -> bool:
    if t not in e.free_symbols:
        return bool(e == 0 or sp.simplify(e) == 0)
    f = sp.lambdify(t, e, "mpmath")
    try:
        with mpmath.workdps(30):
            samples = [abs(mpmath.mpf(f(mpmath.mpf(x)))) for x in ("0.7310", "1.3179", "2.9147")]
    except (TypeError, ValueError, ZeroDivisionError):
        return False
    return all(s < mpmath.mpf(10) ** -25 for s in samples)


def _inside_value(chart: Chart, variables: list, sub: dict, t: sp.Symbol) -> sp.Expr | None:
    for candidate in (sp.Integer(1), sp.Integer(2), sp.Rational(1, 2), sp.Integer(-1), sp.Integer(0)):
        if all(_in_range(chart.ranges[v], candidate) for v in variables if sub[v] == t):
            return candidate
    return None


def _in_range(r, x: sp.Expr) -> bool:
    if r.lo.is_finite and not (x > r.lo if r.lo_open else x >= r.lo):
        return False
    return not (r.hi.is_finite and not (x < r.hi if r.hi_open else x <= r.hi))


def _real_roots(e: sp.Expr, t: sp.Symbol) -> list[sp.Expr]:
    """Real roots of e(t) = 0: exactly for a polynomial numerator, else found numerically and recognised."""
    num = sp.numer(sp.together(e))
    if t not in num.free_symbols:
        return []
    try:
        poly = sp.Poly(num, t)
        if 1 <= poly.degree() <= 12:
            return [sp.nsimplify(r) if r.is_rational else r for r in poly.real_roots()][:8]
    except (sp.PolynomialError, NotImplementedError):
        pass
    f = sp.lambdify(t, e, "numpy")
    grid = np.concatenate([-np.logspace(3, -3, 400), np.logspace(-3, 3, 400)])
    with np.errstate(all="ignore"):
        vals = np.broadcast_to(np.asarray(f(grid), dtype=complex), grid.shape)
    vals = np.where(np.abs(vals.imag) < 1e-12, vals.real, np.nan)
    roots = []
    fm = sp.lambdify(t, e, "mpmath")
    for i in range(len(grid) - 1):
        a, b = vals[i], vals[i + 1]
        if np.isfinite(a) and np.isfinite(b) and (a == 0 or a * b < 0):
            with mpmath.workdps(HIGH_DPS):
                try:
                    root = mpmath.findroot(fm, (mpmath.mpf(grid[i]), mpmath.mpf(grid[i + 1])), solver="anderson")
                except (ValueError, ZeroDivisionError, TypeError):
                    continue
                cf = recognise(mpmath.re(root), HIGH_DPS - 10)
            if cf is not None:
                roots.append(cf.value)
        if len(roots) >= 6:
            break
    return roots
