"""Turn a problem statement (prose with LaTeX) into an FTS5 query that BM25 can rank well."""

from __future__ import annotations

import re
from collections.abc import Callable

from qed.memory.mathwords import math_words

# LaTeX that only formats; the words left after it are what a statement is about.
_LATEX_NOISE = {
    "left", "right", "cdot", "cdots", "ldots", "dots", "quad", "qquad", "mathrm",
    "mathbb", "mathbf", "text", "textbf", "begin", "end", "array", "aligned", "align", "equation", "leq",
    "geq", "le", "ge", "neq", "lt", "gt", "big", "bigg", "displaystyle", "limits", "tag", "in", "mid", "cdotp",
    "infty", "forall", "exists", "hline", "boxed", "operatorname", "mathcal", "times",
}
_STOP = {
    "the", "and", "for", "that", "with", "are", "this", "then", "than", "let", "all", "any", "each", "such",
    "which", "where", "what", "from", "into", "have", "has", "its", "their", "there", "these", "those", "be",
    "is", "of", "to", "a", "an", "as", "at", "by", "or", "on", "if", "it", "we", "our", "you", "your", "not",
    "following", "holds", "hold", "find", "determine", "prove", "show", "given", "consider", "expression",
    "expressions", "blank", "fill", "correct", "relation", "options", "option", "none", "above", "answer",
    "whenever", "true", "always", "possible", "when", "can", "must",
}
_LATEX_KEEP = {"frac", "dfrac", "tfrac"}  # fractions are structure worth matching; spelled as 'frac'

_WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)


def query_terms(text: str, max_terms: int = 24) -> list[str]:
    """Distinct content words in order of appearance, LaTeX commands and stop words removed."""
    def command(m: re.Match[str]) -> str:
        name = m.group(1).lower()
        if name in _LATEX_NOISE:
            return " "
        return " frac " if name in _LATEX_KEEP else f" {name} "

    cleaned = re.sub(r"\\([A-Za-z]+)", command, text)
    seen: list[str] = []
    for word in _WORD.findall(cleaned):
        w = word.lower().strip("'-")
        if len(w) < 2 or w in _STOP or w in seen:
            continue
        seen.append(w)
        if len(seen) >= max_terms:
            break
    return seen


def all_terms(text: str, max_terms: int = 24) -> list[str]:
    """Content words plus the words for the formula's shape (memory.mathwords)."""
    return query_terms(text, max_terms) + math_words(text).split()


def match_expression(terms: list[str]) -> str | None:
    """An OR of quoted terms, so no user text is read as FTS syntax; None for no terms."""
    if not terms:
        return None
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def fts_query(text: str, max_terms: int = 24) -> str | None:
    return match_expression(all_terms(text, max_terms))


class TermFilter:
    """Keeps the discriminating terms of a query once a memory is large.

    BM25 has to score every document that contains any query term; a term found in most of a
    100,000-node memory costs the most and tells the least. Above SMALL documents we look up each
    term's document frequency (cached, refreshed as the memory grows) and keep the rarest terms
    that occur in at most COMMON of the documents.
    """

    SMALL = 2000
    COMMON = 0.05
    KEEP = 8

    def __init__(self) -> None:
        self._df: dict[str, tuple[int, int]] = {}  # term -> (document frequency, corpus size then)

    def select(self, query: Callable[[str, tuple], list], terms: list[str], corpus: int) -> list[str]:
        if corpus <= self.SMALL or not terms:
            return terms
        freq = []
        for t in terms:
            cached = self._df.get(t)
            if cached is None or corpus > 1.1 * cached[1]:
                expr = match_expression([t])
                try:
                    df = query("SELECT COUNT(*) FROM nodes_fts WHERE nodes_fts MATCH ?", (expr,))[0][0]
                except Exception:  # noqa: BLE001 — a term FTS cannot parse is simply not used
                    df = 0
                cached = (df, corpus)
                self._df[t] = cached
            freq.append((cached[0], t))
        limit = max(50, self.COMMON * corpus)
        return [t for df, t in sorted(freq) if 0 < df <= limit][: self.KEEP]
