"""Facts as sympy records, so memory can decide by computation whether knowledge conflicts.

A formal fact says: for all values of `variables` in their `domains` satisfying `constraints`,
`lhs rel rhs`. A bound fact may also carry `extremum` ({"sense": "min"|"max"}): the bound is the
exact infimum/supremum of lhs - rhs, i.e. it cannot be improved. As JSON:

    {"variables": ["a", "b"], "domains": {"a": "Interval.open(0, oo)"}, "constraints": ["Eq(a + b, 2)"],
     "lhs": "a*b", "rel": "<=", "rhs": "1", "extremum": {"sense": "max"}}

Two questions are answered here: does a point refute a fact (it satisfies the hypotheses and
violates the relation, checked at 30 digits), and do two facts contradict (their differences
lhs - rhs differ by a constant, or by sign and a constant, and the ranges they claim cannot
both hold; the constant is found by sympy).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from qed.verifiers.safe_expr import (
    ExpressionError,
    parse_expression,
    parse_number,
    parse_relation,
    parse_set,
)

RELATIONS = (">=", ">", "<=", "<", "=")
_TOL = sp.Float("1e-9")
_DIGITS = 30


class FormalFactError(ValueError):
    """A formal record that sympy cannot read."""


@dataclass
class FormalFact:
    variables: list[sp.Symbol]
    domains: dict[sp.Symbol, sp.Set]
    constraints: list[sp.Basic]
    lhs: sp.Expr
    rel: str
    rhs: sp.Expr
    extremum: str | None = None  # "min" or "max": lhs - rhs attains (or approaches) 0 from the claimed side
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "variables": [str(v) for v in self.variables],
            "domains": {str(k): str(v) for k, v in self.domains.items()},
            "constraints": [str(c) for c in self.constraints],
            "lhs": str(self.lhs),
            "rel": self.rel,
            "rhs": str(self.rhs),
        }
        if self.extremum:
            out["extremum"] = {"sense": self.extremum}
        return out

    def describe(self) -> str:
        """Plain text: 'for a, b > 0 with a + b = 2: a*b <= 1 (the maximum)'."""
        hyps = [_domain_text(v, d) for v, d in self.domains.items()]
        hyps += [_relational_text(c) for c in self.constraints]
        head = f"for {', '.join(hyps)}: " if hyps else ""
        symbol = {">=": "≥", "<=": "≤"}.get(self.rel, self.rel)
        tail = {"min": " (the least possible bound)", "max": " (the greatest possible bound)"}.get(self.extremum or "", "")
        return f"{head}{sp.sstr(self.lhs)} {symbol} {sp.sstr(self.rhs)}{tail}"


def _domain_text(v: sp.Symbol, d: sp.Set) -> str:
    if d == sp.Interval.open(0, sp.oo):
        return f"{v} > 0"
    if d == sp.Interval(0, sp.oo):
        return f"{v} ≥ 0"
    if d == sp.S.Reals:
        return f"{v} real"
    return f"{v} ∈ {d}"


def _relational_text(c: sp.Basic) -> str:
    if isinstance(c, sp.Equality):
        return f"{sp.sstr(c.lhs)} = {sp.sstr(c.rhs)}"
    return sp.sstr(c)


VARIABLE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
MAX_VARIABLES = 32
MAX_CONSTRAINTS = 32


def _symbols(names: list[str]) -> dict[str, sp.Symbol]:
    return {n: sp.Symbol(n, real=True) for n in names}


def _read(reader: Any, text: Any, local: dict[str, Any], what: str) -> Any:
    """Text through the one allow-listed reader (qed.verifiers.safe_expr); decimals stay decimals."""
    try:
        return reader(text, local, what, exact=False)
    except ExpressionError as e:
        raise FormalFactError(f"cannot read {e}") from None


def _variable_names(data: dict[str, Any]) -> list[str]:
    raw = data.get("variables") or []
    if not isinstance(raw, list) or len(raw) > MAX_VARIABLES:
        raise FormalFactError(f"variables must be a list of at most {MAX_VARIABLES} names")
    names = []
    for v in raw:
        if not isinstance(v, str) or not VARIABLE_NAME.match(v) or v in names:
            raise FormalFactError(f"bad variable name {str(v)[:40]!r} (letters, digits and _; each once)")
        names.append(v)
    return names


def parse_fact(data: dict[str, Any]) -> FormalFact:
    """A FormalFact from its JSON form; FormalFactError when any part is unreadable.

    Every expression is read by the allow-listed reader over the declared variables only: a name
    the record does not declare is refused, never guessed.
    """
    if not isinstance(data, dict):
        raise FormalFactError("a formal fact must be a JSON object")
    rel = str(data.get("rel", "")).strip()
    rel = {"≥": ">=", "≤": "<=", "==": "="}.get(rel, rel)
    if rel not in RELATIONS:
        raise FormalFactError(f"relation must be one of {', '.join(RELATIONS)}, not {rel[:20]!r}")
    names = _variable_names(data)
    local = _symbols(names)
    lhs = _read(parse_expression, data.get("lhs"), local, "lhs")
    rhs = _read(parse_expression, data.get("rhs"), local, "rhs")
    raw_domains = data.get("domains") or {}
    if not isinstance(raw_domains, dict):
        raise FormalFactError("domains must map variable names to sets")
    domains = {}
    for name, text in raw_domains.items():
        if name not in local:
            continue
        domains[local[name]] = _read(parse_set, text, {}, f"domain of {name}")
    raw_constraints = data.get("constraints") or []
    if not isinstance(raw_constraints, list) or len(raw_constraints) > MAX_CONSTRAINTS:
        raise FormalFactError(f"constraints must be a list of at most {MAX_CONSTRAINTS} relations")
    constraints = [_read(parse_relation, c, local, "constraint") for c in raw_constraints]
    extremum = (data.get("extremum") or {}).get("sense") if isinstance(data.get("extremum"), dict) else None
    if extremum not in (None, "min", "max"):
        raise FormalFactError(f"extremum sense must be min or max, not {str(extremum)[:20]!r}")
    return FormalFact([local[n] for n in names], domains, constraints, lhs, rel, rhs, extremum)


_LETTER_REL = {"A": "<=", "B": ">=", "C": "=", "D": "<", "E": ">"}


def fact_from_solution(formal: dict[str, Any], kind: str, answer: str | None) -> FormalFact | None:
    """The proposition a solved bound/relation problem establishes, from FormalProblem.describe()."""
    if not formal or not answer:
        return None
    names = [str(v) for v in formal.get("variables") or []]
    base = {"variables": names, "domains": formal.get("domains") or {}, "constraints": formal.get("constraints") or []}
    if kind == "relation":
        letter = answer.strip().strip("()")[:1].upper()
        rel = _LETTER_REL.get(letter)
        if rel is None or formal.get("lhs") is None or formal.get("rhs") is None:
            return None
        return parse_fact({**base, "lhs": formal["lhs"], "rel": rel, "rhs": formal["rhs"]})
    if kind != "bound":
        return None
    from qed.verifiers.final_answer import latex_to_sympy

    value = latex_to_sympy(answer)
    if value is None:
        return None
    if formal.get("target") and formal.get("sense") in ("min", "max"):
        rel = ">=" if formal["sense"] == "min" else "<="
        return parse_fact({**base, "lhs": formal["target"], "rel": rel, "rhs": str(value),
                           "extremum": {"sense": formal["sense"]}})
    rel_c, const = formal.get("relation_with_constant"), formal.get("constant")
    if rel_c and const:
        local = _symbols(names + [str(const)])
        relational = _read(parse_relation, rel_c, local, "relation_with_constant")
        relational = relational.subs(local[str(const)], value)
        op = {sp.GreaterThan: ">=", sp.StrictGreaterThan: ">", sp.LessThan: "<=",
              sp.StrictLessThan: "<", sp.Equality: "="}.get(type(relational))
        if op is None:
            return None
        return parse_fact({**base, "lhs": str(relational.lhs), "rel": op, "rhs": str(relational.rhs)})
    return None


# --- refutation by a point ---------------------------------------------------------------------

def read_point_value(value: Any, name: str) -> sp.Expr:
    """One coordinate of a point (a JSON number or text such as "1/3", "sqrt(2)"), read by the
    allow-listed reader; a decimal becomes the simple exact number it rounds (0.5 -> 1/2)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ExpressionError(f"the value of {name} is not a number")
    number = parse_number(value, f"the value of {name}", exact=False)
    return sp.nsimplify(number, rational=False) if number.has(sp.Float) else number


