"""`qed report RUN`: one run as a page — summary, a filterable table, and each problem in full."""

from __future__ import annotations

from collections import Counter
from typing import Any

from qed.agent.report.page import (
    badge,
    document,
    esc,
    filter_select,
    flag,
    json_details,
    markdown,
    math_text,
    yes_no,
)
from qed.agent.report.rundata import (
    Call,
    ProblemView,
    Proof,
    RunData,
    Step,
    as_dict,
    as_list,
    as_num,
    as_str,
)
from qed.agent.report.stats import KindStats, by_kind

OUTCOMES = ("solved", "refuted", "abstained", "error")
KNOWN_WRITES = ("problem", "round", "recalled", "drafts", "checks", "engine", "usage", "decision",
                "feedback", "outcome", "answer", "reason", "memory_written")


def render_run(data: RunData) -> str:
    body = [
        _header(data),
        _kind_table(by_kind(data.problems)),
        _notes(data.notes),
        _filters(data.problems),
        _problem_table(data.problems),
        *(_problem_section(v) for v in data.problems),
    ]
    return document(f"QED report · {data.name}", "\n".join(body))


def problem_anchor(v: ProblemView) -> str:
    return f"p{v.index}"


def data_attrs(v: ProblemView) -> str:
    """What the filters compare, on the problem's table row and on its section."""
    return (f'data-problem="{esc(v.id)}" data-kind="{esc(v.kind)}" data-outcome="{esc(v.outcome)}" '
            f'data-correct="{flag(v.correct)}" data-certified="{flag(v.certified)}" '
            f'data-proved="{flag(v.proved)}"')


def _header(data: RunData) -> str:
    c = data.config
    models = as_dict(c.get("models"))
    solver = as_str(c.get("solver")) or "loop"
    facts = [("command", as_str(c.get("command"))), ("source", as_str(c.get("source"))), ("solver", solver),
             ("started", as_str(c.get("started")))]
    if solver != "symbolic" and models:
        facts.append(("models", ", ".join(f"{r}={s}" for r, s in models.items())))
    s = KindStats.of(data.problems)
    total = c.get("problems") if isinstance(c.get("problems"), int) else None
    cards = [
        (f"{s.n}" + (f" / {total}" if total is not None and total != s.n else ""), "problems"),
        *((str(s.outcomes.get(o, 0)), o) for o in OUTCOMES if s.outcomes.get(o)),
        (s.accuracy_text(), "correct (known answers)"),
        (str(s.certified), "certified"),
        (str(s.proved), "proved"),
        (f"{s.tokens:,}", "tokens"),
        (f"{s.calls:,}", "model calls"),
        (f"{s.seconds:,.1f} s", "time"),
    ]
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts if v)
    return (f"<header><h1>QED run {esc(data.name)}</h1><p class=\"sub\">{esc(str(data.path))}</p>"
            f"<dl class=\"facts\">{dl}</dl><div class=\"cards\">"
            + "".join(f'<div class="card"><b>{esc(v)}</b><span>{esc(k)}</span></div>' for v, k in cards)
            + "</div></header>")


def _kind_table(stats: dict[str, KindStats]) -> str:
    rows = "".join(
        f"<tr><td>{esc(k)}</td><td class=num>{s.n}</td>"
        + "".join(f"<td class=num>{s.outcomes.get(o, 0)}</td>" for o in OUTCOMES)
        + f"<td class=num>{esc(s.accuracy_text())}</td><td class=num>{s.certified}</td><td class=num>{s.proved}</td></tr>"
        for k, s in stats.items())
    head = "".join(f"<th class=num>{o}</th>" for o in OUTCOMES)
    return (f"<h3>By kind</h3><table class=\"kinds\"><tr><th>kind</th><th class=num>problems</th>{head}"
            f"<th class=num>correct</th><th class=num>certified</th><th class=num>proved</th></tr>{rows}</table>")


def _notes(notes: list[str]) -> str:
    if not notes:
        return ""
    items = "".join(f"<li>{esc(n)}</li>" for n in notes[:50])
    more = f"<li>… and {len(notes) - 50} more</li>" if len(notes) > 50 else ""
    return f'<div class="notes"><b>Not everything could be read</b><ul>{items}{more}</ul></div>'


def _filters(views: list[ProblemView]) -> str:
    kinds = sorted({v.kind for v in views})
    outcomes = [o for o in OUTCOMES if any(v.outcome == o for v in views)]
    outcomes += sorted({v.outcome for v in views} - set(outcomes))
    yn = [("yes", "yes"), ("no", "no")]
    return (
        '<form id="filters" class="filters" hidden>'
        + filter_select("kind", "kind", [(k, k) for k in kinds])
        + filter_select("outcome", "outcome", [(o, o) for o in outcomes])
        + filter_select("correct", "correct", [*yn, ("none", "not graded")])
        + filter_select("certified", "certified", yn)
        + filter_select("proved", "proved", yn)
        + f'<span><b id="shown">{len(views)}</b> of {len(views)} shown</span></form>'
    )


