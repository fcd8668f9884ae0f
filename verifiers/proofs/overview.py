r"""The model's visible share of a computed proof: a short overview "in words" above it.

A small local model cannot be trusted to rewrite a checked proof, but it can say in two or three
sentences what the proof does, which is what a reader wants first. Words cannot be checked, so the
overview is held to what can be: every formula it shows must be one the proof shows (a relation
the proof states, read by the judges' LaTeX reader, or an expression the proof writes), every number
it writes must occur in the proof, and it may name no theorem (AM-GM, Cauchy-Schwarz, ...) that the
proof does not name. Anything else, and the overview is refused with the reason and the computed
proof stands alone. An accepted overview is labelled as the model's writing; the proof below it is
what was checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from qed.models.base import CallOptions, ChatModel, Message
from qed.models.prompt_files import PromptFiles
from qed.problems.record import Problem
from qed.verifiers.judges.extract import find_math, relations_in
from qed.verifiers.proofs.render_tex import escape
from qed.verifiers.proofs.rewrite import SPACING, missing_formulas

PROMPTS = PromptFiles(Path(__file__).parent / "prompts")
MAX_CHARS = 700  # two or three sentences; a longer reply is not an overview
MIN_CHARS = 40
OUTLINE_CHARS = 1200  # what the model reads of the proof: its headings and formulas, not every word
TITLE = "In words"

# Theorem names a reader takes as a claim about the argument; each alias is matched as a word.
THEOREMS: dict[str, tuple[str, ...]] = {
    "AM-GM": ("am-gm", "am–gm", "amgm", "am gm", "arithmetic mean", "geometric mean"),
    "Cauchy-Schwarz": ("cauchy", "schwarz", "engel", "titu"),
    "Schur": ("schur",),
    "Jensen": ("jensen", "convex", "concave", "convexity", "concavity"),
    "Muirhead": ("muirhead", "majoriz"),
    "Hölder": ("hölder", "holder"),
    "Chebyshev": ("chebyshev", "chebyshëv", "tchebychev"),
    "rearrangement": ("rearrangement",),
    "Bernoulli": ("bernoulli",),
    "Young": ("young",),
    "Minkowski": ("minkowski",),
    "Karamata": ("karamata",),
    "Lagrange multipliers": ("lagrange", "multiplier"),
    "induction": ("induction", "inductive"),
    "power mean": ("power mean", "power-mean", "qm-am", "rms"),
    "tangent line": ("tangent line", "tangent-line"),
    "calculus": ("derivative", "differentiat", "monoton"),
    "trigonometry": ("sine rule", "law of sines", "cosine rule", "law of cosines"),
    "Nesbitt": ("nesbitt",),
    "Ravi": ("ravi",),
}
_NUMBER = re.compile(r"(?<![A-Za-z_\\])\d+(?:\.\d+)?")
_UNSAFE = re.compile(r"```|\$\$|\\\[|\\\(|\\begin|<\s*/?\s*[A-Za-z]|\]\(|^\s*#", re.M)
_LABEL = re.compile(r"^\s*(?:\*\*)?\s*(?:idea|overview|in words|summary|sketch)\s*[.:]?\s*(?:\*\*)?\s*[:.—-]?\s*", re.I)
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


@dataclass
class OverviewOutcome:
    accepted: bool
    text: str | None  # the overview when accepted
    reason: str
    tokens: int = 0

    def describe(self) -> dict:
        return {"style": "overview", "accepted": self.accepted, "reason": self.reason, "tokens": self.tokens,
                "text": self.text}


def _alias_in(alias: str, text: str) -> bool:
    return re.search(r"(?<![a-z])" + re.escape(alias), text) is not None


def theorems_named(text: str) -> set[str]:
    low = text.lower()
    return {name for name, aliases in THEOREMS.items() if any(_alias_in(a, low) for a in aliases)}


def proof_outline(markdown: str, limit: int = OUTLINE_CHARS) -> str:
    """The proof's headings, step titles, formulas and answer line: what an overview can draw on."""
    out: list[str] = []
    in_display = False
    for line in markdown.splitlines():
        s = line.strip()
        if s.startswith("## Certificate"):
            break
        if s == "$$":
            in_display = not in_display
            out.append(s)
            continue
        if in_display or s.startswith("#") or s.startswith("**Answer"):
            out.append(s)
        elif s.startswith("**Step"):
            out.append(s.split(".**", 1)[0] + ".**")
        elif s.startswith(("Then", "Take ", "We show")):
            out.append(s)
    text = "\n".join(out)
    return text if len(text) <= limit else text[:limit].rsplit("\n", 1)[0] + "\n…"


def _normal(math: str) -> str:
    return SPACING.sub("", math)


