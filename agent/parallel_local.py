"""Job processes share the parent's llama.cpp workers instead of each loading the model again.

N jobs with a `local:` model would otherwise start N servers, each holding the weights and each
using every core. The parent starts one server per model file (models/local_backend.py) and the
jobs talk to it: a job registers the parent's server in its own process under the same key, so
`LocalModel` finds it there and never starts or stops one. The server answers one request at a
time (llama.cpp's single slot keeps the whole context for each request); the others wait their
turn, so jobs overlap computation (engine, sandbox) with generation, not generation with itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from qed.models.local_backend import LocalServer


def start_shared(models: Mapping[str, Any]) -> dict[str, str]:
    """Start the servers behind the parent's local models; `{"<path>\\n<n_ctx>": base_url}` for the jobs."""
    out: dict[str, str] = {}
    for model in models.values():
        while hasattr(model, "inner"):  # BudgetedModel → LoggedModel → backend
            model = model.inner
        server = getattr(model, "server", None)
        if isinstance(server, LocalServer):
            out[f"{server.model_path}\n{server.n_ctx}"] = server.ensure_running()
    return out


class AttachedServer(LocalServer):
    """The parent's server as a job sees it: already running, never started or stopped here."""

    def __init__(self, model_path: Path, n_ctx: int, base_url: str):
        super().__init__(model_path, n_ctx, None)
        self.base_url = base_url

    @property
    def alive(self) -> bool:  # the parent owns it; a failed call is reported, not retried by restarting
        return True

    def ensure_running(self) -> str:
        assert self.base_url
        return self.base_url

    def stop(self) -> None:
        """Nothing to do: the parent stops its server."""


def attach(servers: Mapping[str, str]) -> None:
    """In a job process: make LocalModel use the parent's servers."""
    with LocalServer._lock:
        for key, url in servers.items():
            path, _, n_ctx = key.rpartition("\n")
            LocalServer._servers[(path, int(n_ctx))] = AttachedServer(Path(path), int(n_ctx), url)
