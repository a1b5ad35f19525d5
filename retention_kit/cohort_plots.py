"""Plots of wide cohort tables: the cohort heatmap and one retention curve per cohort.

Rates are percentages (0-100).

The plotting contract is described in :mod:`retention_kit.plotting`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from ._docstrings import fill_doc
from ._plot_helpers import (
    MAX_ROW_LABELS,
    as_list,
    axes_inches,
    format_value,
    get_ax,
    label_text,
    require_frame,
    tick_step,
)
from ._text import literal
from .exceptions import RetentionKitError
from .intervals import MIN_READABLE_N

__all__ = ["plot_cohort_heatmap", "plot_retention_curves"]

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
#: Beyond this many cohorts or ages the heatmap is drawn without numbers in the cells.
_MAX_ANNOTATED = 24
#: Up to this many cohorts the retention curves get one legend entry each.
_MAX_LEGEND_COHORTS = 12


def _check_cohort_table(table: Any) -> tuple[pd.DataFrame, str | None, np.ndarray]:
    """Validate a wide cohort table; return it, its value kind and its ages."""
    what = "a wide cohort table: cohorts as rows, integer ages 0..K as columns"
    table = require_frame(table, "table", what)
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


@fill_doc
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
    %(ax)s
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
    ax = get_ax(ax)
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
    width_in, height_in = axes_inches(ax)
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
    row_labels = [label_text(c) for c in table.index]
    if sizes is not None:
        row_labels = [
            f"{lab} (n={int(n):,})" if pd.notna(n) else lab
            for lab, n in zip(row_labels, sizes, strict=True)
        ]
    tick_size = float(np.clip(cell_h * 0.75, 6, 10))
    step = 1 if n_rows <= MAX_ROW_LABELS else tick_step(n_rows, MAX_ROW_LABELS)
    rows = np.arange(0, n_rows, step)
    ax.set_yticks(
        rows + 0.5, [literal(row_labels[i]) for i in rows], rotation=0, fontsize=tick_size
    )
    col_step = tick_step(n_cols, max(2, int(width_in * 72 / 18)))
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
        [[format_value(v, fmt) if np.isfinite(v) else "" for v in row] for row in values],
        dtype=object,
    )


def _annot_size(texts: np.ndarray, cell_w: float, cell_h: float) -> float:
    """Font size (points) at which the longest cell text fits its cell."""
    longest = max((len(t) for t in texts.ravel()), default=1)
    return float(np.clip(min(cell_h * 0.5, cell_w / (0.62 * max(longest, 1))), 4.5, 10))


_SMALL_COHORT_LAYERS: tuple[dict[str, Any], ...] = (
    {"facecolor": "white", "alpha": 0.65, "edgecolor": "none", "zorder": 2},
    {"facecolor": "none", "hatch": "///", "edgecolor": "0.55", "linewidth": 0, "zorder": 2.1},
)


def _mark_small_cohorts(ax: Axes, values: np.ndarray, small: np.ndarray, threshold: int) -> None:
    """Wash out and hatch the observed cells of cohorts below ``threshold`` customers."""
    if not small.any():
        return
    for i in np.flatnonzero(small):
        observed = np.flatnonzero(np.isfinite(values[i]))
        for j in observed:
            for style in _SMALL_COHORT_LAYERS:  # a white wash, then the hatching over it
                ax.add_patch(Rectangle((float(j), float(i)), 1, 1, **style))
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


@fill_doc
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
    %(ax)s
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
    ax = get_ax(ax)
    text_index = [label_text(c) for c in table.index]
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
        cbar.set_ticks(ticks.tolist(), labels=[literal(text_index[positions[t]]) for t in ticks])
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
    for item in as_list(wanted):
        matches = [i for i, lab in enumerate(table.index) if lab == item] or [
            i for i, text in enumerate(text_index) if text == label_text(item)
        ]
        if not matches:
            shown = ", ".join(text_index[:3] + ["..."] + text_index[-2:])
            msg = f"{arg}: no cohort {item!r} in the table; cohorts are {shown}."
            raise RetentionKitError(msg)
        positions.extend(matches)
    return sorted(set(positions))
