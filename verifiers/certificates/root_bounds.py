"""Tangent-line bounds for roots: each radical w = t^(1/q) in the goal is bounded by the tangent of
w at the equality point, so the radicals leave the problem and what remains is a polynomial
inequality in the original variables, which the existing methods prove.

After the reduction a radical is a variable w >= 0 with w^q = t (t a polynomial in the other
variables). Where the goal is P0 - Σ k_j·w_j (k_j > 0, P0 free of the w_j) and w_j = r_j > 0 (a
rational) at a known equality point, AM-GM gives q·r^(q-1)·w <= w^q + (q-1)·r^q, and exactly

    goal = Σ_j k_j·A_j(w_j) + R - Σ_j λ_j·(w_j^q - t_j),
    A_j(w) = (w^q - q·r^(q-1)·w + (q-1)·r^q) / (q·r^(q-1)) = (w - r)²·Σ_i (i+1)·r^i·w^(q-2-i) / (q·r^(q-1)),
    R = P0 - Σ_j k_j·(t_j + (q-1)·r_j^q) / (q·r_j^(q-1)),   λ_j = k_j / (q·r_j^(q-1)).

Each A_j >= 0 is a sum of squares times the fact w_j >= 0; R >= 0 is proved on the same domain by
products of facts or a sum of squares. The certificate is a "sum" step: no new step kind.
"""

from __future__ import annotations

import time

import sympy as sp
from qed.verifiers.certificates.poly import PolyProblem, leaf
from qed.verifiers.certificates.products import direct_coefficients, lp_certificate
from qed.verifiers.certificates.text import to_text


def _defining(problem: PolyProblem, w: sp.Symbol) -> tuple[int, sp.Expr, object] | None:
    """(q, t, the equality) when an equality of the problem reads w^q - t = 0 with t free of w."""
    for eq in problem.equalities:
        if eq.scale != 1 or w not in eq.expr.free_symbols:
            continue
        p = sp.Poly(eq.expr, w)
        q = p.degree()
        if q < 2 or p.LC() != 1 or any(p.coeff_monomial(w**i) != 0 for i in range(1, q)):
            continue
        t = -p.coeff_monomial(1)
        if w in t.free_symbols:
            continue
        return q, sp.expand(t), eq
    return None


def _fact_index(problem: PolyProblem, w: sp.Symbol) -> int | None:
    """The problem fact w >= 0 (or > 0), by its index in problem.facts."""
    return next((i for i, f in enumerate(problem.facts) if sp.expand(f.expr - w) == 0), None)


def _amgm_terms(k: sp.Rational, q: int, r: sp.Rational, w: sp.Symbol, fact: int) -> list[tuple[sp.Rational, list[int], sp.Expr]]:
    """k·A(w) as terms c·(w)^(0 or 1)·s²: (w - r)²·(i+1)·r^i·w^(q-2-i), i = 0..q-2, scaled."""
    scale = k / (q * r ** (q - 1))
    out = []
    for i in range(q - 1):
        e = q - 2 - i
        out.append((scale * (i + 1) * r**i, [fact] * (e % 2), (w - r) * w ** (e // 2)))
    return out


def root_tangent_certificate(problem: PolyProblem, seconds: float = 20.0) -> dict | None:
    """The sum step above, or None when the goal is not of that shape or R has no proof."""
    from qed.verifiers.certificates.sdp import sos_certificate

    if problem.op not in (">=", ">"):
        return None
    t0 = time.monotonic()
    goal = sp.expand(problem.goal)
    roots = []
    for w in problem.variables:
        if w not in goal.free_symbols:
            continue
        d = _defining(problem, w)
        if d is None:
            continue
        try:
            gp = sp.Poly(goal, w)
        except sp.PolynomialError:
            return None
        if gp.degree() != 1:
            return None
        k = -gp.coeff_monomial(w)
        if not (k.is_Rational and k > 0):
            return None
        fact = _fact_index(problem, w)
        if fact is None:
            return None
        roots.append((w, k, d, fact))
    if not roots:
        return None
    removed = {w for w, *_ in roots}
    if any(removed & d[1].free_symbols for _, _, d, _ in roots):
        return None  # a root of an expression with a root in it: not this shape
    for pt in problem.points:
        values = {w: pt.get(w) for w in removed}
        if not all(v is not None and v.is_Rational and v > 0 for v in values.values()):
            continue
        rest = goal
        terms = []
        lam = {}
        for w, k, (q, t, eq), fact in roots:
            r = values[w]
            rest = rest + k * w - k * (t + (q - 1) * r**q) / (q * r ** (q - 1))
            terms += _amgm_terms(k, q, r, w, fact)
            lam[eq.index] = -k / (q * r ** (q - 1))
        rest = sp.expand(rest)
        if rest.free_symbols & removed:
            continue
        at = rest.xreplace({v: pt[v] for v in problem.variables if v in pt})
        if at.is_number and at.evalf(30) < -1e-20:
            continue  # R < 0 at the point: the bound is too weak there, no proof of R to look for
        kept = [v for v in problem.variables if v not in removed]
        sub = PolyProblem(kept, rest, problem.op,
                          [f for f in problem.facts if not (f.expr.free_symbols & removed)],
                          [e for e in problem.equalities if not (e.expr.free_symbols & removed)],
                          problem.domain_facts, problem.domain_equalities, list(problem.notes),
                          [{v: p[v] for v in kept if v in p} for p in problem.points])
        proof = _prove_rest(sub, max(1.0, seconds - (time.monotonic() - t0)), sos_certificate)
        if proof is None:
            continue
        multipliers = [sp.Integer(0)] * len(problem.domain_equalities)
        for index, value in lam.items():
            multipliers[index] += value
        while multipliers and multipliers[-1] == 0:
            multipliers.pop()
        bound = {"step": "sos", "terms": [{"c": to_text(c), "m": [i for f in m for i in problem.facts[f].indices], "s": to_text(sp.expand(s))}
                                          for c, m, s in terms]}
        tangent = sp.expand(sum(c * sp.Mul(*[problem.facts[f].expr for f in m]) * s**2 for c, m, s in terms))
        node = {"step": "sum", "why": "root-tangent", "parts": [{"expr": to_text(tangent), "op": ">=", "proof": bound},
                                         {"expr": to_text(rest), "op": problem.op, "proof": proof}]}
        if multipliers:
            node["multipliers"] = [to_text(m) for m in multipliers]
        return node
    return None


def _prove_rest(sub: PolyProblem, seconds: float, sos_certificate) -> dict | None:
    """R op 0 by products of facts (exact LP), else a sum of squares: leaves that name the
    domain's facts by index, so they hold on the full domain (the roots are not needed)."""
    found = direct_coefficients(sub) if not sub.equalities else None
    if found is not None and (sub.op == ">=" or found[1] is not None):
        return leaf(sub, found[0], [sp.Integer(0)] * len(sub.equalities), found[1] if sub.op == ">" else None)
    lp = lp_certificate(sub, seconds=seconds / 3)
    if lp is not None and (sub.op == ">=" or lp[2] is not None):
        return leaf(sub, lp[0], lp[1], lp[2] if sub.op == ">" else None)
    if sub.op != ">=":
        return None
    return sos_certificate(sub, seconds=seconds)
