"""Tangent lines under a separable constraint (Σ h(x_i) = k, not only Σ x_i = k): the certificates
verify, a wrong multiplier is rejected by the checker, and a claim a little too strong gets none."""

from __future__ import annotations

import copy
import json

import sympy as sp
from qed.verifiers.certificates.check import check_certificate, read_rational
from qed.verifiers.certificates.claim import read_claim
from qed.verifiers.certificates.classic import univariate_leaf
from qed.verifiers.certificates.poly import PolyProblem
from qed.verifiers.certificates.search import find_certificate


def _claim(lhs: str, rhs: str, relation: str, facts: list[dict], equalities: list[str]) -> dict:
    return {"variables": ["a", "b", "c"], "facts": facts, "equalities": equalities, "lhs": lhs, "rhs": rhs, "relation": relation}


POSITIVE = [{"expr": v, "op": ">"} for v in "abc"]
# a + b + c >= 3 when 1/(a²+1) + 1/(b²+1) + 1/(c²+1) = 3/2: x - 1 + 2(1/(x²+1) - 1/2) = x(x-1)²/(x²+1)
RECIPROCAL_SQUARES = _claim("a + b + c", "3", ">=", POSITIVE, ["1/(a^2+1) + 1/(b^2+1) + 1/(c^2+1) - 3/2"])
AT_ONE = {"points": [{"a": "1", "b": "1", "c": "1"}]}


def test_tangent_lines_under_a_separable_constraint_take_a_multiplier_and_a_wrong_one_is_rejected() -> None:
    res = find_certificate(read_claim(RECIPROCAL_SQUARES), AT_ONE, seconds=40, methods=["classic"])
    assert res.found, res.reason
    cert = json.loads(json.dumps(res.certificate))
    assert check_certificate(cert).valid
    proof = cert["proof"]
    assert proof["step"] == "sum" and len(proof["parts"]) == 3 and read_rational(proof["multipliers"][0]) == -2
    bad = copy.deepcopy(cert)
    bad["proof"]["multipliers"] = ["-3"]
    assert not check_certificate(bad).valid
    bad = copy.deepcopy(cert)
    bad["proof"]["parts"][0]["expr"] = bad["proof"]["parts"][0]["expr"].replace("a", "(a+1/10)", 1)
    assert not check_certificate(bad).valid


def test_a_constant_a_little_too_large_gets_no_tangent_line_certificate() -> None:
    too_strong = dict(RECIPROCAL_SQUARES, rhs="3 + 1/100")
    assert not find_certificate(read_claim(too_strong), AT_ONE, seconds=20, methods=["classic"]).found


def test_a_rational_constraint_on_an_interval_uses_the_interval_facts() -> None:
    # x in (-2, 2), Σ x/(4 - x²) = 0: 1/(2+x) - 1/2 + x/(4 - x²) = x²/(2(4 - x²)), so Σ 1/(2+x) >= 3/2
    facts = [f for v in "abc" for f in ({"expr": f"{v} + 2", "op": ">"}, {"expr": f"2 - {v}", "op": ">"})]
    data = _claim("1/(2+a) + 1/(2+b) + 1/(2+c)", "3/2", ">=", facts, ["a/(4-a^2) + b/(4-b^2) + c/(4-c^2)"])
    res = find_certificate(read_claim(data), {"points": [{"a": "0", "b": "0", "c": "0"}]}, seconds=40, methods=["classic"])
    assert res.found, res.reason
    assert check_certificate(json.loads(json.dumps(res.certificate))).valid
    assert read_rational(res.certificate["proof"]["multipliers"][0]) == -1


def test_a_one_variable_part_is_proved_from_a_lower_bound_fact() -> None:
    # (x - 3)²·(x - 1) >= 0 needs x - 1 >= 0: in powers of y = x - 1 the odd factor is y itself
    x = sp.Symbol("x")
    base = PolyProblem([x], sp.Integer(0), ">=", [], [], [(x - 1, ">")], [])
    p = sp.expand((x - 3) ** 2 * (x - 1) * (x + 1))  # x + 1 = y + 2: both coefficients >= 0
    node = univariate_leaf(p, x, base)
    assert node is not None
    total = sum(sp.Rational(t["c"]) * sp.Mul(*[x - 1 for _ in t["m"]]) * sp.sympify(t["s"].replace("^", "**")) ** 2 for t in node["terms"])
    assert sp.expand(total - p) == 0
    # without the fact, an odd factor in x - 1 has no sign: nothing is returned
    assert univariate_leaf(p, x, PolyProblem([x], sp.Integer(0), ">=", [], [], [], [])) is None


