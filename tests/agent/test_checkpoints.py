"""A patched checkpoint cannot run code: the strict reader rebuilds QED's plain state and nothing else."""

from __future__ import annotations

import sqlite3

import pytest
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.types import Interrupt
from qed.agent.checkpoints import CheckpointRefused, StrictSerializer, verify_checkpoints
from qed.agent.runs import RunDir

from tests.agent.checkpoint_attack import patch_a_pending_write, patch_latest_checkpoint
from tests.agent.loop_helpers import BOUND, make_solver, roles_script


def _finished_run(tmp_path):
    spec = roles_script(tmp_path, ["By AM-GM the sum is at least 2.\nThe answer is $C = 2$."], ["VERDICT: PASS"],
                        ["VERDICT: ACCEPT"])
    solver, run = make_solver(tmp_path, spec)
    [result] = solver.solve_all([BOUND])
    solver.close()
    assert result["outcome"] == "solved"
    return spec, run


def test_the_patched_checkpoint_is_a_real_attack_under_the_permissive_reader(tmp_path):
    _, run = _finished_run(tmp_path)
    marker = tmp_path / "pwned"
    patch_latest_checkpoint(run.file(RunDir.CHECKPOINTS), BOUND.id, marker)
    permissive = JsonPlusSerializer(allowed_msgpack_modules=True)  # LangGraph's default without LANGGRAPH_STRICT_MSGPACK
    with sqlite3.connect(run.file(RunDir.CHECKPOINTS), check_same_thread=False) as conn:
        SqliteSaver(conn, serde=permissive).get_tuple({"configurable": {"thread_id": BOUND.id}})
    assert marker.exists(), "reading the patched checkpoint ran the shell command"


def test_the_strict_reader_refuses_the_patched_checkpoint_and_runs_nothing(tmp_path):
    spec, run = _finished_run(tmp_path)
    marker = tmp_path / "pwned"
    patch_latest_checkpoint(run.file(RunDir.CHECKPOINTS), BOUND.id, marker)
    with pytest.raises(CheckpointRefused, match="it names os.system, which QED never writes") as e:
        verify_checkpoints(run.file(RunDir.CHECKPOINTS))
    assert "\n" not in str(e.value) and "refusing to resume" in str(e.value)

    run.file(RunDir.RESULTS).unlink()  # as if the run had been killed before recording its result
    solver, _ = make_solver(tmp_path, spec, run=run)
    [result] = solver.solve_all([BOUND])
    solver.close()
    assert not marker.exists()
    assert result["outcome"] == "error" and "os.system" in result["error"]


def test_a_patched_pending_write_is_refused_too(tmp_path):
    _, run = _finished_run(tmp_path)
    marker = tmp_path / "pwned"
    patch_a_pending_write(run.file(RunDir.CHECKPOINTS), marker)
    with pytest.raises(CheckpointRefused, match="pending write .* os.system"):
        verify_checkpoints(run.file(RunDir.CHECKPOINTS))
    assert not marker.exists()


def test_an_untouched_run_verifies(tmp_path):
    _, run = _finished_run(tmp_path)
    assert verify_checkpoints(run.file(RunDir.CHECKPOINTS)) > 0


@pytest.mark.parametrize("kind", ["pickle", "json", "bytes"])
def test_values_stored_in_other_formats_are_refused(kind):
    with pytest.raises(CheckpointRefused, match=f"stored as '{kind}'"):
        StrictSerializer().loads_typed((kind, b"cos\nsystem\n(S'true'\ntR."))


def test_loop_state_and_langgraph_interrupts_round_trip():
    serde = StrictSerializer()
    state = {"problem": {"id": "p", "statement": "x ≥ 0"}, "round": 2, "checks": [{"verdict": "pass", "score": 0.5}],
             "answer": None, "ok": True, "__interrupt__": [Interrupt(value={"proposal": "accept"}, id="abc")]}
    back = serde.loads_typed(serde.dumps_typed(state))
    assert back["__interrupt__"][0] == Interrupt(value={"proposal": "accept"}, id="abc")
    assert {k: v for k, v in back.items() if k != "__interrupt__"} == {k: v for k, v in state.items() if k != "__interrupt__"}


def test_types_langgraph_calls_safe_are_not_rebuilt_either():
    from datetime import datetime
    from uuid import uuid4

    serde = StrictSerializer()
    for value in (datetime(2025, 1, 1), uuid4(), {1, 2}):
        with pytest.raises(CheckpointRefused, match="QED never writes"):
            serde.loads_typed(serde.dumps_typed({"v": value}))
