"""Engine parity: every data-level function gives the pandas result on every engine.

Each case computes its result once on pandas and asserts that Polars (eager and lazy), a
DuckDB relation and a PySpark DataFrame (local[2]) give an identical frame: same columns,
dtypes, index and values. The Spark frames come from Arrow, as a table read from Parquet
would, so no pandas-to-Spark conversion (which PySpark does not support on pandas 3) runs.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from conftest import hand_orders, hand_subscriptions, to_engine

import retention_kit as rk

pyspark_sql = pytest.importorskip("pyspark.sql")

OTHER_ENGINES = ["polars", "polars_lazy", "duckdb", "spark"]


@pytest.fixture(scope="module")
def spark():
    builder = (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .appName("retention_kit-engine-parity")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
    )
    with warnings.catch_warnings():
        # Starting the JVM imports pyspark.testing, which warns once that PySpark does not
        # fully support pandas 3. No pandas conversion happens here (frames come from Arrow).
        warnings.filterwarnings(
            "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
        )
        session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def to_spark(session, frame: pd.DataFrame):
    """A Spark DataFrame built from Arrow (naive timestamps are read in the session's UTC)."""
    return session.createDataFrame(pa.Table.from_pandas(frame, preserve_index=False))


@pytest.fixture(params=OTHER_ENGINES)
def other(request) -> Callable[[pd.DataFrame], Any]:
    """Converts a pandas frame to the engine under test."""
    if request.param == "spark":
        session = request.getfixturevalue("spark")
        return functools.partial(to_spark, session)
    return functools.partial(to_engine, engine=request.param)


# --- inputs (deterministic; built once) ----------------------------------------------------


@functools.cache
def orders() -> pd.DataFrame:
    return rk.datasets.load_orders(n_customers=150)


@functools.cache
def subscriptions() -> pd.DataFrame:
    return rk.datasets.load_subscriptions(n_customers=150)


@functools.cache
def answers() -> pd.DataFrame:
    return rk.datasets.load_nps(n_responses=400)


@functools.cache
def hand_orders_() -> pd.DataFrame:
    return hand_orders()


@functools.cache
def hand_subscriptions_() -> pd.DataFrame:
    frame = hand_subscriptions()
    frame["mrr"] = frame["plan"].map({"basic": 10.0, "pro": 30.0})
    return frame


ORDERS = {"amount_col": "amount", "duplicates": "keep"}

#: case id -> (input, function of the frame). Every data-level function appears here.
CASES: dict[str, tuple[Callable[[], pd.DataFrame], Callable[[Any], Any]]] = {
    "period_summary": (
        orders,
        lambda f: rk.period_summary(f, **ORDERS, incomplete="flag"),
    ),
    "period_summary_by_window_denominator": (
        orders,
        lambda f: rk.period_summary(
            f, **ORDERS, by="channel", active_window=2, denominator="average", freq="quarter"
        ),
    ),
    "period_summary_week_order_col": (
        orders,
        lambda f: rk.period_summary(f, **ORDERS, order_col="order_id", freq="week"),
    ),
    "period_summary_hand": (
        hand_orders_,
        lambda f: rk.period_summary(f, amount_col="amount", as_of="2024-03-31", by="channel"),
    ),
    "period_summary_text_dates": (
        lambda: hand_orders_().assign(order_date=lambda d: d["order_date"].dt.strftime("%Y-%m-%d")),
        lambda f: rk.period_summary(f, as_of="2024-03-31", freq="week"),
    ),
    "subscription_summary_trials": (
        subscriptions,
        lambda f: rk.subscription_summary(f, trial_end_col="trial_end", by="plan"),
    ),
    "subscription_summary_hand": (
        hand_subscriptions_,
        lambda f: rk.subscription_summary(
            f, trial_end_col="trial_end", as_of="2024-04-30", reactivations="net"
        ),
    ),
    "subscription_summary_week": (
        hand_subscriptions_,
        lambda f: rk.subscription_summary(f, trial_end_col="trial_end", freq="week"),
    ),
    "compare_churn_policies_orders": (
        orders,
        lambda f: rk.compare_churn_policies(f, freq="quarter", by="channel", **ORDERS),
    ),
    "compare_churn_policies_subscriptions": (
        subscriptions,
        lambda f: rk.compare_churn_policies(
            f, kind="subscriptions", trial_end_col="trial_end", freq="quarter"
        ),
    ),
    "cohort_data": (
        orders,
        lambda f: rk.cohort_data(f, **ORDERS, freq="quarter"),
    ),
    "cohort_data_label_cohort": (
        orders,
        lambda f: rk.cohort_data(f, **ORDERS, cohort_col="channel"),
    ),
    "cohort_table_customers": (
        orders,
        lambda f: rk.cohort_table(f, **ORDERS, values="customers"),
    ),
    "cohort_table_revenue": (
        orders,
        lambda f: rk.cohort_table(
            f, **ORDERS, values="cumulative_revenue_per_customer", freq="quarter"
        ),
    ),
    "cohort_table_label_cohort": (
        orders,
        lambda f: rk.cohort_table(f, **ORDERS, cohort_col="region", values="revenue"),
    ),
    "cohort_table_hand": (
        hand_orders_,
        lambda f: rk.cohort_table(f, as_of="2024-03-31"),
    ),
    "repeat_purchase_rate": (
        orders,
        lambda f: rk.repeat_purchase_rate(f, **ORDERS, by="channel"),
    ),
    "loyal_customer_rate": (
        orders,
        lambda f: rk.loyal_customer_rate(f, **ORDERS, by=["channel", "region"], threshold=3),
    ),
    "average_order_value": (
        orders,
        lambda f: rk.average_order_value(f, **ORDERS, start="2022-06-01", end="2023-06-30"),
    ),
    "clv_summary": (
        orders,
        lambda f: rk.clv_summary(f, **ORDERS, by="channel", freq="quarter"),
    ),
    "net_promoter_score": (
        answers,
        lambda f: rk.net_promoter_score(f, date_col="date", by="channel", freq="quarter"),
    ),
    "net_promoter_score_overall": (
        answers,
        lambda f: rk.net_promoter_score(f),
    ),
    "nps_change_test": (
        answers,
        lambda f: rk.nps_change_test(f, by="channel"),
    ),
    "mrr_movements": (
        subscriptions,
        lambda f: rk.mrr_movements(f, trial_end_col="trial_end", by="plan"),
    ),
    "mrr_movements_hand": (
        hand_subscriptions_,
        lambda f: rk.mrr_movements(f, trial_end_col="trial_end", as_of="2024-04-30"),
    ),
    "revenue_cohort_table": (
        subscriptions,
        lambda f: rk.revenue_cohort_table(f, trial_end_col="trial_end", freq="quarter"),
    ),
    "subscription_lifetimes": (
        subscriptions,
        lambda f: rk.subscription_lifetimes(
            f, trial_end_col="trial_end", by="plan", time_unit="day"
        ),
    ),
    "rfm_summary": (
        orders,
        lambda f: rk.rfm_summary(f, **ORDERS, calibration_end="2023-06-30"),
    ),
}


@functools.cache
def expected(case: str) -> Any:
    data, compute = CASES[case]
    return compute(data().copy())


def assert_same(got: Any, want: Any) -> None:
    if isinstance(want, pd.DataFrame):
        pd.testing.assert_frame_equal(got, want)
        assert got.attrs.keys() == want.attrs.keys()
        for key, value in want.attrs.items():
            if isinstance(value, pd.Series):
                pd.testing.assert_series_equal(got.attrs[key], value)
            else:
                assert got.attrs[key] == value
    else:
        assert got == want


@pytest.mark.parametrize("case", list(CASES))
def test_same_result_as_pandas(case, other):
    data, compute = CASES[case]
    assert_same(compute(other(data())), expected(case))
