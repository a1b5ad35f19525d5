"""Exceptions and warnings raised by retention_kit.

Every message names the argument or column at fault, what was received and how to fix it.
"""

from __future__ import annotations

from collections.abc import Hashable

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
    """A column named by a ``*_col`` argument is not in the frame.

    Parameters
    ----------
    message : str
        What is missing and how to fix it.
    argument : str, optional
        The argument that named the column (``"customer_col"``), or the table argument
        that lacks it (``"summary"``); ``None`` when not known.
    column : object, optional
        The column name that was not found.

    Examples
    --------
    >>> err = MissingColumnError("customer_col='id': no such column.", argument="customer_col",
    ...                          column="id")
    >>> err.argument, err.column, str(err)
    ('customer_col', 'id', "customer_col='id': no such column.")
    """

    def __init__(
        self, message: str = "", *, argument: str | None = None, column: Hashable = None
    ) -> None:
        super().__init__(message)
        self.argument = argument
        self.column = column

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
