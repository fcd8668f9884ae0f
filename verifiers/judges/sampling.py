"""Sample points where a proof's claims are meant to hold: in the domain, on the constraint surface.

Points are deterministic (seeded by what is sampled) so a verdict can be reproduced. Equality
constraints are met by solving each for one of its variables after the others are drawn;
inequality constraints filter the draws.
"""

from __future__ import annotations

import functools
import hashlib
import math
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy as sp


def by_name(s: sp.Symbol) -> str:
    return s.name


INTEGER_NAMES = {"n", "m", "k"}
_RELATIONALS = {"<": sp.StrictLessThan, ">": sp.StrictGreaterThan, "<=": sp.LessThan, ">=": sp.GreaterThan}


def relational(op: str, lhs: sp.Expr, rhs: sp.Expr) -> sp.Basic:
    """`lhs op rhs` kept as a relation even when sympy could decide it (x**2 + 1 >= 0 stays a filter)."""
    return _RELATIONALS[op](lhs, rhs, evaluate=False)
# What evaluating a reader-built expression at a number may raise; such a point is skipped.
NUMERIC_ERRORS = (ArithmeticError, ValueError, TypeError, AttributeError, KeyError, NameError,
                  RecursionError, IndexError)


@dataclass(frozen=True)
class Context:
    """Where to sample: a domain, per-variable bounds, equalities to satisfy, filters to pass."""

    domain: str  # positive, nonnegative, real, integer
    bounds: tuple[tuple[str, float | None, float | None], ...] = ()
    equalities: tuple[sp.Expr, ...] = ()  # each == 0
    substitutions: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()  # definitions applied in order
    filters: tuple[sp.Basic, ...] = ()
    label: str = "base"
    integer_symbols: frozenset[str] = field(default_factory=frozenset)

    def key(self) -> str:
        return _context_key(self)


@functools.lru_cache(maxsize=4096)
def _context_key(ctx: Context) -> str:
    """One string per context, computed once: printing sympy expressions is slow."""
    return "|".join([
        ctx.domain, repr(ctx.bounds), ";".join(map(str, ctx.equalities)),
        ";".join(f"{a}={b}" for a, b in ctx.substitutions), ";".join(map(str, ctx.filters)),
        ",".join(sorted(ctx.integer_symbols)),
    ])


def _rng(seed_text: str) -> np.random.Generator:
    seed = int.from_bytes(hashlib.sha256(seed_text.encode()).digest()[:8], "little")
    return np.random.default_rng(seed)


def _draw(rng: np.random.Generator, domain: str, lo: float | None, hi: float | None, integer: bool) -> float:
    if integer:
        low = 1 if lo is None else max(1, math.ceil(lo))
        high = low + 9 if hi is None else math.floor(hi)
        if high < low:
            return float(low)
        return float(rng.integers(low, high + 1))
    if lo is not None and hi is not None:
        return float(rng.uniform(lo, hi)) if hi > lo else float(lo)
    if lo is not None:
        return lo + _positive(rng)
    if hi is not None:
        return hi - _positive(rng) if domain == "real" else (
            float(rng.uniform(0, hi)) if hi > 0 else hi - _positive(rng))
    if domain == "positive":
        return _positive(rng)
    if domain == "nonnegative":
        return 0.0 if rng.random() < 0.05 else _positive(rng)
    x = _positive(rng)
    return x if rng.random() < 0.5 else -x


def _positive(rng: np.random.Generator) -> float:
    r = rng.random()
    if r < 0.5:
        return float(math.exp(rng.uniform(math.log(0.1), math.log(10.0))))
    if r < 0.75:
        return float(rng.uniform(0.05, 3.0))
    return float(rng.uniform(0.5, 2.0))


_SCALES = (1.0, 1.0, 0.5, 0.25, 0.1, 0.03)


