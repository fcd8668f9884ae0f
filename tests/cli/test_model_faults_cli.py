"""`qed prove` against a model server that misbehaves: the outcome is `error`, the exit is non-zero."""

from __future__ import annotations

import json

import pytest

from tests.cli.cli_helpers import qed, run_dirs
from tests.models.fake_server import FakeModelServer

STATEMENT = "What is the smallest prime greater than 10?"


def _result(tmp_path) -> dict:
    [run] = run_dirs(tmp_path)
    [result] = [json.loads(x) for x in (run / "results.jsonl").read_text().splitlines()]
    return result


@pytest.mark.parametrize(("mode", "said"), [
    ("garbage", "not a chat completion"),
    ("no-choices", "streamed no reply"),
    ("null-content", "streamed no reply"),
    ("cut", "before the reply finished"),
])
def test_prove_exits_non_zero_when_the_server_answers_without_a_reply(tmp_path, mode, said):
    (tmp_path / "qed.toml").write_text("[loop]\nuse_engine = false\nmax_rounds = 1\n")
    with FakeModelServer() as server:
        r = qed(tmp_path, "prove", STATEMENT, "--model", f"openai:fake@{server.url(mode)}", "--no-memory")
    assert r.returncode != 0, r.stdout
    assert "Traceback" not in r.stderr
    result = _result(tmp_path)
    assert result["outcome"] == "error" and said in result["error"]
    assert said in r.stdout


def test_a_hung_server_ends_the_problem_at_the_configured_call_deadline(tmp_path):
    (tmp_path / "qed.toml").write_text("[loop]\nuse_engine = false\nmax_rounds = 1\n"
                                       "call_timeout_s = 900\ncall_deadline_s = 2\n")
    with FakeModelServer() as server:
        # Without the deadline one call alone could take 4 x 900 s; the subprocess is given 120 s.
        r = qed(tmp_path, "prove", STATEMENT, "--model", f"openai:fake@{server.url('hang')}", "--no-memory",
                timeout=120)
    assert r.returncode != 0
    result = _result(tmp_path)
    assert result["outcome"] == "error" and "call deadline of 2 s" in result["error"]
