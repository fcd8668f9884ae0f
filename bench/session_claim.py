"""How long `/claim` takes on a 3-variable inequality, the way a session runs it (goal: under 3 s).

    .venv/bin/python bench/session_claim.py [--repeat N]

Each claim runs the session's claim step end to end: the bounded child with the engine's sign
analysis, the counterexample or certificate search and the checker, then the numeric judges.
With --session each claim is a whole session step instead (Workbench.step in a scratch run
folder): the same check plus what a person waits for around it, the step written down before it
runs (fsynced), its checkpoint and its line in session.jsonl.
Prints the seconds per claim and the median; also the machine's load average, since the cores are
shared (figures measured under load are upper bounds).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

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


def _claim_alone(text: str) -> str:
    update = claim({"problem": PROBLEM, "entries": []}, None, text)  # type: ignore[arg-type]
    return update["entries"][0]["verdict"]


@contextmanager
def _session_steps() -> Iterator[Callable[[str], str]]:
    """A scratch session on PROBLEM; each call is one /claim step through the workbench."""
    from qed.agent.config import load_config
    from qed.agent.interactive.workbench import Workbench
    from qed.agent.runs import RunDir
    from qed.agent.session import RunSession
    from qed.problems.record import Problem

    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "model.json"
        model.write_text(json.dumps({"rules": [{"reply": "unused"}]}))
        cfg = load_config(None, model=f"scripted:{model}")
        cfg.loop.use_memory = False
        run = RunDir.create("session", "bench", root=Path(tmp) / "runs")
        run.write_config({"command": "session"})
        with RunSession(run, cfg.roles) as rs:
            bench = Workbench(rs, cfg)
            bench.start(Problem.from_dict(dict(PROBLEM)))
            yield lambda text: bench.step("claim", text)[0]["verdict"] or ""


@contextmanager
def _alone() -> Iterator[Callable[[str], str]]:
    yield _claim_alone


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--session", action="store_true", help="time whole session steps (checkpoint, journal)")
    args = ap.parse_args()
    times = []
    with (_session_steps() if args.session else _alone()) as run_claim:
        for _ in range(args.repeat):
            for text in CLAIMS:
                t0 = time.perf_counter()
                verdict = run_claim(text)
                dt = time.perf_counter() - t0
                times.append(dt)
                print(f"{dt:6.2f} s  {verdict:<18} {text}")
    load = os.getloadavg()
    print(("session steps: " if args.session else "") + f"median {statistics.median(times):.2f} s, max {max(times):.2f} s over {len(times)} claims "
          f"(load average {load[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
