"""Plant the calibration corpus once and split it into chunks, so a long calibration survives a kill.

`qed judges calibrate` writes its figures only when every item is judged; on shared cores a full run
of numeric_computation takes longer than a session may have left. This plants the same corpus the
command would (build_corpus on the same references and flaw types), writes it whole and in chunks
(one file per flaw type and source, cut at --size items), and prints one `qed judges calibrate
--corpus CHUNK` command per chunk. With --corpus it splits an earlier run's corpus instead (the
planted flaws of that run, re-judged by today's code). Each chunk's run writes its own calibration.json;
`bench/grading_targets.py` reads them all together (an item counts once).

    .venv/bin/python bench/calibration_chunks.py --out /tmp/cal --flaws wrong_number,flipped_sign,equality_value
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qed.verifiers.judges.calibration.mutations import FLAW_TYPES
from qed.verifiers.judges.calibration.references import (
    DEFAULT_DATA,
    INEQMATH,
    PROOFBENCH,
    load_references,
)
from qed.verifiers.judges.calibration.run import build_corpus, load_corpus, save_corpus

SOURCES = {"ineqmath": INEQMATH, "proofbench": PROOFBENCH}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True, help="folder for corpus.jsonl and the chunks")
    ap.add_argument("--sources", default="ineqmath,proofbench")
    ap.add_argument("--flaws", default=",".join(FLAW_TYPES))
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=None, help="first N references of each source")
    ap.add_argument("--size", type=int, default=60, help="items per chunk at most")
    ap.add_argument("--judges", default="numeric_computation", help="judges named in the printed commands")
    ap.add_argument("--corpus", type=Path, default=None,
                    help="split this corpus.jsonl of an earlier calibration (only its items of --flaws) instead of planting")
    args = ap.parse_args(argv)
    flaws = tuple(f.strip() for f in args.flaws.split(",") if f.strip())
    unknown = [f for f in flaws if f not in FLAW_TYPES]
    sources = [s.strip() for s in args.sources.split(",") if s.strip()]
    unknown += [s for s in sources if s not in SOURCES]
    if unknown:
        print(f"unknown flaw type or source: {', '.join(unknown)}", file=sys.stderr)
        return 2
    if args.size < 1:
        print("--size must be at least 1", file=sys.stderr)
        return 2
    if args.corpus is not None:
        try:
            items = [it for it in load_corpus(args.corpus) if it.flaw in (*flaws, "none") and it.source in sources]
        except (OSError, ValueError) as e:
            print(f"{args.corpus}: {e}", file=sys.stderr)
            return 2
        return _write(items, args)
    refs = []
    for s in sources:
        try:
            these = load_references([args.data / SOURCES[s]])
        except (OSError, ValueError) as e:
            print(f"{args.data / SOURCES[s]}: {e}", file=sys.stderr)
            return 2
        refs += these[: args.limit] if args.limit else these
    items = build_corpus(refs, flaws, on_ref=lambda n, total: print(f"\rplanted {n}/{total}", end="", file=sys.stderr))
    print(file=sys.stderr)
    return _write(items, args)


def _write(items: list, args: argparse.Namespace) -> int:
    """The whole corpus and its chunks (planted flaws first, then the references), with their commands."""
    args.out.mkdir(parents=True, exist_ok=True)
    save_corpus(items, args.out / "corpus.jsonl")
    groups: dict[tuple[str, str], list] = {}
    for it in items:
        groups.setdefault((it.flaw, it.source), []).append(it)
    order = sorted(groups, key=lambda k: (k[0] == "none", k))  # planted flaws first, then the references
    for flaw, source in order:
        group = groups[(flaw, source)]
        for k in range(0, len(group), args.size):
            path = args.out / f"{flaw}-{source}-{k // args.size + 1}.jsonl"
            save_corpus(group[k : k + args.size], path)
            print(f"qed judges calibrate --judges {args.judges} --corpus {path}   # {len(group[k:k + args.size])} items")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
