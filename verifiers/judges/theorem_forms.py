r"""Is `lhs op rhs` an instance of AM-GM, Cauchy-Schwarz or Schur? The forms, tested by computation.

An instance is found by building the theorem's own inequality from the relation's terms and
comparing it with the relation at sampled points where the theorem's hypotheses hold (positive
values, on the problem's conditions): equal at every point means the relation is that instance.

- AM-GM: the larger side is k·(t_1 + ... + t_n)^q; each term is taken with weight 1 or with its
  coefficient as its weight (3a = a + a + a); the smaller side must be k·(W·Π u_i^{w_i/W})^q.
- Cauchy-Schwarz: k·(Σ p_i)(Σ q_i) ≥ k·(Σ √(p_i q_σ(i)))² for some pairing σ; n·Σ p_i ≥ (Σ √p_i)²;
  Engel's form Σ a_i/b_i ≥ (Σ √a_i)² / Σ b_i (or (Σ a_i)² / Σ a_i b_i).
- Schur: the difference of the sides is λ·Σ x^t (x − y)(x − z) over x, y, z (λ > 0, t ∈ {1/2, 1, 2, 3}).

A relation that is none of these is `misapplied` when it is the theorem's instance reversed, or AM-GM's
with a larger constant (false where its terms are equal), or when it is false at a sampled point where
the theorem's hypotheses hold (then no instance can give it); otherwise it is not read (`none`).
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp
from qed.verifiers.judges.assumptions import Assumptions
from qed.verifiers.judges.relcheck import ParsedRelation
from qed.verifiers.judges.sampling import NUMERIC_ERRORS, Context, by_name, sample

_POINTS = 40
_MIN_VALID = 8
_REL_TOL = 1e-7
_MAX_TERMS = 6
_MAX_DECOMPOSITIONS = 64


@dataclass
class Instance:
    status: str  # instance | misapplied | none
    how: str
    evidence: dict[str, Any] = field(default_factory=dict)
    equal_terms: list[sp.Expr] = field(default_factory=list)  # terms equal in the equality case (AM-GM)


class Numeric:
    """Sampled points for one relation's variables, where the theorems' hypotheses can hold."""

    def __init__(self, assumptions: Assumptions, p: ParsedRelation):
        syms = sorted(p.free, key=by_name)
        names = {s.name for s in syms}
        eqs = tuple(e for e in assumptions.equalities if e.free_symbols and {s.name for s in e.free_symbols} <= names)
        flt = tuple(f for f in assumptions.filters if f.free_symbols and {s.name for s in f.free_symbols} <= names)
        bounds = tuple(sorted((k, lo, hi) for k, (lo, hi) in assumptions.bounds.items() if k in names))
        # the problem's symbols are read by name; the relation's own symbols carry its assumptions
        by = {s.name: s for s in syms}
        eqs = tuple(e.xreplace({s: by[s.name] for s in e.free_symbols}) for e in eqs)
        flt = tuple(f.xreplace({s: by[s.name] for s in f.free_symbols}) for f in flt)
        ctx = Context("positive", bounds, eqs, (), flt, "theorem hypotheses", frozenset())
        points = sample(ctx, syms, n=_POINTS, max_tries=10 * _POINTS).points
        if len(points) < _MIN_VALID and eqs:
            ctx = Context("positive", bounds, (), (), flt, "theorem hypotheses (no condition)", frozenset())
            points = sample(ctx, syms, n=_POINTS, max_tries=10 * _POINTS).points
            eqs = ()
        self.syms = syms
        self.points = points
        self.on_conditions = bool(eqs)
        self._cols = [np.array([pt.get(s, np.nan) for pt in points], dtype=complex) for s in syms]
        self._cache: dict[sp.Expr, np.ndarray] = {}

    def values(self, e: sp.Expr) -> np.ndarray:
        """The expression at every point (NaN where it has no real value)."""
        if e in self._cache:
            return self._cache[e]
        n = len(self.points)
        out = np.full(n, np.nan)
        if n:
            try:
                f = sp.lambdify(self.syms, e, "numpy")
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    v = np.broadcast_to(np.asarray(f(*self._cols), dtype=complex), (n,))
                ok = np.isfinite(v) & (np.abs(v.imag) <= 1e-9 * np.maximum(1.0, np.abs(v)))
                out = np.where(ok, v.real, np.nan)
            except (*NUMERIC_ERRORS, SyntaxError):
                pass
        self._cache[e] = out
        return out

    def same(self, f: sp.Expr, g: sp.Expr) -> bool:
        a, b = self.values(f), self.values(g)
        ok = np.isfinite(a) & np.isfinite(b)
        if int(ok.sum()) < _MIN_VALID:
            return False
        scale = np.maximum(1.0, np.maximum(np.abs(a[ok]), np.abs(b[ok])))
        return bool(np.all(np.abs(a[ok] - b[ok]) <= _REL_TOL * scale))

    def ratio(self, f: sp.Expr, g: sp.Expr) -> float | None:
        """f / g when it is one constant over the points (where g is clear of zero), else None."""
        a, b = self.values(f), self.values(g)
        ok = np.isfinite(a) & np.isfinite(b) & (np.abs(b) > 1e-6 * np.maximum(1.0, np.abs(a)))
        if int(ok.sum()) < _MIN_VALID:
            return None
        r = a[ok] / b[ok]
        if np.all(np.abs(r - r[0]) <= 1e-6 * max(1.0, abs(r[0]))):
            return float(r[0])
        return None

    def counterexample(self, big: sp.Expr, small: sp.Expr, terms: list[sp.Expr]) -> dict[str, Any] | None:
        """A point where every term is nonnegative and `big >= small` fails clearly, or None."""
        a, b = self.values(big), self.values(small)
        ok = np.isfinite(a) & np.isfinite(b)
        for t in terms:
            v = self.values(t)
            ok &= np.isfinite(v) & (v >= -1e-12)
        scale = np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))
        with np.errstate(invalid="ignore"):
            bad = ok & (a < b - 1e-6 * scale)
        if int(ok.sum()) < _MIN_VALID or not bad.any():
            return None
        k = int(np.argmax(bad))
        return {"point": {s.name: round(self.points[k][s], 6) for s in self.syms if s in self.points[k]},
                "larger side": f"{a[k]:.6g}", "smaller side": f"{b[k]:.6g}"}


def _sides(p: ParsedRelation) -> tuple[sp.Expr, sp.Expr]:
    """(the side claimed larger, the side claimed smaller)."""
    if p.op in (">", ">="):
        return p.lhs.expr, p.rhs.expr
    return p.rhs.expr, p.lhs.expr


def find_instance(theorem: str, p: ParsedRelation, num: Numeric) -> Instance:
    """The relation read as an instance of the theorem, shown misapplied, or neither."""
    if p.op not in ("<", ">", "<=", ">="):
        return Instance("none", "not an inequality")
    if not num.points:
        return Instance("none", "no point where the theorem's hypotheses hold")
    big, small = _sides(p)
    finder = {"AM-GM": _amgm, "Cauchy-Schwarz": _cauchy, "Schur": _schur}[theorem]
    found = finder(big, small, num)
    if found is not None:
        return found
    # the theorem's own instance written the other way round, or with a larger constant: false wherever the
    # instance is strict (at its equality case the written inequality fails outright for a larger constant)
    reversed_ = finder(small, big, num)
    if reversed_ is not None and not num.same(big, small):
        return Instance("misapplied", f"its direction is reversed: {theorem} gives the opposite inequality "
                        f"({reversed_.how})", {"diagnosis": "reversed"})
    near = _near_miss(theorem, big, small, num)
    if near is not None:
        return Instance("misapplied", near, {"diagnosis": "constant"})
    if not (big.free_symbols and small.free_symbols) and not num.on_conditions:
        # `(a+b)^4/4 \le 4`: a bound by a number rests on a condition the proof has derived, not on the theorem
        return Instance("none", f"no form of {theorem} read in it; a bound by a number needs a condition not read")
    terms = _terms_of(big)
    ex = num.counterexample(big, small, terms)
    if ex is None:
        return Instance("none", f"no form of {theorem} read in it, and it is not shown false")
    where = ", ".join(f"{k} = {v:.4g}" for k, v in ex["point"].items())
    return Instance("misapplied", f"no choice of terms, weights or pairing gives it; it fails at {where} (larger "
                    f"side {ex['larger side']}, smaller side {ex['smaller side']})", {"counterexample": ex})


def _terms_of(e: sp.Expr) -> list[sp.Expr]:
    _k, base, _q = _power_of_sum(e)
    return list(base.args) if base is not None else []


def _power_of_sum(e: sp.Expr) -> tuple[sp.Expr, sp.Expr | None, sp.Expr]:
    """e as k·(sum)^q: (k, the sum, q); the sum is None when e is not of that shape."""
    k, rest = e.as_coeff_Mul()
    if isinstance(rest, sp.Add):
        return k, rest, sp.Integer(1)
    if isinstance(rest, sp.Pow) and isinstance(rest.base, sp.Add) and rest.exp.is_number and rest.exp > 0:
        return k, rest.base, rest.exp
    return k, None, sp.Integer(1)


_SPLITS = (2, 3)  # `8/x + 8/x` is read as 16/x: a term may stand for 2 or 3 equal terms written apart


def _decompositions(base: sp.Expr, splits: tuple[int, ...] = ()) -> list[list[tuple[sp.Expr, sp.Expr]]]:
    """The ways to read a sum as weighted terms [(term, weight)]: 2a is one term 2a, or a with weight 2;
    with `splits`, 16/x may also be 8/x written twice (weight 2). Readings that change fewer terms come first."""
    terms = list(base.args)
    if not 2 <= len(terms) <= _MAX_TERMS:
        return []
    options: list[list[tuple[sp.Expr, sp.Expr]]] = []
    for t in terms:
        c, m = t.as_coeff_Mul()
        if c <= 0:
            return []  # AM-GM is about nonnegative terms: a difference is not its sum
        opts = [(t, sp.Integer(1))]
        if c != 1 and c.is_Rational and m != 1:
            opts.append((m, c))
        for j in splits:
            if (t / j, sp.Integer(j)) not in opts:
                opts.append((t / j, sp.Integer(j)))
        options.append(opts)
    picks = sorted(itertools.product(*[range(len(o)) for o in options]), key=lambda ks: sum(k > 0 for k in ks))
    return [[options[i][k] for i, k in enumerate(ks)] for ks in picks[:_MAX_DECOMPOSITIONS]]


def _amgm_side(terms: list[tuple[sp.Expr, sp.Expr]]) -> tuple[sp.Expr, sp.Expr]:
    """(W, the weighted geometric mean) of weighted terms."""
    weight = sum((w for _t, w in terms), sp.Integer(0))
    gm = sp.Mul(*[sp.Pow(t, w / weight) for t, w in terms])
    return weight, gm


def _amgm(big: sp.Expr, small: sp.Expr, num: Numeric) -> Instance | None:
    k, base, q = _power_of_sum(big)
    if base is None or k <= 0:
        return None
    # a split is only read where it makes the relation an instance: a constant diagnosed wrong (_near_miss)
    # is claimed only for the terms as written, whose equality case the text can be held to
    for terms in _decompositions(base, _SPLITS):
        weight, gm = _amgm_side(terms)
        if num.same(small, k * (weight * gm) ** q):
            shown = ", ".join(str(t) for t, _w in terms)
            weights = ", ".join(str(w) for _t, w in terms)
            cond = " on the problem's conditions" if num.on_conditions else ""
            return Instance("instance", f"terms {shown} with weights {weights}, direction ≥, sampled at "
                            f"{len(num.points)} points{cond}",
                            {"terms": [str(t) for t, _w in terms], "weights": [str(w) for _t, w in terms]},
                            equal_terms=[t for t, _w in terms])
    return None


def _cauchy(big: sp.Expr, small: sp.Expr, num: Numeric) -> Instance | None:
    k, rest = big.as_coeff_Mul()
    if k <= 0:
        return None
    factors = [f for f in sp.Mul.make_args(rest) if isinstance(f, sp.Add)]
    others = [f for f in sp.Mul.make_args(rest) if not isinstance(f, sp.Add)]
    if len(factors) == 2 and not others:
        P, Q = (list(f.args) for f in factors)
        if len(P) == len(Q) and 2 <= len(P) <= 5:
            for perm in itertools.permutations(range(len(Q))):
                paired = sp.Add(*[sp.sqrt(P[i] * Q[perm[i]]) for i in range(len(P))])
                if num.same(small, k * paired ** 2):
                    pairs = "; ".join(f"{P[i]} with {Q[perm[i]]}" for i in range(len(P)))
                    return Instance("instance", f"product form, pairing {pairs}, sampled at {len(num.points)} points",
                                    {"form": "product", "pairing": pairs})
    if len(factors) == 1 and not others:
        P = list(factors[0].args)
        if 2 <= len(P) <= _MAX_TERMS:
            n = len(P)
            if num.same(small, (k / n) * sp.Add(*[sp.sqrt(t) for t in P]) ** 2):
                return Instance("instance", f"{n}·Σ p_i ≥ (Σ √p_i)² on terms {', '.join(map(str, P))}, sampled at "
                                f"{len(num.points)} points", {"form": "with ones"})
    if isinstance(big, sp.Add) and 2 <= len(big.args) <= _MAX_TERMS:
        nums, dens = zip(*[t.as_numer_denom() for t in big.args], strict=True)
        if any(d.free_symbols for d in dens):
            engel = sp.Add(*[sp.sqrt(a) for a in nums]) ** 2 / sp.Add(*dens)
            if num.same(small, engel):
                return Instance("instance", f"Engel form Σ a_i/b_i ≥ (Σ √a_i)²/Σ b_i with a = {', '.join(map(str, nums))}; "
                                f"b = {', '.join(map(str, dens))}, sampled at {len(num.points)} points", {"form": "Engel"})
            scaled = sp.Add(*nums) ** 2 / sp.Add(*[a * b for a, b in zip(nums, dens, strict=True)])
            if num.same(small, scaled):
                return Instance("instance", f"Engel form after multiplying each a_i/b_i by a_i/a_i, sampled at "
                                f"{len(num.points)} points", {"form": "Engel (scaled)"})
    return None


def _schur(big: sp.Expr, small: sp.Expr, num: Numeric) -> Instance | None:
    syms = sorted((big - small).free_symbols, key=by_name)
    if len(syms) != 3:
        return None
    x, y, z = syms
    for t in (sp.Integer(1), sp.Integer(2), sp.Rational(1, 2), sp.Integer(3)):
        schur = x**t * (x - y) * (x - z) + y**t * (y - x) * (y - z) + z**t * (z - x) * (z - y)
        lam = num.ratio(big - small, schur)
        if lam is not None and lam > 0:
            return Instance("instance", f"Schur with t = {t} in {x}, {y}, {z} (times {lam:.6g}), sampled at "
                            f"{len(num.points)} points", {"t": str(t)})
    return None


def _near_miss(theorem: str, big: sp.Expr, small: sp.Expr, num: Numeric) -> str | None:
    """What a misapplied AM-GM got wrong when its terms are right: the constant (weights) or the power."""
    if theorem != "AM-GM":
        return None
    k, base, q = _power_of_sum(big)
    if base is None:
        return None
    for terms in _decompositions(base):
        weight, gm = _amgm_side(terms)
        lam = num.ratio(small, k * (weight * gm) ** q)
        if lam is not None and lam > 1 and not math.isclose(lam, 1.0):  # a smaller constant is a weaker truth
            return (f"its constant is wrong: AM-GM on {', '.join(str(t) for t, _w in terms)} (weights "
                    f"{', '.join(str(w) for _t, w in terms)}) gives {sp.sstr(k * (weight * gm) ** q)}, "
                    f"{1 / lam:.4g} times the smaller side written, which fails where those terms are equal")
    return None
