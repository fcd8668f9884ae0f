"""The certificate search: every certificate it returns re-verifies, per method, and survives a file round trip."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp
from qed.verifiers.certificates.check import check_certificate
from qed.verifiers.certificates.claim import claim_from_formal, read_claim
from qed.verifiers.certificates.search import (
    counterexample_certificate,
    find_certificate,
    find_certificate_bounded,
)
from qed.verifiers.certificates.statement import StatementError, read_prove_statement

POS3 = [{"expr": v, "op": ">"} for v in "abc"]


def claim(lhs: str, rhs: str, relation: str = ">=", facts=POS3, variables=("a", "b", "c"), **extra) -> dict:
    return {"variables": list(variables), "facts": list(facts), "lhs": lhs, "rhs": rhs, "relation": relation, **extra}


def certify(data: dict, methods=None, hints=None):
    res = find_certificate(read_claim(data), hints or {}, seconds=60, methods=methods)
    assert res.found, res.reason
    v = check_certificate(json.loads(json.dumps(res.certificate)))
    assert v.valid, v.summary()
    return res


def first_term(node: dict) -> dict | None:
    """The first sos term anywhere in a proof tree (to plant a wrong coefficient)."""
    if node.get("step") == "sos" and node.get("terms"):
        return node["terms"][0]
    for key in ("then", "proof"):
        if isinstance(node.get(key), dict) and (t := first_term(node[key])):
            return t
    for case in node.get("cases", []):
        if t := first_term(case["then"]):
            return t
    for part in node.get("parts", []):  # a sum step (squared sides: the conjugate's parts)
        if isinstance(part.get("proof"), dict) and (t := first_term(part["proof"])):
            return t
    return None


@pytest.mark.parametrize(("name", "data", "method"), [
    ("Nesbitt", claim("a/(b+c) + b/(c+a) + c/(a+b)", "3/2"), "ordered"),
    ("Schur", claim("a^3+b^3+c^3+3*a*b*c", "a^2*b+a^2*c+b^2*a+b^2*c+c^2*a+c^2*b"), "ordered"),
    ("cyclic Engel", claim("a^2/b + b^2/c + c^2/a", "a + b + c"), "ordered"),
    ("a+b+c=3", claim("a*b + b*c + c*a", "3", "<=", equalities=["a + b + c - 3"]), "sos"),
    ("Vasc, over the reals, tight at a=b=c", claim("(a^2+b^2+c^2)^2", "3*(a^3*b+b^3*c+c^3*a)", facts=[]), "sos"),
    ("AM-GM with roots", claim("(x+y)/2", "sqrt(x)*sqrt(y)", facts=[{"expr": "x", "op": ">"}, {"expr": "y", "op": ">"}], variables=("x", "y")), None),
])
def test_planted_true_inequalities_get_certificates_that_verify(name: str, data: dict, method: str | None) -> None:
    res = certify(data, methods=[method] if method else None)
    bad = copy.deepcopy(res.certificate)
    term = first_term(bad["proof"])
    assert term is not None, name
    term["c"] = str(sp.Rational(term["c"]) + 1)
    assert not check_certificate(bad).valid, name


def test_tight_sos_needs_the_facial_reduction() -> None:
    # x^4 + y^4 + z^4 >= x^2yz + y^2zx + z^2xy over the reals vanishes on the line x = y = z.
    res = certify(claim("x^4+y^4+z^4", "x^2*y*z+y^2*z*x+z^2*x*y", facts=[], variables=("x", "y", "z")), methods=["sos"])
    assert res.method == "sos"


def test_a_bound_comes_with_its_optimality_point() -> None:
    data = claim("a/b + b/a", "C", facts=POS3[:2], variables=("a", "b"), constant={"name": "C", "value": "2", "extreme": "largest"})
    res = certify(data)
    assert res.certificate["optimality"] == {"point": {"a": "1", "b": "1"}}
    wrong = dict(data, constant={"name": "C", "value": "3", "extreme": "largest"})
    assert not find_certificate(read_claim(wrong), {}, seconds=20).found  # C = 3 is false: no certificate


def test_a_false_claim_gets_no_certificate_but_a_counterexample_can_be_checked() -> None:
    data = claim("a^2 + b^2", "3*a*b", facts=POS3[:2], variables=("a", "b"))
    assert not find_certificate(read_claim(data), {}, seconds=20).found
    cert = counterexample_certificate(read_claim(data), [{"a": "1", "b": "1"}])
    assert cert is not None and check_certificate(cert).valid


def test_none_of_the_above_from_two_points() -> None:
    data = claim("a", "b", "none", facts=POS3[:2], variables=("a", "b"))
    res = find_certificate(read_claim(data), {"points": [{"a": "1", "b": "2"}, {"a": "3", "b": "2"}]}, seconds=10)
    assert res.found and check_certificate(res.certificate).valid


def test_prove_that_statements_are_read_with_their_relation() -> None:
    ps = read_prove_statement(r"Let $a, b, c$ be positive real numbers such that $abc=1$. Prove that $$(a+b)(b+c)(c+a) \geq 8.$$")
    assert ps.relation == ">=" and [str(v) for v in ps.formal.variables] == ["a", "b", "c"]
    res = find_certificate(claim_from_formal(ps.formal, ps.relation), {}, seconds=60)
    assert res.found and check_certificate(res.certificate).valid
    with pytest.raises(StatementError):
        read_prove_statement("Let $a > 0$. Find the minimum of $a + 1/a$.")


def test_a_hard_deadline_stops_the_search_without_raising() -> None:
    data = claim("x^2*y+y^2*z+z^2*x+x*y*z", "4", "<=", facts=[{"expr": v, "op": ">="} for v in "xyz"],
                 variables=("x", "y", "z"), equalities=["x + y + z - 3"])
    res = find_certificate_bounded(read_claim(data), {}, seconds=0.5, grace=0.5)
    assert not res.found and res.reason


def test_round_trip_search_file_and_qed_check(tmp_path: Path) -> None:
    ps = read_prove_statement(r"Let $a, b, c$ be positive real numbers. Prove that $$\frac{a}{b+c}+\frac{b}{c+a}+\frac{c}{a+b} \geq \frac{3}{2}.$$")
    res = find_certificate_bounded(claim_from_formal(ps.formal, ps.relation), {}, seconds=60)
    assert res.found, res.reason
    path = tmp_path / "nesbitt.json"
    path.write_text(json.dumps(res.certificate, indent=1))
    r = subprocess.run([sys.executable, "-m", "qed.cli", "check", str(path)], capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().splitlines()[-1] == "valid"
    # the checker file also runs on its own, as an outsider would run it
    checker = Path(__file__).resolve().parents[2] / "verifiers" / "certificates" / "check.py"
    r2 = subprocess.run([sys.executable, str(checker), str(path)], capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert r2.returncode == 0 and r2.stdout.strip().endswith("valid")


def test_tangent_line_trick_for_a_separable_sum_under_a_linear_constraint() -> None:
    data = claim("a/(1+a^2) + b/(1+b^2) + c/(1+c^2)", "9/10", "<=", equalities=["a + b + c - 1"])
    res = certify(data, methods=["classic"])
    assert res.method == "classic" and res.certificate["proof"]["step"] == "sum"
    assert len(res.certificate["proof"]["parts"]) == 3


def test_a_multiplier_makes_an_sos_certificate_possible() -> None:
    # a + b + c >= 3 under ab + bc + ca = 3: (a+b+c-3)(a+b+c+3) = ½Σ(a-b)² + 3(ab+bc+ca-3)
    res = certify(claim("a + b + c", "3", equalities=["a*b + b*c + c*a - 3"]), methods=["sos-multiplied"])
    proof = res.certificate["proof"]
    assert proof["step"] == "multiply" and proof["factors"][0]["factor"] == "a + b + c + 3"


def test_a_compound_radical_becomes_a_variable_and_kept_names_stay_readable() -> None:
    # sqrt(x*y) is w with w^2 = x*y, w >= 0; x and y keep their names below the substitution.
    res = certify(claim("(x+y)/2", "sqrt(x*y)", facts=[{"expr": "x", "op": ">"}, {"expr": "y", "op": ">"}], variables=("x", "y")))
    sub = res.certificate["proof"]
    assert sub["step"] == "substitute" and "x" in sub["variables"] and sub["inverse"]["w"] == "sqrt(x*y)"


def test_a_radical_in_a_denominator_gets_a_strict_fact() -> None:
    res = certify(claim("x/sqrt(x^2 + 8*y*z)", "0", facts=[{"expr": v, "op": ">"} for v in "xyz"], variables=("x", "y", "z")))
    assert {"expr": "w", "op": ">"} in res.certificate["proof"]["facts"]


def test_a_linear_constraint_is_used_to_homogenise_before_the_ordered_substitution() -> None:
    res = certify(claim("(1 + 1/a)*(1 + 1/b)*(1 + 1/c)", "64", equalities=["a + b + c - 1"]), methods=["homogenized"])
    assert res.certificate["proof"]["then"]["step"] == "sum"


def test_one_budget_per_method_is_shared_by_its_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    """A method's time is one budget for all the problems it runs on (the changes of variables
    first, then the problem itself): candidates that use their whole share and fail still leave
    the plain problem its part, instead of each taking the method's full share."""
    from qed.verifiers.certificates import search

    clock = {"now": 0.0}
    given: list[tuple[int, float]] = []

    class FakeTime:
        @staticmethod
        def monotonic() -> float:
            return clock["now"]

    def greedy(problem, seconds: float):  # noqa: ANN001 - uses all it is given, finds nothing
        given.append((len(problem.variables), seconds))
        clock["now"] += seconds
        return None

    monkeypatch.setattr(search, "time", FakeTime)
    monkeypatch.setattr(search, "METHODS", [("sos", greedy)])
    data = claim("a*b + b*c + c*a", "3", "<=", equalities=["a + b + c - 3"])
    res = find_certificate(read_claim(data), {}, seconds=30)
    assert not res.found
    assert len(given) >= 2, given  # a+b+c=3 has a change of variables besides the problem itself
    assert given[-1][0] == 3 and given[-1][1] > 1.0  # the plain problem (a, b, c) ran, with time
    assert sum(s for _, s in given) <= search.SHARE["sos"] * 30 + 1e-9
    assert not any(a["outcome"] == "no time left" for a in res.attempts)


