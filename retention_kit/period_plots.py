"""Plots of period summaries: CRR, churn and other rates over time with their intervals.

Rates are percentages (0-100).

The plotting contract is described in :mod:`retention_kit.plotting`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from ._docstrings import fill_doc
from ._plot_helpers import (
    add_interval_entry,
    as_list,
    get_ax,
    interval_band,
    period_axis,
    place_legend,
    require_columns,
    require_frame,
    split_groups,
)
from ._text import literal
from .exceptions import RetentionKitError

__all__ = ["plot_period_metrics"]

_METRIC_LABELS = {
    "crr": "CRR",
    "crr_seed": "CRR (seed formula)",
    "churn": "Churn",
}


@fill_doc
def plot_period_metrics(
    summary: pd.DataFrame,
    *,
    metrics: str | Sequence[str] = ("crr", "churn"),
    by: str | Sequence[str] | None = None,
    ax: Axes | None = None,
    show_interval: bool = True,
    **kwargs: Any,
) -> Axes:
    """Draw period rates (CRR, churn...) over time, with their Wilson intervals.

    Parameters
    ----------
    summary : pandas.DataFrame
        Period summary: a ``period`` column (``pd.Period``), one column per metric in
        percent, optional ``<metric>_low``/``<metric>_high`` interval bounds, an optional
        boolean ``complete`` column, and the segment columns named by ``by``.
    metrics : str or sequence of str, default ("crr", "churn")
        Columns to draw, one line each (per segment when ``by`` is given).
    by : str or sequence of str, optional
        Segment column(s): one line per segment and metric, coloured by segment, with a
        marker per metric.
    %(ax)s
    show_interval : bool, default True
        Shade the band between ``<metric>_low`` and ``<metric>_high`` where the summary
        has both columns (``crr_seed`` has none and is drawn without a band).
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` for every line.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on. Periods where ``complete`` is False are joined by a dashed
        line with hollow markers (an extra line per metric and segment), so a
        half-finished period does not read as a drop.

    Raises
    ------
    RetentionKitError
        If ``summary`` is not a non-empty DataFrame, lacks ``period``, a metric or a
        ``by`` column (:class:`~retention_kit.exceptions.MissingColumnError`), or has
        several rows per period and segment.

    See Also
    --------
    plot_nps : NPS over periods.

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({
    ...     "period": pd.period_range("2024-01", periods=3, freq="M"),
    ...     "crr": [80.0, 82.0, 60.0], "crr_low": [75.0, 77.0, 50.0],
    ...     "crr_high": [84.0, 86.0, 69.0], "churn": [20.0, 18.0, 40.0],
    ...     "churn_low": [16.0, 14.0, 31.0], "churn_high": [25.0, 23.0, 50.0],
    ...     "complete": [True, True, False],
    ... })
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> ax = plot_period_metrics(summary, ax=ax)
    >>> ax.get_ylabel()
    'Rate (%)'
    """
    summary = require_frame(summary, "summary", "a period summary from period_summary()")
    metric_list = [str(m) for m in as_list(metrics)]
    if not metric_list:
        msg = "metrics is empty; pass at least one column name, e.g. metrics=('crr', 'churn')."
        raise RetentionKitError(msg)
    by_list = as_list(by)
    require_columns(summary, "summary", ["period", *metric_list, *by_list])
    ax = get_ax(ax)
    data = summary.sort_values("period")
    periods = pd.Index(data["period"].dropna().unique())
    groups = split_groups(data, by_list, "summary")
    seg_colors = sns.color_palette("colorblind", max(len(groups), len(metric_list)))
    markers = ["o", "s", "^", "D", "v", "P"]

    any_incomplete = False
    for g, (segment, part) in enumerate(groups):
        x = periods.get_indexer(part["period"])
        complete = (
            part["complete"].fillna(True).to_numpy(dtype=bool)
            if "complete" in part
            else np.ones(len(part), dtype=bool)
        )
        for m, metric in enumerate(metric_list):
            color = seg_colors[g] if by_list else seg_colors[m]
            marker = markers[m % len(markers)] if by_list else "o"
            name = _METRIC_LABELS.get(metric, metric)
            label = f"{name}: {segment}" if segment is not None else name
            y = part[metric].to_numpy(dtype=float, na_value=np.nan)
            style = {"color": color, "marker": marker, "markersize": 4, "linewidth": 1.8}
            ax.plot(x, np.where(complete, y, np.nan), label=literal(label), **(style | kwargs))
            if not complete.all():
                any_incomplete = True
                # Join the last complete point to the incomplete ones with a dashed line.
                first = int(np.argmin(complete))
                keep = ~complete
                if first > 0:
                    keep[first - 1] = True
                ax.plot(
                    x[keep],
                    np.where(keep, y, np.nan)[keep],
                    color=color,
                    marker=marker,
                    markersize=5,
                    markerfacecolor="white",
                    linestyle="--",
                    linewidth=1.5,
                    label="_incomplete",
                )
            low, high = f"{metric}_low", f"{metric}_high"
            if show_interval and low in part and high in part:
                interval_band(ax, x, part[low], part[high], color)

    handles, labels = ax.get_legend_handles_labels()
    if show_interval and any(f"{m}_low" in summary and f"{m}_high" in summary for m in metric_list):
        add_interval_entry(handles, labels)
    if any_incomplete:
        handles.append(
            Line2D([], [], color="0.3", linestyle="--", marker="o", markerfacecolor="white")
        )
        labels.append("incomplete period")
    period_axis(ax, periods, legend_outside=place_legend(ax, handles, labels))
    ylabel = f"{_METRIC_LABELS.get(metric_list[0], metric_list[0])} (%)"
    ax.set(
        xlabel="Period",
        ylabel=literal(ylabel) if len(metric_list) == 1 else "Rate (%)",
        ylim=(0, 100),
    )
    ax.grid(True, axis="y", alpha=0.3)
    return ax
