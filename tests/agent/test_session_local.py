"""A solve leaves no llama.cpp worker behind: closing the run closes its models, and the last
local model to close stops its worker process — when the solve ends and when Ctrl-C stops it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from qed.agent.config import LoopConfig, QedConfig
from qed.agent.runs import RunDir
from qed.agent.session import RunSession
from qed.agent.solve import SolveOptions, Solver
from qed.models.catalog import TEST_MODEL
from qed.models.roles import ROLES, RoleSpecs
from qed.models.store import ModelStore

from tests.agent.loop_helpers import BOUND, roles_script

SMALL = LoopConfig(max_rounds=1, generate_max_tokens=24, followup_max_tokens=8, use_engine=False, use_memory=False,
                   use_sandbox=False)


def _workers() -> set[int]:
    """This process's children that are llama.cpp workers (python -m qed.models.worker), from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == os.getpid() and b"qed.models.worker" in cmdline:
            found.add(int(entry.name))
    return found


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.integration
def test_the_llama_cpp_worker_is_gone_when_a_solve_ends_or_is_interrupted(tmp_path):
    if ModelStore().path(TEST_MODEL) is None:
        pytest.skip(f"{TEST_MODEL} is not in the model cache; run: qed models pull {TEST_MODEL}")
    scripted = f"scripted:{roles_script(tmp_path, ['unused'], ['VERDICT: PASS'], ['VERDICT: ACCEPT'])}"
    roles = RoleSpecs({r: scripted for r in ROLES} | {"generator": f"local:{TEST_MODEL}"})
    config = QedConfig(roles, SMALL)
    assert not _workers()

    run = RunDir.create("solve", "worker", root=tmp_path / "runs")
    run.write_config({"command": "solve", "source": "test", **config.to_dict()})
    with RunSession(run, config.roles) as session:
        [result] = Solver(config, session, SolveOptions()).solve_all([BOUND])
        [pid] = _workers()  # the generator's worker answered the drafts
    assert result["error"] is None and result["tokens"]["completion"] > 0
    assert _gone(pid) and not _workers(), "the worker stopped when the run closed, not at exit"

    def ctrl_c_at_the_first_token(event):
        if event.get("event") == "token":
            raise KeyboardInterrupt

    run = RunDir.create("solve", "worker-interrupted", root=tmp_path / "runs")
    run.write_config({"command": "solve", "source": "test", **config.to_dict()})
    with pytest.raises(KeyboardInterrupt), RunSession(run, config.roles) as session:
        solver = Solver(config, session, SolveOptions(), on_event=ctrl_c_at_the_first_token)
        solver.solve_all([BOUND])
    assert not _workers(), "Ctrl-C mid-generation still stops the worker"
    assert run.results() == [], "an interrupted problem has no result yet (a resume solves it)"
