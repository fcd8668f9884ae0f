"""Answer a relation problem (which of <=, >=, =, <, >, none fills the blank) from evidence only.

The letter follows from the sign analysis and nothing else:
  lhs >= rhs, equality at an exact feasible point       -> (B) >=
  lhs >= rhs, equality only approached in a limit       -> (E) >
  lhs >= rhs, infimum of the relative difference < 1e-5 but no equality point or limit found,
  and z3/cvc5 prove lhs > rhs on the whole domain       -> (E) >
  lhs <= rhs, likewise                                  -> (A) <= / (D) <
  lhs = rhs at every point                              -> (C) =
  both signs at exact feasible points                   -> (F) none of the above
Everything else abstains: a strict inequality with a margin (both >= and > are then true and the
statement is not tight, so no single option is supported), an equality case that could not be
decided exactly, or signs seen only in floating point. A proof by z3/cvc5 of the chosen relation
makes the answer certified; a checked counterexample to it makes the engine abstain.
"""

from __future__ import annotations

import time

import sympy as sp
from qed.verifiers.engine.answer import EngineAnswer
from qed.verifiers.formal import FormalProblem
from qed.verifiers.numeric.extremum import lowest_value
from qed.verifiers.numeric.sign import ROUNDING, SignResult, analyse_sign, relative_difference
from qed.verifiers.smt.certify import Certificate, certify_nonnegative

LETTERS = {
    (">=", "attained"): "B",
    (">=", "limit"): "E",
    ("<=", "attained"): "A",
    ("<=", "limit"): "D",
    # The infimum is numerically 0 but no equality point was found: strict if, and only if, a solver
    # proves it (checked below), since a proof of lhs > rhs rules out every equality point at once.
    (">=", "unknown"): "E",
    ("<=", "unknown"): "D",
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
    if sign.equality == "never":
        strict = "E" if sign.direction == ">=" else "D"
        weak = "B" if sign.direction == ">=" else "A"
        return None, f"{sign.reason}; both ({weak}) and ({strict}) hold, so the blank has no single tight answer"
    return None, sign.reason


def solve_relation(fp: FormalProblem, seconds: float = 20.0, certify: bool = True) -> EngineAnswer:
    if fp.lhs is None or fp.rhs is None:
        return EngineAnswer.abstain("the record has no two sides to compare", "relation", {"formal": fp.describe()})
    t0 = time.monotonic()
    sign = analyse_sign(fp.lhs, fp.rhs, fp, seconds=0.55 * seconds)
    evidence = {"formal": fp.describe(), "sign": sign.describe()}
    letter, why = letter_for(sign)
    if letter is None:
        return EngineAnswer.abstain(why, "relation", evidence)
    strict = letter in ("D", "E")
    certs: list[Certificate] = []
    if certify or strict:
        left = seconds - (time.monotonic() - t0)
        certs = _certify(letter, fp, min(CERTIFY_SECONDS, max(1.0, left - 0.5)))
        evidence["certificate"] = [c.describe() for c in certs]
    if any(c.verdict == "refuted" for c in certs):
        return EngineAnswer.abstain(
            f"the numeric sign analysis says ({letter}) but the solver found a counterexample", "relation", evidence
        )
    proved = bool(certs) and all(c.verdict == "proved" for c in certs)
    if strict and not proved:
        # Strictness rests on not having found an equality point; only a proof makes that an answer.
        where = "only approached in a limit" if sign.equality == "limit" else "not found, though the infimum is numerically 0"
        return EngineAnswer.abstain(
            f"an equality point is {where}, but strictness ({letter}) could not be proved", "relation", evidence
        )
    if letter in ("A", "B") and not proved:
        seen = _second_look(fp, letter, max(1.0, min(4.0, seconds - (time.monotonic() - t0) - 0.5)))
        evidence["second_look"] = seen
        if seen.get("wrong_sign"):
            return EngineAnswer.abstain(f"a second, independent search found lhs - rhs of the wrong sign for ({letter})", "relation", evidence)
    evidence["summary"] = why
    # (F) rests on two exact feasible points of opposite sign, which is itself a proof.
    return EngineAnswer("answered", "relation", letter, letter == "F" or proved, evidence)


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
    return [certify_nonnegative(g, fp, strict=strict, timeout=timeout / len(todo)) for g, strict in todo]
