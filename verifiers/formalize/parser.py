"""LaTeX math to a tree (verifiers.formalize.tree): a recursive-descent parser.

Precedence, loosest first: comma lists, relations (and `\\in`), + and -, explicit * and /, then
juxtaposition (`2ab`, `a(b+c)`, `\\frac{a}{b} c`), powers and subscripts, then atoms. Juxtaposition
binds tighter than an explicit `/`, so `a/bc` reads a/(bc), as people write it.
"""

from __future__ import annotations

from qed.verifiers.formalize.errors import FormalizeError
from qed.verifiers.formalize.lexer import Token, tokenize
from qed.verifiers.formalize.tree import (
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

GREEK = {
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "varepsilon",
    "zeta",
    "eta",
    "theta",
    "vartheta",
    "iota",
    "kappa",
    "lambda",
    "mu",
    "nu",
    "xi",
    "rho",
    "varrho",
    "sigma",
    "tau",
    "upsilon",
    "phi",
    "varphi",
    "chi",
    "psi",
    "omega",
    "Gamma",
    "Delta",
    "Theta",
    "Lambda",
    "Xi",
    "Sigma",
    "Upsilon",
    "Phi",
    "Psi",
    "Omega",
}
FUNCTIONS = {
    "sin",
    "cos",
    "tan",
    "cot",
    "sec",
    "csc",
    "ln",
    "log",
    "lg",
    "exp",
    "arcsin",
    "arccos",
    "arctan",
    "sinh",
    "cosh",
    "tanh",
}
FRACTIONS = {"frac", "dfrac", "tfrac", "cfrac"}
BINOMIALS = {"binom", "dbinom", "tbinom"}
CLOSERS = {")": "(", "]": "[", "}": "{", "RSET": "LSET"}


def parse(src: str) -> Node:
    """Parse one math segment; a comma list comes back as Seq."""
    parser = _Parser(tokenize(src), src)
    node = parser.top()
    while parser.peek().kind in (".", ",", ";"):
        parser.next()
    if parser.peek().kind != "END":
        tok = parser.peek()
        raise FormalizeError(f"cannot read {src[tok.pos : tok.pos + 20]!r} in ${_short(src)}$")
    return node


def _short(src: str) -> str:
    src = " ".join(src.split())
    return src if len(src) <= 60 else src[:57] + "..."


class _Parser:
    def __init__(self, tokens: list[Token], src: str):
        self.tokens = tokens
        self.src = src
        self.i = 0
        self.abs_depth = 0

    # -- token helpers -------------------------------------------------------------------------
    def peek(self, k: int = 0) -> Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def next(self) -> Token:
        tok = self.peek()
        self.i += 1
        return tok

    def expect(self, kind: str) -> Token:
        tok = self.next()
        if tok.kind != kind:
            found = tok.text or "end of formula"
            raise FormalizeError(f"expected '{kind}' but found {found!r} in ${_short(self.src)}$")
        return tok

    def fail(self, what: str) -> FormalizeError:
        return FormalizeError(f"{what} in ${_short(self.src)}$")

    # -- grammar -------------------------------------------------------------------------------
    def top(self) -> Node:
        items: list[Node] = [self.item()]
        while self.peek().kind == "," and self._continues_list():
            self.next()
            items.append(self.item())
        return items[0] if len(items) == 1 else Seq(tuple(items))

    def _continues_list(self) -> bool:
        nxt = self.peek(1).kind
        return nxt not in ("END", ")", "]", "}", "RSET", ".")

    def item(self) -> Node:
        if self.peek().kind == "ELLIPSIS":
            self.next()
            return ELLIPSIS
        return self.relation()

    def relation(self) -> Node:
        left = self.expr()
        if self.peek().kind == "IN":
            self.next()
            return Member(left, self.set_())
        items: list = [left]
        while self.peek().kind == "REL":
            items.append(self.next().text)
            if self.peek().kind == "ELLIPSIS":  # a_1 <= a_2 <= ... <= a_n
                self.next()
                items.append(ELLIPSIS)
                if self.peek().kind != "REL":
                    raise self.fail("an ellipsis in a chain of relations needs a relation after it")
                items.append(self.next().text)
            items.append(self.expr())
        return left if len(items) == 1 else Rel(tuple(items))

    def set_(self) -> Node:
        tok = self.peek()
        if tok.is_("CMD", "mathbb") or tok.is_("CMD", "mathbf"):
            self.next()
            letter = self._braced_letter()
            qualifier = ""
            while self.peek().kind == "OP" and self.peek().text in "^_":
                self.next()
                qualifier += self._set_script()
            return NumberSet(letter, qualifier)
        if tok.kind == "LETTER" and tok.text in "RNZQ":
            self.next()
            qualifier = ""
            while self.peek().kind == "OP" and self.peek().text in "^_":
                self.next()
                qualifier += self._set_script()
            return NumberSet(tok.text, qualifier)
        if tok.kind in ("(", "["):
            self.next()
            lo = self.expr()
            self.expect(",")
            hi = self.expr()
            close = self.next()
            if close.kind not in (")", "]"):
                raise self.fail("an interval must end with ')' or ']'")
            return IntervalNode(lo, hi, tok.kind == "(", close.kind == ")")
        raise self.fail("expected a set after \\in")

    def _braced_letter(self) -> str:
        if self.peek().kind == "{":
            self.next()
            letter = self.expect("LETTER").text
            self.expect("}")
            return letter
        return self.expect("LETTER").text

    def _set_script(self) -> str:
        """The qualifier of R^+, R_{>0}, R^{+}_{0}, N^*: a short string."""
        tok = self.next()
        if tok.kind == "{":
            parts = []
            while self.peek().kind != "}":
                t = self.next()
                if t.kind == "END":
                    raise self.fail("unbalanced braces")
                parts.append(t.text)
            self.next()
            return "".join(parts)
        return tok.text

    def expr(self) -> Node:
        items: list = []
        sign = 1
        if self.peek().kind == "OP" and self.peek().text in "+-":
            sign = -1 if self.next().text == "-" else 1
        items.append((sign, self.term()))
        while self.peek().kind == "OP" and self.peek().text in "+-":
            sign = -1 if self.next().text == "-" else 1
            if self.peek().kind == "ELLIPSIS":
                self.next()
                items.append(ELLIPSIS)
                if self.peek().kind == "OP" and self.peek().text in "+-":
                    sign = -1 if self.next().text == "-" else 1
            items.append((sign, self.term()))
        if len(items) == 1 and items[0][0] == 1:
            return items[0][1]
        if len(items) == 1:
            return Neg(items[0][1])
        return Add(tuple(items))

    def term(self) -> Node:
        factors: list[Node] = [self.implicit()]
        while self.peek().kind == "OP" and self.peek().text in "*/":
            op = self.next().text
            if op == "*" and self.peek().kind == "ELLIPSIS":
                self.next()
                factors.append(ELLIPSIS)
                if self.peek().is_("OP", "*"):
                    self.next()
                factors.append(self.implicit())
                continue
            right = self.implicit()
            if op == "*":
                factors.append(right)
            else:
                left = factors[0] if len(factors) == 1 else Mul(tuple(factors))
                factors = [Div(left, right)]
        return factors[0] if len(factors) == 1 else Mul(tuple(factors))

    def implicit(self, stop_at_functions: bool = False) -> Node:
        factors: list[Node] = [self.power()]
        while True:
            tok = self.peek()
            if tok.kind == "ELLIPSIS" and self._starts_factor(self.peek(1), stop_at_functions):
                self.next()
                factors.append(ELLIPSIS)
                continue
            if not self._starts_factor(tok, stop_at_functions):
                break
            factors.append(self.power())
        return factors[0] if len(factors) == 1 else Mul(tuple(factors))

    def _starts_factor(self, tok: Token, stop_at_functions: bool) -> bool:
        if tok.kind in ("NUM", "LETTER", "(", "[", "{", "LSET", "TEXT"):
            return True
        if tok.kind == "BAR":
            return self.abs_depth == 0
        if tok.kind == "CMD":
            if stop_at_functions and tok.text in FUNCTIONS | {"max", "min", "sum", "prod"}:
                return False
            return tok.text not in ("mathbb",)
        return False

    def power(self) -> Node:
        base = self.postfix()
        while self.peek().is_("OP", "^"):
            self.next()
            base = Pow(base, self.script())
            if self.peek().is_("OP", "_") and isinstance(base.base, Name) and base.base.sub is None:
                self.next()
                base = Pow(Name(base.base.base, self.script()), base.exp)
        while self.peek().is_("OP", "!"):
            self.next()
            base = Factorial(base)
        return base

    def postfix(self) -> Node:
        node = self.primary()
        while True:
            if self.peek().is_("OP", "!"):
                self.next()
                node = Factorial(node)
            elif self.peek().is_("OP", "'"):
                raise self.fail("primes (f') are not supported")
            else:
                return node

    def script(self) -> Node:
        """The argument of ^ or _: a braced group, or one character/command."""
        node = self._group_or_digit()
        if node is not None:
            return node
        tok = self.peek()
        if tok.kind == "LETTER":
            self.next()
            return Name(tok.text)
        if tok.kind == "OP" and tok.text in "+-":
            self.next()
            inner = self.script()
            return Neg(inner) if tok.text == "-" else inner
        if tok.kind == "OP" and tok.text == "*":
            self.next()
            return Text("*")
        if tok.kind == "CMD":
            return self.primary()
        raise self.fail("cannot read a superscript or subscript")

    def _first_digit(self, tok: Token) -> str:
        """`x^23` is x^2 * 3 in LaTeX: keep the first digit and push the rest back."""
        if len(tok.text) > 1 and tok.text[0].isdigit():
            self.tokens.insert(self.i, Token("NUM", tok.text[1:], tok.pos + 1))
            return tok.text[0]
        return tok.text

    def arg(self) -> Node:
        """A command argument: a braced group or a single token (\\frac12, \\sqrt x)."""
        node = self._group_or_digit()
        if node is not None:
            return node
        if self.peek().kind in ("LETTER", "CMD"):
            return self.primary()
        raise self.fail("missing argument")

    def _group_or_digit(self) -> Node | None:
        """What scripts and command arguments read alike: `{...}`, or one digit of `x^23` / `\\frac12`."""
        tok = self.peek()
        if tok.kind == "{":
            self.next()
            node = self.top()
            self.expect("}")
            return node
        if tok.kind == "NUM":
            self.next()
            return Num(self._first_digit(tok))
        return None

    def primary(self) -> Node:
        tok = self.next()
        kind = tok.kind
        if kind == "NUM":
            return Num(tok.text)
        if kind == "LETTER":
            name = self._name(tok.text)
            if isinstance(name, Name) and name.sub is None and self.peek().kind == "(":
                self.next()
                inner = self.top()
                self.expect(")")
                args = inner.items if isinstance(inner, Seq) else (inner,)
                return Apply(name, tuple(args))
            return name
        if kind in ("(", "[", "{", "LSET"):
            if kind in ("(", "[") and self.peek().kind in (")", "]"):
                raise self.fail("empty brackets")
            node = self.top()
            close = self.next()
            if CLOSERS.get(close.kind) != kind and not (kind in "([" and close.kind in ")]"):
                raise self.fail(f"bracket {tok.text!r} closed by {close.text or 'end'!r}")
            return node
        if kind == "BAR":
            self.abs_depth += 1
            node = self.expr()
            self.abs_depth -= 1
            self.expect("BAR")
            return Func("abs", (node,))
        if kind == "TEXT":
            content = tok.text
            if len(content) == 1 and content.isalpha():
                return self._name(content)
            return Text(content)
        if kind == "CMD":
            return self._command(tok.text)
        raise self.fail(f"unexpected {tok.text or 'end of formula'!r}")

    def _name(self, base: str) -> Node:
        if self.peek().is_("OP", "_"):
            self.next()
            return Name(base, self.script())
        return Name(base)

    def _command(self, name: str) -> Node:
        if name in FRACTIONS:
            return Div(self.arg(), self.arg())
        if name == "sqrt":
            index = None
            if self.peek().kind == "[":
                self.next()
                index = self.expr()
                self.expect("]")
            return Root(self.arg(), index)
        if name in BINOMIALS:
            return Func("binom", (self.arg(), self.arg()))
        if name in ("sum", "prod"):
            return self._big(name)
        if name in ("max", "min"):
            return self._maxmin(name)
        if name in FUNCTIONS:
            return self._function(name)
        if name in GREEK:
            return self._name(name)
        if name in ("infty", "infin"):
            return Const("oo")
        if name == "pi":
            return Const("pi")
        if name in ("mathbb",):
            self.i -= 1
            return self.set_()
        raise self.fail(f"unsupported LaTeX command \\{name}")

    def _maxmin(self, name: str) -> Node:
        tok = self.next()
        if tok.kind not in ("(", "LSET", "{", "["):
            raise self.fail(f"\\{name} needs a bracketed list")
        node = self.top()
        close = self.next()
        if close.kind not in (")", "RSET", "}", "]"):
            raise self.fail(f"unclosed \\{name}")
        args = node.items if isinstance(node, Seq) else (node,)
        return Func(name, tuple(args))

    def _function(self, name: str) -> Node:
        power = base = None
        while self.peek().kind == "OP" and self.peek().text in "^_":
            if self.next().text == "^":
                power = self.script()
            else:
                base = self.script()
        if self.peek().kind == "(":
            self.next()
            arg = self.expr()
            self.expect(")")
        else:
            arg = self.implicit(stop_at_functions=True)
        return Func(name, (arg,), power, base)

    def _big(self, op: str) -> Node:
        lower = upper = None
        while self.peek().kind == "OP" and self.peek().text in "^_":
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
