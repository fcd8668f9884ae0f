"""Any OpenAI-compatible server: OpenAI, DeepSeek, vLLM, llama.cpp, Ollama.

Keys follow models/keys.py: OPENAI_API_KEY only to https://api.openai.com, DEEPSEEK_API_KEY only
to https://api.deepseek.com, any other host only QED_OPENAI_API_KEY or the role's api_key_env. A
200 that carries no reply (not JSON, no choices, no message content, a stream that stops before
it finishes) is a ModelError, never an empty reply. A call ends within its deadline, retries
included (models/deadline.py). Without `@base_url` the host is api.openai.com (OPENAI_BASE_URL is
not read: the spec says where calls go).
"""

from __future__ import annotations

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


def _not_a_completion() -> tuple[type[Exception], ...]:
    import openai
    import pydantic

    return (json.JSONDecodeError, pydantic.ValidationError, openai.APIResponseValidationError)


class OpenAIModel:
    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        *,
        attempts: int = 4,
        spec: str | None = None,
        key_env: str | None = None,
        custom_keys: bool = True,
        deadline_s: float = DEFAULT_CALL_DEADLINE_S,
    ):
        self.model = model
        self.base_url = base_url or DEFAULT_BASE_URL["openai"]
        self.spec = spec or (f"openai:{model}@{base_url}" if base_url else f"openai:{model}")
        self.attempts = attempts
        self.deadline_s = deadline_s
        self.key = choose_key("openai", self.spec, self.base_url, key_env=key_env, custom_keys=custom_keys)
        provider = provider_variable("openai", self.base_url) is not None
        import openai  # the SDK is loaded when a model is built, not when a spec is read

        self._client = openai.OpenAI(
            api_key=PLACEHOLDER, base_url=self.base_url, max_retries=0,
            # explicit, so OPENAI_CUSTOM_HEADERS cannot swap in another Authorization
            default_headers={"Authorization": f"Bearer {PLACEHOLDER}"},
            http_client=guarded_client(openai.DefaultHttpxClient, self.key, provider),
        )

    def chat(
        self,
        messages: list[Message],
        options: CallOptions | None = None,
        on_token: TokenCallback | None = None,
    ) -> Completion:
        import openai

        opts = options or CallOptions()
        deadline = Deadline(self.deadline_s if opts.deadline_s is None else opts.deadline_s)
        start = time.perf_counter()
        not_a_completion = _not_a_completion()

        def once(timeout_s: float) -> Completion:
            try:
                if on_token is None:
                    return self._plain(messages, opts, timeout_s, start)
                return self._streamed(messages, opts, timeout_s, on_token, start)
            except ModelError as e:
                if deadline.cut:  # the watchdog ended a reply that was still coming in
                    raise Transient(f"{self.spec}: the reply was still unfinished") from e
                raise
            except (openai.APITimeoutError, openai.APIConnectionError) as e:
                raise Transient(f"{self.spec}: cannot reach the server ({type(e).__name__}: {_first(e)})") from e
            except TRANSPORT_ERRORS as e:  # raised while a stream is read
                raise Transient(f"{self.spec}: the connection broke mid-reply ({type(e).__name__})") from e
            except openai.RateLimitError as e:
                raise Transient(f"{self.spec}: rate limited (429)") from e
            except openai.InternalServerError as e:
                raise Transient(f"{self.spec}: server error {e.status_code}") from e
            except openai.APIStatusError as e:
                raise ModelError(f"{self.spec}: request refused ({e.status_code}): {_first(e)[:200]}") from e
            except not_a_completion as e:
                raise ModelError(f"{self.spec}: the server answered with something that is not a chat "
                                 f"completion ({type(e).__name__})") from e

        with deadline.active():
            return with_retries(once, deadline=deadline, timeout_s=opts.timeout_s, attempts=self.attempts)

    def _request(self, messages: list[Message], opts: CallOptions, timeout_s: float) -> dict:
        return dict(
            model=self.model,
            messages=[m.to_dict() for m in messages],
            max_tokens=opts.max_tokens,
            temperature=opts.temperature,
            stop=opts.stop,
            timeout=timeout_s,
        )

    def _plain(self, messages: list[Message], opts: CallOptions, timeout_s: float, start: float) -> Completion:
        r = self._client.chat.completions.create(**self._request(messages, opts, timeout_s))
        choices = getattr(r, "choices", None)
        if not isinstance(choices, list) or not choices:
            raise ModelError(f"{self.spec}: the server answered without a reply (no choices)")
        choice = choices[0]
        content = getattr(getattr(choice, "message", None), "content", None)
        if not isinstance(content, str):
            raise ModelError(f"{self.spec}: the server's reply has no message content")
        usage = getattr(r, "usage", None)
        return Completion(
            text=content,
            model=getattr(r, "model", None) or self.model,
            usage=Usage(usage.prompt_tokens or 0, usage.completion_tokens or 0) if usage else Usage(),
            latency_s=time.perf_counter() - start,
            finish_reason=getattr(choice, "finish_reason", None),
        )

    def _streamed(
        self, messages: list[Message], opts: CallOptions, timeout_s: float, on_token: TokenCallback, start: float
    ) -> Completion:
        stream = self._client.chat.completions.create(
            **self._request(messages, opts, timeout_s), stream=True, stream_options={"include_usage": True}
        )
        pieces: list[str] = []
        usage = Usage()
        finish: str | None = None
        model = self.model
        try:
            for chunk in stream:
                model = getattr(chunk, "model", None) or model
                if getattr(chunk, "usage", None):
                    usage = Usage(chunk.usage.prompt_tokens or 0, chunk.usage.completion_tokens or 0)
                for choice in getattr(chunk, "choices", None) or []:
                    text = getattr(getattr(choice, "delta", None), "content", None)
                    if isinstance(text, str) and text:
                        pieces.append(text)
                        on_token(text)
                    if getattr(choice, "finish_reason", None):
                        finish = choice.finish_reason
        finally:
            stream.close()
        if finish is None:
            if not pieces:
                raise ModelError(f"{self.spec}: the server streamed no reply")
            raise ModelError(f"{self.spec}: the stream ended before the reply finished "
                             f"({sum(map(len, pieces))} characters in)")
        return Completion("".join(pieces), model, usage, time.perf_counter() - start, finish)

    def close(self) -> None:
        self._client.close()


