"""The loaders on the real data sets in ../shared/data (skipped where a file is absent)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from qed.problems import load_problems
from qed.problems.kinds import infer_kind
from qed.problems.record import RELATION_CHOICES

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
INEQMATH = DATA / "ineqmath" / "train_sample_200.json"
FEW_SHOT = DATA / "ineqmath" / "few_shot_examples.json"
PROOFBENCH = DATA / "imobench" / "proofbench_v2.csv"
ANSWERBENCH = DATA / "imobench" / "answerbench_v2.csv"
FIRSTPROOF = DATA / "firstproof" / "aletheia"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent (shared data sets live in ../shared/data)")
    return path


def test_ineqmath_sample_has_100_bound_and_100_relation_problems():
    problems = load_problems(need(INEQMATH))
    raw = json.loads(INEQMATH.read_text())
    assert len(problems) == 200
    assert Counter(p.kind for p in problems) == {"bound": 100, "relation": 100}
    assert [p.id for p in problems] == [str(r["data_id"]) for r in raw]
    assert all(p.source == "ineqmath" and p.answer and p.solution for p in problems)
    for p in problems:
        if p.kind == "relation":
            assert p.answer in RELATION_CHOICES and p.choices == list(RELATION_CHOICES)
        else:
            assert p.answer.startswith("$$C =") and p.choices is None
    assert sum("theorems" in p.metadata for p in problems) >= 100


def test_ineqmath_few_shot_object_is_keyed_by_name():
    problems = load_problems(need(FEW_SHOT))
    raw = json.loads(FEW_SHOT.read_text())
    assert [p.id for p in problems] == list(raw)
    assert {p.kind for p in problems} == {"bound", "relation"}


def test_kind_guess_agrees_with_ineqmath_types():
    for p in load_problems(need(INEQMATH)):
        assert infer_kind(p.statement) == p.kind, p.id


def test_proofbench_gives_60_proofs_with_guidelines_kept():
    problems = load_problems(need(PROOFBENCH))
    assert len(problems) == 60
    assert {p.kind for p in problems} == {"proof"}
    assert all(p.solution and p.metadata.get("grading_guidelines") for p in problems)
    assert sum("short_answer" in p.metadata for p in problems) > 0
    assert all(p.id.startswith("PB-") and p.source == "imo-proofbench" for p in problems)


def test_answerbench_gives_400_open_problems_with_answers():
    problems = load_problems(need(ANSWERBENCH))
    assert len(problems) == 400
    assert len({p.id for p in problems}) == 400
    assert {p.kind for p in problems} == {"open"}
    assert all(p.answer and p.source == "imo-answerbench" for p in problems)
    # The file has one record whose quoted statement lost its closing quote; it is repaired,
    # so its answer is its own cell rather than the tail of the statement.
    repaired = [p for p in problems if "csv_repair" in p.metadata]
    for p in repaired:
        assert p.answer not in p.statement and p.metadata.get("category")


def test_every_firstproof_file_gives_one_problem_with_proofs():
    files = sorted(need(FIRSTPROOF).glob("*.tex"))
    assert files
    for file in files:
        problems = load_problems(file)
        assert len(problems) == 1, file.name
        (problem,) = problems
        assert problem.id == file.stem and problem.kind == "proof"
        assert "\\begin{solution}" not in problem.statement and len(problem.statement) > 100
        assert len(problem.proofs) >= 1
        assert all(proof.label and len(proof.text) > 200 for proof in problem.proofs)
        assert problem.metadata["title"].endswith(problem.id.split("_")[0].removeprefix("FP"))


def test_a_data_directory_loads_every_file_in_it():
    folder = need(DATA / "imobench")
    assert Counter(p.source for p in load_problems(folder)) == {
        "imo-answerbench": 400,
        "imo-proofbench": 60,
    }
    assert len(load_problems(need(FIRSTPROOF))) == len(list(FIRSTPROOF.glob("*.tex")))
