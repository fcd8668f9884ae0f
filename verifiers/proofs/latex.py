"""LaTeX for the exact sympy objects of a proof: names a reader (and QED's judges) read as one symbol.

A certificate may name a variable `d1`, `ar` or `w1`; LaTeX readers take `ar` for a·r. Every
name is therefore shown as one letter, with a numeric subscript where needed (`d_{1}`, `u_{2}`).
Sums of certificate terms are printed term by term in the certificate's order, so an identity is
displayed exactly as the certificate states it (each term c · m · s², nothing merged or expanded).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import sympy as sp

_LETTER = re.compile(r"^[A-Za-z]$")
_LETTER_DIGITS = re.compile(r"^([A-Za-z])_?(\d+)$")
_RESERVED = {"e", "i", "E", "I"}  # read as constants by LaTeX readers
REL_TEX = {"=": "=", ">=": r"\ge", ">": ">", "<=": r"\le", "<": "<", "!=": r"\ne"}


class NameBook:
    """One LaTeX name per symbol, unique within a proof document."""

    def __init__(self) -> None:
        self.names: dict[sp.Symbol, str] = {}
        self.used: set[str] = set()

    def add(self, sym: sp.Symbol, hint: str | None = None) -> str:
        if sym in self.names:
            return self.names[sym]
        name = self._choose(hint or sym.name)
        self.names[sym] = name
        self.used.add(name)
        return name

    def _choose(self, raw: str) -> str:
        if _LETTER.match(raw) and raw not in _RESERVED and raw not in self.used:
            return raw
        m = _LETTER_DIGITS.match(raw)
        if m and m.group(1) not in _RESERVED:
            cand = f"{m.group(1)}_{{{int(m.group(2))}}}"
            if cand not in self.used:
                return cand
        letter = raw[0] if raw[:1].isalpha() and raw[0] not in _RESERVED else "u"
        k = 1
        while f"{letter}_{{{k}}}" in self.used:
            k += 1
        return f"{letter}_{{{k}}}"


class TexPrinter:
    """sympy → LaTeX with the document's names."""

    def __init__(self, book: NameBook) -> None:
        self.book = book

    def __call__(self, e: sp.Expr) -> str:
        e = sp.sympify(e, strict=True)
        for s in e.free_symbols:
            self.book.add(s)
        if not isinstance(e, sp.Add):
            return sp.latex(e, symbol_names=self.book.names)
        pos, neg = _split_sum(e)
        items = [sp.latex(t, symbol_names=self.book.names) for t in pos + [-t for t in neg]]
        return self.terms(items, [1] * len(pos) + [-1] * len(neg))

    def factor(self, e: sp.Expr) -> str:
        """e as a factor of a product: parenthesised when it is a sum or negative."""
        text = self(e)
        if isinstance(e, sp.Add) or text.startswith("-") or (e.is_Rational and not e.is_Integer):
            return rf"\left({text}\right)"
        return text

    def square(self, s: sp.Expr) -> str:
        if isinstance(s, sp.Symbol):
            return f"{self(s)}^{{2}}"
        return rf"\left({self(s)}\right)^{{2}}"

    def product(self, coeff: sp.Rational, factors: Iterable[sp.Expr], square: sp.Expr | None) -> str:
        """c · f_1 · … · s² written as it stands (a factor 1 and a coefficient 1 are left out)."""
        parts: list[str] = []
        if coeff != 1 or (not factors and (square is None or square in (1, -1))):
            parts.append(self(coeff))
        parts += [self.factor(f) for f in factors]
        if square is not None and square not in (1, -1):
            parts.append(self.square(square))
        elif square is not None and not parts:
            parts.append("1")
        return _join(parts)

    def terms(self, items: list[str], signs: list[int] | None = None) -> str:
        """Printed terms joined with + (or -, where signs[i] < 0)."""
        if not items:
            return "0"
        out = []
        for i, t in enumerate(items):
            neg = signs is not None and signs[i] < 0
            if i == 0:
                out.append(f"- {_wrap_neg(t)}" if neg else t)
            else:
                out.append(f"- {_wrap_neg(t)}" if neg else (f"+ {t}" if not t.startswith("-") else f"- {t[1:].lstrip()}"))
        return " ".join(out)


def _split_sum(e: sp.Add) -> tuple[list[sp.Expr], list[sp.Expr]]:
    """The terms of a sum in sympy's order, positive ones first (`b - a`, not `- a + b`)."""
    try:
        terms = list(e.as_ordered_terms())
    except (TypeError, ValueError):
        terms = list(e.args)
    return [t for t in terms if not t.could_extract_minus_sign()], [t for t in terms if t.could_extract_minus_sign()]


def _positive_first(e: sp.Expr) -> sp.Expr:
    """The same sum, unevaluated, with its positive terms first (for printing with order="none")."""
    if not isinstance(e, sp.Add):
        return e
    pos, neg = _split_sum(e)
    return sp.Add(*pos, *neg, evaluate=False)


def _wrap_neg(t: str) -> str:
    return rf"\left({t}\right)" if (" + " in t or " - " in t or t.startswith("-")) else t


def _join(parts: list[str]) -> str:
    """Factors side by side; a \\cdot where two numbers would touch."""
    out = ""
    for p in parts:
        if not out:
            out = p
        elif out[-1].isdigit() and (p[:1].isdigit() or p.startswith(r"\frac")) or p[:1].isdigit():
            out += r" \cdot " + p
        else:
            out += " " + p
    return out


def relation(lhs: str, op: str, rhs: str) -> str:
    return f"{lhs} {REL_TEX[op]} {rhs}"


def point_names(printer: TexPrinter, point: dict[sp.Symbol, sp.Expr]) -> dict[sp.Symbol, str]:
    """Names that print each variable as its value (parenthesised unless a natural number)."""
    return {v: printer(val) if (val.is_Integer and val >= 0) else rf"\left({printer(val)}\right)" for v, val in point.items()}


def at_point(printer: TexPrinter, e: sp.Expr, point: dict[sp.Symbol, sp.Expr]) -> str:
    """The expression with every variable replaced by its value, printed without evaluating
    (products with a dot, so that two numbers never stand side by side)."""
    names = dict(printer.book.names)
    names.update(point_names(printer, point))
    return sp.latex(_positive_first(e), symbol_names=names, mul_symbol="dot", order="none")
