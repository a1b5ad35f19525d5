"""Per-period retention and churn from order data or subscriptions.

One row per calendar period with the seed article's three counts (S, E, N), what happened to
each customer (retained, lost, reactivated), the seed CRR ``(E - N) / S``, the exact CRR
``retained / S`` and churn, each with a Wilson interval.

Why the two CRRs differ
-----------------------
``E - N`` counts everyone active at the end who is not new. With orders that includes
*reactivated* customers (silent last period, back now), so the seed formula is higher than
the share of S actually kept by ``reactivated / S``. With subscriptions, customers who joined
and left inside the period are in N but not in E, which pulls the seed formula down by
``joined_and_left / S``. The exact CRR and churn always add up to 100.

Churn policies
--------------
SaaS tools disagree on churn; here each choice is a parameter with the metrics.md default:

``denominator``
    ``"start"`` (default, lost / S), ``"start_plus_new"`` (lost / (S + N)) or ``"average"``
    (lost / ((S + E) / 2)).
``reactivations``
    ``"separate"`` (default: a returning customer does not offset a lost one) or ``"net"``
    (churn counts ``lost - reactivated``; may be negative).
``same_period``
    subscriptions only: ``False`` (default) leaves customers who joined and left inside one
    period out of churn; ``True`` adds them to the lost count.
``active_window``
    orders only: a customer counts as active in a period when they ordered in it or in the
    ``active_window - 1`` periods before (default 1: in the period itself). A rolling window
    stops one quiet month from reading as churn.

:func:`compare_churn_policies` lays these side by side on the same data.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, Literal

import narwhals as nw
import numpy as np
import pandas as pd

from ._docstrings import fill_doc
from ._frames import (
    Freq,
    Incomplete,
    check_freq,
    collect,
    period_index,
)
from ._period_rates import (
    Denominator,
    Reactivations,
    check_policy,
    churn_rate,
    current_period,
    finish_table,
)
from ._validation import (
    CUSTOMER,
    DATE,
    IS_ORDER,
    PERIOD,
    Duplicates,
    as_list,
    check_window,
    no_positive_orders,
    prepare_orders,
    resolve_as_of,
    warns_once,
)
from .exceptions import RetentionKitError

__all__ = ["compare_churn_policies", "period_summary"]


@fill_doc
def period_summary(
    orders: Any,
    *,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str | None = None,
    order_col: str | None = None,
    freq: Freq = "month",
    by: str | Sequence[str] | None = None,
    active_window: int = 1,
    denominator: Denominator = "start",
    reactivations: Reactivations = "separate",
    start: Any = None,
    end: Any = None,
    as_of: Any = None,
    incomplete: Incomplete = "exclude",
    confidence: float = 0.95,
    duplicates: Duplicates = "warn",
) -> pd.DataFrame:
    """Retention and churn per calendar period from order data (non-contractual).

    A customer is active in a period when they placed an order in it (with ``amount_col``,
    an order whose net amount is > 0; returns are not activity). For period ``p``:
    S = active in ``p - 1``, E = active in ``p``, N = first order ever in ``p``,
    retained = active in both, lost = S - retained, reactivated = E - retained - N.

    Parameters
    ----------
    %(orders)s
    %(customer_col)s
    %(date_col)s
    amount_col : str, optional
        Order amount. When given, rows (or orders, with ``order_col``) whose net amount is
        not positive are returns and do not make a customer active.
    %(order_col)s
    %(freq)s
    %(by)s
    active_window : int, default 1
        Periods of look-back that count as active (see the module notes).
    denominator, reactivations
        Churn policy; see the module notes. Defaults follow metrics.md.
    start, end : date-like, optional
        Only report periods overlapping this window (history before ``start`` still decides
        who is new and who was active).
    %(as_of)s
    %(incomplete)s
    %(confidence)s
    %(duplicates)s

    Returns
    -------
    pandas.DataFrame
        One row per (segment, period): the ``by`` columns, ``period`` (pandas Period),
        ``S``, ``E``, ``N``, ``retained``, ``lost``, ``reactivated``, ``joined_and_left``
        (always 0 for orders), ``crr_seed``, ``crr``, ``churn`` (percent),
        ``crr_low``/``crr_high``, ``churn_low``/``churn_high`` (Wilson), ``complete`` and
        ``note`` (why a rate is missing, or why the seed CRR differs).

    Raises
    ------
    %(raises_missing_column)s
    %(raises_null_orders)s
    EmptyDataError
        No rows, no order with a positive amount (with ``amount_col``), ``as_of`` before
        the first order, or ``start``/``end`` outside the data or selecting no complete
        period (each message says when the data starts and ends).
    RetentionKitError
        A date argument that is not a date, or ``start`` after ``end``, or an unknown option.

    See Also
    --------
    subscription_summary : the same table from subscriptions.
    compare_churn_policies : churn under every policy, side by side.

    Examples
    --------
    >>> import pandas as pd
    >>> import retention_kit as rk
    >>> orders = pd.DataFrame({
    ...     "customer_id": ["a", "b", "c", "a", "c", "d", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-01-09", "2024-01-20",
    ...                                   "2024-02-02", "2024-02-14", "2024-02-20",
    ...                                   "2024-03-30"]),
    ... })
    >>> table = rk.period_summary(orders, as_of="2024-03-31")
    >>> table[["period", "S", "E", "N", "retained", "lost", "reactivated", "crr"]]
        period  S  E  N  retained  lost  reactivated        crr
    0  2024-01  0  3  3         0     0            0        NaN
    1  2024-02  3  3  1         2     1            0  66.666667
    2  2024-03  3  1  0         0     3            1   0.000000
    """
    freq = check_freq(freq)  # type: ignore[assignment]
    check_policy(denominator, reactivations, incomplete)
    if not isinstance(active_window, int) or active_window < 1:
        msg = f"active_window={active_window!r} must be a whole number of periods >= 1."
        raise RetentionKitError(msg)
    prepared = prepare_orders(
        orders,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        order_col=order_col,
        by=by,
        duplicates=duplicates,
    )
    by_cols = prepared.by
    keys = [*by_cols, PERIOD]
    as_of_ts = resolve_as_of(as_of, prepared.max_date, first=prepared.min_date)
    check_window(start, end, first=prepared.min_date, last=max(prepared.max_date, as_of_ts))

    activity = (
        prepared.frame.filter(nw.col(IS_ORDER))
        .with_columns(period_index(DATE, freq, prepared.frame).alias(PERIOD))
        .select([CUSTOMER, *keys])
        .unique()
    )
    if active_window > 1:
        activity = nw.concat(
            [activity.with_columns(nw.col(PERIOD) + lag) for lag in range(active_window)],
            how="vertical",
        ).unique()
    # One row per active (customer, segment, period): new when it is the customer's first
    # period, retained when the customer was also active in the period before. All three
    # counts come from one aggregation (one job on Spark, where each collect costs).
    owner = [CUSTOMER, *by_cols]
    flags = activity.with_columns(
        (nw.col(PERIOD) == nw.col(PERIOD).min().over(*owner)).cast(nw.Int64).alias("N"),
        nw.col(PERIOD).shift(1).over(*owner, order_by=PERIOD).alias("_rk_before"),
    ).with_columns(
        (nw.col(PERIOD) - nw.col("_rk_before") == 1)
        .fill_null(False)
        .cast(nw.Int64)
        .alias("retained")
    )
    active = collect(flags.group_by(keys).agg(nw.len().alias("E"), nw.col("N", "retained").sum()))
    if active.empty:
        no_positive_orders(amount_col)

    first_period = int(active[PERIOD].min())
    last_period = current_period(as_of_ts, freq)
    grid = _grid(active, by_cols, first_period, last_period)
    counts = grid.merge(active, on=keys, how="left").fillna({"E": 0, "N": 0, "retained": 0})
    counts = counts.sort_values(keys, kind="stable").reset_index(drop=True)
    if by_cols:
        counts["S"] = counts.groupby(by_cols, sort=False, dropna=False)["E"].shift(1)
    else:
        counts["S"] = counts["E"].shift(1)
    counts["S"] = counts["S"].fillna(0)
    counts["lost"] = counts["S"] - counts["retained"]
    counts["reactivated"] = counts["E"] - counts["retained"] - counts["N"]
    counts["joined_and_left"] = 0
    return finish_table(
        counts,
        by_cols=by_cols,
        freq=freq,
        as_of=as_of_ts,
        start=start,
        end=end,
        denominator=denominator,
        reactivations=reactivations,
        same_period=False,
        incomplete=incomplete,
        confidence=confidence,
    )


@warns_once
def compare_churn_policies(
    data: Any,
    *,
    kind: Literal["orders", "subscriptions"] = "orders",
    active_windows: Sequence[int] = (1, 3),
    **kwargs: Any,
) -> pd.DataFrame:
    """Churn of every period under each churn policy, side by side.

    Parameters
    ----------
    data : DataFrame-like
        Orders (``kind="orders"``) or subscriptions (``kind="subscriptions"``).
    kind : {"orders", "subscriptions"}
        Which summary to build.
    active_windows : sequence of int, default (1, 3)
        Orders only: the activity windows to compare.
    **kwargs
        Passed to :func:`period_summary` or :func:`subscription_summary` (column names,
        ``freq``, ``as_of``...). Policy arguments are set here, not there.

    Returns
    -------
    pandas.DataFrame
        Index: ``period`` (and ``by`` columns); one column per policy, named like
        ``"start | separate"``, holding churn in percent.

    Examples
    --------
    >>> import retention_kit as rk
    >>> orders = rk.datasets.load_orders(n_customers=300)
    >>> table = rk.compare_churn_policies(orders, freq="quarter")
    >>> list(table.columns)[:3]
    ['lost / S', 'lost / (S + N)', 'lost / avg(S, E)']
    """
    for name in ("denominator", "reactivations", "same_period", "active_window"):
        if name in kwargs:
            msg = f"compare_churn_policies sets {name}= itself; leave it out."
            raise RetentionKitError(msg)
    labels = {
        "start": "lost / S",
        "start_plus_new": "lost / (S + N)",
        "average": "lost / avg(S, E)",
    }
    by_cols = as_list(kwargs.get("by"))
    columns: dict[str, pd.Series] = {}
    if kind == "orders":
        options: list[dict[str, Any]] = [
            {"denominator": d, "reactivations": r, "active_window": w}
            for w, r, d in itertools.product(active_windows, ("separate", "net"), labels)
        ]
    elif kind == "subscriptions":
        options = [
            {"denominator": d, "reactivations": r, "same_period": s}
            for s, r, d in itertools.product((False, True), ("separate", "net"), labels)
        ]
    else:
        msg = f"kind={kind!r}: use 'orders' or 'subscriptions'."
        raise RetentionKitError(msg)
    from .subscription_periods import subscription_summary  # it builds on this module

    summarise = period_summary if kind == "orders" else subscription_summary
    # The counts depend only on the activity window: one summary per window (each is a
    # pass over the data, a Spark job or more), the policies then apply to its counts.
    summaries = {}
    for option in options:
        window = option.get("active_window")
        if window not in summaries:
            extra = {} if window is None else {"active_window": window}
            summaries[window] = summarise(data, **kwargs, **extra)
        table = summaries[window]
        churn = churn_rate(
            table,
            denominator=option["denominator"],
            reactivations=option["reactivations"],
            same_period=option.get("same_period", False),
        )
        name = labels[option["denominator"]]
        if option["reactivations"] == "net":
            name = name.replace("lost", "(lost - reactivated)")
        if option.get("active_window", 1) > 1:
            name += f", active = ordered in last {option['active_window']}"
        if option.get("same_period"):
            name += ", incl. joined-and-left"
        columns[name] = table.assign(churn=churn).set_index([*by_cols, "period"])["churn"]
    return pd.DataFrame(columns)


# --- shared pieces -------------------------------------------------------------------------


def _grid(active: pd.DataFrame, by_cols: list[str], first: int, last: int) -> pd.DataFrame:
    periods = pd.DataFrame({PERIOD: np.arange(first, last + 1, dtype="int64")})
    if not by_cols:
        return periods
    segments = active[by_cols].drop_duplicates()
    return segments.merge(periods, how="cross")


def __getattr__(name: str) -> Any:
    # subscription_summary moved to retention_kit.subscription_periods.
    if name == "subscription_summary":
        from .subscription_periods import subscription_summary

        return subscription_summary
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
