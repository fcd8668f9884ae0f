"""The jobs' fork server starts early only when the command line asks for local jobs."""

from __future__ import annotations

import pytest
from qed.agent.parallel_start import jobs_asked, start_early


@pytest.mark.parametrize(("args", "n"), [
    (["solve", "p.jsonl"], 1),
    (["solve", "p.jsonl", "--jobs", "2"], 2),
    (["solve", "p.jsonl", "--jobs=3"], 3),
    (["solve", "-j", "4", "p.jsonl"], 4),
    (["solve", "-j2", "p.jsonl"], 2),
    (["solve", "p.jsonl", "--jobs", "two"], 1),
    (["solve", "p.jsonl", "--jobs"], 1),
])
def test_the_number_of_jobs_is_read_from_the_command_line(args, n):
    assert jobs_asked(args) == n


@pytest.mark.parametrize("args", [
    ["solve", "p.jsonl"],
    ["solve", "p.jsonl", "--jobs", "1"],
    ["solve", "p.jsonl", "--jobs", "2", "--ray", "local"],
    ["solve", "p.jsonl", "--jobs", "2", "--ray=auto"],
    ["solve", "--jobs", "2", "--help"],
])
def test_no_fork_server_is_started_for_one_job_ray_or_help(args):
    assert start_early(args) is False
