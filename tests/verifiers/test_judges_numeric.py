"""The computation judges: wrong computations fail, correct and conditional ones do not."""

from __future__ import annotations

import pytest
from qed.problems.record import Problem
from qed.verifiers.judges.extract import find_math, relations_in, split_steps

from tests.verifiers.judge_helpers import judge

POSITIVE = "Let $a, b, c$ be positive real numbers. Prove that $a^2+b^2+c^2 \\geq ab+bc+ca$."


def test_closed_arithmetic_error_is_caught_and_quoted() -> None:
    v = judge("numeric_computation", r"We compute $2^{10} = 1000$, hence the bound.")
    assert v.verdict == "fail"
    assert "2^{10} = 1000" in v.quote
    assert judge("numeric_computation", r"We compute $2^{10} = 1024$.").verdict == "pass"


def test_wrong_identity_in_a_chain_is_caught_at_its_step() -> None:
    proof = ("Expanding,\n$$\n(a+b)^2 = a^2+3ab+b^2 \\geq 4ab\n$$\n\nSo the claim follows.")
    v = judge("numeric_computation", proof, POSITIVE)
    assert v.verdict == "fail"
    assert v.step == 0
    wrong = [f for f in v.findings if f.status == "wrong"]
    assert any("a^2+3ab+b^2" in f.quote for f in wrong)


def test_correct_chain_with_inequality_passes() -> None:
    proof = "We have $$(a+b)^2 = a^2+2ab+b^2 \\geq 4ab$$ since $(a-b)^2 \\geq 0$."
    v = judge("numeric_computation", proof, POSITIVE)
    assert v.verdict == "pass"
    assert v.stats["true"] >= 2


def test_flipped_inequality_fails() -> None:
    v = judge("numeric_computation", r"Clearly $a^2 + b^2 \leq 2ab$.", POSITIVE)
    assert v.verdict == "fail"


def test_problem_conditions_are_used() -> None:
    problem = Problem(id="p", kind="proof", statement="Let $a, b, c > 0$ with $a+b+c=3$. Prove that $ab+bc+ca \\leq 3$.")
    v = judge("numeric_computation", r"Squaring, $(a+b+c)^2 = 9$, and $9 \geq 3(ab+bc+ca)$.", problem)
    assert v.verdict == "pass"


def test_assumed_values_and_cases_are_not_refuted() -> None:
    proof = ("Equality holds when $a = b = c = 1$, since then $a^2+b^2+c^2 = 3$. "
             "If $a + b = 2$, then $(a+b)^2 = 4$.")
    assert judge("numeric_computation", proof, POSITIVE).verdict == "pass"


def test_a_stated_contradiction_is_not_a_computation_error() -> None:
    proof = "Adding the three identities we get $a+b+c = 3(a+b+c)$, i.e. $3 = 1$, a contradiction."
    assert judge("numeric_computation", proof, POSITIVE).verdict != "fail"


def test_named_quantities_of_a_figure_are_not_refuted() -> None:
    statement = "Let $a, b, c$ be the sides of a triangle and let $P$ denote its area. Prove $16P^2 \\leq (a+b+c)^4/27$."
    proof = "By Heron's formula $16 P^{2}=(a+b+c)(a+b-c)(b+c-a)(a+c-b)$."
    assert judge("numeric_computation", proof, statement).verdict != "fail"


def test_unreadable_notation_is_not_checked_and_says_how_much_was_read() -> None:
    v = judge("numeric_computation", r"Clearly $\sum_{i=1}^{n} a_i = \prod_{i} b_i$ and $f'(x) = 0$.")
    assert v.verdict == "not_checked" and v.applicable
    assert v.coverage is not None and (v.coverage.total, v.coverage.checked) == (2, 0)
    assert v.reason.startswith("not checked (") and "of 2 relations read, 0 checked" in v.reason


def test_rounding_is_not_a_computation_error_but_a_bad_approximation_is() -> None:
    assert judge("numeric_computation", r"Here $\sqrt{2} = 1.414$.").verdict != "fail"
    assert judge("numeric_computation", r"Here $\sqrt{2} \approx 1.41$.").verdict == "pass"
    assert judge("numeric_computation", r"Here $\sqrt{2} \approx 1.5$.").verdict == "fail"