def _problem_table(views: list[ProblemView]) -> str:
    head = ("<tr><th>problem</th><th>kind</th><th>outcome</th><th>answer</th><th>gold</th><th>correct</th>"
            "<th>certified</th><th>proved</th><th class=num>rounds</th><th class=num>tokens</th>"
            "<th class=num>calls</th><th class=num>seconds</th></tr>")
    rows = []
    for v in views:
        r = v.result
        rows.append(
            f"<tr {data_attrs(v)}><td><a href=\"#{problem_anchor(v)}\">{esc(v.id)}</a></td><td>{esc(v.kind)}</td>"
            f"<td>{badge(v.outcome)}</td><td>{math_text(r.get('answer'), True)}</td><td>{math_text(r.get('gold'), True)}</td>"
            f"<td>{yes_no(v.correct)}</td><td>{yes_no(v.certified if v.outcome == 'solved' else None)}</td>"
            f"<td>{yes_no(v.proof.verified if v.proof else None)}</td>"
            f"<td class=num>{int(as_num(r.get('rounds')))}</td><td class=num>{v.tokens:,}</td>"
            f"<td class=num>{int(as_num(r.get('calls')))}</td><td class=num>{as_num(r.get('seconds')):.1f}</td></tr>")
    return f'<h3>Problems</h3><table id="problems">{head}{"".join(rows)}</table>'


def _problem_section(v: ProblemView) -> str:
    r = v.result
    facts = [
        ("answer", math_text(r.get("answer"), True) or "–"),
        ("gold", math_text(r.get("gold"), True) or "–"),
        ("correct", yes_no(v.correct)),
        ("certified", yes_no(v.certified if v.outcome == "solved" else None)),
        ("proved", yes_no(v.proof.verified if v.proof else None)),
        ("reason", math_text(r.get("reason")) if r.get("reason") else ""),
        ("error", f'<span class="error">{esc(r.get("error"))}</span>' if r.get("error") else ""),
        ("source", esc(r.get("source")) if r.get("source") else ""),
        ("cost", esc(f"{int(as_num(r.get('rounds')))} round(s), {v.tokens:,} tokens, "
                     f"{int(as_num(r.get('calls')))} call(s), {as_num(r.get('seconds')):.1f} s")),
    ]
    memory = as_dict(r.get("memory"))
    if as_list(memory.get("recalled")) or as_list(memory.get("written")):
        facts.append(("memory", esc(f"recalled {len(as_list(memory.get('recalled')))}, "
                                    f"wrote {len(as_list(memory.get('written')))}")))
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{val}</dd>" for k, val in facts if val)
    statement = (f'<div class="statement">{math_text(v.statement)}</div>' if v.statement
                 else '<p class="none">The statement is not in the run folder (and its problem file is not here).</p>')
    parts = [
        f'<section class="problem" id="{problem_anchor(v)}" {data_attrs(v)}>',
        f"<h2>{esc(v.id)} {badge(v.kind, 'none')} {badge(v.outcome)}</h2>",
        statement,
        f'<dl class="facts">{dl}</dl>',
        "<h3>Trajectory</h3>",
        _steps(v.steps) if v.steps else _trajectory_from_result(r),
        _engine(as_dict(as_dict(r.get("evidence")).get("engine"))),
        _proof(v.proof),
        _calls(v.calls),
        "</section>",
    ]
    return "\n".join(p for p in parts if p)


# -- trajectory --------------------------------------------------------------------------------

