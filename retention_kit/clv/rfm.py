"""Recency-frequency-monetary summaries: the input of the models in :mod:`retention_kit.clv`.

Computed in the user's engine (pandas, Polars, DuckDB, ...) with Narwhals group-bys; only
the per-customer result is collected, as pandas.
"""

from __future__ import annotations

from typing import Any

import narwhals as nw
import pandas as pd

from .._arguments import NOT_GIVEN, renamed
from .._docstrings import fill_doc
from .._frames import (
    _EPOCH_ENGINES,
    TimeUnit,
    check_time_unit,
    collect,
    day_number,
    days_per,
    python_period_index,
)
from .._validation import (
    AMOUNT,
    CUSTOMER,
    DATE,
    Duplicates,
    Prepared,
    data_span,
    parse_date_arg,
    prepare_orders,
)
from ..exceptions import EmptyDataError, RetentionKitError

__all__ = ["rfm_summary"]

#: The time units of rfm_summary's recency and T.
_UNITS = ("week", "day")
_DAY = "_rk_day"


def _has_negative(prepared: Prepared) -> bool:
    """Whether any order amount is negative (a return or cancellation).

    Validation counts them already; the count is read from ``prepared`` when it is
    there, else found with one aggregation.
    """
    counted = getattr(prepared, "n_negative", None)
    if counted is not None:
        return bool(counted)
    lowest = collect(prepared.frame.select(nw.col(AMOUNT).min().alias("lo")))["lo"].iloc[0]
    return bool(lowest < 0)


