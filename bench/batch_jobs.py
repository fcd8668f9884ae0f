"""Throughput of `qed solve --jobs N`: the symbolic solver on the starter set, 1 job against 2;
and the loop against a latency-bound fake model server on 127.0.0.1 (`--part latency`).

The fake server answers every call after a fixed delay (an OpenAI-compatible stream, one reply
per role, up to `--server-slots` calls at once), so throughput there is bound by waiting, not by
this machine's cores: N jobs should come close to N times one job, up to the server's slots.

Each setting is the real command in a subprocess with its own runs folder, timed from start to
exit (process start-up and job spawning included: that is what a user waits for). The machine's
load average is printed beside the figures: on a shared machine they mean little without it.
`cpu s` is the CPU the problems themselves used (each result's cpu_seconds: the job and the
engine, search and SMT children it ran), `busy` the share of the jobs' time spent on a problem
(the rest is start-up, and jobs idle at the end), `cpu/wall` the problems' CPU over their wall
time (below 100%: they waited for a core, a child, a lock). The settings share one runs folder,
so a later setting hands problems out longest first by the earlier runs' times, as `qed solve
--jobs` does for a user who ran the file before (`--fresh` turns that off).

    .venv/bin/python bench/batch_jobs.py                      # jobs 1 and 2, the starter set
    .venv/bin/python bench/batch_jobs.py --jobs 1 2 4 --repeat 2
    .venv/bin/python bench/batch_jobs.py --problems problems/sets/starter.jsonl --limit 6
    .venv/bin/python bench/batch_jobs.py --part latency --jobs 1 4 16 --delay 1.0 --count 32
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STARTER = REPO / "problems" / "sets" / "starter.jsonl"


# The fake server's replies, by the wording of each role's prompt (as tests/agent/loop_helpers.py).
REPLIES = [("check your own mathematical work", "VERDICT: PASS"),
           ("hostile referee", "VERDICT: ACCEPT"),
           ("", "Checking primes in order.\nThe answer is 11.")]


class FakeServer:
    """An OpenAI-compatible chat endpoint on 127.0.0.1 that answers after `delay` seconds."""

    def __init__(self, delay: float, slots: int):
        self.delay = delay
        self.slots = threading.BoundedSemaphore(slots)
        self.calls = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                text = "\n".join(m.get("content", "") for m in body.get("messages", []))
                reply = next(r for marker, r in REPLIES if marker in text)
                with server.slots:
                    time.sleep(server.delay)
                    server.calls += 1
                usage = {"prompt_tokens": len(text.split()), "completion_tokens": len(reply.split()),
                         "total_tokens": len(text.split()) + len(reply.split())}
                base = {"id": "fake", "object": "chat.completion.chunk", "created": 0, "model": "fake"}
                if body.get("stream"):
                    chunks = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": reply},
                                                    "finish_reason": None}]},
                              {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
                              {**base, "choices": [], "usage": usage}]
                    data = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
                    kind = "text/event-stream"
                else:
                    data = json.dumps({**base, "object": "chat.completion", "usage": usage, "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}]})
                    kind = "application/json"
                raw = data.encode()
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()


def latency_problems(path: Path, count: int) -> Path:
    path.write_text("".join(json.dumps({"id": f"lat{i:03d}", "kind": "open", "answer": "11",
                                        "statement": f"What is the smallest prime greater than 10? (copy {i})"}) + "\n"
                            for i in range(count)))
    return path


def run_once(problems: Path, jobs: int, limit: int | None, extra: list[str] | None = None,
             toml: str | None = None, runs: Path | None = None) -> dict:
    """One `qed solve` timed from start to exit. With `runs` (a folder kept across settings) a
    later setting finds the earlier runs' times and hands problems out longest first."""
    with tempfile.TemporaryDirectory(prefix="qed-bench-jobs-") as tmp:
        root = runs or Path(tmp) / "runs"
        env = {**os.environ, "QED_RUNS_DIR": str(root), "QED_MEMORY": str(Path(tmp) / "memory.db")}
        if toml:
            (Path(tmp) / "qed.toml").write_text(toml)
        cmd = [sys.executable, "-m", "qed.cli", "solve", str(problems.resolve()), "--no-memory",
               "--jobs", str(jobs)] + (extra or ["--solver", "symbolic"]) + (["--limit", str(limit)] if limit else [])
        before = set(root.glob("*/results.jsonl"))
        load = os.getloadavg()[0]
        start = time.perf_counter()
        proc = subprocess.run(cmd, env=env, cwd=tmp, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"qed solve --jobs {jobs} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
        [results] = list(set(root.glob("*/results.jsonl")) - before)
        records = [json.loads(line) for line in results.read_text().splitlines()]
        span = _calls_span(results.parent / "calls.sqlite")
    ids = [r["problem_id"] for r in records]
    order = next((line.split(":", 1)[1].strip() for line in proc.stdout.splitlines() if line.startswith("order:")),
                 "as in the file")
    return {"jobs": jobs, "seconds": seconds, "problems": len(records), "unique": len(set(ids)), "order": order,
            "per_problem_s": {r["problem_id"]: r.get("seconds") or 0.0 for r in records},
            "outcomes": dict(Counter(r["outcome"] for r in records)),
            "correct": sum(bool(r.get("correct")) for r in records),
            "per_minute": 60 * len(records) / seconds, "calls_span_s": span,
            # the problems' own CPU (engine, search, SMT) and wall: what the jobs computed vs waited
            "cpu_s": sum(r.get("cpu_seconds") or 0.0 for r in records),
            "problem_wall_s": sum(r.get("seconds") or 0.0 for r in records),
            "per_minute_calls": 60 * len(records) / span if span else None, "load_before": load, "load_after": os.getloadavg()[0]}


def _calls_span(path: Path) -> float | None:
    """From the first model call's start to the last one's end: the batch without process start-up."""
    if not path.exists():
        return None
    import sqlite3

    with sqlite3.connect(path) as db:
        first, last = db.execute("select min(ts), max(ts + latency_s) from calls").fetchone()
    return (last - first) if first is not None else None


def lpt_makespan(seconds: list[float], jobs: int) -> float:
    """The wall time of `jobs` jobs taking these problems longest first, each to the first free job:
    with one job's per-problem times, the best a `jobs` run can do without faster problems."""
    ends = [0.0] * jobs
    for s in sorted(seconds, reverse=True):
        ends[ends.index(min(ends))] += s
    return max(ends)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", type=Path, default=STARTER)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=1, help="runs per setting (the best is compared)")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--json", type=Path, default=None, help="also write the rows here")
    ap.add_argument("--part", choices=("symbolic", "latency"), default="symbolic")
    ap.add_argument("--delay", type=float, default=1.0, help="latency: seconds per model call")
    ap.add_argument("--server-slots", type=int, default=16, help="latency: calls the fake server serves at once")
    ap.add_argument("--count", type=int, default=32, help="latency: problems")
    ap.add_argument("--fresh", action="store_true",
                    help="each run in its own runs folder (no earlier times: problems in the file's order)")
    args = ap.parse_args(argv)
    shared = None if args.fresh else Path(tempfile.mkdtemp(prefix="qed-bench-runs-"))

    extra, toml, server = None, None, None
    if args.part == "latency":
        server = FakeServer(args.delay, args.server_slots)
        args.problems = latency_problems(Path(tempfile.mkdtemp(prefix="qed-bench-lat-")) / "latency.jsonl", args.count)
        extra = ["--model", f"openai:fake@{server.url}"]
        toml = "[loop]\nuse_engine = false\nmax_rounds = 1\nmodel_checks = false\nuse_sandbox = false\n"
        print(f"# qed solve {args.count} open problems --jobs N against a fake model server: {args.delay:g} s a call, "
              f"{args.server_slots} at once, 3 calls a problem   ({os.cpu_count()} cores)")
    else:
        print(f"# qed solve {args.problems.name} --solver symbolic --jobs N   ({os.cpu_count()} cores)")
    print(f"{'jobs':>4} {'run':>3} {'problems':>8} {'seconds':>8} {'per min':>8} {'correct':>7} "
          f"{'load 1m before/after':>21} {'cpu s':>6} {'busy':>5}  outcomes" + ("   [calls span s, per min]" if args.part == "latency" else ""))
    rows = []
    for jobs in args.jobs:
        for k in range(args.repeat):
            row = run_once(args.problems, jobs, args.limit, extra, toml, shared)
            rows.append(row)
            assert row["unique"] == row["problems"], "a result was recorded twice"
            print(f"{jobs:>4} {k + 1:>3} {row['problems']:>8} {row['seconds']:>8.1f} {row['per_minute']:>8.2f} "
                  f"{row['correct']:>7} {row['load_before']:>10.1f}/{row['load_after']:<10.1f} "
                  f"{row['cpu_s']:>6.1f} {row['problem_wall_s'] / (jobs * row['seconds']):>5.0%}  "
                  + ", ".join(f"{o} {n}" for o, n in sorted(row["outcomes"].items()))
                  + f"   [cpu/wall {row['cpu_s'] / max(row['problem_wall_s'], 1e-9):.0%}; order {row['order']}]"
                  + (f"   [{row['calls_span_s']:.1f} s, {row['per_minute_calls']:.1f}/min]" if row["calls_span_s"] else ""),
                  flush=True)
    key = "per_minute_calls" if args.part == "latency" else "per_minute"  # latency: without start-up
    best = {j: max(r[key] or 0.0 for r in rows if r["jobs"] == j) for j in args.jobs}
    base = best[args.jobs[0]]
    for j in args.jobs[1:]:
        ideal = min(j, args.server_slots) / args.jobs[0] if args.part == "latency" else j / args.jobs[0]
        print(f"throughput --jobs {j} / --jobs {args.jobs[0]}: {best[j] / base:.2f}x "
              f"({best[j] / base / ideal:.2f} of linear; best of {args.repeat})")
        if args.part == "symbolic":
            one = [r for r in rows if r["jobs"] == args.jobs[0]]
            fastest = min(one, key=lambda r: r["seconds"])
            times = list(fastest["per_problem_s"].values())
            bound = sum(times) / lpt_makespan(times, j) if times else 0.0
            print(f"  the problems' own times in that --jobs {args.jobs[0]} run allow at most {bound:.2f}x with {j} jobs "
                  f"(longest first, no start-up, no slow-down from sharing cores; longest problem "
                  f"{max(times, default=0):.1f} s of {sum(times):.1f} s)")
    print(f"load average now {os.getloadavg()[0]:.1f} (1 min), {os.cpu_count()} cores")
    if server is not None:
        server.close()
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
