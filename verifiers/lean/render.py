"""State a formal inequality record as a Lean 4 theorem over ℝ, so Lean can certify it.

relation problem + the relation found:  theorem qed_ineq (a b : ℝ) (ha : 0 < a) (hb : 0 < b) :
                                            a^2 + b^2 ≥ 2*a*b
bound problem + the extreme value C*:   the record's inequality with C := C*, made non-strict
                                        (a strict "f > C" fails at an attained infimum, while
                                        "f ≥ C*" is exactly what the bound claims). Only this
                                        half of a bound is stated; that C* is the best constant
                                        is not.

Only polynomial statements render: every side must be a polynomial in the variables with exact
coefficients (rationals, square roots and other real roots of rationals, π, e). Domains must be
real intervals. Anything else raises LeanRenderError with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp
from qed.verifiers.formal import FormalProblem
from qed.verifiers.lean.errors import LeanRenderError
from qed.verifiers.safe_expr import ExpressionError, parse_expression

_RELATIONS = {"<=": "≤", "≤": "≤", "<": "<", ">=": "≥", "≥": "≥", ">": ">", "=": "=", "==": "=",
              "!=": "≠", "≠": "≠"}
_SYMPY_OPS = {sp.GreaterThan: "≥", sp.StrictGreaterThan: ">", sp.LessThan: "≤", sp.StrictLessThan: "<",
              sp.Equality: "=", sp.Unequality: "≠"}
_KEYWORDS = frozenset({  # words Lean reserves, which cannot name a variable unquoted
    "at", "by", "calc", "do", "else", "end", "fun", "have", "if", "in", "let", "match", "show",
    "then", "from", "with", "where", "Type", "Prop", "Sort", "theorem", "lemma", "def", "example",
    "open", "namespace", "section", "variable", "universe", "instance", "structure", "class",
    "inductive", "import", "deriving", "mutual", "private", "protected", "noncomputable",
    "partial", "unsafe", "axiom", "sorry", "forall", "exists",
})
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ADD, _MUL, _NEG, _POW, _ATOM = 65, 70, 75, 75, 1024
_APP = _POW  # a function application: tighter than *, parenthesised as the base of ^ to be plain


@dataclass(frozen=True)
class LeanTheorem:
    """A theorem statement in pieces: name, real variables, named hypotheses, goal."""

    name: str
    variables: tuple[str, ...]
    hypotheses: tuple[tuple[str, str], ...]
    lhs: str
    relation: str
    rhs: str
    # the record's sympy variables by their Lean names, for building hints and reading results
    symbols: dict[str, sp.Symbol]

    @property
    def goal(self) -> str:
        return f"{self.lhs} {self.relation} {self.rhs}"

    @property
    def statement(self) -> str:
        binders = f" ({' '.join(self.variables)} : ℝ)" if self.variables else ""
        hyps = "".join(f" ({h} : {p})" for h, p in self.hypotheses)
        return f"theorem {self.name}{binders}{hyps} : {self.goal}"


def as_sympy(value: object, names: dict[str, sp.Basic], what: str) -> sp.Expr:
    """A sympy value as given, an int as an Integer, text through the allow-listed reader (never
    sympify: a string could be any Python)."""
    if isinstance(value, sp.Basic):
        return value  # type: ignore[return-value]
    if isinstance(value, int) and not isinstance(value, bool):
        return sp.Integer(value)
    if isinstance(value, str):
        try:
            return parse_expression(value, names, what)
        except ExpressionError as e:
            raise LeanRenderError(str(e)) from None
    raise LeanRenderError(f"{what} {value!r} is neither a sympy value, an integer nor text")


def lean_name(name: str) -> str:
    """A Lean identifier for a variable name: as is when plain, «quoted» otherwise."""
    if _PLAIN.fullmatch(name) and name not in _KEYWORDS:
        return name
    if not name or any(c in name for c in "«»\n"):
        raise LeanRenderError(f"cannot name a Lean variable after {name!r}")
    return f"«{name}»"


class _Printer:
    """sympy → Lean 4 term syntax, with the fewest parentheses Lean's precedences allow."""

    def __init__(self, names: dict[sp.Symbol, str]):
        self.names = names

    def __call__(self, e: sp.Expr) -> str:
        return self.term(as_sympy(e, {n: v for v, n in self.names.items()}, "a term"))[0]

    def wrap(self, e: sp.Expr, above: int) -> str:
        text, prec = self.term(e)
        return f"({text})" if prec <= above else text

    def term(self, e: sp.Expr) -> tuple[str, int]:
        if isinstance(e, sp.Symbol):
            if e not in self.names:
                raise LeanRenderError(f"{e} is not one of the problem's variables")
            return self.names[e], _ATOM
        if isinstance(e, sp.Float):
            raise LeanRenderError(f"the decimal {e} is not an exact value; give it as a fraction")
        if isinstance(e, sp.Integer):
            return (str(e), _ATOM) if e >= 0 else (str(e), _NEG)
        if isinstance(e, sp.Rational):
            return f"{e.p}/{e.q}", _MUL
        if e is sp.pi:
            return "Real.pi", _ATOM
        if e is sp.E:
            return "Real.exp 1", _APP
        if isinstance(e, sp.Add):
            return self.add(e)
        if isinstance(e, sp.Mul):
            return self.mul(e)
        if isinstance(e, sp.Pow):
            return self.pow(e)
        raise LeanRenderError(f"cannot state {e} in Lean (only polynomials over ℝ render)")

    def add(self, e: sp.Add) -> tuple[str, int]:
        parts: list[str] = []
        for i, t in enumerate(e.as_ordered_terms()):
            if i and t.could_extract_minus_sign():
                parts.append(" - " + self.wrap(-t, _ADD))
            elif i:
                parts.append(" + " + self.wrap(t, _ADD))
            else:
                parts.append(self.wrap(t, _ADD - 1))
        return "".join(parts), _ADD

    def mul(self, e: sp.Mul) -> tuple[str, int]:
        coeff, rest = e.as_coeff_Mul()
        if coeff < 0:
            inner, _ = self.mul_positive(-coeff, rest)
            first = (sp.Mul(-coeff, rest)).as_ordered_factors()[0]
            safe = isinstance(first, sp.Symbol | sp.Integer) and inner[:1] != "("
            return ("-" + inner if safe else f"-({inner})"), _NEG
        return self.mul_positive(coeff, rest)

    def mul_positive(self, coeff: sp.Number, rest: sp.Expr) -> tuple[str, int]:
        if isinstance(coeff, sp.Rational) and coeff.q != 1:
            numerator = sp.Integer(coeff.p) * rest
            return f"{self.wrap(numerator, _MUL - 1)}/{coeff.q}", _MUL
        factors = ([] if coeff == 1 else [coeff]) + (list(rest.as_ordered_factors()) if rest != 1 else [])
        if len(factors) <= 1:
            return self.term(factors[0] if factors else sp.Integer(1))
        return "*".join(self.wrap(f, _MUL if i else _MUL - 1) for i, f in enumerate(factors)), _MUL

    def pow(self, e: sp.Pow) -> tuple[str, int]:
        base, exp = e.as_base_exp()
        if isinstance(exp, sp.Integer) and exp > 0:
            return f"{self.wrap(base, _POW)}^{exp}", _POW
        if base.free_symbols:
            raise LeanRenderError(f"{e} is not a polynomial in the variables")
        if isinstance(exp, sp.Integer):  # constant to a negative power
            return f"1/{self.wrap(base ** -exp, _MUL)}", _MUL
        if exp == sp.Rational(1, 2):
            return f"Real.sqrt {self.wrap(base, _ATOM - 1)}", _APP
        if exp == sp.Rational(-1, 2):
            return f"1/Real.sqrt {self.wrap(base, _ATOM - 1)}", _MUL
        if isinstance(exp, sp.Rational):
            return f"({self.wrap(base, _POW)} : ℝ) ^ (({exp.p} : ℝ)/{exp.q})", _POW
        raise LeanRenderError(f"cannot state the constant {e} in Lean")


