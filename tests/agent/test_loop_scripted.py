"""The whole graph driven by the scripted backend: accept, refine then accept, abstain, errors."""

from __future__ import annotations

import json

from qed.agent.config import LoopConfig
from qed.agent.runs import RunDir
from qed.problems.record import Problem

from tests.agent.loop_helpers import BOUND, CHECK_OK, calls, make_solver, roles_script, script

GOOD = "By AM-GM, a/b + b/a >= 2 with equality at a = b.\nThe answer is $C = 2$."
WRONG = "Take a = b = 1, so the sum is 2; surely it can be smaller.\nThe answer is $C = 1$."


def test_accepts_a_confirmed_draft_and_records_the_run(tmp_path):
    spec = roles_script(tmp_path, [GOOD], ["Each step holds.\nVERDICT: PASS"], ["No flaw.\nVERDICT: ACCEPT"])
    solver, run = make_solver(tmp_path, spec)
    [result] = solver.solve_all([BOUND])
    solver.close()

    assert result["outcome"] == "solved"
    assert result["answer"] == "$$C = 2$$"
    assert result["correct"] is True
    assert result["rounds"] == 1
    assert [c["stage"] for c in result["evidence"]["checks"]] == ["self_verify", "execute", "review"]
    sandbox = result["evidence"]["checks"][1]["evidence"]["sandbox"]
    assert sandbox["origin"] == "verifier" and sandbox["ok"] and "CHECK equality case: OK" in sandbox["result"]
    stored = [json.loads(line) for line in run.file(RunDir.RESULTS).read_text().splitlines()]
    assert stored == [result]
    logged = calls(run)
    assert [(c["role"], c["node"], c["problem_id"]) for c in logged] == [
        ("generator", "generate", "amgm-sum"),
        ("verifier", "self_verify", "amgm-sum"),
        ("verifier", "execute", "amgm-sum"),
        ("reviewer", "review", "amgm-sum"),
    ]
    assert "AM-GM" in logged[0]["response"] and logged[0]["completion_tokens"] > 0
    summary = run.file(RunDir.SUMMARY).read_text()
    assert "| amgm-sum | bound | solved | $$C = 2$$ | model (confirmed by the referee) | yes | 1 |" in summary


def test_refines_after_a_rejection_then_accepts(tmp_path):
    spec = roles_script(
        tmp_path,
        [WRONG, GOOD],
        ["VERDICT: PASS"],
        ["The claim C = 1 is supported by one special case only.\nVERDICT: REJECT", "VERDICT: ACCEPT"],
    )
    solver, run = make_solver(tmp_path, spec)
    [result] = solver.solve_all([BOUND])
    solver.close()

    assert result["outcome"] == "solved"
    assert result["rounds"] == 2
    assert [d["answer"] for d in result["drafts"]] == ["1", "2"]
    second_prompt = [c for c in calls(run) if c["node"] == "generate"][1]["messages"]
    assert "one special case only" in second_prompt, "the referee's objection reaches the next draft"


def test_abstains_when_the_referee_never_accepts(tmp_path):
    spec = roles_script(tmp_path, [WRONG], ["VERDICT: PASS"], ["Unjustified step.\nVERDICT: REJECT"])
    solver, run = make_solver(tmp_path, spec, LoopConfig(max_rounds=3, use_engine=False, use_memory=False))
    [result] = solver.solve_all([BOUND])
    solver.close()

    assert result["outcome"] == "abstained"
    assert result["answer"] is None
    assert result["rounds"] == 3
    assert result["correct"] is False
    assert "Unjustified step" in result["reason"]


def test_junk_verdicts_never_count_as_a_pass(tmp_path):
    spec = roles_script(tmp_path, [GOOD], ["looks fine to me"], ["great work!!"])
    solver, _ = make_solver(tmp_path, spec, LoopConfig(max_rounds=1, use_engine=False, use_memory=False))
    [result] = solver.solve_all([BOUND])
    solver.close()

    assert result["outcome"] == "abstained"
    assert {c["verdict"] for c in result["evidence"]["checks"] if c["stage"] != "execute"} == {"unknown"}


def test_a_reply_with_no_answer_gets_one_follow_up_then_abstains(tmp_path):
    rambling = "We consider many cases and the argument continues at length"
    spec = roles_script(tmp_path, [rambling], ["VERDICT: PASS"], ["VERDICT: ACCEPT"])
    solver, run = make_solver(tmp_path, spec, LoopConfig(max_rounds=1, use_engine=False, use_memory=False))
    [result] = solver.solve_all([BOUND])
    solver.close()

    assert result["outcome"] == "abstained"
    assert "no final answer" in result["reason"]
    nodes = [c["node"] for c in calls(run)]
    assert nodes.count("generate") == 2, "one follow-up request for the final answer"


