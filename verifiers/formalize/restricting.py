"""Words of a statement that restrict the domain, and the rule that each one must be read.

A formula that cannot be read makes the reader fail; a word must too. "acute", "distinct",
"non-negative", "integer", "at least 1", "triangle" ... each changes which points the problem is
about, so dropping one silently answers a different problem (an acute-triangle claim refuted at an
obtuse triangle). The reader marks every word it turned into part of the record (`consume`); any
restricting word left unmarked at the end stops the reading with "condition not understood: ...".
Sentences about the equality case and the question itself ("Determine the correct inequality
relation ...") restrict nothing and are not scanned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qed.verifiers.formalize.errors import FormalizeError

# kind -> pattern; the kinds group words that one reading rule consumes together.
_WORDS: tuple[tuple[str, str], ...] = (
    ("nonnegative", r"\bnon-?\s?negative\b"),
    ("nonpositive", r"\bnon-?\s?positive\b"),
    ("positive", r"(?<!non-)(?<!non )(?<!non)\bpositive\b"),
    ("negative", r"(?<!non-)(?<!non )(?<!non)\bnegative\b"),
    ("nonzero", r"\bnon-?\s?zero\b|\bnot\s+zero\b|\bdifferent\s+from\s+zero\b"),
    ("integer", r"\bintegers?\b|\bintegral\b|\bnatural\s+numbers?\b|\bwhole\s+numbers?\b"),
    ("distinct", r"\bdistinct\b|\bpairwise\s+different\b|\bunequal\b|\bdifferent\b(?!\s+from)"),
    ("excluded", r"\b(?:different\s+from|not\s+equal\s+to|distinct\s+from|other\s+than)\b"),
    (
        "order",
        r"\b(?:non-?\s?)?(?:increasing|decreasing)\b|\bordered\b|\bsorted\b|\bmonoton\w*\b",
    ),
    ("acute", r"\bacute(?:-angled)?\b"),
    ("obtuse", r"\bobtuse(?:-angled)?\b"),
    ("right", r"\bright(?:-angled|\s+angled)?\s+triangles?\b|\bright\s+angles?\b"),
    ("isosceles", r"\bisosceles\b"),
    ("equilateral", r"\bequilateral\b"),
    ("scalene", r"\bscalene\b"),
    ("triangle", r"\btriangles?\b"),
    (
        "prose_bound",
        r"\b(?:at\s+least|at\s+most|greater\s+than|less\s+than|larger\s+than|smaller\s+than|"
        r"bigger\s+than|exceed\w*|not\s+exceeding|no\s+(?:more|less)\s+than|between)\b",
    ),
    (
        "sum_product",
        r"\b(?:adds?|sums?)\s+up\s+to\b|\bsums?\s+to\b|"
        r"\b(?:sum|product)\b[^.$]{0,40}?\b(?:is|are|equals?|equal\s+to|being)\b",
    ),
    (
        "unsupported",
        r"\brational\b|\birrational\b|\bprimes?\b|\bodd\b|\beven\s+(?:integers?|numbers?)\b|"
        r"\bnot\s+all\b|\bcircles?\b|\bquadrilaterals?\b|\bpolygons?\b|\btetrahedr\w*\b|"
        r"\bconvex\b|\bconcave\b|\binscribed\b|\bcomplex\s+numbers?\b|\bsequence\b",
    ),
)
_PATTERNS = tuple((kind, re.compile(p, re.I)) for kind, p in _WORDS)

# Sentences (or clauses) that describe the equality case, the question, or the answer format.
_NOT_SCANNED = re.compile(
    r"\bequality\b|\bdetermine the correct\b|\bfill in the blank\b|\bchoose\b|\boptions?\b",
    re.I,
)


@dataclass(frozen=True)
class Word:
    """One restricting word: where it is (segment, offset) and what it is."""

    segment: int
    start: int
    end: int
    kind: str
    text: str


def restricting_words(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, text) of every restricting word in a piece of prose, by position.

    Where patterns overlap ("non-negative" and "negative") the longest, earliest match wins.
    """
    found = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            found.append((m.start(), m.end(), kind, m.group(0)))
    found.sort(key=lambda w: (w[0], -(w[1] - w[0])))
    out: list[tuple[int, int, str, str]] = []
    for w in found:
        if out and w[0] < out[-1][1]:
            continue
        out.append(w)
    return out


def scanned_spans(text: str) -> list[tuple[int, int]]:
    """The parts of a prose segment that are scanned: sentences not about equality or the answer."""
    spans = []
    pos = 0
    for m in re.finditer(r"(?<![A-Za-z]\.[A-Za-z])\.(?:\s|$)|\n\s*\n|;|\?", text):
        spans.append((pos, m.end()))
        pos = m.end()
    spans.append((pos, len(text)))
    return [(a, b) for a, b in spans if b > a and not _NOT_SCANNED.search(text[a:b])]


def words_in_segments(texts: list[tuple[int, str]]) -> list[Word]:
    """Every restricting word in the scanned parts of the given (segment index, prose) pieces."""
    out = []
    for k, text in texts:
        for a, b in scanned_spans(text):
            for start, end, kind, word in restricting_words(text[a:b]):
                out.append(Word(k, a + start, a + end, kind, word))
    return out


class Consumption:
    """Which restricting words the reading has turned into part of the record."""

    def __init__(self) -> None:
        self.marked: set[tuple[int, int]] = set()
        self.reasons: list[str] = []

    def consume(self, segment: int, offset: int, text: str, kinds: set[str] | None = None) -> None:
        """Mark the words of `kinds` (all kinds when None) in text, found at offset in segment."""
        for start, _end, kind, _word in restricting_words(text):
            if kinds is None or kind in kinds:
                self.marked.add((segment, offset + start))

    def consume_word(self, word: Word) -> None:
        self.marked.add((word.segment, word.start))

    def unread(self, words: list[Word]) -> list[Word]:
        return [w for w in words if (w.segment, w.start) not in self.marked]


def require_all_read(words: list[Word], consumption: Consumption, context_of) -> None:
    """Raise FormalizeError naming the first restricting word no rule consumed."""
    left = consumption.unread(words)
    if not left:
        return
    w = left[0]
    more = f" (and {len(left) - 1} more)" if len(left) > 1 else ""
    raise FormalizeError(f"condition not understood: '{w.text}' in \"{context_of(w)}\"{more}")
