"""How much a node deserves attention now: it fades with time and grows with successful use."""

from __future__ import annotations

import math
from datetime import UTC, datetime

HALF_LIFE_DAYS = 60.0
FLOOR = 0.25  # an old, unused theorem still counts for something
KIND_PRIOR = {"lemma": 1.2, "theorem": 1.0, "strategy": 1.0, "counterexample": 1.0, "fact": 0.9,
              "problem": 0.6, "episode": 0.5}


def _days_since(stamp: str | None, now: datetime) -> float:
    if not stamp:
        return 0.0
    try:
        then = datetime.fromisoformat(stamp)
    except ValueError:
        return 0.0
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    return max(0.0, (now - then).total_seconds() / 86400.0)


def salience(kind: str, created_at: str, last_used_at: str | None, uses_ok: int, uses_failed: int,
             support: int, now: datetime | None = None) -> float:
    now = now or datetime.now(UTC)
    age = _days_since(last_used_at or created_at, now)
    recency = FLOOR + (1 - FLOOR) * 0.5 ** (age / HALF_LIFE_DAYS)
    use = (1 + math.log1p(uses_ok)) / (1 + 0.5 * math.log1p(uses_failed))
    return KIND_PRIOR.get(kind, 1.0) * recency * use * (1 + 0.2 * math.log(max(support, 1)))
