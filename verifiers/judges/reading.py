"""A text's relations read the same way by every judge and by the calibration's mutations.

The step-wise judges (numeric_computation, toy_case, theorem_use, stated_points) and the mutations that
plant flaws for calibration all scan a proof's (or a statement's) relations and read each one with the
LaTeX reader, keeping going past the ones that do not read. Kept here once, so a planted flaw and the
judge that must catch it never read a relation differently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import sympy as sp
from qed.verifiers.judges.extract import MathSegment, Relation
from qed.verifiers.judges.relcheck import ParsedRelation, parse_relation
from qed.verifiers.latex import LatexError, read_formula

INEQUALITIES = ("<", ">", "<=", ">=")


def parse_all(rels: Iterable[Relation], ops: tuple[str, ...] | None = None) -> list[ParsedRelation | None]:
    """Each relation read, or None where it cannot be (or where its operator is not one of `ops`)."""
    out: list[ParsedRelation | None] = []
    for r in rels:
        if ops is not None and r.op not in ops:
            out.append(None)
            continue
        try:
            out.append(parse_relation(r.lhs, r.op, r.rhs))
        except (LatexError, ValueError):
            out.append(None)
    return out


def readable(rels: Iterable[Relation], ops: tuple[str, ...] | None = None) -> Iterator[tuple[Relation, ParsedRelation]]:
    """The relations that read (with operators among `ops`), each with its reading, in order."""
    for r in rels:
        if ops is not None and r.op not in ops:
            continue
        try:
            yield r, parse_relation(r.lhs, r.op, r.rhs)
        except (LatexError, ValueError):
            continue


_BLANK = re.compile(r"\\quad\s*\(\s*\)\s*\\quad|\(\s*\)")


@dataclass(frozen=True)
class Blank:
    """A relation problem's `X () Y`: its two sides (both None when one does not read) and the formula."""

    lhs: sp.Expr | None
    rhs: sp.Expr | None
    content: str


def blank_relation(segments: Iterable[MathSegment]) -> Blank | None:
    """The first formula of a statement with a blank to fill, `X \\quad () \\quad Y`; None if there is none."""
    for seg in segments:
        content = seg.content
        if "()" not in content.replace(" ", ""):
            continue
        parts = _BLANK.split(content)
        if len(parts) != 2:
            continue
        try:
            return Blank(read_formula(parts[0].strip().rstrip(".")).expr,
                         read_formula(parts[1].strip().rstrip(". ")).expr, content)
        except (LatexError, ValueError):
            return Blank(None, None, content)
    return None
