"""predict_customer_value: the report's model CLV in one call, with its rules said in words."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import retention_kit as rk
from retention_kit.customer_value import MIN_SPEND_CUSTOMERS


@pytest.fixture(scope="module")
def demo():
    return rk.datasets.load_orders(n_customers=800, seed=5)


def test_matches_the_models_called_by_hand(demo):
    value = rk.predict_customer_value(demo, horizon_months=6, discount_rate=12.0,
                                      gross_margin=40.0)
    rfm = rk.rfm_summary(demo, amount_col="amount")
    rfm = rfm[rfm["T"] > 0]
    bg = rk.BetaGeoModel().fit(rfm["frequency"], rfm["recency"], rfm["T"])
    rep = rfm[rfm["frequency"] > 0]
    gg = rk.GammaGammaModel().fit(rep["frequency"], rep["monetary_value"])
    monthly = ((1.12) ** (1 / 12) - 1) * 100
    clv = gg.customer_lifetime_value(bg, rfm["frequency"], rfm["recency"], rfm["T"],
                                     rfm["monetary_value"], time=6, discount_rate=monthly)
    np.testing.assert_allclose(value.customers["clv"], clv * 0.40, rtol=1e-9)
    np.testing.assert_allclose(
        value.customers["alive"],
        bg.probability_alive(rfm["frequency"], rfm["recency"], rfm["T"]) * 100,
    )
    assert (value.customers["spend_basis"] == "own").sum() == len(rep)


def test_zero_repeat_spend_is_valued_at_the_population_mean(demo):
    # Customer Z: first order, then a free repeat order ($0) a month later.
    extra = pd.DataFrame({
        "customer_id": ["Z", "Z"],
        "order_date": pd.to_datetime(["2023-03-01", "2023-04-01"]),
        "amount": [30.0, 0.0],
    })
    orders = pd.concat([demo[["customer_id", "order_date", "amount"]], extra])
    value = rk.predict_customer_value(orders)
    z = value.customers.loc["Z"]
    assert z["frequency"] == 1 and z["monetary_value"] == 0
    assert z["spend_basis"] == "population mean"
    population = float(value.spend.expected_average_spend(0, 0.0))
    assert z["spend"] == pytest.approx(population)
    assert value.notes[-1:] == [
        f"1 repeat buyer(s) whose repeat purchases net to zero or less (free orders, or "
        f"returns) are valued at the average spend per purchase, {population:,.2f}; the "
        f"spend model is fitted on the other "
        f"{int((value.customers['spend_basis'] == 'own').sum()):,}."
    ]


@pytest.mark.filterwarnings("ignore:BetaGeoModel. the Hessian:retention_kit.RetentionKitWarning")
def test_first_purchase_on_the_last_day_is_left_out_and_named():
    orders = pd.DataFrame({
        "customer_id": ["a", "a", "b", "b", "c"],
        "order_date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-05", "2024-03-01",
                                      "2024-03-31"]),
        "amount": [10.0, 12.0, 20.0, 22.0, 5.0],
    })
    value = rk.predict_customer_value(orders, time_unit="day")
    assert value.left_out == ["c"]
    assert "c" not in value.customers.index
    assert value.notes[0].startswith("1 of 3 customers made their first purchase on the last day")
    # two customers with positive spend: too few for Gamma-Gamma, plain mean instead
    assert value.spend is None
    assert (value.customers["spend"] == 17.0).all()
    assert f"the spend model needs {MIN_SPEND_CUSTOMERS}" in value.notes[1]


def test_no_repeat_buyer_is_a_clear_error():
    orders = pd.DataFrame({
        "customer_id": list("abcd"),
        "order_date": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-02-01", "2024-02-10"]),
        "amount": [10.0, 12.0, 20.0, 22.0],
    })
    with pytest.raises(rk.InvalidDataError, match="no customer came back for a second purchase"):
        rk.predict_customer_value(orders)


def test_bad_horizon():
    with pytest.raises(rk.InvalidDataError, match="horizon_months=0"):
        rk.predict_customer_value(pd.DataFrame(), horizon_months=0)
