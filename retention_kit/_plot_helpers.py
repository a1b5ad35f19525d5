"""Checks, defaults and axis helpers every plotting module shares.

Used by :mod:`.cohort_plots`, :mod:`.period_plots`, :mod:`.nps_plots`,
:mod:`.subscription_plots` and the model plots; nothing here is public.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import SubFigure
from matplotlib.patches import Patch

from ._text import literal
from .exceptions import MissingColumnError, RetentionKitError

#: Up to this many rows every cohort gets a y tick label; beyond, labels are thinned.
MAX_ROW_LABELS = 40


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


def label_text(value: Any) -> str:
    """Readable text for a period or category label ('2024-01', 'week of 2024-01-01')."""
    if isinstance(value, pd.Period):
        if value.freqstr.startswith("W"):
            return f"{value.start_time:%Y-%m-%d}"
        return str(value)
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    return str(value)


def axes_inches(ax: Axes) -> tuple[float, float]:
    """Width and height of ``ax`` in inches (its share of the whole figure)."""
    figure = ax.figure
    root = figure.figure if isinstance(figure, SubFigure) else figure  # the one with a size
    width, height = ax.get_position().size * root.get_size_inches()
    return float(width), float(height)


def tick_step(n: int, max_labels: int) -> int:
    """Step between labelled ticks so that at most ``max_labels`` are shown."""
    return max(1, math.ceil(n / max_labels))


def format_value(value: float, fmt: str) -> str:
    """``value`` as text: ``"compact"`` (``"1.2k"``, ``"19k"``), ``"{:.1f}%"`` or ``".1f"``.

    Examples
    --------
    >>> format_value(1_234, "compact"), format_value(31.4, "{:.0f}%"), format_value(2.5, ".2f")
    ('1.2k', '31%', '2.50')
    """
    if fmt == "compact":
        for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if abs(value) >= size:
                scaled = value / size
                return f"{scaled:.1f}{suffix}" if abs(scaled) < 10 else f"{scaled:.0f}{suffix}"
        return f"{value:.0f}"
    if "{" in fmt:
        return fmt.format(value)
    return format(value, fmt)


def period_axis(ax: Axes, periods: pd.Index, *, legend_outside: bool) -> None:
    """Label positions ``0..n-1`` with readable periods, as many as fit without overlap."""
    labels = [label_text(p) for p in periods]
    width_pts = axes_inches(ax)[0] * 72
    if legend_outside:
        width_pts *= 0.7  # the legend beside the axes will take its share
    longest = max((len(t) for t in labels), default=1)
    fits = max(2, int(width_pts / (longest * 6.5 + 16)))
    needed = tick_step(len(periods), fits)
    # Round steps (quarters, half-years, years for monthly data) read better.
    step = next((s for s in (1, 2, 3, 4, 6, 12, 24) if s >= needed), needed)
    ticks = np.arange(0, len(periods), step)
    ax.set_xticks(ticks, [literal(labels[i]) for i in ticks])
    ax.set_xlim(-0.5, len(periods) - 0.5)


def interval_band(ax: Axes, x: Any, low: pd.Series, high: pd.Series, color: Any) -> None:
    """Shade a confidence band between ``low`` and ``high`` (no legend entry of its own)."""
    ax.fill_between(
        x,
        low.to_numpy(dtype=float, na_value=np.nan),
        high.to_numpy(dtype=float, na_value=np.nan),
        color=color,
        alpha=0.18,
        linewidth=0,
        label="_interval",
    )


def add_interval_entry(handles: list[Any], labels: list[str]) -> None:
    """Append the one grey "95% interval" legend entry that stands for every band."""
    handles.append(Patch(facecolor="0.5", alpha=0.3))
    labels.append("95% interval")


def place_legend(ax: Axes, handles: list[Any], labels: list[str]) -> bool:
    """Put a short legend inside the axes, a long one beside them; return True if beside."""
    if len(labels) <= 4:
        ax.legend(handles, labels, fontsize="small", loc="best")
        return False
    ax.legend(
        handles,
        labels,
        fontsize="small",
        ncols=2 if len(labels) > 10 else 1,
        loc="center left",
        bbox_to_anchor=(1.01, 0.5),
        frameon=False,
    )
    return True


def split_groups(
    frame: pd.DataFrame, by: list[Hashable], arg: str
) -> list[tuple[str | None, pd.DataFrame]]:
    """Split ``frame`` by the ``by`` columns; check there is one row per period in each."""
    parts: list[tuple[str | None, pd.DataFrame]]
    if by:
        parts = [
            (" / ".join(map(str, key)), part)
            for key, part in frame.groupby(by, sort=True, dropna=False, observed=True)
        ]
    else:
        parts = [(None, frame)]
    for name, part in parts:
        if part["period"].duplicated().any():
            where = f" in segment {name!r}" if name else ""
            msg = (
                f"{arg} has several rows per period{where}. Pass by= with the segment "
                f"column(s) that tell them apart."
            )
            raise RetentionKitError(msg)
    return parts
