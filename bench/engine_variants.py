"""How the symbolic engine does on problem variants it was not developed on.

Generates variants of classical inequalities (qed.problems.variants: constants, exponents,
numbers of variables, domain words, triangle kinds and equality constraints varied, answers known
by construction), runs `verifiers.engine.solve_problem` on each (a child process killed at a hard
time limit) and prints correct / wrong / certified-wrong / abstained, overall and per family,
then every wrong answer and the abstention reasons. Correctness is judged by
verifiers.final_answer. Seed 1 was used while developing the engine; report on other seeds.

    .venv/bin/python bench/engine_variants.py --seed 2 --count 120
    .venv/bin/python bench/engine_variants.py --seed 2 --families zero_is_allowed,ordered
    .venv/bin/python bench/engine_variants.py --seed 2 --write runs/variants-2.jsonl   # the problems only
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

from qed.problems.variants import FAMILIES, as_problem, generate
from qed.verifiers.engine import EngineAnswer, solve_problem
from qed.verifiers.final_answer import is_correct


def run_one(item: dict, seconds: float) -> dict:
    problem = as_problem(item)
    t0 = time.monotonic()
    try:
        ans = solve_problem(problem, seconds=seconds)
    except Exception as exc:  # noqa: BLE001 - the bench records an escaped exception as a bug
        ans = EngineAnswer.abstain(f"EXCEPTION ESCAPED: {type(exc).__name__}: {exc}", item["kind"])
    correct = is_correct(item["kind"], ans.formatted, item["answer"]) if ans.answered else None
    return {
        **item, "status": ans.status, "formatted": ans.formatted, "certified": ans.certified, "correct": correct,
        "reason": ans.reason, "summary": ans.evidence.get("summary"), "certified_because": ans.evidence.get("certified_because"),
        "recheck": [(c.get("what"), c.get("verdict")) for c in ans.evidence.get("recheck", [])],
        "rechecked": bool(ans.evidence.get("recheck")) and all(
            c.get("check", "").startswith("independent re-check") and c.get("verdict") == "confirmed"
            for c in ans.evidence.get("recheck", [])),
        "seconds": round(time.monotonic() - t0, 2),
    }


def counts(group: list[dict]) -> str:
    n = len(group)
    answered = [r for r in group if r["status"] == "answered"]
    correct = sum(1 for r in answered if r["correct"])
    wrong = len(answered) - correct
    cwrong = sum(1 for r in answered if not r["correct"] and r["certified"])
    cert = sum(1 for r in answered if r["certified"])
    return (f"{n:>4} {correct:>5} {100 * correct / n:>3.0f}% {wrong:>4} {100 * wrong / n:>3.0f}% {cwrong:>6} "
            f"{n - len(answered):>6} {100 * (n - len(answered)) / n:>3.0f}% {cert:>6} {statistics.median(r['seconds'] for r in group):>6.1f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=2, help="which variants (seed 1 was used for development)")
    ap.add_argument("--count", type=int, default=120, help="how many variants")
    ap.add_argument("--families", help="comma-separated family names (default: all)")
    ap.add_argument("--seconds", type=float, default=25.0, help="engine budget per problem (hard limit: +10 s)")
    ap.add_argument("--jobs", type=int, default=1, choices=(1, 2), help="problems run at once (the machine has 2 cores)")
    ap.add_argument("--json", type=Path, help="write every result to this file")
    ap.add_argument("--write", type=Path, help="only write the generated problems (JSONL) and stop")
    args = ap.parse_args(argv)
    families = args.families.split(",") if args.families else None
    unknown = [f for f in families or [] if f not in FAMILIES]
    if unknown:
        print(f"unknown families: {', '.join(unknown)} (known: {', '.join(sorted(FAMILIES))})", file=sys.stderr)
        return 2
    items = generate(args.seed, args.count, families)
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text("".join(json.dumps(i) + "\n" for i in items))
        print(f"{len(items)} variants written to {args.write}")
        return 0
    rows: list[dict] = []
    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for row in pool.map(lambda item: run_one(item, args.seconds), items):
            rows.append(row)
            mark = "-" if row["status"] != "answered" else ("ok" if row["correct"] else ("CERT-WRONG" if row["certified"] else "WRONG"))
            print(f"[{len(rows):>3}/{len(items)}] {row['id']} {row['family']:28.28} {mark:10} {str(row['formatted'] or ''):24.24} "
                  f"{row['seconds']:5.1f}s {(row['reason'] or row['summary'] or '')[:70]}", file=sys.stderr, flush=True)
    print(f"\nsymbolic engine on {len(rows)} variants (seed {args.seed}): {time.monotonic() - t0:.0f} s wall, {args.seconds:g} s budget each")
    header = f"{'':30} {'n':>4} {'correct':>10} {'wrong':>9} {'c-wrong':>6} {'abstained':>11} {'certif':>6} {'med s':>6}"
    print(header)
    by_family: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_family[r["family"]].append(r)
    for fam in sorted(by_family):
        print(f"{fam:30} {counts(by_family[fam])}")
    print(f"{'all':30} {counts(rows)}")
    certified = [r for r in rows if r["certified"]]
    unchecked = [r["id"] for r in certified if not r["rechecked"]]
    print(f"\ncertified answers whose evidence names a confirmed independent re-check: "
          f"{len(certified) - len(unchecked)} of {len(certified)}" + (f" (not: {', '.join(unchecked)})" if unchecked else ""))
    wrong = [r for r in rows if r["status"] == "answered" and not r["correct"]]
    print(f"\nwrong answers ({len(wrong)}):")
    for r in wrong:
        print(f"  {r['id']} {r['family']} ours={r['formatted']!r} gold={r['answer']!r} certified={r['certified']}")
        print(f"       {r['summary']} | {r['certified_because']}")
    reasons = Counter((r["reason"] or "")[:90] for r in rows if r["status"] != "answered")
    print("\nabstentions by reason:")
    for reason, count in reasons.most_common():
        print(f"  {count:>3}  {reason}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=1, default=str))
        print(f"\nresults: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
