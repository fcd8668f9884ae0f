r"""Evaluate at the points a proof states: "at $x = 2$, $x + \frac{4}{x} = 3$" is checked at x = 2.

Read link by link, "equality holds at $x = 2$, where $x + \frac{4}{x} = 2 + 1 = 3$" looks right
(2 + 1 = 3 is true, and a formula after "where" reads as an assumption); the value of the expression
at the stated point (4) is never computed. This module finds the points a sentence states (values
for symbols: `x = 2`, `a = b = c = 1`, `taking $a = b = 1$`) and

- evaluates exactly (50 digits) every other relation of that sentence whose variables the point
  sets all of: an evaluation at the point is right or wrong there, whatever the words around it;
- checks an equality case ("equality holds iff $a = b = c = 1$", "the minimum is attained at ..."):
  where the point sets the problem's claim, the claim must be tight there (one step of the chain
  being tight, AM-GM's terms equal, is not enough), unless the sentence names the step it speaks of
  ("equality in (2)", "in the first inequality"); otherwise some inequality it can speak for (one
  written before it whose variables the point sets) must be tight there; if none is, the stated
  equality case is wrong;
- checks a stated extremum ("the minimum value $9$ is attained at ...") against the problem's
  expression at that point.

Only closed values are points; a point that breaks the problem's stated conditions is not used for
the problem's claim. Nothing here samples: each verdict is exact, and says which point it used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp
from qed.verifiers.judges.assumptions import Assumptions
from qed.verifiers.judges.extract import MathSegment, Relation, find_math, relations_in
from qed.verifiers.judges.reading import INEQUALITIES, blank_relation, readable
from qed.verifiers.judges.relcheck import (
    ParsedRelation,
    RelationCheck,
    closed_value,
    compare,
)
from qed.verifiers.judges.sampling import NUMERIC_ERRORS, in_domain
from qed.verifiers.latex import LatexError, read_formula

_DPS = 50
_TOL = 1e-30
EQUALITY_CASE = re.compile(
    r"\bequality\b[^.;]{0,40}?\b(holds?|occurs?|is (attained|achieved|reached)|achieves|takes place|iff|"
    r"if and only if|when|for|at)\b"
    r"|\b(minimum|maximum|minimal|maximal|smallest|largest|least|greatest)\b[^.;]{0,80}?"
    r"\b(is |are |being )?(attained|achieved|reached|obtained)\b", re.I)
_EXTREMUM = re.compile(r"\b(minimum|maximum|minimal|maximal|smallest|largest|least|greatest)\b", re.I)
_STATEMENT_EXTREMUM = re.compile(
    r"\b(minimum|maximum|smallest|largest|least|greatest|minimal|maximal)\s+(possible\s+)?(value\s+)?of\s*$", re.I)
# an equality case said of one step ("equality in (2)", "in the first inequality", "in AM-GM"), not the claim
_STEP_CASE = re.compile(
    r"\b(in|for|of)\s+(the\s+|this\s+|that\s+|each\s+|both\s+|all\s+|these\s+|those\s+|its\s+)?"
    r"((last|first|second|third|above|previous|preceding|former|latter|middle|final|latter)\s+)?"
    r"(steps?|inequalit(y|ies)|estimates?|bounds?|lemmas?|claims?|am-gm|am-hm|gm-hm|cauchy|schur|jensen|"
    r"h[oö]lder|chebyshev|bernoulli|rearrangement|power mean|\(\s*\d+\s*\)|\$\s*\(\s*\d+\s*\)\s*\$)", re.I)
_DENIED = re.compile(r"impossible|cannot|can't|never|contradict|not (possible|attained|achieved)", re.I)


@dataclass
class Point:
    values: dict[sp.Symbol, sp.Expr]  # closed values
    members: set[int]  # the relations (indices) that state it
    sentence: int
    start: int  # where its first value is written

    def text(self) -> str:
        return ", ".join(f"{k} = {v}" for k, v in sorted(self.values.items(), key=lambda kv: kv[0].name))


def sentence_points(rels: list[Relation], parsed: list[ParsedRelation | None]) -> dict[int, list[tuple[int, Point]]]:
    """Per sentence, the point it has stated after each of its relations: [(relation index, point so far)].

    `a = b = c = 1` links a = b, b = c, c = 1: the linked symbols share the closed value."""
    out: dict[int, list[tuple[int, Point]]] = {}
    groups: dict[int, tuple[dict[sp.Symbol, set[sp.Symbol]], dict[sp.Symbol, sp.Expr], set[int], int]] = {}
    for i, (r, p) in enumerate(zip(rels, parsed, strict=True)):
        if p is None or p.op != "=":
            continue
        lhs, rhs = p.lhs.expr, p.rhs.expr
        link = value = None
        if isinstance(lhs, sp.Symbol) and isinstance(rhs, sp.Symbol) and lhs != rhs:
            link = (lhs, rhs)
        elif isinstance(lhs, sp.Symbol) and not rhs.free_symbols and _real(rhs):
            value = (lhs, rhs)
        elif isinstance(rhs, sp.Symbol) and not lhs.free_symbols and _real(lhs):
            value = (rhs, lhs)
        if link is None and value is None or (value is not None and value[0].name == "C"):
            continue  # `C = 3` is the sought constant's value, not a coordinate of a point
        key = r.segment.sentence
        classes, values, members, start = groups.setdefault(key, ({}, {}, set(), r.segment.start))
        members.add(i)
        if link is not None:
            a, b = link
            joined = classes.get(a, {a}) | classes.get(b, {b})
            for s in joined:
                classes[s] = joined
        else:
            s, v = value
            classes.setdefault(s, {s})
            values[s] = v
        resolved: dict[sp.Symbol, sp.Expr] = {}
        for s, cls in classes.items():
            known = {values[m] for m in cls if m in values}
            if len(known) == 1:
                resolved[s] = next(iter(known))
        out.setdefault(key, []).append((i, Point(resolved, set(members), key, start)))
    return out


def _real(e: sp.Expr) -> bool:
    v = closed_value(e)
    return v is not None and not isinstance(v, complex) and getattr(v, "imag", 0) == 0


def point_before(points: dict[int, list[tuple[int, Point]]], i: int, sentence: int) -> Point | None:
    """The point sentence `sentence` has stated before relation i (None: none yet)."""
    best = None
    for j, pt in points.get(sentence, []):
        if j < i:
            best = pt
    return best if best is not None and best.values else None


def exact_at(p: ParsedRelation, values: dict[sp.Symbol, sp.Expr]) -> tuple[bool, str, str] | None:
    """(holds, lhs, rhs) for the relation at the point, exactly; None if a side has no real value."""
    try:
        a = closed_value(p.lhs.expr.xreplace(values))
        b = closed_value(p.rhs.expr.xreplace(values))
    except NUMERIC_ERRORS:
        return None
    if a is None or b is None or not _is_real(a) or not _is_real(b):
        return None
    scale = max(1.0, abs(float(a)), abs(float(b)))
    return compare(float(a - b), p.op, _TOL * scale), _show(a), _show(b)


def tight_at(p: ParsedRelation, values: dict[sp.Symbol, sp.Expr]) -> tuple[bool, str, str] | None:
    """(both sides equal, lhs, rhs) at the point; None if a side has no real value there."""
    return exact_at(ParsedRelation(p.lhs, "=", p.rhs), values)


def _is_real(v) -> bool:  # noqa: ANN001
    import mpmath

    return not isinstance(v, mpmath.mpc)


def _show(v) -> str:  # noqa: ANN001
    f = float(v)
    if f == int(f) and abs(f) < 1e15:
        return str(int(f))
    return f"{f:.8g}"


@dataclass
class Claim:
    """The problem's own claim: `lhs op rhs`, or an expression whose extremum is asked for."""

    lhs: sp.Expr
    rhs: sp.Expr | None
    op: str
    quote: str


