"""Budgets: how many tokens, seconds and model calls a problem, and a whole run, may spend.

A budget is checked before every model call (a call that would start over budget is refused) and
counted after it. A problem whose own budget runs out ends `abstained` with the reason in its
result; when the run's budget runs out, no new problem starts and the problems cut off are not
recorded, so `qed solve --resume RUN --run-budget ...` with a larger budget carries them on.

    problem = Budget.parse("tokens=20000,calls=40,seconds=300")
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from qed.models.base import CallOptions, ChatModel, Completion, Message, TokenCallback

KEYS = ("tokens", "seconds", "calls")
UNITS = {"tokens": "tokens", "seconds": "s", "calls": "model calls"}


class BudgetError(ValueError):
    """A budget as written cannot be used (an unknown key, a non-positive number)."""


class BudgetExhausted(RuntimeError):
    """A model call would start over budget. Deliberately not a ModelError: judges and nodes that
    survive a failed call must not swallow this one."""

    def __init__(self, scope: str, key: str, limit: float, used: float):
        self.scope, self.key, self.limit, self.used = scope, key, limit, used
        per = "per problem" if scope == "problem" else "for the run"
        super().__init__(f"budget exhausted: {_num(used)} of {_num(limit)} {UNITS[key]} {per} used")

    def to_dict(self) -> dict[str, Any]:
        return {"scope": self.scope, "exhausted": self.key, "limit": self.limit, "used": round(self.used, 2)}


def _num(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() or x >= 100 else f"{x:,.1f}"


@dataclass(frozen=True)
class Budget:
    """Limits; None is no limit."""

    tokens: int | None = None
    seconds: float | None = None
    calls: int | None = None

    @property
    def empty(self) -> bool:
        return self.tokens is None and self.seconds is None and self.calls is None

    @classmethod
    def parse(cls, text: str | None, where: str = "--budget") -> Budget:
        """`tokens=20000,calls=40,seconds=300` (any subset, in any order)."""
        if not text or not text.strip():
            return cls()
        values: dict[str, str] = {}
        for item in text.split(","):
            key, sep, value = item.partition("=")
            key = key.strip()
            if not sep or key not in KEYS:
                raise BudgetError(f"{where}: expected KEY=NUMBER with KEY one of {', '.join(KEYS)}, got {item.strip()!r}")
            values[key] = value.strip()
        return cls.from_mapping(values, where)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str = "budget") -> Budget:
        unknown = set(data) - set(KEYS)
        if unknown:
            raise BudgetError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; expected {', '.join(KEYS)}")
        out: dict[str, Any] = {}
        for key, raw in data.items():
            if isinstance(raw, bool):
                raise BudgetError(f"{where}: {key} must be a positive number, not {raw!r}")
            try:
                value = float(raw)
            except (TypeError, ValueError):
                raise BudgetError(f"{where}: {key} must be a positive number, not {raw!r}") from None
            if not 0 < value < float("inf"):
                raise BudgetError(f"{where}: {key} must be a positive number, not {raw!r}")
            if key != "seconds":
                if not value.is_integer():
                    raise BudgetError(f"{where}: {key} must be a whole number, not {raw!r}")
                value = int(value)
            out[key] = value
        return cls(**out)

    def merged(self, other: Budget) -> Budget:
        """`other`'s limits where it sets them, ours elsewhere (flags over qed.toml)."""
        return Budget(*(getattr(other, k) if getattr(other, k) is not None else getattr(self, k) for k in KEYS))

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in KEYS if getattr(self, k) is not None}

    def text(self) -> str:
        return ", ".join(f"{_num(v)} {UNITS[k]}" for k, v in self.to_dict().items()) or "none"


@dataclass(frozen=True)
class Budgets:
    """The per-problem and per-run limits of a solve."""

    problem: Budget = field(default_factory=Budget)
    run: Budget = field(default_factory=Budget)

    @property
    def empty(self) -> bool:
        return self.problem.empty and self.run.empty

    def to_dict(self) -> dict[str, Any]:
        return {"problem": self.problem.to_dict(), "run": self.run.to_dict()}

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None, where: str) -> Budgets:
        """qed.toml's [budget] (`problem = {...}`, `run = {...}`) or a run folder's saved budgets."""
        data = dict(data or {})
        unknown = set(data) - {"problem", "run"}
        if unknown:
            raise BudgetError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; expected problem, run")
        parts = {}
        for scope in ("problem", "run"):
            table = data.get(scope) or {}
            if not isinstance(table, Mapping):
                raise BudgetError(f"{where}.{scope}: expected a table of {', '.join(KEYS)}")
            parts[scope] = Budget.from_mapping(table, f"{where}.{scope}")
        return cls(**parts)

    def merged(self, other: Budgets) -> Budgets:
        return Budgets(self.problem.merged(other.problem), self.run.merged(other.run))


