"""Subscription survival: tenures, Kaplan-Meier curves with bands and medians, log-rank tests.

Raw churn averages undercount how long customers stay when many are still active;
Kaplan-Meier uses every active customer up to the day they were last seen (right
censoring). The estimate, its risk sets and the log-rank statistic come from statsmodels'
``duration`` module (:class:`~statsmodels.duration.survfunc.SurvfuncRight`,
:func:`~statsmodels.duration.survfunc.survdiff`). The pointwise band is the exponential
Greenwood (log(-log)) interval, the band lifelines draws::

    S(t) ** exp(+-z * sqrt(V(t)) / log S(t)),   V(t) = sum over churn times t_i <= t
                                                       of d_i / (n_i * (n_i - d_i))

with d_i customers churned of n_i at risk at t_i; a median is the first time the curve
(or a band) is at or below 50 %.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd
from scipy import stats

from ._arguments import NOT_GIVEN, renamed
from ._docstrings import fill_doc
from ._frames import TimeUnit, check_time_unit, collect, day_number, days_per
from ._spells import prepare_subscriptions
from ._validation import CUSTOMER, END, START
from .exceptions import EmptyDataError, RetentionKitError

__all__ = ["compare_survival", "subscription_lifetimes", "survival_curves"]


@fill_doc
def subscription_lifetimes(
    subscriptions: Any,
    *,
    customer_col: str = "customer_id",
    start_col: str = "start_date",
    end_col: str = "end_date",
    trial_end_col: str | None = None,
    count_trials: bool = False,
    by: str | Sequence[str] | None = None,
    time_unit: TimeUnit = "month",
    as_of: Any = None,
    unit: Any = NOT_GIVEN,
) -> pd.DataFrame:
    """First continuous paid tenure of each customer, right-censored at ``as_of``.

    Spells of a customer that touch or overlap are one tenure; the tenure ends at the first
    gap. Customers still paying at ``as_of`` (or whose end is after it) are censored:
    ``churned`` is False and the duration runs to ``as_of``.

    Parameters
    ----------
    subscriptions : DataFrame-like
        As in :func:`~retention_kit.mrr_movements`.
    customer_col, start_col, end_col, trial_end_col, count_trials, as_of
        As in :func:`~retention_kit.mrr_movements`.
    by : str or list of str, optional
        Segment column(s) to keep (the customer's segment at the start of the tenure).
    %(time_unit)s
        Unit of ``duration``; default "month".
    unit : str, optional
        Deprecated: the old name of ``time_unit`` (accepted with a ``FutureWarning``
        until the next release).

    Returns
    -------
    pandas.DataFrame
        Grouped durations: the ``by`` columns, ``duration``, ``churned`` and ``customers``
        (how many customers share that duration and outcome); sum ``customers`` for the
        total. Aggregated in the engine, so a million subscriptions come back as a few
        thousand rows.

    Raises
    ------
    EmptyDataError
        If no paid subscription starts before ``as_of``.

    Examples
    --------
    >>> import pandas as pd
    >>> subs = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b"],
    ...     "start_date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-01"]),
    ...     "end_date": pd.to_datetime(["2024-02-01", "2024-03-01", None]),
    ... })
    >>> subscription_lifetimes(subs, time_unit="day", as_of="2024-03-31")
       duration  churned  customers
    0      60.0     True          1
    1      91.0    False          1
    """
    time_unit = renamed("unit", unit, "time_unit", time_unit, default="month")
    check_time_unit(time_unit)
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
    grouped["duration"] = grouped["_rk_days"] / days_per(time_unit)
    grouped = grouped.sort_values([*by_cols, "duration", "churned"], ascending=True)
    grouped["churned"] = grouped["churned"].astype(bool)
    grouped["customers"] = grouped["customers"].astype("int64")
    return grouped[[*by_cols, "duration", "churned", "customers"]].reset_index(drop=True)


def _z(confidence: float) -> float:
    """Two-sided normal quantile of ``confidence``, or a clear error."""
    if not isinstance(confidence, int | float) or not 0 < confidence < 1:
        msg = f"confidence={confidence!r} must be between 0 and 1 (e.g. 0.95)."
        raise RetentionKitError(msg)
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _first_at_or_below(times: np.ndarray, curve: np.ndarray, level: float) -> float:
    """First time ``curve`` is at or below ``level``; NaN when it never gets there."""
    hits = np.flatnonzero(curve <= level)
    return float(times[hits[0]]) if hits.size else np.nan


def _kaplan_meier(
    duration: Any, churned: Any, customers: Any, *, confidence: float = 0.95
) -> pd.DataFrame:
    """Kaplan-Meier curve with its exponential Greenwood band, in percent.

    Parameters
    ----------
    duration, churned, customers : array-like
        Tenure, whether it ended in churn (False: censored) and how many customers share
        the row (frequency weights), as in :func:`subscription_lifetimes`.
    confidence : float, default 0.95
        Coverage of the pointwise band.

    Returns
    -------
    pandas.DataFrame
        ``time`` (0 and every distinct duration), ``survival``, ``survival_low``,
        ``survival_high`` (percent still subscribed just after ``time``) and ``at_risk``
        (customers whose tenure reaches ``time``).

    Examples
    --------
    Four customers: churn at 2, censored at 3, churn at 5, censored at 8. At 2 one of
    four churns (S = 3/4); at 5 one of the two left (S = 3/8).

    >>> curve = _kaplan_meier([2, 3, 5, 8], [True, False, True, False], [1, 1, 1, 1])
    >>> curve[["time", "survival", "at_risk"]]
       time  survival  at_risk
    0   0.0     100.0        4
    1   2.0      75.0        4
    2   3.0      75.0        3
    3   5.0      37.5        2
    4   8.0      37.5        1
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    z = _z(confidence)
    time = np.asarray(duration, dtype=float)
    event = np.asarray(churned, dtype=bool)
    weight = np.asarray(customers, dtype=float)
    fit = SurvfuncRight(time, event.astype(float), freq_weights=weight)
    n, d = np.asarray(fit.n_risk, dtype=float), np.asarray(fit.n_events, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Greenwood's sum; the term is 0 where everyone at risk churns (S drops to 0).
        variance = np.cumsum(np.where(n > d, d / (n * (n - d)), 0.0))
    timeline = np.union1d([0.0], time)
    # Each time takes the values of the last churn time at or before it (1 and 0 before any).
    step = np.searchsorted(fit.surv_times, timeline, side="right")
    surv = np.append(1.0, fit.surv_prob)[step]
    var = np.append(0.0, variance)[step]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.log(surv)
        spread = z * np.sqrt(var) / log_s
        low = np.exp(-np.exp(np.log(-log_s) - spread))
        high = np.exp(-np.exp(np.log(-log_s) + spread))
    # Before the first churn (S = 1) the band is the curve itself.
    low, high = np.where(np.isnan(low), 1.0, low), np.where(np.isnan(high), 1.0, high)
    order = np.argsort(time, kind="stable")
    reach = np.cumsum(weight[order][::-1])[::-1]  # customers with tenure >= each sorted time
    first = np.searchsorted(time[order], timeline, side="left")
    at_risk = np.append(reach, 0.0)[first]
    return pd.DataFrame(
        {
            "time": timeline,
            "survival": surv * 100,
            "survival_low": low * 100,
            "survival_high": high * 100,
            "at_risk": at_risk.round().astype("int64"),
        }
    )


@fill_doc
def survival_curves(
    subscriptions: Any,
    *,
    by: str | None = None,
    time_unit: TimeUnit = "month",
    confidence: float = 0.95,
    unit: Any = NOT_GIVEN,
    **kwargs: Any,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kaplan-Meier survival of subscription tenure, overall or per segment.

    Parameters
    ----------
    subscriptions : DataFrame-like
        As in :func:`~retention_kit.mrr_movements`.
    by : str, optional
        Segment column: one curve per value.
    %(time_unit)s
        Time unit of the curves; default "month".
    %(confidence)s
        The band is pointwise, exponential Greenwood (log(-log)).
    unit : str, optional
        Deprecated old name of ``time_unit``, as in :func:`subscription_lifetimes`.
    **kwargs
        Column names, the trial rule and ``as_of`` (see :func:`subscription_lifetimes`).

    Returns
    -------
    (curves, medians) : tuple of DataFrames
        ``curves``: the segment column, ``time``, ``survival``, ``survival_low``,
        ``survival_high`` (percent still subscribed), ``at_risk``; ``curves.attrs`` holds
        ``time_unit``. ``medians``: per segment ``customers``, ``churned``,
        ``median_lifetime`` (NaN when more than half are still active: the median is not
        reached yet), its interval ``median_low``, ``median_high`` (where the band
        crosses 50 %) and ``time_unit``.

    Examples
    --------
    >>> import retention_kit as rk
    >>> curves, medians = rk.survival_curves(
    ...     rk.datasets.load_subscriptions(), trial_end_col="trial_end", by="plan")
    >>> medians[["plan", "customers", "median_lifetime"]].round(1)
           plan  customers  median_lifetime
    0     basic        761             20.0
    1  business        129             20.0
    2       pro        403             22.0
    """
    time_unit = renamed("unit", unit, "time_unit", time_unit, default="month")
    _z(confidence)
    lifetimes = subscription_lifetimes(subscriptions, by=by, time_unit=time_unit, **kwargs)
    groups = lifetimes.groupby(by, sort=True) if by else [(None, lifetimes)]
    curves, medians = [], []
    for key, part in groups:
        label = key[0] if isinstance(key, tuple) else key
        frame = _kaplan_meier(
            part["duration"], part["churned"], part["customers"], confidence=confidence
        )
        times = frame["time"].to_numpy()
        summary: dict[str, Any] = {
            "customers": int(part["customers"].sum()),
            "churned": int(part.loc[part["churned"], "customers"].sum()),
            "median_lifetime": _first_at_or_below(times, frame["survival"].to_numpy(), 50),
            "median_low": _first_at_or_below(times, frame["survival_low"].to_numpy(), 50),
            "median_high": _first_at_or_below(times, frame["survival_high"].to_numpy(), 50),
            "time_unit": time_unit,
        }
        if by:
            frame.insert(0, by, label)
            summary = {by: label, **summary}
        curves.append(frame)
        medians.append(summary)
    result = pd.concat(curves, ignore_index=True)
    result.attrs["time_unit"] = time_unit
    return result, pd.DataFrame(medians)


def _log_rank(duration: Any, churned: Any, customers: Any, group: Any) -> tuple[float, float]:
    """Log-rank chi-square statistic (1 degree of freedom) and p-value for two groups.

    Parameters
    ----------
    duration, churned, customers : array-like
        As in :func:`_kaplan_meier`.
    group : array-like
        Which of the two groups each row belongs to.

    Returns
    -------
    (statistic, p_value) : tuple of float

    Examples
    --------
    Group a churns at 1 and 2, group b at 3 and 4. Expected churn in a: 2/4 at t=1 and
    1/3 at t=2 (5/6 against 2 observed); hypergeometric variance 1/4 + 2/9 = 17/36; so
    the statistic is (7/6)**2 / (17/36) = 49/17.

    >>> stat, p = _log_rank([1, 2, 3, 4], [True, True, True, True], [1, 1, 1, 1],
    ...                     ["a", "a", "b", "b"])
    >>> round(stat, 4), round(49 / 17, 4), round(p, 4)
    (2.8824, 2.8824, 0.0896)
    """
    from statsmodels.duration.survfunc import survdiff

    # survdiff has no frequency weights: give each customer a row.
    repeat = np.asarray(customers, dtype="int64")
    statistic, _ = survdiff(
        np.repeat(np.asarray(duration, dtype=float), repeat),
        np.repeat(np.asarray(churned, dtype=float), repeat),
        np.repeat(np.asarray(group), repeat),
    )
    statistic = float(statistic)
    # chi2.sf keeps small p-values that 1 - cdf would round to 0.
    return statistic, float(stats.chi2.sf(statistic, 1))


@fill_doc
def compare_survival(
    subscriptions: Any,
    *,
    by: str,
    groups: tuple[Any, Any] | None = None,
    time_unit: TimeUnit = "month",
    unit: Any = NOT_GIVEN,
    **kwargs: Any,
) -> pd.DataFrame:
    """Log-rank test of whether two segments' subscription lifetimes differ.

    Parameters
    ----------
    subscriptions : DataFrame-like
        As in :func:`~retention_kit.mrr_movements`.
    by : str
        Segment column.
    groups : tuple of two values, optional
        The two segments to compare; required when ``by`` has more than two values.
    %(time_unit)s
        Default "month"; it does not change the test.
    unit : str, optional
        Deprecated old name of ``time_unit``, as in :func:`subscription_lifetimes`.
    **kwargs
        Passed to :func:`subscription_lifetimes`: column names, the trial rule, ``as_of``.

    Returns
    -------
    pandas.DataFrame
        One row: ``group_a``, ``group_b``, customers and churned in each,
        ``test_statistic``, ``p_value`` and a plain-words ``verdict``.

    Raises
    ------
    RetentionKitError
        If ``groups`` is missing while ``by`` has other than two values, or names a
        segment that is not in the data.

    Examples
    --------
    >>> import retention_kit as rk
    >>> result = rk.compare_survival(rk.datasets.load_subscriptions(), by="plan",
    ...                              groups=("basic", "business"), trial_end_col="trial_end")
    >>> list(result.columns)[:2]
    ['group_a', 'group_b']
    """
    time_unit = renamed("unit", unit, "time_unit", time_unit, default="month")
    lifetimes = subscription_lifetimes(subscriptions, by=by, time_unit=time_unit, **kwargs)
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
    both = pd.concat([a, b], ignore_index=True)
    statistic, p = _log_rank(both["duration"], both["churned"], both["customers"], both[by])
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
                "test_statistic": statistic,
                "p_value": p,
                "verdict": verdict,
            }
        ]
    )
