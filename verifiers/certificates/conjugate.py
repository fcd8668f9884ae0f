"""Radicals removed by a conjugate: "square both sides", written as checked multiply and sum steps.

After the reduction a radical is a variable w with w >= 0 and an equality α·w^q - B = 0 (q = 2 or
3, B free of w). Reduced modulo that equality the goal is A + C·w (when it is linear in w). When
A > 0 and C <= 0 on the domain, multiplying by F = Σ_i A^(q-1-i)·(-C·w)^i > 0 gives
    (A + C·w)·F = A^q - (-C)^q·w^q = A^q - (-C)^q·B/α + (multiple of the equality),
a goal with one radical fewer; when C >= 0 and A <= 0 the conjugate is Σ_i (C·w)^(q-1-i)·(-A)^i
and the new goal C^q·B/α - (-A)^q. Repeated while a radical is left, then the goal, free of every
radical variable, is proved by products of facts or a sum of squares in the remaining variables.
"""

from __future__ import annotations

import time

import sympy as sp
from qed.verifiers.certificates.poly import PolyProblem, leaf
from qed.verifiers.certificates.products import direct_coefficients, lp_certificate
from qed.verifiers.certificates.reduce import prove_positive
from qed.verifiers.certificates.text import to_text

MAX_ROUNDS = 3


def _radical_equalities(problem: PolyProblem) -> list[tuple[int, sp.Symbol, int, sp.Rational, sp.Expr]]:
    """(position in problem.equalities, w, q, α, B) for each equality α·w^q - B with w a fact >= 0."""
    vs = problem.variables
    nonneg = {f for f, op in problem.domain_facts if op in (">", ">=") and f in vs}
    out = []
    for pos, eq in enumerate(problem.equalities):
        p = sp.Poly(eq.expr, *vs)
        options = []
        for w in vs:
            if w not in nonneg:
                continue
            q = p.degree(w)
            if q not in (2, 3):
                continue
            lead = sp.Poly(eq.expr, w)
            if len(lead.terms()) != 2 or lead.coeff_monomial(w**q) == 0:
                continue
            alpha = lead.coeff_monomial(w**q)
            if not alpha.is_Rational:
                continue
            b = -lead.coeff_monomial(1)
            if w in b.free_symbols:
                continue
            options.append((pos, w, q, sp.Rational(alpha), sp.expand(b)))
        # w^2 = a^2/2 + b^2/2 also reads as a^2 = 2w^2 - b^2: the radical is the variable whose
        # radicand B/α is visibly non-negative (every coefficient >= 0), else the first found
        options.sort(key=lambda o: not all(c >= 0 for c in sp.Poly(o[4] / o[3], *vs).coeffs()))
        if options:
            out.append(options[0])
    return out


def _mult(problem: PolyProblem, pos: int, lam: sp.Expr) -> list[str]:
    """A multiplier list for the certificate's domain: λ on the equality at `pos`."""
    eq = problem.equalities[pos]
    out = ["0"] * len(problem.domain_equalities)
    out[eq.index] = to_text(sp.expand(lam * eq.scale))
    while out and out[-1] == "0":
        out.pop()
    return out


