"""The HTML shell every report shares: one file, no network, one small inline script at most.

The page carries a Content-Security-Policy that allows no fetch of any kind and runs only the
report's own script (by its hash), so even text that escaped escaping could not run or load
anything. Without scripts every row and section is shown; the script only adds the filters.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
from typing import Any

from markdown_it import MarkdownIt
from qed.agent.report import mathml

MAX_JSON_CHARS = 20_000

CSS = """
:root { --fg:#1d232b; --mute:#5d6874; --line:#d9dee4; --bg:#ffffff; --soft:#f4f6f8;
        --ok:#1a7f37; --bad:#c62828; --warn:#9a6700; --info:#0b5cad; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--fg);
       background: var(--bg); margin: 0 auto; max-width: 1200px; padding: 24px 28px 60px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 0 0 8px; }
h3 { font-size: 15px; margin: 18px 0 6px; color: var(--mute); text-transform: uppercase; letter-spacing: .04em; }
.sub { color: var(--mute); margin: 0 0 16px; word-break: break-all; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 14px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
th { background: var(--soft); font-weight: 600; font-size: 13px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0 18px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 120px; }
.card b { display: block; font-size: 20px; } .card span { color: var(--mute); font-size: 13px; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600;
         border: 1px solid currentColor; white-space: nowrap; }
.solved, .pass, .yes, .accept { color: var(--ok); } .error, .fail, .no, .refuted { color: var(--bad); }
.abstained, .unknown, .no_verdict, .refine, .abstain { color: var(--warn); } .skipped, .none { color: var(--mute); }
section.problem { border: 1px solid var(--line); border-radius: 10px; padding: 14px 18px; margin: 18px 0; }
.statement { background: var(--soft); border-radius: 6px; padding: 10px 12px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 10px 0; }
dl.facts dt { color: var(--mute); } dl.facts dd { margin: 0; }
ol.steps { padding-left: 22px; } ol.steps > li { margin: 6px 0; }
.node { font-weight: 600; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
pre, .text { white-space: pre-wrap; word-break: break-word; background: var(--soft); border-radius: 6px;
             padding: 8px 10px; font-size: 13px; margin: 4px 0; max-height: 420px; overflow: auto; }
pre { font-family: ui-monospace, "DejaVu Sans Mono", monospace; } .text { font-family: inherit; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; }
code.tex { color: var(--info); }
details > summary { cursor: pointer; color: var(--info); }
.proof { border-left: 3px solid var(--ok); padding: 2px 14px; }
.notes { border: 1px solid var(--warn); border-radius: 8px; padding: 8px 14px; color: var(--warn); }
form.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; background: var(--soft);
               padding: 8px 12px; border-radius: 8px; margin: 8px 0; }
form.filters label { font-size: 13px; color: var(--mute); }
tr.differs { background: #fff8e1; }
math { font-size: 1.08em; } math[display="block"] { margin: 6px 0; }
[hidden] { display: none !important; }
"""

FILTER_SCRIPT = """
(function () {
  var form = document.getElementById("filters");
  if (!form) { return; }
  form.hidden = false;
  var items = document.querySelectorAll("[data-problem]");
  var counter = document.getElementById("shown");
  function apply() {
    var want = {};
    form.querySelectorAll("select").forEach(function (s) { if (s.value) { want[s.name] = s.value; } });
    form.querySelectorAll("input[type=checkbox]").forEach(function (c) { if (c.checked) { want[c.name] = c.value; } });
    var shown = 0;
    items.forEach(function (el) {
      var ok = Object.keys(want).every(function (k) { return el.getAttribute("data-" + k) === want[k]; });
      el.hidden = !ok;
      if (ok && el.tagName === "TR") { shown += 1; }
    });
    if (counter) { counter.textContent = String(shown); }
  }
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  apply();
})();
"""


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def document(title: str, body: str, *, script: str | None = FILTER_SCRIPT) -> str:
    """A whole page: nothing may be fetched; only `script` (by its hash) may run."""
    allowed = f"'{script_hash(script)}'" if script else "'none'"
    csp = (f"default-src 'none'; script-src {allowed}; style-src 'unsafe-inline'; img-src data:; "
           "font-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'")
    tail = f"<script>{script}</script>" if script else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n<body>\n{body}\n{tail}\n</body></html>\n"
    )


def badge(value: Any, css: str | None = None) -> str:
    text = "–" if value is None else str(value)
    if len(text) > 40:
        text = text[:39] + "…"
    return f'<span class="badge {esc(css or text)}">{esc(text)}</span>'


def yes_no(value: bool | None) -> str:
    return badge({True: "yes", False: "no", None: "–"}[value], {True: "yes", False: "no", None: "none"}[value])


def flag(value: bool | None) -> str:
    """The value a filter compares: yes, no or none."""
    return {True: "yes", False: "no", None: "none"}[value]


def json_details(label: str, value: Any) -> str:
    try:
        text = json.dumps(value, indent=1, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        text = str(value)
    if len(text) > MAX_JSON_CHARS:
        text = text[:MAX_JSON_CHARS] + f"\n… ({len(text) - MAX_JSON_CHARS:,} more characters in the run folder)"
    return f"<details><summary>{esc(label)}</summary><pre>{esc(text)}</pre></details>"


def math_text(text: Any, inline: bool = False) -> str:
    """Escaped text with its LaTeX rendered as MathML (`inline`: display math set inline too)."""
    return mathml.text_with_math("" if text is None else str(text), inline)


def markdown(text: str) -> str:
    """Markdown with LaTeX (a proof.md): no raw HTML, no links or images, math as MathML."""
    nonce = secrets.token_hex(6)
    rendered: list[str] = []

    def hold(m: Any) -> str:
        display = m.group("d1") is not None or m.group("d2") is not None
        body = next(g for g in (m.group("d1"), m.group("d2"), m.group("i1"), m.group("i2")) if g is not None)
        rendered.append(mathml.formula(body, display))
        return f"QEDMATH{nonce}X{len(rendered) - 1}X"

    held = mathml.MATH_DELIMITED.sub(hold, text)
    md = MarkdownIt("commonmark", {"html": False}).disable(["link", "image", "autolink"])
    out = md.render(held)
    for i, frag in enumerate(rendered):
        out = out.replace(f"QEDMATH{nonce}X{i}X", frag)
    return out


def filter_select(name: str, label: str, options: list[tuple[str, str]]) -> str:
    opts = "".join(f'<option value="{esc(v)}">{esc(t)}</option>' for v, t in [("", "any"), *options])
    return f'<label>{esc(label)} <select name="{esc(name)}">{opts}</select></label>'