def problem_claim(statement: str | None, proof_parsed: list[ParsedRelation | None]) -> Claim | None:
    """The inequality the problem asks about, read from its statement: `X () Y` (a relation to fill in),
    `X \\ge C Y` with the C the proof concludes, the last inequality of a "prove that", or the
    expression whose minimum or maximum is asked for."""
    if not statement:
        return None
    segments = find_math(statement)
    blank = blank_relation(segments)
    if blank is not None:
        if blank.lhs is None or blank.rhs is None:
            return None
        return Claim(blank.lhs, blank.rhs, "()", " ".join(blank.content.split())[:160])
    for seg in segments:
        if _STATEMENT_EXTREMUM.search(seg.lead):
            try:
                expr = read_formula(seg.content.strip().rstrip(".,")).expr
            except (LatexError, ValueError):
                continue
            if expr.free_symbols:
                return Claim(expr, None, "extremum", " ".join(seg.content.split())[:160])
    c_value = _concluded_c(proof_parsed)
    last: Claim | None = None
    for r, p in readable(relations_in(statement, segments), INEQUALITIES):
        if len(p.free) < 1 or _simple_bound(p):
            continue
        names = {s.name for s in p.free}
        if "C" in names:
            if c_value is None:
                continue
            c = next(s for s in p.free if s.name == "C")
            last = Claim(p.lhs.expr.xreplace({c: c_value}), p.rhs.expr.xreplace({c: c_value}), p.op,
                         r.quote(statement))
        else:
            last = Claim(p.lhs.expr, p.rhs.expr, p.op, r.quote(statement))
    return last


