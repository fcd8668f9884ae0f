"""Exact points a certificate needs: where a bound is attained (or a family approaching it), two
points of opposite sign for "none of the above", and counterexamples.

Candidates come from hints (the engine's exact equality point, written as text) and from the
symmetric point where all variables are equal; each is only proposed here. The checker decides.
"""

from __future__ import annotations

import sympy as sp
from qed.verifiers.certificates.check import CheckFailure, ReadError, _Checker, read_expr
from qed.verifiers.certificates.claim import Claim
from qed.verifiers.certificates.text import TextError, to_text


def read_point(raw: dict[str, str], claim: Claim) -> dict[sp.Symbol, sp.Expr] | None:
    """A point written by sympy's printer (the engine's evidence), read with the certificate reader."""
    out = {}
    names = {str(v): v for v in claim.variables}
    for k, text in raw.items():
        if k not in names or not isinstance(text, str):
            return None
        try:
            out[names[k]] = read_expr(text.replace("**", "^"), {}, radicals=True)
        except ReadError:
            return None
    return out if set(out) == set(claim.variables) else None


def symmetric_points(claim: Claim) -> list[dict[sp.Symbol, sp.Expr]]:
    """Points with all variables equal to t, t solving the equalities (or t = 1 without any)."""
    t = sp.Dummy("t")
    eqs = [sp.numer(sp.together(h.xreplace(dict.fromkeys(claim.variables, t)))) for h in claim.equalities]
    eqs = [e for e in eqs if e != 0]
    if not eqs:
        values = [sp.Integer(1)]
    else:
        try:
            values = [r for r in sp.Poly(eqs[0], t).real_roots()]
        except (sp.PolynomialError, NotImplementedError):
            return []
    return [dict.fromkeys(claim.variables, v) for v in values]


def point_text(pt: dict[sp.Symbol, sp.Expr]) -> dict[str, str] | None:
    try:
        return {str(k): to_text(sp.nsimplify(v) if v.is_Float else v) for k, v in pt.items()}
    except TextError:
        return None


def _claim_domain(claim: Claim):
    checker = _Checker()
    dom, parsed = checker.claim(claim.data)
    return checker, dom, parsed


def optimality(claim: Claim, hints: list[dict[str, str]] = (), families: list[dict] = ()) -> dict | None:
    """{"point": ...} or {"family": ...} that the checker accepts for the claim's constant, or None."""
    checker, dom, parsed = _claim_domain(claim)

    def goal_of(c: dict) -> sp.Expr:
        return c["lhs"] - c["rhs"] if c["relation"] in (">=", ">", "=") else c["rhs"] - c["lhs"]

    candidates = [p for p in (read_point(h, claim) for h in hints) if p is not None] + symmetric_points(claim)
    for pt in candidates:
        text = point_text(pt)
        if text is None:
            continue
        try:
            checker.optimality({"point": text}, dom, parsed, goal_of, "optimality")
            return {"point": text}
        except CheckFailure:
            continue
    for fam in families:
        try:
            checker.optimality({"family": fam}, dom, parsed, goal_of, "optimality")
            return {"family": fam}
        except CheckFailure:
            continue
    return None


def limit_families(claim: Claim, point: dict[str, str], limits: dict[str, str]) -> list[dict]:
    """Families for an extremum approached as some variables tend to an end of their interval:
    those variables move (lo + t, or 1/t towards infinity), the others stay at the point."""
    fam: dict[str, str] = {}
    names = {str(v): v for v in claim.variables}
    ranges = _interval_ends(claim)
    for name in names:
        if name in limits:
            lo, hi = ranges.get(name, (None, None))
            if limits[name] == "lower" and lo is not None:
                fam[name] = to_text(lo + sp.Symbol("t"))
            elif limits[name] == "upper" and hi is None:
                fam[name] = "1/t"
            elif limits[name] == "upper" and hi is not None:
                fam[name] = to_text(hi - sp.Symbol("t"))
            else:
                return []
        elif name in point:
            fam[name] = point[name].replace("**", "^")
        else:
            return []
    return [{"parameter": "t", "point": fam, "interval": ["0", "1/1000"], "limit": "lo"}]


def _interval_ends(claim: Claim) -> dict[str, tuple]:
    out: dict[str, tuple] = {}
    for v in claim.variables:
        lo = hi = None
        for f, op in claim.facts:
            if op == "!=":
                continue
            p = sp.Poly(f, v) if f.free_symbols == {v} else None
            if p is None or p.degree() != 1:
                continue
            a, b = p.all_coeffs()
            if a > 0:
                lo = -b / a
            elif a < 0:
                hi = -b / a
        out[str(v)] = (lo, hi)
    return out


def none_points(claim: Claim, hints: list[dict[str, str]]) -> dict | None:
    """{"above": ..., "below": ...} for a "none" claim from candidate points, checked exactly."""
    checker, dom, parsed = _claim_domain(claim)
    above = below = None
    for h in hints:
        pt = read_point(h, claim)
        if pt is None:
            continue
        text = point_text(pt)
        try:
            checker.in_domain(pt, dom, parsed, "points", at_constant=False)
            s = _sign_at(checker, claim.lhs - claim.rhs, pt)
        except CheckFailure:
            continue
        if s > 0 and above is None:
            above = text
        elif s < 0 and below is None:
            below = text
    if above and below:
        return {"above": above, "below": below}
    return None


def _sign_at(checker: _Checker, e: sp.Expr, pt: dict) -> int:
    from qed.verifiers.certificates.check import _sign

    return _sign(checker.value_at(e, pt, "points"), "points")


def domain_point(claim: Claim, hints: list[dict[str, str]] = ()) -> dict[str, str] | None:
    """A point of the claim's domain (so a certificate shows the claim is not vacuous), or None."""
    checker, dom, parsed = _claim_domain(claim)
    candidates = [p for p in (read_point(h, claim) for h in hints) if p is not None] + symmetric_points(claim)
    candidates += [dict.fromkeys(claim.variables, sp.Integer(k)) for k in (2, 3)]
    for pt in candidates:
        text = point_text(pt)
        if text is None:
            continue
        try:
            checker.in_domain({v: read_expr(text[str(v)], {}, radicals=True) for v in claim.variables}, dom, parsed, "domain_point", at_constant=True)
            return text
        except (CheckFailure, ReadError):
            continue
    return None
