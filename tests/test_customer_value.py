"""predict_customer_value: the report's model CLV in one call, with its rules said in words."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import retention_kit as rk
from retention_kit import customer_value
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
    with pytest.warns(rk.RetentionKitWarning, match="Only 2 customers bought more than once"):
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


# --- the steps predict_customer_value is made of ------------------------------------------


class _SteadyBuyer:
    """A purchase model stub: every customer buys 0.5 times per week, 80 % alive."""

    def expected_purchases(self, t, frequency, recency, T):
        return np.full(len(frequency), 0.5 * t)

    def probability_alive(self, frequency, recency, T):
        return np.full(len(frequency), 0.8)


def _customers() -> pd.DataFrame:
    return pd.DataFrame(
        {"frequency": [2, 1, 0], "recency": [3.0, 1.0, 0.0], "T": [5.0, 4.0, 2.0],
         "monetary_value": [30.0, 0.0, 0.0]},
        index=pd.Index(["a", "b", "c"], name="customer_id"),
    )


def test_value_customers_by_hand():
    # One month is 30.4375 / 7 = 4.348214 weeks: 2.174107 purchases a month at 0.5 a week.
    # Two months, 1 % a month (12.6825 % a year), spend 20 for everybody, 50 % margin:
    # 20 * 2.174107 * (1 / 1.01 + 1 / 1.01 ** 2) * 0.5 = 21.74107 * 1.970395 = 42.83850
    spend = customer_value.SpendFit(None, 20.0, pd.Index(["a"]))
    valued = customer_value.value_customers(
        _customers(), _SteadyBuyer(), spend, horizon_months=2,
        discount_rate=(1.01**12 - 1) * 100, gross_margin=50.0,
    )
    assert valued["clv"].tolist() == pytest.approx([42.83850] * 3, abs=1e-5)
    assert valued["expected_purchases"].tolist() == pytest.approx([4.348214] * 3, abs=1e-6)
    assert valued["alive"].tolist() == pytest.approx([80.0] * 3)
    assert valued["spend_basis"].tolist() == ["population mean"] * 3  # no spend model
    assert list(_customers().columns) == ["frequency", "recency", "T", "monetary_value"]


def test_fit_spend_model_fits_on_positive_repeat_spend_only(demo):
    rfm = rk.rfm_summary(demo, amount_col="amount")
    rfm.loc[rfm.index[rfm["frequency"] > 0][:3], "monetary_value"] = 0.0  # three free repeats
    fit = customer_value.fit_spend_model(rfm)
    own = (rfm["frequency"] > 0) & (rfm["monetary_value"] > 0)
    assert fit.fitted_on.equals(rfm.index[own])
    assert fit.zero_spend == 3
    p, q, gamma = (fit.model.params_[k] for k in ("p", "q", "gamma"))
    assert fit.population_spend == pytest.approx(p * gamma / (q - 1))
    assert fit.notes[0].startswith("3 repeat buyer(s) whose repeat purchases net to zero")


def test_value_customers_fits_the_spend_model_when_not_given(demo):
    value = rk.predict_customer_value(demo, horizon_months=3)
    again = customer_value.value_customers(
        value.customers[["frequency", "recency", "T", "monetary_value"]], value.purchases,
        horizon_months=3,
    )
    np.testing.assert_allclose(again["clv"], value.customers["clv"], rtol=1e-12)


def test_predict_customer_value_with_a_holdout(demo):
    value = rk.predict_customer_value(demo, calibration_end="2024-06-30", horizon_months=2)
    assert {"frequency_holdout", "duration_holdout"} <= set(value.customers.columns)
    # 2024-06-30 to the last order day 2024-12-31: 184 days = 26.2857 weeks
    assert value.customers["duration_holdout"].iloc[0] == pytest.approx(184 / 7)
    history = customer_value.purchase_history(demo, calibration_end="2024-06-30")
    assert value.customers.index.equals(history.customers.index)


def test_purchase_history_leaves_out_the_last_calibration_day():
    orders = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "c"],
        "order_date": pd.to_datetime(["2024-01-01", "2024-01-15", "2024-02-05", "2024-01-29",
                                      "2024-01-08"]),
        "amount": [10.0, 20.0, 30.0, 5.0, 7.0],
    })
    history = customer_value.purchase_history(
        orders, calibration_end="2024-01-29", time_unit="day"
    )
    # b first bought on the calibration end (T = 0): left out; a and c kept.
    assert history.left_out == ["b"]
    assert history.notes == [
        "1 of 3 customers made their first purchase on the last calibration day: with no "
        "history to learn from, they are left out."
    ]
    a = history.customers.loc["a"]
    assert (a["frequency"], a["recency"], a["T"], a["monetary_value"]) == (1, 14.0, 28.0, 20.0)
    assert a["frequency_holdout"] == 1 and a["duration_holdout"] == 7.0  # 01-29 to 02-05


def test_value_by_segment_by_hand():
    valued = pd.DataFrame({"expected_purchases": [1.0, 3.0, 2.0, 4.0],
                           "alive": [50.0, 90.0, 70.0, 10.0], "clv": [10.0, 30.0, 5.0, 1.0]},
                          index=["a", "b", "c", "d"])
    segments = pd.Series({"a": "web", "b": "web", "c": "shop", "d": "shop", "z": "web"},
                         name="channel")
    table = customer_value.value_by_segment(valued, segments)
    assert table["channel"].tolist() == ["shop", "web"]
    assert table["customers"].tolist() == [2, 2]
    assert table["expected_purchases"].tolist() == [3.0, 2.0]
    assert table["alive"].tolist() == [40.0, 70.0]
    assert table["clv"].tolist() == [3.0, 20.0]
    assert table["total"].tolist() == [6.0, 40.0]
    assert table["small_sample"].tolist() == [True, True]
    overall = customer_value.value_by_segment(valued)
    assert overall.iloc[0].tolist() == ["all customers", 4, 2.5, 55.0, 11.5, 46.0, True]


def test_value_by_segment_names_customers_without_a_segment():
    valued = pd.DataFrame({"expected_purchases": [1.0], "alive": [5.0], "clv": [1.0]},
                          index=["x"])
    with pytest.raises(rk.InvalidDataError, match=r"1 valued customer\(s\) have no segment, "
                                                  r"e.g. \['x'\]"):
        customer_value.value_by_segment(valued, pd.Series({"a": "web"}, name="channel"))


def test_top_value_share_and_concentration_by_hand():
    values = [40.0, 30.0, 20.0, 10.0] + [0.0] * 16  # 20 customers: the top 10 % is 2
    assert customer_value.top_value_share(values) == 70.0
    assert customer_value.top_value_share(values, percent=25) == 100.0  # top 5
    assert customer_value.top_value_share([5.0, 5.0], percent=10) == 50.0  # at least 1
    curve = customer_value.value_concentration([10.0, 40.0, 30.0, 20.0])
    assert curve["customers_share"].tolist() == [25.0, 50.0, 75.0, 100.0]
    assert curve["value_share"].tolist() == [40.0, 70.0, 90.0, 100.0]
    with pytest.raises(rk.RetentionKitError, match=r"percent=0 must be a share"):
        customer_value.top_value_share(values, percent=0)


def test_steps_reject_a_table_without_the_summary_columns():
    with pytest.raises(rk.RetentionKitError, match=r"value_customers: customers has no "
                                                   r"column\(s\) \['monetary_value'\]"):
        customer_value.value_customers(
            _customers().drop(columns="monetary_value"), _SteadyBuyer()
        )
