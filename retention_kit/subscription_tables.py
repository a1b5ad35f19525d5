"""Summary tables of subscription results: revenue retention, plans, lifetimes, churn rules.

Each function takes a result of the subscription functions (:func:`~retention_kit.
revenue_cohort_table`, :func:`~retention_kit.mrr_movements` with ``by``,
:func:`~retention_kit.subscription_lifetimes`) and condenses it into the few numbers the
subscriptions notebook states, so no notebook recomputes them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import numpy as np
import pandas as pd

from .exceptions import EmptyDataError, RetentionKitError
from .intervals import MIN_READABLE_N

__all__ = [
    "churn_gap_breakdown",
    "churn_policy_table",
    "hidden_revenue_churn",
    "naive_lifetimes",
    "plan_summary",
    "plans_by_price",
    "pooled_revenue_retention",
    "trial_rule_comparison",
    "with_customer_churn",
]


def _require(table: object, columns: Iterable[object], func: str, source: str) -> None:
    if not isinstance(table, pd.DataFrame):
        msg = f"{func}: pass the DataFrame of {source}, got {type(table).__name__}."
        raise RetentionKitError(msg)
    missing = [c for c in columns if c not in table.columns]
    if missing:
        msg = f"{func}: the table has no column(s) {missing}; pass the result of {source}."
        raise RetentionKitError(msg)


def pooled_revenue_retention(
    cohort_mrr: pd.DataFrame, ages: Iterable[int] = (1, 3, 6, 12, 24)
) -> pd.DataFrame:
    """MRR kept at each age, all cohorts pooled: their MRR at that age over their MRR at age 0.

    Only the cohorts old enough to have reached an age count at that age (in numerator and
    denominator alike).

    Parameters
    ----------
    cohort_mrr : pandas.DataFrame
        :func:`~retention_kit.revenue_cohort_table` with ``values="mrr"``: one row per
        cohort, one column per age (0, 1, 2, ...), NaN where the age is not reached yet.
    ages : iterable of int, default (1, 3, 6, 12, 24)
        Ages to report; those the table does not reach are left out.

    Returns
    -------
    pandas.DataFrame
        Columns ``age``, ``cohorts`` (cohorts that reached it) and ``nrr`` (percent).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> mrr = pd.DataFrame({0: [100.0, 200.0], 1: [90.0, 220.0], 2: [80.0, np.nan]})
    >>> pooled_revenue_retention(mrr, ages=(1, 2, 3)).round(2)  # 310 / 300, 80 / 100
       age  cohorts     nrr
    0    1        2  103.33
    1    2        1   80.00
    """
    _require(cohort_mrr, [0], "pooled_revenue_retention", "revenue_cohort_table(values='mrr')")
    rows = []
    for age in ages:
        if age not in cohort_mrr.columns:
            continue
        reached = cohort_mrr[age].notna()
        start = cohort_mrr.loc[reached, 0].sum()
        nrr = cohort_mrr.loc[reached, age].sum() / start * 100 if start else np.nan
        rows.append({"age": int(age), "cohorts": int(reached.sum()), "nrr": float(nrr)})
    table = pd.DataFrame(rows, columns=["age", "cohorts", "nrr"])
    return table.astype({"age": "int64", "cohorts": "int64", "nrr": "float64"})


def plan_summary(
    by_plan: pd.DataFrame, *, periods: int = 12, plan_col: str = "plan"
) -> pd.DataFrame:
    """Per plan: the last period's MRR, share, customers and ARPA; average revenue churn.

    Parameters
    ----------
    by_plan : pandas.DataFrame
        :func:`~retention_kit.mrr_movements` with ``by=plan_col``, periods in order.
    periods : int, default 12
        The rates are averaged over each plan's last ``periods`` periods.
    plan_col : str, default "plan"
        The plan column.

    Returns
    -------
    pandas.DataFrame
        One row per plan: ``plan_col``, ``mrr_end``, ``share`` (percent of all plans'
        MRR at the end), ``E``, ``arpa`` (last period), ``gross_revenue_churn``,
        ``net_revenue_churn``, ``nrr`` (means over the periods, NaN skipped) and
        ``periods`` (how many were averaged).

    Examples
    --------
    >>> import pandas as pd
    >>> by_plan = pd.DataFrame({
    ...     "plan": ["a", "a", "b", "b"], "mrr_end": [100.0, 120.0, 50.0, 80.0],
    ...     "E": [10, 12, 2, 3], "arpa": [10.0, 10.0, 25.0, 26.7],
    ...     "gross_revenue_churn": [2.0, 4.0, 0.0, 10.0],
    ...     "net_revenue_churn": [1.0, -1.0, 0.0, 6.0], "nrr": [99.0, 101.0, 100.0, 94.0]})
    >>> plan_summary(by_plan)[["plan", "mrr_end", "share", "gross_revenue_churn", "periods"]]
      plan  mrr_end  share  gross_revenue_churn  periods
    0    a    120.0   60.0                  3.0        2
    1    b     80.0   40.0                  5.0        2
    """
    needed = [plan_col, "mrr_end", "E", "arpa", "gross_revenue_churn", "net_revenue_churn", "nrr"]
    _require(by_plan, needed, "plan_summary", f"mrr_movements(..., by={plan_col!r})")
    _check_periods(periods)
    if by_plan.empty:
        msg = "plan_summary: the table has no rows (no complete period with a plan)."
        raise EmptyDataError(msg)
    recent = by_plan.groupby(plan_col, sort=True).tail(periods)
    table = (
        recent.groupby(plan_col, sort=True)
        .agg(
            mrr_end=("mrr_end", "last"),
            E=("E", "last"),
            arpa=("arpa", "last"),
            gross_revenue_churn=("gross_revenue_churn", "mean"),
            net_revenue_churn=("net_revenue_churn", "mean"),
            nrr=("nrr", "mean"),
            periods=("mrr_end", "size"),
        )
        .reset_index()
    )
    total = table["mrr_end"].sum()
    table.insert(2, "share", table["mrr_end"] / total * 100 if total else np.nan)
    return table


def naive_lifetimes(lifetimes: pd.DataFrame) -> pd.Series:
    """The two shortcut averages of lifetimes, and the share still active (censored).

    Both understate how long customers stay: the first ignores everyone still subscribed,
    the second treats today as the day every active customer leaves. Compare them with the
    Kaplan-Meier median of :func:`~retention_kit.survival_curves`.

    Parameters
    ----------
    lifetimes : pandas.DataFrame
        :func:`~retention_kit.subscription_lifetimes`: ``duration``, ``churned`` and
        ``customers`` (how many customers share that duration and status).

    Returns
    -------
    pandas.Series
        ``churned_mean`` (mean duration of the customers who left), ``all_mean`` (mean
        time so far of everybody) and ``still_active`` (percent of the customers not
        churned); NaN where nobody counts.

    Examples
    --------
    >>> import pandas as pd
    >>> lifetimes = pd.DataFrame({"duration": [2.0, 4.0, 10.0], "churned": [True, True, False],
    ...                           "customers": [3, 1, 4]})
    >>> naive_lifetimes(lifetimes).to_dict()
    {'churned_mean': 2.5, 'all_mean': 6.25, 'still_active': 50.0}
    """
    _require(
        lifetimes, ["duration", "churned", "customers"], "naive_lifetimes",
        "subscription_lifetimes()",
    )
    weight = lifetimes["customers"].astype(float)
    gone = lifetimes["churned"].astype(bool)
    total, churned = weight.sum(), weight[gone].sum()

    def _mean(mask: pd.Series) -> float:
        n = weight[mask].sum()
        return float((lifetimes.loc[mask, "duration"] * weight[mask]).sum() / n) if n else np.nan

    return pd.Series(
        {
            "churned_mean": _mean(gone),
            "all_mean": _mean(pd.Series(True, index=lifetimes.index)),
            "still_active": float(100 - churned / total * 100) if total else np.nan,
        }
    )


def hidden_revenue_churn(
    movements: pd.DataFrame, *, periods: int = 12, min_customers: int = MIN_READABLE_N
) -> tuple[pd.Series | None, float]:
    """The period where revenue churn ran furthest above a usual customer churn.

    Of the last ``periods`` periods with at least ``min_customers`` customers at the start
    (and a churn rate), those whose customer churn is at or below its median are the
    quiet ones; among them, the period with the largest ``gross_revenue_churn - churn``:
    the one where losing revenue (dear accounts leaving, downgrades) hid behind an
    ordinary head count.

    Parameters
    ----------
    movements : pandas.DataFrame
        :func:`~retention_kit.mrr_movements` with the customer churn of
        :func:`~retention_kit.subscription_summary` merged in (``S``, ``churn``,
        ``gross_revenue_churn`` per period).
    periods : int, default 12
        How many of the last readable periods to look at.
    min_customers : int, default MIN_READABLE_N (30)
        Fewest customers at the start of a period for its rates to be read.

    Returns
    -------
    (pandas.Series or None, float)
        The row of that period (None when no period is readable) and the median customer
        churn of the readable periods (NaN when none).

    Examples
    --------
    >>> import pandas as pd
    >>> movements = pd.DataFrame({"period": ["a", "b", "c", "d"], "S": [10, 40, 50, 60],
    ...                           "churn": [1.0, 2.0, 5.0, 3.0],
    ...                           "gross_revenue_churn": [9.0, 4.0, 6.0, 6.5]})
    >>> row, usual = hidden_revenue_churn(movements)  # "a" has too few customers
    >>> row["period"], usual
    ('d', 3.0)
    """
    _require(
        movements, ["S", "churn", "gross_revenue_churn"], "hidden_revenue_churn",
        "mrr_movements() merged with subscription_summary()'s churn",
    )
    readable = movements[
        (movements["S"] >= min_customers) & movements["churn"].notna()
    ].tail(periods)
    if readable.empty:
        return None, float("nan")
    usual = float(readable["churn"].median())
    quiet = readable[readable["churn"] <= usual]
    gaps = (quiet["gross_revenue_churn"] - quiet["churn"]).dropna()
    if gaps.empty:
        return None, usual
    return quiet.iloc[int(np.argmax(gaps.reindex(quiet.index).fillna(-np.inf).to_numpy()))], usual


def churn_gap_breakdown(period: pd.Series) -> pd.Series:
    """Why revenue churn and customer churn differ in one period: who left, who downgraded.

    Parameters
    ----------
    period : pandas.Series
        One row of :func:`~retention_kit.mrr_movements` with the customer churn of
        :func:`~retention_kit.subscription_summary` merged in, e.g. the row returned by
        :func:`hidden_revenue_churn`.

    Returns
    -------
    pandas.Series
        ``arpa_start`` (MRR per customer at the start), ``arpa_churned`` (MRR per
        customer who cancelled; NaN when nobody did), ``gap`` (gross revenue churn minus
        customer churn, points) and ``contraction_points`` (the downgrades' share of the
        starting MRR, points of revenue churn no head count sees).

    Examples
    --------
    >>> import pandas as pd
    >>> row = pd.Series({"S": 100, "mrr_start": 5000.0, "churned": -600.0, "n_churned": 4,
    ...                  "contraction": -100.0, "churn": 4.0, "gross_revenue_churn": 14.0})
    >>> churn_gap_breakdown(row).to_dict()  # 5000/100, 600/4, 14-4, 100/5000 %
    {'arpa_start': 50.0, 'arpa_churned': 150.0, 'gap': 10.0, 'contraction_points': 2.0}
    """
    needed = ["S", "mrr_start", "churned", "n_churned", "contraction", "churn",
              "gross_revenue_churn"]
    if not isinstance(period, pd.Series) or any(k not in period.index for k in needed):
        msg = (
            f"churn_gap_breakdown: pass one period (a row) of mrr_movements() merged with "
            f"subscription_summary()'s churn, with {needed}."
        )
        raise RetentionKitError(msg)
    start, customers = float(period["mrr_start"]), float(period["S"])
    return pd.Series({
        "arpa_start": start / customers if customers else np.nan,
        "arpa_churned": -float(period["churned"]) / float(period["n_churned"])
        if period["n_churned"] else np.nan,
        "gap": float(period["gross_revenue_churn"] - period["churn"]),
        "contraction_points": -float(period["contraction"]) / start * 100 if start else np.nan,
    })


def _check_periods(periods: object, name: str = "periods") -> None:
    if isinstance(periods, bool) or not isinstance(periods, int) or periods < 1:
        msg = f"{name}={periods!r} must be a whole number of periods >= 1."
        raise RetentionKitError(msg)


def trial_rule_comparison(
    paid_rule: pd.DataFrame, trial_rule: pd.DataFrame, *, periods: int = 12
) -> tuple[pd.DataFrame, pd.Series]:
    """Customer counts and churn per period under the two trial rules, side by side.

    Parameters
    ----------
    paid_rule, trial_rule : pandas.DataFrame
        :func:`~retention_kit.subscription_summary` with ``count_trials=False`` (trial
        users count once they pay) and ``count_trials=True`` (from their first day).
    periods : int, default 12
        The churn rates are averaged over the last ``periods`` common periods.

    Returns
    -------
    (pandas.DataFrame, pandas.Series)
        The table, one row per period in both: ``period``, ``N (paid)``, ``N (trials)``,
        ``lost (paid)``, ``lost (trials)``, ``joined_and_left`` (trial rule), ``churn
        (paid)``, ``churn (trials)``; and the figures ``extra_customers`` (new customers
        the trial rule adds over the whole history, who never paid), ``periods``
        (periods averaged), ``churn_paid`` and ``churn_trials`` (mean churn, percent).

    Examples
    --------
    >>> import pandas as pd
    >>> paid = pd.DataFrame({"period": ["a", "b", "c"], "N": [5, 4, 3],
    ...                      "lost": [0, 1, 2], "churn": [0.0, 10.0, 20.0]})
    >>> trials = paid.assign(N=[8, 6, 3], lost=[0, 3, 2], joined_and_left=[2, 1, 0],
    ...                      churn=[0.0, 25.0, 20.0])
    >>> table, figures = trial_rule_comparison(paid, trials, periods=2)
    >>> table.columns.tolist()[1:3]
    ['N (paid)', 'N (trials)']
    >>> figures.to_dict()  # 17 - 12 customers; churn of b and c: (10+20)/2, (25+20)/2
    {'extra_customers': 5.0, 'periods': 2.0, 'churn_paid': 15.0, 'churn_trials': 22.5}
    """
    source = "subscription_summary()"
    _require(paid_rule, ["period", "N", "lost", "churn"], "trial_rule_comparison", source)
    _require(
        trial_rule, ["period", "N", "lost", "joined_and_left", "churn"],
        "trial_rule_comparison", source,
    )
    _check_periods(periods)
    both = paid_rule[["period", "N", "lost", "churn"]].merge(
        trial_rule[["period", "N", "lost", "joined_and_left", "churn"]],
        on="period", suffixes=(" (paid)", " (trials)"),
    )
    both = both[["period", "N (paid)", "N (trials)", "lost (paid)", "lost (trials)",
                 "joined_and_left", "churn (paid)", "churn (trials)"]]
    recent = both.tail(periods)
    figures = pd.Series({
        "extra_customers": float(trial_rule["N"].sum() - paid_rule["N"].sum()),
        "periods": float(len(recent)),
        "churn_paid": float(recent["churn (paid)"].mean()),
        "churn_trials": float(recent["churn (trials)"].mean()),
    })
    return both.reset_index(drop=True), figures


def churn_policy_table(
    policies: pd.DataFrame, *, shown: int = 6, periods: int = 12
) -> tuple[pd.DataFrame, float]:
    """Churn under each policy for the last periods, with its mean; and the policies' spread.

    Parameters
    ----------
    policies : pandas.DataFrame
        :func:`~retention_kit.compare_churn_policies`: one row per period, one column per
        policy (the first is the default policy), churn in percent.
    shown : int, default 6
        Last periods shown as columns.
    periods : int, default 12
        Last periods averaged.

    Returns
    -------
    (pandas.DataFrame, float)
        One row per policy: a column per shown period (named by the period as text) and
        ``mean, last {n}`` (``n`` the periods averaged); and the mean over those periods of
        the default policy's churn minus the lowest churn of any policy (points).

    Examples
    --------
    >>> import pandas as pd
    >>> policies = pd.DataFrame({"lost / S": [10.0, 20.0, 30.0],
    ...                          "lost / (S + N)": [5.0, 20.0, 24.0]},
    ...                         index=pd.Index(["a", "b", "c"], name="period"))
    >>> table, spread = churn_policy_table(policies, shown=2, periods=2)
    >>> table
                       b     c  mean, last 2
    lost / S        20.0  30.0          25.0
    lost / (S + N)  20.0  24.0          22.0
    >>> spread  # (0 + 6) / 2
    3.0
    """
    if not isinstance(policies, pd.DataFrame) or policies.shape[1] == 0:
        msg = "churn_policy_table: pass the DataFrame of compare_churn_policies()."
        raise RetentionKitError(msg)
    _check_periods(shown, "shown")
    _check_periods(periods)
    table = policies.tail(shown).T
    table.columns = [str(p) for p in table.columns]
    n = min(len(policies), periods)
    table[f"mean, last {n}"] = policies.tail(periods).mean()
    spread = float((policies.iloc[:, 0] - policies.min(axis=1)).tail(periods).mean())
    return table, spread


def plans_by_price(
    subs: pd.DataFrame, *, plan_col: str = "plan", mrr_col: str = "mrr"
) -> list[Hashable]:
    """Plans from the cheapest to the dearest, by the mean MRR of their subscription rows.

    Parameters
    ----------
    subs : pandas.DataFrame
        Subscription rows, e.g. from :func:`~retention_kit.io.read_subscriptions`.
    plan_col, mrr_col : str
        The plan and monthly-revenue columns.

    Returns
    -------
    list
        Plan names; plans with the same mean MRR keep their name order.

    Examples
    --------
    >>> import pandas as pd
    >>> subs = pd.DataFrame({"plan": ["pro", "basic", "pro", "team"],
    ...                      "mrr": [50.0, 10.0, 70.0, 40.0]})
    >>> plans_by_price(subs)  # basic 10, team 40, pro 60
    ['basic', 'team', 'pro']
    """
    _require(subs, [plan_col, mrr_col], "plans_by_price", "read_subscriptions()")
    price = subs.groupby(plan_col, sort=True)[mrr_col].mean().sort_values(kind="stable")
    if price.empty:
        msg = f"plans_by_price: no rows with a {plan_col!r} value."
        raise EmptyDataError(msg)
    return price.index.tolist()


def with_customer_churn(movements: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """The MRR movements with each period's customer churn beside the revenue figures.

    Parameters
    ----------
    movements : pandas.DataFrame
        :func:`~retention_kit.mrr_movements`.
    summary : pandas.DataFrame
        :func:`~retention_kit.subscription_summary` of the same subscriptions and rules.

    Returns
    -------
    pandas.DataFrame
        ``movements`` (a new frame, same rows and order) with ``lost``, ``churn``,
        ``churn_low`` and ``churn_high`` of the summary; NaN in a period the summary lacks.

    Examples
    --------
    >>> import pandas as pd
    >>> movements = pd.DataFrame({"period": ["a", "b"], "mrr_end": [100.0, 90.0]})
    >>> summary = pd.DataFrame({"period": ["b"], "lost": [2], "churn": [20.0],
    ...                         "churn_low": [5.0], "churn_high": [50.0]})
    >>> with_customer_churn(movements, summary)[["period", "lost", "churn"]]
      period  lost  churn
    0      a   NaN    NaN
    1      b   2.0   20.0
    """
    _require(movements, ["period"], "with_customer_churn", "mrr_movements()")
    churn = ["lost", "churn", "churn_low", "churn_high"]
    _require(summary, ["period", *churn], "with_customer_churn", "subscription_summary()")
    return movements.merge(summary[["period", *churn]], on="period", how="left")
