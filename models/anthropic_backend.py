"""Anthropic's Messages API (and servers compatible with it).

ANTHROPIC_API_KEY goes only to https://api.anthropic.com; any other host gets only
QED_ANTHROPIC_API_KEY or the role's api_key_env (models/keys.py). The SDK's own credential
discovery (ANTHROPIC_AUTH_TOKEN, profiles) is never consulted, and ANTHROPIC_BASE_URL is not read.
A reply with no text, or a stream that stops before the message ends, is a ModelError; a call ends
within its deadline, retries included.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import time

from qed.models.base import (
    DEFAULT_CALL_DEADLINE_S,
    CallOptions,
    Completion,
    Message,
    ModelError,
    TokenCallback,
    Usage,
)
from qed.models.deadline import Deadline
from qed.models.http import PLACEHOLDER, TRANSPORT_ERRORS, guarded_client
from qed.models.keys import DEFAULT_BASE_URL, choose_key, provider_variable
from qed.models.registry import Backend, BuildOptions, Finding, ModelSpec
from qed.models.retry import Transient, with_retries

_FINISH = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length"}


def _not_a_message() -> tuple[type[Exception], ...]:
    import anthropic
    import pydantic

    return (json.JSONDecodeError, pydantic.ValidationError, anthropic.APIResponseValidationError)


@functools.cache
def _takes_temperature() -> bool:
    """Newer SDKs dropped `temperature` from the Messages API; send it only where it is still taken."""
    from anthropic.resources.messages import Messages

    return "temperature" in inspect.signature(Messages.create).parameters


class AnthropicModel:
    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        *,
        attempts: int = 4,
        key_env: str | None = None,
        custom_keys: bool = True,
        deadline_s: float = DEFAULT_CALL_DEADLINE_S,
    ):
        self.model = model
        self.base_url = base_url or DEFAULT_BASE_URL["anthropic"]
        self.spec = f"anthropic:{model}@{base_url}" if base_url else f"anthropic:{model}"
        self.attempts = attempts
        self.deadline_s = deadline_s
        self.key = choose_key("anthropic", self.spec, self.base_url, key_env=key_env, custom_keys=custom_keys)
        provider = provider_variable("anthropic", self.base_url) is not None
        import anthropic  # the SDK is loaded when a model is built, not when a spec is read

        self._client = anthropic.Anthropic(
            api_key=PLACEHOLDER, base_url=self.base_url, max_retries=0,
            # explicit, so ANTHROPIC_CUSTOM_HEADERS cannot swap in another Authorization
            default_headers={"Authorization": f"Bearer {PLACEHOLDER}"},
            http_client=guarded_client(anthropic.DefaultHttpxClient, self.key, provider),
        )

    def chat(
        self,
        messages: list[Message],
        options: CallOptions | None = None,
        on_token: TokenCallback | None = None,
    ) -> Completion:
        import anthropic

        opts = options or CallOptions()
        system = "\n\n".join(m.content for m in messages if m.role == "system")
        kwargs: dict = dict(model=self.model, messages=[m.to_dict() for m in messages if m.role != "system"],
                            max_tokens=opts.max_tokens)
        if _takes_temperature():
            kwargs["temperature"] = opts.temperature
        if system:
            kwargs["system"] = system
        if opts.stop:
            kwargs["stop_sequences"] = opts.stop
        deadline = Deadline(self.deadline_s if opts.deadline_s is None else opts.deadline_s)
        start = time.perf_counter()
        not_a_message = _not_a_message()

        def once(timeout_s: float) -> Completion:
            try:
                if on_token is None:
                    return self._plain(kwargs, timeout_s, start)
                return self._streamed(kwargs, timeout_s, on_token, start)
            except ModelError as e:
                if deadline.cut:  # the watchdog ended a reply that was still coming in
                    raise Transient(f"{self.spec}: the reply was still unfinished") from e
                raise
            except (anthropic.APITimeoutError, anthropic.APIConnectionError) as e:
                raise Transient(f"{self.spec}: cannot reach the server ({type(e).__name__})") from e
            except TRANSPORT_ERRORS as e:  # raised while a stream is read
                raise Transient(f"{self.spec}: the connection broke mid-reply ({type(e).__name__})") from e
            except anthropic.RateLimitError as e:
                raise Transient(f"{self.spec}: rate limited (429)") from e
            except anthropic.InternalServerError as e:
                raise Transient(f"{self.spec}: server error {e.status_code}") from e
            except anthropic.APIStatusError as e:
                raise ModelError(f"{self.spec}: request refused ({e.status_code})") from e
            except not_a_message as e:
                raise ModelError(f"{self.spec}: the server answered with something that is not a message "
                                 f"({type(e).__name__})") from e

        with deadline.active():
            return with_retries(once, deadline=deadline, timeout_s=opts.timeout_s, attempts=self.attempts)

    def _plain(self, kwargs: dict, timeout_s: float, start: float) -> Completion:
        r = self._client.messages.create(**kwargs, timeout=timeout_s)
        blocks = getattr(r, "content", None)
        texts = [getattr(b, "text", None) for b in blocks or [] if getattr(b, "type", "") == "text"]
        if not isinstance(blocks, list) or not texts or not all(isinstance(t, str) for t in texts):
            raise ModelError(f"{self.spec}: the server's reply has no text content")
        usage = getattr(r, "usage", None)
        stop = getattr(r, "stop_reason", None)
        return Completion(
            text="".join(texts),
            model=getattr(r, "model", None) or self.model,
            usage=Usage(getattr(usage, "input_tokens", 0) or 0, getattr(usage, "output_tokens", 0) or 0),
            latency_s=time.perf_counter() - start,
            finish_reason=_FINISH.get(stop or "", stop),
        )

    def _streamed(self, kwargs: dict, timeout_s: float, on_token: TokenCallback, start: float) -> Completion:
        """Read the raw event stream: message_start, text deltas, message_delta (the stop reason)."""
        events = self._client.messages.create(**kwargs, stream=True, timeout=timeout_s)
        pieces: list[str] = []
        model, stop, usage = self.model, None, Usage()
        try:
            for event in events:
                kind = getattr(event, "type", None)
                if kind == "message_start":
                    model = getattr(event.message, "model", None) or model
                    usage.prompt_tokens = getattr(getattr(event.message, "usage", None), "input_tokens", 0) or 0
                elif kind == "content_block_delta" and getattr(event.delta, "type", "") == "text_delta":
                    text = getattr(event.delta, "text", None)
                    if isinstance(text, str) and text:
                        pieces.append(text)
                        on_token(text)
                elif kind == "message_delta":
                    stop = getattr(event.delta, "stop_reason", None) or stop
                    usage.completion_tokens = getattr(getattr(event, "usage", None), "output_tokens", 0) or 0
        finally:
            events.close()
        if stop is None:
            if not pieces:
                raise ModelError(f"{self.spec}: the server streamed no reply")
            raise ModelError(f"{self.spec}: the stream ended before the reply finished "
                             f"({sum(map(len, pieces))} characters in)")
        if not pieces:
            raise ModelError(f"{self.spec}: the server's reply has no text content")
        return Completion("".join(pieces), model, usage, time.perf_counter() - start, _FINISH.get(stop, stop))

    def close(self) -> None:
        self._client.close()


def _build(spec: ModelSpec, options: BuildOptions) -> AnthropicModel:
    return AnthropicModel(spec.name, spec.base_url, key_env=options.key_env, custom_keys=options.custom_keys,
                          deadline_s=options.deadline_s)


def _check_role(spec: ModelSpec) -> tuple[bool | None, str]:
    has = bool(os.environ.get("ANTHROPIC_API_KEY"))
    return has, "" if has else "ANTHROPIC_API_KEY not set"


def _doctor() -> list[Finding]:
    has = bool(os.environ.get("ANTHROPIC_API_KEY"))
    return [Finding("keys", "ANTHROPIC_API_KEY", True if has else None, "set" if has else "not set")]


BACKEND = Backend("anthropic", "anthropic:<model>[@<base_url>]", "Anthropic's Messages API", _build,
                  takes_base_url=True, check_role=_check_role, doctor=_doctor)
