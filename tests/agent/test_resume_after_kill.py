"""A process killed between a node's saved writes and its step's checkpoint resumes past that node.

LangGraph saves a finished node's writes at once and the step's checkpoint a moment later, in
another thread. A kill -9 in between (two `--jobs` contending for one checkpoint file widen the
gap) leaves the previous checkpoint with the node's writes pending. Such a thread is not finished:
it has to be resumed from there, not solved again from `compute`.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from qed.agent.runs import RunDir
from qed.problems.record import Problem

from tests.agent.loop_helpers import calls, make_solver, roles_script

PRIME = Problem(id="prime", statement="What is the smallest prime greater than 10?", kind="open", answer="11")


def _spec(tmp_path: Path) -> Path:
    return roles_script(tmp_path, ["Checking primes in order.\nThe answer is 11."], ["VERDICT: PASS"],
                        ["VERDICT: ACCEPT"])


def _die_after_writes_of(tmp_path: str, run_path: str, node: str) -> None:
    """In a child: solve PRIME, and die (-9) once `node`'s writes are on disk but not its checkpoint."""
    solver, _ = make_solver(Path(tmp_path), _spec(Path(tmp_path)), run=RunDir(Path(run_path)))
    saver = solver.session.checkpointer()
    put_writes, put = saver.put_writes, saver.put
    written = threading.Event()

    def writes_then_mark(config: Any, writes: Any, task_id: str, task_path: str = "") -> None:
        put_writes(config, writes, task_id, task_path)
        if task_path.endswith(f", {node}"):
            written.set()

    def die_before_checkpoint_after_node(config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
        if node in checkpoint["versions_seen"]:  # the checkpoint that would record `node` as done
            written.wait(30)
            os.kill(os.getpid(), 9)
        return put(config, checkpoint, metadata, new_versions)

    saver.put_writes, saver.put = writes_then_mark, die_before_checkpoint_after_node
    solver.solve_one(PRIME)
    os._exit(0)  # never reached when the kill happened


@pytest.mark.parametrize("node", ["self_verify", "execute", "review"])
def test_a_problem_killed_after_a_nodes_writes_resumes_past_that_node(tmp_path, node):
    solver, run = make_solver(tmp_path, _spec(tmp_path))
    solver.close()
    child = multiprocessing.get_context("spawn").Process(target=_die_after_writes_of,
                                                         args=(str(tmp_path), str(run.path), node))
    child.start()
    child.join(120)
    assert child.exitcode == -9, "the child was killed between the node's writes and its checkpoint"
    before = [c["node"] for c in calls(run)]
    assert before.count("generate") == 1 and node in before, before

    events: list[dict[str, Any]] = []
    solver, _ = make_solver(tmp_path, _spec(tmp_path), run=run)
    solver.on_event = events.append
    try:
        result = solver.solve_one(PRIME)
    finally:
        solver.close()
    assert result["outcome"] == "solved" and result["answer"] == "11", result
    statuses = [e["text"] for e in events if e.get("event") == "status"]
    assert any(s.startswith("resuming at ") for s in statuses), statuses
    after = [c["node"] for c in calls(run)]
    assert after.count("generate") == 1, "the draft written before the kill is not written again"
    assert after.count(node) == before.count(node), f"{node} finished before the kill; it does not run again"
    assert "review" in after, "the loop went on to the end"
