"""A run folder read as data for a report: results, statements, trajectories, calls, proofs.

A run folder may come from someone else, so nothing here trusts its shape: each field is checked
as it is used (a wrong type reads as missing), databases are opened read-only, checkpoints go
through the strict reader (agent/checkpoints.py), a proof or certificate file is read only from
inside the run folder and only up to a size, and what could not be read is kept as a note that the
report shows. Nothing read is evaluated.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qed.agent.checkpoints import CheckpointRefused, StrictSerializer
from qed.agent.runs import RunDir, slugify

MAX_PROOF_CHARS = 500_000  # the proof judges' own cap (verifiers/input_limits.py)
MAX_CERTIFICATE_BYTES = 2_000_000
MAX_CALL_TEXT = 6_000  # characters of a prompt or reply shown per call; the rest stays in calls.sqlite
PROOF_FILE, CERTIFICATE_FILE = "proof.md", "certificate.json"


def as_dict(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def as_list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def as_str(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def as_num(v: Any) -> float:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else 0.0


def as_bool(v: Any) -> bool | None:
    return v if isinstance(v, bool) else None


@dataclass
class Step:
    """One node of the loop as the checkpoints recorded it: its name and what it wrote."""

    node: str
    writes: dict[str, Any]


@dataclass
class Call:
    role: str
    node: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    latency_s: float
    finish_reason: str
    error: str
    prompt: str
    prompt_chars: int
    response: str
    response_chars: int


@dataclass
class Proof:
    """The proof and certificate of one problem, when the run wrote them."""

    method: str | None = None
    verified: bool | None = None  # as the run recorded it
    text: str | None = None  # proof.md
    certificate: Any = None  # certificate.json, parsed (JSON only)
    files: list[str] = field(default_factory=list)  # every file in the problem's folder
    notes: list[str] = field(default_factory=list)


@dataclass
class ProblemView:
    index: int
    result: dict[str, Any]
    statement: str | None = None
    steps: list[Step] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    proof: Proof | None = None

    @property
    def id(self) -> str:
        return str(self.result.get("problem_id"))

    @property
    def kind(self) -> str:
        return as_str(self.result.get("kind")) or "?"

    @property
    def outcome(self) -> str:
        return as_str(self.result.get("outcome")) or "error"

    @property
    def correct(self) -> bool | None:
        return as_bool(self.result.get("correct"))

    @property
    def certified(self) -> bool:
        engine = as_dict(as_dict(self.result.get("evidence")).get("engine"))
        return self.outcome == "solved" and engine.get("certified") is True

    @property
    def proved(self) -> bool:
        """A proof the run verified (results' `proof.verified`)."""
        return self.proof is not None and self.proof.verified is True

    @property
    def tokens(self) -> int:
        t = as_dict(self.result.get("tokens"))
        return int(as_num(t.get("prompt")) + as_num(t.get("completion")))


@dataclass
class RunData:
    path: Path
    config: dict[str, Any]
    problems: list[ProblemView]
    notes: list[str] = field(default_factory=list)  # what could not be read, for the page

    @property
    def name(self) -> str:
        return self.path.name


def load_run(path: str | Path, *, with_calls: bool = True, with_steps: bool = True) -> RunData:
    """Read a run folder; a folder that is not a run is a ValueError (one line for the CLI)."""
    run = RunDir.open(path)
    config = run.read_config()
    notes: list[str] = []
    results = run.results()
    views = [ProblemView(i, r) for i, r in enumerate(results)]
    ids = {v.id for v in views}
    steps = _read_steps(run.file(RunDir.CHECKPOINTS), ids, notes) if with_steps else {}
    calls = _read_calls(run.file(RunDir.CALLS), ids, notes) if with_calls else {}
    for v in views:
        v.steps = steps.get(v.id, [])
        v.calls = calls.get(v.id, [])
        v.statement = _statement_in(v)
        v.proof = _read_proof(run.path, v, notes)
    missing = {v.id for v in views if v.statement is None}
    if missing:
        found = _statements_from_source(as_str(config.get("source")), missing, notes)
        for v in views:
            if v.statement is None:
                v.statement = found.get(v.id)
    return RunData(run.path, config, views, notes)


def _statement_in(v: ProblemView) -> str | None:
    """The statement as the run recorded it: in its result, or in the loop's first checkpoint."""
    for holder in (v.result, as_dict(v.result.get("problem"))):
        s = as_str(holder.get("statement"))
        if s:
            return s
    for step in v.steps:
        s = as_str(as_dict(step.writes.get("problem")).get("statement"))
        if s:
            return s
    return None


def _statements_from_source(source: str | None, ids: set[str], notes: list[str]) -> dict[str, str]:
    """Statements read again from the problem file the run names, with QED's own loaders."""
    if not source or not Path(source).exists():
        notes.append(f"statements: the run's problem file {source!r} is not here; statements are not shown")
        return {}
    from qed.problems.load import iter_problems

    found: dict[str, str] = {}
    try:
        for p in iter_problems(source):
            if p.id in ids:
                found[p.id] = p.statement
                if len(found) == len(ids):
                    break
    except Exception as e:  # noqa: BLE001 - a bad problem file costs the statements, not the report
        notes.append(f"statements: {source} could not be read ({type(e).__name__}: {str(e)[:200]})")
    return found


def _read_only(path: Path) -> sqlite3.Connection | None:
    if not path.is_file():
        return None
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _read_steps(path: Path, ids: set[str], notes: list[str]) -> dict[str, list[Step]]:
    """Each problem's nodes in order, from the checkpoints' recorded writes (read strictly)."""
    out: dict[str, list[Step]] = defaultdict(list)
    try:
        conn = _read_only(path)
    except sqlite3.Error as e:
        notes.append(f"{path.name}: cannot be opened ({e}); trajectories come from results.jsonl")
        return {}
    if conn is None:
        return {}
    serde = StrictSerializer()
    try:
        rows = conn.execute(
            "SELECT thread_id, checkpoint_id, task_id, task_path, channel, type, value FROM writes "
            "WHERE checkpoint_ns = '' ORDER BY thread_id, checkpoint_id, task_path, task_id, idx")
        last: tuple[str, str, str] | None = None
        for thread, cid, task, task_path, channel, kind, blob in rows:
            if thread not in ids or not isinstance(channel, str) or channel.startswith("branch:"):
                continue
            node = str(task_path).rsplit(", ", 1)[-1] if task_path else "?"
            try:
                value = serde.loads_typed((kind, blob))
            except CheckpointRefused as e:
                notes.append(f"{path.name}: a write of {thread!r} refused ({e})")
                continue
            if (thread, cid, task) != last:
                out[thread].append(Step(node, {}))
                last = (thread, cid, task)
            out[thread][-1].writes[channel] = value
    except sqlite3.Error as e:
        notes.append(f"{path.name}: not a checkpoint file QED reads ({e}); trajectories come from results.jsonl")
        return {}
    finally:
        conn.close()
    return out


def _read_calls(path: Path, ids: set[str], notes: list[str]) -> dict[str, list[Call]]:
    out: dict[str, list[Call]] = defaultdict(list)
    try:
        conn = _read_only(path)
    except sqlite3.Error as e:
        notes.append(f"{path.name}: cannot be opened ({e}); model calls are not shown")
        return {}
    if conn is None:
        return {}
    n = MAX_CALL_TEXT
    try:
        rows = conn.execute(
            "SELECT problem_id, role, node, model, prompt_tokens, completion_tokens, latency_s, finish_reason, "
            f"error, substr(messages, 1, {4 * n}), length(messages), substr(response, 1, {n}), length(response) "
            "FROM calls ORDER BY id")
        for pid, role, node, model, pt, ct, lat, fin, err, msgs, msgs_len, resp, resp_len in rows:
            if pid not in ids:
                continue
            out[pid].append(Call(
                role=_s(role), node=_s(node), model=_s(model), prompt_tokens=int(as_num(pt)),
                completion_tokens=int(as_num(ct)), latency_s=as_num(lat), finish_reason=_s(fin), error=_s(err),
                prompt=_prompt_text(msgs, n), prompt_chars=int(as_num(msgs_len)),
                response=_s(resp), response_chars=int(as_num(resp_len))))
    except sqlite3.Error as e:
        notes.append(f"{path.name}: not a call log QED reads ({e}); model calls are not shown")
        return {}
    finally:
        conn.close()
    return out


def _s(v: Any) -> str:
    return "" if v is None else str(v)


def _prompt_text(messages: Any, limit: int) -> str:
    """The logged messages as `role: content` lines (the log holds them as a JSON list)."""
    text = _s(messages)
    try:
        parsed = json.loads(text)
    except (json.JSONDecodeError, RecursionError):  # clipped by the query, or not JSON: shown as it is
        return text[:limit]
    lines = [f"[{as_str(as_dict(m).get('role')) or '?'}]\n{_s(as_dict(m).get('content'))}" for m in as_list(parsed)]
    return "\n\n".join(lines)[:limit]


_SAFE_COMPONENT = re.compile(r"[A-Za-z0-9._-]{1,200}")


def problem_folders(run: Path, problem_id: str) -> list[Path]:
    """Where a problem's own files may be: `problems/<id>/` (when the id is a plain file name) or
    `problems/<slug of the id>/`; never a path outside the run folder."""
    names = [problem_id] if _SAFE_COMPONENT.fullmatch(problem_id) and problem_id not in (".", "..") else []
    names.append(slugify(problem_id, limit=120))
    return [run / "problems" / n for n in dict.fromkeys(names)]


def _inside(root: Path, p: Path) -> bool:
    try:
        return p.resolve().is_relative_to(root.resolve())
    except OSError:
        return False


def _read_proof(run: Path, v: ProblemView, notes: list[str]) -> Proof | None:
    """`proof` in the result ({path, method, verified}) and the files of the problem's folder.

    `path` may name the proof file, the certificate or the folder; relative paths are read from
    the run folder, and a path that leads outside it is not read at all.
    """
    recorded = as_dict(v.result.get("proof"))
    folder = next((f for f in problem_folders(run, v.id) if f.is_dir() and _inside(run, f)), None)
    named = as_str(recorded.get("path"))
    proof_file = cert_file = None
    if named:
        p = Path(named) if Path(named).is_absolute() else run / named
        if not _inside(run, p):
            notes.append(f"{v.id}: the proof path {named!r} leads outside the run folder; not read")
        elif p.is_dir():
            folder = p
        elif p.is_file():
            folder = folder or p.parent
            if p.suffix == ".json":
                cert_file = p
            else:
                proof_file = p
    if not recorded and folder is None:
        return None
    if folder is not None:
        proof_file = proof_file or folder / PROOF_FILE
        cert_file = cert_file or folder / CERTIFICATE_FILE
    proof = Proof(method=as_str(recorded.get("method")), verified=as_bool(recorded.get("verified")))
    if folder is not None:
        proof.files = sorted(p.name for p in folder.iterdir() if p.is_file())
    if proof_file is not None and proof_file.is_file() and _inside(run, proof_file):
        proof.text = _read_text(proof_file, MAX_PROOF_CHARS, proof.notes)
    if cert_file is not None and cert_file.is_file() and _inside(run, cert_file):
        if cert_file.stat().st_size > MAX_CERTIFICATE_BYTES:
            proof.notes.append(f"{cert_file.name} is larger than {MAX_CERTIFICATE_BYTES:,} bytes; not shown")
        else:
            try:
                proof.certificate = json.loads(cert_file.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
                proof.notes.append(f"{cert_file.name} is not JSON QED reads ({type(e).__name__})")
    return proof


def _read_text(path: Path, limit: int, notes: list[str]) -> str | None:
    try:
        with path.open(encoding="utf-8") as f:
            text = f.read(limit + 1)
    except UnicodeDecodeError:
        notes.append(f"{path.name} is not UTF-8 text; not shown")
        return None
    if len(text) > limit:
        notes.append(f"{path.name} is longer than {limit:,} characters; the start is shown")
        text = text[:limit]
    return text


def by_id(views: Iterable[ProblemView]) -> dict[str, ProblemView]:
    return {v.id: v for v in views}
