"""A proof that settles its problem is on screen as soon as computation has it, before the model's
overview (which takes a minute on a loaded CPU); the finished problem adds only the overview."""

from __future__ import annotations

import io
import json

from qed.agent.config import LoopConfig
from qed.cli.live import PlainView
from qed.cli.proof_view import with_proofs
from qed.problems.record import Problem
from qed.verifiers.proofs.pipeline import prove_problem
from rich.console import Console

from tests.agent.loop_helpers import make_solver, roles_script

THREE = Problem("three-amgm", "Let $a, b, c$ be positive real numbers. Prove that\n$$(a+b)(b+c)(c+a) \\geq 8abc.$$",
                kind="proof")


def _solve_on_screen(tmp_path, reply: str) -> tuple[str, str]:
    spec = roles_script(tmp_path, ["unused"], ["VERDICT: PASS"], ["VERDICT: ACCEPT"])
    spec.write_text(json.dumps({"rules": [{"match": "Outline of the checked proof", "reply": reply}]}))
    solver, run = make_solver(tmp_path, spec, LoopConfig(use_engine=True, use_memory=False, present=True,
                                                         present_style="overview"))
    screen = io.StringIO()
    console = Console(file=screen, width=200, no_color=True, soft_wrap=True)
    solver.on_event = with_proofs(PlainView("t", 1, console), console, run.path)
    solver.solve_all([THREE])
    solver.close()
    return screen.getvalue(), prove_problem(THREE, None, check_lean=False)["markdown"]


def _faithful_overview(computed: str) -> str:
    lines = computed.split("\n")
    first = next(lines[i + 1] for i, line in enumerate(lines) if line == "$$" and "\\ge" in lines[i + 1])
    return f"The proof shows ${first}$ by clearing denominators and writing the difference as non-negative terms."


def test_the_proof_is_shown_before_the_model_is_asked_and_the_overview_after(tmp_path):
    reply = _faithful_overview(prove_problem(THREE, None, check_lean=False)["markdown"])
    out, computed = _solve_on_screen(tmp_path, reply)
    body = computed.split("\n", 1)[1]
    assert out.count(body) == 1, "the proof is printed once"
    assert out.index(body) < out.index("three-amgm present · round 1") < out.index("three-amgm solved")
    assert "computed, certificate re-verified" in out
    assert out.index("overview added above the proof") > out.index("three-amgm solved")
    assert reply in out.split("overview added above the proof", 1)[1]


def test_a_refused_overview_adds_nothing_after_the_early_proof(tmp_path):
    out, computed = _solve_on_screen(tmp_path, "By Cauchy-Schwarz each factor is at least twice a root, so it holds.")
    body = computed.split("\n", 1)[1]
    assert out.count(body) == 1 and out.index(body) < out.index("three-amgm present · round 1")
    assert "overview added" not in out and "the proof as written" not in out
