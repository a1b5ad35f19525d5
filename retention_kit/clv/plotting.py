"""Diagnostic plots of the fitted buy-till-you-die models of :mod:`retention_kit.clv`.

One contract, as in :mod:`retention_kit.plotting`: ``plot_<thing>(model, ..., ax=None,
**kwargs) -> Axes`` draws on ``ax`` (``plt.gca()`` when None), passes ``kwargs`` to the
call that draws the model (its line, or its image for the matrices), labels with
``ax.set(...)``, never calls ``plt.show()`` and returns the axes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from .._plot_helpers import get_ax as _get_ax
from ..exceptions import NotFittedError, RetentionKitError
from ._checks import customer_inputs
from .beta_geo import BetaGeoModel
from .pareto_nbd import ParetoNBDModel
from .shifted_beta_geo import ShiftedBetaGeoModel

__all__ = [
    "plot_calibration_holdout",
    "plot_cumulative_transactions",
    "plot_frequency_recency_matrix",
    "plot_probability_alive_matrix",
    "plot_sbg_projection",
]

Purchases = BetaGeoModel | ParetoNBDModel


def _require(model: Any, kind: type | tuple[type, ...], what: str) -> None:
    """Check the model type and that it is fitted."""
    if not isinstance(model, kind):
        msg = f"model must be a fitted {what}, got {type(model).__name__}."
        raise RetentionKitError(msg)
    if not hasattr(model, "params_"):
        msg = f"this {type(model).__name__} is not fitted yet: call fit(...) before plotting."
        raise NotFittedError(msg)


def plot_calibration_holdout(
    model: Purchases,
    frequency: ArrayLike | pd.DataFrame,
    recency: ArrayLike | None = None,
    T: ArrayLike | None = None,
    frequency_holdout: ArrayLike | None = None,
    duration_holdout: ArrayLike | None = None,
    *,
    n_bins: int = 7,
    ax: Axes | None = None,
    frequency_col: str = "frequency",
    recency_col: str = "recency",
    T_col: str = "T",
    frequency_holdout_col: str = "frequency_holdout",
    duration_holdout_col: str = "duration_holdout",
    **kwargs: Any,
) -> Axes:
    """Plot actual and predicted holdout purchases by calibration frequency.

    Customers are grouped by their calibration repeat purchases ``0, 1, ..., n_bins - 1``
    (the last group holds ``n_bins - 1`` or more); the plot shows each group's average
    holdout purchases and the model's average conditional expectation.

    Parameters
    ----------
    model : BetaGeoModel or ParetoNBDModel
        Fitted purchase model.
    frequency, recency, T : array-like, or the customer summary frame
        Calibration summaries: five arrays (with the two below), or the frame of
        :func:`~retention_kit.clv.rfm_summary` with ``calibration_end`` alone.
    frequency_holdout : array-like, optional
        With arrays: repeat purchases in the holdout period.
    duration_holdout : float or array-like, optional
        With arrays: length of the holdout period, in the unit of ``T``.
    n_bins : int, default 7
        Number of frequency groups.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    frequency_col, recency_col, T_col, frequency_holdout_col, duration_holdout_col : str
        With a frame: its columns.
    **kwargs
        Passed to ``ax.plot`` of the model line.

    Returns
    -------
    matplotlib.axes.Axes
        Lines labelled "Actual" and "Model".

    Examples
    --------
    >>> from retention_kit.clv import (BetaGeoModel, load_cdnow_sample,
    ...                                plot_calibration_holdout, rfm_summary)
    >>> rfm = rfm_summary(load_cdnow_sample(), date_col="date", amount_col="amount",
    ...                   calibration_end="1997-09-30", duplicates="keep")
    >>> m = BetaGeoModel().fit(rfm)
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> ax = plot_calibration_holdout(m, rfm, ax=ax)
    >>> [line.get_label() for line in ax.get_lines()]
    ['Actual', 'Model']
    """
    _require(model, (BetaGeoModel, ParetoNBDModel), "BetaGeoModel or ParetoNBDModel")
    if not (isinstance(n_bins, int) and n_bins >= 2):
        msg = f"n_bins must be an integer >= 2, got {n_bins!r}."
        raise RetentionKitError(msg)
    frequency, recency, T, frequency_holdout, duration_holdout = customer_inputs(
        frequency,
        {
            "recency": recency,
            "T": T,
            "frequency_holdout": frequency_holdout,
            "duration_holdout": duration_holdout,
        },
        {
            "frequency_col": frequency_col,
            "recency_col": recency_col,
            "T_col": T_col,
            "frequency_holdout_col": frequency_holdout_col,
            "duration_holdout_col": duration_holdout_col,
        },
        call="plot_calibration_holdout(model, frequency, recency, T, frequency_holdout, "
        "duration_holdout)",
    )
    x = np.asarray(frequency, dtype=float)
    predicted = np.asarray(
        model.expected_purchases(duration_holdout, frequency, recency, T), dtype=float
    )
    actual = np.broadcast_to(np.asarray(frequency_holdout, dtype=float), predicted.shape)
    groups = np.minimum(np.broadcast_to(x, predicted.shape), n_bins - 1).astype(int)
    table = (
        pd.DataFrame({"group": groups, "Actual": actual, "Model": predicted})
        .groupby("group")[["Actual", "Model"]]
        .mean()
    )
    ax = _get_ax(ax)
    ax.plot(table.index, table["Actual"], marker="o", label="Actual")
    ax.plot(table.index, table["Model"], **{"marker": "s", "label": "Model", **kwargs})
    ticks = list(range(n_bins))
    ax.set_xticks(ticks, [str(k) for k in ticks[:-1]] + [f"{n_bins - 1}+"])
    ax.set(
        xlabel="Purchases in calibration period",
        ylabel="Average purchases in holdout period",
        title="Actual vs model-predicted holdout purchases",
    )
    ax.legend()
    return ax


def plot_cumulative_transactions(
    model: Purchases,
    times: ArrayLike,
    actual: ArrayLike | None = None,
    *,
    calibration_end: float | None = None,
    birth_times: ArrayLike | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Plot the tracking curve: cumulative repeat purchases of the cohort over time.

    Parameters
    ----------
    model : BetaGeoModel or ParetoNBDModel
        Fitted purchase model.
    times : array-like of float
        Times since the cohort's first possible purchase, in the unit of the data.
    actual : array-like of float, optional
        Observed cumulative repeat purchases at ``times``.
    calibration_end : float, optional
        Draw a vertical line at the end of calibration.
    birth_times : array-like of float, optional
        Customers' first-purchase times; default the calibration customers.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    **kwargs
        Passed to ``ax.plot`` of the model line.

    Returns
    -------
    matplotlib.axes.Axes
        Lines "Model", optionally "Actual" and "End of calibration".
    """
    _require(model, (BetaGeoModel, ParetoNBDModel), "BetaGeoModel or ParetoNBDModel")
    tt = np.asarray(times, dtype=float)
    expected = model.expected_repeat_purchases_population(tt, birth_times=birth_times)
    ax = _get_ax(ax)
    if actual is not None:
        observed = np.asarray(actual, dtype=float)
        if observed.shape != tt.shape:
            msg = f"actual must have one value per time ({tt.size}), got shape {observed.shape}."
            raise RetentionKitError(msg)
        ax.plot(tt, observed, label="Actual")
    ax.plot(tt, expected, **{"linestyle": "--", "label": "Model", **kwargs})
    if calibration_end is not None:
        ax.axvline(calibration_end, color="grey", linestyle=":", label="End of calibration")
    ax.set(xlabel="Time", ylabel="Cumulative repeat purchases", title="Tracking cumulative sales")
    ax.legend()
    return ax


