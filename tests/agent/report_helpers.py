"""Run folders for report tests: real solver runs (scripted models, the engine) and hostile ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qed.agent.config import LoopConfig
from qed.agent.runs import RunDir
from qed.models.calllog import CallLog
from qed.problems.record import Problem

from tests.agent.loop_helpers import BOUND, make_solver, roles_script

XSS = "<script>window.__pwned = 1; document.title = 'pwned'</script>"
IMG = '<img src="http://127.0.0.1:9/x.png" onerror="window.__pwned = 2">'
BREAK_OUT = '"><b id="broke-out">x</b>'
MATH_XSS = r"$\text{<script>window.__pwned = 3</script>}$"
HOSTILE = f"{XSS} {IMG} {BREAK_OUT} {MATH_XSS}"

ABSTAIN = Problem(
    id="no-answer",
    statement="Let $x > 0$. Find the largest constant $C$ such that $x + \\frac{1}{x} \\geq C$.",
    kind="bound", answer="$$C = 2$$")


def scripted_run(tmp_path: Path) -> RunDir:
    """A real loop run with the scripted model: one problem solved in round 2, one abstained."""
    spec = roles_script(
        tmp_path,
        ["By AM-GM, $\\frac{a}{b} + \\frac{b}{a} \\geq 2$, with equality at $a = b$.\nThe answer is $C = 2$."],
        ["VERDICT: FAIL\nthe equality case is not checked", "VERDICT: PASS"],
        ["VERDICT: ACCEPT", "VERDICT: ACCEPT", "VERDICT: REJECT\nno argument", "VERDICT: REJECT\nno argument"],
    )
    solver, run = make_solver(tmp_path, spec, LoopConfig(use_engine=False, use_memory=False, max_rounds=2))
    try:
        solver.solve_all([BOUND, ABSTAIN])
    finally:
        solver.close()
    return run


def hostile_run(tmp_path: Path, run: RunDir | None = None) -> RunDir:
    """A run folder someone sent: every text field carries markup and script (added to `run`'s
    results when given)."""
    if run is None:
        run = RunDir.create("solve", "hostile", root=tmp_path / "runs")
        run.write_config({"command": "solve", "source": HOSTILE, "solver": "loop",
                          "models": {"generator": HOSTILE}, "started": HOSTILE})
    record: dict[str, Any] = {
        "problem_id": f"evil-{XSS}", "kind": "relation", "source": HOSTILE, "statement": f"Find $C$. {HOSTILE}",
        "outcome": "solved", "answer": f"$$C = 2$$ {XSS}", "gold": f"$$C = 2$$ {IMG}", "correct": True,
        "rounds": 1, "tokens": {"prompt": 5, "completion": 7}, "calls": 1, "seconds": 0.5,
        "reason": HOSTILE, "error": HOSTILE,
        "drafts": [{"round": 1, "answer": HOSTILE, "truncated": False}],
        "evidence": {"checks": [{"round": 1, "stage": HOSTILE, "verdict": HOSTILE, "summary": HOSTILE,
                                 "evidence": {"reply": HOSTILE, HOSTILE: HOSTILE}}],
                     "engine": {"status": HOSTILE, "answer": XSS, "certified": True,
                                "evidence": {"summary": HOSTILE, "certificate": {"claim": HOSTILE}}}},
        "proof": {"path": "problems/evil/proof.md", "method": HOSTILE, "verified": True},
    }
    run.append_result(record)
    folder = run.path / "problems" / "evil"
    folder.mkdir(parents=True)
    (folder / "proof.md").write_text(
        f"# Proof {XSS}\n\n{IMG}\n\n[click](javascript:window.__pwned=4) ![i](http://127.0.0.1:9/i.png)\n\n"
        f"We have $$\\frac{{a}}{{b}} \\geq 0$$ {MATH_XSS}\n", encoding="utf-8")
    (folder / "certificate.json").write_text(json.dumps({"format": HOSTILE, "claim": {"lhs": HOSTILE, "rhs": XSS,
                                                          "relation": IMG, "variables": [HOSTILE]}}))
    log = CallLog(run.file(RunDir.CALLS))
    log.record(ts=0.0, role=HOSTILE, spec=HOSTILE, model=HOSTILE, problem_id=record["problem_id"], node=HOSTILE,
               messages=json.dumps([{"role": "user", "content": HOSTILE}]), response=HOSTILE, prompt_tokens=5,
               completion_tokens=7, latency_s=0.25, finish_reason=HOSTILE, error=HOSTILE, options="{}")
    log.close()
    return run


def results_run(tmp_path: Path, name: str, records: list[dict[str, Any]], source: str = "") -> RunDir:
    """A run folder holding the given results (as `qed solve` writes them)."""
    run = RunDir.create("solve", name, root=tmp_path / "runs")
    run.write_config({"command": "solve", "source": source, "solver": "symbolic", "problems": len(records)})
    for r in records:
        run.append_result({"tokens": {"prompt": 0, "completion": 0}, "calls": 0, "seconds": 1.0, "rounds": 0,
                           "drafts": [], "evidence": {"checks": []}, "error": None, "reason": None, **r})
    return run


def result(pid: str, kind: str, outcome: str, answer: str | None, gold: str | None,
           correct: bool | None, **extra: Any) -> dict[str, Any]:
    return {"problem_id": pid, "kind": kind, "outcome": outcome, "answer": answer, "gold": gold,
            "correct": correct, **extra}