class RunCounter(Protocol):
    """The run's spending so far, shared by every problem (and, in a parallel run, every worker)."""

    def add(self, tokens: int, calls: int) -> None: ...

    def read(self) -> tuple[int, int]: ...

    def take_call(self, limit: int | None) -> bool:
        """Count one call if fewer than `limit` were made (None: no limit), in one step, so that
        parallel workers that check at once cannot all take the last call."""
        ...


class LocalCounter:
    """A run counter for one process."""

    def __init__(self, tokens: int = 0, calls: int = 0):
        self._tokens, self._calls = tokens, calls
        self._lock = threading.Lock()

    def add(self, tokens: int, calls: int) -> None:
        with self._lock:
            self._tokens += tokens
            self._calls += calls

    def read(self) -> tuple[int, int]:
        with self._lock:
            return self._tokens, self._calls

    def take_call(self, limit: int | None) -> bool:
        with self._lock:
            if limit is not None and self._calls >= limit:
                return False
            self._calls += 1
            return True


class SharedCounter:
    """A run counter in shared memory, for worker processes (multiprocessing.Array of two longs)."""

    def __init__(self, array: Any):
        self.array = array

    @classmethod
    def create(cls, ctx: Any, tokens: int = 0, calls: int = 0) -> SharedCounter:
        return cls(ctx.Array("q", [tokens, calls]))

    def add(self, tokens: int, calls: int) -> None:
        with self.array.get_lock():
            self.array[0] += tokens
            self.array[1] += calls

    def read(self) -> tuple[int, int]:
        with self.array.get_lock():
            return int(self.array[0]), int(self.array[1])

    def take_call(self, limit: int | None) -> bool:
        with self.array.get_lock():
            if limit is not None and self.array[1] >= limit:
                return False
            self.array[1] += 1
            return True


def spent(results: list[dict[str, Any]]) -> tuple[int, int]:
    """Tokens and calls the recorded results of a run spent (a resume starts its run budget here)."""
    tokens = sum(int((r.get("tokens") or {}).get("prompt", 0)) + int((r.get("tokens") or {}).get("completion", 0))
                 for r in results)
    return tokens, sum(int(r.get("calls") or 0) for r in results)


