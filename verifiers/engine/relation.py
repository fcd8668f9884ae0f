"""Answer a relation problem (which of <=, >=, =, <, >, none fills the blank) from evidence only.

IneqMath's answer is the strongest relation that holds on the statement's domain:
  lhs >= rhs, equality at an exact feasible point                         -> (B) >=
  lhs >= rhs, never equal on the domain (equality only approached in a limit outside it, or
  not approached at all), proved strict by z3/cvc5                         -> (E) >
  lhs <= rhs, likewise                                                    -> (A) <= / (D) <
  lhs = rhs at every point                                                -> (C) =
  both signs at exact feasible points                                     -> (F) none of the above
An equality point may be degenerate: all variables 0, or all equal where a cyclic difference and
both sides vanish. The relative difference is undefined (0/0) there and hides such points, so they
are looked for directly in lhs - rhs. Strictness is never read from floating point: without a
proof of the strict inequality the engine abstains.

The answer is certified only when a solver proved the chosen relation (two exact witnesses for
(F)), and every point it rests on passed the independent re-check against the statement
(verifiers.engine.recheck): the equality point is a point of the statement with lhs = rhs, the
witnesses of (F) satisfy every stated condition with the claimed signs, the limit where a strict
inequality's gap closes lies outside the statement's domain, and the statement's domain is covered
by the record the solver proved the relation on. A re-check that finds a point violating the
statement makes the engine abstain.
"""

from __future__ import annotations

import time

import sympy as sp
from qed.verifiers.engine.answer import EngineAnswer
from qed.verifiers.engine.certify_within import CERTIFY_FLOOR, certify_within
from qed.verifiers.engine.recheck import (
    PointCheck,
    check_point,
    degenerate_equality,
    domain_coverage,
    exact_value,
    excluded_by_statement,
)
from qed.verifiers.formal import FormalProblem
from qed.verifiers.numeric.domain import DomainError, build_charts
from qed.verifiers.numeric.exact import ExactPoint, symmetric_points
from qed.verifiers.numeric.extremum import lowest_value, split_constraints
from qed.verifiers.numeric.sign import (
    ROUNDING,
    SignResult,
    analyse_sign,
    is_exact_zero,
    relative_difference,
)
from qed.verifiers.smt.certify import Certificate

LETTERS = {
    (">=", "attained"): "B",
    ("<=", "attained"): "A",
    # No equality point: strict if, and only if, a solver proves it (checked below), since a
    # proof of lhs > rhs rules out every equality point at once.
    (">=", "limit"): "E",
    ("<=", "limit"): "D",
    (">=", "unknown"): "E",
    ("<=", "unknown"): "D",
    (">=", "never"): "E",
    ("<=", "never"): "D",
    ("=", "everywhere"): "C",
}

CERTIFY_SECONDS = 10.0  # z3 then cvc5; proofs that succeed here mostly take under two seconds


def letter_for(sign: SignResult) -> tuple[str | None, str]:
    """The option the sign analysis supports, or None with the reason."""
    if sign.direction is None:
        return None, sign.reason or "the sign analysis was inconclusive"
    if sign.direction == "none":
        return "F", sign.reason
    letter = LETTERS.get((sign.direction, sign.equality or ""))
    if letter is not None:
        return letter, sign.reason
    return None, sign.reason


def degenerate_point(fp: FormalProblem, d: sp.Expr) -> ExactPoint | None:
    """An exact feasible point with lhs - rhs = 0 exactly among all-equal and one-at-an-end points,
    looked for in the difference itself (where both sides vanish the relative difference is 0/0)."""
    try:
        charts = build_charts(fp)
    except DomainError:
        return None
    eqs, ineqs = split_constraints(fp)
    for chart in charts[:2]:
        for ep in symmetric_points(chart, eqs, ineqs, d):
            try:
                value = d.subs(ep.point)
            except (TypeError, ValueError, ZeroDivisionError):
                continue
            if not value.free_symbols and not value.has(sp.nan, sp.zoo) and is_exact_zero(value):
                return ep
    return None


