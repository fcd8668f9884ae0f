"""`qed grade` and `qed judges` as a user runs them: reports on disk, clear errors, no model when none is needed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.cli_helpers import qed, run_dirs

TEX = r"""\documentclass{article}
\begin{document}
\begin{problem}{Warm-up}
Let $a, b$ be positive real numbers. Prove that $a^2 + b^2 \geq 2ab$.
\end{problem}
\begin{solution}{Careful attempt}
Since $(a-b)^2 \geq 0$, expanding gives $(a-b)^2 = a^2 - 2ab + b^2 \geq 0$, so $a^2+b^2 \geq 2ab$.
\end{solution}
\begin{solution}{Sloppy attempt}
Expanding, $(a-b)^2 = a^2 - 3ab + b^2 \geq 0$, hence the claim.
\end{solution}
\end{document}
"""

FIRSTPROOF = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "firstproof" / "aletheia" / "FP2_A.tex"


def test_grade_numeric_judges_writes_json_and_markdown(tmp_path: Path) -> None:
    (tmp_path / "attempts.tex").write_text(TEX)
    r = qed(tmp_path, "grade", "attempts.tex", "--judges", "numeric")
    assert r.returncode == 0, r.stderr
    assert "no model needed" in " ".join(r.stdout.split())  # rich wraps lines
    [run] = run_dirs(tmp_path)
    assert run.name.endswith("-grade-attempts")
    data = json.loads((run / "grade.json").read_text())
    overall = {res["label"]: res["overall"] for res in data["results"]}
    assert overall == {"Careful attempt": "pass", "Sloppy attempt": "fail"}
    report = (run / "report.md").read_text()
    assert "Sloppy attempt" in report and "a^2 - 3ab + b^2" in report
    assert not (run / "calls.sqlite").exists()  # no model was started


def test_grade_with_a_scripted_model_for_the_model_judges(tmp_path: Path) -> None:
    (tmp_path / "attempts.tex").write_text(TEX)
    (tmp_path / "rules.json").write_text(json.dumps({"rules": [
        {"match": "Grade the proof", "reply": "ISSUES:\n1. [step 1] the expansion is wrong\nSCORE: \\boxed{0}"},
        {"match": "A grader claimed", "reply": "ISSUE 1: REAL - it is wrong\nRATING: \\boxed{1}"},
        {"match": "TOY CASE", "reply": "VERDICT: NO FLAW\nSTEP: none\nQUOTE: none\nREASON: general argument"},
    ]}))
    r = qed(tmp_path, "grade", "attempts.tex", "--judges", "toy_case_model,dsm_verifier", "--model", "scripted:rules.json",
            "--samples", "2")
    assert r.returncode == 0, r.stderr
    [run] = run_dirs(tmp_path)
    data = json.loads((run / "grade.json").read_text())
    first = data["results"][0]["judges"]
    assert first["toy_case_model"]["verdict"] == "pass"
    assert first["dsm_verifier"]["verdict"] == "fail" and first["dsm_verifier"]["stats"]["k"] == 2
    assert (run / "calls.sqlite").exists()
    assert data["models"] == {"judge": "scripted:rules.json", "verifier": "scripted:rules.json"}


def test_grade_errors_are_one_line(tmp_path: Path) -> None:
    r = qed(tmp_path, "grade", "missing.tex")
    assert r.returncode == 2 and r.stderr.startswith("error:") and "missing.tex" in r.stderr
    (tmp_path / "p.md").write_text("Prove that $1 < 2$.")
    r = qed(tmp_path, "grade", "p.md", "--judges", "numeric")
    assert r.returncode == 2 and "no proof to grade" in r.stderr
    r = qed(tmp_path, "grade", "p.md", "--judges", "psychic", "--proof-only")
    assert r.returncode == 2 and "unknown judge" in r.stderr
    (tmp_path / "bad.jsonl").write_text('{"problem": "x", "proof": "y"}\nnot json\n')
    r = qed(tmp_path, "grade", "bad.jsonl", "--judges", "numeric")
    assert r.returncode == 2 and "line 2" in r.stderr


def test_grade_empty_proof_gets_a_verdict(tmp_path: Path) -> None:
    (tmp_path / "pairs.jsonl").write_text(json.dumps({"problem": "Prove $2 > 1$.", "proof": ""}) + "\n")
    r = qed(tmp_path, "grade", "pairs.jsonl", "--judges", "numeric")
    assert r.returncode == 0, r.stderr
    [run] = run_dirs(tmp_path)
    result = json.loads((run / "grade.json").read_text())["results"][0]
    assert result["overall"] == "no_verdict" and result["reasons"] == ["the proof is empty"]


@pytest.mark.skipif(not FIRSTPROOF.exists(), reason=f"FirstProof data not found at {FIRSTPROOF}")
def test_grade_firstproof_file_produces_a_report(tmp_path: Path) -> None:
    r = qed(tmp_path, "grade", str(FIRSTPROOF), "--judges", "numeric", timeout=300)
    assert r.returncode == 0, r.stderr
    [run] = run_dirs(tmp_path)
    report = (run / "report.md").read_text()
    assert "FP2_A" in report and "Model Response (Agent A)" in report
    # its notation is beyond the reader: nothing was checked, and the grade says so instead of "pass"
    [result] = json.loads((run / "grade.json").read_text())["results"]
    assert result["overall"] == "not_checked"
    nc = result["judges"]["numeric_computation"]
    assert nc["verdict"] == "not_checked" and nc["coverage"]["checked"] == 0 and nc["coverage"]["total"] > 40
    assert nc["reason"].startswith(f"not checked ({nc['coverage']['read']} of {nc['coverage']['total']} relations read")
    assert "**Overall: ➖ not checked**" in report and "· does not apply" in report
    assert "not checked 1" in r.stdout and "pass 1" not in r.stdout


def test_judges_list_and_calibrate_on_a_saved_corpus(tmp_path: Path) -> None:
    r = qed(tmp_path, "judges", "list")
    assert r.returncode == 0 and "dsm_verifier" in " ".join(r.stdout.split())
    problem = {"id": "t", "statement": "Let $a, b$ be positive reals. Prove $(a+b)^2 \\geq 4ab$.", "kind": "proof"}
    rows = [
        {"id": "t/none", "ref_id": "t", "source": "test", "flaw": "none", "problem": problem,
         "proof": "We have $(a+b)^2 - 4ab = (a-b)^2 \\geq 0$."},
        {"id": "t/wrong_number", "ref_id": "t", "source": "test", "flaw": "wrong_number", "problem": problem,
         "proof": "We have $(a+b)^2 - 4ab = (a-b)^3 \\geq 0$."},
    ]
    (tmp_path / "corpus.jsonl").write_text("".join(json.dumps(x) + "\n" for x in rows))
    r = qed(tmp_path, "judges", "calibrate", "--corpus", "corpus.jsonl", "--judges", "numeric_computation")
    assert r.returncode == 0, r.stderr
    [run] = run_dirs(tmp_path)
    cal = json.loads((run / "calibration.json").read_text())
    nc = cal["judges"]["numeric_computation"]
    assert nc["detection"]["wrong_number"]["fail"] == 1 and nc["false_rejection"]["fail"] == 0
    assert "| numeric_computation |" in (run / "calibration.md").read_text()


def test_calibrate_without_data_is_a_clear_error(tmp_path: Path) -> None:
    r = qed(tmp_path, "judges", "calibrate", "--data", str(tmp_path / "nowhere"))
    assert r.returncode == 2 and r.stderr.startswith("error:") and "nowhere" in r.stderr


def test_a_proof_with_a_five_megabyte_line_ends_at_once_with_what_was_refused(tmp_path: Path) -> None:
    line = "$" + "+".join(["1"] * 2_500_000) + " = 2500000$"
    (tmp_path / "huge.md").write_text(f"Let $a > 0$. Prove that $a + 1 > a$.\n\n## Solution\n\nWe have\n{line}\n")
    r = qed(tmp_path, "grade", "huge.md", "--judges", "numeric", timeout=120)
    assert r.returncode == 0, r.stderr
    [run] = run_dirs(tmp_path)
    [result] = json.loads((run / "grade.json").read_text())["results"]
    refusal = "the proof has 5,000,019 characters, more than the 500,000 QED reads: not judged"
    assert result["overall"] == "no_verdict" and result["reasons"] == [refusal]
    assert {v["verdict"] for v in result["judges"].values()} == {"no_verdict"}
    assert refusal in (run / "report.md").read_text()
