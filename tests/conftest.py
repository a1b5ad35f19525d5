"""Shared fixtures: the engines every data-level test runs on, figure closing, hand-built data."""

from __future__ import annotations

import os
import sys

import duckdb
import matplotlib
import numpy as np
import pandas as pd
import polars as pl
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
matplotlib.use("Agg")

ENGINES = ["pandas", "polars", "polars_lazy", "duckdb"]


def to_engine(frame: pd.DataFrame, engine: str):
    """The same data as the user would hand it over from each engine."""
    if engine == "pandas":
        return frame.copy()
    if engine == "polars":
        return pl.from_pandas(frame)
    if engine == "polars_lazy":
        return pl.from_pandas(frame).lazy()
    if engine == "duckdb":
        return duckdb.connect().from_df(frame)
    raise ValueError(engine)


@pytest.fixture(params=ENGINES)
def engine(request) -> str:
    return request.param


@pytest.fixture
def convert(engine):
    return lambda frame: to_engine(frame, engine)


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every matplotlib figure a test opened (pyplot is only imported by plot tests)."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def hand_orders() -> pd.DataFrame:
    """Five customers, January to March 2024 (worked by hand in the tests), plus one April order.

    a: Jan Feb Mar    b: Jan - Mar (reactivated in Mar)    c: Jan only
    d: Feb Mar (new in Feb)    e: two orders on 5 March (new in Mar)
    """
    rows = [
        ("a", "2024-01-03", 10.0),
        ("b", "2024-01-09", 5.0),
        ("c", "2024-01-20", 40.0),
        ("a", "2024-02-02", 20.0),
        ("d", "2024-02-14", 25.0),
        ("a", "2024-03-01", 30.0),
        ("b", "2024-03-11", 15.0),
        ("d", "2024-03-30", 35.0),
        ("e", "2024-03-05", 8.0),
        ("e", "2024-03-05", 12.0),
        ("a", "2024-04-10", 50.0),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date", "amount"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    frame["channel"] = frame["customer_id"].map(
        {"a": "web", "b": "web", "c": "shop", "d": "shop", "e": "web"}
    )
    return frame


def hand_subscriptions() -> pd.DataFrame:
    """Six subscribers, monthly view to April 2024 (worked by hand in the tests).

    u1 upgrades on 15 Feb (contiguous spells), u2 ends 1 Mar (lost in March), u3 is a trial
    that never converted, u4 converts from trial on 3 Feb, u5 joins and leaves in January and
    comes back in March, u6 has been there since November 2023.
    """
    rows = [
        ("u1", "2024-01-10", "2024-02-15", None, "basic"),
        ("u1", "2024-02-15", None, None, "pro"),
        ("u2", "2023-12-05", "2024-03-01", None, "basic"),
        ("u3", "2024-01-01", "2024-01-15", "2024-01-15", "basic"),
        ("u4", "2024-01-20", None, "2024-02-03", "pro"),
        ("u5", "2024-01-05", "2024-01-25", None, "basic"),
        ("u5", "2024-03-10", None, None, "basic"),
        ("u6", "2023-11-01", None, None, "pro"),
    ]
    frame = pd.DataFrame(
        rows, columns=["customer_id", "start_date", "end_date", "trial_end", "plan"]
    )
    for col in ["start_date", "end_date", "trial_end"]:
        frame[col] = pd.to_datetime(frame[col])
    return frame