def parse_point(point: dict[str, Any], fact: FormalFact) -> dict[sp.Symbol, sp.Expr] | None:
    """The point's values for the fact's variables; None if a variable is missing or unreadable."""
    by_name = {str(k): v for k, v in point.items()}
    out = {}
    for v in fact.variables:
        if str(v) not in by_name:
            return None
        try:
            value = read_point_value(by_name[str(v)], str(v))
        except ExpressionError:
            return None
        if not value.is_number or not value.is_real:
            return None
        out[v] = value
    return out


EXACT_DIGITS = 2_000  # substitute exactly only when no number of more digits can arise


def _exact_is_cheap(expr: sp.Expr, subs: dict[sp.Symbol, sp.Expr]) -> bool:
    """Whether substituting the point exactly stays small: x^10000 at x = 10^999 would build a
    ten-million-digit integer, so such a point is evaluated in floating point instead."""
    powers = [abs(p.exp) for p in expr.atoms(sp.Pow) if p.exp.is_Rational]
    degree = float(max(powers, default=1)) * max(1, len(expr.free_symbols))
    digits = max((sum(_digits(r) for r in v.atoms(sp.Rational)) for v in subs.values()), default=0.0)
    return degree * max(digits, 1.0) <= EXACT_DIGITS


def _digits(r: sp.Rational) -> float:
    return max(int(abs(r.p)).bit_length(), int(r.q).bit_length()) * 0.30103