def _simple_bound(p: ParsedRelation) -> bool:
    """`a > 0`, `x \\le 1`, `a \\ge b`: a condition on the variables, not the claim."""
    lhs, rhs = p.lhs.expr, p.rhs.expr
    return (isinstance(lhs, sp.Symbol) and (not rhs.free_symbols or isinstance(rhs, sp.Symbol))) or \
        (isinstance(rhs, sp.Symbol) and not lhs.free_symbols)


def _concluded_c(parsed: list[ParsedRelation | None]) -> sp.Expr | None:
    """The last closed value the proof gives the sought constant: `C = \\frac{3}{2}`."""
    value = None
    for p in parsed:
        if p is None or p.op != "=":
            continue
        for side, other in ((p.lhs.expr, p.rhs.expr), (p.rhs.expr, p.lhs.expr)):
            if isinstance(side, sp.Symbol) and side.name == "C" and not other.free_symbols:
                value = other
    return value


def satisfies(values: dict[sp.Symbol, sp.Expr], assumptions: Assumptions) -> bool:
    """The point keeps the problem's stated domain, bounds and conditions (on the symbols it sets)."""
    by_name = {s.name: v for s, v in values.items()}
    for name, v in by_name.items():
        try:
            x = float(sp.N(v, 30))
        except (TypeError, ValueError):
            return False
        if not in_domain(x, assumptions.bounds.get(name, (None, None)), assumptions.domain or "real"):
            return False
    names = {s.name: s for s in values}
    for e in assumptions.equalities:
        sub = {s: values[names[s.name]] for s in e.free_symbols if s.name in names}
        if len(sub) == len(e.free_symbols):
            v = closed_value(e.xreplace(sub))
            if v is None or abs(complex(v)) > 1e-25:
                return False
    for f in assumptions.filters:
        sub = {s: values[names[s.name]] for s in f.free_symbols if s.name in names}
        if len(sub) == len(f.free_symbols):
            try:
                if not bool(f.xreplace(sub)):
                    return False
            except TypeError:
                continue
    return True


def breaks_conditions(values: dict[sp.Symbol, sp.Expr], assumptions: Assumptions) -> str | None:
    """The problem's equality condition the point breaks (`abc = 1` at a = b = c = 2), when it sets all of
    that condition's variables; None otherwise."""
    names = {s.name: v for s, v in values.items()}
    for e in assumptions.equalities:
        if not e.free_symbols or not all(s.name in names for s in e.free_symbols):
            continue
        v = closed_value(e.xreplace({s: names[s.name] for s in e.free_symbols}))
        if v is not None and abs(complex(v)) > 1e-25:
            return f"{e} = 0"
    return None


