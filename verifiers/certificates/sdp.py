"""Sums of squares by semidefinite programming, rounded to an exact certificate a person can read.

P = Σ_j g_j · b_jᵀ Q_j b_j + Σ_k λ_k h_k with Q_j ⪰ 0, g_j products of facts (1 included), b_j
vectors of monomials, λ_k polynomials. Squares alone (g = 1) are tried before products of facts,
so a proof uses no multiplier it does not need. At each level the squared-binomial LP
(certificates/dsos.py) runs first: its answers have small exact numbers. Otherwise cvxpy with
Clarabel (SCS as fallback) finds Q_j numerically, maximising the smallest eigenvalue so that the
solution lies inside the cone, and it is made exact two ways, keeping the shorter: the solution's
own squares rounded to short integer directions go back to the LP; or the Gram matrices are
rounded to the coarsest grid that stays PSD (certificates/rounding.py), projected exactly onto
the linear conditions and factored as L·D·Lᵀ. Tight inequalities (equality at a = b = c, or on
the boundary) have singular Gram matrices that rounding cannot keep PSD: known zeros of P are
used to restrict each basis to polynomials vanishing there (facial reduction), so that the
restricted Gram matrix can be strictly positive definite.
"""

from __future__ import annotations

import itertools
import time

import numpy as np
import sympy as sp
from qed.verifiers.certificates.dsos import dsos_terms
from qed.verifiers.certificates.exact import ldl, poly_dict, surd_parts
from qed.verifiers.certificates.poly import PolyProblem, Term, leaf
from qed.verifiers.certificates.rounding import factor_directions, primitive, projections
from sympy import QQ

MAX_GRAM = 40  # basis size of one Gram matrix
MAX_MULTIPLIERS = 14
MAX_UNKNOWNS = 6000
MAX_ROUNDING = 400_000  # monomials x unknowns of the exact projection
DIRECTION_GRIDS = (1, 4, 16, 64, 256)  # grids for the directions of the numeric squares
SHORT_DIGITS = 6  # coefficients this short need no second rounding to compare with


def _degree(e: sp.Expr, variables) -> int:
    return sp.Poly(e, *variables).total_degree()


def _homogeneous(e: sp.Expr, variables) -> bool:
    return len({sum(m) for m in sp.Poly(e, *variables).monoms()}) <= 1


def _monomials(variables, degree: int, exact: bool) -> list[sp.Expr]:
    out = []
    for k in ([degree] if exact else range(degree + 1)):
        out += [sp.Mul(*c) for c in itertools.combinations_with_replacement(variables, k)]
    return out


def _multipliers(problem: PolyProblem, d: int, homog: bool) -> list[tuple[list[int], sp.Expr]]:
    """(fact indices, polynomial) of the products of facts used as multipliers of SOS parts."""
    vs = problem.variables
    facts = [(i, f) for i, f in enumerate(problem.facts) if 1 <= _degree(f.expr, vs) <= d]
    out: list[tuple[list[int], sp.Expr]] = []
    seen = set()
    for r in range(0, 4):
        for combo in itertools.combinations_with_replacement(facts, r):
            e = sp.expand(sp.Mul(*[f.expr for _, f in combo]))
            deg = _degree(e, vs) if r else 0
            if deg > d or e in seen:
                continue
            if homog and ((d - deg) % 2 or not _homogeneous(e, vs)):
                continue
            seen.add(e)
            out.append(([i for i, _ in combo], e))
    out.sort(key=lambda x: len(x[0]))
    return out[:MAX_MULTIPLIERS]


def zeros(problem: PolyProblem) -> list[dict[sp.Symbol, sp.Rational]]:
    """Exact zeros of P in the domain among simple candidates: all variables equal (scaled to meet
    the equalities), 0/1 patterns on the boundary, and the problem's known points (equality cases
    from the engine or the optimality witness, carried through the substitutions)."""
    vs = problem.variables
    cands: list[dict] = []
    for pattern in itertools.product((0, 1), repeat=len(vs)):
        if sum(pattern) == 0:
            continue
        pt = {v: sp.Integer(p) for v, p in zip(vs, pattern, strict=True)}
        cands.append(pt)
        # rational zeros of P along the ray t·pattern (non-homogeneous P: a = b = c = 1/3, ...)
        t = sp.Dummy("t")
        ray = sp.expand(problem.goal.xreplace({v: t * p for v, p in pt.items()}))
        if ray != 0 and ray.free_symbols == {t}:
            for r in sp.Poly(ray, t).ground_roots():
                if r.is_Rational and r != 0:
                    cands.append({v: r * p for v, p in pt.items()})
        if problem.equalities:
            t = sp.Dummy("t")
            scaled = {v: t * p for v, p in pt.items()}
            eq = sp.expand(problem.equalities[0].expr.xreplace(scaled))
            if eq.free_symbols == {t}:
                for r in sp.Poly(eq, t).real_roots():
                    if r.is_Rational and r > 0:
                        cands.append({v: r * p for v, p in pt.items()})
    cands += [pt for pt in problem.points if set(pt) == set(vs)]
    out = _in_domain_zeros(problem, cands)
    # over the reals a zero has sign variants that may be zeros too (x^6 + y^6 + z^6 - 3x^2y^2z^2 at (1, -1, 1))
    signed = [v for v in vs if not any(f == v for f, op in problem.domain_facts if op != "!=")]
    flipped = []
    for pt in out if len(signed) <= 6 else []:
        moved = [v for v in signed if pt.get(v, 0) != 0]
        for flips in itertools.product((1, -1), repeat=len(moved)):
            if -1 in flips:
                flipped.append({**pt, **{v: f * pt[v] for v, f in zip(moved, flips, strict=True)}})
    return out + [pt for pt in _in_domain_zeros(problem, flipped) if pt not in out]


