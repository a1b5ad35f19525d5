"""Every class of bad input ends in a retention_kit error or a visible, documented handling.

Each class runs on every engine (pandas, Polars eager and lazy, DuckDB). Frames keep NaN
apart from null where the engine does (Polars and DuckDB), so a NaN amount is tested as
a NaN, not as a null that the conversion made of it.
"""

from __future__ import annotations

import warnings
from collections import Counter
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest
from conftest import hand_orders, hand_subscriptions

import retention_kit as rk
from retention_kit.clv import GammaGammaModel
from retention_kit.exceptions import (
    EmptyDataError,
    InvalidDataError,
    RetentionKitError,
    RetentionKitWarning,
)
from retention_kit.reporting import headline_kpis, revenue_by_period


def raw(frame: pd.DataFrame, engine: str) -> Any:
    """``frame`` on ``engine``, NaN kept as NaN (not turned into null) where it can be."""
    if engine == "pandas":
        return frame.copy()
    polars = pl.from_pandas(frame, nan_to_null=False)
    if engine == "polars":
        return polars
    if engine == "polars_lazy":
        return polars.lazy()
    return duckdb.connect().from_arrow(polars.to_arrow())


@pytest.fixture
def to(engine):
    return lambda frame: raw(frame, engine)


def subscriptions_with_mrr() -> pd.DataFrame:
    frame = hand_subscriptions()
    frame["mrr"] = [10.0, 30.0, 10.0, 10.0, 30.0, 10.0, 10.0, 30.0]
    return frame


def answers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "score": [10, 9, 3, 8, 6, 10, 7, 2],
            "date": pd.to_datetime(
                [
                    "2024-01-05",
                    "2024-01-20",
                    "2024-02-03",
                    "2024-02-10",
                    "2024-03-01",
                    "2024-03-15",
                    "2024-04-02",
                    "2024-04-20",
                ]
            ),
            "plan": ["pro", "basic", "pro", "basic", "pro", "basic", "pro", "basic"],
        }
    )


# --- 1. date-like arguments --------------------------------------------------------------

ORDER_CALLS = {
    "period_summary": rk.period_summary,
    "cohort_data": rk.cohort_data,
    "repeat_purchase_rate": rk.repeat_purchase_rate,
    "loyal_customer_rate": rk.loyal_customer_rate,
    "average_order_value": lambda o, **kw: rk.average_order_value(
        o, **{"amount_col": "amount", **kw}
    ),
    "clv_summary": lambda o, **kw: rk.clv_summary(
        o, **{"amount_col": "amount", "freq": "month", **kw}
    ),
    "revenue_by_period": revenue_by_period,
    "headline_kpis": headline_kpis,
    "rfm_summary": rk.rfm_summary,
}
#: Which date arguments each function takes.
DATE_ARGS = {
    "period_summary": ["as_of", "start", "end"],
    "cohort_data": ["as_of"],
    "repeat_purchase_rate": ["start", "end"],
    "loyal_customer_rate": ["start", "end"],
    "average_order_value": ["start", "end"],
    "clv_summary": ["as_of"],
    "revenue_by_period": ["as_of"],
    "headline_kpis": ["as_of"],
    "rfm_summary": ["as_of", "calibration_end"],
}
ORDER_DATE_CASES = [(name, arg) for name, args in DATE_ARGS.items() for arg in args]


@pytest.mark.parametrize(("name", "arg"), ORDER_DATE_CASES)
@pytest.mark.parametrize("value", ["2024-13-01", "last tuesday", 3.5j])
def test_unparseable_date_argument_names_argument_value_and_form(convert, name, arg, value):
    with pytest.raises(RetentionKitError, match=rf"{arg}={value!r} is not a date.*'2024-12-31'"):
        ORDER_CALLS[name](convert(hand_orders()), **{arg: value})


SUBSCRIPTION_CALLS = {
    "subscription_summary": (rk.subscription_summary, ["as_of", "start", "end"]),
    "mrr_movements": (rk.mrr_movements, ["as_of"]),
    "revenue_cohort_table": (rk.revenue_cohort_table, ["as_of"]),
    "subscription_lifetimes": (rk.subscription_lifetimes, ["as_of"]),
}