def mrr_fixture() -> pd.DataFrame:
    """Every MRR movement, worked by hand (monthly, data to 30 April 2024).

    A  new in Jan (50), upgrades to 80 on 15 Feb (expansion +30 in Feb)
    B  new in Dec 2023 (100), downgrades to 60 on 5 Mar (contraction -40 in Mar)
    C  new in Jan (30), cancels 20 Feb (churned -30), returns 2 Apr at 40 (reactivated)
    D  trial 1-15 Feb that never converted (no MRR; one unconverted trial in Feb)
    E  joins 3 Mar and leaves 25 Mar (never paying at a boundary: moves nothing)
    F  trial from 20 Mar, pays 25 from 3 Apr (new in Apr)
    """
    rows = [
        ("A", "2024-01-10", "2024-02-15", None, 50.0, "basic", "web"),
        ("A", "2024-02-15", None, None, 80.0, "pro", "web"),
        ("B", "2023-12-01", "2024-03-05", None, 100.0, "pro", "sales"),
        ("B", "2024-03-05", None, None, 60.0, "basic", "sales"),
        ("C", "2024-01-05", "2024-02-20", None, 30.0, "basic", "web"),
        ("C", "2024-04-02", None, None, 40.0, "basic", "web"),
        ("D", "2024-02-01", "2024-02-15", "2024-02-15", 30.0, "basic", "web"),
        ("E", "2024-03-03", "2024-03-25", None, 70.0, "pro", "sales"),
        ("F", "2024-03-20", None, "2024-04-03", 25.0, "basic", "web"),
    ]
    frame = pd.DataFrame(
        rows,
        columns=["customer_id", "start_date", "end_date", "trial_end", "mrr", "plan", "channel"],
    )
    for col in ["start_date", "end_date", "trial_end"]:
        frame[col] = pd.to_datetime(frame[col])
    return frame


# --------------------------------------------------------------------------- plot tables


def make_cohort_table(n: int = 24, values: str = "retention", small: tuple[int, ...] = (3,)):
    """Monthly cohorts with a decaying retention curve and a NaN lower-right triangle."""
    rng = np.random.default_rng(42)
    cohorts = pd.period_range("2023-01", periods=n, freq="M", name="cohort")
    sizes = pd.Series(rng.integers(150, 1400, n), index=cohorts)
    for i in small:
        sizes.iloc[i] = 12
    ages = np.arange(n)
    curve = 100 * (0.25 + 0.75 * np.exp(-ages / 2.5))
    rows = []
    for i in range(n):
        row = np.clip(curve * rng.normal(1, 0.03, n), 0, 100)
        row[0] = 100.0
        row[n - i :] = np.nan
        rows.append(row)
    table = pd.DataFrame(rows, index=cohorts, columns=pd.Index(ages, name="age"))
    if values in ("customers", "revenue"):
        table = (table.mul(sizes, axis=0) / 100).round() * (40 if values == "revenue" else 1)
    table.attrs = {"values": values, "freq": "month", "cohort_size": sizes}
    return table


def make_summary(by: str | None = None, n_periods: int = 12):
    rng = np.random.default_rng(7)
    periods = pd.period_range("2024-01", periods=n_periods, freq="M")
    frames = []
    for seg in ["basic", "pro"] if by else [None]:
        crr = 80 + rng.normal(0, 2, n_periods)
        frame = pd.DataFrame(
            {
                "period": periods,
                "S": 500,
                "crr_seed": crr + 2,
                "crr": crr,
                "crr_low": crr - 4,
                "crr_high": crr + 4,
                "churn": 100 - crr,
                "churn_low": 96 - crr,
                "churn_high": 104 - crr,
                "complete": [True] * (n_periods - 1) + [False],
            }
        )
        if by:
            frame[by] = seg
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def make_nps(with_period: bool = True):
    if with_period:
        return pd.DataFrame(
            {
                "period": pd.period_range("2024-01", periods=6, freq="M"),
                "n": [120, 150, 90, 200, 180, 25],
                "detractor_share": [30.0, 25.0, 28.0, 20.0, 22.0, 40.0],
                "passive_share": [30.0, 30.0, 30.0, 30.0, 30.0, 30.0],
                "promoter_share": [40.0, 45.0, 42.0, 50.0, 48.0, 30.0],
                "nps": [10.0, 20.0, 14.0, 30.0, 26.0, -10.0],
                "nps_low": [0.0, 10.0, 2.0, 22.0, 17.0, -35.0],
                "nps_high": [20.0, 30.0, 26.0, 38.0, 35.0, 15.0],
            }
        )
    return pd.DataFrame(
        {
            "plan": ["basic", "pro", "trial"],
            "n": [420, 130, 18],
            "detractor_share": [30.0, 15.0, 40.0],
            "passive_share": [28.0, 29.0, 30.0],
            "promoter_share": [42.0, 56.0, 30.0],
            "nps": [12.0, 41.0, -10.0],
            "nps_low": [5.0, 29.0, -40.0],
            "nps_high": [19.0, 53.0, 20.0],
        }
    )
