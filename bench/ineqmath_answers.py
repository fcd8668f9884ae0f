"""How well the symbolic engine alone (no model) answers IneqMath problems, and how it fails.

Runs `verifiers.engine.solve_problem` on the IneqMath training sample (each problem in a child
process killed at a hard time limit) and prints, for bound and relation problems separately and
together: parsed, answered, correct, wrong, abstained, certified, median seconds per problem;
then every wrong answer with its evidence, and the abstention reasons by frequency.
Correctness is judged by verifiers.final_answer.

    .venv/bin/python bench/ineqmath_answers.py                 # all 200, 25 s per problem
    .venv/bin/python bench/ineqmath_answers.py --type bound --limit 20
    .venv/bin/python bench/ineqmath_answers.py --ids 13,640 --json runs/ineqmath_answers.json
    .venv/bin/python bench/ineqmath_answers.py --rescore runs/ineqmath_answers.json   # tables again, errata re-checked
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from qed.problems.record import Problem
from qed.verifiers.engine import EngineAnswer, solve_problem
from qed.verifiers.final_answer import is_correct

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "ineqmath" / "train_sample_200.json"
if not DEFAULT_DATA.exists():  # a worktree under /work/wt: the shared folder is one level further up
    DEFAULT_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "ineqmath" / "train_sample_200.json"


def load(path: Path, kind: str | None, ids: set[str] | None, limit: int | None) -> list[dict]:
    items = json.loads(path.read_text())
    items = [x for x in items if (kind is None or x["type"] == kind) and (ids is None or str(x["data_id"]) in ids)]
    return items[:limit] if limit else items


def run_one(item: dict, seconds: float, model=None) -> dict:
    problem = Problem(id=str(item["data_id"]), statement=item["problem"], kind=item["type"], answer=item["answer"], choices=item.get("choices"))
    t0 = time.monotonic()
    try:
        ans = solve_problem(problem, model=model, seconds=seconds)
    except Exception as exc:  # noqa: BLE001 - the bench records an escaped exception as a bug
        ans = EngineAnswer.abstain(f"EXCEPTION ESCAPED: {type(exc).__name__}: {exc}", item["type"])
    elapsed = time.monotonic() - t0
    correct = is_correct(item["type"], ans.formatted, item["answer"]) if ans.answered else None
    return {
        "id": str(item["data_id"]),
        "type": item["type"],
        "gold": item["answer"],
        "status": ans.status,
        "answer": ans.answer,
        "formatted": ans.formatted,
        "certified": ans.certified,
        "correct": correct,
        "parsed": "formal" in ans.evidence or ans.evidence.get("formalized_by") is not None,
        "formalized_by": ans.evidence.get("formalized_by"),
        "reason": ans.reason,
        "summary": ans.evidence.get("summary"),
        "seconds": round(elapsed, 2),
        "evidence": ans.evidence,
    }


def table(rows: list[dict]) -> list[str]:
    lines = [f"{'':9} {'n':>4} {'parsed':>7} {'answered':>9} {'correct':>8} {'wrong':>6} {'c-wrong':>7} {'abstained':>10} {'certified':>10} {'median s':>9}"]
    for label, group in (("bound", [r for r in rows if r["type"] == "bound"]), ("relation", [r for r in rows if r["type"] == "relation"]), ("all", rows)):
        if not group:
            continue
        n = len(group)
        answered = [r for r in group if r["status"] == "answered"]
        correct = sum(1 for r in answered if r["correct"])
        wrong = len(answered) - correct
        cwrong = sum(1 for r in answered if not r["correct"] and r["certified"])
        med = statistics.median(r["seconds"] for r in group)
        lines.append(
            f"{label:9} {n:>4} {sum(r['parsed'] for r in group):>7} {len(answered):>9} "
            f"{correct:>5} {100 * correct / n:>2.0f}% {wrong:>3} {100 * wrong / n:>1.0f}% {cwrong:>7} {n - len(answered):>10} "
            f"{sum(r['certified'] for r in answered):>10} {med:>9.1f}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="IneqMath JSON file (default: the shared training sample)")
    ap.add_argument("--type", choices=("bound", "relation"), help="only this kind of problem")
    ap.add_argument("--ids", help="comma-separated data_id values")
    ap.add_argument("--limit", type=int, help="at most this many problems")
    ap.add_argument("--seconds", type=float, default=25.0, help="engine budget per problem (hard limit: +10 s)")
    ap.add_argument("--jobs", type=int, default=1, choices=(1, 2), help="problems run at once (the machine has 2 cores)")
    ap.add_argument("--json", type=Path, help="write every result with its evidence to this file")
    ap.add_argument("--errata", type=Path, default=ERRATA, help="reference errata to re-check and apply in a second table")
    ap.add_argument("--rescore", type=Path, help="re-score the results a previous --json run wrote (tables and errata, no engine run)")
    ap.add_argument("--model", help="formalizer model for statements the parser cannot read (a spec such as local:qwen2.5-coder-1.5b)")
    args = ap.parse_args(argv)
    if not args.data.exists():
        print(f"data not found: {args.data} (the shared IneqMath sample is expected at ../shared/data)", file=sys.stderr)
        return 2
    if args.rescore:
        return rescore(args)
    items = load(args.data, args.type, set(args.ids.split(",")) if args.ids else None, args.limit)
    if not items:
        print("no problems selected", file=sys.stderr)
        return 2
    model = None
    if args.model:
        from qed.models.base import ModelError, ModelSpecError
        from qed.models.registry import resolve

        try:
            model = resolve(args.model)
        except (ModelError, ModelSpecError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    rows: list[dict] = []
    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for row in pool.map(lambda item: run_one(item, args.seconds, model), items):
            rows.append(row)
            mark = "-" if row["status"] != "answered" else ("ok" if row["correct"] else "WRONG")
            print(f"[{len(rows):>3}/{len(items)}] {row['id']:>4} {row['type']:8} {mark:5} {row['answer'] or '':14.14} {row['seconds']:5.1f}s  {(row['reason'] or row['summary'] or '')[:90]}", file=sys.stderr, flush=True)
    print(f"\nsymbolic engine on {args.data.name}: {len(rows)} problems, {time.monotonic() - t0:.0f} s wall, {args.seconds:g} s budget each")
    if model is not None:
        by_model = [r for r in rows if r["formalized_by"] == "model"]
        print(f"formalizer model {args.model}: {len(by_model)} statements formalized by the model, "
              f"{sum(1 for r in by_model if r['correct'])} of them answered correctly")
    report(rows, args)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=1, default=str))
        print(f"\nresults with evidence: {args.json}")
    return 0


def rescore(args: argparse.Namespace) -> int:
    """The tables of a finished run from its --json file, against the references (and errata) now."""
    if not args.rescore.exists():
        print(f"results not found: {args.rescore}", file=sys.stderr)
        return 2
    try:
        rows = json.loads(args.rescore.read_text())
        statements = {str(x["data_id"]): x for x in json.loads(args.data.read_text())}
        for r in rows:
            item = statements[r["id"]]
            r["gold"] = item["answer"]
            r["correct"] = is_correct(r["type"], r["formatted"], item["answer"]) if r["status"] == "answered" else None
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        print(f"not a results file of this bench: {args.rescore} ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 2
    print(f"re-scored {args.rescore} ({len(rows)} problems) against {args.data.name}")
    report(rows, args)
    return 0


def report(rows: list[dict], args: argparse.Namespace) -> None:
    """Tables (raw, then with the re-checked errata), the re-check count, wrong answers, abstentions."""
    print("\n".join(table(rows)))
    statements = {str(x["data_id"]): x for x in json.loads(args.data.read_text())}
    errata = load_errata(args.errata, statements) if args.errata and args.errata.exists() else {}
    if errata:
        adjusted = []
        for r in rows:
            e = errata.get(r["id"])
            if e and e["verified"]:
                r = {**r, "gold": e["answer"], "correct": is_correct(r["type"], r["formatted"], e["answer"]) if r["status"] == "answered" else None}
            adjusted.append(r)
        shown = ", ".join(f"{i} ({'re-checked' if e['verified'] else 'NOT confirmed, ignored'})" for i, e in sorted(errata.items()))
        print(f"\nwith the reference errata applied ({args.errata.name}: {shown}):")
        print("\n".join(table(adjusted)))
    certified = [r for r in rows if r["certified"]]
    unchecked = [r["id"] for r in certified if not rechecked(r["evidence"])]
    print(f"\ncertified answers whose evidence names a confirmed independent re-check: "
          f"{len(certified) - len(unchecked)} of {len(certified)}" + (f" (not: {', '.join(unchecked)})" if unchecked else ""))
    wrong = [r for r in rows if r["status"] == "answered" and not r["correct"]]
    print(f"\nwrong answers ({len(wrong)}):")
    for r in wrong:
        print(f"  {r['id']:>4} {r['type']:8} ours={r['formatted']!r} gold={r['gold']!r} certified={r['certified']}")
        print(f"       {r['summary']}")
    reasons = Counter(_reason_kind(r["reason"]) for r in rows if r["status"] != "answered")
    print("\nabstentions by reason:")
    for reason, count in reasons.most_common():
        print(f"  {count:>3}  {reason}")


ERRATA = Path(__file__).resolve().parent / "ineqmath_answer_errata.toml"


def load_errata(path: Path, statements: dict[str, dict]) -> dict[str, dict]:
    """The errata whose evidence holds up when re-checked now, by id (see the errata file)."""
    import re
    import tomllib

    import sympy as sp
    from qed.verifiers.engine.recheck import check_reading, exact_value
    from qed.verifiers.engine.reread import reread

    out = {}
    for e in tomllib.loads(path.read_text()).get("erratum", []):
        item = statements.get(e["id"])
        if item is None or item["answer"] != e["reference"]:
            continue
        if e["kind"] == "counterexample":
            point = {k: exact_value(v, "an erratum point") for k, v in e["point"].items()}
            rr = reread(item["problem"], "relation", point)
            expect = {"(B) $\\geq$": "negative", "(A) $\\leq$": "positive", "(E) $>$": "nonpositive", "(D) $<$": "nonnegative"}.get(e["reference"])
            check = check_reading(rr, point, "counterexample to the reference", expect=expect) if expect else None
            e["verified"] = check is not None and check.verdict == "confirmed"
            e["evidence"] = [] if check is None else [check.describe()]
            if e["answer"].startswith("(F)"):  # "none of the above" also needs a point of the other sign
                other = {k: exact_value(v, "an erratum point") for k, v in e.get("other_point", {}).items()}
                flip = {"negative": "positive", "positive": "negative"}.get(expect or "")
                check = check_reading(reread(item["problem"], "relation", other), other, "point of the other sign",
                                      expect=flip) if other and flip else None
                e["verified"] = e["verified"] and check is not None and check.verdict == "confirmed"
                e["evidence"].append(None if check is None else check.describe())
        elif e["kind"] == "better_constant":
            value = exact_value(e["constant"], "an erratum constant")
            reference = exact_value(e["reference_value"], "an erratum reference value")
            valid, e["evidence"] = _valid_constant(item, value)
            asked = e["evidence"].pop("asked", None)
            better = (value > reference) if asked == "largest" else (value < reference) if asked == "smallest" else False
            same = is_correct("bound", f"$$C = {sp.latex(reference)}$$", item["answer"])
            e["evidence"]["better_than_the_reference"] = bool(better and same)
            e["verified"] = bool(valid and better and same)
        elif e["kind"] == "sum_of_squares":
            value = exact_value(e["constant"], "an erratum constant")
            reference = exact_value(e["reference_value"], "an erratum reference value")
            valid, e["evidence"] = _squares_identity(item, value, e.get("squares", []), e.get("weights", []))
            asked = e["evidence"].pop("asked", None)
            better = (value > reference) if asked == "largest" else (value < reference) if asked == "smallest" else False
            same = is_correct("bound", f"$$C = {sp.latex(reference)}$$", item["answer"])
            e["evidence"]["better_than_the_reference"] = bool(better and same)
            e["verified"] = bool(valid and better and same)
        elif e["kind"] == "not_a_constant":
            # the reference depends on names the statement quantifies or sums over, not on its parameters
            valid, e["evidence"] = _valid_constant(item, exact_value(e["constant"], "an erratum constant"))
            fixed = set(e["evidence"].pop("parameters", []))
            free = [n for n in e["names"] if re.search(rf"(?<![A-Za-z\\]){n}(?![A-Za-z])", item["answer"]) and n not in fixed]
            e["evidence"]["reference_depends_on"] = free
            e["verified"] = bool(valid and free == e["names"])
        else:
            e["verified"] = False
        out[e["id"]] = e
    return out


def _valid_constant(item: dict, value) -> tuple[bool, dict]:
    """z3/cvc5 prove the statement's inequality at C = value on its formal record."""
    import sympy as sp
    from qed.verifiers.formalize import formalize
    from qed.verifiers.smt.certify import certify_nonnegative

    outcome = formalize(Problem(id=str(item["data_id"]), statement=item["problem"], kind="bound"))
    fp = outcome.formal
    if fp is None or fp.relation_with_constant is None:
        return False, {"reason": outcome.reason}
    rel = fp.relation_with_constant
    h = rel.lhs - rel.rhs if isinstance(rel, (sp.Ge, sp.Gt)) else rel.rhs - rel.lhs
    strict = isinstance(rel, (sp.Gt, sp.Lt))
    cert = certify_nonnegative(h.subs(fp.constant, value), fp, strict=strict, timeout=30)
    return cert.verdict == "proved", {**cert.describe(), "asked": fp.extra.get("asked"),
                                      "parameters": [str(p) for p in fp.parameters], "instance": {str(k): v for k, v in fp.parameter_values.items()}}