# Σ_cyc (a² + b² + 3)/(a + b) >= 15/2 when a² + b² + c² = 3: each term is split off with a quarter
# of its share of the constraint, (a² + b² + 3)/(a + b) - 5/2 + ((a² + b²)/2 - 1)/4 >= 0 for a, b > 0
CYCLIC = {"variables": ["a", "b", "c"], "facts": POSITIVE, "equalities": ["a^2 + b^2 + c^2 - 3"],
          "lhs": "(a^2 + b^2 + 3)/(a + b) + (b^2 + c^2 + 3)/(b + c) + (c^2 + a^2 + 3)/(c + a)", "rhs": "15/2", "relation": ">="}


def test_a_cyclic_sum_of_two_variable_terms_is_split_term_by_term() -> None:
    res = find_certificate(read_claim(CYCLIC), AT_ONE, seconds=60, methods=["classic"])
    assert res.found, res.reason
    cert = json.loads(json.dumps(res.certificate))
    assert check_certificate(cert).valid
    proof = cert["proof"]
    assert proof["step"] == "sum" and len(proof["parts"]) == 3 and read_rational(proof["multipliers"][0]) == sp.Rational(-1, 4)
    bad = copy.deepcopy(cert)
    bad["proof"]["multipliers"] = ["(-1/5)"]
    assert not check_certificate(bad).valid


def test_a_cyclic_bound_a_little_too_strong_gets_no_split() -> None:
    too_strong = dict(CYCLIC, rhs="15/2 + 1/100")
    assert not find_certificate(read_claim(too_strong), AT_ONE, seconds=20, methods=["classic"]).found


def test_the_constraint_is_shared_by_slopes_so_asymmetric_cyclic_terms_split_too() -> None:
    # Σ_cyc a²/b >= 4 when a + b + c + d = 4: at 1 the slopes of a²/b are 2 and -1, so its share is
    # 2a - b, and a²/b - 1 - (2(a - 1) - (b - 1)) = (a - b)²/b; an equal split (a + b)/2 is not tangent
    data = {"variables": list("abcd"), "facts": [{"expr": v, "op": ">"} for v in "abcd"], "equalities": ["a + b + c + d - 4"],
            "lhs": "a^2/b + b^2/c + c^2/d + d^2/a", "rhs": "4", "relation": ">="}
    res = find_certificate(read_claim(data), {"points": [{v: "1" for v in "abcd"}]}, seconds=60, methods=["classic"])
    assert res.found, res.reason
    cert = json.loads(json.dumps(res.certificate))
    assert check_certificate(cert).valid and len(cert["proof"]["parts"]) == 4
    bad = copy.deepcopy(cert)
    bad["proof"]["parts"][0]["expr"] = bad["proof"]["parts"][0]["expr"].replace("2", "3", 1)
    assert not check_certificate(bad).valid


def test_without_a_constraint_each_term_is_compared_with_its_tangent_plane() -> None:
    # a²/b + b²/c + c²/a >= a + b + c: the gradient vanishes at (1, 1, 1), and a²/b minus its tangent
    # plane there is a²/b - 2a + b = (a - b)²/b
    data = {"variables": list("abc"), "facts": POSITIVE, "lhs": "a^2/b + b^2/c + c^2/a", "rhs": "a + b + c", "relation": ">="}
    res = find_certificate(read_claim(data), AT_ONE, seconds=60, methods=["classic"])
    assert res.found, res.reason
    cert = json.loads(json.dumps(res.certificate))
    assert check_certificate(cert).valid and len(cert["proof"]["parts"]) == 3
    bad = copy.deepcopy(cert)
    bad["proof"]["parts"][1]["expr"] = bad["proof"]["parts"][1]["expr"] + " + 1/100"
    assert not check_certificate(bad).valid
