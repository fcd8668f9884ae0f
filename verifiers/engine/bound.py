"""Answer a bound problem (the best constant C) from the extremum of the isolated target.

The formalizer isolates C: "largest C with f >= C" becomes min f, "smallest C with f <= C g" max f/g.
The answer is the exact extreme value, only when it was found exactly (an exact extremal point or
limit, or a value recognised from 50 digits) and agrees with the numeric search. The original
relation at that C is then sent to z3/cvc5: proved makes the answer certified, a checked
counterexample makes the engine abstain. An unbounded target, a value with no closed form or no
isolated target are abstentions with the reason.
"""

from __future__ import annotations

import time
from dataclasses import replace

import sympy as sp
from qed.verifiers.engine.answer import EngineAnswer
from qed.verifiers.engine.certify_within import CERTIFY_FLOOR, certify_within
from qed.verifiers.engine.isolate import split_by_sign
from qed.verifiers.engine.recheck import PointCheck, check_point, domain_coverage
from qed.verifiers.engine.square_factors import SOLVER as SQUARES
from qed.verifiers.engine.square_factors import zero_of_a_square
from qed.verifiers.final_answer import latex_to_sympy
from qed.verifiers.formal import FormalProblem
from qed.verifiers.numeric.domain import DomainError, build_charts
from qed.verifiers.numeric.exact import ExactPoint
from qed.verifiers.numeric.extremum import Extremum, extremum, lowest_value
from qed.verifiers.smt.certify import Certificate

MIN_DIGITS = 9  # a closed form read from fewer confirmed digits is not an answer
MAX_ANSWER_OPS = 40  # exact values beyond this size (Cardano-type radicals) are reported, not answered

_LATEX_STYLES = ({"mul_symbol": "dot"}, {"mul_symbol": "dot", "root_notation": False}, {"mul_symbol": "dot", "fold_short_frac": False})

SQUARE_ZERO_SECONDS = 12.0  # time left needed to look for an exact zero of a square (see solve_bound)
CERTIFY_SECONDS = 10.0  # z3 then cvc5; proofs that succeed here mostly take under two seconds


def render_latex(value: sp.Expr) -> str | None:
    """LaTeX for an exact value that verifiers.final_answer reads back as the same number."""
    for style in _LATEX_STYLES:
        text = sp.latex(value, **style)
        back = latex_to_sympy(text)
        if back is None:
            continue
        try:
            if sp.simplify(back - value) == 0:
                return text
        except (TypeError, ValueError):
            continue
    return None


def solve_bound(fp: FormalProblem, seconds: float = 20.0, certify: bool = True, second_look: bool = True) -> EngineAnswer:
    """The best constant of a bound record; `certify` and `second_look` off (one instance of a
    parametric problem, checked by other means) leave most of the time to the search."""
    t0 = time.monotonic()
    evidence: dict = {"formal": fp.describe()}
    search_fp, other = fp, None
    if fp.target is None or fp.sense is None:
        split = split_by_sign(fp)
        if split is None:
            why = next((n for n in reversed(fp.notes) if "isolate" in n or "branch" in n), "the constant could not be isolated")
            return EngineAnswer.abstain(why, "bound", evidence)
        search_fp, other_fp = split
        evidence["split"] = {"asked": search_fp.notes[-1], "other": other_fp.notes[-1]}
        other = extremum(other_fp.target, other_fp, other_fp.sense, seconds=0.15 * seconds)
        evidence["other_end"] = other.describe()
    share = 0.45 if certify or second_look else 0.8
    ext = extremum(search_fp.target, search_fp, search_fp.sense, seconds=share * seconds)
    evidence["extremum"] = ext.describe()
    reason = _unusable(ext)
    if reason:
        return EngineAnswer.abstain(reason, "bound", evidence)
    if other is not None and other.numeric is not None and not _compatible(ext, other):
        return EngineAnswer.abstain(
            f"no constant works everywhere: the other sign region needs C {'>=' if other.sense == 'max' else '<='} {other.numeric:.6g}", "bound", evidence
        )
    value, why_not = constant_allowed(fp, ext.exact)
    if value is None:
        return EngineAnswer.abstain(why_not, "bound", evidence)
    if value != ext.exact:
        evidence["integer_constant"] = f"the constant must be an integer: {ext.exact} gives {value}"
    latex = render_latex(value)
    if latex is None:
        return EngineAnswer.abstain(f"the value {value} has no LaTeX form the answer reader accepts", "bound", evidence)
    evidence["summary"] = _summary(fp, ext)
    proved = False
    if certify:
        left = seconds - (time.monotonic() - t0)
        cert = _certify(fp, ext, min(CERTIFY_SECONDS, max(CERTIFY_FLOOR, left - 0.5)))
        evidence["certificate"] = cert.describe()
        if cert.verdict == "refuted":
            return EngineAnswer.abstain(f"C = {ext.exact} is contradicted by the solver's counterexample", "bound", evidence)
        proved = cert.verdict == "proved"
        # finding the zero and re-checking an algebraic point take seconds: only with time to spare,
        # so that the answer is never lost to the hard limit for the sake of its certification
        if proved and ext.witness is None and cert.solver == SQUARES and seconds - (time.monotonic() - t0) > SQUARE_ZERO_SECONDS:
            ext = _attained_on_the_square(fp, ext, evidence)
    checks = _rechecks(fp, ext, value)
    evidence["recheck"] = [c.describe() for c in checks]
    violated = [c for c in checks if c.verdict == "violated"]
    if violated:
        c = violated[0]
        return EngineAnswer.abstain(
            f"the independent re-check of the statement rejects the {c.what}: {'; '.join(c.failed)}", "bound", evidence
        )
    rechecked = all(c.verdict == "confirmed" for c in checks)
    assumptions = fp.extra.get("assumptions") or []
    evidence["certified_because"] = (
        (f"a proof of the inequality at this C ({evidence['certificate'].get('solver')})" if proved else "no proof")
        + ("; the independent re-check confirmed the extremal point and the domain" if rechecked else
           "; the independent re-check could not confirm: " + "; ".join(
               u for c in checks if c.verdict != "confirmed" for u in (c.undecided or c.failed)[:2]))
        + (f"; rests on assumptions: {'; '.join(assumptions)}" if assumptions else "")
    )
    if not proved and second_look:
        left = seconds - (time.monotonic() - t0)
        low = lowest_value(search_fp.target if ext.sense == "min" else -search_fp.target, search_fp, seconds=max(1.0, min(4.0, left - 0.5)))
        if low is not None:
            value = float(ext.exact) if ext.sense == "min" else -float(ext.exact)
            evidence["second_look"] = {"lowest": low.value, "expected": value}
            if low.value < value - 1e-6 * max(1.0, abs(value)):
                return EngineAnswer.abstain(f"a second, independent search went beyond C = {ext.exact} (to {abs(low.value):.12g})", "bound", evidence)
    return EngineAnswer("answered", "bound", latex, proved and rechecked and not assumptions, evidence)


