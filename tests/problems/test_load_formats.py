"""Each format read from files written here: what the loader keeps, and how the format is told."""

from __future__ import annotations

import json
from pathlib import Path

from qed.problems import Problem, ProofToGrade, load_problems
from qed.problems.kinds import infer_kind
from qed.problems.loaders.text import problems_from_text

RELATION = (
    "Let $a, b$ be positive reals. Consider the following expressions:\n$$\na+b \\quad () \\quad "
    "2\\sqrt{ab}\n$$\nDetermine the correct inequality relation to fill in the blank."
)
BOUND = (
    "Let $x$ be a positive real. Find the largest constant $C$ such that the following inequality "
    "holds for all $x$:\n$$\nx+\\frac{1}{x} \\geq C\n$$"
)


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content)
    return path


def test_jsonl_round_trips_problem_records(tmp_path):
    original = [
        Problem(id="r", statement=RELATION, kind="relation", answer="(B) $\\geq$", source="me"),
        Problem(
            id="p",
            statement="Prove that $2 > 1$.",
            kind="proof",
            metadata={"year": 2025},
            proofs=[ProofToGrade(label="mine", text="Since 2 = 1 + 1 > 1.")],
        ),
    ]
    path = write(tmp_path, "set.jsonl", "".join(json.dumps(p.to_dict()) + "\n" for p in original))
    assert load_problems(path) == original


def test_json_array_of_problem_records(tmp_path):
    path = write(tmp_path, "set.json", json.dumps([{"id": 3, "statement": BOUND, "kind": "bound"}]))
    (problem,) = load_problems(path)
    assert problem.id == "3" and problem.kind == "bound"


def test_ineqmath_records_keep_answer_choices_solution_and_theorems(tmp_path):
    records = [
        {"data_id": 11, "problem": BOUND, "type": "bound", "answer": "$$C = 2$$",
         "solution": "AM-GM.", "theorems": {"Theorem 1": {"Theorem": "AM-GM"}},
         "data_split": "train", "difficulty": ""},
        {"data_id": 12, "problem": RELATION, "type": "relation", "answer": "(B) $\\geq$",
         "choices": ["(A) $\\leq$", "(B) $\\geq$"], "solution": "AM-GM."},
    ]  # fmt: skip
    bound, relation = load_problems(write(tmp_path, "ineq.json", json.dumps(records)))
    assert (bound.id, bound.kind, bound.answer, bound.solution) == (
        "11",
        "bound",
        "$$C = 2$$",
        "AM-GM.",
    )
    assert bound.metadata == {"theorems": records[0]["theorems"], "data_split": "train"}
    assert bound.source == "ineqmath" and bound.choices is None
    assert relation.kind == "relation" and relation.choices == records[1]["choices"]


def test_proofbench_csv_keeps_guidelines_and_short_answer(tmp_path):
    csv_text = (
        "Problem ID,Problem,Solution,Grading guidelines,Category,Level,Short Answer,Source\n"
        'T-1,"Show that $n^2 \\geq n$ for integers $n$,\nall of them.",'
        '"Trivial.","(Partial) 1. Case n<0","Algebra","easy","",Own\n'
    )
    (problem,) = load_problems(write(tmp_path, "proofs.csv", csv_text))
    assert problem.kind == "proof" and problem.solution == "Trivial."
    assert problem.statement.endswith("all of them.")
    assert problem.metadata == {
        "category": "Algebra",
        "level": "easy",
        "origin": "Own",
        "grading_guidelines": "(Partial) 1. Case n<0",
    }


def test_answerbench_csv_gives_open_problems_with_answers(tmp_path):
    csv_text = "Problem ID,Problem,Short Answer,Category\nq1,What is $1+1$?,$2$,Arith\n"
    (problem,) = load_problems(write(tmp_path, "answers.csv", csv_text))
    assert (problem.id, problem.kind, problem.answer) == ("q1", "open", "$2$")
    assert problem.source == "imo-answerbench" and problem.metadata == {"category": "Arith"}


def test_csv_cell_missing_its_closing_quote_is_repaired(tmp_path):
    csv_text = (
        "Problem ID,Problem,Short Answer,Category\n"
        'q1,"Find all $f$ with\n\\[ f(x) = x, \\]\n,"$f(x)=x$",Algebra\n'
        "q2,Next?,$3$,Algebra\n"
    )
    first, second = load_problems(write(tmp_path, "answers.csv", csv_text))
    assert first.statement == "Find all $f$ with\n\\[ f(x) = x, \\]"
    assert first.answer == "$f(x)=x$" and first.metadata["category"] == "Algebra"
    assert "csv_repair" in first.metadata and "csv_repair" not in second.metadata
    assert second.answer == "$3$"


