"""SOS certificates from the SDP are rounded to short exact numbers a person (and the judge) can read."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import sympy as sp
from qed.verifiers.certificates.check import check_certificate
from qed.verifiers.certificates.claim import read_claim
from qed.verifiers.certificates.search import find_certificate

POS3 = [{"expr": v, "op": ">"} for v in "abc"]


def claim(lhs: str, rhs: str, relation: str = ">=", **extra) -> dict:
    return {"variables": ["a", "b", "c"], "facts": POS3, "lhs": lhs, "rhs": rhs, "relation": relation, **extra}


def sos_terms(node: dict) -> list[dict]:
    out = list(node.get("terms", [])) if node.get("step") == "sos" else []
    for key in ("then", "proof"):
        if isinstance(node.get(key), dict):
            out += sos_terms(node[key])
    for key in ("parts", "cases"):
        for part in node.get(key, []):
            out += sos_terms(part.get("proof") or part.get("then") or {})
    return out


def numbers(text: str) -> list[sp.Rational]:
    """Every rational coefficient written in a term (of c, and of s as a polynomial)."""
    e = sp.sympify(text.replace("^", "**"))  # test-only: the text is the search's own output
    return [sp.Rational(c) for c in sp.Poly(e, *sorted(e.free_symbols, key=str)).coeffs()] if e.free_symbols else [sp.Rational(e)]


def digits(q: sp.Rational) -> int:
    return max(len(str(abs(q.p))), len(str(q.q)))


def sos_certificate(data: dict) -> dict:
    res = find_certificate(read_claim(data), {}, seconds=30, methods=["sos"])
    assert res.found and res.method == "sos", res.reason
    assert check_certificate(json.loads(json.dumps(res.certificate))).valid
    return res.certificate


def test_a_tight_quartic_gets_a_certificate_with_small_numbers() -> None:
    # a^4 + b^4 + c^4 >= abc(a + b + c), equality at a = b = c: the rounding used to give 40-digit fractions
    cert = sos_certificate(claim("a^4 + b^4 + c^4", "a*b*c*(a + b + c)"))
    terms = sos_terms(cert["proof"])
    worst = max(digits(q) for t in terms for q in numbers(t["c"]) + numbers(t["s"]))
    assert worst <= 3, json.dumps(terms)
    assert len(json.dumps(cert["proof"])) < 1500


def test_an_equality_constraint_keeps_the_numbers_small_too() -> None:
    # a^2 + b^2 + c^2 + abc >= 4 under a + b + c = 3 (equality at a = b = c = 1)
    cert = sos_certificate(claim("a^2 + b^2 + c^2 + a*b*c", "4", equalities=["a + b + c - 3"]))
    terms = sos_terms(cert["proof"])
    worst = max(digits(q) for t in terms for q in numbers(t["c"]) + numbers(t["s"]))
    assert worst <= 4, json.dumps(cert["proof"])


def test_a_rounded_certificate_with_one_wrong_coefficient_is_rejected_by_qed_check(tmp_path: Path) -> None:
    cert = sos_certificate(claim("a^4 + b^4 + c^4", "a*b*c*(a + b + c)"))
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(cert))
    wrong = copy.deepcopy(cert)
    term = sos_terms(wrong["proof"])[0]
    term["c"] = str(sp.Rational(term["c"]) + sp.Rational(1, 2))
    bad.write_text(json.dumps(wrong))
    cmd = [sys.executable, "-m", "qed.cli", "check"]
    assert subprocess.run([*cmd, str(good)], capture_output=True, text=True, timeout=180).returncode == 0
    out = subprocess.run([*cmd, str(bad)], capture_output=True, text=True, timeout=180)
    assert out.returncode == 1, out.stdout + out.stderr


def test_the_proof_of_a_rounded_sos_certificate_is_short_enough_to_pass_the_judges() -> None:
    """Every displayed formula fits the LaTeX reader's limit, so the judges read (and pass) the
    identity itself; the old 40-digit rounding made it too long to read and the proof was withheld."""
    import re

    from qed.problems.record import Problem
    from qed.verifiers.input_limits import MAX_FORMULA_CHARS
    from qed.verifiers.proofs.write import write_proof

    cert = sos_certificate(claim("a^4 + b^4 + c^4", "a*b*c*(a + b + c)"))
    problem = Problem("quartic", "Let $a, b, c$ be positive real numbers. Prove that $$a^4+b^4+c^4 \\geq abc(a+b+c).$$", kind="proof")
    w = write_proof(cert, problem, check_lean_file=False)
    assert w.emitted, w.reason
    displays = re.findall(r"\$\$(.*?)\$\$", w.markdown, re.S)
    assert displays and max(len(d) for d in displays) < MAX_FORMULA_CHARS


def test_the_projection_meets_the_conditions_exactly_with_the_grids_denominators() -> None:
    from qed.verifiers.certificates.rounding import projections
    from sympy import QQ

    # x + y + z = 1 and x - z = 0, from a guess near (0.3, 0.4, 0.3)
    rows = [[QQ(1), QQ(1), QQ(1)], [QQ(1), QQ(0), QQ(-1)]]
    got = dict(projections(rows, [QQ(1), QQ(0)], [0.301, 0.399, 0.2999], denominators=(1, 10, 1000)))
    for x in got.values():
        assert x[0] + x[1] + x[2] == 1 and x[0] == x[2]
    assert got[10] == [sp.Rational(3, 10), sp.Rational(2, 5), sp.Rational(3, 10)]


def test_a_square_is_written_with_whole_numbers_inside() -> None:
    from qed.verifiers.certificates.rounding import primitive

    k, ints = primitive([sp.Rational(3, 4), sp.Rational(-1, 2), sp.Integer(0)])
    assert k == sp.Rational(1, 4) and ints == [3, -2, 0]


def test_a_constraint_inequality_tight_on_the_boundary_now_gets_an_sos_certificate() -> None:
    # a^3 + b^3 + c^3 + 6abc >= 1/4 under a + b + c = 1, approached at a = b = 1/2, c -> 0: the
    # old rounding (10^3 / 10^5 / 10^8 of an SDP solution on the boundary) found no PSD point
    cert = sos_certificate(claim("a^3 + b^3 + c^3 + 6*a*b*c", "1/4", equalities=["a + b + c - 1"]))
    terms = sos_terms(cert["proof"])
    assert max(digits(q) for t in terms for q in numbers(t["c"])) <= 4
