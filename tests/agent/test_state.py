import json

import numpy as np
import sympy as sp
from qed.agent.state import add_usage, plain


def test_plain_turns_verifier_evidence_into_json():
    x = sp.Symbol("x")
    value = {"best": np.float64(1.5), "n": np.int64(3), "ok": np.bool_(True), "point": (np.float32(0.5), 2),
             "expr": x**2 + 1, "sub": {"s": {1, 2}}}
    out = plain(value)
    assert type(out["best"]) is float and type(out["n"]) is int and out["ok"] is True
    assert out["point"] == [0.5, 2] and out["expr"] == "x**2 + 1" and sorted(out["sub"]["s"]) == [1, 2]
    json.dumps(out)


def test_usage_adds_up_across_nodes():
    assert add_usage({"calls": 1, "prompt_tokens": 10}, {"calls": 2, "completion_tokens": 5}) == {
        "calls": 3, "prompt_tokens": 10, "completion_tokens": 5}