@pytest.mark.parametrize(
    ("name", "arg"), [(n, a) for n, (_, args) in SUBSCRIPTION_CALLS.items() for a in args]
)
def test_unparseable_date_argument_on_subscriptions(convert, name, arg):
    func = SUBSCRIPTION_CALLS[name][0]
    with pytest.raises(RetentionKitError, match=rf"{arg}='2024-02-30' is not a date"):
        func(convert(subscriptions_with_mrr()), **{arg: "2024-02-30"})


def test_unparseable_dates_in_nps(convert):
    data = convert(answers())
    with pytest.raises(RetentionKitError, match=r"as_of='2024-13-01' is not a date"):
        rk.net_promoter_score(data, date_col="date", freq="month", as_of="2024-13-01")
    with pytest.raises(RetentionKitError, match=r"before='2024-13' is not a period.*'2024-07'"):
        rk.nps_change_test(data, freq="month", before="2024-13")
    with pytest.raises(RetentionKitError, match=r"after='soon' is not a period"):
        rk.nps_change_test(data, freq="month", after="soon")


SPAN = r"the data runs from 2024-01-03 to 2024-04-10"


def test_nps_as_of_before_the_first_answer(convert):
    span = r"the data runs from 2024-01-05 to 2024-04-20"
    with pytest.raises(EmptyDataError, match=rf"as_of='2023-12-31' is before the first.*{span}"):
        rk.net_promoter_score(convert(answers()), date_col="date", freq="month", as_of="2023-12-31")
    with pytest.raises(EmptyDataError, match=rf"as_of='2023-12-31' is before the first.*{span}"):
        rk.nps_change_test(convert(answers()), freq="month", as_of="2023-12-31")


@pytest.mark.parametrize("name", ["period_summary", "cohort_data", "clv_summary", "headline_kpis"])
def test_as_of_before_the_first_order(convert, name):
    with pytest.raises(EmptyDataError, match=rf"as_of='2023-06-30' is before the first.*{SPAN}"):
        ORDER_CALLS[name](convert(hand_orders()), as_of="2023-06-30")


def test_as_of_before_the_first_order_in_revenue_by_period(convert):
    with pytest.raises(EmptyDataError, match=rf"before the first date.*{SPAN}"):
        revenue_by_period(convert(hand_orders()), as_of="2024-01-02")


@pytest.mark.parametrize("name", ["repeat_purchase_rate", "average_order_value", "period_summary"])
def test_start_after_the_data_and_end_before_it(convert, name):
    with pytest.raises(EmptyDataError, match=rf"start='2025-01-01' is after the last.*{SPAN}"):
        ORDER_CALLS[name](convert(hand_orders()), start="2025-01-01")
    with pytest.raises(EmptyDataError, match=rf"end='2023-12-31' is before the first.*{SPAN}"):
        ORDER_CALLS[name](convert(hand_orders()), end="2023-12-31")


@pytest.mark.parametrize("name", ["repeat_purchase_rate", "loyal_customer_rate", "period_summary"])
def test_start_after_end(convert, name):
    with pytest.raises(RetentionKitError, match=r"start='2024-03-01' is after end='2024-02-01'"):
        ORDER_CALLS[name](convert(hand_orders()), start="2024-03-01", end="2024-02-01")


def test_window_inside_the_data_that_selects_no_order(convert):
    # 21 Jan .. 1 Feb falls between c's order of 20 Jan and a's of 2 Feb.
    with pytest.raises(EmptyDataError, match=rf"no rows between 2024-01-21 and 2024-02-01.*{SPAN}"):
        rk.repeat_purchase_rate(convert(hand_orders()), start="2024-01-21", end="2024-02-01")


def test_period_window_with_no_complete_period(convert):
    # The data runs to 10 April: April is incomplete and excluded, so April on selects nothing.
    with pytest.raises(EmptyDataError, match=r"select no complete month.*3 up to 2024-04-10"):
        rk.period_summary(convert(hand_orders()), start="2024-04-01")


def test_subscription_dates_outside_the_data(convert):
    subs = convert(subscriptions_with_mrr())
    span = r"the data runs from 2023-11-01 to 2024-03-10"
    with pytest.raises(EmptyDataError, match=rf"as_of='2023-01-31' is before the first.*{span}"):
        rk.mrr_movements(subs, as_of="2023-01-31")
    with pytest.raises(EmptyDataError, match=rf"start='2025-01-01' is after the last.*{span}"):
        rk.subscription_summary(subs, start="2025-01-01")
    with pytest.raises(RetentionKitError, match=r"start='2024-03-01' is after end='2024-01-01'"):
        rk.subscription_summary(subs, start="2024-03-01", end="2024-01-01")