def _reduce_mod(goal: sp.Expr, w: sp.Symbol, q: int, alpha: sp.Rational, b: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """(remainder of degree < q in w, λ) with goal = remainder + λ·(α·w^q - B)."""
    h = sp.expand(alpha * w**q - b)
    quo, rem = sp.div(sp.Poly(goal, w), sp.Poly(h, w))
    return sp.expand(rem.as_expr()), sp.expand(quo.as_expr())


def _nonnegative(e: sp.Expr, problem: PolyProblem) -> bool:
    if e == 0:
        return True
    sub = problem.with_goal(sp.expand(e), ">=")
    if not sub.equalities and direct_coefficients(sub) is not None:
        return True
    return lp_certificate(sub, seconds=3.0) is not None


def _restricted(problem: PolyProblem, goal: sp.Expr) -> PolyProblem:
    """The problem in the variables the goal (and the facts and equalities about them) use; the
    facts and equalities keep their indices into the certificate's domain."""
    used = set(goal.free_symbols)
    vs = [v for v in problem.variables if v in used]
    facts = [f for f in problem.facts if f.expr.free_symbols <= used]
    eqs = [e for e in problem.equalities if e.expr.free_symbols <= used]
    return PolyProblem(vs, goal, problem.op, facts, eqs, problem.domain_facts, problem.domain_equalities, list(problem.notes), [])


def _base_proof(problem: PolyProblem, seconds: float) -> dict | None:
    from qed.verifiers.certificates.sdp import sos_certificate

    sub = _restricted(problem, problem.goal)
    if not sub.variables:
        return None
    strict = problem.op == ">"
    found = direct_coefficients(sub) if not sub.equalities else None
    if found is not None and (found[1] is not None or not strict):
        return leaf(sub, found[0], [sp.Integer(0)] * len(sub.equalities), found[1] if strict else None)
    t0 = time.monotonic()
    lp = lp_certificate(sub, seconds=min(5.0, seconds / 3))
    if lp is not None and (lp[2] is not None or not strict):
        return leaf(sub, lp[0], lp[1], lp[2] if strict else None)
    if strict:
        return None  # the sum of squares proves >= only
    return sos_certificate(sub, seconds=max(1.0, seconds - (time.monotonic() - t0)))


def conjugate_certificate(problem: PolyProblem, seconds: float = 20.0, rounds: int = MAX_ROUNDS) -> dict | None:
    """A proof of goal >= 0 (or > 0) that removes the radical variables by conjugates, or None.
    For > the conjugate factor is > 0, so goal > 0 exactly when the new goal is."""
    if problem.op not in (">=", ">") or rounds < 0:
        return None
    t0 = time.monotonic()
    rads = _radical_equalities(problem)
    if not rads:
        return None
    goal = sp.expand(problem.goal)
    # canonical form: every radical variable to a power below its order
    lams: dict[int, sp.Expr] = {}
    for pos, w, q, alpha, b in rads:
        goal, lam = _reduce_mod(goal, w, q, alpha, b)
        if lam != 0:
            lams[pos] = lams.get(pos, 0) + lam
    left_rads = [r for r in rads if r[1] in goal.free_symbols]
    if not left_rads:
        child = _base_proof(problem.with_goal(goal), seconds)
    else:
        child = None
        for pos, w, q, alpha, b in left_rads:
            gp = sp.Poly(goal, w)
            if gp.degree() != 1:
                continue
            c, a = gp.coeff_monomial(w), gp.coeff_monomial(1)
            if prove_positive(a, problem) is not None and _nonnegative(-c, problem):
                factor = sp.expand(sum(a ** (q - 1 - i) * (-c * w) ** i for i in range(q)))
                new = sp.expand(a**q - (-c) ** q * b / alpha)
            elif prove_positive(c * w, problem) is not None and _nonnegative(-a, problem):
                factor = sp.expand(sum((c * w) ** (q - 1 - i) * (-a) ** i for i in range(q)))
                new = sp.expand(c**q * b / alpha - (-a) ** q)
            else:
                continue
            fproof = prove_positive(factor, problem)
            if fproof is None:
                continue
            left = seconds - (time.monotonic() - t0)
            if left < 1.0:
                return None
            # `new` may still contain w^q or other radicals: the recursion reduces them
            inner = conjugate_certificate(problem.with_goal(new), left, rounds - 1)
            if inner is None:
                continue
            product = sp.expand(goal * factor)
            rest = sp.expand(product - new)  # a multiple of the equality of w
            lam, rem = sp.div(rest, sp.expand(alpha * w**q - b), w)
            if sp.expand(rem) != 0:
                continue
            wrapped = {"step": "sum", "multipliers": _mult(problem, pos, lam), "parts": [{"expr": to_text(new), "op": problem.op, "proof": inner}]}
            child = {"step": "multiply", "factors": [{"factor": to_text(factor), "proof": fproof}], "goal": to_text(product), "then": wrapped}
            break
    if child is None:
        return None
    if not lams:
        return child
    total = [sp.Integer(0)] * len(problem.domain_equalities)
    for pos, lam in lams.items():
        eq = problem.equalities[pos]
        total[eq.index] += lam * eq.scale
    mult = [to_text(sp.expand(x)) for x in total]
    while mult and mult[-1] == "0":
        mult.pop()
    return {"step": "sum", "multipliers": mult, "parts": [{"expr": to_text(goal), "op": problem.op, "proof": child}]}
