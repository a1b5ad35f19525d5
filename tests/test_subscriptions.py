import numpy as np
import pandas as pd
import pytest
from conftest import mrr_fixture, to_engine

import retention_kit as rk
from retention_kit.exceptions import InvalidDataError


def movements(frame, **kwargs):
    return rk.mrr_movements(frame, trial_end_col="trial_end", as_of="2024-04-30", **kwargs)


def test_every_movement_by_hand(convert):
    table = movements(convert(mrr_fixture()))
    table.index = table["period"].astype(str)
    cols = ["mrr_start", "new", "expansion", "reactivated", "contraction", "churned", "mrr_end"]
    assert table.loc["2023-12", cols].tolist() == [0, 100, 0, 0, 0, 0, 100]
    assert table.loc["2024-01", cols].tolist() == [100, 80, 0, 0, 0, 0, 180]
    assert table.loc["2024-02", cols].tolist() == [180, 0, 30, 0, 0, -30, 180]
    assert table.loc["2024-03", cols].tolist() == [180, 0, 0, 0, -40, 0, 140]
    assert table.loc["2024-04", cols].tolist() == [140, 25, 0, 40, 0, 0, 205]
    feb, mar, apr = table.loc["2024-02"], table.loc["2024-03"], table.loc["2024-04"]
    assert feb["gross_revenue_churn"] == pytest.approx(30 / 180 * 100)
    assert feb["net_revenue_churn"] == pytest.approx(0.0)
    assert (feb["grr"], feb["nrr"]) == (pytest.approx(500 / 6), pytest.approx(100.0))
    assert feb["quick_ratio"] == pytest.approx(1.0)
    assert feb["unconverted_trials"] == 1
    assert mar["nrr"] == pytest.approx(140 / 180 * 100)
    assert mar["quick_ratio"] == pytest.approx(0.0)
    assert np.isnan(apr["quick_ratio"])  # nothing lost: undefined, not inf
    assert (apr["n_new"], apr["n_reactivated"]) == (1, 1)
    assert apr["E"] == 4 and apr["arpa"] == pytest.approx(205 / 4)


def test_identity_start_plus_movements_is_end_on_demo_data():
    subs = rk.datasets.load_subscriptions()
    for freq in ["week", "month", "quarter", "year"]:
        table = rk.mrr_movements(subs, trial_end_col="trial_end", freq=freq)
        total = table["mrr_start"] + table[list(rk.MOVEMENTS)].sum(axis=1)
        np.testing.assert_allclose(total, table["mrr_end"], atol=1e-6)
        np.testing.assert_allclose(table["mrr_end"].shift(1).dropna(), table["mrr_start"].iloc[1:])
        assert (table[["new", "expansion", "reactivated"]] >= 0).all().all()
        assert (table[["contraction", "churned"]] <= 0).all().all()


def test_demo_mrr_matches_a_direct_count():
    subs = rk.datasets.load_subscriptions()
    table = rk.mrr_movements(subs, trial_end_col="trial_end")
    # MRR paying at the end of June 2024, counted row by row.
    instant = pd.Timestamp("2024-06-30")
    paid_from = subs["trial_end"].where(subs["trial_end"] > subs["start_date"], subs["start_date"])
    paying = (paid_from <= instant) & (subs["end_date"].isna() | (subs["end_date"] > instant))
    june = table[table["period"] == pd.Period("2024-06", "M")].iloc[0]
    assert june["mrr_end"] == pytest.approx(subs.loc[paying, "mrr"].sum())


def test_segments(convert):
    table = movements(convert(mrr_fixture()), by="channel")
    web = table[table["channel"] == "web"]
    april = web[web["period"] == pd.Period("2024-04", "M")].iloc[0]
    assert april["mrr_end"] == pytest.approx(145.0)  # A 80 + C 40 + F 25


def test_same_results_on_every_engine(engine):
    subs = rk.datasets.load_subscriptions(n_customers=300)
    expected = rk.mrr_movements(subs, trial_end_col="trial_end", by="channel", freq="quarter")
    got = rk.mrr_movements(
        to_engine(subs, engine), trial_end_col="trial_end", by="channel", freq="quarter"
    )
    pd.testing.assert_frame_equal(got, expected)


def test_revenue_cohorts_by_hand(convert):
    table = rk.revenue_cohort_table(
        convert(mrr_fixture()), trial_end_col="trial_end", as_of="2024-04-30"
    )
    assert [str(p) for p in table.index] == ["2023-12", "2024-01", "2024-04"]
    np.testing.assert_allclose(table.iloc[0], [100, 100, 100, 60, 60])
    np.testing.assert_allclose(table.iloc[1, :4], [100, 100, 100, 150])
    assert np.isnan(table.iloc[1, 4])
    np.testing.assert_allclose(table.iloc[2, :1], [100])
    mrr = rk.revenue_cohort_table(
        convert(mrr_fixture()), trial_end_col="trial_end", as_of="2024-04-30", values="mrr"
    )
    assert mrr.iloc[1, 3] == pytest.approx(120.0)


# --- bad input ------------------------------------------------------------------------------


def test_negative_mrr_is_named():
    frame = mrr_fixture()
    frame.loc[4, "mrr"] = -30.0
    with pytest.raises(InvalidDataError, match=r"mrr_col='mrr' is negative in 1 row") as err:
        movements(frame)
    assert "C" in str(err.value)


def test_mixed_currencies_in_one_column():
    frame = mrr_fixture()
    frame["mrr"] = ["$50", "$80", "€100", "€60", "$30", "$40", "$30", "€70", "$25"]
    with pytest.raises(InvalidDataError, match=r"mixes currencies \(\$, €\)"):
        movements(frame)


def test_end_before_start_is_named():
    frame = mrr_fixture()
    frame.loc[7, "end_date"] = pd.Timestamp("2024-01-01")
    with pytest.raises(InvalidDataError, match="before start_col"):
        movements(frame)


def test_overlapping_subscriptions_are_added_up():
    # Documented handling: a customer paying for two overlapping subscriptions pays both.
    frame = pd.DataFrame(
        {
            "customer_id": ["x", "x"],
            "start_date": pd.to_datetime(["2024-01-10", "2024-02-10"]),
            "end_date": pd.to_datetime([None, None]),
            "mrr": [10.0, 5.0],
        }
    )
    table = rk.mrr_movements(frame, as_of="2024-03-31")
    assert table["mrr_end"].tolist() == [10.0, 15.0, 15.0]
    assert table["expansion"].tolist() == [0.0, 5.0, 0.0]
    counts = rk.subscription_summary(frame, as_of="2024-03-31")
    assert counts["E"].tolist() == [1, 1, 1]  # still one customer


def test_trial_without_paid_period_is_not_a_customer_but_is_counted():
    frame = mrr_fixture()
    table = movements(frame)
    assert table["unconverted_trials"].sum() == 1
    counted = movements(frame, count_trials=True)
    feb = counted[counted["period"] == pd.Period("2024-02", "M")].iloc[0]
    assert feb["unconverted_trials"] == 0  # with count_trials, D is an ordinary customer
