r"""A second reading of a statement, made without the formal record, to check points against.

The formalizer's record is what the engine searched; if it dropped a condition ("acute"), every
point it produces can lie outside the problem. This module reads the statement again, by other
rules (its own segmentation, its own word list and attribution, the strict formula front-end of
the LaTeX reader, `read_formula`, which refuses what it cannot read faithfully; the statement
front-end only for sums and ellipses the strict one refuses), into a list of conditions over the
statement's own names and the compared expressions. Independence is in the reading of the prose,
where conditions get dropped; both readers share QED's one LaTeX parser for formulas. What it cannot
read it lists in `unread`; a check against a reading with anything unread confirms nothing.

Words are attached to the list of names they describe by position: "$a, b$ be positive reals"
(backwards, across "be"/"are"), "positive reals $a, b$" (forwards, across a few words). Triangle
words apply to the one triangle of the statement. Sentences about the equality case are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy as sp
from qed.verifiers.latex import ANSWER, FORMULA, LatexError, read_formula, read_statement

_MATH = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]|\$(.+?)\$|\\\((.+?)\\\)", re.S)
_OPTIONS = re.compile(r"\n\s*Options\s*:|\n\s*\(A\)\s*\$\\leq", re.S)
_BLANK = re.compile(r"\((?:\s|\\quad|\\qquad|\\[,;: ]|~)*\)")
_NAME = r"(?:\\[a-zA-Z]+|[A-Za-z])(?:\s*_\s*(?:\{\s*\\?[A-Za-z0-9]+\s*\}|\\[a-zA-Z]+|[A-Za-z0-9]))?"
_LIST = re.compile(
    rf"^\s*({_NAME}(?:\s*,\s*(?:{_NAME}|\\[lc]?dots))*)\s*"
    r"(?:(\\geq?|\\leq?|\\geqslant|\\leqslant|>|<|\\neq|\\ne|\\in)\s*(.+?))?\s*[.,;]?\s*$",
    re.S,
)
_REL_SPLIT = re.compile(r"((?:\\leqslant|\\geqslant|\\leq|\\geq|\\neq|\\le|\\ge|\\ne|\\lt|\\gt)(?![a-zA-Z])|<|>|=)")
_OPS = {"\\leq": "<=", "\\le": "<=", "\\leqslant": "<=", "\\geq": ">=", "\\ge": ">=", "\\geqslant": ">=",
        "\\neq": "!=", "\\ne": "!=", "\\lt": "<", "\\gt": ">", "<": "<", ">": ">", "=": "="}
_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "theta", "lambda", "mu", "phi", "psi", "omega",
          "varphi", "rho", "sigma", "tau", "xi", "eta", "zeta", "kappa", "nu", "chi"}

_EQUALITY_SENTENCE = re.compile(r"\bequality\b|\b(?:attained|achieved)\b", re.I)
_QUESTION_SENTENCE = re.compile(r"determine the correct|fill in the blank|\boptions?\b", re.I)

# Words this reader knows; anything in _UNKNOWN is a restriction it cannot apply.
_SIGN = (
    (re.compile(r"\bnon-?\s?negative\b", re.I), ">=", 0),
    (re.compile(r"\bnon-?\s?positive\b", re.I), "<=", 0),
    (re.compile(r"(?<!non-)(?<!non)\bpositive\b", re.I), ">", 0),
    (re.compile(r"(?<!non-)(?<!non)\bnegative\b", re.I), "<", 0),
)
_NUMBER = r"(-?\d+(?:\.\d+)?(?:/\d+)?)"
_PROSE_BOUND = (
    (re.compile(r"\b(?:greater|larger|bigger)\s+than\s+" + _NUMBER, re.I), ">"),
    (re.compile(r"\b(?:at\s+least|no\s+less\s+than|not\s+less\s+than)\s+" + _NUMBER, re.I), ">="),
    (re.compile(r"\b(?:less|smaller)\s+than\s+" + _NUMBER, re.I), "<"),
    (re.compile(r"\b(?:at\s+most|no\s+more\s+than|not\s+more\s+than|not\s+exceeding)\s+" + _NUMBER, re.I), "<="),
    (re.compile(r"\b(?:different\s+from|not\s+equal\s+to|other\s+than|distinct\s+from)\s+" + _NUMBER, re.I), "!="),
)
_NONZERO = re.compile(r"\bnon-?\s?zero\b|\bnot\s+zero\b", re.I)
_INTEGER = re.compile(r"\bintegers?\b|\bnatural\s+numbers?\b|\bwhole\s+numbers?\b", re.I)
_DISTINCT = re.compile(r"\b(?:pairwise\s+)?(?:distinct|different)\b(?!\s*(?:from|than))|\bunequal\b", re.I)
_SIDES = re.compile(r"\bsides?\b|\bside[- ]lengths?\b|\blengths\s+of\s+the\s+sides\b", re.I)
_ANGLES = re.compile(r"\bangles?\b", re.I)
_TRIANGLE = re.compile(r"\btriangles?\b", re.I)
_KIND = re.compile(r"\b(acute|obtuse|right|isosceles|equilateral|scalene)(?:-angled|\s+angled)?\b(?=[^.]*\btriangle)", re.I)
_UNKNOWN = re.compile(
    r"\b(?:rational|irrational|primes?|odd|even\s+(?:integers?|numbers?)|not\s+all|circles?|"
    r"quadrilaterals?|polygons?|tetrahedr\w*|convex|concave|inscribed|(?:non-?\s?)?increasing|"
    r"(?:non-?\s?)?decreasing|ordered|sorted|monoton\w*|sequence|between|exceeds?|complex)\b",
    re.I,
)
_SUM_IS = re.compile(
    r"\b(?:adds?|sums?)\s+up\s+to\s+" + _NUMBER + r"|\bsums?\s+to\s+" + _NUMBER
    + r"|\b(?:whose|their|with|the)\s+sum\s+(?:is|equals|equal\s+to|being|of)\s+" + _NUMBER, re.I)
_PRODUCT_IS = re.compile(r"\b(?:whose|their|with|the)\s+product\s+(?:is|equals|equal\s+to|being|of)\s+" + _NUMBER, re.I)
_ROLE_WORDS = re.compile(
    r"(semi-?perimeters?)|(perimeters?)|(areas?)|(circum-?radi(?:us|i)|radius of the circum\w*)"
    r"|(in-?radi(?:us|i)|radius of the in\w*)|(bisectors?)|(medians?)|(altitudes?|heights?)", re.I)
_ROLES = ("semiperimeter", "perimeter", "area", "circumradius", "inradius", "bisector", "median", "altitude")
_TRIANGLE_NAME = re.compile(r"(?:\\triangle|triangles?)\s*\$?\s*((?:[A-Z](?:\s*_\s*\{?\s*\d+\s*\}?)?\s*){3})(?![a-z])")
_GIVEN = re.compile(r"\b(semi-?perimeter|perimeter|area|circumradius|inradius)\s+(?:is\s+|equals?\s+|"
                    r"equal\s+to\s+|of\s+)?" + _NUMBER + r"(?![\d.])", re.I)
_CONSTANT = (
    re.compile(r"\bconstants?\s*\$\s*(" + _NAME + r")\s*\$", re.I),
    re.compile(r"\b(?:largest|greatest|maximal|maximum|biggest|smallest|least|minimal|minimum|best|optimal)"
               r"\s+(?:possible\s+)?(?:positive\s+|non-?negative\s+)?(?:real\s+)?"
               r"(?:number|value|constant|coefficient|parameter|integer)?\s*(?:of\s+)?\$\s*(" + _NAME + r")\s*\$", re.I),
)


@dataclass
class Condition:
    """One thing the statement says, as sympy relations over its own names; `any_of` is true when
    one of its relations holds (a right angle at some vertex), otherwise all must hold."""

    source: str
    relations: list[sp.Basic]
    any_of: bool = False
    integer: list[sp.Symbol] = field(default_factory=list)  # names that must be integers


@dataclass
class Reread:
    kind: str
    conditions: list[Condition] = field(default_factory=list)
    definitions: list[tuple[sp.Symbol, sp.Expr]] = field(default_factory=list)
    lhs: sp.Expr | None = None
    rhs: sp.Expr | None = None
    relation: sp.Basic | None = None  # bound problems: the inequality with the constant
    constant: sp.Symbol | None = None
    constant_conditions: list[Condition] = field(default_factory=list)
    families: dict[str, str] = field(default_factory=dict)  # x -> "n": x_1 .. x_n
    unread: list[str] = field(default_factory=list)
    readers: set[str] = field(default_factory=set)

    @property
    def complete(self) -> bool:
        return not self.unread


@dataclass
class _Piece:
    kind: str  # "text" or "math"
    text: str
    sentence: int = 0


def sym(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


def _norm_name(raw: str) -> str:
    return re.sub(r"[\s{}\\]", "", raw)


def _pieces(statement: str) -> list[_Piece]:
    m = _OPTIONS.search(statement)
    text = statement[: m.start()] if m else statement
    out: list[_Piece] = []
    pos = 0
    for mm in _MATH.finditer(text):
        if mm.start() > pos:
            out.append(_Piece("text", text[pos : mm.start()]))
        body = next(g for g in mm.groups() if g is not None)
        if re.fullmatch(r"\s*-?\d+(?:\.\d+)?\s*", body) and mm.group(1) is None and mm.group(2) is None:
            out.append(_Piece("text", body.strip()))  # $1$ reads as a word: "different from 1"
        else:
            out.append(_Piece("math", body.strip()))
            if mm.group(1) is not None or mm.group(2) is not None:
                out.append(_Piece("text", "\n\n"))  # a display ends the sentence around it
        pos = mm.end()
    if pos < len(text):
        out.append(_Piece("text", text[pos:]))
    merged: list[_Piece] = []
    for p in out:
        if merged and p.kind == "text" and merged[-1].kind == "text":
            merged[-1] = _Piece("text", merged[-1].text + " " + p.text)
        else:
            merged.append(p)
    sentence = 0
    split: list[_Piece] = []
    for p in merged:
        if p.kind == "math":
            p.sentence = sentence
            split.append(p)
            continue
        parts = re.split(r"(?<=[.?!])\s+|\n\s*\n", p.text)
        for j, part in enumerate(parts):
            if j > 0:
                sentence += 1
            split.append(_Piece("text", part, sentence))
    return split


class _Formulas:
    """Formula reading: the strict front-end first (what the judges use); the statement front-end,
    evaluated by the formalizer's context, only for sums and ellipses the strict one refuses."""

    def __init__(self, rr: Reread) -> None:
        self.rr = rr
        self.euler = True

    def expr(self, src: str, names: dict[str, sp.Symbol], families: dict[str, list[sp.Symbol]]) -> sp.Expr:
        try:
            value = read_formula(src, ANSWER if self.euler else FORMULA).expr
            self.rr.readers.add("latex.read_formula")
            return value
        except LatexError as first:
            fallback = self._formalizer(src, names, families)
            if fallback is None:
                raise ValueError(str(first)) from None
            self.rr.readers.add("latex.read_statement + formalize.evaluate (sums, ellipses)")
            return fallback

    def _formalizer(self, src: str, names: dict[str, sp.Symbol], families: dict[str, list[sp.Symbol]]):
        from qed.verifiers.formalize.evaluate import Context, evaluate

        try:
            node = read_statement(src)
            ctx = Context(names=dict(names))
            groups = [list(members) for members in families.values() if members]
            # the asked constant is no variable of a cyclic sum: "sum (1 + a^2)..." over a, b, c with
            # C asked for cycles a -> b -> c, not a -> b -> c -> C
            constant = self.rr.constant.name if self.rr.constant is not None else None
            plain = [s for n, s in names.items() if "_" not in n and n != constant]
            ctx.cyclic_groups = groups + ([plain] if len(plain) > 1 else [])
            for base, members in families.items():
                ctx.indices.setdefault(self.rr.families.get(base, "n"), len(members))
            return evaluate(node, ctx)
        except (LatexError, KeyError, TypeError, ValueError, ArithmeticError, RecursionError):
            return None


