"""Property tests: messy order data gives a retention_kit error or a result that adds up.

Frames of 0-40 rows with nulls, NaN, +-inf, zero and negative amounts, exact duplicates,
several orders a day, timezone-aware dates and tiny or huge integer ids, on pandas and
Polars. Every call either raises a :class:`RetentionKitError` subclass (any other exception
is a library bug) or returns counts that are non-negative integers, rates in 0..100 (NPS
in -100..100), retained + lost = S, and NaN only where the docstrings allow it:

- ``period_summary``: ``crr``, ``crr_seed``, ``churn`` and their intervals when S = 0;
  ``crr_seed`` ((E - N) / S) may exceed 100 when reactivations outnumber losses;
- ``cohort_data``: the revenue columns without ``amount_col``;
- ``repeat_purchase_rate``, ``average_order_value``: never (no positive order raises);
- ``rfm_summary``: never;
- ``net_promoter_score``: never.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

import retention_kit as rk
from retention_kit.exceptions import RetentionKitError, RetentionKitWarning

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
#: The two costliest properties (several aggregations per example) run fewer examples.
HEAVY = settings(SETTINGS, max_examples=40)

DAYS = pd.date_range("2023-11-25", "2024-03-05", freq="D")
AMOUNTS = [0.0, -5.0, -0.01, 0.01, 10.5, 99.0, 1e9]
NON_FINITE = [np.nan, np.inf, -np.inf]
STRING_IDS = ["a", "b", "c", "d", "é", "", "a "]
INT_IDS = [0, 1, -1, 7, 2**62, -(2**62)]
ZONES = ["UTC", "Asia/Bangkok", "America/New_York"]


@st.composite
def order_frames(draw: st.DrawFn) -> tuple[pd.DataFrame, str]:
    """A messy order table (pandas) and the engine to hand it over in.

    Values are mostly valid, with at most a few nulls, NaN or inf put in at random rows, so
    that both errors and results are common.
    """
    n = draw(st.integers(0, 40))
    ints = draw(st.booleans())
    ids: list[Any] = draw(
        st.lists(st.sampled_from(INT_IDS if ints else STRING_IDS), min_size=n, max_size=n)
    )
    days = draw(st.lists(st.integers(0, len(DAYS) - 1), min_size=n, max_size=n))
    hours = draw(st.lists(st.integers(0, 23), min_size=n, max_size=n))
    dates: list[Any] = [DAYS[d] + pd.Timedelta(hours=h) for d, h in zip(days, hours, strict=True)]
    amounts: list[float] = draw(
        st.lists(
            st.one_of(st.sampled_from(AMOUNTS), st.floats(-100, 1000, allow_nan=False)),
            min_size=n,
            max_size=n,
        )
    )
    rows = st.lists(st.integers(0, n - 1), max_size=2) if n else st.just([])
    if draw(st.integers(0, 4)) == 0:
        for i in draw(rows):
            ids[i] = None
    if draw(st.integers(0, 4)) == 0:
        for i in draw(rows):
            dates[i] = pd.NaT
    if draw(st.integers(0, 3)) == 0:
        for i in draw(rows):
            amounts[i] = draw(st.sampled_from(NON_FINITE))
    frame = pd.DataFrame(
        {
            "customer_id": pd.array(ids, dtype="Int64") if ints else pd.array(ids, dtype=object),
            "order_date": pd.to_datetime(pd.Series(dates, dtype="datetime64[ns]")),
            "amount": pd.Series(amounts, dtype="float64"),
        }
    )
    if draw(st.booleans()):
        frame["order_date"] = frame["order_date"].dt.tz_localize(draw(st.sampled_from(ZONES)))
    if n and draw(st.booleans()):
        repeats = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=5))
        frame = pd.concat([frame, frame.iloc[repeats]], ignore_index=True)
    return frame, draw(st.sampled_from(["pandas", "polars", "polars_lazy"]))


def on_engine(frame: pd.DataFrame, engine: str) -> Any:
    if engine == "pandas":
        return frame.copy()
    polars = pl.from_pandas(frame, nan_to_null=False)
    return polars if engine == "polars" else polars.lazy()


def run(func: Any, *args: Any, **kwargs: Any) -> pd.DataFrame | None:
    """The result, or None when a retention_kit error was raised (warnings are allowed)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", RetentionKitWarning)
        try:
            result = func(*args, **kwargs)
        except RetentionKitError as err:
            _event(f"{type(err).__name__}: {str(err)[:30]}")
            return None
    _event("result")
    return result


def _event(text: str) -> None:
    """Record an outcome for ``pytest --hypothesis-show-statistics`` (inside @given only)."""
    if currently_in_test_context():
        event(text)


def assert_counts(table: pd.DataFrame, columns: list[str]) -> None:
    for col in columns:
        assert pd.api.types.is_integer_dtype(table[col]), (col, table[col].dtype)
        assert (table[col] >= 0).all(), (col, table[col].tolist())


def assert_rates(table: pd.DataFrame, columns: list[str], *, nan_ok: Any = False) -> None:
    for col in columns:
        values = table[col].astype(float)
        allowed = nan_ok if isinstance(nan_ok, pd.Series) else pd.Series(nan_ok, values.index)
        assert not (values.isna() & ~allowed).any(), (col, values.tolist())
        finite = values.dropna()
        assert ((finite >= -1e-9) & (finite <= 100 + 1e-9)).all(), (col, finite.tolist())


