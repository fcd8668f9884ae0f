"""One interactive session over a run folder: take steps, move through them, never lose one.

The session is one LangGraph thread in the run's checkpoints.sqlite (read strictly,
agent/checkpoints.py). `head` is the checkpoint the person stands on; a step taken from an
earlier checkpoint (after /undo or /goto) forks a new branch there and the old branch stays in
the file, reachable with /branches and /goto. session.json keeps the head and session.jsonl gets
one line per step the moment it ends, so a killed session resumes on the step it had reached.
A step is written down before it runs and its reply as it streams (journal.py): a step a kill
interrupted is shown on resume with its partial reply, and /retry runs it again.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from qed.agent.checkpoints import checkpointer
from qed.agent.config import QedConfig
from qed.agent.deps import LoopDeps
from qed.agent.graph import NODES
from qed.agent.interactive.graph import FIRST_NODE, build_session_graph
from qed.agent.interactive.journal import JournalError, PendingStep, StepJournal
from qed.agent.interactive.state import Entry
from qed.agent.runs import RunDir
from qed.agent.session import RunSession
from qed.agent.solve import problem_record
from qed.models.roles import RoleSpecs
from qed.problems.record import Problem
from qed.verifiers.engine import solve_problem

THREAD = "session"
SESSION_FILE = "session.json"
STEPS_FILE = "session.jsonl"
EventFn = Callable[[dict[str, Any]], None]


class SessionError(ValueError):
    """A request the session cannot honour (no such step, a malformed session folder); one line."""


@dataclass
class Branch:
    tip: str  # checkpoint id
    steps: int
    last: str
    current: bool


def session_head(run: RunDir) -> str:
    """The checkpoint the session stood on when it was closed or killed (session.json)."""
    try:
        head = json.loads(run.file(SESSION_FILE).read_text(encoding="utf-8"))["head"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise SessionError(f"{run.path} holds no readable {SESSION_FILE} ({e})") from None
    if not isinstance(head, str):
        raise SessionError(f"{run.path}: the session's checkpoint {head!r} is not in {RunDir.CHECKPOINTS}")
    return head


def saved_roles(run: RunDir) -> dict[str, str]:
    """The /model choices of the step a session stands on, read strictly before any model is built,
    so a resume can ask for consent to them as to the run's config (they come from the run folder)."""
    conn = sqlite3.connect(f"file:{run.file(RunDir.CHECKPOINTS)}?mode=ro", uri=True)
    try:
        found = checkpointer(conn).get_tuple({"configurable": {"thread_id": THREAD, "checkpoint_id": session_head(run)}})
    except sqlite3.Error as e:
        raise SessionError(f"{run.file(RunDir.CHECKPOINTS)}: cannot be read ({e})") from None
    finally:
        conn.close()
    roles = ((found.checkpoint.get("channel_values") or {}).get("roles") if found else None) or {}
    if not isinstance(roles, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in roles.items()):
        raise SessionError(f"{run.file(RunDir.CHECKPOINTS)}: the session's /model choices are not role -> spec")
    return dict(roles)


def _finished(snapshot: Any) -> bool:
    """A checkpoint a step ended on: nothing left to run in it.

    Read from `tasks`, not `next`: a live snapshot leaves out of `next` a task whose writes were
    saved before a kill took its checkpoint (the batch resume's bug). The workbench reads saved
    checkpoints, whose `next` keeps every task today; `tasks` is right either way
    (tests/agent/test_workbench_kill_gap.py kills a step in that gap).
    """
    return not snapshot.tasks


