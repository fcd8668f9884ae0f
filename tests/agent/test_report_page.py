"""The report page as data: every problem in it, math as MathML, hostile text inert, nothing fetched."""

from __future__ import annotations

import json
from html.parser import HTMLParser

from qed.agent.report import mathml
from qed.agent.report.compare_page import render_compare
from qed.agent.report.page import FILTER_SCRIPT, script_hash
from qed.agent.report.run_page import render_run
from qed.agent.report.rundata import load_run

from tests.agent.report_helpers import XSS, hostile_run, result, results_run, scripted_run


class Page(HTMLParser):
    """Every element with its attributes, and the text of each script element."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.elements if t == name]


def assert_inert(html: str) -> Page:
    """One script (ours), no event handlers, nothing that could load a resource or leave the page."""
    page = Page(html)
    assert page.scripts == [FILTER_SCRIPT]
    for tag, attrs in page.elements:
        assert tag not in ("img", "iframe", "object", "embed", "link", "base", "form") or (
            tag == "form" and attrs.get("id") == "filters"), tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name not in ("src", "srcset", "action", "formaction", "style"), (tag, name)
            if name == "href":
                assert value and value.startswith("#p"), value
        assert attrs.get("id") != "broke-out"
    return page


def test_every_problem_of_a_loop_run_is_in_the_page_with_its_trajectory_and_calls(tmp_path):
    run = scripted_run(tmp_path)
    data = load_run(run.path)
    html = render_run(data)
    page = assert_inert(html)
    rows = [a for a in page.tags("tr") if "data-problem" in a]
    sections = page.tags("section")
    assert [r["data-problem"] for r in rows] == ["amgm-sum", "no-answer"]
    assert [s["data-problem"] for s in sections] == ["amgm-sum", "no-answer"]
    assert [r["data-outcome"] for r in rows] == ["solved", "abstained"]
    assert [r["data-correct"] for r in rows] == ["yes", "no"]
    text = " ".join(page.text)
    # the trajectory from the checkpoints: each node, the failed self-check, the refine decision
    for node in ("recall", "generate", "self_verify", "execute", "review", "decide", "remember"):
        assert node in text
    assert "the equality case is not checked" in text
    assert "feedback for the next round" in text
    # model calls with tokens and latency, from calls.sqlite
    calls = data.problems[0].calls
    assert len(calls) == 8 and {c.node for c in calls} == {"generate", "self_verify", "execute", "review"}
    assert "8 call(s)" in text and "latency s" in text
    # statements come from the checkpoints (the results do not hold them)
    assert data.problems[1].statement.startswith("Let $x > 0$")


def test_latex_becomes_mathml_elements_and_the_page_needs_no_script_for_it(tmp_path):
    run = scripted_run(tmp_path)
    page = Page(render_run(load_run(run.path)))
    tags = [t for t, _ in page.elements]
    assert tags.count("math") >= 6 and "mfrac" in tags and "mo" in tags
    assert not any(a.get("class") == "tex" for a in page.tags("code"))  # every formula here converted


def test_text_from_a_run_folder_never_becomes_markup(tmp_path):
    run = hostile_run(tmp_path)
    data = load_run(run.path)
    html = render_run(data)
    page = assert_inert(html)
    text = "".join(page.text)
    assert XSS in text  # shown, as text
    assert "window.__pwned = 3" in text  # the \text{<script>} formula shown as its source
    assert "javascript:" in text and not any("javascript" in str(v) for _, a in page.elements for v in a.values())
    assert data.problems[0].proof is not None and data.problems[0].proof.verified is True
    assert "certificate.json" in text


def test_the_page_may_fetch_nothing_and_run_only_its_own_script(tmp_path):
    run = scripted_run(tmp_path)
    page = Page(render_run(load_run(run.path)))
    [csp] = [a["content"] for a in page.tags("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp
    assert f"script-src '{script_hash(FILTER_SCRIPT)}'" in csp


def test_without_scripts_every_row_shows_and_the_filters_stay_hidden(tmp_path):
    run = scripted_run(tmp_path)
    page = Page(render_run(load_run(run.path)))
    assert all("hidden" not in a for t, a in page.elements if "data-problem" in a)
    [form] = page.tags("form")
    assert "hidden" in form


def test_mathml_allow_list_drops_script_links_and_styles():
    out = mathml.formula(r"\href{javascript:alert(1)}{x} + \color{red}{y}")
    assert "<math" in out and "href" not in out and "javascript" not in out
    assert 'mathcolor="red"' in out
    out = mathml.formula(r"\text{<script>alert(1)</script>}")
    assert "<script" not in out and "&lt;script&gt;" in out
    assert mathml.formula("{").startswith('<code class="tex">')


def test_dollar_signs_split_text_and_math():
    out = mathml.text_with_math(r"Costs \$5. Let $a>0$ and $$C=\sqrt{2}$$.")
    assert out.startswith("Costs \\$5. Let <math")
    assert out.count("<math") == 2 and 'display="block"' in out
    assert 'display="block"' not in mathml.text_with_math(r"$$C=1$$", inline=True)


def test_a_proof_path_outside_the_run_folder_is_not_read(tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("the neighbour's secret")
    run = results_run(tmp_path, "leak", [result("p1", "bound", "solved", "$$C = 1$$", "$$C = 1$$", True,
                                                proof={"path": "../../secret.md", "verified": True})])
    data = load_run(run.path)
    html = render_run(data)
    assert "the neighbour's secret" not in html
    assert any("outside the run folder" in n for n in data.notes)


def test_a_proof_and_its_certificate_are_shown_from_the_problem_folder(tmp_path):
    run = results_run(tmp_path, "proved", [result("b 1", "bound", "solved", "$$C = 2$$", "$$C = 2$$", True,
                                                  proof={"path": "problems/b-1/proof.md", "method": "sos",
                                                         "verified": True})])
    folder = run.path / "problems" / "b-1"
    folder.mkdir(parents=True)
    (folder / "proof.md").write_text("## Proof\n\nBoth sides are positive, so $$a^2 + b^2 - 2ab = (a - b)^2 \\geq 0.$$\n")
    (folder / "certificate.json").write_text(json.dumps({
        "format": "qed-certificate/1", "verdict": "holds", "method": "sos",
        "claim": {"variables": ["a", "b"], "facts": [{"expr": "a", "op": ">"}], "lhs": "a^2 + b^2", "rhs": "2*a*b",
                  "relation": ">="}}))
    data = load_run(run.path)
    page = Page(render_run(data))
    text = " ".join(page.text)
    assert "Both sides are positive" in text and "a^2 + b^2 >= 2*a*b" in text and "qed-certificate/1" in text
    assert "h2" in [t for t, _ in page.elements] and "msup" in [t for t, _ in page.elements]
    assert [a["data-proved"] for a in page.tags("tr") if "data-problem" in a] == ["yes"]


def test_compare_shows_accuracy_per_kind_and_what_changed(tmp_path):
    a = results_run(tmp_path, "a", [
        result("b1", "bound", "solved", "$$C = 2$$", "$$C = 2$$", True),
        result("b2", "bound", "abstained", None, "$$C = 3$$", False),
        result("r1", "relation", "solved", "(A) $\\leq$", "(B) $\\geq$", False),
        result("only-a", "proof", "abstained", None, None, None),
    ])
    b = results_run(tmp_path, "b", [
        result("b1", "bound", "solved", "$$C = 1$$", "$$C = 2$$", False),
        result("b2", "bound", "solved", "$$C = 3$$", "$$C = 3$$", True),
        result("r1", "relation", "solved", "(A) $\\leq$", "(B) $\\geq$", False),
        result("only-b", "open", "solved", "7", None, None),
    ])
    page = Page(render_compare(load_run(a.path), load_run(b.path)))
    rows = {r["data-problem"]: r["data-change"] for r in page.tags("tr") if "data-problem" in r}
    assert rows == {"b1": "broken", "b2": "fixed", "r1": "same", "only-a": "only-a", "only-b": "only-b"}
    text = " ".join(page.text)
    assert "1/2 (50%)" in text and "0/1 (0%)" in text  # bound and relation accuracy in each run
    assert "+0.0 pt" in text  # bound: 1 of 2 in both
