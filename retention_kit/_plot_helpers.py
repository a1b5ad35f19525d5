"""Checks and defaults every plotting function shares (cohort, metric, NPS, model plots)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import pandas as pd
from matplotlib.axes import Axes

from .exceptions import MissingColumnError, RetentionKitError


def get_ax(ax: Axes | None) -> Axes:
    """Return ``ax``, or the current Axes when it is None."""
    if ax is None:
        import matplotlib.pyplot as plt

        return plt.gca()
    return ax


def require_frame(data: Any, arg: str, what: str) -> pd.DataFrame:
    """Check that ``data`` is a non-empty pandas DataFrame (``what`` says which table)."""
    if not isinstance(data, pd.DataFrame):
        msg = f"{arg} must be a pandas DataFrame ({what}); got {type(data).__name__}."
        raise RetentionKitError(msg)
    if data.empty:
        msg = f"{arg} is empty: expected {what} with at least one row."
        raise RetentionKitError(msg)
    return data


def require_columns(frame: pd.DataFrame, arg: str, columns: Sequence[Hashable]) -> None:
    """Check that ``frame`` (the argument ``arg``) has every one of ``columns``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        have = ", ".join(map(repr, list(frame.columns)[:15]))
        msg = (
            f"{arg} has no column(s) {', '.join(map(repr, missing))}; it has {have}. "
            f"Pass the table returned by retention_kit (or rename the columns)."
        )
        raise MissingColumnError(msg, argument=arg, column=missing[0])


def as_list(value: Hashable | Sequence[Hashable] | None) -> list[Hashable]:
    """``None`` -> ``[]``, one name -> ``[name]``, a sequence of names -> a list."""
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Sequence):
        return [value]
    return list(value)
