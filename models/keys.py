"""Which API key may go to which host: a provider's key only to that provider's own host.

OPENAI_API_KEY goes only to https://api.openai.com, DEEPSEEK_API_KEY only to
https://api.deepseek.com, ANTHROPIC_API_KEY only to https://api.anthropic.com. Any other host —
a vLLM box, a proxy, a host named by a qed.toml in the current folder or by a run folder someone
sent — gets a key only from a variable named for that purpose, never by default:
QED_OPENAI_API_KEY / QED_ANTHROPIC_API_KEY (an explicit opt-in for custom hosts), or the role's
`api_key_env` in qed.toml, which must name a QED_* variable (or the provider variable of the very
host the role talks to). Keys come only from the environment and are never written anywhere: the
values in use are remembered so that `redact` can scrub them from anything QED logs.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from qed.models.base import ModelError

# provider variable -> (backend kind, the one host it is sent to)
PROVIDER_KEYS: dict[str, tuple[str, str]] = {
    "OPENAI_API_KEY": ("openai", "api.openai.com"),
    "DEEPSEEK_API_KEY": ("openai", "api.deepseek.com"),
    "ANTHROPIC_API_KEY": ("anthropic", "api.anthropic.com"),
}
CUSTOM_HOST_KEYS = {"openai": "QED_OPENAI_API_KEY", "anthropic": "QED_ANTHROPIC_API_KEY"}
DEFAULT_BASE_URL = {"openai": "https://api.openai.com/v1", "anthropic": "https://api.anthropic.com"}

Origin = tuple[str, str, int]  # scheme, host, port


def origin_of(url: str) -> Origin:
    parts = urlsplit(url)
    scheme = (parts.scheme or "").lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, (parts.hostname or "").lower(), port


@dataclass(frozen=True)
class KeyChoice:
    """The key a backend sends, the variable it came from, and the one origin it may reach."""

    variable: str | None
    value: str | None
    origin: Origin

    def allows(self, url: str) -> bool:
        return self.value is not None and origin_of(url) == self.origin


def provider_variable(kind: str, base_url: str) -> str | None:
    """The provider variable whose host `base_url` is (over https), if any."""
    scheme, host, _ = origin_of(base_url)
    for variable, (provider_kind, provider_host) in PROVIDER_KEYS.items():
        if provider_kind == kind and host == provider_host and scheme == "https":
            return variable
    return None


def check_key_env(variable: str, where: str) -> None:
    """An api_key_env must name a QED_* variable or a provider's own key (checked against its host later)."""
    if not variable.isidentifier() or not (variable.startswith("QED_") or variable in PROVIDER_KEYS):
        raise ModelError(f"{where}: api_key_env must name a QED_* variable (or {', '.join(PROVIDER_KEYS)} "
                         f"for that provider's own host), not {variable!r}")


def choose_key(
    kind: str,
    spec: str,
    base_url: str,
    *,
    key_env: str | None = None,
    custom_keys: bool = True,
    env: Mapping[str, str] | None = None,
) -> KeyChoice:
    """The key for one backend, by the rule above. `custom_keys=False` (QED's own local worker, or
    a host taken from a run folder) means a custom host gets no key at all."""
    env = os.environ if env is None else env
    here = origin_of(base_url)
    provider = provider_variable(kind, base_url)
    if key_env:
        check_key_env(key_env, spec)
        if key_env in PROVIDER_KEYS and key_env != provider:
            host = PROVIDER_KEYS[key_env][1]
            raise ModelError(f"{spec}: api_key_env {key_env} is sent only to https://{host}, not to {here[1]}")
        if provider is None and not custom_keys:
            raise ModelError(f"{spec}: this host comes from a run folder; it gets no key from api_key_env")
        value = env.get(key_env)
        if not value:
            raise ModelError(f"{spec}: api_key_env names {key_env}, which is not set")
        return _remember(KeyChoice(key_env, value, here))
    if provider is not None:
        value = env.get(provider)
        if not value:
            raise ModelError(f"{spec}: no API key; set {provider}")
        return _remember(KeyChoice(provider, value, here))
    variable = CUSTOM_HOST_KEYS[kind]
    value = env.get(variable) if custom_keys else None
    return _remember(KeyChoice(variable if value else None, value or None, here))


# -- keeping keys out of logs -----------------------------------------------------------------
_in_use: set[str] = set()
_lock = threading.Lock()
MIN_SECRET_LEN = 8  # shorter "keys" (e.g. a dummy "x" for a local server) would redact ordinary text


def _remember(choice: KeyChoice) -> KeyChoice:
    if choice.value and len(choice.value) >= MIN_SECRET_LEN:
        with _lock:
            _in_use.add(choice.value)
    return choice


def redact(text: str | None) -> str | None:
    """`text` with every API key this process has used replaced by [redacted]."""
    if not text:
        return text
    with _lock:
        secrets = sorted(_in_use, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, "[redacted]")
    return text


class StreamRedactor:
    """Streamed text on its way to a terminal, with keys scrubbed even when split across pieces.

    It holds back the last few characters (one less than the longest key) until it knows they do
    not start a key; `flush` releases the rest when the reply ends.
    """

    def __init__(self, sink: Callable[[str], None]):
        self.sink = sink
        self._held = ""
        with _lock:
            self._keep = max((len(s) for s in _in_use), default=1) - 1

    def __call__(self, piece: str) -> None:
        text = redact(self._held + piece) or ""
        cut = max(0, len(text) - self._keep)
        self._held = text[cut:]
        if cut:
            self.sink(text[:cut])

    def flush(self) -> None:
        if self._held:
            text, self._held = redact(self._held) or "", ""
            self.sink(text)


def keys_in_use() -> bool:
    with _lock:
        return bool(_in_use)
