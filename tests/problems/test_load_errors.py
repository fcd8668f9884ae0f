"""Every way a problem file can be unreadable gives one line naming the file and the fault."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from qed.problems import ProblemLoadError, load_problems

PROBLEM = {"id": "p1", "statement": "Show that $x^2 \\geq 0$ for real $x$.", "kind": "proof"}


def fails(path: Path, *phrases: str) -> ProblemLoadError:
    with pytest.raises(ProblemLoadError) as info:
        load_problems(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    for phrase in phrases:
        assert phrase in message, message
    return info.value


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def test_missing_file(tmp_path):
    fails(tmp_path / "nowhere.json", "no such file")


def test_directory_without_problem_files(tmp_path):
    write(tmp_path, "notes.py", "print('hi')")
    write(tmp_path, "README.md", "# Notes\nNot a problem.")
    fails(tmp_path, "directory holds no problem files")


def test_malformed_json_names_line_and_column(tmp_path):
    path = write(tmp_path, "bad.json", '[\n  {"data_id": "1",\n   "problem": oops}\n]')
    fails(path, "malformed JSON", "line 3, column 15")


def test_json_of_unknown_layout(tmp_path):
    fails(write(tmp_path, "odd.json", '[{"question": "1+1?"}]'), "unknown JSON layout")


def test_empty_json_list(tmp_path):
    fails(write(tmp_path, "none.json", "[]"), "no problems")


def test_unknown_format(tmp_path):
    fails(write(tmp_path, "problems.docx", "Let x be real."), "unknown format (.docx)")


def test_not_utf8(tmp_path):
    fails(write(tmp_path, "latin.txt", "Soit x r\xe9el.".encode("latin-1")), "not UTF-8")


@pytest.mark.parametrize(
    "name", ["empty.json", "empty.jsonl", "empty.csv", "empty.tex", "empty.md"]
)
def test_empty_file(tmp_path, name):
    fails(write(tmp_path, name, "  \n\n"), "empty file")


def test_csv_missing_required_columns(tmp_path):
    path = write(tmp_path, "bench.csv", "ID,Question\n1,What is 2+2?\n")
    fails(path, "lacks column(s) 'Problem ID', 'Problem'", "found: 'ID', 'Question'")


def test_csv_neither_proofbench_nor_answerbench(tmp_path):
    path = write(tmp_path, "bench.csv", "Problem ID,Problem\n1,What is 2+2?\n")
    fails(path, "neither 'Solution'/'Grading guidelines'", "nor 'Short Answer'")


def test_csv_row_with_missing_cells(tmp_path):
    path = write(tmp_path, "bench.csv", "Problem ID,Problem,Short Answer\nq1,What is 2+2?\n")
    fails(path, "record at line 2", "2 cells where the header has 3")


def test_csv_duplicate_ids(tmp_path):
    path = write(tmp_path, "bench.csv", "Problem ID,Problem,Short Answer\nq1,A?,1\nq1,B?,2\n")
    fails(path, "record at line 3", "id 'q1' is already used by record at line 2")


def test_tex_without_problem_box(tmp_path):
    path = write(tmp_path, "paper.tex", "\\begin{document}\nA theorem.\n\\end{document}\n")
    fails(path, "no \\begin{problem} box")


def test_tex_problem_box_commented_out_does_not_count(tmp_path):
    path = write(tmp_path, "paper.tex", "% \\begin{problem}{X} hidden \\end{problem}\nText.\n")
    fails(path, "no \\begin{problem} box")


def test_tex_unclosed_box(tmp_path):
    path = write(tmp_path, "fp.tex", "intro\n\\begin{problem}{P}\nProve it.\n")
    fails(path, "\\begin{problem} at line 2 is never closed")


def test_tex_solution_before_problem(tmp_path):
    text = "\\begin{solution}{S}x\\end{solution}\n\\begin{problem}{P}y\\end{problem}"
    fails(write(tmp_path, "fp.tex", text), "comes before any \\begin{problem}")


def test_jsonl_line_that_is_not_json(tmp_path):
    path = write(tmp_path, "set.jsonl", json.dumps(PROBLEM) + "\n\n{broken\n")
    fails(path, "line 3: not JSON")


def test_jsonl_line_that_is_not_a_problem_record(tmp_path):
    lines = [json.dumps(PROBLEM), json.dumps({"id": "p2", "statment": "typo"})]
    path = write(tmp_path, "set.jsonl", "\n".join(lines))
    fails(path, "line 2: not a Problem record", "statment")


def test_jsonl_line_that_is_not_an_object(tmp_path):
    fails(write(tmp_path, "set.jsonl", '["id", "statement"]\n'), "line 1", "JSON array")


def test_jsonl_bad_kind_and_empty_statement(tmp_path):
    bad_kind = {**PROBLEM, "kind": "lemma"}
    fails(write(tmp_path, "a.jsonl", json.dumps(bad_kind)), "line 1", "kind must be one of")
    empty = {**PROBLEM, "statement": "  "}
    fails(write(tmp_path, "b.jsonl", json.dumps(empty)), "line 1", "empty statement")


def test_jsonl_duplicate_ids(tmp_path):
    path = write(tmp_path, "set.jsonl", f"{json.dumps(PROBLEM)}\n{json.dumps(PROBLEM)}\n")
    fails(path, "line 2: id 'p1' is already used by line 1")


def test_ineqmath_record_with_unknown_type(tmp_path):
    record = {"data_id": 7, "problem": "Let $a>0$ ...", "type": "proof", "answer": ""}
    fails(write(tmp_path, "im.json", json.dumps([record])), "record 1", "type 'proof'")


def test_text_header_without_statement(tmp_path):
    fails(write(tmp_path, "p.md", "id: lonely\nkind: bound\n"), "has no statement after it")


def test_text_unknown_kind(tmp_path):
    fails(write(tmp_path, "p.md", "kind: riddle\n\nWhat am I?\n"), "kind 'riddle' is not one of")


def test_text_relation_answer_that_is_no_option(tmp_path):
    text = "kind: relation\nanswer: bigger\n\n$a+b \\quad () \\quad 2\\sqrt{ab}$\n"
    fails(write(tmp_path, "p.md", text), "relation answer 'bigger' is not an option letter")


def test_same_id_in_two_files_of_a_directory(tmp_path):
    write(tmp_path, "a.jsonl", json.dumps(PROBLEM))
    write(tmp_path, "b.md", "id: p1\n\nProve that $1 < 2$.\n")
    with pytest.raises(ProblemLoadError) as info:
        load_problems(tmp_path)
    assert info.value.path == str(tmp_path / "b.md")
    assert "id 'p1' is already used by a problem in a.jsonl" in str(info.value)