def _matrix(
    model: Purchases, T: float | None, max_frequency: int | None, max_recency: float | None
) -> tuple[np.ndarray, np.ndarray, float]:
    big_t = float(model.calibration_T_.max()) if T is None else float(T)
    top_f = int(model.calibration_frequency_.max()) if max_frequency is None else max_frequency
    top_r = big_t if max_recency is None else float(max_recency)
    if top_r > big_t:
        msg = f"max_recency ({top_r}) cannot exceed T ({big_t})."
        raise RetentionKitError(msg)
    freqs = np.arange(0, top_f + 1, dtype=float)
    recs = np.linspace(0.0, top_r, 50)
    f_grid, r_grid = np.meshgrid(freqs, recs, indexing="ij")
    r_grid = np.where(f_grid == 0, 0.0, r_grid)
    return f_grid, r_grid, big_t


def _draw_matrix(
    model: Purchases,
    grid: tuple[float | None, int | None, float | None],
    predict: Callable[[np.ndarray, np.ndarray, float], Any],
    ax: Axes | None,
    label: str,
    title: str,
    kwargs: dict,
) -> Axes:
    """Evaluate ``predict(frequency, recency, T)`` on the :func:`_matrix` grid and draw it.

    ``title`` may name the grid's ``T`` as ``{T:g}``.
    """
    _require(model, (BetaGeoModel, ParetoNBDModel), "BetaGeoModel or ParetoNBDModel")
    f_grid, r_grid, big_t = _matrix(model, *grid)
    values = np.asarray(predict(f_grid.ravel(), r_grid.ravel(), big_t)).reshape(f_grid.shape)
    top_f, top_r = int(f_grid.shape[0]) - 1, float(r_grid.max())
    ax = _get_ax(ax)
    image = ax.imshow(
        values,
        **{
            "origin": "lower",
            "aspect": "auto",
            "cmap": "viridis",
            "extent": (0.0, top_r, -0.5, top_f + 0.5),
            **kwargs,
        },
    )
    ax.figure.colorbar(image, ax=ax, label=label)
    ax.set(xlabel="Recency (time of last purchase)", ylabel="Frequency (repeat purchases)")
    ax.set(title=title.format(T=big_t))
    return ax


