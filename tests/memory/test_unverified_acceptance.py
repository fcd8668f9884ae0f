"""A proof or answer a person accepts without evidence is remembered as an episode, never as a fact."""

from __future__ import annotations

from qed.memory import Episode

from .conftest import POSITIVE

FORMAL_AB = {"variables": ["a", "b"], "domains": {"a": POSITIVE["a"], "b": POSITIVE["b"]},
             "constraints": ["Eq(a + b, 2)"], "target": "a*b", "sense": "max"}


def _accepted(verified: bool) -> Episode:
    engine = {"status": "answered", "answer": "1", "certified": False, "formal": FORMAL_AB,
              "extremum_point": {"a": 1, "b": 1}}
    return Episode(problem_id="ab-max", statement="For positive a, b with a + b = 2, find the least C with ab <= C.",
                   kind="bound", outcome="solved", answer="1", rounds=1, reason="accepted by the user",
                   evidence=[{"stage": "review", "verdict": "fail", "summary": "no argument", "engine": engine}],
                   verified=verified)


def test_an_unverified_acceptance_writes_no_fact_and_no_strategy(mem):
    kinds = [mem.get(i).kind for i in mem.remember_episode(_accepted(verified=False))]
    assert kinds == ["problem", "episode"]
    episode = mem.get(mem.remember_episode(_accepted(verified=False))[1])
    assert episode.text.startswith("Unverified")


def test_the_same_acceptance_with_evidence_is_a_fact(mem):
    kinds = [mem.get(i).kind for i in mem.remember_episode(_accepted(verified=True))]
    assert "fact" in kinds
