r"""Tokens to a tree (verifiers.latex.tree): one recursive-descent parser for every front-end.

Precedence, loosest first: comma lists, relations (and `\in`), + and -, explicit * and /, then
juxtaposition (`2ab`, `a(b+c)`, `\frac{a}{b} c`), powers and subscripts, then atoms. Where a
notation can be read two ways the parser follows `Readings` (verifiers.latex.ambiguity) and
records an Ambiguity, so a front-end can flag it or try the other reading.
"""

from __future__ import annotations

from qed.verifiers.input_limits import MAX_NUMBER_DIGITS, count
from qed.verifiers.latex.ambiguity import Ambiguity, Readings
from qed.verifiers.latex.errors import LatexError
from qed.verifiers.latex.lexer import Token
from qed.verifiers.latex.tree import (
    ELLIPSIS,
    Add,
    Apply,
    Big,
    Const,
    Div,
    Factorial,
    Func,
    IntervalNode,
    Member,
    Mul,
    Name,
    Neg,
    Node,
    Num,
    NumberSet,
    Pow,
    Rel,
    Root,
    Seq,
    Text,
)
from qed.verifiers.latex.vocabulary import (
    BIG_OPERATORS,
    EXTREMA,
    FUNCTION_LETTERS,
    FUNCTIONS,
    GREEK,
    command,
)

_STOPS_ARGUMENT = set(FUNCTIONS) | set(EXTREMA) | set(BIG_OPERATORS)
_MATCHING = {"(": ")", "[": "]", "{": "}"}


def parse(tokens: list[Token], readings: Readings, relations: tuple[str, ...],
          src: str | None = None) -> tuple[Node, list[Ambiguity]]:
    """The tree of one formula and the ambiguities met reading it; LatexError when it is not read.

    `relations` are the relation symbols the caller accepts in a chain; `src` (when the tokens
    came from one string) is quoted in refusals."""
    parser = _Parser(list(tokens), readings, relations, src)
    node = parser.top()
    if parser.peek().kind != "end":
        raise parser.fail(f"cannot read {parser.snippet(parser.peek())!r}")
    return node, parser.ambiguities


def short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


