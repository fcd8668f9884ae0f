"""Square both sides: a goal L - k·N·√B (L and N free of radicals, √B one product of square roots,
such as √3·√a·√b·√c·√(a + b + c)) is proved with the whole product as one new variable.

The substitute step adds w = √B (its inverse is that product exactly as the claim writes it, so the
new goal at the inverse is the goal formally), with w >= 0 (a root) and w² = B, a polynomial
equality that holds formally at the inverse. The reduction would instead put a = u², b = v², ...
for every variable under a root, doubling every degree; here the variables stay as they are.
The new goal L - k·N·w is cleared of its denominators and proved by the conjugate: multiplying by
L + k·N·w > 0 gives L² - k²·N²·B, a goal free of radicals (certificates/conjugate.py).
"""

from __future__ import annotations

import time

import sympy as sp
from qed.verifiers.certificates.check import read_expr
from qed.verifiers.certificates.claim import Claim
from qed.verifiers.certificates.conjugate import conjugate_certificate
from qed.verifiers.certificates.poly import is_poly
from qed.verifiers.certificates.reduce import ReduceError, _radicals, clear_denominators
from qed.verifiers.certificates.steps import fact_proof, ideal_proof, problem_on, substitution
from qed.verifiers.certificates.text import TextError, to_text


def _split(goal: sp.Expr) -> tuple[sp.Expr, sp.Expr, sp.Expr] | None:
    """(L, c, M) with goal = L + c·M, L free of radicals, M a product of square roots (each factor
    a Pow with exponent 1/2 or an odd multiple of it), c free of radicals; None otherwise."""
    rest, radical = [], []
    for t in sp.Add.make_args(sp.expand(goal, deep=False, mul=True, multinomial=False)):
        (radical if _radicals([t]) else rest).append(t)
    if len(radical) != 1:
        return None
    coeff, roots = sp.Integer(1), sp.Integer(1)
    for f in sp.Mul.make_args(radical[0]):
        if isinstance(f, sp.Pow) and f.exp.is_Rational and not f.exp.is_Integer:
            if f.exp.q != 2 or _radicals([f.base]):
                return None
            roots *= f
        elif _radicals([f]):
            return None
        else:
            coeff *= f
    if roots == 1:
        return None
    return sp.Add(*rest), coeff, roots


def squared_sides(claim: Claim, seconds: float = 20.0) -> dict | None:
    """The substitute step w = √B, then the conjugate, or None when the goal is not of this form."""
    if claim.op not in (">=", ">") or claim.equalities and any(_radicals([h]) for h in claim.equalities):
        return None
    if any(_radicals([f]) for f, _ in claim.facts):
        return None
    t0 = time.monotonic()
    found = _split(claim.goal)
    if found is None:
        return None
    rest, coeff, roots = found
    vs = list(claim.variables)
    square = sp.expand(roots**2)
    if _radicals([square]) or not is_poly(square, vs):
        return None
    taken = {str(v) for v in vs} | ({str(claim.constant)} if claim.constant is not None else set())
    name, k = "w", 1
    while name in taken:
        name, k = f"w{k}", k + 1
    w = sp.Symbol(name)
    new_vars = vs + [w]
    try:
        # the facts and equalities that are polynomials carry over; each holds as itself
        facts, holds = [], []
        for i, (f, op) in enumerate(claim.facts):
            if op in (">", ">=") and is_poly(f, vs) and not f.is_number:
                facts.append((f, op))
                holds.append(fact_proof(i, op == ">"))
        old = problem_on(vs, claim.facts, claim.equalities, sp.Integer(0), ">")
        eqs, eq_holds = [], []
        for h in claim.equalities:
            if is_poly(h, vs):
                proof = ideal_proof(h, old)
                if proof is not None:
                    eqs.append(sp.expand(h))
                    eq_holds.append(proof)
        facts.append((w, ">="))
        holds.append({"step": "root"})
        eqs.append(sp.expand(w**2 - square))
        eq_holds.append({"step": "ideal"})  # (√B)² - B is 0 formally
        goal = rest + coeff * w
        inverse_text = to_text(roots)
        inverse = {v: v for v in vs}
        node = substitution(new_vars, facts, holds, eqs, eq_holds, {v: v for v in vs}, inverse, goal)
        node["inverse"][name] = inverse_text
        names = {str(v): v for v in vs}
        if read_expr(inverse_text, names, radicals=True) != roots:
            return None  # the inverse must read back as the very product the goal holds
        new = problem_on(new_vars, facts, eqs, goal, claim.op)
        wrap, p, _ = clear_denominators(goal, claim.op, new)
    except (TextError, ReduceError, sp.PolynomialError, ValueError, TypeError):
        return None
    left = seconds - (time.monotonic() - t0)
    if left < 1.0:
        return None
    child = conjugate_certificate(new.with_goal(p), seconds=left)
    if child is None:
        return None
    return dict(node, then=wrap(child))
