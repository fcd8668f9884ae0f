"""A claim checked during a session: certified, or refuted at a point the checker re-verifies."""

from __future__ import annotations

from qed.agent.interactive.claims import check_claim, claim_statement
from qed.verifiers.certificates.check import check_certificate

PROBLEM = r"Let $a, b, c > 0$. Prove that $a^2+b^2+c^2 \ge ab+bc+ca$."


def test_a_claim_is_read_under_the_problems_hypotheses():
    assert claim_statement(r"a \ge b", PROBLEM) == r"Let $a, b, c > 0$. Prove that $a \ge b$."
    own = r"Let $x > 0$. Prove that $x + 1/x \ge 2$."
    assert claim_statement(own, PROBLEM) == own


def test_a_true_lemma_is_certified_and_the_certificate_rechecks():
    r = check_claim(r"a^3+b^3+c^3 \ge 3abc", PROBLEM)
    assert r["verdict"] == "certified"
    assert check_certificate(r["certificate"]).valid and r["certificate"]["verdict"] == "holds"


def test_a_false_claim_is_refuted_at_an_exact_point():
    r = check_claim(r"a^3+b^3+c^3 \ge 4abc", PROBLEM)
    assert r["verdict"] == "refuted" and r["counterexample"] == {"a": "1", "b": "1", "c": "1"}
    assert r["values"] == {"lhs": "3", "rhs": "4"}
    assert check_certificate(r["certificate"]).valid and r["certificate"]["verdict"] == "fails"


def test_a_claim_false_only_between_simple_points_is_refuted_by_the_engine_search():
    r = check_claim(r"a^2 - \frac{33}{10} a + \frac{272}{100} \ge 0", PROBLEM)
    assert r["verdict"] == "refuted", r["summary"]
    assert "extremum search" in r["method"]
    a = __import__("sympy").Rational(r["counterexample"]["a"])
    assert a ** 2 - a * 33 / 10 + __import__("sympy").Rational(272, 100) < 0
    assert check_certificate(r["certificate"]).valid


def test_a_strict_claim_with_an_equality_case_is_refuted_there():
    r = check_claim(r"a^2+b^2 > 2ab", PROBLEM)
    assert r["verdict"] == "refuted"
    assert r["counterexample"]["a"] == r["counterexample"]["b"]


def test_what_cannot_be_read_says_so():
    r = check_claim("the sum is big", PROBLEM)
    assert r["verdict"] == "unreadable" and r["certificate"] is None
