"""Multiplying by A + B turns A - B >= 0 into A² - B² >= 0, whose degrees can match a homogeneous
constraint when the goal's cannot; the certificates verify and a planted wrong factor is rejected."""

from __future__ import annotations

import copy
import json

from qed.verifiers.certificates.check import check_certificate
from qed.verifiers.certificates.claim import read_claim
from qed.verifiers.certificates.search import find_certificate


def _claim(lhs: str, rhs: str, relation: str, square_sum: int) -> dict:
    return {"variables": ["a", "b", "c"], "facts": [{"expr": v, "op": ">"} for v in "abc"],
            "equalities": [f"a^2 + b^2 + c^2 - {square_sum}"], "lhs": lhs, "rhs": rhs, "relation": relation}


def test_a_ratio_sum_under_a_sum_of_squares_is_squared_then_homogenised() -> None:
    # ab/c + bc/a + ca/b >= 6 when a² + b² + c² = 12 (degree 4 against 3 after clearing: parity differs)
    res = find_certificate(read_claim(_claim("a*b/c + b*c/a + c*a/b", "6", ">=", 12)), {}, seconds=40, methods=["squared"])
    assert res.found, res.reason
    cert = json.loads(json.dumps(res.certificate))
    assert check_certificate(cert).valid
    bad = copy.deepcopy(cert)
    step = bad["proof"]["then"]  # below the step that clears c·a·b: the squaring factor A + B
    assert step["step"] == "multiply"
    step["factors"][0]["factor"] = step["factors"][0]["factor"].replace("6", "5", 1)
    assert not check_certificate(bad).valid


def test_a_linear_bound_under_a_sum_of_squares() -> None:
    # a + b + c <= 3 when a² + b² + c² = 3: (3 - s)(3 + s) = 9 - s², homogenised 3Σa² - s² = Σ(a-b)²
    res = find_certificate(read_claim(_claim("a + b + c", "3", "<=", 3)), {}, seconds=40, methods=["squared"])
    assert res.found, res.reason
    assert check_certificate(json.loads(json.dumps(res.certificate))).valid


def test_a_false_squared_claim_gets_no_certificate() -> None:
    assert not find_certificate(read_claim(_claim("a + b + c", "29/10", "<=", 3)), {}, seconds=20, methods=["squared"]).found