def _steps(steps: list[Step]) -> str:
    items = []
    for s in steps:
        if s.node == "__start__":  # the problem handed to the loop: shown above as the statement
            continue
        w = s.writes
        bits: list[str] = []
        if "round" in w and s.node == "generate":
            bits.append(f"round {esc(w['round'])}")
        for d in as_list(w.get("drafts")):
            bits.append(_draft(as_dict(d)))
        for c in as_list(w.get("checks")):
            bits.append(_check(as_dict(c)))
        if as_list(w.get("recalled")):
            bits.append(_recalled(as_list(w["recalled"])))
        elif "recalled" in w:
            bits.append("recalled nothing")
        if isinstance(w.get("engine"), dict):
            bits.append(f"the engine: {badge(as_str(w['engine'].get('status')) or '?', 'none')} "
                        + esc(as_dict(w["engine"].get("evidence")).get("summary") or w["engine"].get("reason") or ""))
        if w.get("decision"):
            bits.append(f"decision {badge(w['decision'])}")
        if w.get("outcome"):
            bits.append(f"outcome {badge(w['outcome'])}")
        if w.get("answer"):
            bits.append(f"answer {math_text(w['answer'])}")
        if w.get("reason"):
            bits.append(f"<div>{math_text(w['reason'])}</div>")
        if w.get("feedback"):
            bits.append(f'<div>feedback for the next round:</div><div class="text">{math_text(w["feedback"])}</div>')
        if "memory_written" in w:
            bits.append(f"wrote {len(as_list(w['memory_written']))} memory item(s)")
        usage = as_dict(w.get("usage"))
        if usage.get("calls"):
            bits.append(esc(f"{int(as_num(usage.get('calls')))} call(s), "
                            f"{int(as_num(usage.get('prompt_tokens')) + as_num(usage.get('completion_tokens')))} tokens"))
        other = {k: val for k, val in w.items() if k not in KNOWN_WRITES}
        if other:
            bits.append(json_details("other writes", other))
        items.append(f'<li><span class="node">{esc(s.node)}</span> ' + " · ".join(b for b in bits if b) + "</li>")
    return f'<ol class="steps">{"".join(items)}</ol>'


def _draft(d: dict[str, Any]) -> str:
    head = (f"draft (round {esc(d.get('round'))}): answer {math_text(d.get('answer')) or '–'}"
            + (" <span class=\"warn\">(cut off)</span>" if d.get("truncated") else ""))
    text = as_str(d.get("text"))
    if text:
        head += f'<details><summary>the draft</summary><div class="text">{math_text(text)}</div></details>'
    return head


def _check(c: dict[str, Any]) -> str:
    evidence = as_dict(c.get("evidence"))
    reply = as_str(evidence.get("reply"))
    rest = {k: val for k, val in evidence.items() if k != "reply"}
    out = (f"<div>{esc(c.get('stage'))} {badge(as_str(c.get('verdict')) or '?')} "
           f"{math_text(c.get('summary'))}</div>")
    for j in as_list(evidence.get("judges")):
        j = as_dict(j)
        out += f"<div>&nbsp;&nbsp;judge {esc(j.get('judge'))} {badge(as_str(j.get('verdict')) or '?')} {esc(j.get('reason'))}</div>"
    if reply:
        out += f'<details><summary>the reply</summary><div class="text">{math_text(reply)}</div></details>'
    if rest:
        out += json_details("evidence", rest)
    return out


def _recalled(items: list[Any]) -> str:
    shown = []
    for it in items[:10]:
        it = as_dict(it)
        shown.append(esc(f"{it.get('kind') or it.get('type') or 'item'} {it.get('id') or ''}".strip()))
    return f"recalled {len(items)} item(s): " + ", ".join(shown)


def _trajectory_from_result(r: dict[str, Any]) -> str:
    """Without checkpoints (a symbolic run, or none kept): the rounds as results.jsonl records them."""
    evidence = as_dict(r.get("evidence"))
    checks = [as_dict(c) for c in as_list(evidence.get("checks"))]
    drafts = [as_dict(d) for d in as_list(r.get("drafts"))]
    rounds = sorted({int(as_num(d.get("round"))) for d in drafts} | {int(as_num(c.get("round"))) for c in checks})
    items = []
    if as_dict(evidence.get("engine")):
        e = as_dict(evidence["engine"])
        items.append(f'<li><span class="node">engine</span> {badge(as_str(e.get("status")) or "?", "none")} '
                     f"{esc(as_dict(e.get('evidence')).get('summary') or e.get('reason') or '')}</li>")
    for rnd in rounds:
        for d in drafts:
            if int(as_num(d.get("round"))) == rnd:
                items.append(f'<li><span class="node">generate</span> {_draft(d)}</li>')
        for c in checks:
            if int(as_num(c.get("round"))) == rnd:
                items.append(f'<li><span class="node">{esc(c.get("stage"))}</span> {_check(c)}</li>')
    items.append(f'<li><span class="node">end</span> {badge(as_str(r.get("outcome")) or "error")} '
                 f"{math_text(r.get('reason') or r.get('error') or '')}</li>")
    return f'<ol class="steps">{"".join(items)}</ol>'


# -- engine, proof, calls ----------------------------------------------------------------------