def _clean(reply: str, truncated: bool) -> str:
    text = re.sub(r"^\s*```(?:markdown|md)?\s*\n|\n```\s*$", "", reply.strip())
    text = " ".join(part.strip() for part in text.splitlines() if part.strip())
    text = _LABEL.sub("", text, count=1).strip()
    if truncated:  # keep the whole sentences of a reply cut off at its token limit
        ends = list(_SENTENCE_END.finditer(text))
        text = text[:ends[-1].end()] if ends else ""
    return text


def check_overview(text: str, proof: str) -> str | None:
    """Why the overview cannot stand above this proof, or None when it keeps to the proof's own
    formulas, numbers and theorem names."""
    if len(text) < MIN_CHARS:
        return "the overview is empty or too short"
    if len(text) > MAX_CHARS:
        return f"the overview is longer than {MAX_CHARS} characters"
    if _UNSAFE.search(text):
        return "the overview has display math, code, markup or links; it must be plain sentences"
    if len(re.findall(r"(?<!\\)\$", text)) % 2:
        return "the overview has an unclosed $"
    segments = find_math(text)
    commands = set(re.findall(r"\\[A-Za-z]+", proof))
    for seg in segments:
        new = set(re.findall(r"\\[A-Za-z]+", seg.content)) - commands
        if new:
            return f"the overview uses LaTeX the proof does not: {sorted(new)[0]}"
    proof_math = {_normal(seg.content) for seg in find_math(proof)}
    proof_all = _normal(proof)
    lost = missing_formulas(text, proof, display_only=False)
    if lost:
        return f"the overview shows a relation the proof does not: {lost[0]}"
    with_relations = {r.segment.start for r in relations_in(text, segments)}
    for seg in segments:
        form = _normal(seg.content)
        if seg.start not in with_relations and form not in proof_all and form not in proof_math:
            return f"the overview shows a formula the proof does not: ${seg.content.strip()[:80]}$"
    words = text
    for seg in reversed(segments):
        words = words[:seg.outer[0]] + " " + words[seg.outer[1]:]
    proof_numbers = set(_NUMBER.findall(proof))
    for number in _NUMBER.findall(words):
        if number not in proof_numbers:
            return f"the overview writes the number {number}, which the proof does not"
    foreign = sorted(theorems_named(text) - theorems_named(proof))
    if foreign:
        return f"the overview names {', '.join(foreign)}, which the proof does not use"
    return None


def write_overview(model: ChatModel, proof: str, problem: Problem | None, max_tokens: int = 110,
                   on_token=None) -> OverviewOutcome:  # noqa: ANN001 - a token callback
    """Ask the model for the overview, then hold it to the proof (check_overview)."""
    statement = problem.statement if problem is not None else ""
    messages = [Message("system", PROMPTS.render("overview_system")),
                Message("user", PROMPTS.render("overview_user", statement=statement, outline=proof_outline(proof)))]
    completion = model.chat(messages, CallOptions(max_tokens=max_tokens, temperature=0.0), on_token=on_token)
    tokens = completion.usage.total
    text = _clean(completion.text, completion.truncated)
    refusal = check_overview(text, proof)
    if refusal:
        return OverviewOutcome(False, None, refusal, tokens)
    return OverviewOutcome(True, text, "every formula, number and theorem name it uses is the proof's own", tokens)


def _label(author: str) -> str:
    return (f"written by {author} from the proof below; checked only that every formula, number and "
            "theorem name it uses is the proof's own. Its words are not checked; the proof is.")


def with_overview_markdown(markdown: str, text: str, author: str) -> str:
    """The proof with the overview as a labelled block under its title."""
    block = f"> **{TITLE}** ({_label(author)})\n>\n> {text}\n"
    head, sep, rest = markdown.partition("\n")
    if head.startswith("# "):
        return f"{head}\n\n{block}{sep}{rest}" if rest.startswith("\n") else f"{head}\n\n{block}\n{rest}"
    return f"{block}\n{markdown}"


def _tex_inline(text: str) -> str:
    """Escaped words, formulas as written (each is one the proof itself shows)."""
    parts = re.split(r"((?<!\\)\$[^$]*(?<!\\)\$)", text)
    return "".join(p if p.startswith("$") and p.endswith("$") and len(p) > 1 else escape(p) for p in parts)


def with_overview_tex(tex: str, text: str, author: str) -> str:
    """The .tex with the same labelled paragraph after its first section title."""
    para = (f"\\paragraph*{{{TITLE}}} {{\\small ({escape(_label(author))})}}\n\n"
            f"\\begin{{quote}}\n{_tex_inline(text)}\n\\end{{quote}}\n")
    m = re.search(r"\\section\*\{[^\n]*\}\n", tex)
    if m is None:
        return tex
    return tex[:m.end()] + "\n" + para + tex[m.end():]
