"""Tests of retention_kit.clv.gamma_gamma: spend model and customer lifetime value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention_kit.clv import GammaGammaModel
from retention_kit.clv import _likelihoods as lik
from retention_kit.exceptions import InvalidDataError, MissingColumnError, RetentionKitError


def test_gamma_gamma_reproduces_fader_hardie_lee_2005(
    assert_published, gamma_gamma, cdnow_spend, cdnow
):
    assert len(cdnow_spend) == (cdnow["frequency"] > 0).sum() == 946
    freq = cdnow.set_index("customer_id").loc[cdnow_spend.index, "frequency"]
    np.testing.assert_array_equal(freq.to_numpy(), cdnow_spend["frequency"].to_numpy())
    assert_published(gamma_gamma, {"p": 6.25, "q": 3.74, "gamma": 15.44})


def test_gamma_gamma_spend_and_independence(gamma_gamma, cdnow_spend):
    p, q, g = (gamma_gamma.params_[k] for k in ("p", "q", "gamma"))
    pop = gamma_gamma.expected_average_spend(0, 0.0)
    assert pop == pytest.approx(p * g / (q - 1))
    spend = gamma_gamma.expected_average_spend(
        cdnow_spend["frequency"], cdnow_spend["monetary_value"]
    )
    # shrinkage: between the customer's own mean and the population mean
    own = cdnow_spend["monetary_value"]
    assert ((spend - own) * (spend - pop) <= 1e-9).all()
    check = GammaGammaModel.check_independence(
        cdnow_spend["frequency"], cdnow_spend["monetary_value"]
    )
    assert abs(check.correlation) < 0.3 and check.n_customers == 946
    assert "reasonable" in check.note


def test_clv_is_discounted_sum_of_monthly_purchases(bgnbd, gamma_gamma):
    x, t_x, big_t, m = 2, 30.43, 38.86, 22.35
    clv = gamma_gamma.customer_lifetime_value(
        bgnbd, x, t_x, big_t, m, time=3, discount_rate=2.0, time_unit="week"
    )
    month = 365.25 / 12 / 7
    cum = [bgnbd.expected_purchases(k * month, x, t_x, big_t) for k in (0, 1, 2, 3)]
    spend = gamma_gamma.expected_average_spend(x, m)
    manual = sum((cum[k] - cum[k - 1]) * spend / 1.02**k for k in (1, 2, 3))
    assert clv == pytest.approx(manual, rel=1e-12)
    zero_rate = gamma_gamma.customer_lifetime_value(
        bgnbd, x, t_x, big_t, m, time=3, discount_rate=0
    )
    assert zero_rate == pytest.approx(cum[3] * spend, rel=1e-12)


def test_clv_of_many_customers_is_finite(bgnbd, pareto, gamma_gamma):
    rng = np.random.default_rng(7)
    n = 200_000
    x = rng.poisson(1.0, n)
    big_t = rng.uniform(1, 39, n)
    t_x = np.where(x > 0, rng.uniform(0, 1, n) * big_t, 0.0)
    m = rng.gamma(5.0, 8.0, n)
    for model in (bgnbd, pareto):
        clv = gamma_gamma.customer_lifetime_value(model, x, t_x, big_t, m, time=12)
        assert clv.shape == (n,) and np.all(np.isfinite(clv)) and np.all(clv >= 0)


def test_gamma_gamma_exact_hessian_matches_numeric_derivatives():
    rng = np.random.default_rng(5)
    x = rng.integers(1, 9, 300).astype(float)
    m = rng.gamma(5.0, 6.0, 300)
    w = rng.integers(1, 4, 300).astype(float)
    newton = lik.gamma_gamma_newton_objective(x, m, w)
    for params in ([6.0, 3.7, 15.0], [0.8, 1.5, 90.0]):
        theta = np.array(params)
        value, grad, hess = newton(theta)
        assert value == pytest.approx(w @ lik.gamma_gamma_loglik(theta, x, m)[0], abs=1e-7)
        for j in range(3):
            step = np.zeros(3)
            step[j] = 1e-5 * theta[j]
            numeric = (newton(theta + step)[1] - newton(theta - step)[1]) / (2 * step[j])
            np.testing.assert_allclose(hess[:, j], numeric, rtol=1e-5, atol=1e-3)


def test_summary_exists_only_after_fit(cdnow_spend):
    model = GammaGammaModel()
    assert not hasattr(model, "summary_")
    model.fit(cdnow_spend["frequency"], cdnow_spend["monetary_value"])
    assert model.summary_ is model.summary_
    assert model.summary_["parameter"].tolist() == ["p", "q", "gamma"]


def test_gamma_gamma_matches_lifetimes_at_published_parameters():
    # Reference values: lifetimes 0.11.3 at the same (published) parameters.
    gg = GammaGammaModel()
    gg.params_ = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    np.testing.assert_allclose(
        gg.expected_average_spend([2, 10], [22.35, 30.0]), [24.66371391, 30.21919068], rtol=1e-8
    )


# ---------------------------------------------------------------- the summary frame


def test_fit_on_the_rfm_frame_gives_exactly_the_array_fit(assert_published, cdnow_rfm_pandas):
    repeat = cdnow_rfm_pandas[cdnow_rfm_pandas["frequency"] > 0]
    by_frame = GammaGammaModel().fit(repeat)
    by_arrays = GammaGammaModel().fit(repeat["frequency"], repeat["monetary_value"])
    assert by_frame.params_ == by_arrays.params_
    assert_published(by_frame, {"p": 6.25, "q": 3.74, "gamma": 15.44})
    assert by_frame.n_customers_ == 946
    renamed = repeat.rename(columns={"frequency": "x", "monetary_value": "spend"})
    assert (
        GammaGammaModel().fit(renamed, frequency_col="x", monetary_value_col="spend").params_
        == by_frame.params_
    )


def test_fit_on_a_frame_names_the_missing_column_and_the_one_time_buyers(cdnow_rfm_pandas):
    with pytest.raises(
        MissingColumnError, match=r"monetary_value_col='monetary_value': no such column"
    ):
        GammaGammaModel().fit(cdnow_rfm_pandas.drop(columns="monetary_value"))
    # 2357 - 946 = 1411 CDNOW customers made no repeat purchase in calibration; 3 is the first
    with pytest.raises(
        InvalidDataError,
        match=r"frequency must be > 0.*1411 value\(s\) are not: customer 3: frequency=0.*"
        r"rfm\[rfm\['frequency'\] > 0\]",
    ):
        GammaGammaModel().fit(cdnow_rfm_pandas)


def test_spend_independence_and_clv_take_the_frame(bgnbd, gamma_gamma, cdnow_rfm_pandas):
    rfm = cdnow_rfm_pandas
    f, r, t, m = rfm["frequency"], rfm["recency"], rfm["T"], rfm["monetary_value"]
    spend = gamma_gamma.expected_average_spend(rfm)
    assert isinstance(spend, pd.Series) and spend.index.equals(rfm.index)
    np.testing.assert_array_equal(spend, gamma_gamma.expected_average_spend(f, m))
    assert GammaGammaModel.check_independence(rfm) == GammaGammaModel.check_independence(f, m)
    clv = gamma_gamma.customer_lifetime_value(bgnbd, rfm, time=6, discount_rate=1.5)
    assert clv.name == "clv" and clv.index.equals(rfm.index)
    np.testing.assert_array_equal(
        clv, gamma_gamma.customer_lifetime_value(bgnbd, f, r, t, m, time=6, discount_rate=1.5)
    )
    with pytest.raises(RetentionKitError, match="do not also pass recency"):
        gamma_gamma.customer_lifetime_value(bgnbd, rfm, 12)


def test_clv_freq_unit_is_the_old_name_of_time_unit(bgnbd, gamma_gamma):
    x, t_x, big_t, m = 2, 213.0, 272.0, 22.35  # customer 1 of CDNOW, in days
    by_days = gamma_gamma.customer_lifetime_value(bgnbd, x, t_x, big_t, m, time_unit="day")
    with pytest.warns(FutureWarning, match="freq_unit= is now called time_unit="):
        old = gamma_gamma.customer_lifetime_value(bgnbd, x, t_x, big_t, m, freq_unit="day")
    assert old == by_days
    # a month is 365.25 / 12 = 30.4375 days: 12 monthly steps of 30.4375 days
    month = 365.25 / 12
    cum = [bgnbd.expected_purchases(k * month, x, t_x, big_t) for k in range(13)]
    spend = gamma_gamma.expected_average_spend(x, m)
    manual = sum((cum[k] - cum[k - 1]) * spend / 1.01**k for k in range(1, 13))
    assert by_days == pytest.approx(manual, rel=1e-12)
    with pytest.raises(RetentionKitError, match="pass time_unit= only; freq_unit= is its old"):
        gamma_gamma.customer_lifetime_value(
            bgnbd, x, t_x, big_t, m, time_unit="day", freq_unit="day"
        )
    with pytest.raises(RetentionKitError, match="time_unit='hour' is not supported"):
        gamma_gamma.customer_lifetime_value(bgnbd, x, t_x, big_t, m, time_unit="hour")


def test_clv_in_months_and_years_uses_the_shared_month_length(bgnbd, gamma_gamma):
    x, t_x, big_t, m = 2, 3.0, 9.0, 22.35
    by_months = gamma_gamma.customer_lifetime_value(
        bgnbd, x, t_x, big_t, m, time=2, time_unit="month"
    )
    cum = [bgnbd.expected_purchases(k, x, t_x, big_t) for k in (0, 1, 2)]
    spend = gamma_gamma.expected_average_spend(x, m)
    assert by_months == pytest.approx(
        (cum[1] - cum[0]) * spend / 1.01 + (cum[2] - cum[1]) * spend / 1.01**2, rel=1e-12
    )
    by_years = gamma_gamma.customer_lifetime_value(
        bgnbd, x, t_x, big_t, m, time=1, time_unit="year"
    )
    one_month = bgnbd.expected_purchases(1 / 12, x, t_x, big_t) * spend / 1.01
    assert by_years == pytest.approx(one_month, rel=1e-12)
