"""The extreme value of an expression over a formal problem's feasible set, exact when it can be.

Numeric search finds the value and where it is reached; `exact` turns that into an exact point or
a limit; the exact value there must agree with the numeric one (to 1e-6 relative when attained,
1e-4 when it is a limit taken at |u| = 30) and must not be worse than what the search found. When
no exact point is found the value is recognised from 50 digits of a refined solve, or, with less
confidence, from the double-precision value; `digits` records which.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

import mpmath
import numpy as np
import sympy as sp
from qed.verifiers.formal import FormalProblem
from qed.verifiers.numeric.closed_form import recognise
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
from qed.verifiers.numeric.search import Located, SearchResult, minimise

ATTAINED_TOL = 1e-6
LIMIT_TOL = 1e-4
# Below -UNBOUNDED the objective may be infinite: that is claimed only when sympy's limit along the
# path the search took is -oo. Far above or below, a value is never read from its double digits.
UNBOUNDED = 1e8
LOW_PRECISION_DIGITS = 9


@dataclass
class Extremum:
    """min or max of an expression: numeric value, exact value if found, and where it is reached."""

    sense: Literal["min", "max"]
    numeric: float | None
    exact: sp.Expr | None = None
    witness: ExactPoint | None = None
    where: str = "interior"  # "interior", "boundary" (a closed end or an active constraint), "limit"
    digits: int | None = None  # digits the closed form is confirmed to; None for an exact point
    method: str = ""
    unbounded: bool = False
    search: SearchResult | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def attained(self) -> bool:
        return self.witness is not None and self.witness.attained

    def describe(self) -> dict:
        return {
            "sense": self.sense,
            "numeric": self.numeric,
            "exact": None if self.exact is None else str(self.exact),
            "latex": None if self.exact is None else sp.latex(self.exact),
            "where": self.where,
            "attained": self.attained,
            "witness": None if self.witness is None else self.witness.describe(),
            "digits": self.digits,
            "method": self.method,
            "unbounded": self.unbounded,
            "search": None if self.search is None else self.search.summary(),
            "notes": list(self.notes),
        }


def split_constraints(fp: FormalProblem) -> tuple[list[sp.Expr], list[tuple[sp.Expr, bool]]]:
    eqs, ineqs = [], []
    for c in fp.constraints:
        if isinstance(c, sp.Eq):
            eqs.append(c.lhs - c.rhs)
        elif isinstance(c, (sp.GreaterThan, sp.StrictGreaterThan)):
            ineqs.append((c.lhs - c.rhs, isinstance(c, sp.StrictGreaterThan)))
        elif isinstance(c, (sp.LessThan, sp.StrictLessThan)):
            ineqs.append((c.rhs - c.lhs, isinstance(c, sp.StrictLessThan)))
    return eqs, ineqs


def scale_free(expr: sp.Expr, fp: FormalProblem, charts: list[Chart], rng: np.random.Generator) -> bool:
    """True when expr and the feasible set are unchanged by scaling every variable (checked on samples)."""
    if any(isinstance(c, sp.Eq) for c in fp.constraints) or not fp.variables:
        return False
    for chart in charts:
        for v in chart.variables:
            r = chart.ranges[v]
            if not ((r.lo == 0 or r.lo == -sp.oo) and (r.hi == 0 or r.hi == sp.oo)):
                return False
    chart = charts[0]
    u = rng.normal(0, 1.5, size=(chart.dim, 64))
    x = chart.points(u)
    x = x[:, np.all(np.isfinite(x), axis=0)][:, :8]
    if x.shape[1] < 3:
        return False
    f = sp.lambdify(chart.variables, expr, "numpy")
    with np.errstate(all="ignore"):
        base = np.asarray(f(*x), dtype=float)
        for lam in (2.7, 0.37):
            scaled = np.asarray(f(*(lam * x)), dtype=float)
            if not np.allclose(scaled, base, rtol=1e-9, atol=1e-12, equal_nan=True):
                return False
            if not np.all(np.isfinite(chart.points(chart.u_of(lam * x)))):
                return False
    return True


def normalised(fp: FormalProblem, charts: list[Chart]) -> FormalProblem:
    """fp with the scale fixed (sum = n for non-negative variables, sum of squares = n otherwise)."""
    vs = fp.variables
    nonneg = all(charts[0].ranges[v].lo == 0 for v in vs)
    norm = sp.Add(*vs) if nonneg else sp.Add(*[v**2 for v in vs])
    out = FormalProblem(
        kind=fp.kind, variables=list(vs), domains=dict(fp.domains),
        constraints=list(fp.constraints) + [sp.Eq(norm, len(vs))], origin=fp.origin,
        notes=list(fp.notes) + [f"scale fixed by {norm} = {len(vs)}"],
    )
    if not nonneg:
        # Solving a sum of squares for one variable puts a square-root branch point exactly where
        # that variable is 0; rescaling points onto the sphere has no such singularity.
        out.extra["projection"] = (norm, len(vs))
    return out


def extremum(
    expr: sp.Expr, fp: FormalProblem, sense: Literal["min", "max"], *, seconds: float = 8.0, seed: int = 0
) -> Extremum:
    """min or max of expr over fp's feasible set (domains and constraints)."""
    t0 = time.monotonic()
    deadline = t0 + seconds
    notes: list[str] = []
    try:
        charts = build_charts(fp)
        rng = np.random.default_rng(seed)
        if scale_free(expr, fp, charts, rng):
            fp = normalised(fp, charts)
            charts = build_charts(fp)
            notes.append(fp.notes[-1])
    except DomainError as exc:
        return Extremum(sense, None, notes=[f"domain: {exc}"])
    objective = expr if sense == "min" else -expr
    result = minimise(objective, charts, seconds=max(1.0, 0.6 * (deadline - time.monotonic())), seed=seed)
    sign = sp.Integer(1) if sense == "min" else sp.Integer(-1)
    best = result.best
    if best is None:
        return Extremum(sense, None, search=result, notes=notes + ["no feasible point found"])
    numeric = float(sign) * best.value
    eqs, ineqs = split_constraints(fp)
    if best.value < -UNBOUNDED:  # the objective went far down: infinite only if an exact limit says so
        path = _diverging(objective, [m for m in result.minima[:4] if m.value < -UNBOUNDED], charts, eqs, ineqs)
        if path is not None:
            method = f"exact limit {'-oo' if sense == 'min' else 'oo'} along a feasible path"
            return Extremum(sense, numeric, None, path, "limit", None, method, unbounded=True, search=result, notes=notes)
    near = [loc for loc in result.minima[:4] if abs(loc.value - best.value) <= LIMIT_TOL * max(1.0, abs(best.value))]
    found = _exact_value(objective, near, charts, eqs, ineqs, best.value, deadline)
    if found is not None:
        value, witness, where, digits, method = found
        return Extremum(sense, numeric, sign * value, witness, where, digits, method, search=result, notes=notes)
    if time.monotonic() > deadline:
        notes.append("time ran out while looking for an exact value")
    if abs(best.value) > UNBOUNDED:
        # nine digits of a value this large say nothing exact; far below, it may also be infinite
        note = "no exact point or limit found for a value this large"
        return Extremum(sense, numeric, None, None, _where(best), None, "", search=result, notes=notes + [note])
    cf = recognise(best.value, LOW_PRECISION_DIGITS)
    if cf is not None and not best.ends:
        notes.append("closed form read from the double-precision value only")
        return Extremum(sense, numeric, sign * cf.value, None, "interior", cf.digits, "recognised from double precision", search=result, notes=notes)
    return Extremum(sense, numeric, None, None, _where(best), None, "", search=result, notes=notes + ["no closed form found"])


