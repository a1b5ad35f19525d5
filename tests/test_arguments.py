"""_arguments: renamed keywords, date arguments and number arguments (hand-worked)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from retention_kit._arguments import (
    NOT_GIVEN,
    check_non_negative,
    check_percent,
    check_whole_number,
    parse_date_arg,
    renamed,
)
from retention_kit.exceptions import RetentionKitError, RetentionKitWarning


def test_renamed_new_name_only_passes_through_silently():
    assert renamed("unit", NOT_GIVEN, "time_unit", "week", default="day") == "week"
    assert repr(NOT_GIVEN) == "<not given>"


def test_renamed_old_name_warns_and_is_used():
    with pytest.warns(FutureWarning) as record:
        value = renamed("unit", "week", "time_unit", "day", default="day")
    assert value == "week"
    assert len(record) == 1
    assert str(record[0].message) == (
        "unit= is now called time_unit=; the old name will stop working in the next release."
    )
    assert record[0].filename == __file__  # points at the caller, not the package


def test_renamed_both_names_is_an_error():
    with pytest.raises(
        RetentionKitError,
        match=r"^pass time_unit= only; unit= is its old name \(both were given\)\.$",
    ):
        renamed("unit", "week", "time_unit", "month", default="day")


def test_renamed_old_name_with_none_default():
    with pytest.warns(FutureWarning, match="observation_end= is now called as_of="):
        assert renamed("observation_end", "2024-01-31", "as_of", None) == "2024-01-31"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-12-31", pd.Timestamp("2024-12-31")),
        (dt.date(2024, 2, 29), pd.Timestamp("2024-02-29")),
        (pd.Period("2024-03", "M"), pd.Timestamp("2024-03-01")),
        ("2024-01-05 10:30+02:00", pd.Timestamp("2024-01-05 10:30")),  # wall clock kept
    ],
)
def test_parse_date_arg(value, expected):
    parsed = parse_date_arg(value, "as_of")
    assert parsed == expected
    assert parsed.tzinfo is None


def test_parse_date_arg_none_and_bad_values():
    assert parse_date_arg(None, "start") is None
    with pytest.raises(
        RetentionKitError, match=r"^as_of='soon' is not a date\. Pass a date such as"
    ):
        parse_date_arg("soon", "as_of")
    with pytest.raises(RetentionKitError, match=r"end=NaT is not a date"):
        parse_date_arg(pd.NaT, "end")
    with pytest.raises(RetentionKitError, match=r"start=\[1\] is not a date"):
        parse_date_arg([1], "start")


def test_check_non_negative():
    assert check_non_negative("2.5", "arpu") == 2.5
    with pytest.raises(RetentionKitError, match=r"^arpu='a lot' must be a number\.$"):
        check_non_negative("a lot", "arpu")
    with pytest.raises(RetentionKitError, match=r"^arpu=-1 must be a finite number >= 0\.$"):
        check_non_negative(-1, "arpu")
    with pytest.raises(RetentionKitError, match=r"must be a finite number >= 0"):
        check_non_negative(float("inf"), "arpu")


def test_check_percent():
    assert check_percent(40, "churn") == 40.0
    assert check_percent(0, "churn") == 0.0
    with pytest.raises(
        RetentionKitError, match=r"^churn=120 is a percentage and must be between 0 and 100\.$"
    ):
        check_percent(120, "churn")
    assert check_percent(250, "discount_rate", upper=1000) == 250.0
    with pytest.warns(
        RetentionKitWarning, match=r"churn=0\.05 looks like a fraction.*pass 5 for 5%"
    ):
        assert check_percent(0.05, "churn") == 0.05
    assert check_percent(0.5, "discount_rate", hint=False) == 0.5  # no warning


def test_check_whole_number():
    assert check_whole_number(12, "n_customers", minimum=1, example=4000) == 12
    assert check_whole_number(0, "seed", minimum=0, example=42) == 0
    with pytest.raises(
        RetentionKitError,
        match=r"^`n_customers` must be an integer >= 1, got 0\. Pass a positive whole number, "
        r"e\.g\. n_customers=4000\.$",
    ):
        check_whole_number(0, "n_customers", minimum=1, example=4000)
    with pytest.raises(RetentionKitError, match=r"`seed` must be an integer >= 0, got True"):
        check_whole_number(True, "seed", minimum=0, example=42)
    with pytest.raises(RetentionKitError, match=r"got 2\.0\. Pass a non-negative whole number"):
        check_whole_number(2.0, "seed", minimum=0, example=42)
