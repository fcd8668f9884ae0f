"""The independent checker: true certificates verify, every planted flaw is caught with its step named."""

from __future__ import annotations

import copy
import json

import pytest
import sympy as sp
from qed.verifiers.certificates.check import ReadError, check_certificate, read_expr
from qed.verifiers.certificates.text import to_text

POS2 = [{"expr": "a", "op": ">"}, {"expr": "b", "op": ">"}]


def cert(claim: dict, **rest) -> dict:
    return {"format": "qed-certificate/1", "claim": claim, "verdict": "holds", **rest}


def positive(index: int) -> dict:
    """The proof that fact `index` (a strict fact) is > 0: one term, that fact times 1."""
    return {"step": "sos", "terms": [{"c": "1", "m": [index], "s": "1"}], "strict": {"term": 0}}


AM_GM_2 = cert(
    {"variables": ["a", "b"], "facts": [], "lhs": "a^2 + b^2", "rhs": "2*a*b", "relation": ">="},
    proof={"step": "sos", "terms": [{"c": "1", "m": [], "s": "a - b"}]},
)

# a/b + b/a >= 2 for a, b > 0: multiply by a*b, then (a - b)^2.
RECIPROCALS = cert(
    {"variables": ["a", "b"], "facts": POS2, "lhs": "a/b + b/a", "rhs": "2", "relation": ">="},
    proof={
        "step": "multiply",
        "factors": [{"factor": "a", "proof": positive(0)}, {"factor": "b", "proof": positive(1)}],
        "goal": "a^2 + b^2 - 2*a*b",
        "then": {"step": "sos", "terms": [{"c": "1", "m": [], "s": "a - b"}]},
    },
)

# The best constant: a/b + b/a >= C holds for C = 2 and no larger C (equality at a = b = 1).
RECIPROCALS_BOUND = copy.deepcopy(RECIPROCALS)
RECIPROCALS_BOUND["claim"].update(rhs="C", constant={"name": "C", "value": "2", "extreme": "largest"})
RECIPROCALS_BOUND["optimality"] = {"point": {"a": "1", "b": "1"}}

# x + 1 >= 2 sqrt(x) for x >= 0, through x = u^2.
SQRT = cert(
    {"variables": ["x"], "facts": [{"expr": "x", "op": ">="}], "lhs": "x + 1", "rhs": "2*sqrt(x)", "relation": ">="},
    proof={
        "step": "substitute", "variables": ["u"], "facts": [{"expr": "u", "op": ">="}],
        "forward": {"x": "u^2"}, "inverse": {"u": "sqrt(x)"}, "facts_hold": [{"step": "root"}],
        "goal": "u^2 - 2*u + 1", "then": {"step": "sos", "terms": [{"c": "1", "s": "u - 1"}]},
    },
)

# a^2 + b^2 + c^2 >= ab + bc + ca under abc = 1, through c = 1/(ab): the inverse keeps a and b.
C_FROM_ABC = cert(
    {"variables": ["a", "b", "c"], "facts": POS2 + [{"expr": "c", "op": ">"}], "equalities": ["a*b*c - 1"],
     "lhs": "a*b*c + 2", "rhs": "3", "relation": ">="},
    proof={
        "step": "substitute", "variables": ["a", "b"], "facts": POS2,
        "forward": {"a": "a", "b": "b", "c": "1/(a*b)"}, "inverse": {"a": "a", "b": "b"},
        "composition": {"c": {"step": "multiply",
                              "factors": [{"factor": "a", "proof": positive(0)}, {"factor": "b", "proof": positive(1)}],
                              "goal": "1 - a*b*c", "then": {"step": "ideal", "multipliers": ["-1"]}}},
        "facts_hold": [positive(0), positive(1)],
        "goal": "0", "goal_proof": {"step": "ideal", "multipliers": ["-1"]}, "then": {"step": "sos", "terms": []},
    },
)

# Strict: a^2 + 1 > a for all real a: (a - 1/2)^2 + 3/4.
STRICT = cert(
    {"variables": ["a"], "facts": [], "lhs": "a^2 + 1", "rhs": "a", "relation": ">"},
    proof={"step": "sos", "terms": [{"c": "1", "s": "a - 1/2"}, {"c": "3/4", "s": "1"}], "strict": {"term": 1}},
)

