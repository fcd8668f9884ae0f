"""Re-verify a QED inequality certificate (format "qed-certificate/1") from its JSON alone.

This file is the independent checker: it uses Python's standard library and sympy, nothing else
(no SMT solver, no numeric search, no other QED module), so that anyone can read it and run it:

    python check.py CERT.json          # prints every step checked, then "valid" or "invalid: ..."

Expressions in the JSON are read by the small strict reader below (never by eval or sympify):

    expr    := term (("+" | "-") term)*
    term    := unary (("*" | "/") unary)*
    unary   := ("+" | "-") unary | power
    power   := atom ("^" exponent)?
    exponent:= INTEGER | "-" INTEGER | "(" ["-"] INTEGER ")"        (|exponent| <= MAX_EXPONENT)
    atom    := INTEGER | NAME | ("sqrt" | "cbrt") "(" expr ")" | "(" expr ")"

INTEGER is a run of decimal digits (rationals are written 3/2), NAME is a name declared where the
expression is read (the claim's variables and constant, a substitution's new variables, a family's
parameter); sqrt and cbrt are allowed only where the format says so (the claim and inverse maps).

What a valid certificate establishes (see verifiers/certificates/__init__.py for the whole form):
the claim `lhs REL rhs` holds at every point of the domain, i.e. every point where the stated
facts (f > 0, f >= 0, f != 0) and equalities (h = 0) hold and where every expression of the claim
is defined (no zero denominator, no negative radicand); or the claim fails at an exact point; or,
for REL "none", there are exact points of both strict signs. A proof is a tree of steps, each one
checked exactly: sums of squares times products of facts (with multipliers for the equalities),
multiplication by factors proved positive, substitutions with an inverse map, case splits over
variable orderings (with symmetries), and sums of parts proved separately.
"""

from __future__ import annotations

import itertools
import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

FORMAT = "qed-certificate/1"

# Caps: a certificate is data from anywhere; none of these limits is reached by a real certificate.
MAX_FILE_BYTES = 8_000_000
MAX_TEXT = 200_000  # characters in one expression
MAX_DIGITS = 2_000  # digits in one integer literal
MAX_EXPONENT = 48
MAX_DEGREE = 96  # a bound on the total degree of numerator and denominator of one expression
MAX_NESTING = 60  # parentheses / operators nested in one expression
MAX_VARIABLES = 12
MAX_NODES = 20_000  # proof steps in one certificate, all levels
MAX_DEPTH = 16  # proof steps nested in one another
MAX_TERMS = 20_000  # terms of one sum of squares
MAX_CASE_VARIABLES = 6
DEFAULT_SECONDS = 120.0

OPS = (">", ">=", "!=")
RELATIONS = (">=", ">", "<=", "<", "=", "none")
RESERVED = {"sqrt", "cbrt"}


class CheckFailure(Exception):
    """A step that does not hold: `step` names it, the message says why."""

    def __init__(self, step: str, why: str) -> None:
        super().__init__(why)
        self.step = step
        self.why = why


@dataclass
class Verdict:
    valid: bool
    steps: list[str] = field(default_factory=list)
    failed_step: str | None = None
    reason: str | None = None
    conclusion: str | None = None

    def describe(self) -> dict[str, Any]:
        return {"valid": self.valid, "steps": list(self.steps), "failed_step": self.failed_step, "reason": self.reason, "conclusion": self.conclusion}

    def summary(self) -> str:
        return "valid" if self.valid else f"invalid: {self.failed_step}: {self.reason}"


# ---------------------------------------------------------------------------------------------
# The expression reader
# ---------------------------------------------------------------------------------------------


class ReadError(ValueError):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\n":
            i += 1
        elif ch.isdigit():
            j = i
            while j < n and text[j].isdigit():
                j += 1
            if j - i > MAX_DIGITS:
                raise ReadError(f"an integer with more than {MAX_DIGITS} digits")
            out.append(("int", text[i:j]))
            i = j
        elif ch.isascii() and (ch.isalpha() or ch == "_"):
            j = i
            while j < n and text[j].isascii() and (text[j].isalnum() or text[j] == "_"):
                j += 1
            out.append(("name", text[i:j]))
            i = j
        elif ch in "+-*/^()":
            out.append(("op", ch))
            i += 1
        else:
            raise ReadError(f"unexpected character {ch!r} at position {i}")
    return out


class _Reader:
    """Recursive descent over the token list; builds sympy objects and a degree bound."""

    def __init__(self, text: str, names: dict[str, sp.Symbol], radicals: bool) -> None:
        if not isinstance(text, str):
            raise ReadError("an expression must be a string")
        if len(text) > MAX_TEXT:
            raise ReadError(f"an expression longer than {MAX_TEXT} characters")
        self.toks = _tokens(text)
        self.i = 0
        self.names = names
        self.radicals = radicals
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, kind: str, value: str | None = None) -> str:
        tok = self.peek()
        if tok is None or tok[0] != kind or (value is not None and tok[1] != value):
            want = value or kind
            raise ReadError(f"expected {want!r} at token {self.i}" + ("" if tok is None else f", found {tok[1]!r}"))
        self.i += 1
        return tok[1]

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ReadError(f"nesting deeper than {MAX_NESTING}")

    def read(self) -> tuple[sp.Expr, int]:
        if not self.toks:
            raise ReadError("an empty expression")
        e, d = self.expr()
        if self.peek() is not None:
            raise ReadError(f"unexpected {self.peek()[1]!r} after the expression")
        return e, d

    def expr(self) -> tuple[sp.Expr, int]:
        self.enter()
        e, d = self.term()
        while (tok := self.peek()) is not None and tok in (("op", "+"), ("op", "-")):
            self.i += 1
            f, g = self.term()
            e = e + f if tok[1] == "+" else e - f
            d = max(d, g)
        self.depth -= 1
        return e, d

    def term(self) -> tuple[sp.Expr, int]:
        e, d = self.unary()
        while (tok := self.peek()) is not None and tok in (("op", "*"), ("op", "/")):
            self.i += 1
            f, g = self.unary()
            if tok[1] == "/":
                if f == 0:
                    raise ReadError("division by zero")
                e = e / f
            else:
                e = e * f
            d = _cap(d + g)
        return e, d

    def unary(self) -> tuple[sp.Expr, int]:
        tok = self.peek()
        if tok in (("op", "-"), ("op", "+")):
            self.i += 1
            self.enter()
            e, d = self.unary()
            self.depth -= 1
            return (-e if tok[1] == "-" else e), d
        return self.power()

    def power(self) -> tuple[sp.Expr, int]:
        base, d = self.atom()
        if self.peek() == ("op", "^"):
            self.i += 1
            k = self.exponent()
            if base == 0 and k < 0:
                raise ReadError("division by zero")
            return base**k, _cap(d * abs(k))
        return base, d

    def exponent(self) -> int:
        paren = self.peek() == ("op", "(")
        if paren:
            self.i += 1
        sign = 1
        if self.peek() == ("op", "-"):
            self.i += 1
            sign = -1
        k = sign * int(self.take("int"))
        if paren:
            self.take("op", ")")
        if abs(k) > MAX_EXPONENT:
            raise ReadError(f"an exponent beyond {MAX_EXPONENT}")
        return k

    def atom(self) -> tuple[sp.Expr, int]:
        tok = self.peek()
        if tok is None:
            raise ReadError("the expression ends too early")
        if tok[0] == "int":
            self.i += 1
            return sp.Integer(int(tok[1])), 0
        if tok == ("op", "("):
            self.i += 1
            e, d = self.expr()
            self.take("op", ")")
            return e, d
        if tok[0] == "name":
            self.i += 1
            name = tok[1]
            if name in RESERVED:
                if not self.radicals:
                    raise ReadError(f"{name} is not allowed here")
                self.take("op", "(")
                e, d = self.expr()
                self.take("op", ")")
                return (sp.sqrt(e) if name == "sqrt" else sp.cbrt(e)), d
            if name not in self.names:
                raise ReadError(f"the name {name!r} is not declared here")
            return self.names[name], 1
        raise ReadError(f"unexpected {tok[1]!r}")


