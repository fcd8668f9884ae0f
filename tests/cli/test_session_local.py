"""`qed session` with the embedded test model (smollm2-135m, llama.cpp): a message streams a reply,
and the computation commands work beside it. The model's words are junk; the plumbing is real."""

from __future__ import annotations

import pytest
from qed.models.catalog import TEST_MODEL
from qed.models.store import ModelStore

from tests.cli.test_session_repl import STATEMENT, Terminal

pytestmark = pytest.mark.integration


def _session(tmp_path, loop_toml: str) -> Terminal:
    """A session on the starter statement with the embedded test model, at its first prompt."""
    if ModelStore().path(TEST_MODEL) is None:
        pytest.skip(f"{TEST_MODEL} is not in the model cache; run: qed models pull {TEST_MODEL}")
    (tmp_path / "qed.toml").write_text("[loop]\n" + loop_toml)
    term = Terminal(tmp_path, "session", STATEMENT, "--model", f"local:{TEST_MODEL}", "--no-memory", timeout=300)
    term.expect_prompt(0)
    return term


def test_a_message_streams_from_the_embedded_model_and_a_claim_is_refuted(tmp_path):
    term = _session(tmp_path, "generate_max_tokens = 40\n")
    term.send("Which inequality should I try first?")
    shown = term.expect_prompt(1)
    assert "── say" in shown and "[1] /say" in shown
    reply = shown.split("── say", 1)[1].split("[1] /say", 1)[0].strip()
    assert reply, "the model's reply is shown as it streams"
    term.send(r"/claim a + b \ge 3c")
    assert "/claim → refuted" in term.expect_prompt(2)
    term.quit()


def test_the_referee_and_the_loop_run_on_the_embedded_model(tmp_path):
    """/review asks the real model for a verdict on the proof as it stands; /step runs a loop node."""
    term = _session(tmp_path, "generate_max_tokens = 40\nreview_max_tokens = 60\n")
    term.send(r"/proof Since $(a-b)^2+(b-c)^2+(c-a)^2 \geq 0$, expanding gives $a^2+b^2+c^2 \geq ab+bc+ca$.")
    term.expect_prompt(1)
    term.send("/review")
    shown = term.expect_prompt(2)
    assert "[2] /review →" in shown and "review: " in shown, "the referee's verdict (whatever the model said) is shown"
    term.send("/step")
    assert "/step recall → ok" in term.expect_prompt(3)
    term.quit()
