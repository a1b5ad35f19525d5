"""Tests of retention_kit.clv.beta_geo_beta_binom."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import gammaln

from retention_kit.clv import BetaGeoBetaBinomModel, load_donations
from retention_kit.exceptions import MissingColumnError


def test_bgbb_reproduces_fader_hardie_shang_2010(assert_published):
    d = load_donations()
    model = BetaGeoBetaBinomModel().fit(
        d["frequency"], d["recency"], d["periods"], weights=d["weights"]
    )
    assert_published(
        model, {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}, -33225.6
    )
    assert model.n_customers_ == 11104


def test_bgbb_predictions_match_the_paper_closed_forms():
    d = load_donations()
    model = BetaGeoBetaBinomModel().fit(
        d["frequency"], d["recency"], d["periods"], weights=d["weights"]
    )
    alpha, beta, gamma, delta = (model.params_[k] for k in ("alpha", "beta", "gamma", "delta"))
    n = 5

    closed = (
        alpha
        / (alpha + beta)
        * delta
        / (gamma - 1)
        * (
            1
            - np.exp(
                gammaln(gamma + delta)
                + gammaln(1 + delta + n)
                - gammaln(gamma + delta + n)
                - gammaln(1 + delta)
            )
        )
    )
    assert model.expected_purchases_new_customer(n) == pytest.approx(closed, rel=1e-10)
    p_alive = model.probability_alive(d["frequency"], d["recency"], d["periods"])
    assert ((p_alive > 0) & (p_alive <= 1)).all()
    assert p_alive.iloc[-1] > p_alive.iloc[0]  # 6 of 6 donations vs none
    future = model.expected_purchases(5, d["frequency"], d["recency"], d["periods"])
    assert future.iloc[-1] > future.iloc[1] > future.iloc[0] >= 0


def test_fit_and_predictions_take_the_histories_frame():
    d = load_donations()  # columns frequency, recency, periods, weights
    by_frame = BetaGeoBetaBinomModel().fit(d, weights_col="weights")
    by_arrays = BetaGeoBetaBinomModel().fit(
        d["frequency"], d["recency"], d["periods"], weights=d["weights"]
    )
    assert by_frame.params_ == by_arrays.params_ and by_frame.n_customers_ == 11104
    alive = by_frame.probability_alive(d)
    assert isinstance(alive, pd.Series) and alive.index.equals(d.index)
    np.testing.assert_array_equal(
        alive, by_frame.probability_alive(d["frequency"], d["recency"], d["periods"])
    )
    future = by_frame.expected_purchases(5, d)
    np.testing.assert_array_equal(
        future, by_frame.expected_purchases(5, d["frequency"], d["recency"], d["periods"])
    )
    renamed = d.rename(columns={"periods": "n"})
    with pytest.raises(MissingColumnError, match=r"n_periods_col='periods': no such column"):
        BetaGeoBetaBinomModel().fit(renamed)
    refit = BetaGeoBetaBinomModel().fit(renamed, n_periods_col="n", weights_col="weights")
    assert refit.params_ == by_frame.params_
