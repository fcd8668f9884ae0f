"""Small proof steps that the methods share: a fact is positive, an expression is 0 on the domain,
a polynomial problem on a new domain, and the substitute step that changes variables.

Everything here only writes steps; the checker decides whether they hold.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from qed.verifiers.certificates.poly import (
    PolyProblem,
    leaf,
    polynomial_equalities,
    polynomial_facts,
)
from qed.verifiers.certificates.text import to_text

Wrap = Callable[[dict], dict]


def fact_proof(index: int, strict: bool) -> dict:
    """The proof that domain fact `index` is >= 0 (> 0 when strict): the fact itself."""
    node: dict = {"step": "sos", "terms": [{"c": "1", "m": [index], "s": "1"}]}
    if strict:
        node["strict"] = {"term": 0}
    return node


def constant_positive(value: sp.Rational) -> dict:
    """The proof that a positive rational constant is > 0."""
    return {"step": "sos", "terms": [{"c": to_text(value), "m": [], "s": "1"}], "strict": {"term": 0}}


def problem_on(variables: list[sp.Symbol], facts: list[tuple[sp.Expr, str]], equalities: list[sp.Expr], goal: sp.Expr, op: str) -> PolyProblem:
    """The polynomial problem `goal op 0` on the domain given by these facts and equalities."""
    return PolyProblem(list(variables), goal, op, polynomial_facts(list(variables), facts), polynomial_equalities(list(variables), equalities), list(facts), list(equalities))


def ideal_proof(p: sp.Expr, problem: PolyProblem) -> dict | None:
    """goal = Σ λ_k h_k for the polynomial p (so p = 0 on the domain), from a Gröbner reduction."""
    p = sp.expand(p)
    if p == 0:
        return {"step": "ideal"}
    if not problem.equalities:
        return None
    gens = [e.expr for e in problem.equalities]
    try:
        if len(gens) == 1:
            q, rem = sp.div(p, gens[0], *problem.variables)
            quotients = [q]
        else:
            quotients, rem = sp.reduced(p, gens, *problem.variables)
    except (sp.PolynomialError, ValueError):
        return None
    if sp.expand(rem) != 0:
        return None
    node = leaf(problem.with_goal(p, "=="), [], list(quotients))
    node["step"] = "ideal"
    node.pop("terms", None)
    return node


def zero_proof(e: sp.Expr, problem: PolyProblem) -> dict | None:
    """A proof that the rational function e (as the checker will build it) is 0 on the domain:
    its denominators cleared by factors proved positive, then an ideal step."""
    from qed.verifiers.certificates.reduce import ReduceError, clear_denominators

    if sp.cancel(sp.together(e)) == 0:
        return {"step": "ideal"}
    try:
        wrap, p, _ = clear_denominators(e, "==", problem)
    except (ReduceError, sp.PolynomialError):
        return None
    node = ideal_proof(p, problem)
    return wrap(node) if node is not None else None


def substitution(variables: list[sp.Symbol], facts: list[tuple[sp.Expr, str]], facts_hold: list[dict], equalities: list[sp.Expr],
                 equalities_hold: list[dict], forward: dict[sp.Symbol, sp.Expr], inverse: dict[sp.Symbol, sp.Expr], goal: sp.Expr,
                 composition: dict[sp.Symbol, dict] | None = None, goal_proof: dict | None = None) -> dict:
    """A substitute step without its "then" (the proof on the new domain)."""
    node: dict = {
        "step": "substitute",
        "variables": [str(v) for v in variables],
        "facts": [{"expr": to_text(f), "op": op} for f, op in facts],
        "equalities": [to_text(h) for h in equalities],
        "forward": {str(k): to_text(v) for k, v in forward.items()},
        "inverse": {str(k): to_text(v) for k, v in inverse.items()},
        "facts_hold": facts_hold,
        "equalities_hold": equalities_hold,
        "goal": to_text(goal),
    }
    if composition:
        node["composition"] = {str(k): v for k, v in composition.items()}
    if goal_proof is not None:
        node["goal_proof"] = goal_proof
    return node


def then(node: dict) -> Wrap:
    """The wrapper that puts a child proof under `node` as its "then"."""
    return lambda child: dict(node, then=child)
