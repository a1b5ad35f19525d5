"""Tests for retention_kit.nps: hand-computed fixtures on every engine, errors, properties."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retention_kit.exceptions import (
    EmptyDataError,
    InvalidDataError,
    MissingColumnError,
    RetentionKitError,
)
from retention_kit.intervals import MIN_READABLE_N
from retention_kit.nps import net_promoter_score, nps_change_test, nps_from_counts

Z95 = 1.959963984540054  # scipy.stats.norm.ppf(0.975)

TEN_SCORES = [10, 9, 9, 8, 7, 6, 5, 0, 10, 3]  # 4 promoters, 2 passives, 4 detractors


# --------------------------------------------------------------------------------------
# Engines: every data-level test runs on pandas, Polars (eager and lazy) and DuckDB.
# --------------------------------------------------------------------------------------

ENGINES = ["pandas", "polars", "polars_lazy", "duckdb"]  # as in conftest.py


# Module-scoped (Hypothesis refuses function-scoped fixtures such as conftest's `convert`).
@pytest.fixture(scope="module", params=ENGINES)
def to_native(request: pytest.FixtureRequest) -> Iterator[Callable[[pd.DataFrame], Any]]:
    """A function turning a pandas frame into the engine's native frame."""
    connections: list[duckdb.DuckDBPyConnection] = []

    def convert(df: pd.DataFrame) -> Any:
        if request.param == "pandas":
            return df.copy()
        if request.param == "polars":
            return pl.from_pandas(df)
        if request.param == "polars_lazy":
            return pl.from_pandas(df).lazy()
        con = duckdb.connect()
        connections.append(con)
        return con.from_df(df)

    yield convert
    for con in connections:
        con.close()


def same_on_pandas(func: Callable[..., pd.DataFrame], to_native: Any, df: pd.DataFrame, **kw: Any):
    """Run ``func`` on the engine's frame, check it equals the pandas result, return it."""
    result = func(to_native(df), **kw)
    expected = func(df.copy(), **kw)
    pd.testing.assert_frame_equal(result, expected)
    return result


def answers(scores: list[float], **columns: list[Any]) -> pd.DataFrame:
    return pd.DataFrame({"score": scores, **columns})


# --------------------------------------------------------------------------------------
# nps_from_counts
# --------------------------------------------------------------------------------------


