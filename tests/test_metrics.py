
import pytest
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