def test_empty_and_formula_free_texts() -> None:
    assert judge("numeric_computation", "").verdict == "no_verdict"
    v = judge("numeric_computation", "This is obvious.")
    assert (v.verdict, v.applicable, v.reason) == ("not_checked", False, "no formula in the text")
    v = judge("numeric_computation", "Let $x = 2$ and suppose $y > 0$.")
    assert v.verdict == "not_checked" and not v.applicable and "assumptions or definitions" in v.reason


def test_a_pass_counts_what_was_checked_and_how() -> None:
    v = judge("numeric_computation", r"We have $2^{10} = 1024$ and $(a-b)^2 \geq 0$.", POSITIVE)
    assert v.verdict == "pass" and v.coverage is not None
    assert (v.coverage.total, v.coverage.read, v.coverage.checked) == (2, 2, 2)
    assert sorted(f.how for f in v.findings if f.checked) == ["exact (50 digits)", "sampled at 120 points"]


def test_a_value_at_a_stated_point_counts_as_checked_but_a_borrowed_condition_does_not() -> None:
    at_point = judge("numeric_computation", r"Taking $a = 2$, we get $a^2 + 1 = 5$.", POSITIVE)
    assert at_point.verdict == "pass" and at_point.coverage.checked == 1
    [f] = [f for f in at_point.findings if f.checked]
    assert f.how == "exact at the stated point a = 2"
    supposed = judge("numeric_computation", r"Suppose $x + y = 2$. Then $(x+y)^2 = 4$.", "Let $x, y > 0$. Prove $x+y>0$.")
    assert supposed.verdict == "pass" and "given the assumption x + y = 2" in supposed.findings[0].how
    # FirstProof FP2_A's shape: a claim that "holds" only given an earlier claim of the same content
    discrete = "Let $n$ be a positive integer and $k$ a sequence. Prove that $n \\geq 1$."
    borrowed = judge("numeric_computation", r"We have $n k = 1$. So $k n = 1$.", discrete)
    assert borrowed.verdict == "not_checked" and borrowed.coverage.checked == 0
    assert borrowed.reason.startswith("not checked (2 of 2 relations read, 0 checked; 2 depend on a condition")


def test_approximation_judge_flags_decimals_used_as_exact_values() -> None:
    v = judge("numeric_approximation", r"So $\sqrt{2} = 1.414$ and the rest follows.")
    assert v.verdict == "fail"
    v = judge("numeric_approximation", r"Since $\frac{3}{\sqrt[3]{4}} \approx 1.89$, we take $C = 1.89$. "
                                    r"Therefore, the answer is $C = 1.89$.")
    assert v.verdict == "fail"
    assert "1.89" in v.quote


def test_approximation_judge_accepts_illustrations_and_exact_decimals() -> None:
    assert judge("numeric_approximation", r"Note $\pi \approx 3.14$; we prove $\pi > 3$ exactly.").verdict == "pass"
    assert judge("numeric_approximation", r"The minimum is $C = 1.5 = \frac{3}{2}$.").verdict == "pass"
    v = judge("numeric_approximation", r"We have $x^2 \geq 0$.")
    assert (v.verdict, v.applicable, v.reason) == ("not_checked", False, "the proof uses no decimal values")


def test_approximation_judge_flags_a_comparison_inside_rounding_error() -> None:
    v = judge("numeric_approximation", r"Since $\sqrt{2} + \sqrt{3} > 3.146$, done.")
    assert v.verdict == "fail"


def test_extraction_splits_chains_and_aligned_rows() -> None:
    text = "Then\n$$\n\\begin{aligned}\nA & = x+1 \\\\\n& \\leq x+2 \\quad \\text{and} \\quad y = 3\n\\end{aligned}\n$$"
    rels = relations_in(text)
    assert [r.op for r in rels] == ["=", "<=", "="]
    assert [" ".join(text[r.start : r.end].split()) for r in rels][1].endswith("x+2")
    steps = split_steps("one\n\ntwo\n\n$$x\n\n=1$$")
    assert [s.text for s in steps][:2] == ["one", "two"] and steps[2].text.endswith("=1$$")  # one display
    assert find_math("a $x$ b")[0].content == "x"


