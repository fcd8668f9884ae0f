"""A proof verifier in the DeepSeekMath-V2 protocol: issues and a score of 0, 0.5 or 1, checked.

Each of k samples lists issues and scores the proof. When a sample finds fault (score below 1), a
meta-verifier reads its analysis and says, issue by issue, whether the proof really has it. A
sample whose claimed issues are all rejected (or whose analysis is rated 0) is discarded as
unfaithful; the others are aggregated by mean and by majority (ties go to the lower score). A
reply without a readable score is no sample at all: if no sample is usable the verdict is
no_verdict, never a pass.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field

from qed.models.base import ChatModel, Message, ModelError
from qed.problems.record import Problem
from qed.verifiers.judges.extract import split_steps
from qed.verifiers.judges.judge import Judge, JudgeContext
from qed.verifiers.judges.model_judge import (
    ModelJudgeOptions,
    numbered,
    problem_text,
)
from qed.verifiers.judges.prompts import render
from qed.verifiers.judges.verdict import Coverage, Finding, JudgeVerdict

NAME = "dsm_verifier"
SCORES = (0.0, 0.5, 1.0)
SAMPLE_TEMPERATURE = 0.7  # k > 1 samples must differ to be worth aggregating


@dataclass
class Issue:
    text: str
    step: int | None = None  # 0-based step index, when the verifier named one
    real: bool | None = None  # the meta-verifier's finding; None when not checked


@dataclass
class Sample:
    score: float | None
    issues: list[Issue] = field(default_factory=list)
    meta_rating: float | None = None
    kept: bool = False
    note: str = ""
    reply: str = ""
    meta_reply: str = ""


def parse_score(text: str, label: str = "score") -> float | None:
    r"""The last score in {0, 0.5, 1}: `\boxed{0.5}`, `SCORE: 1`, `1/2`; None when there is none."""
    candidates = re.findall(r"\\boxed\s*\{\s*([^{}]*?)\s*\}", text)
    if not candidates:
        candidates = re.findall(rf"{label}\s*[:=]\s*\**\s*([0-9./]+)", text, re.I)
    for raw in reversed(candidates):
        value = _as_score(raw)
        if value is not None:
            return value
    return None


def _as_score(raw: str) -> float | None:
    s = raw.strip().strip("$*").strip()
    if s in ("1/2", "\\frac{1}{2}", "\\frac12"):
        return 0.5
    try:
        value = float(s)
    except ValueError:
        return None
    return value if value in SCORES else None


def parse_issues(text: str, steps: int) -> list[Issue]:
    """Numbered or bulleted issues after `ISSUES:`; none for `ISSUES: none`."""
    m = re.search(r"issues?\s*:(.*?)(?:\n\s*\**\s*(?:score|rating)\s*[:=]|\\boxed|$)", text, re.I | re.S)
    body = m.group(1) if m else ""
    if re.match(r"\s*(none|no issues?|n/a)\b", body, re.I):
        return []
    issues = []
    for line in re.split(r"\n\s*(?=(?:\d+[.)]|[-*•]))", "\n" + body):
        line = re.sub(r"^\s*(?:\d+[.)]|[-*•])\s*", "", line).strip()
        if len(line) < 4:
            continue
        step = None
        sm = re.search(r"\[?\bstep\s*(\d+)\]?", line, re.I)
        if sm and 1 <= int(sm.group(1)) <= steps:
            step = int(sm.group(1)) - 1
        issues.append(Issue(" ".join(line.split())[:500], step))
    return issues


def parse_meta(text: str, n_issues: int) -> tuple[list[bool | None], float | None]:
    """Per-issue REAL / NOT REAL findings and the rating of the evaluation."""
    found: list[bool | None] = [None] * n_issues
    for num, word in re.findall(r"issue\s*(\d+)\s*[:\-]\s*\**\s*(not\s+real|real)", text, re.I):
        k = int(num) - 1
        if 0 <= k < n_issues:
            found[k] = not word.lower().startswith("not")
    return found, parse_score(text, "rating")


def _judge(problem: Problem | None, proof: str, context: JudgeContext) -> JudgeVerdict:
    """Score a proof with k verifier samples (each checked by the meta-verifier) and aggregate."""
    model, settings = context.model("verifier"), context.settings
    k, meta, options, proof_chars = settings.samples, settings.meta, settings.verifier_options, settings.proof_chars
    if k < 1:
        raise ValueError("the DSM verifier needs k >= 1 samples")
    steps = split_steps(proof)
    if not steps:
        return JudgeVerdict(NAME, "no_verdict", "the proof is empty")
    shown = numbered(steps)
    cut = len(shown) > proof_chars
    if cut:
        shown = shown[:proof_chars] + "\n[... the rest of the proof is cut for length ...]"
    statement = problem_text(problem)
    samples: list[Sample] = []
    temperature = options.temperature if k == 1 else SAMPLE_TEMPERATURE
    for _ in range(k):
        messages = [Message("system", render("dsm_verify_system")),
                    Message("user", render("dsm_verify", problem=statement, proof=shown))]
        try:
            reply = model.chat(messages, options.call_options(temperature=temperature))
        except ModelError as e:
            samples.append(Sample(None, note=f"model call failed: {e}"))
            continue
        score = parse_score(reply.text)
        sample = Sample(score, parse_issues(reply.text, len(steps)), reply=reply.text)
        if score is None:
            sample.note = "cut off before a score" if reply.truncated else "no score in the reply"
        elif score < 1 and meta:
            _meta_check(sample, statement, shown, model, options)
        else:
            sample.kept = True
        samples.append(sample)
    verdict = _aggregate(samples, cut, len(steps))
    read = _steps_shown(steps, proof_chars)
    kept = verdict.stats["kept"]
    verdict.coverage = Coverage("samples", k, sum(s.score is not None for s in samples), kept)
    if kept:
        verdict.findings.append(Finding("read", "", f"read and scored by {kept} kept sample(s) of {k}", None,
                                        checked=True, steps=read,
                                        how=f"model ({model.spec}), score by {kept} of {k} sample(s)"))
    if len(read) < len(steps):
        verdict.findings.append(Finding("unread", "", "cut for length: the verifier did not see it", None,
                                        steps=[s.index for s in steps if s.index not in read],
                                        how="cut for length"))
    return verdict


JUDGE = Judge(NAME, "verifier", "DeepSeekMath-V2 verifier: issues, score 0/0.5/1, meta-check (model)", _judge)


def _steps_shown(steps, proof_chars: int) -> list[int]:  # noqa: ANN001
    """The steps whose numbered text starts within the characters the verifier was shown."""
    out, pos = [], 0
    for s in steps:
        if pos >= proof_chars:
            break
        out.append(s.index)
        pos += len(f"[{s.index + 1}] {s.text}") + 2
    return out


def _meta_check(sample: Sample, statement: str, shown: str, model: ChatModel, options: ModelJudgeOptions) -> None:
    issues = "\n".join(f"{i + 1}. {x.text}" for i, x in enumerate(sample.issues)) or "(no issue was listed)"
    messages = [Message("system", render("dsm_meta_system")),
                Message("user", render("dsm_meta", problem=statement, proof=shown, issues=issues,
                                       score=f"{sample.score:g}"))]
    try:
        reply = model.chat(messages, options.call_options(temperature=0.0))
    except ModelError as e:
        sample.kept, sample.note = True, f"meta-verifier call failed ({e}); the sample is kept unchecked"
        return
    sample.meta_reply = reply.text
    found, rating = parse_meta(reply.text, len(sample.issues))
    for issue, real in zip(sample.issues, found, strict=True):
        issue.real = real
    sample.meta_rating = rating
    if rating is None and all(r is None for r in found):
        sample.kept, sample.note = True, "the meta-verifier gave no readable finding; the sample is kept unchecked"
        return
    if rating == 0 or (sample.issues and all(r is False for r in found)):
        sample.kept, sample.note = False, "discarded: the meta-verifier found its claimed issues not real"
        return
    if not sample.issues:
        sample.kept, sample.note = False, "discarded: a score below 1 with no issue named"
        return
    sample.kept = True


def _aggregate(samples: list[Sample], cut: bool, n_steps: int) -> JudgeVerdict:
    kept = [s for s in samples if s.kept and s.score is not None]
    scores = [s.score for s in kept if s.score is not None]
    stats = {
        "k": len(samples), "kept": len(kept), "scores": [s.score for s in samples],
        "proof_cut": cut, "samples": [asdict(s) for s in samples],
    }
    raw = [s.reply for s in samples if s.reply] + [s.meta_reply for s in samples if s.meta_reply]
    if not scores:
        notes = "; ".join(sorted({s.note for s in samples if s.note})) or "no usable sample"
        return JudgeVerdict(NAME, "no_verdict", f"no usable verifier sample ({notes})", stats=stats, raw=raw)
    mean = sum(scores) / len(scores)
    counts = Counter(scores)
    top = max(counts.values())
    majority = min(v for v, c in counts.items() if c == top)
    stats.update({"mean": mean, "majority": majority})
    findings = []
    for s in kept:
        for issue in s.issues:
            if issue.real is False:
                continue
            findings.append(Finding("issue" if issue.real is None else "confirmed issue", "", issue.text, issue.step))
    note = " (the proof was cut for length)" if cut else ""
    if majority == 1.0:
        return JudgeVerdict(NAME, "pass", f"score 1 by majority of {len(scores)} sample(s), mean {mean:.2f}{note}",
                            score=mean, findings=findings, stats=stats, raw=raw)
    first = next((f for f in findings), None)
    what = "minor issues" if majority == 0.5 else "a serious error or gap"
    reason = f"score {majority:g} by majority ({what}), mean {mean:.2f}{note}"
    if first:
        reason += f": {first.reason}"
    return JudgeVerdict(NAME, "fail", reason, step=first.step if first else None, score=mean,
                        findings=findings, stats=stats, raw=raw)
