"""Subscription revenue: MRR movements, revenue churn, GRR / NRR, revenue cohorts, survival.

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

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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
    day_number,
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


@contextmanager
def _quiet_lifelines() -> Iterator[None]:
    """Silence pandas' deprecation notices raised inside lifelines (not the user's code)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="lifelines")
        warnings.filterwarnings("ignore", category=FutureWarning, module="lifelines")
        warnings.filterwarnings("ignore", message=".*keyword-only.*", module="lifelines")
        yield


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


def subscription_lifetimes(
    subscriptions: Any,
    *,
    customer_col: str = "customer_id",
    start_col: str = "start_date",
    end_col: str = "end_date",
    trial_end_col: str | None = None,
    count_trials: bool = False,
    by: str | Sequence[str] | None = None,
    unit: Literal["day", "week", "month", "year"] = "month",
    as_of: Any = None,
) -> pd.DataFrame:
    """First continuous paid tenure of each customer, right-censored at ``as_of``.

    Spells of a customer that touch or overlap are one tenure; the tenure ends at the first
    gap. Customers still paying at ``as_of`` (or whose end is after it) are censored:
    ``churned`` is False and the duration runs to ``as_of``.

    Parameters
    ----------
    subscriptions : DataFrame-like
        As in :func:`mrr_movements`.
    customer_col, start_col, end_col, trial_end_col, count_trials, as_of
        As in :func:`mrr_movements`.
    by : str or list of str, optional
        Segment column(s) to keep (the customer's segment at the start of the tenure).
    unit : {"day", "week", "month", "year"}, default "month"
        Unit of ``duration`` (a month is 365.25 / 12 days).

    Returns
    -------
    pandas.DataFrame
        Grouped durations: the ``by`` columns, ``duration``, ``churned`` and ``customers``
        (how many customers share that duration and outcome); sum ``customers`` for the
        total. Aggregated in the engine, so a million subscriptions come back as a few
        thousand rows.

    Examples
    --------
    >>> import pandas as pd
    >>> subs = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b"],
    ...     "start_date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-01"]),
    ...     "end_date": pd.to_datetime(["2024-02-01", "2024-03-01", None]),
    ... })
    >>> subscription_lifetimes(subs, unit="day", as_of="2024-03-31")
       duration  churned  customers
    0      60.0     True          1
    1      91.0    False          1
    """
    days_per = {"day": 1.0, "week": 7.0, "month": 365.25 / 12, "year": 365.25}
    if unit not in days_per:
        msg = f"unit={unit!r}: use 'day', 'week', 'month' or 'year'."
        raise RetentionKitError(msg)
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
    horizon = (prepared.as_of.normalize() + pd.Timedelta(days=1)).to_pydatetime()
    spells = prepared.frame.filter(nw.col(START) < horizon)
    order = [START, END]
    spells = spells.with_columns(
        nw.col(END).cum_max().over(CUSTOMER, order_by=order).alias("_rk_reach")
    ).with_columns(nw.col("_rk_reach").shift(1).over(CUSTOMER, order_by=order).alias("_rk_prev"))
    spells = spells.with_columns(
        (nw.col("_rk_prev").is_null() | (nw.col(START) > nw.col("_rk_prev")))
        .cast(nw.Int64)
        .alias("_rk_gap")
    ).with_columns(nw.col("_rk_gap").cum_sum().over(CUSTOMER, order_by=order).alias("_rk_tenure"))
    first = spells.filter(nw.col("_rk_tenure") == 1)
    if by_cols:
        # The segment at the start of the tenure: the value on its first spell (the one
        # row with a gap before it), spread to the tenure's other spells. (An ordered
        # first().over() would say it directly, but PySpark has no ordered first.)
        opening = nw.col("_rk_gap") == 1
        first = first.with_columns(
            *[nw.when(opening).then(nw.col(c)).alias(c) for c in by_cols]
        ).with_columns(*[nw.col(c).max().over(CUSTOMER) for c in by_cols])
    tenure = first.group_by([CUSTOMER, *by_cols]).agg(
        nw.col(START).min().alias("_rk_from"), nw.col(END).max().alias("_rk_to")
    )
    churned = nw.col("_rk_to") < horizon
    tenure = tenure.with_columns(
        churned.alias("churned"),
        nw.when(churned).then(nw.col("_rk_to")).otherwise(nw.lit(horizon)).alias("_rk_stop"),
    )
    tenure = tenure.with_columns(
        (day_number("_rk_stop", tenure) - day_number("_rk_from", tenure)).alias("_rk_days")
    )
    grouped = collect(
        tenure.group_by([*by_cols, "_rk_days", "churned"]).agg(nw.len().alias("customers"))
    )
    if grouped.empty:
        msg = "No paid subscription starts before as_of: no lifetimes to measure."
        raise EmptyDataError(msg)
    grouped["duration"] = grouped["_rk_days"] / days_per[unit]
    grouped = grouped.sort_values([*by_cols, "duration", "churned"], ascending=True)
    grouped["churned"] = grouped["churned"].astype(bool)
    grouped["customers"] = grouped["customers"].astype("int64")
    return grouped[[*by_cols, "duration", "churned", "customers"]].reset_index(drop=True)


