"""QED's own format: JSON Lines, one Problem record (`Problem.to_dict()`) per line.

Blank lines are skipped. One bad line fails the whole file with its line number: a file that is
malformed is a load error, not a batch of problems with a hole in it. A JSON array of Problem
records is read the same way (`from_records`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qed.problems.errors import ProblemLoadError
from qed.problems.loaders.common import check_unique_ids
from qed.problems.record import Problem


def from_jsonl(path: Path, text: str) -> list[Problem]:
    located = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"line {line_no}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ProblemLoadError(
                path, f"{where}: not JSON ({exc.msg} at column {exc.colno})"
            ) from None
        located.append((where, _problem(path, where, record)))
    check_unique_ids(path, located)
    return [p for _, p in located]


def is_record_list(data: Any) -> bool:
    return (
        isinstance(data, list)
        and bool(data)
        and all(isinstance(item, dict) and "statement" in item for item in data)
    )


def from_records(path: Path, data: list[Any]) -> list[Problem]:
    located = [(f"record {i}", _problem(path, f"record {i}", r)) for i, r in enumerate(data, 1)]
    check_unique_ids(path, located)
    return [p for _, p in located]


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
