r"""The proof as it stands, taken away: Markdown `qed grade` reads, LaTeX, or Lean 4.

Each certified step of the session (a lemma by /claim or /prove, the problem by /prove) is written
by the computed-proof pipeline `qed solve` uses (verifiers/proofs/write.py: re-checked, explained,
gated by the numeric judges, rendered to Markdown, LaTeX and Lean), so a session export and a
`qed solve` proof file read the same. What the session adds is kept: the person's (or the
generator's) proof text comes first, and beside the file go each certificate
(`<stem>.cert-<n>.json`, re-checkable with `qed check`) and the evidence (`<stem>.evidence.json`:
every step's verdict and what backs it). The Markdown is the problem and its proof only
(`**Proof.**` opening, the computed proofs of the lemmas after the person's text), so the judges
grade the proof and nothing else. No Lean toolchain is on this project's machines: the Lean file
says whether it was checked.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMATS = ("md", "tex", "lean")
PROBLEM_INPUT = "the problem"  # what /prove records as its input when it proved the problem itself


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


@dataclass
class Computed:
    """One certified step's proof, as verifiers/proofs wrote it."""

    n: int
    what: str  # the claim's LaTeX, or PROBLEM_INPUT
    of_problem: bool
    written: Any  # verifiers.proofs.write.WrittenProof


def computed_proofs(state: dict[str, Any], *, check_lean: bool = False) -> list[Computed]:
    """Every certified step whose proof the pipeline emits (re-verified, explained, judged)."""
    from qed.problems.record import Problem
    from qed.verifiers.proofs.write import write_proof

    problem = Problem.from_dict(dict(state["problem"]))
    out = []
    for e in state.get("entries") or []:
        cert = (e.get("evidence") or {}).get("certificate")
        if e["verdict"] != "certified" or not isinstance(cert, dict) or cert.get("verdict") != "holds":
            continue
        of_problem = e["command"] == "prove" and e["input"] == PROBLEM_INPUT
        w = write_proof(cert, problem if of_problem else None, check_lean_file=check_lean)
        if w.emitted:
            out.append(Computed(e["n"], e["input"], of_problem, w))
    return out


def cert_file(stem: str, n: int) -> str:
    return f"{stem}.cert-{n}.json"


def _named(text: str, stem: str, n: int) -> str:
    """The pipeline's text names the certificate `certificate.json` (a solve run's file); here it is
    the file written beside the export."""
    return text.replace("certificate.json", cert_file(stem, n))


def _body(c: Computed, stem: str, demote: int = 0) -> str:
    """A computed proof without its `# title` line (the export gives each its own heading)."""
    body = _named(re.sub(r"\A# [^\n]*\n+", "", c.written.markdown).strip(), stem, c.n)
    return re.sub(r"^(#+) ", lambda m: "#" * min(6, len(m.group(1)) + demote) + " ", body, flags=re.M) if demote else body


def _heading(c: Computed) -> str:
    return f"the problem (step {c.n})" if c.of_problem else f"step {c.n}: ${c.what.strip()}$"


def _split(state: dict[str, Any], done: list[Computed]) -> tuple[str | None, Computed | None, list[Computed]]:
    """The proof text (the person's or the generator's), else the problem's computed proof as the
    proof; and the computed proofs that follow it."""
    proof = (state.get("proof_text") or "").strip()
    if proof:
        return proof, None, done
    of_problem = [c for c in done if c.of_problem]
    if not of_problem:
        raise ExportError("there is no proof to export yet (say something, /proof TEXT, /prove or /step)")
    return None, of_problem[-1], [c for c in done if c is not of_problem[-1]]


def _markdown(state: dict[str, Any], proof: str | None, main: Computed | None, rest: list[Computed], stem: str) -> str:
    p = state["problem"]
    parts = [f"id: {p['id']}", p["statement"].strip(), f"**Proof.** {proof}" if proof else "**Proof.**"]
    if main is not None:
        parts.append(_body(main, stem))
    for c in rest:
        parts += [f"### Computed proof of {_heading(c)}", _body(c, stem, demote=2)]
    return "\n\n".join(parts) + "\n"


def _tex_body(tex: str) -> str:
    m = re.search(r"\\begin\{document\}(.*?)\\end\{document\}", tex, re.S)
    return (m.group(1) if m else tex).strip()


def _computed_tex(c: Computed, stem: str) -> str:
    from qed.verifiers.proofs.render_tex import escape

    return _tex_body(c.written.tex).replace("certificate.json", escape(cert_file(stem, c.n)))