def _squares_identity(item: dict, value, squares: list, weights: list) -> tuple[bool, dict]:
    """The statement's lhs - rhs at C = value (rhs - lhs for an upper bound) is identically the sum of
    weights[i] * squares[i]**2, with positive rational weights and polynomial squares: then it is >= 0
    at every real point, so on any domain. Checked by exact expansion (no solver, no numerics)."""
    import sympy as sp
    from qed.verifiers.formalize import formalize
    from qed.verifiers.safe_expr import ExpressionError, parse_expression, parse_number

    outcome = formalize(Problem(id=str(item["data_id"]), statement=item["problem"], kind="bound"))
    fp = outcome.formal
    if fp is None or fp.relation_with_constant is None:
        return False, {"reason": outcome.reason}
    rel = fp.relation_with_constant
    asked = fp.extra.get("asked")
    if isinstance(rel, (sp.Gt, sp.Lt)) or not isinstance(rel, (sp.Ge, sp.Le)):
        return False, {"reason": "a sum of squares shows >= 0, not a strict inequality", "asked": asked}
    if not squares or len(squares) != len(weights):
        return False, {"reason": "one positive weight is needed for each square", "asked": asked}
    names = {str(v): v for v in fp.variables}
    try:
        qs = [parse_expression(q, names, "an erratum square") for q in squares]
        ws = [parse_number(w, "an erratum weight") for w in weights]
    except ExpressionError as exc:
        return False, {"reason": str(exc), "asked": asked}
    if not all(w.is_Rational and w > 0 for w in ws) or not all(q.is_polynomial(*fp.variables) for q in qs):
        return False, {"reason": "the weights must be positive rationals and the squares polynomials", "asked": asked}
    h = rel.lhs - rel.rhs if isinstance(rel, sp.Ge) else rel.rhs - rel.lhs
    rest = sp.expand(h.subs(fp.constant, value) - sum(w * q**2 for w, q in zip(ws, qs, strict=True)))
    return rest == 0, {"identity": f"{h.subs(fp.constant, value)} = sum of {len(qs)} weighted squares",
                       "remainder": str(rest)[:200], "asked": asked}


def rechecked(evidence: dict) -> bool:
    """The evidence names the independent re-check, and every re-check in it confirmed its point."""
    checks = evidence.get("recheck") or []
    return bool(checks) and all(c.get("check", "").startswith("independent re-check") and c.get("verdict") == "confirmed" for c in checks)


def _reason_kind(reason: str | None) -> str:
    """The reason with its numbers and expressions cut, so that like abstentions group together."""
    text = (reason or "").split(":")[0] if (reason or "").startswith("could not formalize") else (reason or "")
    for cut in (" (", "; ", " about ", " above "):
        text = text.split(cut)[0]
    return text[:100]


if __name__ == "__main__":
    sys.exit(main())
