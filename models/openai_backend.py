"""Any OpenAI-compatible server: OpenAI, DeepSeek, vLLM, llama.cpp, Ollama."""

from __future__ import annotations

import os
import time
from urllib.parse import urlparse

import openai
from qed.models.base import CallOptions, Completion, Message, ModelError, TokenCallback, Usage
from qed.models.retry import Transient, with_retries

# Which environment variable holds the key for a known host; anything else uses OPENAI_API_KEY.
_KEY_BY_HOST = {"api.deepseek.com": "DEEPSEEK_API_KEY", "api.openai.com": "OPENAI_API_KEY"}


def _is_local(base_url: str | None) -> bool:
    host = urlparse(base_url).hostname if base_url else None
    return host in {"127.0.0.1", "localhost", "::1", "0.0.0.0"}


def api_key_for(base_url: str | None) -> str | None:
    """Keys come only from the environment; a local server needs none."""
    if explicit := os.environ.get("QED_OPENAI_API_KEY"):
        return explicit
    host = urlparse(base_url).hostname if base_url else "api.openai.com"
    env = _KEY_BY_HOST.get(host or "", "OPENAI_API_KEY")
    return os.environ.get(env) or os.environ.get("OPENAI_API_KEY")


class OpenAIModel:
    def __init__(self, model: str, base_url: str | None = None, *, attempts: int = 4, spec: str | None = None):
        self.model = model
        self.base_url = base_url
        self.spec = spec or (f"openai:{model}@{base_url}" if base_url else f"openai:{model}")
        self.attempts = attempts
        key = api_key_for(base_url)
        if key is None:
            if not (base_url and (_is_local(base_url) or not urlparse(base_url).hostname.endswith("openai.com"))):
                raise ModelError(f"{self.spec}: no API key; set OPENAI_API_KEY (or QED_OPENAI_API_KEY)")
            key = "no-key"
        self._client = openai.OpenAI(api_key=key, base_url=base_url, max_retries=0)

    def chat(
        self,
        messages: list[Message],
        options: CallOptions | None = None,
        on_token: TokenCallback | None = None,
    ) -> Completion:
        opts = options or CallOptions()
        start = time.perf_counter()

        def once() -> Completion:
            try:
                if on_token is None:
                    return self._plain(messages, opts, start)
                return self._streamed(messages, opts, on_token, start)
            except (openai.APITimeoutError, openai.APIConnectionError) as e:
                raise Transient(f"{self.spec}: cannot reach the server ({type(e).__name__}: {e})") from e
            except openai.RateLimitError as e:
                raise Transient(f"{self.spec}: rate limited (429)") from e
            except openai.InternalServerError as e:
                raise Transient(f"{self.spec}: server error {e.status_code}") from e
            except openai.APIStatusError as e:
                raise ModelError(f"{self.spec}: request refused ({e.status_code}): {_short(e)}") from e

        try:
            return with_retries(once, attempts=self.attempts)
        except Transient as e:
            raise ModelError(f"{e} (gave up after {self.attempts} attempts)") from e

    def _request(self, messages: list[Message], opts: CallOptions) -> dict:
        return dict(
            model=self.model,
            messages=[m.to_dict() for m in messages],
            max_tokens=opts.max_tokens,
            temperature=opts.temperature,
            stop=opts.stop,
            timeout=opts.timeout_s,
        )

    def _plain(self, messages: list[Message], opts: CallOptions, start: float) -> Completion:
        r = self._client.chat.completions.create(**self._request(messages, opts))
        choice = r.choices[0]
        usage = Usage(r.usage.prompt_tokens, r.usage.completion_tokens) if r.usage else Usage()
        return Completion(
            text=choice.message.content or "",
            model=r.model or self.model,
            usage=usage,
            latency_s=time.perf_counter() - start,
            finish_reason=choice.finish_reason,
        )

    def _streamed(
        self, messages: list[Message], opts: CallOptions, on_token: TokenCallback, start: float
    ) -> Completion:
        stream = self._client.chat.completions.create(
            **self._request(messages, opts), stream=True, stream_options={"include_usage": True}
        )
        pieces: list[str] = []
        usage = Usage()
        finish: str | None = None
        model = self.model
        for chunk in stream:
            model = chunk.model or model
            if chunk.usage:
                usage = Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
            for choice in chunk.choices:
                if choice.delta and choice.delta.content:
                    pieces.append(choice.delta.content)
                    on_token(choice.delta.content)
                if choice.finish_reason:
                    finish = choice.finish_reason
        return Completion("".join(pieces), model, usage, time.perf_counter() - start, finish)

    def close(self) -> None:
        self._client.close()


def _short(e: openai.APIStatusError) -> str:
    text = str(e.message if hasattr(e, "message") else e)
    return text.splitlines()[0][:200] if text else ""
