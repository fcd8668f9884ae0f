"""Cheap evidence that a formal record means something: feasible points exist and the compared
expressions (or the target) are finite reals there.

This is not the search engine: it only needs a handful of feasible points. Equality constraints
are met by least squares from random starts in coordinates that keep every variable inside its
domain (x = lo + e^u for x > lo, a logistic map for an interval).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import sympy as sp
from qed.verifiers.formal import FormalProblem
from qed.verifiers.formalize.errors import FormalizeError
from scipy.optimize import least_squares

Point = dict[sp.Symbol, float]


def _bounds(domain: sp.Set) -> tuple[float, float, list[float]]:
    excluded: list[float] = []
    if isinstance(domain, sp.Complement) and isinstance(domain.args[1], sp.FiniteSet):
        excluded = [float(p) for p in domain.args[1]]
        domain = domain.args[0]
    if isinstance(domain, sp.Union):
        hull = sp.Interval(domain.inf, domain.sup)
        excluded += [float(b) for b in domain.boundary if not hull.boundary.contains(b)]
        domain = hull
    try:
        lo, hi = float(domain.inf), float(domain.sup)
    except (TypeError, ValueError, AttributeError):
        raise FormalizeError(f"cannot sample the domain {domain}") from None
    return lo, hi, excluded


def _to_domain(u: np.ndarray, lo: float, hi: float) -> np.ndarray:
    with np.errstate(all="ignore"):
        if lo == hi:
            return np.full_like(u, lo)
        if math.isinf(lo) and math.isinf(hi):
            return 2.0 * u
        if math.isinf(hi):
            return lo + np.exp(u)
        if math.isinf(lo):
            return hi - np.exp(u)
        return lo + (hi - lo) / (1.0 + np.exp(-u))


def _numeric(fn, values) -> complex | None:
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            v = complex(fn(*values))
    except (ArithmeticError, ValueError, TypeError, OverflowError):
        return None
    return v


def _real(v: complex | None) -> float | None:
    if v is None or not (math.isfinite(v.real) and math.isfinite(v.imag)):
        return None
    if abs(v.imag) > 1e-9 * max(1.0, abs(v.real)):
        return None
    return v.real


class _Condition:
    """A constraint evaluated numerically, with tolerances relative to the size of its sides."""

    def __init__(self, rel: sp.Basic, variables: list[sp.Symbol]):
        self.rel = rel
        left, right = (rel.rhs, rel.lhs) if isinstance(rel, (sp.Le, sp.Lt)) else (rel.lhs, rel.rhs)
        self.left = sp.lambdify(variables, left, "numpy")
        self.right = sp.lambdify(variables, right, "numpy")

    def sides(self, x) -> tuple[float, float] | None:
        left, right = _real(_numeric(self.left, x)), _real(_numeric(self.right, x))
        return None if left is None or right is None else (left, right)

    def residual(self, x) -> float:
        """Zero when satisfied (inequalities with a small margin), scaled to the sides' size."""
        sides = self.sides(x)
        if sides is None:
            return 1e6
        diff = (sides[0] - sides[1]) / max(1.0, abs(sides[0]), abs(sides[1]))
        if isinstance(self.rel, sp.Eq):
            return diff
        return min(0.0, diff - 1e-6)

    def holds(self, x) -> bool:
        sides = self.sides(x)
        if sides is None:
            return False
        diff = sides[0] - sides[1]
        scale = max(abs(sides[0]), abs(sides[1]), 1e-3)
        if isinstance(self.rel, sp.Eq):
            return abs(diff) <= 1e-9 * scale
        if isinstance(self.rel, sp.Ne):
            return abs(diff) > 1e-9 * scale
        if isinstance(self.rel, (sp.Gt, sp.Lt)):
            return diff > 0
        return diff >= 0


