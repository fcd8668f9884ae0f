"""Decide whether one claimed relation is true, false, or not decidable from the text alone.

Closed relations (no variables) are evaluated to 50 digits. Relations with variables are tested
at sampled points in every context the proof makes plausible (the problem's domain and side
conditions, the proof's own definitions and assumptions). A relation is called false only when
no context makes it hold and it fails at nearly every sampled point of each; anything weaker is
"conditional", and whatever cannot be read is "unchecked". Decimals are compared to the
precision they are written with, so an honest rounding is never a computation error.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy as sp
from qed.verifiers.judges.sampling import (
    NUMERIC_ERRORS,
    Context,
    PointSet,
    by_name,
    contains,
    sample,
)
from qed.verifiers.latex import FORMULA, Formula, LatexError, Readings, read_formula

Status = str  # true | false | conditional | approximate | unchecked | definition

# A relation with variables is false when, in every context tried, it fails at MIN_FAILS or more
# sampled points (clear of rounding). Conditions the text states are contexts; a condition the
# text leaves unstated is what the step is then missing, and the proof is wrong as written.
MIN_FAILS = 1
MIN_POINTS = 10
_DPS = 50
SAMPLED_REL_TOL = 1e-7  # sides at a sampled point agree to this share of the larger one


@dataclass
class RelationCheck:
    status: Status
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParsedRelation:
    lhs: Formula
    op: str
    rhs: Formula

    @property
    def free(self) -> set[sp.Symbol]:
        return self.lhs.expr.free_symbols | self.rhs.expr.free_symbols

    @property
    def has_decimal(self) -> bool:
        return self.lhs.has_decimal or self.rhs.has_decimal

    @property
    def decimal_places(self) -> int:
        return max(self.lhs.decimal_places, self.rhs.decimal_places)

    @property
    def ambiguous(self) -> bool:
        return self.lhs.ambiguous or self.rhs.ambiguous

    def alternatives(self) -> list[Readings]:
        """The other readings its flagged notation allows (verifiers.latex.ambiguity), one choice flipped each."""
        return list(dict.fromkeys(self.lhs.alternatives() + self.rhs.alternatives()))

    def ambiguity(self) -> str:
        return "; ".join(dict.fromkeys(a.note for a in (*self.lhs.ambiguities, *self.rhs.ambiguities)))


def parse_relation(lhs_toks, op: str, rhs_toks, *, readings: Readings = FORMULA) -> ParsedRelation:  # noqa: ANN001
    return ParsedRelation(read_formula(lhs_toks, readings), op, read_formula(rhs_toks, readings))


def is_definition_like(rel: ParsedRelation) -> bool:
    """`x = 2`, `a = b`, `t = a + b`, `x \\ge 1`: a definition, an assignment or a condition."""
    lhs, rhs = rel.lhs.expr, rel.rhs.expr
    for side, other in ((lhs, rhs), (rhs, lhs)):
        if isinstance(side, sp.Symbol):
            if rel.op == "=" and side not in other.free_symbols:
                return True
            if rel.op != "=" and not other.free_symbols:
                return True
            if rel.op != "=" and isinstance(other, sp.Symbol):
                return True
    return False


# --- closed relations ------------------------------------------------------------------------


def closed_value(expr: sp.Expr) -> mpmath.mpf | mpmath.mpc | None:
    try:
        with mpmath.workdps(_DPS):
            v = sp.N(expr, _DPS)
            if v.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or not v.is_number:
                return None
            c = complex(v)
            re_, im = sp.re(v), sp.im(v)
            if abs(float(im)) > 1e-30 * max(1.0, abs(c)):
                return mpmath.mpc(str(sp.Float(re_, _DPS)), str(sp.Float(im, _DPS)))
            return mpmath.mpf(str(sp.Float(re_, _DPS)))
    except NUMERIC_ERRORS:
        return None


def decimal_tolerance(places: int) -> float:
    """A decimal written with p places may be rounded or truncated: one unit of the last place."""
    return 10.0 ** (-places) if places else 0.0


def check_closed(rel: ParsedRelation) -> RelationCheck:
    a, b = closed_value(rel.lhs.expr), closed_value(rel.rhs.expr)
    if a is None or b is None:
        return RelationCheck("unchecked", "a side has no finite value")
    if isinstance(a, mpmath.mpc) or isinstance(b, mpmath.mpc):
        return RelationCheck("unchecked", "a side is not a real number")
    scale = max(1.0, abs(float(a)), abs(float(b)))
    diff = float(a - b)
    exact_tol = 1e-30 * scale
    ev = {"lhs": _show(a), "rhs": _show(b)}
    if rel.op == "~":
        if _fair_approximation(float(a), float(b), rel):
            return RelationCheck("true", "the approximation is accurate to the digits shown", ev)
        return RelationCheck("false", f"{_show(a)} is not approximately {_show(b)}", ev)
    tol = max(decimal_tolerance(rel.decimal_places), exact_tol) if rel.has_decimal else exact_tol
    holds_exact = compare(diff, rel.op, exact_tol)
    if holds_exact:
        return RelationCheck("true", "holds exactly", ev)
    if rel.has_decimal and compare(diff, rel.op, tol):
        return RelationCheck("approximate", "holds only to the precision of the decimals written", ev)
    return RelationCheck("false", f"{_op_words(rel.op)} fails: left side is {_show(a)}, right side is {_show(b)}", ev)


def _fair_approximation(a: float, b: float, rel: ParsedRelation) -> bool:
    """`x \\approx d`: d is x rounded or truncated to the places shown (to 1% without decimals)."""
    exact, shown = (a, b) if rel.rhs.has_decimal or not rel.lhs.has_decimal else (b, a)
    places = rel.decimal_places
    if places == 0:
        return abs(exact - shown) <= max(0.5, 0.01 * abs(exact))
    unit = 10.0 ** (-places)
    slack = 1e-9 * max(1.0, abs(exact))
    rounded = abs(exact - shown) <= unit / 2 + slack
    truncated = 0 <= (abs(exact) - abs(shown)) < unit + slack and (exact >= 0) == (shown >= 0)
    return rounded or truncated


def compare(diff: float, op: str, tol: float) -> bool:
    """lhs op rhs, given diff = lhs - rhs, up to tol."""
    if op == "=":
        return abs(diff) <= tol
    if op == "<=":
        return diff <= tol
    if op == ">=":
        return diff >= -tol
    if op == "<":
        return diff < tol  # a strict claim that is an equality up to tolerance is not refuted
    if op == ">":
        return diff > -tol
    return False


def _show(v: Any) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    if f == int(f) and abs(f) < 1e15:
        return str(int(f))
    return f"{f:.6g}"


def _op_words(op: str) -> str:
    return {"=": "equality", "<": "strict inequality <", ">": "strict inequality >",
            "<=": "inequality ≤", ">=": "inequality ≥", "~": "approximation"}.get(op, op)


# --- relations with variables ----------------------------------------------------------------


class PointCache:
    """Sampled point sets, shared by all relations of a proof checked in the same context."""

    def __init__(self, n: int = 40, n_base: int = 120):
        self.n = n
        self.n_base = n_base  # the problem's own setting is searched hardest for counterexamples
        self._sets: dict[tuple[str, tuple[str, ...]], PointSet] = {}

    def get(self, ctx: Context, symbols: set[sp.Symbol]) -> PointSet:
        key = (ctx.key(), tuple(sorted(s.name for s in symbols)))
        if key not in self._sets:
            n = self.n_base if ctx.label == "base" else self.n
            self._sets[key] = sample(ctx, sorted(symbols, key=by_name), n, max_tries=10 * n)
        return self._sets[key]


@dataclass
class Trial:
    context: str
    valid: int
    failed: int
    example: dict[str, Any] | None = None
    counterexample: dict[sp.Symbol, float] | None = None  # the failing point unrounded (not evidence)

    @property
    def fail_share(self) -> float:
        return self.failed / self.valid if self.valid else 0.0

    def evidence(self) -> dict[str, Any]:
        return {"context": self.context, "valid": self.valid, "failed": self.failed, "example": self.example}


def _compile(rel: ParsedRelation):  # noqa: ANN202
    syms = sorted(rel.free, key=by_name)
    try:
        return syms, sp.lambdify(syms, rel.lhs.expr, "numpy"), sp.lambdify(syms, rel.rhs.expr, "numpy")
    except (*NUMERIC_ERRORS, SyntaxError):
        return None


def _sides(rel: ParsedRelation, compiled, points: list[dict[sp.Symbol, float]]):  # noqa: ANN001, ANN202
    """The points where the relation's variables have values, both sides there, and which are real."""
    syms, fl, fr = compiled
    pts = [p for p in points if all(s in p for s in rel.free)]
    if not pts:
        return pts, np.zeros(0), np.zeros(0), np.zeros(0, dtype=bool)
    cols = [np.array([p[s] for p in pts], dtype=complex) for s in syms]
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = np.broadcast_to(np.asarray(fl(*cols), dtype=complex), (len(pts),))
            b = np.broadcast_to(np.asarray(fr(*cols), dtype=complex), (len(pts),))
    except NUMERIC_ERRORS:
        a, b = _pointwise(fl, fr, cols, len(pts))
    with np.errstate(all="ignore"):
        ok = (np.isfinite(a) & np.isfinite(b) & (np.abs(a.imag) <= 1e-9 * np.maximum(1, np.abs(a)))
              & (np.abs(b.imag) <= 1e-9 * np.maximum(1, np.abs(b))))
    return pts, a.real, b.real, ok


