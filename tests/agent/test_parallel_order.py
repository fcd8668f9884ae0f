"""With --jobs, problems that earlier runs of the same file timed are handed out longest first.

A job left alone on the one long problem at the end of a batch is most of what two jobs lose
against twice one job; the order changes when problems start, never what they are given.
"""

from __future__ import annotations

from qed.agent.config import QedConfig
from qed.agent.parallel import JobPool, longest_first
from qed.agent.parallel_worker import JobSpec
from qed.agent.runs import RunDir, earlier_seconds
from qed.problems.record import Problem

SOURCE = "/data/set.jsonl"
PROBLEMS = [Problem(id=f"p{i}", kind="open", statement=f"Question {i}?") for i in range(1, 6)]


def _run(root, name: str, seconds: dict[str, float], *, source: str = SOURCE, solver: str = "symbolic") -> RunDir:
    run = RunDir(root / name)
    run.path.mkdir(parents=True)
    run.write_config({"command": "solve", "source": source, "solver": solver})
    for pid, s in seconds.items():
        run.append_result({"problem_id": pid, "outcome": "solved", "seconds": s})
    return run


def test_the_newest_earlier_run_of_the_same_file_and_solver_gives_the_times(tmp_path):
    _run(tmp_path, "20260101T000000Z-solve-set", {"p1": 5.0, "p2": 1.0})
    _run(tmp_path, "20260102T000000Z-solve-set", {"p1": 7.0})
    _run(tmp_path, "20260103T000000Z-solve-set", {"p3": 100.0}, solver="loop")
    _run(tmp_path, "20260104T000000Z-solve-other", {"p4": 100.0}, source="/data/other.jsonl")
    (tmp_path / "20260105T000000Z-solve-broken").mkdir()
    (tmp_path / "20260105T000000Z-solve-broken" / "config.json").write_text("{not json")
    now = _run(tmp_path, "20260106T000000Z-solve-set", {"p5": 50.0})
    assert earlier_seconds(now) == {"p1": 7.0, "p2": 1.0}


def test_longest_first_starts_the_untimed_then_the_longest_and_keeps_ties_in_file_order():
    todo = list(enumerate(PROBLEMS))
    order = longest_first(todo, {"p1": 1.0, "p2": 9.0, "p4": 1.0, "p5": 3.0})
    assert [p.id for _, p in order] == ["p3", "p2", "p5", "p1", "p4"]
    assert [i for i, _ in order] == [2, 1, 4, 0, 3], "each keeps its index in the file"


def _pool(run: RunDir, jobs: int) -> JobPool:
    return JobPool(JobSpec(run_dir=str(run.path), config=QedConfig.__new__(QedConfig), solver="symbolic"), jobs)


def test_a_parallel_run_hands_out_the_problems_an_earlier_run_timed_longest_first(tmp_path):
    _run(tmp_path, "20260101T000000Z-solve-set", {"p1": 2.0, "p2": 30.0, "p3": 4.0, "p4": 1.0, "p5": 8.0})
    now = _run(tmp_path, "20260102T000000Z-solve-set", {"p4": 1.5})  # a resume: p4 is done
    pool = _pool(now, 2)
    order = [p.id for _, p in pool._schedule(iter(PROBLEMS), {"p4": {}})]
    assert order == ["p2", "p5", "p3", "p1"]
    assert pool.order == "longest first (4 of 4 timed by earlier runs of this file)"


def test_without_earlier_times_or_with_one_job_the_file_order_stays(tmp_path):
    first = _run(tmp_path, "20260101T000000Z-solve-set", {})
    pool = _pool(first, 2)
    assert [p.id for _, p in pool._schedule(iter(PROBLEMS), {})] == ["p1", "p2", "p3", "p4", "p5"]
    assert pool.order == "as in the file"
    later = _run(tmp_path, "20260102T000000Z-solve-set", {"p5": 9.0})  # an earlier run for the next one
    again = _run(tmp_path, "20260103T000000Z-solve-set", {})
    assert [p.id for _, p in _pool(again, 1)._schedule(iter(PROBLEMS), {})] == ["p1", "p2", "p3", "p4", "p5"]
    assert later.path.is_dir()