def solve_relation(fp: FormalProblem, seconds: float = 20.0, certify: bool = True) -> EngineAnswer:
    if fp.lhs is None or fp.rhs is None:
        return EngineAnswer.abstain("the record has no two sides to compare", "relation", {"formal": fp.describe()})
    t0 = time.monotonic()
    sign = analyse_sign(fp.lhs, fp.rhs, fp, seconds=0.55 * seconds)
    evidence: dict = {"formal": fp.describe(), "sign": sign.describe()}
    if sign.direction in (">=", "<=") and sign.equality != "attained":
        ep = degenerate_point(fp, sp.sympify(fp.lhs - fp.rhs, strict=True))
        if ep is not None:
            sign.equality, sign.equality_point = "attained", ep
            sign.reason = f"lhs = rhs at a degenerate exact feasible point ({ep.method}) where the relative difference is undefined"
            evidence["sign"] = sign.describe()
    letter, why = letter_for(sign)
    if letter is None:
        return EngineAnswer.abstain(why, "relation", evidence)
    strict = letter in ("D", "E")
    certs: list[Certificate] = []
    if certify or strict:
        left = seconds - (time.monotonic() - t0)
        certs = _certify(letter, fp, min(CERTIFY_SECONDS, max(CERTIFY_FLOOR, left - 0.5)))
        evidence["certificate"] = [c.describe() for c in certs]
    if any(c.verdict == "refuted" for c in certs):
        return EngineAnswer.abstain(
            f"the numeric sign analysis says ({letter}) but the solver found a counterexample", "relation", evidence
        )
    proved = bool(certs) and all(c.verdict == "proved" for c in certs)
    if strict and not proved:
        # Strictness rests on not having found an equality point; only a proof makes that an answer.
        where = {
            "limit": "only approached in a limit",
            "never": "not approached: the inequality holds with a margin",
        }.get(sign.equality or "", "not found, though the infimum is numerically 0")
        return EngineAnswer.abstain(
            f"an equality point is {where}, but strictness ({letter}) could not be proved", "relation", evidence
        )
    if letter in ("A", "B") and not proved:
        seen = _second_look(fp, letter, max(1.0, min(4.0, seconds - (time.monotonic() - t0) - 0.5)))
        evidence["second_look"] = seen
        if seen.get("wrong_sign"):
            return EngineAnswer.abstain(f"a second, independent search found lhs - rhs of the wrong sign for ({letter})", "relation", evidence)
    checks = _rechecks(fp, letter, sign)
    evidence["recheck"] = [c.describe() for c in checks]
    violated = [c for c in checks if c.verdict == "violated"]
    if violated:
        c = violated[0]
        return EngineAnswer.abstain(
            f"the independent re-check of the statement rejects the {c.what}: {'; '.join(c.failed)}", "relation", evidence
        )
    rechecked = bool(checks) and all(c.verdict == "confirmed" for c in checks)
    assumptions = fp.extra.get("assumptions") or []
    evidence["summary"] = why
    solvers = sorted({c.get("solver") or "?" for c in evidence.get("certificate", [])})
    evidence["certified_because"] = _why_certified(letter, proved, rechecked, assumptions, checks, solvers)
    # (F) rests on two exact feasible points of opposite sign, which is itself a proof.
    certified = (letter == "F" or proved) and rechecked and not assumptions
    return EngineAnswer("answered", "relation", letter, certified, evidence)


def _why_certified(letter: str, proved: bool, rechecked: bool, assumptions: list[str], checks: list[PointCheck],
                   solvers: list[str]) -> str:
    basis = "two exact witnesses of opposite sign" if letter == "F" else (f"a proof ({', '.join(solvers)})" if proved else "no proof")
    recheck = "the independent re-check confirmed every point" if rechecked else (
        "the independent re-check could not confirm: " + "; ".join(
            u for c in checks if c.verdict != "confirmed" for u in (c.undecided or c.failed)[:2]
        )
    )
    extra = f"; rests on assumptions: {'; '.join(assumptions)}" if assumptions else ""
    return f"{basis}; {recheck}{extra}"


def _rechecks(fp: FormalProblem, letter: str, sign: SignResult) -> list[PointCheck]:
    """The points the answer rests on, each checked against the statement by the second reader."""
    checks: list[PointCheck] = []
    if letter == "F":
        for key, expect in (("lhs<rhs", "negative"), ("lhs>rhs", "positive")):
            w = sign.witnesses.get(key)
            if w is not None:
                point = {v: exact_value(w["point"][str(v)]) for v in fp.variables if str(v) in w["point"]}
                checks.append(check_point(fp, point, f"witness {key}", expect=expect))
        return checks
    if letter in ("A", "B"):
        ep = sign.equality_point
        if ep is not None and ep.attained and set(ep.point) >= set(fp.variables):
            checks.append(check_point(fp, ep.point, "equality point", expect="zero"))
        else:
            checks.append(PointCheck("unconfirmed", "equality point", undecided=["no complete exact equality point"]))
        checks.append(domain_coverage(fp))
        return checks
    if letter in ("D", "E"):
        ep = sign.equality_point
        if ep is not None and ep.limits:
            point = dict(ep.point)
            try:
                charts = build_charts(fp)
                for v, side in ep.limits.items():
                    r = charts[0].ranges[v]
                    end = r.lo if side == "lower" else r.hi
                    point[v] = end
            except (DomainError, KeyError, IndexError):
                point = {}
            if set(point) >= set(fp.variables):
                checks.append(excluded_by_statement(fp, point, "limit where lhs - rhs tends to 0"))
            else:
                checks.append(PointCheck("unconfirmed", "limit where lhs - rhs tends to 0", undecided=["the limit point is not complete"]))
        checks.append(degenerate_equality(fp))
        checks.append(domain_coverage(fp))
        return checks
    if letter == "C":
        for key, w in sign.witnesses.items():
            point = {v: exact_value(w["point"][str(v)]) for v in fp.variables if str(v) in w["point"]}
            checks.append(check_point(fp, point, f"point {key}", expect="zero"))
        checks.append(domain_coverage(fp))
    return checks


def _second_look(fp: FormalProblem, letter: str, seconds: float) -> dict:
    """Search again (another seed, more samples) for a point where the chosen relation fails."""
    r = relative_difference(fp.lhs, fp.rhs)
    low = lowest_value(r if letter == "B" else -r, fp, seconds=seconds)
    if low is None:
        return {"searched": False}
    return {"searched": True, "lowest_relative_difference": low.value, "wrong_sign": low.value < -ROUNDING}


def _certify(letter: str, fp: FormalProblem, timeout: float) -> list[Certificate]:
    """Proofs of the chosen relation: d >= 0 for (B), d > 0 for (E), both signs' bounds for (C)."""
    d = sp.sympify(fp.lhs - fp.rhs, strict=True)
    claims = {"B": [(d, False)], "E": [(d, True)], "A": [(-d, False)], "D": [(-d, True)], "C": [(d, False), (-d, False)]}
    todo = claims.get(letter, [])
    return [certify_within(g, fp, strict=strict, seconds=timeout / len(todo)) for g, strict in todo]
