"""Checking purchase models on a holdout period they did not see.

Split the orders at a calibration date (:func:`calibration_cutoff`), fit on the part before
it (:func:`~retention_kit.customer_value.purchase_history` with ``calibration_end``), then
compare with what happened after it: the repeat purchases of the holdout in total
(:func:`holdout_purchases`) and day by day, cumulated over the whole customer base
(:func:`cumulative_repeat_purchases`, the input of
:func:`~retention_kit.model_plots.plot_cumulative_transactions`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from ._frames import collect, days_per, to_lazy
from ._validation import parse_date_arg, require_columns
from .exceptions import EmptyDataError, RetentionKitError

__all__ = [
    "RepeatPurchases",
    "calibration_cutoff",
    "cumulative_repeat_purchases",
    "holdout_purchases",
]


@dataclass
class RepeatPurchases:
    """Cumulative repeat purchases of a customer base, for :func:`cumulative_repeat_purchases`.

    Attributes
    ----------
    times : numpy.ndarray
        0, 1, 2, ... time units since the first purchase of the first customer, up to the
        last observed day.
    actual : numpy.ndarray
        Repeat purchase days made up to each time (inclusive).
    calibration_end : float
        The calibration end, in time units since ``origin``.
    origin : pandas.Timestamp
        The first customer's first purchase day.
    """

    times: np.ndarray
    actual: np.ndarray
    calibration_end: float
    origin: pd.Timestamp


def calibration_cutoff(
    orders: Any,
    calibration_end: Any = None,
    *,
    share: float = 2 / 3,
    date_col: str = "order_date",
) -> pd.Timestamp:
    """The last day of calibration: the one given, or ``share`` of the way through the data.

    Parameters
    ----------
    orders : DataFrame-like
        Orders in any engine.
    calibration_end : date-like, optional
        The day to use; returned as a day (time of day dropped).
    share : float, default 2/3
        Without ``calibration_end``: the fraction of the days from the first to the last
        order day that calibration covers.
    date_col : str, default "order_date"
        Order date column.

    Returns
    -------
    pandas.Timestamp
        A day at midnight.

    Raises
    ------
    RetentionKitError
        If ``share`` is not between 0 and 1, or ``calibration_end`` is not a date.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"order_date": pd.to_datetime(["2024-01-01 09:30",
    ...                                                      "2024-01-31 18:00"])})
    >>> calibration_cutoff(orders)
    Timestamp('2024-01-21 00:00:00')
    >>> calibration_cutoff(orders, "2024-01-10 12:00")
    Timestamp('2024-01-10 00:00:00')
    """
    given = parse_date_arg(calibration_end, "calibration_end")
    if given is not None:
        return given.normalize()
    if not 0 < share < 1:
        msg = f"share={share!r} must be a fraction of the data between 0 and 1."
        raise RetentionKitError(msg)
    frame = to_lazy(orders, arg="orders")
    require_columns(frame, {"date_col": date_col})
    span = collect(
        frame.select(nw.col(date_col).min().alias("first"), nw.col(date_col).max().alias("last"))
    ).iloc[0]
    first, last = pd.Timestamp(span["first"]).normalize(), pd.Timestamp(span["last"]).normalize()
    return (first + (last - first) * share).normalize()


def holdout_purchases(models: Mapping[str, Any], customers: pd.DataFrame) -> pd.Series:
    """Repeat purchases in the holdout: what the customers did, and what each model expected.

    Parameters
    ----------
    models : mapping of str to fitted purchase model
        E.g. ``{"BG/NBD": bgnbd, "Pareto/NBD": pareto}``, fitted on ``customers``.
    customers : pandas.DataFrame
        ``frequency``, ``recency``, ``T``, ``frequency_holdout`` and ``duration_holdout``
        per customer (:func:`~retention_kit.customer_value.purchase_history` with
        ``calibration_end``).

    Returns
    -------
    pandas.Series
        Named ``repeat purchases in holdout``: ``actual`` (the purchases made), then one
        entry per model name, the sum over customers of
        ``E[Y(duration_holdout) | x, t_x, T]``.

    Examples
    --------
    >>> import pandas as pd
    >>> from retention_kit import BetaGeoModel
    >>> bg = BetaGeoModel()
    >>> bg.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    >>> customers = pd.DataFrame({"frequency": [0, 2], "recency": [0.0, 30.43],
    ...                           "T": [38.86, 38.86], "frequency_holdout": [0, 1],
    ...                           "duration_holdout": [39.0, 39.0]})
    >>> holdout_purchases({"BG/NBD": bg}, customers).round(3).to_dict()
    {'actual': 1.0, 'BG/NBD': 1.421}
    """
    needed = ["frequency", "recency", "T", "frequency_holdout", "duration_holdout"]
    missing = [c for c in needed if c not in getattr(customers, "columns", [])]
    if missing:
        msg = (
            f"holdout_purchases: customers has no column(s) {missing}; pass the summary of "
            f"purchase_history(..., calibration_end=...)."
        )
        raise RetentionKitError(msg)
    f, r, t = customers["frequency"], customers["recency"], customers["T"]
    rows = {"actual": float(customers["frequency_holdout"].sum())}
    for name, model in models.items():
        expected = model.expected_purchases(customers["duration_holdout"].to_numpy(), f, r, t)
        rows[name] = float(np.sum(expected))
    return pd.Series(rows, name="repeat purchases in holdout")


def cumulative_repeat_purchases(
    orders: Any,
    customers: Any = None,
    *,
    calibration_end: Any,
    as_of: Any = None,
    time_unit: str = "week",
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str | None = "amount",
) -> RepeatPurchases:
    """Repeat purchase days of a customer base, cumulated per time unit.

    Purchase days follow :func:`~retention_kit.rfm.rfm_summary`: all orders of a customer on
    one day are one purchase; with ``amount_col`` a day counts when it nets to a positive
    amount or has no negative line (a free purchase). A customer's first purchase day is
    not a repeat purchase.

    Parameters
    ----------
    orders : DataFrame-like
        Orders in any engine.
    customers : iterable of ids, optional
        The customers to follow (e.g. the index of the calibration summary); all when None.
    calibration_end : date-like
        Last day of calibration, returned in time units since the origin.
    as_of : date-like, optional
        Last day observed (default: the last order day of all ``orders``).
    time_unit : {"day", "week", "month", "year"}, default "week"
        Unit of the times.
    customer_col, date_col, amount_col : str
        Columns of ``orders`` (``amount_col=None``: every order day is a purchase).

    Returns
    -------
    RepeatPurchases
        Times, cumulative repeat purchases, the calibration end and the origin.

    Raises
    ------
    EmptyDataError
        If none of the customers made a purchase.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b", "b", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-03",
    ...                                   "2024-01-02", "2024-01-04", "2024-01-05"]),
    ...     "amount": [10.0, 5.0, -5.0, 8.0, 3.0, 4.0]})
    >>> track = cumulative_repeat_purchases(orders, calibration_end="2024-01-03",
    ...                                     time_unit="day")
    >>> track.times.tolist(), track.actual.tolist(), track.calibration_end
    ([0.0, 1.0, 2.0, 3.0, 4.0], [0, 0, 0, 1, 2], 2.0)
    """
    frame = to_lazy(orders, arg="orders")
    require_columns(
        frame, {"customer_col": customer_col, "date_col": date_col, "amount_col": amount_col}
    )
    unit = days_per(time_unit)
    cal = parse_date_arg(calibration_end, "calibration_end")
    if cal is None:
        msg = "calibration_end= is required: the day the models' calibration ends."
        raise RetentionKitError(msg)
    end = parse_date_arg(as_of, "as_of")
    if end is None:
        last = collect(frame.select(nw.col(date_col).max().alias("last")))["last"].iloc[0]
        end = pd.Timestamp(last)
    if customers is not None:
        frame = frame.filter(nw.col(customer_col).is_in(list(customers)))
    day = nw.col(date_col).dt.truncate("1d").alias("_rk_day")
    frame = frame.with_columns(day)
    if amount_col is not None:
        days = (
            frame.group_by(customer_col, "_rk_day")
            .agg(nw.col(amount_col).sum().alias("_sum"), nw.col(amount_col).min().alias("_min"))
            .filter((nw.col("_sum") > 0) | (nw.col("_min") >= 0))
            .select(customer_col, "_rk_day")
        )
    else:
        days = frame.select(customer_col, "_rk_day").unique()
    table = collect(
        days.with_columns(nw.col("_rk_day").min().over(customer_col).alias("_rk_first"))
    )
    if table.empty:
        msg = "cumulative_repeat_purchases: none of the customers made a purchase."
        raise EmptyDataError(msg)
    day_values = pd.to_datetime(table["_rk_day"])
    first_values = pd.to_datetime(table["_rk_first"])
    origin = first_values.min()
    repeats = day_values[day_values > first_values]
    repeat_times = np.sort(((repeats - origin).dt.days / unit).to_numpy())
    end = end.normalize()
    times = np.arange(0, np.floor((end - origin).days / unit) + 1)
    actual = np.searchsorted(repeat_times, times, side="right")
    return RepeatPurchases(
        times=times,
        actual=actual,
        calibration_end=(cal.normalize() - origin).days / unit,
        origin=pd.Timestamp(origin),
    )
