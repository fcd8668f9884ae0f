"""API keys as a user's environment holds them: sent only where the rule says, never written down.

`qed solve` and `qed prove` run against a fake OpenAI-compatible server on 127.0.0.1 with
sentinel values in every key variable; the server quotes the credentials it receives back in its
replies (and in an error), and every byte the run leaves behind is searched for the sentinels.
"""

from __future__ import annotations

from pathlib import Path

from tests.cli.cli_helpers import qed, run_dirs, write_jsonl
from tests.models.fake_server import FakeModelServer

KEYS = {
    "OPENAI_API_KEY": "sk-sentinel-openai-5b2d0c",
    "DEEPSEEK_API_KEY": "sk-sentinel-deepseek-9e1f4a",
    "ANTHROPIC_API_KEY": "sk-ant-sentinel-77c0d2",
    "ANTHROPIC_AUTH_TOKEN": "sentinel-anthropic-token-31aa",
}
CUSTOM = "sentinel-qed-custom-host-8c3e"
GPU = "sentinel-qed-gpu-host-6d14"
NO_ENGINE = "[loop]\nuse_engine = false\nmax_rounds = 1\n"
PROBLEMS = [{"id": "p1", "statement": "What is the smallest prime greater than 10?", "kind": "open", "answer": "11"}]


def _leaks(tmp_path: Path, secrets: list[str]) -> list[str]:
    """Every file QED wrote (run folders, the memory file) that holds one of `secrets`."""
    found = []
    files = [p for p in (tmp_path / "runs").rglob("*") if p.is_file()]
    files += [p for p in tmp_path.glob("memory.db*") if p.is_file()]
    assert files, "the run wrote nothing to search"
    for path in files:
        data = path.read_bytes()
        found += [f"{path.name}: {s}" for s in secrets if s.encode() in data]
    return found


def test_solve_sends_no_key_to_a_custom_host_and_writes_none(tmp_path):
    write_jsonl(tmp_path / "p.jsonl", PROBLEMS)
    (tmp_path / "qed.toml").write_text(NO_ENGINE)
    with FakeModelServer() as server:
        r = qed(tmp_path, "solve", "p.jsonl", "--model", f"openai:fake@{server.url('echo-auth')}", "--no-memory",
                env=KEYS)
    assert r.returncode == 0, r.stderr
    assert server.requests and server.auth_seen() == set(), "no Authorization header at all"
    assert not _leaks(tmp_path, list(KEYS.values()))


def test_prove_sends_the_opted_in_key_only_and_redacts_it_everywhere(tmp_path):
    (tmp_path / "qed.toml").write_text(NO_ENGINE)
    env = {**KEYS, "QED_OPENAI_API_KEY": CUSTOM}
    with FakeModelServer() as server:
        r = qed(tmp_path, "prove", PROBLEMS[0]["statement"], "--model", f"openai:fake@{server.url('echo-auth')}",
                "--memory", str(tmp_path / "memory.db"), env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert server.auth_seen() == {f"Bearer {CUSTOM}"}
    assert "[redacted]" in (run_dirs(tmp_path)[0] / "calls.sqlite").read_bytes().decode("utf-8", "replace")
    assert not _leaks(tmp_path, [*KEYS.values(), CUSTOM])
    assert "you sent Bearer [redacted]" in r.stdout and CUSTOM not in r.stdout + r.stderr, "streamed to the terminal"


def test_a_server_that_quotes_the_key_in_an_error_gets_it_redacted(tmp_path):
    (tmp_path / "qed.toml").write_text(NO_ENGINE)
    env = {**KEYS, "QED_OPENAI_API_KEY": CUSTOM}
    with FakeModelServer() as server:
        r = qed(tmp_path, "prove", PROBLEMS[0]["statement"], "--model", f"openai:fake@{server.url('refuse-echo')}",
                "--no-memory", env=env)
    assert r.returncode != 0
    results = (run_dirs(tmp_path)[0] / "results.jsonl").read_text()
    assert "request refused (401)" in results and "[redacted]" in results
    assert not _leaks(tmp_path, [*KEYS.values(), CUSTOM])
    assert CUSTOM not in r.stdout + r.stderr


def test_a_roles_api_key_env_sends_its_variable_to_that_roles_host_only(tmp_path):
    write_jsonl(tmp_path / "p.jsonl", PROBLEMS)
    (tmp_path / "qed.toml").write_text(NO_ENGINE + '\n[api_key_env]\nreviewer = "QED_GPU_KEY"\n')
    with FakeModelServer() as server:
        r = qed(tmp_path, "solve", "p.jsonl", "--model", f"openai:fake@{server.url('ok')}",
                "--role", f"reviewer=openai:fake@{server.url('echo-auth')}", "--no-memory",
                env={**KEYS, "QED_GPU_KEY": GPU})
    assert r.returncode == 0, r.stderr
    by_mode = {(s.mode, s.headers.get("authorization")) for s in server.requests}
    assert by_mode == {("ok", None), ("echo-auth", f"Bearer {GPU}")}
    assert not _leaks(tmp_path, [*KEYS.values(), GPU])


def test_api_key_env_naming_a_providers_key_for_another_host_is_refused(tmp_path):
    write_jsonl(tmp_path / "p.jsonl", PROBLEMS)
    (tmp_path / "qed.toml").write_text(NO_ENGINE + '\n[api_key_env]\ngenerator = "OPENAI_API_KEY"\n')
    with FakeModelServer() as server:
        r = qed(tmp_path, "solve", "p.jsonl", "--model", f"openai:fake@{server.url('ok')}", "--no-memory", env=KEYS)
    assert r.returncode == 2
    [line] = r.stderr.strip().splitlines()
    assert "OPENAI_API_KEY is sent only to https://api.openai.com" in line
    assert server.requests == []


def test_grade_sends_a_judges_api_key_env_to_its_host(tmp_path):
    """`qed grade` builds its judges' models from the whole role configuration, [api_key_env] too."""
    write_jsonl(tmp_path / "proofs.jsonl", [{"problem": "Let $a, b > 0$. Prove that $a^2 + b^2 \\geq 2ab$.",
                                             "proof": "Since $(a-b)^2 \\geq 0$, we get $a^2 + b^2 \\geq 2ab$."}])
    (tmp_path / "qed.toml").write_text('[api_key_env]\njudge = "QED_GPU_KEY"\n')
    with FakeModelServer() as server:
        r = qed(tmp_path, "grade", "proofs.jsonl", "--judges", "toy_case_model", "--model",
                f"openai:fake@{server.url('echo-auth')}", env={**KEYS, "QED_GPU_KEY": GPU})
    assert r.returncode == 0, r.stderr
    assert server.requests and server.auth_seen() == {f"Bearer {GPU}"}
    assert not _leaks(tmp_path, [*KEYS.values(), GPU])
