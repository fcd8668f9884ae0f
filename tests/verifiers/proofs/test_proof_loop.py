"""The loop computes first: a certified answer with a proof is only presented, never drafted;
without one the loop drafts with the engine's partial evidence. Proof files land in the run folder."""

from __future__ import annotations

import json

from qed.agent.config import LoopConfig
from qed.problems.record import Problem
from qed.verifiers.certificates.check import check_certificate, load_certificate
from qed.verifiers.engine import solve_problem
from qed.verifiers.proofs.pipeline import prove_problem

from tests.agent.loop_helpers import calls, make_solver, roles_script

WEIGHTED = Problem(
    id="weighted-amgm", kind="bound", answer="$$C = 6$$",
    statement="Let $x, y$ be positive real numbers. Find the largest constant $C$ such that the "
    "following inequality holds for all $x, y$:\n$$\n\\frac{x}{y}+\\frac{9 y}{x} \\geq C\n$$",
)
THREE = Problem("three-amgm", "Let $a, b, c$ be positive real numbers. Prove that\n$$(a+b)(b+c)(c+a) \\geq 8abc.$$",
                kind="proof")
FALSE = Problem("too-strong", "Let $a, b$ be positive real numbers. Prove that $$a^2+b^2 \\geq 3ab.$$", kind="proof")
WRONG = "At x = y the sum is 10, so the answer is $C = 10$."
COMPUTE = LoopConfig(use_engine=True, use_memory=False, max_rounds=2)


def test_a_certified_answer_with_a_proof_is_not_drafted_and_its_files_are_written(tmp_path):
    spec = roles_script(tmp_path, [WRONG], ["VERDICT: PASS"], ["VERDICT: ACCEPT"])
    solver, run = make_solver(tmp_path, spec, COMPUTE)
    [result] = solver.solve_all([WEIGHTED])
    solver.close()

    assert result["outcome"] == "solved" and result["correct"] is True and result["answer"] == "$$C = 6$$"
    assert result["rounds"] == 0 and calls(run) == [], "no model call: the proof was computed"
    assert "computed first" in result["reason"]
    proof = result["proof"]
    assert proof["status"] == "proved" and proof["verified"] and proof["judged"] and proof["method"]
    folder = run.path / "problems" / "weighted-amgm"
    assert proof["path"] == "problems/weighted-amgm/proof.md"
    assert {p.name for p in folder.iterdir()} >= {"proof.md", "proof.tex", "certificate.json", "proof.lean"}
    md = (folder / "proof.md").read_text()
    assert "No larger constant works" in md and "C = 6" in md
    assert check_certificate(load_certificate(str(folder / "certificate.json"))).valid
    assert json.loads(run.file("results.jsonl").read_text().splitlines()[0])["proof"]["path"] == proof["path"]
    row = next(line for line in run.file("summary.md").read_text().splitlines() if line.startswith("| weighted-amgm |"))
    assert row.startswith("| weighted-amgm | bound | solved | $$C = 6$$ | engine (certified by z3, cvc5) | yes | 0 | 0 |") and row.endswith("| proved |")


def test_a_statement_to_prove_is_proved_and_a_false_one_refuted_without_drafts(tmp_path):
    spec = roles_script(tmp_path, ["I give up."], ["VERDICT: PASS"], ["VERDICT: ACCEPT"])
    solver, run = make_solver(tmp_path, spec, COMPUTE)
    proved, refuted = solver.solve_all([THREE, FALSE])
    solver.close()

    assert proved["outcome"] == "solved" and proved["proof"]["status"] == "proved" and proved["rounds"] == 0
    assert refuted["outcome"] == "refuted" and refuted["proof"]["status"] == "refuted" and refuted["rounds"] == 0
    text = (run.path / refuted["proof"]["path"]).read_text()
    assert "Counterexample" in text and not (run.path / "problems" / "too-strong" / "proof.lean").exists()
    assert calls(run) == []


def test_without_a_proof_the_loop_drafts_with_the_engines_partial_evidence(tmp_path):
    spec = roles_script(tmp_path, [WRONG], ["VERDICT: PASS"], ["VERDICT: ACCEPT"])
    loop = LoopConfig(use_engine=True, use_memory=False, max_rounds=1, certificate_seconds=0.0)  # no time to certify
    solver, run = make_solver(tmp_path, spec, loop)
    [result] = solver.solve_all([WEIGHTED])
    solver.close()

    assert result["rounds"] == 1 and result["proof"]["status"] == "none" and result["proof"]["path"] is None
    prompt = [c for c in calls(run) if c["node"] == "generate"][0]["messages"]
    assert "Computation already established" in prompt
    assert "C = 6" in prompt and "attained at x =" in prompt, "the candidate constant and its point feed the draft"
    assert result["outcome"] == "solved" and result["answer"] == "$$C = 6$$", "the engine's answer still stands"


def _computed_markdown(problem: Problem) -> str:
    engine = solve_problem(problem).to_dict() if problem.kind == "bound" else None
    record = prove_problem(problem, engine, check_lean=False)
    assert record["emitted"], record["reason"]
    return record["markdown"]


def test_presentation_uses_a_rewrite_only_when_it_keeps_the_proof(tmp_path):
    computed = _computed_markdown(THREE)
    kept = computed.replace("holds as an identity of polynomials (expand both sides)", "is seen by expanding")
    lines = computed.split("\n")
    k = next(i for i, line in enumerate(lines) if line == "$$" and " = " in lines[i + 1])
    left, right = lines[k + 1].split(" = ", 1)
    lines[k + 1] = f"{left} = 2 \\left({right}\\right)"
    broken = "\n".join(lines)
    for reply, accepted in ((kept, True), (broken, False)):
        where = tmp_path / ("ok" if accepted else "bad")
        where.mkdir()
        spec = roles_script(where, ["unused"], ["VERDICT: PASS"], ["VERDICT: ACCEPT"])
        spec.write_text(json.dumps({"rules": [{"match": "Proof to rewrite", "reply": reply}]}))
        loop = LoopConfig(use_engine=True, use_memory=False, present=True, present_max_tokens=4000)
        solver, run = make_solver(where, spec, loop)
        [result] = solver.solve_all([THREE])
        solver.close()

        assert result["outcome"] == "solved" and result["rounds"] == 0
        assert [c["node"] for c in calls(run)] == ["present"], "one bounded presentation call"
        assert result["proof"]["rewrite"] is accepted
        folder = run.path / "problems" / "three-amgm"
        assert (folder / "proof.md").read_text() == (kept if accepted else computed)
        assert (folder / "proof.computed.md").exists() is accepted


def test_the_symbolic_solver_proves_statements_too(tmp_path):
    from qed.agent.config import QedConfig
    from qed.agent.runs import RunDir
    from qed.agent.session import RunSession
    from qed.agent.solve import SolveOptions, Solver

    run = RunDir.create("solve", "symbolic", root=tmp_path / "runs")
    run.write_config({"command": "solve", "source": "test", "solver": "symbolic"})
    solver = Solver(QedConfig(), RunSession(run), SolveOptions(solver="symbolic"))
    proved, bound = solver.solve_all([THREE, WEIGHTED])
    solver.close()
    assert proved["outcome"] == "solved" and proved["proof"]["status"] == "proved"
    assert bound["correct"] is True and bound["proof"]["status"] == "proved"
    assert (run.path / bound["proof"]["path"]).is_file()