def test_nps_from_counts_hand_values() -> None:
    assert nps_from_counts(50, 30, 20) == 30.0
    assert nps_from_counts(4, 2, 4) == 0.0
    assert nps_from_counts(promoters=10, passives=0, detractors=0) == 100.0
    assert nps_from_counts(promoters=0, passives=0, detractors=3) == -100.0
    assert nps_from_counts(0, 5, 0) == 0.0
    assert nps_from_counts(np.int64(3), 1, 0) == 75.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"promoters": -1, "passives": 0, "detractors": 0}, "promoters=-1.*negative"),
        ({"promoters": 1, "passives": -2, "detractors": 0}, "passives=-2.*negative"),
        ({"promoters": 1, "passives": 0, "detractors": 2.5}, "detractors=2.5.*whole number"),
        ({"promoters": 1.0, "passives": 0, "detractors": 0}, "promoters=1.0.*whole number"),
        ({"promoters": "3", "passives": 0, "detractors": 0}, "promoters='3'.*whole number"),
        ({"promoters": True, "passives": 0, "detractors": 0}, "promoters=True.*not True/False"),
        ({"promoters": 0, "passives": 0, "detractors": 0}, "all 0"),
    ],
)
def test_nps_from_counts_rejects_bad_counts(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(RetentionKitError, match=match):
        nps_from_counts(**kwargs)


# --------------------------------------------------------------------------------------
# net_promoter_score: hand-computed fixtures
# --------------------------------------------------------------------------------------


def test_ten_answers_counts_and_shares(to_native: Any) -> None:
    table = same_on_pandas(net_promoter_score, to_native, answers(TEN_SCORES))
    assert list(table.columns) == [
        "n",
        "detractors",
        "passives",
        "promoters",
        "detractor_share",
        "passive_share",
        "promoter_share",
        "nps",
        "nps_low",
        "nps_high",
        "interval_method",
        "small_sample",
    ]
    row = table.iloc[0]
    assert (row["n"], row["promoters"], row["passives"], row["detractors"]) == (10, 4, 2, 4)
    assert row["promoter_share"] == pytest.approx(40.0)
    assert row["passive_share"] == pytest.approx(20.0)
    assert row["detractor_share"] == pytest.approx(40.0)
    assert row["nps"] == pytest.approx(0.0)
    assert bool(row["small_sample"])
    # 4 promoters and 4 detractors (< 5): "auto" bootstraps.
    assert row["interval_method"] == "bootstrap"
    assert row["nps_low"] < 0 < row["nps_high"]


def test_ten_answers_adjusted_wald_by_hand(to_native: Any) -> None:
    table = same_on_pandas(
        net_promoter_score, to_native, answers(TEN_SCORES), method="adjusted_wald"
    )
    # 4.75 promoters, 3.5 passives, 4.75 detractors out of 13.
    p = d = 4.75 / 13
    se = math.sqrt((p + d - (p - d) ** 2) / 13)  # sqrt(0.7308 / 13) = 0.2371
    assert table["nps_low"].iloc[0] == pytest.approx(-100 * Z95 * se)
    assert table["nps_high"].iloc[0] == pytest.approx(46.47, abs=0.01)
    assert table["interval_method"].iloc[0] == "adjusted_wald"


def test_all_tens_is_100(to_native: Any) -> None:
    table = same_on_pandas(net_promoter_score, to_native, answers([10] * 40))
    row = table.iloc[0]
    assert row["nps"] == 100.0
    assert (row["promoters"], row["passives"], row["detractors"]) == (40, 0, 0)
    assert row["promoter_share"] == 100.0
    # Extreme score: "auto" bootstraps from the adjusted shares, so the interval has width.
    assert row["interval_method"] == "bootstrap"
    assert row["nps_high"] == 100.0
    assert 60 < row["nps_low"] < 100
    assert not bool(row["small_sample"])


def test_all_tens_wald_has_zero_width(to_native: Any) -> None:
    table = same_on_pandas(net_promoter_score, to_native, answers([10] * 5), method="wald")
    assert (table["nps_low"].iloc[0], table["nps_high"].iloc[0]) == (100.0, 100.0)


def fifty_thirty_twenty() -> pd.DataFrame:
    return answers([9] * 25 + [10] * 25 + [7] * 15 + [8] * 15 + [0] * 10 + [6] * 10)


def test_50_30_20_wald_by_hand(to_native: Any) -> None:
    table = same_on_pandas(net_promoter_score, to_native, fifty_thirty_twenty(), method="wald")
    # p = .5, d = .2, var = (.7 - .3 ** 2) / 100 = .0061, se = .0781, 30 +- 1.96 * 7.81.
    se = math.sqrt((0.5 + 0.2 - 0.3**2) / 100)
    assert se == pytest.approx(0.0781, abs=1e-4)
    row = table.iloc[0]
    assert row["nps"] == pytest.approx(30.0)
    assert row["nps_low"] == pytest.approx(30 - 100 * Z95 * se)
    assert row["nps_high"] == pytest.approx(30 + 100 * Z95 * se)
    assert row["nps_low"] == pytest.approx(14.69, abs=0.01)
    assert row["nps_high"] == pytest.approx(45.31, abs=0.01)
    assert row["interval_method"] == "wald"


def test_50_30_20_adjusted_wald_by_hand(to_native: Any) -> None:
    table = same_on_pandas(net_promoter_score, to_native, fifty_thirty_twenty())
    # 50.75 promoters, 31.5 passives, 20.75 detractors of 103: centred on 30/103.
    p, d = 50.75 / 103, 20.75 / 103
    se = math.sqrt((p + d - (p - d) ** 2) / 103)  # sqrt(.6093 / 103) = .0769
    row = table.iloc[0]
    assert row["interval_method"] == "adjusted_wald"  # auto: no extreme, groups >= 5
    assert row["nps"] == pytest.approx(30.0)  # the point estimate is not adjusted
    assert row["nps_low"] == pytest.approx(100 * (30 / 103 - Z95 * se))
    assert row["nps_high"] == pytest.approx(100 * (30 / 103 + Z95 * se))
    assert row["nps_low"] == pytest.approx(14.05, abs=0.01)
    assert row["nps_high"] == pytest.approx(44.20, abs=0.01)


def test_confidence_widens_interval(to_native: Any) -> None:
    df = fifty_thirty_twenty()
    narrow = same_on_pandas(net_promoter_score, to_native, df, method="wald", confidence=0.80)
    wide = same_on_pandas(net_promoter_score, to_native, df, method="wald", confidence=0.99)
    se = math.sqrt(0.0061)
    assert narrow["nps_high"].iloc[0] == pytest.approx(30 + 100 * 1.2815516 * se)
    assert wide["nps_high"].iloc[0] == pytest.approx(30 + 100 * 2.5758293 * se)


def test_float_scores_holding_whole_numbers_are_accepted(to_native: Any) -> None:
    df = answers([float(s) for s in TEN_SCORES])
    table = same_on_pandas(net_promoter_score, to_native, df)
    assert tuple(table.loc[0, ["promoters", "passives", "detractors"]]) == (4, 2, 4)


def test_bootstrap_is_deterministic_and_per_row(to_native: Any) -> None:
    # Two segments with identical counts get identical bootstrap bounds.
    df = answers(TEN_SCORES * 2, seg=["a"] * 10 + ["b"] * 10)
    table = same_on_pandas(net_promoter_score, to_native, df, by="seg", method="bootstrap")
    assert set(table["interval_method"]) == {"bootstrap"}
    assert table.loc[0, "nps_low"] == table.loc[1, "nps_low"]
    assert table.loc[0, "nps_high"] == table.loc[1, "nps_high"]
    again = net_promoter_score(to_native(answers(TEN_SCORES)), method="bootstrap")
    assert again.loc[0, "nps_low"] == table.loc[0, "nps_low"]


def test_auto_switches_per_row(to_native: Any) -> None:
    big = [10] * 30 + [8] * 30 + [3] * 20  # 30 / 30 / 20: adjusted Wald
    few_detractors = [10] * 30 + [8] * 30 + [3] * 4  # 4 detractors: bootstrap
    df = answers(big + few_detractors, seg=["big"] * len(big) + ["few"] * len(few_detractors))
    table = same_on_pandas(net_promoter_score, to_native, df, by="seg")
    assert table["interval_method"].tolist() == ["adjusted_wald", "bootstrap"]


def test_small_sample_threshold(to_native: Any) -> None:
    n = MIN_READABLE_N
    df = answers([9] * (n - 1) + [9] * n, seg=["a"] * (n - 1) + ["b"] * n)
    table = same_on_pandas(net_promoter_score, to_native, df, by="seg")
    assert table["small_sample"].tolist() == [True, False]


def test_by_segment(to_native: Any) -> None:
    df = answers(
        [10, 9, 3, 7, 0, 8, 9, 10],
        plan=["pro", "pro", "pro", "basic", "basic", "basic", "trial", "trial"],
        region=["eu", "eu", "us", "eu", "eu", "eu", "us", "us"],
    )
    table = same_on_pandas(net_promoter_score, to_native, df, by=["plan", "region"])
    assert table[["plan", "region"]].values.tolist() == [
        ["basic", "eu"],
        ["pro", "eu"],
        ["pro", "us"],
        ["trial", "us"],
    ]
    assert table["n"].tolist() == [3, 2, 1, 2]
    assert table["promoters"].tolist() == [0, 2, 0, 2]
    assert table["detractors"].tolist() == [1, 0, 1, 0]
    assert table["nps"].tolist() == pytest.approx([-100 / 3, 100, -100, 100])


def monthly_answers() -> pd.DataFrame:
    return answers(
        [10, 3, 9, 8, 6, 10, 9, 9],
        plan=["pro", "pro", "basic", "pro", "basic", "basic", "pro", "pro"],
        date=pd.to_datetime(
            [
                "2024-01-03 00:00:00",
                "2024-01-20 00:00:00",
                "2024-01-31 23:59:00",
                "2024-02-01 00:00:00",
                "2024-02-11 00:00:00",
                "2024-02-29 00:00:00",
                "2024-03-01 00:00:00",
                "2024-03-15 00:00:00",
            ]
        ),
    )


def test_by_segment_and_month(to_native: Any) -> None:
    table = same_on_pandas(
        net_promoter_score, to_native, monthly_answers(), date_col="date", by="plan", freq="month"
    )
    # March runs to the 15th only: excluded by default.
    assert table["period"].astype(str).tolist() == ["2024-01", "2024-02", "2024-01", "2024-02"]
    assert isinstance(table["period"].dtype, pd.PeriodDtype)
    assert table["plan"].tolist() == ["basic", "basic", "pro", "pro"]
    assert table["n"].tolist() == [1, 2, 2, 1]
    assert table["promoters"].tolist() == [1, 1, 1, 0]
    assert table["passives"].tolist() == [0, 0, 0, 1]
    assert table["detractors"].tolist() == [0, 1, 1, 0]
    assert table["nps"].tolist() == pytest.approx([100.0, 0.0, 0.0, 0.0])
    assert table["complete"].all()
    assert list(table.columns[:3]) == ["plan", "period", "complete"]


def test_incomplete_last_period_flagged_or_kept_with_as_of(to_native: Any) -> None:
    df = monthly_answers()
    flagged = same_on_pandas(
        net_promoter_score, to_native, df, date_col="date", freq="month", incomplete="flag"
    )
    assert flagged["period"].astype(str).tolist() == ["2024-01", "2024-02", "2024-03"]
    assert flagged["complete"].tolist() == [True, True, False]
    assert flagged["n"].tolist() == [3, 3, 2]
    full = same_on_pandas(
        net_promoter_score, to_native, df, date_col="date", freq="month", as_of="2024-03-31"
    )
    assert full["complete"].tolist() == [True, True, True]


def test_week_starts_on_monday(to_native: Any) -> None:
    # 2024-01-07 is a Sunday, 2024-01-08 a Monday; data runs to Sunday 2024-01-14.
    df = answers([10, 0, 9], date=pd.to_datetime(["2024-01-07", "2024-01-08", "2024-01-14"]))
    table = same_on_pandas(net_promoter_score, to_native, df, date_col="date", freq="week")
    assert [p.start_time.strftime("%Y-%m-%d") for p in table["period"]] == [
        "2024-01-01",
        "2024-01-08",
    ]
    assert table["n"].tolist() == [1, 2]
    assert table["nps"].tolist() == pytest.approx([100.0, 0.0])


def test_quarter_and_year(to_native: Any) -> None:
    df = answers(
        [10, 0, 9, 8],
        date=pd.to_datetime(["2023-02-01", "2023-12-31", "2024-03-01", "2024-12-31"]),
    )
    quarters = same_on_pandas(net_promoter_score, to_native, df, date_col="date", freq="quarter")
    assert quarters["period"].astype(str).tolist() == ["2023Q1", "2023Q4", "2024Q1", "2024Q4"]
    years = same_on_pandas(net_promoter_score, to_native, df, date_col="date", freq="year")
    assert years["period"].astype(str).tolist() == ["2023", "2024"]
    assert years["nps"].tolist() == pytest.approx([0.0, 50.0])


def test_iso_text_dates(to_native: Any) -> None:
    df = answers([10, 0, 9], date=["2023-02-01", "2023-12-31", "2024-12-31"])
    years = same_on_pandas(net_promoter_score, to_native, df, date_col="date", freq="year")
    assert years["period"].astype(str).tolist() == ["2023", "2024"]


def test_input_is_not_modified() -> None:
    df = monthly_answers()
    before = df.copy()
    net_promoter_score(df, date_col="date", by="plan", freq="month")
    nps_change_test(df, freq="month", before="2024-01", after="2024-02")
    pd.testing.assert_frame_equal(df, before)


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    scores=st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=60),
    method=st.sampled_from(["auto", "adjusted_wald", "wald", "bootstrap"]),
)
def test_shares_and_bounds_properties(to_native: Any, scores: list[int], method: str) -> None:
    table = net_promoter_score(to_native(answers(scores)), method=method)
    row = table.iloc[0]
    total = row["promoter_share"] + row["passive_share"] + row["detractor_share"]
    assert total == pytest.approx(100.0)
    assert row["nps"] == pytest.approx(row["promoter_share"] - row["detractor_share"])
    assert row["nps"] == pytest.approx(
        nps_from_counts(int(row["promoters"]), int(row["passives"]), int(row["detractors"]))
    )
    assert -100 <= row["nps_low"] <= row["nps"] <= row["nps_high"] <= 100
    assert row["n"] == len(scores)


