"""Squaring both sides with the product of square roots as one variable w (w >= 0, w² = B): the
certificates re-verify, a changed inverse is rejected by the checker, a claim a little too strong
gets none, and a goal with two separate radical terms is not this method's."""

from __future__ import annotations

import copy
import json

from qed.verifiers.certificates.check import check_certificate
from qed.verifiers.certificates.claim import read_claim
from qed.verifiers.certificates.search import find_certificate
from qed.verifiers.certificates.squared_sides import squared_sides

POSITIVE = [{"expr": v, "op": ">"} for v in "abc"]


def _claim(lhs: str, rhs: str, variables: str = "abc") -> dict:
    return {"variables": list(variables), "facts": [f for f in POSITIVE if f["expr"] in variables], "equalities": [],
            "lhs": lhs, "rhs": rhs, "relation": ">="}


# (a² + b² + c²)² >= 3(a²b² + b²c² + c²a²)
SQUARES = _claim("a^2 + b^2 + c^2", "sqrt(3)*sqrt(a^2*b^2 + b^2*c^2 + c^2*a^2)")
# (a² + b²)/(a + b) >= (a + b)/2 >= √(ab), with a denominator to clear before the conjugate
QUOTIENT = _claim("(a^2 + b^2)/(a + b)", "sqrt(a)*sqrt(b)", "ab")


def test_both_sides_squared_give_certificates_that_re_verify() -> None:
    for data in (SQUARES, QUOTIENT):
        res = find_certificate(read_claim(data), {}, seconds=60, methods=["squared-sides"])
        assert res.found and res.method == "squared-sides", res.reason
        cert = json.loads(json.dumps(res.certificate))
        assert check_certificate(cert).valid
        assert cert["proof"]["step"] == "substitute"


def test_a_changed_inverse_is_rejected_by_the_checker() -> None:
    res = find_certificate(read_claim(QUOTIENT), {}, seconds=60, methods=["squared-sides"])
    assert res.found
    bad = copy.deepcopy(res.certificate)
    name = next(n for n in bad["proof"]["inverse"] if n not in ("a", "b"))
    bad["proof"]["inverse"][name] = "sqrt(a)*sqrt(b) + 1"
    assert not check_certificate(bad).valid


def test_a_claim_a_little_too_strong_gets_no_certificate() -> None:
    data = dict(SQUARES, lhs="a^2 + b^2 + c^2 - 1/1000")
    assert squared_sides(read_claim(data), seconds=20) is None
    assert not find_certificate(read_claim(data), {}, seconds=20, methods=["squared-sides"]).found


def test_two_separate_radical_terms_are_not_squared_here() -> None:
    data = _claim("sqrt(a) + sqrt(b)", "sqrt(a + b)", "ab")
    assert squared_sides(read_claim(data), seconds=10) is None
