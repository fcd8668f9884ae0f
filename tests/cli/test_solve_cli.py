"""`qed solve` as a user meets it: bad input is one line and exit 2; a killed run resumes."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest

from tests.agent.loop_helpers import roles_script
from tests.cli.cli_helpers import qed, qed_popen, run_dirs, write_jsonl

PROBLEMS = [
    {"id": "p1", "statement": "What is the smallest prime greater than 10?", "kind": "open", "answer": "11"},
    {"id": "p2", "statement": "What is the largest prime below 10?", "kind": "open", "answer": "7"},
]
NO_ENGINE = "[loop]\nuse_engine = false\nmax_rounds = 1\n"


def _one_line_error(r) -> str:
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert "Traceback" not in r.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (None, "missing.json", "missing.json"),
        ('[{"problem": "x", ', "broken.json", "broken.json"),
        ("just some bytes\x00\x01", "mystery.bin", "mystery.bin"),
    ],
    ids=["missing file", "malformed JSON", "unknown format"],
)
def test_unreadable_problem_files_are_one_line_errors(tmp_path, content, name, expected):
    if content is not None:
        (tmp_path / name).write_text(content)
    message = _one_line_error(qed(tmp_path, "solve", name, "--no-memory"))
    assert expected in message


def test_an_unknown_model_spec_is_a_one_line_error(tmp_path):
    write_jsonl(tmp_path / "p.jsonl", PROBLEMS)
    message = _one_line_error(qed(tmp_path, "solve", "p.jsonl", "--model", "gpt5:nope"))
    assert "unknown model spec" in message


def test_an_unpulled_local_model_names_the_command_that_fetches_it(tmp_path, monkeypatch):
    write_jsonl(tmp_path / "p.jsonl", PROBLEMS)
    r = qed(tmp_path, "solve", "p.jsonl", "--model", "local:qwen2.5-coder-0.5b", "--no-memory")
    if r.returncode == 0:
        pytest.skip("qwen2.5-coder-0.5b happens to be in this machine's cache")
    assert "qed models pull qwen2.5-coder-0.5b" in _one_line_error(r)


def test_solve_records_every_problem_and_a_summary(tmp_path):
    write_jsonl(tmp_path / "p.jsonl", PROBLEMS)
    (tmp_path / "qed.toml").write_text(NO_ENGINE)
    spec = roles_script(tmp_path, ["Checking primes in order.\nThe answer is 11."], ["VERDICT: PASS"],
                        ["VERDICT: ACCEPT"])
    r = qed(tmp_path, "solve", "p.jsonl", "--model", f"scripted:{spec}", "--no-memory")
    assert r.returncode == 0, r.stderr
    [run] = run_dirs(tmp_path)
    results = [json.loads(x) for x in (run / "results.jsonl").read_text().splitlines()]
    assert [(x["problem_id"], x["outcome"], x["answer"]) for x in results] == [("p1", "solved", "11"), ("p2", "solved", "11")]
    config = json.loads((run / "config.json").read_text())
    assert config["models"]["reviewer"] == f"scripted:{spec}"
    assert config["loop"]["max_rounds"] == 1 and config["loop"]["use_engine"] is False
    assert (run / "calls.sqlite").exists() and (run / "checkpoints.sqlite").exists()
    assert "2 of 2 finished" in (run / "summary.md").read_text()


def test_a_killed_run_resumes_without_redoing_finished_work(tmp_path):
    write_jsonl(tmp_path / "p.jsonl", PROBLEMS[:1])
    (tmp_path / "qed.toml").write_text(NO_ENGINE)
    args = ["Checking primes in order.\nThe answer is 11."], ["VERDICT: PASS"], ["VERDICT: ACCEPT"]
    spec = roles_script(tmp_path, *args, delay_review_s=60)
    proc = qed_popen(tmp_path, "solve", "p.jsonl", "--model", f"scripted:{spec}", "--no-memory")
    try:
        deadline = time.monotonic() + 60
        logged: list[str] = []
        while time.monotonic() < deadline and "self_verify" not in logged:
            time.sleep(0.2)
            dirs = run_dirs(tmp_path)
            if dirs and (dirs[0] / "calls.sqlite").exists():
                with sqlite3.connect(dirs[0] / "calls.sqlite") as db:
                    try:
                        logged = [row[0] for row in db.execute("select node from calls")]
                    except sqlite3.OperationalError:
                        logged = []
        assert "self_verify" in logged, "the run reached the referee before we killed it"
        time.sleep(1.0)  # let the checkpoint of execute land; the referee is still thinking
    finally:
        proc.kill()
        proc.wait()
    [run] = run_dirs(tmp_path)
    assert not (run / "results.jsonl").exists()

    roles_script(tmp_path, *args)  # the same file, now without the delay
    r = qed(tmp_path, "solve", "--resume", str(run), "--model", f"scripted:{spec}")  # the run's own models
    assert r.returncode == 0, r.stderr
    [result] = [json.loads(x) for x in (run / "results.jsonl").read_text().splitlines()]
    assert result["outcome"] == "solved"
    with sqlite3.connect(run / "calls.sqlite") as db:
        nodes = [row[0] for row in db.execute("select node from calls")]
    assert nodes.count("generate") == 1, "the finished draft was not written again"
    assert nodes.count("review") == 1


def test_symbolic_solver_answers_without_any_model(tmp_path):
    problems = [
        {"id": "amgm", "kind": "bound", "answer": "$$C = 2$$",
         "statement": "Let $a, b$ be positive real numbers. Find the largest constant $C$ such that "
                      "the following inequality holds for all $a, b$:\n$$\n\\frac{a}{b}+\\frac{b}{a} \\geq C\n$$"},
        {"id": "prose", "kind": "open", "statement": "Why is the sky blue?"},
    ]
    write_jsonl(tmp_path / "p.jsonl", problems)
    r = qed(tmp_path, "solve", "p.jsonl", "--solver", "symbolic", "--model", "local:not-a-model")
    assert r.returncode == 0, r.stderr
    [run] = run_dirs(tmp_path)
    results = {x["problem_id"]: x for x in map(json.loads, (run / "results.jsonl").read_text().splitlines())}
    assert results["amgm"]["outcome"] == "solved" and results["amgm"]["correct"] is True
    assert results["amgm"]["evidence"]["engine"]["certified"] is True
    assert results["prose"]["outcome"] == "abstained" and "not open" in results["prose"]["reason"]
    assert results["amgm"]["tokens"] == {"prompt": 0, "completion": 0}


def test_a_result_line_torn_by_a_crash_does_not_swallow_the_next_one(tmp_path):
    write_jsonl(tmp_path / "p.jsonl", PROBLEMS)
    (tmp_path / "qed.toml").write_text(NO_ENGINE)
    spec = roles_script(tmp_path, ["Checking primes in order.\nThe answer is 11."], ["VERDICT: PASS"],
                        ["VERDICT: ACCEPT"])
    model = ["--model", f"scripted:{spec}", "--no-memory"]
    assert qed(tmp_path, "solve", "p.jsonl", *model).returncode == 0
    [run] = run_dirs(tmp_path)
    results = run / "results.jsonl"
    first, second = results.read_bytes().splitlines(keepends=True)
    results.write_bytes(first + second[: len(second) // 2])  # killed while writing p2's line

    r = qed(tmp_path, "solve", "--resume", str(run), *model)
    assert r.returncode == 0, r.stderr
    records = [json.loads(x) for x in results.read_text().splitlines() if x.startswith("{") and x.endswith("}")]
    assert [x["problem_id"] for x in records] == ["p1", "p2"]

    r = qed(tmp_path, "solve", "--resume", str(run), *model)  # nothing is left to do
    assert r.returncode == 0, r.stderr
    with sqlite3.connect(run / "calls.sqlite") as db:
        generated = [row[0] for row in db.execute("select problem_id from calls where node = 'generate'")]
    assert generated.count("p1") == 1 and generated.count("p2") == 2


@pytest.mark.parametrize("args", [["solve"], ["solve", "p.jsonl", "--solver", "guess"]],
                         ids=["no problem file", "unknown solver"])
def test_usage_errors_exit_2_with_one_line(tmp_path, args):
    write_jsonl(tmp_path / "p.jsonl", PROBLEMS)
    _one_line_error(qed(tmp_path, *args))


def test_limit_one_reads_only_what_it_solves_and_a_late_bad_record_fails_a_full_run(tmp_path):
    good = [{"id": f"p{i}", "statement": f"Prove that {i} + 1 > {i}.", "kind": "proof"} for i in range(5000)]
    path = write_jsonl(tmp_path / "many.jsonl", good)
    with path.open("a") as f:
        f.write('{"id": "bad", "statment": "typo"}\n')
    r = qed(tmp_path, "solve", "many.jsonl", "--limit", "1", "--solver", "symbolic", "--no-memory")
    assert r.returncode == 0, r.stderr
    [run] = run_dirs(tmp_path)
    [result] = [json.loads(line) for line in (run / "results.jsonl").read_text().splitlines()]
    assert result["problem_id"] == "p0" and result["outcome"] == "abstained"
    assert json.loads((run / "config.json").read_text())["problems"] == 1
    message = _one_line_error(qed(tmp_path, "solve", "many.jsonl", "--solver", "symbolic", "--no-memory"))
    assert "many.jsonl: line 5001: not a Problem record" in message
    assert len(run_dirs(tmp_path)) == 1  # the bad file was refused before a run began
