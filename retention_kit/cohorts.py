"""Acquisition cohort tables: who came back, and what they spent, by age.

A customer's cohort is the period of their first order (or a column you name). Cell
(cohort c, age k) counts the cohort's customers active in period c + k; retention is that
count over the cohort size. "Unbounded" retention counts customers active in c + k *or any
later period* (they had not left for good yet). Cells the data cannot have observed yet
are NaN, never 0.
"""

from __future__ import annotations

from typing import Any, Literal, NoReturn, get_args

import narwhals as nw
import numpy as np
import pandas as pd

from ._docstrings import fill_doc
from ._frames import Freq, check_freq, collect, last_complete_period, period_index, to_periods
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
    warn,
    warns_once,
)
from .exceptions import EmptyDataError, RetentionKitError
from .intervals import MIN_READABLE_N, wilson_interval

__all__ = ["COHORT_VALUES", "cohort_data", "cohort_table"]

CohortValues = Literal[
    "customers",
    "retention",
    "retention_unbounded",
    "revenue",
    "cumulative_revenue_per_customer",
]
COHORT_VALUES: tuple[str, ...] = get_args(CohortValues)
_COHORT = "_rk_cohort"
_ORIGIN = "_rk_origin"
_AGE = "_rk_age"


@fill_doc
def cohort_data(
    orders: Any,
    *,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str | None = None,
    order_col: str | None = None,
    cohort_col: str | None = None,
    freq: Freq = "month",
    as_of: Any = None,
    min_cohort_size: int = MIN_READABLE_N,
    confidence: float = 0.95,
    duplicates: Duplicates = "warn",
) -> pd.DataFrame:
    """Cohort cells in long form: one row per (cohort, age), with every measure.

    Parameters
    ----------
    %(orders)s
    %(customer_col)s
    %(date_col)s
    amount_col : str, optional
        Order amount; needed for the revenue columns. Net amounts <= 0 are returns: they
        count in revenue but do not make a customer active.
    %(order_col)s
    cohort_col : str, optional
        Column that defines the cohort instead of the first order. A date column (e.g. a
        signup date) gives calendar cohorts and ages counted from it; any other column
        (e.g. an acquisition channel) gives one cohort per value, with each customer's age
        counted from their own first order.
    %(freq)s
    %(as_of)s
    min_cohort_size : int, default 30
        Cells with fewer observable customers are flagged ``small_cohort``.
    %(confidence)s
    %(duplicates)s

    Returns
    -------
    pandas.DataFrame
        Columns ``cohort``, ``age``, ``period`` (calendar period of the cell, for calendar
        cohorts), ``cohort_size``, ``observed`` (customers whose age k is observable),
        ``customers``, ``retention``, ``retention_low``, ``retention_high``,
        ``customers_unbounded``, ``retention_unbounded``, ``revenue``,
        ``cumulative_revenue_per_customer`` (revenue columns NaN without ``amount_col``),
        ``small_cohort``. Unobservable cells are absent.

    Raises
    ------
    %(raises_missing_column)s
    %(raises_null_orders)s
    EmptyDataError
        No rows, no order with a positive amount (with ``amount_col``), no order in a complete
        period, or ``as_of`` before the first order. A null ``cohort_col`` value raises
        like a null ``by`` value.
    RetentionKitError
        A date argument that is not a date, or an unknown option.

    Examples
    --------
    >>> import retention_kit as rk
    >>> orders = rk.datasets.load_orders(n_customers=500)
    >>> cells = rk.cohort_data(orders, amount_col="amount", freq="quarter")
    >>> cells.loc[cells["age"] == 0, "retention"].unique().tolist()
    [100.0]
    """
    freq = check_freq(freq)  # type: ignore[assignment]
    prepared = prepare_orders(
        orders,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        order_col=order_col,
        by=cohort_col,
        duplicates=duplicates,
    )
    as_of_ts = resolve_as_of(as_of, prepared.max_date, first=prepared.min_date)
    last_complete = last_complete_period(as_of_ts, freq)
    frame = prepared.frame.with_columns(
        period_index(DATE, freq, prepared.frame).alias(PERIOD)
    ).filter(nw.col(PERIOD) <= last_complete)
    if cohort_col is None:
        origins, counts, last_age, revenue = _first_order_cells(
            frame, prepared.has_amount, prepared.frame, amount_col
        )
        return _assemble(
            origins,
            counts,
            last_age,
            revenue,
            last_complete=last_complete,
            freq=freq,
            calendar=True,
            has_amount=prepared.has_amount,
            min_cohort_size=min_cohort_size,
            confidence=confidence,
        )
    active = frame.filter(nw.col(IS_ORDER))
    first = active.group_by(CUSTOMER).agg(nw.col(PERIOD).min().alias("_rk_first"))

    calendar = True
    if cohort_col is None:
        customers = first.select(
            CUSTOMER, nw.col("_rk_first").alias(_COHORT), nw.col("_rk_first").alias(_ORIGIN)
        )
    else:
        dtype = frame.collect_schema()[cohort_col]
        per_customer = frame.group_by(CUSTOMER).agg(nw.col(cohort_col).min())
        customers = per_customer.join(first, on=CUSTOMER, how="inner")
        if dtype in (nw.Datetime, nw.Date):
            origin = period_index(cohort_col, freq, frame)
            customers = customers.select(
                CUSTOMER, origin.alias(_COHORT), origin.alias(_ORIGIN)
            ).filter(~nw.col(_COHORT).is_null())
        else:
            calendar = False
            customers = customers.select(
                CUSTOMER,
                nw.col(cohort_col).alias(_COHORT),
                nw.col("_rk_first").alias(_ORIGIN),
            )

    cells = (
        active.select(CUSTOMER, PERIOD)
        .unique()
        .join(customers, on=CUSTOMER, how="inner")
        .with_columns((nw.col(PERIOD) - nw.col(_ORIGIN)).alias(_AGE))
    )
    if cohort_col is not None:  # ages from a first order can't be negative; these can
        before = collect(cells.select((nw.col(_AGE) < 0).cast(nw.Int64).sum().alias("n")))["n"]
        n_before = int(before.fillna(0).iloc[0])
        if n_before:
            warn(
                f"{n_before} customer-period(s) fall before the customer's cohort_col="
                f"{cohort_col!r} date and are left out of the cohort table."
            )
    # Customers per cell, and how many of them are at their last active age (for the
    # unbounded retention), in one aggregation (one job on Spark, where each collect costs).
    cells = cells.filter(nw.col(_AGE) >= 0).with_columns(
        (nw.col(_AGE) == nw.col(_AGE).max().over(CUSTOMER)).cast(nw.Int64).alias("n")
    )
    counts = collect(
        cells.group_by(_COHORT, _AGE).agg(nw.len().alias("customers"), nw.col("n").sum())
    )
    last_age = counts[[_COHORT, _AGE, "n"]]
    counts = counts[[_COHORT, _AGE, "customers"]]
    origins = collect(customers.group_by(_COHORT, _ORIGIN).agg(nw.len().alias("n")))
    if origins.empty:
        _no_cells(prepared.frame, amount_col)
    if prepared.has_amount:
        revenue = collect(
            frame.join(customers, on=CUSTOMER, how="inner")
            .with_columns((nw.col(PERIOD) - nw.col(_ORIGIN)).alias(_AGE))
            .filter(nw.col(_AGE) >= 0)
            .group_by(_COHORT, _AGE)
            .agg(nw.col(AMOUNT).sum().alias("revenue"))
        )
    else:
        revenue = pd.DataFrame({_COHORT: [], _AGE: [], "revenue": []})

    return _assemble(
        origins,
        counts,
        last_age,
        revenue,
        last_complete=last_complete,
        freq=freq,
        calendar=calendar,
        has_amount=prepared.has_amount,
        min_cohort_size=min_cohort_size,
        confidence=confidence,
    )