def test_rfm_ends_before_the_first_order(convert):
    with pytest.raises(EmptyDataError, match=rf"as_of='2023-12-01' is before.*{SPAN}"):
        rk.rfm_summary(convert(hand_orders()), as_of="2023-12-01")
    with pytest.raises(EmptyDataError, match=rf"calibration_end='2024-01-01' is before.*{SPAN}"):
        rk.rfm_summary(convert(hand_orders()), calibration_end="2024-01-01")


def test_timezone_aware_date_argument_keeps_its_wall_clock(convert):
    # 05:00 on 1 April in Tokyo is still 31 March in UTC.
    aware = pd.Timestamp("2024-04-01 05:00", tz="Asia/Tokyo")
    table = rk.period_summary(convert(hand_orders()), as_of=aware, incomplete="flag")
    assert table["period"].astype(str).tolist() == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert table["note"].iloc[-1].startswith("incomplete: data runs to 2024-04-01")


def test_zone_names_narwhals_cannot_read_are_parsed_in_pandas():
    # Narwhals gives datetime64[ns, America/New_York] dtype Unknown; pandas reads it.
    frame = hand_orders()
    frame["order_date"] = frame["order_date"].dt.tz_localize("America/New_York")
    assert rk.period_summary(frame, as_of="2024-03-31")["E"].tolist() == [3, 2, 4]
    subs = subscriptions_with_mrr()
    for col in ("start_date", "end_date"):  # both converted, one after the other
        subs[col] = subs[col].dt.tz_localize("America/New_York")
    table = rk.subscription_summary(subs, as_of="2024-03-31")
    expected = rk.subscription_summary(subscriptions_with_mrr(), as_of="2024-03-31")
    pd.testing.assert_frame_equal(table, expected)


# --- 2. nulls, NaN and inf in every column read --------------------------------------------


def with_value(column: str, rows: list[int], value: Any) -> pd.DataFrame:
    frame = hand_orders().assign(order_id=[f"o{i}" for i in range(11)])
    if value is None and frame[column].dtype == "float64":
        value = np.nan  # pandas has no other null in a float column; see the NaN cases
    frame[column] = frame[column].astype(object) if value is None else frame[column]
    frame.loc[rows, column] = value
    return frame


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_amount_is_named_with_customers(to, value):
    frame = with_value("amount", [1, 6], value)  # b's orders of 9 Jan and 11 Mar
    for func in (rk.average_order_value, rk.period_summary, rk.rfm_summary):
        with pytest.raises(
            InvalidDataError,
            match=r"amount_col='amount' has 2 missing or non-finite \(null, NaN or inf\) "
            r"value\(s\), for 1 customer\(s\): 'b'",
        ):
            func(to(frame), amount_col="amount")


def test_null_amount_on_polars_is_named_with_customers():
    frame = pl.from_pandas(hand_orders()).with_columns(
        pl.when(pl.col("customer_id").is_in(["c", "e"]))
        .then(None)
        .otherwise(pl.col("amount"))
        .alias("amount")
    )
    with pytest.raises(InvalidDataError, match=r"has 3 missing.*for 2 customer\(s\): 'c', 'e'"):
        rk.average_order_value(frame)


def test_null_dates_are_named_with_customers(to):
    frame = hand_orders()
    frame.loc[[0, 3], "order_date"] = pd.NaT  # two of a's orders
    with pytest.raises(InvalidDataError, match=r"date_col='order_date' has 2 missing.*'a'") as err:
        rk.cohort_data(to(frame))
    assert "customer_id" in str(err.value)


def test_null_customer_ids_show_rows_and_fix(to):
    frame = with_value("customer_id", [2, 5], None)
    with pytest.raises(InvalidDataError, match=r"customer_col='customer_id' has 2 missing") as err:
        rk.period_summary(to(frame))
    assert "dropna(subset=['customer_id'])" in str(err.value)