def _cap(d: int) -> int:
    if d > MAX_DEGREE:
        raise ReadError(f"an expression of degree beyond {MAX_DEGREE}")
    return d


def read_expr(text: Any, names: dict[str, sp.Symbol], radicals: bool = False) -> sp.Expr:
    """The sympy value of one expression string of the grammar above."""
    e, _ = _Reader(text, names, radicals).read()
    if e.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I):
        raise ReadError("the expression is not a finite real expression")
    return e


def read_rational(text: Any) -> sp.Rational:
    e = read_expr(text, {})
    if not e.is_Rational:
        raise ReadError(f"{text!r} is not a rational number")
    return sp.Rational(e)


# ---------------------------------------------------------------------------------------------
# Domains
# ---------------------------------------------------------------------------------------------


@dataclass
class Domain:
    """Points of `variables` where every fact and equality holds (and the claim is defined)."""

    variables: list[sp.Symbol]
    facts: list[tuple[sp.Expr, str]]
    equalities: list[sp.Expr]
    # Bases that the claim itself needs nonzero (denominators) or >= 0 (radicands); None below a
    # substitution, where the convention no longer applies.
    claim_denominators: list[sp.Expr] | None = None
    claim_radicands: list[sp.Expr] | None = None
    # name -> symbol, when a symbol does not print as its name (a kept name below a substitution)
    labels: dict[str, sp.Symbol] | None = None

    @property
    def names(self) -> dict[str, sp.Symbol]:
        return dict(self.labels) if self.labels is not None else {str(v): v for v in self.variables}

    def name_of(self, v: sp.Symbol) -> str:
        return next((n for n, s in self.names.items() if s == v), str(v))

    def with_facts(self, more: list[tuple[sp.Expr, str]]) -> Domain:
        return Domain(self.variables, self.facts + more, self.equalities, self.claim_denominators, self.claim_radicands, self.labels)


def _bases(e: sp.Expr) -> tuple[list[sp.Expr], list[sp.Expr]]:
    """(denominator bases, radicands) of an expression, as sympy builds it."""
    dens: list[sp.Expr] = []
    rads: list[sp.Expr] = []
    for sub in sp.preorder_traversal(e):
        if isinstance(sub, sp.Pow):
            exp = sub.exp
            if exp.is_Rational and not exp.is_Integer:
                rads.append(sub.base)
                if exp < 0:
                    dens.append(sub.base)
            elif exp.is_Integer and exp < 0:
                dens.append(sub.base)
    return dens, rads


def _is_zero(e: sp.Expr) -> bool:
    """e is 0 as a rational function of its variables (radicals are treated as further unknowns)."""
    e = sp.expand(e)
    if e == 0:
        return True
    return sp.cancel(sp.together(e)) == 0


def _ratio(a: sp.Expr, b: sp.Expr) -> sp.Rational | None:
    """The rational k with a = k*b, if there is one (b nonzero)."""
    if b == 0:
        return None
    q = sp.cancel(sp.together(a / b))
    return sp.Rational(q) if q.is_Rational else None


def _free_of(e: sp.Expr, variables: list[sp.Symbol]) -> bool:
    return e.free_symbols <= set(variables)


def _is_poly(e: sp.Expr, variables: list[sp.Symbol]) -> bool:
    if not _free_of(e, variables):
        return False
    try:
        sp.Poly(e, *variables, domain="QQ") if variables else sp.Rational(e)
        return True
    except (sp.PolynomialError, sp.CoercionFailed, TypeError, ValueError):
        return False


def _poly(e: sp.Expr, variables: list[sp.Symbol]) -> sp.Poly:
    return sp.Poly(e, *variables, domain="QQ")


# ---------------------------------------------------------------------------------------------
# The checker
# ---------------------------------------------------------------------------------------------


