import math

import pandas as pd
import pytest
from conftest import hand_orders
from hypothesis import given, settings
from hypothesis import strategies as st

import retention_kit as rk
from retention_kit.exceptions import RetentionKitError, RetentionKitWarning

# --- seed worked examples (metrics.md) --------------------------------------------------------


def test_seed_retention_1000_900_200_is_70():
    assert rk.retention_rate(1000, 900, 200) == pytest.approx(70.0)


def test_seed_retention_100_100_10_is_90():
    assert rk.retention_rate(100, 100, 10) == pytest.approx(90.0)


def test_seed_start_10_lose_2_gain_none_is_80():
    assert rk.retention_rate(10, 8, 0) == pytest.approx(80.0)


def test_seed_gaining_4_more_does_not_make_it_120():
    # 10 at the start, 2 lost, 4 gained: E = 12, N = 4.
    assert rk.retention_rate(10, 12, 4) == pytest.approx(80.0)
    assert 12 / 10 * 100 == pytest.approx(120.0)  # the naive E / S the seed warns about


def test_seed_churn_10_of_100_is_10():
    assert rk.churn_rate(10, 100) == pytest.approx(10.0)


def test_seed_inverse_of_70_percent_retention_is_30_percent_churn():
    lost = 1000 - (900 - 200)
    assert rk.churn_rate(lost, 1000) == pytest.approx(100 - rk.retention_rate(1000, 900, 200))


def test_revenue_churn():
    assert rk.revenue_churn_rate(2_500, 50_000) == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: rk.retention_rate(0, 5, 5), "start=0"),
        (lambda: rk.retention_rate(10, 5, 6), "new=6 exceeds end=5"),
        (lambda: rk.retention_rate(-1, 5, 0), "start=-1"),
        (lambda: rk.churn_rate(5, 0), "start=0"),
        (lambda: rk.churn_rate(11, 10), "lost=11 exceeds"),
        (lambda: rk.revenue_churn_rate(10, 0), "start_mrr=0"),
        (lambda: rk.retention_rate("ten", 5, 0), "must be a number"),
        (lambda: rk.churn_rate(float("nan"), 10), "finite"),
    ],
)
def test_formula_errors(call, match):
    with pytest.raises(RetentionKitError, match=match):
        call()


# --- CLV formulas, worked by hand ---------------------------------------------------------------


def test_clv_repeat_formula():
    # AOV 80, 25 % repeat, CAC 4: 80 * 0.25 - 4 = 16
    assert rk.clv_repeat_formula(80.0, 25.0, acquisition_cost=4.0) == pytest.approx(16.0)


def test_clv_lifespan_formula():
    # 1,000 orders a year, AOV 60, 30 % margin, 4-year lifespan, 500 customers:
    # 1000 * 60 * 0.3 * 4 / 500 = 144
    assert rk.clv_lifespan_formula(1000, 60.0, 30.0, 4, 500) == pytest.approx(144.0)


def test_clv_retention_margin():
    # m=100, r=0.8, d=0.1: 100 * 0.8 / 0.3 = 266.666...
    assert rk.clv_retention_margin(100.0, 80.0, 10.0) == pytest.approx(800 / 3)


def test_saas_heuristics_agree_when_churn_is_complement():
    assert rk.clv_arpa_churn(40.0, 8.0) == pytest.approx(500.0)
    assert rk.clv_arpu_retention(40.0, 92.0) == pytest.approx(500.0)


def test_fraction_passed_as_rate_warns():
    with pytest.warns(RetentionKitWarning, match="looks like a fraction"):
        rk.clv_repeat_formula(80.0, 0.25)


def test_zero_churn_is_an_error_not_inf():
    with pytest.raises(RetentionKitError, match="churn=0"):
        rk.clv_arpa_churn(40.0, 0)
    with pytest.raises(RetentionKitError, match="retention=100"):
        rk.clv_arpu_retention(40.0, 100)


@settings(deadline=None)
@given(
    s=st.integers(1, 10_000),
    kept=st.integers(0, 10_000),
    new=st.integers(0, 10_000),
)
def test_property_crr_plus_churn_is_100_without_same_period_churn(s, kept, new):
    kept = min(kept, s)
    crr = rk.retention_rate(s, kept + new, new)
    assert crr + rk.churn_rate(s - kept, s) == pytest.approx(100.0)
    assert 0 <= crr <= 100


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
