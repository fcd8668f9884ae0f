"""Why a statement could not be formalized, in one line a user (or the bench) can group by."""

from __future__ import annotations


class FormalizeError(ValueError):
    """The statement (or a model's reading of it) cannot be turned into a trustworthy record."""
