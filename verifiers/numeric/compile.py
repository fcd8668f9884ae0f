"""Compile sympy expressions to vectorised numpy functions, so a search evaluates batches of points.

Evaluating one point at a time through sympy is what made the first prototype time out; here an
expression becomes one numpy function called on arrays of thousands of points at once. Points
where the expression is not a real number (a square root of a negative, a division by zero) come
back as NaN, never as an exception or a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import sympy as sp

Vectorised = Callable[[np.ndarray], np.ndarray]

# Keeps a batch's intermediate arrays small enough for the shared machine.
CHUNK = 20_000


def vectorise(expr: sp.Expr, symbols: Sequence[sp.Symbol]) -> Vectorised:
    """A function mapping an array of shape (len(symbols), N) to the N values of `expr`.

    Non-real and non-finite results (complex branches, 0/0, overflow) are NaN; +-inf from a
    genuine pole stays +-inf so that a search can see a value blow up.
    """
    symbols = list(symbols)
    raw = sp.lambdify(symbols, expr, modules=["numpy"])
    free_of_vars = not (expr.free_symbols & set(symbols))

    def call(points: np.ndarray) -> np.ndarray:
        points = np.asarray(points, dtype=float)
        if points.ndim == 1:
            points = points.reshape(len(symbols), -1)
        n = points.shape[1]
        out = np.empty(n, dtype=float)
        for start in range(0, n, CHUNK):
            block = points[:, start : start + CHUNK]
            with np.errstate(all="ignore"):
                try:
                    value = raw(*block)
                except (ZeroDivisionError, OverflowError, ValueError, TypeError, FloatingPointError):
                    value = _pointwise(raw, block)
            value = np.asarray(value)
            if np.iscomplexobj(value):
                value = np.where(np.abs(value.imag) <= 1e-12 * (1 + np.abs(value.real)), value.real, np.nan)
            if free_of_vars or value.shape == ():
                value = np.full(block.shape[1], float(value))
            out[start : start + block.shape[1]] = value.astype(float)
        return out

    return call


def _pointwise(raw: Callable, block: np.ndarray) -> np.ndarray:
    """Fallback when a numpy call fails on the whole block (an integer overflow, a Python branch)."""
    values = np.full(block.shape[1], np.nan)
    for i in range(block.shape[1]):
        try:
            with np.errstate(all="ignore"):
                v = complex(raw(*block[:, i]))
        except (ZeroDivisionError, OverflowError, ValueError, TypeError, FloatingPointError):
            continue
        if abs(v.imag) <= 1e-12 * (1 + abs(v.real)):
            values[i] = v.real
    return values