def _nudge(rng: np.random.Generator, x: float, spread: float, lo: float | None, hi: float | None,
           domain: str) -> float:
    """A value near x, by a relative step, kept inside the variable's bounds and domain."""
    if domain in ("positive", "nonnegative"):
        lo = 0.0 if lo is None else max(lo, 0.0)
    if x > 0 and lo is not None and lo >= 0:
        y = x * math.exp(rng.normal(0.0, spread))
    else:
        y = x + rng.normal(0.0, spread) * max(1.0, abs(x))
    if lo is not None and y < lo:
        y = lo + (lo - y) if hi is None or lo + (lo - y) <= hi else lo
    if hi is not None and y > hi:
        y = hi - (y - hi) if lo is None or hi - (y - hi) >= lo else hi
    if domain == "positive" and y <= 0:
        y = abs(x) * 1e-3 or 1e-6
    return y


class PointSet:
    """Up to `n` points (dicts name → value) for a context and a set of variables."""

    def __init__(self, points: list[dict[sp.Symbol, float]], attempted: int):
        self.points = points
        self.attempted = attempted


def sample(context: Context, symbols: Sequence[sp.Symbol], n: int = 40, max_tries: int = 400,
           budget_s: float = 0.5, near: Sequence[dict[sp.Symbol, float]] = (), spread: float = 0.3) -> PointSet:
    """Points of the context; with `near`, points drawn around those (each free value moved by a
    relative amount of about `spread`), to look for a counterexample close to where a claim is tight."""
    defined = {s for s, _ in context.substitutions}
    if defined and context.equalities:
        # conditions are solved in terms of the free variables: write the definitions into them;
        # a condition the substitutions fix entirely is dropped
        eqs = []
        for e in context.equalities:
            for s, v in reversed(context.substitutions):
                e = e.subs(s, v)
            if e.free_symbols - defined:
                eqs.append(e)
        context = Context(context.domain, context.bounds, tuple(eqs), context.substitutions,
                          context.filters, context.label, context.integer_symbols)
    eq_syms: set[sp.Symbol] = set()
    for e in context.equalities:
        eq_syms |= e.free_symbols
    sub_syms: set[sp.Symbol] = set()
    for _, e in context.substitutions:
        sub_syms |= e.free_symbols
    for f in context.filters:
        sub_syms |= f.free_symbols
    wanted = sorted(set(symbols) | eq_syms | sub_syms | defined, key=by_name)
    fallback = _choose_solve_vars(context.equalities, defined)
    if fallback is None:
        return PointSet([], 0)
    bounds = {name: (lo, hi) for name, lo, hi in context.bounds}
    rng = _rng(context.key() + "#" + ",".join(s.name for s in wanted) + (f"~{spread}" if near else ""))
    points: list[dict[sp.Symbol, float]] = []
    tries = 0
    filters = [_compile_filter(f) for f in context.filters]
    orderings = _orderings(context.filters)
    subs = [(s, *_compiled_definition(e)) for s, e in context.substitutions]
    if context.equalities:
        import scipy.optimize  # noqa: F401 (slow first import; keep it out of the sampling budget)
    # the budget is this process's CPU time, not wall time: a verdict must not depend on what else the
    # machine is running (a model server on the same cores)
    deadline = time.process_time() + budget_s
    while len(points) < n and tries < max_tries and time.process_time() < deadline:
        if tries >= max_tries // 4 and not points:
            break  # this context is (nearly) empty: do not spend the budget on it
        tries += 1
        # which variable each condition is solved for is drawn too, so no variable is favoured
        solve_for = _choose_solve_vars(context.equalities, defined, rng) or fallback
        free = [s for s in wanted if s not in defined and s not in solve_for.values()]
        solvers = {i: _univariate_solver(e, solve_for[i]) for i, e in enumerate(context.equalities)}
        pt: dict[sp.Symbol, float] = {}
        # on a surface such as a+b+c=1 the other variables must be small enough to leave room
        scale = float(rng.choice(_SCALES)) if context.equalities else 1.0
        centre = near[tries % len(near)] if near else None
        for s in free:
            lo, hi = bounds.get(s.name, (None, None))
            integer = s.name in context.integer_symbols or context.domain == "integer"
            if centre is not None and s in centre:
                pt[s] = centre[s] if integer else _nudge(rng, centre[s], spread, lo, hi, context.domain)
                continue
            x = _draw(rng, context.domain, lo, hi, integer)
            pt[s] = x * scale if (lo is None and hi is None and not integer) else x
        _respect_orderings(orderings, pt)
        if not _solve_equalities(context.equalities, solve_for, solvers, pt, rng, bounds, context.domain):
            continue
        if not _apply_substitutions(subs, pt):
            continue
        if defined and not all(in_domain(pt[s], bounds.get(s.name, (None, None)), "real") for s in defined):
            continue  # x = a + 1 with x > 1 in the problem: the new variable a must keep x in range
        if not all(f(pt) for f in filters):
            continue
        points.append(pt)
    return PointSet(points, tries)


