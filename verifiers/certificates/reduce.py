"""Reduce a claim to a polynomial problem, and wrap a proof of that problem into a certificate proof.

Two steps, each a step of the certificate: radicals become variables (a variable under a root,
x = u² or u³, and each remaining radical sqrt(B) a new variable w with w² = B, w >= 0), then the
denominators are cleared by multiplying with factors proved positive on the domain. The result
is P op 0 on a domain of polynomial facts and equalities, which the methods prove.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from math import lcm

import sympy as sp
from qed.verifiers.certificates.check import _bases
from qed.verifiers.certificates.claim import Claim
from qed.verifiers.certificates.poly import (
    PolyProblem,
    is_poly,
    leaf,
    polynomial_equalities,
    polynomial_facts,
)
from qed.verifiers.certificates.products import direct_coefficients, lp_certificate
from qed.verifiers.certificates.text import TextError, to_text

Wrap = Callable[[dict], dict]
MAX_AUX = 6


class ReduceError(ValueError):
    """The claim has a part the reduction cannot make polynomial (the message says which)."""


@dataclass
class Reduction:
    problem: PolyProblem
    wrap: Wrap
    steps: list[str] = field(default_factory=list)


def positive(index: int) -> dict:
    """The proof that strict fact `index` is > 0."""
    return {"step": "sos", "terms": [{"c": "1", "m": [index], "s": "1"}], "strict": {"term": 0}}


def _radicals(exprs: list[sp.Expr]) -> list[sp.Pow]:
    out = []
    for e in exprs:
        for sub in sp.preorder_traversal(e):
            if isinstance(sub, sp.Pow) and sub.exp.is_Rational and not sub.exp.is_Integer:
                out.append(sub)
    return out


_ROOT_TEXT = {2: "sqrt({})", 3: "cbrt({})", 4: "sqrt(sqrt({}))", 6: "sqrt(cbrt({}))"}


class _Names:
    def __init__(self, taken: set[str]) -> None:
        self.taken = set(taken)

    def fresh(self, hint: str) -> sp.Symbol:
        base = "".join(c for c in hint if c.isalnum() or c == "_") or "v"
        name, k = base, 1
        while name in self.taken:
            name, k = f"{base}{k}", k + 1
        self.taken.add(name)
        return sp.Symbol(name)


def substitute_radicals(variables, facts, equalities, goal, names: _Names) -> tuple[Wrap, list, list, list, sp.Expr, list[str]]:
    """The substitution step that removes every radical, or ReduceError."""
    exprs = [goal] + [f for f, _ in facts] + list(equalities)
    rads = _radicals(exprs)
    var_q: dict[sp.Symbol, int] = {}
    for r in rads:
        if r.base in variables:
            var_q[r.base] = lcm(var_q.get(r.base, 1), int(r.exp.q))
    for v, q in var_q.items():
        if q not in _ROOT_TEXT:
            raise ReduceError(f"a root of order {q} of {v}")
    new_of = {v: names.fresh(f"{v}r") for v in var_q}

    def tr(e: sp.Expr) -> sp.Expr:
        if isinstance(e, sp.Pow) and e.base in var_q:
            return new_of[e.base] ** (e.exp * var_q[e.base])
        if e in var_q:
            return new_of[e] ** var_q[e]
        if e.args:
            return e.func(*[tr(a) for a in e.args])
        return e

    inverse: dict[sp.Symbol, str] = {new_of[v]: _ROOT_TEXT[q].format(to_text(v)) for v, q in var_q.items()}
    back = {new_of[v]: v ** sp.Rational(1, q) for v, q in var_q.items()}
    kept = [v for v in variables if v not in var_q]
    new_vars = kept + [new_of[v] for v in var_q]
    exprs = [tr(e) for e in exprs]
    aux_eqs: list[sp.Expr] = []
    aux: list[sp.Symbol] = []
    for _ in range(MAX_AUX + 1):
        inner = [r for r in _radicals(exprs) if not _radicals([r.base])]
        if not inner:
            break
        if len(aux) >= MAX_AUX:
            raise ReduceError(f"more than {MAX_AUX} compound radicals")
        base, q = inner[0].base, int(inner[0].exp.q)
        if q not in _ROOT_TEXT:
            raise ReduceError(f"a root of order {q}")
        w = names.fresh("w")
        aux.append(w)
        rep = {}
        for r in _radicals(exprs):
            if r.base == base and int(r.exp.q) == q:
                rep[r] = w ** int(r.exp * q)
        exprs = [e.xreplace(rep) for e in exprs]
        num, den = sp.fraction(sp.cancel(sp.together(base)))
        aux_eqs.append(sp.expand(w**q * den - num))
        old_base = base.xreplace(back)
        inverse[w] = _ROOT_TEXT[q].format(to_text(old_base))
        back[w] = old_base ** sp.Rational(1, q)
    new_vars += aux
    new_goal = exprs[0]
    if _radicals([new_goal]):
        raise ReduceError("nested radicals remain")
    new_facts: list[dict] = []
    holds: list[dict] = []
    for v in var_q:
        strict = next((i for i, (f, op) in enumerate(facts) if f == v and op == ">"), None)
        new_facts.append({"expr": to_text(new_of[v]), "op": ">" if strict is not None else ">="})
        holds.append({"step": "root", "radicands": [positive(strict)]} if strict is not None else {"step": "root"})
    old_problem = PolyProblem(list(variables), sp.Integer(0), ">", polynomial_facts(list(variables), facts), polynomial_equalities(list(variables), list(equalities)), facts, list(equalities))
    for w in aux:
        radicand = back[w].base
        proof = prove_positive(radicand, old_problem) if is_poly(radicand, list(variables)) else None
        if proof is not None:  # w = root of something > 0, so w > 0 (it may then be a denominator)
            new_facts.append({"expr": to_text(w), "op": ">"})
            holds.append({"step": "root", "radicands": [proof]})
        else:
            new_facts.append({"expr": to_text(w), "op": ">="})
            holds.append({"step": "root"})
    notes = []
    for i, ((f, op), g) in enumerate(zip(facts, exprs[1 : 1 + len(facts)], strict=True)):
        if op == "!=" or f in var_q:
            continue
        if not is_poly(g, new_vars):
            notes.append(f"the fact {f} {op} 0 is not polynomial after the substitution and is not used")
            continue
        new_facts.append({"expr": to_text(sp.expand(g)), "op": op})
        holds.append(positive(i) if op == ">" else {"step": "sos", "terms": [{"c": "1", "m": [i], "s": "1"}]})
    new_eqs: list[str] = []
    eq_holds: list[dict] = []
    for k, h in enumerate(exprs[1 + len(facts) :]):
        if not is_poly(h, new_vars):
            notes.append(f"the equality {equalities[k]} = 0 is not polynomial after the substitution and is not used")
            continue
        new_eqs.append(to_text(sp.expand(h)))
        eq_holds.append({"step": "ideal", "multipliers": ["0"] * k + ["1"]})
    for h in aux_eqs:
        new_eqs.append(to_text(h))
        eq_holds.append({"step": "ideal"})
    node = {
        "step": "substitute",
        "variables": [str(v) for v in new_vars],
        "facts": new_facts,
        "equalities": new_eqs,
        "forward": {str(v): (to_text(new_of[v] ** var_q[v]) if v in var_q else str(v)) for v in variables},
        "inverse": {str(k): (v if isinstance(v, str) else to_text(v)) for k, v in list(inverse.items()) + [(v, v) for v in kept]},
        "facts_hold": holds,
        "equalities_hold": eq_holds,
        "goal": to_text(new_goal),
    }

    def wrap(child: dict) -> dict:
        return dict(node, then=child)

    steps = [f"{v} = {new_of[v]}^{q}" for v, q in var_q.items()] + [f"{w} = {inverse[w]}" for w in aux]
    return wrap, new_vars, new_facts, new_eqs, new_goal, steps + notes


def prove_positive(f: sp.Expr, problem: PolyProblem, seconds: float = 5.0) -> dict | None:
    """A proof that the polynomial f is > 0 on the problem's domain (products of facts, an LP)."""
    sub = problem.with_goal(sp.expand(f), ">")
    found = direct_coefficients(sub)
    if found is not None and found[1] is not None:
        return leaf(sub, found[0], [sp.Integer(0)] * len(sub.equalities), found[1])
    lp = lp_certificate(sub, seconds=seconds)
    if lp is None:
        return None
    terms, mult, strict = lp
    return leaf(sub, terms, mult, strict)


