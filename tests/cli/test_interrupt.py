"""One Ctrl-C (SIGINT to the terminal's process group) stops `qed solve` cleanly, exit status 130.

The signal goes to the whole foreground process group, as a terminal sends it; the llama.cpp
worker must not be in that group (it used to die with every press and be started again).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from qed.models.catalog import TEST_MODEL
from qed.models.store import ModelStore

from tests.agent.loop_helpers import roles_script
from tests.cli.cli_helpers import qed_env, run_dirs, write_jsonl

PROBLEMS = [
    {"id": "p1", "statement": "What is the smallest prime greater than 10?", "kind": "open", "answer": "11"},
    {"id": "p2", "statement": "What is the largest prime below 10?", "kind": "open", "answer": "7"},
]
NO_ENGINE = "[loop]\nuse_engine = false\nmax_rounds = 1\n"


def start_in_own_group(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    """`qed ARGS` as the foreground job of a terminal: the leader of its own process group."""
    return subprocess.Popen([sys.executable, "-m", "qed.cli", *args], cwd=tmp_path, env=qed_env(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def logged_nodes(tmp_path: Path) -> list[str]:
    dirs = run_dirs(tmp_path)
    if not dirs or not (dirs[0] / "calls.sqlite").exists():
        return []
    try:
        with sqlite3.connect(dirs[0] / "calls.sqlite") as db:
            return [row[0] for row in db.execute("select node from calls")]
    except sqlite3.OperationalError:
        return []


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def ctrl_c(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    """One Ctrl-C to the job's process group; its exit status and output (a hang fails the test)."""
    os.killpg(proc.pid, signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise AssertionError(f"one Ctrl-C did not stop qed: {err}") from None
    return proc.returncode, out, err


def children(pid: int) -> list[int]:
    """Every live process whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def _session_of(pid: int) -> int:
    return int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[3])


def test_one_ctrl_c_writes_the_partial_summary_and_says_how_to_resume(tmp_path):
    write_jsonl(tmp_path / "p.jsonl", PROBLEMS)
    (tmp_path / "qed.toml").write_text(NO_ENGINE)
    spec = roles_script(tmp_path, ["Checking primes in order.\nThe answer is 11."], ["VERDICT: PASS"],
                        ["VERDICT: ACCEPT"], delay_review_s=120)
    proc = start_in_own_group(tmp_path, "solve", "p.jsonl", "--model", f"scripted:{spec}", "--no-memory")
    wait_for(lambda: "self_verify" in logged_nodes(tmp_path), 120, "the loop to reach the referee")
    time.sleep(0.5)  # inside the referee's (scripted, slow) reply
    code, _, err = ctrl_c(proc)

    assert code == 130, err
    assert "Traceback" not in err
    [run] = run_dirs(tmp_path)
    assert f"resume with `qed solve --resume runs/{run.name}`" in err
    summary = (run / "summary.md").read_text()
    assert "**Interrupted** after 0 of 2 problem(s)" in summary
    assert f"qed solve --resume runs/{run.name}" in summary


def test_the_resume_it_prints_finishes_the_run(tmp_path):
    write_jsonl(tmp_path / "p.jsonl", PROBLEMS[:1])
    (tmp_path / "qed.toml").write_text(NO_ENGINE)
    args = ["Checking primes in order.\nThe answer is 11."], ["VERDICT: PASS"], ["VERDICT: ACCEPT"]
    spec = roles_script(tmp_path, *args, delay_review_s=120)
    proc = start_in_own_group(tmp_path, "solve", "p.jsonl", "--model", f"scripted:{spec}", "--no-memory")
    wait_for(lambda: "self_verify" in logged_nodes(tmp_path), 120, "the loop to reach the referee")
    time.sleep(0.5)
    code, _, err = ctrl_c(proc)
    assert code == 130, err
    command = err.split("resume with `", 1)[1].split("`", 1)[0].split()

    roles_script(tmp_path, *args)  # the same script, now without the delay
    r = subprocess.run([sys.executable, "-m", "qed.cli", *command[1:], "--model", f"scripted:{spec}"],
                       cwd=tmp_path, env=qed_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    [run] = run_dirs(tmp_path)
    [result] = [json.loads(x) for x in (run / "results.jsonl").read_text().splitlines()]
    assert result["outcome"] == "solved"
    assert "Interrupted" not in (run / "summary.md").read_text()


@pytest.mark.skipif(ModelStore().path(TEST_MODEL) is None, reason=f"run: qed models pull {TEST_MODEL}")
def test_ctrl_c_with_the_embedded_model_stops_qed_and_its_worker(tmp_path):
    write_jsonl(tmp_path / "p.jsonl", PROBLEMS)
    (tmp_path / "qed.toml").write_text(NO_ENGINE.replace("max_rounds = 1", "max_rounds = 3\ngenerate_max_tokens = 2000"))
    proc = start_in_own_group(tmp_path, "solve", "p.jsonl", "--model", f"local:{TEST_MODEL}", "--no-memory")
    workers: list[int] = []

    def worker_started() -> bool:
        workers[:] = [c for c in children(proc.pid)
                      if b"qed.models.worker" in (Path("/proc") / str(c) / "cmdline").read_bytes()]
        if not workers or not run_dirs(tmp_path):
            return False
        log = run_dirs(tmp_path)[0] / "llama-server.log"
        return log.exists() and "init: listening on" in log.read_text(errors="replace")

    wait_for(worker_started, 240, "the llama.cpp worker to start")
    time.sleep(2.0)  # the first draft is being written
    [worker] = workers
    assert _session_of(worker) != _session_of(proc.pid), "the worker shares the terminal's process group"
    code, _, err = ctrl_c(proc)

    assert code == 130, err
    assert "Traceback" not in err and "resume with `qed solve --resume runs/" in err
    assert not Path(f"/proc/{worker}").exists() or "Z" in Path(f"/proc/{worker}/stat").read_text().split()[2]
    [run] = run_dirs(tmp_path)
    assert "**Interrupted**" in (run / "summary.md").read_text()
    log = (run / "llama-server.log").read_text(errors="replace")
    assert log.count("init: listening on") == 1, "the worker was started again after the Ctrl-C"


def test_ctrl_c_in_qed_prove_prints_a_resume_that_finishes_the_problem(tmp_path):
    (tmp_path / "qed.toml").write_text(NO_ENGINE)
    args = ["Checking primes in order.\nThe answer is 11."], ["VERDICT: PASS"], ["VERDICT: ACCEPT"]
    spec = roles_script(tmp_path, *args, delay_review_s=120)
    proc = start_in_own_group(tmp_path, "prove", PROBLEMS[0]["statement"], "--kind", "open",
                              "--model", f"scripted:{spec}", "--no-memory")
    wait_for(lambda: "self_verify" in logged_nodes(tmp_path), 120, "the loop to reach the referee")
    time.sleep(0.5)
    code, _, err = ctrl_c(proc)
    assert code == 130 and "Traceback" not in err, err
    [run] = run_dirs(tmp_path)
    assert f"resume with `qed solve --resume runs/{run.name}`" in err

    roles_script(tmp_path, *args)
    r = subprocess.run([sys.executable, "-m", "qed.cli", "solve", "--resume", f"runs/{run.name}",
                        "--model", f"scripted:{spec}", "--no-memory"],
                       cwd=tmp_path, env=qed_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    [result] = [json.loads(x) for x in (run / "results.jsonl").read_text().splitlines()]
    assert result["outcome"] == "solved" and result["problem_id"].startswith("prompt")
    assert [n for n in logged_nodes(tmp_path) if n == "generate"] == ["generate"], "the draft was not written again"