class Workbench:
    def __init__(self, run_session: RunSession, config: QedConfig, memory: Any | None = None,
                 on_event: EventFn | None = None):
        self.session = run_session
        self.run: RunDir = run_session.run
        self.config = config
        self.on_event = on_event or (lambda e: None)
        self.deps = LoopDeps(models=dict(run_session.models()), config=config.loop, memory=memory,
                             engine=solve_problem, run_id=self.run.path.name, run_dir=str(self.run.path))
        self.graph = build_session_graph(self.deps, run_session.checkpointer())
        self.head: str | None = None
        self.journal = StepJournal(self.run)
        self.pending_step: PendingStep | None = None  # the step a kill interrupted, found on resume

    # -- opening ------------------------------------------------------------------------------
    def start(self, problem: Problem) -> None:
        """A new session on `problem`: its first checkpoint, the loop ready at its first node."""
        cfg = self._cfg()
        values = {"problem": problem_record(problem), "round": 1, "entries": [], "proof_text": None, "proof_from": None,
                  "last_claim": None, "loop_next": FIRST_NODE, "roles": {}, "action": None}
        out = self.graph.update_state(cfg, values, as_node="act")
        self._move(out["configurable"]["checkpoint_id"])

    def resume(self) -> None:
        """Stand where the session stood when it was closed or killed, with its /model choices."""
        head = session_head(self.run)
        if self._snapshot(head) is None:
            raise SessionError(f"{self.run.path}: the session's checkpoint {head!r} is not in {RunDir.CHECKPOINTS}")
        self.head = head
        for role, spec in (self.state().get("roles") or {}).items():
            self._build_model(role, spec)
        try:
            self.pending_step = self.journal.settle(self._finished_step_ids())
        except JournalError as e:
            raise SessionError(str(e)) from None

    def _finished_step_ids(self) -> set[str]:
        """Steps whose end was written: the one session.json stands after, and each in session.jsonl."""
        ids = set()
        with contextlib.suppress(OSError, ValueError, AttributeError):
            ids.add(json.loads(self.run.file(SESSION_FILE).read_text(encoding="utf-8")).get("step_id"))
        try:
            lines = self.run.file(STEPS_FILE).read_text(encoding="utf-8").splitlines()
        except OSError:
            return ids
        for line in lines:
            try:
                ids.add(json.loads(line).get("step_id"))
            except (ValueError, AttributeError):
                continue  # a line torn by a kill: its step is not finished
        return ids

    # -- reading ------------------------------------------------------------------------------
    def _cfg(self, checkpoint: str | None = None) -> dict[str, Any]:
        c: dict[str, Any] = {"thread_id": THREAD}
        if checkpoint:
            c["checkpoint_id"] = checkpoint
        return {"configurable": c, "recursion_limit": 20}

    def _snapshot(self, checkpoint: str):
        snap = self.graph.get_state(self._cfg(checkpoint))
        return snap if snap.values else None

    def state(self) -> dict[str, Any]:
        snap = self._snapshot(self.head) if self.head else None
        return dict(snap.values) if snap else {}

    def problem(self) -> Problem:
        return Problem.from_dict(dict(self.state()["problem"]))

    def history(self) -> list[Entry]:
        return list(self.state().get("entries") or [])

    def _all(self) -> list[Any]:
        return list(self.graph.get_state_history({"configurable": {"thread_id": THREAD}}))

    def branches(self) -> list[Branch]:
        """Every branch tip of the session: a finished step no later checkpoint grew from."""
        snaps = self._all()
        parent = {s.config["configurable"]["checkpoint_id"]: (s.parent_config or {}).get("configurable", {}).get("checkpoint_id")
                  for s in snaps}
        finished = [s for s in snaps if _finished(s)]
        inner: set[str] = set()
        for s in finished:
            cur = parent.get(s.config["configurable"]["checkpoint_id"])
            while cur and cur not in inner:
                inner.add(cur)
                cur = parent.get(cur)
        on_path = set(self._path_ids())
        out = []
        for s in finished:
            cid = s.config["configurable"]["checkpoint_id"]
            if cid in inner and cid != self.head:
                continue
            es = s.values.get("entries") or []
            last = f"/{es[-1]['command']} {es[-1]['input']}"[:70] if es else "(start)"
            out.append(Branch(cid, len(es), last, cid in on_path))
        return out

    def _path_ids(self) -> list[str]:
        ids, cur = [], self.head
        while cur:
            ids.append(cur)
            snap = self.graph.get_state(self._cfg(cur))
            cur = snap.parent_config["configurable"]["checkpoint_id"] if snap.parent_config else None
        return ids

    # -- moving ---------------------------------------------------------------------------------
    def goto(self, n: int, branch: str | None = None) -> int:
        """Stand after step n of the current branch (0: the start), or of the branch whose tip is `branch`."""
        if branch is not None:
            tips = [b.tip for b in self.branches() if b.tip.startswith(branch) or b.tip.endswith(branch)]
            if len(tips) != 1:
                raise SessionError(f"no single branch tip matches {branch!r} (see /branches)")
            self._move(tips[0])
        steps = len(self.history())
        if not 0 <= n <= steps:
            raise SessionError(f"there is no step {n} here: this branch has steps 0 to {steps}")
        for cid in self._path_ids():
            snap = self.graph.get_state(self._cfg(cid))
            if _finished(snap) and len(snap.values.get("entries") or []) == n:
                self._move(cid)
                return n
        raise SessionError(f"step {n} has no finished checkpoint")

    def undo(self) -> int:
        steps = len(self.history())
        if steps == 0:
            raise SessionError("nothing to undo: this is the start of the session")
        return self.goto(steps - 1)

    def _move(self, checkpoint: str, step_id: str | None = None) -> None:
        """Stand on `checkpoint`; `step_id` names the step that ended there (journal.py), so a kill
        right after this write is not taken for a kill during the step."""
        self.head = checkpoint
        data = {"thread": THREAD, "head": checkpoint, "step_id": step_id, "updated": datetime.now(UTC).isoformat()}
        tmp = self.run.file(SESSION_FILE + ".tmp")
        tmp.write_text(json.dumps(data) + "\n", encoding="utf-8")
        os.replace(tmp, self.run.file(SESSION_FILE))

    # -- acting ---------------------------------------------------------------------------------
    def step(self, command: str, text: str = "") -> list[Entry]:
        """One step from the head; its entries. Ctrl-C (KeyboardInterrupt) leaves the head where it was.

        The step is written down before it runs and its reply as it streams (journal.py), so a
        kill mid-step leaves what was asked and what was shown in the run folder."""
        before = len(self.history())
        action = {"command": command, "input": text}
        begun = self.journal.begin(before + 1, command, text, self.head)
        self.pending_step = None
        last = None
        try:
            for mode, chunk in self.graph.stream({"action": action}, self._cfg(self.head),
                                                 stream_mode=["custom", "values"], durability="sync"):
                if mode == "custom":
                    if chunk.get("event") == "token":
                        self.journal.token(str(chunk.get("text", "")))
                    self.on_event(chunk)
                else:
                    last = chunk
            snap = self.graph.get_state(self._cfg())  # the newest checkpoint of the thread: this step's
            if last is None or not snap.values or len(snap.values.get("entries") or []) <= before:
                raise SessionError(f"/{command} wrote no step")
        except BaseException as e:
            self.journal.stop("interrupted (Ctrl-C)" if isinstance(e, KeyboardInterrupt)
                              else f"stopped by an error: {type(e).__name__}: {str(e)[:200]}")
            raise
        self._move(snap.config["configurable"]["checkpoint_id"], begun.id)
        new = list(snap.values["entries"][before:])
        with open(self.run.file(STEPS_FILE), "a", encoding="utf-8") as f:
            for e in new:
                f.write(json.dumps({"head": self.head, "step_id": begun.id, **e}, ensure_ascii=False, default=str) + "\n")
        self.journal.finish()
        return new

    def retry(self) -> list[Entry]:
        """Run again the step a kill interrupted, from where the session stands now."""
        step = self.pending_step
        if step is None:
            raise SessionError("no interrupted step to run again")
        self.journal.retire(step, "killed before it finished; run again with /retry")
        if step.command == "model":
            role, _, spec = step.input.partition(" ")
            return self.switch_model(role, spec.strip())
        return self.step(step.command, step.input)

    def loop_ended(self) -> bool:
        return self.state().get("loop_next") not in NODES

    def auto(self, rounds: int) -> Iterator[Entry]:
        """Steps of the loop, each yielded as it ends, until `rounds` decide nodes have run or the loop ends."""
        decided = 0
        while decided < rounds and not self.loop_ended():
            node = self.state().get("loop_next")
            yield from self.step("step")
            if node == "decide":
                decided += 1

    def switch_model(self, role: str, spec: str) -> list[Entry]:
        """The role's model from now on (and on resume); the old one is closed with the session."""
        self._build_model(role, spec)
        return self.step("model", f"{role} {spec}")

    def _build_model(self, role: str, spec: str) -> None:
        built = RoleSpecs({role: spec}).build(self.session.calllog, server_log=self.run.file(RunDir.SERVER_LOG),
                                              deadline_s=self.session.deadline_s)
        model = built[role]
        self.session.adopt(getattr(model, "inner", model))
        self.deps.models = {**self.deps.models, role: model}