@fill_doc
def rfm_summary(
    orders: Any,
    *,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str | None = None,
    time_unit: TimeUnit = "week",
    as_of: Any = None,
    calibration_end: Any = None,
    duplicates: Duplicates = "warn",
    observation_end: Any = NOT_GIVEN,
) -> pd.DataFrame:
    """Summarise each customer's purchases as frequency, recency, T (and monetary value).

    Purchases are counted by day: all orders of a customer on one calendar day are one
    purchase, and their amounts are added up (returns netted). A day is a purchase when
    its net amount is positive, or when none of its lines is negative (a free, zero-amount
    purchase counts, as in the CDNOW data). A day that nets to zero or less because of
    returns or cancellations, e.g. an order cancelled in full the same day, is not a
    purchase.

    Parameters
    ----------
    orders : DataFrame-like
        Transactions (pandas, Polars, DuckDB relation, ...), one row per order or order line.
    %(customer_col)s
    %(date_col)s
    amount_col : str, optional
        Column with the order amount; adds ``monetary_value``.
    time_unit : {"week", "day"}, default "week"
        Unit of ``recency``, ``T`` and ``duration_holdout``.
    as_of : date-like, optional
        Last day observed (inclusive); default the last order date. Later orders are
        left out.
    calibration_end : date-like, optional
        Last day of the calibration period. Only customers who bought by then are kept; the
        summary is computed on calibration orders and ``frequency_holdout`` /
        ``duration_holdout`` describe ``(calibration_end, as_of]``.
    %(duplicates)s
    observation_end : date-like, optional
        Deprecated: the old name of ``as_of``, accepted with a ``FutureWarning`` for one
        release.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer (index named ``customer_col``), sorted, with columns

        - ``frequency``: repeat purchase days (distinct purchase days minus one);
        - ``recency``: time from the first to the last purchase day;
        - ``T``: time from the first purchase day to the end (of calibration);
        - ``monetary_value``: mean of the repeat purchase days' totals, first purchase
          excluded; 0 when ``frequency`` is 0 (with ``amount_col``);
        - ``frequency_holdout``, ``duration_holdout`` (with ``calibration_end``).

    Raises
    ------
    RetentionKitError
        When ``time_unit`` is unknown, ``as_of``/``calibration_end`` is not a
        date, or ``calibration_end`` is not before ``as_of``.
    InvalidDataError
        When a customer, date or amount is null (or NaN, +-inf), naming the customers.
    EmptyDataError
        When ``as_of``/``calibration_end`` is before the first order, or no
        customer made a purchase by the end of calibration.

    Examples
    --------
    >>> from retention_kit.clv import load_cdnow_sample, rfm_summary
    >>> rfm = rfm_summary(load_cdnow_sample(), date_col="date", amount_col="amount",
    ...                   calibration_end="1997-09-30", duplicates="keep")
    >>> rfm.loc[1].round(2).tolist()
    [2.0, 30.43, 38.86, 22.34, 1.0, 39.0]
    >>> len(rfm), int(rfm["frequency"].sum())
    (2357, 2457)
    """
    as_of = renamed("observation_end", observation_end, "as_of", as_of)
    unit = days_per(check_time_unit(time_unit, _UNITS))
    prepared = prepare_orders(
        orders,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        duplicates=duplicates,
    )
    span = data_span(prepared.min_date, prepared.max_date)
    end_date = parse_date_arg(as_of, "as_of")
    end_date = prepared.max_date if end_date is None else end_date
    end_day = python_period_index(end_date, "day")
    cal_ts = parse_date_arg(calibration_end, "calibration_end")
    cal_day = end_day if cal_ts is None else python_period_index(cal_ts, "day")
    cal_date = pd.Timestamp("1970-01-01") + pd.Timedelta(days=cal_day)
    for arg, day in (("as_of", end_day), ("calibration_end", cal_day)):
        if day < python_period_index(prepared.min_date, "day"):
            value = as_of if arg == "as_of" else calibration_end
            msg = (
                f"{arg}={value!r} is before the first order ({span}): no customer had "
                f"bought by then. Pass a later {arg}=."
            )
            raise EmptyDataError(msg)
    if calibration_end is not None and cal_day >= end_day:
        msg = (
            f"calibration_end ({cal_date.date()}) must be before as_of "
            f"({end_date.date()}); leave calibration_end=None for a summary without holdout."
        )
        raise RetentionKitError(msg)
    has_amount = amount_col is not None

    lf = prepared.frame.with_columns(day_number(DATE, prepared.frame).alias(_DAY))
    if end_day < python_period_index(prepared.max_date, "day"):  # else it keeps every row
        lf = lf.filter(nw.col(_DAY) <= end_day)
    # On dataframe engines (pandas, Polars) a group-by on (customer, day) costs more than
    # everything else together (its two-column key is factorised row by row). Without
    # returns every order day is a purchase day, so there the summary is computed from
    # the orders, counting distinct days. SQL engines (DuckDB, Spark) group on (customer,
    # day) fast, and the smaller table of purchase days then serves both the calibration
    # and the holdout summaries.
    by_order = prepared.frame.implementation in _EPOCH_ENGINES and not (
        has_amount and _has_negative(prepared)
    )
    if not by_order and has_amount:
        # A purchase day nets to a positive spend, or has no negative line (a free
        # purchase, as CDNOW's $0 orders). A day that nets to zero or less because of
        # returns or cancellations (an order cancelled in full the same day) is not a
        # purchase. One row per purchase day.
        days = (
            lf.group_by([CUSTOMER, _DAY])
            .agg(nw.col(AMOUNT).sum(), nw.col(AMOUNT).min().alias("_min"))
            .filter((nw.col(AMOUNT) > 0) | (nw.col("_min") >= 0))
        )
        n_days = nw.len()
    elif not by_order:
        days = lf.select(CUSTOMER, _DAY).unique()
        n_days = nw.len()
    else:
        days = lf
        n_days = nw.col(_DAY).n_unique()

    cal = days if calibration_end is None else days.filter(nw.col(_DAY) <= cal_day)
    aggs = [
        nw.col(_DAY).min().alias("_first"),
        nw.col(_DAY).max().alias("_last"),
        n_days.alias("_n"),
    ]
    if has_amount:
        # spend of the repeat days: every day's total but the first day's, in one pass
        first_day = nw.col(_DAY).min().over(CUSTOMER)
        cal = cal.with_columns(
            nw.when(nw.col(_DAY) > first_day).then(nw.col(AMOUNT)).otherwise(0.0).alias("_rep")
        )
        aggs.append(nw.col("_rep").sum().alias("_rep_sum"))
    stats = cal.group_by(CUSTOMER).agg(aggs)
    columns = [
        nw.col(CUSTOMER),
        (nw.col("_n") - 1).cast(nw.Int64).alias("frequency"),
        ((nw.col("_last") - nw.col("_first")).cast(nw.Float64) / unit).alias("recency"),
        ((cal_day - nw.col("_first")).cast(nw.Float64) / unit).alias("T"),
    ]
    if has_amount:
        columns.append(
            nw.when(nw.col("_n") > 1)
            .then(nw.col("_rep_sum") / (nw.col("_n") - 1).cast(nw.Float64))
            .otherwise(0.0)
            .alias("monetary_value")
        )
    summary = stats.select(columns)
    if calibration_end is not None:
        holdout = (
            days.filter(nw.col(_DAY) > cal_day)
            .group_by(CUSTOMER)
            .agg(n_days.alias("frequency_holdout"))
        )
        summary = summary.join(holdout, on=CUSTOMER, how="left")

    out = collect(summary.sort(CUSTOMER))  # sorted in the engine, not in pandas
    if out.empty:
        msg = (
            f"no customer made a purchase (a day with a net amount >= 0) by the end of "
            f"calibration ({cal_date.date()}; {span}); check calibration_end, date_col="
            f"{date_col!r} and amount_col={amount_col!r}."
        )
        raise EmptyDataError(msg)
    if has_amount:
        out["monetary_value"] = out["monetary_value"].astype(float)
    if calibration_end is not None:
        out["frequency_holdout"] = out["frequency_holdout"].fillna(0).astype("int64")
        out["duration_holdout"] = (end_day - cal_day) / unit
    out = out.rename(columns={CUSTOMER: customer_col}).set_index(customer_col)
    out["frequency"] = out["frequency"].astype("int64")
    return out