# --------------------------------------------------------------------------------------
# Validation at the entry points (every engine)
# --------------------------------------------------------------------------------------


def test_missing_column_suggests_closest(to_native: Any) -> None:
    df = pd.DataFrame({"Score": [9, 10]})
    with pytest.raises(MissingColumnError, match="score_col='score'.*Did you mean 'Score'"):
        net_promoter_score(to_native(df))
    with pytest.raises(MissingColumnError, match="by='segmnt'.*Did you mean 'segment'"):
        net_promoter_score(to_native(df.assign(segment="a")), score_col="Score", by="segmnt")
    with pytest.raises(MissingColumnError, match="date_col='date'"):
        nps_change_test(to_native(df), score_col="Score")


def test_empty_frame(to_native: Any) -> None:
    df = pd.DataFrame({"score": pd.Series([], dtype="int64")})
    with pytest.raises(EmptyDataError, match="answers is empty"):
        net_promoter_score(to_native(df))


def test_null_scores(to_native: Any) -> None:
    df = answers([9.0, np.nan, 7.0, np.nan])
    with pytest.raises(InvalidDataError, match=r"score_col='score' has 2 missing value\(s\)"):
        net_promoter_score(to_native(df))
    with pytest.raises(InvalidDataError, match="dropna"):
        net_promoter_score(to_native(df))


