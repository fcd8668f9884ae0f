"""The independent re-check: is a point the engine relies on really a point of the statement?

Every counterexample, equality point and witness behind an answer is evaluated here against the
statement itself, as verifiers.engine.reread reads it (not against the formal record the search
used): every stated condition exactly at the point, and the compared expressions there. The
verdict is "confirmed" (all conditions hold and the claim about the point holds), "violated" (a
condition or the claim is false there: the answer must not stand on this point) or "unconfirmed"
(the second reader could not read everything, or could not decide a value). Only "confirmed"
lets an answer be called certified.

Values are decided exactly where sympy can simplify them, otherwise from 60 significant digits
(a value below 1e-45 in size then counts as zero, and the check says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import sympy as sp
from qed.verifiers.engine.reread import Condition, Reread, reread, sym
from qed.verifiers.formal import FormalProblem
from qed.verifiers.safe_expr import parse_number


def exact_value(value: object, what: str = "a point's value") -> sp.Expr:
    """A sympy number from a value or from the text evidence stores it as (the safe reader: text
    never reaches sympify); ExpressionError when the text is not a number. Decimals stay Floats,
    as sympify kept them: a point written with decimals is not turned into another exact point."""
    if isinstance(value, str):
        return parse_number(value, what, exact=False)
    return sp.sympify(value, strict=True)

Verdict = Literal["confirmed", "violated", "unconfirmed"]
Expect = Literal["zero", "positive", "negative", "nonnegative", "nonpositive"]

DIGITS = 60
ZERO = sp.Float(10) ** -45
NAME = "independent re-check of the statement (verifiers.engine.recheck)"


@dataclass
class PointCheck:
    verdict: Verdict
    what: str  # what the point is for: "equality point", "witness lhs < rhs", ...
    point: dict[str, str] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)
    claim: str = ""
    notes: list[str] = field(default_factory=list)

    def describe(self) -> dict:
        return {
            "check": NAME, "verdict": self.verdict, "what": self.what, "point": dict(self.point),
            "failed": list(self.failed), "undecided": list(self.undecided), "claim": self.claim,
            "notes": list(self.notes),
        }


def sign_of(value: sp.Expr) -> tuple[int | None, str]:
    """-1, 0 or +1 for a closed-form real number (None when it is not one), and how it was decided."""
    try:
        value = exact_value(value, "a value")
        if value.free_symbols or value.has(sp.nan, sp.zoo):
            return None, "not a number"
        if value in (sp.oo, -sp.oo):
            return (1 if value == sp.oo else -1), "infinite"
        if value == 0:
            return 0, "exactly 0"
        approx = sp.N(value, DIGITS)
        if not approx.is_number or not approx.is_real:
            re_part, im_part = approx.as_real_imag()
            if abs(im_part) > ZERO:
                return None, "not real"
            approx = re_part
        if abs(approx) > ZERO:
            return (1 if approx > 0 else -1), f"{DIGITS} digits"
        if sp.simplify(value) == 0:
            return 0, "simplifies to 0"
        return 0, "zero to 45 digits"
    except (TypeError, ValueError, ZeroDivisionError, AttributeError, RecursionError):
        return None, "not decidable"


def _holds(rel: sp.Basic, env: dict[sp.Symbol, sp.Expr], closure: bool) -> bool | None:
    lhs, rhs = rel.lhs.xreplace(env), rel.rhs.xreplace(env)
    s, _ = sign_of(lhs - rhs)
    if s is None:
        return None
    if isinstance(rel, sp.Equality):
        return s == 0
    if isinstance(rel, sp.Unequality):
        return True if closure else s != 0
    if isinstance(rel, (sp.StrictGreaterThan, sp.GreaterThan)):
        return s > 0 or (s == 0 and (closure or isinstance(rel, sp.GreaterThan)))
    return s < 0 or (s == 0 and (closure or isinstance(rel, sp.LessThan)))


def _is_integer(value: sp.Expr) -> bool | None:
    if value.free_symbols:
        return None
    try:
        nearest = sp.Integer(int(sp.floor(sp.N(value, DIGITS) + sp.Rational(1, 2))))
    except (TypeError, ValueError):
        return None
    s, _ = sign_of(value - nearest)
    return None if s is None else s == 0


def _condition_holds(cond: Condition, env: dict, closure: bool) -> bool | None:
    results = [_holds(r, env, closure) for r in cond.relations]
    for v in cond.integer:
        value = env.get(v)
        results.append(None if value is None else _is_integer(value))
    if cond.any_of:
        if any(r is True for r in results):
            return True
        return None if any(r is None for r in results) else False
    if any(r is False for r in results):
        return False
    return None if any(r is None for r in results) else True


def environment(rr: Reread, values: dict[str, sp.Expr]) -> dict[sp.Symbol, sp.Expr]:
    """The statement's names at the point: the point's values, then the reader's definitions."""
    env = {sym(k): exact_value(v) for k, v in values.items()}
    for name, expr in rr.definitions:
        if name in env:
            continue
        env[name] = expr.xreplace(env)
    return env


