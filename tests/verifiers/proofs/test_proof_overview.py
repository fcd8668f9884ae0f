"""The model's overview in words: kept above a computed proof only when every formula, number and
theorem name in it is the proof's own; the computed proof is never altered or lost."""

from __future__ import annotations

import json

import pytest
from qed.agent.config import ConfigError, LoopConfig
from qed.problems.record import Problem
from qed.verifiers.proofs.overview import check_overview, proof_outline, with_overview_tex
from qed.verifiers.proofs.pipeline import prove_problem

from tests.agent.loop_helpers import calls, make_solver, roles_script

THREE = Problem("three-amgm", "Let $a, b, c$ be positive real numbers. Prove that\n$$(a+b)(b+c)(c+a) \\geq 8abc.$$",
                kind="proof")
PROOF = r"""# Proof

**Step 1 (clearing denominators).** Multiplying by $D = y x$ gives
$$
\left(\frac{x}{y} + \frac{4 y}{x} - 4\right) y x = x^{2} + 4 y^{2} - 4 x y
$$
**Step 2 (a sum of non-negative terms).** The identity
$$
x^{2} + 4 y^{2} - 4 x y = \left(2 y - x\right)^{2}
$$
holds. Take $x = \frac{4}{3}$, $y = \frac{2}{3}$: both sides equal 4.
"""
FAITHFUL = ("Multiplying by the positive $D = y x$ turns the inequality into a polynomial one, and "
            "$x^{2} + 4 y^{2} - 4 x y = \\left(2 y - x\\right)^{2}$ shows it is a square. Equality holds at the point of Step 2.")


@pytest.mark.parametrize("overview, why", [
    ("By AM-GM the two terms have product 4, so the sum is at least 4; this is all the proof needs to say.", "AM-GM"),
    ("Clearing denominators gives a square, and equality holds at $x = 2y$, which is the whole argument here.", "relation"),
    ("Clearing denominators gives a square; the minimum 5 is attained where the square vanishes, as shown.", "number 5"),
    ("Clearing denominators gives $$x^{2} + 4 y^{2} - 4 x y \\ge 0$$ which is a square, so it holds.", "display"),
    ("Clearing denominators gives $\\sqrt{x}$ plus something, which is a square, so it holds everywhere.", "LaTeX"),
    ("Clearing denominators gives $x^{2} + 5 y^{2}$ which is then written as a square, so it holds.", "formula"),
    ("Too short.", "short"),
])
def test_an_overview_that_says_more_than_the_proof_is_refused(overview, why):
    reason = check_overview(overview, PROOF)
    assert reason is not None and why.split()[-1].lower() in reason.lower(), reason


def test_an_overview_that_keeps_to_the_proof_is_accepted():
    assert check_overview(FAITHFUL, PROOF) is None
    outline = proof_outline(PROOF)
    assert "\\left(2 y - x\\right)^{2}" in outline and "holds. Take" not in outline


def test_the_tex_overview_escapes_words_and_keeps_the_formulas():
    tex = "\\documentclass{article}\n\\begin{document}\n\n\\section*{Proof}\n\nbody\n\\end{document}\n"
    out = with_overview_tex(tex, "Cost 100% & done, by $D = y x$.", "local:m")
    assert "Cost 100\\% \\& done, by $D = y x$." in out and out.index("In words") > out.index("\\section*")


def test_a_bad_present_style_is_a_config_error():
    with pytest.raises(ConfigError, match="present_style"):
        LoopConfig.from_mapping({"present_style": "poem"})


def _run(tmp_path, reply: str):
    spec = roles_script(tmp_path, ["unused"], ["VERDICT: PASS"], ["VERDICT: ACCEPT"])
    spec.write_text(json.dumps({"rules": [{"match": "Outline of the checked proof", "reply": reply}]}))
    loop = LoopConfig(use_engine=True, use_memory=False, present=True, present_style="overview")
    solver, run = make_solver(tmp_path, spec, loop)
    [result] = solver.solve_all([THREE])
    solver.close()
    return result, run


def test_the_loop_puts_a_faithful_overview_above_the_computed_proof(tmp_path):
    computed = prove_problem(THREE, None, check_lean=False)["markdown"]
    # A faithful overview built from the computed proof's own first displayed relation.
    lines = computed.split("\n")
    first = next(lines[i + 1] for i, line in enumerate(lines) if line == "$$" and "\\ge" in lines[i + 1])
    reply = f"The proof shows ${first}$ by clearing denominators and writing the difference as non-negative terms."
    result, run = _run(tmp_path, reply)

    assert result["outcome"] == "solved" and result["rounds"] == 0
    assert [c["node"] for c in calls(run)] == ["present"], "one bounded call"
    assert result["proof"]["rewrite"] is True
    folder = run.path / "problems" / "three-amgm"
    shown = (folder / "proof.md").read_text()
    assert "> **In words** (written by" in shown and reply in shown
    assert shown.endswith(computed.split("\n", 1)[1]), "the computed proof follows unchanged"
    assert (folder / "proof.computed.md").read_text() == computed
    assert "In words" in (folder / "proof.tex").read_text()


def test_the_loop_keeps_the_computed_proof_alone_when_the_overview_is_refused(tmp_path):
    computed = prove_problem(THREE, None, check_lean=False)["markdown"]
    result, run = _run(tmp_path, "By Cauchy-Schwarz each factor is at least twice a square root, so it holds.")

    assert result["outcome"] == "solved" and result["proof"]["rewrite"] is False
    folder = run.path / "problems" / "three-amgm"
    assert (folder / "proof.md").read_text() == computed and not (folder / "proof.computed.md").exists()
