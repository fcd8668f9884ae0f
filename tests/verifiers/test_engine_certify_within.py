"""A proof attempt ends within its time, the encoding of the claim included."""

from __future__ import annotations

import sympy as sp
from qed.verifiers.engine.certify_within import certify_within
from qed.verifiers.formal import FormalProblem

POS = sp.Interval.open(0, sp.oo)


def record(variables) -> FormalProblem:
    return FormalProblem(kind="relation", variables=list(variables), domains={v: POS for v in variables})


def test_a_claim_too_large_to_encode_in_time_ends_unknown_with_the_reason():
    # Eight denominators of degree 8 in eight variables: clearing them takes sympy far longer than
    # 1.5 s, which the unbounded encoder spent outside any budget.
    xs = sp.symbols("x1:9", positive=True)
    g = sum(1 / (1 + sum(xs[(i + j) % 8] ** (j + 1) for j in range(8))) for i in range(8))
    cert = certify_within(g, record(xs), strict=False, seconds=1.5)
    assert cert.verdict == "unknown"
    assert "stopped" in cert.detail


def test_a_small_claim_is_still_proved():
    a, b = sp.symbols("a b", positive=True)
    assert certify_within(a**2 + b**2 - 2 * a * b, record((a, b)), strict=False, seconds=8).verdict == "proved"
    assert certify_within(a**2 + b**2 - 2 * a * b, record((a, b)), strict=True, seconds=8).verdict != "proved"


def test_no_time_left_is_no_attempt():
    a, b = sp.symbols("a b", positive=True)
    cert = certify_within(a + b, record((a, b)), strict=True, seconds=0.2)
    assert cert.verdict == "unknown" and "no time left" in cert.detail