def _evaluate(rel: ParsedRelation, compiled, points: list[dict[sp.Symbol, float]]) -> tuple[int, int, dict[str, Any] | None, int]:  # noqa: ANN001
    """Valid points, points where the relation fails, a failing example, points where an inequality is tight.
    The example's "raw" is the failing point itself (symbols to unrounded values)."""
    if compiled is None:
        return 0, 0, None, 0
    pts, x, y, ok = _sides(rel, compiled, points)
    if not pts:
        return 0, 0, None, 0
    with np.errstate(all="ignore"):
        tol = SAMPLED_REL_TOL * np.maximum(1.0, np.maximum(np.abs(x), np.abs(y)))
        if rel.has_decimal:
            tol = np.maximum(tol, decimal_tolerance(rel.decimal_places))
        d = x - y
        holds = {"=": np.abs(d) <= tol, "<=": d <= tol, ">=": d >= -tol, "<": d < tol, ">": d > -tol}[rel.op]
    valid = int(ok.sum())
    bad = ok & ~holds
    if bad.any():
        bad = _confirmed_failures(rel, compiled[0], pts, bad)
    failed = int(bad.sum())
    ties = int((ok & (np.abs(d) <= tol)).sum()) if rel.op != "=" else 0
    example = None
    if failed:
        k = int(np.argmax(bad))
        example = {"point": {s.name: round(v, 6) for s, v in pts[k].items()},
                   "lhs": _show(float(x[k])), "rhs": _show(float(y[k])), "raw": pts[k]}
    return valid, failed, example, ties


