"""IneqMath JSON: a list of records with data_id, problem, type (bound | relation), answer, ...

Also reads the few-shot file, a JSON object whose values are such records and whose keys serve as
ids. Theorem annotations, data split and difficulty are kept in metadata for later use by judges
and memory. Records arrive one at a time from the streaming JSON reader; a record that is not an
IneqMath record raises, naming it, when it is reached.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from qed.problems.errors import ProblemLoadError
from qed.problems.loaders.common import build, clean, unique_ids
from qed.problems.record import Problem

SOURCE = "ineqmath"
_REQUIRED = ("problem", "type")
_KEPT_IN_METADATA = ("theorems", "data_split", "difficulty")


def is_record(item: Any) -> bool:
    return isinstance(item, dict) and all(k in item for k in _REQUIRED) and "statement" not in item


def iter_list(path: Path, records: Iterable[Any]) -> Iterator[Problem]:
    """The problems of a JSON array of IneqMath records, as they are read."""

    def located() -> Iterator[tuple[str, Problem]]:
        for i, record in enumerate(records, start=1):
            where = f"record {i}"
            _require(path, where, record)
            pid = str(record["data_id"]) if "data_id" in record else f"{path.stem}-{i}"
            yield where, _problem(path, where, pid, record)

    return unique_ids(path, located())


def iter_mapping(path: Path, pairs: Iterable[tuple[str, Any]]) -> Iterator[Problem]:
    """The problems of a JSON object mapping names to IneqMath records (the few-shot file)."""

    def located() -> Iterator[tuple[str, Problem]]:
        for key, record in pairs:
            where = f"entry {key!r}"
            _require(path, where, record)
            yield where, _problem(path, where, str(key), record)

    return unique_ids(path, located())


def _require(path: Path, where: str, record: Any) -> None:
    if not is_record(record):
        raise ProblemLoadError(
            path, f"{where}: not an IneqMath record (an object with 'problem' and 'type')"
        )


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
