"""IMO-Bench CSV files: IMO-ProofBench (proofs to write and grade) and IMO-AnswerBench (short answers).

Both have `Problem ID` and `Problem` columns. A file with `Solution` or `Grading guidelines` is
ProofBench: kind proof, the reference solution kept, the grading guidelines and short answer kept
in metadata for the judges. A file with `Short Answer` and neither of those is AnswerBench: kind
open, the short answer is the answer.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from qed.problems.errors import ProblemLoadError
from qed.problems.loaders.common import build, clean, unique_ids
from qed.problems.loaders.reading import raw_lines
from qed.problems.record import Problem

REQUIRED = ("Problem ID", "Problem")
PROOF_COLUMNS = ("Solution", "Grading guidelines")
ANSWER_COLUMN = "Short Answer"
# Descriptive columns kept in metadata under snake_case names.
_DESCRIPTIVE = {
    "Category": "category",
    "Subcategory": "subcategory",
    "Level": "level",
    "Source": "origin",
}


def iter_csv(path: Path) -> Iterator[Problem]:
    """The file's problems, one record at a time."""
    records = _records(path)
    first = next(records, None)
    if first is None or not any(cell.strip() for cell in first[1]):
        raise ProblemLoadError(path, "CSV has no header row")
    header = [h.strip() for h in first[1]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ProblemLoadError(
            path,
            f"CSV lacks column(s) {', '.join(repr(c) for c in missing)} "
            f"(found: {', '.join(repr(h) for h in header) or 'none'})",
        )
    is_proof = any(c in header for c in PROOF_COLUMNS)
    if not is_proof and ANSWER_COLUMN not in header:
        raise ProblemLoadError(
            path,
            "CSV has 'Problem ID' and 'Problem' but neither 'Solution'/'Grading guidelines' "
            "(IMO-ProofBench) nor 'Short Answer' (IMO-AnswerBench)",
        )
    return _problems(path, header, is_proof, records)


def _problems(path: Path, header: list[str], is_proof: bool, records) -> Iterator[Problem]:  # noqa: ANN001
    def located() -> Iterator[tuple[str, Problem]]:
        any_row = False
        for line_no, row, lines in records:
            if not any(cell.strip() for cell in row):
                continue
            any_row = True
            where = f"record at line {line_no}"
            repaired = False
            if len(row) != len(header):
                fixed = _repair_missing_quote(lines, len(header))
                if fixed is None:
                    raise ProblemLoadError(
                        path, f"{where}: {len(row)} cells where the header has {len(header)}"
                    )
                row, repaired = fixed, True
            cells = dict(zip(header, row, strict=True))
            pid = clean(cells["Problem ID"])
            if pid is None:
                raise ProblemLoadError(path, f"{where}: empty 'Problem ID'")
            problem = _problem(path, where, pid, cells, is_proof)
            if repaired:
                problem.metadata["csv_repair"] = (
                    "a quoted cell lacked its closing quote at a line break"
                )
            yield where, problem
        if not any_row:
            raise ProblemLoadError(path, "CSV has a header but no problem rows")

    return unique_ids(path, located())


def _records(path: Path) -> Iterator[tuple[int, list[str], list[str]]]:
    """Each CSV record with the line it starts on and its raw lines (for repair), as it is read."""
    held: list[str] = []

    def lines() -> Iterator[str]:
        for line in raw_lines(path):
            held.append(line)
            yield line

    reader = csv.reader(lines())
    consumed = 0
    try:
        for row in reader:
            yield consumed + 1, row, list(held)
            consumed = reader.line_num
            held.clear()
    except csv.Error as exc:
        raise ProblemLoadError(path, f"malformed CSV at line {reader.line_num}: {exc}") from None


def _repair_missing_quote(lines: list[str], width: int) -> list[str] | None:
    """Read a record whose multi-line quoted cell lost its closing quote before a `,` line start.

    Such a record swallows the next cell into the quoted one and comes out one cell short. The
    repair puts the quote back at each line that opens with a comma and keeps the one reading that
    yields exactly `width` cells; None if there is not exactly one.
    """
    readings = []
    for i in range(1, len(lines)):
        if lines[i].startswith(","):
            candidate = "".join(lines[:i]) + '"' + "".join(lines[i:])
            try:
                rows = list(csv.reader(io.StringIO(candidate, newline="")))
            except csv.Error:
                continue
            if len(rows) == 1 and len(rows[0]) == width:
                readings.append(rows[0])
    return readings[0] if len(readings) == 1 else None


def _problem(path: Path, where: str, pid: str, cells: dict[str, str], is_proof: bool) -> Problem:
    metadata = {
        key: clean(cells[col]) for col, key in _DESCRIPTIVE.items() if clean(cells.get(col))
    }
    statement = cells["Problem"].strip()
    if is_proof:
        for key, col in (
            ("grading_guidelines", "Grading guidelines"),
            ("short_answer", ANSWER_COLUMN),
        ):
            if clean(cells.get(col)):
                metadata[key] = clean(cells[col])
        return build(
            path,
            where,
            id=pid,
            statement=statement,
            kind="proof",
            solution=clean(cells.get("Solution")),
            source="imo-proofbench",
            metadata=metadata,
        )
    return build(
        path,
        where,
        id=pid,
        statement=statement,
        kind="open",
        answer=clean(cells[ANSWER_COLUMN]),
        source="imo-answerbench",
        metadata=metadata,
    )
