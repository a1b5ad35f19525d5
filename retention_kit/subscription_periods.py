"""Retention and churn per calendar period from subscriptions (contractual data).

The same table as :func:`~retention_kit.period_summary` (S, E, N, retained, lost,
reactivated, the seed and exact CRR, churn, Wilson intervals), built from subscription
spells instead of orders; the churn policies and the notes on the two CRRs are in
:mod:`retention_kit.periods`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from ._docstrings import fill_doc
from ._frames import Freq, Incomplete, check_freq, collect, period_index
from ._period_rates import Denominator, Reactivations, check_policy, current_period, finish_table
from ._spells import prepare_subscriptions
from ._validation import CUSTOMER, END, PERIOD, START, check_window
from .exceptions import EmptyDataError

__all__ = ["subscription_summary"]


@fill_doc
def subscription_summary(
    subscriptions: Any,
    *,
    customer_col: str = "customer_id",
    start_col: str = "start_date",
    end_col: str = "end_date",
    trial_end_col: str | None = None,
    count_trials: bool = False,
    freq: Freq = "month",
    by: str | Sequence[str] | None = None,
    denominator: Denominator = "start",
    reactivations: Reactivations = "separate",
    same_period: bool = False,
    start: Any = None,
    end: Any = None,
    as_of: Any = None,
    incomplete: Incomplete = "exclude",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Retention and churn per calendar period from subscriptions (contractual).

    A customer is a customer at an instant when a paid subscription covers it. The end date
    is the first day without service (an empty end = still active), so a subscription ending
    on 1 February was a customer through all of January and is lost in February. Spells of
    one customer that touch or overlap are merged (an upgrade is not a churn). For period
    ``p``: S = active at its start, E = active at its end, N = first-ever paid start inside
    ``p``, retained = active at both ends, lost = S - retained, reactivated = active at the
    end, not at the start, and not new; joined_and_left = new in ``p`` and gone by its end.

    Parameters
    ----------
    subscriptions : DataFrame-like
        One row per subscription spell (pandas, Polars, DuckDB, ...).
    customer_col, start_col, end_col : str
        Customer id, start date and end date (empty or NaT = still active).
    trial_end_col : str, optional
        Date a free trial ends (empty = no trial). By the metrics.md rule, a customer starts
        at the end of the trial, and a trial that ended before it converted is no customer.
    count_trials : bool, default False
        Count trial users as customers from their start date (and cancelled trials as lost).
    %(freq)s
    by : str or list of str, optional
        Segment column(s). The segment is part of the customer key: moving from one plan to
        another is a loss in the first and a gain in the second.
    denominator, reactivations, same_period
        Churn policy; see the notes of :mod:`retention_kit.periods`.
    start, end : date-like, optional
        Only report periods overlapping this window.
    %(as_of)s
    %(incomplete)s
    %(confidence)s

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`period_summary`.

    Raises
    ------
    MissingColumnError, InvalidDataError, EmptyDataError, RetentionKitError
        As in :func:`period_summary`: nulls (NaN, +-inf) in the customer, start, MRR or
        ``by`` columns name the customers; ``as_of`` before the first start, ``start``
        after ``as_of`` or after ``end``, and date arguments that are not dates raise.

    Examples
    --------
    >>> import pandas as pd
    >>> import retention_kit as rk
    >>> subs = pd.DataFrame({
    ...     "customer_id": ["a", "b", "c", "d"],
    ...     "start_date": pd.to_datetime(["2023-12-01", "2023-12-15", "2024-01-10",
    ...                                   "2024-01-03"]),
    ...     "end_date": pd.to_datetime([None, "2024-01-20", None, "2024-01-25"]),
    ... })
    >>> table = rk.subscription_summary(subs, as_of="2024-01-31")
    >>> table[["period", "S", "E", "N", "retained", "lost", "joined_and_left", "crr_seed", "crr"]]
        period  S  E  N  retained  lost  joined_and_left  crr_seed   crr
    0  2023-12  0  2  2         0     0                0       NaN   NaN
    1  2024-01  2  2  2         1     1                1       0.0  50.0
    """
    freq = check_freq(freq)  # type: ignore[assignment]
    check_policy(denominator, reactivations, incomplete)
    prepared = prepare_subscriptions(
        subscriptions,
        customer_col=customer_col,
        start_col=start_col,
        end_col=end_col,
        trial_end_col=trial_end_col,
        count_trials=count_trials,
        by=by,
        as_of=as_of,
    )
    by_cols = prepared.by
    spells = prepared.frame
    as_of_ts = prepared.as_of
    check_window(start, end, first=prepared.first_date, last=as_of_ts)

    # Period of each spell's start and end; merge spells of a customer that touch at
    # period level, so the intervals of boundary coverage (a, z] are disjoint.
    owner = [CUSTOMER, *by_cols]
    spells = spells.with_columns(
        period_index(START, freq, spells).alias("_rk_a"),
        period_index(END, freq, spells).alias("_rk_z"),
    ).select([*owner, "_rk_a", "_rk_z"])
    spells = spells.with_columns(
        nw.col("_rk_z").cum_max().over(*owner, order_by=["_rk_a", "_rk_z"]).alias("_rk_reach")
    )
    spells = spells.with_columns(
        nw.col("_rk_reach").shift(1).over(*owner, order_by=["_rk_a", "_rk_z"]).alias("_rk_prev")
    )
    spells = spells.with_columns(
        (nw.col("_rk_prev").is_null() | (nw.col("_rk_a") > nw.col("_rk_prev")))
        .cast(nw.Int64)
        .alias("_rk_new_spell")
    )
    spells = spells.with_columns(
        nw.col("_rk_new_spell")
        .cum_sum()
        .over(*owner, order_by=["_rk_a", "_rk_z"])
        .alias("_rk_spell")
    )
    merged = spells.group_by([*owner, "_rk_spell"]).agg(
        nw.col("_rk_a").min(), nw.col("_rk_z").max()
    )
    merged = merged.with_columns(
        (nw.col("_rk_a") == nw.col("_rk_a").min().over(*owner)).alias("_rk_first")
    )
    shapes = collect(
        merged.group_by([*by_cols, "_rk_a", "_rk_z", "_rk_first"]).agg(nw.len().alias("n"))
    )
    if shapes.empty:
        msg = (
            "subscriptions has no paid spell: every row is a trial that ended before it "
            "converted. Pass count_trials=True to count trial users as customers."
        )
        raise EmptyDataError(msg)

    first_period = int(shapes["_rk_a"].min())
    last_period = current_period(as_of_ts, freq)
    frames = []
    groups = shapes.groupby(by_cols, sort=True, dropna=False) if by_cols else [((), shapes)]
    for key, part in groups:
        frames.append(_interval_counts(part, first_period, last_period, by_cols, key))
    counts = pd.concat(frames, ignore_index=True)
    return finish_table(
        counts,
        by_cols=by_cols,
        freq=freq,
        as_of=as_of_ts,
        start=start,
        end=end,
        denominator=denominator,
        reactivations=reactivations,
        same_period=same_period,
        incomplete=incomplete,
        confidence=confidence,
    )


def _interval_counts(
    part: pd.DataFrame, first: int, last: int, by_cols: list[str], key: Any
) -> pd.DataFrame:
    """Count S, E, N, ... per period from merged coverage intervals (a, z]."""
    p = np.arange(first, last + 1)[:, None]
    a = part["_rk_a"].to_numpy()[None, :]
    z = part["_rk_z"].to_numpy()[None, :]
    n = part["n"].to_numpy()[None, :]
    is_first = part["_rk_first"].to_numpy(dtype=bool)[None, :]

    def total(mask: np.ndarray) -> np.ndarray:
        return (mask * n).sum(axis=1)

    counts = pd.DataFrame(
        {
            PERIOD: p[:, 0],
            "S": total((a < p) & (p <= z)),
            "E": total((a <= p) & (p < z)),
            "N": total(is_first & (a == p)),
            "retained": total((a < p) & (p < z)),
            "lost": total((a < p) & (z == p)),
            "reactivated": total(~is_first & (a == p) & (z > p)),
            "joined_and_left": total(is_first & (a == p) & (z == p)),
        }
    )
    keys = key if isinstance(key, tuple) else (key,)
    for col, value in zip(by_cols, keys, strict=True):
        counts.insert(0, col, value)
    return counts
