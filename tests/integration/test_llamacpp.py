"""The loop against a real llama.cpp server on 127.0.0.1, through the OpenAI-compatible client."""

from __future__ import annotations

import pytest
from qed.agent.config import LoopConfig, QedConfig
from qed.agent.runs import RunDir
from qed.agent.session import RunSession
from qed.agent.solve import SolveOptions, Solver
from qed.models.base import CallOptions, Message
from qed.models.catalog import TEST_MODEL
from qed.models.local_backend import LocalModel
from qed.models.openai_backend import OpenAIModel
from qed.models.roles import ROLES, RoleSpecs
from qed.problems.record import Problem

from tests.agent.loop_helpers import calls

pytestmark = pytest.mark.integration

PROBLEM = Problem(
    id="sq-sum",
    statement="Let $a, b$ be positive real numbers with $a+b=2$. Find the largest constant $C$ "
    "such that $a^2+b^2 \\geq C$ for all such $a, b$.",
    kind="bound",
    answer="$$C = 2$$",
)
SMALL = LoopConfig(max_rounds=1, generate_max_tokens=48, followup_max_tokens=16, verify_max_tokens=24,
                   review_max_tokens=24, use_memory=False,
                   proofs=False)  # the model must draft: a computed proof would settle the problem first


def _solver(tmp_path, spec: str, loop: LoopConfig = SMALL) -> tuple[Solver, RunDir]:
    config = QedConfig(RoleSpecs({r: spec for r in ROLES}), loop)
    run = RunDir.create("solve", "integration", root=tmp_path / "runs")
    run.write_config({"command": "solve", "source": "test", **config.to_dict()})
    return Solver(config, RunSession(run, config.roles), SolveOptions()), run


def test_streams_tokens_from_a_real_server(llama_server):
    model = OpenAIModel(TEST_MODEL, llama_server.base_url + "/v1")
    pieces: list[str] = []
    result = model.chat([Message("user", "Say hello.")], CallOptions(max_tokens=12), on_token=pieces.append)
    assert result.text == "".join(pieces) and result.text
    assert result.usage.completion_tokens > 0 and result.usage.prompt_tokens > 0
    assert result.finish_reason in {"stop", "length"}


def test_one_problem_through_the_graph_with_the_openai_backend(llama_server, tmp_path):
    solver, run = _solver(tmp_path, f"openai:{TEST_MODEL}@{llama_server.base_url}/v1")
    [result] = solver.solve_all([PROBLEM])
    solver.close()

    assert result["outcome"] in {"solved", "abstained"}, result
    assert result["error"] is None
    assert result["rounds"] == 1 and result["tokens"]["completion"] > 0
    logged = calls(run)
    assert {c["node"] for c in logged} >= {"generate", "self_verify"}
    assert all(c["error"] is None and c["latency_s"] > 0 for c in logged)
    assert run.results() == [result]


def test_a_server_that_dies_mid_run_fails_its_problems_and_the_batch_goes_on(llama_server, tmp_path):
    solver, run = _solver(tmp_path, f"openai:{TEST_MODEL}@{llama_server.base_url}/v1")
    problems = [PROBLEM, Problem(id="second", statement=PROBLEM.statement, kind="bound"),
                Problem(id="third", statement=PROBLEM.statement, kind="bound")]
    seen: list[str] = []

    def kill_after_first(event):
        if event.get("event") == "problem_end":
            seen.append(event["result"]["problem_id"])
            if len(seen) == 1:
                llama_server.stop()

    solver.on_event = kill_after_first
    results = solver.solve_all(problems)
    solver.close()

    assert [r["problem_id"] for r in results] == ["sq-sum", "second", "third"]
    assert results[0]["outcome"] != "error"
    for r in results[1:]:
        assert r["outcome"] == "error"
        assert "cannot reach the server" in r["error"] and r["error"].startswith("generate: ")
    assert len(run.results()) == 3


def test_the_local_backend_restarts_a_worker_that_died(test_model_path, tmp_path):
    model = LocalModel(TEST_MODEL)
    first = model.chat([Message("user", "Say one word.")], CallOptions(max_tokens=4))
    assert first.text
    model.server.proc.kill()
    model.server.proc.wait()
    again = model.chat([Message("user", "Say one word.")], CallOptions(max_tokens=4))
    assert again.text and model.server.alive and model.server.restarts == 1
    model.close()  # the last model using the shared worker stops it
    assert not model.server.alive
