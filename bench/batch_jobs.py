"""Throughput of `qed solve --jobs N`: the symbolic solver on the starter set, 1 job against 2.

Each setting is the real command in a subprocess with its own runs folder, timed from start to
exit (process start-up and job spawning included: that is what a user waits for). The machine's
load average is printed beside the figures: on a shared machine they mean little without it.

    .venv/bin/python bench/batch_jobs.py                      # jobs 1 and 2, the starter set
    .venv/bin/python bench/batch_jobs.py --jobs 1 2 4 --repeat 2
    .venv/bin/python bench/batch_jobs.py --problems problems/sets/starter.jsonl --limit 6
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STARTER = REPO / "problems" / "sets" / "starter.jsonl"


def run_once(problems: Path, jobs: int, limit: int | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="qed-bench-jobs-") as tmp:
        env = {**os.environ, "QED_RUNS_DIR": str(Path(tmp) / "runs"), "QED_MEMORY": str(Path(tmp) / "memory.db")}
        cmd = [sys.executable, "-m", "qed.cli", "solve", str(problems), "--solver", "symbolic", "--no-memory",
               "--jobs", str(jobs)] + (["--limit", str(limit)] if limit else [])
        load = os.getloadavg()[0]
        start = time.perf_counter()
        proc = subprocess.run(cmd, env=env, cwd=tmp, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"qed solve --jobs {jobs} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
        [results] = list((Path(tmp) / "runs").glob("*/results.jsonl"))
        records = [json.loads(line) for line in results.read_text().splitlines()]
    ids = [r["problem_id"] for r in records]
    return {"jobs": jobs, "seconds": seconds, "problems": len(records), "unique": len(set(ids)),
            "outcomes": dict(Counter(r["outcome"] for r in records)),
            "correct": sum(bool(r.get("correct")) for r in records),
            "per_minute": 60 * len(records) / seconds, "load_before": load, "load_after": os.getloadavg()[0]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", type=Path, default=STARTER)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=1, help="runs per setting (the best is compared)")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--json", type=Path, default=None, help="also write the rows here")
    args = ap.parse_args(argv)

    print(f"# qed solve {args.problems.name} --solver symbolic --jobs N   ({os.cpu_count()} cores)")
    print(f"{'jobs':>4} {'run':>3} {'problems':>8} {'seconds':>8} {'per min':>8} {'correct':>7} "
          f"{'load 1m before/after':>21}  outcomes")
    rows = []
    for jobs in args.jobs:
        for k in range(args.repeat):
            row = run_once(args.problems, jobs, args.limit)
            rows.append(row)
            assert row["unique"] == row["problems"], "a result was recorded twice"
            print(f"{jobs:>4} {k + 1:>3} {row['problems']:>8} {row['seconds']:>8.1f} {row['per_minute']:>8.2f} "
                  f"{row['correct']:>7} {row['load_before']:>10.1f}/{row['load_after']:<10.1f}  "
                  + ", ".join(f"{o} {n}" for o, n in sorted(row["outcomes"].items())), flush=True)
    best = {j: max(r["per_minute"] for r in rows if r["jobs"] == j) for j in args.jobs}
    base = best[args.jobs[0]]
    for j in args.jobs[1:]:
        print(f"throughput --jobs {j} / --jobs {args.jobs[0]}: {best[j] / base:.2f}x (best of {args.repeat})")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
