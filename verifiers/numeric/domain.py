"""The feasible set of a formal problem as charts that map free coordinates to feasible points.

A search works in unconstrained coordinates u (one per free variable) and a chart turns them into
points of the feasible set: each free variable goes through a monotone map onto its interval
(exp for a half-line, a logistic for a bounded interval), equality constraints are met by
eliminating one variable per constraint (a symbolic solution, or every real root of a polynomial
equation computed in batch), and the remaining inequality constraints filter the points. Points
that are not feasible come back as NaN columns. Endpoints of closed intervals are reachable
exactly (u = -inf / +inf); open endpoints and infinity are approached (|u| = U_LIMIT).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import sympy as sp
from qed.verifiers.formal import FormalProblem
from qed.verifiers.numeric.compile import Vectorised, vectorise

U_LIMIT = 30.0  # exp(30) ~ 1e13: "tends to 0" / "tends to infinity" in the search coordinates.
MAX_POLY_DEGREE = 8


class DomainError(ValueError):
    """The feasible set is of a kind the numeric search cannot chart (the message says which)."""


@dataclass
class VarRange:
    """A variable's interval, with its exact endpoints and isolated excluded points."""

    lo: sp.Expr
    hi: sp.Expr
    lo_open: bool
    hi_open: bool
    excluded: list[sp.Expr] = field(default_factory=list)

    @property
    def lo_f(self) -> float:
        return float(self.lo) if self.lo.is_finite else -math.inf

    @property
    def hi_f(self) -> float:
        return float(self.hi) if self.hi.is_finite else math.inf

    def contains(self, x: np.ndarray) -> np.ndarray:
        lo_ok = (x > self.lo_f) if self.lo_open else (x >= self.lo_f)
        hi_ok = (x < self.hi_f) if self.hi_open else (x <= self.hi_f)
        return lo_ok & hi_ok & np.isfinite(x)

    def from_u(self, u: np.ndarray) -> np.ndarray:
        lo, hi = self.lo_f, self.hi_f
        with np.errstate(all="ignore"):
            if math.isfinite(lo) and math.isfinite(hi):
                return lo + (hi - lo) / (1.0 + np.exp(-u))
            if math.isfinite(lo):
                return lo + np.exp(u)
            if math.isfinite(hi):
                return hi - np.exp(-u)
            return np.sinh(u)

    def to_u(self, x: np.ndarray) -> np.ndarray:
        lo, hi = self.lo_f, self.hi_f
        with np.errstate(all="ignore"):
            if math.isfinite(lo) and math.isfinite(hi):
                t = (x - lo) / (hi - lo)
                return np.log(t) - np.log1p(-t)
            if math.isfinite(lo):
                return np.log(x - lo)
            if math.isfinite(hi):
                return -np.log(hi - x)
            return np.arcsinh(x)

    def u_bounds(self) -> tuple[float, float]:
        """The u-interval a local search stays in; closed ends are reached by explicit probes."""
        return -U_LIMIT, U_LIMIT

    def closed_u_ends(self) -> list[float]:
        """u-values that land exactly on a closed endpoint."""
        ends = []
        if not self.lo_open and self.lo.is_finite:
            ends.append(-math.inf)
        if not self.hi_open and self.hi.is_finite:
            ends.append(math.inf)
        return ends


def range_of(domain: sp.Set) -> VarRange:
    """The hull of a sympy set as a VarRange; isolated missing points become `excluded`."""
    domain = sp.S.Reals.intersect(domain)
    if domain is sp.S.EmptySet:
        raise DomainError("a variable's domain is empty")
    if isinstance(domain, sp.Interval):
        return VarRange(domain.start, domain.end, bool(domain.left_open), bool(domain.right_open))
    if isinstance(domain, sp.Union) and all(isinstance(a, sp.Interval) for a in domain.args):
        parts = sorted(domain.args, key=lambda i: float(i.start) if i.start.is_finite else -math.inf)
        excluded = []
        for left, right in itertools.pairwise(parts):
            if left.end != right.start:
                raise DomainError(f"domain {domain} is not an interval with isolated points removed")
            excluded.append(left.end)
        return VarRange(parts[0].start, parts[-1].end, bool(parts[0].left_open), bool(parts[-1].right_open), excluded)
    if isinstance(domain, sp.Complement) and isinstance(domain.args[1], sp.FiniteSet):
        base = range_of(domain.args[0])
        base.excluded += list(domain.args[1].args)
        return base
    raise DomainError(f"cannot chart a variable over {domain}")


