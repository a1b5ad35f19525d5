"""Customer-level rates from orders: repeat purchase, loyalty, average order value, CLV.

Each function validates the orders once (:func:`~retention_kit._validation.prepare_orders`),
counts per customer in the frame's own engine and returns a small pandas table, overall or
per segment (``by``), with a Wilson interval on every share. Rates are percentages (0-100).
The formulas on plain numbers these build on are in :mod:`retention_kit.metrics`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from ._arguments import check_non_negative, check_percent
from ._docstrings import fill_doc
from ._frames import Freq, check_freq, collect
from ._validation import (
    AMOUNT,
    CUSTOMER,
    IS_ORDER,
    Duplicates,
    no_positive_orders,
    prepare_orders,
    warn,
    warns_once,
)
from .exceptions import RetentionKitError
from .intervals import MIN_READABLE_N, wilson_interval
from .periods import period_summary

__all__ = ["average_order_value", "clv_summary", "loyal_customer_rate", "repeat_purchase_rate"]


def _customer_counts(
    orders: Any,
    *,
    customer_col: str,
    date_col: str,
    amount_col: str | None,
    order_col: str | None,
    by: str | Sequence[str] | None,
    start: Any,
    end: Any,
    duplicates: Duplicates,
    threshold: int = 1,
) -> tuple[pd.DataFrame, list[str]]:
    """Per segment: customers, repeat customers, loyal customers, orders and revenue."""
    prepared = prepare_orders(
        orders,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        order_col=order_col,
        by=by,
        start=start,
        end=end,
        duplicates=duplicates,
    )
    by_cols = prepared.by
    # Simple aggregations only (sum of precomputed columns), so pandas runs them natively.
    frame = prepared.frame.with_columns(nw.col(IS_ORDER).cast(nw.Int64).alias("orders"))
    sums = ["orders", AMOUNT] if prepared.has_amount else ["orders"]
    per_customer = frame.group_by([CUSTOMER, *by_cols]).agg(nw.col(sums).sum())
    if prepared.has_amount:
        per_customer = per_customer.rename({AMOUNT: "revenue"})
    per_customer = per_customer.with_columns(
        (nw.col("orders") >= 1).cast(nw.Int64).alias("customers"),
        (nw.col("orders") >= 2).cast(nw.Int64).alias("repeat_customers"),
        (nw.col("orders") > threshold).cast(nw.Int64).alias("loyal_customers"),
    )
    totals = ["customers", "repeat_customers", "loyal_customers", "orders"]
    if prepared.has_amount:
        totals.append("revenue")
    if by_cols:
        table = collect(per_customer.group_by(by_cols).agg(nw.col(totals).sum()))
        table = table.sort_values(by_cols)
    else:
        table = collect(per_customer.select(nw.col(totals).sum()))
    if prepared.has_amount:
        if int(table["orders"].sum()) == 0:
            no_positive_orders(amount_col, windowed=start is not None or end is not None)
        empty = table[table["orders"] == 0]
        if by_cols and len(empty):
            shown = ", ".join(
                "(" + ", ".join(f"{c}={v!r}" for c, v in zip(by_cols, row, strict=True)) + ")"
                for row in empty[by_cols].itertuples(index=False)
            )
            warn(
                f"{len(empty)} segment(s) have no order with a positive amount (an order counts "
                f"when its net amount > 0): {shown}. Their rates and AOV are NaN."
            )
    return table.reset_index(drop=True), by_cols


def _rate_table(
    table: pd.DataFrame, by_cols: list[str], count: str, name: str, confidence: float
) -> pd.DataFrame:
    """``count`` as a share of customers (``name``, percent) with its Wilson interval."""
    customers = table["customers"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        table[name] = np.where(customers > 0, table[count] / customers * 100, np.nan)
    table[f"{name}_low"], table[f"{name}_high"] = wilson_interval(
        table[count], table["customers"], confidence=confidence
    )
    table["small_sample"] = table["customers"] < MIN_READABLE_N
    columns = [*by_cols, "customers", count, name, f"{name}_low", f"{name}_high", "small_sample"]
    return table[columns]


@fill_doc
def repeat_purchase_rate(
    orders: Any,
    *,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str | None = None,
    order_col: str | None = None,
    by: str | Sequence[str] | None = None,
    start: Any = None,
    end: Any = None,
    confidence: float = 0.95,
    duplicates: Duplicates = "warn",
) -> pd.DataFrame:
    """Share of customers with two or more orders in the window, with a Wilson interval.

    Parameters
    ----------
    %(orders)s
    %(customer_col)s
    %(date_col)s
    amount_col : str, optional
        Order amount; orders whose net amount is not positive (returns) do not count.
    %(order_col)s
    %(by)s
    start, end : date-like, optional
        Window of order dates (inclusive).
    %(confidence)s
    %(duplicates)s

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``customers``, ``repeat_customers``, ``repeat_purchase_rate``
        (percent), ``repeat_purchase_rate_low``/``_high`` and ``small_sample``.

    Raises
    ------
    %(raises_missing_column)s
    %(raises_null_orders)s
    EmptyDataError
        No rows, no order with a positive net amount in the window (with ``amount_col``), or
        ``start``/``end`` outside the data. A segment whose orders are all returns gets
        a warning and NaN rates.
    RetentionKitError
        A date argument that is not a date, or ``start`` after ``end``, or an unknown option.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c", "c"],
    ...                        "order_date": pd.date_range("2024-01-01", periods=6)})
    >>> repeat_purchase_rate(orders)[["customers", "repeat_customers", "repeat_purchase_rate"]]
       customers  repeat_customers  repeat_purchase_rate
    0          3                 2             66.666667
    """
    table, by_cols = _customer_counts(
        orders,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        order_col=order_col,
        by=by,
        start=start,
        end=end,
        duplicates=duplicates,
    )
    return _rate_table(table, by_cols, "repeat_customers", "repeat_purchase_rate", confidence)


@fill_doc
def loyal_customer_rate(
    orders: Any,
    *,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str | None = None,
    order_col: str | None = None,
    threshold: int = 2,
    by: str | Sequence[str] | None = None,
    start: Any = None,
    end: Any = None,
    confidence: float = 0.95,
    duplicates: Duplicates = "warn",
) -> pd.DataFrame:
    """Share of customers with more than ``threshold`` orders, with a Wilson interval.

    The seed article calls customers with more than two orders loyal (``threshold=2``) and
    leaves the threshold to the business.

    Parameters
    ----------
    %(orders)s
    customer_col, date_col, amount_col, order_col, by, start, end, confidence, duplicates
        As in :func:`repeat_purchase_rate`.
    threshold : int, default 2
        A customer is loyal with strictly more orders than this.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``customers``, ``loyal_customers``, ``loyal_customer_rate``
        (percent), ``loyal_customer_rate_low``/``_high``, ``small_sample``, ``threshold``.

    Raises
    ------
    MissingColumnError, InvalidDataError, EmptyDataError, RetentionKitError
        As in :func:`repeat_purchase_rate`.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c", "c"],
    ...                        "order_date": pd.date_range("2024-01-01", periods=6)})
    >>> loyal_customer_rate(orders)[["customers", "loyal_customers", "loyal_customer_rate"]]
       customers  loyal_customers  loyal_customer_rate
    0          3                1            33.333333
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 0:
        msg = f"threshold={threshold!r} must be a whole number of orders >= 0 (the seed uses 2)."
        raise RetentionKitError(msg)
    table, by_cols = _customer_counts(
        orders,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        order_col=order_col,
        by=by,
        start=start,
        end=end,
        duplicates=duplicates,
        threshold=threshold,
    )
    table = _rate_table(table, by_cols, "loyal_customers", "loyal_customer_rate", confidence)
    return table.assign(threshold=threshold)