def _relation_word(relation: str) -> str:
    word = _RELATIONS.get(relation.strip()) if isinstance(relation, str) else None
    if word is None:
        raise LeanRenderError(f"unknown relation {relation!r}; use one of <=, <, >=, >, =")
    return word


def _relational(expr: sp.Basic, what: str) -> tuple[sp.Expr, str, sp.Expr]:
    op = _SYMPY_OPS.get(type(expr))
    if op is None:
        raise LeanRenderError(f"{what} {expr} is not an equation or inequality")
    return expr.lhs, op, expr.rhs


def _goal(problem: FormalProblem, relation: str | None, value: sp.Expr | None) -> tuple[sp.Expr, str, sp.Expr]:
    if problem.kind == "relation":
        if problem.lhs is None or problem.rhs is None:
            raise LeanRenderError("the relation record has no lhs/rhs to compare")
        if relation is None:
            raise LeanRenderError("a relation problem needs the relation to state (one of <=, <, >=, >, =)")
        return problem.lhs, _relation_word(relation), problem.rhs
    if value is None:
        raise LeanRenderError("a bound problem needs the bound's value to state")
    value = as_sympy(value, {str(v): v for v in problem.variables}, "the bound's value")
    if value.free_symbols:
        raise LeanRenderError(f"the bound {value} is not a constant")
    if problem.relation_with_constant is not None and problem.constant is not None:
        claim = problem.relation_with_constant.xreplace({problem.constant: value})
        lhs, op, rhs = _relational(claim, "the bound's relation")
    elif problem.target is not None and problem.sense is not None:
        lhs, op, rhs = problem.target, "≥" if problem.sense == "min" else "≤", value
    else:
        raise LeanRenderError("the bound record has neither a relation with its constant nor a target")
    if op in ("=", "≠"):
        raise LeanRenderError(f"the bound's relation is '{op}', not an inequality")
    return lhs, {">": "≥", "<": "≤"}.get(op, op), rhs


