"""Tests for retention_kit.subscription_periods: subscription_summary by hand and by property."""

import numpy as np
import pandas as pd
import pytest
from conftest import hand_subscriptions
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import retention_kit as rk
import retention_kit.periods
from retention_kit.exceptions import InvalidDataError

COUNTS = ["S", "E", "N", "retained", "lost", "reactivated", "joined_and_left"]


def counts_of(table):
    return table.set_index(table["period"].astype(str))[COUNTS].to_dict("index")


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