class _Checker:
    def __init__(self) -> None:
        self.steps: list[str] = []
        self.nodes = 0

    def log(self, text: str) -> None:
        self.steps.append(text)

    # -- reading helpers ------------------------------------------------------------------

    def expr(self, step: str, text: Any, names: dict[str, sp.Symbol], radicals: bool = False) -> sp.Expr:
        try:
            return read_expr(text, names, radicals)
        except ReadError as e:
            raise CheckFailure(step, f"cannot read {_short(text)}: {e}") from None
        except (RecursionError, MemoryError):
            raise CheckFailure(step, "the expression is too large to read") from None

    def rational(self, step: str, text: Any) -> sp.Rational:
        try:
            return read_rational(text)
        except ReadError as e:
            raise CheckFailure(step, f"cannot read the number {_short(text)}: {e}") from None

    def facts(self, step: str, raw: Any, names: dict[str, sp.Symbol], radicals: bool) -> list[tuple[sp.Expr, str]]:
        if not isinstance(raw, list):
            raise CheckFailure(step, "facts must be a list")
        out = []
        for i, f in enumerate(raw):
            if not isinstance(f, dict) or f.get("op") not in OPS:
                raise CheckFailure(f"{step}[{i}]", f"a fact is {{\"expr\": ..., \"op\": one of {', '.join(OPS)}}}")
            out.append((self.expr(f"{step}[{i}]", f.get("expr"), names, radicals), f["op"]))
        return out

    def equalities(self, step: str, raw: Any, names: dict[str, sp.Symbol], radicals: bool) -> list[sp.Expr]:
        if not isinstance(raw, list):
            raise CheckFailure(step, "equalities must be a list of expressions (each = 0)")
        return [self.expr(f"{step}[{i}]", h, names, radicals) for i, h in enumerate(raw)]

    def variables(self, step: str, raw: Any, taken: set[str]) -> list[sp.Symbol]:
        if not isinstance(raw, list) or not raw or len(raw) > MAX_VARIABLES:
            raise CheckFailure(step, f"variables must be a list of 1 to {MAX_VARIABLES} names")
        out = []
        for name in raw:
            if not isinstance(name, str) or not _is_name(name) or name in RESERVED or name in taken:
                raise CheckFailure(step, f"{_short(name)} is not a fresh name")
            taken.add(name)
            out.append(sp.Symbol(name))
        return out

    # -- the claim ------------------------------------------------------------------------

    def claim(self, raw: Any) -> tuple[Domain, dict]:
        step = "claim"
        if not isinstance(raw, dict):
            raise CheckFailure(step, "the claim must be an object")
        taken: set[str] = set()
        variables = self.variables("claim.variables", raw.get("variables"), taken)
        names = {str(v): v for v in variables}
        relation = raw.get("relation")
        if relation not in RELATIONS:
            raise CheckFailure("claim.relation", f"the relation must be one of {', '.join(RELATIONS)}")
        constant = None
        const_raw = raw.get("constant")
        if const_raw is not None:
            if not isinstance(const_raw, dict):
                raise CheckFailure("claim.constant", "the constant must be an object")
            cname = const_raw.get("name")
            if not isinstance(cname, str) or not _is_name(cname) or cname in RESERVED or cname in taken:
                raise CheckFailure("claim.constant", "the constant needs a fresh name")
            if const_raw.get("extreme") not in ("largest", "smallest"):
                raise CheckFailure("claim.constant", "extreme must be 'largest' or 'smallest'")
            if relation in ("=", "none"):
                raise CheckFailure("claim.constant", "a constant goes with an inequality relation")
            csym = sp.Symbol(cname)
            value = self.expr("claim.constant.value", const_raw.get("value"), {}, radicals=True)
            constant = {"symbol": csym, "value": value, "extreme": const_raw["extreme"]}
        side_names = dict(names)
        if constant is not None:
            side_names[str(constant["symbol"])] = constant["symbol"]
        lhs = self.expr("claim.lhs", raw.get("lhs"), side_names, radicals=True)
        rhs = self.expr("claim.rhs", raw.get("rhs"), side_names, radicals=True)
        facts = self.facts("claim.facts", raw.get("facts", []), names, radicals=True)
        eqs = self.equalities("claim.equalities", raw.get("equalities", []), names, radicals=True)
        at = (lambda e: e.xreplace({constant["symbol"]: constant["value"]})) if constant else (lambda e: e)
        dens: list[sp.Expr] = []
        rads: list[sp.Expr] = []
        for e in [at(lhs), at(rhs)] + [f for f, _ in facts] + eqs:
            d, r = _bases(e)
            dens += d
            rads += r
        for b in dens:
            if _is_zero(b):
                raise CheckFailure("claim", f"the denominator {_short(b)} is identically 0: the claim would be empty")
        domain = Domain(variables, facts, eqs, dens, rads)
        rel_text = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "=", "none": "? (neither ≤ nor ≥)"}[relation]
        self.log(f"claim read: {len(variables)} variables, {len(facts)} facts, {len(eqs)} equalities; lhs {rel_text} rhs")
        return domain, {"lhs": lhs, "rhs": rhs, "relation": relation, "constant": constant}

    # -- proofs ---------------------------------------------------------------------------

    def prove(self, node: Any, goal: sp.Expr, op: str, dom: Domain, path: str, depth: int) -> None:
        """Check that `node` proves: at every point of `dom`, goal is defined and goal op 0.

        op is ">=", ">" or "==".
        """
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise CheckFailure(path, f"more than {MAX_NODES} proof steps")
        if depth > MAX_DEPTH:
            raise CheckFailure(path, f"proof steps nested deeper than {MAX_DEPTH}")
        if not isinstance(node, dict):
            raise CheckFailure(path, "a proof step must be an object")
        kind = node.get("step")
        handler = {
            "sos": self.step_sos,
            "ideal": self.step_ideal,
            "multiply": self.step_multiply,
            "substitute": self.step_substitute,
            "cases": self.step_cases,
            "sum": self.step_sum,
            "root": self.step_root,
        }.get(kind)
        if handler is None:
            raise CheckFailure(path, f"unknown step {_short(kind)}")
        if not _free_of(goal, dom.variables):
            raise CheckFailure(path, "the goal mentions names that are not variables here")
        handler(node, goal, op, dom, f"{path}/{kind}", depth)

    def defined(self, node: dict, goal: sp.Expr, dom: Domain, path: str, depth: int, covered: list[sp.Expr] = ()) -> None:
        """Every denominator of goal is nonzero and every radicand >= 0 on dom: by the claim's
        convention (top domain), by a factor proved positive in this step (`covered`), or by a
        proof listed in node["defined"]."""
        dens, rads = _bases(goal)
        listed = node.get("defined", [])
        if not isinstance(listed, list):
            raise CheckFailure(f"{path}.defined", "defined must be a list")
        proved: list[tuple[sp.Expr, str]] = []
        for i, item in enumerate(listed):
            p = f"{path}.defined[{i}]"
            if not isinstance(item, dict) or item.get("op") not in (">", ">="):
                raise CheckFailure(p, 'each entry is {"base": ..., "op": ">" or ">=", "proof": ...}')
            base = self.expr(p, item.get("base"), dom.names)
            self.prove(item.get("proof"), base, item["op"], dom, p, depth + 1)
            proved.append((base, item["op"]))
        for b in dens:
            if not self._nonzero(b, dom, proved, covered):
                raise CheckFailure(f"{path}.defined", f"nothing shows that the denominator {_short(b)} is nonzero")
        for b in rads:
            if not self._nonnegative(b, dom, proved):
                raise CheckFailure(f"{path}.defined", f"nothing shows that the radicand {_short(b)} is >= 0")

    def _nonzero(self, b: sp.Expr, dom: Domain, proved: list, covered) -> bool:
        for c in list(covered) + [p for p, op in proved if op == ">"]:
            k = _ratio(b, c)
            if k is not None and k != 0:
                return True
        for c in dom.claim_denominators or []:
            k = _ratio(b, c)
            if k is not None and k != 0:
                return True
        # a power of a denominator of the claim: b = c^j
        return any(b.is_Pow and b.exp.is_Integer and b.exp > 0 and _ratio(b.base, c) not in (None, 0) for c in (dom.claim_denominators or []))

    def _nonnegative(self, b: sp.Expr, dom: Domain, proved: list) -> bool:
        for c in [p for p, _ in proved] + list(dom.claim_radicands or []):
            k = _ratio(b, c)
            if k is not None and k > 0:
                return True
        return False

    def fact_product(self, raw: Any, dom: Domain, path: str) -> tuple[sp.Expr, bool]:
        """The product of the listed facts (indices into dom.facts) and whether all are strict."""
        if not isinstance(raw, list) or len(raw) > 64:
            raise CheckFailure(path, "m must be a list of at most 64 fact indices")
        prod: sp.Expr = sp.Integer(1)
        strict = True
        for j in raw:
            if not isinstance(j, int) or isinstance(j, bool) or not 0 <= j < len(dom.facts):
                raise CheckFailure(path, f"{_short(j)} is not the index of a fact here (0..{len(dom.facts) - 1})")
            f, op = dom.facts[j]
            if op == "!=":
                raise CheckFailure(path, f"fact {j} is a '!=' fact, which has no sign")
            prod = prod * f
            strict = strict and op == ">"
        return prod, strict

    def multipliers(self, node: dict, dom: Domain, path: str) -> sp.Expr:
        """Σ λ_k h_k for the listed polynomial multipliers (missing ones are 0)."""
        raw = node.get("multipliers", [])
        if not isinstance(raw, list) or len(raw) > len(dom.equalities):
            raise CheckFailure(f"{path}.multipliers", f"at most one multiplier per equality ({len(dom.equalities)} here)")
        total: sp.Expr = sp.Integer(0)
        for k, text in enumerate(raw):
            lam = self.expr(f"{path}.multipliers[{k}]", text, dom.names)
            if not _is_poly(lam, dom.variables):
                raise CheckFailure(f"{path}.multipliers[{k}]", "a multiplier must be a polynomial in the variables")
            total = total + lam * dom.equalities[k]
        return total

    def step_sos(self, node: dict, goal: sp.Expr, op: str, dom: Domain, path: str, depth: int) -> None:
        if op == "==":
            raise CheckFailure(path, "a sum of squares shows goal >= 0, not goal = 0")
        self.defined(node, goal, dom, path, depth)
        terms = node.get("terms")
        if not isinstance(terms, list) or len(terms) > MAX_TERMS:
            raise CheckFailure(f"{path}.terms", f"terms must be a list of at most {MAX_TERMS}")
        ideal = self.multipliers(node, dom, path)
        parts = []
        term_strict = []
        for i, t in enumerate(terms):
            p = f"{path}.terms[{i}]"
            if not isinstance(t, dict):
                raise CheckFailure(p, 'a term is {"c": rational >= 0, "m": [fact indices], "s": polynomial}')
            c = self.rational(f"{p}.c", t.get("c"))
            if c < 0:
                raise CheckFailure(f"{p}.c", f"the coefficient {c} is negative")
            m, m_strict = self.fact_product(t.get("m", []), dom, f"{p}.m")
            s = self.expr(f"{p}.s", t.get("s", "1"), dom.names)
            if not _is_poly(s, dom.variables):
                raise CheckFailure(f"{p}.s", "s must be a polynomial in the variables")
            parts.append((c, m, s))
            term_strict.append((c, m_strict, s))
        self._identity(goal - ideal, parts, dom, path)
        what = f"goal = {'Σλh + ' if node.get('multipliers') else ''}Σ c·m·s² with {len(parts)} terms, every c ≥ 0"
        if op == ">":
            strict = node.get("strict")
            if not isinstance(strict, dict) or not isinstance(strict.get("term"), int) or not 0 <= strict["term"] < len(parts):
                raise CheckFailure(f"{path}.strict", "a strict claim needs strict: {\"term\": i} naming a term that is > 0")
            i = strict["term"]
            c, m_strict, s = term_strict[i]
            if c <= 0 or not m_strict:
                raise CheckFailure(f"{path}.strict", f"term {i} needs c > 0 and only strict facts (> 0)")
            if not (s.is_Rational and s != 0):
                if "proof" not in strict:
                    raise CheckFailure(f"{path}.strict", f"term {i}: s is not a nonzero constant and no proof that s > 0 is given")
                self.prove(strict["proof"], s, ">", dom, f"{path}.strict", depth + 1)
            what += f"; term {i} is > 0, so goal > 0"
        self.log(f"{path}: {what}")

    def _identity(self, lhs: sp.Expr, parts: list[tuple[sp.Rational, sp.Expr, sp.Expr]], dom: Domain, path: str) -> None:
        """lhs == Σ c·m·s² exactly (as polynomials when everything is one, else as rational functions)."""
        variables = dom.variables
        if _is_poly(lhs, variables) and all(_is_poly(m, variables) for _, m, _ in parts):
            total = _poly(lhs, variables)
            for c, m, s in parts:
                total -= _poly(m, variables) * _poly(s, variables) ** 2 * c
            if not total.is_zero:
                first = sp.Poly.from_dict(dict(total.terms()[:1]), *variables).as_expr()
                raise CheckFailure(f"{path}.identity", f"the identity fails: the difference has {len(total.terms())} terms, e.g. {_short(first)}")
            return
        diff = lhs - sp.Add(*[c * m * s**2 for c, m, s in parts])
        if not _is_zero(diff):
            raise CheckFailure(f"{path}.identity", "the identity fails (the difference is not 0 as a rational function)")

    def step_ideal(self, node: dict, goal: sp.Expr, op: str, dom: Domain, path: str, depth: int) -> None:
        if op != "==":
            raise CheckFailure(path, "an ideal step shows goal = 0")
        self.defined(node, goal, dom, path, depth)
        ideal = self.multipliers(node, dom, path)
        if not _is_zero(goal - ideal):
            raise CheckFailure(f"{path}.identity", "goal - Σ λ_k h_k is not 0")
        self.log(f"{path}: goal = Σ λ_k·h_k, so goal = 0 where every h_k = 0")

    def step_multiply(self, node: dict, goal: sp.Expr, op: str, dom: Domain, path: str, depth: int) -> None:
        factors = node.get("factors")
        if not isinstance(factors, list) or not factors or len(factors) > 64:
            raise CheckFailure(f"{path}.factors", "factors must be a list of 1 to 64 entries")
        d: sp.Expr = sp.Integer(1)
        covered = []
        for i, f in enumerate(factors):
            p = f"{path}.factors[{i}]"
            if not isinstance(f, dict):
                raise CheckFailure(p, 'a factor is {"factor": polynomial, "power": k >= 1, "proof": ...}')
            fac = self.expr(p, f.get("factor"), dom.names)
            if not _is_poly(fac, dom.variables):
                raise CheckFailure(p, "a factor must be a polynomial in the variables")
            k = f.get("power", 1)
            if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_EXPONENT:
                raise CheckFailure(p, f"power must be an integer from 1 to {MAX_EXPONENT}")
            self.prove(f.get("proof"), fac, ">", dom, p, depth + 1)
            d = d * fac**k
            covered.append(fac)
        self.defined(node, goal, dom, path, depth, covered)
        new_goal = self.expr(f"{path}.goal", node.get("goal"), dom.names)
        if not _is_poly(new_goal, dom.variables):
            raise CheckFailure(f"{path}.goal", "the goal after multiplying must be a polynomial")
        if not _is_zero(goal * d - new_goal):
            raise CheckFailure(f"{path}.identity", "goal · D is not the stated polynomial")
        self.log(f"{path}: D = product of {len(factors)} factor(s), each > 0; goal·D = a polynomial of degree {sp.Poly(new_goal, *dom.variables).total_degree() if dom.variables else 0}")
        self.prove(node.get("then"), new_goal, op, dom, f"{path}.then", depth + 1)

    def step_sum(self, node: dict, goal: sp.Expr, op: str, dom: Domain, path: str, depth: int) -> None:
        parts = node.get("parts")
        if not isinstance(parts, list) or not parts or len(parts) > 256:
            raise CheckFailure(f"{path}.parts", "parts must be a list of 1 to 256 entries")
        self.defined(node, goal, dom, path, depth)
        ideal = self.multipliers(node, dom, path)
        total: sp.Expr = sp.Integer(0)
        any_strict = False
        for i, part in enumerate(parts):
            p = f"{path}.parts[{i}]"
            if not isinstance(part, dict) or part.get("op", ">=") not in (">=", ">", "=="):
                raise CheckFailure(p, 'a part is {"expr": ..., "op": ">=" | ">" | "==", "proof": ...}')
            e = self.expr(p, part.get("expr"), dom.names)
            pop = part.get("op", ">=")
            if op == "==" and pop != "==":
                raise CheckFailure(p, "the parts of an equality are equalities")
            self.prove(part.get("proof"), e, pop, dom, p, depth + 1)
            any_strict = any_strict or pop == ">"
            total = total + e
        if not _is_zero(goal - ideal - total):
            raise CheckFailure(f"{path}.identity", "goal is not the sum of the parts (plus Σλh)")
        if op == ">" and not any_strict:
            raise CheckFailure(path, "a strict claim needs one strict part")
        self.log(f"{path}: goal = sum of {len(parts)} parts, each proved")

    def step_root(self, node: dict, goal: sp.Expr, op: str, dom: Domain, path: str, depth: int) -> None:
        """goal = k · Π w_i^(r_i) with k > 0 rational and each r_i a positive fraction (a root): >= 0
        where defined, and > 0 when every radicand is proved > 0 (node["radicands"])."""
        if op == "==":
            raise CheckFailure(path, "a root shows goal >= 0, not goal = 0")
        self.defined(node, goal, dom, path, depth)
        k, rest = goal.as_coeff_Mul()
        factors = sp.Mul.make_args(rest)
        if not (k.is_Rational and k > 0) or not all(isinstance(f, sp.Pow) and f.exp.is_Rational and not f.exp.is_Integer and f.exp > 0 for f in factors):
            raise CheckFailure(path, "the goal is not a positive multiple of a product of roots")
        if op == ">":
            proofs = node.get("radicands")
            if not isinstance(proofs, list) or len(proofs) != len(factors):
                raise CheckFailure(f"{path}.radicands", "a strict root needs one proof per radicand that it is > 0")
            for i, (f, pr) in enumerate(zip(factors, proofs, strict=True)):
                self.prove(pr, f.base, ">", dom, f"{path}.radicands[{i}]", depth + 1)
        self.log(f"{path}: a product of {len(factors)} root(s) of non-negative numbers is {'> 0' if op == '>' else '>= 0'}")

    def step_substitute(self, node: dict, goal: sp.Expr, op: str, dom: Domain, path: str, depth: int) -> None:
        new_vars = self.variables(f"{path}.variables", node.get("variables"), set())
        new_names = {str(v): v for v in new_vars}
        old_names = dom.names
        both = set(new_names) & set(old_names)
        # A name may be kept (a = a); its meaning then comes from the maps like any other.
        new_syms = {n: (sp.Dummy(n) if n in both else s) for n, s in new_names.items()}
        inv_raw, fwd_raw = node.get("inverse"), node.get("forward")
        if not isinstance(inv_raw, dict) or set(inv_raw) != set(new_names):
            raise CheckFailure(f"{path}.inverse", "the inverse gives every new variable in terms of the old ones")
        if not isinstance(fwd_raw, dict) or set(fwd_raw) != set(old_names):
            raise CheckFailure(f"{path}.forward", "the forward map gives every old variable in terms of the new ones")
        inverse = {new_syms[n]: self.expr(f"{path}.inverse.{n}", t, old_names, radicals=True) for n, t in inv_raw.items()}
        forward = {old_names[n]: self.expr(f"{path}.forward.{n}", t, new_syms) for n, t in fwd_raw.items()}
        new_dom = Domain(
            [new_syms[str(v)] for v in new_vars],
            self.facts(f"{path}.facts", node.get("facts", []), new_syms, False),
            self.equalities(f"{path}.equalities", node.get("equalities", []), new_syms, False),
            labels=new_syms,
        )
        for f, _ in new_dom.facts:
            if not _is_poly(f, new_dom.variables):
                raise CheckFailure(f"{path}.facts", "facts after a substitution must be polynomials")
        for h in new_dom.equalities:
            if not _is_poly(h, new_dom.variables):
                raise CheckFailure(f"{path}.equalities", "equalities after a substitution must be polynomials")
        # 1. the inverse is defined on the old domain
        self.defined({"defined": node.get("inverse_defined", [])}, sp.Tuple(*inverse.values()), dom, f"{path}.inverse_defined", depth)
        self.log(f"{path}: the inverse map is defined on the domain")
        # 2. forward(inverse(x)) = x on the old domain
        comp_proofs = node.get("composition", {})
        if not isinstance(comp_proofs, dict):
            raise CheckFailure(f"{path}.composition", "composition maps old variable names to proofs")
        for v, fe in forward.items():
            name = dom.name_of(v)
            diff = fe.xreplace(inverse) - v
            p = f"{path}.composition.{name}"
            if name in comp_proofs:
                self.prove(comp_proofs[name], diff, "==", dom, p, depth + 1)
            elif not _is_zero(diff):
                raise CheckFailure(p, f"forward(inverse(x)) is not {name}")
        self.log(f"{path}: forward(inverse(x)) = x for every old variable")
        # 3. the inverse maps the old domain into the new one
        holds = node.get("facts_hold", [])
        if not isinstance(holds, list) or len(holds) != len(new_dom.facts):
            raise CheckFailure(f"{path}.facts_hold", "one proof per new fact (that it holds at inverse(x))")
        for i, (f, fop) in enumerate(new_dom.facts):
            p = f"{path}.facts_hold[{i}]"
            if fop == "!=":
                raise CheckFailure(p, "new facts are > or >=")
            self.prove(holds[i], f.xreplace(inverse), fop, dom, p, depth + 1)
        eq_holds = node.get("equalities_hold", [])
        if not isinstance(eq_holds, list) or len(eq_holds) != len(new_dom.equalities):
            raise CheckFailure(f"{path}.equalities_hold", "one proof per new equality")
        for i, h in enumerate(new_dom.equalities):
            self.prove(eq_holds[i], h.xreplace(inverse), "==", dom, f"{path}.equalities_hold[{i}]", depth + 1)
        self.log(f"{path}: the inverse maps the domain into the new domain ({len(new_dom.facts)} facts, {len(new_dom.equalities)} equalities)")
        # 4. the new goal at inverse(x) is the old goal
        self.defined(node, goal, dom, path, depth)
        new_goal = self.expr(f"{path}.goal", node.get("goal"), new_syms)
        if new_goal.has(sp.Pow) and any(isinstance(s, sp.Pow) and not s.exp.is_Integer for s in sp.preorder_traversal(new_goal)):
            raise CheckFailure(f"{path}.goal", "the new goal has radicals")
        if "goal_proof" in node:  # equal on the domain (modulo its equalities), not only formally
            self.prove(node["goal_proof"], new_goal.xreplace(inverse) - goal, "==", dom, f"{path}.goal_proof", depth + 1)
        elif not _is_zero(new_goal.xreplace(inverse) - goal):
            raise CheckFailure(f"{path}.goal", "the new goal at inverse(x) is not the old goal")
        self.log(f"{path}: the new goal at inverse(x) equals the goal")
        self.prove(node.get("then"), new_goal, op, new_dom, f"{path}.then", depth + 1)

    def step_cases(self, node: dict, goal: sp.Expr, op: str, dom: Domain, path: str, depth: int) -> None:
        variables = dom.variables
        self.defined(node, goal, dom, path, depth)
        order_raw = node.get("order", [dom.name_of(v) for v in variables])
        names = dom.names
        if not isinstance(order_raw, list) or len(set(map(str, order_raw))) != len(order_raw) or not set(order_raw) <= set(names):
            raise CheckFailure(f"{path}.order", "order lists distinct variables")
        ordered = [names[n] for n in order_raw]
        n = len(ordered)
        if not 2 <= n <= MAX_CASE_VARIABLES:
            raise CheckFailure(f"{path}.order", f"a case split orders 2 to {MAX_CASE_VARIABLES} variables")
        # symmetries: permutations of `ordered` (each the list of images) under which goal and domain are invariant
        sym_raw = node.get("symmetries", [])
        if not isinstance(sym_raw, list) or len(sym_raw) > 24:
            raise CheckFailure(f"{path}.symmetries", "at most 24 generators")
        gens = []
        for i, s in enumerate(sym_raw):
            p = f"{path}.symmetries[{i}]"
            if not isinstance(s, list) or sorted(map(str, s)) != sorted(order_raw):
                raise CheckFailure(p, "a symmetry lists the images of the ordered variables")
            perm = {ordered[j]: names[s[j]] for j in range(n)}
            self._invariant(goal, dom, perm, p)
            gens.append(tuple(order_raw.index(s[j]) for j in range(n)))
        group = _closure(gens, n)
        self.log(f"{path}: goal and domain are invariant under a group of {len(group)} permutation(s)")
        cases = node.get("cases")
        if not isinstance(cases, list) or not cases or len(cases) > 720:
            raise CheckFailure(f"{path}.cases", "cases must be a non-empty list")
        chains = []
        for i, c in enumerate(cases):
            p = f"{path}.cases[{i}]"
            if not isinstance(c, dict) or not isinstance(c.get("ascending"), list) or sorted(map(str, c["ascending"])) != sorted(order_raw):
                raise CheckFailure(p, 'a case is {"ascending": [the variables from smallest to largest], "then": ...}')
            chain = [order_raw.index(x) for x in c["ascending"]]
            chains.append(chain)
        # coverage: every ordering of the values, moved by some symmetry, is one of the cases
        for pi in itertools.permutations(range(n)):
            pos = {var: k for k, var in enumerate(pi)}  # pi lists variable indices from smallest to largest
            if not any(all(pos[g[chain[k]]] < pos[g[chain[k + 1]]] for k in range(n - 1)) for g in group for chain in chains):
                raise CheckFailure(f"{path}.cases", f"no case covers the ordering {' <= '.join(order_raw[j] for j in pi)}")
        self.log(f"{path}: {len(cases)} case(s) cover every ordering of {', '.join(order_raw)} up to the symmetries")
        for i, (c, chain) in enumerate(zip(cases, chains, strict=True)):
            more = [(ordered[chain[k + 1]] - ordered[chain[k]], ">=") for k in range(n - 1)]
            self.prove(c.get("then"), goal, op, dom.with_facts(more), f"{path}.cases[{i}]", depth + 1)

    def _invariant(self, goal: sp.Expr, dom: Domain, perm: dict, path: str) -> None:
        if not _is_zero(goal.xreplace(perm) - goal):
            raise CheckFailure(path, "the goal changes under this permutation")
        for f, fop in dom.facts:
            g = f.xreplace(perm)
            if not any(op2 == fop and _is_zero(g - f2) for f2, op2 in dom.facts):
                raise CheckFailure(path, f"the fact {_short(f)} {fop} 0 is not mapped to a fact")
        for h in dom.equalities:
            g = h.xreplace(perm)
            if not any(_is_zero(g - h2) or _is_zero(g + h2) for h2 in dom.equalities):
                raise CheckFailure(path, f"the equality {_short(h)} = 0 is not mapped to an equality")

    # -- points ---------------------------------------------------------------------------

    def point(self, raw: Any, dom: Domain, path: str) -> dict[sp.Symbol, sp.Expr]:
        if not isinstance(raw, dict) or set(raw) != {str(v) for v in dom.variables}:
            raise CheckFailure(path, "a point gives a value to every variable of the claim")
        pt = {v: self.expr(f"{path}.{v}", raw[str(v)], {}, radicals=True) for v in dom.variables}
        for v, val in pt.items():
            self._real(val, f"{path}.{v}")
        return pt

    def _real(self, e: sp.Expr, path: str) -> None:
        dens, rads = _bases(e)
        for r in rads:
            if _sign(r, path) < 0:
                raise CheckFailure(path, f"the radicand {_short(r)} is negative")
        for d in dens:
            if _sign(d, path) == 0:
                raise CheckFailure(path, "a denominator is 0")

    def value_at(self, e: sp.Expr, pt: dict, path: str) -> sp.Expr:
        """e at the point, after checking that every denominator is nonzero and radicand >= 0 there."""
        dens, rads = _bases(e)
        for r in rads:
            rv = r.xreplace(pt)
            self._real(rv, path)
            if _sign(rv, path) < 0:
                raise CheckFailure(path, f"a radicand is negative at the point: {_short(r)}")
        for d in dens:
            dv = d.xreplace(pt)
            self._real(dv, path)
            if _sign(dv, path) == 0:
                raise CheckFailure(path, f"a denominator is 0 at the point: {_short(d)}")
        return e.xreplace(pt)

    def in_domain(self, pt: dict, dom: Domain, claim: dict, path: str, at_constant: bool) -> None:
        for i, (f, fop) in enumerate(dom.facts):
            s = _sign(self.value_at(f, pt, f"{path}.facts[{i}]"), f"{path}.facts[{i}]")
            if (fop == ">" and s <= 0) or (fop == ">=" and s < 0) or (fop == "!=" and s == 0):
                raise CheckFailure(f"{path}.facts[{i}]", f"the point violates the fact {_short(f)} {fop} 0")
        for i, h in enumerate(dom.equalities):
            if _sign(self.value_at(h, pt, f"{path}.equalities[{i}]"), f"{path}.equalities[{i}]") != 0:
                raise CheckFailure(f"{path}.equalities[{i}]", f"the point violates {_short(h)} = 0")
        for side in ("lhs", "rhs"):
            e = claim[side]
            if at_constant and claim["constant"] is not None:
                e = e.xreplace({claim["constant"]["symbol"]: claim["constant"]["value"]})
            self.value_at(e, pt, f"{path}.{side}")

    def family_in_domain(self, fam: dict, dom: Domain, path: str) -> tuple[dict, sp.Symbol, tuple]:
        """A family of points p(t), t in the open interval (lo, hi), all in the domain."""
        if not isinstance(fam, dict):
            raise CheckFailure(path, "a family is an object")
        tname = fam.get("parameter")
        if not isinstance(tname, str) or not _is_name(tname) or tname in RESERVED or tname in {str(v) for v in dom.variables}:
            raise CheckFailure(f"{path}.parameter", "the parameter needs a fresh name")
        t = sp.Symbol(tname)
        raw = fam.get("point")
        if not isinstance(raw, dict) or set(raw) != {str(v) for v in dom.variables}:
            raise CheckFailure(f"{path}.point", "the family gives every variable as a rational function of the parameter")
        pt = {v: self.expr(f"{path}.point.{v}", raw[str(v)], {tname: t}) for v in dom.variables}
        interval = fam.get("interval")
        if not isinstance(interval, list) or len(interval) != 2:
            raise CheckFailure(f"{path}.interval", 'the interval is [lo, hi] with rationals or "oo"')
        lo = None if interval[0] == "-oo" else self.rational(f"{path}.interval", interval[0])
        hi = None if interval[1] == "oo" else self.rational(f"{path}.interval", interval[1])
        if lo is not None and hi is not None and not lo < hi:
            raise CheckFailure(f"{path}.interval", "lo < hi is needed")
        where = (lo, hi)
        for v, e in pt.items():
            for d in _bases(e)[0]:
                _no_root(d, t, where, f"{path}.point.{v}", "a denominator vanishes")
        return pt, t, where

    def family_defined(self, pt: dict, t: sp.Symbol, where: tuple, exprs: list[sp.Expr], path: str) -> None:
        """Every denominator of exprs is nonzero and every radicand > 0 along the family."""
        for e in exprs:
            dens, rads = _bases(e)
            for d in dens:
                _no_root(d.xreplace(pt), t, where, path, "a denominator of the claim vanishes")
            for r in rads:
                _positive_on(r.xreplace(pt), t, where, path, allow_zero=True)

    def family_facts(self, pt: dict, t: sp.Symbol, where: tuple, dom: Domain, path: str) -> None:
        for i, (f, fop) in enumerate(dom.facts):
            val = sp.cancel(sp.together(f.xreplace(pt)))
            if fop == "!=":
                num = sp.fraction(val)[0]
                _no_root(num, t, where, f"{path}.facts[{i}]", "the fact fails")
            else:
                _positive_on(val, t, where, f"{path}.facts[{i}]", allow_zero=fop == ">=")
        for i, h in enumerate(dom.equalities):
            if not _is_zero(h.xreplace(pt)):
                raise CheckFailure(f"{path}.equalities[{i}]", "the family violates an equality")

    def optimality(self, raw: Any, dom: Domain, claim: dict, goal_of, path: str) -> str:
        const = claim["constant"]
        csym, value, extreme = const["symbol"], const["value"], const["extreme"]
        if not isinstance(raw, dict) or ("point" in raw) == ("family" in raw):
            raise CheckFailure(path, 'optimality is {"point": ...} or {"family": ...}')
        want = -1 if extreme == "largest" else 1  # the sign of d goal / dC at the witness
        if "point" in raw:
            pt = self.point(raw["point"], dom, f"{path}.point")
            self.in_domain(pt, dom, claim, f"{path}.point", at_constant=True)
            g = sp.expand(goal_of(claim).xreplace(pt))
            try:
                poly = sp.Poly(g, csym)
            except sp.PolynomialError:
                raise CheckFailure(path, "the goal at the point is not a polynomial in the constant") from None
            if poly.degree() != 1:
                raise CheckFailure(path, "the goal at the point must be affine in the constant")
            beta, alpha = poly.all_coeffs()
            if _sign(alpha + beta * value, path) != 0:
                raise CheckFailure(path, f"at the point the two sides differ at {csym} = {value}")
            if _sign(beta, path) != want:
                raise CheckFailure(path, f"beyond {value} the relation does not fail at the point")
            self.log(f"{path}: the point is in the domain and equality holds there at {csym} = {value}; any {'larger' if want < 0 else 'smaller'} {csym} fails there")
            return "attained"
        fam = raw["family"]
        pt, t, where = self.family_in_domain(fam, dom, f"{path}.family")
        self.family_facts(pt, t, where, dom, f"{path}.family")
        sides = [e.xreplace({csym: value}) for e in (claim["lhs"], claim["rhs"])] + [f for f, _ in dom.facts] + dom.equalities
        self.family_defined(pt, t, where, sides, f"{path}.family")
        limit_raw = fam.get("limit")
        if limit_raw not in ("lo", "hi"):
            raise CheckFailure(f"{path}.family.limit", 'limit is "lo" or "hi": the end of the interval approached')
        end = where[0] if limit_raw == "lo" else where[1]
        g = sp.expand(sp.together(goal_of(claim).xreplace(pt)))
        num, den = sp.fraction(sp.cancel(sp.together(g)))
        try:
            pn = sp.Poly(num, csym)
        except sp.PolynomialError:
            raise CheckFailure(path, "the goal on the family is not a rational function") from None
        if pn.degree() != 1 or not _free_of(den, [t]):
            raise CheckFailure(path, "the goal on the family must be affine in the constant")
        beta_n, alpha_n = pn.all_coeffs()
        beta = sp.cancel(beta_n / den)
        _positive_on(want * beta, t, where, f"{path}.family.slope", allow_zero=False)
        lim = _limit(sp.cancel(-alpha_n / beta_n), t, end, limit_raw, f"{path}.family.limit")
        if _sign(lim - value, path) != 0:
            raise CheckFailure(f"{path}.family.limit", f"the constant at which the family has equality tends to {lim}, not {value}")
        self.log(f"{path}: on the family the relation becomes equality at a constant that tends to {value}; any {'larger' if want < 0 else 'smaller'} {csym} fails on it")
        return "approached"

    # -- the whole certificate ------------------------------------------------------------

    def certificate(self, data: Any) -> str:
        if not isinstance(data, dict):
            raise CheckFailure("format", "a certificate is a JSON object")
        if data.get("format") != FORMAT:
            raise CheckFailure("format", f"format must be {FORMAT!r}")
        dom, claim = self.claim(data.get("claim"))
        relation = claim["relation"]
        verdict = data.get("verdict")
        if verdict not in ("holds", "fails"):
            raise CheckFailure("verdict", "verdict must be 'holds' or 'fails'")
        const = claim["constant"]

        def goal_of(c: dict) -> sp.Expr:
            if c["relation"] in (">=", ">", "="):
                return c["lhs"] - c["rhs"]
            return c["rhs"] - c["lhs"]

        at_value = (lambda e: e.xreplace({const["symbol"]: const["value"]})) if const else (lambda e: e)
        goal = at_value(goal_of(claim))
        if const is not None and const["value"].free_symbols:
            raise CheckFailure("claim.constant.value", "the value is a number")
        if verdict == "fails":
            if relation == "none":
                raise CheckFailure("verdict", "a 'none' claim is refuted by proving a relation, not by a point")
            pt = self.point(data.get("counterexample"), dom, "counterexample")
            self.in_domain(pt, dom, claim, "counterexample", at_constant=True)
            s = _sign(self.value_at(goal, pt, "counterexample"), "counterexample")
            fails = s != 0 if relation == "=" else (s < 0 if relation in (">=", "<=") else s <= 0)
            if not fails:
                raise CheckFailure("counterexample", "the claim holds at the point")
            self.log("counterexample: the point is in the domain and the claim fails there")
            return "the claim is false"
        if relation == "none":
            pts = data.get("points")
            if not isinstance(pts, dict):
                raise CheckFailure("points", 'points is {"above": point, "below": point}')
            for key, want in (("above", 1), ("below", -1)):
                pt = self.point(pts.get(key), dom, f"points.{key}")
                self.in_domain(pt, dom, claim, f"points.{key}", at_constant=False)
                s = _sign(self.value_at(claim["lhs"] - claim["rhs"], pt, f"points.{key}"), f"points.{key}")
                if s != want:
                    raise CheckFailure(f"points.{key}", f"lhs - rhs is not {'> 0' if want > 0 else '< 0'} at the point")
            self.log("points: lhs > rhs at one point of the domain and lhs < rhs at another")
            return "neither lhs <= rhs nor lhs >= rhs holds on the whole domain"
        op = {">=": ">=", "<=": ">=", ">": ">", "<": ">", "=": "=="}[relation]
        self.prove(data.get("proof"), goal, op, dom, "proof", 0)
        nonempty = ""
        if "domain_point" in data:  # shows that the claim is not vacuous (its domain has a point)
            pt = self.point(data["domain_point"], dom, "domain_point")
            self.in_domain(pt, dom, claim, "domain_point", at_constant=True)
            self.log("domain_point: the domain is not empty (the point satisfies every fact and equality)")
            nonempty = "; the domain is not empty"
        elif const is None:
            nonempty = "; the certificate does not show that the domain is non-empty"
        conclusion = {">=": "lhs ≥ rhs", "<=": "lhs ≤ rhs", ">": "lhs > rhs", "<": "lhs < rhs", "=": "lhs = rhs"}[relation] + " on the whole domain"
        if const is not None:
            how = self.optimality(data.get("optimality"), dom, claim, goal_of, "optimality")
            word = "largest" if const["extreme"] == "largest" else "smallest"
            conclusion += f" at {const['symbol']} = {const['value']}, the {word} such constant ({how})"
        return conclusion + nonempty


