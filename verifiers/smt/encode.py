"""Encode "g >= 0 on the feasible set" as an SMT-LIB2 query over the reals (QF_NRA).

The query asserts the domain, the constraints and the negated claim; "unsat" means the claim is
proved, a model is a counterexample. Only polynomial arithmetic is decidable, so:

* every radical b**(p/q) becomes s**p for a fresh s with s**q = b, s >= 0, b >= 0 (the real branch
  sympy and the numeric search use), from the innermost out; Abs, Min and Max become fresh
  variables with their defining disjunctions;
* every relation L >= R is brought to N/D >= 0 and then, denominators cleared with their signs,
  to N*D >= 0 with D != 0 (the same sign as N/D wherever it is defined).

Exponentials, logarithms, trigonometric functions and symbolic exponents have no such encoding:
the encoder raises EncodeError and the certificate is "unknown".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp
from qed.verifiers.formal import FormalProblem
from qed.verifiers.numeric.domain import VarRange, range_of


class EncodeError(ValueError):
    """The claim is outside polynomial real arithmetic even after introducing new variables."""


@dataclass
class Encoding:
    script: str
    names: dict[str, sp.Symbol]  # SMT name -> original (or auxiliary) symbol
    auxiliaries: list[str] = field(default_factory=list)  # definitions of the fresh variables, readable


# A condition is (op, g) meaning "g op 0" with op in = != >= > <= <, or ("or", [conditions]).
Condition = tuple


class _Purifier:
    """Replaces non-polynomial pieces by fresh symbols and collects their defining conditions."""

    def __init__(self) -> None:
        self.defs: list[Condition] = []
        self.fresh: list[sp.Symbol] = []
        self.cache: dict[sp.Expr, sp.Symbol] = {}
        self.readable: list[str] = []

    def _new(self, hint: str) -> sp.Symbol:
        s = sp.Symbol(f"aux{len(self.fresh)}_{hint}")
        self.fresh.append(s)
        return s

    def purify(self, e: sp.Expr) -> sp.Expr:
        if e.is_Atom:
            if e.is_Symbol or e.is_Rational:
                return e
            raise EncodeError(f"cannot encode the constant {e}")
        if isinstance(e, sp.Pow):
            return self._pow(self.purify(e.base), e.exp)
        if isinstance(e, (sp.Add, sp.Mul)):
            return e.func(*[self.purify(a) for a in e.args])
        if isinstance(e, sp.Abs):
            return self._abs(self.purify(e.args[0]))
        if isinstance(e, (sp.Min, sp.Max)):
            return self._minmax(e.func, [self.purify(a) for a in e.args])
        raise EncodeError(f"{type(e).__name__} is not polynomial arithmetic")

    def _pow(self, base: sp.Expr, exp: sp.Expr) -> sp.Expr:
        if exp.is_Integer:
            return base**exp
        if not exp.is_Rational:
            raise EncodeError(f"the exponent {exp} is not a rational number")
        p, q = int(exp.p), int(exp.q)
        key = (base, q)
        if key not in self.cache:
            s = self._new(f"root{q}")
            self.cache[key] = s
            self.defs.append(("=", s**q - base))
            # b**(1/q) is real (and non-negative) only for b >= 0, as in sympy and in the numeric search.
            self.defs.append((">=", s))
            self.defs.append((">=", base))
            self.readable.append(f"{s} = ({base})^(1/{q})")
        return self.cache[key] ** p

    def _abs(self, x: sp.Expr) -> sp.Expr:
        s = self._new("abs")
        self.defs.append((">=", s))
        self.defs.append(("or", [("=", s - x), ("=", s + x)]))
        self.readable.append(f"{s} = |{x}|")
        return s

    def _minmax(self, func: type, args: list[sp.Expr]) -> sp.Expr:
        s = self._new("min" if func is sp.Min else "max")
        for a in args:
            self.defs.append(("<=", s - a) if func is sp.Min else (">=", s - a))
        self.defs.append(("or", [("=", s - a) for a in args]))
        self.readable.append(f"{s} = {func.__name__}({', '.join(map(str, args))})")
        return s


def _smt_num(r: sp.Rational) -> str:
    if r.q == 1:
        return str(r.p) if r.p >= 0 else f"(- {-r.p})"
    num = str(abs(r.p))
    return f"(/ {num} {r.q})" if r.p >= 0 else f"(- (/ {num} {r.q}))"


class _Printer:
    def __init__(self, names: dict[sp.Symbol, str]) -> None:
        self.names = names

    def term(self, e: sp.Expr) -> str:
        if e.is_Rational:
            return _smt_num(sp.Rational(e))
        if e.is_Symbol:
            return self.names[e]
        if isinstance(e, sp.Add):
            return "(+ " + " ".join(self.term(a) for a in e.args) + ")"
        if isinstance(e, sp.Mul):
            return "(* " + " ".join(self.term(a) for a in e.args) + ")"
        if isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp > 0:
            base = self.term(e.base)
            return "(* " + " ".join([base] * int(e.exp)) + ")" if int(e.exp) > 1 else base
        raise EncodeError(f"not a polynomial term: {e}")

    def condition(self, c: Condition) -> str:
        op, body = c
        if op == "or":
            return "(or " + " ".join(self.condition(x) for x in body) + ")"
        if op == "!=":
            return "(not " + self._relation("=", body) + ")"
        return self._relation(op, body)

    def _relation(self, op: str, g: sp.Expr) -> str:
        """g op 0, with g's denominator cleared: N*D op 0 and D != 0."""
        num, den = sp.fraction(sp.together(g))
        num, den = sp.expand(num), sp.expand(den)
        if den.is_number:
            if den == 0:
                raise EncodeError("a denominator is identically zero")
            body = num if op == "=" or den > 0 else -num
            return f"({op} {self.term(sp.expand(body))} 0)"
        prod = sp.expand(num * den)
        return f"(and (not (= {self.term(den)} 0)) ({op} {self.term(prod)} 0))"