def _domain_hypotheses(var: sp.Symbol, domain: sp.Set, show: _Printer) -> list[str]:
    if domain == sp.S.Reals:
        return []
    if not isinstance(domain, sp.Interval):
        raise LeanRenderError(f"the domain of {var}, {domain}, is not an interval of ℝ")
    name, out = show.names[var], []
    if domain.start != sp.S.NegativeInfinity:
        out.append(f"{show(domain.start)} {'<' if domain.left_open else '≤'} {name}")
    if domain.end != sp.S.Infinity:
        out.append(f"{name} {'<' if domain.right_open else '≤'} {show(domain.end)}")
    return out


def _check_polynomial(expr: sp.Expr, variables: list[sp.Symbol], what: str) -> None:
    stray = expr.free_symbols - set(variables)
    if stray:
        raise LeanRenderError(f"{what} mentions {', '.join(sorted(map(str, stray)))}, which are not variables")
    if not expr.is_polynomial(*variables):
        raise LeanRenderError(f"{what} {expr} is not a polynomial in {', '.join(map(str, variables))}")


def render_lean_theorem(
    problem: FormalProblem,
    *,
    relation: str | None = None,
    value: sp.Expr | int | str | None = None,
    name: str = "qed_ineq",
) -> LeanTheorem:
    """The record as a Lean theorem over ℝ.

    relation: for a relation problem, the relation to state between lhs and rhs (">=", "<", ...).
    value: for a bound problem, the bound's value (C*), exact.
    """
    if not _PLAIN.fullmatch(name) or name in _KEYWORDS:
        raise LeanRenderError(f"{name!r} cannot name a Lean theorem")
    variables = list(problem.variables)
    names: dict[sp.Symbol, str] = {}
    for v in variables:
        names[v] = lean_name(v.name)
    if len(set(names.values())) != len(names):
        raise LeanRenderError("two variables would get the same Lean name")
    show = _Printer(names)
    declared = {str(v): v for v in variables}
    lhs, op, rhs = _goal(problem, relation, None if value is None else as_sympy(value, declared, "the bound's value"))
    lhs, rhs = as_sympy(lhs, declared, "the goal side"), as_sympy(rhs, declared, "the goal side")
    for side in (lhs, rhs):
        _check_polynomial(side, variables, "the goal side")

    taken = set(names.values()) | {name}
    hypotheses: list[tuple[str, str]] = []

    def add(label: str, prop: str) -> None:
        while label in taken:
            label += "'"
        taken.add(label)
        hypotheses.append((label, prop))

    for v in variables:
        base = "h" + (v.name if _PLAIN.fullmatch(v.name) else f"v{variables.index(v) + 1}")
        for prop in _domain_hypotheses(v, problem.domains.get(v, sp.S.Reals), show):
            add(base, prop)
    conditions: list[sp.Basic] = []
    for c in problem.constraints:
        conditions.extend(c.args if isinstance(c, sp.And) else [c])
    for i, c in enumerate(conditions, start=1):
        c_lhs, c_op, c_rhs = _relational(c, "the constraint")
        c_lhs, c_rhs = as_sympy(c_lhs, declared, "the constraint"), as_sympy(c_rhs, declared, "the constraint")
        for side in (c_lhs, c_rhs):
            _check_polynomial(side, variables, "the constraint")
        add(f"h{i}", f"{show(c_lhs)} {c_op} {show(c_rhs)}")
    return LeanTheorem(name, tuple(names[v] for v in variables), tuple(hypotheses),
                       show(lhs), op, show(rhs), {names[v]: v for v in variables})