# Schur's inequality (t = 1) on a, b, c >= 0: one case a <= b <= c up to the symmetric group.
SCHUR = cert(
    {"variables": ["a", "b", "c"], "facts": [{"expr": v, "op": ">="} for v in "abc"],
     "lhs": "a*(a-b)*(a-c) + b*(b-a)*(b-c) + c*(c-a)*(c-b)", "rhs": "0", "relation": ">="},
    proof={
        "step": "cases", "order": ["a", "b", "c"], "symmetries": [["b", "a", "c"], ["b", "c", "a"]],
        "cases": [{"ascending": ["a", "b", "c"], "then": {
            # with facts 3: b - a >= 0 and 4: c - b >= 0 added:
            # Schur = a(b-a)(c-a) + (c-b)^2 (b + c - a)... written with products of facts:
            "step": "sos", "terms": [
                {"c": "1", "m": [0, 3], "s": "1"}, {"c": "1", "m": [0, 3, 4], "s": "1"},
                {"c": "1", "m": [0, 3], "s": "b - a"}, {"c": "1", "m": [2], "s": "c - b"},
                {"c": "1", "m": [4], "s": "c - b"}, {"c": "1", "m": [3], "s": "c - b"},
            ]}}],
    },
)


def test_planted_true_certificates_verify() -> None:
    for c in (AM_GM_2, RECIPROCALS, RECIPROCALS_BOUND, SQRT, C_FROM_ABC, STRICT):
        v = check_certificate(copy.deepcopy(c))
        assert v.valid, (c["claim"], v.summary())
        assert v.steps and v.conclusion


def test_schur_with_one_ordered_case_and_symmetries() -> None:
    # The terms above are not Schur's identity; find the right one exactly and check it is rejected
    # when wrong and accepted when right.
    wrong = check_certificate(copy.deepcopy(SCHUR))
    a, b, c = sp.symbols("a b c")
    schur = sp.expand(a * (a - b) * (a - c) + b * (b - a) * (b - c) + c * (c - a) * (c - b))
    # a <= b <= c: Schur = a(b-a)(c-a) + (c-b)^2 (c + b - a) = a·p·(p+q) + q²·(a + 2p + q)... with p = b-a, q = c-b
    p, q = b - a, c - b
    assert sp.expand(a * p * (p + q) + q**2 * (a + 2 * p + q) - schur) == 0
    good = copy.deepcopy(SCHUR)
    good["proof"]["cases"][0]["then"]["terms"] = [
        {"c": "1", "m": [0, 3, 3]}, {"c": "1", "m": [0, 3, 4]},  # a·p·p + a·p·q
        {"c": "1", "m": [0], "s": "c - b"}, {"c": "2", "m": [3], "s": "c - b"}, {"c": "1", "m": [4], "s": "c - b"},
    ]
    assert check_certificate(good).valid, check_certificate(good).summary()
    assert not wrong.valid and wrong.failed_step.endswith("identity")
    # Without the symmetries one case does not cover every ordering.
    bare = copy.deepcopy(good)
    bare["proof"]["symmetries"] = []
    v = check_certificate(bare)
    assert not v.valid and "no case covers" in v.reason


def test_a_wrong_coefficient_is_rejected() -> None:
    bad = copy.deepcopy(RECIPROCALS)
    bad["proof"]["then"]["terms"][0]["c"] = "2"
    v = check_certificate(bad)
    assert not v.valid and v.failed_step == "proof/multiply.then/sos.identity"


def test_a_negative_coefficient_is_rejected_even_if_the_identity_holds() -> None:
    bad = cert({"variables": ["a"], "facts": [], "lhs": "0", "rhs": "a^2", "relation": ">="},
               proof={"step": "sos", "terms": [{"c": "-1", "s": "a"}]})
    v = check_certificate(bad)
    assert not v.valid and "negative" in v.reason


def test_a_wrong_substitution_inverse_is_rejected() -> None:
    bad = copy.deepcopy(SQRT)
    bad["proof"]["inverse"]["u"] = "sqrt(x) + 1"
    v = check_certificate(bad)
    assert not v.valid and v.failed_step.startswith("proof/substitute.composition")


