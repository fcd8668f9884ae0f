"""`qed report` and `qed eval` as a user runs them on a real run folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.cli_helpers import REPO, qed, run_dirs

STARTER = REPO / "problems" / "sets" / "starter.jsonl"


@pytest.fixture(scope="module")
def starter_run(tmp_path_factory) -> tuple[Path, Path]:
    """Two starter problems solved by the engine alone: (the test folder, the run folder)."""
    tmp = tmp_path_factory.mktemp("starter")
    r = qed(tmp, "solve", str(STARTER), "--solver", "symbolic", "--ids", "starter-b02,starter-r01", timeout=300)
    assert r.returncode == 0, r.stderr
    [run] = run_dirs(tmp)
    return tmp, run


def test_report_writes_one_page_into_the_run_folder(starter_run):
    tmp, run = starter_run
    r = qed(tmp, "report", str(run))
    assert r.returncode == 0, r.stderr
    page = (run / "report.html").read_text()
    assert r.stdout.strip() == f"report: {run / 'report.html'}"
    for pid in ("starter-b02", "starter-r01"):
        assert f'data-problem="{pid}"' in page
    assert "<mfrac>" in page or "<msqrt>" in page  # the statements' LaTeX as MathML
    assert "certificate" in page and "z3" in page  # the engine's evidence


def test_eval_rescores_the_run_and_writes_its_files(starter_run):
    tmp, run = starter_run
    before = (run / "results.jsonl").read_bytes()
    r = qed(tmp, "eval", str(run))
    assert r.returncode == 0, r.stderr
    assert "QED eval" in r.stdout and "2/2" in r.stdout
    ev = json.loads((run / "eval.json").read_text())
    assert ev["totals"]["correct"] == 2 and ev["totals"]["graded"] == 2 and ev["totals"]["disagreements"] == 0
    assert "answers correct (exact comparison): 2 of 2" in (run / "eval.md").read_text()
    assert (run / "results.jsonl").read_bytes() == before  # nothing was run again


def test_two_runs_are_compared_side_by_side(starter_run, tmp_path):
    tmp, run = starter_run
    other = tmp_path / "other"
    other.mkdir()
    (other / "config.json").write_text(json.dumps({"command": "solve", "solver": "symbolic"}))
    (other / "results.jsonl").write_text(json.dumps({
        "problem_id": "starter-b02", "kind": "bound", "outcome": "abstained", "answer": None,
        "gold": "$$C = \\sqrt{3}$$", "correct": False}) + "\n")
    r = qed(tmp, "report", str(run), str(other))
    assert r.returncode == 0, r.stderr
    page = (run / "compare-other.html").read_text()
    assert 'data-problem="starter-b02" data-kind="bound" data-change="broken"' in page
    assert 'data-problem="starter-r01" data-kind="relation" data-change="only-a"' in page


@pytest.mark.parametrize("args", [["nowhere"], ["a", "b", "c"]], ids=["not a run folder", "three runs"])
def test_bad_arguments_are_one_line_errors(tmp_path, args):
    for name in args:
        (tmp_path / name).mkdir(exist_ok=True)
    r = qed(tmp_path, "report", *args)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("error: ")
    r = qed(tmp_path, "eval", args[0])
    assert r.returncode == 2 and r.stderr.startswith("error: ") and "Traceback" not in r.stderr
