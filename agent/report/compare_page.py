"""`qed report RUN1 RUN2`: two runs side by side — their settings, accuracy per kind, and every
problem whose outcome, answer or correctness differs."""

from __future__ import annotations

from qed.agent.report.page import badge, document, esc, filter_select, math_text, yes_no
from qed.agent.report.rundata import ProblemView, RunData, as_dict, as_str
from qed.agent.report.stats import KindStats, by_kind

CHANGES = {
    "fixed": "wrong or unanswered in A, correct in B",
    "broken": "correct in A, not in B",
    "changed": "outcome or answer changed",
    "same": "the same",
    "only-a": "only in A",
    "only-b": "only in B",
}


def change(a: ProblemView | None, b: ProblemView | None) -> str:
    if a is None:
        return "only-b"
    if b is None:
        return "only-a"
    if a.correct is not True and b.correct is True:
        return "fixed"
    if a.correct is True and b.correct is not True:
        return "broken"
    if a.outcome != b.outcome or a.result.get("answer") != b.result.get("answer"):
        return "changed"
    return "same"


def render_compare(a: RunData, b: RunData) -> str:
    ka, kb = by_kind(a.problems), by_kind(b.problems)
    body = [
        f"<header><h1>QED runs compared</h1><p class=\"sub\">A = {esc(a.name)} · B = {esc(b.name)}</p></header>",
        _settings(a, b),
        _kinds(ka, kb, KindStats.of(a.problems), KindStats.of(b.problems)),
        _differences(a, b),
    ]
    return document(f"QED compare · {a.name} vs {b.name}", "\n".join(body))


def _settings(a: RunData, b: RunData) -> str:
    def facts(d: RunData) -> dict[str, str]:
        c = d.config
        models = as_dict(c.get("models"))
        solver = as_str(c.get("solver")) or "loop"
        s = KindStats.of(d.problems)
        return {
            "run": d.name, "source": as_str(c.get("source")) or "", "solver": solver,
            "models": ", ".join(f"{r}={m}" for r, m in models.items()) if solver != "symbolic" else "(none)",
            "problems": str(s.n), "correct": s.accuracy_text(), "certified": str(s.certified),
            "proved": str(s.proved), "tokens": f"{s.tokens:,}", "time": f"{s.seconds:,.1f} s",
        }

    fa, fb = facts(a), facts(b)
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(fa[k])}</td><td>{esc(fb[k])}</td></tr>" for k in fa)
    return f'<h3>Settings and totals</h3><table><tr><th></th><th>A</th><th>B</th></tr>{rows}</table>'


def _kinds(ka: dict[str, KindStats], kb: dict[str, KindStats], ta: KindStats, tb: KindStats) -> str:
    rows = []
    for kind in sorted(set(ka) | set(kb)) + ["all"]:
        sa = ta if kind == "all" else ka.get(kind, KindStats())
        sb = tb if kind == "all" else kb.get(kind, KindStats())
        delta = ""
        if sa.accuracy is not None and sb.accuracy is not None:
            d = (sb.accuracy - sa.accuracy) * 100
            delta = f"{d:+.1f} pt"
        rows.append(
            f"<tr><td>{esc(kind)}</td><td class=num>{sa.n}</td><td class=num>{esc(sa.accuracy_text())}</td>"
            f"<td class=num>{sb.n}</td><td class=num>{esc(sb.accuracy_text())}</td><td class=num>{esc(delta)}</td>"
            f"<td class=num>{sa.certified} → {sb.certified}</td><td class=num>{sa.proved} → {sb.proved}</td></tr>")
    return ("<h3>Accuracy per kind</h3><table class=\"kinds\"><tr><th>kind</th><th class=num>A problems</th>"
            "<th class=num>A correct</th><th class=num>B problems</th><th class=num>B correct</th>"
            "<th class=num>B − A</th><th class=num>certified A → B</th><th class=num>proved A → B</th></tr>"
            + "".join(rows) + "</table>")


def _differences(a: RunData, b: RunData) -> str:
    ia = {v.id: v for v in a.problems}
    ib = {v.id: v for v in b.problems}
    order = list(ia) + [k for k in ib if k not in ia]
    rows = []
    counts: dict[str, int] = {}
    for pid in order:
        va, vb = ia.get(pid), ib.get(pid)
        ch = change(va, vb)
        counts[ch] = counts.get(ch, 0) + 1
        kind = (va or vb).kind  # type: ignore[union-attr]
        rows.append(
            f'<tr data-problem="{esc(pid)}" data-kind="{esc(kind)}" data-change="{ch}" '
            f'data-differs="{"no" if ch == "same" else "yes"}" class="{"" if ch == "same" else "differs"}">'
            f"<td>{esc(pid)}</td><td>{esc(kind)}</td>{_side(va)}{_side(vb)}<td>{badge(ch, 'none')}</td></tr>")
    kinds = sorted({(ia.get(p) or ib[p]).kind for p in order})
    filters = (
        '<form id="filters" class="filters" hidden>'
        + filter_select("kind", "kind", [(k, k) for k in kinds])
        + filter_select("differs", "differs", [("yes", "only differences"), ("no", "only the same")])
        + filter_select("change", "change", [(k, f"{k}: {t}") for k, t in CHANGES.items() if counts.get(k)])
        + f'<span><b id="shown">{len(order)}</b> of {len(order)} shown</span></form>'
    )
    summary = ", ".join(f"{counts[k]} {k}" for k in CHANGES if counts.get(k))
    head = ("<tr><th>problem</th><th>kind</th><th>A outcome</th><th>A answer</th><th>A correct</th>"
            "<th>B outcome</th><th>B answer</th><th>B correct</th><th>change</th></tr>")
    return f"<h3>Per problem</h3><p>{esc(summary)}</p>{filters}<table id=\"problems\">{head}{''.join(rows)}</table>"


def _side(v: ProblemView | None) -> str:
    if v is None:
        return "<td colspan=3 class=none>not in this run</td>"
    return (f"<td>{badge(v.outcome)}</td><td>{math_text(v.result.get('answer'), True)}</td>"
            f"<td>{yes_no(v.correct)}</td>")