def clear_denominators(goal: sp.Expr, op: str, problem: PolyProblem) -> tuple[Wrap, sp.Expr, list[str]]:
    """The multiply step: D = product of the goal's denominators (signed to be positive)."""
    variables = problem.variables
    dens, rads = _bases(goal)
    if rads:
        raise ReduceError("radicals remain in the goal")
    chosen: list[sp.Expr] = []
    for b in dens:
        b = sp.expand(b)
        if not any(sp.cancel(b / c).is_Rational for c in chosen):
            chosen.append(b)
    if not chosen:
        return (lambda child: child), sp.expand(goal), []
    # the power each base needs: its largest exponent in the goal
    powers = [0] * len(chosen)
    for sub in sp.preorder_traversal(goal):
        if isinstance(sub, sp.Pow) and sub.exp.is_Integer and sub.exp < 0:
            for i, c in enumerate(chosen):
                if sp.cancel(sp.expand(sub.base) / c).is_Rational:
                    powers[i] = max(powers[i], int(-sub.exp))
    factors = []
    d = sp.Integer(1)
    steps = []
    for b, k in zip(chosen, powers, strict=True):
        if not is_poly(b, variables):
            raise ReduceError(f"the denominator {b} is not a polynomial")
        proof, sign = None, 1
        for s in (1, -1):
            proof = prove_positive(s * b, problem)
            if proof is not None:
                sign = s
                break
        if proof is None:
            raise ReduceError(f"no proof that the denominator {b} keeps one sign")
        fac = sp.expand(sign * b)
        factors.append({"factor": to_text(fac), "power": max(k, 1), "proof": proof})
        d *= fac ** max(k, 1)
        steps.append(f"{fac} > 0")
    p = sp.cancel(sp.together(goal * d))
    if not is_poly(p, variables):
        raise ReduceError("the goal times its denominators is not a polynomial")
    p = sp.expand(p)
    node = {"step": "multiply", "factors": factors, "goal": to_text(p)}

    def wrap(child: dict) -> dict:
        return dict(node, then=child)

    return wrap, p, steps


