"""A long identity whose polynomial has only positive coefficients in variables >= 0 is written as
that observation (the judges read formulas of bounded length); the proof still passes the judges,
and a short identity is written out in full as before."""

from __future__ import annotations

import pytest
from qed.problems.record import Problem
from qed.verifiers.proofs import steps
from qed.verifiers.proofs.obtain import obtain_certificate
from qed.verifiers.proofs.write import write_proof

# Cauchy-Schwarz gives it: Σ a(b + c + 2d) <= (a + b + c + d)² as Σa² - ab - bc - cd - da >= 0
FOUR = Problem("four", "Let $a, b, c, d$ be positive real numbers. Prove that $$\\frac{a}{b+c+2d}+\\frac{b}{c+d+2a}"
               "+\\frac{c}{d+a+2b}+\\frac{d}{a+b+2c} \\geq 1.$$", kind="proof")
SAID = "Every coefficient of this polynomial is positive"


@pytest.fixture(scope="module")
def cert() -> dict:
    got = obtain_certificate(FOUR, None, seconds=90, exclude=("coefficients", "products", "sos"))
    assert got.found and got.method == "ordered", (got.method, got.reason)
    return got.certificate


def test_a_long_identity_of_positive_coefficients_is_said_in_words_and_passes_the_judges(cert, monkeypatch) -> None:
    monkeypatch.setattr(steps, "LONG_IDENTITY", 0)
    w = write_proof(cert, FOUR, check_lean_file=False)
    assert w.verified and w.emitted, w.reason
    assert SAID in w.markdown and "\\ge 0$" in w.markdown.split(SAID, 1)[1]


def test_a_short_identity_is_written_in_full(cert) -> None:
    w = write_proof(cert, FOUR, check_lean_file=False)
    assert w.emitted, w.reason
    assert SAID not in w.markdown and "The identity" in w.markdown
