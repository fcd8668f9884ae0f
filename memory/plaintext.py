"""Statements as the embedder should read them: LaTeX turned into compact plain math, answer options dropped.

The sentence encoder splits LaTeX into many pieces that carry little meaning ('\\', 'frac', '{',
'}', '$', 'left', 'quad'): `\\frac{a^{2}}{b+c}` is 14 tokens, `(a^2)/(b+c)` is 9. Those pieces
cost encoder time (linear in the token count) and, because every statement shares them, they
pull all statements towards each other. A multiple-choice list ("Options: (A) ≤ (B) ≥ …") is
the same in every problem of its kind and says nothing about what the problem is about. Nodes and
queries pass through the same function, so both sides of the cosine read the same way.
"""

from __future__ import annotations

import re

VERSION = "plain1"  # stored with each embedding: a change here means vectors must be recomputed

_OPTIONS = re.compile(r"\n\s*(?:options|choices|answer choices)\s*:.*\Z", re.I | re.S)
_TRAILING_CHOICES = re.compile(r"(?:\n[ \t]*\(\s*[A-F]\s*\)[^\n]*(?:\n[ \t]*)*){2,}\Z")  # lines "(A) ...", "(B) ..."
_FRAC = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_SQRT_N = re.compile(r"\\sqrt\s*\[([^\]]*)\]\s*\{([^{}]*)\}")
_SQRT = re.compile(r"\\sqrt\s*\{([^{}]*)\}")
_SCRIPT = re.compile(r"([\^_])\s*\{([^{}]*)\}")
_NAMED = {
    "geq": ">=", "ge": ">=", "leq": "<=", "le": "<=", "neq": "!=", "cdot": "*", "times": "*",
    "cdots": "...", "ldots": "...", "dots": "...", "infty": "infinity", "in": "in", "pm": "+-",
    "rightarrow": "->", "to": "->", "mid": "|",
}
_DROP = {"left", "right", "quad", "qquad", "displaystyle", "textstyle", "limits", "big", "bigg", "Big", "Bigg",
         "mathrm", "mathbf", "text", "textbf", "operatorname", "boxed", "tag", "begin", "end", "hline", "nonumber"}
_ENVIRONMENT = re.compile(r"\\(?:begin|end)\s*\{[^{}]*\}")
_COMMAND = re.compile(r"\\([A-Za-z]+)")
_SPACING = re.compile(r"\\[,;:! ]")


def _innermost(pattern: re.Pattern[str], repl, text: str) -> str:
    """Apply `pattern` until nothing changes, so nested braces resolve from the inside out."""
    for _ in range(20):
        new = pattern.sub(repl, text)
        if new == text:
            break
        text = new
    return text


def _group(x: str) -> str:
    x = x.strip()
    return x if re.fullmatch(r"[\w.]+", x) else f"({x})"


def drop_choices(text: str) -> str:
    """The statement without a trailing multiple-choice list."""
    text = _OPTIONS.sub("", text)
    return _TRAILING_CHOICES.sub("", text)


def plain_math(text: str) -> str:
    """LaTeX rewritten as compact plain math; prose is left as it is."""
    text = _ENVIRONMENT.sub(" ", text)
    text = _SPACING.sub(" ", text)
    text = re.sub(r"\\mathbb\s*\{\s*R\s*\}\s*\^\s*\{?\s*\+\s*\}?", " positive reals ", text)
    for _ in range(20):  # fractions, roots and scripts nest inside one another
        before = text
        text = _innermost(_SCRIPT, lambda m: m.group(1) + _group(m.group(2)), text)
        text = _innermost(_FRAC, lambda m: f"{_group(m.group(1))}/{_group(m.group(2))}", text)
        text = _innermost(_SQRT_N, lambda m: f"root{m.group(1).strip()}({m.group(2).strip()})", text)
        text = _innermost(_SQRT, lambda m: f"sqrt({m.group(1).strip()})", text)
        if text == before:
            break

    def command(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in _DROP:
            return " "
        return f" {_NAMED.get(name, name)} "

    text = _COMMAND.sub(command, text)
    text = text.replace("$", " ").replace("{", "(").replace("}", ")").replace("\\\\", " ").replace("&", " ")
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", text)).strip()


def embedding_form(text: str) -> str:
    """What the encoder reads for a statement, a node's text or a query."""
    return plain_math(drop_choices(text))
