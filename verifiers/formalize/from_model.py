"""The model path: the formalizer model writes a JSON record, and sympy decides if it is usable.

Nothing the model writes is trusted: the reply must be one JSON object with the expected keys;
each expression is read by qed.verifiers.safe_expr (an allow-list of arithmetic, functions and
declared names, bounded in size; never evaluated as Python); every symbol must be declared; and
the resulting record must pass the same checks as the parser's (feasible points exist, the
compared expressions or the target are finite reals there).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import sympy as sp
from qed.models.base import CallOptions, ChatModel, Message
from qed.verifiers.formal import FormalProblem
from qed.verifiers.formalize.domains import NONNEGATIVE, POSITIVE, REALS, symbol_for
from qed.verifiers.formalize.errors import FormalizeError
from qed.verifiers.formalize.from_parser import complete
from qed.verifiers.formalize.geometry import triangle_conditions
from qed.verifiers.formalize.reading import BLANK
from qed.verifiers.formalize.segments import clean_statement
from qed.verifiers.safe_expr import RESERVED_NAMES, ExpressionError
from qed.verifiers.safe_expr import safe_expr as read_model_expr

PROMPT_DIR = Path(__file__).parent  # formalizer_bound.txt, formalizer_relation.txt
DEFAULT_MAX_TOKENS = 400

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,11}$")
_NUMBER_TOKEN = re.compile(r"\d+(?:\.\d+)?")
_SMALL_NUMBERS = {"0", "1", "2", "3"}
_RELATION = re.compile(r"(<=|>=|==|!=|=|<|>)")
_RELATION_CLASSES = {"<=": sp.Le, ">=": sp.Ge, "<": sp.Lt, ">": sp.Gt, "=": sp.Eq, "==": sp.Eq}


@cache
def prompt_template(kind: str) -> str:
    """One prompt per kind: a small model mixes the two record shapes when shown both."""
    return (PROMPT_DIR / f"formalizer_{kind}.txt").read_text()


def build_prompt(statement: str, kind: str) -> str:
    """The prompt for one statement (answer options dropped: they cost tokens and say nothing)."""
    text = clean_statement(statement).strip()
    return prompt_template(kind).replace("{statement}", text)


def extract_json(text: str) -> dict[str, Any]:
    """The first balanced {...} object in a reply (code fences and prose around it ignored)."""
    start = text.find("{")
    while start != -1:
        depth, in_string, escaped = 0, False, False
        for i in range(start, len(text)):
            ch = text[i]
            if in_string:
                escaped = ch == "\\" and not escaped
                if ch == '"' and not escaped:
                    in_string = False
                continue
            if ch == '"':
                in_string = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    try:
                        data = json.loads(text[start : i + 1])
                    except json.JSONDecodeError:
                        break
                    if isinstance(data, dict):
                        return data
                    break
        start = text.find("{", start + 1)
    raise FormalizeError("the model's reply holds no JSON object")


def safe_expr(text: Any, names: dict[str, sp.Symbol], what: str) -> sp.Expr:
    """A model-written expression, read by the one allow-listed reader (qed.verifiers.safe_expr)."""
    try:
        return read_model_expr(text, names, what)
    except ExpressionError as e:
        raise FormalizeError(f"the model's {e}") from None


def safe_relation(text: Any, names: dict[str, sp.Symbol], what: str) -> sp.Basic:
    if not isinstance(text, str):
        raise FormalizeError(f"the model's {what} is not a relation")
    parts = _RELATION.split(text)
    if len(parts) != 3:
        raise FormalizeError(f"the model's {what} is not one relation: {text!r}")
    left, op, right = parts
    lhs, rhs = safe_expr(left, names, what), safe_expr(right, names, what)
    return _RELATION_CLASSES[op](lhs, rhs, evaluate=False)


def _domain(spec: Any, name: str) -> sp.Set:
    if not isinstance(spec, str):
        raise FormalizeError(f"the model gave no domain for {name}")
    s = spec.strip().lower().replace(" ", "")
    if s in ("positive", "positivereal", "positivereals", "(0,oo)", ">0"):
        return POSITIVE
    if s in ("nonnegative", "non-negative", "[0,oo)", ">=0"):
        return NONNEGATIVE
    if s in ("real", "reals", "(-oo,oo)", "any"):
        return REALS
    m = re.fullmatch(r"([(\[])(-?[\w./*()+-]+),(-?[\w./*()+-]+)([)\]])", s)
    if m:
        lo = safe_expr(m.group(2), {}, f"domain of {name}")
        hi = safe_expr(m.group(3), {}, f"domain of {name}")
        if not (lo.is_number and hi.is_number) or not bool(lo < hi):
            raise FormalizeError(f"the model's domain for {name} is not an interval: {spec!r}")
        return sp.Interval(lo, hi, m.group(1) == "(", m.group(4) == ")")
    raise FormalizeError(f"the model's domain for {name} is not understood: {spec!r}")


def record_from_reply(data: dict[str, Any], kind: str) -> FormalProblem:
    """A FormalProblem from the model's JSON, every piece checked; FormalizeError when not."""
    variables = data.get("variables")
    if not isinstance(variables, dict) or not variables:
        raise FormalizeError("the model's reply declares no variables")
    names: dict[str, sp.Symbol] = {}
    domains: dict[sp.Symbol, sp.Set] = {}
    for name, spec in variables.items():
        if not isinstance(name, str) or not _NAME.match(name) or name in RESERVED_NAMES:
            raise FormalizeError(f"the model declared a bad variable name {name!r}")
        domain = _domain(spec, name)
        sym = symbol_for(name, domain)
        names[name], domains[sym] = sym, domain
    raw_constraints = data.get("constraints") or []
    if not isinstance(raw_constraints, list):
        raise FormalizeError("the model's constraints are not a list")
    constraints = [safe_relation(c, names, "constraint") for c in raw_constraints]
    sides = data.get("triangle_sides") or []
    if sides:
        if not (isinstance(sides, list) and len(sides) == 3 and all(s in names for s in sides)):
            raise FormalizeError("the model's triangle_sides are not three declared variables")
        for s in sides:
            domains[names[s]] = domains[names[s]].intersect(POSITIVE)
        constraints += triangle_conditions([names[s] for s in sides])
    fp = FormalProblem(
        kind=kind,
        variables=list(names.values()),
        domains=domains,
        constraints=constraints,
        origin="model",
    )
    if kind == "relation":
        fp.lhs = safe_expr(data.get("lhs"), names, "lhs")
        fp.rhs = safe_expr(data.get("rhs"), names, "rhs")
        return fp
    constant = data.get("constant")
    if not isinstance(constant, str) or not _NAME.match(constant) or constant in names:
        raise FormalizeError("the model's reply names no usable constant")
    c = sp.Symbol(constant, real=True)
    relation = safe_relation(data.get("inequality"), {**names, constant: c}, "inequality")
    if c not in relation.free_symbols:
        raise FormalizeError("the model's inequality does not contain the constant")
    asked = data.get("asked")
    fp.constant, fp.relation_with_constant = c, relation
    fp.extra["asked"] = asked if asked in ("largest", "smallest") else None
    return fp