class _Parser:
    def __init__(self, tokens: list[Token], readings: Readings, relations: tuple[str, ...],
                 src: str | None):
        end = tokens[-1].end if tokens else 0
        self.tokens = [*tokens, Token("end", "", end, end)]
        self.readings = readings
        self.relations = relations
        self.src = src
        self.i = 0
        self.abs_depth = 0
        self.calls = True  # off inside a function's bare argument: `\sin x (1+y)` does not call x
        self.ambiguities: list[Ambiguity] = []

    # -- token helpers -----------------------------------------------------------------------------
    def peek(self, k: int = 0) -> Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def next(self) -> Token:
        tok = self.peek()
        self.i = min(self.i + 1, len(self.tokens) - 1) if tok.kind == "end" else self.i + 1
        return tok

    def at(self, kind: str, text: str | None = None) -> bool:
        tok = self.peek()
        return tok.kind == kind and (text is None or tok.text == text)

    def expect(self, kind: str, text: str | None = None) -> Token:
        tok = self.next()
        if tok.kind != kind or (text is not None and tok.text != text):
            wanted = text or {"rbrace": "}", "close": "a closing bracket", "bar": "|"}.get(kind, kind)
            raise self.fail(f"expected {wanted!r} but found {tok.text or 'the end of the formula'!r}")
        return tok

    def formula(self) -> str:
        if self.src is not None:
            return short(self.src)
        return short(" ".join(t.text for t in self.tokens[:-1]))

    def snippet(self, tok: Token) -> str:
        if self.src is not None:
            return self.src[tok.start : tok.start + 20]
        return tok.text

    def fail(self, what: str) -> LatexError:
        return LatexError(f"{what} in ${self.formula()}$")

    def flag(self, kind: str, first: Token, note: str) -> None:
        last = self.tokens[max(self.i - 1, 0)]
        self.ambiguities.append(Ambiguity(kind, first.start, max(first.end, last.end), note))

    def spanned(self, node: Node, first: int) -> Node:
        if node.span is not None or node is ELLIPSIS:
            return node
        last = self.tokens[max(self.i - 1, first)]
        object.__setattr__(node, "span", (self.tokens[first].start, last.end))
        return node

    # -- lists and relations -------------------------------------------------------------------------
    def top(self) -> Node:
        items: list[Node] = [self.item()]
        while self.at("sep", ",") and self._continues_list():
            self.next()
            items.append(self.item())
        return items[0] if len(items) == 1 else Seq(tuple(items))

    def _continues_list(self) -> bool:
        nxt = self.peek(1)
        return nxt.kind not in ("end", "close", "rbrace") and not (nxt.kind == "sep" and nxt.text == ".")

    def item(self) -> Node:
        if self.at("ellipsis"):
            self.next()
            return ELLIPSIS
        return self.relation()

    def relation(self) -> Node:
        left = self.expr()
        if self.at("rel", "in"):
            self.next()
            return Member(left, self.set_())
        items: list = [left]
        while self.at("rel"):
            items.append(self._relation_symbol())
            if self.at("ellipsis"):  # a_1 <= a_2 <= ... <= a_n
                self.next()
                items.append(ELLIPSIS)
                if not self.at("rel"):
                    raise self.fail("an ellipsis in a chain of relations needs a relation after it")
                items.append(self._relation_symbol())
            items.append(self.expr())
        return left if len(items) == 1 else Rel(tuple(items))

    def _relation_symbol(self) -> str:
        tok = self.next()
        if tok.text not in self.relations:
            raise self.fail(f"the relation {self.snippet(tok).strip() or tok.text!r} is not read")
        return tok.text

    def set_(self) -> Node:
        tok = self.peek()
        if tok.kind == "cmd" and tok.text == "mathbb":
            self.next()
            return NumberSet(self._braced_letter(), self._set_qualifier())
        if tok.kind == "sym" and tok.text in "RNZQ":
            self.next()
            return NumberSet(tok.text, self._set_qualifier())
        if (tok.kind == "lbrace" and self.peek(1).kind == "sym" and self.peek(1).text in "RNZQ"
                and self.peek(2).kind == "rbrace"):  # `\mathbf{R}`
            self.i += 3
            return NumberSet(self.peek(-2).text, self._set_qualifier())
        if tok.kind == "open" and tok.text in "([":
            self.next()
            lo = self.expr()
            self.expect("sep", ",")
            hi = self.expr()
            close = self.next()
            if close.kind != "close" or close.text not in ")]":
                raise self.fail("an interval must end with ')' or ']'")
            return IntervalNode(lo, hi, tok.text == "(", close.text == ")")
        raise self.fail("expected a set after \\in")

    def _braced_letter(self) -> str:
        if self.at("lbrace"):
            self.next()
            letter = self.expect("sym").text
            self.expect("rbrace")
            return letter
        return self.expect("sym").text

    def _set_qualifier(self) -> str:
        """The scripts of R^+, R_{>0}, R^{+}_{0}, N^*: a short string."""
        qualifier = ""
        while self.at("op", "^") or self.at("op", "_"):
            self.next()
            tok = self.next()
            if tok.kind == "lbrace":
                parts = []
                while not self.at("rbrace"):
                    if self.at("end"):
                        raise self.fail("unbalanced braces")
                    parts.append(self.next().text)
                self.next()
                qualifier += "".join(parts)
            else:
                qualifier += tok.text
        return qualifier

    # -- sums and products -------------------------------------------------------------------------
    def expr(self) -> Node:
        items: list = []
        sign = 1
        if self.at("op", "+") or self.at("op", "-"):
            sign = -1 if self.next().text == "-" else 1
        items.append((sign, self.term()))
        while self.at("op", "+") or self.at("op", "-"):
            sign = -1 if self.next().text == "-" else 1
            if self.at("ellipsis"):
                self.next()
                items.append(ELLIPSIS)
                if self.at("op", "+") or self.at("op", "-"):
                    sign = -1 if self.next().text == "-" else 1
            items.append((sign, self.term()))
        if len(items) == 1 and items[0][0] == 1:
            return items[0][1]
        if len(items) == 1:
            return Neg(items[0][1])
        return Add(tuple(items))

    def term(self) -> Node:
        factors: list[Node] = [self.juxtaposed(self.signed())]
        while self.at("op", "*") or self.at("op", "/"):
            op = self.next()
            if op.text == "*" and self.at("ellipsis"):
                self.next()
                factors.append(ELLIPSIS)
                if self.at("op", "*"):
                    self.next()
                factors.append(self.juxtaposed())
                continue
            if op.text == "*":
                factors.append(self.juxtaposed(self.signed()))
                continue
            left = factors[0] if len(factors) == 1 else Mul(tuple(factors))
            first = self.signed()
            if self._starts_factor(self.peek()):
                self.flag("slash", op, "a slash followed by a product: a/bc")
                if self.readings.slash == "product":
                    factors = [Div(left, self.juxtaposed(first))]
                    continue
            factors = [self.juxtaposed(Div(left, first))]
        return factors[0] if len(factors) == 1 else Mul(tuple(factors))

    def signed(self) -> Node:
        """A factor that may carry a sign of its own: after `*`, `/`, or `+` (`a \\cdot -b`)."""
        if self.at("op", "+") or self.at("op", "-"):
            minus = self.next().text == "-"
            inner = self.signed()
            return Neg(inner) if minus else inner
        return self.power()

    def juxtaposed(self, first: Node | None = None, stop_at_functions: bool = False) -> Node:
        factors: list[Node] = [self.power() if first is None else first]
        while True:
            tok = self.peek()
            if tok.kind == "ellipsis" and self._starts_factor(self.peek(1), stop_at_functions):
                self.next()
                factors.append(ELLIPSIS)
                continue
            if not self._starts_factor(tok, stop_at_functions):
                break
            factors.append(self.power())
        return factors[0] if len(factors) == 1 else Mul(tuple(factors))

    def _starts_factor(self, tok: Token, stop_at_functions: bool = False) -> bool:
        if tok.kind in ("num", "sym", "open", "lbrace", "text", "word"):
            return True
        if tok.kind == "bar":
            return self.abs_depth == 0
        if tok.kind == "cmd":
            if stop_at_functions and tok.text in _STOPS_ARGUMENT:
                return False
            return tok.text != "mathbb"
        return False

    # -- powers and atoms --------------------------------------------------------------------------
    def power(self) -> Node:
        first = self.i
        bracketed = self.peek().kind == "open"
        base = self.postfix()
        if self.at("op", "^"):
            self.next()
            if bracketed and isinstance(base, Apply):
                # `(a(b + c))^2` squares the whole bracket; only a bare `a(b + c)^2` is a times the power
                base = Mul((base,), span=base.span)
            base = Pow(base, self.script())
            if self.at("op", "_") and isinstance(base.base, Name) and base.base.sub is None:
                self.next()
                start = self.i
                sub = self.script()
                base = Pow(Name(base.base.base, sub, self._label(start)), base.exp)
            if self.at("op", "^"):
                raise self.fail("a double superscript (a^b^c) is not read")
        while self.at("op", "!"):
            self.next()
            base = Factorial(base)
        return self.spanned(base, first)

    def postfix(self) -> Node:
        node = self.primary()
        while True:
            if self.at("op", "!"):
                self.next()
                node = Factorial(node)
            elif self.at("op", "'"):
                raise self.fail("primes (f') are not read")
            else:
                return node

    def script(self) -> Node:
        """The argument of ^ or _: a braced group, or one digit, letter or command."""
        tok = self.peek()
        if tok.kind == "lbrace":
            return self.group()
        if tok.kind == "num":
            return self.digit(script=True)
        if tok.kind == "sym":
            self.next()
            return Name(tok.text)
        if tok.kind == "op" and tok.text in "+-":
            raise self.fail("an unbraced signed exponent (x^-1) is not read")
        if tok.kind == "op" and tok.text == "*":
            self.next()
            return Text("*")
        if tok.kind in ("cmd", "text", "word"):
            return self.primary()
        raise self.fail("cannot read a superscript or subscript")

    def group(self) -> Node:
        self.expect("lbrace")
        if self.at("rbrace"):
            raise self.fail("an empty group {}")
        node = self.top()
        self.expect("rbrace")
        return node

    def digit(self, script: bool) -> Node:
        """One digit of `x^23` or `\\frac12` (as LaTeX reads them); the rest stays for later."""
        tok = self.next()
        self._check_digits(tok)
        if len(tok.text) == 1:
            return Num(tok.text, span=(tok.start, tok.end))
        if script:
            self.flag("script_digits", tok, "a script of several digits without braces: x^23")
            if self.readings.script_digits == "all":
                if "." in tok.text:
                    raise self.fail("an unbraced decimal exponent (x^2.5) is not read")
                return Num(tok.text, span=(tok.start, tok.end))
        if "." in tok.text[:2]:
            raise self.fail("an unbraced decimal exponent (x^2.5) is not read")
        first = Token("num", tok.text[0], tok.start, tok.start + 1)
        self.tokens[self.i - 1] = first
        self.tokens.insert(self.i, Token("num", tok.text[1:], tok.start + 1, tok.end))
        return Num(first.text, span=(first.start, first.end))

    def arg(self) -> Node:
        """A command argument: a braced group or a single token (\\frac12, \\sqrt x, \\sqrt\\pi)."""
        tok = self.peek()
        if tok.kind == "lbrace":
            return self.group()
        if tok.kind == "num":
            return self.digit(script=False)
        if tok.kind == "sym":
            self.next()
            return self._name(tok.text, self.i - 1)
        if tok.kind == "cmd":
            return self.primary()
        raise self.fail("missing argument")

    def _check_digits(self, tok: Token) -> None:
        digits = sum(ch.isdigit() for ch in tok.text)
        if digits > MAX_NUMBER_DIGITS:
            raise LatexError(f"a number with {count(digits)} digits, more than the {MAX_NUMBER_DIGITS} QED reads")

    def primary(self) -> Node:
        first = self.i
        tok = self.next()
        kind = tok.kind
        if kind == "num":
            self._check_digits(tok)
            return Num(tok.text, span=(tok.start, tok.end))
        if kind == "sym":
            return self.spanned(self._called(self._name(tok.text, first)), first)
        if kind == "open":
            if tok.text in "([" and self.at("close"):
                raise self.fail("empty brackets")
            node = self.top()
            close = self.next()
            if close.kind != "close" or close.text != _MATCHING[tok.text]:
                raise self.fail(f"bracket {tok.text!r} closed by {close.text or 'the end'!r}")
            return self.spanned(node, first)
        if kind == "lbrace":
            self.i -= 1
            return self.spanned(self.group(), first)
        if kind == "bar":
            self.abs_depth += 1
            node = self.expr()
            self.abs_depth -= 1
            self.expect("bar")
            return self.spanned(Func("abs", (node,)), first)
        if kind in ("text", "word"):
            content = tok.text
            if kind == "word" and content == "e":
                return Const("E", span=(tok.start, tok.end))
            if len(content) == 1 and content.isalpha():
                return self.spanned(self._name(content, first), first)
            return Text(content, span=(tok.start, tok.end))
        if kind == "cmd":
            return self.spanned(self._command(tok.text, first), first)
        raise self.fail(f"unexpected {self.snippet(tok).strip() or tok.text or 'end of formula'!r}")

    def _name(self, base: str, first: int) -> Name:
        if self.at("op", "_"):
            self.next()
            start = self.i
            sub = self.script()
            return Name(base, sub, self._label(start), span=(self.tokens[first].start, self.tokens[self.i - 1].end))
        tok = self.tokens[first]
        return Name(base, span=(tok.start, tok.end))

    def _label(self, start: int) -> str:
        """A subscript as written, its tokens joined: `n+1` for `_{n+1}`, `1` for `_1`."""
        toks = self.tokens[start : self.i]
        if toks and toks[0].kind == "lbrace" and toks[-1].kind == "rbrace":
            toks = toks[1:-1]
        return "".join(t.text for t in toks)

    def _called(self, name: Name) -> Node:
        """`f(x)`, `a(b + c)`: a letter right before a bracket (subscripted only for f, g, ...)."""
        if not self.calls or not self.at("open", "("):
            return name
        if name.sub is not None and name.base not in FUNCTION_LETTERS:
            return name
        self.next()
        inner = self.top()
        self.expect("close", ")")
        return Apply(name, inner.items if isinstance(inner, Seq) else (inner,))

    def _command(self, name: str, first: int) -> Node:
        entry = command(name)
        category = entry.category if entry is not None else None
        if category == "fraction":
            return Div(self.arg(), self.arg())
        if category == "root":
            index = None
            if self.at("open", "["):
                self.next()
                index = self.expr()
                self.expect("close", "]")
            return Root(self.arg(), index)
        if category == "binomial":
            return Func("binom", (self.arg(), self.arg()))
        if category == "big":
            return self._big(name)
        if category == "extremum":
            return self._extremum(name)
        if category == "function":
            return self._function(name)
        if category == "greek":
            node = self._name(name, first)
            return self._called(node) if name in FUNCTION_LETTERS else node
        if category == "constant":
            return Const(entry.value)
        if category == "number_set":
            self.i -= 1
            return self.set_()
        raise self.fail(f"\\{name} is not read")

    def _extremum(self, name: str) -> Node:
        if self.at("op", "_"):
            raise self.fail(f"\\{name} over an index set is not read")
        opener = self.next()
        if opener.kind not in ("open", "lbrace"):
            raise self.fail(f"\\{name} needs a bracketed list")
        node = self.top()
        close = self.next()
        wanted = ("rbrace", "}") if opener.kind == "lbrace" else ("close", _MATCHING[opener.text])
        if (close.kind, close.text) != wanted:
            raise self.fail(f"unclosed \\{name}")
        return Func(name, node.items if isinstance(node, Seq) else (node,))

    def _function(self, name: str) -> Node:
        power = base = None
        while self.at("op", "^") or self.at("op", "_"):
            if self.next().text == "^":
                power = self.script()
            else:
                base = self.script()
        if self.at("open", "("):
            self.next()
            arg = self.expr()
            self.expect("close", ")")
        else:
            arg = self._function_argument()
        return Func(name, (arg,), power, base)

    def _function_argument(self) -> Node:
        """`\\sin 2x`, `\\cos 3\\theta`, `\\sin \\frac{A}{2}`: the argument written without brackets."""
        start = self.peek()
        calls, self.calls = self.calls, False
        try:
            factors = [self.power()]
            while self.peek().kind in ("num", "sym") or (self.at("cmd") and self.peek().text in GREEK):
                factors.append(self.power())
        finally:
            self.calls = calls
        if self._starts_factor(self.peek(), stop_at_functions=True):
            self.flag("function_argument", start, "a function's bare argument followed by a factor")
            if self.readings.function_argument == "product":
                run = factors[0] if len(factors) == 1 else Mul(tuple(factors))
                return self.juxtaposed(run, stop_at_functions=True)
        return factors[0] if len(factors) == 1 else Mul(tuple(factors))

    def _big(self, op: str) -> Node:
        lower = upper = None
        while self.at("op", "^") or self.at("op", "_"):
            if self.next().text == "_":
                lower = self.script()
            else:
                upper = self.script()
        spec = self._big_spec(lower, upper)
        return Big(op, spec, self.term())

    def _big_spec(self, lower: Node | None, upper: Node | None) -> tuple:
        if lower is None and upper is None:
            return ("plain",)
        word = _spelled(lower) if lower is not None else ""
        if word in ("cyc", "cyclic", "cycl"):
            return ("cyc",)
        if word in ("sym", "symmetric"):
            return ("sym",)
        if isinstance(lower, Rel) and len(lower.items) == 3 and lower.items[1] == "=":
            left = lower.items[0]
            indices = left.items if isinstance(left, Seq) else (left,)
            if upper is not None and all(isinstance(i, Name) and i.sub is None for i in indices):
                return ("range", tuple(i.base for i in indices), lower.items[2], upper)
        if isinstance(lower, Seq) and upper is not None:
            *names, last = lower.items
            if (
                isinstance(last, Rel)
                and len(last.items) == 3
                and last.items[1] == "="
                and all(isinstance(n, Name) and n.sub is None for n in [*names, last.items[0]])
            ):
                indices = tuple(n.base for n in names) + (last.items[0].base,)
                return ("range", indices, last.items[2], upper)
        if isinstance(lower, Rel) and len(lower.items) == 7:
            lo, op1, i, op2, j, op3, hi = lower.items
            if (
                isinstance(i, Name)
                and isinstance(j, Name)
                and op2 == "<"
                and op1 in ("<=", "<")
                and op3 in ("<=", "<")
            ):
                lo_node = lo if op1 == "<=" else Add(((1, lo), (1, Num("1"))))
                hi_node = hi if op3 == "<=" else Add(((1, hi), (-1, Num("1"))))
                return ("pairs", i.base, j.base, lo_node, hi_node)
        raise self.fail("unsupported limits on a sum or product")


def _spelled(node: Node) -> str:
    """`cyc` written as letters (a product of names) or as \\text{cyc}."""
    if isinstance(node, Text):
        return node.content.replace(" ", "").lower()
    if isinstance(node, Name) and node.sub is None:
        return node.base
    if isinstance(node, Mul) and all(isinstance(f, Name) and f.sub is None for f in node.items):
        return "".join(f.base for f in node.items)
    return ""
