"""Reference solutions to plant flaws in: IneqMath `solution` fields and IMO-ProofBench `Solution`s.

Read through problems.load, so the data stays where it is. A record holding several solutions
gives one reference per solution.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qed.problems.load import load_problems
from qed.problems.record import Problem
from qed.verifiers.judges.calibration.defaults import DEFAULT_DATA, INEQMATH, PROOFBENCH
from qed.verifiers.judges.grading import _solutions


@dataclass
class Reference:
    id: str
    source: str  # ineqmath | proofbench
    problem: Problem
    text: str


def load_references(paths: list[Path]) -> list[Reference]:
    """Every reference solution in the given files, in file order; a clear error for a missing file."""
    refs: list[Reference] = []
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(2, "No such file or directory", str(path))
        source = "proofbench" if path.suffix.lower() == ".csv" else "ineqmath"
        for problem in load_problems(path):
            if not problem.solution:
                continue
            texts = _solutions(problem.solution)
            for k, text in enumerate(texts, start=1):
                rid = f"{source}:{problem.id}" + (f"#{k}" if len(texts) > 1 else "")
                refs.append(Reference(rid, source, problem, text))
    return refs


def default_paths(data_dir: Path = DEFAULT_DATA) -> list[Path]:
    return [data_dir / INEQMATH, data_dir / PROOFBENCH]
