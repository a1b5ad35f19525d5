"""Subscription revenue: MRR movements, revenue churn, GRR / NRR, revenue cohorts.

MRR is counted at period boundaries with the rules of :func:`subscription_summary`: a spell
pays from its paid start (the trial end for converted trials) to its end date, the first
day without service. Between the start and the end of a period each customer's MRR moves
in exactly one way:

===============  ==========================================================
new              0 at the start, > 0 at the end, first paid period ever
reactivated      0 at the start, > 0 at the end, paid before
expansion        higher at the end than at the start (upgrade, more seats)
contraction      lower but above 0 at the end (downgrade)
churned          > 0 at the start, 0 at the end
===============  ==========================================================

so ``mrr_start + new + expansion + reactivated + contraction + churned = mrr_end`` holds
for every period (contraction and churned are negative). A customer who starts and cancels
inside one period never shows in MRR at a boundary and moves nothing.

Rates, in percent of ``mrr_start``: gross revenue churn = -(churned + contraction); net
revenue churn = gross - expansion; GRR = 100 - gross churn; NRR = 100 - net churn. The SaaS
quick ratio is (new + expansion + reactivated) / -(churned + contraction); ARPA is
``mrr_end / E``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, cast

import narwhals as nw
import numpy as np
import pandas as pd

from ._docstrings import fill_doc
from ._frames import (
    Freq,
    Incomplete,
    check_freq,
    check_incomplete,
    collect,
    is_complete,
    last_complete_period,
    period_index,
    python_period_index,
    to_periods,
)
from ._spells import prepare_subscriptions
from ._validation import CUSTOMER, END, MRR, START
from .exceptions import EmptyDataError, RetentionKitError
from .subscription_periods import subscription_summary
from .survival import compare_survival, subscription_lifetimes, survival_curves

__all__ = [
    "MOVEMENTS",
    "compare_survival",
    "mrr_movements",
    "revenue_cohort_table",
    "subscription_lifetimes",
    "survival_curves",
]

#: The MRR movement columns, in the order they are stacked in plots.
MOVEMENTS = ("new", "expansion", "reactivated", "contraction", "churned")
_B = "_rk_boundary"
_DELTA = "_rk_delta"


def _events(spells: nw.LazyFrame, owner: list[str], freq: str) -> nw.LazyFrame:
    """MRR changes per customer and period boundary, with the level before and after.

    A spell counts at boundary ``b`` (the start of period ``b``) when ``a < b <= z``, with
    ``a`` and ``z`` the periods of its paid start and end, so it adds its MRR at ``a + 1``
    and takes it away at ``z + 1``.
    """
    a = period_index(START, freq, spells)
    z = period_index(END, freq, spells)
    spells = spells.with_columns(a.alias("_rk_a"), z.alias("_rk_z")).filter(
        nw.col("_rk_a") < nw.col("_rk_z")
    )
    plus = spells.select(*owner, (nw.col("_rk_a") + 1).alias(_B), nw.col(MRR).alias(_DELTA))
    minus = spells.select(*owner, (nw.col("_rk_z") + 1).alias(_B), (-nw.col(MRR)).alias(_DELTA))
    events = (
        nw.concat([plus, minus], how="vertical")
        .group_by([*owner, _B])
        .agg(nw.col(_DELTA).sum())
        .with_columns(nw.col(_DELTA).round(6))
        .filter(nw.col(_DELTA) != 0)
    )
    events = events.with_columns(
        nw.col(_DELTA).cum_sum().over(*owner, order_by=_B).round(6).alias("_rk_after"),
        nw.col(_B).min().over(*owner).alias("_rk_first"),
    ).with_columns((nw.col("_rk_after") - nw.col(_DELTA)).round(6).alias("_rk_before"))
    return events


@fill_doc
def mrr_movements(
    subscriptions: Any,
    *,
    customer_col: str = "customer_id",
    start_col: str = "start_date",
    end_col: str = "end_date",
    mrr_col: str = "mrr",
    trial_end_col: str | None = None,
    count_trials: bool = False,
    freq: Freq = "month",
    by: str | Sequence[str] | None = None,
    as_of: Any = None,
    incomplete: Incomplete = "exclude",
) -> pd.DataFrame:
    """MRR at the start and end of each period, the movements between, and revenue rates.

    Parameters
    ----------
    subscriptions : DataFrame-like
        One row per subscription spell, or one row per customer per billing period (give
        each row its start and end): pandas, Polars, DuckDB, ... Contiguous rows of one
        customer are one subscription; a plan change is a row ending the day the next
        begins.
    customer_col, start_col, end_col, mrr_col : str
        Customer id, start date, end date (empty = active) and monthly recurring revenue.
    trial_end_col : str, optional
        Date the free trial ends; MRR counts from then (the metrics.md trial rule).
    count_trials : bool, default False
        Count MRR from the trial start instead.
    %(freq)s
    by : str or list of str, optional
        Segment column(s), part of the customer key: moving from plan A to plan B is
        churn in A and new or reactivated MRR in B.
    %(as_of)s
    %(incomplete)s

    Returns
    -------
    pandas.DataFrame
        One row per (segment, period): ``mrr_start``, ``new``, ``expansion``,
        ``reactivated``, ``contraction``, ``churned``, ``mrr_end``, ``net_change``; customers
        ``S``, ``E``, ``N`` and movers ``n_new``, ``n_expansion``, ``n_reactivated``,
        ``n_contraction``, ``n_churned``; ``gross_revenue_churn``, ``net_revenue_churn``,
        ``grr``, ``nrr`` (percent), ``quick_ratio``, ``arpa``; ``unconverted_trials`` (trials
        that ended unpaid in the period); ``complete``.

    Examples
    --------
    >>> import pandas as pd
    >>> import retention_kit as rk
    >>> subs = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b", "c"],
    ...     "start_date": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-01-07",
    ...                                   "2024-02-03"]),
    ...     "end_date": pd.to_datetime(["2024-02-10", None, "2024-02-20", None]),
    ...     "mrr": [50.0, 80.0, 30.0, 20.0],
    ... })
    >>> table = rk.mrr_movements(subs, as_of="2024-02-29")
    >>> table[["period", "mrr_start", "new", "expansion", "churned", "mrr_end", "nrr"]]
        period  mrr_start   new  expansion  churned  mrr_end    nrr
    0  2024-01        0.0  80.0        0.0      0.0     80.0    NaN
    1  2024-02       80.0  20.0       30.0    -30.0    100.0  100.0
    """
    freq = check_freq(freq)  # type: ignore[assignment]
    check_incomplete(incomplete)
    prepared = prepare_subscriptions(
        subscriptions,
        customer_col=customer_col,
        start_col=start_col,
        end_col=end_col,
        trial_end_col=trial_end_col,
        count_trials=count_trials,
        mrr_col=mrr_col,
        by=by,
        as_of=as_of,
    )
    by_cols = prepared.by
    owner = [CUSTOMER, *by_cols]
    events = _events(prepared.frame, owner, freq)
    before, after, delta = nw.col("_rk_before"), nw.col("_rk_after"), nw.col(_DELTA)
    starts_from_zero = before == 0
    classified = events.with_columns(
        nw.when(starts_from_zero & (nw.col(_B) == nw.col("_rk_first")))
        .then(after)
        .otherwise(0.0)
        .alias("new"),
        nw.when(starts_from_zero & (nw.col(_B) != nw.col("_rk_first")))
        .then(after)
        .otherwise(0.0)
        .alias("reactivated"),
        nw.when((before > 0) & (after > before)).then(delta).otherwise(0.0).alias("expansion"),
        nw.when((before > 0) & (after > 0) & (after < before))
        .then(delta)
        .otherwise(0.0)
        .alias("contraction"),
        nw.when((before > 0) & (after == 0)).then(-before).otherwise(0.0).alias("churned"),
    )
    classified = classified.with_columns(
        *[(nw.col(m) != 0).cast(nw.Int64).alias(f"n_{m}") for m in MOVEMENTS]
    )
    sums = [*MOVEMENTS, *[f"n_{m}" for m in MOVEMENTS], _DELTA]
    moves = collect(classified.group_by([*by_cols, _B]).agg(nw.col(sums).sum()))
    if moves.empty:
        msg = "subscriptions has no paid MRR at any period boundary: nothing moves."
        raise EmptyDataError(msg)

    last_period = python_period_index(prepared.as_of, freq)
    first_period = int(moves[_B].min()) - 1
    moves["period_idx"] = moves[_B] - 1
    periods = pd.DataFrame({"period_idx": np.arange(first_period, last_period + 1)})
    if by_cols:
        grid = moves[by_cols].drop_duplicates().merge(periods, how="cross")
    else:
        grid = periods
    keys = [*by_cols, "period_idx"]
    # Boundaries beyond the last period (active spells' far-future end) only close MRR.
    level = moves[[*keys, _DELTA]]
    table = grid.merge(moves.drop(columns=[_B, _DELTA]), on=keys, how="left").fillna(0)
    table = table.merge(level, on=keys, how="left").fillna({_DELTA: 0.0})
    table = table.sort_values(keys, kind="stable").reset_index(drop=True)
    group = table.groupby(by_cols, sort=False)[_DELTA] if by_cols else table[_DELTA]
    table["mrr_end"] = group.cumsum().round(6)
    if by_cols:
        shifted = table.groupby(by_cols, sort=False)["mrr_end"].shift(1)
    else:
        shifted = table["mrr_end"].shift(1)
    table["mrr_start"] = shifted.fillna(0.0)
    table["net_change"] = table["mrr_end"] - table["mrr_start"]
    for col in [f"n_{m}" for m in MOVEMENTS]:
        table[col] = table[col].astype("int64")

    counts = subscription_summary(
        subscriptions,
        customer_col=customer_col,
        start_col=start_col,
        end_col=end_col,
        trial_end_col=trial_end_col,
        count_trials=count_trials,
        freq=freq,
        by=by_cols or None,
        as_of=prepared.as_of,
        incomplete="flag",
    )
    counts = counts[[*by_cols, "period", "S", "E", "N"]]
    table["period"] = to_periods(table["period_idx"], freq)
    table = table.merge(counts, on=[*by_cols, "period"], how="left")
    table[["S", "E", "N"]] = table[["S", "E", "N"]].fillna(0).astype("int64")
    table["unconverted_trials"] = _unconverted_trials(prepared, by_cols, freq, table)

    start = table["mrr_start"].to_numpy(dtype=float)
    lost = -(table["churned"] + table["contraction"]).to_numpy(dtype=float)
    gained = (table["new"] + table["expansion"] + table["reactivated"]).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["gross_revenue_churn"] = np.where(start > 0, lost / start * 100, np.nan)
        table["net_revenue_churn"] = np.where(
            start > 0, (lost - table["expansion"]) / start * 100, np.nan
        )
        table["grr"] = 100 - table["gross_revenue_churn"]
        table["nrr"] = 100 - table["net_revenue_churn"]
        table["quick_ratio"] = np.where(lost > 0, gained / lost, np.nan)
        table["arpa"] = np.where(table["E"] > 0, table["mrr_end"] / table["E"], np.nan)
    table["complete"] = is_complete(table["period_idx"], freq, prepared.as_of)
    if incomplete == "exclude":
        table = table[table["complete"]]
    columns = [
        *by_cols,
        "period",
        "mrr_start",
        *MOVEMENTS,
        "mrr_end",
        "net_change",
        "S",
        "E",
        "N",
        *[f"n_{m}" for m in MOVEMENTS],
        "gross_revenue_churn",
        "net_revenue_churn",
        "grr",
        "nrr",
        "quick_ratio",
        "arpa",
        "unconverted_trials",
        "complete",
    ]
    return table[columns].reset_index(drop=True)


def _unconverted_trials(
    prepared: Any, by_cols: list[str], freq: str, table: pd.DataFrame
) -> pd.Series:
    if prepared.unconverted_trials is None:
        return pd.Series(0, index=table.index, dtype="int64")
    trials = collect(
        prepared.unconverted_trials.with_columns(
            period_index(END, freq, prepared.unconverted_trials).alias("period_idx")
        )
        .group_by([*by_cols, "period_idx"])
        .agg(nw.len().alias("n"))
    )
    merged = table[[*by_cols, "period_idx"]].merge(trials, on=[*by_cols, "period_idx"], how="left")
    return merged["n"].fillna(0).astype("int64").set_axis(table.index)


def revenue_cohort_table(
    subscriptions: Any,
    *,
    customer_col: str = "customer_id",
    start_col: str = "start_date",
    end_col: str = "end_date",
    mrr_col: str = "mrr",
    trial_end_col: str | None = None,
    count_trials: bool = False,
    freq: Freq = "month",
    values: Literal["nrr", "mrr"] = "nrr",
    as_of: Any = None,
) -> pd.DataFrame:
    """Net revenue retention by acquisition cohort and age (the revenue twin of retention).

    A customer's cohort is the period of their first paid start. Cell (c, k) is the
    cohort's MRR at the end of period c + k over its MRR at the end of period c, in percent
    (``values="nrr"``), or the MRR itself (``values="mrr"``). Expansion can push a cell
    above 100. Periods not yet complete at ``as_of`` are NaN.

    Parameters
    ----------
    subscriptions : DataFrame-like
        As in :func:`mrr_movements`.
    customer_col, start_col, end_col, mrr_col, trial_end_col, count_trials, freq, as_of
        As in :func:`mrr_movements`.
    values : {"nrr", "mrr"}, default "nrr"
        What the cells hold.

    Returns
    -------
    pandas.DataFrame
        Index ``cohort`` (pandas Period), columns ``age`` 0, 1, ...; ``attrs`` holds
        ``values``, ``freq`` and ``cohort_size`` (customers paying at the end of period c).

    Examples
    --------
    >>> import pandas as pd
    >>> import retention_kit as rk
    >>> subs = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b"],
    ...     "start_date": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-01-07"]),
    ...     "end_date": pd.to_datetime(["2024-02-10", None, "2024-03-20"]),
    ...     "mrr": [50.0, 80.0, 30.0],
    ... })
    >>> rk.revenue_cohort_table(subs, as_of="2024-03-31")
    age          0      1      2
    cohort
    2024-01  100.0  137.5  100.0
    """
    freq = check_freq(freq)  # type: ignore[assignment]
    if values not in ("nrr", "mrr"):
        msg = f"values={values!r}: use 'nrr' or 'mrr'."
        raise RetentionKitError(msg)
    prepared = prepare_subscriptions(
        subscriptions,
        customer_col=customer_col,
        start_col=start_col,
        end_col=end_col,
        trial_end_col=trial_end_col,
        count_trials=count_trials,
        mrr_col=mrr_col,
        as_of=as_of,
    )
    events = _events(prepared.frame, [CUSTOMER], freq)
    cohort = events.group_by(CUSTOMER).agg(nw.col(_B).min().alias("_rk_cohort_b"))
    per_cohort = collect(
        events.join(cohort, on=CUSTOMER, how="inner")
        .group_by("_rk_cohort_b", _B)
        .agg(nw.col(_DELTA).sum())
    )
    sizes = collect(cohort.group_by("_rk_cohort_b").agg(nw.len().alias("n")))
    sizes["n"] = sizes["n"].astype("int64")  # Polars counts in UInt32
    if per_cohort.empty:
        msg = "subscriptions has no paid MRR at any period boundary: no cohorts."
        raise EmptyDataError(msg)
    last_complete = last_complete_period(prepared.as_of, freq)
    rows = {}
    for cohort_b, part in per_cohort.groupby("_rk_cohort_b"):
        c = int(cast(int, cohort_b)) - 1
        if c > last_complete:
            continue
        ages = np.arange(last_complete - c + 1)
        deltas = part.set_index(_B)[_DELTA]
        boundaries = c + 1 + ages
        level = np.array([deltas[deltas.index <= b].sum() for b in boundaries]).round(6)
        rows[c] = level / level[0] * 100 if values == "nrr" else level
    width = max(len(v) for v in rows.values())
    padded = [
        np.pad(v.astype(float), (0, width - len(v)), constant_values=np.nan) for v in rows.values()
    ]
    table = pd.DataFrame(padded, index=to_periods(list(rows), freq).rename("cohort"))
    table.columns = pd.RangeIndex(width, name="age")
    size = sizes.assign(c=sizes["_rk_cohort_b"] - 1).set_index("c")["n"]
    table.attrs.update(
        {
            "values": "nrr" if values == "nrr" else "mrr",
            "freq": freq,
            "cohort_size": pd.Series(size.reindex(list(rows)).to_numpy(), index=table.index),
        }
    )
    return table