def _value(expr: sp.Expr, subs: dict[sp.Symbol, sp.Expr]) -> sp.Float | None:
    try:
        v = sp.N(expr.subs(subs), _DIGITS) if _exact_is_cheap(expr, subs) else expr.evalf(_DIGITS, subs=subs)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if not v.is_number or v.is_real is False or v.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return None
    return sp.Float(v, _DIGITS)


def _holds(rel: str, d: sp.Float, scale: sp.Float) -> bool:
    tol = _TOL * (1 + abs(scale))
    return {
        ">=": d >= -tol, ">": d > -tol, "<=": d <= tol, "<": d < tol, "=": abs(d) <= tol,
    }[rel]


def satisfies_hypotheses(fact: FormalFact, subs: dict[sp.Symbol, sp.Expr]) -> bool:
    for v, dom in fact.domains.items():
        if v in subs and dom.contains(subs[v]) is not sp.true:
            return False
    for c in fact.constraints:
        d = _value(c.lhs - c.rhs, subs)
        if d is None:
            return False
        op = {sp.Equality: "=", sp.GreaterThan: ">=", sp.StrictGreaterThan: ">", sp.LessThan: "<=",
              sp.StrictLessThan: "<", sp.Unequality: "!="}.get(type(c))
        if op == "!=":
            if abs(d) <= _TOL:
                return False
        elif op is None or not _holds(op, d, _value(c.lhs, subs) or sp.Float(0)):
            return False
    return True


def _exact_sign(expr: sp.Expr, subs: dict[sp.Symbol, sp.Expr]) -> int | None:
    """-1, 0 or 1 when sympy can decide the sign of expr at the point exactly, else None."""
    if not _exact_is_cheap(expr, subs):
        return None
    try:
        value = sp.nsimplify(expr.subs(subs)) if all(v.is_rational for v in subs.values()) else expr.subs(subs)
        value = sp.simplify(value) if not value.is_Rational else value
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not value.is_number or value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return None
    if value.is_zero:
        return 0
    if value.is_positive:
        return 1
    if value.is_negative:
        return -1
    return None


