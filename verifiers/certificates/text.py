"""Write sympy expressions as strings of the certificate grammar (the reader in check.py reads them back).

Only what the grammar has: integers, rationals as p/q, names, + - * /, ^ with integer exponents,
sqrt and cbrt. Anything else (floats, pi, functions) raises TextError: it has no place in a certificate.
"""

from __future__ import annotations

import sympy as sp


class TextError(ValueError):
    """The expression has a part the certificate grammar cannot write."""


def to_text(e: sp.Expr) -> str:
    """The grammar's text for e; read_expr(to_text(e)) == e structurally up to sympy's own evaluation."""
    return _expr(sp.sympify(e, strict=True))


def _expr(e: sp.Expr) -> str:
    if isinstance(e, sp.Add):
        parts = []
        for i, term in enumerate(_ordered_terms(e)):
            coeff, _ = term.as_coeff_Mul()
            if i and coeff.is_Rational and coeff < 0:
                parts.append("- " + _term(-term))
            else:
                parts.append(("+ " if i else "") + _term(term))
        return " ".join(parts)
    return _term(e)


def _ordered_terms(e: sp.Add) -> list[sp.Expr]:
    try:
        return list(e.as_ordered_terms())
    except (TypeError, ValueError):  # sympy cannot order some mixed terms
        return list(e.args)


def _term(e: sp.Expr) -> str:
    if isinstance(e, sp.Add):
        return f"({_expr(e)})"
    if e.is_Rational:
        return _number(sp.Rational(e))
    if e.is_Symbol:
        return e.name
    if isinstance(e, sp.Mul):
        coeff, rest = e.as_coeff_Mul()
        factors = sp.Mul.make_args(rest)
        num = [f for f in factors if not (isinstance(f, sp.Pow) and f.exp.is_Rational and f.exp < 0)]
        den = [f.base ** (-f.exp) for f in factors if isinstance(f, sp.Pow) and f.exp.is_Rational and f.exp < 0]
        body = "*".join(_factor(f) for f in num) if num else "1"
        if den:
            body += "/" + (_factor(den[0]) if len(den) == 1 else "(" + "*".join(_factor(f) for f in den) + ")")
        if coeff == 1:
            return body
        if coeff == -1:
            return "-" + body
        return f"{_number(sp.Rational(coeff))}*{body}" if coeff.is_Rational else _fail(e)
    if isinstance(e, sp.Pow):
        return _pow(e)
    return _fail(e)


def _factor(e: sp.Expr) -> str:
    if isinstance(e, (sp.Add, sp.Mul)) or (e.is_Rational and (e < 0 or not e.is_Integer)):
        return f"({_expr(e)})"
    return _term(e)


def _pow(e: sp.Pow) -> str:
    base, exp = e.base, e.exp
    if not exp.is_Rational:
        return _fail(e)
    p, q = int(exp.p), int(exp.q)
    if q == 1:
        b = _factor(base)
        return f"{b}^{p}" if p > 0 else f"{b}^({p})"
    if q == 2:
        root = f"sqrt({_expr(base)})"
    elif q == 3:
        root = f"cbrt({_expr(base)})"
    elif q == 6:
        root = f"sqrt(cbrt({_expr(base)}))"
    elif q == 4:
        root = f"sqrt(sqrt({_expr(base)}))"
    else:
        return _fail(e)
    if p == 1:
        return root
    return f"{root}^{p}" if p > 0 else f"{root}^({p})"


def _number(r: sp.Rational) -> str:
    if r.q == 1:
        return str(r.p) if r.p >= 0 else f"(-{-r.p})"
    return f"{r.p}/{r.q}" if r.p >= 0 else f"(-{-r.p}/{r.q})"


def _fail(e: sp.Expr) -> str:
    raise TextError(f"the certificate grammar cannot write {type(e).__name__}: {str(e)[:80]}")
