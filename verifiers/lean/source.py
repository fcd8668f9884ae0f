"""The Lean file a check runs: imports, the theorem with its proof, and an axiom report after it.

Also the source-level screen run before Lean is started: a proof that says `sorry`, `admit`,
declares an `axiom`, trusts the compiler or runs its own meta-code is rejected without spending
a minute loading Mathlib. The screen is a first filter; `#print axioms` after the theorem is the
check that cannot be talked around, because it reads what the kernel accepted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qed.verifiers.lean.errors import LeanInputError

_MODULE = re.compile(r"[A-Za-z_][A-Za-z0-9_']*(?:\.[A-Za-z_][A-Za-z0-9_']*)*")
_HEADER = re.compile(
    r"^\s*(?:/--.*?-/\s*)?(?:@\[[^\]]*\]\s*)?(?:(?:private|protected|nonrec)\s+)*"
    r"(?P<kind>theorem|lemma)\s+(?P<name>[^\s(:{\[⦃]+)",
    re.DOTALL,
)
# Words a proof of a concrete statement never needs, with why each is refused.
_FORBIDDEN: dict[str, str] = {
    "sorry": "the proof uses `sorry`",
    "admit": "the proof uses `admit`",
    "sorryAx": "the proof uses `sorryAx`",
    "axiom": "the source declares an `axiom`",
    "axioms": "the source declares axioms",
    "native_decide": "`native_decide` trusts the compiler (Lean.ofReduceBool)",
    "ofReduceBool": "the proof trusts the compiler (Lean.ofReduceBool)",
    "implemented_by": "`implemented_by` swaps in unchecked code",
    "extern": "`extern` swaps in unchecked code",
    "unsafe": "the source uses `unsafe` code",
    "skipKernelTC": "the source turns off the kernel's type check",
    "run_tac": "the proof runs its own meta-code (`run_tac`)",
    "run_cmd": "the source runs its own meta-code (`run_cmd`)",
    "run_elab": "the source runs its own meta-code (`run_elab`)",
    "run_meta": "the source runs its own meta-code (`run_meta`)",
    "elab": "the source defines an elaborator",
    "macro": "the source defines a macro",
    "macro_rules": "the source defines macro rules",
    "syntax": "the source defines new syntax",
    "#eval": "the source evaluates code (`#eval`)",
    "#exit": "the source stops Lean early (`#exit`)",
    "#print": "the source prints its own reports (`#print`)",
}
_WORD = re.compile(r"#?[A-Za-z_][A-Za-z0-9_']*")


@dataclass(frozen=True)
class LeanSource:
    """A complete file to check, with where the theorem sits in it (1-based lines)."""

    text: str
    name: str
    imports: tuple[str, ...]
    theorem: str
    first_line: int
    last_line: int
    axioms_line: int


def theorem_name(statement: str) -> str:
    """The declared name in `theorem <name> ...` / `lemma <name> ...`."""
    found = _HEADER.match(statement)
    if found is None:
        head = statement.strip().splitlines()[0][:80] if statement.strip() else "(empty)"
        raise LeanInputError(
            f"a Lean theorem statement must start with `theorem <name>` or `lemma <name>`, got: {head}"
        )
    return found["name"]


def _checked_imports(imports: Sequence[str]) -> tuple[str, ...]:
    if isinstance(imports, str):
        raise LeanInputError(f"imports must be a list of module names, got the string {imports!r}")
    out = []
    for module in imports:
        if not isinstance(module, str) or not _MODULE.fullmatch(module):
            raise LeanInputError(f"not a Lean module name: {module!r} (expected e.g. 'Mathlib')")
        out.append(module)
    return tuple(out)


def build_source(statement: str, proof: str, imports: Sequence[str]) -> LeanSource:
    """Write `statement := proof` after the imports, then `#print axioms` for the theorem."""
    if not isinstance(statement, str) or not isinstance(proof, str):
        raise LeanInputError("the theorem statement and the proof must both be strings")
    modules = _checked_imports(imports)
    name = theorem_name(statement)
    head = statement.strip()
    head = head[:-2].rstrip() if head.endswith(":=") else head
    body = proof.strip()
    body = body[2:].lstrip() if body.startswith(":=") else body
    if not body:
        raise LeanInputError("the proof is empty")
    theorem = f"{head} := {body}"
    preamble = "".join(f"import {m}\n" for m in modules) + ("\n" if modules else "")
    first = preamble.count("\n") + 1
    last = first + theorem.count("\n")
    text = f"{preamble}{theorem}\n\n#print axioms {name}\n"
    return LeanSource(text, name, modules, theorem, first, last, last + 2)


def _strip_comments_and_strings(code: str) -> str:
    """Blank out comments (nested /- -/ and --) and string literals, keeping line structure."""
    out: list[str] = []
    i, depth, n = 0, 0, len(code)
    while i < n:
        two = code[i : i + 2]
        if depth:
            if two == "/-":
                depth, i = depth + 1, i + 2
            elif two == "-/":
                depth, i = depth - 1, i + 2
            else:
                out.append("\n" if code[i] == "\n" else " ")
                i += 1
        elif two == "/-":
            depth, i = 1, i + 2
        elif two == "--":
            while i < n and code[i] != "\n":
                i += 1
        elif code[i] == '"':
            i += 1
            while i < n and code[i] != '"':
                i += 2 if code[i] == "\\" else 1
            i += 1
            out.append('""')
        else:
            out.append(code[i])
            i += 1
    return "".join(out)


def forbidden_constructs(code: str) -> list[str]:
    """Why this source cannot count as a checked proof, one reason per offending word."""
    reasons: list[str] = []
    for word in _WORD.findall(_strip_comments_and_strings(code)):
        reason = _FORBIDDEN.get(word)
        if reason and reason not in reasons:
            reasons.append(reason)
    return reasons
