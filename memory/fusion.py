"""Fusing ranked channels into one list: reciprocal rank fusion, scaled by trust, with channel leaders kept.

Reciprocal rank fusion adds w / (K + rank) over channels, so no channel's raw scores need
calibrating against another's. Ranks are global within a channel: the best full-text hit is
rank 1 whatever its kind, so an item every channel puts first cannot tie with the best item of
each other kind. RRF alone still lets an item of middling rank in many channels bury one that a
single direct channel ranks first; the direct channels (full text and vectors look at the query
itself, the graph and salience only at what those found) therefore each keep their leader near
the top: the fused first item stays first, the leaders follow, then the rest in fused order.
"""

from __future__ import annotations

RRF_K = 60


def rank(ids: list[str]) -> dict[str, int]:
    """1-based ranks in list order (the first occurrence counts)."""
    out: dict[str, int] = {}
    for i in ids:
        out.setdefault(i, len(out) + 1)
    return out


def by_value(value: dict[str, float]) -> list[str]:
    """Ids by value, best first, ties by id (a channel's order never depends on storage order)."""
    return sorted(value, key=lambda i: (-round(value[i], 6), i))


def tied_rank(ids: list[str], value: dict[str, float]) -> dict[str, int]:
    """Competition ranks of ids sorted by value: equal value, equal rank, so a channel with nothing
    to say favours no one."""
    out: dict[str, int] = {}
    rounded = {i: round(value[i], 6) for i in ids}  # once per item, not once per comparison key and again
    previous, current = None, 0
    for n, i in enumerate(sorted(ids, key=lambda i: (-rounded[i], i)), start=1):
        v = rounded[i]
        if v != previous:
            current, previous = n, v
        out[i] = current
    return out


def rrf(ranks: dict[str, dict[str, int]], weights: dict[str, float], pool: list[str],
        trust: dict[str, float] | None = None) -> dict[str, float]:
    """Sum over channels of weight / (RRF_K + rank), times the item's trust (1 when unknown)."""
    trust = trust or {}
    return {i: trust.get(i, 1.0) * sum(weights.get(c, 0.0) / (RRF_K + r[i]) for c, r in ranks.items() if i in r)
            for i in pool}


def fused_order(scores: dict[str, float]) -> list[str]:
    """Best first; ties broken by id so the same memory and query always give the same list."""
    return sorted(scores, key=lambda i: (-scores[i], i))


def keep_leaders(ordered: list[str], leaders: list[str]) -> list[str]:
    """The fused first item, then each leader not already placed (in fused order), then the rest."""
    if not ordered:
        return []
    position = {i: n for n, i in enumerate(ordered)}
    head = [ordered[0]]
    for i in sorted({i for i in leaders if i in position and i != ordered[0]}, key=position.get):
        head.append(i)
    placed = set(head)
    return head + [i for i in ordered if i not in placed]
