"""`qed solve --ray local`: the same problems as Ray tasks, each result recorded once (needs Ray)."""

from __future__ import annotations

import importlib.util
import json

import pytest

from tests.cli.cli_helpers import qed, run_dirs, write_jsonl
from tests.cli.test_solve_jobs import NO_ENGINE, _model, _problems, _results

needs_ray = pytest.mark.skipif(importlib.util.find_spec("ray") is None,
                               reason="Ray is not installed (pip install 'qed-workbench[ray]')")


SLOW_MACHINE = {"RAY_raylet_start_wait_time_s": "180"}  # a loaded 2-core machine boots Ray slowly


@needs_ray
def test_ray_tasks_solve_each_problem_once_and_a_failing_one_is_its_own_error(tmp_path):
    write_jsonl(tmp_path / "p.jsonl", _problems("r1", "broken", "r3"))
    (tmp_path / "qed.toml").write_text(NO_ENGINE)
    model = _model(tmp_path, failing="broken")
    r = qed(tmp_path, "solve", "p.jsonl", "--ray", "local", "--jobs", "2", "--model", model, "--no-memory",
            "--budget", "calls=10", timeout=600, env=SLOW_MACHINE)
    assert r.returncode == 0, r.stderr
    [run] = run_dirs(tmp_path)
    results = {x["problem_id"]: x for x in _results(run)}
    assert sorted(results) == ["broken", "r1", "r3"]
    assert results["broken"]["outcome"] == "error" and "crashed on this one" in results["broken"]["error"]
    assert results["r1"]["outcome"] == results["r3"]["outcome"] == "solved"
    assert json.loads((run / "config.json").read_text())["budget"]["problem"] == {"calls": 10}

    again = qed(tmp_path, "solve", "--resume", str(run), "--ray", "local", "--model", model, timeout=600,
                env=SLOW_MACHINE)
    assert again.returncode == 0, again.stderr
    assert len(_results(run)) == 3, "a resume with nothing left to do records nothing"


def test_ray_says_how_to_install_it_when_it_is_missing(tmp_path, monkeypatch):
    import builtins

    from qed.agent import parallel_ray

    real = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray":
            raise ImportError("no ray here")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(ValueError, match=r"pip install 'qed-workbench\[ray\]'"):
        parallel_ray._ray()


@needs_ray
def test_ray_tasks_run_the_symbolic_solver_and_prove_as_one_process_does(tmp_path):
    from pathlib import Path

    starter = Path(__file__).resolve().parents[2] / "problems" / "sets" / "starter.jsonl"
    r = qed(tmp_path, "solve", str(starter), "--ids", "starter-b04,starter-r03", "--ray", "local", "--jobs", "2",
            "--solver", "symbolic", "--no-memory", timeout=600, env=SLOW_MACHINE)
    assert r.returncode == 0, r.stderr
    [run] = run_dirs(tmp_path)
    results = {x["problem_id"]: x for x in _results(run)}
    assert sorted(results) == ["starter-b04", "starter-r03"]
    for result in results.values():
        assert result["outcome"] == "solved" and result["correct"] is True, result
        assert result["proof"]["verified"] is True, result["proof"]  # the certificate search ran inside the task
    certificate = run / "problems" / "starter-b04" / "certificate.json"
    assert qed(tmp_path, "check", str(certificate)).returncode == 0
