"""Token clean-up both front-ends share: display environments and trailing punctuation."""

from __future__ import annotations

from qed.verifiers.latex.errors import LatexError
from qed.verifiers.latex.lexer import Token
from qed.verifiers.latex.vocabulary import LAYOUT_ENVIRONMENTS

_TRAILING = (".", ",", ";", ":")


def without_layout(tokens: list[Token]) -> list[Token]:
    """The tokens without `\\begin{aligned}`-style wrappers; LatexError for any other environment."""
    out = []
    for t in tokens:
        if t.kind in ("begin", "end"):
            if t.text.rstrip("*") not in LAYOUT_ENVIRONMENTS:
                raise LatexError(f"unsupported LaTeX environment {t.text!r}")
            continue
        out.append(t)
    return out


def without_trailing_punctuation(tokens: list[Token]) -> list[Token]:
    """`a + b.` and `x > 0,` end a sentence, not the formula: the punctuation is dropped."""
    end = len(tokens)
    while end and tokens[end - 1].kind == "sep" and tokens[end - 1].text in _TRAILING:
        end -= 1
    return tokens[:end]
