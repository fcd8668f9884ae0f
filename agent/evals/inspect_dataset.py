"""A QED problem file as an Inspect dataset: one sample per problem, read by QED's own loaders."""

from __future__ import annotations

from pathlib import Path

from inspect_ai.dataset import MemoryDataset, Sample
from qed.problems.load import iter_problems, select
from qed.problems.record import Problem


def problem_sample(p: Problem) -> Sample:
    """The statement is the input (with the options of a relation problem); the gold answer, when
    known, is the target; the whole problem record rides along for QED's solver and scorers."""
    text = p.statement
    if p.kind == "relation" and p.choices and not all(c in text for c in p.choices):
        text += "\n\nOptions: " + " ".join(p.choices)
    return Sample(input=text, target=p.answer or "", id=p.id,
                  metadata={"kind": p.kind, "source": p.source, "problem": p.to_dict()})


def problem_dataset(path: str | Path, limit: int | None = None, ids: str | list[str] | None = None) -> MemoryDataset:
    """Problems of any format `qed solve` reads (IneqMath JSON, CSV, .tex, .md/.txt, JSONL)."""
    wanted = [i.strip() for i in ids.split(",") if i.strip()] if isinstance(ids, str) else ids
    samples = [problem_sample(p) for p in select(iter_problems(path), wanted, limit)]
    if not samples:
        raise ValueError(f"{path}: no problems selected")
    return MemoryDataset(samples, name=Path(path).stem, location=str(Path(path).resolve()))