def _orderings(filters: Sequence[sp.Basic]) -> list[tuple[sp.Symbol, sp.Symbol]]:
    """(larger, smaller) pairs from filters such as a >= b: WLOG orderings of the variables."""
    out = []
    for f in filters:
        if isinstance(f, sp.Rel) and isinstance(f.lhs, sp.Symbol) and isinstance(f.rhs, sp.Symbol):
            if isinstance(f, (sp.GreaterThan, sp.StrictGreaterThan)):
                out.append((f.lhs, f.rhs))
            elif isinstance(f, (sp.LessThan, sp.StrictLessThan)):
                out.append((f.rhs, f.lhs))
    return out


def _respect_orderings(pairs: list[tuple[sp.Symbol, sp.Symbol]], pt: dict[sp.Symbol, float]) -> None:
    """Reassign the drawn values so a >= b >= c ... holds (instead of rejecting 5! - 1 of 5! draws)."""
    pairs = [(a, b) for a, b in pairs if a in pt and b in pt]
    if not pairs:
        return
    nodes = sorted({x for p in pairs for x in p}, key=by_name)
    below = {n: {b for a, b in pairs if a == n} for n in nodes}
    order: list[sp.Symbol] = []
    remaining = set(nodes)
    while remaining:
        top = [n for n in sorted(remaining, key=by_name) if not any(n in below[m] for m in remaining)]
        if not top:
            return  # a cycle: leave the draw to the filters
        order += top
        remaining -= set(top)
    values = sorted((pt[n] for n in nodes), reverse=True)
    for n, v in zip(order, values, strict=True):
        pt[n] = v


def _choose_solve_vars(equalities: Sequence[sp.Expr], taken: set[sp.Symbol],
                       rng: np.random.Generator | None = None) -> dict[int, sp.Symbol] | None:
    """For each condition a variable of lowest degree to solve it for (drawn among ties)."""
    chosen: dict[int, sp.Symbol] = {}
    used = set(taken)
    shared = {s: sum(s in e.free_symbols for e in equalities) for s in set().union(*(e.free_symbols for e in equalities))}
    for i, e in enumerate(equalities):
        # lowest degree first, then a symbol no other condition mentions (u in u = ab + bc + ca)
        def rank(s: sp.Symbol, e: sp.Expr = e) -> tuple[int, int]:
            return (_degree(e, s), shared.get(s, 0))

        cands = sorted(e.free_symbols - used, key=lambda s: (*rank(s), s.name))
        if not cands:
            return None
        best = [c for c in cands if rank(c) == rank(cands[0])]
        pick = best[int(rng.integers(0, len(best)))] if rng is not None else best[0]
        chosen[i] = pick
        used.add(pick)
    return chosen


@functools.lru_cache(maxsize=4096)
def _compiled_definition(e: sp.Expr):  # noqa: ANN202
    args = sorted(e.free_symbols, key=by_name)
    return sp.lambdify(args, e, "numpy"), args


@functools.lru_cache(maxsize=4096)
def _degree(e: sp.Expr, s: sp.Symbol) -> int:
    try:
        return int(sp.degree(sp.numer(sp.together(e)), s))
    except (sp.PolynomialError, ValueError, TypeError):
        return 99


