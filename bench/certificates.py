"""How often QED's answers come with a certificate that re-verifies, per kind and per method.

Two parts:
1. The IneqMath training sample: the engine answers each problem (or a previous run of
   bench/ineqmath_answers.py is reused with --answers); for every answer that is correct
   (verifiers.final_answer), the claim at the chosen relation / found constant is sent to the
   certificate search (in a forked child with a hard deadline), and the certificate it returns is
   re-checked by verifiers/certificates/check.py.
2. The project's olympiad "prove" set (problems/sets/olympiad_prove.jsonl): each statement is read
   by verifiers.certificates.statement and its stated relation is certified.

    .venv/bin/python bench/certificates.py --answers runs/engine_answers.json --jobs 2   # reuse engine answers
    .venv/bin/python bench/certificates.py --limit 20 --part ineqmath
    .venv/bin/python bench/certificates.py --part olympiad --json runs/cert_bench.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from qed.problems.load import load_problems
from qed.problems.record import Problem
from qed.verifiers.certificates.check import ReadError, check_certificate, read_expr
from qed.verifiers.certificates.claim import LETTER_RELATION, ClaimError, claim_from_formal
from qed.verifiers.certificates.search import SearchResult, find_certificate_bounded
from qed.verifiers.certificates.statement import StatementError, read_prove_statement
from qed.verifiers.final_answer import is_correct, latex_to_sympy
from qed.verifiers.formalize import formalize

REPO = Path(__file__).resolve().parents[1]
DATA = Path("/work/shared/data/ineqmath/train_sample_200.json")
for candidate in (REPO.parent / "shared" / "data" / "ineqmath" / "train_sample_200.json", REPO.parents[1] / "shared" / "data" / "ineqmath" / "train_sample_200.json"):
    if candidate.exists():
        DATA = candidate
        break
OLYMPIAD = REPO / "problems" / "sets" / "olympiad_prove.jsonl"


def _engine_rows(items: list[dict], answers: Path | None, seconds: float) -> dict[str, dict]:
    if answers is not None:
        return {r["id"]: r for r in json.loads(answers.read_text())}
    sys.path.insert(0, str(REPO / "bench"))
    from ineqmath_answers import run_one  # the engine bench's own runner

    out = {}
    for i, item in enumerate(items, 1):
        row = run_one(item, seconds)
        out[row["id"]] = row
        print(f"[engine {i:>3}/{len(items)}] {row['id']:>4} {row['status']}", file=sys.stderr, flush=True)
    return out


def _value(row: dict):
    exact = (row.get("evidence") or {}).get("extremum", {}).get("exact")
    if not exact and row.get("answer"):
        value = latex_to_sympy(row["answer"])  # the answer's own allow-listed reader
        return value if value is not None and value.is_number else None
    if not exact:
        return None
    try:
        return read_expr(str(exact).replace("**", "^"), {}, radicals=True)
    except ReadError:
        return None


def _hints(row: dict) -> dict:
    ev = row.get("evidence") or {}
    points, limits = [], []
    wit = (ev.get("extremum") or {}).get("witness")
    if wit:
        (limits if wit.get("limits") else points).append(wit if wit.get("limits") else wit.get("point", {}))
    eq = (ev.get("sign") or {}).get("equality_point")
    if eq:
        (limits if eq.get("limits") else points).append(eq if eq.get("limits") else eq.get("point", {}))
    for w in ((ev.get("sign") or {}).get("witnesses") or {}).values():
        if isinstance(w, dict) and w.get("point"):
            points.append(w["point"])
    return {"points": points, "limits": limits}


def certify_ineqmath(item: dict, row: dict, seconds: float) -> dict:
    out = {"id": str(item["data_id"]), "kind": item["type"], "correct": bool(row.get("correct")), "certified": False, "method": None, "reason": None, "seconds": 0.0}
    if not out["correct"]:
        out["reason"] = "engine answer not correct" if row.get("status") == "answered" else "engine abstained"
        return out
    problem = Problem(id=out["id"], statement=item["problem"], kind=item["type"])
    formal = formalize(problem).formal
    if formal is None:
        out["reason"] = "not formalized"
        return out
    try:
        if item["type"] == "relation":
            claim = claim_from_formal(formal, LETTER_RELATION[row["answer"]])
        else:
            value = _value(row)
            if value is None:
                out["reason"] = "no exact constant in the engine's evidence"
                return out
            claim = claim_from_formal(formal, value=value)
    except ClaimError as e:
        out["reason"] = f"claim: {e}"
        return out
    res = find_certificate_bounded(claim, _hints(row), seconds)
    return _record(out, res)


def _record(out: dict, res: SearchResult) -> dict:
    out["seconds"] = round(res.seconds, 2)
    out["attempts"] = res.attempts
    if res.found:
        verdict = check_certificate(res.certificate)  # once more, from the JSON text alone
        again = check_certificate(json.loads(json.dumps(res.certificate)))
        out["certified"] = verdict.valid and again.valid
        out["method"] = res.method
        out["certificate"] = res.certificate
    else:
        out["reason"] = res.reason
    return out


def certify_statement(problem: Problem, seconds: float) -> dict:
    out = {"id": problem.id, "kind": "proof", "certified": False, "method": None, "reason": None, "seconds": 0.0,
           "topic": problem.metadata.get("topic")}
    try:
        ps = read_prove_statement(problem.statement)
        claim = claim_from_formal(ps.formal, ps.relation)
    except (StatementError, ClaimError) as e:
        out["reason"] = f"reading: {e}"
        return out
    return _record(out, find_certificate_bounded(claim, {}, seconds))


def _category(reason: str | None) -> str:
    text = reason or ""
    if "not found" in text and "error" not in text and "rejected" not in text:
        return "every method ran and none found a certificate"
    for cut in (" (", ": no proof", "; "):
        text = text.split(cut)[0]
    return text[:90]


def report(title: str, rows: list[dict], groups: list[tuple[str, list[dict]]]) -> list[str]:
    lines = [f"\n{title}", f"{'':10} {'n':>4} {'eligible':>9} {'certified':>10} {'share':>6} {'median s':>9}"]
    for label, group in groups:
        if not group:
            continue
        eligible = [r for r in group if r.get("correct", True)]
        cert = [r for r in eligible if r["certified"]]
        share = 100 * len(cert) / len(group)
        med = statistics.median([r["seconds"] for r in eligible]) if eligible else 0.0
        lines.append(f"{label:10} {len(group):>4} {len(eligible):>9} {len(cert):>10} {share:>5.0f}% {med:>9.1f}")
    methods = Counter(r["method"] for r in rows if r["certified"])
    lines.append("certified by method: " + (", ".join(f"{m} {n}" for m, n in methods.most_common()) or "none"))
    times = defaultdict(list)
    for r in rows:
        if r["certified"]:
            times[r["method"]].append(r["seconds"])
    lines.append("median seconds by method: " + ", ".join(f"{m} {statistics.median(t):.1f}" for m, t in times.items()))
    fails = Counter(_category(r["reason"]) for r in rows if r.get("correct", True) and not r["certified"])
    lines.append("not certified, by reason:")
    lines += [f"  {n:>3}  {why}" for why, n in fails.most_common()]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=("ineqmath", "olympiad", "both"), default="both")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--answers", type=Path, help="results JSON of bench/ineqmath_answers.py --json (else the engine runs here)")
    ap.add_argument("--engine-seconds", type=float, default=25.0)
    ap.add_argument("--seconds", type=float, default=40.0, help="certificate search budget per problem (hard limit +10 s)")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--jobs", type=int, default=1, choices=(1, 2), help="searches at once (the machine has 2 cores)")
    ap.add_argument("--ids", help="comma-separated ids")
    ap.add_argument("--json", type=Path, help="write every row (with its certificate) here")
    args = ap.parse_args(argv)
    ids = set(args.ids.split(",")) if args.ids else None
    all_rows: list[dict] = []
    lines: list[str] = []
    t0 = time.monotonic()
    if args.part in ("ineqmath", "both"):
        if not args.data.exists():
            print(f"data not found: {args.data}", file=sys.stderr)
            return 2
        items = [x for x in json.loads(args.data.read_text()) if ids is None or str(x["data_id"]) in ids][: args.limit]
        engine = _engine_rows(items, args.answers, args.engine_seconds)
        rows = []
        todo = []
        for item in items:
            row = engine.get(str(item["data_id"]))
            if row is None:
                continue
            if row.get("correct") is None and row.get("status") == "answered":
                row["correct"] = is_correct(item["type"], row.get("formatted"), item["answer"])
            todo.append((item, row))
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:  # each search runs in its own forked child
            for r in pool.map(lambda pair: certify_ineqmath(pair[0], pair[1], args.seconds), todo):
                rows.append(r)
                print(f"[{len(rows):>3}/{len(todo)}] {r['id']:>4} {r['kind']:8} {'CERT' if r['certified'] else '-':5} {r['method'] or '':14} {r['seconds']:5.1f}s {(r['reason'] or '')[:100]}", file=sys.stderr, flush=True)
        all_rows += rows
        lines += report(f"IneqMath sample ({args.data.name}): correct answers with a certificate that re-verifies (share of all problems)", rows,
                        [("bound", [r for r in rows if r["kind"] == "bound"]), ("relation", [r for r in rows if r["kind"] == "relation"]), ("all", rows)])
    if args.part in ("olympiad", "both"):
        problems = [p for p in load_problems(OLYMPIAD) if ids is None or p.id in ids][: args.limit]
        rows = []
        for i, p in enumerate(problems, 1):
            r = certify_statement(p, args.seconds)
            rows.append(r)
            print(f"[{i:>3}/{len(problems)}] {r['id']} {'CERT' if r['certified'] else '-':5} {r['method'] or '':12} {r['seconds']:5.1f}s {(r['reason'] or '')[:100]}", file=sys.stderr, flush=True)
        all_rows += rows
        lines += report("Olympiad prove set (problems/sets/olympiad_prove.jsonl)", rows, [("proof", rows)])
        by_topic = defaultdict(lambda: [0, 0])
        for r in rows:
            by_topic[r["topic"]][0] += 1
            by_topic[r["topic"]][1] += r["certified"]
        lines.append("by topic: " + "; ".join(f"{t} {c}/{n}" for t, (n, c) in sorted(by_topic.items())))
    print(f"certificate benchmark: {time.monotonic() - t0:.0f} s wall, {args.seconds:g} s search budget each")
    print("\n".join(lines))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(all_rows, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