def check_reading(
    rr: Reread, values: dict[str, sp.Expr], what: str, *, expect: Expect | None = None,
    constant: sp.Expr | None = None, closure: bool = False,
) -> PointCheck:
    """Evaluate every condition of the reading, and the claim `expect`, at the point."""
    out = PointCheck("unconfirmed", what, {k: str(v) for k, v in values.items()})
    if rr.unread:
        out.undecided += [f"not read: {u}" for u in rr.unread]
    if any(v in (sp.oo, -sp.oo) or (hasattr(v, "has") and v.has(sp.oo, -sp.oo)) for v in values.values()):
        out.undecided.append("the point has an infinite coordinate")
        return out
    env = environment(rr, values)
    if rr.constant is not None and constant is not None:
        env[rr.constant] = constant
    for cond in rr.conditions:
        held = _condition_holds(cond, env, closure)
        if held is False:
            out.failed.append(cond.source)
        elif held is None:
            out.undecided.append(f"cannot evaluate {cond.source}")
    if constant is not None:
        for cond in rr.constant_conditions:
            held = _condition_holds(cond, env, False)
            if held is False:
                out.failed.append(f"{cond.source} (the answer {constant})")
            elif held is None:
                out.undecided.append(f"cannot evaluate {cond.source}")
    if expect is not None:
        _claim(rr, env, expect, out)
    if out.failed:
        out.verdict = "violated"
    elif not out.undecided:
        out.verdict = "confirmed"
    return out


def _claim(rr: Reread, env: dict, expect: Expect, out: PointCheck) -> None:
    if rr.kind == "relation":
        if rr.lhs is None or rr.rhs is None:
            out.undecided.append("the compared expressions were not read")
            return
        d = rr.lhs.xreplace(env) - rr.rhs.xreplace(env)
        label = "lhs - rhs"
    else:
        rel = rr.relation
        if rel is None or rr.constant not in env:
            out.undecided.append("the inequality with the constant was not read")
            return
        d = (rel.lhs - rel.rhs).xreplace(env)
        if isinstance(rel, (sp.LessThan, sp.StrictLessThan)):
            d = -d
        label = "the larger side minus the smaller side of the inequality at the answer"
    s, how = sign_of(d)
    want = {"zero": {0}, "positive": {1}, "negative": {-1}, "nonnegative": {0, 1}, "nonpositive": {0, -1}}[expect]
    out.claim = f"{label} is {expect} at the point"
    if s is None:
        out.undecided.append(f"{label} cannot be evaluated at the point ({how})")
    elif s not in want:
        out.failed.append(f"{label} is {'0' if s == 0 else ('positive' if s > 0 else 'negative')} there ({how}), not {expect}")
    else:
        out.notes.append(f"{label}: sign {s} ({how})")


def point_values(fp: FormalProblem, point: dict[sp.Symbol, sp.Expr]) -> dict[str, sp.Expr]:
    """The statement's own names at a point of the record: its variables, the sides the record
    wrote in other variables (Ravi), and the integer parameters the record was built with."""
    values = {str(k): exact_value(v) for k, v in point.items()}
    for side, expr in fp.substitution.items():
        values[str(side)] = sp.sympify(expr, strict=True).xreplace(dict(point))
    for p, v in fp.parameter_values.items():
        values[str(p)] = sp.Integer(v)
    return values


def statement_of(fp: FormalProblem) -> str | None:
    return fp.extra.get("statement")


def check_point(
    fp: FormalProblem, point: dict[sp.Symbol, sp.Expr], what: str, *, expect: Expect | None = None,
    constant: sp.Expr | None = None, closure: bool = False,
) -> PointCheck:
    """Re-read fp's statement and check a point of fp against it (see the module docstring)."""
    statement = statement_of(fp)
    values = point_values(fp, point)
    if statement is None:
        out = PointCheck("unconfirmed", what, {k: str(v) for k, v in values.items()})
        out.undecided.append("the record carries no statement to re-read")
        return out
    rr = reread(statement, fp.kind, values)
    return check_reading(rr, values, what, expect=expect, constant=constant, closure=closure)


