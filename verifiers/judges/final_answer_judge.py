"""Final-answer judge: read the answer a proof commits to and compare it exactly with the known one.

Deterministic (verifiers.final_answer). Without a known answer it still checks the form: a bound
given as a decimal approximation fails, because the answer must be exact; an exact answer with
nothing to compare it with is not judged (the judge does not apply, and decides nothing).
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
from qed.verifiers.judges.extract import split_steps
from qed.verifiers.judges.judge import Judge, JudgeContext
from qed.verifiers.judges.verdict import Coverage, Finding, JudgeVerdict

NAME = "final_answer"
_HOW_KNOWN = "compared exactly (sympy) with the known answer"


def _judge(problem: Problem | None, proof: str, context: JudgeContext) -> JudgeVerdict:
    """The proof's final answer against the known one, read in a bounded child."""
    return bounded_verdict(NAME, _check_proof, proof, problem)


JUDGE = Judge(NAME, None, "the answer read from the proof, compared exactly with the known one", _judge)


def _check_proof(proof: str, problem: Problem | None) -> JudgeVerdict:
    return check_in_process(problem, proof)


def check_in_process(problem: Problem | None, proof: str) -> JudgeVerdict:
    """Applies to bound and relation problems. Without a known answer it still fails a proof that commits
    to no answer or gives a bound as a decimal approximation; otherwise it does not apply."""
    if problem is None or problem.kind not in ("bound", "relation"):
        return JudgeVerdict(NAME, "not_checked", "not a bound or relation problem: there is no final answer to read",
                            applicable=False)
    if not proof.strip():
        return JudgeVerdict(NAME, "no_verdict", "the proof is empty")
    last = len(split_steps(proof)) - 1
    if problem.kind == "relation":
        letter = extract_relation(proof)
        if letter is None:
            return JudgeVerdict(NAME, "fail", "the proof commits to no option (A)-(F)", coverage=_one(),
                                findings=[_found("flaw", "", "no option (A)-(F) is chosen", last, "the answer looked for")])
        if problem.answer is None:
            return JudgeVerdict(NAME, "not_checked", f"the proof answers ({letter}); no known answer to compare with",
                                stats={"answer": letter}, applicable=False)
        ok = is_correct("relation", f"({letter})", problem.answer)
        gold = gold_relation_letter(problem.answer)
        reason = f"the proof answers ({letter}); the known answer is ({gold})"
        return JudgeVerdict(NAME, "pass" if ok else "fail", reason, quote=f"({letter})", coverage=_one(),
                            stats={"answer": letter, "gold": gold},
                            findings=[_found("ok" if ok else "wrong", f"({letter})", reason, last, _HOW_KNOWN)])
    value = extract_bound(proof)
    if value is None:
        return JudgeVerdict(NAME, "fail", "the proof states no value of C", coverage=_one(),
                            findings=[_found("flaw", "", "no value of C is stated", last, "the answer looked for")])
    if problem.answer is None:
        if is_decimal_approximation(value) and not _exact_decimal(value):
            reason = f"C = {value} is a decimal approximation; an exact value is required"
            return JudgeVerdict(NAME, "fail", reason, quote=f"C = {value}", stats={"answer": value}, coverage=_one(),
                                findings=[_found("flaw", f"C = {value}", reason, last, "the answer's form")])
        return JudgeVerdict(NAME, "not_checked", f"the proof answers C = {value}; no known answer to compare with",
                            stats={"answer": value}, applicable=False)
    ok = bool(is_correct("bound", value, problem.answer))
    reason = f"the proof answers C = {value}; the known answer is {problem.answer.strip('$ ')}"
    if not ok and is_decimal_approximation(value):
        reason += " (a decimal approximation is not the exact value)"
    return JudgeVerdict(NAME, "pass" if ok else "fail", reason, quote=f"C = {value}", coverage=_one(),
                        stats={"answer": value, "gold": problem.answer},
                        findings=[_found("ok" if ok else "wrong", f"C = {value}", reason, last, _HOW_KNOWN)])


def _one() -> Coverage:
    """One place looked at: the final answer, read and judged."""
    return Coverage("final answer", 1, 1, 1)


def _found(status: str, quote: str, reason: str, step: int, how: str) -> Finding:
    """The answer is taken as stated in the last step (where a proof concludes)."""
    return Finding(status, quote, reason, step if step >= 0 else None, checked=True, how=how)


def _exact_decimal(value: str) -> bool:
    """`1.5` is an exact value; `\\approx 1.5` and `1.333` (a rounding) are not taken as exact."""
    expr = latex_to_sympy(value)
    if expr is None or not expr.is_Rational:
        return False
    places = len(value.split(".", 1)[1]) if "." in value else 0
    return places < 3