def test_tex_boxes_give_statement_and_proofs_to_grade(tmp_path):
    tex = (
        "\\newtcolorbox{problem}[1]{title={#1}}\n"
        "\\begin{document}\n"
        "\\begin{problem}{Puzzle \\# 1} Prove that $2+2=4$. % an aside\n"
        "Costs 5\\% effort.\n\\end{problem}\n"
        "\\begin{solution}{Agent A$\\mathfrak{f}$}\nBy counting.\n\\end{solution}\n"
        "\\begin{solution}\nBy Peano.\n\\end{solution}\n"
        "\\end{document}\n"
    )
    (problem,) = load_problems(write(tmp_path, "FP1_A.tex", tex))
    assert problem.id == "FP1_A" and problem.kind == "proof" and problem.source == "firstproof"
    assert problem.statement == "Prove that $2+2=4$. \nCosts 5\\% effort."
    assert problem.metadata == {"title": "Puzzle # 1"}
    assert problem.proofs == [
        ProofToGrade(label="Agent A$\\mathfrak{f}$", text="By counting."),
        ProofToGrade(label="solution 2", text="By Peano."),
    ]


def test_tex_with_two_problem_boxes(tmp_path):
    tex = (
        "\\begin{problem}{One}A\\end{problem}\\begin{solution}{s1}x\\end{solution}"
        "\\begin{problem}{Two}B\\end{problem}"
    )
    one, two = load_problems(write(tmp_path, "pair.tex", tex))
    assert (one.id, one.statement, len(one.proofs)) == ("pair-1", "A", 1)
    assert (two.id, two.statement, two.proofs) == ("pair-2", "B", [])


def test_text_blocks_headers_solutions_and_defaults(tmp_path):
    text = (
        f"---\nid: amgm\nkind: relation\nanswer: (B)\n---\n{RELATION}\n## Solution\nAM-GM.\n"
        f"---\nanswer: 2\n\n{BOUND}\n"
        "---\nProve that $x^2 + 1 > x$ for all real $x$.\nSolution:\nComplete the square.\n"
    )
    relation, bound, proof = load_problems(write(tmp_path, "mine.md", text))
    assert (relation.id, relation.kind, relation.answer, relation.solution) == (
        "amgm",
        "relation",
        "(B) $\\geq$",
        "AM-GM.",
    )
    assert (bound.id, bound.kind, bound.answer) == ("mine-2", "bound", "$$C = 2$$")
    assert (proof.id, proof.kind, proof.solution) == ("mine-3", "proof", "Complete the square.")
    assert {p.source for p in (relation, bound, proof)} == {"text"}


def test_single_plain_text_problem_takes_the_file_stem(tmp_path):
    (problem,) = load_problems(write(tmp_path, "question.txt", "What is the least prime?\n"))
    assert (problem.id, problem.kind, problem.statement) == (
        "question",
        "open",
        "What is the least prime?",
    )


def test_statement_from_the_command_line():
    (problem,) = problems_from_text(BOUND, stem="prompt")
    assert problem.id == "prompt" and problem.kind == "bound"


def test_kind_guess_from_wording():
    assert infer_kind(RELATION) == "relation"
    assert infer_kind(BOUND) == "bound"
    assert infer_kind("Show that every prime p > 2 is odd.") == "proof"
    assert infer_kind("Find all integers n such that n^2 = 4.") == "open"


def test_unfamiliar_extension_is_read_when_content_is_clear(tmp_path):
    jsonl_text = json.dumps({"id": "a", "statement": BOUND}) + "\n"
    assert load_problems(write(tmp_path, "set.ndjson", jsonl_text))[0].id == "a"
    tex = "\\begin{problem}{P}Prove it.\\end{problem}"
    assert load_problems(write(tmp_path, "box.latex", tex))[0].statement == "Prove it."


def test_directory_loads_supported_files_sorted_skipping_readme(tmp_path):
    write(tmp_path, "b.md", "Prove that $1<2$.")
    write(tmp_path, "a.jsonl", json.dumps({"id": "first", "statement": BOUND}))
    write(tmp_path, "README.md", "This folder holds problems.")
    write(tmp_path, ".hidden.md", "Prove that $0<1$.")
    write(tmp_path, "notes.py", "x = 1")
    assert [p.id for p in load_problems(tmp_path)] == ["first", "b"]
    assert [p.id for p in load_problems(str(tmp_path))] == ["first", "b"]
