"""Tests of retention_kit.clv.published_data: the shipped copies of the papers' data."""

from __future__ import annotations

import pandas as pd

from retention_kit.clv.published_data import (
    load_cdnow_sample,
    load_cdnow_summary,
    load_donations,
    sbg_survival_tables,
)


def test_cdnow_summary_shape_and_units():
    s = load_cdnow_summary()
    assert list(s.columns) == ["customer_id", "frequency", "recency", "T"]
    assert len(s) == 2357 and s["customer_id"].is_unique
    assert (s["recency"] <= s["T"]).all()
    assert s["T"].max() == 38.86  # 1997-01-01 to 1997-09-30 in weeks


def test_cdnow_sample_transactions():
    o = load_cdnow_sample()
    assert list(o.columns) == ["customer_id", "date", "quantity", "amount"]
    assert len(o) == 6919
    assert pd.api.types.is_datetime64_any_dtype(o["date"])
    assert o["customer_id"].nunique() == 2357
    assert o["date"].min() == pd.Timestamp("1997-01-01")
    assert o["date"].max() == pd.Timestamp("1998-06-30")
    # every customer's first purchase is in the first quarter of 1997
    assert o.groupby("customer_id")["date"].min().max() < pd.Timestamp("1997-04-01")


def test_cdnow_summary_is_the_calibration_rfm_of_the_sample():
    o = load_cdnow_sample()
    cal = o[o["date"] <= "1997-09-30"]
    days = cal.groupby("customer_id")["date"].agg(["nunique", "min", "max"])
    s = load_cdnow_summary().set_index("customer_id")
    assert (days["nunique"] - 1).equals(s["frequency"])
    recency = ((days["max"] - days["min"]).dt.days / 7).round(2)
    t = ((pd.Timestamp("1997-09-30") - days["min"]).dt.days / 7).round(2)
    assert (recency - s["recency"]).abs().max() < 1e-9
    assert (t - s["T"]).abs().max() < 1e-9


def test_donations_counts():
    d = load_donations()
    assert list(d.columns) == ["frequency", "recency", "periods", "weights"]
    assert d["weights"].sum() == 11104 and (d["periods"] == 6).all()


def test_sbg_tables():
    t = sbg_survival_tables()
    assert list(t.index) == list(range(13)) and t.index.name == "year"
    assert t.loc[0].tolist() == [100.0, 100.0]
    assert t.loc[12].tolist() == [17.3, 39.4]
    assert (t.diff().dropna() < 0).all().all()
