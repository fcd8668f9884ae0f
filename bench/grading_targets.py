"""The grading judges' measured figures against the targets of issue "Grading II", from calibration runs.

`qed judges calibrate` writes runs/<time>-calibrate-<judges>/calibration.json; this reads one or more of
them and prints, per target, the figure measured (from every run that measured it) and whether it is met.
The runs that produce the figures (each judge on the flaws it is meant to catch; all references as
written for its false rejections):

    qed judges calibrate --judges numeric_computation --sources ineqmath --flaws wrong_number,flipped_sign
    qed judges calibrate --judges numeric_computation --sources ineqmath,proofbench --flaws equality_value
    qed judges calibrate --judges toy_case,theorem_use --sources ineqmath,proofbench --flaws toy_case,non_instance
    .venv/bin/python bench/grading_targets.py runs/*-calibrate-*/calibration.json

On shared cores a full run can outlast a session: bench/calibration_chunks.py plants (or splits) the
corpus into chunks, each judged by `qed judges calibrate --corpus CHUNK`; pass all their calibration.json
files here (an item judged in several runs counts once, from the last file named).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Target:
    judge: str
    cell: str  # a flaw type, or "none" for false rejection
    source: str | None  # only items of this reference set ("ineqmath", "proofbench"); None: all
    at_least: float | None = None
    at_most: float | None = None

    def text(self) -> str:
        what = "false rejection" if self.cell == "none" else f"detects {self.cell}"
        bound = f"≥ {100 * self.at_least:g} %" if self.at_least is not None else f"≤ {100 * self.at_most:g} %"
        return f"{self.judge} {what}{' on ' + self.source if self.source else ''} {bound}"


TARGETS = (
    Target("numeric_computation", "wrong_number", "ineqmath", at_least=0.99),
    Target("numeric_computation", "flipped_sign", "ineqmath", at_least=0.99),
    Target("numeric_computation", "equality_value", None, at_least=0.90),
    Target("numeric_computation", "none", "ineqmath", at_most=0.0),
    Target("numeric_computation", "none", "proofbench", at_most=0.02),
    Target("toy_case", "toy_case", None, at_least=0.80),
    Target("toy_case", "none", None, at_most=0.03),
    Target("theorem_use", "non_instance", None, at_least=0.80),
    Target("theorem_use", "none", None, at_most=0.03),
)


def tally(runs: list[dict]) -> dict[tuple[str, str, str], list[int]]:
    """(judge, flaw, source) -> [items, fails, fails explained by the errata], from every run's outcomes.
    An item judged in several runs counts once (the last run read)."""
    seen: dict[tuple[str, str], dict] = {}
    for run in runs:
        for o in run.get("outcomes", []):
            seen[(o["judge"], o["item"])] = o
    out: dict[tuple[str, str, str], list[int]] = {}
    for (judge, item), o in seen.items():
        source = item.split(":", 1)[0]
        for key in ((judge, o["flaw"], source), (judge, o["flaw"], "")):
            cell = out.setdefault(key, [0, 0, 0])
            cell[0] += 1
            cell[1] += o["verdict"] == "fail"
            cell[2] += bool(o.get("known_error"))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+", type=Path, help="calibration.json files of `qed judges calibrate` runs")
    args = ap.parse_args(argv)
    runs = []
    for path in args.runs:
        try:
            runs.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError) as e:
            print(f"{path}: not a calibration.json ({e})", file=sys.stderr)
            return 2
    cells = tally(runs)
    met = 0
    for t in TARGETS:
        n, fails, known = cells.get((t.judge, t.cell, t.source or ""), [0, 0, 0])
        # a flag on a confirmed erratum is a catch, not a rejection; on a planted item, not a detection
        n, fails = n - known, fails - known
        if not n:
            print(f"  not measured  {t.text()}")
            continue
        rate = fails / n
        ok = rate >= t.at_least if t.at_least is not None else rate <= t.at_most
        met += ok
        extra = "" if not known else f", {known} on confirmed errata" if t.cell == "none" else \
            f", {known} left out: flags only on the reference's confirmed errata"
        print(f"  {'met   ' if ok else 'MISSED'}  {t.text()}: {100 * rate:.1f} % ({fails}/{n}{extra})")
    print(f"{met} of {len(TARGETS)} targets met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
