import numpy as np
import pandas as pd
import pytest
from conftest import hand_orders, hand_subscriptions, to_engine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import retention_kit as rk
from retention_kit.exceptions import InvalidDataError, RetentionKitError

COUNTS = ["S", "E", "N", "retained", "lost", "reactivated", "joined_and_left"]


def counts_of(table):
    return table.set_index(table["period"].astype(str))[COUNTS].to_dict("index")


# --- orders, worked by hand (see conftest.hand_orders) ------------------------------------------


def test_period_summary_by_hand(convert):
    table = rk.period_summary(convert(hand_orders()), as_of="2024-03-31")
    got = counts_of(table)
    assert list(got) == ["2024-01", "2024-02", "2024-03"]
    assert got["2024-01"] == dict(
        S=0, E=3, N=3, retained=0, lost=0, reactivated=0, joined_and_left=0
    )
    assert got["2024-02"] == dict(
        S=3, E=2, N=1, retained=1, lost=2, reactivated=0, joined_and_left=0
    )
    assert got["2024-03"] == dict(
        S=2, E=4, N=1, retained=2, lost=0, reactivated=1, joined_and_left=0
    )
    feb, mar = table.iloc[1], table.iloc[2]
    assert feb["crr"] == pytest.approx(100 / 3)
    assert feb["crr_seed"] == pytest.approx(100 / 3)
    assert feb["churn"] == pytest.approx(200 / 3)
    # March: the seed formula counts b's return as "kept": (4 - 1) / 2 = 150 %.
    assert mar["crr_seed"] == pytest.approx(150.0)
    assert mar["crr"] == pytest.approx(100.0)
    assert "1 reactivated" in mar["note"]
    assert np.isnan(table.iloc[0]["crr"]) and "S = 0" in table.iloc[0]["note"]


def test_incomplete_trailing_period_excluded_by_default(convert):
    # The data run to 10 April: April is incomplete.
    table = rk.period_summary(convert(hand_orders()))
    assert table["period"].astype(str).tolist() == ["2024-01", "2024-02", "2024-03"]
    flagged = rk.period_summary(convert(hand_orders()), incomplete="flag")
    april = flagged.iloc[-1]
    assert str(april["period"]) == "2024-04" and not april["complete"]
    assert "incomplete" in april["note"]


def test_wilson_bounds_on_crr(convert):
    table = rk.period_summary(convert(hand_orders()), as_of="2024-03-31")
    low, high = rk.wilson_interval(1, 3)
    assert table.iloc[1]["crr_low"] == pytest.approx(float(low))
    assert table.iloc[1]["crr_high"] == pytest.approx(float(high))
    low, high = rk.wilson_interval(2, 3)
    assert table.iloc[1]["churn_low"] == pytest.approx(float(low))


@pytest.mark.parametrize(
    ("kwargs", "feb", "mar"),
    [
        ({"denominator": "start"}, 200 / 3, 0.0),
        ({"denominator": "start_plus_new"}, 50.0, 0.0),
        ({"denominator": "average"}, 80.0, 0.0),
        ({"reactivations": "net"}, 200 / 3, -50.0),
    ],
)
def test_churn_policies(convert, kwargs, feb, mar):
    table = rk.period_summary(convert(hand_orders()), as_of="2024-03-31", **kwargs)
    assert table["churn"].tolist()[1:] == pytest.approx([feb, mar])


def test_active_window_of_two_months(convert):
    table = rk.period_summary(convert(hand_orders()), as_of="2024-03-31", active_window=2)
    got = counts_of(table)
    assert got["2024-02"] == dict(
        S=3, E=4, N=1, retained=3, lost=0, reactivated=0, joined_and_left=0
    )
    assert got["2024-03"] == dict(
        S=4, E=4, N=1, retained=3, lost=1, reactivated=0, joined_and_left=0
    )


