"""Readable Markdown for grading results: what each judge said and how much it checked, step by step."""

from __future__ import annotations

from typing import Any

from qed.verifiers.judges.grading import GradeResult
from qed.verifiers.judges.judge import Judge
from qed.verifiers.judges.registry import judges
from qed.verifiers.judges.verdict import JudgeVerdict

# what the table of findings shows; verified and conditional relations are in the step table and the JSON
_SHOWN = ("wrong", "flaw", "issue", "confirmed issue", "approximate")
MARK = {"pass": "✅ pass", "fail": "❌ fail", "not_checked": "➖ not checked", "no_verdict": "➖ no verdict",
        "unchecked": "· not checked"}
NOT_APPLICABLE = "· does not apply"


def verdict_label(v: JudgeVerdict) -> str:
    """A judge's verdict as the report shows it: a judge that does not apply says so."""
    return NOT_APPLICABLE if not v.applicable else MARK.get(v.verdict, v.verdict)


def coverage_label(v: JudgeVerdict) -> str:
    """`4 of 51 relations read, 0 checked (0 %)`; a dash for a judge that does not apply."""
    c = v.coverage
    if not v.applicable or c is None:
        return "—"
    share = f" ({100 * c.share:.0f} %)" if c.share is not None else ""
    return c.text() + share


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
    lines.append("- overall: " + ", ".join(f"{MARK.get(k, k)} × {v}" for k, v in sorted(counts.items())))
    absent = not_run(meta.get("judges", []))
    if absent:
        lines.append("- not run here (what they look for was not checked): "
                     + "; ".join(f"{j.name} ({j.summary})" for j in absent))
    lines += ["", "A pass needs positive evidence: every judge that applies checked something and none found a "
              "flaw. Coverage is what each judge checked, of what it could read, of what it looks for.", ""]
    for r in results:
        lines += _one(r, absent)
    return "\n".join(lines).rstrip() + "\n"


def not_run(names: list[str]) -> list[Judge]:
    """The registered judges a grade did not run: a pass says nothing about what they look for."""
    return [j for name, j in judges().items() if name not in names]


def _one(r: GradeResult, absent: list[Judge] = ()) -> list[str]:
    out = [f"## {r.id} — {r.label}", "", f"**Overall: {MARK.get(r.overall, r.overall)}**", ""]
    if r.overall == "pass" and absent:
        out += [f"A pass here means no judge run found a flaw; not checked: what {', '.join(j.name for j in absent)} "
                "look for (`qed judges list`).", ""]
    for reason in r.reasons:
        out.append(f"- {_clip(reason, 400)}")
    out += ["", "| judge | verdict | coverage | step | reason |", "|---|---|---|---|---|"]
    for name, v in r.judges.items():
        step = "" if v.step is None else str(v.step + 1)
        score = f" (score {v.score:.2f})" if v.score is not None else ""
        out.append(f"| {name} | {verdict_label(v)}{score} | {coverage_label(v)} | {step} | {_cell(v.reason)} |")
    flagged = [s for s in r.steps if any(n["status"] in _SHOWN for n in s.notes)]
    if flagged:
        out += ["", "### Steps with findings", "", "| step | verdict | judge | finding |", "|---|---|---|---|"]
        for s in flagged:
            for n in (n for n in s.notes if n["status"] in _SHOWN):
                what = n["reason"] + (f" — `{_clip(n['quote'], 120)}`" if n.get("quote") else "")
                out.append(f"| {s.index + 1} | {MARK.get(s.verdict, s.verdict)} | {n['judge']} ({n['status']}) | "
                           f"{_cell(what)} |")
    if r.steps:
        out += ["", "### Step by step: who checked what, and how", "",
                "| step | verdict | checked by (how) | not checked | text |", "|---|---|---|---|---|"]
        for s in r.steps:
            out.append(f"| {s.index + 1} | {MARK.get(s.verdict, s.verdict)} | {_cell(_tally(s.checked_by, 'how'))} | "
                       f"{_cell(_tally(s.not_checked, 'why'))} | {_cell(_clip(s.excerpt, 100))} |")
    out.append("")
    return out


def _tally(rows: list[dict[str, Any]], key: str) -> str:
    """`numeric_computation: exact (50 digits) ×2, sampled at 120 points; toy_case: model (...), window 1 of 1`."""
    parts = []
    for row in rows:
        hows = row.get(key) or {}
        shown = [f"{_clip(h, 80)} ×{n}" if n > 1 else _clip(h, 80) for h, n in list(hows.items())[:4]]
        more = f" (+{len(hows) - 4} more)" if len(hows) > 4 else ""
        parts.append(f"{row['judge']}: {', '.join(shown)}{more}" if shown else row["judge"])
    return "; ".join(parts) or "—"


def _clip(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _cell(text: str) -> str:
    return _clip(text, 300).replace("|", "\\|")
