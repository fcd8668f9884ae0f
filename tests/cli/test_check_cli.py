"""`qed check CERT.json` as a user runs it: exit 0 valid, 1 invalid with the step, 2 unreadable in one line."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from tests.cli.cli_helpers import qed

VALID = {
    "format": "qed-certificate/1",
    "claim": {"variables": ["a", "b"], "facts": [{"expr": "a", "op": ">"}, {"expr": "b", "op": ">"}],
              "lhs": "a/b + b/a", "rhs": "2", "relation": ">="},
    "verdict": "holds",
    "proof": {
        "step": "multiply",
        "factors": [{"factor": "a*b", "proof": {"step": "sos", "terms": [{"c": "1", "m": [0, 1]}], "strict": {"term": 0}}}],
        "goal": "a^2 - 2*a*b + b^2",
        "then": {"step": "sos", "terms": [{"c": "1", "s": "a - b"}]},
    },
}


def write(tmp_path: Path, data, name: str = "cert.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_a_valid_certificate_prints_its_steps_and_exits_0(tmp_path: Path) -> None:
    write(tmp_path, VALID)
    r = qed(tmp_path, "check", "cert.json")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[-1] == "valid"
    assert any("D = product of 1 factor" in line for line in lines)
    assert any(line.startswith("conclusion: lhs ≥ rhs") for line in lines)


def test_a_wrong_coefficient_exits_1_and_names_the_step(tmp_path: Path) -> None:
    bad = copy.deepcopy(VALID)
    bad["proof"]["then"]["terms"][0]["c"] = "3/2"
    write(tmp_path, bad)
    r = qed(tmp_path, "check", "cert.json")
    assert r.returncode == 1
    assert r.stdout.strip().splitlines()[-1].startswith("invalid: proof/multiply.then/sos.identity: the identity fails")


def test_a_factor_without_a_positivity_reason_exits_1(tmp_path: Path) -> None:
    bad = copy.deepcopy(VALID)
    bad["claim"]["facts"][1]["op"] = ">="  # b >= 0 does not make a*b > 0
    write(tmp_path, bad)
    r = qed(tmp_path, "check", "cert.json")
    assert r.returncode == 1
    assert "invalid: proof/multiply.factors[0]/sos.strict" in r.stdout


def test_unreadable_input_exits_2_with_one_line(tmp_path: Path) -> None:
    cases = {
        "missing.json": None,
        "broken.json": '{"format": "qed-certificate/1", ',
        "nested.json": "[" * 100_000 + "]" * 100_000,
        "list.json": "[1, 2, 3]",
        "other.json": json.dumps({"format": "something-else/2"}),
        "binary.json": "\udcff",
    }
    for name, content in cases.items():
        if content is not None:
            path = tmp_path / name
            if name == "binary.json":
                path.write_bytes(b"\xff\xfe\x00garbage")
            else:
                path.write_text(content)
        r = qed(tmp_path, "check", name)
        assert r.returncode == 2, (name, r.stdout, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("error: "), (name, r.stderr)
        assert "Traceback" not in r.stderr + r.stdout


def test_hostile_expressions_are_invalid_not_crashes(tmp_path: Path) -> None:
    bad = copy.deepcopy(VALID)
    marker = tmp_path / "pwned"
    bad["claim"]["lhs"] = f"__import__('os').system('touch {marker}')"
    write(tmp_path, bad)
    r = qed(tmp_path, "check", "cert.json")
    assert r.returncode == 1 and not marker.exists()
    assert "invalid: claim.lhs: cannot read" in r.stdout