@fill_doc
@warns_once
def cohort_table(
    orders: Any,
    *,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str | None = None,
    order_col: str | None = None,
    cohort_col: str | None = None,
    freq: Freq = "month",
    values: CohortValues = "retention",
    as_of: Any = None,
    duplicates: Duplicates = "warn",
) -> pd.DataFrame:
    """Cohort table in wide form: cohorts down, ages across.

    Parameters
    ----------
    %(orders)s
    customer_col, date_col, amount_col, order_col, cohort_col, freq, as_of, duplicates
        As in :func:`cohort_data`.
    values : str, default "retention"
        ``"customers"`` (active customers), ``"retention"`` (percent of the cohort active
        in period c + k), ``"retention_unbounded"`` (active in c + k or later),
        ``"revenue"`` or ``"cumulative_revenue_per_customer"`` (need ``amount_col``).

    Returns
    -------
    pandas.DataFrame
        Index ``cohort`` (pandas Period for calendar cohorts), columns ``age`` 0, 1, ...;
        NaN where the data cannot have observed a cell yet. ``attrs`` holds ``values``,
        ``freq`` and ``cohort_size`` (a Series of customers per cohort).

    Examples
    --------
    >>> import pandas as pd
    >>> import retention_kit as rk
    >>> orders = pd.DataFrame({
    ...     "customer_id": ["a", "b", "c", "a", "d", "a", "b", "d", "e"],
    ...     "order_date": pd.to_datetime(["2024-01-03", "2024-01-09", "2024-01-20",
    ...                                   "2024-02-02", "2024-02-14", "2024-03-01",
    ...                                   "2024-03-11", "2024-03-30", "2024-03-05"]),
    ... })
    >>> rk.cohort_table(orders, as_of="2024-03-31").round(1)
    age          0      1     2
    cohort
    2024-01  100.0   33.3  66.7
    2024-02  100.0  100.0   NaN
    2024-03  100.0    NaN   NaN
    """
    if values not in COHORT_VALUES:
        msg = f"values={values!r}: use one of {', '.join(map(repr, COHORT_VALUES))}."
        raise RetentionKitError(msg)
    if values in ("revenue", "cumulative_revenue_per_customer") and amount_col is None:
        msg = f"values={values!r} needs amount_col=, the column with order amounts."
        raise RetentionKitError(msg)
    cells = cohort_data(
        orders,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        order_col=order_col,
        cohort_col=cohort_col,
        freq=freq,
        as_of=as_of,
        duplicates=duplicates,
    )
    table = cells.pivot(index="cohort", columns="age", values=values)
    table = table.reindex(columns=range(int(cells["age"].max()) + 1))
    table.columns.name = "age"
    sizes = cells.drop_duplicates("cohort").set_index("cohort")["cohort_size"]
    table.attrs.update({"values": values, "freq": freq, "cohort_size": sizes})
    return table


