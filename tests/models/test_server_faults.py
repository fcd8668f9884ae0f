"""A model server that misbehaves is a ModelError with one clear line, never an empty reply or a hang.

Every test talks HTTP to a real server on 127.0.0.1 (tests/models/fake_server.py) that answers
200 with garbage, with no choices, with no content, cuts its stream, or never answers at all.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from qed.models.anthropic_backend import AnthropicModel
from qed.models.base import CallOptions, ChatModel, Message, ModelError
from qed.models.openai_backend import OpenAIModel

from tests.models.fake_server import DEFAULT_REPLY, FakeModelServer

ASK = [Message("system", "Be brief."), Message("user", "What is the smallest prime greater than 10?")]
NO_REPLY = ["garbage", "no-choices", "no-message", "null-content"]


def _openai(server: FakeModelServer, mode: str, **kw: Any) -> OpenAIModel:
    return OpenAIModel("fake", server.url(mode), **kw)


def _anthropic(server: FakeModelServer, mode: str, **kw: Any) -> AnthropicModel:
    return AnthropicModel("fake", server.url(mode).removesuffix("/v1"), **kw)


BACKENDS: dict[str, Callable[..., ChatModel]] = {"openai": _openai, "anthropic": _anthropic}


def _chat(model: ChatModel, streamed: bool, options: CallOptions | None = None):
    pieces: list[str] = []
    result = model.chat(ASK, options or CallOptions(max_tokens=50), on_token=pieces.append if streamed else None)
    return result, pieces


def _one_line(e: pytest.ExceptionInfo[ModelError]) -> str:
    text = str(e.value)
    assert text and "\n" not in text, text
    return text


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_good_server_still_answers(backend, streamed):
    with FakeModelServer() as server:
        result, pieces = _chat(BACKENDS[backend](server, "ok"), streamed)
    assert result.text == DEFAULT_REPLY and result.finish_reason == "stop"
    assert result.usage.prompt_tokens == 7
    if streamed:
        assert "".join(pieces) == DEFAULT_REPLY


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
@pytest.mark.parametrize("mode", NO_REPLY)
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_200_without_a_reply_is_a_model_error(backend, mode, streamed):
    with FakeModelServer() as server:
        model = BACKENDS[backend](server, mode)
        with pytest.raises(ModelError) as e:
            _chat(model, streamed)
        assert len(server.requests) == 1, "a server that answers nonsense is not asked again and again"
    message = _one_line(e)
    assert model.spec in message


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_stream_cut_before_the_reply_finished_is_a_model_error(backend):
    with FakeModelServer() as server:
        model = BACKENDS[backend](server, "cut")
        with pytest.raises(ModelError) as e:
            _chat(model, streamed=True)
    assert "before the reply finished" in _one_line(e)


def _ends_within(fn: Callable[[], Any], bound_s: float) -> BaseException | None:
    """Run fn in a thread; what it raised, or fail if it is still running after bound_s."""
    caught: list[BaseException] = []

    def run() -> None:
        try:
            fn()
        except BaseException as e:  # noqa: BLE001 (handed to the test)
            caught.append(e)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(bound_s)
    assert not t.is_alive(), f"the call was still running after {bound_s} s"
    return caught[0] if caught else None


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
@pytest.mark.parametrize("mode", ["hang", "trickle"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_server_that_never_finishes_is_bounded_by_the_call_deadline(backend, mode, streamed):
    # Each attempt alone may wait 600 s; the whole call, retries included, has 2 s.
    options = CallOptions(max_tokens=50, timeout_s=600, deadline_s=2)
    with FakeModelServer() as server:
        model = BACKENDS[backend](server, mode, attempts=4)
        error = _ends_within(lambda: _chat(model, streamed, options), bound_s=90)
    assert isinstance(error, ModelError), error
    assert "deadline" in str(error) and "\n" not in str(error)


def test_the_backend_deadline_comes_from_its_settings():
    with FakeModelServer() as server:
        model = _openai(server, "hang", deadline_s=1.5)
        error = _ends_within(lambda: _chat(model, False, CallOptions(timeout_s=600)), bound_s=90)
    assert isinstance(error, ModelError) and "1.5 s" in str(error)
