"""`qed prove`: the trajectory is printed as it happens, and --interactive lets a person decide."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.agent.loop_helpers import roles_script
from tests.cli.cli_helpers import qed, qed_env, run_dirs

STATEMENT = "What is the smallest prime greater than 10?"
NO_ENGINE = "[loop]\nuse_engine = false\nmax_rounds = 2\n"


def test_prove_prints_every_stage_and_records_the_run(tmp_path):
    (tmp_path / "qed.toml").write_text(NO_ENGINE)
    spec = roles_script(tmp_path, ["Checking 11: it is prime.\nThe answer is 11."], ["VERDICT: PASS"],
                        ["No flaw found.\nVERDICT: ACCEPT"])
    r = qed(tmp_path, "prove", STATEMENT, "--model", f"scripted:{spec}", "--no-memory")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    for stage in ("recall", "generate", "self_verify", "execute", "review", "decide", "remember"):
        assert stage in out
    assert "Checking 11: it is prime." in out, "the draft is streamed to the terminal"
    assert "review: pass" in out and "decision: accept" in out
    [run] = run_dirs(tmp_path)
    [result] = [json.loads(x) for x in (run / "results.jsonl").read_text().splitlines()]
    assert result["outcome"] == "solved" and result["answer"] == "11"


def test_interactive_prove_lets_the_person_send_a_draft_back(tmp_path):
    (tmp_path / "qed.toml").write_text(NO_ENGINE)
    spec = roles_script(tmp_path, ["The answer is 13.", "Checking 11: it is prime.\nThe answer is 11."],
                        ["VERDICT: PASS"], ["VERDICT: ACCEPT"])
    person = "refine\n11 is smaller and prime\naccept\n"
    r = subprocess.run([sys.executable, "-m", "qed.cli", "prove", STATEMENT, "--model", f"scripted:{spec}",
                        "--no-memory", "--interactive"], cwd=tmp_path, env=qed_env(tmp_path), input=person,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("QED proposes: accept") == 2
    [run] = run_dirs(tmp_path)
    [result] = [json.loads(x) for x in (run / "results.jsonl").read_text().splitlines()]
    assert result["outcome"] == "solved" and result["answer"] == "11" and result["rounds"] == 2
    import sqlite3

    with sqlite3.connect(run / "calls.sqlite") as db:
        prompts = [row[0] for row in db.execute("select messages from calls where node = 'generate'")]
    assert "11 is smaller and prime" in prompts[1], "the person's note reaches the next draft"