def lowest_value(expr: sp.Expr, fp: FormalProblem, *, seconds: float = 3.0, seed: int = 7) -> Located | None:
    """An independent search (another seed, more samples) for the smallest value of expr: a second
    look that an uncertified answer must survive."""
    try:
        charts = build_charts(fp)
        if scale_free(expr, fp, charts, np.random.default_rng(seed)):
            charts = build_charts(normalised(fp, charts))
    except DomainError:
        return None
    return minimise(expr, charts, seconds=seconds, seed=seed, samples=24_000, starts=20).best


def _diverging(objective: sp.Expr, deep: list[Located], charts: list[Chart], eqs: list, ineqs: list) -> ExactPoint | None:
    """A feasible exact path along which sympy's limit of the objective is -oo, read from a point
    where the search went below -UNBOUNDED: the evidence that the extremum is infinite."""
    for loc in deep:
        if not loc.ends:
            continue
        chart = charts[loc.chart]
        st = structure_of(loc, chart, eqs, ineqs)
        if not st.limit_ends:
            continue
        ep = snapped(loc, st)
        if ep is None or not feasible_exactly(ep, chart, ineqs):
            continue
        if limit_value(objective, ep, st) == -sp.oo:
            ep.method = "variables tending to an end, exact limit"
            return ep
    return None


def _where(loc: Located) -> str:
    return "interior" if not loc.ends else "limit"


