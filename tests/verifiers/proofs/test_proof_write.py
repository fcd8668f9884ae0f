"""A certificate becomes a proof only through the checker and the judges; the renderings agree."""

from __future__ import annotations

import copy
import json
import os
import shutil

import pytest
from qed.models.scripted_backend import ScriptedModel
from qed.problems.record import Problem
from qed.verifiers.engine.solve import solve_problem
from qed.verifiers.proofs.doc import Display
from qed.verifiers.proofs.obtain import obtain_certificate
from qed.verifiers.proofs.prose import explain
from qed.verifiers.proofs.write import gated, lean_file, write_proof

AMGM = Problem("amgm", "Let $a, b$ be positive real numbers. Prove that $$a^2+b^2 \\geq 2ab.$$", kind="proof")
THREE = Problem("three", "Let $a, b, c$ be positive real numbers. Prove that\n$$(a+b)(b+c)(c+a) \\geq 8abc.$$", kind="proof")
BOUND = Problem("bound", "Let $x, y$ be positive real numbers. Find the largest constant $C$ such that the following "
                "inequality holds for all $x, y$:\n$$\n\\frac{x}{y}+\\frac{4 y}{x} \\geq C\n$$", kind="bound")
FALSE = Problem("false", "Let $a, b$ be positive real numbers. Prove that $$a^2+b^2 \\geq 3ab.$$", kind="proof")


@pytest.fixture(scope="module")
def certs() -> dict[str, dict]:
    out = {}
    for p in (AMGM, THREE, BOUND, FALSE):
        engine = solve_problem(p).to_dict() if p.kind == "bound" else None  # the real engine finds C and its point
        got = obtain_certificate(p, engine, seconds=90)  # generous: the machine may be loaded
        assert got.found, (p.id, got.reason)
        out[p.id] = got.certificate
    return out


@pytest.mark.parametrize("pid", ["amgm", "three"])
def test_planted_true_inequalities_give_a_gated_proof_in_three_renderings(certs, pid):
    problem = {"amgm": AMGM, "three": THREE}[pid]
    w = write_proof(certs[pid], problem, check_lean_file=False)
    assert w.verified and w.emitted, w.reason
    assert w.gate.passed and set(w.gate.verdicts) == {"numeric_computation", "numeric_approximation"}
    assert "## Proof" in w.markdown and "## Equality" in w.markdown and "qed check certificate.json" in w.markdown
    # the .tex is a whole document with the same displayed formulas
    assert w.tex.startswith("\\documentclass") and w.tex.rstrip().endswith("\\end{document}")
    assert w.tex.count("{") == w.tex.count("}")
    first_identity = next(d.tex for d in explain(certs[pid]).displays() if d.kind == "identity")
    assert first_identity.split(" = ")[0][:40] in w.tex
    # Lean: the claim with its hypotheses, and nlinarith hints built from the certificate's squares
    assert "theorem qed_claim" in w.lean.text and "(h0 : 0 < a)" in w.lean.text
    assert "nlinarith [" in w.lean.text and "sq_nonneg (" in w.lean.text


def test_bound_proof_says_why_no_larger_constant_works(certs):
    w = write_proof(certs["bound"], BOUND, check_lean_file=False)
    assert w.emitted, w.reason
    assert "## No larger constant works" in w.markdown and "C = 4" in w.markdown
    assert "\\ge 4" in w.lean.text or "≥ 4" in w.lean.text


def test_false_statement_gives_a_checked_refutation_and_no_lean(certs):
    w = write_proof(certs["false"], FALSE, check_lean_file=False)
    assert w.emitted and w.refutes and w.lean is None
    assert "## Counterexample" in w.markdown


def test_a_proof_step_altered_by_hand_fails_the_judges_and_is_not_emitted(certs):
    doc = explain(certs["three"])
    md, gate = gated(doc, THREE)
    assert md is not None and gate.passed
    identity = next(b for b in doc.blocks if isinstance(b, Display) and b.kind == "identity" and " = " in b.tex)
    left, right = identity.tex.split(" = ", 1)
    identity.tex = f"{left} = 3 {right}" if not right.startswith("-") else f"{left} = 3 \\left({right}\\right)"
    md, gate = gated(doc, THREE)
    assert md is None and not gate.passed
    assert gate.verdicts["numeric_computation"]["verdict"] == "fail"


