"""/export: the proof with its certificates and evidence; Lean states the problem, marked unchecked."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from qed.agent.interactive.actions import claim
from qed.agent.interactive.export import ExportError, export

from tests.agent.checkpoint_attack import patch_latest_checkpoint
from tests.cli.cli_helpers import qed_env

PROBLEM = {"id": "p1", "statement": r"Let $a, b > 0$. Prove that $a^2+b^2 \ge 2ab$.", "kind": "proof", "answer": None,
           "choices": None, "solution": None, "source": "test", "metadata": {}, "proofs": []}


def _state(proof: str | None):
    update = claim({"problem": PROBLEM, "entries": []}, None, r"a^2 + b^2 \ge 2ab")  # type: ignore[arg-type]
    update["entries"][0]["n"] = 1
    return {"problem": PROBLEM, "entries": update["entries"], "proof_text": proof}


def test_each_certificate_is_written_beside_the_export_and_rechecks(tmp_path):
    written = export(_state("Since $(a-b)^2 \\ge 0$, expanding gives the claim. QED"), "md", tmp_path / "p.md")
    assert [p.name for p in written] == ["p.md", "p.cert-1.json", "p.evidence.json"]
    r = subprocess.run([sys.executable, "-m", "qed.cli", "check", str(tmp_path / "p.cert-1.json")],
                       capture_output=True, text=True, env=qed_env(tmp_path), timeout=120)
    assert r.returncode == 0, r.stdout
    assert json.loads((tmp_path / "p.evidence.json").read_text())[0]["verdict"] == "certified"


def test_lean_export_states_the_theorem_and_says_it_is_unchecked(tmp_path):
    [lean, *_] = export(_state("Expand $(a-b)^2$. QED"), "lean", tmp_path / "p.lean")
    text = lean.read_text()
    assert "theorem qed_ineq (a b : ℝ)" in text and "NOT CHECKED" in text and "nlinarith" in text


def test_nothing_to_export_says_so():
    with pytest.raises(ExportError, match="no proof"):
        export(_state(None), "md", __import__("pathlib").Path("/nonexistent/x.md"))
    with pytest.raises(ExportError, match="md, tex, lean"):
        export(_state("x"), "pdf", __import__("pathlib").Path("/nonexistent/x.pdf"))


def test_resume_refuses_a_patched_checkpoint_before_anything_runs(tmp_path):
    from qed.agent.config import load_config
    from qed.agent.interactive.workbench import THREAD, Workbench
    from qed.agent.runs import RunDir
    from qed.agent.session import RunSession
    from qed.problems.record import Problem

    model = tmp_path / "m.json"
    model.write_text(json.dumps({"rules": [{"reply": "x"}]}))
    cfg = load_config(None, model=f"scripted:{model}")
    run = RunDir.create("session", "t", root=tmp_path / "runs")
    run.write_config({"command": "session"})
    with RunSession(run, cfg.roles) as rs:
        wb = Workbench(rs, cfg)
        wb.start(Problem.from_dict(dict(PROBLEM)))
        wb.step("proof", "mine")
    marker = tmp_path / "pwned"
    patch_latest_checkpoint(run.file(RunDir.CHECKPOINTS), THREAD, marker)
    r = subprocess.run([sys.executable, "-m", "qed.cli", "session", "--resume", str(run.path), "--model",
                        f"scripted:{model}", "--no-memory"], capture_output=True, text=True, env=qed_env(tmp_path),
                       cwd=tmp_path, timeout=120)
    assert r.returncode == 2 and "refusing to resume" in r.stderr and not marker.exists()


BOUND = {"id": "b1", "statement": "Let $x, y$ be positive real numbers. Find the largest constant $C$ such that "
         "$\\frac{x}{y}+\\frac{9 y}{x} \\geq C$ for all $x, y$.", "kind": "bound", "answer": None, "choices": None,
         "solution": None, "source": "test", "metadata": {}, "proofs": []}


def _proved_bound():
    from qed.agent.deps import LoopDeps
    from qed.agent.interactive.actions import prove
    from qed.verifiers.engine import solve_problem

    update = prove({"problem": BOUND, "entries": []}, LoopDeps(models={}, engine=solve_problem), "")
    update["entries"][0]["n"] = 1
    assert update["entries"][0]["verdict"] == "certified", update["entries"][0]["output"]
    return {"problem": BOUND, "entries": update["entries"], "proof_text": None}


def _reads_in_order(text: str, computed: str) -> bool:
    """Every line of the pipeline's Markdown (but its headings and the certificate's file name) is in
    `text`, in the same order."""
    at = 0
    for line in computed.splitlines():
        if not line.strip() or line.startswith("#") or "certificate.json" in line:
            continue
        at = text.find(line, at)
        if at < 0:
            return False
    return True


def test_a_certified_lemma_is_written_by_the_computed_proof_pipeline_after_the_persons_text(tmp_path):
    from qed.verifiers.proofs.write import write_proof

    state = _state("Since $(a-b)^2 \\ge 0$, expanding gives the claim. QED")
    md = export(state, "md", tmp_path / "p.md")[0].read_text()
    computed = write_proof(state["entries"][0]["evidence"]["certificate"], None, check_lean_file=False)
    after = md.split("### Computed proof of step 1", 1)
    assert len(after) == 2 and "**Proof.** Since $(a-b)^2" in after[0]
    assert _reads_in_order(after[1], computed.markdown), "the lemma's proof is the pipeline's text"
    assert "`qed check p.cert-1.json`" in after[1] and "certificate.json" not in md, "it names the file beside it"
    tex = export(state, "tex", tmp_path / "p.tex")[0].read_text()
    inner = computed.tex.split("\\begin{document}", 1)[1].split("\\end{document}", 1)[0].strip()
    title, body = inner.split("\n", 1)  # the pipeline's title line gives way to the step's heading
    assert "\\section*{Computed proof of step 1}\n" + body.replace("certificate.json", "p.cert-1.json") in tex
    assert "\\begin{proof}\nSince" in tex
    assert "\\section*{Evidence}" in tex and "certified" in tex


def test_a_session_proof_of_the_problem_reads_as_qed_solves_proof_file(tmp_path):
    from qed.problems.record import Problem
    from qed.verifiers.engine import solve_problem
    from qed.verifiers.proofs.pipeline import prove_problem

    state = _proved_bound()
    md = export(state, "md", tmp_path / "b.md")[0].read_text()
    problem = Problem.from_dict(dict(BOUND))
    solved = prove_problem(problem, solve_problem(problem, model=None).to_dict(), check_lean=False)
    assert solved["status"] == "proved"
    body = solved["markdown"].split("\n", 1)[1].strip().replace("certificate.json", "b.cert-1.json")
    assert md.startswith("id: b1\n") and f"**Proof.**\n\n{body}" in md, "the proof is the one `qed solve` writes"
    graded = subprocess.run([sys.executable, "-m", "qed.cli", "grade", str(tmp_path / "b.md"), "--judges", "numeric"],
                            capture_output=True, text=True, env=qed_env(tmp_path), cwd=tmp_path, timeout=300)
    assert graded.returncode == 0 and "pass 1" in graded.stdout, graded.stdout + graded.stderr


def test_lean_export_gives_each_certified_step_its_certificates_nlinarith_proof(tmp_path):
    from qed.verifiers.proofs.render_lean import lean_proof

    state = _state("Expand $(a-b)^2$. QED")
    text = export(state, "lean", tmp_path / "p.lean")[0].read_text()
    proof = lean_proof(state["entries"][0]["evidence"]["certificate"])
    assert proof.theorem.replace("theorem qed_claim", "theorem qed_step_1", 1) in text and proof.proof in text
    assert "Lean check:" in text and text.count("import Mathlib") == 1
