"""How a command opens a run: its folder's call log, the models of the roles it needs, the loop's
checkpoints — and closes them all on the way out, after an exception or Ctrl-C too.

    with RunSession(run, cfg.roles, needed=("judge",)) as session:
        models = session.models()       # built on first use: a command may need none

Models are built from the full role configuration, so each role keeps its [api_key_env] key
variable and a run folder's roles stay marked as such (models/roles.py). A local model's close
stops its llama.cpp worker once no other model uses it, so a run leaves no process behind.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from contextlib import ExitStack
from typing import Protocol, TypeVar

from langgraph.checkpoint.sqlite import SqliteSaver
from qed.agent.checkpoints import checkpointer
from qed.agent.runs import RunDir
from qed.models.base import DEFAULT_CALL_DEADLINE_S, ChatModel
from qed.models.calllog import CallLog
from qed.models.roles import RoleSpecs


class Closable(Protocol):
    def close(self) -> None: ...


C = TypeVar("C", bound=Closable)


def roles_for(roles: RoleSpecs, needed: Iterable[str]) -> RoleSpecs:
    """Only the `needed` roles, each with its own key variable and run-folder mark."""
    keep = [r for r in dict.fromkeys(needed) if r in roles.specs]
    return RoleSpecs({r: roles.specs[r] for r in keep},
                     key_env={r: v for r, v in roles.key_env.items() if r in keep},
                     from_run=frozenset(r for r in roles.from_run if r in keep))


class RunSession:
    """The resources of one run, each opened once on demand and all closed by `close()`.

    The call log is opened with the session when it has roles to serve (a command that needs no
    model writes none); models and the checkpoint connection when first asked for.
    """

    def __init__(self, run: RunDir, roles: RoleSpecs | None = None, *, needed: Iterable[str] | None = None,
                 deadline_s: float = DEFAULT_CALL_DEADLINE_S):
        self.run = run
        if roles is None:
            roles = RoleSpecs({})
        self.roles = roles if needed is None else roles_for(roles, needed)
        self.deadline_s = deadline_s
        self._stack = ExitStack()
        self._calllog: CallLog | None = None
        self._models: dict[str, ChatModel] | None = None
        self._saver: SqliteSaver | None = None
        self.closed = False
        if self.roles.specs:
            self._calllog = self.adopt(CallLog(run.file(RunDir.CALLS)))

    def __enter__(self) -> RunSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def specs(self) -> dict[str, str]:
        return dict(self.roles.specs)

    @property
    def calllog(self) -> CallLog | None:
        return self._calllog

    def adopt(self, resource: C) -> C:
        """Close `resource` with the session (last opened, first closed)."""
        self._check_open()
        self._stack.callback(resource.close)
        return resource

    def models(self) -> dict[str, ChatModel]:
        """The models by role, built on first call; each distinct backend is closed once at the end."""
        self._check_open()
        if self._models is None:
            built = self.roles.build(self._calllog, server_log=self.run.file(RunDir.SERVER_LOG),
                                     deadline_s=self.deadline_s)
            for backend in {id(b): b for b in (getattr(m, "inner", m) for m in built.values())}.values():
                self.adopt(backend)
            self._models = built
        return self._models

    def checkpointer(self) -> SqliteSaver:
        """The loop's checkpoints in the run folder (read strictly: agent/checkpoints.py)."""
        self._check_open()
        if self._saver is None:
            conn = self.adopt(sqlite3.connect(self.run.file(RunDir.CHECKPOINTS), check_same_thread=False))
            self._saver = checkpointer(conn)
        return self._saver

    def close(self) -> None:
        """Close everything the session opened; every close runs even when one of them fails."""
        if self.closed:
            return
        self.closed = True
        self._stack.close()

    def _check_open(self) -> None:
        if self.closed:
            raise RuntimeError(f"the run session of {self.run.path} is closed")
