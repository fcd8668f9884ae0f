"""Anthropic's Messages API (and servers compatible with it)."""

from __future__ import annotations

import os
import time

import anthropic
from qed.models.base import CallOptions, Completion, Message, ModelError, TokenCallback, Usage
from qed.models.retry import Transient, with_retries

_FINISH = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length"}


class AnthropicModel:
    def __init__(self, model: str, base_url: str | None = None, *, attempts: int = 4):
        self.model = model
        self.spec = f"anthropic:{model}@{base_url}" if base_url else f"anthropic:{model}"
        self.attempts = attempts
        key = os.environ.get("ANTHROPIC_API_KEY")
        if not key:
            raise ModelError(f"{self.spec}: no API key; set ANTHROPIC_API_KEY")
        self._client = anthropic.Anthropic(api_key=key, base_url=base_url, max_retries=0)

    def chat(
        self,
        messages: list[Message],
        options: CallOptions | None = None,
        on_token: TokenCallback | None = None,
    ) -> Completion:
        opts = options or CallOptions()
        system = "\n\n".join(m.content for m in messages if m.role == "system")
        turns = [m.to_dict() for m in messages if m.role != "system"]
        kwargs = dict(
            model=self.model,
            messages=turns,
            max_tokens=opts.max_tokens,
            temperature=opts.temperature,
            timeout=opts.timeout_s,
        )
        if system:
            kwargs["system"] = system
        if opts.stop:
            kwargs["stop_sequences"] = opts.stop
        start = time.perf_counter()

        def once() -> Completion:
            try:
                if on_token is None:
                    r = self._client.messages.create(**kwargs)
                else:
                    with self._client.messages.stream(**kwargs) as stream:
                        for piece in stream.text_stream:
                            on_token(piece)
                        r = stream.get_final_message()
            except (anthropic.APITimeoutError, anthropic.APIConnectionError) as e:
                raise Transient(f"{self.spec}: cannot reach the server ({type(e).__name__})") from e
            except anthropic.RateLimitError as e:
                raise Transient(f"{self.spec}: rate limited (429)") from e
            except anthropic.InternalServerError as e:
                raise Transient(f"{self.spec}: server error {e.status_code}") from e
            except anthropic.APIStatusError as e:
                raise ModelError(f"{self.spec}: request refused ({e.status_code})") from e
            text = "".join(block.text for block in r.content if getattr(block, "type", "") == "text")
            return Completion(
                text=text,
                model=r.model,
                usage=Usage(r.usage.input_tokens, r.usage.output_tokens),
                latency_s=time.perf_counter() - start,
                finish_reason=_FINISH.get(r.stop_reason or "", r.stop_reason),
            )

        try:
            return with_retries(once, attempts=self.attempts)
        except Transient as e:
            raise ModelError(f"{e} (gave up after {self.attempts} attempts)") from e

    def close(self) -> None:
        self._client.close()
