"""Spec strings to backends: adding a provider is one file plus one line here."""

from __future__ import annotations

from pathlib import Path

from qed.models.base import DEFAULT_CALL_DEADLINE_S, ChatModel, ModelSpecError

SPEC_HELP = (
    "openai:<model>[@<base_url>], anthropic:<model>[@<base_url>], local:<catalog name>, scripted:<file>"
)


def parse_spec(spec: str) -> tuple[str, str, str | None]:
    """'openai:qwen@http://h:8000/v1' -> ('openai', 'qwen', 'http://h:8000/v1')."""
    kind, sep, rest = spec.partition(":")
    if not sep or not rest or kind not in {"openai", "anthropic", "local", "scripted"}:
        raise ModelSpecError(f"unknown model spec {spec!r}; expected {SPEC_HELP}")
    if kind in {"openai", "anthropic"} and "@" in rest:
        model, _, base = rest.partition("@")
        if not model or not base:
            raise ModelSpecError(f"bad model spec {spec!r}; expected {kind}:<model>@<base_url>")
        return kind, model, base
    return kind, rest, None


def resolve(
    spec: str,
    *,
    server_log: Path | None = None,
    key_env: str | None = None,
    custom_keys: bool = True,
    deadline_s: float = DEFAULT_CALL_DEADLINE_S,
) -> ChatModel:
    """The backend for `spec`. `key_env` names the variable holding the key for a custom host,
    `custom_keys=False` sends a custom host no key at all (models/keys.py), `deadline_s` bounds
    each call, retries included."""
    kind, name, base_url = parse_spec(spec)
    if kind == "openai":
        from qed.models.openai_backend import OpenAIModel

        return OpenAIModel(name, base_url, key_env=key_env, custom_keys=custom_keys, deadline_s=deadline_s)
    if kind == "anthropic":
        from qed.models.anthropic_backend import AnthropicModel

        return AnthropicModel(name, base_url, key_env=key_env, custom_keys=custom_keys, deadline_s=deadline_s)
    if kind == "local":
        from qed.models.local_backend import LocalModel

        return LocalModel(name, log_path=server_log, deadline_s=deadline_s)
    from qed.models.scripted_backend import ScriptedModel

    return ScriptedModel(name)
