"""Why a statement could not be formalized, in one line a user (or the bench) can group by."""

from __future__ import annotations

from qed.verifiers.latex import LatexError


class FormalizeError(LatexError):
    """The statement (or a model's reading of it) cannot be turned into a trustworthy record.

    It is a LatexError because everything the formalizer refuses is LaTeX it does not read into a
    problem: callers catch LatexError for "this statement is not read", whether the reader refused a
    formula or the formalizer refused what the formulas say."""