def _onto(expr: sp.Expr, values: dict[sp.Symbol, sp.Expr]) -> dict[sp.Symbol, sp.Expr] | None:
    """The point's values keyed by the expression's own symbols (matched by name); None if one is missing."""
    by_name = {s.name: v for s, v in values.items()}
    out = {}
    for s in expr.free_symbols:
        if s.name not in by_name:
            return None
        out[s] = by_name[s.name]
    return out


class StatedPoints:
    """The checks at stated points for one text, relation by relation (used by numeric_computation)."""

    def __init__(self, text: str, segments: list[MathSegment], rels: list[Relation],
                 parsed: list[ParsedRelation | None], assumptions: Assumptions, statement: str | None):
        self.text = text
        self.segments = segments
        self.rels = rels
        self.parsed = parsed
        self.assumptions = assumptions
        self.points = sentence_points(rels, parsed)
        self.claim = problem_claim(statement, parsed)
        self.members = {j for pts in self.points.values() for _i, pt in pts for j in pt.members}

    def check(self, i: int) -> RelationCheck | None:
        """The exact check of relation i at a point its sentence states, or None when none applies."""
        r, p = self.rels[i], self.parsed[i]
        if p is None or p.op not in ("=", "<", ">", "<=", ">="):
            return None
        sentence = r.segment.sentence
        if i in self.members:
            return self._equality_case(i, sentence)
        if not p.free:
            return None
        point = point_before(self.points, i, sentence)
        if point is None or not p.free <= set(point.values) or _DENIED.search(r.segment.trail or "") \
                or _DENIED.search(r.segment.sentence_text):
            return None
        result = exact_at(p, point.values)
        if result is None:
            return None
        holds, a, b = result
        ev = {"point": point.text(), "lhs": a, "rhs": b, "exact": True}
        if holds:
            return RelationCheck("true", f"holds exactly at the stated point {point.text()}", ev)
        return RelationCheck("false", f"at the stated point {point.text()} the left side is {a} and the right "
                             f"side is {b}", ev)

    def _equality_case(self, i: int, sentence: int) -> RelationCheck | None:
        """The last value of an equality-case point: is some inequality it speaks for tight there?"""
        r = self.rels[i]
        text = r.segment.sentence_text
        if not EQUALITY_CASE.search(text) or _DENIED.search(text):
            return None
        pts = self.points.get(sentence, [])
        if not pts or pts[-1][0] != i or not pts[-1][1].values:
            return None  # only at the point's last value, once the whole point is written
        point = pts[-1][1]
        broken = breaks_conditions(point.values, self.assumptions)
        if broken:
            return RelationCheck("false", f"equality is stated at {point.text()}, which breaks the problem's "
                                 f"condition {broken}", {"point": point.text(), "exact": True})
        extremum = self._extremum_at(point, sentence)
        if extremum is not None:
            return extremum
        claim = self._claim_at(point)
        if claim is not None and not claim[0] and not _STEP_CASE.search(text):
            # the proof's equality case is where its conclusion, the problem's claim, is tight: one step
            # tight there (AM-GM's terms equal) does not make the whole chain tight
            return RelationCheck("false", f"equality is stated at {point.text()}, but the problem's inequality is "
                                 f"not tight there (left {claim[1]}, right {claim[2]})",
                                 {"point": point.text(), "exact": True})
        tried: list[str] = []
        for j in range(i - 1, -1, -1):
            q = self.parsed[j]
            if q is None or q.op not in ("<", ">", "<=", ">=") or not q.free or j in self.members or _simple_bound(q):
                continue
            if not q.free <= set(point.values):
                continue
            result = tight_at(q, point.values)
            if result is None:
                continue
            tight, a, b = result
            if tight:
                return RelationCheck("true", f"the stated equality case {point.text()} makes `{self._quote(j)}` "
                                     f"tight (both sides {a})", {"point": point.text(), "exact": True})
            tried.append(f"`{self._quote(j)}`: left {a}, right {b}")
            if len(tried) >= 12:
                break
        if claim is not None:
            tight, a, b = claim
            if tight:
                return RelationCheck("true", f"the problem's inequality is tight at the stated equality case "
                                     f"{point.text()} (both sides {a})", {"point": point.text(), "exact": True})
            tried.insert(0, f"the problem's inequality: left {a}, right {b}")
        if not tried:
            return None
        return RelationCheck("false", f"equality is stated at {point.text()}, but no inequality it can speak for "
                             f"is tight there ({'; '.join(tried[:3])})",
                             {"point": point.text(), "exact": True, "tried": len(tried)})

    def _quote(self, j: int) -> str:
        q = " ".join(self.text[self.rels[j].start : self.rels[j].end].split())
        return q if len(q) <= 80 else q[:77] + "..."

    def _claim_at(self, point: Point) -> tuple[bool, str, str] | None:
        """Both sides of the problem's inequality at the point (which must keep the problem's conditions)."""
        c = self.claim
        if c is None or c.rhs is None or not satisfies(point.values, self.assumptions):
            return None
        a = _value_at(c.lhs, point.values)
        b = _value_at(c.rhs, point.values)
        if a is None or b is None:
            return None
        scale = max(1.0, abs(float(a)), abs(float(b)))
        return abs(float(a - b)) <= _TOL * scale, _show(a), _show(b)

    def _extremum_at(self, point: Point, sentence: int) -> RelationCheck | None:
        """`the minimum value is $9$, attained at $a = b = c = 1$`: the problem's expression at the point
        against the value the sentence states (the one closed number it writes outside the point)."""
        c = self.claim
        if c is None or c.op != "extremum" or not _EXTREMUM.search(self._sentence_text(sentence)):
            return None
        stated = self._closed_numbers(sentence)
        if len(stated) != 1 or not satisfies(point.values, self.assumptions):
            return None
        value = _value_at(c.lhs, point.values)
        if value is None:
            return None
        want = closed_value(stated[0])
        if want is None or not _is_real(want):
            return None
        scale = max(1.0, abs(float(value)), abs(float(want)))
        ev = {"point": point.text(), "exact": True, "value": _show(value), "stated": _show(want)}
        if abs(float(value - want)) <= _TOL * scale:
            return RelationCheck("true", f"the problem's expression is {_show(value)} at {point.text()}, the "
                                 "extremum stated", ev)
        return RelationCheck("false", f"the extremum {_show(want)} is stated as attained at {point.text()}, but the "
                             f"problem's expression is {_show(value)} there", ev)

    def _sentence_text(self, sentence: int) -> str:
        return next((s.sentence_text for s in self.segments if s.sentence == sentence), "")

    def _closed_numbers(self, sentence: int) -> list[sp.Expr]:
        """The formulas of the sentence that are one closed number (`$9$`, `$\\frac{3}{2}$`), not relations."""
        out = []
        for seg in self.segments:
            if seg.sentence != sentence or any(ch in seg.content for ch in "=<>") or "\\le" in seg.content \
                    or "\\ge" in seg.content:
                continue
            try:
                e = read_formula(seg.content.strip().rstrip(".,")).expr
            except (LatexError, ValueError):
                continue
            if not e.free_symbols and e.is_number:
                out.append(e)
        return out


def _value_at(expr: sp.Expr, values: dict[sp.Symbol, sp.Expr]):  # noqa: ANN202
    """The expression's exact real value at the point (its symbols matched by name), or None."""
    sub = _onto(expr, values)
    if sub is None:
        return None
    try:
        v = closed_value(expr.xreplace(sub))
    except NUMERIC_ERRORS:
        return None
    return v if v is not None and _is_real(v) else None