def test_a_substitution_whose_new_domain_is_not_reached_is_rejected() -> None:
    bad = copy.deepcopy(SQRT)
    bad["proof"]["facts"] = [{"expr": "u - 1", "op": ">="}]  # not every x >= 0 has sqrt(x) >= 1
    bad["proof"]["facts_hold"] = [{"step": "root"}]
    v = check_certificate(bad)
    assert not v.valid and v.failed_step.startswith("proof/substitute.facts_hold[0]")


def test_a_denominator_factor_that_is_not_positive_is_rejected() -> None:
    bad = copy.deepcopy(RECIPROCALS)
    bad["claim"]["facts"] = [{"expr": "a", "op": ">="}, {"expr": "b", "op": ">"}]
    v = check_certificate(bad)  # a >= 0 is not a reason for a > 0
    assert not v.valid and v.failed_step.startswith("proof/multiply.factors[0]")
    neg = copy.deepcopy(RECIPROCALS)
    neg["proof"]["factors"][0] = {"factor": "-a", "proof": positive(0)}
    neg["proof"]["goal"] = "-(a^2 + b^2 - 2*a*b)"
    assert not check_certificate(neg).valid


def test_an_optimality_point_outside_the_domain_is_rejected() -> None:
    bad = copy.deepcopy(RECIPROCALS_BOUND)
    bad["optimality"] = {"point": {"a": "-1", "b": "-1"}}
    v = check_certificate(bad)
    assert not v.valid and v.failed_step == "optimality.point.facts[0]"
    off = copy.deepcopy(RECIPROCALS_BOUND)
    off["optimality"] = {"point": {"a": "1", "b": "2"}}
    assert "differ" in check_certificate(off).reason


def test_an_optimality_family_with_its_limit() -> None:
    fam = copy.deepcopy(RECIPROCALS_BOUND)
    fam["optimality"] = {"family": {"parameter": "t", "point": {"a": "1 + t", "b": "1"}, "interval": ["0", "1"], "limit": "lo"}}
    assert check_certificate(fam).valid
    far = copy.deepcopy(fam)
    far["optimality"]["family"]["limit"] = "hi"  # at t -> 1 the constant tends to 5/2, not 2
    assert not check_certificate(far).valid


def test_a_claimed_smaller_extreme_is_rejected() -> None:
    bad = copy.deepcopy(RECIPROCALS_BOUND)
    bad["claim"]["constant"]["extreme"] = "smallest"  # C = 2 is the largest, and 1 would also work
    assert not check_certificate(bad).valid


def test_a_strict_claim_with_only_a_non_strict_certificate_is_rejected() -> None:
    bad = copy.deepcopy(AM_GM_2)
    bad["claim"]["relation"] = ">"
    v = check_certificate(bad)
    assert not v.valid and v.failed_step == "proof/sos.strict"
    # a strict term with a non-strict fact is not strict either
    nonstrict = cert({"variables": ["a"], "facts": [{"expr": "a", "op": ">="}], "lhs": "a", "rhs": "0", "relation": ">"},
                     proof={"step": "sos", "terms": [{"c": "1", "m": [0]}], "strict": {"term": 0}})
    assert not check_certificate(nonstrict).valid


def test_counterexamples_and_none_of_the_above_are_checked_exactly() -> None:
    claim = {"variables": ["x"], "facts": [{"expr": "x", "op": ">"}], "lhs": "x", "rhs": "sqrt(2)", "relation": ">="}
    assert check_certificate({"format": "qed-certificate/1", "claim": claim, "verdict": "fails", "counterexample": {"x": "7/5"}}).valid
    assert not check_certificate({"format": "qed-certificate/1", "claim": claim, "verdict": "fails", "counterexample": {"x": "3/2"}}).valid
    assert not check_certificate({"format": "qed-certificate/1", "claim": claim, "verdict": "fails", "counterexample": {"x": "-1"}}).valid
    none = dict(claim, relation="none")
    ok = {"format": "qed-certificate/1", "claim": none, "verdict": "holds", "points": {"above": {"x": "2"}, "below": {"x": "sqrt(2) - 1/10^9"}}}
    assert check_certificate(ok).valid
    tie = copy.deepcopy(ok)
    tie["points"]["below"] = {"x": "sqrt(2)"}
    assert not check_certificate(tie).valid