def _sos_terms(node: dict) -> list[dict]:
    """Every sos term of a proof tree, in order (to plant a wrong coefficient anywhere)."""
    out = list(node.get("terms", [])) if node.get("step") == "sos" else []
    for key in ("then", "proof", "goal_proof"):
        if isinstance(node.get(key), dict):
            out += _sos_terms(node[key])
    for key in ("parts", "factors", "cases"):
        for part in node.get(key, []):
            out += _sos_terms(part.get("proof") or part.get("then") or {})
    return out


POS2 = [{"expr": "a", "op": ">"}, {"expr": "b", "op": ">"}]


def test_a_strict_radical_inequality_is_proved_by_a_conjugate_and_a_planted_wrong_one_is_rejected() -> None:
    # sqrt(a + b) < sqrt(a) + sqrt(b): multiply by sqrt(a) + sqrt(b) + sqrt(a + b) > 0, leaving 2·sqrt(ab) > 0
    res = certify(claim("sqrt(a + b)", "sqrt(a) + sqrt(b)", "<", facts=POS2, variables=("a", "b")), methods=["conjugate"])
    assert res.method == "conjugate"
    for term in _sos_terms(res.certificate["proof"]):
        bad = copy.deepcopy(res.certificate)
        target = next(t for t in _sos_terms(bad["proof"]) if t == term)
        target["c"] = f"({target['c']}) + 1"
        assert not check_certificate(bad).valid


