import numpy as np
import pandas as pd
import pytest
from conftest import hand_orders, to_engine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import retention_kit as rk
from retention_kit.exceptions import RetentionKitError

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
