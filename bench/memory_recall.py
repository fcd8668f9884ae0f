"""Retrieval quality: is a problem's annotated theorem among the top 5 items recalled for it?

    python bench/memory_recall.py [--k 5] [--limit N] [--no-embeddings] [--keep DIR]

Leave-one-out over IneqMath's 200 annotated training problems (../shared/data, read in place):
the memory holds the theorem library (QED's own plus IneqMath's named theorems) and one solved
episode per problem, recording the theorems that problem's solution used. For each problem we
recall with its statement as the query and `exclude_problem` set to it, so its own episode and
everything derived from it are invisible, and count a hit when one of its annotated theorems is
among the top k items. Goal: >= 75% at k = 5 (issue 16; 63.5% before its ranking fixes). Also printed: the same with one channel removed at a
time, and with the library alone (no episodes), to show what each part contributes.

Held out: bench/memory_recall_heldout.jsonl holds 40 problems written for this project (not from
any data set), each with the library theorems a solution would use, committed before recall was
tuned against the sample. They are recalled against the same memory (all 200 episodes visible,
none of them is about these problems); a hit is one of the listed theorems in the top k.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qed.memory import Episode, open_memory, retrieval  # noqa: E402
from qed.memory.library import ineqmath_path, ineqmath_theorem_id  # noqa: E402

HELDOUT = Path(__file__).with_name("memory_recall_heldout.jsonl")


def evaluate(mem, problems: list[dict], k: int) -> tuple[float, float]:
    hits, times = 0, []
    for p in problems:
        wanted = gold(p)
        start = time.perf_counter()
        items = mem.recall(p["problem"], k=k, exclude_problem=p.get("data_id") and f"ineqmath-{p['data_id']}")
        times.append(time.perf_counter() - start)
        hits += bool(wanted & {i.id for i in items})
    times.sort()
    return hits / len(problems), times[len(times) // 2] * 1000


def gold(p: dict) -> set[str]:
    """The theorem ids that count as a hit: IneqMath's annotation keys, or the held-out set's ids."""
    if isinstance(p["theorems"], dict):
        return {ineqmath_theorem_id(key) for key in p["theorems"]}
    return set(p["theorems"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N problems")
    ap.add_argument("--no-embeddings", action="store_true")
    ap.add_argument("--keep", type=Path, help="build the memories in DIR, or reuse them if already built there")
    args = ap.parse_args()
    path = ineqmath_path()
    if path is None:
        sys.exit("skipped: ../shared/data/ineqmath/train_sample_200.json is absent (set QED_DATA_DIR)")
    problems = [p for p in json.loads(path.read_text()) if p.get("theorems")]
    if args.limit:
        problems = problems[: args.limit]
    folder = args.keep or Path(tempfile.mkdtemp(prefix="qed-memory-recall-"))
    folder.mkdir(parents=True, exist_ok=True)
    embeddings = not args.no_embeddings

    built = (folder / "memory.db").exists()
    library_only = open_memory(folder / "library.db", embeddings=embeddings)
    mem = open_memory(folder / "memory.db", embeddings=embeddings)
    start = time.perf_counter()
    for p in [] if built else problems:
        mem.remember_episode(Episode(
            problem_id=f"ineqmath-{p['data_id']}", statement=p["problem"], kind=p["type"], outcome="solved",
            answer=p.get("answer"), rounds=1, run_id="bench-recall", model=None,
            used=[ineqmath_theorem_id(key) for key in p["theorems"]],
        ))
    print(f"{'reused' if built else 'wrote'} {len(problems)} episodes in {time.perf_counter() - start:.1f} s; "
          f"{mem.stats()['nodes']} nodes in memory")
    for m in (mem, library_only):
        start = time.perf_counter()
        n = m.embed_pending()
        if n:
            print(f"embedded {n} nodes in {time.perf_counter() - start:.1f} s")
    if mem.index is None:
        print(f"note: {mem.embedder_note}")

    rate, p50 = evaluate(mem, problems, args.k)
    print(f"annotated theorem in top {args.k}: {rate:.1%} of {len(problems)} problems "
          f"(all channels fused; median recall {p50:.0f} ms)  goal >= 75%")
    base = dict(retrieval.WEIGHTS)
    for off in ("graph", "vector", "fts", "salience"):
        retrieval.WEIGHTS.update({**base, off: 0.0})
        rate_off, _ = evaluate(mem, problems, args.k)
        print(f"  without {off:<8}: {rate_off:.1%}")
    retrieval.WEIGHTS.update(base)
    rate_lib, _ = evaluate(library_only, problems, args.k)
    print(f"  library only, no earlier episodes: {rate_lib:.1%}")
    heldout = [json.loads(line) for line in HELDOUT.read_text().splitlines() if line.strip()]
    rate_h, _ = evaluate(mem, heldout, args.k)
    rate_h_lib, _ = evaluate(library_only, heldout, args.k)
    print(f"held out ({HELDOUT.name}): a listed theorem in top {args.k} for {rate_h:.1%} of {len(heldout)} problems; "
          f"library only {rate_h_lib:.1%}")
    mem.close()
    library_only.close()


if __name__ == "__main__":
    main()