def test_an_aligned_row_that_starts_with_a_minus_continues_the_previous_term() -> None:
    proof = ("$$\n\\begin{aligned}\n& (a+b)^2 \\\\\n&-(a-b)^2 \\\\\n&= 4ab\n\\end{aligned}\n$$")
    [rel] = relations_in(proof)
    assert "(a+b)^2" in rel.quote(proof) and "(a-b)^2" in rel.quote(proof)
    assert judge("numeric_computation", proof, POSITIVE).verdict == "pass"
    wrong = proof.replace("&-(a-b)^2", "&-(a+b)^2")
    assert judge("numeric_computation", wrong, POSITIVE).verdict == "fail"


def test_symbols_introduced_in_words_after_a_formula_are_not_sampled_there() -> None:
    # k, m, n are unknown coefficients explained after the formula: the equality cannot be refuted
    # by giving them random values; a formula after the list treats them as variables again.
    proof = ("We can write $(a+b+c)^3 - 27abc = k(a+b+c)^3 + m\\,abc + n$, where $k, m, n$ are "
             "quantities depending on the symmetric functions.")
    v = judge("numeric_computation", proof, POSITIVE)
    assert v.verdict != "fail"
    later = proof + " Then $k + m = k + m + 1$."
    assert judge("numeric_computation", later, POSITIVE).verdict == "fail"


def test_a_substitution_introduces_its_variables_before_a_later_list_names_them() -> None:
    triangle = "Let $a, b, c$ be the side lengths of a triangle. Prove that $a^2+b^2+c^2 < 2(ab+bc+ca)$."
    proof = ("Let $a=x+y, b=y+z, c=z+x$. The claim becomes $$xy+yz+zx<0$$ which holds for positive $x, y, z$.")
    assert judge("numeric_computation", proof, triangle).verdict == "fail"
    assert judge("numeric_computation", proof.replace("<0", ">0"), triangle).verdict == "pass"


def test_ravi_substitution_variables_are_checkable_in_a_triangle_problem() -> None:
    triangle = "Let $a, b, c$ be the side lengths of a triangle. Prove that $a^2+b^2+c^2 < 2(ab+bc+ca)$."
    proof = "Let $a=x+y, b=y+z, c=z+x, x, y, z>0$. The claim becomes $$xy+yz+zx<0$$ which is clearly true."
    assert judge("numeric_computation", proof, triangle).verdict == "fail"
    assert judge("numeric_computation", proof.replace("<0", ">0"), triangle).verdict == "pass"


def _pair(template: str, right: str, wrong: str) -> tuple[str, str]:
    """The proof with the right and with the wrong value at @."""
    return template.replace("@", right), template.replace("@", wrong)


