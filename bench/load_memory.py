"""Peak memory of reading a large problem file: `qed solve --limit 1`, and streaming every problem.

Writes a file of 100,000 problems (our own synthetic statements, each with a reference solution of
about a kilobyte) in each chosen format to a temporary folder, then runs, each in a fresh process:
  - `qed solve FILE --limit 1 --solver symbolic --no-memory` (proof problems, or in the IneqMath
    layout bound records whose statement names no constant: the engine abstains at once, so what
    is measured is reading, not solving);
  - reading all problems with `iter_problems` (streamed, one at a time);
  - `load_problems` (every problem held in a list), for comparison.
and prints each process's peak resident memory (wait4: the process and the children it waited
for) and its wall time.

    .venv/bin/python bench/load_memory.py                        # jsonl and json, 100,000 problems
    .venv/bin/python bench/load_memory.py --formats jsonl,json,md,csv --problems 20000
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FORMATS = ("jsonl", "json", "md", "csv")
_SOLUTION = ("By the AM-GM inequality applied to the {k} terms, the sum is at least {k} times their "
             "geometric mean, and the product of the terms is one by the condition. ") * 6


def statement(i: int) -> str:
    k = i % 5 + 2
    return (f"Let $x_1, \\ldots, x_{k}$ be positive real numbers with product $1$ (variant {i}). "
            f"Prove that $$x_1^{{{k}}} + \\cdots + x_{k}^{{{k}}} \\geq {k}.$$")


def write(fmt: str, n: int, folder: Path) -> Path:
    path = folder / f"problems.{fmt}"
    with path.open("w", encoding="utf-8", newline="") as f:
        if fmt == "jsonl":
            for i in range(n):
                f.write(json.dumps({"id": f"p{i}", "statement": statement(i), "kind": "proof",
                                    "solution": _SOLUTION.format(k=i % 5 + 2)}) + "\n")
        elif fmt == "json":  # IneqMath's layout: one array of records
            f.write("[\n")
            for i in range(n):
                record = {"data_id": i, "problem": statement(i), "type": "bound", "answer": "$$C = 1$$",
                          "solution": _SOLUTION.format(k=i % 5 + 2), "theorems": {}, "data_split": "synthetic"}
                f.write((",\n" if i else "") + json.dumps(record))
            f.write("\n]\n")
        elif fmt == "md":
            for i in range(n):
                f.write(("---\n" if i else "") + f"id: p{i}\nkind: proof\n\n{statement(i)}\n## Solution\n"
                        f"{_SOLUTION.format(k=i % 5 + 2)}\n")
        elif fmt == "csv":
            w = csv.writer(f)
            w.writerow(["Problem ID", "Problem", "Solution", "Grading guidelines"])
            for i in range(n):
                w.writerow([f"p{i}", statement(i), _SOLUTION.format(k=i % 5 + 2), "full marks for a proof"])
    return path


def measure(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int, str]:
    """(peak RSS in MB, seconds, exit status, last stderr line) of one process."""
    t0 = time.monotonic()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = (err.read().decode(errors="replace").strip().splitlines() or [""])[-1]
    return usage.ru_maxrss / 1024, time.monotonic() - t0, proc.returncode, tail


READ_ALL = ("import sys; from qed.problems.load import {fn}; "
            "n = {count}; print(n, file=sys.stderr)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", type=int, default=100_000, help="problems per file")
    ap.add_argument("--formats", default="jsonl,json", help=f"comma-separated, from {', '.join(FORMATS)}")
    ap.add_argument("--keep", type=Path, help="write the files here and keep them (default: a temporary folder)")
    args = ap.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        print(f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="qed-load-memory-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "QED_RUNS_DIR": str(Path(tmp) / "runs"), "QED_MEMORY": str(Path(tmp) / "memory.db")}
        print(f"{args.problems:,} problems per file; peak resident memory of each process (wait4), wall time")
        print(f"{'format':7} {'file MB':>8}  {'what':34} {'peak MB':>8} {'seconds':>8}  result")
        for fmt in formats:
            path = write(fmt, args.problems, folder)
            size = path.stat().st_size / 1e6
            runs = [
                ("qed solve --limit 1 (symbolic)",
                 [sys.executable, "-m", "qed.cli", "solve", str(path), "--limit", "1", "--solver", "symbolic",
                  "--no-memory"]),
                ("read all, streamed (iter_problems)",
                 [sys.executable, "-c", READ_ALL.format(fn="iter_problems",
                                                        count=f"sum(1 for _ in iter_problems({str(path)!r}))")]),
                ("read all into a list (load_problems)",
                 [sys.executable, "-c", READ_ALL.format(fn="load_problems",
                                                        count=f"len(load_problems({str(path)!r}))")]),
            ]
            for what, cmd in runs:
                peak, seconds, code, tail = measure(cmd, env, folder)
                result = tail if code != 0 else ("ok" if not tail.isdigit() else f"{int(tail):,} problems")
                print(f"{fmt:7} {size:8.0f}  {what:34} {peak:8.0f} {seconds:8.1f}  {result[:60]}", flush=True)
            if args.keep is None:
                path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
