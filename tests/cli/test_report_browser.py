"""The report in a real browser: headless Chromium shows every problem, math as MathML, working
filters, and hostile text as text; a screenshot lands in the run folder."""

from __future__ import annotations

import pytest
from qed.agent.report.browser import find_chromium

from tests.agent.report_helpers import hostile_run, scripted_run
from tests.cli.chromium import Chromium
from tests.cli.cli_helpers import qed

pytestmark = pytest.mark.skipif(find_chromium() is None,
                                reason="no Chromium on this machine (Debian: apt-get install chromium)")

VISIBLE_ROWS = ("Array.from(document.querySelectorAll('#problems tr[data-problem]'))"
                ".filter(r => r.offsetParent !== null).map(r => r.dataset.problem)")
VISIBLE_SECTIONS = ("Array.from(document.querySelectorAll('section.problem'))"
                    ".filter(s => s.offsetParent !== null).length")


def choose(browser: Chromium, name: str, value: str) -> None:
    browser.js(f"(() => {{ const s = document.querySelector('#filters select[name={name}]'); s.value = '{value}';"
               " s.dispatchEvent(new Event('change', {bubbles: true})); })()")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    run = scripted_run(tmp)
    hostile_run(tmp, run)
    r = qed(tmp, "report", str(run.path), "--screenshot")
    assert r.returncode == 0, r.stderr
    return run.path


def test_the_page_shows_every_problem_and_its_math_as_mathml(report):
    with Chromium() as browser:
        browser.open(report / "report.html")
        ids = browser.js(VISIBLE_ROWS)
        assert ids[:2] == ["amgm-sum", "no-answer"] and ids[2].startswith("evil-<script>") and len(ids) == 3
        assert browser.js(VISIBLE_SECTIONS) == 3
        math = browser.js("Array.from(document.querySelectorAll('math')).map(m => m.namespaceURI)")
        assert len(math) >= 8 and set(math) == {"http://www.w3.org/1998/Math/MathML"}
        # laid out as math: a fraction is taller than its line, and has its two parts
        frac = browser.js("(() => { const f = document.querySelector('.statement mfrac');"
                          " const r = f.getBoundingClientRect(); return [f.children.length, r.width, r.height]; })()")
        assert frac[0] == 2 and frac[1] > 5 and frac[2] > 15


def test_the_filters_change_the_visible_rows(report):
    with Chromium() as browser:
        browser.open(report / "report.html")
        assert browser.js("document.getElementById('filters').offsetParent !== null")
        choose(browser, "outcome", "abstained")
        assert browser.js(VISIBLE_ROWS) == ["no-answer"] and browser.js(VISIBLE_SECTIONS) == 1
        assert browser.js("document.getElementById('shown').textContent") == "1"
        choose(browser, "outcome", "")
        choose(browser, "correct", "yes")
        assert browser.js(VISIBLE_ROWS)[0] == "amgm-sum" and len(browser.js(VISIBLE_ROWS)) == 2
        choose(browser, "certified", "yes")  # only the hostile record claims a certified engine answer
        assert len(browser.js(VISIBLE_ROWS)) == 1 and browser.js(VISIBLE_ROWS)[0].startswith("evil-")
        choose(browser, "kind", "bound")  # the certified one is a relation problem
        assert browser.js(VISIBLE_ROWS) == [] and browser.js(VISIBLE_SECTIONS) == 0


def test_a_script_in_a_statement_is_shown_as_text_and_never_runs(report):
    with Chromium() as browser:
        browser.open(report / "report.html")
        assert browser.js("typeof window.__pwned") == "undefined"
        assert browser.js("document.title").startswith("QED report")
        assert browser.js("document.scripts.length") == 1
        assert browser.js("document.getElementById('broke-out')") is None
        statement = browser.js("document.querySelectorAll('.statement')[2].textContent")
        assert "<script>window.__pwned = 1; document.title = 'pwned'</script>" in statement
        assert browser.js("document.querySelectorAll('img, iframe, object, embed').length") == 0


def test_without_scripts_the_page_still_shows_everything(report):
    with Chromium() as browser:
        browser.open(report / "report.html", scripts=False)
        assert len(browser.js(VISIBLE_ROWS)) == 3 and browser.js(VISIBLE_SECTIONS) == 3
        assert browser.js("document.getElementById('filters').offsetParent") is None  # no dead controls
        assert browser.js("document.querySelectorAll('math').length") >= 8


def test_the_screenshot_is_in_the_run_folder(report):
    png = (report / "report.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    with Chromium() as browser:  # and the protocol's own capture of the same page
        browser.open(report / "report.html")
        shot = browser.screenshot(report / "report-cdp.png").read_bytes()
        assert shot[:8] == b"\x89PNG\r\n\x1a\n"
