"""A run session opens what a command needs and closes all of it, after an error or Ctrl-C too."""

from __future__ import annotations

import sqlite3

import pytest
from qed.agent.runs import RunDir
from qed.agent.session import RunSession, roles_for
from qed.models.base import ModelError
from qed.models.catalog import TEST_MODEL
from qed.models.local_backend import LocalServer
from qed.models.roles import ROLES, RoleSpecs
from qed.models.store import ModelStore

from tests.agent.loop_helpers import BOUND, make_solver, roles_script
from tests.models.fake_server import FakeModelServer


def _run(tmp_path) -> RunDir:
    return RunDir.create("solve", "session", root=tmp_path / "runs")


def _closed(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("select 1")
    except sqlite3.ProgrammingError:
        return True
    return False


def _opened(session: RunSession):
    """Everything a loop uses: models (a real HTTP client per distinct backend), log, checkpoints."""
    models = session.models()
    session.checkpointer()
    backends = {id(m.inner): m.inner for m in models.values()}
    conn = session._saver.conn  # noqa: SLF001 (the connection the session opened)
    return list(backends.values()), conn


@pytest.mark.parametrize("failure", [RuntimeError("a node crashed"), KeyboardInterrupt()], ids=["error", "ctrl-c"])
def test_everything_the_session_opened_is_closed_when_the_command_fails(tmp_path, failure):
    with FakeModelServer() as server:
        roles = RoleSpecs({"generator": f"openai:fake@{server.url('ok')}",
                           "reviewer": f"openai:other@{server.url('ok')}"})
        with pytest.raises(type(failure)), RunSession(_run(tmp_path), roles) as session:
            backends, conn = _opened(session)
            assert len(backends) == 2 and not any(b._client.is_closed() for b in backends)
            raise failure
    assert all(b._client.is_closed() for b in backends)
    assert _closed(conn)
    assert _closed(session.calllog.db.conn)
    with pytest.raises(RuntimeError, match="closed"):
        session.models()


def test_roles_sharing_a_backend_close_it_once_and_a_solver_closes_its_session(tmp_path):
    spec = roles_script(tmp_path, ["The answer is $C = 2$."], ["VERDICT: PASS"], ["VERDICT: ACCEPT"])
    solver, _ = make_solver(tmp_path, spec)
    models = solver.models()
    assert len({id(m.inner) for m in models.values()}) == 1 and set(models) == set(ROLES)
    [result] = solver.solve_all([BOUND])
    solver.close()
    assert result["outcome"] == "solved"
    assert solver.session.closed and _closed(solver.session.calllog.db.conn)
    solver.close()  # closing twice is harmless


def test_models_are_built_only_when_asked_for(tmp_path):
    run = _run(tmp_path)
    unpulled = RoleSpecs({r: "local:qwen2.5-coder-0.5b" for r in ROLES})
    with RunSession(run, unpulled) as session:  # a symbolic solve never asks: nothing fails
        assert session.calllog is not None
    with RunSession(run, None) as session:  # a command with no model role writes no call log
        assert session.models() == {} and session.calllog is None


def test_a_model_that_cannot_be_built_frees_the_ones_built_before_it(tmp_path):
    if ModelStore().path(TEST_MODEL) is None:
        pytest.skip(f"{TEST_MODEL} is not in the model cache; run: qed models pull {TEST_MODEL}")
    roles = RoleSpecs({"generator": f"local:{TEST_MODEL}", "judge": f"scripted:{tmp_path}/none.json"})
    with RunSession(_run(tmp_path), roles) as session, pytest.raises(ModelError, match="not found"):
        session.models()
    assert not LocalServer._servers, "the local model built first let go of its (never started) worker"


def test_only_the_needed_roles_keep_their_key_variables_and_run_marks():
    roles = RoleSpecs({r: "openai:m@http://h/v1" for r in ROLES}, key_env={"judge": "QED_GPU_KEY",
                      "generator": "QED_OTHER_KEY"}, from_run=frozenset({"verifier", "generator"}))
    kept = roles_for(roles, ["judge", "verifier"])
    assert kept.specs == {"judge": "openai:m@http://h/v1", "verifier": "openai:m@http://h/v1"}
    assert kept.key_env == {"judge": "QED_GPU_KEY"} and kept.from_run == frozenset({"verifier"})
