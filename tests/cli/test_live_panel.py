"""The terminal panel of `qed solve`: one row per running job, the finished count, budgets live.

The events replayed here were recorded from a real `--jobs 2` run (two job processes, a scripted
model whose referee takes a moment, per-problem and per-run budgets); `python -m
tests.cli.test_live_panel --record` records them again. The view is driven with the recorded
times on its clock, so what it shows at each moment is what a person saw then.
"""

from __future__ import annotations

import io
import json
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path
from typing import Any

from qed.cli.live import LiveView
from rich.console import Console

from tests.cli.cli_helpers import qed_env, write_jsonl

EVENTS = Path(__file__).with_name("live_jobs2_events.jsonl")


def _events() -> list[dict[str, Any]]:
    return [json.loads(line) for line in EVENTS.read_text(encoding="utf-8").splitlines()]


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _view(clock: _Clock) -> tuple[LiveView, Console]:
    console = Console(file=io.StringIO(), force_terminal=True, width=140, color_system=None)
    return LiveView("QED solve · t", 1, console, clock=clock), console


def _screen(view: LiveView, console: Console) -> list[str]:
    with console.capture() as cap:
        console.print(view.render())
    return [line.strip("│ ").rstrip() for line in cap.get().splitlines()]


def _pid(event: dict[str, Any]) -> str | None:
    return event["result"]["problem_id"] if event["event"] == "problem_end" else event.get("problem_id")


def _replay(events: list[dict[str, Any]], upto: int) -> tuple[LiveView, Console, _Clock]:
    clock = _Clock()
    view, console = _view(clock)
    for e in events[:upto]:
        clock.now = e["t"]
        view({k: v for k, v in e.items() if k != "t"})
    return view, console, clock


def _both_running(events: list[dict[str, Any]]) -> int:
    """An index in the stream where two problems run and each has had a model call counted."""
    running: set[str] = set()
    spent: dict[str, dict[str, Any]] = {}
    for i, e in enumerate(events):
        if e["event"] == "problem_start":
            running.add(e["problem"]["id"])
        elif e["event"] == "problem_end":
            running.discard(_pid(e))
        elif e["event"] == "spend":
            spent[e["problem_id"]] = e
        if len(running) == 2 and all(p in spent for p in running) and any(x["event"] == "problem_end" for x in events[:i]):
            return i + 1
    raise AssertionError("the recorded stream never has two problems running at once")


def test_the_recording_is_a_real_two_job_run():
    events = _events()
    starts = [e for e in events if e["event"] == "problem_start"]
    assert events[0]["event"] == "run_start" and events[0]["jobs"] == 2 and events[0]["done"] == []
    assert len(starts) == events[0]["total"] == 4
    assert {e["problem_id"] for e in events if e["event"] == "node"} == {s["problem"]["id"] for s in starts}


def test_with_two_jobs_the_panel_has_one_row_per_running_problem_with_its_own_stage_time_and_spend():
    events = _events()
    upto = _both_running(events)
    view, console, clock = _replay(events, upto)
    clock.now = events[upto - 1]["t"] + 2.0  # the panel redraws between events: times go on
    lines = _screen(view, console)
    text = "\n".join(lines)

    running: dict[str, dict[str, Any]] = {}
    for e in events[:upto]:
        if e["event"] == "problem_start":
            running[e["problem"]["id"]] = {"index": e["index"], "start": e["t"]}
        elif e["event"] == "problem_end":
            running.pop(_pid(e))
        elif e["event"] == "node" and e["problem_id"] in running:
            running[e["problem_id"]]["node"] = e["node"]
        elif e["event"] == "spend" and e["problem_id"] in running:
            running[e["problem_id"]]["spend"] = e
    assert len(running) == 2
    for pid, job in running.items():
        [row] = [line for line in lines if re.match(rf"\[{job['index'] + 1}/4\] {re.escape(pid)}\b", line)]
        assert job["node"] in row, (row, job)
        elapsed = int(clock.now - job["start"])
        assert f"0:{elapsed:02d}" in row, (row, elapsed)
        spend = job["spend"]
        assert f"{spend['tokens']:,}/5,000 tok" in row, row
        assert f"{spend['calls']}/10 calls" in row, row
        assert f"0:{elapsed:02d}/120 s" in row, row
    finished = sum(e["event"] == "problem_end" for e in events[:upto])
    assert f"finished {finished}/4" in text and "running 2" in text, text
    last_spend = [e for e in events[:upto] if e["event"] == "spend"][-1]
    assert f"run: {last_spend['run_tokens']:,}/50,000 tok" in text, text
    assert f"{last_spend['run_calls']}/100 calls" in text, text


