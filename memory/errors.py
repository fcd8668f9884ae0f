"""The memory's one user-facing error type: a ValueError, so the CLI prints it as one line."""

from __future__ import annotations


class MemoryStoreError(ValueError):
    """The memory file cannot be used as asked (corrupt, foreign, newer schema, unknown id, bad import)."""
