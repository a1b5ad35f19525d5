"""The seed articles' formulas on plain numbers, and the customer-level rates from orders.

Every rate here is a percentage (0-100), as the seed articles write them; rates you pass in
(repeat-purchase rate, retention, churn, gross margin, discount rate) are percentages too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

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

__all__ = [
    "average_order_value",
    "churn_rate",
    "clv_arpa_churn",
    "clv_arpu_retention",
    "clv_lifespan_formula",
    "clv_repeat_formula",
    "clv_retention_margin",
    "clv_summary",
    "loyal_customer_rate",
    "repeat_purchase_rate",
    "retention_rate",
    "revenue_churn_rate",
]


# --- formulas on plain numbers ---------------------------------------------------------------


def _count(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        msg = f"{name}={value!r} must be a number."
        raise RetentionKitError(msg) from None
    if not math.isfinite(number) or number < 0:
        msg = f"{name}={value!r} must be a finite number >= 0."
        raise RetentionKitError(msg)
    return number


def _percent(value: Any, name: str, *, upper: float = 100.0, hint: bool = True) -> float:
    number = _count(value, name)
    if number > upper:
        msg = f"{name}={value!r} is a percentage and must be between 0 and {upper:g}."
        raise RetentionKitError(msg)
    if hint and 0 < number < 1:
        warn(
            f"{name}={value!r} looks like a fraction; retention_kit takes percentages "
            f"(pass {number * 100:g} for {number:.0%})."
        )
    return number


def retention_rate(start: float, end: float, new: float) -> float:
    """Customer retention rate of the seed articles, ``(E - N) / S * 100``.

    Parameters
    ----------
    start : float
        S, customers at the start of the period.
    end : float
        E, customers at the end of the period.
    new : float
        N, new customers gained during the period.

    Returns
    -------
    float
        CRR in percent.

    Raises
    ------
    RetentionKitError
        If S is 0 (the rate is undefined), a count is negative, or N > E.

    See Also
    --------
    period_summary : S, E, N and the exact retained / S from data.

    Examples
    --------
    >>> retention_rate(1000, 900, 200)
    70.0
    >>> retention_rate(100, 100, 10)
    90.0
    """
    s, e, n = _count(start, "start"), _count(end, "end"), _count(new, "new")
    if s == 0:
        msg = (
            "start=0: with no customers at the start the retention rate is undefined. "
            "Pick a period that begins with customers."
        )
        raise RetentionKitError(msg)
    if n > e:
        msg = f"new={new!r} exceeds end={end!r}: new customers are counted inside E."
        raise RetentionKitError(msg)
    return (e - n) / s * 100


def churn_rate(lost: float, start: float) -> float:
    """Customer churn rate, ``lost / S * 100``.

    Parameters
    ----------
    lost : float
        Customers lost during the period.
    start : float
        S, customers at the start of the period.

    Returns
    -------
    float
        Churn in percent.

    Raises
    ------
    RetentionKitError
        If S is 0, a count is negative, or more customers were lost than there were.

    Examples
    --------
    >>> churn_rate(10, 100)
    10.0
    """
    lost_n, s = _count(lost, "lost"), _count(start, "start")
    if s == 0:
        msg = "start=0: with no customers at the start the churn rate is undefined."
        raise RetentionKitError(msg)
    if lost_n > s:
        msg = f"lost={lost!r} exceeds start={start!r}: only customers at the start can be lost."
        raise RetentionKitError(msg)
    return lost_n / s * 100


def revenue_churn_rate(lost_mrr: float, start_mrr: float) -> float:
    """Revenue churn, ``MRR lost in the period / MRR at its start * 100``.

    Parameters
    ----------
    lost_mrr : float
        Monthly recurring revenue lost: cancellations plus downgrades (gross).
    start_mrr : float
        MRR at the start of the period.

    Returns
    -------
    float
        Revenue churn in percent.

    Examples
    --------
    >>> revenue_churn_rate(1500, 30000)
    5.0
    """
    lost, start = _count(lost_mrr, "lost_mrr"), _count(start_mrr, "start_mrr")
    if start == 0:
        msg = "start_mrr=0: with no MRR at the start revenue churn is undefined."
        raise RetentionKitError(msg)
    if lost > start:
        msg = f"lost_mrr={lost_mrr!r} exceeds start_mrr={start_mrr!r}."
        raise RetentionKitError(msg)
    return lost / start * 100


def clv_repeat_formula(
    average_order_value: float, repeat_purchase_rate: float, acquisition_cost: float = 0.0
) -> float:
    """Seed CLV formula 1: ``AOV * repeat purchase rate - acquisition cost``.

    Parameters
    ----------
    average_order_value : float
        AOV, revenue per order.
    repeat_purchase_rate : float
        Percent of customers with two or more orders (applied as a fraction).
    acquisition_cost : float, default 0
        Cost of acquiring one customer (CAC).

    Returns
    -------
    float
        CLV in the currency of the inputs.

    Examples
    --------
    >>> clv_repeat_formula(50.0, 40.0, acquisition_cost=5.0)
    15.0
    """
    aov = _count(average_order_value, "average_order_value")
    rate = _percent(repeat_purchase_rate, "repeat_purchase_rate")
    cac = _count(acquisition_cost, "acquisition_cost")
    return aov * rate / 100 - cac


def clv_lifespan_formula(
    transactions_per_period: float,
    average_order_value: float,
    gross_margin: float,
    lifespan_periods: float,
    customers: float,
) -> float:
    """Seed CLV formula 2: ``transactions * AOV * margin * lifespan / customers``.

    Parameters
    ----------
    transactions_per_period : float
        Orders per period across all customers.
    average_order_value : float
        AOV, revenue per order.
    gross_margin : float
        Average gross margin, percent.
    lifespan_periods : float
        Average customer lifespan, in the same periods as the transactions.
    customers : float
        Number of customers the transactions come from.

    Returns
    -------
    float
        CLV per customer.

    Examples
    --------
    >>> clv_lifespan_formula(1200, 50.0, 40.0, 3, 400)
    180.0
    """
    per = _count(transactions_per_period, "transactions_per_period")
    aov = _count(average_order_value, "average_order_value")
    margin = _percent(gross_margin, "gross_margin")
    life = _count(lifespan_periods, "lifespan_periods")
    n = _count(customers, "customers")
    if n == 0:
        msg = "customers=0: CLV per customer needs at least one customer."
        raise RetentionKitError(msg)
    return per * aov * margin / 100 * life / n


def clv_retention_margin(margin: float, retention: float, discount_rate: float) -> float:
    """Retention-based CLV, ``m * r / (1 + d - r)`` (Gupta & Lehmann).

    The value today of a customer who brings margin ``m`` each period they stay, stays
    with probability ``r`` each period, discounted at ``d`` per period; the first margin
    arrives one period from now, if they are retained.

    Parameters
    ----------
    margin : float
        Margin per customer per period (currency).
    retention : float
        Retention rate per period, percent (below 100).
    discount_rate : float
        Discount rate per period, percent.

    Returns
    -------
    float
        CLV per customer.

    Examples
    --------
    >>> round(clv_retention_margin(100.0, 80.0, 10.0), 2)
    266.67
    """
    m = float(margin)
    r = _percent(retention, "retention") / 100
    d = _percent(discount_rate, "discount_rate", upper=1000, hint=False) / 100
    if r >= 1 + d:
        msg = f"retention={retention!r}: the formula needs retention < 100 + discount_rate."
        raise RetentionKitError(msg)
    return m * r / (1 + d - r)


def clv_arpa_churn(arpa: float, churn: float) -> float:
    """SaaS heuristic: ``ARPA / churn`` (average revenue per account over churn per period).

    Examples
    --------
    >>> clv_arpa_churn(50.0, 5.0)
    1000.0
    """
    value = _count(arpa, "arpa")
    rate = _percent(churn, "churn")
    if rate == 0:
        msg = "churn=0: with no churn the heuristic lifetime is infinite; CLV is undefined."
        raise RetentionKitError(msg)
    return value * 100 / rate


def clv_arpu_retention(arpu: float, retention: float) -> float:
    """SaaS heuristic: ``ARPU / (1 - retention)``.

    Examples
    --------
    >>> clv_arpu_retention(50.0, 95.0)
    1000.0
    """
    value = _count(arpu, "arpu")
    rate = _percent(retention, "retention")
    if rate == 100:
        msg = "retention=100: nobody ever leaves, so the heuristic CLV is infinite."
        raise RetentionKitError(msg)
    return value * 100 / (100 - rate)


# --- customer-level rates from orders ----------------------------------------------------------


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


def _rate_columns(table: pd.DataFrame, count: str, name: str, confidence: float) -> pd.DataFrame:
    customers = table["customers"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        table[name] = np.where(customers > 0, table[count] / customers * 100, np.nan)
    table[f"{name}_low"], table[f"{name}_high"] = wilson_interval(
        table[count], table["customers"], confidence=confidence
    )
    table["small_sample"] = table["customers"] < MIN_READABLE_N
    return table


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
    orders : DataFrame-like
        One row per order or order line (pandas, Polars, DuckDB, ...).
    customer_col, date_col : str
        Customer id and order date columns.
    amount_col : str, optional
        Order amount; orders whose net amount is not positive (returns) do not count.
    order_col : str, optional
        Order id: lines sharing it are one order. Without it each row is one order.
    by : str or list of str, optional
        Segment column(s): one row per segment.
    start, end : date-like, optional
        Window of order dates (inclusive).
    confidence : float, default 0.95
        Coverage of the interval.
    duplicates : {"warn", "drop", "keep", "error"}, default "warn"
        What to do with exact duplicate rows.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``customers``, ``repeat_customers``, ``repeat_purchase_rate``
        (percent), ``repeat_purchase_rate_low``/``_high`` and ``small_sample``.

    Raises
    ------
    MissingColumnError
        A named column is not in the frame (with the closest name).
    InvalidDataError
        A column read holds nulls (or NaN, +-inf in a float column): customer, date,
        amount, order id or a ``by`` value. The message names the customers; a null
        segment is an error, not a customer left out (fill it, e.g. ``fillna('unknown')``).
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
    table = _rate_columns(table, "repeat_customers", "repeat_purchase_rate", confidence)
    name = "repeat_purchase_rate"
    return table[
        [
            *by_cols,
            "customers",
            "repeat_customers",
            name,
            f"{name}_low",
            f"{name}_high",
            "small_sample",
        ]
    ]


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
    orders : DataFrame-like
        One row per order or order line (pandas, Polars, DuckDB, ...).
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
    table = _rate_columns(table, "loyal_customers", "loyal_customer_rate", confidence)
    table["threshold"] = threshold
    name = "loyal_customer_rate"
    return table[
        [
            *by_cols,
            "customers",
            "loyal_customers",
            name,
            f"{name}_low",
            f"{name}_high",
            "small_sample",
            "threshold",
        ]
    ]


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
    orders : DataFrame-like
        One row per order or order line (pandas, Polars, DuckDB, ...).
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
    orders : DataFrame-like
        One row per order or order line (pandas, Polars, DuckDB, ...).
    customer_col, date_col, amount_col, order_col, by, duplicates
        As in :func:`repeat_purchase_rate`; ``amount_col`` is required.
    freq : {"day", "week", "month", "quarter", "year"}, default "year"
        The time unit.
    gross_margin : float, default 100
        Gross margin, percent of revenue (100 gives revenue-based CLV).
    acquisition_cost : float, default 0
        Cost to acquire a customer, for seed formula 1.
    discount_rate : float, default 10
        Discount rate per period, percent.
    as_of : date-like, optional
        Date the data runs to (default: the last order).

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
    margin = _percent(gross_margin, "gross_margin")
    _percent(discount_rate, "discount_rate", upper=1000, hint=False)
    cac = _count(acquisition_cost, "acquisition_cost")
    common = {
        "customer_col": customer_col,
        "date_col": date_col,
        "amount_col": amount_col,
        "order_col": order_col,
        "by": by,
        "duplicates": duplicates,
    }
    summary = period_summary(orders, freq=freq, as_of=as_of, **common)
    if summary.empty:
        msg = f"No complete {freq} in the data: use a shorter freq= or pass as_of=."
        raise RetentionKitError(msg)
    first_period = summary["period"].min()
    last_period = summary["period"].max()
    window = {"start": first_period.start_time, "end": last_period.end_time}
    counts, by_cols = _customer_counts(orders, start=window["start"], end=window["end"], **common)
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
