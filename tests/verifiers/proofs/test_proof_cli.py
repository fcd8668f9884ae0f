"""`qed prove` and `qed solve` print the computed proof and leave its files for `qed check`."""

from __future__ import annotations

import json

from tests.agent.loop_helpers import roles_script
from tests.cli.cli_helpers import qed, run_dirs, write_jsonl

STATEMENT = "Let $a, b, c$ be positive real numbers. Prove that $$a^3+b^3+c^3 \\geq 3abc.$$"


def test_qed_prove_prints_the_proof_of_an_olympiad_inequality(tmp_path):
    spec = roles_script(tmp_path, ["unused"], ["VERDICT: PASS"], ["VERDICT: ACCEPT"])
    r = qed(tmp_path, "prove", STATEMENT, "--model", f"scripted:{spec}", "--no-memory", timeout=300)
    assert r.returncode == 0, r.stderr
    assert "compute" in r.stdout and "generate" not in r.stdout, "computed first; no draft was needed"
    assert "## Proof" in r.stdout and "**Step 1" in r.stdout and "## Equality" in r.stdout
    [run] = run_dirs(tmp_path)
    [result] = [json.loads(x) for x in (run / "results.jsonl").read_text().splitlines()]
    assert result["outcome"] == "solved" and result["proof"]["verified"] is True
    folder = run / result["proof"]["path"].rsplit("/", 1)[0]
    assert {"proof.md", "proof.tex", "certificate.json", "proof.lean"} <= {p.name for p in folder.iterdir()}
    check = qed(tmp_path, "check", str(folder / "certificate.json"))
    assert check.returncode == 0, check.stdout + check.stderr


def test_qed_solve_shows_each_proof_and_the_summary_counts_them(tmp_path):
    path = write_jsonl(tmp_path / "set.jsonl", [
        {"id": "p1", "kind": "proof", "statement": STATEMENT},
        {"id": "b1", "kind": "bound", "answer": "$$C = 2$$", "statement":
         "Let $a, b$ be positive real numbers. Find the largest constant $C$ such that "
         "$\\frac{a}{b}+\\frac{b}{a} \\geq C$ holds for all $a, b$."},
        {"id": "o1", "kind": "open", "statement": "Is there a largest prime?"},
    ])
    r = qed(tmp_path, "solve", str(path), "--solver", "symbolic", "--no-memory", timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("## Proof") == 2 and "No larger constant works" in r.stdout
    [run] = run_dirs(tmp_path)
    summary = (run / "summary.md").read_text()
    assert "- proved: 2 of 3" in summary
    rows = {line.split(" | ")[0][2:]: line for line in summary.splitlines() if line.startswith("| ") and " | " in line}
    assert rows["b1"].startswith("| b1 | bound | solved | $$C = 2$$ | engine (certified by z3, cvc5) | yes |") and rows["b1"].endswith("| proved |")
    assert rows["o1"].startswith("| o1 | open | abstained |") and rows["o1"].endswith("| – |")