def plot_probability_alive_matrix(
    model: Purchases,
    *,
    T: float | None = None,
    max_frequency: int | None = None,
    max_recency: float | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Plot ``P(alive)`` over a grid of frequency and recency at a given ``T``.

    Parameters
    ----------
    model : BetaGeoModel or ParetoNBDModel
        Fitted purchase model.
    T : float, optional
        Customers' age; default the longest calibration ``T``.
    max_frequency : int, optional
        Highest frequency shown; default the highest in calibration.
    max_recency : float, optional
        Highest recency shown; default ``T``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    **kwargs
        Passed to ``ax.imshow``.

    Returns
    -------
    matplotlib.axes.Axes
        One image with a colour bar.
    """
    return _draw_matrix(
        model,
        (T, max_frequency, max_recency),
        lambda f, r, big_t: model.probability_alive(f, r, big_t),
        ax,
        "Probability alive",
        "Probability alive at T = {T:g}",
        kwargs,
    )


def plot_frequency_recency_matrix(
    model: Purchases,
    *,
    t: float = 1.0,
    T: float | None = None,
    max_frequency: int | None = None,
    max_recency: float | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Plot expected purchases in the next ``t`` over a grid of frequency and recency.

    Parameters
    ----------
    model : BetaGeoModel or ParetoNBDModel
        Fitted purchase model.
    t : float, default 1.0
        Length of the future period.
    T, max_frequency, max_recency, ax, **kwargs
        As in :func:`plot_probability_alive_matrix`.

    Returns
    -------
    matplotlib.axes.Axes
        One image with a colour bar.
    """
    return _draw_matrix(
        model,
        (T, max_frequency, max_recency),
        lambda f, r, big_t: model.expected_purchases(t, f, r, big_t),
        ax,
        f"Expected purchases in next {t:g}",
        f"Expected purchases in the next {t:g}, T = {{T:g}}",
        kwargs,
    )


def plot_sbg_projection(
    model: ShiftedBetaGeoModel,
    survival: ArrayLike | None = None,
    *,
    periods: int | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Plot a cohort's survival curve and the sBG model's projection.

    Parameters
    ----------
    model : ShiftedBetaGeoModel
        Fitted model.
    survival : array-like of float, optional
        Observed customers alive at periods 0, 1, ... (counts or percent; shown as
        percent of period 0), including periods after calibration.
    periods : int, optional
        Last period projected; default the longer of the observed curve and twice the
        calibration periods.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on.
    **kwargs
        Passed to ``ax.plot`` of the model line.

    Returns
    -------
    matplotlib.axes.Axes
        Lines "Model", "End of calibration" and, with ``survival``, "Actual".

    Examples
    --------
    >>> from retention_kit.clv import ShiftedBetaGeoModel, plot_sbg_projection
    >>> from retention_kit.clv import sbg_survival_tables
    >>> curve = sbg_survival_tables()["regular"]
    >>> model = ShiftedBetaGeoModel().fit(curve.loc[:7])
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> ax = plot_sbg_projection(model, curve, ax=ax)
    >>> [line.get_label() for line in ax.get_lines()]
    ['Actual', 'Model', 'End of calibration']
    """
    _require(model, ShiftedBetaGeoModel, "ShiftedBetaGeoModel")
    ax = _get_ax(ax)
    observed = None
    if survival is not None:
        observed = np.asarray(survival, dtype=float)
        if observed.ndim != 1 or observed.size < 1 or observed[0] <= 0:
            msg = "survival must be a 1-D curve whose first value (period 0) is > 0."
            raise RetentionKitError(msg)
        observed = 100.0 * observed / observed[0]
    last = periods
    if last is None:
        last = max(2 * model.n_periods_, 0 if observed is None else observed.size - 1)
    grid = np.arange(0, int(last) + 1)
    if observed is not None:
        ax.plot(np.arange(observed.size), observed, marker="o", label="Actual")
    ax.plot(grid, model.survival(grid), **{"linestyle": "--", "label": "Model", **kwargs})
    ax.axvline(model.n_periods_, color="grey", linestyle=":", label="End of calibration")
    ax.set(xlabel="Period", ylabel="% still active", title="sBG survival projection")
    ax.set_ylim(0, 105)
    ax.legend()
    return ax
