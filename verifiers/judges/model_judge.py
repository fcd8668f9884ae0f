"""What the model-backed step judges share: numbered proof windows, the call, and reading replies.

A small model's reply is often junk: no verdict line, a verdict cut off by the token budget, a
quote that is not in the proof. The reader accepts the requested four-line format, a JSON object
or loose `verdict: yes/no` wording, and anything else is no verdict, never a pass.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from qed.models.base import CallOptions, ChatModel, Message, ModelError
from qed.problems.record import Problem
from qed.verifiers.judges.extract import Step, split_steps
from qed.verifiers.judges.prompts import render
from qed.verifiers.judges.verdict import Coverage, Finding, JudgeVerdict

DEFAULT_MAX_TOKENS = 200
DEFAULT_WINDOW_CHARS = 5000  # proof text per call (fits a 4096-token context); longer proofs go window by window
# The DSM verifier reads the whole proof; beyond this it is cut, and says so. 6000 characters of LaTeX
# fit the embedded model's 4096-token context with the prompt and the reply.
DEFAULT_PROOF_CHARS = 6000


@dataclass
class ModelJudgeOptions:
    max_tokens: int = DEFAULT_MAX_TOKENS
    window_chars: int = DEFAULT_WINDOW_CHARS
    temperature: float = 0.0
    timeout_s: float = 600.0
    extra: dict[str, Any] = field(default_factory=dict)

    def call_options(self, max_tokens: int | None = None, temperature: float | None = None) -> CallOptions:
        return CallOptions(max_tokens=max_tokens or self.max_tokens,
                           temperature=self.temperature if temperature is None else temperature,
                           timeout_s=self.timeout_s)


@dataclass
class StepReply:
    verdict: str | None  # "fail", "pass" or None (unreadable)
    step: int | None  # 1-based number as the model wrote it
    quote: str
    reason: str


def problem_text(problem: Problem | str | None) -> str:
    if problem is None:
        return "(no statement was given; judge the proof on its own terms)"
    return problem.statement if isinstance(problem, Problem) else str(problem)


def windows(steps: list[Step], max_chars: int) -> list[list[Step]]:
    """Consecutive steps in groups of at most `max_chars` (a longer single step is cut)."""
    out: list[list[Step]] = [[]]
    size = 0
    for s in steps:
        if out[-1] and size + len(s.text) > max_chars:
            out.append([])
            size = 0
        out[-1].append(s)
        size += len(s.text)
    return [w for w in out if w]


def numbered(steps: list[Step], max_chars: int | None = None) -> str:
    lines = []
    for s in steps:
        body = s.text if max_chars is None or len(s.text) <= max_chars else s.text[:max_chars] + " [... cut ...]"
        lines.append(f"[{s.index + 1}] {body}")
    return "\n\n".join(lines)


_PARROTED = re.compile(r"FLAW\s+or\s+(VERDICT:\s*)?NO\s+FLAW|<the number of|<one sentence>", re.I)
_VERDICT_LINE = re.compile(r"verdict\s*[:=\-]\s*\**\s*([A-Za-z _-]+)", re.I)
_FIELD = {
    "step": re.compile(r"^\W*step\s*[:=\-]\s*(.+)$", re.I | re.M),
    "quote": re.compile(r"^\W*quote\s*[:=\-]\s*(.+)$", re.I | re.M),
    "reason": re.compile(r"^\W*reason\s*[:=\-]\s*(.+)$", re.I | re.M),
}


def _verdict_word(word: str) -> str | None:
    w = word.strip().lower().replace("_", " ").replace("-", " ")
    if re.match(r"(no flaw|no|none|pass|correct|ok|valid|sound|accept|no error|not found)\b", w):
        return "pass"
    if re.match(r"(flaw|yes|fail|incorrect|invalid|error|reject|gap|toy case|found)\b", w):
        return "fail"
    return None


def parse_step_reply(text: str) -> StepReply:
    """The verdict, step, quote and reason of a judge's reply; verdict None when unreadable."""
    if _PARROTED.search(text):
        return StepReply(None, None, "", "the reply repeats the answer template instead of answering")
    obj = _json_object(text)
    if obj is not None:
        raw = str(obj.get("verdict", obj.get("flaw", "")))
        verdict = _verdict_word(raw) if raw not in ("True", "False") else ("fail" if raw == "True" else "pass")
        if verdict is not None:
            return StepReply(verdict, _step_number(str(obj.get("step", ""))), str(obj.get("quote", "") or ""),
                             str(obj.get("reason", "") or ""))
    matches = _VERDICT_LINE.findall(text)
    verdict = None
    for m in reversed(matches):
        verdict = _verdict_word(m)
        if verdict:
            break
    if verdict is None:
        return StepReply(None, None, "", text.strip()[:300])
    fields = {k: (p.findall(text) or [""])[-1].strip() for k, p in _FIELD.items()}
    quote = fields["quote"].strip().strip('"“”').strip()
    if quote.lower() in ("none", "n/a", "-"):
        quote = ""
    return StepReply(verdict, _step_number(fields["step"]), quote, fields["reason"])


