"""Typos and wrong values are one line naming the closest match, exit 2, and leave no run folder.

These run the real `qed` in a subprocess, so they exercise whatever typer (and click) the install
resolved: typer >= 0.2x raises its own copies of click's exceptions, older ones raise click's.
"""

from __future__ import annotations

from importlib.metadata import version

import pytest

from tests.cli.cli_helpers import qed, run_dirs, write_jsonl

PROBLEMS = [{"id": "p1", "statement": "What is the smallest prime greater than 10?", "kind": "open", "answer": "11"}]


def _one_line_error(r) -> str:
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    return lines[0]


@pytest.fixture
def problems(tmp_path):
    return write_jsonl(tmp_path / "p.jsonl", PROBLEMS).name


def test_the_installed_typer_is_the_one_these_tests_exercise():
    assert version("typer")  # the subprocesses below import this same installation


def test_a_misspelt_option_names_the_option_meant(tmp_path, problems):
    line = _one_line_error(qed(tmp_path, "solve", problems, "--limt", "2"))
    assert "--limt" in line and "did you mean --limit?" in line
    assert run_dirs(tmp_path) == []


def test_a_misspelt_command_names_the_command_meant(tmp_path):
    line = _one_line_error(qed(tmp_path, "slove", "x"))
    assert "'slove'" in line and "did you mean `qed solve`?" in line


def test_a_misspelt_subcommand_names_the_subcommand_meant(tmp_path):
    line = _one_line_error(qed(tmp_path, "memory", "srch", "AM-GM"))
    assert "did you mean `qed memory search`?" in line


def test_a_group_option_after_its_subcommand_shows_where_it_goes(tmp_path):
    line = _one_line_error(qed(tmp_path, "memory", "stats", "--memory", "F"))
    assert "qed memory --memory F stats" in line
    assert not (tmp_path / "F").exists()


def test_an_unknown_solver_names_the_solver_meant_and_leaves_no_run(tmp_path, problems):
    line = _one_line_error(qed(tmp_path, "solve", problems, "--solver", "symbolc"))
    assert "did you mean 'symbolic'?" in line
    assert run_dirs(tmp_path) == []


@pytest.mark.parametrize(
    ("spec", "meant"),
    [("opnai:gpt-4o", "did you mean openai:gpt-4o?"),
     ("local:qwen2.5-coder-1.5", "did you mean 'qwen2.5-coder-1.5b'?")],
    ids=["backend", "catalog name"],
)
def test_an_unknown_model_spec_names_the_spec_meant_and_leaves_no_run(tmp_path, problems, spec, meant):
    line = _one_line_error(qed(tmp_path, "solve", problems, "--model", spec))
    assert meant in line
    assert run_dirs(tmp_path) == []


def test_an_unpulled_model_leaves_no_run_folder(tmp_path, problems):
    r = qed(tmp_path, "solve", problems, "--model", "local:qwen2.5-coder-0.5b", "--no-memory",
            env={"QED_CACHE_DIR": str(tmp_path / "empty-cache")})
    assert "qed models pull qwen2.5-coder-0.5b" in _one_line_error(r)
    assert run_dirs(tmp_path) == []


def test_prove_with_an_unknown_model_leaves_no_run_folder(tmp_path):
    _one_line_error(qed(tmp_path, "prove", "Let a, b > 0. Prove that a + b >= 2 sqrt(ab).",
                        "--model", "local:nosuch", "--no-memory"))
    assert run_dirs(tmp_path) == []


def test_a_value_out_of_range_is_one_line(tmp_path, problems):
    line = _one_line_error(qed(tmp_path, "solve", problems, "--limit", "0"))
    assert "--limit" in line


def test_a_missing_argument_is_one_line(tmp_path):
    line = _one_line_error(qed(tmp_path, "memory", "search"))
    assert "query" in line.lower()


def test_a_group_alone_prints_its_help_not_an_error(tmp_path):
    r = qed(tmp_path, "memory")
    assert "Traceback" not in r.stderr
    assert "search" in r.stdout and "stats" in r.stdout
    assert r.stdout.count("Usage: qed memory") == 1, "the help is printed once"
