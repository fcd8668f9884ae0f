r"""LaTeX math to tokens, each with its place in the source.

Commands are looked up in the vocabulary: layout vanishes here (`\left`, `\displaystyle`,
`\tag{1}`), style commands leave their argument (`\mathbf{x}` is x), prose becomes one `text`
token, and relations, ellipses and bars become tokens of their own kind. Each letter is a token
(`abc` is a*b*c to the parser). Digits separated only by thin spaces are one number, as they
render (`1\,000`). A token's `start`/`end` are offsets in the source, so a judge can quote a
step and a mutation can change a number in place.

Token kinds: num sym cmd op rel sep text word ellipsis open close lbrace rbrace bar stop begin
end other. `open`/`close` are ( [ \{ and ) ] \}; `lbrace`/`rbrace` are TeX's grouping braces;
`stop` is a row break `\\`; `sep` is , ; . : and the wide spaces \quad, \qquad.
"""

from __future__ import annotations

from dataclasses import dataclass

from qed.verifiers.latex.errors import LatexError, formula_refusal
from qed.verifiers.latex.vocabulary import (
    EXTREMA,
    FUNCTIONS,
    SPACE_ESCAPES,
    SPACING_CHARACTERS,
    UNICODE,
    command,
)

DIGITS = "0123456789"
_NUMBER_GAP = " \\,~;!"  # what may stand between the digits of one number (`1\,000`, `1~000`)
_SIZED_DELIMITERS = ("left", "right", "middle", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
                     "Biggl", "Biggr", "big", "Big", "bigg", "Bigg")
_BLANK_TEXT = " ,.;:~"
_SPEC_ENVIRONMENTS = ("array", "tabular")  # their column spec `{cc}` is part of \begin


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int


def tokenize(src: str) -> list[Token]:
    """The tokens of one formula; LatexError when it is too long or nested too deeply to read."""
    refusal = formula_refusal(src)
    if refusal:
        raise LatexError(refusal)
    return _Lexer(src).run()


def braced(src: str, i: int) -> tuple[str, int, int] | None:
    """The content of the {...} group at or after i (spaces skipped): (content, its start, end of
    the group); None when no group starts there. An unclosed group runs to the end."""
    while i < len(src) and src[i] in " \t\n":
        i += 1
    if i >= len(src) or src[i] != "{":
        return None
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
                return src[i + 1 : j], i + 1, j + 1
        j += 1
    return src[i + 1 :], i + 1, len(src)