def _range_conditions(v: sp.Symbol, r: VarRange) -> list[Condition]:
    out: list[Condition] = []
    if r.lo.is_finite:
        out.append((">" if r.lo_open else ">=", v - r.lo))
    if r.hi.is_finite:
        out.append(("<" if r.hi_open else "<=", v - r.hi))
    out.extend(("!=", v - e) for e in r.excluded)
    return out


_OPS = {sp.Eq: "=", sp.Ne: "!=", sp.GreaterThan: ">=", sp.StrictGreaterThan: ">", sp.LessThan: "<=", sp.StrictLessThan: "<"}


def _constraint(c: sp.Basic, purifier: _Purifier, plain: dict) -> Condition | None:
    if c is sp.true:
        return None
    if c is sp.false:
        return ("=", sp.Integer(1))
    for cls, op in _OPS.items():
        if isinstance(c, cls):
            return (op, purifier.purify(c.lhs.xreplace(plain) - c.rhs.xreplace(plain)))
    raise EncodeError(f"cannot encode the condition {c}")


def encode_nonnegative(g: sp.Expr, fp: FormalProblem, *, strict: bool = False) -> Encoding:
    """The query "feasible and not (g >= 0)" (or not g > 0 when strict) over fp's variables.

    Variables are replaced by assumption-free symbols first, so that sympy never decides a
    condition (such as a > 0 for a positive symbol) on its own while the query is built.
    """
    plain = {v: sp.Symbol(f"x{i}") for i, v in enumerate(fp.variables)}
    purifier = _Purifier()
    conditions: list[Condition] = []
    for v in fp.variables:
        conditions.extend(_range_conditions(plain[v], range_of(fp.domains.get(v, sp.S.Reals))))
    for c in fp.constraints:
        cond = _constraint(c, purifier, plain)
        if cond is not None:
            conditions.append(cond)
    goal = purifier.purify(sp.sympify(g, strict=True).xreplace(plain))
    symbols = [plain[v] for v in fp.variables] + purifier.fresh
    used = goal.free_symbols | set().union(*[_symbols_of(c) for c in conditions + purifier.defs])
    extra = used - set(symbols)
    if extra:
        raise EncodeError(f"the claim mentions symbols that are not variables: {', '.join(sorted(map(str, extra)))}")
    names = {s: f"v{i}" for i, s in enumerate(symbols)}
    printer = _Printer(names)
    lines = ["(set-logic QF_NRA)"]
    lines += [f"(declare-fun {names[s]} () Real)" for s in symbols]
    for c in conditions + purifier.defs:
        lines.append(f"(assert {printer.condition(c)})")
    # not (goal >= 0) is goal < 0 where goal is defined; not (goal > 0) is goal <= 0.
    lines.append(f"(assert {printer.condition(('<=' if strict else '<', goal))})")
    lines.append("(check-sat)")
    back = {plain[v]: v for v in fp.variables}
    return Encoding("\n".join(lines) + "\n", {n: back.get(s, s) for s, n in names.items()}, purifier.readable)


def _symbols_of(c: Condition) -> set:
    op, body = c
    if op == "or":
        return set().union(*[_symbols_of(x) for x in body])
    return body.free_symbols
