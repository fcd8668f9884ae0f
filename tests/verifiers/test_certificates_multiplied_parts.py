"""A bracket of the tangent split that has no sum-of-squares certificate of its own degree gets one
after multiplying by 1 + Σ x_i (the Positivstellensatz with a multiplier): the certificate
re-verifies, and a claim a little too strong gets none."""

from __future__ import annotations

import json

import sympy as sp
from qed.verifiers.certificates.check import check_certificate
from qed.verifiers.certificates.claim import read_claim
from qed.verifiers.certificates.classic import multiplied_sos
from qed.verifiers.certificates.search import find_certificate
from qed.verifiers.certificates.steps import problem_on

POSITIVE = [{"expr": v, "op": ">"} for v in "abc"]
AT = {"points": [{"a": "2", "b": "1", "c": "1"}]}


def _claim(rhs: str) -> dict:
    # 2a + 2b² + 8/(ab) + c + 1/c has its minimum 12 at (2, 1, 1); the bracket of 8/(ab) is
    # 2(a²b + 2ab² + 4 - 6ab)/(ab), a weighted AM-GM with no certificate of degree 3
    return {"variables": ["a", "b", "c"], "facts": POSITIVE, "equalities": [], "lhs": "2*a + 2*b^2 + 8/(a*b) + c + 1/c",
            "rhs": rhs, "relation": ">="}


def test_a_weighted_am_gm_bracket_is_proved_after_multiplying_and_the_certificate_re_verifies() -> None:
    res = find_certificate(read_claim(_claim("12")), AT, seconds=60, methods=["classic"])
    assert res.found, res.reason
    cert = json.loads(json.dumps(res.certificate))
    assert check_certificate(cert).valid
    factors = [f["factor"].replace(" ", "") for f in _multiply_steps(cert["proof"])]
    assert any(f in ("a+b+1", "1+a+b") for f in factors), factors


def _multiply_steps(node):
    if isinstance(node, dict):
        if node.get("step") == "multiply":
            yield from node["factors"]
        for v in node.values():
            yield from _multiply_steps(v)
    elif isinstance(node, list):
        for v in node:
            yield from _multiply_steps(v)


def test_a_claim_a_little_too_strong_gets_no_certificate() -> None:
    res = find_certificate(read_claim(_claim("12 + 1/1000")), AT, seconds=20, methods=["classic"])
    assert not res.found


def test_multiplied_sos_proves_the_bracket_and_declines_a_homogeneous_goal() -> None:
    a, b = sp.symbols("a b")
    problem = problem_on([a, b], [(a, ">"), (b, ">")], [], sp.expand(a**2 * b + 2 * a * b**2 + 4 - 6 * a * b), ">=")
    problem.points = [{a: sp.Integer(2), b: sp.Integer(1)}]
    node = multiplied_sos(problem, 20)
    assert node is not None and node["step"] == "multiply" and node["factors"][0]["factor"].replace(" ", "") in ("a+b+1", "1+a+b")
    assert multiplied_sos(problem.with_goal(sp.expand((a - b) ** 2)), 5) is None
