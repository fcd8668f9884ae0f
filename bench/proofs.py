"""How often QED's answer is right AND comes with a certificate that re-verifies AND a written proof
that passes every numeric judge — IneqMath's "overall" criterion, with computation as the prover.

Two parts:
1. The IneqMath training sample: the engine answers each problem; the answer is graded against the
   known one (verifiers.final_answer); the loop's own compute step (verifiers/proofs/pipeline.py)
   finds a certificate for that answer, re-verifies it, writes the proof and runs the numeric
   judges over it. The certificate is checked once more here from its JSON text alone.
2. The project's olympiad "prove" set (problems/sets/olympiad_prove.jsonl): the same compute step
   on each statement; proved = a proof of the statement was emitted.

Every problem runs in its own forked worker (at most --jobs at once); each row is appended to
--out as it finishes, so a killed run keeps its rows and --resume continues it.

    .venv/bin/python bench/proofs.py --part olympiad
    .venv/bin/python bench/proofs.py --part ineqmath --limit 20
    .venv/bin/python bench/proofs.py --jobs 2 --out runs/proofs_bench.jsonl
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "ineqmath" / "train_sample_200.json"
for candidate in (DATA, REPO.parents[1] / "shared" / "data" / "ineqmath" / "train_sample_200.json"):
    if candidate.exists():
        DATA = candidate
        break
OLYMPIAD = REPO / "problems" / "sets" / "olympiad_prove.jsonl"


def run_item(task: tuple[str, dict, float, float]) -> dict:
    """One problem, in a worker: engine (IneqMath), compute step, independent re-check."""
    from qed.problems.record import Problem
    from qed.verifiers.certificates.check import check_certificate
    from qed.verifiers.engine import solve_problem
    from qed.verifiers.final_answer import is_correct
    from qed.verifiers.proofs.pipeline import prove_problem

    part, item, engine_seconds, cert_seconds = task
    t0 = time.monotonic()
    if part == "ineqmath":
        problem = Problem(id=str(item["data_id"]), statement=item["problem"], kind=item["type"],
                          answer=item["answer"], choices=item.get("choices"))
    else:
        problem = Problem.from_dict(item)
    row = {"part": part, "id": problem.id, "kind": problem.kind, "topic": problem.metadata.get("topic"),
           "correct": None, "certified": False, "judged": False, "status": "none", "method": None, "reason": None}
    engine = None
    try:
        if part == "ineqmath":
            ans = solve_problem(problem, seconds=engine_seconds)
            engine = ans.to_dict()
            row["correct"] = bool(ans.answered and is_correct(problem.kind, ans.formatted, item["answer"]))
            row["engine"] = ans.status
            if not ans.answered:
                row["reason"] = f"engine abstained: {ans.reason}"
        if part == "olympiad" or engine["status"] == "answered":
            proof = prove_problem(problem, engine, cert_seconds, check_lean=False)
            row["status"], row["method"], row["reason"] = proof["status"], proof["method"], proof["reason"]
            cert = proof["certificate"]
            if cert is not None and proof["verified"]:
                row["certified"] = check_certificate(json.loads(json.dumps(cert))).valid  # from the JSON text alone
            row["judged"] = bool(proof["emitted"])
            row["judges"] = proof["judges"]
    except Exception as e:  # noqa: BLE001 - a bench records a crash as a row, never stops
        row["reason"] = f"CRASH: {type(e).__name__}: {str(e)[:200]}"
    row["overall"] = bool(row["certified"] and row["judged"] and (row["correct"] if part == "ineqmath" else row["status"] == "proved"))
    row["seconds"] = round(time.monotonic() - t0, 2)
    return row


def _category(reason: str | None) -> str:
    text = reason or "—"
    for cut in (" (", "; ", ": the"):
        text = text.split(cut)[0]
    return text[:100]


def report_ineqmath(rows: list[dict]) -> list[str]:
    lines = ["", "IneqMath sample: answer correct AND certificate re-verifies AND proof passes every numeric judge",
             f"{'':10} {'n':>4} {'correct':>8} {'+cert':>6} {'overall':>8} {'share':>6} {'median s':>9}"]
    for label, group in (("bound", [r for r in rows if r["kind"] == "bound"]),
                         ("relation", [r for r in rows if r["kind"] == "relation"]), ("all", rows)):
        if not group:
            continue
        correct = [r for r in group if r["correct"]]
        cert = [r for r in correct if r["certified"]]
        overall = [r for r in group if r["overall"]]
        lines.append(f"{label:10} {len(group):>4} {len(correct):>8} {len(cert):>6} {len(overall):>8} "
                     f"{100 * len(overall) / len(group):>5.0f}% {statistics.median(r['seconds'] for r in group):>9.1f}")
    lines += _by_method(rows)
    misses = Counter(_category(r["reason"]) if r["correct"] else "answer not correct" if r["correct"] is False else "engine abstained"
                     for r in rows if not r["overall"])
    lines.append("not overall, by reason:")
    lines += [f"  {n:>3}  {why}" for why, n in misses.most_common(12)]
    return lines


def _by_method(rows: list[dict]) -> list[str]:
    by = defaultdict(list)
    for r in rows:
        if r["method"]:
            by[r["method"]].append(r)
    lines = ["per method (rows with a certificate):", f"  {'method':16} {'n':>4} {'overall':>8} {'median s':>9}"]
    for m, group in sorted(by.items(), key=lambda kv: -len(kv[1])):
        lines.append(f"  {m:16} {len(group):>4} {sum(r['overall'] for r in group):>8} "
                     f"{statistics.median(r['seconds'] for r in group):>9.1f}")
    return lines


def report_olympiad(rows: list[dict]) -> list[str]:
    proved = [r for r in rows if r["overall"]]
    refuted = [r for r in rows if r["status"] == "refuted" and r["judged"]]
    lines = ["", "Olympiad prove set (problems/sets/olympiad_prove.jsonl): proved with a certificate and a judged proof",
             f"proved {len(proved)} of {len(rows)} ({100 * len(proved) / max(1, len(rows)):.0f}%); refuted {len(refuted)}; "
             f"median {statistics.median(r['seconds'] for r in rows) if rows else 0:.1f} s"]
    lines += _by_method(rows)
    topics = defaultdict(lambda: [0, 0])
    for r in rows:
        topics[r["topic"]][0] += 1
        topics[r["topic"]][1] += r["overall"]
    lines.append("by topic: " + "; ".join(f"{t} {c}/{n}" for t, (n, c) in sorted(topics.items(), key=lambda kv: str(kv[0]))))
    for r in rows:
        if not r["overall"]:
            lines.append(f"  not proved: {r['id']}: {_category(r['reason'])}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=("ineqmath", "olympiad", "both"), default="both")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--engine-seconds", type=float, default=25.0)
    ap.add_argument("--seconds", type=float, default=30.0, help="certificate search budget per problem")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--ids", help="comma-separated ids")
    ap.add_argument("--jobs", type=int, default=1, choices=(1, 2), help="problems at once (the machine has 2 cores)")
    ap.add_argument("--out", type=Path, help="append each row here (JSON lines)")
    ap.add_argument("--resume", action="store_true", help="skip the rows --out already holds")
    ap.add_argument("--report", action="store_true", help="only print the report of the rows --out holds")
    ap.add_argument("--shuffle", type=int, metavar="SEED", help="run the problems in a seeded random order "
                    "(a run stopped early is then a random subset, not the first ids)")
    args = ap.parse_args(argv)
    if args.report:
        if not args.out or not args.out.exists():
            print("--report needs an existing --out file", file=sys.stderr)
            return 2
        rows = [json.loads(line) for line in args.out.read_text().splitlines() if line.strip()]
        print("\n".join(report(rows, f"report of {args.out} ({len(rows)} rows)")))
        return 0
    ids = set(args.ids.split(",")) if args.ids else None
    tasks: list[tuple[str, dict, float, float]] = []
    if args.part in ("ineqmath", "both"):
        if not args.data.exists():
            print(f"data not found: {args.data}", file=sys.stderr)
            return 2
        items = [x for x in json.loads(args.data.read_text()) if ids is None or str(x["data_id"]) in ids][: args.limit]
        tasks += [("ineqmath", x, args.engine_seconds, args.seconds) for x in items]
    if args.part in ("olympiad", "both"):
        items = [json.loads(line) for line in OLYMPIAD.read_text().splitlines() if line.strip()]
        tasks += [("olympiad", x, args.engine_seconds, args.seconds) for x in items if ids is None or x["id"] in ids][: args.limit]
    if args.shuffle is not None:
        random.Random(args.shuffle).shuffle(tasks)
    rows: list[dict] = []
    if args.out and args.resume and args.out.exists():
        rows = [json.loads(line) for line in args.out.read_text().splitlines() if line.strip()]
        done = {(r["part"], r["id"]) for r in rows}
        tasks = [t for t in tasks if (t[0], str(t[1].get("data_id", t[1].get("id")))) not in done]
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    # non-daemonic workers: the engine and the judges fork children of their own
    with ProcessPoolExecutor(args.jobs, mp_context=mp.get_context("fork")) as pool:
        futures = [pool.submit(run_item, t) for t in tasks]
        for i, fut in enumerate(as_completed(futures), 1):
            r = fut.result()
            rows.append(r)
            if args.out:
                with args.out.open("a") as f:
                    f.write(json.dumps(r, default=str) + "\n")
            print(f"[{i:>3}/{len(tasks)}] {r['part'][:4]} {r['id']:>8} {r['kind']:8} {'OK' if r['overall'] else '-':3} "
                  f"{r['method'] or '':14} {r['seconds']:5.1f}s {(r['reason'] or '')[:90]}", file=sys.stderr, flush=True)
    print("\n".join(report(rows, f"proof benchmark: {time.monotonic() - t0:.0f} s wall, --jobs {args.jobs}, "
                                  f"engine {args.engine_seconds:g} s, certificate {args.seconds:g} s per problem")))
    return 0


def report(rows: list[dict], title: str) -> list[str]:
    lines = [title]
    ineq = [r for r in rows if r["part"] == "ineqmath"]
    olym = [r for r in rows if r["part"] == "olympiad"]
    if ineq:
        lines += report_ineqmath(ineq)
    if olym:
        lines += report_olympiad(olym)
    return lines


if __name__ == "__main__":
    sys.exit(main())