def test_row_positions_are_extra_context_on_eager_frames():
    frame = with_value("amount", [4], np.nan)  # d's order of 14 Feb, position 4
    with pytest.raises(InvalidDataError, match=r"for 1 customer\(s\): 'd'") as err:
        rk.average_order_value(frame)
    lines = str(err.value).splitlines()
    assert lines[1].split() == ["row", "customer_id", "amount"]
    assert lines[2].split() == ["4", "d", "NaN"]


def test_null_order_ids_are_not_merged_into_one_order(to):
    frame = with_value("order_id", [0, 2], None)  # a's and c's
    with pytest.raises(
        InvalidDataError,
        match=r"(?s)order_col='order_id' has 2 missing.*'a', 'c'.*would merge into one order",
    ):
        rk.average_order_value(to(frame), order_col="order_id")


def test_null_segment_is_an_error_not_a_vanished_customer(to):
    frame = with_value("channel", [2], None)  # c is the only customer with no channel
    for func in (rk.period_summary, rk.repeat_purchase_rate, rk.clv_summary):
        with pytest.raises(
            InvalidDataError, match=r"by='channel' has 1 missing value\(s\), for 1 customer.*'c'"
        ) as err:
            func(to(frame), amount_col="amount", by="channel")
        assert "fillna('unknown')" in str(err.value)


def test_null_in_one_of_several_by_columns(to):
    frame = with_value("channel", [8], None).assign(region="north")
    with pytest.raises(InvalidDataError, match=r"by\[1\]='channel' has 1 missing.*'e'"):
        rk.repeat_purchase_rate(to(frame), by=["region", "channel"])


def test_null_cohort_column(to):
    frame = with_value("channel", [4, 7], None)
    with pytest.raises(InvalidDataError, match=r"by='channel' has 2 missing.*: 'd'"):
        rk.cohort_data(to(frame), cohort_col="channel")
    signup = hand_orders().assign(signup=pd.Timestamp("2024-01-01"))
    signup.loc[9, "signup"] = pd.NaT
    with pytest.raises(InvalidDataError, match=r"by='signup' has 1 missing.*'e'"):
        rk.cohort_data(to(signup), cohort_col="signup")


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_mrr_is_named_with_customers(to, value):
    frame = subscriptions_with_mrr()
    frame.loc[2, "mrr"] = value  # u2
    with pytest.raises(InvalidDataError, match=r"mrr_col='mrr' has 1 missing or non-finite.*'u2'"):
        rk.mrr_movements(to(frame), as_of="2024-03-31")


def test_null_subscription_segment(to):
    frame = subscriptions_with_mrr()
    frame["plan"] = frame["plan"].astype(object)
    frame.loc[4, "plan"] = None  # u4
    with pytest.raises(InvalidDataError, match=r"(?s)by='plan' has 1 missing.*'u4'.*fillna"):
        rk.subscription_summary(to(frame), by="plan")


def test_null_nps_segment(to):
    frame = answers()
    frame.loc[[1, 2], "plan"] = None
    with pytest.raises(InvalidDataError, match=r"(?s)by='plan' has 2 missing.*fillna\('unknown'\)"):
        rk.net_promoter_score(to(frame), by="plan")


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_nps_score(to, value):
    frame = answers()
    frame["score"] = frame["score"].astype(float)
    frame.loc[3, "score"] = value
    kind = "missing" if np.isnan(value) else "outside 0..10"
    with pytest.raises(InvalidDataError, match=rf"score_col='score' has 1 (score\(s\) )?{kind}"):
        rk.net_promoter_score(to(frame))


# --- 3. no order with a positive amount ------------------------------------------------------


@pytest.mark.parametrize("amount", [0.0, -5.0])
@pytest.mark.parametrize(
    "name",
    [
        "average_order_value",
        "repeat_purchase_rate",
        "loyal_customer_rate",
        "clv_summary",
        "period_summary",
        "cohort_data",
        "revenue_by_period",
    ],
)
def test_no_positive_amount_raises(convert, name, amount):
    frame = hand_orders().assign(amount=amount)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RetentionKitWarning)  # the negative amounts
        with pytest.raises(EmptyDataError, match=r"No order has a positive amount.*net amount"):
            ORDER_CALLS[name](convert(frame), amount_col="amount")


def test_no_positive_amount_in_the_window(convert):
    frame = hand_orders()
    frame.loc[frame["order_date"] < "2024-02-01", "amount"] = 0.0
    with pytest.raises(EmptyDataError, match=r"positive amount in the start=/end= window"):
        rk.average_order_value(convert(frame), end="2024-01-31")