def reduce_claim(claim: Claim) -> Reduction:
    """The polynomial problem for the claim's goal and the wrapper that makes a certificate proof."""
    if claim.op == "none":
        raise ReduceError("a 'none' claim is shown by points, not reduced")
    taken = {str(v) for v in claim.variables} | ({str(claim.constant)} if claim.constant is not None else set())
    names = _Names(taken)
    variables, facts, eqs, goal = list(claim.variables), list(claim.facts), list(claim.equalities), claim.goal
    wraps: list[Wrap] = []
    steps: list[str] = []
    try:
        if _radicals([goal] + [f for f, _ in facts] + eqs):
            from qed.verifiers.certificates.check import read_expr

            wrap, new_vars, new_facts, new_eqs, new_goal, notes = substitute_radicals(variables, facts, eqs, goal, names)
            wraps.append(wrap)
            steps += notes
            nm = {str(v): v for v in new_vars}
            variables = new_vars
            facts = [(read_expr(f["expr"], nm), f["op"]) for f in new_facts]
            eqs = [read_expr(h, nm) for h in new_eqs]
            goal = new_goal
        base = PolyProblem(variables, sp.Integer(0), claim.op, polynomial_facts(variables, facts), polynomial_equalities(variables, eqs), facts, eqs)
        wrap, p, notes = clear_denominators(goal, claim.op, base)
        wraps.append(wrap)
        steps += notes
    except TextError as e:
        raise ReduceError(str(e)) from None

    def wrap_all(child: dict) -> dict:
        for w in reversed(wraps):
            child = w(child)
        return child

    return Reduction(base.with_goal(p, claim.op), wrap_all, steps)