def _in_domain_zeros(problem: PolyProblem, cands: list[dict]) -> list[dict]:
    vs = problem.variables
    out = []
    for pt in cands:
        if sp.expand(problem.goal.xreplace(pt)) != 0:
            continue
        if any(sp.expand(e.expr.xreplace(pt)) != 0 for e in problem.equalities):
            continue
        if any((f.xreplace(pt) < 0) if op == ">=" else (f.xreplace(pt) <= 0) if op == ">" else False
               for f, op in problem.domain_facts if f.free_symbols <= set(vs) and op != "!=" and sp.fraction(sp.together(f))[1].xreplace(pt) != 0):
            continue
        out.append(pt)
    return out


def _restricted_basis(basis: list[sp.Expr], g: sp.Expr, pts: list[dict]) -> list[sp.Expr]:
    """Polynomials in the span of `basis` (rational coefficients) that vanish at every zero where
    g is positive; at a zero with coordinates p + q·sqrt(d) both the rational part and the part
    in sqrt(d) of each value must vanish."""
    rows = []
    for pt in pts:
        gv = sp.expand(g.xreplace(pt))
        if gv != 0:
            values = [surd_parts(b.xreplace(pt)) for b in basis]
            if any(v is None for v in values):
                continue
            rows.append([v[0] for v in values])
            if any(v[1] != 0 for v in values):
                rows.append([v[1] for v in values])
    if not rows:
        return basis
    m = sp.Matrix(rows)
    null = m.nullspace()
    out = []
    for vec in null:
        den = sp.ilcm(*[sp.fraction(x)[1] for x in vec]) if len(vec) else 1
        out.append(sp.expand(sum((x * den) * b for x, b in zip(vec, basis, strict=True))))
    return out


def sos_certificate(problem: PolyProblem, seconds: float = 30.0) -> dict | None:
    """An exact SOS certificate for P >= 0 on the domain, or None."""
    if problem.op != ">=":
        return None
    t0 = time.monotonic()
    # With equalities the multipliers λ_k h_k may need a higher degree than P itself.
    # A non-homogeneous goal of odd degree may need squares of one degree more (a linear goal
    # under quadratic facts: squares of linear forms).
    vs = problem.variables
    odd = _degree(problem.goal, vs) % 2 == 1 and not _homogeneous(problem.goal, vs)
    extras = (0, 1, 2) if problem.equalities else (0, 1) if odd else (0,)
    for extra in extras:
        left = seconds - (time.monotonic() - t0)
        if left < 1.0:
            return None
        found = sos_terms(problem, left, extra)
        if found is not None:
            terms, mult = found
            return leaf(problem, terms, mult)
    return None


def sos_terms(problem: PolyProblem, seconds: float, extra: int = 0) -> tuple[list[Term], list[sp.Expr]] | None:
    """goal = Σ λh + Σ c·g·s², with as few multipliers g as work: squares alone (g = 1) first, then
    every product of facts; at each level squared binomials by LP (short numbers) before the SDP."""
    t0 = time.monotonic()
    vs = problem.variables
    goal = sp.expand(problem.goal)
    d = _degree(goal, vs)
    if d == 0:
        return None
    homog = not problem.equalities and _homogeneous(goal, vs)
    if problem.equalities:
        d = max([d] + [_degree(e.expr, vs) for e in problem.equalities]) + extra
    else:
        d += extra
    pts = zeros(problem)
    plain, blocks = [], []  # (fact indices, g, basis): monomial bases (LP), restricted ones (SDP)
    for idx, g in _multipliers(problem, d, homog):
        k = (d - (_degree(g, vs) if idx else 0)) // 2
        basis = _monomials(vs, k, homog)
        if basis and len(basis) <= MAX_GRAM:
            plain.append((idx, g, basis))
        basis = _restricted_basis(basis, g, pts)
        if not basis or len(basis) > MAX_GRAM:
            continue
        blocks.append((idx, g, basis))
    lam_monos = [(k, mono) for k, eq in enumerate(problem.equalities) for mono in _monomials(vs, max(d - _degree(eq.expr, vs), 0), False)]
    every = sorted({len(b[0]) for b in plain + blocks})
    for level in dict.fromkeys([every[0], every[-1]] if every else []):  # squares alone, then every block
        left = seconds - (time.monotonic() - t0)
        if left < 0.5:
            return None
        chosen = [b for b in plain if len(b[0]) <= level]
        found = dsos_terms(problem, chosen, lam_monos, min(left, max(1.0, seconds / 4))) if chosen else None
        if found is not None:
            return found
        chosen = [b for b in blocks if len(b[0]) <= level]
        found = _sdp_terms(problem, chosen, goal, d, t0, seconds) if chosen else None
        if found is not None:
            return found
    return None


