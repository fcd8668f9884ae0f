"""The embedded model: a catalog GGUF served by llama.cpp on 127.0.0.1, started and stopped by QED."""

from __future__ import annotations

import atexit
import json
import os
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

from qed.models.base import (
    DEFAULT_CALL_DEADLINE_S,
    CallOptions,
    Completion,
    Message,
    ModelError,
    TokenCallback,
)
from qed.models.catalog import lookup
from qed.models.openai_backend import OpenAIModel
from qed.models.registry import Backend, BuildOptions, Finding, ModelSpec, installed
from qed.models.store import ModelStore

_START_TIMEOUT_S = 180.0


class LocalServer:
    """One worker process per model file, shared by every role that uses it; the last model to
    close stops it (`release`), and any left at exit are stopped then."""

    _servers: dict[tuple[str, int], LocalServer] = {}
    _lock = threading.Lock()
    _aborted = False  # Ctrl-C: no worker starts again in this process (see abort_all)

    def __init__(self, model_path: Path, n_ctx: int, log_path: Path | None):
        self.model_path = model_path
        self.n_ctx = n_ctx
        self.log_path = log_path
        self.proc: subprocess.Popen[str] | None = None
        self.base_url: str | None = None
        self.restarts = 0
        self.users = 0  # models holding this shared server (see `shared` and `release`)

    @classmethod
    def shared(cls, model_path: Path, n_ctx: int, log_path: Path | None = None) -> LocalServer:
        key = (str(model_path), n_ctx)
        with cls._lock:
            if key not in cls._servers:
                cls._servers[key] = cls(model_path, n_ctx, log_path)
            server = cls._servers[key]
            server.users += 1
            return server

    def release(self) -> None:
        """A model that took this server from `shared` is done with it; the last one stops it."""
        with self._lock:
            self.users -= 1
            if self.users > 0:
                return
            for key, server in list(self._servers.items()):
                if server is self:
                    del self._servers[key]
        self.stop()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def ensure_running(self) -> str:
        with self._lock:
            if self.alive and self.base_url:
                return self.base_url
            if LocalServer._aborted:
                raise ModelError("the llama.cpp worker was stopped (interrupted)")
            if self.proc is not None:
                self.restarts += 1
            self._start()
            assert self.base_url
            return self.base_url

    def _start(self) -> None:
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115 (child keeps it)
        threads = int(os.environ.get("QED_THREADS", os.cpu_count() or 2))
        cmd = [sys.executable, "-m", "qed.models.worker", str(self.model_path), "--ctx", str(self.n_ctx),
               "--threads", str(threads)]
        # Its own session: the terminal's Ctrl-C goes to QED, which stops the worker; a worker in the
        # terminal's process group died with every press and was started again.
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
                                     start_new_session=True)
        if log is not subprocess.DEVNULL:
            log.close()
        deadline = time.monotonic() + _START_TIMEOUT_S
        assert self.proc.stdout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if ready:
                line = self.proc.stdout.readline()
                if line:
                    self.base_url = json.loads(line)["base_url"]
                    return
            if self.proc.poll() is not None:
                break
        self.stop()
        where = f"; see {self.log_path}" if self.log_path else ""
        raise ModelError(f"llama.cpp worker for {self.model_path.name} failed to start{where}")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream:
                stream.close()
        self.base_url = None

    @classmethod
    def abort_all(cls) -> None:
        """Ctrl-C: kill every worker now (a call in flight fails at once) and start none again.
        Takes no lock: it runs in a signal handler, possibly while this thread holds one."""
        cls._aborted = True
        for server in list(cls._servers.values()):
            if server.proc is not None and server.proc.poll() is None:
                server.proc.kill()

    @classmethod
    def stop_all(cls) -> None:
        for server in list(cls._servers.values()):
            server.stop()
        cls._servers.clear()


atexit.register(LocalServer.stop_all)


class LocalModel:
    """`local:<catalog name>`: an OpenAI client aimed at our own worker, restarted if it died.

    Our own worker needs no key and gets none (not even QED_OPENAI_API_KEY).
    """

    def __init__(self, name: str, *, store: ModelStore | None = None, log_path: Path | None = None,
                 deadline_s: float = DEFAULT_CALL_DEADLINE_S):
        entry = lookup(name)
        self.spec = f"local:{name}"
        self.name = name
        self.deadline_s = deadline_s
        path = (store or ModelStore()).require(name)
        self.server = LocalServer.shared(path, entry.n_ctx, log_path)
        self._client: OpenAIModel | None = None
        self._client_url: str | None = None
        self._released = False

    def _connect(self) -> OpenAIModel:
        url = self.server.ensure_running()
        if self._client is None or self._client_url != url:
            self._client = OpenAIModel(self.name, url + "/v1", attempts=2, spec=self.spec, custom_keys=False,
                                       deadline_s=self.deadline_s)
            self._client_url = url
        return self._client

    def chat(
        self,
        messages: list[Message],
        options: CallOptions | None = None,
        on_token: TokenCallback | None = None,
    ) -> Completion:
        try:
            return self._connect().chat(messages, options, on_token)
        except ModelError:
            if self.server.alive:
                raise
            # The worker died under us (killed, out of memory): start it again once and retry.
            return self._connect().chat(messages, options, on_token)

    def close(self) -> None:
        """Close the client and let go of the worker (stopped when no other model uses it)."""
        if self._client:
            self._client.close()
            self._client = None
        if not self._released:
            self._released = True
            self.server.release()


def _build(spec: ModelSpec, options: BuildOptions) -> LocalModel:
    return LocalModel(spec.name, log_path=options.server_log, deadline_s=options.deadline_s)


def _check_role(spec: ModelSpec) -> tuple[bool | None, str]:
    ready = ModelStore().path(spec.name) is not None
    return ready, "" if ready else f"run: qed models pull {spec.name}"


def _preflight(spec: ModelSpec) -> None:
    """A name the catalog lacks, or a model not pulled yet, fails before any run folder exists."""
    ModelStore().require(lookup(spec.name).name)


def _doctor() -> list[Finding]:
    """The catalog models in the cache, and the llama.cpp runtime that serves them."""
    store = ModelStore()
    out = [Finding("models", s.model.name, s.state == "ready" or None,
                   f"{s.state} · {s.model.size / 1e6:,.0f} MB · {store.root}") for s in store.status()]
    ok, version = installed("xllamacpp", "xllamacpp")
    out.append(Finding("runtime", "llama.cpp (xllamacpp)", ok,
                       f"version {version}" if version else "not installed: pip install xllamacpp"))
    return out


BACKEND = Backend("local", "local:<catalog name>", "the embedded model, served by llama.cpp on 127.0.0.1", _build,
                  check_role=_check_role, doctor=_doctor, preflight=_preflight)
