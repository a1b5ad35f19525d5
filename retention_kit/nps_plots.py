"""Plots of NPS tables: NPS with its interval, and detractor / passive / promoter shares.

NPS runs from -100 to 100, shares are percentages (0-100).

The plotting contract is described in :mod:`retention_kit.plotting`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from ._docstrings import fill_doc
from ._plot_helpers import (
    MAX_ROW_LABELS,
    add_interval_entry,
    as_list,
    get_ax,
    interval_band,
    label_text,
    period_axis,
    place_legend,
    require_columns,
    require_frame,
    split_groups,
    tick_step,
)
from ._text import literal
from .exceptions import RetentionKitError
from .intervals import MIN_READABLE_N

__all__ = ["plot_nps", "plot_nps_shares"]

_SHARE_COLUMNS = ("detractor_share", "passive_share", "promoter_share")
_SHARE_COLORS = ("#c0392b", "#a6a6a6", "#27ae60")
_SHARE_NAMES = ("Detractors (0-6)", "Passives (7-8)", "Promoters (9-10)")


@fill_doc
def plot_nps(
    nps_table: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Draw NPS with its confidence interval: over periods, or one bar per segment.

    Parameters
    ----------
    nps_table : pandas.DataFrame
        NPS table with ``n``, ``nps``, ``nps_low``, ``nps_high`` (-100..100), and
        optionally a ``period`` column (``pd.Period``) and segment columns.
    by : str or sequence of str, optional
        Segment column(s). With a ``period`` column: one line per segment; without one:
        one bar per segment.
    %(ax)s
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` (over periods) or
        :meth:`matplotlib.axes.Axes.bar` (per segment).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on. Over periods the interval is a shaded band; per segment it is
        an error bar, the score is written on each bar, and segments with fewer than
        :data:`~retention_kit.intervals.MIN_READABLE_N` answers are hatched.

    Raises
    ------
    RetentionKitError
        If ``nps_table`` is not a non-empty DataFrame, lacks a needed column
        (:class:`~retention_kit.exceptions.MissingColumnError`), or has several rows per
        period (or segment) that ``by`` does not tell apart.

    See Also
    --------
    plot_nps_shares : Detractor, passive and promoter shares as stacked bars.

    Examples
    --------
    >>> import pandas as pd
    >>> nps = pd.DataFrame({
    ...     "plan": ["basic", "pro"], "n": [420, 130], "nps": [12.0, 41.0],
    ...     "nps_low": [5.0, 29.0], "nps_high": [19.0, 53.0],
    ... })
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> ax = plot_nps(nps, by="plan", ax=ax)
    >>> ax.get_xticklabels()[0].get_text().splitlines()
    ['basic', '(n=420)']
    """
    nps_table = require_frame(nps_table, "nps_table", "an NPS table from nps()")
    by_list = as_list(by)
    require_columns(nps_table, "nps_table", ["n", "nps", "nps_low", "nps_high", *by_list])
    ax = get_ax(ax)
    if "period" in nps_table:
        _nps_over_periods(nps_table, by_list, ax, kwargs)
    else:
        _nps_bars(nps_table, by_list, ax, kwargs)
    ax.axhline(0, color="0.4", linewidth=0.8, zorder=0)
    ax.set(ylabel="NPS", ylim=(-100, 100))
    ax.grid(True, axis="y", alpha=0.3)
    return ax


def _nps_over_periods(
    nps_table: pd.DataFrame, by: list[Hashable], ax: Axes, kwargs: dict[str, Any]
) -> None:
    data = nps_table.sort_values("period")
    periods = pd.Index(data["period"].dropna().unique())
    groups = split_groups(data, by, "nps_table")
    colors = sns.color_palette("colorblind", len(groups))
    for color, (segment, part) in zip(colors, groups, strict=True):
        x = periods.get_indexer(part["period"])
        style = {"color": color, "marker": "o", "markersize": 4, "linewidth": 1.8}
        ax.plot(
            x,
            part["nps"].to_numpy(dtype=float, na_value=np.nan),
            label=literal(segment) if segment is not None else "NPS",
            **(style | kwargs),
        )
        interval_band(ax, x, part["nps_low"], part["nps_high"], color)
    handles, labels = ax.get_legend_handles_labels()
    add_interval_entry(handles, labels)
    period_axis(ax, periods, legend_outside=place_legend(ax, handles, labels))
    ax.set(xlabel="Period")