def test_polars_nan_scores_are_missing() -> None:
    df = pl.DataFrame({"score": [9.0, float("nan")]})
    with pytest.raises(InvalidDataError, match=r"1 missing value\(s\)"):
        net_promoter_score(df)


@pytest.mark.parametrize("bad", [11, -1, 100])
def test_scores_outside_range(to_native: Any, bad: int) -> None:
    df = answers([9, 10, bad, 3])
    with pytest.raises(InvalidDataError, match=r"score_col='score' has 1 score\(s\) outside 0..10"):
        net_promoter_score(to_native(df))
    with pytest.raises(InvalidDataError, match=str(bad)):
        net_promoter_score(to_native(df))


def test_fractional_scores(to_native: Any) -> None:
    df = answers([9.0, 7.5, 10.0, 3.25])
    with pytest.raises(
        InvalidDataError, match=r"has 2 score\(s\) that are not whole numbers"
    ) as info:
        net_promoter_score(to_native(df))
    assert "7.5" in str(info.value)
    assert "3.25" in str(info.value)


def test_offending_rows_show_positions_on_eager_frames() -> None:
    df = answers([9, 10, 9, 12])
    with pytest.raises(InvalidDataError, match=r"row\s+score\s+3\s+12"):
        net_promoter_score(df)