def _is_name(s: str) -> bool:
    return 0 < len(s) <= 32 and s.isascii() and (s[0].isalpha() or s[0] == "_") and all(c.isalnum() or c == "_" for c in s)


def _short(x: Any) -> str:
    text = str(x)
    return text if len(text) <= 80 else text[:77] + "..."


def _closure(gens: list[tuple[int, ...]], n: int) -> list[tuple[int, ...]]:
    identity = tuple(range(n))
    group = {identity}
    frontier = [identity]
    while frontier:
        g = frontier.pop()
        for h in gens:
            gh = tuple(g[h[i]] for i in range(n))
            if gh not in group:
                group.add(gh)
                frontier.append(gh)
    return sorted(group)


def _sign(value: sp.Expr, path: str) -> int:
    """The exact sign of a real constant built from rationals, sqrt and cbrt of non-negatives.

    Zero is decided by the minimal polynomial; a nonzero value's sign by evaluation to 50 digits
    with sympy's guaranteed-precision mode."""
    value = sp.sympify(value, strict=True)  # a sympy object already: this only normalises Python ints
    if value.free_symbols:
        raise CheckFailure(path, "a value at the point still has variables")
    if value.is_Rational:
        return 1 if value > 0 else (-1 if value < 0 else 0)
    if value.has(sp.zoo, sp.nan, sp.I):
        raise CheckFailure(path, "a value at the point is not a real number")
    dens, rads = _bases(value)
    for r in rads:
        if _sign(r, path) < 0:
            raise CheckFailure(path, "a radicand is negative")
    x = sp.Dummy("x")
    try:
        mp = sp.minimal_polynomial(value, x)
    except (NotImplementedError, ValueError, sp.PolynomialError):
        raise CheckFailure(path, "the sign of a value could not be decided exactly") from None
    if sp.Poly(mp, x).as_expr() == x:
        return 0
    try:
        num = value.evalf(50, strict=True)
    except Exception:  # noqa: BLE001 - sympy's precision errors have several types
        raise CheckFailure(path, "the sign of a value could not be decided") from None
    if not num.is_real or num == 0:
        raise CheckFailure(path, "the sign of a value could not be decided")
    return 1 if num > 0 else -1


