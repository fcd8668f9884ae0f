"""Ordered-variable substitution: a case per ordering (fewer with symmetries), then a = x, b = x + p, ...

For a symmetric polynomial one case a <= b <= c suffices, for a cyclic one two (a <= b <= c and
c <= b <= a); otherwise every ordering is a case. In each case the substitution x_1 = m,
x_k = m + d_2 + ... + d_k with d_k >= 0 turns the polynomial into one whose coefficients are often
all non-negative (the "Buffalo Way"); where they are not, the products-of-facts LP is tried.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

import sympy as sp
from qed.verifiers.certificates.check import CheckFailure, Domain, _Checker
from qed.verifiers.certificates.poly import (
    PolyProblem,
    leaf,
    polynomial_equalities,
    polynomial_facts,
)
from qed.verifiers.certificates.products import direct_coefficients, lp_certificate
from qed.verifiers.certificates.text import to_text

MAX_VARIABLES = 4
MAX_CASES = 8  # orderings proved one by one (24 for four variables with no symmetry is too many)


def _invariant(problem: PolyProblem, perm: dict) -> bool:
    dom = Domain(problem.variables, problem.domain_facts, problem.domain_equalities)
    try:
        _Checker()._invariant(problem.goal, dom, perm, "symmetry")
        return True
    except CheckFailure:
        return False


def symmetry_group(gens: list[tuple[int, ...]] | list[list[int]], n: int) -> list[tuple[int, ...]]:
    """Every permutation of range(n) the generators span (image lists), sorted. The standalone
    checker (check.py) keeps its own copy on purpose: it imports nothing from QED."""
    identity = tuple(range(n))
    group = {identity}
    frontier = [identity]
    while frontier:
        g = frontier.pop()
        for h in gens:
            gh = tuple(g[h[i]] for i in range(n))
            if gh not in group:
                group.add(gh)
                frontier.append(gh)
    return sorted(group)


def _representatives(n: int, gens: list[list[int]]) -> list[list[int]]:
    """One ordering (as variable indices from smallest to largest) per orbit of the group that
    the generators span: every ordering is one of them moved by a symmetry (the checker's test)."""
    group = symmetry_group(gens, n)
    seen: set[tuple[int, ...]] = set()
    out = []
    for pi in itertools.permutations(range(n)):
        if pi in seen:
            continue
        out.append(list(pi))
        seen.update(tuple(g[i] for i in pi) for g in group)
    return out


def symmetry_cases(problem: PolyProblem) -> tuple[list[list[str]], list[list[sp.Symbol]]] | None:
    """(symmetry generators as image lists, case chains) for the problem's variables: the goal's
    cyclic shift and first transposition when they leave it invariant, and one case per ordering
    up to them (2 for a cyclic goal in 3 variables, 6 in 4)."""
    vs = problem.variables
    n = len(vs)
    names = [str(v) for v in vs]
    cycle = {vs[i]: vs[(i + 1) % n] for i in range(n)}
    swap = {vs[0]: vs[1], vs[1]: vs[0]}
    gens: list[list[int]] = []
    if n > 2 and _invariant(problem, cycle):
        gens.append([(i + 1) % n for i in range(n)])
    if _invariant(problem, swap):
        gens.append([1, 0] + list(range(2, n)))
    chains = _representatives(n, gens)
    if len(chains) > MAX_CASES:
        return None
    return [[names[i] for i in g] for g in gens], [[vs[i] for i in c] for c in chains]


def _case_node(problem: PolyProblem, chain: list[sp.Symbol], fresh: Callable[[str], sp.Symbol], seconds: float) -> dict | None:
    vs = problem.variables
    n = len(vs)
    base = len(problem.domain_facts)
    m = fresh("m")
    ds = [fresh(f"d{k + 1}") for k in range(n - 1)]
    forward = {chain[0]: m}
    for k in range(1, n):
        forward[chain[k]] = m + sum(ds[:k], sp.Integer(0))
    new_vars = [m] + ds
    facts, holds = [], []
    for i, (f, op) in enumerate(problem.domain_facts):
        g = sp.expand(f.xreplace(forward))
        try:
            sp.Poly(g, *new_vars, domain="QQ")
        except (sp.PolynomialError, sp.CoercionFailed):
            continue
        if op == "!=" or g.is_number:
            continue
        facts.append((g, op))
        holds.append({"step": "sos", "terms": [{"c": "1", "m": [i]}], **({"strict": {"term": 0}} if op == ">" else {})})
    for k, d in enumerate(ds):
        facts.append((d, ">="))
        holds.append({"step": "sos", "terms": [{"c": "1", "m": [base + k]}]})
    eqs, eq_holds = [], []
    for k, h in enumerate(problem.domain_equalities):
        g = sp.expand(sp.cancel(h.xreplace(forward)))
        try:
            sp.Poly(g, *new_vars, domain="QQ")
        except (sp.PolynomialError, sp.CoercionFailed):
            continue
        eqs.append(g)
        eq_holds.append({"step": "ideal", "multipliers": ["0"] * k + ["1"]})
    goal = sp.expand(problem.goal.xreplace(forward))
    sub = PolyProblem(new_vars, goal, problem.op, polynomial_facts(new_vars, facts), polynomial_equalities(new_vars, eqs), facts, eqs)
    found = direct_coefficients(sub) if not sub.equalities else None
    if found is not None and (problem.op != ">" or found[1] is not None):
        child = leaf(sub, found[0], [sp.Integer(0)] * len(sub.equalities), found[1] if problem.op == ">" else None)
    else:
        lp = lp_certificate(sub, seconds=seconds)
        if lp is None:
            return None
        child = leaf(sub, lp[0], lp[1], lp[2] if problem.op == ">" else None)
    inverse = {str(m): to_text(chain[0])}
    for k in range(1, n):
        inverse[str(ds[k - 1])] = to_text(chain[k] - chain[k - 1])
    return {
        "step": "substitute",
        "variables": [str(v) for v in new_vars],
        "facts": [{"expr": to_text(f), "op": op} for f, op in facts],
        "equalities": [to_text(h) for h in eqs],
        "forward": {str(v): to_text(e) for v, e in forward.items()},
        "inverse": inverse,
        "facts_hold": holds,
        "equalities_hold": eq_holds,
        "goal": to_text(goal),
        "then": child,
    }


def ordered_certificate(problem: PolyProblem, seconds: float = 20.0) -> dict | None:
    """A cases step over the orderings of the variables, each case proved after substitution."""
    if not 2 <= len(problem.variables) <= MAX_VARIABLES or problem.op == "==":
        return None
    found = symmetry_cases(problem)
    if found is None:
        return None
    gens, chains = found
    taken = {str(v) for v in problem.variables}

    def fresh(hint: str) -> sp.Symbol:
        name, k = hint, 1
        while name in taken:
            name, k = f"{hint}_{k}", k + 1
        taken.add(name)
        return sp.Symbol(name)

    cases = []
    per = seconds / len(chains)
    deadline = time.monotonic() + seconds
    for chain in chains:
        if time.monotonic() > deadline:
            return None
        node = _case_node(problem, chain, fresh, per)
        if node is None:
            return None
        cases.append({"ascending": [str(v) for v in chain], "then": node})
    return {"step": "cases", "order": [str(v) for v in problem.variables], "symmetries": gens, "cases": cases}