@functools.lru_cache(maxsize=2048)
def _univariate_solver(e: sp.Expr, var: sp.Symbol):  # noqa: ANN202 (returns a closure)
    others = sorted(e.free_symbols - {var}, key=by_name)
    num = sp.numer(sp.together(e))
    try:
        poly = sp.Poly(num, var)
        coeffs = [sp.lambdify(others, c, "math") for c in poly.all_coeffs()]

        def solve_poly(values: dict[sp.Symbol, float]) -> list[float]:
            args = [values[o] for o in others]
            try:
                cs = [float(c(*args)) for c in coeffs]
            except NUMERIC_ERRORS:
                return []
            while cs and cs[0] == 0:
                cs.pop(0)
            if len(cs) < 2 or not all(math.isfinite(c) for c in cs):
                return []
            roots = np.roots(cs)
            return [float(r.real) for r in roots if abs(r.imag) < 1e-9 * max(1.0, abs(r))]

        return solve_poly, e, others, var
    except (sp.PolynomialError, sp.GeneratorsNeeded):
        f = sp.lambdify([var, *others], e, "numpy")

        def solve_general(values: dict[sp.Symbol, float]) -> list[float]:
            args = [values[o] for o in others]
            return _bracketed_roots(lambda x: f(x, *args))

        return solve_general, e, others, var


_GRID = np.concatenate([-np.logspace(2, -3, 60), [0.0], np.logspace(-3, 2, 60)])


def _bracketed_roots(f) -> list[float]:  # noqa: ANN001
    """Real roots of a one-variable function: sign changes on a grid, refined by bisection."""
    from scipy.optimize import brentq

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            vals = np.asarray(f(_GRID.astype(complex)), dtype=complex)
        except NUMERIC_ERRORS:
            return []
    if vals.shape != _GRID.shape:
        return []
    real = np.where(np.abs(vals.imag) < 1e-9, vals.real, np.nan)
    roots: list[float] = []

    def g(x: float) -> float:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(np.real(f(complex(x))))

    for k in range(len(_GRID) - 1):
        a, b = real[k], real[k + 1]
        if not (np.isfinite(a) and np.isfinite(b)):
            continue
        if a == 0:
            roots.append(float(_GRID[k]))
        elif np.sign(a) != np.sign(b):
            try:
                roots.append(float(brentq(g, _GRID[k], _GRID[k + 1], xtol=1e-14, maxiter=100)))
            except (*NUMERIC_ERRORS, RuntimeError):
                continue
    return roots


def _solve_equalities(equalities, solve_for, solvers, pt, rng, bounds, domain) -> bool:  # noqa: ANN001
    pending = list(range(len(equalities)))
    progress = True
    while pending and progress:
        progress = False
        for i in list(pending):
            solver, _e, others, var = solvers[i]
            if not all(o in pt for o in others):
                continue
            roots = [r for r in solver(pt) if in_domain(r, bounds.get(var.name, (None, None)), domain)]
            if not roots:
                return False
            pt[var] = roots[int(rng.integers(0, len(roots)))]
            pending.remove(i)
            progress = True
    if pending:
        return _solve_jointly([equalities[i] for i in pending], [solve_for[i] for i in pending], pt, rng,
                              bounds, domain)
    return True


_JOINT_CACHE: dict[tuple, tuple | None] = {}


def _joint_functions(eqs: tuple[sp.Expr, ...], unknowns: tuple[sp.Symbol, ...]):  # noqa: ANN202
    key = (eqs, unknowns)
    if key not in _JOINT_CACHE:
        rest = sorted(set().union(*(e.free_symbols for e in eqs)) - set(unknowns), key=by_name)
        try:
            fs = [sp.lambdify([*unknowns, *rest], e, "numpy") for e in eqs]
            _JOINT_CACHE[key] = (rest, fs)
        except (*NUMERIC_ERRORS, SyntaxError):
            _JOINT_CACHE[key] = None
        if len(_JOINT_CACHE) > 512:
            _JOINT_CACHE.pop(next(iter(_JOINT_CACHE)))
    return _JOINT_CACHE[key]


