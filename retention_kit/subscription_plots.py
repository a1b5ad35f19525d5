"""Plots of subscription revenue and tenure: MRR movements, GRR / NRR, survival curves.

Same contract as every plot (:mod:`retention_kit.plotting`): ``ax=`` in, the Axes out,
no ``plt.show()``.
The revenue cohort table of :func:`~retention_kit.revenue_cohort_table` is drawn by
:func:`~retention_kit.plot_cohort_heatmap`.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from ._docstrings import fill_doc
from ._plot_helpers import get_ax, label_text, period_axis, require_columns, require_frame
from ._text import literal
from .exceptions import RetentionKitError

__all__ = ["plot_mrr_movements", "plot_revenue_retention", "plot_survival"]

_MOVEMENT_COLORS = {
    "new": "#2e86c1",
    "expansion": "#27ae60",
    "reactivated": "#76d7c4",
    "contraction": "#f0b27a",
    "churned": "#c0392b",
}


def _one_segment(frame: pd.DataFrame, arg: str) -> pd.DataFrame:
    if frame["period"].duplicated().any():
        msg = (
            f"{arg} has several rows per period (segments?). Select one segment first, e.g. "
            f"table[table['plan'] == 'pro']."
        )
        raise RetentionKitError(msg)
    return frame


@fill_doc
def plot_mrr_movements(
    movements: pd.DataFrame, *, ax: Axes | None = None, currency: str = "", **kwargs: Any
) -> Axes:
    """Stacked bars of the MRR movements per period, with the net change as a line.

    Gains (new, expansion, reactivated) stack upwards, losses (contraction, churned)
    downwards; the black line is the net change.

    Parameters
    ----------
    movements : pandas.DataFrame
        The result of :func:`~retention_kit.mrr_movements` for one segment.
    %(ax)s
    currency : str, optional
        Prefix for the y axis numbers, e.g. ``"$"``.
    **kwargs
        Passed to each ``ax.bar`` call (e.g. ``width``).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import retention_kit as rk
    >>> table = rk.mrr_movements(rk.datasets.load_subscriptions(), trial_end_col="trial_end")
    >>> fig, ax = plt.subplots(figsize=(10, 5))
    >>> ax = rk.plot_mrr_movements(table, ax=ax, currency="$")
    >>> len(ax.get_legend().get_texts())
    6
    """
    frame = require_frame(movements, "movements", "MRR movements per period")
    require_columns(frame, "movements", ["period", *_MOVEMENT_COLORS, "net_change"])
    frame = _one_segment(frame, "movements")
    ax = get_ax(ax)
    x = np.arange(len(frame))
    width = kwargs.pop("width", 0.8)
    up = np.zeros(len(frame))
    down = np.zeros(len(frame))
    for name, color in _MOVEMENT_COLORS.items():
        values = frame[name].to_numpy(dtype=float)
        base = up if name in ("new", "expansion", "reactivated") else down
        ax.bar(x, values, width, bottom=base, color=color, label=name.capitalize(), **kwargs)
        base += values
    ax.plot(x, frame["net_change"], color="black", marker="o", ms=3, lw=1.5, label="Net change")
    ax.axhline(0, color="0.3", lw=0.8)
    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda v, _: f"{'-' if v < 0 else ''}{currency}{abs(v):,.0f}")
    )
    ylabel = literal(f"MRR change ({currency or 'currency'})")
    ax.set(title="MRR movements", xlabel="Period", ylabel=ylabel)
    period_axis(ax, pd.Index(frame["period"]), legend_outside=True)
    ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    return ax


@fill_doc
def plot_revenue_retention(
    movements: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any
) -> Axes:
    """Net and gross revenue retention per period (percent of MRR at the start).

    Parameters
    ----------
    movements : pandas.DataFrame
        The result of :func:`~retention_kit.mrr_movements` for one segment.
    %(ax)s
    **kwargs
        Passed to each ``ax.plot`` call.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import retention_kit as rk
    >>> table = rk.mrr_movements(rk.datasets.load_subscriptions(), trial_end_col="trial_end")
    >>> fig, ax = plt.subplots()
    >>> [line.get_label() for line in rk.plot_revenue_retention(table, ax=ax).get_lines()][:2]
    ['NRR', 'GRR']
    """
    frame = require_frame(movements, "movements", "MRR movements per period")
    require_columns(frame, "movements", ["period", "nrr", "grr"])
    frame = _one_segment(frame, "movements")
    ax = get_ax(ax)
    x = np.arange(len(frame))
    ax.plot(x, frame["nrr"], marker="o", ms=3, color="#1f618d", label="NRR", **kwargs)
    ax.plot(x, frame["grr"], marker="o", ms=3, color="#b9770e", label="GRR", **kwargs)
    ax.axhline(100, color="0.5", lw=0.8, ls="--")
    ax.set(title="Revenue retention", xlabel="Period", ylabel="% of MRR at period start")
    period_axis(ax, pd.Index(frame["period"]), legend_outside=False)
    ax.legend(fontsize="small", loc="lower left")
    return ax


@fill_doc
def plot_survival(
    curves: pd.DataFrame,
    *,
    by: str | None = None,
    ax: Axes | None = None,
    show_interval: bool = True,
    **kwargs: Any,
) -> Axes:
    """Kaplan-Meier survival curves (percent still subscribed) with confidence bands.

    Parameters
    ----------
    curves : pandas.DataFrame
        The first table returned by :func:`~retention_kit.survival_curves`.
    by : str, optional
        The segment column the curves were split by.
    %(ax)s
    show_interval : bool, default True
        Shade the confidence band.
    **kwargs
        Passed to each ``ax.step`` call.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import retention_kit as rk
    >>> curves, _ = rk.survival_curves(rk.datasets.load_subscriptions(),
    ...                                trial_end_col="trial_end", by="plan")
    >>> fig, ax = plt.subplots()
    >>> len(rk.plot_survival(curves, by="plan", ax=ax).get_legend().get_texts())
    3
    """
    frame = require_frame(curves, "curves", "survival curves")
    require_columns(frame, "curves", ["time", "survival", "survival_low", "survival_high"])
    if by is not None:
        require_columns(frame, "curves", [by])
    ax = get_ax(ax)
    parts = frame.groupby(by, sort=True) if by else [(None, frame)]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (key, part) in enumerate(parts):
        name = key[0] if isinstance(key, tuple) else key
        label = literal(label_text(name)) if by else "All customers"
        color = colors[i % len(colors)]
        ax.step(part["time"], part["survival"], where="post", color=color, label=label, **kwargs)
        if show_interval:
            ax.fill_between(
                part["time"], part["survival_low"], part["survival_high"],
                step="post", color=color, alpha=0.15, lw=0,
            )  # fmt: skip
    ax.axhline(50, color="0.5", lw=0.8, ls=":")
    ax.set(
        title="Subscription survival (Kaplan-Meier)",
        xlabel=f"Time since first payment ({frame.attrs.get('time_unit', 'month')}s)",
        ylabel="% still subscribed",
        ylim=(0, 101),
    )
    ax.legend(fontsize="small", loc="upper right")
    return ax