def test_string_scores(to_native: Any) -> None:
    df = answers(["9", "10", "ten"])
    with pytest.raises(InvalidDataError, match="score_col='score' must hold numbers 0..10"):
        net_promoter_score(to_native(df))
    with pytest.raises(InvalidDataError, match="pd.to_numeric"):
        net_promoter_score(to_native(df))


def test_null_dates_with_freq(to_native: Any) -> None:
    df = answers([9, 10], date=pd.to_datetime(["2024-01-01", None]))
    with pytest.raises(InvalidDataError, match=r"date_col='date' has 1 missing value\(s\)"):
        net_promoter_score(to_native(df), date_col="date", freq="month")


def test_unreadable_text_dates(to_native: Any) -> None:
    df = answers([9, 10], date=["01/13/2024", "not a date"])
    with pytest.raises(InvalidDataError, match="date_col='date'"):
        net_promoter_score(to_native(df), date_col="date", freq="month")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"freq": "month"}, "freq='month' needs the answer dates: pass date_col="),
        ({"freq": "hour", "date_col": "date"}, "freq='hour' is not supported"),
        ({"method": "wilson"}, "method='wilson' is not supported"),
        ({"confidence": 1.0}, "confidence=1.0 must be between 0 and 1"),
        ({"confidence": 0}, "confidence=0 must be between 0 and 1"),
        ({"incomplete": "drop", "freq": "month", "date_col": "date"}, "incomplete='drop'"),
        ({"as_of": "soon", "freq": "month", "date_col": "date"}, "as_of='soon' is not a date"),
    ],
)
def test_bad_options(to_native: Any, kwargs: dict[str, Any], match: str) -> None:
    df = answers([9, 10], date=pd.to_datetime(["2024-01-01", "2024-01-31"]))
    with pytest.raises(RetentionKitError, match=match):
        net_promoter_score(to_native(df), **kwargs)


def test_not_a_frame() -> None:
    with pytest.raises(RetentionKitError, match="answers must be a data frame"):
        net_promoter_score([9, 10, 3])