def test_by_segment(convert):
    table = rk.period_summary(convert(hand_orders()), by="channel", as_of="2024-03-31")
    shop = counts_of(table[table["channel"] == "shop"])
    web = counts_of(table[table["channel"] == "web"])
    assert shop["2024-02"] == dict(
        S=1, E=1, N=1, retained=0, lost=1, reactivated=0, joined_and_left=0
    )
    assert web["2024-03"] == dict(
        S=1, E=3, N=1, retained=1, lost=0, reactivated=1, joined_and_left=0
    )


@pytest.mark.parametrize("freq", ["day", "week", "month", "quarter", "year"])
def test_every_freq_keeps_the_identities(convert, freq):
    orders = rk.datasets.load_orders(n_customers=300)
    table = rk.period_summary(convert(orders), freq=freq, amount_col="amount")
    assert len(table) > 0
    assert (table["retained"] + table["lost"] == table["S"]).all()
    assert (table["retained"] + table["reactivated"] + table["N"] == table["E"]).all()
    with_s = table[table["S"] > 0]
    assert np.allclose(with_s["crr"] + with_s["churn"], 100)


def test_weeks_start_on_monday():
    orders = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "order_date": pd.to_datetime(["2024-01-07", "2024-01-08", "2024-01-14"]),
        }  # Sun, Mon, Sun
    )
    table = rk.period_summary(orders, freq="week", as_of="2024-01-14", incomplete="flag")
    assert [p.start_time.day_name() for p in table["period"]] == ["Monday", "Monday"]
    assert table["E"].tolist() == [1, 2]


def test_same_results_on_every_engine(engine):
    orders = rk.datasets.load_orders(n_customers=200)
    expected = rk.period_summary(orders, by="channel", freq="quarter")
    got = rk.period_summary(to_engine(orders, engine), by="channel", freq="quarter")
    pd.testing.assert_frame_equal(got, expected)


def test_compare_churn_policies_table():
    table = rk.compare_churn_policies(hand_orders(), as_of="2024-03-31", active_windows=(1, 2))
    feb = table.loc[pd.Period("2024-02", "M")]
    assert feb["lost / S"] == pytest.approx(200 / 3)
    assert feb["lost / (S + N)"] == pytest.approx(50.0)
    assert feb["lost / avg(S, E)"] == pytest.approx(80.0)
    assert table.loc[pd.Period("2024-03", "M"), "(lost - reactivated) / S"] == pytest.approx(-50)
    assert table.loc[pd.Period("2024-03", "M"), "lost / S, active = ordered in last 2"] == (
        pytest.approx(25.0)
    )
    with pytest.raises(RetentionKitError, match="sets denominator"):
        rk.compare_churn_policies(hand_orders(), denominator="start")


# --- subscriptions, worked by hand (see conftest.hand_subscriptions) ----------------------------


def test_subscription_summary_by_hand(convert):
    table = rk.subscription_summary(
        convert(hand_subscriptions()), trial_end_col="trial_end", as_of="2024-04-30"
    )
    got = counts_of(table)
    assert list(got) == ["2023-11", "2023-12", "2024-01", "2024-02", "2024-03", "2024-04"]
    assert got["2024-01"] == dict(
        S=2, E=3, N=2, retained=2, lost=0, reactivated=0, joined_and_left=1
    )
    # u1's upgrade on 15 Feb is no churn; u4 is new when its trial converts on 3 Feb.
    assert got["2024-02"] == dict(
        S=3, E=4, N=1, retained=3, lost=0, reactivated=0, joined_and_left=0
    )
    # u2 ended on 1 March (first day without service); u5 came back.
    assert got["2024-03"] == dict(
        S=4, E=4, N=0, retained=3, lost=1, reactivated=1, joined_and_left=0
    )
    assert got["2024-04"] == dict(
        S=4, E=4, N=0, retained=4, lost=0, reactivated=0, joined_and_left=0
    )
    jan = table.iloc[2]
    assert jan["crr_seed"] == pytest.approx(50.0)  # (3 - 2) / 2: u5 joined and left
    assert jan["crr"] == pytest.approx(100.0)
    assert "1 joined and left" in jan["note"]


