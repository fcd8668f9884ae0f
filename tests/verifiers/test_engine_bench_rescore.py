"""The answers bench re-scores a finished run from its JSON file, without running the engine again."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("ineqmath_answers", ROOT / "bench" / "ineqmath_answers.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)

DATA = [{"data_id": 1, "type": "bound", "problem": "…", "answer": "$$C = 2$$"},
        {"data_id": 2, "type": "relation", "problem": "…", "answer": "(B) $\\geq$"}]


def row(ident: str, kind: str, formatted: str | None) -> dict:
    return {"id": ident, "type": kind, "gold": "stale", "status": "answered" if formatted else "abstained",
            "answer": formatted, "formatted": formatted, "certified": False, "correct": None, "parsed": True,
            "formalized_by": "parser", "reason": None if formatted else "no reason", "summary": None,
            "seconds": 1.0, "evidence": {}}


def test_a_saved_run_is_scored_against_the_references_now(tmp_path, capsys):
    data, results = tmp_path / "data.json", tmp_path / "run.json"
    data.write_text(json.dumps(DATA))
    results.write_text(json.dumps([row("1", "bound", "$$C = 2$$"), row("2", "relation", "(A) $\\leq$")]))
    assert bench.main(["--data", str(data), "--rescore", str(results), "--errata", str(tmp_path / "none.toml")]) == 0
    out = capsys.readouterr().out
    all_line = next(line for line in out.splitlines() if line.startswith("all"))
    assert all_line.split()[1:5] == ["2", "2", "2", "1"]  # n, parsed, answered, correct
    assert "wrong answers (1)" in out


def test_a_file_that_is_not_a_run_is_a_usage_error(tmp_path, capsys):
    data, results = tmp_path / "data.json", tmp_path / "run.json"
    data.write_text(json.dumps(DATA))
    results.write_text(json.dumps([{"id": "9"}]))
    assert bench.main(["--data", str(data), "--rescore", str(results)]) == 2
    assert "not a results file" in capsys.readouterr().err
