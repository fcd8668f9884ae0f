"""A problem's proof files in a run folder, and the `proof` entry results.jsonl keeps for it.

    <run>/problems/<id>/proof.md          the proof a person reads (Markdown + LaTeX)
    <run>/problems/<id>/proof.tex         the same document as a LaTeX file
    <run>/problems/<id>/certificate.json  qed-certificate/1; `qed check` re-verifies it alone
    <run>/problems/<id>/proof.lean        the claim in Lean 4 with nlinarith hints (proved claims)
    <run>/problems/<id>/proof.computed.md the computed text, when a model rewrite replaced proof.md

A certificate is written only when the independent checker accepted it; the proof files only
when the proof passed the numeric judges.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from qed.verifiers.proofs.pipeline import ComputedProof

PROBLEMS = "problems"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def folder_name(problem_id: str) -> str:
    """A file-system-safe folder name for a problem id (distinct ids stay distinct)."""
    safe = _UNSAFE.sub("_", problem_id).strip("._")[:80] or "problem"
    if safe != problem_id:
        safe += "-" + hashlib.sha256(problem_id.encode("utf-8")).hexdigest()[:8]
    return safe


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file, so a kill never leaves half a file for a reader."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def write_proof_files(run_path: str | Path, problem_id: str, proof: ComputedProof | None) -> dict[str, Any] | None:
    """Write what there is and return results.jsonl's `proof` entry (None: nothing was tried)."""
    if not proof:
        return None
    folder = Path(run_path) / PROBLEMS / folder_name(problem_id)
    rel = f"{PROBLEMS}/{folder.name}"
    entry: dict[str, Any] = {"status": proof["status"], "method": proof["method"], "verified": proof["verified"],
                             "judged": bool(proof["emitted"]), "path": None, "certificate": None, "lean": None,
                             "rewrite": (proof.get("rewrite") or {}).get("accepted"), "reason": proof["reason"]}
    if not (proof["verified"] and proof["certificate"]):
        return entry
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / "certificate.json", json.dumps(proof["certificate"], indent=1, ensure_ascii=False) + "\n")
    entry["certificate"] = f"{rel}/certificate.json"
    if not proof["emitted"] or not proof["markdown"]:
        return entry
    write_atomic(folder / "proof.md", proof["markdown"])
    entry["path"] = f"{rel}/proof.md"
    if proof["computed_markdown"]:
        write_atomic(folder / "proof.computed.md", proof["computed_markdown"])
    if proof["tex"]:
        write_atomic(folder / "proof.tex", proof["tex"])
    lean = proof["lean"]
    if lean and lean["text"]:
        write_atomic(folder / "proof.lean", lean["text"])
        entry["lean"] = lean["status"]
    return entry
