"""With stdout a pipe (`| tee`, nohup, a log), `qed solve` prints plain lines: one per problem and stage."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys

from tests.agent.loop_helpers import roles_script
from tests.cli.cli_helpers import qed, qed_env, run_dirs, write_jsonl

PROBLEMS = [
    {"id": "p1", "statement": "What is the smallest prime greater than 10?", "kind": "open", "answer": "11"},
    {"id": "p2", "statement": "What is the largest prime below 10?", "kind": "open", "answer": "7"},
]
NO_ENGINE = "[loop]\nuse_engine = false\nmax_rounds = 1\n"
BOUND = {"id": "amgm", "kind": "bound", "answer": "$$C = 2$$",
         "statement": "Let $a, b$ be positive real numbers. Find the largest constant $C$ such that "
                      "the following inequality holds for all $a, b$:\n$$\n\\frac{a}{b}+\\frac{b}{a} \\geq C\n$$"}


def test_piped_solve_prints_a_line_per_problem_and_stage(tmp_path):
    write_jsonl(tmp_path / "p.jsonl", PROBLEMS)
    (tmp_path / "qed.toml").write_text(NO_ENGINE)
    spec = roles_script(tmp_path, ["Checking primes in order.\nThe answer is 11."], ["VERDICT: PASS"],
                        ["VERDICT: ACCEPT"])
    r = qed(tmp_path, "solve", "p.jsonl", "--model", f"scripted:{spec}", "--no-memory")  # stdout is a pipe
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "\x1b[" not in r.stdout and "╭" not in r.stdout, "no escape codes or panel off a terminal"
    for stage in ("recall", "generate", "self_verify", "execute", "review", "decide", "remember"):
        assert f"[1/2] p1 {stage} · round 1" in lines, stage
    assert "[1/2] p1 start (open)" in lines and "[2/2] p2 start (open)" in lines
    assert "[1/2] p1 review: pass — " in r.stdout
    [end] = [x for x in lines if x.startswith("[1/2] p1 solved")]
    assert "answer 11" in end and "answer from model (confirmed by the referee)" in end
    assert any(re.fullmatch(r"\[2/2\] p2 (solved|abstained).* · \d+ rnd, \d+ tok, [\d.]+ s.*", x) for x in lines)
    assert lines[-3].startswith("2 done")  # the running tally, then where the results are
    [run] = run_dirs(tmp_path)
    assert f"→ {run}" in r.stdout, "the run folder is on one line, not wrapped at 80 columns"


def test_piped_symbolic_solve_says_the_engine_certified_the_answer(tmp_path):
    write_jsonl(tmp_path / "p.jsonl", [BOUND])
    r = qed(tmp_path, "solve", "p.jsonl", "--solver", "symbolic", "--no-memory")
    assert r.returncode == 0, r.stderr
    [end] = [x for x in r.stdout.splitlines() if x.startswith("[1/1] amgm solved")]
    assert "answer from engine (certified by z3" in end
    [run] = run_dirs(tmp_path)
    assert "engine (certified by z3" in (run / "summary.md").read_text()
    [result] = [json.loads(x) for x in (run / "results.jsonl").read_text().splitlines()]
    assert result["outcome"] == "solved"


def test_prove_says_a_persons_unchecked_acceptance_is_unverified(tmp_path):
    (tmp_path / "qed.toml").write_text("[loop]\nuse_engine = false\nmax_rounds = 1\n")
    spec = roles_script(tmp_path, ["The answer is 13."], ["VERDICT: FAIL"], ["13 is not the least.\nVERDICT: REJECT"])
    r = subprocess.run([sys.executable, "-m", "qed.cli", "prove", "What is the smallest prime greater than 10?",
                        "--model", f"scripted:{spec}", "--interactive"], cwd=tmp_path, env=qed_env(tmp_path),
                       input="accept\n", capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "answer from user (unverified)" in r.stdout
    [run] = run_dirs(tmp_path)
    [result] = [json.loads(x) for x in (run / "results.jsonl").read_text().splitlines()]
    assert result["outcome"] == "solved" and result["reason"].startswith("accepted by the user")
    with sqlite3.connect(tmp_path / "memory.db") as db:
        kinds = [row[0] for row in db.execute("select kind from nodes where problem_id = ?", (result["problem_id"],))]
    assert "episode" in kinds and not {"fact", "lemma", "strategy"} & set(kinds)