@dataclass
class Elimination:
    """A variable fixed by an equality constraint: a closed form, or root number `branch` of a polynomial."""

    var: sp.Symbol
    expr: sp.Expr | None = None
    poly_coeffs: list[sp.Expr] | None = None  # highest degree first, in the other variables
    branch: int = 0


@dataclass
class Chart:
    """One parametrisation of (a piece of) the feasible set; see the module docstring."""

    variables: list[sp.Symbol]
    free: list[sp.Symbol]
    ranges: dict[sp.Symbol, VarRange]
    eliminations: list[Elimination]
    inequalities: list[tuple[sp.Expr, bool]]  # (g, strict): feasible iff g >= 0 (g > 0 if strict)
    label: str = ""
    equations: list[sp.Expr] = field(default_factory=list)  # the equalities the eliminations solve
    # (g, value): points are rescaled so that the homogeneous g equals value (a scale normalisation)
    projection: tuple[sp.Expr, int] | None = None
    # g != 0 conditions over several variables ("distinct"): measure zero for a search, but an
    # exact point must avoid them
    exclusions: list[sp.Expr] = field(default_factory=list)
    _compiled: dict = field(default_factory=dict, repr=False)

    @property
    def dim(self) -> int:
        return len(self.free)

    def _fn(self, key: object, expr: sp.Expr) -> Vectorised:
        if key not in self._compiled:
            self._compiled[key] = vectorise(expr, self.variables)
        return self._compiled[key]

    def points(self, u: np.ndarray) -> np.ndarray:
        """Feasible points (len(variables), N) for coordinates u (dim, N); infeasible columns are NaN."""
        u = np.atleast_2d(np.asarray(u, dtype=float))
        n = u.shape[1]
        x = np.full((len(self.variables), n), np.nan)
        index = {v: i for i, v in enumerate(self.variables)}
        for j, v in enumerate(self.free):
            x[index[v]] = self.ranges[v].from_u(u[j])
        if self.projection is not None:
            g, value = self.projection
            degree = sp.Poly(g, *self.variables).total_degree()
            with np.errstate(all="ignore"):
                x = x * (value / self._fn(("projection",), g)(x)) ** (1.0 / degree)
        for k in reversed(range(len(self.eliminations))):
            elim = self.eliminations[k]
            if elim.expr is not None:
                x[index[elim.var]] = self._fn(("elim", k), elim.expr)(x)
            else:
                x[index[elim.var]] = self._poly_root(k, elim, x)
        ok = np.all(np.isfinite(x), axis=0)
        for v in self.variables:
            ok &= self.ranges[v].contains(x[index[v]])
        for k, (g, strict) in enumerate(self.inequalities):
            gv = self._fn(("ineq", k), g)(x)
            ok &= (gv > 0) if strict else (gv >= 0)
        for k, eq in enumerate(self.equations):
            ok &= self._residual_small(k, eq, x)
        x[:, ~ok] = np.nan
        return x

    def _residual_small(self, k: int, eq: sp.Expr, x: np.ndarray) -> np.ndarray:
        """Points where cancellation made the solved equality false (|lhs - rhs| large relative to its terms) are dropped."""
        terms = sp.Add.make_args(sp.expand(eq)) if len(sp.Add.make_args(eq)) > 1 else (eq,)
        key = ("eqsize", k)
        if key not in self._compiled:
            self._compiled[key] = vectorise(sp.Add(*[sp.Abs(t) for t in terms]), self.variables)
        residual = np.abs(self._fn(("eq", k), eq)(x))
        size = self._compiled[key](x)
        return residual <= 1e-8 * (1.0 + size)

    def _poly_root(self, k: int, elim: Elimination, x: np.ndarray) -> np.ndarray:
        coeffs = np.stack([self._fn(("coef", k, i), c)(x) for i, c in enumerate(elim.poly_coeffs)], axis=1)
        return real_root_branch(coeffs, elim.branch)

    def u_of(self, x: np.ndarray) -> np.ndarray:
        """Search coordinates of full points (len(variables), N); the inverse of `points` on free vars."""
        index = {v: i for i, v in enumerate(self.variables)}
        return np.stack([self.ranges[v].to_u(x[index[v]]) for v in self.free])