def _solve_jointly(eqs, unknowns, pt, rng, bounds, domain) -> bool:  # noqa: ANN001
    """Conditions that share their unknowns (x+y+z=3 and xyz=x+y+z) are solved together."""
    from scipy.optimize import least_squares

    compiled = _joint_functions(tuple(eqs), tuple(unknowns))
    if compiled is None:
        return False
    rest, fs = compiled
    if not all(r in pt for r in rest):
        return False
    fixed = [pt[r] for r in rest]

    def residual(xs: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = np.array([complex(f(*xs, *fixed)) for f in fs])
        return np.where(np.isfinite(out.real), out.real, 1e6) + np.abs(out.imag)

    for _ in range(2):
        start = np.array([_draw(rng, domain, *bounds.get(u.name, (None, None)), False) for u in unknowns])
        try:
            sol = least_squares(residual, start, xtol=1e-14, ftol=1e-14, gtol=1e-14, max_nfev=120)
        except (*NUMERIC_ERRORS, RuntimeError):
            continue
        if not sol.success or np.max(np.abs(residual(sol.x))) > 1e-9:
            continue
        if all(in_domain(float(v), bounds.get(u.name, (None, None)), domain) for u, v in zip(unknowns, sol.x, strict=True)):
            for u, v in zip(unknowns, sol.x, strict=True):
                pt[u] = float(v)
            return True
    return False


def in_domain(x: float, bound: tuple[float | None, float | None], domain: str) -> bool:
    """x is finite, within the bounds (to 1e-12) and in the domain."""
    if not math.isfinite(x):
        return False
    lo, hi = bound
    if lo is not None and x < lo - 1e-12:
        return False
    if hi is not None and x > hi + 1e-12:
        return False
    if domain == "positive" and x <= 0:
        return False
    return not (domain == "nonnegative" and x < 0)


def _value_at(fn, args, pt) -> complex | None:  # noqa: ANN001
    """A compiled expression at a point, quietly; None where it is undefined there."""
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return complex(fn(*[pt[a] for a in args]))
    except NUMERIC_ERRORS:
        return None


def _apply_substitutions(subs, pt) -> bool:  # noqa: ANN001
    for s, fn, args in subs:
        value = _value_at(fn, args, pt)
        if value is None or not math.isfinite(value.real) or abs(value.imag) > 1e-9:
            return False
        pt[s] = value.real
    return True


@functools.lru_cache(maxsize=2048)
def _compile_filter(rel: sp.Basic):  # noqa: ANN202
    if not isinstance(rel, sp.Rel):
        return lambda pt, keep=bool(rel): keep  # a decided condition: always or never met
    args = sorted(rel.free_symbols, key=by_name)
    lhs = sp.lambdify(args, rel.lhs, "numpy")  # type: ignore[attr-defined]
    rhs = sp.lambdify(args, rel.rhs, "numpy")  # type: ignore[attr-defined]
    op = type(rel)

    def ok(pt: dict[sp.Symbol, float]) -> bool:
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                a = float(lhs(*[pt[s] for s in args]))
                b = float(rhs(*[pt[s] for s in args]))
        except NUMERIC_ERRORS:
            return False
        if not (math.isfinite(a) and math.isfinite(b)):
            return False
        if op is sp.Lt:
            return a < b
        if op is sp.Gt:
            return a > b
        if op is sp.Le:
            return a <= b
        if op is sp.Ge:
            return a >= b
        return False

    return ok


def contains(context: Context, point: dict[sp.Symbol, float]) -> bool:
    """The point lies in the context: its definitions hold at it (a defined letter the point lacks is
    computed), every condition is met (to 1e-8), every filter and bound passed. A variable the context
    needs and the point lacks: False."""
    pt = dict(point)
    defined = {s for s, _e in context.substitutions}
    for s in pt:
        if s in defined:
            continue
        bound = next(((lo, hi) for name, lo, hi in context.bounds if name == s.name), (None, None))
        integer = s.name in context.integer_symbols or context.domain == "integer"
        if not in_domain(pt[s], bound, context.domain) or (integer and pt[s] != round(pt[s])):
            return False
    subs = [(s, *_compiled_definition(e)) for s, e in context.substitutions]
    if not all(a in pt for _s, _fn, args in subs for a in args if a not in defined):
        return False
    if not _apply_substitutions(subs, pt):
        return False
    scale = max([1.0, *(abs(v) for v in pt.values())])
    if any(abs(pt[s] - point[s]) > 1e-8 * scale for s in defined if s in point):
        return False  # the point gives a defined letter another value than its definition
    for e in context.equalities:
        if not e.free_symbols <= set(pt):
            return False
        value = _value_at(*_compiled_definition(e), pt)
        if value is None or not (math.isfinite(value.real) and abs(value) <= 1e-8 * scale):
            return False
    for f in context.filters:
        if not f.free_symbols <= set(pt) or not _compile_filter(f)(pt):
            return False
    return True