def constant_allowed(fp: FormalProblem, value: sp.Expr) -> tuple[sp.Expr | None, str]:
    """The answer once what the statement says of the constant is applied ("the largest positive
    constant", "the smallest integer k", "C > 1"), or None with the reason it cannot be given."""
    domain = fp.extra.get("constant_domain")
    if domain == "integer":
        asked = fp.extra.get("asked")
        rel = fp.relation_with_constant
        strict = isinstance(rel, (sp.StrictGreaterThan, sp.StrictLessThan))
        if value.is_integer:
            if strict:
                return None, f"the constant must be an integer and {value} is one, but the inequality is strict"
        elif asked == "largest" and not strict:
            value = sp.floor(value)
        elif asked == "smallest" and not strict:
            value = sp.ceiling(value)
        else:
            return None, f"the constant must be an integer; {value} is not one and the direction is unclear"
    if domain in ("positive", "nonnegative"):
        s = sp.sign(sp.N(value, 30)) if value.is_number else None
        if s is None or s < 0 or (s == 0 and domain == "positive"):
            return None, f"the statement asks for a {domain} constant, but the extreme value is {value}"
    for op, bound in fp.extra.get("constant_bounds") or []:
        ok = {"<": value < bound, "<=": value <= bound, ">": value > bound, ">=": value >= bound}.get(op, sp.true)
        if ok is not sp.true and ok is not True:
            return None, f"the extreme value {value} violates the stated condition C {op} {bound}"
    return value, ""


def _rechecks(fp: FormalProblem, ext: Extremum, value: sp.Expr) -> list[PointCheck]:
    """The extremal point (or the limit it is approached in) checked against the statement, and
    the statement's domain against the record's."""
    checks: list[PointCheck] = []
    w = ext.witness
    if w is None:
        checks.append(PointCheck("unconfirmed", "extremal point", undecided=[f"no exact point backs the value ({ext.method})"]))
    elif w.attained and set(w.point) >= set(fp.variables):
        tight = sp.simplify(value - ext.exact) == 0
        checks.append(check_point(fp, w.point, "extremal point", expect="zero" if tight else "nonnegative", constant=value))
    elif not w.attained:
        point, far = dict(w.point), []
        try:
            ranges = build_charts(fp)[0].ranges
            for v, side in w.limits.items():
                end = ranges[v].lo if side == "lower" else ranges[v].hi
                if not end.is_finite:  # infinity is no point: check far out along the way there
                    end = sp.Integer(10) ** 6 * (1 if end == sp.oo else -1)
                    far.append(v)
                point[v] = end
        except (DomainError, KeyError, IndexError):
            point = {}
        what = "limit the extreme value is approached in"
        if set(point) >= set(fp.variables):
            check = check_point(fp, point, what, constant=value, closure=True)
            if far and check.verdict == "violated":
                # the other coordinates belong to the limit, not to this far point
                check = PointCheck("unconfirmed", what, check.point, undecided=[f"far point: {f}" for f in check.failed])
            if far:
                check.notes.append(f"{', '.join(map(str, far))} set to a far value (the limit is at infinity)")
            checks.append(check)
        else:
            checks.append(PointCheck("unconfirmed", what, undecided=["the limit point is not complete"]))
    else:
        checks.append(PointCheck("unconfirmed", "extremal point", undecided=["the exact point is not complete"]))
    checks.append(domain_coverage(fp))
    return checks