# Failing points re-evaluated at _DPS digits: float64 loses the difference of two nearly equal
# terms (an expanded identity of degree 12 at b = 9,422 is 3.8e24 on both sides), and a true
# identity must not be refuted by rounding. At most this many points per relation and context.
_RECHECK = 40


def _confirmed_failures(rel: ParsedRelation, syms: list[sp.Symbol], pts: list[dict[sp.Symbol, float]],
                        bad: np.ndarray) -> np.ndarray:
    """`bad` without the points where the relation holds once both sides are computed at _DPS digits
    (to the same tolerance as in floats). A point that cannot be evaluated so stays a failure."""
    idx = np.flatnonzero(bad)
    if len(idx) > _RECHECK:
        return bad
    try:
        fl, fr = _compile_mpmath(rel.lhs.expr, rel.rhs.expr, tuple(syms))
    except (*NUMERIC_ERRORS, SyntaxError):
        return bad
    confirmed = bad.copy()
    with mpmath.workdps(_DPS):
        for k in idx:
            try:
                args = [mpmath.mpf(pts[k][s]) for s in syms]
                a, b = fl(*args), fr(*args)
            except (*NUMERIC_ERRORS, ValueError, ZeroDivisionError):
                continue
            if isinstance(a, mpmath.mpc) or isinstance(b, mpmath.mpc) or not (mpmath.isfinite(a) and mpmath.isfinite(b)):
                continue
            tol = mpmath.mpf(SAMPLED_REL_TOL) * max(1, abs(a), abs(b))
            if rel.has_decimal:
                tol = max(tol, mpmath.mpf(decimal_tolerance(rel.decimal_places)))
            if compare(a - b, rel.op, tol):
                confirmed[k] = False
    return confirmed


