"""_frames: the one table of time units, option checks and period arithmetic (hand-worked)."""

from __future__ import annotations

import pandas as pd
import pytest

from retention_kit._frames import (
    DAYS_PER_UNIT,
    FREQS,
    check_freq,
    check_incomplete,
    check_option,
    check_time_unit,
    days_per,
    is_complete,
    last_complete_period,
    python_period_index,
    to_periods,
)
from retention_kit.exceptions import RetentionKitError


def test_days_per_unit_table():
    assert DAYS_PER_UNIT == {"day": 1.0, "week": 7.0, "month": 30.4375, "year": 365.25}
    assert days_per("day") == 1.0
    assert days_per("week") == 7.0
    assert days_per("month") == 30.4375  # 365.25 / 12
    assert days_per("year") == 365.25


def test_days_per_rejects_a_calendar_freq():
    with pytest.raises(RetentionKitError, match=r"time_unit='quarter' is not supported"):
        days_per("quarter")


def test_check_time_unit_default_and_restricted():
    assert check_time_unit("month") == "month"
    assert check_time_unit("week", ("day", "week")) == "week"
    with pytest.raises(
        RetentionKitError, match=r"^time_unit='month' is not supported; use one of 'day', 'week'\.$"
    ):
        check_time_unit("month", ("day", "week"))


def test_check_option_names_argument_and_choices():
    assert check_option("method", "wald", ("wald", "bootstrap")) == "wald"
    with pytest.raises(
        RetentionKitError,
        match=r"^method='Wald' is not supported; use one of 'wald', 'bootstrap'\.$",
    ):
        check_option("method", "Wald", ("wald", "bootstrap"))
    with pytest.raises(RetentionKitError, match=r"^method=3 is not supported"):
        check_option("method", 3, ("wald",))


def test_check_freq_and_incomplete():
    assert FREQS == ("day", "week", "month", "quarter", "year")
    assert check_freq("quarter") == "quarter"
    with pytest.raises(RetentionKitError, match=r"freq='monthly' is not supported"):
        check_freq("monthly")
    assert check_incomplete("flag") == "flag"
    with pytest.raises(RetentionKitError, match=r"incomplete='keep' is not supported"):
        check_incomplete("keep")


@pytest.mark.parametrize(
    ("when", "freq", "expected"),
    [
        ("1970-01-03", "day", 2),
        ("2024-03-15", "month", 2024 * 12 + 2),
        ("2024-03-15", "quarter", 2024 * 4),
        ("2024-03-15", "year", 2024),
        ("1970-01-04", "week", 0),  # Sunday: still the week of Monday 1969-12-29
        ("1970-01-05", "week", 1),  # Monday starts the next week
    ],
)
def test_python_period_index(when, freq, expected):
    assert python_period_index(pd.Timestamp(when), freq) == expected


def test_to_periods_inverts_the_index():
    assert [str(p) for p in to_periods([2024 * 12 + 2], "month")] == ["2024-03"]
    assert [str(p) for p in to_periods([2024 * 4 + 3], "quarter")] == ["2024Q4"]
    week = to_periods([1], "week")[0]
    assert (week.start_time, week.end_time.normalize()) == (
        pd.Timestamp("1970-01-05"),
        pd.Timestamp("1970-01-11"),
    )


def test_last_complete_period_and_is_complete():
    march, april = 2024 * 12 + 2, 2024 * 12 + 3
    assert last_complete_period("2024-03-31", "month") == march  # March has ended that night
    assert last_complete_period("2024-03-30", "month") == march - 1
    assert is_complete([march, april], "month", pd.Timestamp("2024-03-31")).tolist() == [
        True,
        False,
    ]