def _first(e: Exception) -> str:
    text = str(getattr(e, "message", None) or e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def _build(spec: ModelSpec, options: BuildOptions) -> OpenAIModel:
    return OpenAIModel(spec.name, spec.base_url, key_env=options.key_env, custom_keys=options.custom_keys,
                       deadline_s=options.deadline_s)


def _check_role(spec: ModelSpec) -> tuple[bool | None, str]:
    """A custom host must answer; OpenAI itself needs its key (QED_OPENAI_API_KEY is for custom hosts)."""
    if spec.base_url:
        return _reachable(spec.base_url)
    has = bool(os.environ.get("OPENAI_API_KEY"))
    return has, "" if has else "OPENAI_API_KEY not set"


def _reachable(base_url: str) -> tuple[bool, str]:
    from urllib.parse import urlparse

    import httpx

    url = base_url.rstrip("/") + "/models"
    try:
        r = httpx.get(url, timeout=3.0)
    except httpx.HTTPError as e:
        return False, f"{urlparse(base_url).netloc}: {type(e).__name__}"
    return r.status_code < 500, f"{url} answered {r.status_code}"


def _doctor() -> list[Finding]:
    return [Finding("keys", env, True if os.environ.get(env) else None, "set" if os.environ.get(env) else "not set")
            for env in ("OPENAI_API_KEY", "DEEPSEEK_API_KEY")]


BACKEND = Backend("openai", "openai:<model>[@<base_url>]",
                  "OpenAI, DeepSeek, vLLM, llama.cpp, Ollama: anything OpenAI-compatible", _build,
                  takes_base_url=True, check_role=_check_role, doctor=_doctor)