def _compatible(asked: Extremum, other: Extremum) -> bool:
    """The admissible interval [sup below, inf above] is not empty."""
    tol = 1e-7 * max(1.0, abs(asked.numeric))
    if other.unbounded:
        return False
    if asked.sense == "min":  # asked for the largest C: the lower end must not exceed it
        return other.numeric <= asked.numeric + tol
    return other.numeric >= asked.numeric - tol


def _unusable(ext: Extremum) -> str | None:
    if ext.numeric is None:
        return "; ".join(ext.notes) or "the search found no feasible point"
    if ext.unbounded:
        how = ""
        if ext.witness is not None and ext.witness.limits:
            how = " as " + ", ".join(f"{k} -> {'its lower end' if s == 'lower' else 'its upper end'}" for k, s in ext.witness.limits.items())
        side = "below" if ext.sense == "min" else "above"
        return f"the target is unbounded {side} (its exact limit{how} is {'-oo' if ext.sense == 'min' else 'oo'}): no finite constant works"
    if ext.exact is None:
        return f"the {ext.sense} is about {ext.numeric:.12g} ({ext.where}) but no exact value was confirmed"
    if ext.digits is not None and ext.digits < MIN_DIGITS:
        return f"the closed form {ext.exact} rests on only {ext.digits} digits"
    if sp.count_ops(ext.exact) > MAX_ANSWER_OPS:
        return (
            f"the exact {ext.sense} is a closed form with {sp.count_ops(ext.exact)} operations "
            f"(about {ext.numeric:.12g}); a constant that complicated suggests a misread or misstated problem"
        )
    return None


def _attained_on_the_square(fp: FormalProblem, ext: Extremum, evidence: dict) -> Extremum:
    """The proof factored the statement's difference H (H >= 0 is the inequality) at C into squares:
    an exact zero of one, where raising C (for the largest) or lowering it (for the smallest) makes H
    negative, is a point where C is attained and cannot be improved (the re-check then tests it)."""
    rel, c, asked = fp.relation_with_constant, fp.constant, fp.extra.get("asked")
    best = ext.search.best if ext.search is not None else None
    if c is None or best is None or asked not in ("largest", "smallest") or not isinstance(rel, (sp.Ge, sp.Le)):
        return ext
    h = sp.expand(rel.lhs - rel.rhs if isinstance(rel, sp.Ge) else rel.rhs - rel.lhs)
    slope = sp.diff(h, c)
    if slope.has(c):
        return ext

    def tight(point: dict) -> bool:
        s = sp.N(slope.subs(point), 30)
        return bool(s < -1e-20) if asked == "largest" else bool(s > 1e-20)

    point = zero_of_a_square(h.subs(c, ext.exact), fp, best.point, tight)
    if point is None:
        return ext
    evidence["attained_on_the_square"] = {str(k): str(v) for k, v in point.items()}
    witness = ExactPoint(point, method="an exact zero of a squared factor of the difference at C, where C cannot be improved")
    return replace(ext, witness=witness, where="interior")


def _certify(fp: FormalProblem, ext: Extremum, timeout: float) -> Certificate:
    """Prove the statement's own inequality at C = value (target >= value for a min, <= for a max)."""
    rel, c = fp.relation_with_constant, fp.constant
    if rel is not None and c is not None and isinstance(rel, sp.core.relational.Relational) and not isinstance(rel, (sp.Eq, sp.Ne)):
        h = rel.lhs - rel.rhs if isinstance(rel, (sp.Ge, sp.Gt)) else rel.rhs - rel.lhs
        g = h.subs(c, ext.exact)
    else:
        g = fp.target - ext.exact if ext.sense == "min" else ext.exact - fp.target
    return certify_within(sp.sympify(g, strict=True), fp, strict=False, seconds=timeout)


def _summary(fp: FormalProblem, ext: Extremum) -> str:
    how = "attained at " + ", ".join(f"{k} = {v}" for k, v in ext.witness.point.items()) if ext.attained else ext.where
    if ext.witness is not None and ext.witness.limits:
        how = "approached as " + ", ".join(f"{k} -> {'its lower end' if s == 'lower' else 'its upper end'}" for k, s in ext.witness.limits.items())
    return f"{ext.sense} of the target = {ext.exact} ({how}; {ext.method})"
