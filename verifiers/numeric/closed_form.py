"""Recognise an exact value (rational, radical, simple algebraic number, multiple of pi or e) from digits.

A candidate is accepted only when it is much simpler than the digits it explains: with D correct
digits, a rational p/q must have at most D/2 digits in p and q together (at most 20), an algebraic
number a minimal polynomial whose coefficients carry at most D/2 digits in all. Agreeing to D
digits by accident would take a coincidence of order 10^(-D/2). Callers say how many digits they trust
(about 50 after an mpmath refinement, 10-12 from a double-precision search).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath
import sympy as sp

_T = sp.Symbol("t")


@dataclass
class ClosedForm:
    value: sp.Expr
    kind: str  # "rational", "algebraic", "pi", "e"
    digits: int  # digits the value was confirmed to

    def latex(self) -> str:
        return sp.latex(self.value)


def _digits_in(n: int) -> int:
    return len(str(abs(n))) if n else 1


def _agrees(candidate: sp.Expr, x: mpmath.mpf, digits: int) -> bool:
    with mpmath.workdps(digits + 10):
        c = mpmath.mpf(sp.N(candidate, digits + 10))
        return abs(c - x) <= mpmath.mpf(10) ** (-digits) * max(1, abs(x))


def _budget(digits: int) -> int:
    return max(2, min(20, digits // 2))


def rational(x: mpmath.mpf, digits: int) -> sp.Rational | None:
    budget = _budget(digits)
    frac = Fraction(mpmath.nstr(x, digits + 5, strip_zeros=False)).limit_denominator(10 ** budget)
    if _digits_in(frac.numerator) + _digits_in(frac.denominator) > budget:
        return None
    r = sp.Rational(frac.numerator, frac.denominator)
    return r if _agrees(r, x, digits) else None


def algebraic(x: mpmath.mpf, digits: int, max_degree: int = 4) -> sp.Expr | None:
    """A root of a small integer polynomial, in radicals; None when none is simple enough."""
    budget = _budget(digits)
    for degree in range(2, max_degree + 1):
        per_coeff = budget - degree
        if per_coeff < 1:
            break
        with mpmath.workdps(max(digits, 17)):
            tol = mpmath.mpf(10) ** (1 - digits)
            coeffs = mpmath.findpoly(x, degree, maxcoeff=10**per_coeff, tol=tol, maxsteps=2000)
        if not coeffs:
            continue
        if sum(_digits_in(int(c)) for c in coeffs) > budget:
            continue
        poly = sp.Poly([int(c) for c in coeffs], _T)
        best = None
        for root in sp.roots(poly, _T, filter=None):
            if root.has(sp.CRootOf) or not root.is_real:
                root = sp.nsimplify(root) if root.is_real else root
            if not root.is_real or root.has(sp.CRootOf):
                continue
            root = sp.sqrtdenest(sp.radsimp(sp.simplify(root)))
            if _agrees(root, x, digits):
                best = root
                break
        if best is not None:
            return best
    return None


def recognise(x: float | mpmath.mpf, digits: int) -> ClosedForm | None:
    """The simplest exact value agreeing with x to `digits` significant digits, or None."""
    digits = max(4, min(int(digits), 60))
    with mpmath.workdps(digits + 10):
        x = mpmath.mpf(x)
        if not mpmath.isfinite(x):
            return None
        if abs(x) < mpmath.mpf(10) ** (-digits):
            return ClosedForm(sp.Integer(0), "rational", digits)
        r = rational(x, digits)
        if r is not None:
            return ClosedForm(r, "rational", digits)
        a = algebraic(x, digits)
        if a is not None:
            return ClosedForm(a, "algebraic", digits)
        for name, const in (("pi", sp.pi), ("pi", sp.pi**2), ("e", sp.E)):
            q = rational(x / mpmath.mpf(sp.N(const, digits + 10)), digits)
            if q is not None and q != 0:
                return ClosedForm(q * const, name, digits)
    return None
