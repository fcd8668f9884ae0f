"""Changes of variables that use a constraint, and case splits up to a symmetry: the certificates
they produce verify, and a planted error in them is rejected by the checker."""

from __future__ import annotations

import copy
import json

from qed.verifiers.certificates.check import check_certificate, read_rational
from qed.verifiers.certificates.claim import read_claim
from qed.verifiers.certificates.search import find_certificate


def positive(names: str) -> list[dict]:
    return [{"expr": v, "op": ">"} for v in names]


def certify(data: dict, methods: list[str]) -> dict:
    res = find_certificate(read_claim(data), {}, seconds=60, methods=methods)
    assert res.found, res.reason
    assert check_certificate(json.loads(json.dumps(res.certificate))).valid
    return res.certificate


def find_step(node, kind: str):
    if isinstance(node, dict):
        if node.get("step") == kind:
            return node
        for v in node.values():
            if (found := find_step(v, kind)) is not None:
                return found
    if isinstance(node, list):
        for v in node:
            if (found := find_step(v, kind)) is not None:
                return found
    return None


def test_a_product_constraint_becomes_ratios_and_a_wrong_inverse_is_rejected() -> None:
    data = {"variables": ["a", "b", "c"], "facts": positive("abc"), "equalities": ["a*b*c - 1"],
            "lhs": "a^2 + b^2 + c^2", "rhs": "a + b + c", "relation": ">="}
    cert = certify(data, ["ratios"])
    assert cert["method"].startswith("ratios+")
    sub = find_step(cert["proof"], "substitute")
    assert sub is not None and sub["variables"][-3:] == ["x", "y", "z"]
    bad = copy.deepcopy(cert)
    step = find_step(bad["proof"], "substitute")
    name = next(iter(step["inverse"]))
    step["inverse"][name] = f"2*({step['inverse'][name]})"
    assert not check_certificate(bad).valid


def test_a_linear_constraint_eliminates_a_variable_and_a_wrong_goal_is_rejected() -> None:
    data = {"variables": ["a", "b", "c"], "facts": positive("abc"), "equalities": ["a + b + c - 1"],
            "lhs": "a^2 + b^2 + c^2", "rhs": "1/3", "relation": ">="}
    cert = certify(data, ["eliminated"])
    sub = find_step(cert["proof"], "substitute")
    assert sub["variables"] == ["a", "b"] and "c" in sub["forward"]
    bad = copy.deepcopy(cert)
    find_step(bad["proof"], "substitute")["goal"] += " + 1"
    assert not check_certificate(bad).valid


def test_a_cyclic_claim_in_four_variables_gets_one_case_per_ordering_up_to_rotation() -> None:
    data = {"variables": list("abcd"), "facts": positive("abcd"), "lhs": "a/b + b/c + c/d + d/a", "rhs": "4", "relation": ">="}
    cert = certify(data, ["ordered"])
    cases = find_step(cert["proof"], "cases")
    assert len(cases["cases"]) == 6 and cases["symmetries"] == [["b", "c", "d", "a"]]
    bad = copy.deepcopy(cert)
    find_step(bad["proof"], "cases")["cases"].pop()
    verdict = check_certificate(bad)
    assert not verdict.valid and "no case covers" in verdict.summary()


def test_a_linear_goal_under_quadratic_facts_gets_squares_of_linear_forms() -> None:
    facts = [{"expr": "x", "op": ">="}, {"expr": "y", "op": ">="}, {"expr": "2 - x^2 - y^2", "op": ">="}]
    data = {"variables": ["x", "y"], "facts": facts, "lhs": "x + y", "rhs": "2", "relation": "<="}
    cert = certify(data, ["sos"])
    bad = copy.deepcopy(cert)
    step = find_step(bad["proof"], "sos")
    step["terms"][0]["c"] = str(read_rational(step["terms"][0]["c"]) + 1)
    assert not check_certificate(bad).valid


def test_weighted_tangent_lines_at_the_equality_point_with_a_multiplier_for_a_linear_fact() -> None:
    facts = positive("ab") + [{"expr": "a + b - 6", "op": ">="}]
    data = {"variables": ["a", "b"], "facts": facts, "lhs": "2*a + 2*b + 4/a + 16/b", "rhs": "18", "relation": ">="}
    res = find_certificate(read_claim(data), {"points": [{"a": "2", "b": "4"}]}, seconds=60, methods=["classic"])
    assert res.found, res.reason
    cert = res.certificate
    assert check_certificate(json.loads(json.dumps(cert))).valid
    node = cert["proof"]
    assert node["step"] == "sum" and any(p["expr"] == "a + b - 6" for p in node["parts"])
    bad = copy.deepcopy(cert)
    part = next(p for p in bad["proof"]["parts"] if p["expr"] == "a + b - 6")
    part["expr"] = "2*a + 2*b - 12"
    part["proof"]["terms"][0]["c"] = "2"
    assert not check_certificate(bad).valid
    # without the equality point there is nothing to take the tangent lines at
    assert not find_certificate(read_claim(data), {}, seconds=30, methods=["classic"]).found


def test_a_radical_is_removed_by_its_conjugate_and_a_wrong_factor_is_rejected() -> None:
    data = {"variables": ["x", "y", "z"], "facts": positive("xyz"), "lhs": "x + y + z", "rhs": "3*cbrt(x*y*z)", "relation": ">="}
    cert = certify(data, ["conjugate"])
    step = find_step(cert["proof"], "multiply")
    while "w" not in step["factors"][0]["factor"]:  # the conjugate, below the step clearing denominators
        step = find_step(step["then"], "multiply")
    bad = copy.deepcopy(cert)
    wrong = find_step(bad["proof"], "multiply")
    while "w" not in wrong["factors"][0]["factor"]:
        wrong = find_step(wrong["then"], "multiply")
    wrong["factors"][0]["factor"] = wrong["factors"][0]["factor"].replace("w", "2*w", 1)
    assert not check_certificate(bad).valid


def test_over_the_reals_the_zeros_sign_variants_restrict_the_sdp_bases() -> None:
    data = {"variables": ["x", "y", "z"], "facts": [], "lhs": "x^6 + y^6 + z^6", "rhs": "3*x^2*y^2*z^2", "relation": ">="}
    cert = certify(data, ["sos"])
    bad = copy.deepcopy(cert)
    find_step(bad["proof"], "sos")["terms"].pop()
    assert not check_certificate(bad).valid
