"""toy_case (no model): a general claim concluded from special cases, with no general step."""

from __future__ import annotations

from qed.verifiers.judges.calibration.mutations import Mutator
from qed.verifiers.judges.calibration.references import Reference
from qed.verifiers.judges.registry import get, groups

from tests.verifiers.judge_helpers import as_problem, judge

AM_GM_TWO = "Let $a, b > 0$. Prove that $a + b \\ge 2\\sqrt{ab}$."
NESBITT = "Let $a, b, c > 0$. Prove that $\\frac{a}{b+c} + \\frac{b}{c+a} + \\frac{c}{a+b} \\ge \\frac{3}{2}$."


def test_it_needs_no_model_and_the_model_judge_is_kept_beside_it() -> None:
    assert get("toy_case").role is None and get("toy_case").stepwise
    assert get("toy_case_model").role == "judge"
    assert "toy_case" in groups()["numeric"] and "toy_case_model" in groups()["model"]


def test_checking_a_few_values_then_claiming_the_general_result_fails() -> None:
    proof = ("We must show $a + b \\ge 2\\sqrt{ab}$. Take $a = 4$, $b = 1$: then $5 \\ge 4$. "
             "Take $a = 9$, $b = 1$: $10 \\ge 6$.\n\nThus the claim is proved.")
    v = judge("toy_case", proof, AM_GM_TWO)
    assert v.verdict == "fail" and v.step == 1
    assert "2 special case(s) (a = 4, b = 1; a = 9, b = 1)" in v.reason


def test_setting_all_variables_equal_is_a_special_case() -> None:
    proof = ("Setting $a = b = c = t$, the left side becomes $\\frac{3t}{2t} = \\frac{3}{2}$. "
             "Therefore the inequality is true for all positive reals.")
    v = judge("toy_case", proof, NESBITT)
    assert v.verdict == "fail" and "a = b = c = t" in v.reason


def test_a_general_argument_with_an_equality_case_passes() -> None:
    proof = ("We have $a + b - 2\\sqrt{ab} = (\\sqrt{a} - \\sqrt{b})^2 \\ge 0$.\n\n"
             "For $a = b = 1$ equality holds. Hence the inequality holds for all positive $a, b$.")
    v = judge("toy_case", proof, AM_GM_TWO)
    assert v.verdict == "pass" and v.coverage.checked == 1
    assert "general step" in v.findings[0].how


def test_an_induction_is_not_a_toy_case() -> None:
    proof = ("The base case $n = 1$ gives $1 \\le 1$. Assume it holds for $n$; then "
             "$S_{n+1} = S_n + \\frac{1}{(n+1)^2} \\le 2 - \\frac{1}{n} + \\frac{1}{(n+1)^2} \\le 2 - \\frac{1}{n+1}$. "
             "By induction the claim holds for all $n$.")
    assert judge("toy_case", proof, "Prove that $S_n \\le 2 - 1/n$ for all $n$.").verdict == "pass"


def test_a_reduction_without_loss_of_generality_is_not_a_toy_case() -> None:
    proof = ("By symmetry we may assume $a = c$, and then $a + b - 2\\sqrt{ab} = (\\sqrt{a} - \\sqrt{b})^2$. "
             "Hence the inequality holds for all positive values.")
    assert judge("toy_case", proof, AM_GM_TWO).verdict != "fail"


def test_a_text_without_a_general_conclusion_does_not_apply() -> None:
    v = judge("toy_case", "For $a = 1$ we get $a + 1 = 2$.", AM_GM_TWO)
    assert v.verdict == "not_checked" and not v.applicable


def test_every_planted_toy_case_wording_is_caught() -> None:
    problem = as_problem("Let $x, y > 0$. Prove that $x^2 + y^2 \\ge 2xy$.")
    text = "We have $x^2 + y^2 - 2xy = (x - y)^2 \\ge 0$.\n\nSo $x^2 + y^2 \\ge 2xy$."
    seen = set()
    for k in range(12):
        m = Mutator(Reference(f"t:{k}", "test", problem, text)).mutate("toy_case")
        assert m is not None
        seen.add(m.text.split(".")[0])
        v = judge("toy_case", m.text, problem)
        assert v.verdict == "fail", m.text
        assert judge("toy_case", text, problem).verdict != "fail"
    assert len(seen) >= 3  # the wording varies: the judge does not read one template


SUM_THREE = "Let $a, b, c > 0$ with $a + b + c = 3$. Prove that $ab + bc + ca \\le 3$."


def test_a_conclusion_that_restates_the_formula_for_all_values_is_a_general_conclusion() -> None:
    # "Therefore <formula> for all ...": no verb such as "holds" between, the quantifier after the formula
    cases = ("Take $a = b = c = 1$: then $ab + bc + ca = 3$. Take $a = 2$ and $b = c = \\frac{1}{2}$: then "
             "$ab + bc + ca = \\frac{9}{4} \\le 3$.\n\n")
    v = judge("toy_case", cases + "Therefore $ab + bc + ca \\le 3$ for all positive $a, b, c$ with $a + b + c = 3$.",
              SUM_THREE)
    assert v.verdict == "fail" and "2 special case(s)" in v.reason
    assert v.quote.startswith("Therefore $ab + bc + ca \\le 3$ for all")  # quoted as written, not masked
    general = ("We have $9 = (a + b + c)^{2} \\ge 3(ab + bc + ca)$.\n\n"
               "Hence $ab + bc + ca \\le 3$ for every such triple.")
    assert judge("toy_case", general, SUM_THREE).verdict == "pass"