def _interval_sample(where: tuple) -> sp.Rational:
    lo, hi = where
    if lo is not None and hi is not None:
        return (lo + hi) / 2
    if lo is not None:
        return lo + 1
    if hi is not None:
        return hi - 1
    return sp.Integer(0)


def _roots_inside(p: sp.Poly, where: tuple) -> int:
    lo, hi = where
    total = p.count_roots(lo, hi)
    for end in (lo, hi):
        if end is not None and p.eval(end) == 0:
            total -= 1
    return total


def _no_root(e: sp.Expr, t: sp.Symbol, where: tuple, path: str, why: str) -> None:
    num = sp.fraction(sp.cancel(sp.together(e)))[0]
    p = sp.Poly(num, t)
    if p.is_zero or _roots_inside(p, where) > 0:
        raise CheckFailure(path, f"{why} inside the interval")


def _positive_on(e: sp.Expr, t: sp.Symbol, where: tuple, path: str, allow_zero: bool) -> None:
    """e(t) > 0 (or identically 0 when allowed) for every t in the open interval."""
    e = sp.cancel(sp.together(e))
    if e == 0 and allow_zero:
        return
    num, den = sp.fraction(e)
    if not _free_of(num, [t]) or not _free_of(den, [t]):
        raise CheckFailure(path, "not a rational function of the parameter")
    for part in (num, den):
        p = sp.Poly(part, t)
        if p.is_zero or _roots_inside(p, where) > 0:
            raise CheckFailure(path, "the sign changes or vanishes inside the interval")
    s = e.xreplace({t: _interval_sample(where)})
    if not (s.is_Rational and s > 0):
        raise CheckFailure(path, "it is negative on the interval")


