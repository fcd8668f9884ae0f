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

import sympy as sp
from qed.verifiers.formal import FormalProblem
from qed.verifiers.smt.certify import Certificate

MAX_TERMS = 400  # expanded terms; beyond this factoring can take longer than a proof attempt is given
SOLVER = "exact factorisation (sympy factor_list)"
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
