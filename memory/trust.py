"""How far recall may rely on an item: a factor on its fused score, read from its provenance.

Ranking channels measure how relevant an item is to the query, not whether it is true. A theorem
from the library, a lemma the engine certified or an attempt a judge passed are evidence; an
attempt a person accepted with no check that passed is only their word, and what was distilled
from it (its strategy, its fact) stands on the same word. Such items stay findable, but they
rank below checked knowledge that is about as relevant, instead of above it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from qed.memory.store import Store

FULL = 1.0
UNCERTIFIED_FACT = 0.8  # an answer accepted after checks, but never certified
UNVERIFIED = 0.3  # accepted by a person with no passing check, and everything derived from it

USER_ACCEPTANCE = "accepted by the user"  # how the loop's decide node words a person's accept
PASSING_VERDICTS = {"pass"}  # judge and verifier verdicts that are positive evidence
ENGINE_ANSWERED = {"answered", "certified"}  # the inequality engine computed the answer itself


def episode_is_unverified(data: dict) -> bool:
    """A solved attempt that rests on a person's acceptance alone: no check passed, no engine answer."""
    if data.get("outcome") != "solved":
        return False
    if not str(data.get("reason") or "").lower().startswith(USER_ACCEPTANCE):
        return False
    for check in data.get("checks") or []:
        if not isinstance(check, dict):
            continue
        verdict = str(check.get("verdict") or "")
        if verdict in PASSING_VERDICTS or (check.get("stage") == "engine" and verdict in ENGINE_ANSWERED):
            return False
    return True


def own_trust(kind: str, data: dict) -> float:
    """What the node's own record says (before looking at the episode it came from)."""
    if kind == "episode":
        return UNVERIFIED if episode_is_unverified(data) else FULL
    if kind == "fact" and data.get("certified") is False:
        return UNCERTIFIED_FACT
    return FULL


def _data(raw: str | None) -> dict:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


LOWERED_KINDS = ("episode", "fact")  # the only kinds whose own record can lower their trust


def _may_lower(kind: str, raw: str | None) -> bool:
    """Whether a record's JSON could lower trust, decided from its text: most records lack the one
    key or phrase that matters, and recall reads hundreds of them. Without a backslash every JSON
    string appears literally in the text, so the test never misses; with one, the record is parsed."""
    if not raw:
        return False
    if "\\" in raw:
        return True
    if kind == "fact":
        return "certified" in raw
    return USER_ACCEPTANCE in raw.lower()  # an unverified episode's reason starts with it


def trust_factors(store: Store, ids: Iterable[str], kinds: dict[str, str] | None = None) -> dict[str, float]:
    """Trust of each node in `ids`: its own record's, lowered to that of the episode it was derived from.

    Only the records that can lower trust are read (episodes' and facts' data, and the episodes
    that anything was derived from), since recall asks for hundreds of candidates at a time.
    `kinds` (id -> kind, when the caller has read them already) spares reading the other nodes."""
    ids = list(dict.fromkeys(ids))
    out: dict[str, float] = {}
    if kinds is not None:
        out = {i: FULL for i in ids if i in kinds and kinds[i] not in LOWERED_KINDS}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        unread = [i for i in chunk if i not in out]
        if unread:
            rows = store.query(f"SELECT id, kind, CASE WHEN kind IN {LOWERED_KINDS} THEN data END FROM nodes "
                               f"WHERE id IN ({','.join('?' * len(unread))})", unread)
            for nid, kind, data in rows:
                out[nid] = own_trust(kind, _data(data)) if kind in LOWERED_KINDS and _may_lower(kind, data) else FULL
        derived = [i for i in chunk if i in out]
        if not derived:
            continue
        # `+n.kind` keeps SQLite from walking every episode through the kind index (2 s at 100,000
        # nodes); from each listed src through the edge index it is a few milliseconds.
        marks = ",".join("?" * len(derived))
        rows = store.query(
            "SELECT e.src, n.data FROM edges e JOIN nodes n ON n.id = e.dst "
            f"WHERE e.kind = 'derived_from' AND +n.kind = 'episode' AND e.src IN ({marks})", derived)
        for src, data in rows:
            if _may_lower("episode", data) and episode_is_unverified(_data(data)):
                out[src] = min(out.get(src, FULL), UNVERIFIED)
    return out
