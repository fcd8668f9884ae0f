"""The model judges and the DSM verifier end to end on a real llama.cpp server (the 98 MB test model).

The test model's judgements are junk; what is checked is the path: prompts reach a real server,
replies are parsed into verdicts (or honestly into no verdict), calls are logged, the report is written.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from qed.models.catalog import TEST_MODEL

from tests.cli.cli_helpers import qed, run_dirs


def test_model_judges_through_a_real_local_server(tmp_path: Path, test_model_path: Path) -> None:
    (tmp_path / "pairs.jsonl").write_text(json.dumps({
        "problem": "Let $a, b > 0$. Prove that $a^2 + b^2 \\geq 2ab$.",
        "proof": "Since $(a-b)^2 \\geq 0$, we get $a^2 - 2ab + b^2 \\geq 0$, so $a^2 + b^2 \\geq 2ab$.",
    }) + "\n")
    r = qed(tmp_path, "grade", "pairs.jsonl", "--judges", "model", "--model", f"local:{TEST_MODEL}",
            "--max-tokens", "48", "--samples", "2", timeout=600)
    assert r.returncode == 0, r.stderr
    [run] = run_dirs(tmp_path)
    data = json.loads((run / "grade.json").read_text())
    [result] = data["results"]
    assert set(result["judges"]) == {"toy_case_model", "logical_gap", "dsm_verifier"}
    for verdict in result["judges"].values():
        assert verdict["verdict"] in {"pass", "fail", "no_verdict"}
    assert result["overall"] in {"pass", "fail", "no_verdict"}
    assert (run / "report.md").read_text().strip()
    with sqlite3.connect(run / "calls.sqlite") as db:
        roles = {row[0] for row in db.execute("select role from calls where error is null")}
    assert {"judge", "verifier"} <= roles