def _step_number(text: str) -> int | None:
    m = re.search(r"\d+", text or "")
    return int(m.group(0)) if m else None


def _json_object(text: str) -> dict[str, Any] | None:
    for m in re.finditer(r"\{[^{}]*\}", text, re.S):
        try:
            obj = json.loads(m.group(0))
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict) and ("verdict" in obj or "flaw" in obj):
            return obj
    return None


def locate(quote: str, steps: list[Step]) -> int | None:
    """The step a quote comes from: exact (whitespace-normalized) match, else a close fuzzy one."""
    q = " ".join(quote.split())
    if len(q) < 8:
        return None
    for s in steps:
        if q in " ".join(s.text.split()):
            return s.index
    best, best_ratio = None, 0.0
    for s in steps:
        body = " ".join(s.text.split())
        ratio = difflib.SequenceMatcher(None, q, body, autojunk=False).find_longest_match(0, len(q), 0, len(body)).size / len(q)
        if ratio > best_ratio:
            best, best_ratio = s.index, ratio
    return best if best_ratio >= 0.6 else None


def run_step_judge(name: str, prompt: str, problem: Problem | str | None, proof: str, model: ChatModel,
                   options: ModelJudgeOptions | None = None) -> JudgeVerdict:
    """Ask the model about each window of the proof; a flaw in any window fails the proof."""
    options = options or ModelJudgeOptions()
    steps = split_steps(proof)
    if not steps:
        return JudgeVerdict(name, "no_verdict", "the proof is empty")
    findings: list[Finding] = []
    raw: list[str] = []
    unread = 0
    parts = windows(steps, options.window_chars)
    for k, window in enumerate(parts, start=1):
        covers = [s.index for s in window]
        how = f"model ({model.spec}), window {k} of {len(parts)}"
        messages = [
            Message("system", render("step_judge_system")),
            Message("user", render(prompt, problem=problem_text(problem),
                                   proof=numbered(window, options.window_chars))),
        ]
        try:
            reply = model.chat(messages, options.call_options())
        except ModelError as e:
            return JudgeVerdict(name, "no_verdict", f"model call failed: {e}", raw=raw, findings=findings,
                                stats={"windows": len(raw)},
                                coverage=Coverage("windows", len(parts), len(raw) - unread, len(raw) - unread))
        raw.append(reply.text)
        parsed = parse_step_reply(reply.text)
        if parsed.verdict is None:
            unread += 1
            why = "the reply was cut off by the token budget" if reply.truncated else "no verdict in the reply"
            findings.append(Finding("unread", "", why, None, {"reply": reply.text[:500]}, how=f"{how}: {why}",
                                    steps=covers))
            continue
        if parsed.verdict == "fail":
            where = locate(parsed.quote, window) if parsed.quote else None
            if where is None and parsed.step is not None and any(s.index == parsed.step - 1 for s in window):
                where = parsed.step - 1
            quote = parsed.quote or (next((s.text for s in window if s.index == where), "") if where is not None else "")
            findings.append(Finding("flaw", quote[:400], parsed.reason or "no reason given", where,
                                    {"quote_found": where is not None and bool(parsed.quote)}, checked=True, how=how,
                                    steps=covers))
        else:
            findings.append(Finding("ok", "", parsed.reason, None, checked=True, how=how, steps=covers))
    flaws = [f for f in findings if f.status == "flaw"]
    stats = {"windows": len(raw), "unreadable": unread}
    coverage = Coverage("windows", len(parts), len(raw) - unread, len(raw) - unread)
    if flaws:
        f = flaws[0]
        return JudgeVerdict(name, "fail", f.reason, step=f.step, quote=f.quote, findings=findings, stats=stats, raw=raw,
                            coverage=coverage)
    if unread:
        return JudgeVerdict(name, "no_verdict", f"{unread} of {len(raw)} replies gave no readable verdict",
                            findings=findings, stats=stats, raw=raw, coverage=coverage)
    return JudgeVerdict(name, "pass", findings[-1].reason or "no flaw found", findings=findings, stats=stats, raw=raw,
                        coverage=coverage)