def test_segment_with_only_returns_warns_and_is_nan(convert):
    frame = hand_orders()
    frame.loc[frame["channel"] == "shop", "amount"] = 0.0  # c and d
    with pytest.warns(RetentionKitWarning, match=r"1 segment\(s\) have no order.*channel='shop'"):
        table = rk.average_order_value(convert(frame), by="channel")
    shop = table.set_index("channel").loc["shop"]
    assert shop["orders"] == 0 and shop["revenue"] == 0.0 and np.isnan(shop["aov"])
    assert table.set_index("channel").loc["web", "aov"] == pytest.approx(150 / 8)


def test_rfm_with_only_returns(convert):
    frame = hand_orders().assign(amount=-1.0)
    with pytest.warns(RetentionKitWarning, match="11 negative"):
        with pytest.raises(EmptyDataError, match=rf"no customer made a purchase.*{SPAN}"):
            rk.rfm_summary(convert(frame), amount_col="amount", duplicates="keep")


# --- 4. model inputs named by customer --------------------------------------------------------


def test_gamma_gamma_names_customers_and_the_fix():
    rfm = pd.DataFrame(
        {"frequency": [2, 1, 3], "monetary_value": [20.0, 0.0, 35.5]},
        index=pd.Index(["12346", "17850", "13047"], name="customer_id"),
    )
    with pytest.raises(
        InvalidDataError,
        match=r"monetary_value must be > 0.*customer '17850': monetary_value=0\b.*"
        r"fit on customers with positive repeat spend: rfm\[rfm\['monetary_value'\] > 0\]",
    ):
        GammaGammaModel().fit(rfm["frequency"], rfm["monetary_value"])


def test_plain_arrays_keep_positions():
    with pytest.raises(InvalidDataError, match=r"are not: at \[1\]=0\b"):
        GammaGammaModel().fit(np.array([2, 1, 3]), np.array([20.0, 0.0, 35.5]))


def test_non_finite_series_named_by_customer():
    rfm = pd.DataFrame(
        {"frequency": [2.0, np.nan], "recency": [3.0, 1.0], "T": [5.0, 6.0]},
        index=pd.Index([101, 202], name="customer_id"),
    )
    with pytest.raises(InvalidDataError, match=r"frequency has 1 missing.*customer 202: "):
        rk.BetaGeoModel().fit(rfm["frequency"], rfm["recency"], rfm["T"])


# --- 5. each warning once per call -------------------------------------------------------------


def messy_orders() -> pd.DataFrame:
    frame = pd.concat([hand_orders(), hand_orders().iloc[[0]]], ignore_index=True)
    frame.loc[6, "amount"] = -15.0  # b returns
    return frame


@pytest.mark.parametrize(
    "call",
    [
        lambda o: headline_kpis(o, freq="month", as_of="2024-03-31"),
        lambda o: rk.clv_summary(o, amount_col="amount", freq="month"),
        lambda o: rk.cohort_table(o, amount_col="amount", values="revenue"),
        lambda o: rk.compare_churn_policies(o, amount_col="amount"),
    ],
    ids=["headline_kpis", "clv_summary", "cohort_table", "compare_churn_policies"],
)
def test_each_warning_once_per_call(convert, call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call(convert(messy_orders()))
    messages = Counter(str(w.message) for w in caught)
    assert any("1 exact duplicate" in m for m in messages)
    assert any("1 negative value" in m for m in messages)
    assert all(w.category is RetentionKitWarning for w in caught)
    assert max(messages.values()) == 1, messages


def test_two_calls_warn_twice():
    frame = messy_orders()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rk.clv_summary(frame, amount_col="amount", freq="month")
        rk.clv_summary(frame, amount_col="amount", freq="month")
    negative = [w for w in caught if "negative value" in str(w.message)]
    assert len(negative) == 2
    assert all(w.filename == __file__ for w in negative)


def test_nps_bad_as_of_is_an_error_even_without_freq():
    answers = pd.DataFrame({"score": [9, 10, 3], "date": pd.to_datetime(["2024-01-01"] * 3)})
    with pytest.raises(rk.RetentionKitError, match="as_of='2024-13-01' is not a date"):
        rk.net_promoter_score(answers, as_of="2024-13-01")
