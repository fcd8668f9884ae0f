"""The HTTP client under each SDK: the key reaches the wire only for its own host, and every reply
is watched by the call's deadline.

The SDKs read credentials and headers from the environment on their own (OPENAI_CUSTOM_HEADERS,
ANTHROPIC_AUTH_TOKEN, profiles, ...) and would send them to whatever base URL they are given. So
each SDK gets a placeholder instead of the key, and a request hook — the last thing before the
bytes leave — puts the real key in only when the request goes to the key's own origin (a redirect
elsewhere gets none), and, for any host that is not the SDK's own provider, drops the credential
and identity headers that the SDK took from the environment.
"""

from __future__ import annotations

import os
from typing import Any

from qed.models.deadline import watch_response
from qed.models.keys import KeyChoice

PLACEHOLDER = "qed-key-placeholder"  # what the SDK holds instead of a key
_ALWAYS_FOREIGN = {"authorization", "x-api-key", "openai-organization", "openai-project"}
_SDK_HEADER_VARIABLES = ("OPENAI_CUSTOM_HEADERS", "ANTHROPIC_CUSTOM_HEADERS")


def _env_header_names() -> set[str]:
    names = set()
    for variable in _SDK_HEADER_VARIABLES:
        for line in os.environ.get(variable, "").splitlines():
            name, sep, _ = line.partition(":")
            if sep and name.strip():
                names.add(name.strip().lower())
    return names


def key_guard(key: KeyChoice, provider_host: bool):
    """httpx request hook enforcing `key`'s origin on every request, redirects included."""
    foreign = set() if provider_host else _ALWAYS_FOREIGN | _env_header_names()

    def on_request(request: Any) -> None:
        allowed = key.allows(str(request.url))
        for name, value in list(request.headers.items()):
            if PLACEHOLDER in value:
                if allowed:
                    request.headers[name] = value.replace(PLACEHOLDER, key.value or "")
                else:
                    del request.headers[name]
            elif name.lower() in foreign or (not allowed and name.lower() in _ALWAYS_FOREIGN):
                del request.headers[name]

    return on_request


def guarded_client(client_cls: type, key: KeyChoice, provider_host: bool) -> Any:
    """An instance of the SDK's default httpx client class with the key guard and the deadline watch."""
    return client_cls(event_hooks={"request": [key_guard(key, provider_host)], "response": [watch_response]})


def _transport_errors() -> tuple[type[Exception], ...]:
    """The HTTP libraries' transport errors (the SDKs use httpx2 or httpx), which a stream may raise."""
    import importlib

    out = []
    for name in ("httpx2", "httpx"):
        try:
            out.append(importlib.import_module(name).TransportError)
        except (ImportError, AttributeError):
            continue
    return tuple(out)


TRANSPORT_ERRORS = _transport_errors()
