"""Readable Markdown for grading results: what each judge said, step by step, and why."""

from __future__ import annotations

from typing import Any

from qed.verifiers.judges.grading import GradeResult

# what the per-step table shows; verified and conditional relations are in the JSON only
_SHOWN = ("wrong", "flaw", "issue", "confirmed issue", "approximate")
_MARK = {"pass": "✅ pass", "fail": "❌ fail", "no_verdict": "➖ no verdict", "unchecked": "·"}


def grade_markdown(results: list[GradeResult], meta: dict[str, Any]) -> str:
    lines = [f"# Grade: {meta.get('source', '')}", ""]
    lines.append(f"- judges: {', '.join(meta.get('judges', []))}")
    if meta.get("models"):
        lines.append("- models: " + ", ".join(f"{r} = {s}" for r, s in meta["models"].items()))
    else:
        lines.append("- models: none (computation-only judges)")
    counts: dict[str, int] = {}
    for r in results:
        counts[r.overall] = counts.get(r.overall, 0) + 1
    lines.append("- overall: " + ", ".join(f"{_MARK.get(k, k)} × {v}" for k, v in sorted(counts.items())))
    lines.append("")
    for r in results:
        lines += _one(r)
    return "\n".join(lines).rstrip() + "\n"


def _one(r: GradeResult) -> list[str]:
    out = [f"## {r.id} — {r.label}", "", f"**Overall: {_MARK.get(r.overall, r.overall)}**", ""]
    for reason in r.reasons:
        out.append(f"- {_clip(reason, 400)}")
    out += ["", "| judge | verdict | step | reason |", "|---|---|---|---|"]
    for name, v in r.judges.items():
        step = "" if v.step is None else str(v.step + 1)
        score = f" (score {v.score:.2f})" if v.score is not None else ""
        out.append(f"| {name} | {_MARK.get(v.verdict, v.verdict)}{score} | {step} | {_cell(v.reason)} |")
    flagged = [s for s in r.steps if any(n["status"] in _SHOWN for n in s.notes)]
    if flagged:
        out += ["", "### Steps with findings", "", "| step | verdict | judge | finding |", "|---|---|---|---|"]
        for s in flagged:
            for n in (n for n in s.notes if n["status"] in _SHOWN):
                what = n["reason"] + (f" — `{_clip(n['quote'], 120)}`" if n.get("quote") else "")
                out.append(f"| {s.index + 1} | {_MARK.get(s.verdict, s.verdict)} | {n['judge']} ({n['status']}) | {_cell(what)} |")
    out += ["", f"<details><summary>all {len(r.steps)} steps</summary>", ""]
    for s in r.steps:
        out.append(f"{s.index + 1}. {_MARK.get(s.verdict, s.verdict)} {_cell(s.excerpt)}")
    out += ["", "</details>", ""]
    return out


def _clip(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _cell(text: str) -> str:
    return _clip(text, 300).replace("|", "\\|")
