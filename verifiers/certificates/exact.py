"""Exact rational linear algebra for turning floating-point solutions into exact certificates.

A numeric solver (LP or SDP) only suggests; the certificate is the exact rational solution of the
same linear conditions near the suggestion: free unknowns take rounded suggested values and the
pivot unknowns are solved for exactly, or the suggestion is projected orthogonally onto the
affine space. Nothing here decides validity: the checker does.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import sympy as sp
from sympy import QQ
from sympy.polys.matrices import DomainMatrix

Monomial = tuple[int, ...]


def rational(x: float, max_den: int) -> sp.Rational:
    f = Fraction(x).limit_denominator(max_den)
    return sp.Rational(f.numerator, f.denominator)


def poly_dict(e: sp.Expr, variables: Sequence[sp.Symbol]) -> dict[Monomial, sp.Rational]:
    return {m: sp.Rational(c) for m, c in sp.Poly(e, *variables, domain="QQ").terms()}


def matrix(columns: list[dict[Monomial, sp.Rational]], target: dict[Monomial, sp.Rational]) -> tuple[list[Monomial], list[list]]:
    """Rows indexed by monomial: the coefficient of each column, and the target as last entry."""
    monos = sorted(set(target).union(*[set(c) for c in columns]))
    index = {m: i for i, m in enumerate(monos)}
    rows = [[QQ(0)] * (len(columns) + 1) for _ in monos]
    for j, col in enumerate(columns):
        for m, c in col.items():
            rows[index[m]][j] = QQ(int(c.p), int(c.q))
    for m, c in target.items():
        rows[index[m]][-1] = QQ(int(c.p), int(c.q))
    return monos, rows


def solve_near(rows: list[list], guess: Sequence[float], max_den: int = 10**6) -> list[sp.Rational] | None:
    """An exact solution of rows·x = last column, with the free unknowns at rounded guesses."""
    n = len(guess)
    if not rows:
        return [rational(g, max_den) for g in guess]
    m = DomainMatrix(rows, (len(rows), n + 1), QQ)
    rref, pivots = m.rref()
    if n in pivots:
        return None  # inconsistent
    r = rref.to_list()
    pivot_set = set(pivots)
    x: list = [None] * n
    for j in range(n):
        if j not in pivot_set:
            x[j] = QQ(rational(guess[j], max_den).p, rational(guess[j], max_den).q)
    for i, p in enumerate(pivots):
        row = r[i]
        val = row[n]
        for j in range(p + 1, n):
            if row[j] and j not in pivot_set:
                val -= row[j] * x[j]
        x[p] = val / row[p]
    return [sp.Rational(int(v.numerator), int(v.denominator)) for v in x]


def round_support(rows: list[list], x: Sequence[float], support: list[int], n_nonneg: int,
                  denominators: Sequence[int]) -> list[sp.Rational] | None:
    """An LP solution x made exact: the unknowns kept are `support` (columns of the first n_nonneg,
    which must stay >= 0) and every free column after them; finer denominators are tried in turn.
    The values come in the order support, then free columns."""
    keep = support + list(range(n_nonneg, len(x)))
    sub_rows = [[row[j] for j in keep] + [row[-1]] for row in rows]
    for den in denominators:
        exact = solve_near(sub_rows, [float(x[j]) for j in keep], den)
        if exact is None:
            return None
        if all(v >= 0 for v in exact[: len(support)]):
            return exact
    return None


def ldl(q: list[list[sp.Rational]]) -> tuple[list[list[sp.Rational]], list[sp.Rational]] | None:
    """Q = L·diag(d)·Lᵀ exactly (L unit lower triangular), or None if Q is not PSD.

    A zero pivot is allowed only when its whole remaining column is zero."""
    n = len(q)
    a = [[Fraction(int(sp.Rational(v).p), int(sp.Rational(v).q)) for v in row] for row in q]
    low = [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]
    d = [Fraction(0)] * n
    for k in range(n):
        d[k] = a[k][k]
        if d[k] < 0:
            return None
        if d[k] == 0:
            if any(a[i][k] != 0 for i in range(k + 1, n)):
                return None
            continue
        for i in range(k + 1, n):
            low[i][k] = a[i][k] / d[k]
        for i in range(k + 1, n):
            if a[i][k] == 0:
                continue
            f = a[i][k] / d[k]
            for j in range(k + 1, i + 1):
                a[i][j] -= f * a[j][k]
                a[j][i] = a[i][j]
    return ([[sp.Rational(v.numerator, v.denominator) for v in row] for row in low],
            [sp.Rational(v.numerator, v.denominator) for v in d])


def surd_parts(value: sp.Expr) -> list[sp.Rational] | None:
    """[p, q] for a number p + q·sqrt(d) (d a fixed non-square integer, q = 0 for a rational),
    else None: the coordinates of an equality point such as a = sqrt(2) - 1 (a constant 3 + 2·sqrt(2))."""
    value = sp.expand(sp.radsimp(value))
    if value.is_Rational:
        return [value, sp.Integer(0)]
    roots = {a for a in value.atoms(sp.Pow) if a.exp == sp.Rational(1, 2) and a.base.is_Integer}
    if len(roots) != 1:
        return None
    r = sp.Dummy("r")
    try:
        poly = sp.Poly(value.xreplace({next(iter(roots)): r}), r)
    except sp.PolynomialError:
        return None
    if poly.degree() > 1 or not all(c.is_Rational for c in poly.all_coeffs()):
        return None
    q, p_ = (poly.all_coeffs() + [sp.Integer(0)])[:2] if poly.degree() == 1 else (sp.Integer(0), poly.all_coeffs()[0])
    return [sp.Rational(p_), sp.Rational(q)]