def _nps_bars(
    nps_table: pd.DataFrame, by: list[Hashable], ax: Axes, kwargs: dict[str, Any]
) -> None:
    if not by and len(nps_table) > 1:
        msg = (
            f"nps_table has {len(nps_table)} rows and no 'period' column; pass by= with the "
            f"segment column(s) that name the rows."
        )
        raise RetentionKitError(msg)
    names = (
        [" / ".join(str(v) for v in row) for row in nps_table[by].itertuples(index=False)]
        if by
        else ["All answers"]
    )
    if len(set(names)) < len(names):
        msg = "nps_table has several rows per segment; pass by= with every segment column."
        raise RetentionKitError(msg)
    nps = nps_table["nps"].to_numpy(dtype=float, na_value=np.nan)
    low = nps_table["nps_low"].to_numpy(dtype=float, na_value=np.nan)
    high = nps_table["nps_high"].to_numpy(dtype=float, na_value=np.nan)
    n = nps_table["n"].to_numpy(dtype=float, na_value=np.nan)
    x = np.arange(len(names))
    style = {
        "color": sns.color_palette("colorblind")[0],
        "yerr": np.vstack([nps - low, high - nps]),
        "capsize": 4,
        "error_kw": {"elinewidth": 1.2, "ecolor": "0.25"},
        "width": 0.6,
    }
    bars = ax.bar(x, nps, **(style | kwargs))
    small = n < MIN_READABLE_N
    for bar, is_small in zip(bars, small, strict=True):
        if is_small:
            bar.set_hatch("///")
            bar.set_alpha(0.5)
    for xi, value, top, bottom in zip(x, nps, high, low, strict=True):
        if np.isfinite(value):
            ypos, va = (top + 3, "bottom") if value >= 0 else (bottom - 3, "top")
            ax.text(float(xi), ypos, f"{value:+.0f}", ha="center", va=va, fontsize="small")
    labels = [
        literal(f"{name}\n(n={int(k):,})" if np.isfinite(k) else name)
        for name, k in zip(names, n, strict=True)
    ]
    rotate = sum(len(s) for s in names) > 60
    ax.set_xticks(x, labels, rotation=30 if rotate else 0, ha="right" if rotate else "center")
    if small.any():
        ax.legend(
            handles=[Patch(facecolor="white", edgecolor="0.4", hatch="///")],
            labels=[f"under {MIN_READABLE_N} answers: too few to read"],
            fontsize="small",
            frameon=False,
            loc="lower right",
        )
    ax.set(xlabel=literal(" / ".join(map(str, by))) if by else "", xlim=(-0.6, len(names) - 0.4))


@fill_doc
def plot_nps_shares(
    nps_table: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Draw detractor, passive and promoter shares as horizontal stacked bars.

    Parameters
    ----------
    nps_table : pandas.DataFrame
        NPS table with ``detractor_share``, ``passive_share`` and ``promoter_share``
        (percent, adding up to 100 per row; shares of 1 are read as fractions), and
        optionally ``period``, ``n`` and segment columns. One bar per row, top to bottom
        in table order, labelled by period and/or the ``by`` columns.
    by : str or sequence of str, optional
        Segment column(s) used in the bar labels.
    %(ax)s
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.barh` (called once per answer group).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on, with shares of 6 % or more written on the bars and the legend
        above the plot.

    Raises
    ------
    RetentionKitError
        If a share column is missing, or the shares of a row do not add up to 100.

    See Also
    --------
    plot_nps : NPS itself with its interval.

    Examples
    --------
    >>> import pandas as pd
    >>> nps = pd.DataFrame({
    ...     "plan": ["basic", "pro"], "n": [420, 130], "detractor_share": [30.0, 15.0],
    ...     "passive_share": [28.0, 29.0], "promoter_share": [42.0, 56.0],
    ... })
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> ax = plot_nps_shares(nps, by="plan", ax=ax)
    >>> len(ax.patches)  # two bars times three groups
    6
    """
    nps_table = require_frame(nps_table, "nps_table", "an NPS table from nps()")
    by_list = as_list(by)
    require_columns(nps_table, "nps_table", [*_SHARE_COLUMNS, *by_list])
    ax = get_ax(ax)
    shares = nps_table[list(_SHARE_COLUMNS)].to_numpy(dtype=float, na_value=np.nan)
    totals = shares.sum(axis=1)
    known = np.isfinite(totals)
    if known.any() and np.allclose(totals[known], 1, atol=0.02):
        shares = shares * 100
    elif not np.allclose(totals[known], 100, atol=1.0):
        bad = int(np.flatnonzero(known & ~np.isclose(totals, 100, atol=1.0))[0])
        msg = (
            f"nps_table shares must add up to 100 (percent) in every row; row {bad} adds up "
            f"to {totals[bad]:.2f}. Pass the detractor/passive/promoter shares of nps()."
        )
        raise RetentionKitError(msg)

    parts = []
    if "period" in nps_table:
        parts.append([label_text(p) for p in nps_table["period"]])
    if by_list:
        parts.append([" / ".join(map(str, r)) for r in nps_table[by_list].itertuples(index=False)])
    names = (
        [" · ".join(p) for p in zip(*parts, strict=True)]
        if parts
        else [str(i) for i in nps_table.index]
    )
    if "n" in nps_table:
        names = [
            f"{name} (n={int(k):,})" if pd.notna(k) else name
            for name, k in zip(names, nps_table["n"], strict=True)
        ]
    y = np.arange(len(names))
    left = np.zeros(len(names))
    height = 0.7 if len(names) > 1 else 0.5
    for j, (color, label) in enumerate(zip(_SHARE_COLORS, _SHARE_NAMES, strict=True)):
        width = np.nan_to_num(shares[:, j])
        style: dict[str, Any] = {
            "color": color,
            "height": height,
            "edgecolor": "white",
            "linewidth": 0.8,
        }
        ax.barh(y, width, left=left, label=label, **(style | kwargs))
        size = float(np.clip(200 / max(len(names), 1), 6, 9))
        for yi, w, start in zip(y, width, left, strict=True):
            if w >= 6 and len(names) <= 40:
                ax.text(
                    start + w / 2,
                    float(yi),
                    f"{w:.0f}%",
                    ha="center",
                    va="center",
                    color="white" if j != 1 else "black",
                    fontsize=size,
                )
        left = left + width
    step = 1 if len(names) <= MAX_ROW_LABELS else tick_step(len(names), MAX_ROW_LABELS)
    ax.set_yticks(y[::step], [literal(name) for name in names[::step]])
    ax.legend(
        loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, frameon=False, fontsize="small"
    )
    ax.set(xlabel="Share of answers (%)", xlim=(0, 100), ylim=(len(names) - 0.5, -0.5))
    ax.tick_params(axis="y", length=0)
    return ax
