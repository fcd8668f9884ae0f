"""How much of IneqMath the formalizer reads: parse rate, failure reasons, what a model adds.

    python bench/formalize_rate.py                      # the deterministic parser alone
    python bench/formalize_rate.py --labels             # also: do records agree with the labels?
    python bench/formalize_rate.py --model local:qwen2.5-coder-1.5b --max-tokens 400

The label check is a measurement, never an input to the parser: for a relation problem it asks
whether lhs - rhs has the labelled sign at sampled feasible points; for a bound problem whether
the labelled constant is on the right side of every sampled target value. Records can pass it and
still be wrong, and a wrong label (some are) makes a right record fail it.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qed.problems.load import load_problems  # noqa: E402
from qed.problems.record import Problem  # noqa: E402
from qed.verifiers.formal import FormalProblem  # noqa: E402
from qed.verifiers.formalize import formalize  # noqa: E402
from qed.verifiers.formalize.from_model import formalize_with_model  # noqa: E402
from qed.verifiers.formalize.sanity import sample_feasible, values_at  # noqa: E402
from qed.verifiers.latex import ANSWER, LatexError, read_formula, symbol  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "ineqmath" / "train_sample_200.json"
RELATION_SIGNS = {
    "\\leq": lambda d: d <= 1e-9,
    "\\geq": lambda d: d >= -1e-9,
    "<": lambda d: d < 1e-12,
    ">": lambda d: d > -1e-12,
    "=": lambda d: abs(d) < 1e-7,
}


def reason_group(reason: str) -> str:
    """A failure reason without its specifics, so alike failures count together."""
    reason = re.sub(r"\$[^$]*\$", "$…$", reason)
    reason = re.sub(r"'[^']*'", "'…'", reason)
    reason = re.sub(r'"[^"]*"', '"…"', reason)
    return reason


def agrees_with_label(problem: Problem, fp: FormalProblem) -> bool | None:
    """None when the label cannot be read as a number (parametric answers, ...)."""
    points = sample_feasible(fp, count=30, seed=1)
    if problem.kind == "relation":
        m = re.search(r"\$(.*?)\$", problem.answer or "")
        sign = RELATION_SIGNS.get(m.group(1).strip() if m else "")
        if sign is None:
            return None
        diffs = [d for d in values_at(fp.lhs - fp.rhs, fp.variables, points) if d is not None]
        return bool(diffs) and all(sign(d) for d in diffs)
    if fp.target is None or not problem.answer:
        return None
    text = problem.answer.replace("$$", "").replace("$", "").split("=", 1)[-1]
    try:
        values = {symbol(str(k)): v for k, v in fp.parameter_values.items()}
        label = float(read_formula(text, ANSWER).expr.subs(values))
    except (LatexError, TypeError, ValueError):
        return None
    targets = [t for t in values_at(fp.target, fp.variables, points) if t is not None]
    slack = 1e-6 * max(1.0, abs(label))
    if fp.sense == "min":
        return bool(targets) and all(t >= label - slack for t in targets)
    return bool(targets) and all(t <= label + slack for t in targets)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="IneqMath JSON file")
    ap.add_argument("--labels", action="store_true", help="check records against the labels")
    ap.add_argument("--model", help="model spec for the fallback, e.g. local:qwen2.5-coder-1.5b")
    ap.add_argument("--max-tokens", type=int, default=400, help="per model call")
    ap.add_argument("--model-limit", type=int, default=0, help="ask the model at most N times")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per model call")
    ap.add_argument(
        "--model-sample",
        type=int,
        default=0,
        help="also ask the model on N problems the parser read, and compare the records",
    )
    args = ap.parse_args()
    if not args.data.exists():
        print(f"data set not found: {args.data} (expected ../shared/data from the repo root)")
        return 2
    problems = [p for p in load_problems(args.data) if p.kind in ("bound", "relation")]

    parsed: Counter[str] = Counter()
    totals: Counter[str] = Counter(p.kind for p in problems)
    isolated = 0
    failures: dict[str, list[str]] = defaultdict(list)
    failed: list[Problem] = []
    read: list[tuple[Problem, FormalProblem]] = []
    label_check: Counter[tuple[str, bool | None]] = Counter()
    disagree: list[str] = []
    seconds: list[float] = []
    for problem in problems:
        start = time.perf_counter()
        outcome = formalize(problem)
        seconds.append(time.perf_counter() - start)
        if not outcome.ok:
            failures[reason_group(outcome.failures.get("parser", outcome.reason or ""))].append(
                problem.id
            )
            failed.append(problem)
            continue
        parsed[problem.kind] += 1
        fp = outcome.formal
        read.append((problem, fp))
        if problem.kind == "bound" and fp.target is not None:
            isolated += 1
        if args.labels:
            verdict = agrees_with_label(problem, fp)
            label_check[(problem.kind, verdict)] += 1
            if verdict is False:
                disagree.append(problem.id)

    print(f"data: {args.data} ({len(problems)} problems)")
    print("parser:")
    for kind in ("bound", "relation"):
        print(f"  {kind:9s} parsed {parsed[kind]:4d} / {totals[kind]:d}")
    total = sum(parsed.values())
    print(f"  {'all':9s} parsed {total:4d} / {len(problems)} ({100 * total / len(problems):.1f}%)")
    print(f"  bound records with target and sense: {isolated} / {parsed['bound']}")
    print(f"  seconds per problem: median {statistics.median(seconds):.2f}, max {max(seconds):.2f}")
    if failures:
        print("failure reasons (parser):")
        for reason, ids in sorted(failures.items(), key=lambda kv: -len(kv[1])):
            print(f"  {len(ids):3d}  {reason}  [{', '.join(ids)}]")
    if args.labels:
        print("agreement with the labels at 30 sampled feasible points (a measurement only):")
        for kind in ("bound", "relation"):
            yes, no = label_check[(kind, True)], label_check[(kind, False)]
            unread = label_check[(kind, None)]
            print(f"  {kind:9s} agree {yes}, disagree {no}, label not numeric {unread}")
        if disagree:
            print(f"  disagreeing: {', '.join(disagree)}")
    if args.model:
        run_model(args, failed, totals, parsed)
        if args.model_sample:
            compare_model(args, read)
    return 0


def run_model(args, failed: list[Problem], totals: Counter, parsed: Counter) -> None:
    from qed.models.registry import resolve

    todo = failed[: args.model_limit] if args.model_limit else failed
    print(
        f"model fallback: {args.model}, {len(todo)} parser failures, max {args.max_tokens} tokens"
    )
    model = resolve(args.model)
    added: Counter[str] = Counter()
    reasons: dict[str, list[str]] = defaultdict(list)
    seconds = []
    try:
        for problem in todo:
            start = time.perf_counter()
            try:
                fp = formalize_with_model(
                    problem.statement, problem.kind, model, args.max_tokens, args.timeout
                )
                added[problem.kind] += 1
                said = (
                    f"{fp.lhs} () {fp.rhs}" if fp.kind == "relation" else f"{fp.sense} {fp.target}"
                )
                print(f"  {problem.id}: accepted: {said}", flush=True)
            except LatexError as e:
                reasons[reason_group(str(e))].append(problem.id)
                print(f"  {problem.id}: {e}", flush=True)
            except Exception as e:  # noqa: BLE001 - a backend failure is reported, not fatal
                reasons[f"{type(e).__name__}: {reason_group(str(e))}"].append(problem.id)
                print(f"  {problem.id}: {type(e).__name__}: {e}", flush=True)
            seconds.append(time.perf_counter() - start)
    finally:
        model.close()
    for kind in ("bound", "relation"):
        print(
            f"  {kind:9s} model adds {added[kind]:3d} -> {parsed[kind] + added[kind]} / {totals[kind]}"
        )
    if seconds:
        print(f"  seconds per model call: median {statistics.median(seconds):.1f}")
    for reason, ids in sorted(reasons.items(), key=lambda kv: -len(kv[1])):
        print(f"  {len(ids):3d}  {reason}  [{', '.join(ids)}]")


def same_meaning(parser_fp: FormalProblem, model_fp: FormalProblem) -> bool:
    """Do two records say the same thing at the parser's feasible points? Relations: the sign
    of lhs - rhs agrees everywhere; bounds: same sense and equal targets."""
    key = {v.name.replace("_", ""): v for v in parser_fp.variables}
    theirs = {v.name.replace("_", ""): v for v in model_fp.variables}
    if set(key) != set(theirs) or parser_fp.kind != model_fp.kind:
        return False
    points = sample_feasible(parser_fp, count=10, seed=2)
    moved = [{theirs[k]: pt[v] for k, v in key.items()} for pt in points]
    if parser_fp.kind == "relation":
        mine = values_at(parser_fp.lhs - parser_fp.rhs, parser_fp.variables, points)
        other = values_at(model_fp.lhs - model_fp.rhs, model_fp.variables, moved)
        pairs = [
            (a, b) for a, b in zip(mine, other, strict=True) if a is not None and b is not None
        ]
        return len(pairs) >= 3 and all(
            (a > 1e-9) == (b > 1e-9) and (a < -1e-9) == (b < -1e-9) for a, b in pairs
        )
    if model_fp.target is None or parser_fp.target is None or model_fp.sense != parser_fp.sense:
        return False
    mine = values_at(parser_fp.target, parser_fp.variables, points)
    other = values_at(model_fp.target, model_fp.variables, moved)
    pairs = [(a, b) for a, b in zip(mine, other, strict=True) if a is not None and b is not None]
    return len(pairs) >= 3 and all(abs(a - b) <= 1e-6 * max(1.0, abs(a)) for a, b in pairs)


def compare_model(args, read: list[tuple[Problem, FormalProblem]]) -> None:
    """The model on problems the parser read: how often is its record accepted, and right?"""
    from qed.models.registry import resolve

    plain = [(p, fp) for p, fp in read if not fp.substitution and not fp.parameters]
    step = max(1, len(plain) // args.model_sample)
    chosen = plain[::step][: args.model_sample]
    print(
        f"model on {len(chosen)} problems the parser read (every {step}th without triangles or n):"
    )
    model = resolve(args.model)
    outcomes: Counter[str] = Counter()
    try:
        for problem, parser_fp in chosen:
            try:
                model_fp = formalize_with_model(
                    problem.statement, problem.kind, model, args.max_tokens, args.timeout
                )
            except LatexError as e:
                outcomes["refused by validation"] += 1
                print(f"  {problem.id}: refused: {e}", flush=True)
                continue
            except Exception as e:  # noqa: BLE001 - a backend failure is reported, not fatal
                outcomes["backend error"] += 1
                print(f"  {problem.id}: {type(e).__name__}: {e}", flush=True)
                continue
            verdict = (
                "accepted, same meaning"
                if same_meaning(parser_fp, model_fp)
                else ("accepted, different meaning")
            )
            outcomes[verdict] += 1
            print(f"  {problem.id}: {verdict}", flush=True)
    finally:
        model.close()
    for what, count in outcomes.most_common():
        print(f"  {count:3d}  {what}")


if __name__ == "__main__":
    raise SystemExit(main())