def test_a_decimal_in_a_step_fails_the_approximation_judge(certs):
    doc = explain(certs["amgm"])
    value = next(b for b in doc.blocks if isinstance(b, Display) and b.kind == "value")
    value.tex = value.tex + r" = \sqrt{4} \cdot \frac{\sqrt{2}}{1.414}"  # a rounded decimal used as exact
    md, gate = gated(doc, AMGM)
    assert md is None and gate.verdicts["numeric_approximation"]["verdict"] == "fail"


def test_a_certificate_with_one_wrong_coefficient_is_never_written(certs):
    bad = copy.deepcopy(certs["amgm"])
    text = json.dumps(bad)
    assert '"c": "1"' in text or '"c": "2"' in text
    bad = json.loads(text.replace('"c": "1"', '"c": "3"', 1) if '"c": "1"' in text else text.replace('"c": "2"', '"c": "5"', 1))
    w = write_proof(bad, AMGM, check_lean_file=False)
    assert not w.verified and not w.emitted and "does not re-verify" in w.reason


_LEAN_MISSING = [what for what, ok in (("`lean` on PATH", shutil.which("lean")), ("`lake` on PATH", shutil.which("lake")),
                                       ("QED_LEAN_PROJECT", os.environ.get("QED_LEAN_PROJECT"))) if not ok]


def test_lean_check_reports_unavailable_without_a_toolchain(certs):
    if not _LEAN_MISSING:
        pytest.skip("a Lean toolchain is configured here; the real check runs below")
    lf = lean_file(certs["amgm"], check=True)
    assert lf.status == "unavailable" and lf.reason and lf.text.startswith("import Mathlib")


@pytest.mark.skipif(bool(_LEAN_MISSING), reason="needs a Lean 4 toolchain with Mathlib; missing: " + ", ".join(_LEAN_MISSING))
@pytest.mark.parametrize("pid", ["amgm", "three", "bound"])
def test_lean_proves_the_rendered_claim(certs, pid):
    lf = lean_file(certs[pid], check=True, timeout_s=900)
    assert lf.status == "proved", lf.reason


def _scripted(tmp_path, reply: str) -> ScriptedModel:
    path = tmp_path / "rewrite.json"
    path.write_text(json.dumps({"rules": [{"match": "Proof to rewrite", "reply": reply}]}))
    return ScriptedModel(path)


def test_a_rewrite_that_keeps_the_formulas_and_passes_the_judges_is_emitted(certs, tmp_path):
    computed = write_proof(certs["amgm"], AMGM, check_lean_file=False).markdown
    reworded = computed.replace("holds as an identity of polynomials (expand both sides)",
                                "is checked by expanding both sides")
    assert reworded != computed
    w = write_proof(certs["amgm"], AMGM, _scripted(tmp_path, reworded), check_lean_file=False)
    assert w.rewrite.accepted, w.rewrite.reason
    assert w.markdown == reworded and w.computed_markdown == computed


def test_a_rewrite_that_breaks_a_step_is_refused_and_the_computed_proof_kept(certs, tmp_path):
    computed = write_proof(certs["three"], THREE, check_lean_file=False).markdown
    lines = computed.split("\n")
    k = next(i for i, line in enumerate(lines) if line == "$$" and " = " in lines[i + 1])
    left, right = lines[k + 1].split(" = ", 1)
    lines[k + 1] = f"{left} = 2 \\left({right}\\right)"
    broken = "\n".join(lines)
    w = write_proof(certs["three"], THREE, _scripted(tmp_path, broken), check_lean_file=False)
    assert not w.rewrite.accepted and "drops or alters a displayed formula" in w.rewrite.reason
    assert w.markdown == computed and w.computed_markdown is None
    assert any("rewrite refused" in n for n in w.notes)


def test_a_rewrite_that_keeps_displays_but_adds_a_wrong_computation_is_refused(certs, tmp_path):
    computed = write_proof(certs["amgm"], AMGM, check_lean_file=False).markdown
    wrong = computed.replace("## Equality", "Note that $2 + 2 = 5$.\n\n## Equality")
    w = write_proof(certs["amgm"], AMGM, _scripted(tmp_path, wrong), check_lean_file=False)
    assert not w.rewrite.accepted and "fails the judges" in w.rewrite.reason
    assert w.markdown == computed


def test_a_step_the_computation_judge_cannot_check_keeps_the_proof_back(certs):
    doc = explain(certs["amgm"])
    step = next(b for b in doc.blocks if isinstance(b, Display) and b.kind == "inequality")
    step.tex = r"\mathcal{W}\left(a\right) \ge 0"  # nothing any judge can recompute
    md, gate = gated(doc, AMGM)
    assert md is None and gate.verdicts["numeric_computation"]["gate"] == "fail"