# (statement, a proof the judge must pass, one it must fail); None where only one side is the point
READINGS = [
    pytest.param(  # variables the proof introduces with a domain are checked, not excused as names
        "Let $a, b > 1$. Prove that $\\sqrt{a-1}+\\sqrt{b-1} \\leq \\sqrt{ab}$.",
        "For every $x, y \\in \\mathbb{R}^{+}$ we have $(x+y)^{2} \\geq 4 x y$.",
        "For every $x, y \\in \\mathbb{R}^{+}$ we have $(x+y)^{2} \\leq x y$.",
        id="proof-variables-with-a-domain"),
    pytest.param(  # a parameter of a parameter (a = xy, y = tan(beta/2)) is a variable
        "Let $a, b, c$ be positive real numbers. Prove that $a+b+c \\geq 3\\sqrt[3]{abc}$.",
        *_pair("Put $a = x y$ with $x, y > 0$, and then $y = \\tan \\frac{\\beta}{2}$. Then "
               "$\\frac{\\sqrt{1+\\tan^{2} \\frac{\\beta}{2}}}{\\tan \\frac{\\beta}{2}} = "
               "\\frac{@}{\\sin \\frac{\\beta}{2}}$.", "1", "2"),
        id="parameter-of-a-parameter"),
    pytest.param(  # an equality case speaks for its own sentence (and the next), not for what came before
        "Let $x$ be a positive real number. Prove that $x^2+1 \\geq 2x$.",
        "We have $x^{2}+1 \\geq 2x$. Equality holds iff $x = 1$, since then $x^{2}+1 = 2x$.",
        "We have $x^{2}+1 = 2x$. Equality holds iff $x = 1$.",
        id="equality-case-comes-after"),
    pytest.param(  # a case ends when the proof assumes the opposite
        "Let $x, y, z$ be non-negative real numbers. Prove that $x^2+y^2+z^2 \\geq xy+yz+zx$.",
        None,
        "If one of them is zero, say $z = 0$, the claim is $x^{2}+y^{2} \\geq x y$. So let us assume $z > 0$. "
        "Then $x^{2}+\\frac{y^{2}+z^{2}}{2} = \\frac{2 x^{2}+y^{2}+z^{3}}{2}$.",
        id="case-ended-by-the-opposite"),
    pytest.param(  # abc > 1000/1001 only within a few tenths of a percent of a = b = c = 1: random points miss it
        "Let $a, b, c$ be positive real numbers with $a+b+c=3$. Prove that $abc \\leq 1$.",
        "By AM-GM, $a b c \\leq 1$.",
        "By AM-GM, $a b c \\leq \\frac{1000}{1001}$.",
        id="wrong-constant-near-the-equality-case"),
    pytest.param(  # conditions said in words are assumed
        "Let $a, b, c$ be positive real numbers. Prove that $a^2+b^2+c^2 \\geq ab+bc+ca$.",
        "If $a, b, c$ have product 1, then $a+b+c \\geq 3$. Let $c$ the minimum among $a, b, c$. "
        "Then $c^{3} \\leq a b c$.",
        "Then $a+b+c \\geq 3$.",
        id="conditions-in-words"),
    pytest.param(  # equations in integers are not refuted by real points; arithmetic still is
        "Determine all positive integers $n$ and integer sequences $a_0, a_1, \\ldots, a_n$ such that "
        "$a_n = 3$ and $f(a_{i-1}) = a_i$ for all $i$.",
        "Comparing leading coefficients gives $2 a_{1}^{2}=2$. Also $2^{4} - 1 = 15$.",
        "Here $2^{4} - 1 = 17$.",
        id="equations-in-integers"),
    pytest.param(  # a family definition b_k = ... reads every member
        "Let $a_{1}, a_{2}, \\ldots, a_{n}$ be positive real numbers and define "
        "$b_{k}=2^{k}\\left(1+a_{k}^{2}\\right)$ for each $k$. Prove that $\\sum 1/b_k \\leq 1$.",
        *_pair("For the last term, $\\frac{1}{b_{n}}=\\frac{1}{2^{n}} \\cdot \\frac{@}{1+a_{n}^{2}}$.", "1", "2"),
        id="family-definition"),
    pytest.param(  # a_1 = a_2 = ... = a_n = 1/n sets every member, a_i too
        "Let $a_{1}, a_{2}, \\ldots, a_{n}$ be positive real numbers with $a_{1}+\\cdots+a_{n}=1$. "
        "Find the largest $C$ with $a_{1}^{-2}+\\cdots+a_{n}^{-2} \\geq C$.",
        *_pair("Equality holds when $a_1 = a_2 = \\cdots = a_n = \\frac{1}{n}$, since then $a_i^{-2} = n^@$.",
               "2", "3"),
        id="equal-family-members"),
    pytest.param(  # a fact cited inside a proof by contradiction is claimed outright, not under the hypothesis
        "Let $x, y, z$ be positive real numbers with $x+y+z=3$. Prove that $x^2+y^2+z^2 \\geq 3$.",
        *_pair("Suppose the inequality is false. Then, taking into account that $x y z \\leq @$, we get "
               "$x^{2}+y^{2}+z^{2}<3$. This cannot be.", "1", "\\frac{1}{2}"),
        id="fact-cited-under-a-hypothesis"),
    pytest.param(  # a letter the problem declares as a variable is not re-read as a constant (e as Euler's number)
        "Let $a, b, c, d, e$ be positive real numbers with $a+b+c+d+e=5$. Prove that $abc+bcd+cde+dea+eab \\leq 5$.",
        *_pair("It can be rewritten as $(e-1)^{@}(e+8) \\geq 0$.", "2", "3"),
        id="declared-e-is-a-variable"),
]


@pytest.mark.parametrize(("statement", "right", "wrong"), READINGS)
def test_what_the_text_says_decides_what_is_checked(statement: str, right: str | None, wrong: str | None) -> None:
    if right is not None:
        assert judge("numeric_computation", right, statement).verdict == "pass"
    if wrong is not None:
        assert judge("numeric_computation", wrong, statement).verdict == "fail"
