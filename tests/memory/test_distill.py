"""Episodes become knowledge: deterministically from evidence, and through a (scripted) model."""

from __future__ import annotations

import json
from pathlib import Path

from qed.memory import Episode
from qed.memory.model_distill import parse_reply
from qed.models.scripted_backend import ScriptedModel

from .conftest import POSITIVE

FORMAL_AB = {"variables": ["a", "b"], "domains": {"a": POSITIVE["a"], "b": POSITIVE["b"]},
             "constraints": ["Eq(a + b, 2)"], "target": "a*b", "sense": "max"}


def _certified_episode(**kw) -> Episode:
    engine = {"status": "answered", "answer": "1", "certified": True, "certificate": "z3: negation unsat",
              "formal": FORMAL_AB, "extremum_point": {"a": 1, "b": 1}}
    base = dict(problem_id="ab-max", statement="For positive a, b with a + b = 2, find the least C with ab <= C.",
                kind="bound", outcome="solved", answer="1", rounds=1, run_id="run-1", run_dir="runs/run-1",
                model="scripted:gen.json",
                evidence=[{"stage": "execute", "verdict": "pass", "summary": "the engine agrees: C = 1 (certified)",
                           "engine": engine}])
    base.update(kw)
    return Episode(**base)


def test_certified_bound_becomes_a_lemma_with_its_record_and_provenance(mem):
    ids = mem.remember_episode(_certified_episode())
    nodes = [mem.get(i) for i in ids]
    kinds = [n.kind for n in nodes]
    assert kinds[:2] == ["problem", "episode"] and "lemma" in kinds and "strategy" in kinds
    lemma = next(n for n in nodes if n.kind == "lemma")
    assert lemma.data["formal"]["rel"] == "<=" and lemma.data["formal"]["rhs"] == "1"
    assert lemma.data["certificate"] == "z3: negation unsat"
    assert lemma.provenance.run == "run-1" and lemma.provenance.model == "scripted:gen.json"
    assert lemma.provenance.source == "distill:evidence"
    edges = {(e.kind, e.dst) for e in mem.store.edges_of(lemma.id) if e.src == lemma.id}
    assert ("derived_from", ids[1]) in edges and ("about", ids[0]) in edges
    strategy = next(n for n in nodes if n.kind == "strategy")
    assert "a = 1, b = 1" in strategy.text


def test_refutation_becomes_a_counterexample_that_refutes_the_claim(mem):
    claim = {"variables": ["x"], "domains": {"x": "Reals"}, "lhs": "x**2", "rel": ">=", "rhs": "x**3"}
    ep = Episode(problem_id="cubes", statement="Prove that x^2 >= x^3 for every real x.", kind="proof",
                 outcome="refuted", evidence=[{"stage": "execute", "verdict": "fail", "summary": "x = 2 breaks it",
                                               "counterexample": {"point": {"x": 2}, "claim": claim}}])
    ids = mem.remember_episode(ep)
    cex = next(mem.get(i) for i in ids if mem.get(i).kind == "counterexample")
    refuted = [e.dst for e in mem.store.edges_of(cex.id) if e.kind == "refutes"]
    assert len(refuted) == 1
    assert mem.get(refuted[0]).status == "refuted" and "x**2" in mem.get(refuted[0]).text


def test_second_solve_of_the_same_lemma_merges_and_gains_support(mem):
    first = mem.remember_episode(_certified_episode())
    second = mem.remember_episode(_certified_episode(run_id="run-2"))
    lemma_ids = {i for i in first + second if mem.get(i).kind == "lemma"}
    assert len(lemma_ids) == 1
    lemma = mem.get(lemma_ids.pop())
    assert lemma.support == 2
    derived = [e for e in mem.store.edges_of(lemma.id) if e.kind == "derived_from"]
    assert {mem.get(e.dst).provenance.run for e in derived} == {"run-1", "run-2"}


def test_from_loop_state_reads_the_loops_plain_json():
    state = {"problem": {"id": "p9", "statement": "Show 1 < 2.", "kind": "relation"}, "outcome": "solved",
             "answer": "D", "drafts": [{"round": 1, "text": "... (D)", "answer": "D", "truncated": False}],
             "checks": [{"round": 1, "stage": "review", "verdict": "pass", "summary": "fine",
                         "evidence": {"reply": "long model text"}}],
             "recalled": [{"id": "thm-am-gm"}]}
    ep = Episode.from_loop_state(state, run_id="r", run_dir="runs/r", model="local:x")
    assert ep.problem_id == "p9" and ep.rounds == 1 and ep.recalled == ["thm-am-gm"]
    assert ep.evidence == [{"stage": "review", "verdict": "pass", "summary": "fine", "round": 1}]


def _scripted(tmp_path: Path, reply: str) -> ScriptedModel:
    path = tmp_path / "distill.json"
    path.write_text(json.dumps({"rules": [{"match": "distill reusable", "reply": reply}]}))
    return ScriptedModel(path)


