"""Tests for retention_kit.nps_change: the NPS change test, numbers worked by hand."""

# ruff: noqa: F401, F811 - `to_native` is the engine fixture of test_nps, used as an argument

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from test_nps import TEN_SCORES, Z95, answers, same_on_pandas, to_native

import retention_kit
from retention_kit.exceptions import RetentionKitError
from retention_kit.nps_change import nps_change_test


def two_quarters(first: list[int], second: list[int], **extra: list[Any]) -> pd.DataFrame:
    dates = ["2024-08-15"] * len(first) + ["2024-12-31"] * len(second)
    return answers(first + second, date=pd.to_datetime(dates), **extra)


def test_change_identical_samples(to_native: Any) -> None:
    df = two_quarters(TEN_SCORES * 5, TEN_SCORES * 5)
    result = same_on_pandas(nps_change_test, to_native, df)
    row = result.iloc[0]
    assert (str(row["before"]), str(row["after"])) == ("2024Q3", "2024Q4")
    assert (row["n_before"], row["n_after"]) == (50, 50)
    assert row["difference"] == 0.0
    assert row["z"] == 0.0
    assert row["p_value"] == 1.0
    assert not row["significant"]
    # var per answer = .4 + .4 - 0 = .8; se = sqrt(.8/50 + .8/50) = .1789 -> 17.89 points.
    assert row["std_error"] == pytest.approx(100 * math.sqrt(0.8 / 50 + 0.8 / 50))
    assert row["diff_high"] == pytest.approx(Z95 * 17.8885, abs=1e-3)
    assert row["verdict"].startswith("NPS did not change from 2024Q3 (0.0, n=50)")


def test_change_known_difference(to_native: Any) -> None:
    before = [9] * 50 + [7] * 30 + [2] * 20  # NPS 30, var = .7 - .09 = .61
    after = [10] * 70 + [8] * 20 + [5] * 10  # NPS 60, var = .8 - .36 = .44
    result = same_on_pandas(nps_change_test, to_native, two_quarters(before, after))
    row = result.iloc[0]
    se = 100 * math.sqrt(0.61 / 100 + 0.44 / 100)  # 10.247
    assert (row["nps_before"], row["nps_after"]) == pytest.approx((30.0, 60.0))
    assert row["difference"] == pytest.approx(30.0)
    assert row["std_error"] == pytest.approx(se)
    assert row["std_error"] == pytest.approx(10.247, abs=1e-3)
    assert row["z"] == pytest.approx(30 / se)
    assert row["p_value"] == pytest.approx(0.003415, abs=1e-5)
    assert row["diff_low"] == pytest.approx(30 - Z95 * se)
    assert row["diff_high"] == pytest.approx(30 + Z95 * se)
    assert row["significant"]
    assert row["verdict"].startswith("NPS rose by 30.0 points from 2024Q3 (30.0, n=100) to 2024Q4")
    assert "a real change at 95% confidence (p=0.003)" in row["verdict"]


def test_change_not_significant_words(to_native: Any) -> None:
    before = [9] * 5 + [7] * 3 + [2] * 2
    after = [10] * 4 + [8] * 4 + [5] * 2
    result = same_on_pandas(nps_change_test, to_native, two_quarters(before, after))
    verdict = result["verdict"].iloc[0]
    assert verdict.startswith("NPS fell by 10.0 points")
    assert "within sampling noise" in verdict
    assert "Both periods have fewer than 30 answers" in verdict
    assert not result["significant"].iloc[0]


