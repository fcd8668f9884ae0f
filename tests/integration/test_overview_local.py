"""The overview in words with a real llama.cpp server: one bounded call after computation settled
the problem; whatever the small model writes, the computed proof is kept whole."""

from __future__ import annotations

import pytest
from qed.agent.config import LoopConfig
from qed.models.catalog import TEST_MODEL

from tests.agent.loop_helpers import calls
from tests.integration.test_llamacpp import PROBLEM, _solver

pytestmark = pytest.mark.integration


def test_a_settled_problem_gets_one_overview_call_and_keeps_its_proof(llama_server, tmp_path):
    loop = LoopConfig(max_rounds=1, use_memory=False, present=True, present_style="overview", overview_max_tokens=48)
    solver, run = _solver(tmp_path, f"openai:{TEST_MODEL}@{llama_server.base_url}/v1", loop)
    [result] = solver.solve_all([PROBLEM])
    solver.close()

    assert result["outcome"] == "solved" and result["rounds"] == 0 and result["proof"]["status"] == "proved"
    [call] = calls(run)
    assert call["node"] == "present" and call["error"] is None and "Outline of the checked proof" in call["messages"]
    folder = run.path / result["proof"]["path"].rsplit("/", 1)[0]
    shown = (folder / "proof.md").read_text()
    if result["proof"]["rewrite"]:  # accepted: labelled, above the unchanged computed proof
        computed = (folder / "proof.computed.md").read_text()
        assert "> **In words** (written by" in shown and shown.endswith(computed.split("\n", 1)[1])
    else:
        assert not (folder / "proof.computed.md").exists() and "In words" not in shown