def _limit(e: sp.Expr, t: sp.Symbol, end: sp.Rational | None, side: str, path: str) -> sp.Rational:
    """The exact limit of a rational function of t at an end of the interval (None is ±oo)."""
    num, den = sp.fraction(sp.cancel(sp.together(e)))
    pn, pd = sp.Poly(num, t), sp.Poly(den, t)
    if end is None:
        if side == "lo":
            pn, pd = sp.Poly(num.xreplace({t: -t}), t), sp.Poly(den.xreplace({t: -t}), t)
        if pn.degree() > pd.degree():
            raise CheckFailure(path, "the limit is infinite")
        if pn.degree() < pd.degree():
            return sp.Integer(0)
        return pn.LC() / pd.LC()
    s = sp.Dummy("s")
    qn = sp.Poly(num.xreplace({t: end + s}), s)
    qd = sp.Poly(den.xreplace({t: end + s}), s)
    low_n = min((m[0] for m in qn.monoms()), default=None)
    low_d = min(m[0] for m in qd.monoms())
    if low_n is None:
        return sp.Integer(0)
    if low_n < low_d:
        raise CheckFailure(path, "the limit is infinite")
    if low_n > low_d:
        return sp.Integer(0)
    return qn.coeff_monomial(s**low_n) / qd.coeff_monomial(s**low_d)


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------


