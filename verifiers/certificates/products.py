"""Certificates that are non-negative combinations of products of facts (a linear program).

P = Σ c_α · Π g_j^α_j · x^(2β) + Σ λ_k h_k with c_α >= 0: "all coefficients non-negative" when the
facts are the variables themselves (then no LP is needed), Handelman-type representations when
they are ordering facts (b - a >= 0) or constraints, and the positivity of a denominator
(a + 2b³ > 0, 1 + a²). scipy's LP solver suggests the support; the coefficients are then solved
for exactly and the result is checked by the certificate checker like any other.
"""

from __future__ import annotations

import itertools
import time

import numpy as np
import sympy as sp
from qed.verifiers.certificates.exact import matrix, poly_dict, round_support
from qed.verifiers.certificates.poly import PolyProblem, Term

MAX_COLUMNS = 4000


def _degree(e: sp.Expr, variables) -> int:
    return sp.Poly(e, *variables).total_degree()


def _homogeneous(e: sp.Expr, variables) -> bool:
    p = sp.Poly(e, *variables)
    return len({sum(m) for m in p.monoms()}) <= 1


def direct_coefficients(problem: PolyProblem) -> tuple[list[Term], int | None] | None:
    """P's monomials as products of variable facts, when every coefficient is >= 0 (no LP)."""
    var_fact = {}
    for i, f in enumerate(problem.facts):
        if f.expr in problem.variables and len(f.indices) == 1 and (f.expr not in var_fact or f.strict):
            var_fact[f.expr] = i
    terms: list[Term] = []
    strict_term = None
    for mono, c in sp.Poly(problem.goal, *problem.variables, domain="QQ").terms():
        if c < 0:
            return None
        facts, square = [], sp.Integer(1)
        strict = True
        for v, k in zip(problem.variables, mono, strict=True):
            if k % 2:
                if v not in var_fact:
                    return None
                facts.append(var_fact[v])
                strict = strict and problem.facts[var_fact[v]].strict
            if k // 2:
                if v in var_fact and problem.facts[var_fact[v]].strict:
                    facts += [var_fact[v]] * (2 * (k // 2))  # v^2 as v·v keeps the term strict
                else:
                    square *= v ** (k // 2)
                    strict = False
        if strict and strict_term is None:
            strict_term = len(terms)
        terms.append(Term(sp.Rational(c), facts, square))
    return terms, strict_term


def _columns(problem: PolyProblem, degree: int, homogeneous: bool, deadline: float = float("inf")) -> list[tuple[list[int], sp.Expr, bool]]:
    """(fact indices, square monomial, strict) for every product of degree <= degree (== if homogeneous)."""
    variables = problem.variables
    facts = [(i, f, _degree(f.expr, variables)) for i, f in enumerate(problem.facts)]
    facts = [x for x in facts if x[2] >= 1]
    out: dict[sp.Expr, tuple[list[int], sp.Expr, bool]] = {}
    squares = [sp.Integer(1)]
    for k in range(1, degree // 2 + 1):
        squares += [sp.Mul(*c) for c in itertools.combinations_with_replacement(variables, k)]
    for r in range(0, degree + 1):
        if time.monotonic() > deadline:
            break
        for combo in itertools.combinations_with_replacement(facts, r):
            dsum = sum(x[2] for x in combo)
            if dsum > degree:
                continue
            prod = sp.Mul(*[x[1].expr for x in combo])
            strict = all(x[1].strict for x in combo)
            for sq in squares:
                total = dsum + 2 * sp.Poly(sq, *variables).total_degree() if sq != 1 else dsum
                if total > degree or (homogeneous and total != degree):
                    continue
                poly = sp.expand(prod * sq**2)
                key = poly
                s_strict = strict and sq == 1
                if key not in out or (s_strict and not out[key][2]):
                    out[key] = ([x[0] for x in combo], sq, s_strict)
                if len(out) > MAX_COLUMNS:
                    return list(out.values())
    return list(out.values())


def lp_certificate(problem: PolyProblem, degree: int | None = None, seconds: float = 10.0) -> tuple[list[Term], list[sp.Expr], int | None] | None:
    """Terms and equality multipliers with goal = Σ λh + Σ c·facts·s², or None."""
    from scipy.optimize import linprog

    t0 = time.monotonic()
    variables = problem.variables
    goal = sp.expand(problem.goal)
    if goal == 0 and problem.op == ">=":
        return [], [sp.Integer(0)] * len(problem.equalities), None
    deg = degree if degree is not None else max(_degree(goal, variables), 1)
    homog = (not problem.equalities) and _homogeneous(goal, variables) and all(_homogeneous(f.expr, variables) for f in problem.facts)
    if deg > 12:
        return None
    cols = _columns(problem, deg, homog, t0 + seconds / 3)
    if time.monotonic() - t0 > seconds:
        return None
    col_polys = [poly_dict(sp.expand(sp.Mul(*[problem.facts[i].expr for i in idx]) * sq**2), variables) for idx, sq, _ in cols]
    lam_cols: list[tuple[int, sp.Expr]] = []
    for k, eq in enumerate(problem.equalities):
        e = _degree(eq.expr, variables)
        for r in range(0, max(deg - e, 0) + 1):
            for mono in itertools.combinations_with_replacement(variables, r):
                lam_cols.append((k, sp.Mul(*mono)))
    lam_polys = [poly_dict(sp.expand(m * problem.equalities[k].expr), variables) for k, m in lam_cols]
    columns = col_polys + lam_polys
    target = poly_dict(goal, variables)
    monos, rows = matrix(columns, target)
    n_c, n = len(col_polys), len(columns)
    a_eq = np.array([[float(v) for v in row[:-1]] for row in rows]) if rows else np.zeros((0, n))
    b_eq = np.array([float(row[-1]) for row in rows])
    strict_cols = [j for j, (_, _, s) in enumerate(cols) if s]
    c = np.zeros(n)
    if problem.op == ">":
        if not strict_cols:
            return None
        c[strict_cols] = -1.0
    bounds = [(0, 1e4)] * n_c + [(-1e4, 1e4)] * (n - n_c)
    if problem.op == "==":
        bounds = [(0, 0)] * n_c + [(-1e4, 1e4)] * (n - n_c)
    left = max(0.5, seconds - (time.monotonic() - t0))
    res = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs", options={"time_limit": left})
    if res.status != 0 or res.x is None:
        return None
    x = res.x
    support = [j for j in range(n_c) if x[j] > 1e-9]
    exact = round_support(rows, x, support, n_c, (10**4, 10**8, 10**12))
    if exact is None:
        return None
    terms, strict_term = [], None
    for pos, j in enumerate(support):
        if exact[pos] == 0:
            continue
        idx, sq, s = cols[j]
        if s and strict_term is None:
            strict_term = len(terms)
        terms.append(Term(exact[pos], idx, sq))
    if problem.op == ">" and strict_term is None:
        return None
    multipliers = [sp.Integer(0)] * len(problem.equalities)
    for pos, (k, m) in enumerate(lam_cols):
        multipliers[k] += exact[len(support) + pos] * m
    return terms, multipliers, strict_term
