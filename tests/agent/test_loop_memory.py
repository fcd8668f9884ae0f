"""Memory across runs: what one solve learns, the next recalls, with where it came from."""

from __future__ import annotations

from qed.agent.config import LoopConfig
from qed.memory import open_memory
from qed.problems.record import Problem

from tests.agent.loop_helpers import calls, make_solver, roles_script

FIRST = Problem(
    id="weighted-amgm",
    statement="Let $x, y$ be positive real numbers. Find the largest constant $C$ such that the "
    "following inequality holds for all $x, y$:\n$$\n\\frac{x}{y}+\\frac{9 y}{x} \\geq C\n$$",
    kind="bound",
    answer="$$C = 6$$",
)
SECOND = Problem(
    id="weighted-amgm-again",
    statement="Let $a, b$ be positive real numbers. Find the largest constant $C$ such that the "
    "following inequality holds for all $a, b$:\n$$\n\\frac{a}{b}+\\frac{9 b}{a} \\geq C\n$$",
    kind="bound",
    answer="$$C = 6$$",
)
RIGHT = "By AM-GM, the sum is at least 2*sqrt(9) = 6, with equality when the first term is 3.\nThe answer is $C = 6$."


def test_a_second_run_recalls_what_the_first_run_learned(tmp_path):
    spec = roles_script(tmp_path, [RIGHT], ["VERDICT: PASS"], ["VERDICT: ACCEPT"])
    loop = LoopConfig(use_engine=True, use_memory=True, proofs=False)  # memory flows through drafts
    mem_path = tmp_path / "memory.db"

    first, first_run = make_solver(tmp_path, spec, loop)
    first.options.memory = open_memory(mem_path, seed_library=False, embeddings=False)
    [done] = first.solve_all([FIRST])
    first.close()
    assert done["outcome"] == "solved"
    learned = set(done["memory"]["written"])
    assert any(i.startswith("lem-") for i in learned), "a certified bound becomes a lemma"

    second, second_run = make_solver(tmp_path, spec, loop)
    second.options.memory = open_memory(mem_path, seed_library=False, embeddings=False)
    [result] = second.solve_all([SECOND])
    second.close()

    assert set(result["memory"]["recalled"]) & learned, "knowledge from run 1 was recalled in run 2"
    prompt = [c for c in calls(second_run) if c["node"] == "generate"][0]["messages"]
    assert first_run.path.name in prompt, "each recalled item carries the run it came from"
