"""The polynomial problem a claim reduces to: P op 0 given polynomial facts and equalities.

Each fact here is a product of facts of the certificate's domain (by index), so that a term
c · (fact) · s² found by a method is written in the certificate as c · m · s² with m those
indices; each equality carries the factor that turns its multiplier into the certificate's
(a rational equality N/D = 0 is used as N = 0, with multiplier λ·D for the equality itself).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp
from qed.verifiers.certificates.text import to_text


@dataclass
class PolyFact:
    expr: sp.Expr  # a polynomial >= 0 (> 0 when strict) on the domain
    strict: bool
    indices: list[int]  # the domain facts whose product it is


@dataclass
class PolyEq:
    expr: sp.Expr  # a polynomial = 0 on the domain
    index: int  # the domain equality it comes from
    scale: sp.Expr = sp.Integer(1)  # certificate multiplier = λ · scale


@dataclass
class PolyProblem:
    variables: list[sp.Symbol]
    goal: sp.Expr  # a polynomial
    op: str  # ">=", ">" or "=="
    facts: list[PolyFact]
    equalities: list[PolyEq]
    domain_facts: list[tuple[sp.Expr, str]]  # the certificate domain's facts, by index
    domain_equalities: list[sp.Expr]
    notes: list[str] = field(default_factory=list)
    points: list[dict[sp.Symbol, sp.Rational]] = field(default_factory=list)  # known points of the domain (equality cases), rational

    def with_goal(self, goal: sp.Expr, op: str | None = None) -> PolyProblem:
        return PolyProblem(self.variables, goal, op or self.op, self.facts, self.equalities, self.domain_facts, self.domain_equalities, list(self.notes), list(self.points))


@dataclass
class Term:
    c: sp.Rational
    facts: list[int]  # indices into PolyProblem.facts
    s: sp.Expr


def leaf(problem: PolyProblem, terms: list[Term], multipliers: list[sp.Expr], strict_term: int | None = None) -> dict:
    """The certificate's sos step for goal = Σ λ_k h_k + Σ c · (facts) · s²."""
    lam = [sp.Integer(0)] * len(problem.domain_equalities)
    for eq, m in zip(problem.equalities, multipliers, strict=True):
        lam[eq.index] += sp.expand(m * eq.scale)
    node: dict = {"step": "sos", "terms": []}
    for t in terms:
        m = [i for f in t.facts for i in problem.facts[f].indices]
        node["terms"].append({"c": to_text(t.c), "m": m, "s": to_text(sp.expand(t.s))})
    if any(x != 0 for x in lam):
        while lam and lam[-1] == 0:
            lam.pop()
        node["multipliers"] = [to_text(x) for x in lam]
    if strict_term is not None:
        node["strict"] = {"term": strict_term}
    return node


def polynomial_facts(variables: list[sp.Symbol], facts: list[tuple[sp.Expr, str]]) -> list[PolyFact]:
    """The domain's facts usable as polynomial multipliers: polynomials, and N/D with D a product
    of variables that are strict facts (used as f · D = N)."""
    positive = {f: i for i, (f, op) in enumerate(facts) if op == ">" and f in variables}
    out = []
    for i, (f, op) in enumerate(facts):
        if op == "!=":
            continue
        num, den = sp.fraction(sp.cancel(sp.together(f)))
        if not is_poly(num, variables):
            continue
        coeff, rest = sp.Mul(den).as_coeff_Mul()
        if not (coeff.is_Rational and coeff > 0):
            continue
        idx = [i]
        good = True
        for factor in sp.Mul.make_args(rest) if rest != 1 else ():
            base, k = factor.as_base_exp()
            if base not in positive or not (k.is_Integer and k > 0):
                good = False
                break
            idx += [positive[base]] * int(k)
        if good:
            out.append(PolyFact(sp.expand(num / coeff), op == ">", idx))
    return out


def polynomial_equalities(variables: list[sp.Symbol], equalities: list[sp.Expr]) -> list[PolyEq]:
    out = []
    for k, h in enumerate(equalities):
        num, den = sp.fraction(sp.cancel(sp.together(h)))
        if is_poly(num, variables) and is_poly(den, variables) and num != 0:
            out.append(PolyEq(sp.expand(num), k, sp.expand(den)))
    return out


def is_poly(e: sp.Expr, variables: list[sp.Symbol]) -> bool:
    """e is a polynomial over QQ in `variables` (and in nothing else)."""
    if not e.free_symbols <= set(variables):
        return False
    try:
        sp.Poly(e, *variables, domain="QQ")
        return True
    except (sp.PolynomialError, sp.CoercionFailed, TypeError, ValueError):
        return False
