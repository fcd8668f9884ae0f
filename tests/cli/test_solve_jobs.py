"""`qed solve --jobs N` as a user meets it: killed runs resume exactly, one bad problem stays one,
budgets end problems with a reason. Real `qed` processes, real job processes, a scripted model."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.agent.loop_helpers import CHECK_OK, script
from tests.cli.cli_helpers import qed, qed_env, qed_popen, run_dirs, write_jsonl

NO_ENGINE = "[loop]\nuse_engine = false\nmax_rounds = 1\n"


def _problems(*names: str) -> list[dict]:
    return [{"id": n, "kind": "open", "answer": "11",
             "statement": f"What is the smallest prime greater than 10? (CASE {n.upper()})"} for n in names]


def _model(tmp_path: Path, *, slow: str | None = None, delay_s: float = 60.0, failing: str | None = None) -> str:
    """Every role scripted; the referee sits on the problem `slow` (to be killed there); the
    generator fails on `failing`."""
    rules = [{"match": "check your own mathematical work", "reply": "VERDICT: PASS"},
             {"match": "test mathematical claims by computation", "reply": CHECK_OK}]
    if slow:
        rules.append({"match": f"hostile referee(?s:.*)CASE {slow.upper()}\\b", "delay_s": delay_s,
                      "reply": "VERDICT: ACCEPT"})
    rules.append({"match": "hostile referee", "reply": "VERDICT: ACCEPT"})
    if failing:
        rules.append({"match": f"careful research mathematician(?s:.*)CASE {failing.upper()}\\b",
                      "error": "the model server crashed on this one"})
    rules.append({"match": "careful research mathematician", "reply": "Checking primes in order.\nThe answer is 11."})
    return f"scripted:{script(tmp_path, 'roles', rules)}"


def _results(run: Path) -> list[dict]:
    path = run / "results.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def _calls(run: Path, node: str) -> list[str]:
    if not (run / "calls.sqlite").exists():
        return []
    with sqlite3.connect(run / "calls.sqlite", timeout=30) as db:
        try:
            return [row[0] for row in db.execute("select problem_id from calls where node = ?", (node,))]
        except sqlite3.OperationalError:
            return []


def _wait_for(condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("the run did not get there in time")


def _jobs_of(run: Path) -> list[int]:
    """The job processes of a run, as the run shows them in jobs.json."""
    return [j["pid"] for j in json.loads((run / "jobs.json").read_text())["jobs"]]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_a_parallel_run_killed_with_sigkill_resumes_with_nothing_lost_or_duplicated(tmp_path):
    write_jsonl(tmp_path / "p.jsonl", _problems("a1", "a2", "slow", "a4", "a5", "a6"))
    (tmp_path / "qed.toml").write_text(NO_ENGINE)
    model = _model(tmp_path, slow="slow")
    proc = qed_popen(tmp_path, "solve", "p.jsonl", "--jobs", "2", "--model", model, "--no-memory")
    try:
        def slow_in_review() -> bool:
            dirs = run_dirs(tmp_path)
            return bool(dirs) and "slow" in _calls(dirs[0], "self_verify") and len(_results(dirs[0])) >= 2
        _wait_for(slow_in_review)
        jobs = _jobs_of(run_dirs(tmp_path)[0])
        assert len(jobs) == 2 and all(_alive(j) for j in jobs), "two job processes are working"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    [run] = run_dirs(tmp_path)
    before = _results(run)
    before_bytes = (run / "results.jsonl").read_bytes()
    assert "slow" not in {r["problem_id"] for r in before}
    _wait_for(lambda: not any(_alive(j) for j in jobs), timeout=30)  # the orphaned jobs stop by themselves

    script(tmp_path, "roles", json.loads(Path(model.split(":", 1)[1]).read_text())["rules"][:2]
           + [{"match": "hostile referee", "reply": "VERDICT: ACCEPT"},
              {"match": "careful research mathematician", "reply": "Checking primes in order.\nThe answer is 11."}])
    r = qed(tmp_path, "solve", "--resume", str(run), "--jobs", "2", "--model", model, timeout=300)
    assert r.returncode == 0, r.stderr
    after = _results(run)
    ids = [x["problem_id"] for x in after]
    assert sorted(ids) == ["a1", "a2", "a4", "a5", "a6", "slow"], "every problem exactly once"
    assert (run / "results.jsonl").read_bytes().startswith(before_bytes), "recorded lines are never rewritten"
    assert all(x["outcome"] == "solved" for x in after)
    generated = _calls(run, "generate")
    for done in before:
        assert generated.count(done["problem_id"]) == 1, f"{done['problem_id']} was finished; it is not solved again"
    assert generated.count("slow") == 1, "the killed problem resumed from its checkpoint, past generate"
    assert _calls(run, "review").count("slow") == 1, "its review (killed before it answered) ran on resume"


def test_a_problem_that_fails_and_a_job_that_dies_do_not_stop_the_others(tmp_path):
    write_jsonl(tmp_path / "p.jsonl", _problems("victim", "b1", "broken", "b3", "b4", "b5", "b6"))
    (tmp_path / "qed.toml").write_text(NO_ENGINE)
    model = _model(tmp_path, slow="victim", failing="broken")
    proc = qed_popen(tmp_path, "solve", "p.jsonl", "--jobs", "2", "--model", model, "--no-memory")
    try:
        _wait_for(lambda: bool(run_dirs(tmp_path)) and "victim" in _calls(run_dirs(tmp_path)[0], "self_verify"))
        [run] = run_dirs(tmp_path)
        jobs = json.loads((run / "jobs.json").read_text())["jobs"]
        [victim_job] = [j["pid"] for j in jobs if j["problem_id"] == "victim"]
        os.kill(victim_job, signal.SIGKILL)
        out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    results = {r["problem_id"]: r for r in _results(run)}
    assert sorted(results) == ["b1", "b3", "b4", "b5", "b6", "broken", "victim"]
    assert results["victim"]["outcome"] == "error"
    assert results["victim"]["error"] == "the job process was killed (SIGKILL)"
    assert results["broken"]["outcome"] == "error" and "crashed on this one" in results["broken"]["error"]
    assert all(results[p]["outcome"] == "solved" for p in ("b1", "b3", "b4", "b5", "b6"))
    assert "7 done" in out


def test_a_problem_out_of_calls_abstains_with_the_reason(tmp_path):
    write_jsonl(tmp_path / "p.jsonl", _problems("c1", "c2", "c3"))
    (tmp_path / "qed.toml").write_text(NO_ENGINE)
    r = qed(tmp_path, "solve", "p.jsonl", "--jobs", "2", "--budget", "calls=2", "--model", _model(tmp_path),
            "--no-memory", timeout=300)
    assert r.returncode == 0, r.stderr
    [run] = run_dirs(tmp_path)
    results = _results(run)
    assert len(results) == 3
    for result in results:
        assert result["outcome"] == "abstained"
        assert result["reason"] == "budget exhausted: 2 of 2 model calls per problem used"
        assert result["budget"] == {"scope": "problem", "exhausted": "calls", "limit": 2, "used": 2}
    assert len(_calls(run, "generate")) == 3 and not _calls(run, "review"), "the third call never went out"
    assert json.loads((run / "config.json").read_text())["budget"] == {"problem": {"calls": 2}, "run": {}}


def test_a_problem_past_its_seconds_is_stopped_and_recorded_with_the_reason(tmp_path):
    write_jsonl(tmp_path / "p.jsonl", _problems("stuck", "d2"))
    (tmp_path / "qed.toml").write_text(NO_ENGINE)
    r = qed(tmp_path, "solve", "p.jsonl", "--jobs", "2", "--budget", "seconds=20",
            "--model", _model(tmp_path, slow="stuck", delay_s=600), "--no-memory", timeout=300)
    assert r.returncode == 0, r.stderr
    [run] = run_dirs(tmp_path)
    results = {x["problem_id"]: x for x in _results(run)}
    assert sorted(results) == ["d2", "stuck"]
    assert results["d2"]["outcome"] == "solved" or results["d2"]["budget"]["exhausted"] == "seconds"
    stuck = results["stuck"]
    assert stuck["outcome"] == "abstained" and stuck["error"] is None
    assert stuck["reason"].startswith("budget exhausted: ") and "s per problem used (the job was stopped)" in stuck["reason"]
    assert stuck["budget"]["scope"] == "problem" and stuck["budget"]["exhausted"] == "seconds"


def test_a_run_out_of_budget_stops_and_a_resume_with_more_finishes_it_once_each(tmp_path):
    write_jsonl(tmp_path / "p.jsonl", _problems("e1", "e2", "e3", "e4", "e5"))
    (tmp_path / "qed.toml").write_text(NO_ENGINE)
    model = _model(tmp_path)
    r = qed(tmp_path, "solve", "p.jsonl", "--jobs", "2", "--run-budget", "calls=7", "--model", model,
            "--no-memory", timeout=300)
    assert r.returncode == 0, r.stderr
    assert "stopped early: budget exhausted" in r.stdout and "for the run" in r.stdout
    [run] = run_dirs(tmp_path)
    first = _results(run)
    assert 1 <= len(first) < 5
    assert all(x["outcome"] == "solved" for x in first), "a problem cut off by the run's budget is not recorded"
    assert sum(x["calls"] for x in first) <= 7

    r = qed(tmp_path, "solve", "--resume", str(run), "--jobs", "2", "--run-budget", "calls=100", "--model", model,
            timeout=300)
    assert r.returncode == 0, r.stderr
    ids = [x["problem_id"] for x in _results(run)]
    assert sorted(ids) == ["e1", "e2", "e3", "e4", "e5"]
    assert all(x["outcome"] == "solved" for x in _results(run))


def test_a_recipe_runs_in_the_jobs_and_is_kept_in_the_run_folder(tmp_path):
    from tests.agent.test_recipes import PASSES, SOUND, _roles

    proofs = [{"id": f"f{i}", "kind": "proof", "statement": f"Prove that $a^2 + b^2 \\geq 2ab$ for all real $a, b$ (copy {i})."}
              for i in (1, 2, 3)]
    write_jsonl(tmp_path / "p.jsonl", proofs)
    (tmp_path / "qed.toml").write_text(NO_ENGINE + "model_checks = false\n[recipes.pessimistic]\nn = 5\n")
    spec = _roles(tmp_path, [SOUND], [{"match": "careful grader", "reply": PASSES}])
    r = qed(tmp_path, "solve", "p.jsonl", "--jobs", "2", "--recipe", "pessimistic", "--model", f"scripted:{spec}",
            "--no-memory", timeout=300)
    assert r.returncode == 0, r.stderr
    [run] = run_dirs(tmp_path)
    results = _results(run)
    assert sorted(x["problem_id"] for x in results) == ["f1", "f2", "f3"]
    for result in results:
        assert result["outcome"] == "solved"
        assert result["evidence"]["recipe"]["name"] == "pessimistic:5" and result["evidence"]["recipe"]["passed"] == 5
    assert len(_calls(run, "recipe pessimistic:5")) == 15, "five checks per problem, in the jobs"
    assert json.loads((run / "config.json").read_text())["recipe"]["n"] == 5


def test_bad_budgets_and_recipes_are_one_line_errors(tmp_path):
    write_jsonl(tmp_path / "p.jsonl", _problems("g1"))
    for args, expected in ((["--budget", "calls=lots"], "--budget: calls must be a positive number"),
                           (["--run-budget", "minutes=3"], "--run-budget: expected KEY=NUMBER"),
                           (["--recipe", "mega"], "unknown recipe 'mega'")):
        r = qed(tmp_path, "solve", "p.jsonl", "--solver", "symbolic", *args)
        assert r.returncode == 2, r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], r.stderr


def test_jobs_prove_what_one_job_proves(tmp_path):
    """The certificate search runs in a child of its job: a job must be allowed children."""
    starter = Path(__file__).resolve().parents[2] / "problems" / "sets" / "starter.jsonl"
    r = qed(tmp_path, "solve", str(starter), "--ids", "starter-b04,starter-r04", "--solver", "symbolic",
            "--jobs", "2", "--no-memory", timeout=300)
    assert r.returncode == 0, r.stderr
    [run] = run_dirs(tmp_path)
    results = {x["problem_id"]: x for x in _results(run)}
    assert sorted(results) == ["starter-b04", "starter-r04"]
    for pid, result in results.items():
        assert result["correct"], result
        assert result["proof"]["status"] == "proved", result["proof"]
        assert result["cpu_seconds"] > 0, "the job counts the CPU of the engine and search it ran"
        check = qed(tmp_path, "check", str(run / result["proof"]["certificate"]))
        assert check.returncode == 0, f"{pid}: {check.stdout}{check.stderr}"


def _descendants(pid: int) -> list[int]:
    from tests.cli.test_interrupt import children

    found, todo = [], [pid]
    while todo:
        kids = children(todo.pop())
        found += kids
        todo += kids
    return found


def test_one_ctrl_c_stops_a_parallel_run_with_its_jobs_and_leaves_the_problems_to_resume(tmp_path):
    from tests.cli.test_interrupt import ctrl_c, start_in_own_group

    write_jsonl(tmp_path / "p.jsonl", _problems("h1", "h2", "h3"))
    (tmp_path / "qed.toml").write_text(NO_ENGINE)
    model = _model(tmp_path, slow="h[12]", delay_s=600)
    proc = start_in_own_group(tmp_path, "solve", "p.jsonl", "--jobs", "2", "--model", model, "--no-memory")
    try:
        def both_in_review() -> bool:
            dirs = run_dirs(tmp_path)
            return bool(dirs) and {"h1", "h2"} <= set(_calls(dirs[0], "self_verify"))
        _wait_for(both_in_review)
        [run] = run_dirs(tmp_path)
        jobs = _jobs_of(run)
        assert len(jobs) == 2
        ours = _descendants(proc.pid)
        assert set(jobs) <= set(ours)
        time.sleep(1.0)  # inside the referee's (scripted, slow) replies
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    code, out, err = ctrl_c(proc)  # SIGINT to the process group, as a terminal sends it

    assert code == 130, err
    assert "Traceback" not in err
    assert f"resume with `qed solve --resume runs/{run.name}`" in err
    assert "**Interrupted** after 0 of 3 problem(s)" in (run / "summary.md").read_text()
    assert _results(run) == [], "a problem stopped by Ctrl-C is not recorded (not as an error either): it resumes"
    _wait_for(lambda: not any(_alive(p) for p in ours), timeout=10)  # no job (nor the fork server) is left

    script(tmp_path, "roles", json.loads(Path(model.split(":", 1)[1]).read_text())["rules"][:2]
           + [{"match": "hostile referee", "reply": "VERDICT: ACCEPT"},
              {"match": "careful research mathematician", "reply": "Checking primes in order.\nThe answer is 11."}])
    r = qed(tmp_path, "solve", "--resume", str(run), "--jobs", "2", "--model", model, timeout=300)
    assert r.returncode == 0, r.stderr
    assert sorted(x["problem_id"] for x in _results(run)) == ["h1", "h2", "h3"]
    assert all(x["outcome"] == "solved" for x in _results(run))
    generated = _calls(run, "generate")
    assert generated.count("h1") == 1 and generated.count("h2") == 1, "the interrupted problems resumed past generate"


def _processes_with(marker: str) -> list[int]:
    """Processes whose environment holds `marker` (a command's children keep it, even orphaned)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            try:
                if marker.encode() in (proc / "environ").read_bytes() and _alive(int(proc.name)):
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:200]
    except OSError:
        return "?"


def test_a_usage_error_with_jobs_leaves_no_fork_server_behind(tmp_path):
    marker = f"QED_TEST_MARK=usage-{os.getpid()}-{time.monotonic_ns()}"
    env = {**qed_env(tmp_path), **dict([marker.split("=", 1)])}
    # output to files, not pipes: reading a pipe to its end would wait for every process holding it
    with open(tmp_path / "out", "w") as out, open(tmp_path / "err", "w") as err:
        code = subprocess.run([sys.executable, "-m", "qed.cli", "solve", "missing.jsonl", "--jobs", "2"],
                              cwd=tmp_path, env=env, stdout=out, stderr=err, timeout=120).returncode
    servers = {pid: _cmdline(pid) for pid in _processes_with(marker) if "forkserver" in _cmdline(pid)}
    for pid in servers:
        os.kill(pid, signal.SIGKILL)
    stderr = (tmp_path / "err").read_text()
    assert code == 2 and "missing.jsonl" in stderr and "Traceback" not in stderr, stderr
    assert servers == {}, "the fork server started early for the jobs is gone when qed returns"
    # multiprocessing's resource tracker ends by itself once the last process holding it is gone
    _wait_for(lambda: not _processes_with(marker), timeout=30)
