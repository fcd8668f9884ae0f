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


def _prove_part(e: sp.Expr, base: PolyProblem, seconds: float, point: dict | None = None) -> dict | None:
    from qed.verifiers.certificates.sdp import sos_certificate

    try:
        wrap, p, _ = clear_denominators(e, ">=", base)
    except ReduceError:
        return None
    # A part in one variable is proved from the facts about that variable alone (the leaf still
    # names the domain's facts by their indices).
    own = sorted(p.free_symbols, key=str)
    if len(own) == 1:
        node = univariate_leaf(p, own[0], base)
        if node is not None:
            return wrap(node)
        facts = [f for f in base.facts if f.expr.free_symbols <= set(own)]
        problem = PolyProblem(own, p, ">=", facts, [], base.domain_facts, base.domain_equalities)
    elif not base.equalities and len(own) < len(base.variables):
        # a part in a few of the variables: proved in those, from the facts about them alone
        facts = [f for f in base.facts if f.expr.free_symbols <= set(own)]
        problem = PolyProblem(own, p, ">=", facts, [], base.domain_facts, base.domain_equalities)
    else:
        problem = base.with_goal(p, ">=")
    if point:
        at = {v: point[v] for v in problem.variables if v in point}
        if len(at) == len(problem.variables) and all(x.is_Rational for x in at.values()):
            problem.points = [at]  # a zero of the part: the SDP restricts its bases to vanish there
    found = direct_coefficients(problem) if not problem.equalities else None
    if found is not None:
        return wrap(leaf(problem, found[0], [sp.Integer(0)] * len(problem.equalities)))
    lp = lp_certificate(problem, seconds=seconds / 2)
    if lp is not None:
        return wrap(leaf(problem, lp[0], lp[1]))
    t0 = time.monotonic()
    node = sos_certificate(problem, seconds=seconds / 4)
    if node is None:
        node = multiplied_sos(problem, max(1.0, seconds / 2 - (time.monotonic() - t0)))
    return wrap(node) if node is not None else None


def multiplied_sos(problem: PolyProblem, seconds: float) -> dict | None:
    """goal · F is a sum of squares (times facts) for F = 1 + Σ x_i, proved > 0 on the domain: the
    Positivstellensatz with a multiplier, for a goal that is not homogeneous (AM-GM of three terms
    such as 2a²b + ab² + 4 >= 6ab for a, b > 0 has no certificate of its own degree, but
    (1 + a + b)·(2a²b + ab² + 4 - 6ab) has one)."""
    if problem.op != ">=" or problem.equalities:
        return None
    if is_homogeneous(problem.goal, problem.variables):
        return None  # a constant term in F adds nothing a homogeneous SOS can use
    return sos_times(problem, sp.Integer(1) + sp.Add(*problem.variables), seconds)


def is_homogeneous(goal: sp.Expr, variables: list[sp.Symbol]) -> bool:
    return len({sum(m) for m in sp.Poly(sp.expand(goal), *variables).monoms()}) < 2


def sos_times(problem: PolyProblem, factor: sp.Expr, seconds: float) -> dict | None:
    """The proof node "goal · factor is a sum of squares", with factor proved > 0 on the domain;
    None when either proof is not found."""
    from qed.verifiers.certificates.reduce import prove_positive
    from qed.verifiers.certificates.sdp import sos_certificate

    proof = prove_positive(factor, problem)
    if proof is None:
        return None
    new_goal = sp.expand(sp.expand(problem.goal) * factor)
    child = sos_certificate(problem.with_goal(new_goal), seconds=seconds)
    if child is None:
        return None
    return {"step": "multiply", "factors": [{"factor": to_text(factor), "proof": proof}], "goal": to_text(new_goal), "then": child}


