"""A provider's key goes only to that provider's host; any other host gets a key only by name."""

from __future__ import annotations

import pytest
from qed.models.anthropic_backend import AnthropicModel
from qed.models.base import CallOptions, Message, ModelError
from qed.models.keys import choose_key, redact
from qed.models.openai_backend import OpenAIModel

from tests.models.fake_server import FakeModelServer

SENTINELS = {
    "OPENAI_API_KEY": "sk-sentinel-openai-0123456789",
    "DEEPSEEK_API_KEY": "sk-sentinel-deepseek-0123456789",
    "ANTHROPIC_API_KEY": "sk-ant-sentinel-0123456789",
    "ANTHROPIC_AUTH_TOKEN": "sentinel-anthropic-token-0123456789",
    "OPENAI_ADMIN_KEY": "sentinel-openai-admin-0123456789",
    "OPENAI_CUSTOM_HEADERS": "X-Sentinel: sentinel-custom-header-0123456789\nAuthorization: Bearer sentinel-env-auth-0123",
    "ANTHROPIC_CUSTOM_HEADERS": "X-Sentinel-A: sentinel-anthropic-header-0123456789\nAuthorization: Bearer sentinel-env-a-0123",
    "OPENAI_ORG_ID": "sentinel-org-0123456789",
}
ASK = [Message("user", "Say hi.")]


def _key(kind: str, url: str, env: dict[str, str], **kw) -> tuple[str | None, str | None]:
    choice = choose_key(kind, f"{kind}:m@{url}", url, env=env, **kw)
    return choice.variable, choice.value


@pytest.mark.parametrize(("kind", "url", "variable"), [
    ("openai", "https://api.openai.com/v1", "OPENAI_API_KEY"),
    ("openai", "https://api.deepseek.com", "DEEPSEEK_API_KEY"),
    ("anthropic", "https://api.anthropic.com", "ANTHROPIC_API_KEY"),
])
def test_a_providers_key_goes_to_that_provider(kind, url, variable):
    assert _key(kind, url, SENTINELS) == (variable, SENTINELS[variable])


@pytest.mark.parametrize(("kind", "url"), [
    ("openai", "http://gpu-host:8000/v1"),
    ("openai", "http://127.0.0.1:8080/v1"),
    ("openai", "http://api.openai.com/v1"),  # not over https
    ("openai", "https://api.openai.com.evil.example/v1"),
    ("openai", "https://api.openai.com@evil.example/v1"),
    ("openai", "https://api.anthropic.com"),  # another provider's host
    ("anthropic", "https://proxy.example/anthropic"),
    ("anthropic", "https://api.openai.com/v1"),
])
def test_no_host_but_the_provider_gets_a_provider_key_by_default(kind, url):
    assert _key(kind, url, SENTINELS) == (None, None)


def test_a_custom_host_gets_only_the_variable_named_for_custom_hosts():
    env = {**SENTINELS, "QED_OPENAI_API_KEY": "sentinel-custom-host-0123456789"}
    assert _key("openai", "http://gpu-host:8000/v1", env) == ("QED_OPENAI_API_KEY", env["QED_OPENAI_API_KEY"])
    assert _key("openai", "https://api.openai.com/v1", env)[0] == "OPENAI_API_KEY"
    assert _key("openai", "http://gpu-host:8000/v1", env, custom_keys=False) == (None, None)


def test_a_roles_api_key_env_names_a_qed_variable_for_its_host():
    env = {**SENTINELS, "QED_GPU_KEY": "sentinel-gpu-0123456789"}
    assert _key("openai", "http://gpu-host:8000/v1", env, key_env="QED_GPU_KEY") == ("QED_GPU_KEY", env["QED_GPU_KEY"])
    with pytest.raises(ModelError, match="QED_MISSING, which is not set"):
        _key("openai", "http://gpu-host:8000/v1", env, key_env="QED_MISSING")
    with pytest.raises(ModelError, match="must name a QED_"):
        _key("openai", "http://gpu-host:8000/v1", {"GITHUB_TOKEN": "x" * 20}, key_env="GITHUB_TOKEN")


@pytest.mark.parametrize("url", ["http://evil.example/v1", "https://api.deepseek.com", "http://127.0.0.1:9/v1"])
def test_api_key_env_naming_a_providers_variable_never_sends_it_to_a_foreign_host(url):
    with pytest.raises(ModelError, match="OPENAI_API_KEY is sent only to https://api.openai.com"):
        _key("openai", url, SENTINELS, key_env="OPENAI_API_KEY")
    assert _key("openai", "https://api.openai.com/v1", SENTINELS, key_env="OPENAI_API_KEY")[0] == "OPENAI_API_KEY"