def _split_relation(src: str) -> tuple[list[str], list[str]]:
    """Sides and operators of a chain, split only outside braces (not at `\\sum_{i=1}`)."""
    sides, ops, depth, last = [], [], 0, 0
    for m in re.finditer(r"[{}]|" + _REL_SPLIT.pattern, src):
        tok = m.group(0)
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
        elif depth == 0:
            sides.append(src[last : m.start()])
            ops.append(_OPS[tok])
            last = m.end()
    sides.append(src[last:])
    return sides, ops


def _relational(op: str, a: sp.Expr, b: sp.Expr) -> sp.Basic:
    return {"<": sp.StrictLessThan, "<=": sp.LessThan, ">": sp.StrictGreaterThan, ">=": sp.GreaterThan,
            "=": sp.Equality, "!=": sp.Unequality}[op](a, b, evaluate=False)


class _Reader:
    def __init__(self, statement: str, kind: str, values: dict[str, sp.Expr]) -> None:
        self.rr = Reread(kind)
        self.pieces = _pieces(statement)
        self.values = values  # names the point gives (family sizes come from here)
        self.formulas = _Formulas(self.rr)
        self.lists: dict[int, list[str]] = {}  # piece index -> names it declares
        self.declared: dict[str, None] = {}
        self.integers: set[str] = set()
        self.triangle_sides: list[str] | None = None
        self.triangle_angles: list[str] | None = None
        self.vertices: str | None = None
        self.quantities: dict[str, tuple[str, int | None]] = {}
        self.equations: list[tuple[str, str, str]] = []  # (left src, op, right src)
        self.main = -1
        self._about_a_triangle = any(p.kind == "text" and _TRIANGLE.search(p.text) for p in self.pieces)

    # -- names -------------------------------------------------------------------------------

    def _family_members(self, base: str) -> list[str]:
        members, k = [], 1
        while f"{base}_{k}" in self.values:
            members.append(f"{base}_{k}")
            k += 1
        return members

    def _list_names(self, raw: str) -> list[str] | None:
        """The names a list stands for, families expanded with the size the point gives."""
        items = [x.strip() for x in raw.split(",")]
        names: list[str] = []
        for j, item in enumerate(items):
            if re.fullmatch(r"\\[lc]?dots", item):
                if j + 1 >= len(items):
                    return None
                last = _norm_name(items[j + 1])
                base, _, upper = last.partition("_")
                members = self._family_members(base)
                if not members:
                    return None
                self.rr.families[base] = upper
                names = [n for n in names if not n.startswith(base + "_")] + members
                continue
            name = _norm_name(item)
            if j > 0 and re.fullmatch(r"\\[lc]?dots", items[j - 1]):
                continue
            if name.lstrip("\\") in ("ldots", "cdots", "dots"):
                return None
            if "_" not in name and len(name) > 1 and name not in _GREEK:
                return None
            names.append(name)
        return names

    def _symbols(self) -> tuple[dict[str, sp.Symbol], dict[str, list[sp.Symbol]]]:
        names = {n: sym(n) for n in self.values}
        names.update({n: sym(n) for n in self.declared})
        for n, _ in self.rr.definitions:
            names[n.name] = n
        families = {base: [sym(m) for m in self._family_members(base)] for base in self.rr.families}
        return names, families

    def _expr(self, src: str) -> sp.Expr:
        names, families = self._symbols()
        self.formulas.euler = "e" not in names  # e is Euler's number unless the statement names a variable e
        value = self.formulas.expr(src, names, families)
        by_name = {s.name: sym(s.name) for s in value.free_symbols}
        return value.xreplace({s: by_name[s.name] for s in value.free_symbols})

    # -- reading -----------------------------------------------------------------------------

    def read(self) -> Reread:
        skip = self._skipped_sentences()
        self._find_main()
        for k, p in enumerate(self.pieces):
            if k == self.main or p.sentence in skip:
                continue
            if p.kind == "math":
                self._math(k, p.text)
        for k, p in enumerate(self.pieces):
            if p.kind == "text" and p.sentence not in skip:
                self._words(k, p.text)
        self._triangle(skip)
        self._equations()
        self._main_formula()
        return self.rr

    def _skipped_sentences(self) -> set[int]:
        out = set()
        for p in self.pieces:
            if p.kind == "text" and (_EQUALITY_SENTENCE.search(p.text) or _QUESTION_SENTENCE.search(p.text)):
                out.add(p.sentence)
        # "... with equality when $a = b$": the formula after the word is in the same sentence
        return out

    def _find_main(self) -> None:
        if self.rr.kind == "relation":
            for k, p in enumerate(self.pieces):
                if p.kind == "math" and _BLANK.search(p.text):
                    self.main = k
                    return
            self.rr.unread.append("no display with a blank '()'")
            return
        prose = " ".join(f"${p.text}$" if p.kind == "math" else p.text for p in self.pieces)
        for pattern in _CONSTANT:
            m = pattern.search(prose)
            if m:
                self.rr.constant = sym(_norm_name(m.group(1)))
                break
        if self.rr.constant is None:
            self.rr.unread.append("which constant is asked for")
            return
        for k in range(len(self.pieces) - 1, -1, -1):
            p = self.pieces[k]
            if p.kind == "math" and _split_relation(p.text)[1] and self._mentions_constant(p.text):
                self.main = k
                return
        self.rr.unread.append(f"the inequality with {self.rr.constant}")

    def _mentions_constant(self, text: str) -> bool:
        c = self.rr.constant.name
        for side in _split_relation(text)[0]:
            try:
                if any(x.name == c for x in read_formula(side).expr.free_symbols):
                    return True
            except LatexError:
                if re.search(rf"(?<![A-Za-z\\]){re.escape(c)}(?![a-z])", side):
                    return True
        return False

    def _math(self, k: int, text: str) -> None:
        text = re.sub(r"\\(?:quad|qquad|text\{[^}]*\}|,|;|!)", " ", text).strip().rstrip(".,;")
        if not text or re.fullmatch(r"(?:\\triangle\s*)?[A-Z](?:_\d)?\s*[A-Z](?:_\d)?\s*[A-Z](?:_\d)?", text):
            if text:
                self.vertices = self.vertices or re.sub(r"[^A-Z]", "", text)
            return
        if re.fullmatch(r"-?\d+(?:\.\d+)?", text):
            return
        if re.fullmatch(r"\s*(?:\\left)?\s*[(\[].*,.*[)\]]\s*", text) and not _split_relation(text)[1]:
            # "real numbers in the interval $[0, 1]$": the interval of the names before it
            before = self.pieces[k - 1].text if k > 0 and self.pieces[k - 1].kind == "text" else ""
            owner = k - 2 if k >= 2 and (k - 2) in self.lists else None
            if owner is not None and re.search(r"\b(?:in|inside|from|belongs?\s+to|lies?\s+in)\s+(?:the\s+)?(?:open\s+|closed\s+)?(?:interval|range)?\s*$", before, re.I) and len(before) < 90:
                self._membership(self._joined(owner, forward=False), text, text)
            else:
                self.rr.unread.append(f"the interval ${text}$")
            return
        if re.fullmatch(r"[a-zA-Z]\s*=\s*1\s*,\s*2\s*,.*", text):
            return  # an index range: i = 1, 2, ..., n
        ranged = re.fullmatch(r"(.+?),\s*([a-z])\s*=\s*1\s*,\s*2\s*,\s*\\[lc]?dots\s*,\s*([a-zA-Z0-9]+)", text)
        if ranged:
            head, index, upper = ranged.groups()
            m = re.fullmatch(r"\s*(\\?[A-Za-z]+)\s*_\s*\{?\s*" + index + r"\s*\}?\s*(.*)", head)
            if m:
                base = _norm_name(m.group(1))
                self.rr.families[base] = upper
                members = self._family_members(base)
                q = re.fullmatch(r"\s*(\\geq?|\\leq?|>|<)\s*(.+)", m.group(2))
                if members and q:
                    self.lists[k] = members
                    for n in members:
                        self.declared.setdefault(n, None)
                    self._qualifier(members, _OPS[q.group(1)], q.group(2).strip(), text)
                    return
            self.rr.unread.append(f"the family in ${text}$")
            return
        m = _LIST.match(text)
        if m and m.group(3) and m.group(2) != "\\in" and _split_relation(m.group(3))[1]:
            m = None  # a >= b >= c > 0: a chain, read link by link below
        if m:
            names = self._list_names(m.group(1))
            if names is not None:
                self.lists[k] = names
                for n in names:
                    self.declared.setdefault(n, None)
                if m.group(2):
                    self._qualifier(names, _OPS.get(m.group(2), m.group(2)), m.group(3).strip(), text)
                return
        sides, ops = _split_relation(text)
        if not ops:
            if re.search(r"[<>=]|\\(?:le|ge|ne|in)\b", text):
                self.rr.unread.append(f"the condition ${text}$")
            return  # a mention: C, \triangle ABC
        if "!=" in ops and len(ops) > 1:
            self.rr.unread.append(f"the condition ${text}$")
            return
        for j, op in enumerate(ops):
            self.equations.append((sides[j], op, sides[j + 1]))
        # names in an ordering chain (a >= b >= c > 0) are being declared
        if "=" not in ops:
            for s in sides:
                n = s.strip()
                if re.fullmatch(_NAME, n):
                    self.declared.setdefault(_norm_name(n), None)

    def _qualifier(self, names: list[str], op: str, rhs: str, text: str) -> None:
        if op == "\\in":
            self._membership(names, rhs, text)
            return
        try:
            value = self._expr(rhs)
        except ValueError:
            self.rr.unread.append(f"the bound in ${text}$")
            return
        if value.free_symbols:
            for n in names:
                self.equations.append((n, op, rhs))
            return
        self._add(f"${text}$", [_relational(op, sym(n), value) for n in names])

    def _membership(self, names: list[str], rhs: str, text: str) -> None:
        src = f"${text}$"
        interval = re.fullmatch(r"\s*(?:\\left)?\s*([(\[])\s*(.+?)\s*,\s*(.+?)\s*(?:\\right)?\s*([)\]])\s*", rhs)
        if interval:
            lo_src, hi_src = interval.group(2), interval.group(3)
            rels: list[sp.Basic] = []
            for s, bound, closed in ((lo_src, ">", interval.group(1) == "["), (hi_src, "<", interval.group(4) == "]")):
                if re.fullmatch(r"[+-]?\\infty", s.strip()):
                    continue
                try:
                    value = self._expr(s)
                except ValueError:
                    self.rr.unread.append(f"the interval in {src}")
                    return
                op = bound + ("=" if closed else "")
                rels += [_relational(op, sym(n), value) for n in names]
            self._add(src, rels)
            return
        m = re.fullmatch(r"\s*\\mathbb\s*\{?\s*([RNZQ])\s*\}?\s*(.*)", rhs)
        if not m:
            self.rr.unread.append(f"the set in {src}")
            return
        letter, q = m.group(1), re.sub(r"[\s{}^_]", "", m.group(2))
        if letter == "R":
            if q in ("", "1"):
                return
            if "+" in q and "0" in q or q in (">=0", "\\geq0", "\\ge0"):
                self._add(src, [sp.Ge(sym(n), 0) for n in names])
            elif q in ("+", ">0", "*+", "+*", ">"):
                self._add(src, [sp.Gt(sym(n), 0) for n in names])
            elif q in ("-", "<0"):
                self._add(src, [sp.Lt(sym(n), 0) for n in names])
            else:
                self.rr.unread.append(f"the set in {src}")
        elif letter in ("N", "Z"):
            low = None
            if letter == "N":
                low = 0 if "0" in q else 1
            elif q in ("+", ">0", "*+", "+*"):
                low = 1
            elif q in ("+0", ">=0", "0+", "\\geq0"):
                low = 0
            elif q:
                self.rr.unread.append(f"the set in {src}")
                return
            self.integers.update(names)
            cond = Condition(src, [sp.Ge(sym(n), low) for n in names] if low is not None else [],
                             integer=[sym(n) for n in names])
            self.rr.conditions.append(cond)
        else:
            self.rr.unread.append(f"the set in {src}")

    def _add(self, source: str, relations: list[sp.Basic], any_of: bool = False) -> None:
        if relations:
            self.rr.conditions.append(Condition(source, relations, any_of))

    # -- words -------------------------------------------------------------------------------

    def _target(self, k: int, start: int, end: int) -> list[str] | None:
        """The names a word at [start, end) of text piece k describes (see the module docstring)."""
        text = self.pieces[k].text
        sentence = self.pieces[k].sentence
        after = text[end:]
        before = text[:start]
        prv = k - 1
        if prv >= 0 and prv in self.lists and self.pieces[prv].sentence == sentence and re.match(
            r"\s*,?\s*(?:be|are|is|being|both|all|each)\b[^.;]{0,60}$", before, re.I
        ) and not re.search(r"\b(?:such that|satisfying|with|where|which|whose|if|for|and)\b", before, re.I):
            return self._joined(prv, forward=False)  # "$x, y$ be positive reals and ..."
        nxt = k + 1
        if (
            nxt < len(self.pieces) and nxt in self.lists and self.pieces[nxt].sentence == sentence
            and re.fullmatch(r"[\s\w-]{0,45}", after) and len(after.split()) <= 5
            and not re.search(r"\band\b", after, re.I)
        ):
            return self._joined(nxt, forward=True)
        if (
            prv >= 0 and prv in self.lists and self.pieces[prv].sentence == sentence and len(before) <= 90
            and not re.search(r"\b(?:such that|satisfying|with|where|which|whose|if|for)\b|[.;:]", before, re.I)
        ):
            return self._joined(prv, forward=False)
        return None

    def _joined(self, k: int, forward: bool) -> list[str]:
        """Name lists joined by "and" or a comma form one group: "$a, b$ and $c$ be positive"."""
        names = list(self.lists[k])
        step = 2 if forward else -2
        j = k
        while 0 <= j + step < len(self.pieces) and (j + step) in self.lists:
            between = self.pieces[j + step // 2]
            if between.kind != "text" or not re.fullmatch(r"\s*(?:,|and|,\s*and)\s*", between.text):
                break
            j += step
            names = (self.lists[j] + names) if not forward else (names + self.lists[j])
        return names

    def _words(self, k: int, text: str) -> None:
        found: list[tuple[int, int, str]] = []
        for pattern, op, value in _SIGN:
            for m in pattern.finditer(text):
                found.append((m.start(), m.end(), f"sign:{op}:{value}"))
        for pattern, op in _PROSE_BOUND:
            for m in pattern.finditer(text):
                found.append((m.start(), m.end(), f"sign:{op}:{m.group(1)}"))
        for m in _NONZERO.finditer(text):
            found.append((m.start(), m.end(), "sign:!=:0"))
        for m in _INTEGER.finditer(text):
            found.append((m.start(), m.end(), "integer"))
        for m in _DISTINCT.finditer(text):
            found.append((m.start(), m.end(), "distinct"))
        for m in _UNKNOWN.finditer(text):
            self.rr.unread.append(f"the word '{m.group(0)}'")
        found.sort()
        for start, end, what in found:
            names = self._target(k, start, end)
            word = text[start:end]
            if names is None:
                if self._about_constant(k, start, end):
                    self._constant_word(what, word)
                    continue
                self.rr.unread.append(f"whom '{word}' is about")
                continue
            if self.rr.constant is not None and names == [self.rr.constant.name]:
                self._constant_word(what, word)
                continue
            self._apply_word(what, word, names)
        for pattern, combine in ((_SUM_IS, sp.Add), (_PRODUCT_IS, sp.Mul)):
            for m in pattern.finditer(text):
                names = self._target(k, m.start(), m.start()) or (self._joined(k - 1, False) if k - 1 in self.lists else None)
                if names is None:
                    self.rr.unread.append(f"whose '{m.group(0)}'")
                    continue
                value = sp.Rational(next(g for g in m.groups() if g is not None))
                self._add(f"'{m.group(0)}'", [sp.Eq(combine(*[sym(n) for n in names]), value)])
        # words naming sides, angles and quantities of a triangle
        if self._about_a_triangle or self.vertices:
            prv = k - 1 if k - 1 in self.lists else None
            if prv is not None and self.pieces[prv].sentence == self.pieces[k].sentence:
                names = self._joined(prv, forward=False)
                lead = text[:80]
                roles = [_ROLES[m.lastindex - 1] for m in _ROLE_WORDS.finditer(lead.split(" such that")[0])]
                if roles and not _SIDES.search(lead[: _ROLE_WORDS.search(lead).start()] if _ROLE_WORDS.search(lead) else lead):
                    if self._other_triangle(k):
                        self.rr.unread.append(f"the quantities {', '.join(names)} of another triangle")
                    else:
                        self._quantities(names, roles)
                elif _SIDES.search(lead) and len(names) == 3:
                    self.triangle_sides = names
                elif _ANGLES.search(lead) and len(names) == 3 and not re.search(r"bisector", lead, re.I):
                    self.triangle_angles = names

    def _triangle_names(self) -> list[str]:
        prose = " ".join(f"${p.text}$" if p.kind == "math" else p.text for p in self.pieces)
        return [re.sub(r"[^A-Z0-9]", "", m.group(1)) for m in _TRIANGLE_NAME.finditer(prose)]

    def _other_triangle(self, k: int) -> bool:
        """A triangle other than the statement's first is named in this sentence."""
        names = self._triangle_names()
        if not names:
            return False
        sentence = " ".join(f"${p.text}$" if p.kind == "math" else p.text for p in self.pieces
                            if p.sentence == self.pieces[k].sentence)
        here = [re.sub(r"[^A-Z0-9]", "", m.group(1)) for m in _TRIANGLE_NAME.finditer(sentence)]
        return any(t != names[0] for t in here)

    def _about_constant(self, k: int, start: int, end: int) -> bool:
        if self.rr.constant is None:
            return False
        nxt = k + 1
        after = self.pieces[k].text[end:]
        return (
            nxt < len(self.pieces) and self.pieces[nxt].kind == "math"
            and _norm_name(self.pieces[nxt].text) == self.rr.constant.name and len(after.split()) <= 5
        )

    def _constant_word(self, what: str, word: str) -> None:
        c = self.rr.constant
        if what.startswith("sign:"):
            _, op, value = what.split(":")
            self.rr.constant_conditions.append(Condition(f"'{word}' constant", [_relational(op, c, sp.Rational(value))]))
        elif what == "integer":
            self.rr.constant_conditions.append(Condition(f"'{word}' constant", [], integer=[c]))
        else:
            self.rr.unread.append(f"'{word}' said of the constant")

    def _apply_word(self, what: str, word: str, names: list[str]) -> None:
        if what.startswith("sign:"):
            _, op, value = what.split(":")
            self._add(f"'{word}'", [_relational(op, sym(n), sp.Rational(value)) for n in names])
        elif what == "integer":
            self.integers.update(names)
            self.rr.conditions.append(Condition(f"'{word}'", [], integer=[sym(n) for n in names]))
        elif what == "distinct":
            syms = [sym(n) for n in names]
            self._add(f"'{word}'", [sp.Ne(u, v) for i, u in enumerate(syms) for v in syms[i + 1 :]])

    def _quantities(self, names: list[str], roles: list[str]) -> None:
        labels = {"a": 0, "b": 1, "c": 2, "A": 0, "B": 1, "C": 2, "alpha": 0, "beta": 1, "gamma": 2,
                  "1": 0, "2": 1, "3": 2}
        if len(set(roles)) == 1 and roles[0] in ("bisector", "median", "altitude"):
            for n in names:
                label = n.rpartition("_")[2]
                if label not in labels:
                    self.rr.unread.append(f"which vertex {n} belongs to")
                    return
                self.quantities[n] = (roles[0], labels[label])
        elif len(roles) == len(names):
            for n, r in zip(names, roles, strict=True):
                self.quantities[n] = (r, None)
        else:
            self.rr.unread.append(f"which of {', '.join(names)} is which quantity")
            return
        for n in names:
            self.declared.pop(n, None)

    # -- triangles ---------------------------------------------------------------------------

    def _triangle(self, skip: set[int]) -> None:
        prose = " ".join(p.text for p in self.pieces if p.kind == "text" and p.sentence not in skip)
        if not (_TRIANGLE.search(prose) or self.triangle_sides or self.triangle_angles or self.quantities):
            return
        m = re.search(r"(?:\\triangle|triangles?)\s*\$?\s*([A-Z])\s*([A-Z])\s*([A-Z])(?![a-z])", " ".join(
            f"${p.text}$" if p.kind == "math" else p.text for p in self.pieces))
        letters = "".join(m.groups()) if m else (self.vertices or "ABC")
        if len(letters) != 3:
            letters = "ABC"
        used = self._main_names()
        sides = self.triangle_sides
        if sides is None and (any(x.lower() in used for x in letters) or self.quantities):
            lower = [x.lower() for x in letters]
            if all(x in used or x in self.values for x in lower) or self.quantities:
                sides = lower
        angles = self.triangle_angles
        clash = self.rr.constant is not None and self.rr.constant.name in (angles or letters)
        if angles is None and any(x in used for x in letters if not (clash and x == self.rr.constant.name)):
            angles = list(letters)
        if angles is not None and clash:
            # "the smallest constant C ... angles A, B, C": the formula's C is the constant, unless
            # it also sits inside sin, cos, ..., where only an angle can be
            if self._constant_in_function():
                self.rr.unread.append(f"the letter {self.rr.constant} is both the constant and an angle")
                return
            angles = [f"{x}_angle" if x == self.rr.constant.name else x for x in angles]
            self.declared.pop(self.rr.constant.name, None)
        kinds = {m.group(1).lower() for m in _KIND.finditer(prose)}
        if sides is None and angles is None:
            self.rr.unread.append("which names are the triangle's sides or angles")
            return
        if sides is not None:
            a, b, c = (sym(n) for n in sides)
            self._add("triangle sides", [sp.Gt(a, 0), sp.Gt(b, 0), sp.Gt(c, 0), sp.Lt(a, b + c), sp.Lt(b, c + a), sp.Lt(c, a + b)])
            for n in sides:
                self.declared.setdefault(n, None)
            if angles is None:
                for vertex, name in enumerate(letters):
                    if name in used and name not in self.values and not (
                        self.rr.constant is not None and name == self.rr.constant.name
                    ):
                        u, v, w = (sym(sides[(vertex + i) % 3]) for i in range(3))
                        self.rr.definitions.append((sym(name), sp.acos((v**2 + w**2 - u**2) / (2 * v * w))))
            self._quantity_definitions(sides)
            for m in _GIVEN.finditer(prose):
                role = m.group(1).lower().replace("-", "")
                self._add(f"the {role} is {m.group(2)}", [sp.Eq(_quantity(role, [a, b, c], None), sp.Rational(m.group(2)))])
        if angles is not None:
            A, B, C = (sym(n) for n in angles)
            self._add("triangle angles", [sp.Gt(A, 0), sp.Gt(B, 0), sp.Gt(C, 0), sp.Lt(A, sp.pi), sp.Lt(B, sp.pi),
                                          sp.Lt(C, sp.pi), sp.Eq(A + B + C, sp.pi)])
            for n in angles:
                self.declared.setdefault(n, None)
        for kind in sorted(kinds):
            self._kind(kind, sides, angles, prose)

    def _constant_in_function(self) -> bool:
        """The constant's letter inside sin, cos, ...: there it can only be an angle."""
        text = self.pieces[self.main].text if self.main >= 0 else ""
        c = self.rr.constant.name
        for side in _split_relation(text)[0]:
            try:
                value = read_formula(side).expr
            except LatexError:
                return True  # cannot tell: treat as ambiguous
            for f in value.atoms(sp.Function):
                if any(x.name == c for x in f.free_symbols):
                    return True
        return False

    def _quantity_definitions(self, sides: list[str]) -> None:
        values = [sym(n) for n in sides]
        for name, (role, vertex) in self.quantities.items():
            self.rr.definitions.append((sym(name), _quantity(role, values, vertex)))

    def _kind(self, kind: str, sides: list[str] | None, angles: list[str] | None, prose: str) -> None:
        if sides is not None:
            a, b, c = (sym(n) for n in sides)
            sq = [(b**2 + c**2 - a**2), (c**2 + a**2 - b**2), (a**2 + b**2 - c**2)]
            pairs = [(a, b), (b, c), (c, a)]
        else:
            A, B, C = (sym(n) for n in angles)
            pairs = [(A, B), (B, C), (C, A)]
        if kind == "acute":
            rels = [sp.Gt(g, 0) for g in sq] if sides is not None else [sp.Lt(x, sp.pi / 2) for x in (A, B, C)]
            self._add("acute triangle", rels)
        elif kind == "obtuse":
            rels = [sp.Lt(g, 0) for g in sq] if sides is not None else [sp.Gt(x, sp.pi / 2) for x in (A, B, C)]
            self._add("obtuse triangle", rels, any_of=True)
        elif kind == "right":
            m = re.search(r"hypotenuse\s*(?:is\s*)?\$?\s*([a-z])\b", prose)
            if sides is not None and m and m.group(1) in sides:
                h = sym(m.group(1))
                legs = [sym(n) for n in sides if n != m.group(1)]
                self._add("right triangle", [sp.Eq(legs[0] ** 2 + legs[1] ** 2, h**2)])
            elif sides is not None:
                self._add("right triangle", [sp.Eq(g, 0) for g in sq], any_of=True)
            else:
                self._add("right triangle", [sp.Eq(x, sp.pi / 2) for x in (A, B, C)], any_of=True)
        elif kind == "isosceles":
            self._add("isosceles triangle", [sp.Eq(u, v) for u, v in pairs], any_of=True)
        elif kind == "equilateral":
            self._add("equilateral triangle", [sp.Eq(u, v) for u, v in pairs])
        elif kind == "scalene":
            self._add("scalene triangle", [sp.Ne(u, v) for u, v in pairs])

    # -- equations and the main formula -----------------------------------------------------

    def _main_names(self) -> set[str]:
        if self.main < 0:
            return set()
        text = self.pieces[self.main].text
        return {_norm_name(m.group(0)) for m in re.finditer(_NAME, text)} | set(re.findall(r"[A-Za-z]", re.sub(r"\\[a-zA-Z]+", " ", text)))

    def _equations(self) -> None:
        for left, op, right in self.equations:
            head = left.strip()
            if op == "=" and re.fullmatch(_NAME, head) and _norm_name(head) not in self.declared and _norm_name(head) not in self.values:
                if self.rr.constant is not None and _norm_name(head) == self.rr.constant.name:
                    self.rr.unread.append(f"the condition ${left} = {right}$ on the constant")
                    continue
                try:
                    self.rr.definitions.append((sym(_norm_name(head)), self._expr(right)))
                except ValueError:
                    self.rr.unread.append(f"the definition ${left} = {right}$")
                continue
            try:
                lhs, rhs = self._expr(left), self._expr(right)
            except ValueError:
                self.rr.unread.append(f"the condition ${left} {op} {right}$")
                continue
            c = self.rr.constant
            if c is not None and c in (lhs - rhs).free_symbols:
                if not (lhs - rhs).free_symbols - {c}:
                    self.rr.constant_conditions.append(Condition(f"${left} {op} {right}$", [_relational(op, lhs, rhs)]))
                    continue
                self.rr.unread.append(f"the condition ${left} {op} {right}$ with the constant")
                continue
            self._add(f"${left} {op} {right}$", [_relational(op, lhs, rhs)])

    def _main_formula(self) -> None:
        if self.main < 0:
            return
        text = self.pieces[self.main].text
        text = re.sub(r"\\(?:tag|label)\{[^}]*\}", "", text)
        text = re.sub(r"\\(?:quad|qquad|[,;:!]|displaystyle)", " ", text).strip().rstrip(".,").strip()
        try:
            if self.rr.kind == "relation":
                left, right = _BLANK.split(text, maxsplit=1)
                self.rr.lhs = self._expr(_last_link(left, first=False))
                self.rr.rhs = self._expr(_last_link(right, first=True))
            else:
                sides, ops = _split_relation(text)
                links = [(sides[j], ops[j], sides[j + 1]) for j in range(len(ops))]
                with_c = [ln for ln in links if self._mentions_constant(ln[0]) or self._mentions_constant(ln[2])]
                if len(with_c) != 1:
                    self.rr.unread.append("the inequality with the constant")
                    return
                left, op, right = with_c[0]
                self.rr.relation = _relational(op, self._expr(left), self._expr(right))
        except ValueError as e:
            self.rr.unread.append(f"the compared expressions ({e})")


def _last_link(src: str, first: bool) -> str:
    """In "0 \\leq E () 1" the side next to the blank is E; "S = E" names E."""
    sides, ops = _split_relation(src)
    if ops and all(o != "=" for o in ops):
        return sides[0] if first else sides[-1]
    if ops and ops[0] == "=" and re.fullmatch(_NAME, sides[0].strip()) and not first:
        return sides[-1]
    return src


def _quantity(role: str, sides: list[sp.Expr], vertex: int | None) -> sp.Expr:
    """Heron's formula and the rest, computed here from the side lengths (independently)."""
    a, b, c = sides
    p = a + b + c
    s = p / 2
    area = sp.sqrt(s * (s - a) * (s - b) * (s - c))
    table = {"perimeter": p, "semiperimeter": s, "area": area, "circumradius": a * b * c / (4 * area), "inradius": area / s}
    if role in table:
        return table[role]
    u = sides[vertex]
    v, w = sides[(vertex + 1) % 3], sides[(vertex + 2) % 3]
    if role == "median":
        return sp.sqrt(2 * v**2 + 2 * w**2 - u**2) / 2
    if role == "altitude":
        return 2 * area / u
    return 2 * sp.sqrt(v * w * s * (s - u)) / (v + w)  # the bisector from the vertex opposite u


def reread(statement: str, kind: str, values: dict[str, sp.Expr] | None = None) -> Reread:
    """The statement's conditions and compared expressions, read without the formal record.

    `values` are the names a point gives (only their names are used: family sizes x_1 .. x_n)."""
    try:
        return _Reader(statement, kind, dict(values or {})).read()
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as e:
        rr = Reread(kind)
        rr.unread.append(f"the statement (the second reader failed: {type(e).__name__}: {e})")
        return rr
