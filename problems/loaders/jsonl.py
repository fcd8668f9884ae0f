"""QED's own format: JSON Lines, one Problem record (`Problem.to_dict()`) per line.

Blank lines are skipped. The file is read a line at a time, so solving the first problems of a
large set does not wait for (or hold) the rest; a bad line raises, with its line number, when it
is reached. A JSON array of Problem records is read the same way (`iter_records`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from qed.problems.errors import ProblemLoadError
from qed.problems.loaders.common import unique_ids
from qed.problems.loaders.reading import numbered_lines
from qed.problems.record import Problem


def iter_jsonl(path: Path) -> Iterator[Problem]:
    """The file's problems, one line at a time."""
    return unique_ids(path, _located_lines(path, numbered_lines(path)))


def _located_lines(path: Path, lines: Iterable[tuple[int, str]]) -> Iterator[tuple[str, Problem]]:
    for line_no, line in lines:
        if not line.strip():
            continue
        where = f"line {line_no}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ProblemLoadError(
                path, f"{where}: not JSON ({exc.msg} at column {exc.colno})"
            ) from None
        yield where, _problem(path, where, record)


def is_record(item: Any) -> bool:
    return isinstance(item, dict) and "statement" in item


def iter_records(path: Path, records: Iterable[Any]) -> Iterator[Problem]:
    """Problem records of a JSON array, as they are read."""
    located = ((f"record {i}", _problem(path, f"record {i}", r)) for i, r in enumerate(records, 1))
    return unique_ids(path, located)


def _problem(path: Path, where: str, record: Any) -> Problem:
    if not isinstance(record, dict):
        raise ProblemLoadError(
            path, f"{where}: not a Problem record (a JSON {_json_type(record)}, not an object)"
        )
    if isinstance(record.get("id"), int) and not isinstance(record.get("id"), bool):
        record = {**record, "id": str(record["id"])}
    for key in ("id", "statement"):
        if key in record and not isinstance(record[key], str):
            raise ProblemLoadError(path, f"{where}: not a Problem record ('{key}' must be text)")
    try:
        return Problem.from_dict(record)
    except (TypeError, ValueError) as exc:
        raise ProblemLoadError(path, f"{where}: not a Problem record ({exc})") from None


def _json_type(value: Any) -> str:
    return {list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number"
    )
