r"""Read the LaTeX of one formula into sympy, keeping where every token came from.

Proof checkers need more than a best-effort parse: a misread formula must never turn into a
"wrong computation". So the reader refuses what it cannot read faithfully (sums, ellipses,
function symbols such as f(x), primes ...) by raising LatexParseError, and it keeps each token's
source offset so a step can be quoted and a number mutated in place.

Reading conventions (those of inequality olympiad texts):
- adjacent letters multiply (`abc` is a*b*c); `x_1`, `a_{n+1}` are single symbols;
- `\frac12` takes single-character arguments; `x^23` is x^2 * 3 as LaTeX renders it;
- explicit `/` followed by an implicit product (`1/2x`) is ambiguous and marked as such.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import sympy as sp
from qed.verifiers.input_limits import (
    MAX_FORMULA_CHARS,
    MAX_NESTING,
    MAX_NUMBER_DIGITS,
    count,
    nesting_depth,
    power_refusal,
    too_long,
)


class LatexParseError(ValueError):
    """The formula uses notation the reader does not read faithfully."""


@dataclass(frozen=True)
class Token:
    kind: str  # num, sym, cmd, op, open, close, lbrace, rbrace, bar, rel, sep, stop
    text: str
    start: int
    end: int


# --- tokenizing ------------------------------------------------------------------------------

# Commands that render nothing or only change size/spacing/style.
_IGNORED_CMDS = {
    "left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl",
    "biggr", "Biggl", "Biggr", "bigm", "Bigm", "displaystyle", "textstyle", "scriptstyle",
    "limits", "nolimits", "nonumber", "notag", "hline", "middle", "allowbreak", "quad",
    "qquad", "medspace", "thinspace", "thickspace", "negthinspace", "enspace", "hfill",
}
# Commands whose single braced argument is kept as if written bare.
_TRANSPARENT_CMDS = {
    "mathrm", "mathit", "mathbf", "mathsf", "boldsymbol", "bm", "mathnormal", "boxed",
    "underline",
}
# Commands whose braced argument(s) are dropped entirely.
_DROPPED_WITH_ARG = {"label": 1, "tag": 1, "color": 1, "hspace": 1, "vspace": 1, "phantom": 1,
                     "hphantom": 1, "vphantom": 1}
_REL_CMDS = {
    "le": "<=", "leq": "<=", "leqslant": "<=", "leqq": "<=", "ge": ">=", "geq": ">=",
    "geqslant": ">=", "geqq": ">=", "lt": "<", "gt": ">", "ne": "!=", "neq": "!=",
    "approx": "~", "simeq": "~", "thickapprox": "~", "sim": "sim", "equiv": "equiv",
    "cong": "equiv", "propto": "other", "ll": "other", "gg": "other", "prec": "other",
    "succ": "other", "preceq": "other", "succeq": "other", "mid": "other", "nmid": "other",
    "parallel": "other", "perp": "other",
    "Leftrightarrow": "logic", "iff": "logic", "Longleftrightarrow": "logic",
    "Rightarrow": "logic", "implies": "logic", "Longrightarrow": "logic", "Leftarrow": "logic",
    "impliedby": "logic", "Longleftarrow": "logic", "to": "logic", "rightarrow": "logic",
    "longrightarrow": "logic", "mapsto": "logic", "leftarrow": "logic", "therefore": "logic",
    "because": "logic", "in": "logic", "notin": "logic", "subset": "logic", "subseteq": "logic",
    "supset": "logic", "supseteq": "logic", "coloneqq": "logic", "eqqcolon": "logic",
    "forall": "logic", "exists": "logic", "land": "logic", "lor": "logic", "wedge": "logic",
    "vee": "logic", "setminus": "logic", "cup": "logic", "cap": "logic",
}
_UNICODE_REL = {"≤": "<=", "≥": ">=", "≠": "!=", "≈": "~", "⩽": "<=", "⩾": ">=", "⇔": "logic",
                "⇒": "logic", "→": "logic", "∈": "logic", "≡": "equiv"}
_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
    "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "varrho", "sigma", "tau",
    "upsilon", "chi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma", "Upsilon",
    "Omega", "ell",
}
# Greek letters conventionally used for functions: `\varphi(x)` is an application, not a product.
_FUNCTION_LETTERS = {"f", "g", "h", "F", "G", "H", "P", "Q", "phi", "varphi", "psi", "Phi", "Psi"}
_FUNCS = {
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "cot": sp.cot, "sec": sp.sec, "csc": sp.csc,
    "arcsin": sp.asin, "arccos": sp.acos, "arctan": sp.atan, "sinh": sp.sinh, "cosh": sp.cosh,
    "tanh": sp.tanh, "ln": sp.log, "exp": sp.exp, "lg": lambda x: sp.log(x, 10),
}
_SPACING_CHARS = set(" \t\n\r~&$")  # `$` only appears where split formulas were joined
_MAX_INT_EXPONENT = 4000
_MAX_FACTORIAL = 400


def tokenize(src: str) -> list[Token]:
    """Tokens with source offsets; layout-only commands are dropped here."""
    toks: list[Token] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c in _SPACING_CHARS:
            i += 1
            continue
        if c == "%":  # comment to end of line
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        if c.isdigit() or (c == "." and i + 1 < n and src[i + 1].isdigit()):
            j = i
            while j < n and src[j].isdigit():
                j += 1
            if j < n - 1 and src[j] == "." and src[j + 1].isdigit():
                j += 1
                while j < n and src[j].isdigit():
                    j += 1
            elif c == ".":
                j = i + 1
                while j < n and src[j].isdigit():
                    j += 1
            toks.append(Token("num", src[i:j], i, j))
            i = j
            continue
        if c.isalpha():
            toks.append(Token("sym", c, i, i + 1))
            i += 1
            continue
        if c == "\\":
            if i + 1 < n and src[i + 1].isalpha():
                j = i + 1
                while j < n and src[j].isalpha():
                    j += 1
                toks.append(Token("cmd", src[i + 1 : j], i, j))
                i = j
                continue
            nxt = src[i + 1] if i + 1 < n else ""
            if nxt in {",", ";", ":", "!", " ", ">", "\n"}:
                i += 2
                continue
            if nxt == "\\":
                toks.append(Token("stop", "\\\\", i, i + 2))
                i += 2
                continue
            if nxt in "{}":
                kind = "open" if nxt == "{" else "close"
                toks.append(Token(kind, "{" if nxt == "{" else "}", i, i + 2))
                i += 2
                continue
            if nxt == "|":
                toks.append(Token("cmd", "|", i, i + 2))
                i += 2
                continue
            if nxt in "%$#&_":
                toks.append(Token("cmd", nxt, i, i + 2))
                i += 2
                continue
            toks.append(Token("cmd", nxt, i, i + 2))
            i += 2
            continue
        two = src[i : i + 2]
        if two in ("<=", ">=", "!=", ":="):
            toks.append(Token("rel", {"<=": "<=", ">=": ">=", "!=": "!=", ":=": "logic"}[two], i, i + 2))
            i += 2
            continue
        if c in "=<>":
            toks.append(Token("rel", c, i, i + 1))
            i += 1
            continue
        if c in _UNICODE_REL:
            toks.append(Token("rel", _UNICODE_REL[c], i, i + 1))
            i += 1
            continue
        if c in "+-*/^_!'":
            toks.append(Token("op", c, i, i + 1))
            i += 1
            continue
        if c in "−–":
            toks.append(Token("op", "-", i, i + 1))
            i += 1
            continue
        if c in "·×":
            toks.append(Token("op", "*", i, i + 1))
            i += 1
            continue
        if c in "([":
            toks.append(Token("open", c, i, i + 1))
            i += 1
            continue
        if c in ")]":
            toks.append(Token("close", c, i, i + 1))
            i += 1
            continue
        if c == "{":
            toks.append(Token("lbrace", c, i, i + 1))
            i += 1
            continue
        if c == "}":
            toks.append(Token("rbrace", c, i, i + 1))
            i += 1
            continue
        if c == "|":
            toks.append(Token("bar", c, i, i + 1))
            i += 1
            continue
        if c in ",;":
            toks.append(Token("sep", c, i, i + 1))
            i += 1
            continue
        if c == ".":
            toks.append(Token("sep", ".", i, i + 1))
            i += 1
            continue
        if c == ":":
            toks.append(Token("sep", ":", i, i + 1))
            i += 1
            continue
        toks.append(Token("other", c, i, i + 1))
        i += 1
    return _normalize(toks, src)


def _group_end(toks: list[Token], i: int) -> int:
    """Index just past the brace group starting at toks[i] (an lbrace)."""
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].kind == "lbrace":
            depth += 1
        elif toks[j].kind == "rbrace":
            depth -= 1
            if depth == 0:
                return j + 1
    return len(toks)


def _normalize(toks: list[Token], src: str) -> list[Token]:
    """Drop layout commands, turn relations and text into rel/sep tokens, merge split numbers."""
    out: list[Token] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.kind == "cmd":
            name = t.text
            if name in ("left", "right", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "Biggl",
                        "Biggr", "big", "Big", "bigg", "Bigg", "middle"):
                # `\left.` / `\right.` are invisible delimiters
                if i + 1 < len(toks) and toks[i + 1].kind == "sep" and toks[i + 1].text == ".":
                    i += 2
                    continue
                i += 1
                continue
            if name in ("quad", "qquad"):
                out.append(Token("sep", name, t.start, t.end))
                i += 1
                continue
            if name in _IGNORED_CMDS:
                i += 1
                continue
            if name in _DROPPED_WITH_ARG or name in ("tag",):
                j = i + 1
                if j < len(toks) and toks[j].kind == "op" and toks[j].text == "*":
                    j += 1
                if j < len(toks) and toks[j].kind == "lbrace":
                    j = _group_end(toks, j)
                i = j
                continue
            if name in ("text", "textrm", "textbf", "textit", "mbox", "hbox", "textnormal"):
                j = i + 1
                if j < len(toks) and toks[j].kind == "lbrace":
                    end = _group_end(toks, j)
                    inner = src[toks[j].end : toks[end - 1].start] if end - 1 > j else ""
                    if inner.strip(" ,.;:~") == "":
                        i = end
                        continue
                    out.append(Token("sep", "text", t.start, toks[end - 1].end))
                    i = end
                    continue
                out.append(Token("sep", "text", t.start, t.end))
                i += 1
                continue
            if name in ("stackrel", "overset", "underset"):
                # \stackrel{note}{\geq}: the relation, with its annotation dropped
                j = i + 1
                if j < len(toks) and toks[j].kind == "lbrace":
                    j = _group_end(toks, j)
                if j < len(toks) and toks[j].kind == "lbrace":
                    end = _group_end(toks, j)
                    inner = [x for x in toks[j + 1 : end - 1]]
                    rel = _as_relation(inner)
                    if rel is not None:
                        out.append(Token("rel", rel, t.start, toks[end - 1].end))
                        i = end
                        continue
                out.append(Token("cmd", name, t.start, t.end))
                i += 1
                continue
            if name in _REL_CMDS:
                out.append(Token("rel", _REL_CMDS[name], t.start, t.end))
                i += 1
                continue
            if name == "not" and i + 1 < len(toks):
                out.append(Token("rel", "other", t.start, toks[i + 1].end))
                i += 2
                continue
            if name in ("dfrac", "tfrac", "cfrac"):
                out.append(Token("cmd", "frac", t.start, t.end))
                i += 1
                continue
            if name in ("cdot", "times", "ast"):
                out.append(Token("op", "*", t.start, t.end))
                i += 1
                continue
            if name == "div":
                out.append(Token("op", "/", t.start, t.end))
                i += 1
                continue
            if name in ("lbrace", "{"):
                out.append(Token("open", "{", t.start, t.end))
                i += 1
                continue
            if name in ("rbrace", "}"):
                out.append(Token("close", "}", t.start, t.end))
                i += 1
                continue
            if name in ("lvert", "rvert", "vert"):
                out.append(Token("bar", "|", t.start, t.end))
                i += 1
                continue
            if name in ("langle", "rangle", "lfloor", "rfloor", "lceil", "rceil", "|", "Vert",
                        "lVert", "rVert"):
                out.append(Token("cmd", "unreadable:" + name, t.start, t.end))
                i += 1
                continue
        if t.kind == "rel" and t.text == "<" and out and out[-1].kind == "rel" and out[-1].text == "logic":
            i += 1
            continue
        # numbers split by layout only (`1\,000`, `2 3`) render as one number
        if (t.kind == "num" and out and out[-1].kind == "num" and "." not in out[-1].text
                and src[out[-1].end : t.start].strip(" \\,~;!") == ""
                and not _after_script(out)):
            prev = out.pop()
            out.append(Token("num", prev.text + t.text, prev.start, t.end))
            i += 1
            continue
        out.append(t)
        i += 1
    return out


def _after_script(out: list[Token]) -> bool:
    return len(out) >= 2 and out[-2].kind == "op" and out[-2].text in "^_"


def _as_relation(inner: list[Token]) -> str | None:
    toks = [t for t in inner if t.kind != "sep"]
    if len(toks) == 1:
        t = toks[0]
        if t.kind == "rel":
            return t.text
        if t.kind == "cmd" and t.text in _REL_CMDS:
            return _REL_CMDS[t.text]
    return None


# --- parsing ---------------------------------------------------------------------------------


@dataclass
class ParsedExpr:
    expr: sp.Expr
    has_decimal: bool = False
    decimal_places: int = 0  # most digits after the point among the decimals used
    ambiguous: bool = False  # `a/bc`-style: another reading exists
    numbers: list[Token] = field(default_factory=list)  # number tokens, for mutation and quoting


_SYMBOLS: dict[str, sp.Symbol] = {}


def symbol(name: str) -> sp.Symbol:
    if name not in _SYMBOLS:
        _SYMBOLS[name] = sp.Symbol(name, real=True)
    return _SYMBOLS[name]


class _Parser:
    def __init__(self, toks: list[Token], *, tight_implicit: bool, e_is_euler: bool):
        self.toks = list(toks)
        self.i = 0
        self.tight_implicit = tight_implicit
        self.e_is_euler = e_is_euler
        self.info = ParsedExpr(sp.Integer(0))

    # helpers
    def peek(self, k: int = 0) -> Token | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def take(self) -> Token:
        t = self.peek()
        if t is None:
            raise LatexParseError("unexpected end of formula")
        self.i += 1
        return t

    def expect(self, kind: str, text: str | None = None) -> Token:
        t = self.take()
        if t.kind != kind or (text is not None and t.text != text):
            raise LatexParseError(f"expected {text or kind}, found {t.text!r}")
        return t

    # grammar
    def parse(self) -> sp.Expr:
        e = self.expr()
        if self.peek() is not None:
            raise LatexParseError(f"unexpected {self.peek().text!r}")  # type: ignore[union-attr]
        return e

    def expr(self) -> sp.Expr:
        t = self.peek()
        sign = 1
        if t is not None and t.kind == "op" and t.text in "+-":
            self.take()
            sign = -1 if t.text == "-" else 1
        left = sign * self.term()
        while True:
            t = self.peek()
            if t is not None and t.kind == "op" and t.text in "+-":
                self.take()
                right = self.term()
                left = left + right if t.text == "+" else left - right
            else:
                return left

    def term(self) -> sp.Expr:
        left = self.factor()
        while True:
            t = self.peek()
            if t is None:
                return left
            if t.kind == "op" and t.text in "*/":
                self.take()
                if t.text == "*":
                    left = left * self.factor()
                else:
                    right = self.factor()
                    if self.tight_implicit:
                        while self._starts_atom(self.peek()):
                            right = right * self.factor()
                    elif self._starts_atom(self.peek()):
                        self.info.ambiguous = True
                    left = left / right
                continue
            if self._starts_atom(t):
                left = left * self.factor()
                continue
            return left

    def _starts_atom(self, t: Token | None) -> bool:
        if t is None:
            return False
        if t.kind in ("num", "sym", "open", "lbrace"):
            return True
        if t.kind == "bar":
            return False  # a bar after an operand closes |...|; never an implicit product start
        if t.kind == "cmd":
            return not t.text.startswith("unreadable")
        return False

    def factor(self) -> sp.Expr:
        t = self.peek()
        if t is not None and t.kind == "op" and t.text in "+-":
            self.take()
            inner = self.factor()
            return -inner if t.text == "-" else inner
        return self.postfix()

    def postfix(self) -> sp.Expr:
        base = self.atom()
        while True:
            t = self.peek()
            if t is None:
                return base
            if t.kind == "op" and t.text == "^":
                self.take()
                exp = self.script_arg()
                base = _power(base, exp)
                continue
            if t.kind == "op" and t.text == "!":
                self.take()
                if base.is_number and not (base.is_Integer and 0 <= int(base) <= _MAX_FACTORIAL):
                    raise LatexParseError("factorial of a non-integer or huge number")
                base = sp.factorial(base)
                continue
            if t.kind == "op" and t.text == "'":
                raise LatexParseError("primes (derivatives) are not read")
            return base

    def script_arg(self) -> sp.Expr:
        """The argument of ^ : a brace group, or one character / command."""
        return self._single_arg("dangling ^", "unexpected exponent", exponent=True)

    def _split_first_char(self) -> None:
        t = self.toks[self.i]
        if t.kind == "num" and len(t.text) > 1:
            first = Token("num", t.text[0], t.start, t.start + 1)
            rest = Token("num", t.text[1:], t.start + 1, t.end)
            if rest.text.startswith("."):
                raise LatexParseError("unbraced decimal exponent")
            self.toks[self.i : self.i + 1] = [first, rest]

    def group(self) -> sp.Expr:
        self.expect("lbrace")
        if self.peek() is not None and self.peek().kind == "rbrace":  # type: ignore[union-attr]
            raise LatexParseError("empty group")
        e = self.expr()
        self.expect("rbrace")
        return e

    def command_arg(self) -> sp.Expr:
        """An argument of \\frac / \\sqrt: a brace group or a single character."""
        return self._single_arg("missing argument", "unexpected argument", exponent=False)

    def _single_arg(self, missing: str, unexpected: str, *, exponent: bool) -> sp.Expr:
        """A brace group, or one digit, letter or command: `\\frac12`, `x^2`, `\\sqrt\\pi`."""
        t = self.peek()
        if t is None:
            raise LatexParseError(missing)
        if t.kind == "lbrace":
            return self.group()
        if t.kind == "num":
            self._split_first_char()
            return self.number(self.take())
        if exponent and t.kind == "op" and t.text in "+-":
            raise LatexParseError("unbraced signed exponent")
        if t.kind == "sym":
            return self.symbol_atom()
        if t.kind == "cmd":
            return self.atom()
        raise LatexParseError(f"{unexpected} {t.text!r}")

    def number(self, t: Token) -> sp.Expr:
        digits = sum(ch.isdigit() for ch in t.text)
        if digits > MAX_NUMBER_DIGITS:
            raise LatexParseError(f"a number with {count(digits)} digits, more than the {MAX_NUMBER_DIGITS} QED reads")
        self.info.numbers.append(t)
        if "." in t.text:
            self.info.has_decimal = True
            places = len(t.text.split(".", 1)[1])
            self.info.decimal_places = max(self.info.decimal_places, places)
            return sp.Rational(t.text)
        return sp.Integer(t.text)

    def symbol_atom(self) -> sp.Expr:
        t = self.take()
        name = t.text
        if self.e_is_euler and name == "e":
            return sp.E
        return self._subscripted(name)

    def _subscripted(self, name: str) -> sp.Expr:
        t = self.peek()
        if t is not None and t.kind == "op" and t.text == "_":
            self.take()
            sub = self.peek()
            if sub is None:
                raise LatexParseError("dangling _")
            if sub.kind == "lbrace":
                start = self.i
                end = _group_end(self.toks, start)
                inner = "".join(x.text for x in self.toks[start + 1 : end - 1])
                self.i = end
                if not inner:
                    raise LatexParseError("empty subscript")
                name = f"{name}_{inner}"
            else:
                if sub.kind == "num":
                    self._split_first_char()
                    sub = self.peek()
                self.take()
                name = f"{name}_{sub.text}"  # type: ignore[union-attr]
        nxt = self.peek()
        base_name = name.split("_", 1)[0]
        if nxt is not None and nxt.kind == "open" and nxt.text == "(" and base_name in _FUNCTION_LETTERS:
            raise LatexParseError(f"{name}(...) reads as a function application")
        return symbol(name)

    def atom(self) -> sp.Expr:
        t = self.peek()
        if t is None:
            raise LatexParseError("missing operand")
        if t.kind == "num":
            return self.number(self.take())
        if t.kind == "sym":
            return self.symbol_atom()
        if t.kind == "lbrace":
            return self.group()
        if t.kind == "open":
            self.take()
            closing = {"(": ")", "[": "]", "{": "}"}[t.text]
            e = self.expr()
            c = self.take()
            if c.kind != "close" or c.text != closing:
                raise LatexParseError(f"unbalanced {t.text}")
            return e
        if t.kind == "bar":
            self.take()
            e = self.expr()
            self.expect("bar")
            return sp.Abs(e)
        if t.kind == "cmd":
            return self.command()
        raise LatexParseError(f"unexpected {t.text!r}")

    def command(self) -> sp.Expr:
        t = self.take()
        name = t.text
        if name == "frac":
            num = self.command_arg()
            den = self.command_arg()
            if den == 0:
                raise LatexParseError("division by zero")
            return num / den
        if name == "binom":
            n, k = self.command_arg(), self.command_arg()
            if n.is_number and k.is_number:
                refusal = power_refusal(_digits(n), _magnitude(k))
                if refusal:
                    raise LatexParseError(refusal)
            return sp.binomial(n, k)
        if name == "sqrt":
            nxt = self.peek()
            index: sp.Expr | None = None
            if nxt is not None and nxt.kind == "open" and nxt.text == "[":
                self.take()
                index = self.expr()
                self.expect("close", "]")
            radicand = self.command_arg()
            if index is None:
                return sp.sqrt(radicand)
            return _root(radicand, index)
        if name == "pi":
            return sp.pi
        if name in _GREEK:
            return self._subscripted(name)
        if name in ("phi", "varphi", "psi", "Phi", "Psi", "Pi"):
            return self._subscripted(name)
        if name in ("min", "max"):
            return self.minmax(name)
        if name in _FUNCS:
            return self.function(name)
        if name == "log":
            return self.log()
        if name in _TRANSPARENT_CMDS:
            nxt = self.peek()
            if nxt is not None and nxt.kind == "lbrace":
                return self.group()
            return self.atom()
        raise LatexParseError(f"\\{name} is not read")

    def function(self, name: str) -> sp.Expr:
        power: sp.Expr | None = None
        t = self.peek()
        if t is not None and t.kind == "op" and t.text == "^":
            self.take()
            power = self.script_arg()
        t = self.peek()
        if t is not None and t.kind == "open" and t.text == "(":
            arg = self.atom()
        else:
            arg = self.bare_argument()
        value = _FUNCS[name](arg)
        return value**power if power is not None else value

    def bare_argument(self) -> sp.Expr:
        """`\\cos 3\\theta`, `\\sin 2x`: a function's unparenthesized argument is a run of
        numbers and letters, ending before the next function or bracket."""
        arg = self.postfix()
        while True:
            t = self.peek()
            if t is None:
                return arg
            if t.kind in ("num", "sym") or (t.kind == "cmd" and t.text in _GREEK):
                arg = arg * self.postfix()
                continue
            return arg

    def log(self) -> sp.Expr:
        base: sp.Expr | None = None
        t = self.peek()
        if t is not None and t.kind == "op" and t.text == "_":
            self.take()
            base = self.script_arg()
        t = self.peek()
        if t is not None and t.kind == "op" and t.text == "^":
            raise LatexParseError("powers of log are not read")
        arg = self.atom() if (t is not None and t.kind == "open") else self.bare_argument()
        return sp.log(arg, base) if base is not None else sp.log(arg)

    def minmax(self, name: str) -> sp.Expr:
        t = self.peek()
        if t is not None and t.kind == "op" and t.text == "_":
            raise LatexParseError("min/max over an index set is not read")
        opener = self.take()
        if opener.kind not in ("open", "lbrace"):
            raise LatexParseError(f"\\{name} needs a parenthesized list")
        closing = {"(": ")", "[": "]", "{": "}"}.get(opener.text, "}")
        args = [self.expr()]
        while self.peek() is not None and self.peek().kind == "sep" and self.peek().text == ",":  # type: ignore[union-attr]
            self.take()
            args.append(self.expr())
        c = self.take()
        if c.text != closing:
            raise LatexParseError(f"unbalanced \\{name}")
        return (sp.Min if name == "min" else sp.Max)(*args)


def _power(base: sp.Expr, exp: sp.Expr) -> sp.Expr:
    """base ** exp, refused when sympy would evaluate or expand something huge (`x^{10^{10}}`,
    `9^{9^{9}}`, `(9^{4000})^{4000}`)."""
    if exp.is_number:
        size = _magnitude(exp)
        if base.is_number and size > _MAX_INT_EXPONENT:
            raise LatexParseError("exponent too large to evaluate")
        refusal = power_refusal(_digits(base) if base.is_number else None, size)
        if refusal:
            raise LatexParseError(refusal)
    return sp.Pow(base, exp)


def _magnitude(value: sp.Expr) -> float:
    """|value| as a float (inf when it cannot be told)."""
    try:
        if value.is_Rational:
            return abs(int(value.p)) / int(value.q) if int(value.p).bit_length() < 1000 else math.inf
        return abs(complex(sp.N(value, 15)))
    except (TypeError, ValueError, OverflowError):
        return math.inf


def _digits(value: sp.Expr) -> float:
    """About how many decimal digits an exact number takes (numerator or denominator)."""
    if value.is_Rational:
        return max(int(value.p).bit_length(), int(value.q).bit_length()) * math.log10(2)
    size = _magnitude(value)
    if size == 0:
        return 0.0
    return abs(math.log10(size)) if math.isfinite(size) else math.inf


def formula_refusal(src: str) -> str | None:
    """Why a formula is not read at all (too long, nested too deeply), or None."""
    refusal = too_long("a formula", len(src), MAX_FORMULA_CHARS)
    if refusal:
        return refusal
    depth = nesting_depth(src)
    if depth > MAX_NESTING:
        return f"a formula nests brackets {depth} deep, more than the {MAX_NESTING} QED reads"
    return None


def _root(radicand: sp.Expr, index: sp.Expr) -> sp.Expr:
    """Real n-th root: odd roots of negatives are negative, as in the texts."""
    if index.is_Integer and int(index) % 2 == 1 and radicand.is_number and radicand.is_negative:
        return -sp.Pow(-radicand, sp.Rational(1, int(index)))
    if index.is_Integer and int(index) % 2 == 1 and not radicand.is_number:
        return sp.real_root(radicand, index)
    return sp.Pow(radicand, 1 / index)


def parse_tokens(toks: list[Token], *, tight_implicit: bool = False, e_is_euler: bool = False) -> ParsedExpr:
    """Parse tokens of one side of a relation; LatexParseError when not read faithfully."""
    toks = [t for t in toks if not (t.kind == "sep" and t.text in (".",))] if toks and toks[-1].text == "." else toks
    if not toks:
        raise LatexParseError("empty expression")
    if len(toks) > MAX_FORMULA_CHARS:
        raise LatexParseError(f"an expression of {count(len(toks))} tokens, more than the {count(MAX_FORMULA_CHARS)} QED reads")
    for t in toks:
        if t.kind in ("rel", "stop", "other") or (t.kind == "sep" and t.text != ","):
            raise LatexParseError(f"unexpected {t.text!r}")
        if t.kind == "cmd" and t.text.startswith("unreadable"):
            raise LatexParseError(f"\\{t.text.split(':', 1)[1]} is not read")
    p = _Parser(toks, tight_implicit=tight_implicit, e_is_euler=e_is_euler)
    try:
        expr = p.parse()
    except LatexParseError:
        raise
    except (TypeError, ValueError, ZeroDivisionError, RecursionError, AttributeError) as e:
        raise LatexParseError(f"cannot build expression: {e}") from None
    if expr.has(sp.zoo, sp.nan):
        raise LatexParseError("undefined value")
    p.info.expr = expr
    return p.info


def parse_latex(src: str, *, e_is_euler: bool = False) -> sp.Expr:
    """One LaTeX expression (no relation) to sympy; LatexParseError if it cannot be read."""
    refusal = formula_refusal(src)
    if refusal:
        raise LatexParseError(refusal)
    toks = tokenize(src)
    while toks and toks[-1].kind == "sep" and toks[-1].text in ".,;":
        toks.pop()
    return parse_tokens(toks, e_is_euler=e_is_euler).expr

