"""`qed eval`'s re-score: answers compared exactly again, proofs judged, disagreements named."""

from __future__ import annotations

from qed.agent.report.rescore import evaluate, proof_text
from qed.agent.report.rundata import load_run

from tests.agent.report_helpers import result, results_run, scripted_run

WRONG_PROOF = ("For positive $a, b$ we have $a^2 + b^2 \\geq 2ab$. At $a = b = 1$ the left side is "
               "$1 + 1 = 3$, so the minimum is $C = 2$.\n")
SOUND_PROOF = ("For positive $a, b$ we have $(a - b)^2 \\geq 0$, so $a^2 + b^2 \\geq 2ab$. "
               "At $a = b = 1$: $1^2 + 1^2 = 2 = 2 \\cdot 1 \\cdot 1$. So $C = 2$.\n")


def _with_proof(run, folder: str, text: str) -> None:
    d = run.path / "problems" / folder
    d.mkdir(parents=True)
    (d / "proof.md").write_text(text)


def test_answers_are_compared_again_and_a_hand_edited_result_is_caught(tmp_path):
    run = results_run(tmp_path, "edited", [
        result("b-right", "bound", "solved", "$$C = 2\\sqrt{2}$$", "$$C = \\sqrt{8}$$", True),
        result("b-edited", "bound", "solved", "$$C = 3$$", "$$C = 2$$", True),  # says correct; it is not
        result("r-right", "relation", "solved", "(B) $\\geq$", "(B) $\\geq$", True),
        result("b-abstained", "bound", "abstained", None, "$$C = 1$$", False),
        result("o-open", "open", "solved", "7", "7", None),
    ])
    ev = evaluate(load_run(run.path), judges=[])
    got = {p.problem_id: p.correct for p in ev.problems}
    assert got == {"b-right": True, "b-edited": False, "r-right": True, "b-abstained": False, "o-open": None}
    assert (ev.totals.correct, ev.totals.graded, ev.totals.disagreements) == (2, 4, 1)
    [edited] = [p for p in ev.problems if p.disagrees]
    assert edited.problem_id == "b-edited" and "recorded correct = True" in edited.notes[0]
    assert ev.by_kind["bound"].graded == 3 and ev.by_kind["relation"].correct == 1


def test_proofs_the_run_wrote_are_judged_and_verified_ones_count_as_proved(tmp_path):
    run = results_run(tmp_path, "proofs", [
        result("wrong", "bound", "solved", "$$C = 2$$", "$$C = 2$$", True,
               proof={"path": "problems/wrong/proof.md", "verified": False}),
        result("sound", "bound", "solved", "$$C = 2$$", "$$C = 2$$", True,
               proof={"path": "problems/sound/proof.md", "method": "sos", "verified": True}),
        result("none", "bound", "solved", "$$C = 2$$", "$$C = 2$$", True),
    ])
    _with_proof(run, "wrong", WRONG_PROOF)
    _with_proof(run, "sound", SOUND_PROOF)
    ev = evaluate(load_run(run.path), judges=["numeric_computation", "final_answer"])
    by = {p.problem_id: p for p in ev.problems}
    assert by["wrong"].overall == "fail" and by["wrong"].judges["numeric_computation"]["verdict"] == "fail"
    assert by["sound"].overall == "pass" and by["sound"].proof_from == "proof.md"
    assert by["none"].overall is None and by["none"].judges == {}
    assert (ev.totals.proved, ev.totals.judged, ev.totals.verdicts) == (1, 2, {"fail": 1, "pass": 1})
    assert ev.totals.proved_rate == 1 / 3


def test_a_solved_proof_problem_is_judged_on_its_accepted_draft(tmp_path):
    run = scripted_run(tmp_path)
    data = load_run(run.path)
    for v in data.problems:
        v.result["kind"] = "proof"  # the same loop trajectory, read as a proof problem
    solved = [v for v in data.problems if v.outcome == "solved"]
    text, origin = proof_text(solved[0])
    assert origin == "the accepted draft" and "AM-GM" in text
    assert proof_text([v for v in data.problems if v.outcome != "solved"][0]) == (None, None)