def _engine(e: dict[str, Any]) -> str:
    if not e:
        return ""
    ev = as_dict(e.get("evidence"))
    cert = as_dict(ev.get("certificate"))
    formal = as_dict(ev.get("formal"))
    facts = [
        ("status", badge(as_str(e.get("status")) or "?", "none")),
        ("answer", math_text(f"${e['answer']}$") if as_str(e.get("answer")) else ""),
        ("certified", yes_no(as_bool_or_none(e.get("certified")))),
        ("found", esc(ev.get("summary")) if ev.get("summary") else ""),
        ("claim", f"<code>{esc(cert.get('claim') or formal.get('relation_with_constant') or '')}</code>"
         if cert.get("claim") or formal.get("relation_with_constant") else ""),
        ("certificate", esc(f"{cert.get('verdict')} by {cert.get('solver')}"
                            + (f", confirmed by {', '.join(map(str, as_list(cert.get('confirmed_by'))))}"
                               if as_list(cert.get("confirmed_by")) else "")) if cert else ""),
        ("reason", esc(e.get("reason")) if e.get("reason") else ""),
    ]
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{val}</dd>" for k, val in facts if val)
    return f'<h3>Engine</h3><dl class="facts">{dl}</dl>' + json_details("the engine's evidence (JSON)", e)


def as_bool_or_none(v: Any) -> bool | None:
    return v if isinstance(v, bool) else None


def _proof(p: Proof | None) -> str:
    if p is None:
        return ""
    head = [f"method {esc(p.method)}" if p.method else "",
            f"verified {yes_no(p.verified)}" if p.verified is not None else "",
            ("files: " + ", ".join(f"<code>{esc(f)}</code>" for f in p.files)) if p.files else ""]
    out = ["<h3>Proof</h3>", "<p>" + " · ".join(h for h in head if h) + "</p>"]
    if p.text:
        out.append(f'<div class="proof">{markdown(p.text)}</div>')
    if p.certificate is not None:
        out.append(_certificate(p.certificate))
    out += [f'<p class="notes">{esc(n)}</p>' for n in p.notes]
    return "\n".join(out)


def _certificate(cert: Any) -> str:
    c = as_dict(cert)
    claim = as_dict(c.get("claim"))
    facts = []
    if claim:
        facts.append(("variables", esc(", ".join(map(str, as_list(claim.get("variables")))))))
        conds = [f"{as_dict(f).get('expr')} {as_dict(f).get('op')} 0" for f in as_list(claim.get("facts"))]
        conds += [f"{h} = 0" for h in as_list(claim.get("equalities"))]
        if conds:
            facts.append(("where", "<code>" + esc("; ".join(conds)) + "</code>"))
        if claim.get("lhs") is not None:
            facts.append(("claim", f"<code>{esc(claim.get('lhs'))} {esc(claim.get('relation'))} {esc(claim.get('rhs'))}</code>"))
        const = as_dict(claim.get("constant"))
        if const:
            facts.append(("constant", esc(f"{const.get('name')} = {const.get('value')} ({const.get('extreme')})")))
    for key in ("format", "verdict", "method", "notes"):
        if c.get(key):
            facts.append((key, esc(c[key])))
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{val}</dd>" for k, val in facts)
    return f'<h3>Certificate</h3><dl class="facts">{dl}</dl>' + json_details("certificate.json", cert)


def _calls(calls: list[Call]) -> str:
    if not calls:
        return ""
    by_node = Counter(c.node for c in calls)
    rows = []
    for i, c in enumerate(calls, start=1):
        prompt_more = f" (first {len(c.prompt):,} of {c.prompt_chars:,} characters)" if c.prompt_chars > len(c.prompt) + 200 else ""
        resp_more = f" (first {len(c.response):,} of {c.response_chars:,} characters)" if c.response_chars > len(c.response) else ""
        rows.append(
            f"<tr><td class=num>{i}</td><td>{esc(c.node)}</td><td>{esc(c.role)}</td><td><code>{esc(c.model)}</code></td>"
            f"<td class=num>{c.prompt_tokens:,}</td><td class=num>{c.completion_tokens:,}</td>"
            f"<td class=num>{c.latency_s:.2f}</td><td>{esc(c.finish_reason)}</td>"
            f"<td>{'<span class=error>' + esc(c.error) + '</span>' if c.error else ''}"
            f"<details><summary>prompt{esc(prompt_more)}</summary><pre>{esc(c.prompt)}</pre></details>"
            f"<details><summary>reply{esc(resp_more)}</summary><pre>{esc(c.response)}</pre></details></td></tr>")
    total_in = sum(c.prompt_tokens for c in calls)
    total_out = sum(c.completion_tokens for c in calls)
    latency = sum(c.latency_s for c in calls)
    summary = (f"{len(calls)} call(s) ({', '.join(f'{n} {k}' for k, n in by_node.items())}); "
               f"{total_in:,} prompt + {total_out:,} completion tokens; {latency:.1f} s")
    return (f"<h3>Model calls</h3><p>{esc(summary)}</p><table class=\"calls\"><tr><th class=num>#</th><th>node</th>"
            "<th>role</th><th>model</th><th class=num>prompt tok</th><th class=num>completion tok</th>"
            f"<th class=num>latency s</th><th>finish</th><th>error · text</th></tr>{''.join(rows)}</table>")
