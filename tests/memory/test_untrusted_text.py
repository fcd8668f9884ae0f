"""Text in memory is data: an imported file, a stored node, a model's reply or an API call never runs code.

Each attack puts `__import__('os').system('touch MARKER')` where memory reads an expression (a
fact's lhs, a counterexample's point, a domain, a constraint) and then makes memory read it the
way a solve does (consolidation of a new item). The marker file must never appear.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from qed.memory import Episode, MemoryStoreError, open_memory
from qed.memory.records import Node, Provenance
from qed.models.scripted_backend import ScriptedModel

from .conftest import NESBITT_LHS, POSITIVE, nesbitt


def payload(marker: Path) -> str:
    return f"__import__('os').system('touch {marker}')+a/b"


def _qed(*args: str, memory: Path) -> subprocess.CompletedProcess:
    code = "from qed.cli.app import main; main()"
    return subprocess.run([sys.executable, "-c", code, "memory", "--memory", str(memory), *args],
                          capture_output=True, text=True, timeout=300,
                          env={"QED_EMBEDDER_DIR": "off", "PATH": "", "HOME": str(memory.parent)})


def _export(nodes: list[dict]) -> dict:
    return {"format": "qed-memory-export", "version": 1, "nodes": nodes, "edges": []}


def _node(nid: str, kind: str, text: str, data: dict) -> dict:
    return {"id": nid, "kind": kind, "title": text[:20], "text": text, "data": data, "status": "active",
            "provenance": {"source": "elsewhere"}}


def _consolidate(memory_path: Path) -> None:
    """What a solve does after a problem: write knowledge through consolidation, which reads every
    active formal fact and counterexample point in the memory."""
    with open_memory(memory_path, seed_library=False, embeddings=False) as mem:
        mem.add("fact", "Nesbitt: at least 3/2", formal=nesbitt("3/2"))
        mem.add("counterexample", "a = b = c = 1 breaks Nesbitt > 3/2", data={"point": {"a": 1, "b": 1, "c": 1}})
        mem.remember_episode(Episode(problem_id="ab", statement="For a, b > 0 show a/b + b/a >= 2.", kind="proof",
                                     outcome="refuted", evidence=[{"stage": "execute", "verdict": "fail",
                                     "summary": "checked", "counterexample": {"point": {"a": 1, "b": 1, "c": 1},
                                                                              "claim": nesbitt("2", rel=">")}}]))


def test_an_imported_fact_with_code_in_its_lhs_is_refused_and_never_runs(tmp_path: Path):
    marker = tmp_path / "pwned-lhs"
    evil_point = tmp_path / "pwned-point"
    export = tmp_path / "gift.json"
    export.write_text(json.dumps(_export([
        _node("fact-evil", "fact", "an innocent-looking fact",
              {"formal": {**nesbitt("1"), "lhs": payload(marker)}}),
        _node("cex-evil", "counterexample", "an innocent-looking counterexample",
              {"point": {"a": f"__import__('os').system('touch {evil_point}')", "b": 1, "c": 1}}),
        _node("fact-evil-domain", "fact", "a fact with a poisoned domain",
              {"formal": {**nesbitt("1"), "domains": {"a": f"Interval.open(0, __import__('os').system('touch {marker}'))"}}}),
        _node("strat-good", "strategy", "for cyclic fractions try Titu's lemma", {}),
    ])))
    memory = tmp_path / "m.db"
    done = _qed("import", str(export), memory=memory)
    assert done.returncode == 0, done.stderr
    refused = [line for line in done.stderr.splitlines() if line.startswith("refused ")]
    assert len(refused) == 3, done.stderr
    assert any(line.startswith("refused fact-evil: formal: cannot read lhs") for line in refused)
    assert any(line.startswith("refused cex-evil: point:") for line in refused)
    assert "1 added" in done.stdout and "3 node(s) refused" in done.stdout
    _consolidate(memory)
    assert not marker.exists() and not evil_point.exists()
    with open_memory(memory, seed_library=False, embeddings=False) as mem:
        assert mem.store.get("fact-evil") is None and mem.store.get("strat-good") is not None


def test_code_already_inside_a_memory_file_never_runs_when_memory_reads_it(tmp_path: Path):
    """A memory.db someone sent: the poisoned rows are in the file itself, not imported."""
    marker = tmp_path / "pwned-stored"
    memory = tmp_path / "sent.db"
    with open_memory(memory, seed_library=False, embeddings=False) as mem, mem.store.write() as conn:
        mem.store.insert_nodes(conn, [
            Node(id="fact-stored", kind="fact", title="stored", text="stored fact",
                 data={"formal": {**nesbitt("1"), "lhs": payload(marker)}}, provenance=Provenance(source="x")),
            Node(id="fact-stored-c", kind="fact", title="stored", text="stored fact with a constraint",
                 data={"formal": {**nesbitt("1"), "constraints": [f"Eq({payload(marker)}, 1)"]}},
                 provenance=Provenance(source="x")),
            Node(id="cex-stored", kind="counterexample", title="stored", text="stored point",
                 data={"point": {"a": payload(marker), "b": "1", "c": "1"}}, provenance=Provenance(source="x")),
        ])
    _consolidate(memory)
    assert not marker.exists()


def _episode() -> Episode:
    engine = {"status": "answered", "answer": "1", "certified": True, "certificate": "z3",
              "formal": {"variables": ["a", "b"], "domains": {"a": POSITIVE["a"], "b": POSITIVE["b"]},
                         "constraints": ["Eq(a + b, 2)"], "target": "a*b", "sense": "max"}}
    return Episode(problem_id="ab-max", statement="For positive a, b with a + b = 2, find the least C with ab <= C.",
                   kind="bound", outcome="solved", answer="1", rounds=1,
                   evidence=[{"stage": "execute", "verdict": "pass", "summary": "C = 1", "engine": engine}])


def test_a_distillation_reply_with_code_is_dropped_without_running_it(mem, tmp_path: Path):
    marker = tmp_path / "pwned-model"
    formal = {"variables": ["a", "b"], "domains": {"a": POSITIVE["a"], "b": POSITIVE["b"]},
              "lhs": payload(marker), "rel": ">=", "rhs": "2"}
    reply = json.dumps({"items": [
        {"kind": "fact", "text": "for positive a, b something holds", "formal": formal},
        {"kind": "counterexample", "text": "a point", "point": {"a": payload(marker), "b": 1},
         "formal": {**formal, "lhs": "a/b + b/a"}},
        {"kind": "strategy", "text": "when a product is bounded under a fixed sum, try AM-GM"},
    ]})
    rules = tmp_path / "distill.json"
    rules.write_text(json.dumps({"rules": [{"match": "distill reusable", "reply": reply}]}))
    ids = mem.remember_episode(_episode(), model=ScriptedModel(rules))
    assert not marker.exists()
    from_model = [mem.get(i) for i in ids if mem.get(i).provenance.source == "distill:model"]
    assert [n.kind for n in from_model] == ["fact", "strategy"]
    assert "formal" not in from_model[0].data  # the unreadable record is dropped, the text kept as a plain fact


@pytest.mark.parametrize("where", ["lhs", "rhs", "constraint", "domain", "point", "claim"])
def test_memory_add_refuses_code_in_any_formal_part(mem, tmp_path: Path, where: str):
    marker = tmp_path / f"pwned-add-{where}"
    evil = payload(marker)
    formal, data = nesbitt("3/2"), {}
    if where in ("lhs", "rhs"):
        formal[where] = evil
    elif where == "constraint":
        formal["constraints"] = [f"{evil} >= 0"]
    elif where == "domain":
        formal["domains"] = {**POSITIVE, "a": evil}
    elif where == "point":
        formal, data = None, {"point": {"a": evil, "b": 1, "c": 1}}
    else:
        formal, data = None, {"point": {"a": 1, "b": 1, "c": 1}, "claim": {**nesbitt("2"), "lhs": evil}}
    kind = "counterexample" if formal is None else "fact"
    with pytest.raises(MemoryStoreError, match="cannot read|characters outside arithmetic"):
        mem.add(kind, f"an attack through the {where}", formal=formal, data=data)
    assert not marker.exists()
    assert mem.stats()["nodes"] == 0


def test_memory_revise_refuses_code(mem, tmp_path: Path):
    marker = tmp_path / "pwned-revise"
    fid = mem.add("fact", "Nesbitt at least 3/2", formal=nesbitt("3/2"))
    with pytest.raises(MemoryStoreError, match="formal record: cannot read lhs"):
        mem.revise(fid, "corrected", formal={**nesbitt("3/2"), "lhs": payload(marker)})
    with pytest.raises(MemoryStoreError, match="data point"):
        mem.revise(fid, "corrected", data={"point": {"a": payload(marker)}})
    assert not marker.exists() and mem.get(fid).status == "active"


def test_an_expression_too_large_to_compute_is_refused_with_its_reason(mem):
    with pytest.raises(MemoryStoreError, match=r"exponent '387420489'.*at most 10,000"):
        mem.add("fact", "a tower", formal={**nesbitt("3/2"), "rhs": "9^9^9"})
    with pytest.raises(MemoryStoreError, match="characters long"):
        mem.add("fact", "a long one", formal={**nesbitt("3/2"), "lhs": NESBITT_LHS + " + a" * 2_000_000})
    with pytest.raises(MemoryStoreError, match="undeclared 'd'"):
        mem.add("fact", "a stray name", formal={**nesbitt("3/2"), "lhs": NESBITT_LHS + " + d"})
    assert mem.stats()["nodes"] == 0
