"""Shared fixtures: the engines every data-level test runs on, and hand-built data."""

from __future__ import annotations

import os

import duckdb
import matplotlib
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
