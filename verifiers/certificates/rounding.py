"""Round a numeric Gram solution to short exact rationals: the coarsest grid that stays PSD wins.

An SDP solver answers in floating point; a certificate needs rationals that satisfy the linear
conditions exactly and keep every Gram matrix PSD. Rounding to 10⁻⁸ and projecting keeps PSD but
gives 40-digit fractions that nobody reads and that the LaTeX reader refuses in a proof. Here the
guess is snapped to the grid 1/den for den = 1, 2, 3, 4, 6, 8, … and projected exactly onto the
affine conditions; the caller takes the first den whose Gram matrices are PSD (checked exactly by
LDLᵀ). An interior SDP solution (the solver maximises the smallest eigenvalue) survives a coarse
grid, so its numbers stay short. The projection's linear system is solved once for all grids.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from fractions import Fraction

import numpy as np
import sympy as sp
from sympy import QQ
from sympy.polys.matrices import DomainMatrix

# Grids tried in order; the fine ones are the old behaviour, kept as the last resort.
DENOMINATORS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 512, 1024, 4096, 10**4, 10**5, 10**6, 10**8)


def snap(x: float, den: int) -> Fraction:
    """The multiple of 1/den nearest to x."""
    return Fraction(round(x * den), den)


def projections(rows: list[list], rhs: list, guess: Sequence[float],
                denominators: Sequence[int] = DENOMINATORS) -> Iterator[tuple[int, list[sp.Rational]]]:
    """(den, x) for each grid: the orthogonal projection of the guess snapped to 1/den onto
    {x : rows·x = rhs}, exactly; nothing when the conditions are inconsistent."""
    m, n = len(rows), len(guess)
    a = DomainMatrix(rows, (m, n), QQ)
    b = DomainMatrix([[v] for v in rhs], (m, 1), QQ)
    starts = [DomainMatrix([[QQ(f.numerator, f.denominator)] for f in (snap(g, den) for g in guess)], (n, 1), QQ)
              for den in denominators]
    residuals = [a * x0 - b for x0 in starts]
    aug = (a * a.transpose()).hstack(*residuals)
    rref, pivots = aug.rref()
    if any(p >= m for p in pivots):
        return  # the residual of some grid is outside the range of A·Aᵀ: no solution at all
    rl = rref.to_list()
    at = a.transpose()
    for k, (den, x0) in enumerate(zip(denominators, starts, strict=True)):
        y = [QQ(0)] * m
        for i, p in enumerate(pivots):
            y[p] = rl[i][m + k] / rl[i][p]
        x = x0 - at * DomainMatrix([[v] for v in y], (m, 1), QQ)
        yield den, [sp.Rational(int(v.numerator), int(v.denominator)) for v in (row[0] for row in x.to_list())]


def primitive(coeffs: Sequence[sp.Rational]) -> tuple[sp.Rational, list[sp.Integer]]:
    """(k, ints) with coeffs = k·ints, ints coprime integers: c·(Σ q_l b_l)² = c·k²·(Σ n_l b_l)²
    reads with whole numbers inside the square."""
    nz = [sp.Rational(c) for c in coeffs if c != 0]
    if not nz:
        return sp.Integer(1), [sp.Integer(0) for _ in coeffs]
    den = math.lcm(*[int(c.q) for c in nz])
    num = math.gcd(*[int(c * den) for c in nz])
    k = sp.Rational(num, den)
    return k, [sp.Integer(sp.Rational(c) / k) for c in coeffs]


def factor_directions(q: np.ndarray, den: int, tiny: float = 1e-9) -> list[list[int]]:
    """Integer vectors v_1..v_n (a unit lower triangular matrix up to a permutation, so they span
    every direction) close to the columns of a pivoted numeric LDLᵀ factor of q, each rounded to
    the grid 1/den and scaled to whole numbers. In the basis y_i = v_i·b a Gram matrix near q is
    nearly diagonal, so the squared-binomial LP finds it with short exact numbers; directions in
    which q is ~0 keep their unit vector."""
    a = np.array(q, dtype=float)
    n = a.shape[0]
    order: list[int] = []
    cols: dict[int, np.ndarray] = {}
    left = list(range(n))
    top = max(float(np.max(np.abs(np.diag(a)))), 1e-300) if n else 1.0
    while left:
        k = max(left, key=lambda i: a[i, i])
        if a[k, k] <= tiny * top:
            break
        col = a[:, k] / a[k, k]
        cols[k] = col.copy()
        a = a - np.outer(col, a[k, :])
        left.remove(k)
        order.append(k)
    out = []
    for k in order:
        col = cols[k]
        vec = [Fraction(1) if i == k else (Fraction(0) if i in order[: order.index(k)] else snap(float(col[i]), den)) for i in range(n)]
        _, ints = primitive([sp.Rational(v.numerator, v.denominator) for v in vec])
        out.append([int(x) for x in ints])
    for k in left:
        out.append([int(i == k) for i in range(n)])
    return out
