"""theorem_use: a relation credited to AM-GM, Cauchy-Schwarz or Schur must be an instance of it."""

from __future__ import annotations

import pytest
from qed.verifiers.judges.calibration.mutations import Mutator
from qed.verifiers.judges.calibration.references import Reference
from qed.verifiers.judges.registry import get

from tests.verifiers.judge_helpers import as_problem, judge

POSITIVE_AB = "Let $a, b > 0$."


def test_it_needs_no_model_and_judges_step_by_step() -> None:
    j = get("theorem_use")
    assert j.role is None and j.stepwise


@pytest.mark.parametrize(("proof", "problem", "how"), [
    (r"By AM-GM, $x + \frac{4}{x} \ge 2\sqrt{x \cdot \frac{4}{x}} = 4$.", "Let $x > 0$.", "terms x, 4/x with weights 1, 1"),
    (r"By AM-GM, $a + 2b \ge 3\sqrt[3]{a b^2}$.", POSITIVE_AB, "terms a, b with weights 1, 2"),
    (r"By AM-GM, $a + 2b \ge 2\sqrt{2ab}$.", POSITIVE_AB, "terms a, 2*b with weights 1, 1"),
    (r"By AM-GM, $a + b + c \ge 3$.", "Let $a, b, c > 0$ with $abc = 1$.", "on the problem's conditions"),
    # equal terms written apart are read as one term (x^2 + 16/x): the split is a weight again
    (r"By AM-GM, $x^{2} + \frac{8}{x} + \frac{8}{x} \ge 3\sqrt[3]{64}$.", "Let $x > 0$.",
     "terms x**2, 8/x with weights 1, 2"),
    (r"By Cauchy-Schwarz, $(a^2+b^2)(c^2+d^2) \ge (ac+bd)^2$.", "Let $a, b, c, d > 0$.", "product form, pairing"),
    (r"By Cauchy-Schwarz, $\frac{a^2}{x} + \frac{b^2}{y} \ge \frac{(a+b)^2}{x+y}$.", "Let $a, b, x, y > 0$.",
     "Engel form"),
    (r"By Schur's inequality, $a^3+b^3+c^3+3abc \ge ab(a+b)+bc(b+c)+ca(c+a)$.", "Let $a, b, c > 0$.",
     "Schur with t = 1"),
])
def test_an_instance_passes_and_says_which_instance(proof: str, problem: str, how: str) -> None:
    v = judge("theorem_use", proof, problem)
    assert v.verdict == "pass", v.reason
    [f] = v.findings
    assert f.checked and how in f.how


@pytest.mark.parametrize(("proof", "problem", "why"), [
    (r"By AM-GM, $x + \frac{4}{x} \le 2\sqrt{x \cdot \frac{4}{x}}$.", "Let $x > 0$.", "direction is reversed"),
    (r"By AM-GM, $a + 2b \ge 3\sqrt{ab}$.", POSITIVE_AB, "constant is wrong"),
    (r"By Cauchy-Schwarz, $(a^2+b^2)(c^2+d^2) \ge (ab+cd)^2$.", "Let $a, b, c, d > 0$.", "no choice of terms"),
    (r"By Schur's inequality, $a^3+b^3+c^3+2abc \ge ab(a+b)+bc(b+c)+ca(c+a)$.", "Let $a, b, c > 0$.", "fails at"),
])
def test_a_non_instance_that_is_false_fails_with_what_is_wrong(proof: str, problem: str, why: str) -> None:
    v = judge("theorem_use", proof, problem)
    assert v.verdict == "fail" and why in v.reason, v.reason
    assert v.step == 0 and v.quote


def test_a_wrong_equality_condition_of_an_instance_fails() -> None:
    v = judge("theorem_use", r"By AM-GM, $x + \frac{1}{x} \ge 2$, with equality when $x = 2$.", "Let $x > 0$.")
    assert v.verdict == "fail" and "needs its terms equal" in v.reason
    ok = judge("theorem_use", r"By AM-GM, $x + \frac{1}{x} \ge 2$, with equality when $x = 1$.", "Let $x > 0$.")
    assert ok.verdict == "pass"


def test_a_true_consequence_that_is_no_instance_is_read_not_judged() -> None:
    v = judge("theorem_use", r"By AM-GM, $a^2 + b^2 \ge ab$.", POSITIVE_AB)
    assert v.verdict == "not_checked" and not v.applicable and v.coverage.checked == 0
    assert v.coverage.read == 1 and v.findings[0].how.startswith("AM-GM: not read as an instance")


def test_a_proof_without_citations_does_not_apply() -> None:
    v = judge("theorem_use", r"Since $(a-b)^2 \ge 0$ we get $a^2 + b^2 \ge 2ab$.", POSITIVE_AB)
    assert v.verdict == "not_checked" and not v.applicable


def test_a_chain_passes_when_one_of_its_links_is_the_instance() -> None:
    chain = judge("theorem_use", r"By AM-GM, $x + \frac{4}{x} \ge 2\sqrt{x \cdot \frac{4}{x}} = 4 \ge 3$.", "Let $x > 0$.")
    assert chain.verdict == "pass"


def test_the_planted_non_instance_is_false_and_credited_to_the_theorem() -> None:
    ref = Reference("t:1", "test", as_problem("Let $x > 0$. Prove that $x + \\frac{4}{x} \\ge 4$."),
                    "By AM-GM, $x + \\frac{4}{x} \\ge 2\\sqrt{x \\cdot \\frac{4}{x}} = 4$.\n\nThis proves the claim.")
    m = Mutator(ref).mutate("non_instance")
    assert m is not None and m.evidence["theorem"] == "AM-GM" and m.evidence["mutated"].startswith("fails at")
    assert judge("theorem_use", m.text, ref.problem).verdict == "fail"
    assert judge("theorem_use", ref.text, ref.problem).verdict == "pass"