def test_an_error_in_a_node_is_recorded_and_the_batch_goes_on(tmp_path):
    other = Problem(id="second", statement="Let $x>0$. Find the largest $C$ with $x + 1/x \\geq C$.",
                    kind="bound", answer="$$C = 2$$")
    spec = script(tmp_path, "roles", [
        {"match": "hostile referee", "replies": [{"error": "server exploded (500)"}, "VERDICT: ACCEPT"]},
        {"match": "check your own", "reply": "VERDICT: PASS"},
        {"match": "by computation", "reply": CHECK_OK},
        {"match": "careful research mathematician", "reply": GOOD},
    ])
    solver, run = make_solver(tmp_path, spec)
    results = solver.solve_all([BOUND, other])
    solver.close()

    assert [r["outcome"] for r in results] == ["error", "solved"]
    assert results[0]["error"] == "review: server exploded (500)"
    assert len(run.results()) == 2
    assert "## Errors" in run.file(RunDir.SUMMARY).read_text()
    failed = [c for c in calls(run) if c["error"]]
    assert len(failed) == 1 and failed[0]["node"] == "review"


def test_a_failed_computational_check_sends_the_draft_back(tmp_path):
    refuting = "```python\nimport sympy as sp\nv = sp.Rational(1)/1 + 1\nprint('CHECK C=1 is sharp: FAIL the minimum is', v)\n```"
    spec = roles_script(tmp_path, [WRONG, GOOD], ["VERDICT: PASS"], ["VERDICT: ACCEPT"],
                        checker=[refuting, "```python\nprint('CHECK C=2 at a=b: OK')\n```"])
    solver, run = make_solver(tmp_path, spec)
    [result] = solver.solve_all([BOUND])
    solver.close()

    first_execute = result["evidence"]["checks"][1]
    assert first_execute["verdict"] == "fail"
    assert "the minimum is 2" in first_execute["summary"], "the sandbox really ran the verifier's code"
    assert result["outcome"] == "solved" and result["answer"] == "$$C = 2$$" and result["rounds"] == 2
    second_prompt = [c for c in calls(run) if c["node"] == "generate"][1]["messages"]
    assert "the minimum is 2" in second_prompt


def test_code_in_the_draft_runs_in_the_sandbox_and_a_crash_counts_against_it(tmp_path):
    crashing = "Check:\n```python\nprint(1/0)\n```\nThe answer is $C = 2$."
    spec = roles_script(tmp_path, [crashing], ["VERDICT: PASS"], ["VERDICT: ACCEPT"])
    solver, run = make_solver(tmp_path, spec, LoopConfig(max_rounds=1, use_engine=False, use_memory=False))
    [result] = solver.solve_all([BOUND])
    solver.close()

    execute = result["evidence"]["checks"][1]
    assert execute["verdict"] == "fail" and "ZeroDivisionError" in execute["evidence"]["sandbox"]["result"]
    assert result["outcome"] == "abstained"
    assert "execute" not in [c["node"] for c in calls(run)], "the draft's own code needs no extra model call"


def test_a_wrong_computation_fails_self_verify_even_when_the_model_approves(tmp_path):
    miscounted = "By AM-GM, $\\frac{a}{b}+\\frac{b}{a} \\geq 2\\sqrt{1} = 3$.\nThe answer is $C = 3$."
    spec = roles_script(tmp_path, [miscounted, GOOD], ["VERDICT: PASS"], ["VERDICT: ACCEPT"])
    solver, run = make_solver(tmp_path, spec)
    [result] = solver.solve_all([BOUND])
    solver.close()

    first = result["evidence"]["checks"][0]
    assert first["stage"] == "self_verify" and first["verdict"] == "fail"
    assert first["evidence"]["self_check"] == "pass"
    assert "2\\sqrt{1} = 3" in first["summary"]
    assert result["outcome"] == "solved" and result["rounds"] == 2 and result["answer"] == "$$C = 2$$"


PROOF = Problem(id="sq", kind="proof", statement="Prove that $a^2 + b^2 \\geq 2ab$ for all real $a, b$.")
PROOF_TEXT = "We have $a^2 + b^2 - 2ab = (a-b)^2 \\geq 0$, so $a^2+b^2 \\geq 2ab$.\nQED"


def test_proofs_are_reviewed_in_the_dsm_protocol(tmp_path):
    spec = script(tmp_path, "roles", [
        {"match": "check your own", "reply": "VERDICT: PASS"},
        {"match": "by computation", "reply": CHECK_OK},
        {"match": "careful grader of mathematical proofs", "replies": [
            "SCORE: \\boxed{0.5}\nISSUES:\n1. [step 1] the square identity is not expanded",
            "SCORE: \\boxed{1}\nISSUES: none"]},
        {"match": "check another grader", "reply": "ISSUE 1: REAL - the step skips the expansion\nRATING: \\boxed{1}"},
        {"match": "careful research mathematician", "reply": PROOF_TEXT},
    ])
    solver, run = make_solver(tmp_path, spec)
    [result] = solver.solve_all([PROOF])
    solver.close()

    reviews = [c for c in result["evidence"]["checks"] if c["stage"] == "review"]
    assert [c["verdict"] for c in reviews] == ["fail", "pass"]
    assert reviews[0]["summary"].startswith("score 0.5") and reviews[1]["summary"].startswith("score 1")
    assert result["outcome"] == "solved" and result["rounds"] == 2
    assert result["tokens"]["completion"] > 0
    review_calls = [c for c in calls(run) if c["node"] == "review"]
    assert len(review_calls) == 3, "verify, meta-verify the claimed issue, verify again"
    assert "check another grader" in review_calls[1]["messages"]
