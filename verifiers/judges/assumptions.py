r"""What a problem assumes about its variables, read from its statement.

The numeric checks sample points where the proof's claims are supposed to hold; sampling outside
the problem's domain would make true claims look false. So the statement is read for the domain
("positive real numbers", `a, b, c > 0`, `x \in [0, 1]`), side conditions that are equalities
(`a+b+c=3`, sampled on that surface) and inequalities (kept as filters). What cannot be read is
left out, and when no domain is stated the checks try several.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy as sp
from qed.verifiers.judges.extract import find_math, relations_in
from qed.verifiers.judges.sampling import relational
from qed.verifiers.latex import LatexError, read_formula

Domain = str  # "positive", "nonnegative", "real", "integer"


@dataclass
class Assumptions:
    domain: Domain | None = None  # None: not stated; checks try positive and real
    bounds: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    equalities: list[sp.Expr] = field(default_factory=list)  # each expr == 0
    filters: list[sp.Basic] = field(default_factory=list)  # relationals that must hold
    integer_symbols: set[str] = field(default_factory=set)
    declared: set[str] = field(default_factory=set)  # symbols the statement introduces as variables
    geometric: bool = False  # about a figure: other letters name lengths, areas, angles ...
    discrete: bool = False  # about integers, primes, sequences: real sampling cannot refute claims

    def domains_to_try(self) -> list[Domain]:
        if self.domain is not None:
            return [self.domain]
        return ["positive", "real"]


_POSITIVE = re.compile(r"\bpositive\b(?!\s+(integer|whole))", re.I)
_POSITIVE_INT = re.compile(r"\bpositive\s+(integer|whole)", re.I)
_NONNEG = re.compile(r"\bnon-?negative\b", re.I)
_REAL = re.compile(r"\breal\s+(numbers?|variables?)\b|\breals\b", re.I)
_VAR_LIST = re.compile(
    r"^\s*((?:[A-Za-z](?:_\{?\w+\}?)?\s*,\s*)*(?:[A-Za-z](?:_\{?\w+\}?)?|\\ldots|\\cdots))\s*"
    r"(>|<|\\geq?|\\leq?|\\geqslant|\\leqslant|\\in)\s*(.+?)\s*$"
)
_VAR = re.compile(r"[A-Za-z](?:_\{?\w+\}?)?")
_INTERVAL = re.compile(r"^\s*([\[(])\s*(.+?)\s*,\s*(.+?)\s*([\])])\s*$")


def read_assumptions(statement: str | None) -> Assumptions:
    """Domain and side conditions of a problem statement; empty when there is none."""
    out = Assumptions()
    if not statement:
        return out
    text = statement
    if _POSITIVE.search(text):
        out.domain = "positive"
    elif _NONNEG.search(text):
        out.domain = "nonnegative"
    elif _REAL.search(text):
        out.domain = "real"
    if _POSITIVE_INT.search(text) and out.domain is None:
        out.domain = "positive"
    out.geometric = bool(_GEOMETRY.search(text))
    # about integers, or about objects (people, grids, sets) counted by integers, with no real variable
    out.discrete = bool(_DISCRETE.search(text)) or (bool(_COUNTED.search(text)) and not _ANY_REAL.search(text))
    for seg in find_math(text):
        read_variable_lists(seg.content, out)
        after = text[seg.end + 1 : seg.end + 60]
        if (BARE_LIST.match(seg.content) or _VAR.fullmatch(seg.content.strip())) and _INTEGER_WORDS.match(after):
            out.integer_symbols.update(_norm(v) for v in _VAR.findall(seg.content))
        m_in = re.match(r"^\s*(.+?)\s*\\in\s*\\mathbb\s*\{?[NZ]\}?", seg.content)
        if m_in:
            out.integer_symbols.update(_norm(v) for v in _VAR.findall(m_in.group(1)))
        if BARE_LIST.match(seg.content):
            names = [_norm(v) for v in _VAR.findall(seg.content)]
            if NAMED_QUANTITIES.match(text[seg.end + 1 : seg.end + 120]):
                continue  # `$P, L, R$ denote the area, perimeter ...`: named, not free variables
            out.declared.update(names)
            if len(names) == 3 and _TRIANGLE_SIDES.search(text[seg.end : seg.end + 80]):
                a, b, c = (sp.Symbol(n, real=True) for n in names)
                out.filters.extend([relational("<", a, b + c), relational("<", b, c + a), relational("<", c, a + b)])
                out.domain = out.domain or "positive"
    _read_conditions(text, out)
    return out


_DISCRETE = re.compile(r"\b(primes?|divisib\w*|divides|digits?|modulo|mod|coprime|gcd|lcm)\b|\\mathbb\s*\{?Z\}?",
                       re.I)
_COUNTED = re.compile(r"\b(integers?|natural numbers?|sequences?|students?|grid|colou?r\w*|boys|girls|people|"
                      r"subsets?|graphs?|vertices|tournaments?|games?|players?)\b|\\mathbb\s*\{?[NZ]\}?", re.I)
_ANY_REAL = re.compile(r"\breals?\b|\\mathbb\s*\{?R\}?", re.I)
_INTEGER_WORDS = re.compile(r"^[^.;$]{0,40}?\b(integers?|natural numbers?)\b", re.I)
_GEOMETRY = re.compile(r"\b(triangle|circle|area|radius|radii|perimeter|angle|polygon|altitude|"
                       r"median|bisector|circumradius|inradius|quadrilateral|tetrahedron)", re.I)
_TRIANGLE_SIDES = re.compile(r"sides?\s+of\s+a\s+triangle|side\s+lengths|triangle\s+with\s+sides", re.I)
NAMED_QUANTITIES = re.compile(
    r"^[^.;]{0,30}?\b(denote|be|are|is)\b[^.;]{0,50}?\b(area|perimeter|radius|radii|circumradius|"
    r"inradius|angles?|altitudes?|medians?|bisectors?|semiperimeter|heights?)\b", re.I)
BARE_LIST = re.compile(r"^\s*[A-Za-z](?:_\{?\w+\}?)?(?:\s*,\s*(?:[A-Za-z](?:_\{?\w+\}?)?|\\ldots|\\cdots|\\dots))+\s*$")


def read_variable_lists(content: str, out: Assumptions) -> None:
    """`a, b, c > 0`, `x, y \\in [0, 1]`, `0 < x < 1` give per-variable bounds."""
    for piece in re.split(r"\\quad|\\text\{[^}]*\}|;|\\qquad|(?<=\d)\s*,\s*(?=[A-Za-z\\])", content):
        m = _VAR_LIST.match(piece)
        if m:
            names = [_norm(v) for v in _VAR.findall(m.group(1))]
            op, rhs = m.group(2), m.group(3)
            if op == "\\in":
                iv = _INTERVAL.match(rhs)
                if iv:
                    lo, hi = _number(iv.group(2)), _number(iv.group(3))
                    out.declared.update(names)
                    for n in names:
                        _tighten(out, n, lo, hi)
                elif re.search(r"\\mathbb\{?R\}?(\^\{?\+\}?|_\{?\+\}?|\^\{?>0\}?)", rhs):
                    for n in names:
                        _tighten(out, n, 0.0, None)
                continue
            value = _number(rhs)
            if value is None:
                continue
            out.declared.update(names)
            for n in names:
                if op in (">", "\\ge", "\\geq", "\\geqslant"):
                    _tighten(out, n, value, None)
                else:
                    _tighten(out, n, None, value)
            if value == 0 and op in (">", "\\ge", "\\geq", "\\geqslant") and out.domain is None:
                out.domain = "positive" if op == ">" else "nonnegative"
        m2 = re.match(r"^\s*(-?[\d.]+|\\frac\{\d+\}\{\d+\})\s*(<|\\leq?|\\le)\s*([A-Za-z](?:_\{?\w+\}?)?)"
                      r"\s*(<|\\leq?|\\le)\s*(-?[\d.]+|\\frac\{\d+\}\{\d+\})\s*$", piece)
        if m2:
            _tighten(out, _norm(m2.group(3)), _number(m2.group(1)), _number(m2.group(5)))


def _norm(name: str) -> str:
    return name.replace("{", "").replace("}", "").replace(" ", "")


def _number(src: str) -> float | None:
    try:
        value = read_formula(src).expr
    except LatexError:
        return None
    if value.free_symbols:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _tighten(out: Assumptions, name: str, lo: float | None, hi: float | None) -> None:
    old_lo, old_hi = out.bounds.get(name, (None, None))
    new_lo = lo if old_lo is None else (old_lo if lo is None else max(lo, old_lo))
    new_hi = hi if old_hi is None else (old_hi if hi is None else min(hi, old_hi))
    out.bounds[name] = (new_lo, new_hi)


def _read_conditions(text: str, out: Assumptions) -> None:
    """Equalities over several variables become surfaces to sample on; inequalities, filters."""
    for rel in relations_in(text):
        try:
            lhs = read_formula(rel.lhs).expr
            rhs = read_formula(rel.rhs).expr
        except LatexError:
            continue
        free = (lhs - rhs).free_symbols
        if not free:
            continue
        if rel.op == "=":
            if _single_symbol(lhs) and _single_symbol(rhs):
                continue
            extreme = _as_extreme(lhs, rhs)
            if extreme is not None:
                out.filters.extend(extreme)
                continue
            if _single_symbol(lhs) and not rhs.free_symbols or _single_symbol(rhs) and not lhs.free_symbols:
                continue  # `n = 3`: a parameter value, not a surface
            if str(lhs) == "C" or str(rhs) == "C":
                continue
            out.equalities.append(sp.expand(lhs - rhs) if _small(lhs - rhs) else lhs - rhs)
        elif rel.op in ("<", ">", "<=", ">="):
            if any(str(s) == "C" for s in free):
                continue  # the constant the problem asks for
            if (_single_symbol(lhs) and not rhs.free_symbols) or (_single_symbol(rhs) and not lhs.free_symbols):
                continue  # already read as a bound
            rel_expr = relational(rel.op, lhs, rhs)
            out.filters.append(rel_expr)


def _as_extreme(lhs: sp.Expr, rhs: sp.Expr) -> list[sp.Basic] | None:
    """`z = \\max\\{x, y, z\\}` says z is at least each of them: filters, not a surface."""
    for side, other in ((lhs, rhs), (rhs, lhs)):
        if isinstance(other, (sp.Max, sp.Min)):
            op = ">=" if isinstance(other, sp.Max) else "<="
            return [relational(op, side, arg) for arg in other.args if arg != side]
    return None


def _single_symbol(e: sp.Expr) -> bool:
    return isinstance(e, sp.Symbol)


def _small(e: sp.Expr) -> bool:
    return sp.count_ops(e) < 40
