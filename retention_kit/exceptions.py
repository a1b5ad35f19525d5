"""Exceptions and warnings raised by retention_kit.

Every message names the argument or column at fault, what was received and how to fix it.
"""

from __future__ import annotations

__all__ = [
    "ConvergenceError",
    "EmptyDataError",
    "InvalidDataError",
    "MissingColumnError",
    "NotFittedError",
    "RetentionKitError",
    "RetentionKitWarning",
]


class RetentionKitError(ValueError):
    """Base class of every error retention_kit raises on bad input."""


class MissingColumnError(KeyError, RetentionKitError):
    """A column named by a ``*_col`` argument is not in the frame."""

    def __str__(self) -> str:
        # KeyError quotes its message; show it as plain text like other errors.
        return str(self.args[0]) if self.args else ""


class InvalidDataError(RetentionKitError):
    """A column holds values the metric cannot use (nulls, text, out-of-range values)."""


class EmptyDataError(RetentionKitError):
    """The frame (after filtering) has no rows to compute on."""


class NotFittedError(RetentionKitError, AttributeError):
    """A model was asked for predictions before ``fit`` was called."""


class RetentionKitWarning(UserWarning):
    """Visible notice of a documented data handling (returns netted, duplicates kept...)."""


class ConvergenceError(RetentionKitError, RuntimeError):
    """The maximum-likelihood optimiser of a model stopped before it converged."""
