"""Revenue per calendar period: what the report's revenue chart shows.

Revenue is net of returns, computed in the user's engine; one row per complete period
comes back.
"""

from __future__ import annotations

from typing import Any

import narwhals as nw
import pandas as pd

from ._frames import Freq, check_freq, collect, is_complete, period_index, to_periods
from ._validation import (
    AMOUNT,
    CUSTOMER,
    DATE,
    IS_ORDER,
    PERIOD,
    Duplicates,
    no_positive_orders,
    prepare_orders,
    resolve_as_of,
)

__all__ = ["revenue_by_period"]


def revenue_by_period(
    orders: Any,
    *,
    freq: Freq = "month",
    as_of: Any = None,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    order_col: str | None = None,
    duplicates: Duplicates = "warn",
) -> pd.DataFrame:
    """Revenue, orders, buying customers and AOV of each complete calendar period.

    Revenue is net of returns; an order counts when its net amount is positive (as in
    :func:`~retention_kit.average_order_value`, whose figures for one period these are).

    Parameters
    ----------
    orders : DataFrame-like
        One row per order or order line.
    freq : {"day", "week", "month", "quarter", "year"}, default "month"
        Period length.
    as_of : date-like, optional
        Date the data runs to (default: the last order); later, incomplete periods are
        left out.
    customer_col, date_col, amount_col, order_col : str
        Columns of ``orders``.
    duplicates : {"warn", "drop", "keep", "error"}, default "warn"
        What to do with exact duplicate rows (see :func:`~retention_kit.period_summary`).

    Returns
    -------
    pandas.DataFrame
        Columns ``period`` (pandas Period), ``revenue``, ``orders``, ``customers``
        (customers with an order) and ``aov`` (NaN in a period without an order with a
        positive amount; :class:`EmptyDataError` when no period has one).

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "customer_id": ["a", "b", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-02-03",
    ...                                   "2024-02-28"]),
    ...     "amount": [10.0, 30.0, 25.0, 5.0]})
    >>> revenue_by_period(orders, as_of="2024-02-29")
        period  revenue  orders  customers   aov
    0  2024-01     40.0       2          2  20.0
    1  2024-02     30.0       2          2  15.0
    """
    freq = check_freq(freq)  # type: ignore[assignment]
    prepared = prepare_orders(
        orders,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        order_col=order_col,
        duplicates=duplicates,
    )
    # Aggregated in the engine: only one row per period comes back.
    frame = prepared.frame.with_columns(
        period_index(DATE, freq, prepared.frame).alias(PERIOD),
        nw.col(IS_ORDER).cast(nw.Int64).alias("orders"),
    )
    sums = collect(
        frame.group_by(PERIOD).agg(nw.col(AMOUNT).sum().alias("revenue"), nw.col("orders").sum())
    )
    buyers = collect(
        frame.filter(nw.col(IS_ORDER))
        .select(CUSTOMER, PERIOD)
        .unique()
        .group_by(PERIOD)
        .agg(nw.len().alias("customers"))
    )
    if not sums["orders"].sum():
        no_positive_orders(amount_col)
    table = sums.merge(buyers, on=PERIOD, how="left").fillna({"customers": 0})
    table = table.sort_values(PERIOD).reset_index(drop=True)
    cutoff = resolve_as_of(as_of, prepared.max_date, first=prepared.min_date)
    table = table[is_complete(table[PERIOD], freq, cutoff)].reset_index(drop=True)
    table.insert(0, "period", to_periods(table[PERIOD], freq))
    table = table[["period", "revenue", "orders", "customers"]]
    table["orders"] = table["orders"].astype("int64")
    table["customers"] = table["customers"].astype("int64")
    table["aov"] = table["revenue"] / table["orders"].where(table["orders"] > 0)
    return table
