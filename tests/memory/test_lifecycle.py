"""Corrections supersede, forgetting is soft, and recall only sees what is current."""

from __future__ import annotations

from qed.memory import Episode


def _ids(items):
    return [i.id for i in items]


def test_revise_supersedes_and_keeps_the_old_node(mem):
    old = mem.add("strategy", "when a sum of square roots appears, square both sides")
    new = mem.revise(old, "when a sum of square roots appears, try Minkowski before squaring", reason="squaring lost the equality case")
    assert mem.get(old).status == "superseded"
    assert mem.get(old).text.startswith("when a sum of square roots appears, square")  # content untouched
    edges = mem.store.edges_of(new)
    assert any(e.kind == "supersedes" and e.dst == old and "equality" in e.data["reason"] for e in edges)
    found = _ids(mem.recall("sum of square roots Minkowski squaring", k=5))
    assert new in found and old not in found


def test_recall_excludes_forgotten_until_restored(mem):
    sid = mem.add("strategy", "for cyclic fractions try Titu's lemma")
    assert sid in _ids(mem.recall("cyclic fractions Titu", k=3))
    mem.forget(sid)
    assert sid not in _ids(mem.recall("cyclic fractions Titu", k=3))
    assert mem.get(sid).forgotten
    mem.restore(sid)
    assert sid in _ids(mem.recall("cyclic fractions Titu", k=3))


def test_recall_excludes_refuted_items(mem):
    fid = mem.add("fact", "for positive x, x + 1/x is at least 3",
                  formal={"variables": ["x"], "domains": {"x": "Interval.open(0, oo)"}, "lhs": "x + 1/x", "rel": ">=", "rhs": "3"})
    assert fid in _ids(mem.recall("x + 1/x at least", k=5))
    mem.add("counterexample", "x = 1 gives 2", data={"point": {"x": 1}})
    assert mem.get(fid).status == "refuted"
    assert fid not in _ids(mem.recall("x + 1/x at least", k=5))


def test_exclude_problem_hides_its_episode_and_what_came_from_it(mem):
    theorem = mem.add("theorem", "Rearrangement inequality: similarly sorted sequences maximise the sum of products")
    ep = Episode(problem_id="p-own", statement="Compare a^2 b + b^2 c + c^2 a with a^3 + b^3 + c^3 for sorted sequences",
                 kind="relation", outcome="solved", answer="(A)", used=[theorem])
    written = mem.remember_episode(ep)
    query = "Compare a^2 b + b^2 c + c^2 a with a^3 + b^3 + c^3 for sorted sequences"
    everything = _ids(mem.recall(query, k=10, kinds=None))
    hidden = _ids(mem.recall(query, k=10, kinds=None, exclude_problem="p-own"))
    own = set(written) - {theorem}
    assert own & set(everything)
    assert not own & set(hidden)
    assert theorem in hidden  # the library theorem is not the problem's own


def test_mark_used_reinforces_salience(mem):
    a = mem.add("strategy", "try the substitution x = a/b, y = b/c, z = c/a when abc = 1")
    b = mem.add("strategy", "try the substitution a = x^2 when square roots of a appear")
    for _ in range(5):
        mem.mark_used([b], success=True)
    node = mem.get(b)
    assert node.uses_ok == 5 and node.last_used
    items = {i.id: i for i in mem.recall("try the substitution", k=2)}
    assert items[b].channels["salience"] < items[a].channels["salience"]


def test_salience_fades_with_time_and_grows_with_success():
    from qed.memory.salience import salience

    fresh = salience("strategy", "2026-01-01T00:00:00+00:00", None, 0, 0, 1, now=_at("2026-01-02"))
    old = salience("strategy", "2026-01-01T00:00:00+00:00", None, 0, 0, 1, now=_at("2026-12-01"))
    used = salience("strategy", "2026-01-01T00:00:00+00:00", "2026-11-30T00:00:00+00:00", 4, 0, 1, now=_at("2026-12-01"))
    failed = salience("strategy", "2026-01-01T00:00:00+00:00", "2026-11-30T00:00:00+00:00", 0, 4, 1, now=_at("2026-12-01"))
    assert old < fresh < used and failed < used


def _at(day: str):
    from datetime import UTC, datetime

    return datetime.fromisoformat(day).replace(tzinfo=UTC)