@functools.lru_cache(maxsize=64)
def _compile_mpmath(lhs: sp.Expr, rhs: sp.Expr, syms: tuple[sp.Symbol, ...]):  # noqa: ANN202
    """Both sides as mpmath functions, once per relation: a false relation fails in every context
    and near its tightest points, and lambdify of a long side costs more than the re-check."""
    return sp.lambdify(syms, lhs, "mpmath"), sp.lambdify(syms, rhs, "mpmath")


def _pointwise(fl, fr, cols, n: int):  # noqa: ANN001, ANN202
    """Point by point, for expressions numpy cannot take as arrays (a point that fails is NaN)."""
    a = np.full(n, np.nan, dtype=complex)
    b = np.full(n, np.nan, dtype=complex)
    for k in range(n):
        args = [c[k].real for c in cols]
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                a[k] = complex(fl(*args))
                b[k] = complex(fr(*args))
        except NUMERIC_ERRORS:
            continue
    return a, b


_HUNT_SPREADS = (0.3, 0.1, 0.03, 0.01)
_HUNT_KEEP = 4


def _hunt(rel: ParsedRelation, compiled, ctx: Context, points: list[dict[sp.Symbol, float]]) -> Trial | None:  # noqa: ANN001
    """Look for a counterexample around the sampled points where an inequality is tightest.

    A wrong constant (27 for 28, 3 for 4) usually breaks a claim only near its equality case, a small
    region that independent random points rarely hit; walking in from the tightest points finds it."""
    if rel.op not in ("<", ">", "<=", ">=") or compiled is None:
        return None
    best = _tightest(rel, compiled, points)
    best += [_equalized(p, ctx) for p in best[:2]]
    for spread in _HUNT_SPREADS:
        if not best:
            return None
        near = sample(ctx, sorted(rel.free, key=by_name), n=24, max_tries=96, budget_s=0.15, near=best,
                      spread=spread).points
        valid, failed, example, _ties = _evaluate(rel, compiled, near)
        if failed:
            return _trial(f"{ctx.label} (near its tightest points)", valid, failed, example)
        best = _tightest(rel, compiled, best + near)
    return None


def _equalized(point: dict[sp.Symbol, float], ctx: Context) -> dict[sp.Symbol, float]:
    """The point with its real variables set to their common mean: symmetric claims are often
    tightest where the variables are equal."""
    defined = {s for s, _e in ctx.substitutions}
    reals = [s for s in point if s.name not in ctx.integer_symbols and s not in defined]
    values = [point[s] for s in reals]
    if not values:
        return dict(point)
    if all(v > 0 for v in values):
        mean = math.exp(sum(math.log(v) for v in values) / len(values))
    else:
        mean = sum(values) / len(values)
    return {**point, **{s: mean for s in reals}}


def _tightest(rel: ParsedRelation, compiled, points: list[dict[sp.Symbol, float]]) -> list[dict[sp.Symbol, float]]:  # noqa: ANN001
    pts, x, y, ok = _sides(rel, compiled, points)
    if not pts:
        return []
    with np.errstate(all="ignore"):
        slack = (x - y) if rel.op in (">", ">=") else (y - x)
        slack = slack / np.maximum(1.0, np.maximum(np.abs(x), np.abs(y)))
    slack = np.where(ok, slack, np.inf)
    order = [int(k) for k in np.argsort(slack, kind="stable")[:_HUNT_KEEP] if np.isfinite(slack[k])]
    return [pts[k] for k in order]


def _trial(context: str, valid: int, failed: int, example: dict[str, Any] | None) -> Trial:
    raw = example.pop("raw", None) if example else None
    return Trial(context, valid, failed, example, raw)


