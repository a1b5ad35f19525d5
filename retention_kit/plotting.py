"""Plots of cohort tables, period summaries and NPS tables.

Every function follows one contract: ``plot_<thing>(data, *, ..., ax=None, **kwargs)``
draws on ``ax`` (the current axes, ``plt.gca()``, when ``ax`` is None), passes ``kwargs``
to the one underlying seaborn or matplotlib call, labels the axes with ``ax.set(...)``,
never calls ``plt.show()``, never changes its input, and returns the axes.

Rates are percentages (0-100); NPS runs from -100 to 100. Bad input (not a frame, a
missing column, a wrong shape) raises :class:`~retention_kit.exceptions.RetentionKitError`
saying what was expected.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from ._plot_helpers import as_list as _as_list
from ._plot_helpers import get_ax as _get_ax
from ._plot_helpers import require_columns as _require_columns
from ._plot_helpers import require_frame as _require_frame
from ._text import literal
from .exceptions import RetentionKitError
from .intervals import MIN_READABLE_N

__all__ = [
    "plot_cohort_heatmap",
    "plot_nps",
    "plot_nps_shares",
    "plot_period_metrics",
    "plot_retention_curves",
]

#: ``table.attrs["values"]`` of a cohort table -> what the numbers are (axis/colorbar label).
_VALUE_LABELS = {
    "customers": "Active customers",
    "retention": "Retention (% of cohort)",
    "retention_unbounded": "Unbounded retention (% of cohort)",
    "revenue": "Revenue",
    "cumulative_revenue_per_customer": "Cumulative revenue per customer",
    "nrr": "Net revenue retention (% of first-period MRR)",
    "mrr": "MRR",
}
_PERCENT_VALUES = {"retention", "retention_unbounded", "nrr"}
_FREQ_UNITS = {
    "day": "days",
    "week": "weeks",
    "month": "months",
    "quarter": "quarters",
    "year": "years",
}
_METRIC_LABELS = {
    "crr": "CRR",
    "crr_seed": "CRR (seed formula)",
    "churn": "Churn",
}
#: Beyond this many cohorts or ages the heatmap is drawn without numbers in the cells.
_MAX_ANNOTATED = 24
#: Up to this many rows every cohort gets a y tick label; beyond, labels are thinned.
_MAX_ROW_LABELS = 40
#: Up to this many cohorts the retention curves get one legend entry each.
_MAX_LEGEND_COHORTS = 12
_SHARE_COLUMNS = ("detractor_share", "passive_share", "promoter_share")
_SHARE_COLORS = ("#c0392b", "#a6a6a6", "#27ae60")
_SHARE_NAMES = ("Detractors (0-6)", "Passives (7-8)", "Promoters (9-10)")


# --------------------------------------------------------------------------- helpers


def _label(value: Any) -> str:
    """Readable text for a period or category label ('2024-01', 'week of 2024-01-01')."""
    if isinstance(value, pd.Period):
        if value.freqstr.startswith("W"):
            return f"{value.start_time:%Y-%m-%d}"
        return str(value)
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _thin(n: int, max_labels: int) -> int:
    """Step between labelled ticks so that at most ``max_labels`` are shown."""
    return max(1, math.ceil(n / max_labels))


def _check_cohort_table(table: Any) -> tuple[pd.DataFrame, str | None, np.ndarray]:
    """Validate a wide cohort table; return it, its value kind and its ages."""
    what = "a wide cohort table: cohorts as rows, integer ages 0..K as columns"
    table = _require_frame(table, "table", what)
    ages = np.asarray(table.columns)
    if not (
        pd.api.types.is_integer_dtype(ages)
        or (
            pd.api.types.is_numeric_dtype(ages)
            and np.all(np.isfinite(ages))
            and np.all(ages == np.round(ages))
        )
    ):
        shown = list(table.columns)[:6]
        msg = (
            f"table must have integer ages (periods since acquisition, 0..K) as columns; "
            f"got columns {shown}. Pass the wide cohort table (e.g. from cohort_table()), "
            f"not a long frame."
        )
        raise RetentionKitError(msg)
    non_numeric = [c for c, t in table.dtypes.items() if not pd.api.types.is_numeric_dtype(t)]
    if non_numeric:
        msg = (
            f"table must hold numbers in every age column; columns {non_numeric[:6]} are not "
            f"numeric. Convert them with pd.to_numeric first."
        )
        raise RetentionKitError(msg)
    kind = table.attrs.get("values")
    if kind is not None and kind not in _VALUE_LABELS:
        msg = (
            f"table.attrs['values'] is {kind!r}; expected one of {sorted(_VALUE_LABELS)} "
            f"(or no 'values' attribute)."
        )
        raise RetentionKitError(msg)
    return table, kind, ages.astype(int)


def _age_label(table: pd.DataFrame) -> str:
    unit = _FREQ_UNITS.get(str(table.attrs.get("freq", "")).lower())
    return f"Periods since acquisition ({unit})" if unit else "Periods since acquisition"


def _cohort_sizes(table: pd.DataFrame) -> pd.Series | None:
    sizes = table.attrs.get("cohort_size")
    if sizes is None:
        return None
    if not isinstance(sizes, pd.Series):
        msg = (
            f"table.attrs['cohort_size'] must be a pandas Series of customers per cohort "
            f"(same index as the table); got {type(sizes).__name__}."
        )
        raise RetentionKitError(msg)
    return sizes.reindex(table.index)


def _value_formatter(kind: str | None, values: np.ndarray) -> str:
    finite = values[np.isfinite(values)]
    top = float(np.max(np.abs(finite))) if finite.size else 0.0
    if kind in _PERCENT_VALUES:
        return "{:.0f}%"
    if kind in ("customers", "revenue", "mrr") or top >= 100:
        return "compact" if top >= 100_000 else "{:,.0f}"
    if kind == "cumulative_revenue_per_customer":
        return "{:,.1f}" if top >= 10 else "{:,.2f}"
    return "{:,.3g}"


def _format_value(value: float, fmt: str) -> str:
    if fmt == "compact":
        for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if abs(value) >= size:
                scaled = value / size
                return f"{scaled:.1f}{suffix}" if abs(scaled) < 10 else f"{scaled:.0f}{suffix}"
        return f"{value:.0f}"
    if "{" in fmt:
        return fmt.format(value)
    return format(value, fmt)


# --------------------------------------------------------------------------- cohorts


def plot_cohort_heatmap(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    annot: bool | None = None,
    fmt: str | None = None,
    cmap: str | mpl.colors.Colormap | None = None,
    small_cohort: int | None = None,
    **kwargs: Any,
) -> Axes:
    """Draw a cohort table as a heatmap: cohorts down, ages across.

    Parameters
    ----------
    table : pandas.DataFrame
        Wide cohort table: one row per acquisition cohort (a ``PeriodIndex`` or any
        labels), integer ages ``0..K`` as columns, NaN where a cell cannot be observed
        yet. ``table.attrs["values"]`` (``"retention"``, ``"customers"``, ``"revenue"``...)
        picks the number format and the colorbar label, ``table.attrs["freq"]`` the age
        unit, and ``table.attrs["cohort_size"]`` (a Series of customers per cohort) is
        shown in the row labels as ``"2024-01 (n=312)"``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; the current axes when omitted.
    annot : bool, optional
        Write the value in each observed cell. By default cells are annotated when the
        table has at most 24 cohorts and 24 ages, with a font that shrinks with the
        number of cells. NaN cells are never annotated.
    fmt : str, optional
        Cell format, either ``"{:.1f}%"`` style or a format spec such as ``".1f"``. By
        default ``"{:.0f}%"`` for retention, thousands separators for customers and
        revenue (``"12,345"``, or ``"123k"``/``"1.2M"`` from 100,000 up).
    cmap : str or matplotlib Colormap, optional
        Colormap of the cells, ``"YlGnBu"`` by default.
    small_cohort : int, optional
        Cohorts with fewer customers than this (``table.attrs["cohort_size"]``) are
        washed out, hatched, labelled in grey and noted in a legend. Defaults to
        :data:`retention_kit.intervals.MIN_READABLE_N` (30); ``0`` turns it off.
    **kwargs
        Passed to :func:`seaborn.heatmap` (e.g. ``vmin``, ``vmax``, ``linewidths``).
        For retention tables ``vmax`` defaults to the highest value after age 0, so that
        the 100 % column does not wash out the differences between later ages.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    RetentionKitError
        If ``table`` is not a non-empty DataFrame with integer age columns and numeric
        values, or its ``attrs`` are not as described.

    See Also
    --------
    plot_retention_curves : The same table as one line per cohort.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> cohorts = pd.period_range("2024-01", periods=3, freq="M", name="cohort")
    >>> table = pd.DataFrame(
    ...     [[100.0, 40.0, 31.0], [100.0, 38.0, np.nan], [100.0, np.nan, np.nan]],
    ...     index=cohorts, columns=pd.Index([0, 1, 2], name="age"),
    ... )
    >>> table.attrs = {"values": "retention", "freq": "month",
    ...                "cohort_size": pd.Series([312, 280, 25], index=cohorts)}
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> ax = plot_cohort_heatmap(table, ax=ax)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['2024-01 (n=312)', '2024-02 (n=280)', '2024-03 (n=25)']
    >>> ax.get_xlabel()
    'Periods since acquisition (months)'
    """
    table, kind, ages = _check_cohort_table(table)
    ax = _get_ax(ax)
    values = table.to_numpy(dtype=float, na_value=np.nan)
    n_rows, n_cols = values.shape
    sizes = _cohort_sizes(table)

    if annot is None:
        annot = n_rows <= _MAX_ANNOTATED and n_cols <= _MAX_ANNOTATED
    cell_fmt = fmt if fmt is not None else _value_formatter(kind, values)
    texts = _cell_texts(values, cell_fmt) if annot else None
    label = _VALUE_LABELS.get(kind, "Value") if kind else "Value"
    cbar_kws = {"label": label}
    if kind in _PERCENT_VALUES and "vmax" not in kwargs and n_cols > 1:
        later = values[:, 1:]
        if np.isfinite(later).any() and np.nanmax(later) < np.nanmax(values):
            # Age 0 is 100 % by definition: scale the colours on the later ages.
            kwargs["vmax"] = float(np.nanmax(later))
            kwargs.setdefault("vmin", 0.0)
            cbar_kws["extend"] = "max"
    cbar_kws |= kwargs.pop("cbar_kws", {})
    sns.heatmap(
        values,
        ax=ax,
        cmap=cmap if cmap is not None else "YlGnBu",
        annot=texts if texts is not None else False,
        fmt="",
        cbar_kws=cbar_kws,
        xticklabels=False,
        yticklabels=False,
        **kwargs,
    )

    # Readable sizes from the real cell size in points (the colorbar has taken its share).
    width_in, height_in = ax.get_position().size * ax.figure.get_size_inches()
    cell_w, cell_h = width_in * 72 / n_cols, height_in * 72 / n_rows
    if texts is not None and "annot_kws" not in kwargs:
        size = _annot_size(texts, cell_w, cell_h)
        if size < 6 and fmt is None and kind not in _PERCENT_VALUES and cell_fmt != "compact":
            # Full numbers do not fit: write them short ("19.5k") rather than tiny.
            texts = _cell_texts(values, "compact")
            for text in ax.texts:
                x, y = text.get_position()
                text.set_text(texts[int(y), int(x)])
            size = _annot_size(texts, cell_w, cell_h)
        for text in ax.texts:
            text.set_fontsize(size)

    # Row labels: readable periods, with cohort sizes, thinned beyond 40 rows.
    row_labels = [_label(c) for c in table.index]
    if sizes is not None:
        row_labels = [
            f"{lab} (n={int(n):,})" if pd.notna(n) else lab
            for lab, n in zip(row_labels, sizes, strict=True)
        ]
    tick_size = float(np.clip(cell_h * 0.75, 6, 10))
    step = 1 if n_rows <= _MAX_ROW_LABELS else _thin(n_rows, _MAX_ROW_LABELS)
    rows = np.arange(0, n_rows, step)
    ax.set_yticks(
        rows + 0.5, [literal(row_labels[i]) for i in rows], rotation=0, fontsize=tick_size
    )
    col_step = _thin(n_cols, max(2, int(width_in * 72 / 18)))
    cols = np.arange(0, n_cols, col_step)
    ax.set_xticks(cols + 0.5, [str(ages[j]) for j in cols], rotation=0, fontsize=tick_size)
    ax.tick_params(length=0)

    threshold = MIN_READABLE_N if small_cohort is None else small_cohort
    if sizes is not None and threshold:
        small = (sizes < threshold).to_numpy(dtype=bool, na_value=False)
        _mark_small_cohorts(ax, values, small, threshold)

    ax.set(xlabel=_age_label(table), ylabel="Acquisition cohort")
    return ax


def _cell_texts(values: np.ndarray, fmt: str) -> np.ndarray:
    return np.array(
        [[_format_value(v, fmt) if np.isfinite(v) else "" for v in row] for row in values],
        dtype=object,
    )


def _annot_size(texts: np.ndarray, cell_w: float, cell_h: float) -> float:
    """Font size (points) at which the longest cell text fits its cell."""
    longest = max((len(t) for t in texts.ravel()), default=1)
    return float(np.clip(min(cell_h * 0.5, cell_w / (0.62 * max(longest, 1))), 4.5, 10))


def _mark_small_cohorts(ax: Axes, values: np.ndarray, small: np.ndarray, threshold: int) -> None:
    """Wash out and hatch the observed cells of cohorts below ``threshold`` customers."""
    if not small.any():
        return
    for i in np.flatnonzero(small):
        observed = np.flatnonzero(np.isfinite(values[i]))
        for j in observed:
            ax.add_patch(
                Rectangle((j, i), 1, 1, facecolor="white", alpha=0.65, edgecolor="none", zorder=2)
            )
            ax.add_patch(
                Rectangle(
                    (j, i),
                    1,
                    1,
                    facecolor="none",
                    hatch="///",
                    edgecolor="0.55",
                    linewidth=0,
                    zorder=2.1,
                )
            )
    for text in ax.texts:
        x, y = text.get_position()
        if small[int(y)]:
            text.set_color("0.2")
            text.set_zorder(3)
    for tick in ax.get_yticklabels():
        y = int(tick.get_position()[1])
        if 0 <= y < small.size and small[y]:
            tick.set_color("0.5")
    ax.legend(
        handles=[Patch(facecolor="white", edgecolor="0.55", hatch="///")],
        labels=[f"cohort under {threshold} customers:\ntoo small to read"],
        loc="lower right",
        fontsize="small",
        frameon=False,
    )


def plot_retention_curves(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    cohorts: Sequence[Hashable] | None = None,
    highlight: Hashable | Sequence[Hashable] | None = None,
    mean: bool = True,
    palette: str = "crest",
    **kwargs: Any,
) -> Axes:
    """Draw one retention curve per cohort, coloured by cohort order, with a mean curve.

    Parameters
    ----------
    table : pandas.DataFrame
        Wide cohort table (see :func:`plot_cohort_heatmap`), normally with
        ``attrs["values"] == "retention"``. NaN cells (not yet observable) are skipped.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; the current axes when omitted.
    cohorts : sequence, optional
        Cohorts to draw, as index labels (``pd.Period``) or their text (``"2024-01"``).
        All cohorts by default.
    highlight : label or sequence of labels, optional
        Cohorts drawn thick and opaque, the others thin and faded.
    mean : bool, default True
        Add a bold black mean curve, weighted by ``attrs["cohort_size"]`` when the table
        has it. Each age averages the cohorts observed at that age; ages observed by a
        single cohort get no mean.
    palette : str, default "crest"
        Sequential seaborn palette; older cohorts get the lighter colours.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` for every cohort line.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on. Up to 12 cohorts get a legend entry each; more get a colorbar
        of cohorts (with a few labelled ticks) next to the axes.

    Raises
    ------
    RetentionKitError
        If ``table`` is not a wide cohort table, or ``cohorts``/``highlight`` name a
        cohort the table does not have.

    See Also
    --------
    plot_cohort_heatmap : The same table as a heatmap.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> cohorts = pd.period_range("2024-01", periods=3, freq="M", name="cohort")
    >>> table = pd.DataFrame(
    ...     [[100.0, 40.0, 31.0], [100.0, 38.0, np.nan], [100.0, np.nan, np.nan]],
    ...     index=cohorts, columns=pd.Index([0, 1, 2], name="age"),
    ... )
    >>> table.attrs = {"values": "retention", "freq": "month"}
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> ax = plot_retention_curves(table, highlight="2024-02", ax=ax)
    >>> len(ax.get_lines())  # three cohorts and the mean
    4
    """
    table, kind, ages = _check_cohort_table(table)
    ax = _get_ax(ax)
    text_index = [_label(c) for c in table.index]
    positions = _select_cohorts(table, text_index, cohorts, "cohorts")
    bold = set(_select_cohorts(table, text_index, highlight, "highlight")) if highlight else set()
    values = table.to_numpy(dtype=float, na_value=np.nan)
    colors = sns.color_palette(palette, len(positions))
    legend_each = len(positions) <= _MAX_LEGEND_COHORTS

    handles: list[Any] = []
    for color, i in zip(colors, positions, strict=True):
        observed = np.isfinite(values[i])
        style: dict[str, Any] = {"color": color, "linewidth": 1.6}
        if bold:
            style |= (
                {"linewidth": 2.8, "alpha": 1.0, "zorder": 3}
                if i in bold
                else {"linewidth": 1.0, "alpha": 0.35}
            )
        (line,) = ax.plot(
            ages[observed], values[i, observed], label=literal(text_index[i]), **(style | kwargs)
        )
        if legend_each or i in bold:
            handles.append(line)

    if mean and len(positions) > 1:
        sizes = _cohort_sizes(table)
        sub = values[positions]
        weights = (
            np.ones_like(sub)
            if sizes is None
            else np.broadcast_to(
                sizes.to_numpy(dtype=float, na_value=np.nan)[positions, None], sub.shape
            )
        )
        ok = np.isfinite(sub) & np.isfinite(weights)
        total = np.where(ok, weights, 0.0).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            avg = np.where(ok, sub * weights, 0.0).sum(axis=0) / total
        # An age seen by a single cohort is that cohort, not a mean: stop before it.
        keep = ok.sum(axis=0) >= 2
        name = "Mean (weighted by cohort size)" if sizes is not None else "Mean of cohorts"
        (line,) = ax.plot(ages[keep], avg[keep], color="black", linewidth=3.2, label=name, zorder=4)
        handles.append(line)

    if not legend_each:
        cmap = ListedColormap(colors)
        norm = BoundaryNorm(np.arange(len(positions) + 1) - 0.5, cmap.N)
        mappable = mpl.cm.ScalarMappable(norm=norm, cmap=cmap)
        cbar = ax.figure.colorbar(mappable, ax=ax, pad=0.02, fraction=0.05)
        ticks = np.unique(np.linspace(0, len(positions) - 1, 6).round().astype(int))
        cbar.set_ticks(ticks, labels=[literal(text_index[positions[t]]) for t in ticks])
        cbar.ax.tick_params(labelsize="small", length=0)
        cbar.ax.invert_yaxis()
        cbar.set_label("Acquisition cohort")
    if handles:
        ax.legend(
            handles=handles,
            title="Cohort" if legend_each else None,
            fontsize="small",
            ncols=2 if len(handles) > 7 else 1,
            loc="upper right",
            frameon=False,
        )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ylabel = _VALUE_LABELS.get(kind, "Retention (% of cohort)") if kind else "Retention (%)"
    if kind is None or kind in _PERCENT_VALUES:
        ax.set(ylim=(0, 105))
    ax.set(xlabel=_age_label(table), ylabel=ylabel, xlim=(ages.min(), ages.max()))
    ax.grid(True, alpha=0.3)
    return ax


def _select_cohorts(
    table: pd.DataFrame,
    text_index: list[str],
    wanted: Hashable | Sequence[Hashable] | None,
    arg: str,
) -> list[int]:
    """Row positions of the cohorts named by ``wanted`` (labels or their text)."""
    if wanted is None:
        return list(range(len(table)))
    positions = []
    for item in _as_list(wanted):
        matches = [i for i, lab in enumerate(table.index) if lab == item] or [
            i for i, text in enumerate(text_index) if text == _label(item)
        ]
        if not matches:
            shown = ", ".join(text_index[:3] + ["..."] + text_index[-2:])
            msg = f"{arg}: no cohort {item!r} in the table; cohorts are {shown}."
            raise RetentionKitError(msg)
        positions.extend(matches)
    return sorted(set(positions))


# --------------------------------------------------------------------------- periods


def _period_axis(ax: Axes, periods: pd.Index, *, legend_outside: bool) -> None:
    """Label positions ``0..n-1`` with readable periods, as many as fit without overlap."""
    labels = [_label(p) for p in periods]
    width_pts = ax.get_position().width * ax.figure.get_size_inches()[0] * 72
    if legend_outside:
        width_pts *= 0.7  # the legend beside the axes will take its share
    longest = max((len(t) for t in labels), default=1)
    fits = max(2, int(width_pts / (longest * 6.5 + 16)))
    needed = _thin(len(periods), fits)
    # Round steps (quarters, half-years, years for monthly data) read better.
    step = next((s for s in (1, 2, 3, 4, 6, 12, 24) if s >= needed), needed)
    ticks = np.arange(0, len(periods), step)
    ax.set_xticks(ticks, [literal(labels[i]) for i in ticks])
    ax.set_xlim(-0.5, len(periods) - 0.5)


def _legend(ax: Axes, handles: list[Any], labels: list[str]) -> bool:
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


def _groups(
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
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; the current axes when omitted.
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
    summary = _require_frame(summary, "summary", "a period summary from period_summary()")
    metric_list = [str(m) for m in _as_list(metrics)]
    if not metric_list:
        msg = "metrics is empty; pass at least one column name, e.g. metrics=('crr', 'churn')."
        raise RetentionKitError(msg)
    by_list = _as_list(by)
    _require_columns(summary, "summary", ["period", *metric_list, *by_list])
    ax = _get_ax(ax)
    data = summary.sort_values("period")
    periods = pd.Index(data["period"].dropna().unique())
    groups = _groups(data, by_list, "summary")
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
                ax.fill_between(
                    x,
                    part[low].to_numpy(dtype=float, na_value=np.nan),
                    part[high].to_numpy(dtype=float, na_value=np.nan),
                    color=color,
                    alpha=0.18,
                    linewidth=0,
                    label="_interval",
                )

    handles, labels = ax.get_legend_handles_labels()
    if show_interval and any(f"{m}_low" in summary and f"{m}_high" in summary for m in metric_list):
        handles.append(Patch(facecolor="0.5", alpha=0.3))
        labels.append("95% interval")
    if any_incomplete:
        handles.append(
            Line2D([], [], color="0.3", linestyle="--", marker="o", markerfacecolor="white")
        )
        labels.append("incomplete period")
    _period_axis(ax, periods, legend_outside=_legend(ax, handles, labels))
    ylabel = f"{_METRIC_LABELS.get(metric_list[0], metric_list[0])} (%)"
    ax.set(
        xlabel="Period",
        ylabel=literal(ylabel) if len(metric_list) == 1 else "Rate (%)",
        ylim=(0, 100),
    )
    ax.grid(True, axis="y", alpha=0.3)
    return ax


# --------------------------------------------------------------------------- NPS


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
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; the current axes when omitted.
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
    nps_table = _require_frame(nps_table, "nps_table", "an NPS table from nps()")
    by_list = _as_list(by)
    _require_columns(nps_table, "nps_table", ["n", "nps", "nps_low", "nps_high", *by_list])
    ax = _get_ax(ax)
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
    groups = _groups(data, by, "nps_table")
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
        ax.fill_between(
            x,
            part["nps_low"].to_numpy(dtype=float, na_value=np.nan),
            part["nps_high"].to_numpy(dtype=float, na_value=np.nan),
            color=color,
            alpha=0.18,
            linewidth=0,
            label="_interval",
        )
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Patch(facecolor="0.5", alpha=0.3))
    labels.append("95% interval")
    _period_axis(ax, periods, legend_outside=_legend(ax, handles, labels))
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
            ax.text(xi, ypos, f"{value:+.0f}", ha="center", va=va, fontsize="small")
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
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; the current axes when omitted.
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
    nps_table = _require_frame(nps_table, "nps_table", "an NPS table from nps()")
    by_list = _as_list(by)
    _require_columns(nps_table, "nps_table", [*_SHARE_COLUMNS, *by_list])
    ax = _get_ax(ax)
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
        parts.append([_label(p) for p in nps_table["period"]])
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
        style = {"color": color, "height": height, "edgecolor": "white", "linewidth": 0.8}
        ax.barh(y, width, left=left, label=label, **(style | kwargs))
        size = float(np.clip(200 / max(len(names), 1), 6, 9))
        for yi, w, start in zip(y, width, left, strict=True):
            if w >= 6 and len(names) <= 40:
                ax.text(
                    start + w / 2,
                    yi,
                    f"{w:.0f}%",
                    ha="center",
                    va="center",
                    color="white" if j != 1 else "black",
                    fontsize=size,
                )
        left = left + width
    step = 1 if len(names) <= _MAX_ROW_LABELS else _thin(len(names), _MAX_ROW_LABELS)
    ax.set_yticks(y[::step], [literal(name) for name in names[::step]])
    ax.legend(
        loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, frameon=False, fontsize="small"
    )
    ax.set(xlabel="Share of answers (%)", xlim=(0, 100), ylim=(len(names) - 0.5, -0.5))
    ax.tick_params(axis="y", length=0)
    return ax