@fill_doc
def average_order_value(
    orders: Any,
    *,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    order_col: str | None = None,
    by: str | Sequence[str] | None = None,
    start: Any = None,
    end: Any = None,
    duplicates: Duplicates = "warn",
) -> pd.DataFrame:
    """Average order value, ``revenue / orders``.

    Revenue is net of returns; an order counts when its net amount is positive.

    Parameters
    ----------
    %(orders)s
    customer_col, date_col, amount_col, order_col, by, start, end, duplicates
        As in :func:`repeat_purchase_rate`; ``amount_col`` is required.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``customers``, ``orders``, ``revenue``, ``aov`` and
        ``small_sample`` (fewer than :data:`~retention_kit.MIN_READABLE_N` customers).

    Raises
    ------
    MissingColumnError, InvalidDataError, EmptyDataError, RetentionKitError
        As in :func:`repeat_purchase_rate`: in particular :class:`EmptyDataError` when no
        order has a positive net amount (an AOV of nothing is not 0, nor NaN).

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...                        "order_date": pd.date_range("2024-01-01", periods=3),
    ...                        "amount": [10.0, 30.0, 50.0]})
    >>> average_order_value(orders)
       customers  orders  revenue   aov  small_sample
    0          2       3     90.0  30.0          True
    """
    table, by_cols = _customer_counts(
        orders,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        order_col=order_col,
        by=by,
        start=start,
        end=end,
        duplicates=duplicates,
    )
    orders_n = table["orders"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["aov"] = np.where(orders_n > 0, table["revenue"] / orders_n, np.nan)
    table["small_sample"] = table["customers"] < MIN_READABLE_N
    return table[[*by_cols, "customers", "orders", "revenue", "aov", "small_sample"]]


@fill_doc
@warns_once
def clv_summary(
    orders: Any,
    *,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    order_col: str | None = None,
    by: str | Sequence[str] | None = None,
    freq: Freq = "year",
    gross_margin: float = 100.0,
    acquisition_cost: float = 0.0,
    discount_rate: float = 10.0,
    as_of: Any = None,
    duplicates: Duplicates = "warn",
) -> pd.DataFrame:
    """Every simple CLV formula side by side, overall or per segment, in one time unit.

    ``freq`` is the time unit of everything per period: orders per period, retention and
    churn per period, lifespan in periods, the discount rate per period. Inputs come from
    complete periods only.

    Columns (per segment):

    - ``customers``, ``orders``, ``revenue``, ``aov`` (revenue per order),
      ``repeat_purchase_rate`` (percent);
    - ``periods`` (complete periods observed), ``orders_per_period``, ``arpu`` (revenue per
      active customer per period: revenue over the sum of E);
    - ``retention`` and ``churn`` (percent per period, pooled: sum of retained or lost over
      the sum of S), ``lifespan`` (``100 / churn`` periods, the mean of a geometric lifetime);
    - ``clv_repeat`` = AOV x repeat rate - acquisition cost (seed formula 1);
    - ``clv_lifespan`` = orders per period x AOV x margin x lifespan / customers (seed 2);
    - ``clv_retention_margin`` = m r / (1 + d - r) with m = ARPU x margin;
    - ``clv_arpa_churn`` = ARPU x margin / churn and ``clv_arpu_retention`` =
      ARPU x margin / (1 - retention) (equal whenever churn = 100 - retention, as here);
    - ``unit`` (the ``freq``) and ``small_sample`` (fewer than
      :data:`~retention_kit.MIN_READABLE_N` customers: too few to read the figures).

    Parameters
    ----------
    %(orders)s
    customer_col, date_col, amount_col, order_col, by, duplicates
        As in :func:`repeat_purchase_rate`; ``amount_col`` is required.
    freq : {"day", "week", "month", "quarter", "year"}, default "year"
        Calendar period every per-period figure is measured in (weeks start on Monday).
    gross_margin : float, default 100
        Gross margin, percent of revenue (100 gives revenue-based CLV).
    acquisition_cost : float, default 0
        Cost to acquire a customer, for seed formula 1.
    discount_rate : float, default 10
        Discount rate per period, percent.
    %(as_of)s

    Returns
    -------
    pandas.DataFrame
        One row per segment (one row without ``by``), plus a ``unit`` column.

    Raises
    ------
    MissingColumnError, InvalidDataError, EmptyDataError, RetentionKitError
        As in :func:`~retention_kit.period_summary`, and when no ``freq`` period is
        complete. Each warning is given once per call.

    Examples
    --------
    >>> import retention_kit as rk
    >>> orders = rk.datasets.load_orders(n_customers=500)
    >>> clv = rk.clv_summary(orders, amount_col="amount", by="channel", freq="quarter")
    >>> bool((clv["clv_arpa_churn"] - clv["clv_arpu_retention"]).abs().max() < 1e-6)
    True
    """
    freq = check_freq(freq)  # type: ignore[assignment]
    margin = check_percent(gross_margin, "gross_margin")
    check_percent(discount_rate, "discount_rate", upper=1000, hint=False)
    cac = check_non_negative(acquisition_cost, "acquisition_cost")
    summary = period_summary(
        orders,
        customer_col=customer_col,
        date_col=date_col,
        order_col=order_col,
        amount_col=amount_col,
        by=by,
        freq=freq,
        as_of=as_of,
        duplicates=duplicates,
    )
    if summary.empty:
        msg = f"No complete {freq} in the data: use a shorter freq= or pass as_of=."
        raise RetentionKitError(msg)
    first_period = summary["period"].min()
    last_period = summary["period"].max()
    window = {"start": first_period.start_time, "end": last_period.end_time}
    counts, by_cols = _customer_counts(
        orders,
        customer_col=customer_col,
        date_col=date_col,
        order_col=order_col,
        amount_col=amount_col,
        by=by,
        start=window["start"],
        end=window["end"],
        duplicates=duplicates,
    )
    if by_cols:
        pooled = summary.groupby(by_cols, sort=True)[["S", "E", "retained", "lost"]].sum()
        periods = summary.groupby(by_cols, sort=True).size().rename("periods")
        pooled = pooled.join(periods).reset_index()
        table = counts.merge(pooled, on=by_cols, how="left")
    else:
        table = counts.assign(
            S=summary["S"].sum(),
            E=summary["E"].sum(),
            retained=summary["retained"].sum(),
            lost=summary["lost"].sum(),
            periods=len(summary),
        )

    s = table["S"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["aov"] = table["revenue"] / table["orders"]
        table["repeat_purchase_rate"] = table["repeat_customers"] / table["customers"] * 100
        table["orders_per_period"] = table["orders"] / table["periods"]
        table["arpu"] = table["revenue"] / table["E"]
        table["retention"] = np.where(s > 0, table["retained"] / s * 100, np.nan)
        table["churn"] = np.where(s > 0, table["lost"] / s * 100, np.nan)
        churn = table["churn"].to_numpy(dtype=float) / 100
        retention = table["retention"].to_numpy(dtype=float) / 100
        unit_margin = table["arpu"].to_numpy(dtype=float) * margin / 100
        table["lifespan"] = np.where(churn > 0, 1 / churn, np.nan)
        table["clv_repeat"] = table["aov"] * table["repeat_purchase_rate"] / 100 - cac
        table["clv_lifespan"] = (
            table["orders_per_period"]
            * table["aov"]
            * margin
            / 100
            * table["lifespan"]
            / table["customers"]
        )
        d = discount_rate / 100
        table["clv_retention_margin"] = unit_margin * retention / (1 + d - retention)
        table["clv_arpa_churn"] = np.where(churn > 0, unit_margin / churn, np.nan)
        table["clv_arpu_retention"] = np.where(retention < 1, unit_margin / (1 - retention), np.nan)
    table["unit"] = freq
    table["small_sample"] = table["customers"] < MIN_READABLE_N
    columns = [
        *by_cols,
        "customers",
        "orders",
        "revenue",
        "aov",
        "repeat_purchase_rate",
        "periods",
        "orders_per_period",
        "arpu",
        "retention",
        "churn",
        "lifespan",
        "clv_repeat",
        "clv_lifespan",
        "clv_retention_margin",
        "clv_arpa_churn",
        "clv_arpu_retention",
        "unit",
        "small_sample",
    ]
    return table[columns].reset_index(drop=True)
