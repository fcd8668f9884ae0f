"""The judges on proofs built to exhaust them: refusals that say what was not read, and limits that hold."""

from __future__ import annotations

from qed.problems.record import Problem
from qed.verifiers.bounded import Limits
from qed.verifiers.judges import numeric_computation
from qed.verifiers.judges.bounded_check import bounded_verdict
from qed.verifiers.judges.extract import split_steps
from qed.verifiers.judges.grading import GradeItem, grade

from tests.verifiers.judge_helpers import judge

STATEMENT = "Let $a, b$ be positive real numbers. Prove that $a^2 + b^2 \\geq 2ab$."
LONG_FORMULA = "+".join(["a"] * 24000)


def test_a_proof_beyond_the_cap_is_not_judged_and_the_report_says_why():
    proof = "We have $(a-b)^2 \\geq 0$. " * 20_000  # 520,000 characters
    result = grade(GradeItem("big", "proof", proof, Problem(id="p", statement=STATEMENT, kind="proof")),
                   ["numeric_computation", "numeric_approximation", "final_answer"], {})
    refusal = "the proof has 520,000 characters, more than the 500,000 QED reads: not judged"
    assert result.overall == "no_verdict" and result.reasons == [refusal]
    assert all(v.verdict == "no_verdict" and v.reason == refusal for v in result.judges.values())


def test_a_formula_beyond_the_cap_is_reported_and_the_rest_is_still_checked():
    proof = f"First, $2 + 2 = 5$.\n\nThen $s = {LONG_FORMULA}$ by counting."
    verdict = judge("numeric_computation", proof, STATEMENT)
    assert verdict.verdict == "fail" and verdict.quote == "2 + 2 = 5"
    refused = [f for f in verdict.findings if f.status == "refused"]
    assert len(refused) == 1 and refused[0].step == 1
    assert refused[0].reason == "a formula has 48,003 characters, more than the 40,000 QED reads: not read"
    assert "not read: a formula has 48,003 characters" in verdict.reason


def test_a_pass_says_which_formulas_it_did_not_read():
    verdict = judge("numeric_approximation", f"Clearly $x = 1.5$ and $s = {LONG_FORMULA}$.", STATEMENT)
    assert verdict.verdict == "pass"
    assert verdict.reason.endswith("not read: a formula has 48,003 characters, more than the 40,000 QED reads")


def test_a_judge_stopped_by_its_limit_gives_no_verdict_naming_the_limit():
    proof = "the value is $2+2=4$ and so on " * 15_000  # 600 relations in one 450,000-character sentence
    verdict = bounded_verdict("numeric_computation", numeric_computation.check_in_process, proof, STATEMENT,
                              limits=Limits(seconds=120, cpu_seconds=1))
    assert verdict.verdict == "no_verdict"
    assert verdict.reason == "not judged: CPU limit of 1 s reached"


def test_an_unclosed_display_joins_the_steps_that_follow_it():
    text = "Start.\n\n$$ a\n\n= b\n\n= c $$\n\nEnd."
    assert [s.text for s in split_steps(text)] == ["Start.", "$$ a\n\n= b\n\n= c $$", "End."]
