"""When C multiplies an expression whose sign changes, split the domain by that sign.

The relation h = p(x) + C q(x) >= 0 bounds C from below where q > 0 (C >= -p/q) and from above
where q < 0 (C <= -p/q), so the admissible C form the interval
    [ sup over q > 0 of -p/q ,  inf over q < 0 of -p/q ].
The statement says which end it asks for ("largest" / "smallest"); that end is an extremum of
-p/q over the feasible set with the sign condition on q added, and the other end is checked to
leave the interval non-empty. The formalizer isolates C in every other case.
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp
from qed.verifiers.formal import FormalProblem


def split_by_sign(fp: FormalProblem) -> tuple[FormalProblem, FormalProblem] | None:
    """(record for the asked end, record for the other end), or None when this does not apply.

    Each record has the extra sign condition on q among its constraints and its target and sense set.
    """
    rel, c = fp.relation_with_constant, fp.constant
    asked = fp.extra.get("asked")
    if c is None or asked not in ("largest", "smallest") or not isinstance(rel, (sp.Ge, sp.Gt, sp.Le, sp.Lt)):
        return None
    h = sp.expand(rel.lhs - rel.rhs if isinstance(rel, (sp.Ge, sp.Gt)) else rel.rhs - rel.lhs)
    try:
        poly = sp.Poly(h, c)
    except sp.PolynomialError:
        return None
    if poly.degree() != 1:
        return None
    q, p = poly.all_coeffs()
    target = sp.cancel(-p / q)
    upper = replace(fp, constraints=list(fp.constraints) + [sp.StrictLessThan(q, 0)], target=target, sense="min", notes=list(fp.notes) + [f"C <= -p/q where {q} < 0"])
    lower = replace(fp, constraints=list(fp.constraints) + [sp.StrictGreaterThan(q, 0)], target=target, sense="max", notes=list(fp.notes) + [f"C >= -p/q where {q} > 0"])
    return (upper, lower) if asked == "largest" else (lower, upper)