def sample_feasible(
    fp: FormalProblem, count: int = 8, seed: int = 0, starts: int = 40
) -> list[Point]:
    """Up to `count` points of the feasible set, found from random starts.

    Points within 1e-6 of a finite end of a domain are dropped: they are limits, where
    expressions are numerically fragile, not typical feasible points.
    """
    variables = list(fp.variables)
    if not variables:
        return [{}]
    rng = np.random.default_rng(seed)
    bounds = [_bounds(fp.domains.get(v, sp.Reals)) for v in variables]
    if any(c == sp.false for c in fp.constraints):
        return []
    try:
        conditions = [_Condition(c, variables) for c in fp.constraints if c != sp.true]
    except Exception as e:  # noqa: BLE001 - lambdify rejects odd expressions with many types
        raise FormalizeError(f"cannot evaluate the constraints numerically: {e}") from None
    has_equalities = any(isinstance(c.rel, sp.Eq) for c in conditions)

    def to_x(u: np.ndarray) -> np.ndarray:
        return np.array([_to_domain(u[i], *bounds[i][:2]) for i in range(len(variables))])

    def feasible(x: np.ndarray) -> bool:
        for i, (lo, hi, excluded) in enumerate(bounds):
            if not math.isfinite(x[i]) or any(abs(x[i] - p) < 1e-6 for p in excluded):
                return False
            for end in (lo, hi):
                if math.isfinite(end) and lo != hi and abs(x[i] - end) < 1e-6 * max(1.0, abs(end)):
                    return False
        return all(c.holds(x) for c in conditions)

    def residuals(u: np.ndarray) -> np.ndarray:
        x = to_x(u)
        return np.array([c.residual(x) for c in conditions if not isinstance(c.rel, sp.Ne)])

    points: list[Point] = []
    if not has_equalities:  # plain random draws first: they spread over the whole feasible set
        for _ in range(starts * 5):
            x = to_x(rng.normal(0.0, 1.2, size=len(variables)))
            if feasible(x):
                points.append(dict(zip(variables, (float(v) for v in x), strict=True)))
                if len(points) >= count:
                    return points
    if not any(not isinstance(c.rel, sp.Ne) for c in conditions):
        return points
    for _ in range(starts):
        u0 = rng.normal(0.0, 1.2, size=len(variables))
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                sol = least_squares(
                    residuals, u0, method="trf", max_nfev=150, xtol=1e-14, ftol=1e-14, gtol=1e-14
                )
        except (ValueError, ArithmeticError):
            continue
        x = to_x(sol.x)
        if feasible(x):
            points.append(dict(zip(variables, (float(v) for v in x), strict=True)))
            if len(points) >= count:
                break
    return points


def finite_share(expr: sp.Expr, variables: list[sp.Symbol], points: list[Point]) -> float:
    """The share of points where expr is a finite real number."""
    if not points:
        return 0.0
    try:
        fn = sp.lambdify(variables, expr, "numpy")
    except Exception:  # noqa: BLE001 - lambdify rejects odd expressions with many types
        return 0.0
    good = sum(_real(_numeric(fn, [p[v] for v in variables])) is not None for p in points)
    return good / len(points)


def values_at(expr: sp.Expr, variables: list[sp.Symbol], points: list[Point]) -> list[float | None]:
    fn = sp.lambdify(variables, expr, "numpy")
    return [_real(_numeric(fn, [p[v] for v in variables])) for p in points]


def check(fp: FormalProblem, points: list[Point], need: float = 0.75) -> None:
    """Raise FormalizeError unless the record's expressions are finite reals where feasible."""
    if not points:
        raise FormalizeError("no feasible point found (the conditions may be misread)")
    if fp.kind == "relation":
        named = [("left side", fp.lhs), ("right side", fp.rhs)]
    else:
        named = [("target", fp.target)] if fp.target is not None else []
    for label, expr in named:
        stray = expr.free_symbols - set(fp.variables)
        if stray:
            raise FormalizeError(
                f"the {label} uses undeclared {', '.join(sorted(map(str, stray)))}"
            )
        if finite_share(expr, fp.variables, points) < need:
            raise FormalizeError(f"the {label} is not a finite real at feasible points")
