"""What the loop's self_verify spends per draft on each no-model judge, and what toy_case and theorem_use add.

self_verify runs every step-wise judge that needs no model on every draft (agent/nodes/self_verify.py,
`computation_judges`). This times each of them on the same drafts, as self_verify calls them (the
statement only, never the answer): wall time, and CPU time (this process and the judges' forked
children; on a loaded machine the wall time mostly measures the wait for a core, the CPU time what the
judge itself spends). The drafts are reference solutions of the IneqMath training sample and of
IMO-ProofBench (proofs of the length and notation a draft has), not model drafts.

    .venv/bin/python bench/self_verify_judges.py --limit 30
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from qed.agent.nodes.self_verify import computation_judges
from qed.verifiers.judges import registry
from qed.verifiers.judges.calibration.references import (
    DEFAULT_DATA,
    INEQMATH,
    PROOFBENCH,
    load_references,
)
from qed.verifiers.judges.judge import statement_only

ADDED = ("toy_case", "theorem_use")  # the judges issue "Grading II" added to every draft's self_verify


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding ineqmath/ and imobench/")
    ap.add_argument("--limit", type=int, default=30, help="first N references of each source")
    args = ap.parse_args(argv)
    try:
        refs = []
        for path in (args.data / INEQMATH, args.data / PROOFBENCH):
            refs += load_references([path])[: args.limit]
    except OSError as e:
        print(f"{e.filename}: {e.strerror}", file=sys.stderr)
        return 2
    names = computation_judges()
    wall: dict[str, list[float]] = {n: [] for n in names}
    cpu: dict[str, list[float]] = {n: [] for n in names}
    for k, ref in enumerate(refs, start=1):
        seen = statement_only(ref.problem)
        for name in names:
            w0, c0 = time.perf_counter(), _cpu()
            registry.run_judge(name, seen, ref.text, {})
            wall[name].append(time.perf_counter() - w0)
            cpu[name].append(_cpu() - c0)
        print(f"\rjudged {k}/{len(refs)} drafts", end="", file=sys.stderr)
    print(file=sys.stderr)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{len(refs)} drafts ({min(args.limit, len(refs))} per source), {os.cpu_count()} cores, load {load}")
    print(f"{'judge':<24}{'wall mean':>10}{'median':>9}{'max':>9}{'cpu mean':>10}{'median':>9}{'max':>9}   (seconds per draft)")
    for name in names:
        w, c = wall[name], cpu[name]
        print(f"{name:<24}{statistics.mean(w):>10.3f}{statistics.median(w):>9.3f}{max(w):>9.3f}"
              f"{statistics.mean(c):>10.3f}{statistics.median(c):>9.3f}{max(c):>9.3f}")
    added = [n for n in ADDED if n in names]
    per_draft_w = [sum(wall[n][i] for n in added) for i in range(len(refs))]
    per_draft_c = [sum(cpu[n][i] for n in added) for i in range(len(refs))]
    all_w = [sum(wall[n][i] for n in names) for i in range(len(refs))]
    all_c = [sum(cpu[n][i] for n in names) for i in range(len(refs))]
    print(f"added by {' + '.join(added)}: wall {statistics.mean(per_draft_w):.3f} s mean, "
          f"{statistics.median(per_draft_w):.3f} s median per draft; CPU {statistics.mean(per_draft_c):.3f} s mean, "
          f"{statistics.median(per_draft_c):.3f} s median")
    print(f"all {len(names)} judges: wall {statistics.mean(all_w):.3f} s mean per draft, CPU {statistics.mean(all_c):.3f} s; "
          f"the added share of CPU {100 * sum(per_draft_c) / max(sum(all_c), 1e-9):.0f} %")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
