"""conversions: annual discount rates per period, and time units per month or year."""

from __future__ import annotations

import pytest

from retention_kit import reporting
from retention_kit.conversions import PERIODS_PER_YEAR, period_discount_rate, time_units_per
from retention_kit.exceptions import RetentionKitError


@pytest.mark.parametrize(
    ("annual", "freq", "expected"),
    [
        (10.0, "month", 0.7974140428),  # 1.1 ** (1/12) - 1
        (10.0, "quarter", 2.4113689084),  # 1.1 ** (1/4) - 1
        (21.0, "quarter", 4.8808848170),  # 1.21 ** (1/4) - 1 = 1.1 ** (1/2) - 1
        (12.68250301, "month", 1.0),  # 1.01 ** 12 = 1.1268250301
        (10.0, "year", 10.0),
        (0.0, "week", 0.0),
    ],
)
def test_period_discount_rate_by_hand(annual, freq, expected):
    assert period_discount_rate(annual, freq) == pytest.approx(expected, abs=1e-8)


def test_per_period_rate_compounds_back_to_the_annual_one():
    for freq, k in PERIODS_PER_YEAR.items():
        monthly = period_discount_rate(10.0, freq)
        assert ((1 + monthly / 100) ** k - 1) * 100 == pytest.approx(10.0), freq


@pytest.mark.parametrize(
    ("rate", "freq", "match"),
    [
        (-1.0, "month", r"annual_rate=-1.0 must be a percentage >= 0"),
        ("ten", "month", r"annual_rate='ten' must be a number \(percent per year\)"),
        (float("nan"), "month", r"annual_rate=nan must be a percentage"),
        (10.0, "fortnight", r"freq"),
    ],
)
def test_period_discount_rate_errors(rate, freq, match):
    with pytest.raises(RetentionKitError, match=match):
        period_discount_rate(rate, freq)


@pytest.mark.parametrize(
    ("span", "time_unit", "expected"),
    [
        ("month", "week", 30.4375 / 7),  # 365.25 / 12 days over 7
        ("month", "day", 30.4375),
        ("year", "week", 52.178571428),  # 365.25 / 7
        ("year", "month", 12.0),
        ("week", "day", 7.0),
        ("day", "week", 1 / 7),
    ],
)
def test_time_units_per_by_hand(span, time_unit, expected):
    assert time_units_per(span, time_unit) == pytest.approx(expected)


def test_time_units_per_errors_name_the_argument():
    with pytest.raises(RetentionKitError, match=r"span='quarter' is not a time unit"):
        time_units_per("quarter", "week")
    with pytest.raises(RetentionKitError, match=r"time_unit='fortnight' is not supported"):
        time_units_per("month", "fortnight")


def test_reporting_re_exports_the_moved_names():
    assert reporting.period_discount_rate is period_discount_rate
    assert reporting.PERIODS_PER_YEAR is PERIODS_PER_YEAR
