"""A session step killed between its node's saved writes and its checkpoint is not taken for a step.

LangGraph saves a finished node's writes at once and the step's checkpoint after them. The batch
resume once read `snapshot.next` of such a half-saved step as "finished" (see
test_resume_after_kill.py). The workbench finds finished steps with `not snapshot.next` too: here a
real kill -9 lands in that gap, and the resumed session must show the step as interrupted (to
/retry), list no half-saved checkpoint as a branch, and /goto only to finished steps.
"""

from __future__ import annotations

import os
import signal
import threading
from typing import Any

from qed.agent.interactive.workbench import Workbench
from qed.agent.runs import RunDir
from qed.agent.session import RunSession

from tests.agent.test_interactive_workbench import setup  # noqa: F401 - the fixture


def _die_in_the_gap_of_the_second_step(run: RunDir, cfg: Any, problem: Any) -> None:
    """In a child: two steps; the second is killed once its node's writes are saved, before its checkpoint."""
    with RunSession(run, cfg.roles) as rs:
        wb = Workbench(rs, cfg)
        wb.start(problem)
        wb.step("proof", "first")
        saver = rs.checkpointer()
        put_writes, put = saver.put_writes, saver.put
        written = threading.Event()

        def writes_then_mark(config: Any, writes: Any, task_id: str, task_path: str = "") -> None:
            put_writes(config, writes, task_id, task_path)
            if task_path.endswith(", act"):
                written.set()

        def die_before_the_steps_checkpoint(config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
            if checkpoint["channel_values"].get("proof_text") == "second":  # the one that records `act`
                written.wait(30)  # the writes go in another thread
                os.kill(os.getpid(), signal.SIGKILL)
            return put(config, checkpoint, metadata, new_versions)

        saver.put_writes, saver.put = writes_then_mark, die_before_the_steps_checkpoint
        wb.step("proof", "second")


def test_a_step_killed_after_its_writes_is_interrupted_not_finished(setup):  # noqa: F811
    cfg, problem, run = setup
    pid = os.fork()
    if pid == 0:
        try:
            _die_in_the_gap_of_the_second_step(run, cfg, problem)
        finally:
            os._exit(3)  # never reached when the kill happened
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, "killed in the gap"

    with RunSession(RunDir.open(run.path), cfg.roles) as rs:
        wb = Workbench(rs, cfg)
        half = [s for s in wb._all() if s.tasks and any(t.result is not None for t in s.tasks)]
        assert half, "the second step's writes were saved without its checkpoint"
        wb.resume()
        assert [e["input"] for e in wb.history()] == ["first"]
        step = wb.pending_step
        assert step is not None and (step.n, step.command, step.input) == (2, "proof", "second")
        [tip] = wb.branches()
        assert tip.last == "/proof first", "a half-saved step is no branch"
        assert wb.goto(0) == 0 and wb.history() == []
        assert wb.goto(1, tip.tip[-12:]) == 1 and wb.state()["proof_text"] == "first"
        [entry] = wb.retry()
        assert (entry["command"], entry["input"]) == ("proof", "second")
        assert [e["input"] for e in wb.history()] == ["first", "second"]
        assert sorted(b.last for b in wb.branches()) == ["/proof second"]
