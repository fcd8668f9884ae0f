"""Tangent-line bounds for roots (certificates/root_bounds.py): each root is bounded by its tangent
at the equality point (AM-GM), the rest is a polynomial inequality; the certificates verify, and a
planted wrong coefficient or a claim a little too strong is rejected."""

from __future__ import annotations

import copy
import json

from qed.verifiers.certificates.check import check_certificate, read_rational
from qed.verifiers.certificates.claim import read_claim
from qed.verifiers.certificates.search import find_certificate


def _claim(variables: str, lhs: str, rhs: str, total: int) -> dict:
    return {"variables": list(variables), "facts": [{"expr": v, "op": ">"} for v in variables],
            "equalities": [" + ".join(variables) + f" - {total}"], "lhs": lhs, "rhs": rhs, "relation": "<="}


def _find(step, kind: str):
    if isinstance(step, dict):
        if step.get("step") == kind:
            return step
        for v in step.values():
            if (found := _find(v, kind)) is not None:
                return found
    if isinstance(step, list):
        for v in step:
            if (found := _find(v, kind)) is not None:
                return found
    return None


# Σ sqrt(ab + 3) <= 6 when a + b + c = 3: sqrt(t) <= (t + 4)/4, and 6 - Σ (ab + 7)/4 = (3 - (ab+bc+ca))/4 >= 0
CYCLIC = _claim("abc", "sqrt(a*b + 3) + sqrt(b*c + 3) + sqrt(c*a + 3)", "6", 3)


def test_square_roots_are_bounded_by_their_tangents_and_a_wrong_coefficient_is_rejected() -> None:
    res = find_certificate(read_claim(CYCLIC), {"points": [{"a": "1", "b": "1", "c": "1"}]}, seconds=40, methods=["root-tangent"])
    assert res.found, res.reason
    cert = json.loads(json.dumps(res.certificate))
    assert check_certificate(cert).valid and res.method == "root-tangent"
    tangent = _find(cert["proof"], "sum")
    assert tangent is not None and len(tangent["parts"]) == 2
    bad = copy.deepcopy(cert)
    term = _find(bad["proof"], "sum")["parts"][0]["proof"]["terms"][0]
    term["c"] = str(read_rational(term["c"]) * 2)
    assert not check_certificate(bad).valid
    bad = copy.deepcopy(cert)
    _find(bad["proof"], "sum")["multipliers"][-1] = "(-1/8)"
    assert not check_certificate(bad).valid


def test_cube_roots_in_four_variables() -> None:
    # Σ cbrt(7a + 1) <= 8 when a + b + c + d = 4 (cbrt(t) <= (t + 16)/12 at t = 8)
    data = _claim("abcd", "cbrt(7*a + 1) + cbrt(7*b + 1) + cbrt(7*c + 1) + cbrt(7*d + 1)", "8", 4)
    res = find_certificate(read_claim(data), {"points": [{v: "1" for v in "abcd"}]}, seconds=40, methods=["root-tangent"])
    assert res.found, res.reason
    assert check_certificate(json.loads(json.dumps(res.certificate))).valid


def test_a_bound_a_little_too_strong_gets_no_root_tangent_certificate() -> None:
    too_strong = dict(CYCLIC, rhs="6 - 1/100")
    assert not find_certificate(read_claim(too_strong), {"points": [{"a": "1", "b": "1", "c": "1"}]}, seconds=20, methods=["root-tangent"]).found
