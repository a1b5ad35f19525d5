"""Bad input: every case gets a specific error (or a visible, documented handling)."""

import warnings

import duckdb
import pandas as pd
import polars as pl
import pytest
from conftest import hand_orders

import retention_kit as rk
from retention_kit.exceptions import (
    EmptyDataError,
    InvalidDataError,
    MissingColumnError,
    RetentionKitError,
    RetentionKitWarning,
)


def test_misspelled_column_suggests_the_closest(convert):
    frame = convert(hand_orders().rename(columns={"customer_id": "CustomerID"}))
    with pytest.raises(
        MissingColumnError,
        match=r"customer_col='customer_id'.*Did you mean 'CustomerID'\? "
        r"Pass customer_col='CustomerID'",
    ):
        rk.period_summary(frame)


def test_missing_column_is_also_a_key_error():
    with pytest.raises(KeyError):
        rk.repeat_purchase_rate(hand_orders(), date_col="when")


def test_unparseable_dates():
    frame = hand_orders().assign(order_date=["not a date"] * 11)
    with pytest.raises(InvalidDataError, match=r"date_col='order_date' holds text.*pd.to_datetime"):
        rk.period_summary(frame)


def test_iso_text_dates_are_parsed(convert):
    frame = hand_orders().assign(order_date=lambda d: d["order_date"].dt.strftime("%Y-%m-%d"))
    table = rk.period_summary(convert(frame), as_of="2024-03-31")
    assert table["E"].tolist() == [3, 2, 4]


def test_non_numeric_amounts():
    frame = hand_orders().assign(amount=["12,50"] * 11)
    with pytest.raises(InvalidDataError, match=r"amount_col='amount' must be numeric.*'12,50'"):
        rk.average_order_value(frame)


def test_missing_customer_ids_named_with_rows():
    frame = hand_orders()
    frame.loc[[2, 5], "customer_id"] = None
    with pytest.raises(InvalidDataError, match=r"customer_col='customer_id' has 2 missing") as err:
        rk.period_summary(frame)
    message = str(err.value)
    assert "dropna(subset=['customer_id'])" in message
    assert "     2 " in message or "\n     2" in message or " 2 " in message


def test_missing_customer_ids_on_polars_lazy():
    frame = (
        pl.from_pandas(hand_orders())
        .with_columns(
            pl.when(pl.col("customer_id") == "c")
            .then(None)
            .otherwise(pl.col("customer_id"))
            .alias("customer_id")
        )
        .lazy()
    )
    with pytest.raises(InvalidDataError, match="1 missing value"):
        rk.repeat_purchase_rate(frame)


def test_missing_dates():
    frame = hand_orders()
    frame.loc[3, "order_date"] = pd.NaT
    with pytest.raises(InvalidDataError, match=r"date_col='order_date' has 1 missing"):
        rk.cohort_table(frame)


def test_negative_amounts_warn_with_count(convert):
    frame = hand_orders()
    frame.loc[[1, 4], "amount"] = [-5.0, -25.0]
    with pytest.warns(RetentionKitWarning, match="2 negative value"):
        out = rk.average_order_value(convert(frame))
    assert out.iloc[0]["orders"] == 9


def test_duplicated_rows_warn_drop_or_error(convert):
    frame = pd.concat([hand_orders(), hand_orders().iloc[[0, 1]]], ignore_index=True)
    with pytest.warns(RetentionKitWarning, match="2 exact duplicate row"):
        kept = rk.average_order_value(convert(frame))
    assert kept.iloc[0]["orders"] == 13
    with pytest.warns(RetentionKitWarning, match="2 exact duplicate row.*One of each is kept"):
        dropped = rk.average_order_value(convert(frame), duplicates="drop")
    assert dropped.iloc[0]["orders"] == 11
    with pytest.raises(InvalidDataError, match="duplicates='keep'"):
        rk.average_order_value(convert(frame), duplicates="error")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rk.average_order_value(convert(frame), duplicates="keep")


def test_mixed_timezone_aware_and_naive_dates():
    frame = hand_orders()
    values = list(frame["order_date"])
    values[0] = pd.Timestamp("2024-01-03", tz="Europe/Berlin")
    frame["order_date"] = pd.Series(values, dtype="object")
    with pytest.raises(InvalidDataError, match=r"mixes timezone-aware and naive.*utc=True"):
        rk.period_summary(frame)


def test_timezone_aware_dates_use_their_wall_clock(convert, engine):
    frame = hand_orders()
    frame["order_date"] = frame["order_date"].dt.tz_localize("Asia/Bangkok")
    if engine == "duckdb":  # DuckDB stores instants; its session zone gives the wall clock
        con = duckdb.connect()
        con.execute("SET TimeZone = 'Asia/Bangkok'")
        data = con.from_df(frame)
    else:
        data = convert(frame)
    table = rk.period_summary(data, as_of="2024-03-31")
    assert table["E"].tolist() == [3, 2, 4]


def test_empty_frame(convert):
    with pytest.raises(EmptyDataError, match="orders is empty"):
        rk.period_summary(convert(hand_orders().iloc[:0]))


def test_empty_window():
    with pytest.raises(EmptyDataError, match="start='2030-01-01' is after the last date"):
        rk.repeat_purchase_rate(hand_orders(), start="2030-01-01", end="2030-02-01")


def test_s_zero_is_an_explicit_nan_with_reason():
    table = rk.period_summary(hand_orders(), as_of="2024-03-31")
    first = table.iloc[0]
    assert first["S"] == 0 and pd.isna(first["crr"]) and pd.isna(first["churn"])
    assert "S = 0" in first["note"]


def test_not_a_frame():
    with pytest.raises(RetentionKitError, match="must be a data frame"):
        rk.period_summary([1, 2, 3])


def test_bad_freq_and_policy():
    with pytest.raises(RetentionKitError, match="freq='monthly'"):
        rk.period_summary(hand_orders(), freq="monthly")
    with pytest.raises(RetentionKitError, match="denominator='end'"):
        rk.period_summary(hand_orders(), denominator="end")
    with pytest.raises(RetentionKitError, match="active_window=0"):
        rk.period_summary(hand_orders(), active_window=0)
    with pytest.raises(RetentionKitError, match="threshold=-1"):
        rk.loyal_customer_rate(hand_orders(), threshold=-1)


def test_input_is_never_mutated():
    frame = hand_orders()
    before = frame.copy()
    rk.period_summary(frame, amount_col="amount")
    rk.cohort_table(frame, amount_col="amount", values="revenue")
    pd.testing.assert_frame_equal(frame, before)