class _Lexer:
    def __init__(self, src: str):
        self.src = src
        self.out: list[Token] = []

    def emit(self, kind: str, text: str, start: int, end: int) -> None:
        self.out.append(Token(kind, text, start, end))

    def run(self) -> list[Token]:
        i, n = 0, len(self.src)
        while i < n:
            i = self.step(i)
        return self.out

    def step(self, i: int) -> int:
        """Read what starts at i (appending its token, if any); the index after it."""
        src, ch = self.src, self.src[i]
        if ch in SPACING_CHARACTERS:
            return i + 1
        if ch == "%":  # a comment, to the end of the line
            j = src.find("\n", i)
            return len(src) if j < 0 else j
        if ch == "\\":
            return self.backslash(i)
        if ch in DIGITS or (ch == "." and src[i + 1 : i + 2] in tuple(DIGITS)):
            return self.number(i)
        if src.startswith("...", i):
            self.emit("ellipsis", "...", i, i + 3)
            return i + 3
        if ch in UNICODE:
            kind, text = UNICODE[ch]
            self.emit(kind, text, i, i + 1)
            return i + 1
        if ch.isalpha():
            self.emit("sym", ch, i, i + 1)
            return i + 1
        two = src[i : i + 2]
        if two in ("<=", ">=", "!="):
            self.emit("rel", two, i, i + 2)
            return i + 2
        if two == ":=":
            self.emit("rel", "logic", i, i + 2)
            return i + 2
        if ch in "=<>":
            if ch == "<" and self.out and self.out[-1].kind == "rel" and self.out[-1].text == "logic":
                return i + 1  # `\Leftarrow` typed as `<` after an arrow
            self.emit("rel", ch, i, i + 1)
            return i + 1
        if ch in "+-*/^_!'":
            self.emit("op", ch, i, i + 1)
            return i + 1
        kind = {"(": "open", "[": "open", ")": "close", "]": "close", "{": "lbrace", "}": "rbrace",
                "|": "bar", ",": "sep", ";": "sep", ".": "sep", ":": "sep"}.get(ch, "other")
        self.emit(kind, ch, i, i + 1)
        return i + 1

    def number(self, i: int) -> int:
        src, n = self.src, len(self.src)
        j = i
        while j < n and src[j] in DIGITS:
            j += 1
        if j + 1 < n and src[j] == "." and src[j + 1] in DIGITS and (j > i or src[i] == "."):
            j += 1
            while j < n and src[j] in DIGITS:
                j += 1
        prev = self.out[-1] if self.out else None
        if (prev is not None and prev.kind == "num" and "." not in prev.text
                and src[prev.end : i].strip(_NUMBER_GAP) == "" and not _after_script(self.out)):
            self.out[-1] = Token("num", prev.text + src[i:j], prev.start, j)  # `1\,000` is one number
        else:
            self.emit("num", src[i:j], i, j)
        return j

    def backslash(self, i: int) -> int:
        src, n = self.src, len(self.src)
        if i + 1 >= n:
            self.emit("other", "\\", i, i + 1)
            return i + 1
        nxt = src[i + 1]
        if not nxt.isascii() or not nxt.isalpha():
            if nxt == "\\":
                self.emit("stop", "\\\\", i, i + 2)
            elif nxt in SPACE_ESCAPES:
                pass
            elif nxt in "{}":
                self.emit("open" if nxt == "{" else "close", nxt, i, i + 2)
            else:
                self.emit("cmd", nxt, i, i + 2)  # \| \% \$ \# \& \_ : none of them is read
            return i + 2
        j = i + 1
        while j < n and src[j].isascii() and src[j].isalpha():
            j += 1
        return self.named(src[i + 1 : j], i, j)

    def named(self, name: str, i: int, j: int) -> int:
        """The command \\name spanning [i, j)."""
        entry = command(name)
        if entry is None:
            self.emit("cmd", name, i, j)
            return j
        category, value = entry.category, entry.value
        if category == "layout":
            if name in _SIZED_DELIMITERS:
                k = j
                while k < len(self.src) and self.src[k] in " \t\n":
                    k += 1
                if self.src[k : k + 1] == ".":  # `\left.` / `\right.`: an invisible delimiter
                    return k + 1
            return j
        if category == "wide_space":
            self.emit("sep", name, i, j)
            return j
        if category == "drop_argument":
            k = j + 1 if self.src[j : j + 1] == "*" else j
            group = braced(self.src, k)
            return group[2] if group else k
        if category == "style":
            return j
        if category in ("text", "upright"):
            return self.prose(name, category, i, j)
        if category == "mention":
            self.emit("text", name, i, j)
            return j
        if category == "relation":
            self.emit("rel", value, i, j)
            return j
        if category == "times":
            self.emit("op", "*", i, j)
            return j
        if category == "divide":
            self.emit("op", "/", i, j)
            return j
        if category == "ellipsis":
            self.emit("ellipsis", "...", i, j)
            return j
        if category == "bar":
            self.emit("bar", "|", i, j)
            return j
        if category == "set_brace":
            self.emit("open" if value == "{" else "close", value, i, j)
            return j
        if category == "annotated":
            return self.annotated(name, i, j)
        if category == "negation":
            return self.negated(i, j)
        if category == "environment":
            return self.environment(name, i, j)
        self.emit("cmd", name, i, j)
        return j

    def prose(self, name: str, category: str, i: int, j: int) -> int:
        group = braced(self.src, j)
        if group is None:  # `\text x`: one character
            k = j
            while k < len(self.src) and self.src[k] == " ":
                k += 1
            content, end = self.src[k : k + 1], min(k + 1, len(self.src))
        else:
            content, _, end = group
        content = content.strip()
        if content.strip(_BLANK_TEXT) == "":
            return end  # `\text{ }`, `\text{,}`: spacing
        if category == "upright" and content in FUNCTIONS + EXTREMA:
            self.emit("cmd", content, i, end)  # `\operatorname{sin}` is \sin
        else:
            self.emit("text" if category == "text" else "word", content, i, end)
        return end

    def annotated(self, name: str, i: int, j: int) -> int:
        note = braced(self.src, j)
        target = braced(self.src, note[2]) if note else None
        if target is not None:
            inner = [t for t in _Lexer(target[0]).run() if t.kind != "sep"]
            if len(inner) == 1 and inner[0].kind == "rel":
                self.emit("rel", inner[0].text, i, target[2])
                return target[2]
        self.emit("cmd", name, i, j)
        return j

    def negated(self, i: int, j: int) -> int:
        before = len(self.out)
        k = j
        while k < len(self.src) and self.src[k] in SPACING_CHARACTERS:
            k += 1
        end = self.step(k) if k < len(self.src) else k
        del self.out[before:]
        self.emit("rel", "other", i, end)
        return end

    def environment(self, name: str, i: int, j: int) -> int:
        group = braced(self.src, j)
        if group is None:
            self.emit("cmd", name, i, j)
            return j
        env, _, end = group
        env = env.strip()
        if name == "begin" and env.rstrip("*") in _SPEC_ENVIRONMENTS:
            spec = braced(self.src, end)
            end = spec[2] if spec else end
        self.emit(name, env, i, end)
        return end


def _after_script(out: list[Token]) -> bool:
    return len(out) >= 2 and out[-2].kind == "op" and out[-2].text in "^_"
