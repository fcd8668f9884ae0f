"""Sums of squared binomials by linear programming: the SOS certificates a person writes by hand.

P = Σ λ_k h_k + Σ g·(c_i b_i² + u_ij (b_i + b_j)² + v_ij (b_i − b_j)²) with c, u, v >= 0 and b
the monomials of an SOS basis, is a Gram matrix that is diagonally dominant (DSOS). It is an LP,
not an SDP: a vertex of it is sparse and its numbers are small and exact (the support is solved
for exactly), so a tight inequality such as a⁴ + b⁴ + c⁴ >= abc(a + b + c) comes out as
½Σ(a² − b²)² + ½Σ(ab − bc)² instead of an LDLᵀ factor with 40-digit fractions. It is weaker than
SOS, so the SDP stays the fallback; the SDP also hands back its own squares, rounded to short
directions, as a basis b in which its Gram matrix is nearly diagonal, so that this LP can make it
exact with small numbers. Whatever it returns is checked by the certificate checker.
"""

from __future__ import annotations

import time

import numpy as np
import sympy as sp
from qed.verifiers.certificates.exact import matrix, poly_dict, round_support
from qed.verifiers.certificates.poly import PolyProblem, Term

MAX_COLUMNS = 6000


def dsos_terms(problem: PolyProblem, blocks: list[tuple[list[int], sp.Expr, list[sp.Expr]]],
               lam_monomials: list[tuple[int, sp.Expr]], seconds: float) -> tuple[list[Term], list[sp.Expr]] | None:
    """Terms and equality multipliers with goal = Σ λh + Σ c·g·s², each s a basis element or the
    sum or difference of two, or None when the LP has no solution (or it is too large)."""
    from scipy.optimize import linprog

    t0 = time.monotonic()
    vs = problem.variables
    if sum(len(b[2]) ** 2 for b in blocks) > MAX_COLUMNS:
        return None
    squares: list[tuple[list[int], sp.Expr]] = []
    polys: list[dict] = []
    for idx, g, basis in blocks:
        gp = sp.Poly(g, *vs, domain="QQ")
        bp = [sp.Poly(b, *vs, domain="QQ") for b in basis]
        for i in range(len(basis)):
            squares.append((idx, basis[i]))
            polys.append(gp * bp[i] ** 2)
            for j in range(i + 1, len(basis)):
                for sign in (1, -1):
                    squares.append((idx, basis[i] + sign * basis[j]))
                    polys.append(gp * (bp[i] + sign * bp[j]) ** 2)
            if time.monotonic() - t0 > seconds / 2:
                return None
    columns = [{m: sp.Rational(c) for m, c in p.terms()} for p in polys]
    columns += [poly_dict(sp.expand(mono * problem.equalities[k].expr), vs) for k, mono in lam_monomials]
    target = poly_dict(sp.expand(problem.goal), vs)
    monos, rows = matrix(columns, target)
    n_sq, n = len(squares), len(columns)
    a_eq = np.array([[float(v) for v in row[:-1]] for row in rows])
    b_eq = np.array([float(row[-1]) for row in rows])
    cost = np.concatenate([np.ones(n_sq), np.zeros(n - n_sq)])  # fewest, smallest terms
    bounds = [(0, None)] * n_sq + [(None, None)] * (n - n_sq)
    left = max(0.5, seconds - (time.monotonic() - t0))
    res = linprog(cost, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs", options={"time_limit": left})
    if res.status != 0 or res.x is None:
        return None
    support = [j for j in range(n_sq) if res.x[j] > 1e-9]
    exact = round_support(rows, res.x, support, n_sq, (10**2, 10**4, 10**8))
    if exact is None:
        return None
    terms = [Term(exact[pos], list(squares[j][0]), sp.expand(squares[j][1])) for pos, j in enumerate(support) if exact[pos] != 0]
    mult = [sp.Integer(0)] * len(problem.equalities)
    for pos, (k, mono) in enumerate(lam_monomials):
        mult[k] += exact[len(support) + pos] * mono
    return terms, mult
