"""Turn a path into problems: detect the file's format from its extension and content.

| file | read as |
|---|---|
| `.json` list (or name → record object) of IneqMath records (`problem`, `type`, `data_id`) | IneqMath |
| `.json` Problem record (`id`, `statement`, ...) or a list of them | Problem records |
| `.jsonl` | Problem records, one per line |
| `.csv` with `Problem ID`, `Problem` and `Solution` / `Grading guidelines` | IMO-ProofBench |
| `.csv` with `Problem ID`, `Problem` and `Short Answer` | IMO-AnswerBench |
| `.tex` with `\\begin{problem}` | FirstProof layout |
| `.md`, `.markdown`, `.txt` | text (see `problems.loaders.text`) |

A file with another extension is read when its content is unmistakable (JSON, JSON Lines, a
LaTeX problem box). A directory gives every supported file in it, sorted by name, skipping
hidden files and READMEs. Whatever cannot be read raises ProblemLoadError naming the file and
what is wrong.

Problems are streamed: `iter_problems` reads a file as it hands problems out (JSON arrays
element by element, JSON Lines, text and CSV record by record; a LaTeX document is read whole),
so the first problem of a set of a hundred thousand costs what one problem costs, and `select`
stops reading once `--limit` or `--ids` is satisfied. A fault is raised when the reading reaches
it. `load_problems` is the list of all of them.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from qed.problems.errors import ProblemLoadError
from qed.problems.loaders import firstproof, imobench, ineqmath, jsonl, text
from qed.problems.loaders.json_stream import open_stream
from qed.problems.loaders.reading import check_readable, numbered_lines, read_text
from qed.problems.record import Problem

TEXT_SUFFIXES = (".md", ".markdown", ".txt")
SUPPORTED_SUFFIXES = (".json", ".jsonl", ".csv", ".tex", *TEXT_SUFFIXES)


def load_problems(path: str | Path) -> list[Problem]:
    """Every problem in a file, or in the supported files of a directory."""
    return list(iter_problems(path))


def iter_problems(path: str | Path) -> Iterator[Problem]:
    """The problems of a file or directory, read as they are handed out."""
    path = Path(path).expanduser()
    if path.is_dir():
        return _iter_directory(path)
    return iter_file(path)


def select(problems: Iterable[Problem], ids: Iterable[str] | None = None,
           limit: int | None = None) -> Iterator[Problem]:
    """The problems with the given ids (in file order), at most `limit` of them; reading stops as
    soon as nothing more can be selected."""
    wanted = set(ids) if ids else None
    taken = 0
    if limit is not None and limit <= 0:
        return
    for problem in problems:
        if wanted is not None:
            if problem.id not in wanted:
                continue
            wanted.discard(problem.id)
        yield problem
        taken += 1
        if (limit is not None and taken >= limit) or wanted == set():
            return


def count_selected(path: str | Path, ids: list[str] | None = None,
                   limit: int | None = None) -> tuple[int, list[str]]:
    """(how many problems `select` gives, the wanted ids not found): one streaming pass that
    keeps no problem, so a run can show its total and fail on a bad file before it starts."""
    found: set[str] = set()
    n = 0
    for problem in select(iter_problems(path), ids, limit):
        n += 1
        found.add(problem.id)
    missing = [i for i in ids or () if i not in found]
    return n, missing


def iter_file(path: Path) -> Iterator[Problem]:
    check_readable(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        problems = _iter_json(path)
    elif suffix == ".jsonl":
        problems = jsonl.iter_jsonl(path)
    elif suffix == ".csv":
        problems = imobench.iter_csv(path)
    elif suffix == ".tex":
        problems = iter(firstproof.from_tex(path, read_text(path)))
    elif suffix in TEXT_SUFFIXES:
        problems = text.iter_text(path)
    else:
        problems = _sniff(path)
    return _not_empty(path, problems)


def _not_empty(path: Path, problems: Iterator[Problem]) -> Iterator[Problem]:
    first = next(problems, None)
    if first is None:
        raise ProblemLoadError(path, "no problems in this file")
    yield first
    yield from problems


def _iter_directory(path: Path) -> Iterator[Problem]:
    files = sorted(
        p
        for p in path.iterdir()
        if p.is_file()
        and p.suffix.lower() in SUPPORTED_SUFFIXES
        and not p.name.startswith(".")
        and not p.stem.upper().startswith("README")
    )
    if not files:
        raise ProblemLoadError(
            path, f"directory holds no problem files ({', '.join(SUPPORTED_SUFFIXES)})"
        )
    owner: dict[str, Path] = {}
    for file in files:
        for problem in iter_file(file):
            if problem.id in owner:
                raise ProblemLoadError(
                    file,
                    f"id {problem.id!r} is already used by a problem in {owner[problem.id].name}",
                )
            owner[problem.id] = file
            yield problem


_UNKNOWN_LAYOUT = ("unknown JSON layout: expected IneqMath records (data_id, problem, type) "
                   "or Problem records (id, statement)")


def _iter_json(path: Path) -> Iterator[Problem]:
    """A JSON file, element by element: the first element decides the layout."""
    stream, f = open_stream(path)
    with f:
        top = stream.start()
        if top == "array":
            items = stream.items()
            first = next(items, None)
            if first is None:
                raise ProblemLoadError(path, "no problems in this file (empty JSON)")
            records = itertools.chain([first], items)
            if ineqmath.is_record(first):
                yield from ineqmath.iter_list(path, records)
            elif jsonl.is_record(first):
                yield from jsonl.iter_records(path, records)
            else:
                raise ProblemLoadError(path, _UNKNOWN_LAYOUT)
        elif top == "object":
            pairs = stream.pairs()
            first_pair = next(pairs, None)
            if first_pair is None:
                raise ProblemLoadError(path, "no problems in this file (empty JSON)")
            if ineqmath.is_record(first_pair[1]):
                yield from ineqmath.iter_mapping(path, itertools.chain([first_pair], pairs))
                return
            record = dict(itertools.chain([first_pair], pairs))  # one Problem record, read whole
            if not jsonl.is_record(record):
                raise ProblemLoadError(path, _UNKNOWN_LAYOUT)
            yield from jsonl.iter_records(path, [record])
        else:
            stream.value()  # a malformed document is reported as such
            raise ProblemLoadError(path, _UNKNOWN_LAYOUT)


def _sniff(path: Path) -> Iterator[Problem]:
    """Read a file with an unfamiliar extension only when its content leaves no doubt."""
    lines = ((n, line) for n, line in numbered_lines(path) if line.strip())
    first = next(lines, None)
    start = first[1].lstrip()[:1] if first else ""
    if start in ("[", "{"):
        second = next(lines, None)
        if start == "{" and second is not None and _is_object(first[1]):
            return jsonl.iter_jsonl(path)  # an object on each line: JSON Lines
        return _iter_json(path)
    content = read_text(path)
    if firstproof.matches(content):
        return iter(firstproof.from_tex(path, content))
    shown = path.suffix or "no extension"
    raise ProblemLoadError(
        path, f"unknown format ({shown}); QED reads {', '.join(SUPPORTED_SUFFIXES)}"
    )


def _is_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False