def _tex(state: dict[str, Any], proof: str | None, main: Computed | None, rest: list[Computed],
         certs: list[tuple[int, str, dict]], stem: str) -> str:
    from qed.verifiers.proofs.render_tex import escape

    p = state["problem"]
    lines = [r"\documentclass[11pt]{article}", r"\usepackage[utf8]{inputenc}", r"\usepackage{amsmath,amssymb,amsthm}",
             r"\usepackage[margin=2.5cm]{geometry}", r"\allowdisplaybreaks", r"\begin{document}",
             rf"\section*{{Problem {escape(p['id'])}}}", p["statement"].strip()]
    lines += [r"\begin{proof}", proof, r"\end{proof}"] if proof else [_computed_tex(main, stem)]
    for c in rest:  # the computed document's own title gives way to the step it proves
        title = rf"\section*{{Computed proof of {'the problem' if c.of_problem else f'step {c.n}'}}}"
        lines.append(re.sub(r"\A\\section\*\{[^}]*\}", lambda _m, t=title: t, _computed_tex(c, stem)))
    lines += [r"\section*{Evidence}", r"\begin{itemize}"]
    for item in evidence(state):
        lines.append(rf"\item Step {item['step']} (\texttt{{/{item['command']}}}): {escape(str(item['verdict']))}. "
                     + escape(item["summary"]))
    lines.append(r"\end{itemize}")
    if certs:
        files = ", ".join(rf"\texttt{{{escape(cert_file(stem, n))}}}" for n, _w, _c in certs)
        lines.append(rf"The certificates are in {files}; \texttt{{qed check}} re-verifies each with sympy alone.")
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"


def _lean_problem_statement(state: dict[str, Any]) -> str | None:
    """The problem as a theorem with a first tactic to try, when no certificate proves it."""
    from qed.verifiers.certificates.statement import StatementError, read_prove_statement
    from qed.verifiers.lean.errors import LeanRenderError
    from qed.verifiers.lean.render import render_lean_theorem
    from qed.verifiers.lean.tactics import default_proofs

    try:
        ps = read_prove_statement(state["problem"]["statement"])
        theorem = render_lean_theorem(ps.formal, relation=ps.relation)
    except (StatementError, LeanRenderError):
        return None
    return f"{theorem.statement} :=\n  {default_proofs(theorem)[-1]}\n"


def _lean(state: dict[str, Any], proof: str | None, done: list[Computed], stem: str) -> str:
    proved = [c for c in done if c.written.lean is not None and c.written.lean.text]
    blocks = []
    for c in proved:
        lf = c.written.lean
        name = "qed_problem" if c.of_problem else f"qed_step_{c.n}"
        status = f"Lean check: {lf.status}" + (f" ({lf.reason})" if lf.reason else "")
        text = lf.text.split("\n", 2)[2] if lf.text.startswith("import Mathlib\n\n") else lf.text
        text = text.replace("theorem qed_claim", f"theorem {name}", 1)
        blocks.append(f"-- {_heading(c).replace('$', '')}; {status}\n{_named(text, stem, c.n)}")
    if not any(c.of_problem for c in proved):
        stated = _lean_problem_statement(state)
        if stated is None and not proved:
            raise ExportError("cannot state this problem in Lean, and no certified step gives a theorem")
        if stated is not None:
            blocks.append("-- the problem, with a first tactic to try (no certificate proves it in this session)\n"
                          + stated)
    checked = proved and all(c.written.lean.status == "proved" for c in proved) and any(c.of_problem for c in proved)
    head = ("Exported from a QED session. Every theorem here was checked with Lean." if checked else
            "Exported from a QED session. NOT CHECKED as a whole: each theorem says what Lean said of it; where no\n"
            "   Lean toolchain was available, run `lake env lean` on this file where Mathlib is installed.")
    comment = "\n".join(f"  {line}" for line in (proof or "(the computed proof of the problem, below)").splitlines())
    return f"import Mathlib\n\n/- {head}\n   The session's proof, for reference:\n{comment}\n-/\n\n" + "\n".join(blocks)


def export(state: dict[str, Any], fmt: str, path: Path) -> list[Path]:
    """Write the export and its certificate and evidence files; the paths written."""
    if fmt not in FORMATS:
        raise ExportError(f"/export takes {', '.join(FORMATS)}, not {fmt!r}")
    certs = certificates(state)
    done = computed_proofs(state, check_lean=fmt == "lean")
    proof, main, rest = _split(state, done)
    text = {"md": lambda: _markdown(state, proof, main, rest, path.stem),
            "tex": lambda: _tex(state, proof, main, rest, certs, path.stem),
            "lean": lambda: _lean(state, proof, done, path.stem)}[fmt]()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    written = [path]
    for n, _what, cert in certs:
        cp = path.with_name(cert_file(path.stem, n))
        cp.write_text(json.dumps(cert, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(cp)
    ep = path.with_name(f"{path.stem}.evidence.json")
    ep.write_text(json.dumps(evidence(state), indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    written.append(ep)
    return written
