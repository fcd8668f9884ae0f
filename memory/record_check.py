"""The formal parts of a node's data are read before they are stored, never trusted as written.

`formal` and `claim` are formal facts, `point` is a counterexample's coordinates; consolidation
reads them on every later write. Whatever reaches memory (Memory.add/revise, `qed memory import`)
is read here first by the allow-listed reader, so a record that cannot be read, or that carries
anything but arithmetic, is refused with the reason instead of being stored.
"""

from __future__ import annotations

from typing import Any

from qed.memory.formal_facts import (
    MAX_VARIABLES,
    VARIABLE_NAME,
    FormalFactError,
    parse_fact,
    read_point_value,
)
from qed.verifiers.safe_expr import ExpressionError


def formal_problem(data: dict[str, Any]) -> str | None:
    """Why the formal parts of `data` cannot be read (the first problem found), or None."""
    if not isinstance(data, dict):
        return "data is not a JSON object"
    for key in ("formal", "claim"):
        if data.get(key) is not None:
            try:
                parse_fact(data[key])
            except FormalFactError as e:
                return f"{key}: {e}"
    point = data.get("point")
    if point is not None:
        if not isinstance(point, dict) or not point or len(point) > MAX_VARIABLES:
            return f"point: must map at most {MAX_VARIABLES} variable names to values"
        for name, value in point.items():
            if not isinstance(name, str) or not VARIABLE_NAME.match(name):
                return f"point: bad variable name {str(name)[:40]!r}"
            try:
                read_point_value(value, name)
            except ExpressionError as e:
                return f"point: cannot read {e}"
    return None
