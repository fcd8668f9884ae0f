"""`qed solve --resume` on a run folder someone sent: nothing in it runs, and it cannot pick models
or where keys go without your say-so."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.agent.checkpoint_attack import patch_latest_checkpoint
from tests.agent.loop_helpers import roles_script
from tests.cli.cli_helpers import qed, qed_env, run_dirs, write_jsonl
from tests.models.fake_server import FakeModelServer

PROBLEMS = [{"id": "p1", "statement": "What is the smallest prime greater than 10?", "kind": "open", "answer": "11"}]
NO_ENGINE = "[loop]\nuse_engine = false\nmax_rounds = 1\n"
KEYS = {"OPENAI_API_KEY": "sk-sentinel-openai-41c9e0", "QED_OPENAI_API_KEY": "sentinel-qed-custom-2f70ab"}


def _one_line_error(r) -> str:
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in r.stderr, r.stderr
    return lines[0]


def _sent_run(tmp_path: Path) -> tuple[Path, list[str]]:
    """A finished run whose result was lost (killed before writing it): a resume has work to do."""
    write_jsonl(tmp_path / "p.jsonl", PROBLEMS)
    (tmp_path / "qed.toml").write_text(NO_ENGINE)
    spec = roles_script(tmp_path, ["Checking primes in order.\nThe answer is 11."], ["VERDICT: PASS"],
                        ["VERDICT: ACCEPT"])
    model = ["--model", f"scripted:{spec}", "--no-memory"]
    assert qed(tmp_path, "solve", "p.jsonl", *model).returncode == 0
    [run] = run_dirs(tmp_path)
    (run / "results.jsonl").unlink()
    return run, model


def _point_models_at(run: Path, url: str) -> None:
    config = json.loads((run / "config.json").read_text())
    config["models"] = {role: f"openai:fake@{url}" for role in config["models"]}
    (run / "config.json").write_text(json.dumps(config))


def test_resume_refuses_a_checkpoint_that_would_run_code(tmp_path):
    run, model = _sent_run(tmp_path)
    marker = tmp_path / "pwned"
    patch_latest_checkpoint(run / "checkpoints.sqlite", "p1", marker)
    line = _one_line_error(qed(tmp_path, "solve", "--resume", str(run), *model))
    assert "os.system" in line and "refusing to resume" in line
    assert not marker.exists()
    assert not (run / "results.jsonl").exists()


def test_a_run_config_naming_other_models_is_refused_without_consent(tmp_path):
    run, model = _sent_run(tmp_path)
    with FakeModelServer() as server:
        _point_models_at(run, server.url("echo-auth"))
        line = _one_line_error(qed(tmp_path, "solve", "--resume", str(run), *model, env=KEYS))
        assert server.requests == []
    assert server.url("echo-auth") in line and "--trust-run-config" in line and "--model/--role" in line


def test_trusting_a_run_config_lets_it_pick_models_but_never_where_keys_go(tmp_path):
    run, model = _sent_run(tmp_path)
    with FakeModelServer() as server:
        _point_models_at(run, server.url("echo-auth"))
        r = qed(tmp_path, "solve", "--resume", str(run), "--no-memory", "--trust-run-config", env=KEYS)
    assert r.returncode == 0, r.stderr
    assert server.requests, "the run's models were used"
    assert server.auth_seen() == set(), "a host from a run folder gets no QED_OPENAI_API_KEY"
    [result] = [json.loads(x) for x in (run / "results.jsonl").read_text().splitlines()]
    assert result["problem_id"] == "p1"


def _resume_on_a_terminal(tmp_path: Path, run: Path, answer: str) -> subprocess.CompletedProcess[str]:
    main, replica = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "qed.cli", "solve", "--resume", str(run), "--no-memory"],
                                cwd=tmp_path, env={**qed_env(tmp_path), **KEYS}, stdin=replica,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        os.write(main, answer.encode())
        out, err = proc.communicate(timeout=180)
    finally:
        os.close(main)
        os.close(replica)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.parametrize("answer", ["n\n", "y\n"], ids=["declined", "accepted"])
def test_on_a_terminal_the_run_models_are_shown_and_need_a_yes(tmp_path, answer):
    run, _ = _sent_run(tmp_path)
    with FakeModelServer() as server:
        _point_models_at(run, server.url("ok"))
        r = _resume_on_a_terminal(tmp_path, run, answer)
    assert server.url("ok") in r.stderr and "Resume with the run's models?" in r.stderr
    if answer.startswith("n"):
        assert r.returncode == 2 and server.requests == []
        assert "resume refused" in r.stderr
    else:
        assert r.returncode == 0, r.stderr
        assert server.requests and server.auth_seen() == set()


@pytest.mark.parametrize(("config", "said"), [
    ("{not json", "not valid JSON"),
    ('["a list"]', "JSON object"),
    ('{"source": "p.jsonl", "solver": "rm -rf", "models": {}}', "unknown solver"),
    ('{"source": "p.jsonl", "models": {"generator": 7}}', "'models' must map roles"),
    ('{"source": "p.jsonl", "models": {"boss": "scripted:x"}}', "unknown role"),
    ('{"source": "p.jsonl", "models": {}, "loop": {"max_rounds": "many"}}', "max_rounds"),
], ids=["not json", "not an object", "solver", "spec type", "role", "rounds"])
def test_a_damaged_run_config_is_one_line(tmp_path, config, said):
    run, model = _sent_run(tmp_path)
    (run / "config.json").write_text(config)
    assert said in _one_line_error(qed(tmp_path, "solve", "--resume", str(run), *model))