def test_model_distillation_keeps_valid_items_and_distrusts_the_rest(mem, tmp_path):
    reply = """Sure! Here you go:
```json
{"items": [
  {"kind": "strategy", "text": "when a product is bounded under a fixed sum, try AM-GM on the two factors"},
  {"kind": "lemma", "text": "for positive x, x + 1/x >= 2",
   "formal": {"variables": ["x"], "domains": {"x": "Interval.open(0, oo)"}, "lhs": "x + 1/x", "rel": ">=", "rhs": "2"}},
  {"kind": "counterexample", "text": "x = 1 breaks x + 1/x >= 2", "point": {"x": 1},
   "formal": {"variables": ["x"], "domains": {"x": "Interval.open(0, oo)"}, "lhs": "x + 1/x", "rel": ">=", "rhs": "2"}},
  {"kind": "banana", "text": "ignored"},
]}
```"""
    model = _scripted(tmp_path, reply)
    ids = mem.remember_episode(_certified_episode(), model=model)
    by_source = [mem.get(i) for i in ids if mem.get(i).provenance.source == "distill:model"]
    assert sorted(n.kind for n in by_source) == ["fact", "strategy"]  # lemma demoted, bogus cex dropped
    assert all(n.provenance.model == model.spec for n in by_source)
    assert "distill reusable" in model.calls[0][0].content


def test_model_failure_or_junk_never_breaks_remembering(mem, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({"rules": [{"error": "server down"}]}))
    ids = mem.remember_episode(_certified_episode(), model=ScriptedModel(path))
    assert any(mem.get(i).kind == "lemma" for i in ids)
    assert any("server down" in n for n in mem.notes)
    assert parse_reply("no json here") == []
    assert parse_reply('[{"kind": "fact", "text": "t",}]') == [{"kind": "fact", "text": "t"}]


def test_recalled_items_record_the_problems_they_helped_and_hurt(mem):
    sid = mem.add("strategy", "when fractions have a sum of the other variables below, try Nesbitt")
    mem.remember_episode(Episode(problem_id="good", statement="a problem it helped", outcome="solved", answer="1",
                                 recalled=[sid]))
    mem.remember_episode(Episode(problem_id="bad", statement="a problem it did not help", outcome="abstained",
                                 recalled=[sid]))
    info = mem.explain(sid)
    assert info["helped"] == ["good"] and info["hurt"] == ["bad"]


def test_near_duplicate_wording_merges(mem):
    a = mem.add("strategy", "For cyclic fractions try Titu's lemma first")
    b = mem.add("strategy", "for cyclic fractions, try Titu's lemma first!")
    c = mem.add("strategy", "for cyclic fractions try Titu's lemma 2 times")
    assert a == b and c != a


def test_a_later_run_recalls_what_an_earlier_run_learned_with_provenance(tmp_path):
    from qed.memory import open_memory

    path = tmp_path / "shared.db"
    with open_memory(path, seed_library=False, embeddings=False) as first_run:
        written = first_run.remember_episode(_certified_episode(run_id="run-early", run_dir="runs/run-early"))
    with open_memory(path, seed_library=False, embeddings=False) as later_run:
        items = later_run.recall("positive a, b with fixed sum a + b, bound the product ab", k=5,
                                 exclude_problem="another-problem")
    lemma = next(i for i in items if i.kind == "lemma")
    assert lemma.id in written
    assert lemma.provenance.run == "run-early" and lemma.provenance.run_dir == "runs/run-early"
    assert lemma.to_dict()["provenance"]["source"] == "distill:evidence"
    assert "run run-early" in lemma.render()


def test_a_computed_proof_is_the_episodes_solution_and_its_steps_become_the_strategy(mem):
    computed = ("# Proof\n\n**Step 1 (clearing denominators).** The factors are positive.\n\n"
                "**Step 2 (a sum of non-negative terms).** The identity holds.\n")
    state = {"problem": {"id": "ab-max", "statement": "For positive a, b with a + b = 2, find the least C with ab <= C.",
                         "kind": "bound"},
             "outcome": "solved", "answer": {"text": "1"}, "reason": "settled by computation",
             "proof": {"status": "proved", "method": "sos", "verified": True, "emitted": True,
                       "markdown": "# Proof\n\n> **In words** (written by a model) ...\n" + computed[8:],
                       "computed_markdown": computed}}
    episode = Episode.from_loop_state(state, run_id="run-1")
    assert episode.solution == computed, "the checked text, never the model's overview"
    episode.answer = "1"
    nodes = [mem.get(i) for i in mem.remember_episode(episode)]
    [strategy] = [n for n in nodes if n.kind == "strategy"]
    assert "prove it as a re-verified certificate did: clearing denominators, then a sum of non-negative terms" \
        in strategy.text
    [ep] = [n for n in nodes if n.kind == "episode"]
    assert {"stage": "proof", "verdict": "proved"}.items() <= ep.data["checks"][-1].items()
    assert ep.data["solution"] == computed


def test_a_proof_the_checker_did_not_verify_teaches_nothing(mem):
    state = {"problem": {"id": "p", "statement": "Prove that $a^2 \\geq 0$.", "kind": "proof"}, "outcome": "solved",
             "proof": {"status": "proved", "method": "sos", "verified": False, "emitted": False,
                       "markdown": "**Step 1 (a square).** x", "computed_markdown": None}}
    episode = Episode.from_loop_state(state)
    assert episode.solution is None and not any(e.get("stage") == "proof" for e in episode.evidence)
