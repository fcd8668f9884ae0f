"""Words for the shape of a formula, so full-text search can match problems by structure.

LaTeX tokenises into single letters and digits that say little ('a', 'b', '2'). These words name
what a statement is made of — fractions, roots, squares, cubes, a fixed product or sum, cyclic
sums, sequences — and are indexed beside a node's text and added to queries.
"""

from __future__ import annotations

import re

_PATTERNS: list[tuple[str, str]] = [
    (r"\\[dt]?frac|\d\s*/\s*\(|\w\s*/\s*\w", "mwfraction"),
    (r"\\sqrt\[|\^\{?\s*\\?frac\{?1\}?\{?[3-9]|\\sqrt\[[3-9]\]", "mwhigherroot"),
    (r"\\sqrt|sqrt\(", "mwroot"),
    (r"\^\{?\s*2\b", "mwsquare"),
    (r"\^\{?\s*3\b", "mwcube"),
    (r"\^\{?\s*([4-9]|\d\d)\b", "mwhighpower"),
    (r"\^\{?\s*[a-z]\b|\^\{?\s*\\?frac", "mwsymbolicpower"),
    (r"\b(abc|xyz)\s*=\s*1\b|\bproduct\b.{0,20}\bone\b", "mwproductone"),
    (r"\b[a-z]\s*\+\s*[a-z]\s*\+\s*[a-z]\s*=\s*\d|\bsum\b.{0,20}\b(one|three|fixed)\b", "mwfixedsum"),
    (r"\b[a-z]\^\{?2\}?\s*\+\s*[a-z]\^\{?2\}?\s*\+\s*[a-z]\^\{?2\}?\s*=", "mwfixedsquares"),
    (r"\\sum|\\prod|\bsum_\{", "mwbigsum"),
    (r"_\{?\s*[nki]\s*\}?|\\ldots|\\cdots|\.\.\.", "mwsequence"),
    (r"\\ln|\\log|\blog\(", "mwlog"),
    (r"\\sin|\\cos|\\tan|\bsin\(|\bcos\(", "mwtrig"),
    (r"\be\^|\\exp", "mwexp"),
    (r"triangle|sides?\s+of|\bangles?\b", "mwtriangle"),
    (r"\\max|\\min|\bmax\b|\bmin\b", "mwextremum"),
    (r"\|\s*[a-z]", "mwabs"),
    (r"\bintegers?\b|\\mathbb\{[NZ]\}", "mwinteger"),
]
_COMPILED = [(re.compile(p, re.I | re.S), w) for p, w in _PATTERNS]


def math_words(text: str) -> str:
    """Space-separated structure words for `text` (empty when it has no formula)."""
    return " ".join(w for rx, w in _COMPILED if rx.search(text))
