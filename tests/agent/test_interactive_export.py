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