def survival_curves(
    subscriptions: Any,
    *,
    by: str | None = None,
    unit: Literal["day", "week", "month", "year"] = "month",
    confidence: float = 0.95,
    **kwargs: Any,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kaplan-Meier survival of subscription tenure, overall or per segment (lifelines).

    Raw churn averages undercount how long customers stay when many are still active;
    Kaplan-Meier uses every active customer up to the day they were last seen (right
    censoring).

    Parameters
    ----------
    subscriptions : DataFrame-like
        As in :func:`mrr_movements`.
    by : str, optional
        Segment column: one curve per value.
    unit : {"day", "week", "month", "year"}, default "month"
        Time unit of the curves.
    confidence : float, default 0.95
        Coverage of the confidence band (lifelines' exponential Greenwood).
    **kwargs
        Column names and the trial rule, passed to :func:`subscription_lifetimes`.

    Returns
    -------
    (curves, medians) : tuple of DataFrames
        ``curves``: the segment column, ``time``, ``survival``, ``survival_low``,
        ``survival_high`` (percent still subscribed), ``at_risk``. ``medians``: per segment
        ``customers``, ``churned``, ``median_lifetime`` (NaN when more than half are still
        active: the median is not reached yet) and its interval.

    Examples
    --------
    >>> import retention_kit as rk
    >>> curves, medians = rk.survival_curves(
    ...     rk.datasets.load_subscriptions(), trial_end_col="trial_end", by="plan")
    >>> sorted(medians["plan"])
    ['basic', 'business', 'pro']
    """
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    lifetimes = subscription_lifetimes(subscriptions, by=by, unit=unit, **kwargs)
    groups = lifetimes.groupby(by, sort=True) if by else [(None, lifetimes)]
    curves, medians = [], []
    for key, part in groups:
        label = key[0] if isinstance(key, tuple) else key
        fitter = KaplanMeierFitter(alpha=1 - confidence)
        with _quiet_lifelines():
            fitter.fit(
                part["duration"],
                event_observed=part["churned"],
                weights=part["customers"],
                label="survival",
            )
        frame = pd.DataFrame(
            {
                "time": fitter.survival_function_.index.to_numpy(),
                "survival": fitter.survival_function_["survival"].to_numpy() * 100,
                "survival_low": fitter.confidence_interval_.iloc[:, 0].to_numpy() * 100,
                "survival_high": fitter.confidence_interval_.iloc[:, 1].to_numpy() * 100,
                "at_risk": fitter.event_table["at_risk"]
                .reindex(fitter.survival_function_.index)
                .to_numpy(),
            }
        )
        median_ci = median_survival_times(fitter.confidence_interval_)
        summary = {
            "customers": int(part["customers"].sum()),
            "churned": int(part.loc[part["churned"], "customers"].sum()),
            "median_lifetime": float(fitter.median_survival_time_),
            "median_low": float(median_ci.iloc[0, 0]),
            "median_high": float(median_ci.iloc[0, 1]),
            "unit": unit,
        }
        if by:
            frame.insert(0, by, label)
            summary = {by: label, **summary}
        curves.append(frame)
        medians.append(summary)
    table = pd.DataFrame(medians)
    table = table.replace([np.inf, -np.inf], np.nan)
    result = pd.concat(curves, ignore_index=True)
    result.attrs["unit"] = unit
    return result, table


def compare_survival(
    subscriptions: Any,
    *,
    by: str,
    groups: tuple[Any, Any] | None = None,
    unit: Literal["day", "week", "month", "year"] = "month",
    **kwargs: Any,
) -> pd.DataFrame:
    """Log-rank test of whether two segments' subscription lifetimes differ (lifelines).

    Parameters
    ----------
    subscriptions : DataFrame-like
        As in :func:`mrr_movements`.
    by : str
        Segment column.
    groups : tuple of two values, optional
        The two segments to compare; required when ``by`` has more than two values.
    unit : {"day", "week", "month", "year"}, default "month"
        Time unit (does not change the test).
    **kwargs
        Column names and the trial rule, passed to :func:`subscription_lifetimes`.

    Returns
    -------
    pandas.DataFrame
        One row: ``group_a``, ``group_b``, customers and churned in each,
        ``test_statistic``, ``p_value`` and a plain-words ``verdict``.

    Examples
    --------
    >>> import retention_kit as rk
    >>> result = rk.compare_survival(rk.datasets.load_subscriptions(), by="plan",
    ...                              groups=("basic", "business"), trial_end_col="trial_end")
    >>> list(result.columns)[:2]
    ['group_a', 'group_b']
    """
    from lifelines.statistics import logrank_test

    lifetimes = subscription_lifetimes(subscriptions, by=by, unit=unit, **kwargs)
    present = sorted(lifetimes[by].dropna().unique())
    if groups is None:
        if len(present) != 2:
            msg = (
                f"by={by!r} has {len(present)} values ({present[:6]}); pass groups=(a, b) "
                f"to choose the two to compare."
            )
            raise RetentionKitError(msg)
        groups = (present[0], present[1])
    missing = [g for g in groups if g not in present]
    if missing:
        msg = f"groups={groups!r}: {missing} not found in {by!r}; values are {present[:10]}."
        raise RetentionKitError(msg)
    a = lifetimes[lifetimes[by] == groups[0]]
    b = lifetimes[lifetimes[by] == groups[1]]
    with _quiet_lifelines():
        result = logrank_test(
            a["duration"],
            b["duration"],
            event_observed_A=a["churned"],
            event_observed_B=b["churned"],
            weights_A=a["customers"],
            weights_B=b["customers"],
        )
    p = float(result.p_value)
    verdict = (
        f"{groups[0]} and {groups[1]} lifetimes differ (log-rank p = {p:.3g})."
        if p < 0.05
        else f"No evidence that {groups[0]} and {groups[1]} lifetimes differ (p = {p:.3g})."
    )
    return pd.DataFrame(
        [
            {
                "group_a": groups[0],
                "group_b": groups[1],
                "customers_a": int(a["customers"].sum()),
                "churned_a": int(a.loc[a["churned"], "customers"].sum()),
                "customers_b": int(b["customers"].sum()),
                "churned_b": int(b.loc[b["churned"], "customers"].sum()),
                "test_statistic": float(result.test_statistic),
                "p_value": p,
                "verdict": verdict,
            }
        ]
    )