def real_root_branch(coeffs: np.ndarray, branch: int) -> np.ndarray:
    """The `branch`-th smallest real root of each row's polynomial (NaN where there are fewer)."""
    n, deg1 = coeffs.shape
    out = np.full(n, np.nan)
    lead = coeffs[:, 0]
    good = np.all(np.isfinite(coeffs), axis=1) & (np.abs(lead) > 1e-300)
    if deg1 < 2 or not good.any():
        return out
    c = coeffs[good] / lead[good, None]
    deg = deg1 - 1
    companion = np.zeros((c.shape[0], deg, deg))
    companion[:, 0, :] = -c[:, 1:]
    if deg > 1:
        companion[:, np.arange(1, deg), np.arange(deg - 1)] = 1.0
    with np.errstate(all="ignore"):
        roots = np.linalg.eigvals(companion)
    real = np.where(np.abs(roots.imag) <= 1e-9 * (1 + np.abs(roots.real)), roots.real, np.nan)
    real.sort(axis=1)  # NaN sort last
    if branch < deg:
        out[good] = real[:, branch]
    return out


def _single_variable_set(rel: sp.Basic, var: sp.Symbol) -> sp.Set | None:
    try:
        result = sp.solveset(rel, var, sp.S.Reals)
    except (NotImplementedError, ValueError, TypeError):
        return None
    return result if isinstance(result, sp.Set) and not isinstance(result, sp.ConditionSet) else None


def _as_nonnegative(rel: sp.Basic) -> tuple[sp.Expr, bool]:
    """(g, strict) with rel  <=>  g >= 0 (g > 0 when strict)."""
    if isinstance(rel, (sp.GreaterThan, sp.StrictGreaterThan)):
        return rel.lhs - rel.rhs, isinstance(rel, sp.StrictGreaterThan)
    if isinstance(rel, (sp.LessThan, sp.StrictLessThan)):
        return rel.rhs - rel.lhs, isinstance(rel, sp.StrictLessThan)
    raise DomainError(f"constraint {rel} is not an inequality")


def _eliminations_for(eq: sp.Expr, candidates: list[sp.Symbol]) -> tuple[sp.Symbol, list[Elimination]] | None:
    """Ways to solve eq = 0 for one variable, simplest first.

    Degree <= 2 in the variable: closed forms. Higher polynomial degree: every real root, computed
    in batch (Cardano's formulas go through complex intermediates that numpy cannot follow).
    Not polynomial: sympy's closed forms, if it finds few.
    """
    options = []
    num = sp.numer(sp.together(eq))
    for v in candidates:
        if v not in eq.free_symbols:
            continue
        try:
            poly = sp.Poly(num, v)
        except sp.PolynomialError:
            poly = None
        if poly is not None and poly.degree() <= 2:
            sols = [s for s in sp.solve(num, v) if not s.has(sp.I)]
            if sols:
                options.append((poly.degree(), len(sols), v, [Elimination(v, expr=s) for s in sols]))
                continue
        if poly is not None and 3 <= poly.degree() <= MAX_POLY_DEGREE:
            coeffs = [sp.expand(c) for c in poly.all_coeffs()]
            branches = [Elimination(v, poly_coeffs=coeffs, branch=b) for b in range(poly.degree())]
            options.append((poly.degree() + 10, len(branches), v, branches))
            continue
        if poly is None:
            try:
                sols = [s for s in sp.solve(eq, v) if not s.has(sp.I)]
            except (NotImplementedError, ValueError):
                sols = []
            if 0 < len(sols) <= 4:
                options.append((30, len(sols), v, [Elimination(v, expr=s) for s in sols]))
    if not options:
        return None
    options.sort(key=lambda o: (o[0], o[1], candidates.index(o[2])))
    _, _, v, elims = options[0]
    return v, elims