def _sdp_terms(problem: PolyProblem, blocks: list, goal: sp.Expr, d: int, t0: float, seconds: float) -> tuple[list[Term], list[sp.Expr]] | None:
    for _ in range(4):  # drop the blocks the solver leaves empty, then solve again
        if time.monotonic() - t0 > seconds:
            return None
        out = _solve_blocks(problem, blocks, goal, d, t0, seconds)
        if out is None or isinstance(out, tuple):
            return out
        # out: per block, the basis elements the solution uses (its Gram diagonal is not ~0)
        keep = [(idx, g, [basis[i] for i in used]) for (idx, g, basis), used in zip(blocks, out, strict=True) if used]
        if not keep or sum(len(b[2]) for b in keep) == sum(len(b[2]) for b in blocks):
            return None
        blocks = keep
    return None


def _solve_blocks(problem: PolyProblem, blocks: list, goal: sp.Expr, d: int, t0: float, seconds: float):
    """Terms and multipliers; or, when no strictly feasible point exists, a list saying which
    blocks the solution uses (the others are dropped by the caller); or None."""
    import cvxpy as cp

    vs = problem.variables
    lam_cols = []
    for k, eq in enumerate(problem.equalities):
        for mono in _monomials(vs, max(d - _degree(eq.expr, vs), 0), False):
            lam_cols.append((k, mono))
    # the linear map from the unknowns (upper triangles of each Q_j, then λ) to coefficients
    size = sum(len(b[2]) * (len(b[2]) + 1) // 2 for b in blocks) + len(lam_cols)
    if size > MAX_UNKNOWNS:
        return None
    unknowns: list[tuple] = []
    cols: list[dict] = []
    for j, (_, g, basis) in enumerate(blocks):
        gp = sp.Poly(g, *vs, domain="QQ")
        bp = [sp.Poly(b, *vs, domain="QQ") for b in basis]
        for a in range(len(basis)):
            ga = gp * bp[a]
            for b in range(a, len(basis)):
                prod = ga * bp[b] * (1 if a == b else 2)
                unknowns.append(("q", j, a, b))
                cols.append({m: sp.Rational(c) for m, c in prod.terms()})
        if time.monotonic() - t0 > seconds:
            return None
    for k, mono in lam_cols:
        unknowns.append(("l", k, mono))
        cols.append(poly_dict(sp.expand(mono * problem.equalities[k].expr), vs))
    target = poly_dict(goal, vs)
    monos = sorted(set(target).union(*[set(c) for c in cols]))
    row_of = {m: i for i, m in enumerate(monos)}
    n = len(unknowns)
    a_num = np.zeros((len(monos), n))
    for j, col in enumerate(cols):
        for m, c in col.items():
            a_num[row_of[m], j] = float(c)
    p_num = np.array([float(target.get(m, 0)) for m in monos])
    # cvxpy: one PSD variable per block, λ free
    qs = [cp.Variable((len(b[2]), len(b[2])), symmetric=True) for b in blocks]
    lam = cp.Variable(len(lam_cols)) if lam_cols else None
    exprs = []
    offset = 0
    for j, (_, _, basis) in enumerate(blocks):
        r = len(basis)
        pairs = [(a, b) for a in range(r) for b in range(a, r)]
        sel = np.zeros((len(pairs), r * r))
        for i, (a, b) in enumerate(pairs):
            sel[i, a + b * r] = 1.0  # column-major vec
        exprs.append(a_num[:, offset : offset + len(pairs)] @ (sel @ cp.vec(qs[j], order="F")))
        offset += len(pairs)
    if lam is not None:
        exprs.append(a_num[:, offset:] @ lam)
    t = cp.Variable()
    cons = [sum(exprs) == p_num, t <= 1.0, t >= -10.0]
    cons += [q - t * np.eye(q.shape[0]) >> 0 for q in qs]
    prob = cp.Problem(cp.Maximize(t), cons)
    solved = False
    for solver in ("CLARABEL", "SCS"):
        if time.monotonic() - t0 > seconds:
            return None
        try:
            left = max(1.0, seconds - (time.monotonic() - t0))
            opts = {"max_iter": 200, "time_limit": left} if solver == "CLARABEL" else {"max_iters": 20000, "time_limit_secs": left}
            prob.solve(solver=solver, **opts)
        except (cp.error.SolverError, ValueError, ArithmeticError):
            continue
        if prob.status in ("optimal", "optimal_inaccurate") and t.value is not None:
            solved = True
            break
    if not solved:
        return None
    if t.value < -1e-5:
        return None  # not feasible
    used = None
    if t.value < 1e-7:  # on the boundary: which basis elements the solution uses
        diags = [np.diag(q.value) if q.value is not None else np.zeros(q.shape[0]) for q in qs]
        top = max(float(np.max(dg)) for dg in diags) if diags else 0.0
        used = [[i for i, v in enumerate(dg) if v > 1e-6 * top] for dg in diags]
        if sum(map(len, used)) < sum(len(b[2]) for b in blocks):
            return used  # a singular solution does not round; the caller solves again without the unused part
    # Two ways to exact numbers, the shorter one is kept: the solution's own squares rounded to
    # short directions and handed to the LP, or the Gram matrices rounded and factored exactly.
    found: list[tuple[list[Term], list[sp.Expr]]] = []
    for den in DIRECTION_GRIDS:
        if time.monotonic() - t0 > seconds:
            break
        turned = []
        for j, (idx, g, basis) in enumerate(blocks):
            vectors = factor_directions(qs[j].value, den)
            turned.append((idx, g, [sp.expand(sum(c * b for c, b in zip(v, basis, strict=True))) for v in vectors]))
        out = dsos_terms(problem, turned, lam_cols, max(1.0, seconds - (time.monotonic() - t0)))
        if out is not None:
            found.append(out)
            break
    if found and max_digits(found[0]) <= SHORT_DIGITS:
        return found[0]
    guess = []
    for j, (_, _, basis) in enumerate(blocks):
        qv = qs[j].value
        for a in range(len(basis)):
            for b in range(a, len(basis)):
                guess.append(float(qv[a, b]))
    if lam is not None:
        guess += [float(x) for x in lam.value]
    rows = [[QQ(0)] * n for _ in monos]
    for j, col in enumerate(cols):
        for m, c in col.items():
            rows[row_of[m]][j] = QQ(int(c.p), int(c.q))
    rhs = [QQ(int(target.get(m, sp.Integer(0)).p), int(target.get(m, sp.Integer(0)).q)) for m in monos]
    if len(monos) * n <= MAX_ROUNDING:
        for _den, x in projections(rows, rhs, guess):
            if time.monotonic() - t0 > seconds and found:
                break
            out = _terms(blocks, unknowns, x, len(problem.equalities))
            if out is not None:
                found.append(out)
                break
    if found:
        return min(found, key=written_length)
    return used


def max_digits(found: tuple[list[Term], list[sp.Expr]]) -> int:
    """The most digits of a numerator or denominator among the coefficients c."""
    return max((len(str(abs(int(q)))) for t in found[0] for q in (sp.Rational(t.c).p, sp.Rational(t.c).q)), default=0)


def written_length(found: tuple[list[Term], list[sp.Expr]]) -> int:
    """Characters of the terms and multipliers as a certificate writes them (shorter reads better)."""
    terms, mult = found
    return sum(len(str(t.c)) + len(str(t.s)) for t in terms) + sum(len(str(m)) for m in mult)


def _terms(blocks, unknowns, x, n_eq: int) -> tuple[list[Term], list[sp.Expr]] | None:
    grams = [[[sp.Integer(0)] * len(b[2]) for _ in b[2]] for b in blocks]
    mult = [sp.Integer(0)] * n_eq
    for u, v in zip(unknowns, x, strict=True):
        if u[0] == "q":
            _, j, a, b = u
            grams[j][a][b] = grams[j][b][a] = v
        else:
            _, k, mono = u
            mult[k] += v * mono
    factors = []
    for q in grams:  # every block PSD before any term is written
        fact = ldl(q)
        if fact is None:
            return None
        factors.append(fact)
    terms: list[Term] = []
    for (idx, _, basis), (low, diag) in zip(blocks, factors, strict=True):
        for i, di in enumerate(diag):
            if di == 0:
                continue
            k, ints = primitive([low[l_][i] for l_ in range(len(basis))])
            s = sp.expand(sum(n * b for n, b in zip(ints, basis, strict=True)))
            terms.append(Term(di * k**2, list(idx), s))
    return terms, mult
