"""The inequality engine inside the loop: computation overrules a wrong draft and skips the referee."""

from __future__ import annotations

from qed.agent.config import LoopConfig
from qed.problems.record import Problem

from tests.agent.loop_helpers import calls, make_solver, roles_script

WEIGHTED = Problem(
    id="weighted-amgm",
    statement="Let $x, y$ be positive real numbers. Find the largest constant $C$ such that the "
    "following inequality holds for all $x, y$:\n$$\n\\frac{x}{y}+\\frac{9 y}{x} \\geq C\n$$",
    kind="bound",
    answer="$$C = 6$$",
)
WRONG = "At x = y the sum is 10, so the answer is $C = 10$."
RIGHT = "By AM-GM, x/y + 9y/x >= 2*sqrt(9) = 6, equality at x = 3y.\nThe answer is $C = 6$."
ENGINE = LoopConfig(use_engine=True, use_memory=False, max_rounds=2, proofs=False)  # the drafting path; compute-first: test_loop_compute_first.py


def test_the_engine_refutes_a_wrong_draft_and_certifies_the_corrected_one(tmp_path):
    spec = roles_script(tmp_path, [WRONG, RIGHT], ["VERDICT: PASS"], ["VERDICT: ACCEPT"])
    solver, run = make_solver(tmp_path, spec, ENGINE)
    [result] = solver.solve_all([WEIGHTED])
    solver.close()

    checks = result["evidence"]["checks"]
    first = [c for c in checks if c["round"] == 1 and c["stage"] == "execute"][0]
    assert first["verdict"] == "fail" and "C = 6" in first["summary"]
    engine = result["evidence"]["engine"]
    assert engine["status"] == "answered" and engine["answer"] == "6" and engine["certified"] is True
    second_review = [c for c in checks if c["round"] == 2 and c["stage"] == "review"][0]
    assert second_review["verdict"] == "skipped", "a certified answer needs no model referee"
    assert result["outcome"] == "solved" and result["answer"] == "$$C = 6$$" and result["correct"] is True
    assert [c["node"] for c in calls(run)].count("review") == 1
    assert "C = 6" in [c for c in calls(run) if c["node"] == "generate"][1]["messages"]


def test_when_the_drafts_never_agree_the_engines_answer_stands_with_its_reason(tmp_path):
    spec = roles_script(tmp_path, [WRONG], ["VERDICT: PASS"], ["VERDICT: ACCEPT"])
    solver, _ = make_solver(tmp_path, spec, ENGINE)
    [result] = solver.solve_all([WEIGHTED])
    solver.close()

    assert [d["answer"] for d in result["drafts"]] == ["10", "10"]
    assert result["outcome"] == "solved" and result["answer"] == "$$C = 6$$"
    assert "engine" in result["reason"] and "certified" in result["reason"]