# (tie tolerance, active-constraint tolerance, value tolerance): looser readings of the point are
# tried only after stricter ones fail, and must land on a feasible exact point no worse than search.
READINGS = ((1e-5, 1e-7, ATTAINED_TOL), (1e-3, 1e-4, LIMIT_TOL), (1e-2, 1e-2, LIMIT_TOL))


Found = tuple[sp.Expr, ExactPoint | None, str, int | None, str]


def _exact_value(
    objective: sp.Expr, near: list[Located], charts: list[Chart], eqs: list, ineqs: list, best: float, deadline: float
) -> Found | None:
    """Exact candidates, cheapest first: snapping each near-best point, the symmetric points, then
    the reduced stationarity solve (mpmath) at each point and reading; the first that checks out wins."""
    structures = []
    for loc in near:
        chart = charts[loc.chart]
        seen: list = []
        for tie_tol, active_tol, value_tol in READINGS:
            st = structure_of(loc, chart, eqs, ineqs, tie_tol, active_tol)
            key = (tuple(map(tuple, st.groups)), tuple(map(str, st.equations)), tuple(st.ends.items()))
            if key not in seen:
                seen.append(key)
                structures.append((loc, chart, st, tie_tol, (LIMIT_TOL if st.limit_ends else value_tol) * max(1.0, abs(best))))
    for loc, chart, st, tie_tol, tol in structures:
        ep = snapped(loc, st, max(1e-7, tie_tol / 10))
        found = _check(objective, ep, loc.value, chart, st, eqs, ineqs, best, tol)
        if found is not None:
            return found
    tol = ATTAINED_TOL * max(1.0, abs(best))
    for chart in charts[:2]:
        for ep in symmetric_points(chart, eqs, ineqs, None, objective):
            found = _check(objective, ep, best, chart, structure_of_empty(), eqs, ineqs, best, tol)
            if found is not None:
                return found
    hp_values = []
    for loc, chart, st, _tie_tol, tol in structures:
        if time.monotonic() > deadline:
            break
        ep, hp_value = reduced(objective, loc, st, deadline)
        found = _check(objective, ep, loc.value, chart, st, eqs, ineqs, best, tol)
        if found is not None:
            return found
        if hp_value is not None:
            hp_values.append((hp_value, loc, st, tol))
    for hp_value, loc, st, tol in hp_values:
        if abs(float(hp_value) - loc.value) <= tol and float(hp_value) <= best + tol:
            cf = recognise(hp_value, 45)
            if cf is not None:
                where = "limit" if st.limit_ends else "interior"
                return cf.value, None, where, cf.digits, f"value recognised from {cf.digits} digits"
    return None


def _check(
    objective: sp.Expr, ep: ExactPoint | None, near_value: float, chart: Chart, st, eqs: list, ineqs: list, best: float, tol: float
) -> Found | None:
    """An exact point is kept when it is feasible and its exact value matches the search (and is no worse)."""
    if ep is None:
        return None
    if not feasible_exactly(ep, chart, ineqs):
        if not (chart.exclusions and feasible_exactly(ep, chart, ineqs, exclusions=False)):
            return None
        ep.approached = True  # only a "!=" condition excludes it: the value is a limit there
        ep.method += " (excluded by a != condition, so approached, not attained)"
    value = limit_value(objective, ep, st)
    if value is None or value.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
        return None
    value = _tidy(value)
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    if abs(v - near_value) > tol or v > best + tol:
        return None
    where = "limit" if ep.limits or ep.approached else ("boundary" if st.exact_ends or len(st.equations) > len(eqs) or _on_boundary(ep, chart) else "interior")
    return value, ep, where, None, ep.method


def _on_boundary(ep: ExactPoint, chart: Chart) -> bool:
    return any(v in chart.ranges and (val == chart.ranges[v].lo or val == chart.ranges[v].hi) for v, val in ep.point.items())


def _tidy(value: sp.Expr) -> sp.Expr:
    """A simpler equal form of an exact value (radicals denested, rationalised denominators)."""
    try:
        simple = sp.nsimplify(value) if value.is_number and value.is_rational else value
        simple = sp.radsimp(sp.sqrtdenest(sp.simplify(simple)))
    except (TypeError, ValueError, NotImplementedError):
        return value
    if simple.is_number and simple.is_finite:
        with mpmath.workdps(60):
            cf = recognise(mpmath.mpf(str(sp.N(simple, 70))), 50)
        if cf is not None and sp.count_ops(cf.value) < sp.count_ops(simple):
            return cf.value
    return simple