def test_names_must_be_declared_and_the_grammar_is_strict() -> None:
    names = {"a": sp.Symbol("a")}
    for text in ("a**2", "2.5*a", "a^(1/2)", "exp(a)", "b", "__import__('os')", "a^99", "1/0", "", "sqrt(a)", "(a"):
        with pytest.raises(ReadError):
            read_expr(text, names)
    assert read_expr("sqrt(a)", names, radicals=True) == sp.sqrt(sp.Symbol("a"))
    assert read_expr("-a^2 + 3/2*a^(-1)", names) == -sp.Symbol("a") ** 2 + sp.Rational(3, 2) / sp.Symbol("a")


def test_text_round_trips_through_the_reader() -> None:
    a, b, c = sp.symbols("a b c")
    names = {"a": a, "b": b, "c": c}
    for e in (a**2 - 3 * a * b / 7 + 1, (a + b) ** 3 / (c * (a - 2)), sp.sqrt(a + 1) * sp.cbrt(b) - 2 / sp.sqrt(c),
              -a, sp.Rational(-5, 3) * a * b**2 + c ** (-2), (a - b) ** 2 * (b - c) ** 2, sp.sqrt(a) ** 3):
        assert sp.simplify(read_expr(to_text(e), names, radicals=True) - e) == 0, (e, to_text(e))


@pytest.mark.parametrize("data", [
    None, [], "text", 3, {"format": "qed-certificate/1"},
    {"format": "qed-certificate/1", "claim": {"variables": ["a"] * 3, "lhs": "a", "rhs": "0", "relation": ">="}},
    {"format": "qed-certificate/1", "claim": {"variables": ["a"], "lhs": "(" * 5000 + "a" + ")" * 5000, "rhs": "0", "relation": ">="}},
    {"format": "qed-certificate/1", "claim": {"variables": ["a"], "lhs": "a^40^40", "rhs": "0", "relation": ">="}},
    {"format": "qed-certificate/1", "claim": {"variables": ["a"], "lhs": "9" * 5000, "rhs": "0", "relation": ">="}},
    {"format": "qed-certificate/1", "claim": {"variables": ["a"], "lhs": "a", "rhs": "0", "relation": ">="}, "verdict": "holds",
     "proof": json.loads("[" * 50 + "]" * 50)},
])
def test_hostile_input_is_invalid_and_never_raises(data) -> None:
    v = check_certificate(data)
    assert not v.valid and v.failed_step and v.reason


def test_deeply_nested_proof_steps_are_capped() -> None:
    node: dict = {"step": "sos", "terms": [{"c": "1", "s": "a"}]}
    for _ in range(40):
        node = {"step": "multiply", "factors": [{"factor": "1", "proof": {"step": "sos", "terms": [{"c": "1"}], "strict": {"term": 0}}}],
                "goal": "a^2", "then": node}
    c = cert({"variables": ["a"], "facts": [], "lhs": "a^2", "rhs": "0", "relation": ">="}, proof=node)
    v = check_certificate(c)
    assert not v.valid and "deeper" in v.reason


def test_a_claim_whose_denominator_is_identically_zero_is_rejected_as_vacuous() -> None:
    vacuous = cert({"variables": ["a"], "facts": [], "lhs": "1/((a+1)^2 - a^2 - 2*a - 1)", "rhs": "0", "relation": ">="},
                   proof={"step": "sos", "terms": []})
    v = check_certificate(vacuous)
    assert not v.valid and "identically 0" in v.reason


def test_a_domain_point_shows_the_claim_is_not_vacuous_and_is_checked() -> None:
    with_point = copy.deepcopy(RECIPROCALS)
    with_point["domain_point"] = {"a": "1", "b": "2"}
    v = check_certificate(with_point)
    assert v.valid and v.conclusion.endswith("the domain is not empty")
    assert "does not show that the domain is non-empty" in check_certificate(copy.deepcopy(RECIPROCALS)).conclusion
    outside = copy.deepcopy(RECIPROCALS)
    outside["domain_point"] = {"a": "0", "b": "2"}
    v = check_certificate(outside)
    assert not v.valid and v.failed_step.startswith("domain_point")
