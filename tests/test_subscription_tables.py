"""subscription_tables: the numbers the subscriptions notebook states, worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import retention_kit as rk
from retention_kit.subscription_tables import (
    churn_gap_breakdown,
    churn_policy_table,
    hidden_revenue_churn,
    naive_lifetimes,
    plan_summary,
    plans_by_price,
    pooled_revenue_retention,
    trial_rule_comparison,
    with_customer_churn,
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


# --- trial rules, churn policies, plans by price -------------------------------------------


def _rules():
    paid = pd.DataFrame({"period": ["2024-01", "2024-02", "2024-03"], "N": [10, 6, 4],
                         "lost": [0, 2, 3], "churn": [0.0, 20.0, 15.0]})
    trials = pd.DataFrame({"period": ["2024-01", "2024-02", "2024-03"], "N": [14, 9, 4],
                           "lost": [1, 4, 3], "joined_and_left": [3, 1, 0],
                           "churn": [5.0, 30.0, 14.0]})
    return paid, trials


def test_trial_rule_comparison_lines_up_the_rules_and_averages_the_last_periods():
    paid, trials = _rules()
    table, figures = trial_rule_comparison(paid, trials, periods=2)
    assert table.columns.tolist() == [
        "period", "N (paid)", "N (trials)", "lost (paid)", "lost (trials)", "joined_and_left",
        "churn (paid)", "churn (trials)",
    ]
    assert table["N (trials)"].tolist() == [14, 9, 4]
    assert table["lost (paid)"].tolist() == [0, 2, 3]
    # 27 - 20 customers who never paid; last two periods: (20 + 15) / 2 and (30 + 14) / 2.
    assert figures["extra_customers"] == 7
    assert figures["periods"] == 2
    assert figures["churn_paid"] == pytest.approx(17.5)
    assert figures["churn_trials"] == pytest.approx(22.0)


def test_trial_rule_comparison_keeps_only_common_periods_and_counts_them():
    paid, trials = _rules()
    table, figures = trial_rule_comparison(paid.iloc[1:], trials, periods=12)
    assert table["period"].tolist() == ["2024-02", "2024-03"]
    assert figures["periods"] == 2
    assert figures["extra_customers"] == 27 - 10


def test_trial_rule_comparison_names_the_missing_column():
    paid, trials = _rules()
    with pytest.raises(rk.RetentionKitError, match=r"no column\(s\) \['joined_and_left'\]"):
        trial_rule_comparison(paid, trials.drop(columns="joined_and_left"))
    with pytest.raises(rk.RetentionKitError, match="periods=0 must be a whole number"):
        trial_rule_comparison(paid, trials, periods=0)


def test_churn_policy_table_shows_the_last_periods_and_the_spread():
    policies = pd.DataFrame(
        {"lost / S": [10.0, 12.0, 8.0, 6.0], "lost / (S + N)": [9.0, 8.0, 8.0, 3.0],
         "lost / avg(S, E)": [11.0, 10.0, 9.0, 5.0]},
        index=pd.Index([pd.Period("2024-01", "M") + k for k in range(4)], name="period"),
    )
    table, spread = churn_policy_table(policies, shown=2, periods=3)
    assert table.index.tolist() == ["lost / S", "lost / (S + N)", "lost / avg(S, E)"]
    assert table.columns.tolist() == ["2024-03", "2024-04", "mean, last 3"]
    # means of the last three periods: (12 + 8 + 6) / 3, (8 + 8 + 3) / 3, (10 + 9 + 5) / 3
    assert table["mean, last 3"].tolist() == pytest.approx([26 / 3, 19 / 3, 8.0])
    # default minus the lowest policy in the last three: 12 - 8, 8 - 8, 6 - 3 -> mean 7 / 3
    assert spread == pytest.approx(7 / 3)
    wide, _ = churn_policy_table(policies, periods=12)  # fewer periods than asked: says 4
    assert wide.columns[-1] == "mean, last 4"


def test_churn_policy_table_rejects_something_else():
    with pytest.raises(rk.RetentionKitError, match="compare_churn_policies"):
        churn_policy_table(pd.DataFrame())
    with pytest.raises(rk.RetentionKitError, match="shown=-1 must be a whole number"):
        churn_policy_table(pd.DataFrame({"lost / S": [1.0]}), shown=-1)


def test_plans_by_price_orders_by_mean_mrr_of_the_rows():
    subs = pd.DataFrame({"plan": ["pro", "basic", "pro", "team", "basic"],
                         "mrr": [50.0, 10.0, 70.0, 40.0, 20.0]})
    # basic (10 + 20) / 2 = 15, team 40, pro (50 + 70) / 2 = 60
    assert plans_by_price(subs) == ["basic", "team", "pro"]
    tied = pd.DataFrame({"tier": ["b", "a"], "price": [5.0, 5.0]})
    assert plans_by_price(tied, plan_col="tier", mrr_col="price") == ["a", "b"]


def test_plans_by_price_names_the_missing_column_and_empty_input():
    with pytest.raises(rk.RetentionKitError, match=r"no column\(s\) \['plan'\]"):
        plans_by_price(pd.DataFrame({"mrr": [1.0]}))
    with pytest.raises(rk.EmptyDataError, match="no rows with a 'plan' value"):
        plans_by_price(pd.DataFrame({"plan": pd.Series([], dtype=object), "mrr": []}))


def test_churn_gap_breakdown_works_out_the_words_cell_figures():
    row = pd.Series({"period": "2024-05", "S": 80, "mrr_start": 4000.0, "churned": -450.0,
                     "n_churned": 3, "contraction": -120.0, "churn": 3.75,
                     "gross_revenue_churn": 14.25})
    got = churn_gap_breakdown(row)
    # 4000 / 80 = 50 a customer; the 3 who left paid 450 / 3 = 150; 14.25 - 3.75 = 10.5
    # points; downgrades 120 / 4000 = 3 points.
    assert got.to_dict() == pytest.approx(
        {"arpa_start": 50.0, "arpa_churned": 150.0, "gap": 10.5, "contraction_points": 3.0}
    )
    nobody = row.copy()
    nobody[["churned", "n_churned"]] = [0.0, 0]
    assert np.isnan(churn_gap_breakdown(nobody)["arpa_churned"])  # nobody left: no average
    with pytest.raises(rk.RetentionKitError, match="pass one period"):
        churn_gap_breakdown(row.drop("n_churned"))


def test_with_customer_churn_puts_the_head_count_beside_the_revenue():
    movements = pd.DataFrame({"period": ["2024-01", "2024-02", "2024-03"],
                              "mrr_end": [100.0, 90.0, 95.0]})
    summary = pd.DataFrame({"period": ["2024-03", "2024-02"], "S": [9, 10], "lost": [1, 2],
                            "churn": [100 / 9, 20.0], "churn_low": [1.0, 5.0],
                            "churn_high": [40.0, 50.0]})
    got = with_customer_churn(movements, summary)
    assert got["period"].tolist() == ["2024-01", "2024-02", "2024-03"]  # movements' order
    assert got.columns.tolist() == ["period", "mrr_end", "lost", "churn", "churn_low",
                                    "churn_high"]
    assert got["lost"].tolist()[1:] == [2, 1]
    assert np.isnan(got.loc[0, "churn"])  # no summary for January
    assert got.loc[2, "churn"] == pytest.approx(100 / 9)
    assert "lost" not in movements.columns  # a new frame
    with pytest.raises(rk.RetentionKitError, match=r"no column\(s\) \['churn_low', 'churn_high'\]"):
        with_customer_churn(movements, summary.drop(columns=["churn_low", "churn_high"]))
