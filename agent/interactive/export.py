r"""The proof as it stands, taken away: Markdown `qed grade` reads, LaTeX, or a Lean 4 statement.

Every export writes, beside the file, each certificate of the session (`<stem>.cert-<n>.json`,
re-checkable with `qed check`) and the evidence (`<stem>.evidence.json`: every step's verdict and
what backs it). The Markdown is the problem and its proof only (`**Proof.**` opening), so the
judges grade the proof and nothing else. The Lean file states the problem as a theorem
(verifiers/lean/render.py) with a first tactic to try; no Lean toolchain is on this project's
machines, so the file says it is unchecked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FORMATS = ("md", "tex", "lean")


class ExportError(ValueError):
    """Nothing to export, or the format cannot say it (one line)."""


def certificates(state: dict[str, Any]) -> list[tuple[int, str, dict[str, Any]]]:
    """(step, what it certifies or refutes, certificate) for every step that produced one."""
    out = []
    for e in state.get("entries") or []:
        cert = (e.get("evidence") or {}).get("certificate")
        if isinstance(cert, dict) and cert.get("format"):
            out.append((e["n"], e["input"] or state["problem"]["statement"], cert))
    return out


def evidence(state: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"step": e["n"], "command": e["command"], "input": e["input"], "verdict": e["verdict"],
             "summary": (e["output"] or "").splitlines()[0] if e["output"] else "", "evidence": e["evidence"]}
            for e in state.get("entries") or [] if e["verdict"] is not None]


def _markdown(state: dict[str, Any], proof: str) -> str:
    p = state["problem"]
    return f"id: {p['id']}\n\n{p['statement'].strip()}\n\n**Proof.** {proof.strip()}\n"


def _tex(state: dict[str, Any], proof: str, certs: list[tuple[int, str, dict]]) -> str:
    p = state["problem"]
    lines = [r"\documentclass{article}", r"\usepackage{amsmath,amssymb,amsthm}", r"\begin{document}",
             rf"\section*{{Problem {p['id']}}}", p["statement"].strip(), r"\begin{proof}", proof.strip(),
             r"\end{proof}", r"\section*{Evidence}", r"\begin{itemize}"]
    for item in evidence(state):
        lines.append(rf"\item Step {item['step']} (\texttt{{/{item['command']}}}): {item['verdict']}. "
                     + item["summary"].replace("_", r"\_").replace("#", r"\#").replace("%", r"\%"))
    lines.append(r"\end{itemize}")
    for n, what, cert in certs:
        lines += [rf"\subsection*{{Certificate of step {n}}}", r"\begin{verbatim}", f"% {what[:200]}",
                  json.dumps(cert, indent=1, ensure_ascii=False), r"\end{verbatim}"]
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"


def _lean(state: dict[str, Any], proof: str) -> str:
    from qed.verifiers.certificates.statement import StatementError, read_prove_statement
    from qed.verifiers.lean.errors import LeanRenderError
    from qed.verifiers.lean.render import render_lean_theorem
    from qed.verifiers.lean.tactics import default_proofs

    statement = state["problem"]["statement"]
    try:
        ps = read_prove_statement(statement)
        theorem = render_lean_theorem(ps.formal, relation=ps.relation)
    except (StatementError, LeanRenderError) as e:
        raise ExportError(f"cannot state this problem in Lean: {e}") from None
    comment = "\n".join(f"  {line}" for line in proof.strip().splitlines())
    return ("import Mathlib\n\n"
            "/- Exported from a QED session. NOT CHECKED: no Lean toolchain was available; run `lake env lean`\n"
            "   on this file where Mathlib is installed. The session's proof, for reference:\n"
            f"{comment}\n-/\n"
            f"{theorem.statement} :=\n  {default_proofs(theorem)[-1]}\n")


def export(state: dict[str, Any], fmt: str, path: Path) -> list[Path]:
    """Write the export and its certificate and evidence files; the paths written."""
    if fmt not in FORMATS:
        raise ExportError(f"/export takes {', '.join(FORMATS)}, not {fmt!r}")
    proof = state.get("proof_text")
    certs = certificates(state)
    if not proof:
        raise ExportError("there is no proof to export yet (say something, /proof TEXT, or /step)")
    text = {"md": lambda: _markdown(state, proof), "tex": lambda: _tex(state, proof, certs),
            "lean": lambda: _lean(state, proof)}[fmt]()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    written = [path]
    for n, _what, cert in certs:
        cp = path.with_name(f"{path.stem}.cert-{n}.json")
        cp.write_text(json.dumps(cert, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(cp)
    ep = path.with_name(f"{path.stem}.evidence.json")
    ep.write_text(json.dumps(evidence(state), indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    written.append(ep)
    return written
