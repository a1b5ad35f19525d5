"""Tests of retention_kit.survival: tenures, Kaplan-Meier curves, medians and log-rank tests.

Hand-worked numbers on tiny fixtures, and the numbers lifelines 0.30.0 gave on the demo
data before the move to statsmodels (recorded here, so they hold without lifelines).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import mrr_fixture

import retention_kit as rk
from retention_kit import subscriptions, survival
from retention_kit.exceptions import EmptyDataError, RetentionKitError

RULES = {"trial_end_col": "trial_end"}


def four_customers() -> pd.DataFrame:
    """Tenures in days to 8 January 2024: a churns at 2, b censored at 3, c churns at 5, d
    censored at 8.

    Kaplan-Meier: at 2 one of four churns, S = 3/4; at 5 one of the two left, S = 3/8.
    Greenwood: V(2) = 1/(4*3) = 1/12, V(5) = 1/12 + 1/(2*1) = 7/12. Band at 95 %
    (z = 1.959964): S ** exp(+-z sqrt(V) / log S) gives 12.7947-96.0549 % at 2 and
    1.0971-80.8001 % at 5.
    """
    return pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "start_date": pd.to_datetime(["2024-01-01", "2024-01-06", "2024-01-01", "2024-01-01"]),
            "end_date": pd.to_datetime(["2024-01-03", None, "2024-01-06", None]),
            "plan": ["x", "y", "x", "y"],
        }
    )


def two_groups() -> pd.DataFrame:
    """Plan a churns at 1 and 2 days, plan b at 3 and 4 (everyone churns).

    Log-rank, expected churn in a: 2/4 at t=1, 1/3 at t=2 (5/6 against 2 observed);
    variance 2*2*1*3/(16*3) + 1*2*1*2/(9*2) = 1/4 + 2/9 = 17/36; statistic
    (7/6)**2 / (17/36) = 49/17 = 2.882353, p = P(chi2_1 > 49/17) = 0.0895551.
    """
    return pd.DataFrame(
        {
            "customer_id": ["a1", "a2", "b1", "b2"],
            "start_date": pd.to_datetime(["2024-01-01"] * 4),
            "end_date": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]),
            "plan": ["a", "a", "b", "b"],
        }
    )


# --------------------------------------------------------------------------- lifetimes


def test_lifetimes_by_hand(convert):
    got = rk.subscription_lifetimes(
        convert(mrr_fixture()), trial_end_col="trial_end", time_unit="day", as_of="2024-04-30"
    )
    pairs = sorted(zip(got["duration"], got["churned"], strict=True))
    # A 112 censored, B 152 censored, C 46 churned, E 22 churned, F 28 censored; D unpaid.
    assert pairs == [(22, True), (28, False), (46, True), (112, False), (152, False)]


def test_lifetimes_in_weeks_and_months_use_the_shared_day_table():
    subs = mrr_fixture()
    days = rk.subscription_lifetimes(subs, **RULES, time_unit="day", as_of="2024-04-30")
    weeks = rk.subscription_lifetimes(subs, **RULES, time_unit="week", as_of="2024-04-30")
    months = rk.subscription_lifetimes(subs, **RULES, time_unit="month", as_of="2024-04-30")
    np.testing.assert_allclose(weeks["duration"], days["duration"] / 7)
    np.testing.assert_allclose(months["duration"], days["duration"] / 30.4375)
    assert months["duration"].iloc[0] == pytest.approx(22 / 30.4375)


def test_unit_is_the_old_name_of_time_unit():
    subs = mrr_fixture()
    new = rk.subscription_lifetimes(subs, **RULES, time_unit="week", as_of="2024-04-30")
    with pytest.warns(FutureWarning, match="unit= is now called time_unit="):
        old = rk.subscription_lifetimes(subs, **RULES, unit="week", as_of="2024-04-30")
    pd.testing.assert_frame_equal(old, new)
    with pytest.warns(FutureWarning, match="unit= is now called time_unit="):
        curves, _ = rk.survival_curves(subs, **RULES, unit="day", as_of="2024-04-30")
    assert curves.attrs["time_unit"] == "day"
    with pytest.warns(FutureWarning, match="unit= is now called time_unit="):
        rk.compare_survival(subs, **RULES, by="plan", unit="day", as_of="2024-04-30")
    with pytest.raises(RetentionKitError, match="pass time_unit= only; unit= is its old name"):
        rk.subscription_lifetimes(subs, time_unit="week", unit="day")


def test_bad_time_unit_and_confidence_are_named():
    with pytest.raises(RetentionKitError, match=r"time_unit='fortnight' is not supported"):
        rk.subscription_lifetimes(mrr_fixture(), time_unit="fortnight")
    with pytest.raises(RetentionKitError, match=r"confidence=1.5 must be between 0 and 1"):
        rk.survival_curves(mrr_fixture(), confidence=1.5)


def test_as_of_before_the_data_is_an_error():
    with pytest.raises(EmptyDataError, match=r"as_of='2023-12-31' is before the first date"):
        rk.subscription_lifetimes(four_customers(), as_of="2023-12-31")


# --------------------------------------------------------------------------- Kaplan-Meier


def test_kaplan_meier_estimate_band_and_median_by_hand():
    curves, medians = rk.survival_curves(four_customers(), time_unit="day", as_of="2024-01-08")
    assert curves["time"].tolist() == [0, 2, 3, 5, 8]
    np.testing.assert_allclose(curves["survival"], [100, 75, 75, 37.5, 37.5])
    assert curves["at_risk"].tolist() == [4, 4, 3, 2, 1]
    np.testing.assert_allclose(
        curves["survival_low"], [100, 12.794692, 12.794692, 1.097112, 1.097112], rtol=1e-6
    )
    np.testing.assert_allclose(
        curves["survival_high"], [100, 96.054864, 96.054864, 80.800107, 80.800107], rtol=1e-6
    )
    row = medians.iloc[0]
    assert (row["customers"], row["churned"]) == (4, 2)
    # S first at or below 50 % at 5; the lower band at 2; the upper band never (NaN).
    assert (row["median_lifetime"], row["median_low"]) == (5, 2)
    assert np.isnan(row["median_high"])
    assert row["time_unit"] == "day"


def test_band_narrows_with_lower_confidence():
    wide, _ = rk.survival_curves(four_customers(), time_unit="day", as_of="2024-01-08")
    narrow, _ = rk.survival_curves(
        four_customers(), time_unit="day", as_of="2024-01-08", confidence=0.8
    )
    assert (narrow["survival_low"] >= wide["survival_low"] - 1e-12).all()
    assert narrow["survival_low"].iloc[1] > wide["survival_low"].iloc[1] + 1


def test_shared_durations_count_each_customer():
    # Two customers churning on day 2 weigh as much as two rows: S(2) = 2/5.
    frame = pd.concat([four_customers(), four_customers().iloc[[0]].assign(customer_id="e")])
    lifetimes = rk.subscription_lifetimes(frame, time_unit="day", as_of="2024-01-08")
    assert lifetimes.loc[lifetimes["duration"] == 2, "customers"].tolist() == [2]
    curves, medians = rk.survival_curves(frame, time_unit="day", as_of="2024-01-08")
    np.testing.assert_allclose(curves["survival"], [100, 60, 60, 30, 30])
    assert curves["at_risk"].tolist() == [5, 5, 3, 2, 1]
    assert medians.iloc[0]["customers"] == 5


def test_segment_without_churn_stays_at_100_with_no_median():
    curves, medians = rk.survival_curves(
        four_customers(), by="plan", time_unit="day", as_of="2024-01-08"
    )
    y = curves[curves["plan"] == "y"]
    assert y["time"].tolist() == [0, 3, 8]
    assert (y[["survival", "survival_low", "survival_high"]] == 100).all().all()
    y_row = medians.set_index("plan").loc["y"]
    assert y_row[["median_lifetime", "median_low", "median_high"]].isna().all()
    x = curves[curves["plan"] == "x"]
    np.testing.assert_allclose(x["survival"], [100, 50, 0])  # a at 2, c at 5: all gone


def test_demo_curves_keep_the_lifelines_numbers():
    subs = rk.datasets.load_subscriptions()
    curves, medians = rk.survival_curves(subs, **RULES, time_unit="day")
    assert len(curves) == 546
    at = curves.set_index("time").loc[[30.0, 365.0, 730.0]]
    np.testing.assert_allclose(at["survival"], [95.534290, 64.075837, 42.550696], rtol=1e-7)
    np.testing.assert_allclose(at["survival_low"], [94.236286, 60.991721, 38.673643], rtol=1e-7)
    np.testing.assert_allclose(at["survival_high"], [96.545345, 66.985421, 46.368779], rtol=1e-7)
    assert at["at_risk"].tolist() == [1254, 518, 161]
    row = medians.iloc[0]
    assert (row["customers"], row["churned"]) == (1293, 508)
    assert (row["median_lifetime"], row["median_low"], row["median_high"]) == (639, 548, 670)


def test_demo_medians_by_plan_in_months():
    _, medians = rk.survival_curves(rk.datasets.load_subscriptions(), **RULES, by="plan")
    table = medians.set_index("plan")
    assert table["customers"].tolist() == [761, 129, 403]
    np.testing.assert_allclose(
        table["median_lifetime"], [609 / 30.4375, 609 / 30.4375, 670 / 30.4375]
    )
    assert table.loc["pro", "median_high"] == pytest.approx(791 / 30.4375)
    assert np.isnan(table.loc["business", "median_high"])  # upper band stays above 50 %


def test_kaplan_meier_matches_lifelines_when_installed():
    lifelines = pytest.importorskip("lifelines")
    subs = rk.datasets.load_subscriptions()
    curves, medians = rk.survival_curves(subs, **RULES, time_unit="day")
    lifetimes = rk.subscription_lifetimes(subs, **RULES, time_unit="day")
    durations = np.repeat(lifetimes["duration"], lifetimes["customers"])
    events = np.repeat(lifetimes["churned"], lifetimes["customers"])
    reference = lifelines.KaplanMeierFitter().fit(durations, events)
    np.testing.assert_allclose(
        curves["survival"].to_numpy(), reference.survival_function_.iloc[:, 0] * 100
    )
    np.testing.assert_allclose(
        curves["survival_low"].to_numpy(), reference.confidence_interval_.iloc[:, 0] * 100
    )
    assert medians.iloc[0]["median_lifetime"] == pytest.approx(reference.median_survival_time_)


# --------------------------------------------------------------------------- log-rank


def test_log_rank_by_hand():
    result = rk.compare_survival(two_groups(), by="plan", time_unit="day", as_of="2024-01-31")
    row = result.iloc[0]
    assert row["test_statistic"] == pytest.approx(49 / 17)
    assert row["p_value"] == pytest.approx(0.0895551, abs=1e-7)
    assert (row["customers_a"], row["churned_a"], row["customers_b"], row["churned_b"]) == (
        2,
        2,
        2,
        2,
    )
    assert row["verdict"] == "No evidence that a and b lifetimes differ (p = 0.0896)."


def test_demo_log_rank_keeps_the_lifelines_numbers():
    subs = rk.datasets.load_subscriptions()
    expected = {
        ("basic", "business"): (0.32591466333571434, 0.5680746426690866),
        ("basic", "pro"): (2.425474934204545, 0.11937705642361165),
        ("business", "pro"): (0.13521540867024648, 0.7130846519820685),
    }
    for groups, (statistic, p) in expected.items():
        row = rk.compare_survival(subs, **RULES, by="plan", groups=groups).iloc[0]
        assert row["test_statistic"] == pytest.approx(statistic, rel=1e-10)
        assert row["p_value"] == pytest.approx(p, rel=1e-10)
    row = rk.compare_survival(subs, **RULES, by="plan", groups=("basic", "business")).iloc[0]
    assert (row["customers_a"], row["churned_a"], row["customers_b"], row["churned_b"]) == (
        761,
        312,
        129,
        48,
    )
    assert row["verdict"] == "No evidence that basic and business lifetimes differ (p = 0.568)."


def test_a_clear_difference_is_called_one():
    frame = pd.concat(
        [
            two_groups().assign(customer_id=lambda f, i=i: f["customer_id"] + str(i))
            for i in range(8)
        ]
    )
    row = rk.compare_survival(frame, by="plan", time_unit="day", as_of="2024-01-31").iloc[0]
    assert row["p_value"] < 0.05
    assert row["verdict"].startswith("a and b lifetimes differ (log-rank p = ")


def test_compare_survival_needs_two_named_groups():
    subs = rk.datasets.load_subscriptions()
    with pytest.raises(RetentionKitError, match=r"by='plan' has 3 values .*pass groups=\(a, b\)"):
        rk.compare_survival(subs, **RULES, by="plan")
    with pytest.raises(RetentionKitError, match=r"\['gold'\] not found in 'plan'"):
        rk.compare_survival(subs, **RULES, by="plan", groups=("basic", "gold"))


# --------------------------------------------------------------------------- layout


def test_subscriptions_module_reexports_the_survival_functions():
    for name in survival.__all__:
        assert getattr(subscriptions, name) is getattr(survival, name)
        assert getattr(rk, name) is getattr(survival, name)
