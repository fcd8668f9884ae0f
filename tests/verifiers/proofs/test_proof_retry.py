"""Proofs the judges refused on the starter set: the text says where each step holds, and a
certificate whose proof the judges cannot follow gives way to another method's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from qed.problems.record import Problem
from qed.verifiers.engine import solve_problem
from qed.verifiers.proofs.obtain import obtain_certificate
from qed.verifiers.proofs.pipeline import prove_problem
from qed.verifiers.proofs.write import write_proof

STARTER = Path(__file__).resolve().parents[3] / "problems" / "sets" / "starter.jsonl"


def starter(pid: str) -> Problem:
    for line in STARTER.read_text().splitlines():
        if line.strip() and json.loads(line)["id"] == pid:
            return Problem.from_dict(json.loads(line))
    raise KeyError(pid)


def test_a_constraint_from_a_radical_substitution_is_stated_where_the_step_needs_it():
    # sqrt(a) + sqrt(b) + sqrt(c) <= sqrt(3) under a + b + c = 1: the proof works with w = sqrt(3),
    # w^2 - 3 = 0; each conclusion says, before it, on which constraints it holds
    problem = starter("starter-b02")
    proof = prove_problem(problem, solve_problem(problem).to_dict(), 90, check_lean=False)
    assert proof["emitted"], proof["reason"]
    assert "Hence, where " in proof["markdown"] and "w^{2} - 3 = 0" in proof["markdown"]


def test_a_proof_the_judges_refuse_gives_way_to_another_methods_proof():
    # sqrt((a^2+b^2)/2) >= 2ab/(a+b): ordering a, b and w = sqrt(...) has a case (w <= a <= b)
    # that holds only on a set too thin to sample; the judges refuse it, the conjugate's proof passes
    problem = starter("starter-r01")
    engine = solve_problem(problem).to_dict()
    first = obtain_certificate(problem, engine, 90)
    assert first.found and first.method == "ordered"
    assert not write_proof(first.certificate, problem, check_lean_file=False).emitted
    proof = prove_problem(problem, engine, 90, check_lean=False)
    assert proof["emitted"] and proof["method"] == "conjugate", proof["reason"]


@pytest.mark.parametrize("pid", ["starter-b03", "starter-r02"])
def test_the_starter_problems_without_a_certificate_get_a_proof(pid):
    # b03: C = 3 + 2·sqrt(2), tight at a = sqrt(2) - 1; r02: sqrt(a+b) < sqrt(a) + sqrt(b), strict
    problem = starter(pid)
    proof = prove_problem(problem, solve_problem(problem).to_dict(), 90, check_lean=False)
    assert proof["emitted"], proof["reason"]