def excluded_by_statement(fp: FormalProblem, point: dict[sp.Symbol, sp.Expr], what: str) -> PointCheck:
    """For a limit point where lhs = rhs: "confirmed" means the statement excludes it (some
    stated condition is false there, or the point is at infinity), so it is no equality point;
    "violated" means every stated condition holds there."""
    values = point_values(fp, point)
    if any(v.has(sp.oo, -sp.oo) for v in values.values()):
        out = PointCheck("confirmed", what, {k: str(v) for k, v in values.items()})
        out.notes.append("the point lies at infinity: not a point of the domain")
        return out
    inner = check_point(fp, point, what)
    out = PointCheck("unconfirmed", what, inner.point, notes=list(inner.notes))
    if inner.failed:
        out.verdict = "confirmed"
        out.notes.append("excluded by: " + "; ".join(inner.failed))
    elif inner.verdict == "confirmed":
        out.verdict = "violated"
        out.failed.append("every stated condition holds at this point, so lhs = rhs is attained")
    else:
        out.undecided = list(inner.undecided)
    return out


def _single_variable_bounds(rr: Reread, name: sp.Symbol) -> sp.Set:
    """The set the re-read conditions allow one variable, from the conditions on it alone."""
    allowed: sp.Set = sp.S.Reals
    for cond in rr.conditions:
        if cond.any_of:
            continue
        for rel in cond.relations:
            if rel.free_symbols != {name} or isinstance(rel, sp.Equality):
                continue
            try:
                solved = sp.solveset(rel, name, sp.S.Reals)
            except (NotImplementedError, ValueError, TypeError):
                continue
            if isinstance(solved, sp.Set) and not isinstance(solved, sp.ConditionSet):
                allowed = allowed.intersect(solved)
    return allowed


def domain_coverage(fp: FormalProblem) -> PointCheck:
    """Does the record's domain contain the statement's? A proof over the record covers the
    statement only if every variable may take, in the record, every value the statement allows
    it (positive in the record but non-negative in the statement leaves 0 unproved)."""
    out = PointCheck("unconfirmed", "domain coverage")
    statement = statement_of(fp)
    if statement is None:
        out.undecided.append("the record carries no statement to re-read")
        return out
    values = point_values(fp, {v: sp.Integer(1) for v in fp.variables})
    rr = reread(statement, fp.kind, values)
    if rr.unread:
        out.undecided += [f"not read: {u}" for u in rr.unread]
    own = [v for v in fp.variables if not fp.substitution]
    for v in own:
        stated = _single_variable_bounds(rr, sym(v.name))
        record = fp.domains.get(v, sp.S.Reals)
        try:
            left = sp.Complement(stated, record)
            covered = True if left.is_empty else (False if left.is_empty is False else stated.is_subset(record))
        except (TypeError, ValueError):
            covered = None
        if covered is False:
            out.failed.append(f"the statement allows {v} in {stated}, the record only {record}")
        elif covered is None:
            out.undecided.append(f"cannot compare the domains of {v}")
    if out.failed:
        out.verdict = "violated"
    elif not out.undecided:
        out.verdict = "confirmed"
    return out


def degenerate_equality(fp: FormalProblem) -> PointCheck:
    """The second reader's own search for the equality points IneqMath counts and a relative
    measure hides: all variables 0, and all variables equal (x = y = z, where a cyclic difference
    vanishes). "violated" means it found one the statement allows, so a strict answer is wrong."""
    out = PointCheck("unconfirmed", "degenerate equality points")
    statement = statement_of(fp)
    if statement is None:
        out.undecided.append("the record carries no statement to re-read")
        return out
    values = point_values(fp, {v: sp.Integer(1) for v in fp.variables})
    rr = reread(statement, fp.kind, values)
    if rr.unread or rr.lhs is None or rr.rhs is None:
        out.undecided += [f"not read: {u}" for u in rr.unread] or ["the compared expressions were not read"]
        return out
    params = {str(p) for p in fp.parameter_values}
    names = [str(s) for s in fp.substitution] if fp.substitution else [str(v) for v in fp.variables]
    t = sp.Symbol("t_degenerate", real=True)
    base = {k: v for k, v in values.items() if k in params}
    env = environment(rr, {**base, **{k: t for k in names}})
    try:
        d = sp.together((rr.lhs - rr.rhs).xreplace(env))
        num = sp.numer(d)
        roots = sp.Poly(num, t).real_roots() if num.free_symbols == {t} else []
    except (sp.PolynomialError, NotImplementedError, TypeError, ValueError):
        out.undecided.append("the difference along x = y = ... is not a polynomial ratio")
        return out
    candidates = [sp.Integer(0)] + [r for r in roots if r != 0][:6]
    for root in candidates:
        point = {**base, **{k: root for k in names}}
        check = check_reading(rr, point, "degenerate point", expect="zero")
        if check.verdict == "confirmed":
            out.verdict = "violated"
            out.failed.append(f"lhs = rhs at {', '.join(f'{k} = {v}' for k, v in point.items())}, which the statement allows")
            return out
    out.verdict = "confirmed"
    out.notes.append("no point with all variables equal (or all 0) that the statement allows has lhs = rhs")
    return out
