"""A proof document: headings, paragraphs of prose and inline math, and displayed formulas.

The renderers (Markdown, LaTeX) and the rewrite check read this structure, not each other's text,
so that the formulas a person reads and the formulas that are checked are the same strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Piece = tuple[str, str]  # ("text", words) | ("math", latex) | ("strong", words) | ("code", words)


@dataclass
class Heading:
    level: int
    text: str


@dataclass
class Para:
    pieces: list[Piece] = field(default_factory=list)

    def text(self, words: str) -> Para:
        self.pieces.append(("text", words))
        return self

    def math(self, tex: str) -> Para:
        self.pieces.append(("math", tex))
        return self

    def strong(self, words: str) -> Para:
        self.pieces.append(("strong", words))
        return self

    def code(self, words: str) -> Para:
        self.pieces.append(("code", words))
        return self


@dataclass
class Display:
    """One displayed formula; `kind` says what it is (identity, inequality, claim, value)."""

    tex: str
    kind: str


Block = Heading | Para | Display


@dataclass
class ProofDoc:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)

    def displays(self) -> list[Display]:
        return [b for b in self.blocks if isinstance(b, Display)]
