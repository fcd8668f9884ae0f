"""Problem files are streamed: a fault late in a large file does not stop the first problems from
being read, `select` stops reading once it has what it needs, and faults still name their record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import qed.problems.loaders.json_stream as json_stream
from qed.problems import ProblemLoadError, count_selected, iter_problems, load_problems, select

N = 20_000


def statement(i: int) -> str:
    return f"Let $a, b > 0$. Show that $a^{{{i % 7 + 2}}} + b^{{{i % 7 + 2}}} \\geq 2 (ab)^{{{(i % 7 + 2) / 2}}}$."


def jsonl_file(tmp_path: Path) -> tuple[Path, str]:
    lines = [json.dumps({"id": f"p{i}", "statement": statement(i), "kind": "proof"}) for i in range(N)]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(lines) + "\n{broken\n")
    return path, f"line {N + 1}: not JSON"


def ineqmath_file(tmp_path: Path) -> tuple[Path, str]:
    records = [{"data_id": i, "problem": statement(i), "type": "bound", "answer": "$$C = 2$$"} for i in range(N)]
    path = tmp_path / "set.json"
    path.write_text(json.dumps(records, indent=1)[:-2] + ',\n {"data_id": 99, "problem": oops}\n]')
    return path, "malformed JSON: Expecting value at line"


def markdown_file(tmp_path: Path) -> tuple[Path, str]:
    blocks = [f"id: p{i}\nkind: proof\n\n{statement(i)}\n" for i in range(N)]
    path = tmp_path / "set.md"
    path.write_text("---\n".join(blocks) + "---\nkind: riddle\n\nWhat am I?\n")
    return path, "kind 'riddle' is not one of"


def csv_file(tmp_path: Path) -> tuple[Path, str]:
    rows = [f"q{i},\"{statement(i)}\",2" for i in range(N)]
    path = tmp_path / "set.csv"
    path.write_text("Problem ID,Problem,Short Answer\n" + "\n".join(rows) + "\nq-last,only two cells\n")
    return path, f"record at line {N + 2}: 2 cells where the header has 3"


FILES = [jsonl_file, ineqmath_file, markdown_file, csv_file]


@pytest.mark.parametrize("make", FILES)
def test_a_bad_record_at_the_end_does_not_stop_the_first_problem(tmp_path, make):
    path, fault = make(tmp_path)
    [first] = select(iter_problems(path), limit=1)
    assert first.statement == statement(0)
    assert count_selected(path, None, 1) == (1, [])
    with pytest.raises(ProblemLoadError) as info:
        load_problems(path)
    assert str(info.value).startswith(f"{path}: ") and fault in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("make", FILES)
def test_ids_stop_the_reading_once_found(tmp_path, make):
    path, _ = make(tmp_path)
    wanted = [p.id for p in select(iter_problems(path), limit=3)][1:]
    assert [p.id for p in select(iter_problems(path), wanted)] == wanted
    assert count_selected(path, wanted, None) == (2, [])
    with pytest.raises(ProblemLoadError):  # an id not found reads on, to the bad record
        count_selected(path, [*wanted, "absent"], None)


def test_ids_not_in_the_file_are_named(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text(json.dumps({"id": "p0", "statement": "Prove it.", "kind": "proof"}) + "\n")
    assert count_selected(path, ["p0", "absent"], None) == (1, ["absent"])


def test_ids_then_limit_keep_file_order():
    problems = [_problem(f"p{i}") for i in range(6)]
    assert [p.id for p in select(iter(problems), ["p4", "p1", "p5"], 2)] == ["p1", "p4"]


def _problem(pid: str):
    from qed.problems import Problem

    return Problem(id=pid, statement="Prove it.", kind="proof")


def test_json_elements_across_chunk_boundaries_read_as_json_load_does(tmp_path, monkeypatch):
    monkeypatch.setattr(json_stream, "CHUNK", 7)  # every element, number and character split somewhere
    records = [{"id": f"é{i}", "statement": f"Prove \"{i}\" ≥ {i * 1234567}.", "kind": "proof",
                "metadata": {"n": i * 10**12, "x": [1.5, None, True]}} for i in range(40)]
    path = tmp_path / "set.json"
    path.write_text(json.dumps(records, ensure_ascii=False, indent=2), encoding="utf-8")
    assert [p.to_dict() for p in load_problems(path)] == [p.to_dict() for p in load_problems_via_json(path)]


def load_problems_via_json(path: Path):
    from qed.problems.record import Problem

    return [Problem.from_dict(r) for r in json.loads(path.read_text(encoding="utf-8"))]


def test_a_malformed_element_after_many_chunks_is_placed_like_json_load_places_it(tmp_path, monkeypatch):
    monkeypatch.setattr(json_stream, "CHUNK", 5)
    good = ",\n".join(json.dumps({"data_id": i, "problem": "Let $a > 0$.", "type": "bound"}) for i in range(30))
    text = "[\n" + good + ',\n  {"data_id": 30,\n   "problem": oops}\n]'
    path = tmp_path / "set.json"
    path.write_text(text)
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(ProblemLoadError) as info:
        load_problems(path)
    assert f"line {expected.value.lineno}, column {expected.value.colno}" in str(info.value)


def test_the_few_shot_mapping_and_a_single_record_still_read(tmp_path):
    mapping = {"ex1": {"problem": "Let $a > 0$.", "type": "bound", "answer": "$$C = 1$$"}}
    (tmp_path / "shots.json").write_text(json.dumps(mapping))
    assert [p.id for p in load_problems(tmp_path / "shots.json")] == ["ex1"]
    (tmp_path / "one.json").write_text(json.dumps({"id": "solo", "statement": "Prove it.", "kind": "proof"}))
    assert [p.id for p in load_problems(tmp_path / "one.json")] == ["solo"]


def test_a_bad_utf8_byte_late_in_a_file_is_reported_with_its_offset(tmp_path):
    good = json.dumps({"id": "p0", "statement": "Prove it.", "kind": "proof"}) + "\n"
    path = tmp_path / "set.jsonl"
    path.write_bytes(good.encode() + b'{"id": "p1", "statement": "caf\xe9"}\n')
    assert next(iter_problems(path)).id == "p0"
    with pytest.raises(ProblemLoadError) as info:
        load_problems(path)
    assert f"not UTF-8 text (byte 0xe9 at offset {len(good) + 30})" in str(info.value)
