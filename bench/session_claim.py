"""How long `/claim` takes on a 3-variable inequality, the way a session runs it (goal: under 3 s).

    .venv/bin/python bench/session_claim.py [--repeat N]

Each claim runs the session's claim step end to end: the bounded child with the engine's sign
analysis, the counterexample or certificate search and the checker, then the numeric judges.
Prints the seconds per claim and the median; also the machine's load average, since the cores are
shared (figures measured under load are upper bounds).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from qed.agent.interactive.actions import claim

PROBLEM = {"id": "bench", "statement": r"Let $a, b, c > 0$. Prove that $a^2+b^2+c^2 \ge ab+bc+ca$.",
           "kind": "proof", "answer": None, "choices": None, "solution": None, "source": "bench", "metadata": {},
           "proofs": []}
CLAIMS = [
    r"a^2+b^2+c^2 \ge ab+bc+ca",       # certified
    r"a^3+b^3+c^3 \ge 3abc",           # certified
    r"(a+b+c)(1/a+1/b+1/c) \ge 9",     # certified
    r"a^3+b^3+c^3 \ge 4abc",           # refuted
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    times = []
    for _ in range(args.repeat):
        for text in CLAIMS:
            t0 = time.perf_counter()
            update = claim({"problem": PROBLEM, "entries": []}, None, text)  # type: ignore[arg-type]
            dt = time.perf_counter() - t0
            times.append(dt)
            print(f"{dt:6.2f} s  {update['entries'][0]['verdict']:<18} {text}")
    load = os.getloadavg()
    print(f"median {statistics.median(times):.2f} s, max {max(times):.2f} s over {len(times)} claims "
          f"(load average {load[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
