"""`qed session` as a person uses it: typed into a pseudo-terminal, asserted on what the screen shows.

The models are scripted (deterministic); the engine, the certificate checker, the sandbox, SQLite
checkpoints and the judges are the real ones.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest

from tests.cli.cli_helpers import qed, qed_env, run_dirs

STATEMENT = r"Let $a, b, c > 0$. Prove that $a^2+b^2+c^2 \ge ab+bc+ca$."
GOOD_PROOF = r"We have $a^2+b^2+c^2-ab-bc-ca = \frac{1}{2}((a-b)^2+(b-c)^2+(c-a)^2) \ge 0$. QED"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-B]|\r")


def screen_text(raw: str) -> str:
    return _ANSI.sub("", raw)


def scripted(tmp_path: Path, rules: list[dict]) -> str:
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"rules": rules}))
    return f"scripted:{path}"


class Terminal:
    """A `qed` process on a pty; `expect_prompt(n)` waits for the prompt after n steps."""

    def __init__(self, tmp_path: Path, *args: str, timeout: float = 120):
        env = {**qed_env(tmp_path), "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm", "COLUMNS": "160"}
        self.child = pexpect.spawn(sys.executable, ["-m", "qed.cli", *args], cwd=str(tmp_path), env=env,
                                   encoding="utf-8", timeout=timeout, dimensions=(50, 160))

    def expect_prompt(self, steps: int | str) -> str:
        """What the screen showed up to the next fresh prompt, the one after `steps` steps (a fresh
        prompt opens with bracketed paste on; a prompt redrawn while typing does not)."""
        self.child.expect(rf"\x1b\[\?2004h[^\n]*?qed\[{steps}\]>")
        return screen_text(self.child.before)

    def expect(self, pattern: str) -> str:
        self.child.expect(pattern)
        return screen_text(self.child.before)

    def send(self, line: str) -> None:
        self.child.sendline(line)

    def quit(self) -> str:
        self.child.sendline("/quit")
        self.child.expect(pexpect.EOF)
        return screen_text(self.child.before)

    def kill9(self) -> None:
        self.child.kill(9)
        self.child.close(force=True)


REPLY = {"match": "mathematician says", "reply": "Sum the three cases of $x^2+y^2 \\ge 2xy$.\nQED"}


def open_session(tmp_path: Path, rules: list[dict] | None = None) -> Terminal:
    spec = scripted(tmp_path, rules or [REPLY, {"reply": "VERDICT: PASS"}])
    term = Terminal(tmp_path, "session", STATEMENT, "--model", spec, "--no-memory")
    shown = term.expect_prompt(0)
    assert "QED session" in shown and "a^2+b^2+c^2" in shown
    return term


def test_a_planted_false_claim_is_refuted_with_its_counterexample_and_a_lemma_certified(tmp_path):
    term = open_session(tmp_path)
    term.send(r"/claim a^3+b^3+c^3 \ge 4abc")
    shown = term.expect_prompt(1)
    assert "/claim → refuted" in shown
    assert "counterexample: a = 1, b = 1, c = 1" in shown and "lhs = 3, rhs = 4" in shown
    term.send(r"/claim a^2+b^2 \ge 2ab")
    shown = term.expect_prompt(2)
    assert "/claim → certified" in shown and "re-verifies" in shown
    term.quit()
    [run] = run_dirs(tmp_path)
    steps = [json.loads(x) for x in (run / "session.jsonl").read_text().splitlines()]
    assert [s["verdict"] for s in steps] == ["refuted", "certified"], "every step is kept in the run folder"
    fails = steps[0]["evidence"]["certificate"]
    assert fails["verdict"] == "fails" and fails["counterexample"] == {"a": "1", "b": "1", "c": "1"}
    cert = tmp_path / "lemma.json"
    cert.write_text(json.dumps(steps[1]["evidence"]["certificate"]))
    check = subprocess.run([sys.executable, "-m", "qed.cli", "check", str(cert)], capture_output=True, text=True,
                           env=qed_env(tmp_path), timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr  # a second reader repeats the check


def test_free_text_streams_the_generator_reply_and_it_becomes_the_proof(tmp_path):
    term = open_session(tmp_path)
    term.send("how do I start?")
    shown = term.expect_prompt(1)
    assert "Sum the three cases of $x^2+y^2 \\ge 2xy$." in shown
    term.send("/proof")
    assert "Sum the three cases" in term.expect_prompt(2)
    term.quit()
    [run] = run_dirs(tmp_path)
    with __import__("sqlite3").connect(run / "calls.sqlite") as db:
        [prompt] = [r[0] for r in db.execute("select messages from calls where role = 'generator'")]
    assert "how do I start?" in prompt and "a^2+b^2+c^2" in prompt, "the message goes with the problem"


def test_undo_restores_the_earlier_proof_and_the_undone_branch_is_kept(tmp_path):
    term = open_session(tmp_path)
    term.send("/proof First attempt: by symmetry.")
    term.expect_prompt(1)
    term.send("/proof " + GOOD_PROOF)
    term.expect_prompt(2)
    term.send("/undo")
    shown = term.expect_prompt(1)
    assert "back at step 1" in shown and "proof: First attempt: by symmetry." in shown
    term.send(r"/claim a \ge b")
    assert "/claim → refuted" in term.expect_prompt(2)
    term.send("/branches")
    shown = term.expect_prompt(2)
    assert "last: /proof We have" in shown and "last: /claim a \\ge b" in shown, "both branches are listed"
    tip = re.search(r"  (\S{12})  2 steps, last: /proof We have", shown).group(1)
    term.send(f"/goto 2 {tip}")
    shown = term.expect_prompt(2)
    assert "proof: We have" in shown
    term.quit()


def test_export_md_writes_a_file_qed_grade_passes(tmp_path):
    term = open_session(tmp_path)
    term.send(r"/claim a^2+b^2 \ge 2ab")
    term.expect_prompt(1)
    term.send("/proof " + GOOD_PROOF)
    term.expect_prompt(2)
    out = tmp_path / "mine.md"
    term.send(f"/export md {out}")
    shown = term.expect_prompt(2)
    assert f"wrote {out}" in shown and "mine.cert-1.json" in shown
    term.send(f"/export tex {tmp_path / 'mine.tex'}")
    term.expect_prompt(2)
    term.send("/grade numeric")
    shown = term.expect_prompt(3)
    assert "/grade → pass" in shown and "numeric_computation: pass" in shown
    term.quit()
    graded = subprocess.run([sys.executable, "-m", "qed.cli", "grade", str(out), "--judges", "numeric"],
                            capture_output=True, text=True, env=qed_env(tmp_path), cwd=tmp_path, timeout=180)
    assert graded.returncode == 0, graded.stderr
    assert re.search(r"^pass 1$", graded.stdout, re.M), graded.stdout
    tex = (tmp_path / "mine.tex").read_text()
    assert "\\begin{proof}" in tex and "Computed proof of step 1" in tex and "mine.cert-1.json" in tex
    md = out.read_text()
    assert md.index("**Proof.** We have") < md.index("### Computed proof of step 1"), "your text, then the lemma's"
    evidence = json.loads((tmp_path / "mine.evidence.json").read_text())
    assert evidence[0]["verdict"] == "certified"


def test_run_shows_sandbox_output_and_a_failure_says_why(tmp_path):
    term = open_session(tmp_path)
    term.send("/run import sympy; print(sympy.factor('x**2-1'))")
    shown = term.expect_prompt(1)
    assert "/run → ok" in shown and "(x - 1)*(x + 1)" in shown
    term.send("/run import socket; socket.socket().connect(('127.0.0.1', 9))")
    shown = term.expect_prompt(2)
    assert "/run → error" in shown
    term.quit()


def test_ctrl_c_stops_the_step_not_the_session(tmp_path):
    slow = {"match": "mathematician says", "reply": "too late", "delay_s": 60}
    term = open_session(tmp_path, [slow, {"reply": "VERDICT: PASS"}])
    term.send("think about it slowly")
    # press Ctrl-C while the step runs: its journal entry is written as it begins (the 60 s reply
    # follows), and a loaded machine can take longer than a fixed pause to get there
    [run] = run_dirs(tmp_path)
    end = time.monotonic() + 30
    while not (run / "session.pending.json").exists() and time.monotonic() < end:
        time.sleep(0.1)
    time.sleep(1.0)
    term.child.sendcontrol("c")
    shown = term.expect_prompt(0)
    assert "interrupted" in shown and "the session stays at step 0" in shown
    term.send(r"/claim a^2 + b^2 \ge 2ab")
    assert "/claim → certified" in term.expect_prompt(1), "the session goes on after Ctrl-C"
    term.quit()


def test_resume_after_kill_9_shows_the_same_history(tmp_path):
    term = open_session(tmp_path)
    term.send(r"/claim a^3+b^3+c^3 \ge 4abc")
    term.expect_prompt(1)
    term.send("/proof " + GOOD_PROOF)
    term.expect_prompt(2)
    term.send("/history")
    before = term.expect_prompt(2)
    term.kill9()
    [run] = run_dirs(tmp_path)
    again = Terminal(tmp_path, "session", "--resume", run.name, "--model", scripted(tmp_path, [REPLY]), "--no-memory")
    shown = again.expect_prompt(2)
    assert "resumed after step 2" in shown
    again.send("/history")
    after = again.expect_prompt(2)
    lines = [ln for ln in before.splitlines() if re.match(r"\s+\d+  /", ln)]
    assert len(lines) == 2 and lines == [ln for ln in after.splitlines() if re.match(r"\s+\d+  /", ln)]
    again.send("/proof")
    assert "We have" in again.expect_prompt(3)
    again.quit()


def test_a_step_killed_mid_stream_is_shown_on_resume_with_its_partial_reply_and_retry_runs_it(tmp_path):
    slow = {"match": "mathematician says", "reply": "Sum the three cases and then conclude.", "token_delay_s": 2.0}
    term = open_session(tmp_path, [slow, {"reply": "VERDICT: PASS"}])
    term.send(r"/claim a^2+b^2 \ge 2ab")
    term.expect_prompt(1)
    term.send("walk me through it")
    term.expect("Sum the three")  # part of the reply is on the screen
    term.kill9()
    [run] = run_dirs(tmp_path)
    pending = json.loads((run / "session.pending.json").read_text())
    assert (pending["command"], pending["input"]) == ("say", "walk me through it"), "the input was written first"
    partial = (run / pending["partial"]).read_text()
    assert partial.startswith("INCOMPLETE") and "Sum the three" in partial and "conclude" not in partial
    again = Terminal(tmp_path, "session", "--resume", run.name, "--model", scripted(tmp_path, [REPLY]), "--no-memory")
    shown = again.expect_prompt(1)
    assert "step 2 did not finish" in shown and "message: walk me through it" in shown
    assert "Sum the three" in shown and "marked incomplete" in shown and "/retry runs it again" in shown
    again.send("/history")
    assert "incomplete (killed" in again.expect_prompt(1)
    again.send("/retry")
    shown = again.expect_prompt(2)
    assert "2] /say" in shown and "QED" in shown, "the retried step streamed and was kept"
    again.quit()
    assert not (run / "session.pending.json").exists() and (run / pending["partial"]).exists()
    steps = [json.loads(x) for x in (run / "session.jsonl").read_text().splitlines()]
    assert [(s["command"], s["input"]) for s in steps][-1] == ("say", "walk me through it")


def test_step_and_auto_walk_the_loop_one_node_at_a_time(tmp_path):
    rules = [{"match": "mathematician says", "reply": "x"},
             {"match": "VERDICT", "reply": "The steps hold.\nVERDICT: PASS"},
             {"reply": GOOD_PROOF}]
    term = open_session(tmp_path, rules)
    term.send("/step")
    shown = term.expect_prompt(1)
    assert "/step recall → ok" in shown and "next: generate" in shown
    term.send("/auto 1")
    shown = term.expect(r"decision: \w+")
    assert "/step generate" in shown and "/step self_verify" in shown and "/step execute" in shown
    term.expect_prompt(r"\d+")
    term.send("/proof")
    assert "We have" in term.expect_prompt(r"\d+"), "the loop's draft is the proof as it stands"
    term.quit()


def test_command_completion_and_multiline_input(tmp_path):
    term = open_session(tmp_path)
    term.child.send("/cla\t")
    term.child.expect(r"/cla(\x1b\[[0-9;?]*[a-zA-Z])*im")  # the completion, drawn after what was typed
    term.child.send(" a^2+b^2 \\ge 2ab\r")
    assert "/claim → certified" in term.expect_prompt(1)
    term.child.send("/proof line one\x1b\rline two\r")  # Alt-Enter: a new line in the same input
    term.expect_prompt(2)
    term.send("/proof")
    shown = term.expect_prompt(3)
    assert "line one\nline two" in shown.replace("\r", "")
    term.quit()


def test_prove_without_a_claim_certifies_the_problem_and_shows_the_proof(tmp_path):
    term = open_session(tmp_path)
    term.send("/prove")
    shown = term.expect_prompt(1)
    assert "/prove → certified" in shown and "proof (the checker's steps):" in shown
    term.quit()


def test_remember_then_recall_shows_provenance(tmp_path):
    spec = scripted(tmp_path, [REPLY])
    term = Terminal(tmp_path, "session", STATEMENT, "--model", spec, "--memory", str(tmp_path / "m.db"))
    term.expect_prompt(0)
    term.send("/remember Zorbly's trick: the substitution t = a/b halves the quartic cases")
    shown = term.expect_prompt(1)
    assert "/remember → ok" in shown and "source user:session" in shown
    term.send("/recall Zorbly")
    shown = term.expect_prompt(2)
    assert "Zorbly's trick" in shown and "user:session" in shown, "recalled with where it came from"
    term.quit()


def test_model_switch_mid_session_reaches_the_generator(tmp_path):
    term = open_session(tmp_path)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"rules": [{"reply": "From the other model."}]}))
    term.send(f"/model generator scripted:{other}")
    assert "generator now uses" in term.expect_prompt(1)
    term.send("hello")
    assert "From the other model." in term.expect_prompt(2)
    term.quit()


def test_prove_i_opens_the_session(tmp_path):
    term = Terminal(tmp_path, "prove", STATEMENT, "-i", "--model", scripted(tmp_path, [REPLY]), "--no-memory")
    assert "QED session" in term.expect_prompt(0)
    term.quit()


@pytest.mark.parametrize("args", [["session"], ["session", "--resume", "nowhere"],
                                  ["session", "Prove that $a \\ge a$.", "--trust-run-config"]])
def test_bad_input_is_one_line_and_exit_2(tmp_path, args):
    r = subprocess.run([sys.executable, "-m", "qed.cli", *args], capture_output=True, text=True,
                       env=qed_env(tmp_path), cwd=tmp_path, timeout=60)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_recall_shows_each_item_with_where_it_came_from(tmp_path):
    spec = scripted(tmp_path, [REPLY])
    term = Terminal(tmp_path, "session", STATEMENT, "--model", spec, "--memory", str(tmp_path / "m.db"))
    term.expect_prompt(0)
    term.send("/remember Zorbly's trick: the substitution t = a/b halves the quartic cases")
    shown = term.expect_prompt(1)
    assert "/remember → ok" in shown and "source user:session" in shown
    term.send("/recall AM-GM inequality")
    shown = term.expect_prompt(2)
    assert "/recall → ok" in shown and re.search(r"\[theorem [\w-]+\] .*AM-GM", shown)
    assert re.search(r"^\s+from (library|ineqmath)", shown, re.M), "each item says where it came from"
    term.quit()


def _two_models(tmp_path: Path) -> tuple[str, str]:
    specs = []
    for name, text in (("run", "From the run's model."), ("yours", "From your model.")):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({"rules": [{"reply": text}]}))
        specs.append(f"scripted:{path}")
    return specs[0], specs[1]


def test_resume_with_other_models_than_the_run_folders_is_refused_off_a_terminal(tmp_path):
    theirs, yours = _two_models(tmp_path)
    first = qed(tmp_path, "session", STATEMENT, "--model", theirs, "--no-memory", stdin="/quit\n")
    assert first.returncode == 0, first.stderr
    [run] = run_dirs(tmp_path)
    r = qed(tmp_path, "session", "--resume", run.name, "--model", yours, "--no-memory", stdin="hello\n/quit\n")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    [line] = r.stderr.strip().splitlines()
    assert "differ from your configuration" in line and "--trust-run-config" in line
    assert "From" not in r.stdout, "nothing ran"
    trusted = qed(tmp_path, "session", "--resume", run.name, "--model", yours, "--no-memory", "--trust-run-config",
                  stdin="hello\n/quit\n")
    assert trusted.returncode == 0, trusted.stderr
    assert "From the run's model." in trusted.stdout and "From your model." not in trusted.stdout
    same = qed(tmp_path, "session", "--resume", run.name, "--model", theirs, "--no-memory", stdin="/quit\n")
    assert same.returncode == 0, same.stderr  # the same models need no consent


def test_resume_with_other_models_asks_on_a_terminal_and_no_runs_nothing(tmp_path):
    theirs, yours = _two_models(tmp_path)
    term = Terminal(tmp_path, "session", STATEMENT, "--model", theirs, "--no-memory")
    term.expect_prompt(0)
    term.quit()
    [run] = run_dirs(tmp_path)
    refused = Terminal(tmp_path, "session", "--resume", run.name, "--model", yours, "--no-memory")
    shown = refused.expect(r"Resume with the run's models\? \[y/N\]")
    assert "generator: " + theirs in shown and "(yours: " + yours in shown
    refused.send("n")
    refused.child.expect(pexpect.EOF)
    assert "resume refused" in screen_text(refused.child.before)
    refused.child.close()
    assert refused.child.exitstatus == 2
    agreed = Terminal(tmp_path, "session", "--resume", run.name, "--model", yours, "--no-memory")
    agreed.expect(r"\[y/N\]")
    agreed.send("y")
    agreed.expect_prompt(0)
    agreed.send("hello")
    assert "From the run's model." in agreed.expect_prompt(1)
    agreed.quit()


def test_a_model_switched_in_the_session_needs_the_same_consent_on_resume(tmp_path):
    theirs, other = _two_models(tmp_path)
    first = qed(tmp_path, "session", STATEMENT, "--model", theirs, "--no-memory",
                stdin=f"/model generator {other}\n/quit\n")
    assert first.returncode == 0 and "generator now uses" in first.stdout, first.stderr
    [run] = run_dirs(tmp_path)
    r = qed(tmp_path, "session", "--resume", run.name, "--model", theirs, "--no-memory", stdin="hello\n/quit\n")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    [line] = r.stderr.strip().splitlines()
    assert f"generator={other}" in line, "the /model choice comes from the run folder too"
    trusted = qed(tmp_path, "session", "--resume", run.name, "--model", theirs, "--no-memory", "--trust-run-config",
                  stdin="hello\n/quit\n")
    assert trusted.returncode == 0 and "From your model." in trusted.stdout, trusted.stdout + trusted.stderr
