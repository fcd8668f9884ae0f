"""LaTeX math to tokens: the small vocabulary inequality statements use, nothing more.

Layout commands (\\left, \\quad, \\displaystyle, ...) vanish here so the parser only sees
mathematics. Each letter is its own token because juxtaposed letters multiply (`abc` = a*b*c).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qed.verifiers.formalize.errors import FormalizeError
from qed.verifiers.input_limits import (
    MAX_FORMULA_CHARS,
    MAX_NESTING,
    MAX_NUMBER_DIGITS,
    count,
    nesting_depth,
    too_long,
)

# Commands that carry no mathematics.
IGNORED = {
    "left",
    "right",
    "big",
    "Big",
    "bigg",
    "Bigg",
    "bigl",
    "bigr",
    "Bigl",
    "Bigr",
    "biggl",
    "biggr",
    "Biggl",
    "Biggr",
    "middle",
    "displaystyle",
    "textstyle",
    "scriptstyle",
    "quad",
    "qquad",
    "nonumber",
    "notag",
    "limits",
    "nolimits",
    "mathstrut",
    "strut",
    "hfill",
    "medskip",
    "smallskip",
    "bigskip",
    "noindent",
    "space",
    "enspace",
    "thinspace",
    "negthinspace",
    "langle",
    "rangle",
}
# Commands whose single braced argument is dropped with them.
IGNORED_WITH_ARG = {"tag", "label", "hspace", "vspace", "phantom", "hphantom", "vphantom"}
# Commands whose braced argument is text.
# Display environments that only arrange lines; their content is one formula.
LAYOUT_ENVIRONMENTS = {
    "aligned",
    "align",
    "gathered",
    "gather",
    "split",
    "multline",
    "equation",
    "eqnarray",
    "displaymath",
}
TEXT_COMMANDS = {
    "text",
    "textrm",
    "mbox",
    "textnormal",
    "textit",
    "textbf",
    "mathrm",
    "operatorname",
    "mathit",
    "mathbf",
    "boldsymbol",
    "mathsf",
    "texttt",
}
RELATIONS = {
    "geq": ">=",
    "ge": ">=",
    "geqslant": ">=",
    "geqq": ">=",
    "leq": "<=",
    "le": "<=",
    "leqslant": "<=",
    "leqq": "<=",
    "neq": "!=",
    "ne": "!=",
    "lt": "<",
    "gt": ">",
}
TIMES = {"cdot", "times", "ast", "bullet"}
ELLIPSES = {"cdots", "ldots", "dots", "dotsb", "dotsm", "dotsc", "dotso", "hdots"}
SPACES = {",", ";", "!", ":", " ", ">", "\n", "\t"}
UNICODE = {
    "≤": ("REL", "<="),
    "≥": ("REL", ">="),
    "≠": ("REL", "!="),
    "·": ("OP", "*"),
    "×": ("OP", "*"),
    "−": ("OP", "-"),
    "…": ("ELLIPSIS", "..."),
    "⋯": ("ELLIPSIS", "..."),
    "∞": ("CMD", "infty"),
    "π": ("CMD", "pi"),
    "∈": ("IN", "in"),
}


@dataclass(frozen=True)
class Token:
    kind: str  # NUM LETTER CMD TEXT OP REL IN ELLIPSIS ( ) [ ] { } LSET RSET BAR , ; . END
    text: str
    pos: int

    def is_(self, kind: str, text: str | None = None) -> bool:
        return self.kind == kind and (text is None or self.text == text)


_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")


def _braced(src: str, i: int) -> tuple[str, int]:
    """The content of the {...} group starting at or after i, and the index after it."""
    while i < len(src) and src[i].isspace():
        i += 1
    if i >= len(src) or src[i] != "{":
        raise FormalizeError(f"expected '{{' at position {i} in {src!r}")
    depth, j = 0, i
    while j < len(src):
        if src[j] == "\\":
            j += 2
            continue
        if src[j] == "{":
            depth += 1
        elif src[j] == "}":
            depth -= 1
            if depth == 0:
                return src[i + 1 : j], j + 1
        j += 1
    raise FormalizeError(f"unbalanced braces in {src!r}")


def check_size(src: str) -> None:
    """Refuse a formula too long, too deeply nested or with too long a number to read safely."""
    refusal = too_long("a formula", len(src), MAX_FORMULA_CHARS)
    if refusal:
        raise FormalizeError(refusal)
    depth = nesting_depth(src)
    if depth > MAX_NESTING:
        raise FormalizeError(f"a formula nests brackets {depth} deep, more than the {MAX_NESTING} QED reads")


def tokenize(src: str) -> list[Token]:
    check_size(src)
    tokens: list[Token] = []
    i, n = 0, len(src)
    while i < n:
        ch = src[i]
        if ch.isspace() or ch in "&~":
            i += 1
            continue
        if ch == "\\":
            if i + 1 < n and src[i + 1] == "\\":  # line break in aligned displays
                i += 2
                continue
            m = re.match(r"\\([A-Za-z]+)", src[i:])
            if not m:
                nxt = src[i + 1] if i + 1 < n else ""
                if nxt in SPACES:
                    i += 2
                elif nxt == "{":
                    tokens.append(Token("LSET", "{", i))
                    i += 2
                elif nxt == "}":
                    tokens.append(Token("RSET", "}", i))
                    i += 2
                elif nxt == "|":
                    tokens.append(Token("BAR", "|", i))
                    i += 2
                else:
                    raise FormalizeError(f"unknown LaTeX escape '\\{nxt}'")
                continue
            name = m.group(1)
            j = i + len(m.group(0))
            if name in ("left", "right") and j < n and src[j] == ".":
                i = j + 1
                continue
            if name in IGNORED:
                i = j
            elif name in ("begin", "end"):
                env, i = _braced(src, j)
                if env.rstrip("*") not in LAYOUT_ENVIRONMENTS:
                    raise FormalizeError(f"unsupported LaTeX environment {env!r}")
            elif name == "triangle":
                tokens.append(Token("TEXT", "triangle", i))
                i = j
            elif name in IGNORED_WITH_ARG:
                _, i = _braced(src, j)
            elif name in TEXT_COMMANDS:
                content, i = _braced(src, j)
                tokens.append(Token("TEXT", content.strip(), j))
            elif name in RELATIONS:
                tokens.append(Token("REL", RELATIONS[name], i))
                i = j
            elif name in TIMES:
                tokens.append(Token("OP", "*", i))
                i = j
            elif name == "div":
                tokens.append(Token("OP", "/", i))
                i = j
            elif name in ELLIPSES:
                tokens.append(Token("ELLIPSIS", "...", i))
                i = j
            elif name == "in":
                tokens.append(Token("IN", "in", i))
                i = j
            elif name in ("lvert", "rvert", "vert", "mid"):
                tokens.append(Token("BAR", "|", i))
                i = j
            elif name in ("lbrace", "rbrace"):
                tokens.append(Token("LSET" if name == "lbrace" else "RSET", name, i))
                i = j
            else:
                tokens.append(Token("CMD", name, i))
                i = j
            continue
        if ch.isdigit() or (ch == "." and i + 1 < n and src[i + 1].isdigit()):
            m = _NUMBER.match(src, i)
            assert m
            digits = sum(ch.isdigit() for ch in m.group(0))
            if digits > MAX_NUMBER_DIGITS:
                raise FormalizeError(
                    f"a number with {count(digits)} digits, more than the {MAX_NUMBER_DIGITS} QED reads"
                )
            tokens.append(Token("NUM", m.group(0), i))
            i = m.end()
            continue
        if ch == "." and src.startswith("...", i):
            tokens.append(Token("ELLIPSIS", "...", i))
            i += 3
            continue
        if ch.isascii() and ch.isalpha():
            tokens.append(Token("LETTER", ch, i))
            i += 1
            continue
        if ch in "<>" and i + 1 < n and src[i + 1] == "=":
            tokens.append(Token("REL", ch + "=", i))
            i += 2
            continue
        if ch in "<>=":
            tokens.append(Token("REL", ch, i))
            i += 1
            continue
        if ch == "!" and i + 1 < n and src[i + 1] == "=":
            tokens.append(Token("REL", "!=", i))
            i += 2
            continue
        if ch in "+-*/^_!'":
            tokens.append(Token("OP", ch, i))
            i += 1
            continue
        if ch in "()[]{},;.:|":
            kind = {"|": "BAR", ":": ";"}.get(ch, ch)
            tokens.append(Token(kind, ch, i))
            i += 1
            continue
        if ch in UNICODE:
            kind, text = UNICODE[ch]
            tokens.append(Token(kind, text, i))
            i += 1
            continue
        raise FormalizeError(f"unexpected character {ch!r} in math")
    tokens.append(Token("END", "", n))
    return tokens