def test_trials_counted_when_asked(convert):
    table = rk.subscription_summary(
        convert(hand_subscriptions()),
        trial_end_col="trial_end",
        count_trials=True,
        as_of="2024-04-30",
    )
    got = counts_of(table)
    assert got["2024-01"] == dict(
        S=2, E=4, N=4, retained=2, lost=0, reactivated=0, joined_and_left=2
    )
    assert got["2024-02"]["N"] == 0


def test_same_period_policy_adds_joined_and_left(convert):
    table = rk.subscription_summary(
        convert(hand_subscriptions()),
        trial_end_col="trial_end",
        as_of="2024-04-30",
        same_period=True,
    )
    assert table.iloc[2]["churn"] == pytest.approx(50.0)  # (0 + 1) / 2


def test_subscription_end_before_start_is_named():
    subs = hand_subscriptions()
    subs.loc[2, "end_date"] = pd.Timestamp("2023-01-01")
    with pytest.raises(InvalidDataError, match=r"end_col='end_date' is before start_col") as err:
        rk.subscription_summary(subs)
    assert "u2" in str(err.value)


def test_subscription_identities_on_demo_data():
    subs = rk.datasets.load_subscriptions()
    for freq in ["week", "month", "quarter"]:
        table = rk.subscription_summary(subs, trial_end_col="trial_end", freq=freq, by="channel")
        assert (table["retained"] + table["lost"] == table["S"]).all()
        n_end = table["N"] - table["joined_and_left"]
        assert (table["retained"] + table["reactivated"] + n_end == table["E"]).all()
        assert (table[COUNTS] >= 0).all().all()


# --- property tests ---------------------------------------------------------------------------

order_rows = st.lists(
    st.tuples(st.sampled_from("abcdefgh"), st.integers(0, 400)), min_size=1, max_size=60
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=order_rows, window=st.integers(1, 3))
def test_property_orders_identities(rows, window):
    frame = pd.DataFrame(
        {
            "customer_id": [c for c, _ in rows],
            "order_date": pd.Timestamp("2023-01-01") + pd.to_timedelta([d for _, d in rows], "D"),
        }
    )
    table = rk.period_summary(frame, active_window=window, duplicates="keep", as_of="2024-12-31")
    assert (table["retained"] + table["lost"] == table["S"]).all()
    assert (table["reactivated"] >= 0).all()
    assert (table["E"].shift(1).fillna(0).astype(int) == table["S"]).all()
    with_s = table[table["S"] > 0]
    assert np.allclose(with_s["crr"] + with_s["churn"], 100)
    assert (with_s["crr_low"] <= with_s["crr"] + 1e-9).all()
    assert (with_s["crr"] <= with_s["crr_high"] + 1e-9).all()
    assert table["N"].sum() == frame["customer_id"].nunique()


spells = st.lists(
    st.tuples(
        st.sampled_from("abcdef"), st.integers(0, 300), st.one_of(st.none(), st.integers(1, 200))
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=spells, freq=st.sampled_from(["week", "month", "quarter"]))
def test_property_subscription_identities(rows, freq):
    start = pd.Timestamp("2023-01-01") + pd.to_timedelta([s for _, s, _ in rows], "D")
    length = pd.to_timedelta([np.nan if d is None else d for _, _, d in rows], "D")
    frame = pd.DataFrame(
        {"customer_id": [c for c, _, _ in rows], "start_date": start, "end_date": start + length}
    )
    table = rk.subscription_summary(frame, freq=freq, as_of="2024-06-30")
    assert (table["retained"] + table["lost"] == table["S"]).all()
    assert (table["E"].shift(1).fillna(0).astype(int) == table["S"]).all()
    assert (table[COUNTS] >= 0).all().all()
    with_s = table[table["S"] > 0]
    assert np.allclose(with_s["crr"] + with_s["churn"], 100)
