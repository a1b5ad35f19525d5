"""Tests of retention_kit.clv.rfm: rfm_summary, the input of the models."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from retention_kit.clv import load_cdnow_sample, load_cdnow_summary, rfm_summary
from retention_kit.exceptions import RetentionKitError


def test_rfm_summary_reproduces_the_cdnow_calibration_summary(cdnow_rfm_pandas, cdnow_spend):
    rfm = cdnow_rfm_pandas
    published = load_cdnow_summary().set_index("customer_id")
    assert rfm.index.equals(published.index)
    assert rfm["frequency"].equals(published["frequency"])
    assert (rfm["recency"].round(2) - published["recency"]).abs().max() < 1e-9
    assert (rfm["T"].round(2) - published["T"]).abs().max() < 1e-9
    repeat = rfm[rfm["frequency"] > 0]
    np.testing.assert_allclose(repeat["monetary_value"], cdnow_spend["monetary_value"])
    assert (rfm.loc[rfm["frequency"] == 0, "monetary_value"] == 0).all()
    assert (rfm["duration_holdout"] == 39.0).all()  # 1997-10-01 .. 1998-06-30 is 273 days
    assert rfm["frequency_holdout"].sum() > 0


def test_rfm_summary_is_the_same_on_every_engine(convert, cdnow_rfm_pandas):
    orders = load_cdnow_sample()
    out = rfm_summary(
        convert(orders),
        date_col="date",
        amount_col="amount",
        calibration_end="1997-09-30",
        duplicates="keep",
    )
    pd.testing.assert_frame_equal(out, cdnow_rfm_pandas, check_dtype=False)


def test_rfm_summary_counts_days_and_nets_returns():
    orders = pd.DataFrame(
        {
            "cid": ["a", "a", "a", "a", "b", "c", "c"],
            "when": pd.to_datetime(
                [
                    "2024-01-01",
                    "2024-01-01",  # same day: one purchase of 30
                    "2024-01-08",
                    "2024-01-15",  # a return only: not a purchase
                    "2024-01-10",
                    "2024-01-02",
                    "2024-01-16",
                ]
            ),
            "amount": [10.0, 20.0, 40.0, -5.0, 7.0, 3.0, 9.0],
        }
    )
    with pytest.warns(match="negative value"):
        rfm = rfm_summary(
            orders,
            customer_col="cid",
            date_col="when",
            amount_col="amount",
            time_unit="day",
            as_of="2024-01-21",
        )
    assert rfm.index.name == "cid"
    assert rfm.loc["a"].tolist() == [1, 7.0, 20.0, 40.0]
    assert rfm.loc["b"].tolist() == [0, 0.0, 11.0, 0.0]
    assert rfm.loc["c"].tolist() == [1, 14.0, 19.0, 9.0]
    with pytest.raises(RetentionKitError, match="calibration_end .* must be before"):
        rfm_summary(orders, customer_col="cid", date_col="when", calibration_end="2024-03-01")
    with pytest.raises(RetentionKitError, match="time_unit='month'"):
        rfm_summary(orders, customer_col="cid", date_col="when", time_unit="month")


def _rfm_reference(orders: pd.DataFrame, cal_end: str, end: str) -> pd.DataFrame:
    """rfm_summary in plain pandas, day by day (weeks, with holdout)."""
    o = orders[orders["date"] <= end]
    days = o.groupby(["cid", "date"])["amount"].agg(["sum", "min"]).reset_index()
    # a purchase day nets positive, or has no negative line (a free purchase)
    days = days[(days["sum"] > 0) | (days["min"] >= 0)]
    cal = days[days["date"] <= cal_end]
    first = cal.groupby("cid")["date"].transform("min")
    g = cal.assign(rep=np.where(cal["date"] > first, cal["sum"], 0.0)).groupby("cid")
    n = g.size() - 1
    cal_ts, end_ts = pd.Timestamp(cal_end), pd.Timestamp(end)
    out = pd.DataFrame(
        {
            "frequency": n.astype("int64"),
            "recency": (g["date"].max() - g["date"].min()).dt.days / 7,
            "T": (cal_ts - g["date"].min()).dt.days / 7,
            "monetary_value": (g["rep"].sum() / n.where(n > 0)).fillna(0.0),
        }
    )
    hold = days[days["date"] > cal_end].groupby("cid").size()
    out["frequency_holdout"] = hold.reindex(out.index).fillna(0).astype("int64")
    out["duration_holdout"] = (end_ts - cal_ts).days / 7
    out.index.name = "cid"
    return out


@pytest.mark.parametrize("returns", [False, True])
def test_rfm_summary_matches_a_direct_computation(convert, returns):
    rng = np.random.default_rng(11)
    n = 3000
    orders = pd.DataFrame(
        {
            "cid": rng.integers(0, 400, n),
            "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 500, n), "D"),
            "amount": rng.choice([0.0, 5.0, 12.5, 40.0], n),  # same-day repeats and zeros
        }
    )
    if returns:
        orders.loc[rng.choice(n, 60, replace=False), "amount"] *= -1
    expected = _rfm_reference(orders, "2023-12-31", "2024-04-30")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = rfm_summary(
            convert(orders),
            customer_col="cid",
            date_col="date",
            amount_col="amount",
            as_of="2024-04-30",
            calibration_end="2023-12-31",
            duplicates="keep",
        )
    pd.testing.assert_frame_equal(out, expected, check_dtype=False, check_exact=False)


def test_rfm_summary_same_day_cancellation_and_free_purchase_days():
    """A day that nets to zero through a cancellation is no purchase; a free day is."""
    orders = pd.DataFrame(
        {
            "cid": ["a", "a", "a", "b", "b", "c", "c", "c", "c"],
            "when": pd.to_datetime(
                [
                    "2024-01-01",
                    "2024-01-08",  # ordered 25 ...
                    "2024-01-08",  # ... and cancelled in full the same day: no purchase
                    "2024-01-01",
                    "2024-01-05",  # a free order ($0): a purchase worth 0
                    "2024-01-01",
                    "2024-01-09",  # 30 ordered, 10 returned the same day: a purchase of 20
                    "2024-01-09",
                    "2024-01-12",  # a return alone: no purchase
                ]
            ),
            "amount": [10.0, 25.0, -25.0, 5.0, 0.0, 8.0, 30.0, -10.0, -4.0],
        }
    )
    with pytest.warns(match="negative value"):
        rfm = rfm_summary(
            orders,
            customer_col="cid",
            date_col="when",
            amount_col="amount",
            time_unit="day",
            as_of="2024-01-15",
        )
    assert rfm.loc["a"].tolist() == [0, 0.0, 14.0, 0.0]
    assert rfm.loc["b"].tolist() == [1, 4.0, 14.0, 0.0]
    assert rfm.loc["c"].tolist() == [1, 8.0, 14.0, 20.0]


def _three_customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cid": ["a", "a", "b", "a"],
            "when": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-03", "2024-02-01"]),
        }
    )


def test_as_of_cuts_the_orders_and_observation_end_is_its_old_name():
    orders = _three_customers()
    rfm = rfm_summary(
        orders, customer_col="cid", date_col="when", time_unit="day", as_of="2024-01-15"
    )
    # a: purchases on Jan 1 and 8 (Feb 1 is after as_of); T counts to Jan 15
    assert rfm.loc["a"].tolist() == [1, 7.0, 14.0]
    assert rfm.loc["b"].tolist() == [0, 0.0, 12.0]
    with pytest.warns(FutureWarning, match="observation_end= is now called as_of="):
        old = rfm_summary(
            orders,
            customer_col="cid",
            date_col="when",
            time_unit="day",
            observation_end="2024-01-15",
        )
    pd.testing.assert_frame_equal(old, rfm)
    with pytest.raises(RetentionKitError, match="pass as_of= only; observation_end= is its old"):
        rfm_summary(
            orders,
            customer_col="cid",
            date_col="when",
            as_of="2024-01-15",
            observation_end="2024-01-15",
        )