def point_refutes(point: dict[str, Any], fact: FormalFact) -> str | None:
    """Why `point` refutes `fact` (it meets the hypotheses, the relation fails), or None.

    The sign of lhs - rhs is decided exactly when sympy can (rational points, algebraic values);
    otherwise at 30 digits, where a strict relation is only refuted by a clear violation.
    """
    subs = parse_point(point, fact)
    if subs is None or not satisfies_hypotheses(fact, subs):
        return None
    lhs, rhs = _value(fact.lhs, subs), _value(fact.rhs, subs)
    if lhs is None or rhs is None:
        return None
    sign = _exact_sign(fact.lhs - fact.rhs, subs)
    if sign is not None:
        holds = {">=": sign >= 0, ">": sign > 0, "<=": sign <= 0, "<": sign < 0, "=": sign == 0}[fact.rel]
    else:
        holds = _holds(fact.rel, lhs - rhs, max(abs(lhs), abs(rhs)))
    if holds:
        return None
    shown = ", ".join(f"{k} = {sp.sstr(v)}" for k, v in subs.items())
    return f"at {shown}: lhs = {sp.N(lhs, 12)}, rhs = {sp.N(rhs, 12)}, so '{fact.rel}' fails"


# --- contradiction between two facts -----------------------------------------------------------

def _same_hypotheses(a: FormalFact, b: FormalFact) -> bool:
    if {str(v) for v in a.variables} != {str(v) for v in b.variables}:
        return False
    da = {str(k): v for k, v in a.domains.items()}
    db = {str(k): v for k, v in b.domains.items()}
    if set(da) != set(db) or any(da[k] != db[k] for k in da):
        return False
    rename = {vb: va for vb in b.variables for va in a.variables if str(va) == str(vb)}
    ca = {sp.srepr(c) for c in a.constraints}
    cb = {sp.srepr(c.xreplace(rename)) for c in b.constraints}
    return ca == cb


