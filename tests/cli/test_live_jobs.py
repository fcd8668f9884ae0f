"""With --jobs, events of several problems interleave: each plain line names its own problem."""

from __future__ import annotations

import io

from qed.cli.live import PlainView
from rich.console import Console


def _result(pid: str, answer: str) -> dict:
    return {"problem_id": pid, "outcome": "solved", "answer": answer, "correct": True, "rounds": 0,
            "tokens": {}, "seconds": 1.0, "evidence": {}}


def test_interleaved_problems_each_keep_their_own_label():
    out = io.StringIO()
    view = PlainView("t", 1, Console(file=out, soft_wrap=True, no_color=True, highlight=False))
    view({"event": "run_start", "total": 2, "done": []})
    view({"event": "problem_start", "index": 0, "problem": {"id": "p1", "kind": "bound"}})
    view({"event": "problem_start", "index": 1, "problem": {"id": "p2", "kind": "bound"}})
    view({"event": "node", "node": "engine", "problem_id": "p1"})
    view({"event": "problem_end", "result": _result("p1", "C = 4")})
    view({"event": "node", "node": "compute", "problem_id": "p2"})
    view({"event": "problem_end", "result": _result("p2", "C = 12")})
    lines = out.getvalue().splitlines()
    assert "[1/2] p1 engine · round 1" in lines
    assert "[2/2] p2 compute · round 1" in lines
    assert any(line.startswith("[1/2] p1 solved ✓ · answer C = 4") for line in lines), lines
    assert any(line.startswith("[2/2] p2 solved ✓ · answer C = 12") for line in lines), lines


def test_the_order_jobs_take_problems_in_is_said_when_it_is_not_the_files():
    out = io.StringIO()
    view = PlainView("t", 1, Console(file=out, soft_wrap=True, no_color=True, highlight=False))
    view({"event": "run_start", "total": 2, "done": [], "order": "longest first (2 of 2 timed by earlier runs of this file)"})
    view({"event": "run_start", "total": 2, "done": [], "order": "as in the file"})
    assert out.getvalue().splitlines() == ["order: longest first (2 of 2 timed by earlier runs of this file)"]