def formalize_with_model(
    statement: str,
    kind: str,
    model: ChatModel,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    timeout_s: float = 300.0,
) -> FormalProblem:
    """Ask the formalizer model for a record and validate it; FormalizeError says what failed."""
    if kind == "relation" and not BLANK.search(statement):
        # nothing to compare: a model would fill lhs/rhs with whatever the statement displays
        raise FormalizeError("the statement has no blank '()' for a model to fill either")
    messages = [Message("user", build_prompt(statement, kind))]
    options = CallOptions(max_tokens=max_tokens, temperature=0.0, timeout_s=timeout_s)
    reply = model.chat(messages, options)
    try:
        data = extract_json(reply.text)
    except FormalizeError:
        if reply.truncated:
            raise FormalizeError(f"the model's reply was cut off at {max_tokens} tokens") from None
        raise
    check_faithful(data, statement)
    fp = record_from_reply(data, kind)
    fp.notes.append(f"formalized by {model.spec}")
    return complete(fp)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [str(value)] if isinstance(value, (int, float)) else []


def check_faithful(data: dict[str, Any], statement: str) -> None:
    """A cheap guard against a model that invents: every number it writes (beyond 0..3, which
    roots, squares and the n = 3 instance bring in) and every variable letter it declares must
    occur in the statement. It cannot prove a record right; it catches made-up constants."""
    stated = set(_NUMBER_TOKEN.findall(statement))
    for text in _strings({k: v for k, v in data.items() if k != "asked"}):
        for number in _NUMBER_TOKEN.findall(text):
            if number not in stated and number not in _SMALL_NUMBERS:
                raise FormalizeError(
                    f"the model's record has the number {number}, which the statement does not"
                )
    math = " ".join(re.findall(r"\$([^$]+)\$", statement))
    math = re.sub(r"\\(?:text\w*|mbox|mathrm|operatorname)\s*\{[^}]*\}", " ", math)
    commands = set(re.findall(r"\\([A-Za-z]+)", math))
    letters = set(re.findall(r"[A-Za-z]", re.sub(r"\\[A-Za-z]+", " ", math)))
    for name in data.get("variables") or {}:
        stem = re.sub(r"_?\d+$", "", str(name)).rstrip("_")
        if stem and stem not in commands and not (len(stem) == 1 and stem in letters):
            raise FormalizeError(f"the model declared {name!r}, which the statement never names")
