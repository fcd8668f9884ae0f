"""QED in Inspect AI: a problem set as a task, QED's loop as the solver, its judges as scorers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

inspect_ai = pytest.importorskip("inspect_ai", reason="inspect_ai is not installed (pip install 'qed-workbench[inspect]')")

from inspect_ai import eval as inspect_eval  # noqa: E402
from inspect_ai.log import list_eval_logs, read_eval_log  # noqa: E402
from qed.agent.evals.inspect_tasks import problem_set, starter  # noqa: E402

from tests.agent.loop_helpers import CHECK_OK, script  # noqa: E402
from tests.cli.cli_helpers import write_jsonl  # noqa: E402

AMGM = "Let $a, b > 0$. Find the largest constant $C$ such that $\\frac{a}{b} + \\frac{b}{a} \\geq C$."
SQUARE = "Prove that $x^2 + 1 \\geq 2x$ for every real $x$."
PROBLEMS = [
    {"id": "amgm", "kind": "bound", "answer": "$$C = 2$$", "statement": AMGM},
    {"id": "amgm-wrong", "kind": "bound", "answer": "$$C = 2$$", "statement": AMGM},
    {"id": "square", "kind": "proof", "statement": SQUARE},
    {"id": "square-slip", "kind": "proof", "statement": SQUARE},
]
DRAFTS = [  # the generator's replies, one per problem in turn
    "By AM-GM, $\\frac{a}{b} + \\frac{b}{a} \\geq 2$, with equality at $a = b$.\nThe answer is $C = 2$.",
    "By AM-GM the sum is at least 3.\nThe answer is $C = 3$.",
    "We have $x^2 + 1 - 2x = (x - 1)^2 \\geq 0$. For example at $x = 3$: $3^2 + 1 = 10 \\geq 6$.\nQED",
    "We have $x^2 + 1 - 2x = (x - 1)^2 \\geq 0$. For example at $x = 3$: $3^2 + 1 = 11 \\geq 6$.\nQED",
]


def _scores(log) -> dict[str, dict[str, str]]:
    return {str(s.id): {name: score.value for name, score in (s.scores or {}).items()} for s in log.samples}


def test_the_engine_solves_a_problem_set_scored_by_the_exact_answer(tmp_path, monkeypatch):
    monkeypatch.setenv("QED_RUNS_DIR", str(tmp_path / "runs"))
    [log] = inspect_eval(starter(ids="starter-b02,starter-r03"), log_dir=str(tmp_path / "logs"), display="none")
    assert log.status == "success", log.error
    assert _scores(log) == {"starter-b02": {"final_answer": "C", "proof_judges": "C"},  # both get a computed proof
                            "starter-r03": {"final_answer": "C", "proof_judges": "C"}}
    assert log.results.scores[0].metrics["accuracy"].value == 1.0
    # the QED run folder of the task, as `qed solve` writes it (so `qed report` reads it)
    [run] = (tmp_path / "runs").iterdir()
    results = [json.loads(line) for line in (run / "results.jsonl").read_text().splitlines()]
    # Inspect runs samples concurrently: they take turns through QED's solver in either order
    assert sorted((r["problem_id"], r["outcome"], r["correct"]) for r in results) == [
        ("starter-b02", "solved", True), ("starter-r03", "solved", True)]
    # what `inspect view` reads: the log on disk with each sample's output and scores
    [info] = list_eval_logs(str(tmp_path / "logs"))
    saved = read_eval_log(info)
    completion = {str(s.id): s.output.completion for s in saved.samples}["starter-b02"]
    assert completion.startswith("# Proof") and "QED: solved; answer $$C = \\sqrt{3}$$" in completion


def test_the_loop_with_a_scripted_model_is_scored_by_answer_and_by_the_proof_judges(tmp_path, monkeypatch):
    monkeypatch.setenv("QED_RUNS_DIR", str(tmp_path / "runs"))
    path = write_jsonl(tmp_path / "set.jsonl", PROBLEMS)
    (tmp_path / "qed.toml").write_text("[loop]\nuse_engine = false\nmax_rounds = 1\n")
    spec = script(tmp_path, "roles", [
        {"match": "check your own mathematical work", "reply": "VERDICT: PASS"},
        {"match": "test mathematical claims by computation", "reply": CHECK_OK},
        {"match": "hostile referee", "reply": "VERDICT: ACCEPT"},
        {"match": "careful grader of mathematical proofs", "reply": "SCORE: \\boxed{1}\nISSUES: none"},
        {"match": "careful research mathematician", "replies": DRAFTS},
    ])
    [log] = inspect_eval(problem_set(path=str(path), solver="loop", model=f"scripted:{spec}",
                                     config=str(tmp_path / "qed.toml"), judges="final_answer,numeric_computation"),
                         log_dir=str(tmp_path / "logs"), display="none", max_samples=1)
    assert log.status == "success", log.error
    outcomes = {str(s.id): s.metadata["qed"]["outcome"] for s in log.samples}
    # the loop's own self-check catches the slip 3^2 + 1 = 11 and gives no proof for it
    assert outcomes == {"amgm": "solved", "amgm-wrong": "solved", "square": "solved", "square-slip": "abstained"}
    assert _scores(log) == {
        "amgm": {"final_answer": "C", "proof_judges": "C"},  # the answer and the AM-GM relation re-check
        "amgm-wrong": {"final_answer": "I", "proof_judges": "I"},  # C = 3 accepted by the loop, caught by both
        "square": {"final_answer": "N", "proof_judges": "C"},  # no final answer; the computation re-checks
        "square-slip": {"final_answer": "N", "proof_judges": "N"},  # QED wrote no proof
    }
    [wrong] = [s for s in log.samples if s.id == "amgm-wrong"]
    assert wrong.scores["proof_judges"].metadata["judges"]["final_answer"] == "fail"
    assert wrong.metadata["qed_proof_from"] == "the final draft"
    [run] = (tmp_path / "runs").iterdir()
    assert (run / "calls.sqlite").exists() and (run / "checkpoints.sqlite").exists()
    assert len((run / "results.jsonl").read_text().splitlines()) == 4


def test_inspect_eval_finds_qed_tasks_by_name(tmp_path):
    inspect = Path(sys.executable).with_name("inspect")
    if not inspect.exists():
        pytest.skip("the inspect command is not installed beside this Python")
    env = {"QED_RUNS_DIR": str(tmp_path / "runs"), "PATH": str(inspect.parent) + ":/usr/bin:/bin",
           "HOME": str(tmp_path)}
    done = subprocess.run([str(inspect), "eval", "qed/starter", "-T", "ids=starter-b01", "--log-dir",
                           str(tmp_path / "logs"), "--display", "none"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    [info] = list_eval_logs(str(tmp_path / "logs"))
    log = read_eval_log(info)
    assert log.eval.task.endswith("starter") and _scores(log) == {"starter-b01": {"final_answer": "C",
                                                                                  "proof_judges": "C"}}  # its computed proof.md
