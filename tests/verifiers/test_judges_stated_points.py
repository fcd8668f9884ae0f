"""Evaluations at stated points: an equality case, an "at x = ..." value, a stated extremum."""

from __future__ import annotations

from tests.verifiers.judge_helpers import judge

MIN_4_OVER_X = "Let $x > 0$. Find the minimum value of $x + \\frac{4}{x}$."
AMGM_STEP = "By AM-GM, $x + \\frac{4}{x} \\ge 2\\sqrt{4} = 4$ for $x > 0$.\n\n"


def test_a_value_computed_at_the_equality_point_is_checked_at_that_point() -> None:
    wrong = judge("numeric_computation", AMGM_STEP + r"Equality holds at $x = 2$, where $x + \frac{4}{x} = 2 + 1 = 3$.",
                  MIN_4_OVER_X)
    assert wrong.verdict == "fail" and wrong.step == 1
    assert wrong.quote == r"x + \frac{4}{x} = 2 + 1"
    assert "at the stated point x = 2 the left side is 4 and the right side is 3" in wrong.reason
    right = judge("numeric_computation", AMGM_STEP + r"Equality holds at $x = 2$, where $x + \frac{4}{x} = 2 + 2 = 4$.",
                  MIN_4_OVER_X)
    assert right.verdict == "pass"
    [f] = [f for f in right.findings if f.quote == r"x + \frac{4}{x} = 2 + 2"]
    assert f.checked and f.how == "exact at the stated point x = 2"


def test_an_equality_case_where_no_inequality_is_tight_fails() -> None:
    v = judge("numeric_computation", AMGM_STEP + "Equality holds at $x = 1$.", MIN_4_OVER_X)
    assert v.verdict == "fail" and v.quote == "x = 1"
    assert "no inequality it can speak for is tight there" in v.reason
    ok = judge("numeric_computation", AMGM_STEP + "Equality holds at $x = 2$.", MIN_4_OVER_X)
    assert ok.verdict == "pass" and any("tight" in f.reason for f in ok.findings if f.quote == "x = 2")


def test_an_equality_case_off_the_problems_condition_fails() -> None:
    problem = "Let $a, b, c > 0$ with $abc = 1$. Prove that $a + b + c \\ge 3$."
    proof = "By AM-GM, $a + b + c \\ge 3\\sqrt[3]{abc} = 3$.\n\nEquality holds iff $a = b = c = {v}$."
    assert judge("numeric_computation", proof.replace("{v}", "1"), problem).verdict == "pass"
    off = judge("numeric_computation", proof.replace("{v}", "2"), problem)
    assert off.verdict == "fail" and "breaks the problem's condition" in off.reason


def test_the_proofs_equality_case_must_make_the_problems_claim_tight_not_just_one_step() -> None:
    problem = "Let $a, b > 0$ with $ab \\ge 1$. Prove that $a + b \\ge 2$."
    proof = "By AM-GM, $a + b \\ge 2\\sqrt{ab} \\ge 2$.\n\nEquality holds iff $a = b = {v}$."
    assert judge("numeric_computation", proof.replace("{v}", "1"), problem).verdict == "pass"
    off = judge("numeric_computation", proof.replace("{v}", "2"), problem)  # tight in AM-GM, not in the claim
    assert off.verdict == "fail" and "the problem's inequality is not tight there" in off.reason
    step = "By AM-GM, $a + b \\ge 2\\sqrt{ab} \\ge 2$.\n\nEquality in the first inequality holds iff $a = b = 2$."
    assert judge("numeric_computation", step, problem).verdict == "pass"  # the sentence names its step


def test_a_stated_extremum_is_compared_with_the_expression_at_its_point() -> None:
    wrong = judge("numeric_computation", r"By AM-GM, $x + \frac{4}{x} \ge 4$. Hence the minimum value is $5$, "
                  r"attained at $x = 2$.", MIN_4_OVER_X)
    assert wrong.verdict == "fail" and "the problem's expression is 4 there" in wrong.reason
    right = judge("numeric_computation", r"By AM-GM, $x + \frac{4}{x} \ge 4$. Hence the minimum value is $4$, "
                  r"attained at $x = 2$.", MIN_4_OVER_X)
    assert right.verdict == "pass"


def test_a_point_the_text_calls_impossible_is_not_evaluated() -> None:
    problem = "Let $a, b, c > 0$ with $a + b + c = 1$. Prove that $abc \\le 1$."
    proof = ("Equality would need $a = b = c = 1$ and then $a + b + c = 3$, a contradiction since $a + b + c = 1$.\n\n"
             "By AM-GM, $abc \\le \\left(\\frac{a+b+c}{3}\\right)^3 = \\frac{1}{27} \\le 1$.")
    v = judge("numeric_computation", proof, problem)
    assert v.verdict == "pass", v.reason


def test_a_proof_without_a_reference_answer_gets_a_pass_or_fail_from_the_judges_that_apply() -> None:
    from qed.problems.record import Problem
    from qed.verifiers.judges.grading import GradeItem, grade
    from qed.verifiers.judges.registry import parse_judges

    problem = Problem(id="t", statement="Let $x > 0$. Prove that $x + \\frac{4}{x} \\ge 4$.", kind="proof")
    good = AMGM_STEP.replace(r"2\sqrt{4}", r"2\sqrt{x \cdot \frac{4}{x}}") + r"Equality holds at $x = 2$."
    bad = good.replace("$x = 2$", "$x = 1$")
    passed = grade(GradeItem("good", "proof", good, problem), parse_judges("numeric"), {})
    assert passed.overall == "pass" and not passed.judges["final_answer"].applicable
    assert any(c["judge"] == "theorem_use" for c in passed.steps[0].checked_by)
    failed = grade(GradeItem("bad", "proof", bad, problem), parse_judges("numeric"), {})
    assert failed.overall == "fail" and failed.steps[1].verdict == "fail"
