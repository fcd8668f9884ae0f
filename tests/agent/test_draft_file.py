"""A model's accepted draft is written beside the proof files and shown, labelled as a draft with
what checked it; a computed proof needs no draft file, and an abstention writes none."""

from __future__ import annotations

import io
import json

from qed.agent.config import LoopConfig
from qed.cli.proof_view import show_proof
from qed.problems.record import Problem
from rich.console import Console

from tests.agent.loop_helpers import make_solver, roles_script

WEIGHTED = Problem(
    id="weighted-amgm", kind="bound", answer="$$C = 6$$",
    statement="Let $x, y$ be positive real numbers. Find the largest constant $C$ such that the "
    "following inequality holds for all $x, y$:\n$$\n\\frac{x}{y}+\\frac{9 y}{x} \\geq C\n$$",
)
DRAFT = ("By AM-GM, $\\frac{x}{y}+\\frac{9y}{x} \\geq 2\\sqrt{9} = 6$, with equality at $x = 3y$. "
         "So the answer is $C = 6$.")


def _run(tmp_path, generator, loop):
    tmp_path.mkdir(parents=True, exist_ok=True)
    spec = roles_script(tmp_path, generator, ["VERDICT: PASS"], ["VERDICT: ACCEPT"])
    solver, run = make_solver(tmp_path, spec, loop)
    [result] = solver.solve_all([WEIGHTED])
    solver.close()
    return result, run


def test_an_accepted_draft_without_a_computed_proof_is_written_and_labelled(tmp_path):
    loop = LoopConfig(use_engine=True, use_memory=False, max_rounds=1, certificate_seconds=0.0)  # no certificate
    result, run = _run(tmp_path, [DRAFT], loop)

    assert result["outcome"] == "solved" and result["rounds"] == 1 and result["proof"]["path"] is None
    entry = result["draft"]
    assert entry["path"] == "problems/weighted-amgm/draft.md" and entry["round"] == 1
    text = (run.path / entry["path"]).read_text()
    assert "not a checked proof" in text and "answer from model" in text
    assert DRAFT in text, "the draft's own words are kept"
    assert {j["judge"] for j in entry["judges"]} >= {"numeric_computation", "theorem_use"}
    for judge in entry["judges"]:
        assert f"| {judge['judge']} | {judge['verdict']} |" in text
    saved = json.loads(run.file("results.jsonl").read_text().splitlines()[0])
    assert saved["draft"]["path"] == entry["path"]

    screen = io.StringIO()
    assert show_proof(Console(file=screen, width=200), run.path, result)
    shown = screen.getvalue()
    assert "the model's draft, not a checked proof" in shown and "By AM-GM" in shown


def test_a_computed_proof_writes_no_draft_and_an_abstention_none_either(tmp_path):
    computed, run = _run(tmp_path / "a", ["At x = y the sum is 10, so $C = 10$."],
                         LoopConfig(use_engine=True, use_memory=False, max_rounds=1))
    assert computed["proof"]["path"] and computed["draft"] is None
    assert not (run.path / "problems" / "weighted-amgm" / "draft.md").exists()

    abstained, run = _run(tmp_path / "b", ["I cannot find it."],
                          LoopConfig(use_engine=False, use_memory=False, max_rounds=1))
    assert abstained["outcome"] != "solved" and abstained["draft"] is None
