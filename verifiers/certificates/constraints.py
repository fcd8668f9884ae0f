"""Changes of variables that use an equality constraint, each written as a checked substitute step.

- A linear constraint α·v + rest = 0 eliminates v: v = -rest/α (the inverse keeps the other
  variables), so a + b + c = 1 becomes a problem in a, b on the triangle a, b, 1 - a - b >= 0.
- A product constraint x_1···x_n = k (every x_i > 0) becomes ratios x_i = y_i/y_{i+1},
  x_n = k·y_n/y_1 with y_i > 0 free: the goal becomes homogeneous, with no constraint left
  (the inverse is y_n = 1, y_i = x_i···x_{n-1}).
- The same constraint eliminates the last variable, x_n = k/(x_1···x_{n-1}).

Each returns the problem on the new domain (denominators cleared) and the wrapper that puts a proof
of it under the substitute step; the checker re-verifies the composition, the facts, the goal.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from qed.verifiers.certificates.check import read_expr
from qed.verifiers.certificates.poly import PolyProblem
from qed.verifiers.certificates.reduce import ReduceError, clear_denominators
from qed.verifiers.certificates.steps import (
    Wrap,
    constant_positive,
    fact_proof,
    ideal_proof,
    problem_on,
    substitution,
    then,
    zero_proof,
)
from qed.verifiers.certificates.text import TextError, to_text

NAMES = ("x", "y", "z", "u", "v", "w", "p", "q", "r", "s", "t")


@dataclass
class Transformed:
    label: str
    problem: PolyProblem
    wrap: Wrap


def _fresh(taken: set[str], count: int) -> list[sp.Symbol]:
    out = []
    for n in NAMES + tuple(f"y{i}" for i in range(1, 20)):
        if n not in taken:
            out.append(sp.Symbol(n))
            taken.add(n)
            if len(out) == count:
                return out
    raise ReduceError("no fresh names left")


def _rt(e: sp.Expr, variables: list[sp.Symbol]) -> sp.Expr:
    """e as the checker will read it back from its text."""
    return read_expr(to_text(e), {str(v): v for v in variables})


def _poly_in(e: sp.Expr, variables: list[sp.Symbol]) -> bool:
    if not e.free_symbols <= set(variables):
        return False
    try:
        sp.Poly(e, *variables, domain="QQ")
        return True
    except (sp.PolynomialError, sp.CoercionFailed):
        return False


def _positive_index(problem: PolyProblem, v: sp.Symbol) -> int | None:
    return next((i for i, (f, op) in enumerate(problem.domain_facts) if f == v and op == ">"), None)


def _clear(goal: sp.Expr, problem: PolyProblem) -> tuple[Wrap, sp.Expr]:
    wrap, p, _ = clear_denominators(goal, problem.op, problem)
    return wrap, p


# ---------------------------------------------------------------------------------------------
# a linear constraint eliminates a variable
# ---------------------------------------------------------------------------------------------


def _eliminate_once(problem: PolyProblem) -> tuple[PolyProblem, Wrap] | None:
    vs = problem.variables
    for eq in problem.equalities:
        hp = sp.Poly(eq.expr, *vs)
        if hp.total_degree() != 1:
            continue
        v = next((x for x in reversed(vs) if hp.coeff_monomial(x) != 0), None)
        if v is None:
            continue
        alpha = hp.coeff_monomial(v)
        vstar = sp.expand(v - eq.expr / alpha)
        kept = [x for x in vs if x != v]
        forward = {x: x for x in kept}
        forward[v] = vstar
        facts, holds = [], []
        for i, (f, op) in enumerate(problem.domain_facts):
            if op == "!=" or not _poly_in(f, vs):
                continue
            g = sp.expand(f.xreplace({v: vstar}))
            if g.is_number:
                continue
            node = fact_proof(i, op == ">")
            lam = ideal_proof(g - f, problem)
            if lam is None:
                continue
            if lam.get("multipliers"):
                node["multipliers"] = lam["multipliers"]
            facts.append((g, op))
            holds.append(node)
        eqs, eq_holds = [], []
        for other in problem.equalities:
            if other is eq:
                continue
            g = sp.expand(other.expr.xreplace({v: vstar}))
            if g == 0:
                continue
            if g.is_number:
                return None  # the constraints contradict each other
            proof = ideal_proof(g, problem)
            if proof is None:
                continue
            eqs.append(g)
            eq_holds.append(proof)
        goal = sp.expand(problem.goal.xreplace({v: vstar}))
        comp = ideal_proof(vstar - v, problem)
        gp = ideal_proof(goal - problem.goal, problem)
        if comp is None or gp is None:
            continue
        node = substitution(kept, facts, holds, eqs, eq_holds, forward, {x: x for x in kept}, goal, {v: comp}, gp)
        return problem_on(kept, facts, eqs, goal, problem.op), then(node)
    return None


def eliminate_linear(problem: PolyProblem) -> Transformed | None:
    """Every linear constraint used to eliminate one variable (repeatedly)."""
    wraps: list[Wrap] = []
    current = problem
    try:
        while len(current.variables) > 1:
            step = _eliminate_once(current)
            if step is None:
                break
            current, w = step
            wraps.append(w)
    except (TextError, sp.PolynomialError):
        return None
    if not wraps:
        return None

    def wrap(child: dict) -> dict:
        for w in reversed(wraps):
            child = w(child)
        return child

    return Transformed("eliminated", current, wrap)


# ---------------------------------------------------------------------------------------------
# a product constraint x_1···x_n = k
# ---------------------------------------------------------------------------------------------


def _product_constraint(problem: PolyProblem) -> tuple[list[sp.Symbol], sp.Rational] | None:
    """(the variables of the product, k) for an equality α·x_1···x_n + β = 0 with k = -β/α > 0,
    every x_i a strictly positive variable, n >= 2."""
    vs = problem.variables
    for eq in problem.equalities:
        terms = sp.Poly(eq.expr, *vs).terms()
        if len(terms) != 2:
            continue
        (m1, c1), (m2, c2) = terms
        if sum(m2) != 0:
            (m1, c1), (m2, c2) = (m2, c2), (m1, c1)
        if sum(m2) != 0 or any(e > 1 for e in m1) or sum(m1) < 2:
            continue
        k = -sp.Rational(c2) / sp.Rational(c1)
        group = [v for v, e in zip(vs, m1, strict=True) if e == 1]
        if k > 0 and all(_positive_index(problem, v) is not None for v in group):
            return group, k
    return None


def _kept_facts(problem: PolyProblem, group: list[sp.Symbol], new_vars: list[sp.Symbol]) -> tuple[list, list]:
    """The polynomial facts that do not mention the group (they stay as they are)."""
    facts, holds = [], []
    for i, (f, op) in enumerate(problem.domain_facts):
        if op == "!=" or f.free_symbols & set(group) or not _poly_in(f, new_vars) or f.is_number:
            continue
        facts.append((f, op))
        holds.append(fact_proof(i, op == ">"))
    return facts, holds


def ratio_substitution(problem: PolyProblem) -> Transformed | None:
    """x_i = y_i/y_{i+1}, x_n = k·y_n/y_1 under x_1···x_n = k."""
    found = _product_constraint(problem)
    if found is None:
        return None
    group, k = found
    n = len(group)
    vs = problem.variables
    taken = {str(v) for v in vs}
    try:
        ys = _fresh(taken, n)
        others = [v for v in vs if v not in group]
        new_vars = others + ys
        forward: dict[sp.Symbol, sp.Expr] = {v: v for v in others}
        for i in range(n - 1):
            forward[group[i]] = ys[i] / ys[i + 1]
        forward[group[-1]] = k * ys[-1] / ys[0]
        inverse: dict[sp.Symbol, sp.Expr] = {v: v for v in others}
        for i in range(n):
            inverse[ys[i]] = sp.Mul(*group[i : n - 1])
        facts, holds = _kept_facts(problem, group, others)
        for i, y in enumerate(ys):
            facts.append((y, ">"))
            idx = [_positive_index(problem, v) for v in group[i : n - 1]]
            holds.append({"step": "sos", "terms": [{"c": "1", "m": idx, "s": "1"}], "strict": {"term": 0}} if idx else constant_positive(sp.Integer(1)))
        fwd = {v: _rt(e, new_vars) for v, e in forward.items()}
        inv = {y: _rt(e, vs) for y, e in inverse.items()}
        comp = zero_proof(fwd[group[-1]].xreplace(inv) - group[-1], problem)
        goal = _rt(sp.together(problem.goal.xreplace(fwd)), new_vars)
        gp = zero_proof(goal.xreplace(inv) - problem.goal, problem)
        if comp is None or gp is None:
            return None
        node = substitution(new_vars, facts, holds, [], [], fwd, inv, goal, {group[-1]: comp}, gp)
        new = problem_on(new_vars, facts, [], goal, problem.op)
        wrap2, p = _clear(goal, new)
    except (TextError, ReduceError, sp.PolynomialError):
        return None
    return Transformed("ratios", new.with_goal(p), lambda child: then(node)(wrap2(child)))


def reciprocal_elimination(problem: PolyProblem) -> Transformed | None:
    """x_n = k/(x_1···x_{n-1}) under x_1···x_n = k: one variable fewer, no constraint left."""
    found = _product_constraint(problem)
    if found is None:
        return None
    group, k = found
    vs = problem.variables
    last = group[-1]
    kept = [v for v in vs if v != last]
    try:
        forward: dict[sp.Symbol, sp.Expr] = {v: v for v in kept}
        forward[last] = k / sp.Mul(*group[:-1])
        fwd = {v: _rt(e, kept) for v, e in forward.items()}
        facts, holds = _kept_facts(problem, [last], kept)
        comp = zero_proof(fwd[last] - last, problem)
        goal = _rt(sp.together(problem.goal.xreplace(fwd)), kept)
        gp = zero_proof(goal - problem.goal, problem)
        if comp is None or gp is None:
            return None
        eqs, eq_holds = [], []
        node = substitution(kept, facts, holds, eqs, eq_holds, fwd, {v: v for v in kept}, goal, {last: comp}, gp)
        new = problem_on(kept, facts, [], goal, problem.op)
        wrap2, p = _clear(goal, new)
    except (TextError, ReduceError, sp.PolynomialError):
        return None
    return Transformed("reciprocal", new.with_goal(p), lambda child: then(node)(wrap2(child)))


TRANSFORMS = (eliminate_linear, ratio_substitution, reciprocal_elimination)


def transforms(problem: PolyProblem) -> list[Transformed]:
    """Every change of variables that applies to the problem."""
    out = []
    for t in TRANSFORMS:
        try:
            found = t(problem)
        except (ReduceError, TextError, ValueError, TypeError, sp.PolynomialError, sp.CoercionFailed):
            found = None
        if found is not None:
            out.append(found)
    return out