@HEAVY
@given(data=order_frames(), use_amount=st.booleans())
def test_period_summary(data, use_amount):
    frame, engine = data
    amount = "amount" if use_amount else None
    table = run(rk.period_summary, on_engine(frame, engine), amount_col=amount, incomplete="flag")
    if table is None:
        return
    counts = ["S", "E", "N", "retained", "lost", "reactivated", "joined_and_left"]
    assert_counts(table, counts)
    assert (table["retained"] + table["lost"] == table["S"]).all()
    assert (table["retained"] + table["reactivated"] + table["N"] == table["E"]).all()
    s_zero = table["S"] == 0
    rates = ["crr", "churn", "crr_low", "crr_high", "churn_low", "churn_high"]
    assert_rates(table, rates, nan_ok=s_zero)
    assert table.loc[s_zero, rates].isna().all().all()
    seed = table["crr_seed"]
    assert not (seed.isna() & ~s_zero).any() and (seed.dropna() >= 0).all()
    assert (table.loc[s_zero, "note"].str.contains("S = 0")).all()


@HEAVY
@given(data=order_frames(), use_amount=st.booleans())
def test_cohort_data(data, use_amount):
    frame, engine = data
    amount = "amount" if use_amount else None
    cells = run(rk.cohort_data, on_engine(frame, engine), amount_col=amount, freq="week")
    if cells is None:
        return
    assert len(cells)
    assert_counts(cells, ["age", "cohort_size", "observed", "customers", "customers_unbounded"])
    assert (cells["customers"] <= cells["customers_unbounded"]).all()
    assert (cells["customers_unbounded"] <= cells["observed"]).all()
    assert (cells["observed"] <= cells["cohort_size"]).all()
    assert_rates(cells, ["retention", "retention_low", "retention_high", "retention_unbounded"])
    revenue = cells[["revenue", "cumulative_revenue_per_customer"]]
    assert revenue.isna().all().all() if amount is None else np.isfinite(revenue).all().all()


@SETTINGS
@given(data=order_frames(), use_amount=st.booleans())
def test_repeat_purchase_rate(data, use_amount):
    frame, engine = data
    amount = "amount" if use_amount else None
    table = run(rk.repeat_purchase_rate, on_engine(frame, engine), amount_col=amount)
    if table is None:
        return
    assert_counts(table, ["customers", "repeat_customers"])
    assert (table["customers"] >= 1).all()
    assert (table["repeat_customers"] <= table["customers"]).all()
    name = "repeat_purchase_rate"
    assert_rates(table, [name, f"{name}_low", f"{name}_high"])


@SETTINGS
@given(data=order_frames())
def test_average_order_value(data):
    frame, engine = data
    table = run(rk.average_order_value, on_engine(frame, engine))
    if table is None:
        return
    assert_counts(table, ["customers", "orders"])
    assert (table["orders"] >= table["customers"]).all() and (table["customers"] >= 1).all()
    assert np.isfinite(table[["revenue", "aov"]].to_numpy(dtype=float)).all()


@SETTINGS
@given(data=order_frames(), use_amount=st.booleans(), unit=st.sampled_from(["day", "week"]))
def test_rfm_summary(data, use_amount, unit):
    frame, engine = data
    amount = "amount" if use_amount else None
    rfm = run(rk.rfm_summary, on_engine(frame, engine), amount_col=amount, time_unit=unit)
    if rfm is None:
        return
    assert len(rfm) and rfm.index.is_unique
    assert_counts(rfm, ["frequency"])
    values = rfm.drop(columns=["frequency"]).to_numpy(dtype=float)
    assert np.isfinite(values).all()
    assert (rfm["recency"] >= 0).all() and (rfm["recency"] <= rfm["T"] + 1e-9).all()
    if amount is not None:
        assert (rfm["monetary_value"] >= 0).all()
        assert (rfm.loc[rfm["frequency"] == 0, "monetary_value"] == 0).all()


SCORES = [0, 3, 6, 7, 8, 9, 10, -1, 11, 5.5, np.nan, np.inf]


@SETTINGS
@given(
    scores=st.lists(st.sampled_from(SCORES), max_size=40),
    engine=st.sampled_from(["pandas", "polars", "polars_lazy"]),
    method=st.sampled_from(["auto", "wald", "adjusted_wald"]),
)
def test_net_promoter_score(scores, engine, method):
    frame = pd.DataFrame({"score": pd.Series(scores, dtype="float64")})
    table = run(rk.net_promoter_score, on_engine(frame, engine), method=method)
    if table is None:
        return
    valid = [s for s in scores if s in (0, 3, 6, 7, 8, 9, 10)]
    assert len(valid) == len(scores)  # anything else must have raised
    row = table.iloc[0]
    assert_counts(table, ["n", "detractors", "passives", "promoters"])
    assert row["n"] == len(scores) == row["detractors"] + row["passives"] + row["promoters"]
    assert_rates(table, ["detractor_share", "passive_share", "promoter_share"])
    for col in ("nps", "nps_low", "nps_high"):
        assert -100 - 1e-9 <= row[col] <= 100 + 1e-9, (col, row[col])
    assert row["nps_low"] <= row["nps"] <= row["nps_high"]


@pytest.mark.parametrize("engine", ["pandas", "polars"])
def test_generator_reaches_results(engine):
    """The strategies are not all errors: a clean frame passes every check above."""
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b", "a", "c"],
            "order_date": pd.to_datetime(["2024-01-02", "2024-01-09", "2024-01-20", "2024-02-01"]),
            "amount": [10.0, 5.0, 7.5, 3.0],
        }
    )
    table = run(rk.average_order_value, on_engine(frame, engine))
    assert table is not None and table["aov"].iloc[0] == pytest.approx(25.5 / 4)