class _TimeUp(Exception):
    pass


@contextmanager
def _deadline(seconds: float | None) -> Iterator[None]:
    """A wall-clock limit through SIGALRM where that is possible (the main thread of a process)."""
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def _raise(signum, frame):  # noqa: ARG001 - signal handler signature
        raise _TimeUp()

    old = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def check_certificate(data: Any, seconds: float | None = DEFAULT_SECONDS) -> Verdict:
    """Verify a parsed certificate; never raises. `seconds` caps the wall time (main thread)."""
    checker = _Checker()
    old_limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(max(old_limit, 20_000))
        with _deadline(seconds):
            conclusion = checker.certificate(data)
        return Verdict(True, checker.steps, conclusion=conclusion)
    except CheckFailure as e:
        return Verdict(False, checker.steps, e.step, e.why)
    except _TimeUp:
        return Verdict(False, checker.steps, "time", f"checking took longer than {seconds:g} s")
    except RecursionError:
        return Verdict(False, checker.steps, "size", "the certificate is nested too deeply")
    except MemoryError:
        return Verdict(False, checker.steps, "size", "the certificate needs too much memory to check")
    except Exception as e:  # noqa: BLE001 - any surprise in sympy on hostile input is an invalid certificate
        return Verdict(False, checker.steps, "internal", f"{type(e).__name__}: {_short(e)}")
    finally:
        sys.setrecursionlimit(old_limit)


class UnreadableCertificate(ValueError):
    """The file is not a JSON certificate at all (missing, too large, not JSON)."""


def load_certificate(path: str) -> Any:
    """The parsed JSON of a certificate file; raises UnreadableCertificate with one line."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise UnreadableCertificate(f"cannot read {path}: {e.strerror or e}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise UnreadableCertificate(f"{path} is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
        return json.loads(text)
    except UnicodeDecodeError:
        raise UnreadableCertificate(f"{path} is not UTF-8 text") from None
    except RecursionError:
        raise UnreadableCertificate(f"{path} nests JSON too deeply") from None
    except json.JSONDecodeError as e:
        raise UnreadableCertificate(f"{path} is not JSON: {e.msg} at line {e.lineno} column {e.colno}") from None


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python check.py CERT.json", file=sys.stderr)
        return 2
    try:
        data = load_certificate(args[0])
    except UnreadableCertificate as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    verdict = check_certificate(data)
    for s in verdict.steps:
        print(f"  ok  {s}")
    if verdict.valid:
        print(f"conclusion: {verdict.conclusion}")
    print(verdict.summary())
    return 0 if verdict.valid else 1


if __name__ == "__main__":
    sys.exit(main())