def _sample_points(fact: FormalFact, n: int, seed: int = 7) -> list[dict[sp.Symbol, sp.Expr]]:
    """Points in the domains, ignoring constraints (used only to test whether an expression is constant)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        point = {}
        for v in fact.variables:
            dom = fact.domains.get(v, sp.S.Reals)
            lo = float(dom.inf) if isinstance(dom, sp.Interval) and dom.inf.is_finite else -3.0
            hi = float(dom.sup) if isinstance(dom, sp.Interval) and dom.sup.is_finite else lo + 6.0
            point[v] = sp.Rational(round(rng.uniform(lo, hi) * 1000) or 1, 1000)
            if isinstance(dom, sp.Interval) and dom.contains(point[v]) is not sp.true:
                point[v] = (sp.Rational(dom.inf) + sp.Rational(dom.sup if dom.sup.is_finite else dom.inf + 2)) / 2
        out.append(point)
    return out


def constant_offset(d1: sp.Expr, d2: sp.Expr, fact: FormalFact) -> sp.Expr | None:
    """k with d1 = d2 + k identically (sympy-confirmed after a numeric screen), else None."""
    diff = d1 - d2
    values = []
    for p in _sample_points(fact, 4):
        v = _value(diff, p)
        if v is None:
            continue
        values.append(v)
    if not values or max(values) - min(values) > _TOL * (1 + abs(values[0])):
        return None
    k = sp.simplify(diff)
    return k if not k.free_symbols else None


def _range_set(rel: str) -> sp.Set:
    return {">=": sp.Interval(0, sp.oo), ">": sp.Interval.open(0, sp.oo), "<=": sp.Interval(-sp.oo, 0),
            "<": sp.Interval.open(-sp.oo, 0), "=": sp.FiniteSet(0)}[rel]


def _transform(s: sp.Set, sign: int, k: sp.Expr) -> sp.Set:
    x = sp.Dummy("x")
    return sp.imageset(sp.Lambda(x, sign * x + k), s)


def contradiction(a: FormalFact, b: FormalFact) -> str | None:
    """Why facts a and b cannot both hold, or None when computation finds no conflict.

    With the same hypotheses and d_a = s*d_b + k (s = ±1, k constant): a claims range(d_a) ⊆ S_a,
    b claims range(d_a) ⊆ s*S_b + k. Disjoint sets conflict (the domain is taken to be non-empty).
    An extremum claim (inf or sup of d is 0) conflicts when the other fact's set excludes values
    arbitrarily close to 0 from that side, or when two extremum claims of one sense differ.
    """
    if not _same_hypotheses(a, b):
        return None
    rename = {vb: va for vb in b.variables for va in a.variables if str(va) == str(vb)}
    da, db = a.lhs - a.rhs, (b.lhs - b.rhs).xreplace(rename)
    for sign in (1, -1):
        k = constant_offset(da, sign * db, a)
        if k is None:
            continue
        sa, sb = _range_set(a.rel), _transform(_range_set(b.rel), sign, k)
        if sa.intersect(sb) == sp.S.EmptySet:
            return f"'{a.describe()}' and '{b.describe()}' claim disjoint ranges for the same expression"
        # A tight bound needs its expression to come arbitrarily close to 0: the other fact must allow it.
        for fact, other in ((a, sb), (b, _transform(sa, sign, -sign * k))):
            if fact.extremum and sp.S.Zero not in other.closure:
                return f"'{fact.describe()}' is claimed to be tight, which the other fact rules out"
        return None
    return None


def same_statement(a: FormalFact, b: FormalFact) -> bool:
    """True when a and b say the same thing (same hypotheses, relation and difference)."""
    if not _same_hypotheses(a, b) or a.rel != b.rel or a.extremum != b.extremum:
        return False
    rename = {vb: va for vb in b.variables for va in a.variables if str(va) == str(vb)}
    k = constant_offset(a.lhs - a.rhs, (b.lhs - b.rhs).xreplace(rename), a)
    return k is not None and k == 0


def search_counterexample(fact: FormalFact, tries: int = 400, seed: int = 11) -> dict[str, str] | None:
    """A point (as exact rationals) that refutes `fact`, found by random search; None if none is found.

    Equality constraints are not sampled (a random point misses them); such facts are left alone.
    """
    if any(isinstance(c, sp.Equality) for c in fact.constraints) or not fact.variables:
        return None
    import numpy as np

    try:
        f = sp.lambdify(fact.variables, fact.lhs - fact.rhs, modules="numpy")
    except (TypeError, ValueError, SyntaxError):
        return None
    rng = np.random.default_rng(seed)
    columns = []
    for v in fact.variables:
        dom = fact.domains.get(v, sp.S.Reals)
        lo = float(dom.inf) if isinstance(dom, sp.Interval) and dom.inf.is_finite else -10.0
        hi = float(dom.sup) if isinstance(dom, sp.Interval) and dom.sup.is_finite else max(lo, 0.0) + 10.0
        scale = rng.uniform(0, 1, tries) ** 2  # crowd points near the lower end, where bounds break
        columns.append(lo + (hi - lo) * scale)
    with np.errstate(all="ignore"):
        try:
            values = np.asarray(f(*columns), dtype=float) * np.ones(tries)
        except (TypeError, ValueError, ZeroDivisionError, NameError):
            return None
    bad = {">=": values < -1e-6, ">": values <= -1e-6, "<=": values > 1e-6, "<": values >= 1e-6,
           "=": np.abs(values) > 1e-6}[fact.rel] & np.isfinite(values)
    for i in np.flatnonzero(bad)[:20]:
        point = {str(v): str(sp.Rational(round(float(col[i]) * 1000), 1000)) for v, col in zip(fact.variables, columns, strict=True)}
        if point_refutes(point, fact):
            return point
    return None


def specializes(special: FormalFact, general: FormalFact) -> bool:
    """True when `special` is `general` under extra side conditions (same domains, relation and
    expression; its constraints a strict superset), so it adds nothing the general fact lacks."""
    if special.rel != general.rel or {str(v) for v in special.variables} != {str(v) for v in general.variables}:
        return False
    ds = {str(k): v for k, v in special.domains.items()}
    dg = {str(k): v for k, v in general.domains.items()}
    if ds != dg:
        return False
    rename = {vg: vs for vg in general.variables for vs in special.variables if str(vs) == str(vg)}
    cs = {sp.srepr(c) for c in special.constraints}
    cg = {sp.srepr(c.xreplace(rename)) for c in general.constraints}
    if not cg < cs:
        return False
    k = constant_offset(special.lhs - special.rhs, (general.lhs - general.rhs).xreplace(rename), special)
    return k is not None and k == 0
