"""Small helpers every loader shares: building a record with a located error, unique ids."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from qed.problems.errors import ProblemLoadError
from qed.problems.record import Problem


def build(path: Path | str, where: str, **fields: Any) -> Problem:
    """A Problem, or a ProblemLoadError saying which record of the file was bad and why."""
    try:
        return Problem(**fields)
    except (TypeError, ValueError) as exc:
        raise ProblemLoadError(path, f"{where}: {exc}") from None


def check_unique_ids(path: Path | str, located: Iterable[tuple[str, Problem]]) -> None:
    """Ids name results in runs and memory, so two problems of one file may not share one."""
    for _ in unique_ids(path, located):
        pass


def unique_ids(path: Path | str, located: Iterable[tuple[str, Problem]]) -> Iterator[Problem]:
    """The problems in order, as they are read; a repeated id raises when it is reached."""
    seen: dict[str, str] = {}
    for where, problem in located:
        if problem.id in seen:
            raise ProblemLoadError(
                path, f"{where}: id {problem.id!r} is already used by {seen[problem.id]}"
            )
        seen[problem.id] = where
        yield problem


def clean(value: Any) -> str | None:
    """A text cell with surrounding space removed; None for missing or blank."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None
