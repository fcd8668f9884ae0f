"""Where variables live: domain words ("positive reals", "different from 1") and LaTeX sets.

A real variable's domain is a sympy Set (an Interval, or an Interval minus finitely many points);
an integer parameter's is a Range. Everything said about a variable is intersected, so
"non-negative reals ... for all a, b, c in R^+" ends as the positive reals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy as sp
from qed.verifiers.formalize.errors import FormalizeError
from qed.verifiers.latex.tree import IntervalNode, NumberSet

POSITIVE = sp.Interval.open(0, sp.oo)
NONNEGATIVE = sp.Interval(0, sp.oo)
REALS = sp.Reals


@dataclass
class DomainWords:
    """What a phrase like "be positive real numbers different from 1" says.

    `used` lists the kinds of restricting words (verifiers.formalize.restricting) the phrase's
    meaning rests on, so the caller can mark exactly those as read."""

    real_set: sp.Set | None = None  # None: the phrase names no real domain
    integer: bool = False
    integer_low: int | None = None
    excluded: list[sp.Expr] = field(default_factory=list)
    triangle_sides: bool = False
    triangle_angles: bool = False
    acute: bool = False
    distinct: bool = False
    used: set[str] = field(default_factory=set)


_NUMBER_WORD = r"(-?\d+(?:\.\d+)?(?:/\d+)?)"

# "greater than 1", "at least 2", "not exceeding 3": a bound by a plain number, in words.
_PROSE_BOUNDS = (
    (r"\b(?:greater|larger|bigger)\s+than\s+" + _NUMBER_WORD, ">"),
    (r"\b(?:at\s+least|no\s+less\s+than|not\s+less\s+than)\s+" + _NUMBER_WORD, ">="),
    (r"\b(?:less|smaller)\s+than\s+" + _NUMBER_WORD, "<"),
    (r"\b(?:at\s+most|no\s+more\s+than|not\s+more\s+than|not\s+exceeding)\s+" + _NUMBER_WORD, "<="),
)


def read_domain_words(text: str) -> DomainWords:
    """The domain a declaration phrase gives its variables (nothing when it names none)."""
    t = " " + re.sub(r"\s+", " ", text.lower()) + " "
    words = DomainWords()
    if re.search(r"\b(integers?|natural numbers?|whole numbers?)\b", t):
        words.integer = True
        words.used.add("integer")
        if re.search(r"non-?\s?negative integer|natural numbers? including 0", t):
            words.integer_low = 0
            words.used.add("nonnegative")
        elif re.search(r"positive integer|natural number", t):
            words.integer_low = 1
            words.used.add("positive")
        return words
    if re.search(r"\bnon-?\s?negative\b", t):
        words.real_set, kind = NONNEGATIVE, "nonnegative"
    elif re.search(r"\bnon-?\s?positive\b", t):
        words.real_set, kind = sp.Interval(-sp.oo, 0), "nonpositive"
    elif re.search(r"\bpositive\b", t):
        words.real_set, kind = POSITIVE, "positive"
    elif re.search(r"\bnegative\b", t):
        words.real_set, kind = sp.Interval.open(-sp.oo, 0), "negative"
    elif re.search(r"\breals?\b|\breal numbers?\b", t):
        words.real_set, kind = REALS, None
    else:
        kind = None
    if kind is not None:
        words.used.add(kind)
    for pattern, op in _PROSE_BOUNDS:
        for m in re.finditer(pattern, t):
            bound = bound_set(op, sp.Rational(m.group(1)), True)
            words.real_set = bound if words.real_set is None else words.real_set.intersect(bound)
            words.used.add("prose_bound")
    for m in re.finditer(
        r"(?:different from|not equal to|distinct from|other than)\s*" + _NUMBER_WORD, t
    ):
        words.excluded.append(sp.Rational(m.group(1)))
        words.used.add("excluded")
    if re.search(r"\bnon-?\s?zero\b|\bnot zero\b|\bdifferent from zero\b", t):
        words.excluded.append(sp.Integer(0))
        words.used.add("nonzero")
    if re.search(r"\b(?:pairwise )?(?:distinct|different)\b(?!\s*from)|\bunequal\b", t):
        words.distinct = True
        words.used.add("distinct")
    words.acute = bool(re.search(r"\bacute(?:-angled)?\b", t))
    if re.search(r"\bangles?\b", t) and "triangle" in t and not re.search(r"bisector|side", t):
        words.triangle_angles = True
    elif re.search(r"\bsides?\b|side[- ]lengths?|lengths of the sides", t) and re.search(
        r"triangle", t
    ):
        words.triangle_sides = True
        words.real_set = POSITIVE
    return words


def number_set(node: NumberSet) -> tuple[str, sp.Set | int]:
    """\\mathbb{R}^+ -> ("real", (0, oo)); \\mathbb{N} -> ("integer", 1) with its least value."""
    q = node.qualifier.replace(" ", "").replace("\\geq", ">=").replace("\\ge", ">=")
    if node.letter == "R":
        if q in ("", "1"):
            return "real", REALS
        if q in ("+0", "0+", "_0", ">=0", "\\geq0", "+_0", "≥0") or ("+" in q and "0" in q):
            return "real", NONNEGATIVE
        if q in ("+", ">0", "*+", "+*", ">"):
            return "real", POSITIVE
        if q in ("-", "<0"):
            return "real", sp.Interval.open(-sp.oo, 0)
        raise FormalizeError(f"unknown real set \\mathbb{{R}} with qualifier {node.qualifier!r}")
    if node.letter == "N":
        return "integer", 0 if q in ("0", "_0", "\\cup\\{0\\}") else 1
    if node.letter == "Z":
        if q in ("+", ">0", "*+", "+*"):
            return "integer", 1
        if q in ("+0", ">=0", "0+", "\\geq0"):
            return "integer", 0
        raise FormalizeError("integer parameters ranging over all of Z are not supported")
    if node.letter == "Q":
        raise FormalizeError("variables restricted to the rationals are not supported")
    raise FormalizeError(f"unknown number set \\mathbb{{{node.letter}}}")


def interval_set(node: IntervalNode, lo: sp.Expr, hi: sp.Expr) -> sp.Set:
    if not (lo.is_real or lo in (-sp.oo, sp.oo)) or not (hi.is_real or hi in (-sp.oo, sp.oo)):
        raise FormalizeError("an interval whose ends are not numbers")
    return sp.Interval(lo, hi, node.left_open, node.right_open)


def bound_set(op: str, value: sp.Expr, variable_on_left: bool) -> sp.Set:
    """The set {v : v op value} (or {v : value op v})."""
    if not variable_on_left:
        op = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
    if op == ">":
        return sp.Interval.open(value, sp.oo)
    if op == ">=":
        return sp.Interval(value, sp.oo)
    if op == "<":
        return sp.Interval.open(-sp.oo, value)
    if op == "<=":
        return sp.Interval(-sp.oo, value)
    if op == "=":
        return sp.FiniteSet(value)
    if op == "!=":
        return sp.Complement(REALS, sp.FiniteSet(value))
    raise FormalizeError(f"unknown relation {op!r}")


def integer_low(op: str, value: sp.Expr, variable_on_left: bool) -> int | None:
    """The least integer n with n op value (None when the relation is an upper bound)."""
    if not variable_on_left:
        op = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
    if op == ">":
        return int(sp.floor(value)) + 1
    if op == ">=":
        return int(sp.ceiling(value))
    return None


def symbol_for(name: str, domain: sp.Set) -> sp.Symbol:
    """A real symbol carrying the sign the domain guarantees (helps sympy simplify soundly)."""
    if domain.is_subset(POSITIVE):
        return sp.Symbol(name, positive=True)
    if domain.is_subset(NONNEGATIVE):
        return sp.Symbol(name, nonnegative=True)
    return sp.Symbol(name, real=True)