def test_change_defaults_skip_incomplete_period(to_native: Any) -> None:
    dates = ["2024-02-10"] * 3 + ["2024-05-10"] * 3 + ["2024-08-10"] * 3
    df = answers([10, 9, 0, 10, 10, 10, 0, 0, 0], date=pd.to_datetime(dates))
    # The data runs to 2024-08-10: Q3 is incomplete, so Q1 vs Q2 is tested.
    result = same_on_pandas(nps_change_test, to_native, df)
    assert (str(result["before"].iloc[0]), str(result["after"].iloc[0])) == ("2024Q1", "2024Q2")
    assert result["difference"].iloc[0] == pytest.approx(100 - 100 / 3)
    # Naming the incomplete quarter is allowed, and the verdict says it is incomplete.
    named = same_on_pandas(nps_change_test, to_native, df, after="2024Q3")
    assert str(named["before"].iloc[0]) == "2024Q2"
    assert "2024Q3 is not complete (the data runs to 2024-08-10)" in named["verdict"].iloc[0]
    # With as_of at the quarter end, Q3 is complete and becomes the default "after".
    closed = same_on_pandas(nps_change_test, to_native, df, as_of="2024-09-30")
    assert str(closed["after"].iloc[0]) == "2024Q3"


def test_change_by_segment_and_month(to_native: Any) -> None:
    df = answers(
        [10, 10, 0, 0, 10, 0, 9, 9],
        seg=["a", "a", "a", "a", "b", "b", "b", "b"],
        date=pd.to_datetime(
            ["2024-01-05", "2024-01-06", "2024-02-05", "2024-02-06"] * 2,
        ),
    )
    result = same_on_pandas(
        nps_change_test, to_native, df, freq="month", before="2024-01", after="2024-02", by="seg"
    )
    assert result["seg"].tolist() == ["a", "b"]
    assert result["difference"].tolist() == pytest.approx([-200.0, 100.0])
    # Segment a: all promoters then all detractors, zero variance on both sides.
    assert result["std_error"].iloc[0] == 0.0
    assert np.isnan(result["z"].iloc[0])  # undefined, never a silent inf
    assert np.isnan(result["p_value"].iloc[0])
    assert "significance test is undefined" in result["verdict"].iloc[0]
    assert pd.isna(result["significant"].iloc[0])
    # Segment b: 1 promoter + 1 detractor (var 1), then 2 promoters (var 0).
    assert result["std_error"].iloc[1] == pytest.approx(100 * math.sqrt(1 / 2))


def test_change_segment_missing_a_period(to_native: Any) -> None:
    df = answers(
        [10, 9, 10],
        seg=["a", "a", "b"],
        date=pd.to_datetime(["2024-01-05", "2024-02-05", "2024-02-05"]),
    )
    result = same_on_pandas(
        nps_change_test, to_native, df, freq="month", before="2024-01", after="2024-02", by="seg"
    )
    assert result["n_before"].tolist() == [1, 0]
    assert math.isnan(result["difference"].iloc[1])
    assert result["significant"].isna().tolist() == [False, True]
    assert (
        result["verdict"].iloc[1] == "No answers in 2024-01 for this segment: nothing to compare."
    )


def test_change_only_after_given(to_native: Any) -> None:
    df = two_quarters([10] * 3, [0] * 3)
    result = same_on_pandas(nps_change_test, to_native, df, after="2024Q4")
    assert str(result["before"].iloc[0]) == "2024Q3"
    result = same_on_pandas(nps_change_test, to_native, df, after=pd.Period("2024Q4", freq="Q"))
    assert str(result["before"].iloc[0]) == "2024Q3"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"before": "2024Q4", "after": "2024Q3"}, "before='2024Q4' is not earlier than"),
        ({"before": "2024Q3", "after": "2024Q3"}, "is not earlier than"),
        ({"before": "last quarter"}, "before='last quarter' is not a period.*2024Q3"),
        ({"before": "2024Q1", "after": "2024Q4"}, "before: no answers at all in 2024Q1"),
        ({"freq": "year"}, "1 complete year.*two are needed.*before='2023', after='2024'"),
        ({"freq": "fortnight"}, "freq='fortnight' is not supported"),
        ({"date_col": None}, "pass date_col="),
        ({"confidence": 95}, "confidence=95 must be between 0 and 1"),
    ],
)
def test_change_errors(to_native: Any, kwargs: dict[str, Any], match: str) -> None:
    df = two_quarters([10] * 3, [0] * 3)
    with pytest.raises(RetentionKitError, match=match):
        nps_change_test(to_native(df), **kwargs)
