"""Model judges and the DSM-V2 verifier through the scripted backend: verdicts, quotes, and junk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from qed.models.scripted_backend import ScriptedModel
from qed.problems.record import Problem
from qed.verifiers.judges.dsm_verifier import parse_issues, parse_meta, parse_score
from qed.verifiers.judges.model_judge import ModelJudgeOptions, parse_step_reply
from qed.verifiers.judges.registry import JudgeSettings

from tests.verifiers.judge_helpers import judge

PROBLEM = Problem(id="p", kind="proof", statement="Prove that $a^2 + b^2 \\geq 2ab$ for all real $a, b$.")
PROOF = ("We check a few values.\n\n"
         "For $a = b = 1$ both sides equal $2$, and for $a = 2, b = 1$ we get $5 \\geq 4$.\n\n"
         "Hence the inequality holds for all real numbers.")


def scripted(tmp_path: Path, rules: list[dict]) -> ScriptedModel:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"rules": rules}))
    return ScriptedModel(path)


def test_toy_case_flaw_with_quote_and_step(tmp_path: Path) -> None:
    model = scripted(tmp_path, [{"match": "TOY CASE", "reply": (
        "VERDICT: FLAW\nSTEP: 2\nQUOTE: For $a = b = 1$ both sides equal $2$\n"
        "REASON: two examples do not prove a statement about all real numbers.")}])
    v = judge("toy_case_model", PROOF, PROBLEM, {"judge": model})
    assert v.verdict == "fail"
    assert v.step == 1
    assert v.quote.startswith("For $a = b = 1$")
    assert v.findings[0].evidence["quote_found"] is True
    assert "examples" in v.reason
    assert len(model.calls) == 1 and "[2] For $a = b = 1$" in model.calls[0][1].content


def test_logical_gap_pass_from_a_json_reply(tmp_path: Path) -> None:
    model = scripted(tmp_path, [{"match": "LOGICAL GAP", "reply": 'Sure. {"verdict": "no flaw", "step": null, "reason": "each step follows"}'}])
    v = judge("logical_gap", "Since $(a-b)^2 \\geq 0$, expanding gives $a^2+b^2 \\geq 2ab$.", PROBLEM, {"judge": model})
    assert v.verdict == "pass"
    assert v.reason == "each step follows"


@pytest.mark.parametrize("reply, finish", [
    ("I think the proof might be fine, hard to say.", "stop"),
    ("VERDICT: FLAW or VERDICT: NO FLAW\nSTEP: <the number of the offending step, or none>", "stop"),
    ("Let me look at step 1. The claim that", "length"),
])
def test_junk_replies_give_no_verdict_never_a_pass(tmp_path: Path, reply: str, finish: str) -> None:
    model = scripted(tmp_path, [{"reply": reply, "finish_reason": finish}])
    v = judge("toy_case_model", PROOF, PROBLEM, {"judge": model})
    assert v.verdict == "no_verdict"
    assert v.raw == [reply]


def test_model_failure_is_no_verdict(tmp_path: Path) -> None:
    model = scripted(tmp_path, [{"error": "server went away"}])
    v = judge("logical_gap", PROOF, PROBLEM, {"judge": model})
    assert v.verdict == "no_verdict" and "server went away" in v.reason


def test_long_proofs_are_judged_window_by_window(tmp_path: Path) -> None:
    model = scripted(tmp_path, [{"replies": ["VERDICT: NO FLAW\nSTEP: none\nQUOTE: none\nREASON: fine",
                                             "VERDICT: FLAW\nSTEP: 3\nQUOTE: none\nREASON: unjustified jump"]}])
    proof = "\n\n".join(f"Step {i}: $x_{i} = {i}$ by the previous step." * 5 for i in range(1, 5))
    v = judge("logical_gap", proof, PROBLEM, {"judge": model},
              JudgeSettings(model_options=ModelJudgeOptions(window_chars=450)))
    assert len(model.calls) == 2
    assert v.verdict == "fail" and v.step == 2


def test_parse_step_reply_variants() -> None:
    assert parse_step_reply("**Verdict:** NO FLAW").verdict == "pass"
    assert parse_step_reply("verdict - flaw\nstep: [4]\nreason: gap").step == 4
    assert parse_step_reply('{"flaw": true, "reason": "x"}').verdict == "fail"
    assert parse_step_reply("nothing useful").verdict is None


def test_dsm_score_one_passes_without_meta_call(tmp_path: Path) -> None:
    model = scripted(tmp_path, [{"match": "Grade the proof", "reply": "ISSUES: none\nSCORE: \\boxed{1}"}])
    v = judge("dsm_verifier", "Since $(a-b)^2 \\geq 0$ we get $a^2+b^2 \\geq 2ab$.", PROBLEM, {"verifier": model})
    assert v.verdict == "pass" and v.score == 1.0
    assert len(model.calls) == 1


def test_dsm_confirmed_issue_fails(tmp_path: Path) -> None:
    model = scripted(tmp_path, [
        {"match": "A grader claimed", "reply": "ISSUE 1: REAL - two examples prove nothing\nRATING: \\boxed{1}"},
        {"match": "Grade the proof", "reply": "ISSUES:\n1. [step 2] only special cases are checked\nSCORE: \\boxed{0}"},
    ])
    v = judge("dsm_verifier", PROOF, PROBLEM, {"verifier": model})
    assert v.verdict == "fail" and v.score == 0.0
    assert v.step == 1
    assert v.findings[0].status == "confirmed issue"
    assert v.stats["samples"][0]["issues"][0]["real"] is True


def test_dsm_hallucinated_issue_is_discarded_and_never_passes(tmp_path: Path) -> None:
    model = scripted(tmp_path, [
        {"match": "A grader claimed", "reply": "ISSUE 1: NOT REAL - the step is correct\nRATING: \\boxed{0}"},
        {"match": "Grade the proof", "reply": "ISSUES:\n1. [step 1] the algebra is wrong\nSCORE: \\boxed{0}"},
    ])
    v = judge("dsm_verifier", "Since $(a-b)^2 \\geq 0$ we get $a^2+b^2 \\geq 2ab$.", PROBLEM, {"verifier": model})
    assert v.verdict == "no_verdict"
    assert v.stats["kept"] == 0


def test_dsm_aggregates_k_samples_by_mean_and_majority(tmp_path: Path) -> None:
    model = scripted(tmp_path, [
        {"match": "A grader claimed", "reply": "ISSUE 1: REAL - yes\nRATING: \\boxed{1}"},
        {"match": "Grade the proof", "replies": [
            "ISSUES: none\nSCORE: \\boxed{1}",
            "ISSUES:\n1. [step 1] a detail is omitted\nSCORE: \\boxed{0.5}",
            "ISSUES: none\nSCORE: \\boxed{1}",
        ]},
    ])
    v = judge("dsm_verifier", "Since $(a-b)^2 \\geq 0$ we get $a^2+b^2 \\geq 2ab$.", PROBLEM, {"verifier": model},
              JudgeSettings(samples=3))
    assert v.verdict == "pass"
    assert v.stats["majority"] == 1.0
    assert v.score == pytest.approx(2.5 / 3)


def test_dsm_junk_is_no_verdict(tmp_path: Path) -> None:
    model = scripted(tmp_path, [{"reply": "The proof looks interesting. Score: excellent!"}])
    v = judge("dsm_verifier", PROOF, PROBLEM, {"verifier": model}, JudgeSettings(samples=2))
    assert v.verdict == "no_verdict"
    with pytest.raises(ValueError):
        judge("dsm_verifier", PROOF, PROBLEM, {"verifier": model}, JudgeSettings(samples=0))


def test_dsm_parsers() -> None:
    assert parse_score("blah \\boxed{0.5}") == 0.5
    assert parse_score("SCORE: 1/2") == 0.5
    assert parse_score("\\boxed{2}") is None
    assert parse_score("\\boxed{1} then \\boxed{0}") == 0.0
    issues = parse_issues("ISSUES:\n1. [step 2] gap here\n2. wrong sign in step 3\nSCORE: \\boxed{0}", 3)
    assert [i.step for i in issues] == [1, 2]
    assert parse_issues("ISSUES: none\nSCORE: \\boxed{1}", 3) == []
    found, rating = parse_meta("ISSUE 1: NOT REAL - no\nISSUE 2: REAL - yes\nRATING: \\boxed{0.5}", 2)
    assert found == [False, True] and rating == 0.5


def test_model_judges_report_what_they_read_window_by_window_and_sample_by_sample(tmp_path: Path) -> None:
    model = scripted(tmp_path, [
        {"match": "LOGICAL GAP", "replies": ["VERDICT: NO FLAW\nSTEP: none\nQUOTE: none\nREASON: fine",
                                             "no idea"]},
        {"match": "Grade the proof", "reply": "ISSUES: none\nSCORE: \\boxed{1}"},
    ])
    proof = "\n\n".join(f"Step {i}: $x_{i} = {i}$ by the previous step." * 5 for i in range(1, 5))
    v = judge("logical_gap", proof, PROBLEM, {"judge": model},
              JudgeSettings(model_options=ModelJudgeOptions(window_chars=450)))
    assert v.verdict == "no_verdict" and (v.coverage.unit, v.coverage.total, v.coverage.checked) == ("windows", 2, 1)
    assert [f.steps for f in v.findings] == [[0, 1], [2, 3]] and [f.checked for f in v.findings] == [True, False]
    v = judge("dsm_verifier", proof, PROBLEM, {"verifier": model}, JudgeSettings(samples=2, proof_chars=300))
    assert v.verdict == "pass" and v.coverage.text() == "2 of 2 samples checked"
    read, cut = v.findings
    assert read.checked and read.steps == [0, 1] and not cut.checked and cut.steps == [2, 3]