def test_a_finished_problem_leaves_the_panel_and_the_count_goes_up():
    events = _events()
    view, console, _ = _replay(events, len(events))
    text = "\n".join(_screen(view, console))
    assert "finished 4/4" in text and "running 0" in text, text
    assert not re.search(r"^\[\d/4\] ", text, re.M), text


def test_one_job_without_problem_ids_still_shows_its_row_and_the_tokens_as_they_stream():
    clock = _Clock()
    view, console = _view(clock)
    view({"event": "run_start", "total": 2, "done": [], "jobs": 1, "budgets": {"problem": {"calls": 4}, "run": {}}})
    view({"event": "problem_start", "index": 0, "total": 2, "problem": {"id": "p1", "kind": "open"}})
    clock.now = 3.0
    view({"event": "node", "node": "generate", "round": 1})
    view({"event": "token", "text": "Checking primes"})
    view({"event": "spend", "tokens": 120, "calls": 1, "run_tokens": 120, "run_calls": 1})
    lines = _screen(view, console)
    [row] = [line for line in lines if line.startswith("[1/2] p1")]
    assert "generate" in row and "0:03" in row and "120 tok" in row and "1/4 calls" in row, row
    assert any("Checking primes" in line for line in lines), lines
    assert "finished 0/2" in "\n".join(lines)


def _on_a_terminal(tmp_path: Path, *args: str, timeout: float = 120) -> tuple[int, str]:
    """Run `qed` with a pseudo-terminal as its stdout and stderr; its exit status and what it drew."""
    main, replica = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "qed.cli", *args], cwd=tmp_path, env=qed_env(tmp_path),
                            stdin=subprocess.DEVNULL, stdout=replica, stderr=replica)
    os.close(replica)
    out = b""
    try:
        while True:
            ready, _, _ = select.select([main], [], [], timeout)
            if not ready:
                raise AssertionError(f"qed drew nothing for {timeout} s: {out[-500:]!r}")
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the terminal closed: qed exited
                break
            if not chunk:
                break
            out += chunk
        proc.wait(timeout)
    finally:
        os.close(main)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.decode("utf-8", "replace"))


def test_on_a_real_terminal_qed_solve_draws_the_panel_and_finishes(tmp_path):
    write_jsonl(tmp_path / "p.jsonl", [{"id": "open-1", "kind": "open", "statement": "Is 11 prime?", "answer": "yes"}])
    code, screen = _on_a_terminal(tmp_path, "solve", "p.jsonl", "--solver", "symbolic", "--no-memory")
    assert code == 0, screen
    assert "QED solve · p.jsonl" in screen and "finished 0/1" in screen, "the panel was drawn"
    assert re.search(r"open-1 +abstained", screen), screen
    assert "1 done · abstained 1" in screen


def _record() -> None:
    """Run 4 problems with --jobs 2 (real job processes, a scripted model) and keep the events."""
    import tempfile
    import time

    from qed.agent.budget import Budget, Budgets
    from qed.agent.config import LoopConfig
    from qed.agent.parallel import batch_runner
    from qed.problems.record import Problem

    from tests.agent.loop_helpers import make_solver, roles_script

    tmp = Path(tempfile.mkdtemp(prefix="qed-live-record-"))
    spec = roles_script(tmp, ["Checking primes in order.\nThe answer is 11."], ["VERDICT: PASS"],
                        ["VERDICT: ACCEPT"], delay_review_s=1.5)
    solver, _ = make_solver(tmp, spec, LoopConfig(use_engine=False, use_memory=False, max_rounds=1))
    solver.options.budgets = Budgets(Budget(tokens=5000, seconds=120, calls=10), Budget(tokens=50000, calls=100))
    problems = [Problem(id=f"prime-{n}", kind="open", answer="11",
                        statement=f"What is the smallest prime greater than 10? (copy {n})") for n in range(1, 5)]
    pool = batch_runner(solver, jobs=2)
    t0 = time.monotonic()
    out: list[dict[str, Any]] = []
    # copied as it happens: an event's lists (run_start's `done`) are the pool's own, which grow
    pool.on_event = lambda e: out.append({"t": round(time.monotonic() - t0, 3), **json.loads(json.dumps(e))})
    try:
        pool.solve_all(problems)
    finally:
        solver.close()
    EVENTS.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in out), encoding="utf-8")
    print(f"{len(out)} events → {EVENTS}")


if __name__ == "__main__" and "--record" in sys.argv:
    _record()