def _no_cells(everything: nw.LazyFrame, amount_col: str | None) -> NoReturn:
    """Raise :class:`EmptyDataError` for a table without cells, saying why."""
    if amount_col is not None:
        n_orders = collect(everything.select(nw.col(IS_ORDER).cast(nw.Int64).sum().alias("n")))
        if not n_orders["n"].fillna(0).iloc[0]:
            no_positive_orders(amount_col)
    msg = (
        "No customer has an order in a complete period: pass an as_of date after the "
        "data, a shorter freq, or more data."
    )
    raise EmptyDataError(msg)


def _first_order_cells(
    frame: nw.LazyFrame, has_amount: bool, everything: nw.LazyFrame, amount_col: str | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Cells of first-order cohorts, all measures in one pass over the data.

    One row per (customer, period) with its activity and revenue; window minimum and
    maximum of the active periods give each customer's cohort and last active period; a
    single group-by then counts customers, customers at their last active age (for
    unbounded retention) and revenue per (cohort, age). One query, so one scan on DuckDB
    and one job on Spark.
    """
    sums = [nw.col("_rk_active").max()]
    if has_amount:
        sums.append(nw.col(AMOUNT).sum().alias("revenue"))
    per = (
        frame.with_columns(nw.col(IS_ORDER).cast(nw.Int64).alias("_rk_active"))
        .group_by(CUSTOMER, PERIOD)
        .agg(sums)
        .with_columns(
            nw.when(nw.col("_rk_active") == 1).then(nw.col(PERIOD)).alias("_rk_active_period")
        )
        .with_columns(
            nw.col("_rk_active_period").min().over(CUSTOMER).alias(_COHORT),
            nw.col("_rk_active_period").max().over(CUSTOMER).alias("_rk_last"),
        )
        .filter(~nw.col(_COHORT).is_null())
        .with_columns(
            (nw.col(PERIOD) - nw.col(_COHORT)).alias(_AGE),
            (nw.col(PERIOD) == nw.col("_rk_last")).cast(nw.Int64).alias("n"),
        )
        .filter(nw.col(_AGE) >= 0)
    )
    totals = ["_rk_active", "n", *(["revenue"] if has_amount else [])]
    cells = collect(per.group_by(_COHORT, _AGE).agg(nw.col(totals).sum()))
    if cells.empty:
        _no_cells(everything, amount_col)
    cells = cells.rename(columns={"_rk_active": "customers"})
    sizes = cells[cells[_AGE] == 0]
    origins = pd.DataFrame(
        {_COHORT: sizes[_COHORT], _ORIGIN: sizes[_COHORT], "n": sizes["customers"]}
    )
    revenue = (
        cells[[_COHORT, _AGE, "revenue"]]
        if has_amount
        else pd.DataFrame({_COHORT: [], _AGE: [], "revenue": []})
    )
    return origins, cells[[_COHORT, _AGE, "customers"]], cells[[_COHORT, _AGE, "n"]], revenue


def _assemble(
    origins: pd.DataFrame,
    counts: pd.DataFrame,
    last_age: pd.DataFrame,
    revenue: pd.DataFrame,
    *,
    last_complete: int,
    freq: str,
    calendar: bool,
    has_amount: bool,
    min_cohort_size: int,
    confidence: float,
) -> pd.DataFrame:
    """Turn the small per-cohort aggregates into the long table (pure pandas)."""
    rows = []
    for cohort, group in origins.groupby(_COHORT, sort=True):
        origin = group[_ORIGIN].to_numpy(dtype="int64")
        n = group["n"].to_numpy(dtype="int64")
        max_age = int(last_complete - origin.min())
        ages = np.arange(max_age + 1)
        observed = ((origin[None, :] + ages[:, None]) <= last_complete) @ n
        rows.append(
            pd.DataFrame(
                {
                    _COHORT: cohort,
                    "age": ages,
                    "cohort_size": int(n.sum()),
                    "observed": observed,
                    "_origin": int(origin.min()),
                }
            )
        )
    out = pd.concat(rows, ignore_index=True)
    key = [_COHORT, "age"]
    counts = counts.rename(columns={_AGE: "age"})
    out = out.merge(counts, on=key, how="left")
    out["customers"] = out["customers"].fillna(0).astype("int64")

    # Unbounded: customers whose last active age is >= k (reverse cumulative count).
    last_age = last_age.rename(columns={_AGE: "age"})
    out = out.merge(last_age, on=key, how="left")
    out["n"] = out["n"].fillna(0)
    out["customers_unbounded"] = (
        out.iloc[::-1].groupby(_COHORT, sort=False)["n"].cumsum().iloc[::-1].astype("int64")
    )
    out = out.drop(columns="n")

    observed = out["observed"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["retention"] = out["customers"] / observed * 100
        out["retention_unbounded"] = out["customers_unbounded"] / observed * 100
    out["retention_low"], out["retention_high"] = wilson_interval(
        out["customers"], out["observed"], confidence=confidence
    )
    if has_amount:
        revenue = revenue.rename(columns={_AGE: "age"})
        out = out.merge(revenue, on=key, how="left")
        out["revenue"] = out["revenue"].fillna(0.0)
        per_customer = out["revenue"] / observed
        out["cumulative_revenue_per_customer"] = per_customer.groupby(out[_COHORT]).cumsum()
    else:
        out["revenue"] = np.nan
        out["cumulative_revenue_per_customer"] = np.nan
    out["small_cohort"] = out["observed"] < min_cohort_size
    out = out[out["observed"] > 0]

    if calendar:
        out["period"] = to_periods(out["_origin"] + out["age"], freq)
        out["cohort"] = to_periods(out[_COHORT], freq)
    else:
        out["period"] = pd.NaT
        out["cohort"] = out[_COHORT]
    columns = [
        "cohort",
        "age",
        "period",
        "cohort_size",
        "observed",
        "customers",
        "retention",
        "retention_low",
        "retention_high",
        "customers_unbounded",
        "retention_unbounded",
        "revenue",
        "cumulative_revenue_per_customer",
        "small_cohort",
    ]
    return out[columns].reset_index(drop=True)
