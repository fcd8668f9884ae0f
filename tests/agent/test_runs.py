"""results.jsonl survives a crash mid-write: a torn last line never swallows the next record."""

from __future__ import annotations

import json

from qed.agent.runs import RunDir


def _record(pid: str, note: str = "") -> dict:
    return {"problem_id": pid, "outcome": "solved", "answer": "C = 2", "reason": note}


def _torn(run: RunDir, record: dict, keep: int) -> None:
    """What a kill in the middle of append_result leaves: the first `keep` bytes, no newline."""
    data = (json.dumps(record, ensure_ascii=False) + "\n").encode()
    with open(run.file(RunDir.RESULTS), "ab") as f:
        f.write(data[:keep])


def test_a_record_appended_after_a_torn_line_starts_on_its_own_line(tmp_path):
    run = RunDir.create("solve", "t", root=tmp_path)
    run.append_result(_record("p1"))
    _torn(run, _record("p2"), keep=25)
    run.append_result(_record("p2", "solved again after the crash"))
    assert [r["problem_id"] for r in run.results()] == ["p1", "p2"]
    assert run.results()[1]["reason"] == "solved again after the crash"
    lines = run.file(RunDir.RESULTS).read_bytes().split(b"\n")
    assert lines[-1] == b"" and json.loads(lines[-2])["problem_id"] == "p2"


def test_resume_counts_only_complete_records(tmp_path):
    run = RunDir.create("solve", "t", root=tmp_path)
    run.append_result(_record("p1", "a ≥ b"))
    record = _record("p2", "x ≥ 2 for all x ≥ 0")
    encoded = (json.dumps(record, ensure_ascii=False)).encode()
    cut = encoded.index("≥".encode()) + 1  # the tear falls inside a multi-byte character
    _torn(run, record, keep=cut)
    assert [r["problem_id"] for r in run.results()] == ["p1"]


def test_a_line_that_is_json_but_not_a_record_is_not_counted(tmp_path):
    run = RunDir.create("solve", "t", root=tmp_path)
    run.file(RunDir.RESULTS).write_text('[1, 2]\n"p9"\n{"outcome": "solved"}\n')
    run.append_result(_record("p1"))
    assert [r["problem_id"] for r in run.results()] == ["p1"]


def test_a_record_complete_but_for_its_newline_counts_once(tmp_path):
    run = RunDir.create("solve", "t", root=tmp_path)
    full = len((json.dumps(_record("p1"), ensure_ascii=False) + "\n").encode())
    _torn(run, _record("p1"), keep=full - 1)
    assert [r["problem_id"] for r in run.results()] == ["p1"]
    run.append_result(_record("p2"))
    assert [r["problem_id"] for r in run.results()] == ["p1", "p2"]
