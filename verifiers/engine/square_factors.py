"""A proof of g >= 0 that needs no solver: g factors exactly into squares and sign-free factors.

z3 and cvc5 time out on high-degree polynomials in three or more variables even when the claim is
as simple as it gets: lhs - rhs at the best constant is often a perfect square (the equality set is
then a whole surface, which is what makes the search for a point slow and the solvers' cell
decomposition large). Over the rationals sympy factors g exactly as c * prod f_i^m_i; when c > 0
and every factor with odd multiplicity is a sum of even-power monomials with positive coefficients,
g >= 0 at every real point, hence on any domain. The factorisation is re-expanded and compared with
g before it counts, so a factoring bug cannot make a proof.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import sympy as sp
from qed.verifiers.formal import FormalProblem
from qed.verifiers.smt.certify import Certificate

MAX_TERMS = 400  # expanded terms; beyond this factoring can take longer than a proof attempt is given
SOLVER = "exact factorisation (sympy factor_list)"
MAX_TRIES = 25  # integer points tried per factor and variable
RECHECK = "re-expansion of the factors equals g (sympy expand)"


def square_certificate(g: sp.Expr, fp: FormalProblem, *, strict: bool) -> Certificate | None:
    """A proved Certificate for g >= 0 when g factors as above; None when it does not apply.
    Only non-strict claims: a square is 0 somewhere, and that is all this method knows."""
    if strict:
        return None
    variables = [v for v in fp.variables if v in g.free_symbols]
    if not variables or not g.free_symbols <= set(fp.variables):
        return None
    try:
        poly = sp.Poly(sp.expand(g), *variables)
    except (sp.PolynomialError, sp.GeneratorsNeeded):
        return None
    if poly.is_zero or len(poly.terms()) > MAX_TERMS or not all(c.is_Rational for c in poly.coeffs()):
        return None
    coeff, factors = poly.factor_list()
    if not coeff > 0:
        return None
    if not all(m % 2 == 0 or _nonnegative_by_monomials(f) for f, m in factors):
        return None
    product = sp.Poly(coeff, *variables)
    for f, m in factors:
        product *= f**m
    if product != poly:
        return None
    shown = " * ".join(f"({f.as_expr()})^{m}" for f, m in factors)
    return Certificate("proved", f"{g} >= 0 on the feasible set", solver=SOLVER, confirmed_by=[RECHECK],
                       detail=f"g = {coeff} * {shown}"[:2000])


def _nonnegative_by_monomials(f: sp.Poly) -> bool:
    """Every monomial has even exponents and a positive coefficient, so f >= 0 at every real point."""
    return all(c > 0 and all(e % 2 == 0 for e in monom) for monom, c in f.terms())


def zero_of_a_square(g: sp.Expr, fp: FormalProblem, near: dict[sp.Symbol, float],
                     accept: Callable[[dict[sp.Symbol, sp.Expr]], bool]) -> dict[sp.Symbol, sp.Expr] | None:
    """An exact real point where a squared factor of g vanishes (so g = 0 there) and `accept` holds:
    every variable but one is set to a small rational near `near`, and the factor is solved exactly
    for the last one. A rational root is preferred (the re-check then evaluates a rational point
    quickly); otherwise a real root of the polynomial with rational coefficients (CRootOf) is used.
    Soundness does not depend on the point being near: any real zero is a point where g = 0."""
    variables = [v for v in fp.variables if v in g.free_symbols]
    if not variables or not g.free_symbols <= set(fp.variables) or not set(variables) <= set(near):
        return None
    try:
        poly = sp.Poly(sp.expand(g), *variables)
    except (sp.PolynomialError, sp.GeneratorsNeeded):
        return None
    if len(poly.terms()) > MAX_TERMS:
        return None
    fallback = None
    for f, m in poly.factor_list()[1]:
        if m % 2:
            continue
        for last in variables:
            if f.degree(last) < 1:
                continue
            others = [v for v in variables if v != last]
            for shifts in itertools.islice(itertools.product((0, 1, -1, 2, -2), repeat=len(others)), MAX_TRIES):
                point = {v: sp.Integer(round(near[v])) + d for v, d in zip(others, shifts, strict=True)}
                uni = sp.Poly(f.as_expr().subs(point), last)
                if uni.degree() < 1:
                    continue
                rational = [-h.nth(0) / h.nth(1) for h, _ in uni.factor_list()[1] if h.degree() == 1]
                for root in rational:
                    if accept({**point, last: root}):
                        return {**point, last: root}
                if fallback is None:
                    for root in uni.real_roots():
                        if accept({**point, last: root}):
                            fallback = {**point, last: root}
                            break
    return fallback
