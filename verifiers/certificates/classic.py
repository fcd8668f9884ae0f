"""Classical steps at the level of the claim: the tangent-line trick for separable sums.

When the goal is Σ_i g(x_i) + K under a linear constraint Σ x_i = S, the symmetric point
t0 = S/n gives the split goal = Σ_i [g(x_i) - g(t0) - m (x_i - t0)] + R + m·h, with m = g'(t0),
R = K + n·g(t0) and h = Σ x_i - S. Each bracket is a one-variable inequality (the tangent line
at t0 lies below g), proved on the domain by clearing its denominators and a sum of squares or
products of facts; R is a non-negative constant. The certificate is a "sum" step whose parts
are those brackets, checked exactly like any other step.
"""

from __future__ import annotations

import time

import sympy as sp
from qed.verifiers.certificates.claim import Claim
from qed.verifiers.certificates.poly import (
    PolyProblem,
    leaf,
    polynomial_equalities,
    polynomial_facts,
)
from qed.verifiers.certificates.products import direct_coefficients, lp_certificate
from qed.verifiers.certificates.reduce import ReduceError, _radicals, clear_denominators
from qed.verifiers.certificates.text import to_text


def _separate(goal: sp.Expr, variables: list[sp.Symbol]) -> tuple[dict[sp.Symbol, sp.Expr], sp.Expr] | None:
    parts = {v: sp.Integer(0) for v in variables}
    const = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(goal, deep=False, mul=True, multinomial=False)):
        free = term.free_symbols
        if not free:
            const += term
        elif len(free) == 1:
            parts[next(iter(free))] += term
        else:
            return None
    return parts, const


def _prove_part(e: sp.Expr, base: PolyProblem, seconds: float) -> dict | None:
    from qed.verifiers.certificates.sdp import sos_certificate

    try:
        wrap, p, _ = clear_denominators(e, ">=", base)
    except ReduceError:
        return None
    # A part in one variable is proved from the facts about that variable alone (the leaf still
    # names the domain's facts by their indices).
    own = sorted(p.free_symbols, key=str)
    if len(own) == 1:
        facts = [f for f in base.facts if f.expr.free_symbols <= set(own)]
        problem = PolyProblem(own, p, ">=", facts, [], base.domain_facts, base.domain_equalities)
    else:
        problem = base.with_goal(p, ">=")
    found = direct_coefficients(problem) if not problem.equalities else None
    if found is not None:
        return wrap(leaf(problem, found[0], [sp.Integer(0)] * len(problem.equalities)))
    lp = lp_certificate(problem, seconds=seconds / 2)
    if lp is not None:
        return wrap(leaf(problem, lp[0], lp[1]))
    node = sos_certificate(problem, seconds=seconds / 2)
    return wrap(node) if node is not None else None


def tangent_line(claim: Claim, seconds: float = 20.0) -> dict | None:
    """A sum step proving the goal by the tangent-line trick, or None when it does not apply."""
    if claim.op != ">=" or len(claim.equalities) != 1 or _radicals([claim.goal]):
        return None
    t0 = time.monotonic()
    vs = claim.variables
    h = sp.expand(claim.equalities[0])
    try:
        hp = sp.Poly(h, *vs)
    except sp.PolynomialError:
        return None
    if hp.total_degree() != 1 or len({hp.coeff_monomial(v) for v in vs}) != 1 or hp.coeff_monomial(vs[0]) == 0:
        return None
    scale = hp.coeff_monomial(vs[0])  # h = scale·(Σ x_i - S)
    total = -hp.coeff_monomial(1) / scale
    sep = _separate(claim.goal, vs)
    if sep is None:
        return None
    parts, const = sep
    t = total / len(vs)
    x = sp.Dummy("x")
    gs = [parts[v].xreplace({v: x}) for v in vs]
    if any(sp.simplify(g - gs[0]) != 0 for g in gs[1:]):
        return None
    g = gs[0]
    try:
        slope = sp.nsimplify(sp.diff(g, x).xreplace({x: t}))
        gt = sp.nsimplify(g.xreplace({x: t}))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not (slope.is_Rational and gt.is_Rational):
        return None
    rest = sp.nsimplify(const + len(vs) * gt)
    if not (rest.is_Rational and rest >= 0):
        return None
    facts, eqs = claim.facts, claim.equalities
    base = PolyProblem(vs, sp.Integer(0), ">=", polynomial_facts(vs, facts), polynomial_equalities(vs, eqs), facts, eqs)
    node_parts = []
    for v in vs:
        e = parts[v] - gt - slope * (v - t)
        left = seconds - (time.monotonic() - t0)
        if left < 1.0:
            return None
        proof = _prove_part(e, base, left / max(1, len(vs)))
        if proof is None:
            return None
        node_parts.append({"expr": to_text(e), "op": ">=", "proof": proof})
    if rest > 0:
        node_parts.append({"expr": to_text(rest), "op": ">", "proof": {"step": "sos", "terms": [{"c": to_text(rest)}], "strict": {"term": 0}}})
    return {"step": "sum", "multipliers": [to_text(slope / scale)], "parts": node_parts}
