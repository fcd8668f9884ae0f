"""Final-answer judge: read the answer a proof commits to and compare it exactly with the known one.

Deterministic (verifiers.final_answer). Without a known answer it still checks the form: a bound
given as a decimal approximation fails, because the answer must be exact.
"""

from __future__ import annotations

from qed.problems.record import Problem
from qed.verifiers.final_answer import (
    extract_bound,
    extract_relation,
    gold_relation_letter,
    is_correct,
    is_decimal_approximation,
    latex_to_sympy,
)
from qed.verifiers.judges.bounded_check import bounded_verdict
from qed.verifiers.judges.verdict import JudgeVerdict

NAME = "final_answer"


def check(problem: Problem | None, proof: str) -> JudgeVerdict:
    """The proof's final answer against the known one, read in a bounded child."""
    return bounded_verdict(NAME, _check_proof, proof, problem)


def _check_proof(proof: str, problem: Problem | None) -> JudgeVerdict:
    return check_in_process(problem, proof)


def check_in_process(problem: Problem | None, proof: str) -> JudgeVerdict:
    if problem is None or problem.kind not in ("bound", "relation"):
        return JudgeVerdict(NAME, "no_verdict", "not a bound or relation problem: there is no final answer to read",
                            applicable=False)
    if not proof.strip():
        return JudgeVerdict(NAME, "no_verdict", "the proof is empty")
    if problem.kind == "relation":
        letter = extract_relation(proof)
        if letter is None:
            return JudgeVerdict(NAME, "fail", "the proof commits to no option (A)-(F)")
        if problem.answer is None:
            return JudgeVerdict(NAME, "no_verdict", f"the proof answers ({letter}); no known answer to compare with",
                                stats={"answer": letter})
        ok = is_correct("relation", f"({letter})", problem.answer)
        gold = gold_relation_letter(problem.answer)
        return JudgeVerdict(NAME, "pass" if ok else "fail",
                            f"the proof answers ({letter}); the known answer is ({gold})",
                            quote=f"({letter})", stats={"answer": letter, "gold": gold})
    value = extract_bound(proof)
    if value is None:
        return JudgeVerdict(NAME, "fail", "the proof states no value of C")
    if problem.answer is None:
        if is_decimal_approximation(value) and not _exact_decimal(value):
            return JudgeVerdict(NAME, "fail", f"C = {value} is a decimal approximation; an exact value is required",
                                quote=f"C = {value}", stats={"answer": value})
        return JudgeVerdict(NAME, "no_verdict", f"the proof answers C = {value}; no known answer to compare with",
                            stats={"answer": value})
    ok = bool(is_correct("bound", value, problem.answer))
    reason = f"the proof answers C = {value}; the known answer is {problem.answer.strip('$ ')}"
    if not ok and is_decimal_approximation(value):
        reason += " (a decimal approximation is not the exact value)"
    return JudgeVerdict(NAME, "pass" if ok else "fail", reason, quote=f"C = {value}",
                        stats={"answer": value, "gold": problem.answer})


def _exact_decimal(value: str) -> bool:
    """`1.5` is an exact value; `\\approx 1.5` and `1.333` (a rounding) are not taken as exact."""
    expr = latex_to_sympy(value)
    if expr is None or not expr.is_Rational:
        return False
    places = len(value.split(".", 1)[1]) if "." in value else 0
    return places < 3
