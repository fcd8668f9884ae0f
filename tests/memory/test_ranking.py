"""Fusion: a channel's top hit stays near the top, unverified attempts do not outrank checked
knowledge, and the same memory and query always give the same list."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from qed.memory import Episode, open_memory
from qed.memory import retrieval as r
from qed.memory.fusion import keep_leaders, rrf
from qed.memory.records import KNOWLEDGE_KINDS, Node, Provenance
from qed.memory.trust import UNVERIFIED, episode_is_unverified, trust_factors

JUNK = Episode(problem_id="junk-1", statement="Prove that a + b >= 2 sqrt(ab) for all positive reals a and b.",
               kind="proof", outcome="solved", answer="By AM-GM it is obvious, so it holds.", rounds=1,
               reason="accepted by the user",
               evidence=[{"stage": "review", "verdict": "fail", "summary": "the argument assumes AM-GM"}],
               used=["thm-am-gm"], run_id="demo")


def _solved(pid: str, statement: str, used: list[str]) -> Episode:
    return Episode(problem_id=pid, statement=statement, kind="bound", outcome="solved", answer="C = 4", rounds=1,
                   evidence=[{"stage": "review", "verdict": "pass", "summary": "the judge confirmed each step"}],
                   reason="confirmed by the reviewer", used=used, run_id="demo")


@pytest.fixture
def solved(tmp_path: Path, monkeypatch):
    """The project's own library (no data set) and a few solved problems that mention AM-GM but used
    other theorems, so the graph walk points away from AM-GM."""
    monkeypatch.setenv("QED_DATA_DIR", str(tmp_path / "no-data"))
    (tmp_path / "no-data").mkdir()
    mem = open_memory(tmp_path / "memory.db", embeddings=False)
    mem.remember_episode(_solved("p1", "For positive x, y show x/y + 4y/x >= 4 using AM-GM on the two terms.",
                                 ["thm-cauchy-schwarz", "thm-titu"]))
    mem.remember_episode(_solved("p2", "Bound the AM-GM style sum a/b + b/c + c/a below for positive reals.",
                                 ["thm-rearrangement", "thm-cauchy-schwarz"]))
    mem.remember_episode(_solved("p3", "Show (a+b)(b+c)(c+a) >= 8abc; the AM-GM mean of each pair helps.",
                                 ["thm-holder", "thm-cauchy-schwarz"]))
    yield mem
    mem.close()


@pytest.fixture
def seeded(solved):
    """The same, plus one junk attempt a person accepted."""
    solved.remember_episode(JUNK)
    return solved


def _fts_leader(mem, query: str, kinds: tuple[str, ...] | None) -> str:
    now = datetime.now(UTC)
    seqs = [s for s, _ in r._fts_hits(mem.store, query)]  # noqa: SLF001 — the channel on its own, as the oracle
    rows = r._rows(mem.store, "seq", seqs, None, now)  # noqa: SLF001
    return next(rows[s].id for s in seqs if s in rows and (kinds is None or rows[s].kind in kinds))


def test_the_text_channels_top_hit_is_in_the_top_three(solved):
    for kinds in (None, KNOWLEDGE_KINDS):
        leader = _fts_leader(solved, "AM-GM", kinds)
        assert leader == "thm-am-gm"
        top = [i.id for i in solved.recall("AM-GM", k=10, kinds=kinds)]
        assert leader in top[:3], top


def test_a_user_accepted_attempt_does_not_outrank_the_theorem(seeded):
    items = seeded.recall("AM-GM", k=50, kinds=None)
    ids = [i.id for i in items]
    junk = [i.id for i in items if i.kind in ("episode", "strategy") and "junk-1" in (i.text + i.title)]
    assert junk, "the junk attempt should still be findable"
    assert all(ids.index("thm-am-gm") < ids.index(j) for j in junk), ids
    knowledge = [i.id for i in seeded.recall("AM-GM", k=50)]
    junk_strategy = [i for i in junk if i.startswith("strat-")]
    assert junk_strategy and all(knowledge.index("thm-am-gm") < knowledge.index(j) for j in junk_strategy
                                 if j in knowledge), knowledge


def test_what_an_unverified_attempt_taught_inherits_its_low_trust(seeded):
    rows = seeded.store.query("SELECT id, kind, problem_id FROM nodes WHERE problem_id IN ('junk-1', 'p1')")
    trust = trust_factors(seeded.store, [i for i, _, _ in rows])
    for nid, kind, pid in rows:
        if kind in ("episode", "strategy"):
            assert (trust[nid] == UNVERIFIED) == (pid == "junk-1"), (nid, trust[nid])
    assert trust_factors(seeded.store, ["thm-am-gm"]) == {"thm-am-gm": 1.0}


@pytest.mark.parametrize(("data", "unverified"), [
    ({"outcome": "solved", "reason": "accepted by the user", "checks": []}, True),
    ({"outcome": "solved", "reason": "accepted by the user: fine", "checks": [{"verdict": "fail"}]}, True),
    ({"outcome": "solved", "reason": "accepted by the user", "checks": [{"stage": "review", "verdict": "pass"}]}, False),
    ({"outcome": "solved", "reason": "accepted by the user", "checks": [{"stage": "engine", "verdict": "answered"}]}, False),
    ({"outcome": "solved", "reason": "confirmed by the reviewer", "checks": []}, False),
    ({"outcome": "abstained", "reason": "the user abstained", "checks": []}, False),
])
def test_an_episode_is_unverified_only_on_a_persons_word_alone(data, unverified):
    assert episode_is_unverified(data) is unverified


def test_recall_is_deterministic_and_breaks_ties_by_id(tmp_path: Path):
    path = tmp_path / "m.db"
    text = "Schur's inequality of degree one for non-negative reals, cyclic form"
    with open_memory(path, seed_library=False, embeddings=False) as mem, mem.store.write() as conn:
        mem.store.insert_nodes(conn, [Node(id=i, kind="theorem", title="Schur", text=text,
                                           provenance=Provenance(when="2026-01-01T00:00:00+00:00", source="library:qed"))
                                      for i in ("thm-b", "thm-c", "thm-a")])
    runs = []
    for _ in range(2):
        with open_memory(path, seed_library=False, embeddings=False) as mem:
            runs.append([(i.id, i.score) for i in mem.recall("Schur cyclic", k=3)])
            runs.append([(i.id, i.score) for i in mem.recall("Schur cyclic", k=3)])
    assert all(run == runs[0] for run in runs)
    assert [i for i, _ in runs[0]] == ["thm-a", "thm-b", "thm-c"]


def test_a_leader_follows_the_fused_first_item_and_trust_scales_scores():
    ordered = ["x", "y", "z", "lead"]
    assert keep_leaders(ordered, ["lead", "x"]) == ["x", "lead", "y", "z"]
    assert keep_leaders([], ["lead"]) == []
    ranks = {"fts": {"a": 1, "b": 2}, "vector": {"b": 1}}
    plain = rrf(ranks, {"fts": 1.0, "vector": 1.0}, ["a", "b"])
    scaled = rrf(ranks, {"fts": 1.0, "vector": 1.0}, ["a", "b"], {"b": 0.3})
    assert plain["b"] > plain["a"] > scaled["b"]


def test_a_listed_strategy_brings_the_theorem_it_applies(tmp_path: Path):
    lib = Provenance(when="2026-01-01T00:00:00+00:00", source="library:qed")
    with open_memory(tmp_path / "m.db", seed_library=False, embeddings=False) as mem, mem.store.write() as conn:
        mem.store.insert_nodes(conn, [
            Node(id="thm-schur", kind="theorem", title="Schur", text="Schur: sum of x^t (x-y)(x-z) is non-negative.",
                 provenance=lib),
            *[Node(id=f"thm-other-{n}", kind="theorem", title=f"Other {n}",
                   text=f"A cubic inequality for positive reals, variant {n}.", provenance=lib) for n in range(6)],
        ])
    with open_memory(tmp_path / "m.db", seed_library=False, embeddings=False) as mem:
        mem.remember_episode(_solved("cubic-1", "Show a cubic inequality for positive reals a, b, c.", ["thm-schur"]))
        for n in range(4):
            mem.remember_episode(_solved(f"other-{n}", f"A quartic bound for positive reals, case {n}.",
                                         [f"thm-other-{n}", f"thm-other-{n + 1}"]))
        items = mem.recall("cubic inequality for positive reals", k=4)
        ids = [i.id for i in items]
        first = next(i for i in items if i.kind == "strategy")
        applied = [e.dst for e in mem.store.edges_of(first.id) if e.kind == "uses" and e.src == first.id]
        assert applied and all(a in ids for a in applied), (ids, applied)



@pytest.mark.parametrize("reason", ["Accepted by the user", "accepted by the user after a naïve look",
                                    'ACCEPTED BY THE USER "as is"'])
def test_trust_reads_an_unverified_record_however_its_json_is_spelled(tmp_path: Path, reason: str):
    """The record text is screened before it is parsed; escapes (non-ASCII, quotes) must not hide it."""
    from qed.memory.records import Edge
    from qed.memory.trust import UNCERTIFIED_FACT

    with open_memory(tmp_path / "m.db", seed_library=False, embeddings=False) as mem:
        episode = {"outcome": "solved", "reason": reason, "checks": [{"stage": "judge", "verdict": "fail"}]}
        nodes = [Node(id="ep-1", kind="episode", title="e", text="an attempt", data=episode),
                 Node(id="ep-2", kind="episode", title="e", text="a checked attempt",
                      data={**episode, "checks": [{"stage": "judge", "verdict": "pass"}]}),
                 Node(id="fact-1", kind="fact", title="f", text="a fact", data={"certified": False, "note": "é"}),
                 Node(id="fact-2", kind="fact", title="f", text="another fact", data={"note": "certified by no one"}),
                 Node(id="strat-1", kind="strategy", title="s", text="a strategy")]
        with mem.store.write() as conn:
            mem.store.insert_nodes(conn, nodes)
            mem.store.insert_edges(conn, [Edge("strat-1", "ep-1", "derived_from"), Edge("fact-2", "ep-2", "derived_from")])
        trust = trust_factors(mem.store, [n.id for n in nodes], {n.id: n.kind for n in nodes})
        assert trust == {"ep-1": UNVERIFIED, "ep-2": 1.0, "fact-1": UNCERTIFIED_FACT, "fact-2": 1.0, "strat-1": UNVERIFIED}