def univariate_leaf(p: sp.Expr, x: sp.Symbol, base: PolyProblem) -> dict | None:
    """p(x) >= 0 from its square-free factorisation: p = k·S(x)²·r(x) with the even-power factors in
    S, and r with non-negative coefficients in powers of y = x - l for a fact y >= 0 of the domain
    (x > 0, or a lower bound x - l > 0), or with only even powers: terms k·r_j · y^(j mod 2) ·
    (y^(j div 2)·S)²."""
    try:
        k, factors = sp.Poly(p, x).sqf_list()
    except sp.PolynomialError:
        return None
    if k <= 0:
        return None
    square, rest = sp.Integer(1), sp.Poly(1, x)
    for f, e in factors:
        square *= f.as_expr() ** (e // 2)
        if e % 2:
            rest *= f
    shifts: list[tuple[int | None, sp.Expr]] = [(None, sp.Integer(0))]
    for i, (f, op) in enumerate(base.domain_facts):
        if op in (">", ">=") and f.free_symbols == {x}:
            lin = sp.Poly(f, x)
            if lin.degree() == 1 and lin.LC() > 0:
                lo = -lin.coeff_monomial(1) / lin.LC()
                if lin.LC() == 1:
                    shifts.insert(0 if lo == 0 else len(shifts), (i, lo))
    for sign, lo in shifts:
        y = sp.Symbol("y_shift")
        shifted = sp.Poly(rest.as_expr().xreplace({x: y + lo}), y)
        terms = []
        for (j,), r in shifted.terms():
            if r < 0 or (j % 2 and sign is None):
                break
            terms.append({"c": to_text(k * r), "m": [sign] * (j % 2), "s": to_text(sp.expand((x - lo) ** (j // 2) * square))})
        else:
            return {"step": "sos", "terms": terms}
    return None


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
    return {"step": "sum", "why": "tangent", "multipliers": [to_text(slope / scale)], "parts": node_parts}


def _linear(e: sp.Expr, vs: list[sp.Symbol]) -> sp.Poly | None:
    try:
        p = sp.Poly(sp.expand(e), *vs)
    except sp.PolynomialError:
        return None
    return p if p.total_degree() <= 1 and p.domain.is_Exact and all(c.is_Rational for c in p.coeffs()) else None


def _separable_equality(h: sp.Expr, vs: list[sp.Symbol]) -> dict[sp.Symbol, sp.Expr] | None:
    """The one-variable parts h_i of an equality h = Σ_i h_i(x_i) + k (k dropped), or None when a
    term mixes variables or holds a radical."""
    if _radicals([h]):
        return None
    sep = _separate(h, vs)
    if sep is None:
        return None
    parts, _ = sep
    return parts if any(e != 0 for e in parts.values()) else None


def lagrange_split(claim: Claim, points: list[dict[sp.Symbol, sp.Expr]], seconds: float = 20.0) -> dict | None:
    """The tangent-line trick at a known equality point p, with Lagrange multipliers: for a goal
    Σ_i g_i(x_i) + K under separable equalities h_k = Σ_i h_ki(x_i) + k_k = 0 (linear ones, or
    Σ 1/(x_i^2 - 1) = 1 and the like) and linear facts f_j >= 0 (those with f_j(p) = 0), the
    multipliers solve g_i'(p_i) = Σ λ_k h_ki'(p_i) + Σ μ_j ∂f_j/∂x_i with μ_j >= 0, and
        goal = Σ_i φ_i(x_i) + Σ λ_k h_k + Σ μ_j f_j + goal(p),
        φ_i(x) = g_i(x) - g_i(p_i) - Σ λ_k (h_ki(x) - h_ki(p_i)) - Σ μ_j ∂f_j/∂x_i · (x - p_i),
    each φ_i a one-variable inequality with a double zero at p_i (AM-GM with weights, in effect)."""
    if claim.op != ">=" or _radicals([claim.goal]):
        return None
    t0 = time.monotonic()
    vs = claim.variables
    sep = _separate(claim.goal, vs)
    if sep is None:
        return None
    parts, _ = sep
    eqs = [_separable_equality(h, vs) for h in claim.equalities]
    lin_facts = [(j, _linear(f, vs)) for j, (f, op) in enumerate(claim.facts) if op in (">=", ">")]
    lin_facts = [(j, p) for j, p in lin_facts if p is not None and len(p.free_symbols) >= 2]
    if any(p is None for p in eqs) or not (eqs or lin_facts):
        return None
    base = _empty_problem(claim)
    for pt in _rational_points(points, vs):
        try:
            slopes = [sp.nsimplify(sp.diff(parts[v], v).xreplace(pt)) for v in vs]
            grads = [[sp.nsimplify(sp.diff(hp[v], v).xreplace(pt)) for v in vs] for hp in eqs]
            at = sp.nsimplify(claim.goal.xreplace(pt))
            off = [sp.cancel(sp.together(h.xreplace(pt))) for h in claim.equalities]
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        if not all(s.is_Rational for s in slopes + [g for row in grads for g in row]) or not (at.is_Rational and at >= 0):
            continue
        if any(o != 0 for o in off):
            continue
        active = [(j, p) for j, p in lin_facts if p.as_expr().xreplace(pt) == 0]
        lam = sp.symbols(f"l0:{len(eqs)}") if eqs else ()
        mu = sp.symbols(f"m0:{len(active)}") if active else ()
        system = [sum((lam[k] * grads[k][i] for k in range(len(eqs))), sp.Integer(0))
                  + sum((mu[k] * p.coeff_monomial(v) for k, (_, p) in enumerate(active)), sp.Integer(0)) - s
                  for i, (v, s) in enumerate(zip(vs, slopes, strict=True))]
        unknowns = list(lam) + list(mu)
        if not unknowns:
            continue
        sol = sp.solve(system, unknowns, dict=True)
        if not sol:
            continue
        sol = {u: sol[0].get(u, sp.Integer(0)).xreplace(dict.fromkeys(unknowns, 0)) for u in unknowns}
        if any(not sol[u].is_Rational for u in unknowns) or any(sol[m] < 0 for m in mu):
            continue
        node_parts = []
        for v in vs:
            e = parts[v] - sum((sol[lam[k]] * hp[v] for k, hp in enumerate(eqs)), sp.Integer(0))
            e -= sum((sol[mu[k]] * p.coeff_monomial(v) * v for k, (_, p) in enumerate(active)), sp.Integer(0))
            e = sp.together(e - e.xreplace(pt))
            if sp.cancel(e) == 0:
                continue
            left = seconds - (time.monotonic() - t0)
            if left < 1.0:
                return None
            proof = _prove_part(e, base, left / max(1, len(vs)), pt)
            if proof is None:
                break
            node_parts.append({"expr": to_text(e), "op": ">=", "proof": proof})
        else:
            for k, (j, _) in enumerate(active):
                if sol[mu[k]] != 0:
                    node_parts.append({"expr": to_text(sol[mu[k]] * claim.facts[j][0]), "op": ">=",
                                       "proof": {"step": "sos", "terms": [{"c": to_text(sol[mu[k]]), "m": [j], "s": "1"}]}})
            if at > 0:
                node_parts.append({"expr": to_text(at), "op": ">", "proof": {"step": "sos", "terms": [{"c": to_text(at)}], "strict": {"term": 0}}})
            if not node_parts:
                return None
            node: dict = {"step": "sum", "why": "tangent", "parts": node_parts}
            if eqs:
                node["multipliers"] = [to_text(sol[x]) for x in lam]
            return node
    return None


def _groups(goal: sp.Expr, vs: list[sp.Symbol]) -> tuple[list[sp.Expr], sp.Expr] | None:
    """The goal's top-level terms grouped by the variables they mention (one group per set), and
    the constant; None when a group would mention every variable (nothing would be split)."""
    groups: dict[frozenset, sp.Expr] = {}
    const = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(goal, deep=False, mul=True, multinomial=False)):
        free = frozenset(term.free_symbols)
        if not free:
            const += term
        else:
            groups[free] = groups.get(free, sp.Integer(0)) + term
    if len(groups) < 2 or any(len(k) == len(vs) for k in groups):
        return None
    return list(groups.values()), const


def term_split(claim: Claim, points: list[dict[sp.Symbol, sp.Expr]], seconds: float = 20.0) -> dict | None:
    """The tangent trick for sums of terms in a few variables each (cyclic sums such as
    Σ (a² + b² + 3)/(a + b), Σ a²/(a + 2b³)) under one separable equality h = Σ_i h_i(x_i) + k = 0:
    with λ from ∇goal(p) = λ·∇h(p) at the equality point p, each variable's part h_i is divided among
    the terms that mention it in proportion to their slopes there, α_ji = ∂T_j/∂x_i(p) / (λ·h_i'(p))
    (these add up to 1), and
        goal = Σ_j [T_j - T_j(p) - λ·(H_j - H_j(p))] + λ·h + goal(p),   H_j = Σ_{i in T_j} α_ji·h_i,
    each bracket an inequality in the few variables of T_j, proved on the domain (it is tried only
    when its gradient vanishes at p, which every bracket >= 0 needs). Without an equality (λ = 0,
    p a critical point of the goal) each bracket is T_j minus its tangent plane at p: the goal is a
    sum of convex terms, such as 30a + 3b² + 2c³/9 + 36/(ab) + 36/(bc) + 36/(ca) >= 84."""
    if claim.op != ">=" or len(claim.equalities) > 1 or _radicals([claim.goal]):
        return None
    t0 = time.monotonic()
    vs = claim.variables
    grouped = _groups(claim.goal, vs)
    hparts = _separable_equality(claim.equalities[0], vs) if claim.equalities else dict.fromkeys(vs, sp.Integer(0))
    if grouped is None or hparts is None:
        return None
    terms, _ = grouped
    count = {v: sum(1 for T in terms if v in T.free_symbols) for v in vs}
    if any(count[v] == 0 and hparts[v] != 0 for v in vs):
        return None
    base = _empty_problem(claim)
    for pt in _rational_points(points, vs):
        try:
            at = sp.nsimplify(claim.goal.xreplace(pt))
            if any(sp.cancel(sp.together(h.xreplace(pt))) != 0 for h in claim.equalities) or not (at.is_Rational and at >= 0):
                continue
            grad = [sp.nsimplify(sp.diff(claim.goal, v).xreplace(pt)) for v in vs]
            hgrad = [sp.nsimplify(sp.diff(hparts[v], v).xreplace(pt)) for v in vs]
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        pivot = next((i for i, g in enumerate(hgrad) if g != 0), None)
        if (pivot is None and claim.equalities) or not all(g.is_Rational for g in grad + hgrad):
            continue
        lam = grad[pivot] / hgrad[pivot] if pivot is not None else sp.Integer(0)
        if any(g - lam * hg != 0 for g, hg in zip(grad, hgrad, strict=True)):
            continue  # p is not a critical point of goal - λh: no tangent split there
        shares = []
        for T in terms:
            # α_jv = ∂T_j/∂v(p) / (λ h_v'(p)) makes every bracket critical at p, and Σ_j α_jv = 1; where
            # λ h_v'(p) = 0, each term takes its own slope in v instead (these add up to ∂goal/∂v(p) = 0)
            share, tangent = sp.Integer(0), sp.Integer(0)
            for v in T.free_symbols:
                slope = lam * hgrad[vs.index(v)]
                own = sp.nsimplify(sp.diff(T, v).xreplace(pt))
                if slope != 0:
                    share += own / slope * hparts[v]
                else:
                    tangent += own * v
            shares.append((share, tangent))
        node_parts = []
        for T, (H, tangent) in zip(terms, shares, strict=True):
            e = T - lam * H - tangent
            e = sp.together(e - e.xreplace(pt))
            if sp.cancel(e) == 0:
                continue
            try:
                if any(sp.cancel(sp.diff(e, v).xreplace(pt)) != 0 for v in e.free_symbols):
                    break
            except (TypeError, ValueError, ZeroDivisionError):
                break
            left = seconds - (time.monotonic() - t0)
            if left < 1.0:
                return None
            proof = _prove_part(e, base, max(left / max(1, len(terms) - len(node_parts)), min(left, 6.0)), pt)
            if proof is None:
                break
            node_parts.append({"expr": to_text(e), "op": ">=", "proof": proof})
        else:
            if at > 0:
                node_parts.append({"expr": to_text(at), "op": ">", "proof": {"step": "sos", "terms": [{"c": to_text(at)}], "strict": {"term": 0}}})
            if not node_parts:
                return None
            node = {"step": "sum", "why": "tangent", "parts": node_parts}
            if claim.equalities:
                node["multipliers"] = [to_text(lam)]
            return node
    return None


def _empty_problem(claim: Claim) -> PolyProblem:
    """The claim's domain with a zero goal: what a split's parts are proved against."""
    vs, facts, ceqs = claim.variables, claim.facts, claim.equalities
    return PolyProblem(vs, sp.Integer(0), ">=", polynomial_facts(vs, facts), polynomial_equalities(vs, ceqs), facts, ceqs)


def _rational_points(points: list[dict], vs: list[sp.Symbol]) -> list[dict]:
    """The candidate points that give every variable an exact rational value."""
    return [pt for pt in points if set(pt) == set(vs) and all(v.is_Rational for v in pt.values())]