def test_the_conjugate_takes_the_radical_whose_radicand_is_non_negative() -> None:
    # w^2 = a^2/2 + b^2/2 could also be read as a^2 = 2w^2 - b^2; only w is the radical
    res = certify(claim("sqrt((a^2 + b^2)/2)", "2*a*b/(a + b)", facts=POS2, variables=("a", "b")), methods=["conjugate"])
    assert res.method == "conjugate"


def test_an_equality_point_with_a_square_root_restricts_the_sum_of_squares() -> None:
    """1/a + 2/b >= 3 + 2·sqrt(2) under a + b = 1 is tight at a = sqrt(2) - 1: the square is
    ((1 + sqrt 2)·a - 1)², found once the basis must vanish there (rational and sqrt(2) parts)."""
    from qed.verifiers.certificates.exact import surd_parts

    assert surd_parts(sp.sqrt(2) - 1) == [-1, 1] and surd_parts(1 / (1 + sp.sqrt(2))) == [-1, 1]
    assert surd_parts(sp.Rational(3, 4)) == [sp.Rational(3, 4), 0] and surd_parts(sp.sqrt(2) + sp.sqrt(3)) is None
    data = claim("1/a + 2/b", "3 + 2*sqrt(2)", facts=POS2, variables=("a", "b"), equalities=["a + b - 1"])
    res = certify(data, methods=["eliminated"], hints={"points": [{"a": "sqrt(2) - 1", "b": "2 - sqrt(2)"}]})
    assert res.method.endswith("sos")
    bad = copy.deepcopy(res.certificate)
    _sos_terms(bad["proof"])[0]["c"] = f"({_sos_terms(bad['proof'])[0]['c']}) * 2"
    assert not check_certificate(bad).valid
    # a constant just above the optimum is false: no certificate
    wrong = claim("1/a + 2/b", "3 + 2*sqrt(2) + 1/1000", facts=POS2, variables=("a", "b"), equalities=["a + b - 1"])
    assert not find_certificate(read_claim(wrong), {"points": [{"a": "sqrt(2) - 1", "b": "2 - sqrt(2)"}]}, seconds=20).found


def test_a_method_that_overruns_its_time_is_cut_and_the_next_method_still_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A method that ignores its budget used to take the whole search past its hard limit (the
    forked search was killed and every later method lost); now it is cut and the search goes on."""
    from qed.verifiers.certificates import search

    ran: list[str] = []

    def spins(problem, seconds: float):  # noqa: ANN001 - never returns on its own
        ran.append("spins")
        while True:
            sum(range(1000))

    def answers(problem, seconds: float):  # noqa: ANN001
        ran.append("answers")
        return None

    monkeypatch.setattr(search, "METHODS", [("sos", spins), ("conjugate", answers)])
    monkeypatch.setitem(search.SHARE, "sos", 0.1)
    res = find_certificate(read_claim(claim("a^2 + b^2", "2*a*b", facts=POS2, variables=("a", "b"))), {}, seconds=10)
    assert ran == ["spins", "answers"]
    assert [a["outcome"] for a in res.attempts] == ["cut at its time limit", "not found"]
