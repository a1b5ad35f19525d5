"""subscription_tables: the numbers the subscriptions notebook states, worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import retention_kit as rk
from retention_kit.subscription_tables import (
    hidden_revenue_churn,
    naive_lifetimes,
    plan_summary,
    pooled_revenue_retention,
)


def test_pooled_revenue_retention_only_counts_cohorts_old_enough():
    mrr = pd.DataFrame({
        0: [100.0, 200.0, 50.0],
        1: [90.0, 220.0, 40.0],
        2: [80.0, 150.0, np.nan],
        3: [70.0, np.nan, np.nan],
    })
    table = pooled_revenue_retention(mrr, ages=(1, 3, 6))
    # age 1: (90 + 220 + 40) / 350 = 100 %; age 3: 70 / 100; age 6 is not reached.
    assert table["age"].tolist() == [1, 3]
    assert table["cohorts"].tolist() == [3, 1]
    assert table["nrr"].tolist() == pytest.approx([100.0, 70.0])


def test_pooled_revenue_retention_needs_age_zero():
    with pytest.raises(rk.RetentionKitError, match=r"no column\(s\) \[0\]"):
        pooled_revenue_retention(pd.DataFrame({1: [1.0]}))


def _by_plan() -> pd.DataFrame:
    rows = []
    for plan, ends in {"basic": [10.0, 20.0, 30.0], "pro": [60.0, 70.0, 90.0]}.items():
        for i, end in enumerate(ends):
            rows.append({"plan": plan, "period": i, "mrr_end": end, "E": i + 1,
                         "arpa": end / (i + 1), "gross_revenue_churn": [9.0, 3.0, 6.0][i],
                         "net_revenue_churn": [1.0, np.nan, -3.0][i],
                         "nrr": [99.0, 100.0, 103.0][i]})
    return pd.DataFrame(rows)


def test_plan_summary_by_hand():
    table = plan_summary(_by_plan(), periods=2)
    assert table["plan"].tolist() == ["basic", "pro"]
    assert table["mrr_end"].tolist() == [30.0, 90.0]
    assert table["share"].tolist() == [25.0, 75.0]  # 30 and 90 of 120
    assert table["E"].tolist() == [3, 3]
    assert table["arpa"].tolist() == [10.0, 30.0]
    # the last two periods: (3 + 6) / 2; net churn skips the NaN: -3; nrr (100 + 103) / 2
    assert table["gross_revenue_churn"].tolist() == [4.5, 4.5]
    assert table["net_revenue_churn"].tolist() == [-3.0, -3.0]
    assert table["nrr"].tolist() == [101.5, 101.5]
    assert table["periods"].tolist() == [2, 2]


def test_plan_summary_errors():
    with pytest.raises(rk.RetentionKitError, match=r"periods=0 must be a whole number"):
        plan_summary(_by_plan(), periods=0)
    with pytest.raises(rk.RetentionKitError, match=r"no column\(s\) \['plan'\]; pass the result "
                                                   r"of mrr_movements\(..., by='plan'\)"):
        plan_summary(_by_plan().drop(columns="plan"))
    with pytest.raises(rk.EmptyDataError, match="no rows"):
        plan_summary(_by_plan().iloc[:0])


def test_naive_lifetimes_by_hand():
    lifetimes = pd.DataFrame({"duration": [1.0, 3.0, 12.0, 6.0],
                              "churned": [True, True, False, False],
                              "customers": [2, 2, 1, 5]})
    naive = naive_lifetimes(lifetimes)
    # churned: (2 * 1 + 2 * 3) / 4 = 2; all: (2 + 6 + 12 + 30) / 10 = 5; 6 of 10 still active
    assert naive.to_dict() == {"churned_mean": 2.0, "all_mean": 5.0, "still_active": 60.0}


def test_naive_lifetimes_without_churn_is_nan_not_an_error():
    lifetimes = pd.DataFrame({"duration": [4.0], "churned": [False], "customers": [3]})
    naive = naive_lifetimes(lifetimes)
    assert np.isnan(naive["churned_mean"]) and naive["all_mean"] == 4.0
    assert naive["still_active"] == 100.0


def test_naive_lifetimes_on_the_demo_matches_survival_lifetimes():
    subs = rk.datasets.load_subscriptions()
    lifetimes = rk.subscription_lifetimes(subs, trial_end_col="trial_end")
    gone = lifetimes[lifetimes["churned"]]
    expected = (gone["duration"] * gone["customers"]).sum() / gone["customers"].sum()
    assert naive_lifetimes(lifetimes)["churned_mean"] == pytest.approx(expected)


def test_hidden_revenue_churn_by_hand():
    movements = pd.DataFrame({
        "period": ["p1", "p2", "p3", "p4", "p5", "p6"],
        "S": [5, 40, 50, 60, 70, 80],
        "churn": [1.0, 2.0, 5.0, 3.0, np.nan, 4.0],
        "gross_revenue_churn": [20.0, 4.0, 6.0, 6.5, 9.0, 4.5],
    })
    # p1 has under 30 customers, p5 no churn rate: p2, p3, p4, p6 (churn 2, 5, 3, 4) are
    # readable, median 3.5; quiet: p2 (gap 2.0) and p4 (gap 3.5) -> p4.
    row, usual = hidden_revenue_churn(movements)
    assert row["period"] == "p4" and usual == 3.5
    # only the last two readable periods (p4, p6): median 3.5, quiet p4
    row, usual = hidden_revenue_churn(movements, periods=2)
    assert row["period"] == "p4" and usual == 3.5
    row, usual = hidden_revenue_churn(movements, min_customers=100)
    assert row is None and np.isnan(usual)
