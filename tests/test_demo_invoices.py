"""The messy demo export: every quirk a real invoice file carries is there, and counted."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import retention_kit as rk
from retention_kit.datasets import load_invoices

COLUMNS = {
    "customer_col": "CustomerID",
    "date_col": "InvoiceDate",
    "amount_col": None,
    "quantity_col": "Quantity",
    "price_col": "UnitPrice",
    "order_col": "InvoiceNo",
    "segment_col": "Country",
}


@pytest.fixture(scope="module")
def lines() -> pd.DataFrame:
    return load_invoices()


@pytest.fixture(scope="module")
def orders(lines) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.RetentionKitWarning)
        return rk.io.read_orders(lines, **COLUMNS)


def test_deterministic_and_seeded():
    a, b = load_invoices(n_customers=200, seed=3), load_invoices(n_customers=200, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(load_invoices(n_customers=200, seed=4))


def test_shape_of_a_real_export(lines):
    assert list(lines.columns) == [
        "InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
        "CustomerID", "Country",
    ]
    assert lines["CustomerID"].dtype == "float64"
    ids = lines["CustomerID"].dropna()
    assert (ids % 1 == 0).all() and ids.min() >= 12346  # 17850.0-style float ids
    assert 0.2 < lines["CustomerID"].isna().mean() < 0.3  # guest checkouts
    # timestamps to the minute, with a time of day
    assert (lines["InvoiceDate"].dt.second == 0).all()
    assert lines["InvoiceDate"].dt.hour.nunique() > 12
    # accents and a pound sign: a latin-1 trap when written to CSV
    assert lines["Description"].str.contains("É|£").any()


def test_cancellations_zero_lines_and_duplicates(lines):
    cancelled = lines["InvoiceNo"].str.startswith("C")
    assert cancelled.sum() > 100
    assert (lines.loc[cancelled, "Quantity"] < 0).all()
    assert (lines.loc[~cancelled, "Quantity"] > 0).all()
    assert (lines["UnitPrice"] == 0).sum() > 50
    assert 0 < lines.duplicated().sum() < 0.02 * len(lines)


def test_same_amount_lines_in_one_invoice_are_not_duplicates(lines):
    amount = lines["Quantity"] * lines["UnitPrice"]
    same = lines.assign(amount=amount).duplicated(["InvoiceNo", "amount"], keep=False)
    exact = lines.duplicated(keep=False)
    assert (same & ~exact).sum() > 50  # different items, same quantity and price


def test_full_same_day_cancellation_of_a_repeat_order(lines):
    """Some customers' only repeat purchase day nets to zero: the case that broke the models."""
    known = lines.dropna(subset=["CustomerID"]).assign(
        day=lambda d: d["InvoiceDate"].dt.normalize(), amount=lambda d: d.Quantity * d.UnitPrice
    )
    per_day = known.groupby(["CustomerID", "day"])["amount"].agg(["sum", "min"])
    zero_by_cancel = per_day[(per_day["sum"].abs() < 1e-9) & (per_day["min"] < 0)]
    assert len(zero_by_cancel) >= 3


def test_long_tail_of_countries_and_partial_last_month(lines):
    per_country = lines.dropna(subset=["CustomerID"]).groupby("Country")["CustomerID"].nunique()
    assert len(per_country) > 30
    assert (per_country <= 3).sum() >= 20
    assert per_country.idxmax() == "United Kingdom"
    assert lines["InvoiceDate"].max() < pd.Timestamp("2024-12-10")  # December is partial
    movers = lines.dropna(subset=["CustomerID"]).groupby("CustomerID")["Country"].nunique()
    assert (movers > 1).sum() == 6


@pytest.mark.filterwarnings("ignore:.*negative value:retention_kit.RetentionKitWarning")
def test_the_model_failure_is_reproducible_and_handled(orders):
    """rfm gives zero repeat spend for some customers; Gamma-Gamma alone refuses them..."""
    rfm = rk.rfm_summary(orders, amount_col="amount", duplicates="keep")
    rfm = rfm[rfm["T"] > 0]
    repeat = rfm[rfm["frequency"] > 0]
    zero = repeat[repeat["monetary_value"] <= 0]
    assert len(zero) >= 1
    with pytest.raises(rk.InvalidDataError, match="monetary_value must be > 0"):
        rk.GammaGammaModel().fit(repeat["frequency"], repeat["monetary_value"])
    # ...and the one-call value keeps them, valued at the population mean, and says so.
    value = rk.predict_customer_value(orders, duplicates="keep")
    basis = value.customers.loc[zero.index, "spend_basis"]
    assert (basis == "population mean").all()
    assert any(f"{len(zero):,} repeat buyer(s)" in note for note in value.notes)
    assert np.isfinite(value.customers["clv"]).all()


def test_one_truth_for_duplicates(lines, tmp_path):
    """A duplicate is a row equal in every column of the file; read_orders counts those
    among the rows it keeps (the rows with a customer id)."""
    expected = int(lines.dropna(subset=["CustomerID"]).duplicated().sum())
    path = tmp_path / "invoices.csv"
    lines.to_csv(path, index=False)
    for source, where in ((lines, "orders"), (path, "the file 'invoices.csv'")):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", rk.RetentionKitWarning)
            rk.io.read_orders(source, **COLUMNS)
        texts = [str(w.message) for w in caught]
        assert f"{where} has {expected:,} exact duplicate row(s)" in " ".join(texts)
        assert "summed into their order's amount" in " ".join(texts)
    # Dropping them takes exactly those rows out.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.RetentionKitWarning)
        kept = rk.io.read_orders(lines, **COLUMNS)
        dropped = rk.io.read_orders(lines, **COLUMNS, duplicates="drop")
    known = lines.dropna(subset=["CustomerID"])
    assert len(kept) - len(dropped) == int(known.duplicated().sum())
