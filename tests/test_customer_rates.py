"""Tests for retention_kit.customer_rates: rates from orders on the hand fixture, every engine."""

import math

import pandas as pd
import pytest
from conftest import hand_orders

import retention_kit as rk
import retention_kit.metrics
from retention_kit import customer_rates
from retention_kit.exceptions import RetentionKitWarning


def test_old_paths_still_import():
    for name in customer_rates.__all__:
        assert getattr(retention_kit.metrics, name) is getattr(customer_rates, name)
        assert getattr(rk, name) is getattr(customer_rates, name)
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        retention_kit.metrics.nonsense  # noqa: B018 - the attribute access is the test


# --- rates from orders (hand fixture, every engine) ---------------------------------------------


def march(frame):
    return frame[frame["order_date"] < "2024-04-01"].reset_index(drop=True)


def test_repeat_purchase_rate(convert):
    # orders: a 3, b 2, c 1, d 2, e 2 (two on one day count twice) -> 4 of 5 repeat
    out = rk.repeat_purchase_rate(convert(march(hand_orders())))
    row = out.iloc[0]
    assert (row["customers"], row["repeat_customers"]) == (5, 4)
    assert row["repeat_purchase_rate"] == pytest.approx(80.0)
    low, high = rk.wilson_interval(4, 5)
    assert row["repeat_purchase_rate_low"] == pytest.approx(float(low))
    assert row["repeat_purchase_rate_high"] == pytest.approx(float(high))
    assert bool(row["small_sample"]) is True


def test_several_orders_on_one_day_count_as_orders_not_as_more_customers(convert):
    out = rk.average_order_value(convert(march(hand_orders())))
    assert out.iloc[0]["orders"] == 10
    assert out.iloc[0]["customers"] == 5


def test_repeat_purchase_rate_with_order_col_counts_invoices(convert):
    frame = march(hand_orders()).assign(invoice=lambda d: d["customer_id"] + "1")
    out = rk.repeat_purchase_rate(convert(frame), order_col="invoice")
    assert out.iloc[0]["repeat_customers"] == 0


def test_loyal_rate_threshold(convert):
    frame = convert(march(hand_orders()))
    assert rk.loyal_customer_rate(frame).iloc[0]["loyal_customers"] == 1  # > 2 orders: a
    out = rk.loyal_customer_rate(frame, threshold=1)
    assert out.iloc[0]["loyal_customer_rate"] == pytest.approx(80.0)


def test_aov(convert):
    out = rk.average_order_value(convert(march(hand_orders())))
    assert out.iloc[0]["revenue"] == pytest.approx(200.0)
    assert out.iloc[0]["aov"] == pytest.approx(20.0)


def test_rates_by_segment(convert):
    out = rk.repeat_purchase_rate(convert(march(hand_orders())), by="channel")
    assert out["channel"].tolist() == ["shop", "web"]
    assert out["customers"].tolist() == [2, 3]  # shop: c, d; web: a, b, e
    assert out["repeat_purchase_rate"].tolist() == pytest.approx([50.0, 100.0])
    aov = rk.average_order_value(convert(march(hand_orders())), by="channel")
    assert aov["aov"].tolist() == pytest.approx([100 / 3, 100 / 7])


def test_returns_are_netted_and_not_orders(convert):
    frame = pd.concat(
        [
            march(hand_orders()),
            pd.DataFrame(
                {
                    "customer_id": ["c"],
                    "order_date": pd.to_datetime(["2024-02-03"]),
                    "amount": [-10.0],
                    "channel": ["shop"],
                }
            ),
        ],
        ignore_index=True,
    )
    with pytest.warns(RetentionKitWarning, match="1 negative value"):
        out = rk.average_order_value(convert(frame))
    assert out.iloc[0]["orders"] == 10
    assert out.iloc[0]["revenue"] == pytest.approx(190.0)


def test_window_filters_orders(convert):
    out = rk.repeat_purchase_rate(convert(hand_orders()), start="2024-03-01", end="2024-03-31")
    # March: a 1, b 1, d 1, e 2 -> one repeat of four
    assert (out.iloc[0]["customers"], out.iloc[0]["repeat_customers"]) == (4, 1)


def test_clv_summary_by_hand(convert):
    # Monthly unit on Jan-Mar: S = 0 + 3 + 2, retained = 0 + 1 + 2, lost = 0 + 2 + 0.
    out = rk.clv_summary(convert(hand_orders()), freq="month", as_of="2024-03-31")
    row = out.iloc[0]
    assert row["periods"] == 3
    assert row["retention"] == pytest.approx(60.0)
    assert row["churn"] == pytest.approx(40.0)
    assert row["lifespan"] == pytest.approx(2.5)
    assert row["aov"] == pytest.approx(20.0)
    assert row["orders_per_period"] == pytest.approx(10 / 3)
    assert row["arpu"] == pytest.approx(200 / 9)  # E = 3 + 2 + 4
    assert row["clv_repeat"] == pytest.approx(20 * 0.8)
    assert row["clv_lifespan"] == pytest.approx(10 / 3 * 20 * 2.5 / 5)
    assert row["clv_retention_margin"] == pytest.approx(200 / 9 * 0.6 / (1.1 - 0.6))
    assert row["clv_arpa_churn"] == pytest.approx(200 / 9 / 0.4)
    assert row["unit"] == "month"
    assert math.isclose(row["clv_arpa_churn"], row["clv_arpu_retention"])