class Meter:
    """Counts one problem's spending against its budget and the run's; `check` refuses over budget.

    `run_deadline` is a wall-clock time (time.time()) at which the run's seconds are used up.
    """

    def __init__(self, budgets: Budgets, counter: RunCounter | None = None, run_deadline: float | None = None):
        self.budgets = budgets
        self.counter = counter or LocalCounter()
        self.run_deadline = run_deadline
        self.exhausted: BudgetExhausted | None = None
        self.start(None)

    def start(self, problem_id: str | None) -> None:
        """A new problem: its own counts start at zero."""
        self.problem_id = problem_id
        self.started = time.monotonic()
        self.tokens = 0
        self.calls = 0
        self.exhausted = None

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def check(self) -> None:
        """Raise BudgetExhausted if another call may not start; remember the first refusal. A call
        allowed to start is counted in the run's calls now (`record` adds only its tokens)."""
        if self.exhausted is not None:
            raise self.exhausted
        refusal = self._refusal()
        if refusal is None and not self.counter.take_call(self.budgets.run.calls):
            refusal = BudgetExhausted("run", "calls", self.budgets.run.calls, self.counter.read()[1])
        if refusal is not None:
            self.exhausted = refusal
            raise refusal

    def _refusal(self) -> BudgetExhausted | None:
        p, r = self.budgets.problem, self.budgets.run
        if p.calls is not None and self.calls >= p.calls:
            return BudgetExhausted("problem", "calls", p.calls, self.calls)
        if p.tokens is not None and self.tokens >= p.tokens:
            return BudgetExhausted("problem", "tokens", p.tokens, self.tokens)
        if p.seconds is not None and self.elapsed() >= p.seconds:
            return BudgetExhausted("problem", "seconds", p.seconds, self.elapsed())
        run_tokens, run_calls = self.counter.read()
        if r.calls is not None and run_calls >= r.calls:
            return BudgetExhausted("run", "calls", r.calls, run_calls)
        if r.tokens is not None and run_tokens >= r.tokens:
            return BudgetExhausted("run", "tokens", r.tokens, run_tokens)
        if r.seconds is not None and self.run_deadline is not None and time.time() >= self.run_deadline:
            return BudgetExhausted("run", "seconds", r.seconds, r.seconds + time.time() - self.run_deadline)
        return None

    def max_tokens(self, asked: int) -> int:
        """A reply may not be longer than what is left of the token budgets."""
        left = [asked]
        if self.budgets.problem.tokens is not None:
            left.append(self.budgets.problem.tokens - self.tokens)
        if self.budgets.run.tokens is not None:
            left.append(self.budgets.run.tokens - self.counter.read()[0])
        return max(1, min(left))

    def seconds_left(self) -> float | None:
        """What is left of the problem's and the run's seconds (a call may not outlast them)."""
        left = []
        if self.budgets.problem.seconds is not None:
            left.append(self.budgets.problem.seconds - self.elapsed())
        if self.budgets.run.seconds is not None and self.run_deadline is not None:
            left.append(self.run_deadline - time.time())
        return max(1.0, min(left)) if left else None

    def record(self, completion: Completion) -> None:
        used = completion.usage.prompt_tokens + completion.usage.completion_tokens
        self.tokens += used
        self.calls += 1
        self.counter.add(used, 0)  # the call itself was counted when `check` let it start

    def line(self) -> str:
        """What the live view shows: this problem's spending against its limits, and the run's."""
        p, r = self.budgets.problem, self.budgets.run
        run_tokens, run_calls = self.counter.read()
        parts = [f"problem: {_num(self.tokens)}" + (f"/{_num(p.tokens)}" if p.tokens else "") + " tok, "
                 + f"{self.calls}" + (f"/{p.calls}" if p.calls else "") + " calls"
                 + (f", {self.elapsed():.0f}/{_num(p.seconds)} s" if p.seconds else "")]
        if not r.empty:
            parts.append(f"run: {_num(run_tokens)}" + (f"/{_num(r.tokens)}" if r.tokens else "") + " tok, "
                         + f"{run_calls}" + (f"/{r.calls}" if r.calls else "") + " calls")
        return "budget " + " · ".join(parts)


class BudgetedModel:
    """A model whose calls are checked against, and counted in, a Meter."""

    def __init__(self, inner: ChatModel, meter: Meter, on_spend: Any = None):
        self.inner = inner
        self.meter = meter
        self.spec = inner.spec
        self.on_spend = on_spend

    def chat(self, messages: list[Message], options: CallOptions | None = None,
             on_token: TokenCallback | None = None) -> Completion:
        self.meter.check()
        opts = options or CallOptions()
        capped = self.meter.max_tokens(opts.max_tokens)
        left = self.meter.seconds_left()
        deadline = opts.deadline_s if left is None else min(left, opts.deadline_s or left)
        if capped < opts.max_tokens or deadline != opts.deadline_s:
            opts = CallOptions(max_tokens=capped, temperature=opts.temperature, stop=opts.stop,
                               timeout_s=opts.timeout_s if left is None else min(opts.timeout_s, left),
                               deadline_s=deadline)
        result = self.inner.chat(messages, opts, on_token)
        self.meter.record(result)
        if self.on_spend is not None:
            self.on_spend(self.meter)
        return result

    def close(self) -> None:
        self.inner.close()


def resolve_budgets(toml_table: Mapping[str, Any] | None, problem_flag: str | None, run_flag: str | None,
                    saved: Mapping[str, Any] | None = None) -> Budgets:
    """flags > (a resumed run's saved budgets, or qed.toml [budget] for a new run)."""
    base = (Budgets.from_mapping(saved, "the run folder's config.json budget") if saved is not None
            else Budgets.from_mapping(toml_table, "qed.toml [budget]"))
    return base.merged(Budgets(Budget.parse(problem_flag, "--budget"), Budget.parse(run_flag, "--run-budget")))