def test_a_provider_host_without_its_key_is_a_clear_error():
    with pytest.raises(ModelError, match="no API key; set OPENAI_API_KEY"):
        _key("openai", "https://api.openai.com/v1", {"QED_OPENAI_API_KEY": "sentinel-custom-0123456789"})


def test_the_sdk_clients_are_aimed_where_the_spec_says(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SENTINELS["OPENAI_API_KEY"])
    monkeypatch.setenv("OPENAI_BASE_URL", "http://evil.example/v1")  # not read: the spec decides
    model = OpenAIModel("gpt-4o")
    assert str(model._client.base_url).startswith("https://api.openai.com")
    assert model.key.variable == "OPENAI_API_KEY" and model.key.origin == ("https", "api.openai.com", 443)


def _env(monkeypatch, extra: dict[str, str] | None = None) -> None:
    for name, value in {**SENTINELS, **(extra or {})}.items():
        monkeypatch.setenv(name, value)


def _secrets(extra: dict[str, str] | None = None) -> list[str]:
    values = [v for v in {**SENTINELS, **(extra or {})}.values()]
    return [part.split(": ", 1)[-1].removeprefix("Bearer ") for v in values for part in v.splitlines()]


@pytest.mark.parametrize("backend", ["openai", "anthropic"])
@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
def test_on_the_wire_a_custom_host_gets_no_credential_from_the_environment(monkeypatch, backend, streamed):
    _env(monkeypatch)
    with FakeModelServer() as server:
        if backend == "openai":
            model = OpenAIModel("m", server.url("ok"))
        else:
            model = AnthropicModel("m", server.url("ok").removesuffix("/v1"))
        model.chat(ASK, CallOptions(max_tokens=8), on_token=(lambda p: None) if streamed else None)
    [seen] = server.requests
    assert "authorization" not in seen.headers and "x-api-key" not in seen.headers
    sent = "\n".join(seen.headers.values())
    assert not [s for s in _secrets() if s in sent], seen.headers


@pytest.mark.parametrize("backend", ["openai", "anthropic"])
def test_on_the_wire_the_opted_in_key_reaches_its_host_and_no_redirect_target(monkeypatch, backend):
    custom = {"QED_OPENAI_API_KEY": "sentinel-qed-openai-0123456789",
              "QED_ANTHROPIC_API_KEY": "sentinel-qed-anthropic-0123456789"}
    _env(monkeypatch, custom)
    with FakeModelServer(host="127.0.0.2") as elsewhere, FakeModelServer(redirect_to=None) as server:
        server.redirect_to = elsewhere.origin()
        if backend == "openai":
            ok, moved = OpenAIModel("m", server.url("ok")), OpenAIModel("m", server.url("redirect"))
        else:
            ok = AnthropicModel("m", server.url("ok").removesuffix("/v1"))
            moved = AnthropicModel("m", server.url("redirect").removesuffix("/v1"))
        ok.chat(ASK, CallOptions(max_tokens=8))
        moved.chat(ASK, CallOptions(max_tokens=8))
    key = custom[f"QED_{backend.upper()}_API_KEY"]
    assert server.auth_seen() == {f"Bearer {key}"}, "the opted-in key, and only it, reached its host"
    [followed] = elsewhere.requests
    sent = "\n".join(followed.headers.values())
    assert "authorization" not in followed.headers and not [s for s in _secrets(custom) if s in sent]


def test_a_server_that_echoes_the_key_gets_it_redacted(monkeypatch):
    _env(monkeypatch, {"QED_OPENAI_API_KEY": "sentinel-echoed-0123456789"})
    with FakeModelServer() as server:
        model = OpenAIModel("m", server.url("echo-auth"))
        text = model.chat(ASK, CallOptions(max_tokens=8)).text
    assert "sentinel-echoed-0123456789" in text  # the backend returns what the server said ...
    assert redact(text).count("[redacted]") == 1  # ... and the log scrubs it (LoggedModel)


def test_a_key_split_across_streamed_pieces_is_still_scrubbed(monkeypatch):
    from qed.models.keys import StreamRedactor

    _env(monkeypatch, {"QED_OPENAI_API_KEY": "sentinel-split-0123456789"})
    choose_key("openai", "openai:m@http://h/v1", "http://h/v1")  # the key is now in use
    shown: list[str] = []
    redactor = StreamRedactor(shown.append)
    for piece in ["you sent sentinel-sp", "lit-0123", "456789 and more", " text"]:
        redactor(piece)
    redactor.flush()
    assert "".join(shown) == "you sent [redacted] and more text"