def build_charts(fp: FormalProblem, variables: list[sp.Symbol] | None = None) -> list[Chart]:
    """Every chart of fp's feasible set (one per branch of each eliminated equality)."""
    variables = list(variables if variables is not None else fp.variables)
    ranges = {v: range_of(fp.domains.get(v, sp.S.Reals)) for v in variables}
    equalities: list[sp.Expr] = []
    inequalities: list[tuple[sp.Expr, bool]] = []
    exclusions: list[sp.Expr] = []
    for rel in fp.constraints:
        if rel is sp.true:
            continue
        if rel is sp.false:
            raise DomainError("a constraint is always false")
        free = rel.free_symbols & set(variables)
        if isinstance(rel, sp.Eq):
            equalities.append(rel.lhs - rel.rhs)
            continue
        if isinstance(rel, sp.Ne):
            # A measure-zero exclusion does not change a search; exact points must still avoid it.
            if len(free) == 1:
                v = next(iter(free))
                pts = _single_variable_set(sp.Eq(rel.lhs, rel.rhs), v)
                if isinstance(pts, sp.FiniteSet):
                    ranges[v].excluded += list(pts.args)
                    continue
            exclusions.append(rel.lhs - rel.rhs)
            continue
        if not isinstance(rel, sp.core.relational.Relational):
            raise DomainError(f"constraint {rel} is not a relation")
        if len(free) == 1:
            v = next(iter(free))
            allowed = _single_variable_set(rel, v)
            if allowed is not None:
                current = (sp.Interval(ranges[v].lo, ranges[v].hi, ranges[v].lo_open, ranges[v].hi_open))
                excluded = ranges[v].excluded
                ranges[v] = range_of(current.intersect(allowed))
                ranges[v].excluded += excluded
                continue
        inequalities.append(_as_nonnegative(rel))
    projection = fp.extra.get("projection")
    if projection is not None:
        g, value = projection
        equalities = [e for e in equalities if sp.expand(e - (g - value)) != 0]
    charts: list[Chart] = []
    _branch(equalities, list(variables), [], variables, ranges, inequalities, charts, equalities)
    for chart in charts:
        chart.projection = projection
        chart.exclusions = list(exclusions)
    return charts


def _branch(
    equalities: list[sp.Expr],
    free: list[sp.Symbol],
    done: list[Elimination],
    variables: list[sp.Symbol],
    ranges: dict[sp.Symbol, VarRange],
    inequalities: list[tuple[sp.Expr, bool]],
    out: list[Chart],
    original: list[sp.Expr],
) -> None:
    """Eliminate the equalities one by one, one chart per combination of solution branches.

    Each later elimination is solved after substituting the earlier closed forms, so points are
    computed in reverse order of elimination (see Chart.points).
    """
    if not equalities:
        label = ",".join(f"{e.var}#{e.branch}" for e in done)
        out.append(Chart(variables, list(free), ranges, list(done), list(inequalities), label, list(original)))
        return
    eq, rest = equalities[0], equalities[1:]
    found = _eliminations_for(eq, list(reversed(free)))
    if found is None:
        raise DomainError(f"cannot solve the constraint {eq} = 0 for any variable")
    v, elims = found
    remaining = [f for f in free if f != v]
    for i, elim in enumerate(elims):
        if elim.expr is None and any(v in r.free_symbols for r in rest):
            raise DomainError(f"cannot eliminate {v} from several equality constraints at once")
        if elim.expr is not None:
            elim.branch = i
        later = [sp.together(r.subs(v, elim.expr)) if elim.expr is not None else r for r in rest]
        _branch(later, remaining, done + [elim], variables, ranges, inequalities, out, original)