def check_with_variables(rel: ParsedRelation, contexts: list[Context], cache: PointCache) -> RelationCheck:
    trials: list[Trial] = []
    scarce_in: dict[int, Context] = {}  # trial index -> its context, for contexts sampled at few points
    compiled = _compile(rel)
    for ctx in contexts:
        pts = cache.get(ctx, rel.free)
        valid, failed, example, ties = _evaluate(rel, compiled, pts.points)
        if failed == 0 and valid and ties == valid and ctx.label != "base":
            continue  # both sides equal at every point (an equality case): says nothing about ≤ or ≥
        if valid < MIN_POINTS:
            scarce_in[len(trials)] = ctx
            trials.append(_trial(ctx.label, valid, failed, example))
            continue
        if failed == 0:
            hunted = _hunt(rel, compiled, ctx, pts.points)
            if hunted is not None:
                trials.append(hunted)
                continue
            # held at the points drawn here, but a point where it failed in an earlier context lies in this
            # one too (the problem's condition rewritten through the proof's definitions): refuted here as well
            inside = next((t for t in trials if t.valid >= MIN_POINTS and t.counterexample is not None
                           and contains(ctx, t.counterexample)), None)
            if inside is not None:
                trials.append(Trial(f"{ctx.label} (at a failing point of {inside.context})", valid + 1, 1,
                                    inside.example, inside.counterexample))
                continue
            status = "true" if ctx.label == "base" else "conditional"
            reason = "holds at every sampled point" + ("" if ctx.label == "base" else f" given {ctx.label}")
            return RelationCheck(status, reason, {"context": ctx.label, "domain": ctx.domain, "points": valid})
        trials.append(_trial(ctx.label, valid, failed, example))
    usable = [t for t in trials if t.valid >= MIN_POINTS]
    if not usable:
        return RelationCheck("unchecked", "no sample point where both sides are defined")
    # a context sampled at few points excuses the relation only if it is a setting of its own: a point
    # where it fails elsewhere that also lies in this context refutes it here as well
    found = [t.counterexample for t in usable if t.counterexample is not None]
    scarce = [t for k, t in enumerate(trials) if 4 <= t.valid < MIN_POINTS and t.failed == 0
              and not any(contains(scarce_in[k], p) for p in found)]
    if scarce:
        # a context that is hard to sample but where the relation held every time: not refuted
        return RelationCheck("conditional", f"holds at the {scarce[0].valid} points found given {scarce[0].context}",
                             {"context": scarce[0].context, "points": scarce[0].valid})
    min_share = min(t.fail_share for t in usable)
    if all(t.failed >= MIN_FAILS for t in usable):
        worst = usable[0]
        ex = worst.example or {}
        where = ", ".join(f"{k}={v}" for k, v in ex.get("point", {}).items())
        return RelationCheck(
            "false",
            f"{_op_words(rel.op)} fails at {worst.failed} of {worst.valid} sampled points"
            + (f" (e.g. at {where}: left {ex.get('lhs')}, right {ex.get('rhs')})" if ex else "")
            + f"; no stated condition makes it hold ({len(usable)} contexts tried)",
            {"trials": [t.evidence() for t in usable[:6]], "min_share": min_share},
        )
    return RelationCheck("conditional", "holds only at some sampled points: it depends on a condition",
                         {"trials": [t.evidence() for t in usable[:6]], "min_share": min_share})


def check_relation(lhs_toks, op: str, rhs_toks, contexts: list[Context], cache: PointCache,  # noqa: ANN001
                   variables: frozenset[str] = frozenset()) -> tuple[RelationCheck, ParsedRelation | None]:
    """The verdict on one relation; a misread never becomes 'false' (ambiguous readings re-tried).

    `variables` are the letters the problem declares as variables: `e` among them is never re-read as
    Euler's number (in "let a, b, c, d, e > 0" that reading is not one the text allows)."""
    try:
        rel = parse_relation(lhs_toks, op, rhs_toks)
    except LatexError as e:
        return RelationCheck("unchecked", f"not read: {e}"), None
    result = _check_parsed(rel, contexts, cache)
    if result.status == "false" and rel.ambiguous:
        for readings in rel.alternatives():  # false only if false however the notation is read
            if readings.e == "euler" and "e" in variables:
                continue
            try:
                alt = parse_relation(lhs_toks, op, rhs_toks, readings=readings)
            except LatexError:
                return RelationCheck("unchecked", f"ambiguous notation ({rel.ambiguity()})"), rel
            if _check_parsed(alt, contexts, cache).status != "false":
                return RelationCheck("unchecked", f"ambiguous notation ({rel.ambiguity()}); another reading holds"), rel
    return result, rel


def _check_parsed(rel: ParsedRelation, contexts: list[Context], cache: PointCache) -> RelationCheck:
    if rel.op not in ("=", "<", ">", "<=", ">=", "~"):
        return RelationCheck("unchecked", "not a comparison")
    if not rel.free:
        return check_closed(rel)
    if is_definition_like(rel):
        return RelationCheck("definition", "a definition, assignment or condition")
    if rel.op == "~":
        return RelationCheck("unchecked", "an approximation with variables")
    if any(s.name == "C" for s in rel.free):
        return RelationCheck("unchecked", "involves the sought constant C")
    return check_with_variables(rel, contexts, cache)
