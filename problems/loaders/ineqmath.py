"""IneqMath JSON: a list of records with data_id, problem, type (bound | relation), answer, ...

Also reads the few-shot file, a JSON object whose values are such records and whose keys serve as
ids. Theorem annotations, data split and difficulty are kept in metadata for later use by judges
and memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qed.problems.errors import ProblemLoadError
from qed.problems.loaders.common import build, check_unique_ids, clean
from qed.problems.record import Problem

SOURCE = "ineqmath"
_REQUIRED = ("problem", "type")
_KEPT_IN_METADATA = ("theorems", "data_split", "difficulty")


def _is_record(item: Any) -> bool:
    return isinstance(item, dict) and all(k in item for k in _REQUIRED) and "statement" not in item


def matches(data: Any) -> bool:
    """True for a list of IneqMath records or an object mapping names to IneqMath records."""
    if isinstance(data, list):
        return bool(data) and all(_is_record(item) for item in data)
    if isinstance(data, dict):
        return bool(data) and all(_is_record(item) for item in data.values())
    return False


def from_json(path: Path, data: Any) -> list[Problem]:
    if isinstance(data, dict):
        entries = [(str(key), f"entry {key!r}", record) for key, record in data.items()]
    else:
        entries = [
            (
                str(record["data_id"]) if "data_id" in record else f"{path.stem}-{i}",
                f"record {i}",
                record,
            )
            for i, record in enumerate(data, start=1)
        ]
    located = [(where, _problem(path, where, pid, record)) for pid, where, record in entries]
    check_unique_ids(path, located)
    return [p for _, p in located]


def _problem(path: Path, where: str, pid: str, record: dict[str, Any]) -> Problem:
    kind = record["type"]
    if kind not in ("bound", "relation"):
        raise ProblemLoadError(path, f"{where}: type {kind!r} is neither 'bound' nor 'relation'")
    statement = record["problem"]
    if not isinstance(statement, str):
        raise ProblemLoadError(path, f"{where}: 'problem' is not text")
    choices = record.get("choices")
    if choices is not None and not (
        isinstance(choices, list) and all(isinstance(c, str) for c in choices)
    ):
        raise ProblemLoadError(path, f"{where}: 'choices' is not a list of strings")
    metadata = {k: record[k] for k in _KEPT_IN_METADATA if record.get(k) not in (None, "", {}, [])}
    return build(
        path,
        where,
        id=pid,
        statement=statement,
        kind=kind,
        answer=clean(record.get("answer")),
        choices=choices or None,
        solution=clean(record.get("solution")),
        source=SOURCE,
        metadata=metadata,
    )
