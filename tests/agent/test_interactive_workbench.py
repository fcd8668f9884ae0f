"""The session's steps are LangGraph checkpoints: undo and goto move, a new step forks, nothing is lost."""

from __future__ import annotations

import json
import os
import signal

import pytest
from qed.agent.config import load_config
from qed.agent.interactive.workbench import SessionError, Workbench
from qed.agent.runs import RunDir
from qed.agent.session import RunSession
from qed.problems.loaders.text import problems_from_text

STATEMENT = r"Let $a, b > 0$. Prove that $a^2+b^2 \ge 2ab$."


@pytest.fixture()
def setup(tmp_path):
    model = tmp_path / "model.json"
    model.write_text(json.dumps({"rules": [{"reply": "Expand $(a-b)^2 \\ge 0$.\nQED"}]}))
    cfg = load_config(None, model=f"scripted:{model}")
    cfg.loop.use_memory = False
    problem = problems_from_text(STATEMENT, stem="p", source="command line")[0]
    run = RunDir.create("session", "t", root=tmp_path / "runs")
    run.write_config({"command": "session"})
    return cfg, problem, run


def test_a_step_after_undo_forks_and_the_old_branch_stays(setup):
    cfg, problem, run = setup
    with RunSession(run, cfg.roles) as rs:
        wb = Workbench(rs, cfg)
        wb.start(problem)
        wb.step("proof", "first")
        wb.step("proof", "second")
        assert wb.undo() == 1 and wb.state()["proof_text"] == "first"
        wb.step("proof", "third")
        assert [e["input"] for e in wb.history()] == ["first", "third"]
        tips = {b.last: b for b in wb.branches()}
        assert set(tips) == {"/proof second", "/proof third"} and tips["/proof third"].current
        wb.goto(2, tips["/proof second"].tip[-12:])
        assert wb.state()["proof_text"] == "second"
        with pytest.raises(SessionError):
            wb.goto(7)


def test_a_new_workbench_on_the_run_folder_stands_where_the_last_one_stood(setup):
    cfg, problem, run = setup
    with RunSession(run, cfg.roles) as rs:
        wb = Workbench(rs, cfg)
        wb.start(problem)
        wb.step("proof", "mine")
        wb.step("say", "go on")
        wb.undo()
    lines = [json.loads(x) for x in run.file("session.jsonl").read_text().splitlines()]
    assert [x["command"] for x in lines] == ["proof", "say"], "each step is in the run folder as it ends"
    with RunSession(RunDir.open(run.path), cfg.roles) as rs:
        again = Workbench(rs, cfg)
        again.resume()
        assert [e["input"] for e in again.history()] == ["mine"] and again.state()["proof_text"] == "mine"


def test_step_runs_the_loop_one_node_at_a_time_in_the_loops_order(setup):
    cfg, problem, run = setup
    cfg.loop.use_engine = False
    with RunSession(run, cfg.roles) as rs:
        wb = Workbench(rs, cfg)
        wb.start(problem)
        nodes = []
        while not wb.loop_ended() and len(nodes) < 20:
            nodes.append(wb.step("step")[0]["input"])
        assert nodes[:6] == ["recall", "generate", "self_verify", "execute", "review", "decide"]
        assert nodes[-1] == "remember" and wb.state()["outcome"] in ("solved", "abstained")
        assert wb.step("step")[0]["verdict"] == "skipped"


def _counting(tmp_path, cfg_model_rules):
    model = tmp_path / "counting.json"
    model.write_text(json.dumps({"rules": cfg_model_rules}))
    cfg = load_config(None, model=f"scripted:{model}")
    cfg.loop.use_memory = False
    return cfg


def test_a_step_killed_mid_stream_leaves_its_input_and_partial_reply_and_retry_runs_it(setup, tmp_path):
    _, problem, run = setup
    cfg = _counting(tmp_path, [{"reply": "one two three four"}])

    def die_after_two(event):
        if event.get("event") == "token" and event["text"].startswith("two"):
            os.kill(os.getpid(), signal.SIGKILL)  # a kill -9 mid-reply, after "two" was shown

    pid = os.fork()
    if pid == 0:  # the child takes the step and is killed during it
        try:
            with RunSession(run, cfg.roles) as rs:
                wb = Workbench(rs, cfg, on_event=die_after_two)
                wb.start(problem)
                wb.step("proof", "mine")
                wb.step("say", "count for me")
        finally:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    with RunSession(RunDir.open(run.path), cfg.roles) as rs:
        again = Workbench(rs, cfg)
        again.resume()
        assert [e["input"] for e in again.history()] == ["mine"], "the killed step wrote no checkpoint"
        step = again.pending_step
        assert step is not None and (step.n, step.command, step.input) == (2, "say", "count for me")
        assert again.journal.partial_reply(step) == "one two ", "what was shown is kept, nothing more"
        assert run.file(step.partial).read_text().startswith("INCOMPLETE")
        [e] = again.retry()
        assert (e["command"], e["input"], e["output"]) == ("say", "count for me", "one two three four")
        assert again.pending_step is None and not run.file("session.pending.json").exists()
    [record] = [json.loads(x) for x in run.file("session.incomplete.jsonl").read_text().splitlines()]
    assert record["input"] == "count for me" and "/retry" in record["reason"]
    assert run.file(step.partial).exists(), "the incomplete reply stays on record after the retry"


def test_ctrl_c_records_the_stopped_step_and_leaves_nothing_pending(setup, tmp_path):
    _, problem, run = setup
    cfg = _counting(tmp_path, [{"reply": "one two three four"}])

    def interrupt(event):
        if event.get("event") == "token":
            raise KeyboardInterrupt

    with RunSession(run, cfg.roles) as rs:
        wb = Workbench(rs, cfg, on_event=interrupt)
        wb.start(problem)
        with pytest.raises(KeyboardInterrupt):
            wb.step("say", "count for me")
        assert wb.journal.pending() is None and wb.history() == []
    [record] = [json.loads(x) for x in run.file("session.incomplete.jsonl").read_text().splitlines()]
    assert record["reason"] == "interrupted (Ctrl-C)" and record["input"] == "count for me"


def test_a_finished_step_leaves_no_pending_file_and_no_partial_reply(setup):
    cfg, problem, run = setup
    with RunSession(run, cfg.roles) as rs:
        wb = Workbench(rs, cfg)
        wb.start(problem)
        wb.step("say", "go on")
    assert not run.file("session.pending.json").exists()
    assert list(run.file("session.partial").iterdir()) == []
    [line] = [json.loads(x) for x in run.file("session.jsonl").read_text().splitlines()]
    assert line["step_id"]


def test_a_kill_just_after_a_step_ended_does_not_offer_it_again(setup):
    cfg, problem, run = setup
    with RunSession(run, cfg.roles) as rs:
        wb = Workbench(rs, cfg)
        wb.start(problem)
        wb.step("proof", "mine")
        begun = wb.journal.begin(2, "proof", "again", wb.head)
        wb._move(wb.head, begun.id)  # the step's end is in session.json; the kill came before session.jsonl
    with RunSession(RunDir.open(run.path), cfg.roles) as rs:
        again = Workbench(rs, cfg)
        again.resume()
        assert again.pending_step is None and not run.file("session.pending.json").exists()
