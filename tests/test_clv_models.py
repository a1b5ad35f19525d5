"""Tests of retention_kit.clv_models: the published estimates, then the behaviour."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import quad
from scipy.special import betaln, gammaln, hyp2f1

from retention_kit import _likelihoods as lik
from retention_kit.clv_models import (
    BetaGeoBetaBinomModel,
    BetaGeoModel,
    ConvergenceError,
    GammaGammaModel,
    ParetoNBDModel,
    ShiftedBetaGeoModel,
)
from retention_kit.exceptions import InvalidDataError, NotFittedError, RetentionKitError
from retention_kit.published_data import (
    load_cdnow_sample,
    load_cdnow_summary,
    load_donations,
    sbg_survival_tables,
)

REL = 0.01  # parameters within 1% of the published values
LL_TOL = 0.1  # log-likelihood within 0.1 of the published value


def assert_published(model, published: dict[str, float], ll: float | None = None) -> None:
    for name, value in published.items():
        assert model.params_[name] == pytest.approx(value, rel=REL), name
    if ll is not None:
        assert model.log_likelihood_ == pytest.approx(ll, abs=LL_TOL)


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return load_cdnow_summary()


@pytest.fixture(scope="module")
def bgnbd(cdnow) -> BetaGeoModel:
    return BetaGeoModel().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


@pytest.fixture(scope="module")
def pareto(cdnow) -> ParetoNBDModel:
    return ParetoNBDModel().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


@pytest.fixture(scope="module")
def cdnow_spend() -> pd.DataFrame:
    """Repeat customers' calibration spend: mean of the repeat purchase days' totals."""
    orders = load_cdnow_sample()
    cal = orders[orders["date"] <= "1997-09-30"]
    days = cal.groupby(["customer_id", "date"], as_index=False)["amount"].sum()
    first = days.groupby("customer_id")["date"].transform("min")
    repeat = days[days["date"] > first]
    return repeat.groupby("customer_id")["amount"].agg(frequency="count", monetary_value="mean")


@pytest.fixture(scope="module")
def gamma_gamma(cdnow_spend) -> GammaGammaModel:
    return GammaGammaModel().fit(cdnow_spend["frequency"], cdnow_spend["monetary_value"])


# ---------------------------------------------------------------- published estimates


def test_bgnbd_reproduces_fader_hardie_lee_2005(bgnbd, cdnow):
    assert_published(bgnbd, {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}, -9582.4)
    assert bgnbd.n_customers_ == len(cdnow) == 2357
    assert list(bgnbd.summary_.columns) == [
        "parameter",
        "estimate",
        "std_error",
        "ci_lower",
        "ci_upper",
    ]
    assert (bgnbd.summary_["std_error"] > 0).all()
    assert (bgnbd.summary_["ci_lower"] < bgnbd.summary_["estimate"]).all()


def test_pareto_nbd_reproduces_published_estimates(pareto):
    assert_published(pareto, {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}, -9595.0)
    assert pareto.summary_["std_error"].notna().all()


def test_gamma_gamma_reproduces_fader_hardie_lee_2005(gamma_gamma, cdnow_spend, cdnow):
    assert len(cdnow_spend) == (cdnow["frequency"] > 0).sum() == 946
    freq = cdnow.set_index("customer_id").loc[cdnow_spend.index, "frequency"]
    np.testing.assert_array_equal(freq.to_numpy(), cdnow_spend["frequency"].to_numpy())
    assert_published(gamma_gamma, {"p": 6.25, "q": 3.74, "gamma": 15.44})


@pytest.mark.parametrize(
    ("cohort", "alpha", "beta", "max_gap"),
    [("regular", 0.704, 1.182, 0.35), ("high_end", 0.668, 3.806, 1.7)],
)
def test_sbg_reproduces_fader_hardie_2007(cohort, alpha, beta, max_gap):
    table = sbg_survival_tables()[cohort]
    model = ShiftedBetaGeoModel().fit(table.loc[:7])
    assert_published(model, {"alpha": alpha, "beta": beta})
    projected = model.survival(np.arange(8, 13))
    # Projection of years 8-12: regular within 0.3 points, high end within 1.6 points
    # (the gaps of the paper's own projection).
    assert np.max(np.abs(projected - table.loc[8:].to_numpy())) < max_gap
    assert model.n_periods_ == 7


def test_sbg_fit_on_retention_rates_and_counts_agree():
    table = sbg_survival_tables()["regular"].loc[:7].to_numpy()
    rates = 100 * table[1:] / table[:-1]
    by_rates = ShiftedBetaGeoModel().fit(retention=rates)
    by_counts = ShiftedBetaGeoModel().fit(table * 10)
    for name in ("alpha", "beta"):
        assert by_rates.params_[name] == pytest.approx(0.704 if name == "alpha" else 1.182, rel=REL)
        assert by_counts.params_[name] == pytest.approx(by_rates.params_[name], rel=1e-5)
    assert by_counts.n_customers_ == pytest.approx(1000)


def test_bgbb_reproduces_fader_hardie_shang_2010():
    d = load_donations()
    model = BetaGeoBetaBinomModel().fit(
        d["frequency"], d["recency"], d["periods"], weights=d["weights"]
    )
    assert_published(
        model, {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}, -33225.6
    )
    assert model.n_customers_ == 11104


# ---------------------------------------------------------------- numerics


def test_log_hyp2f1_matches_scipy_where_scipy_is_accurate():
    a = np.array([0.5, 3.0, 30.0, 2.5, 1.0, 12.3])
    b = np.array([1.6, 0.7, 20.0, 3.0, 4.0, 1.2])
    c = np.array([1.5, 4.0, 31.0, 3.5, 6.0, 13.3])
    z = np.array([0.1, 0.5, 0.3, 0.9, 0.99, 0.0])
    np.testing.assert_allclose(lik.log_hyp2f1(a, b, c, z), np.log(hyp2f1(a, b, c, z)), rtol=1e-12)


def test_log_hyp2f1_stays_finite_beyond_float_range():
    # 2F1(a, b; b; z) = (1 - z)^-a, here about 10^1500.
    a, b, z = 1500.0, 2.0, 0.9
    expected = -a * np.log1p(-z)
    assert lik.log_hyp2f1(a, b, b, z) == pytest.approx(expected, rel=1e-12)
    assert np.isnan(lik.log_hyp2f1(1.0, 1.0, 2.0, 1.0))


@pytest.mark.parametrize("params", [(0.55, 10.6, 0.61, 11.7), (0.3, 2.0, 1.4, 30.0)])
def test_pareto_a0_equals_the_dropout_integral(params):
    r, alpha, s, beta = params
    for x, t_x, big_t in [(0, 0.0, 38.86), (3, 20.0, 30.0), (25, 35.0, 38.0)]:
        integral = quad(
            lambda tau, x=x: s * (alpha + tau) ** -(r + x) * (beta + tau) ** -(s + 1),
            t_x,
            big_t,
            epsabs=0,
            epsrel=1e-12,
        )[0]
        log_a0 = lik.pareto_nbd_log_a0(np.array(params), np.array([x]), t_x, big_t)[0]
        assert np.log(s / (r + s + x)) + log_a0 == pytest.approx(np.log(integral), abs=1e-9)


def test_bgnbd_conditional_tends_to_new_customer_expectation(bgnbd):
    new = bgnbd.expected_purchases_new_customer(np.array([10.0, 52.0]))
    cond = bgnbd.expected_purchases(np.array([10.0, 52.0]), 0, 0.0, 1e-9)
    np.testing.assert_allclose(cond, new, rtol=1e-6)
    assert bgnbd.expected_purchases_new_customer(0.0) == 0.0


def test_pareto_conditional_tends_to_new_customer_expectation(pareto):
    new = pareto.expected_purchases_new_customer(np.array([10.0, 52.0]))
    cond = pareto.expected_purchases(np.array([10.0, 52.0]), 0, 0.0, 1e-9)
    np.testing.assert_allclose(cond, new, rtol=1e-6)


def test_sbg_derl_equals_direct_discounted_sum():
    model = ShiftedBetaGeoModel().fit(sbg_survival_tables()["regular"].loc[:7])
    alpha, beta = model.params_["alpha"], model.params_["beta"]
    d = 0.1
    t = np.arange(0, 4000)
    for renewals in (0, 4):
        n = renewals + 1
        surv = np.exp(betaln(alpha, beta + n + t) - betaln(alpha, beta + n - 1))
        direct = np.sum(surv / (1 + d) ** t)
        derl = model.discounted_expected_residual_lifetime(d * 100, renewals)
        assert derl == pytest.approx(direct, rel=1e-6)
    assert model.retention_rate(1) == pytest.approx(100 * beta / (alpha + beta))
    assert model.survival(0) == pytest.approx(100.0)


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


def test_population_tracking_is_increasing_and_matches_single_birth(bgnbd):
    times = np.arange(0, 79, dtype=float)
    curve = bgnbd.expected_repeat_purchases_population(times)
    assert curve[0] == 0 and np.all(np.diff(curve) > 0)
    one = bgnbd.expected_repeat_purchases_population(times, birth_times=[0.0])
    np.testing.assert_allclose(one, bgnbd.expected_purchases_new_customer(times))


# ---------------------------------------------------------------- behaviour


def test_probability_alive_is_one_without_repeat_purchases_for_bgnbd(bgnbd, pareto):
    assert bgnbd.probability_alive(0, 0.0, 38.86) == 1.0
    p = bgnbd.probability_alive([0, 2, 2], [0.0, 30.43, 5.0], [38.86, 38.86, 38.86])
    assert p[0] == 1.0 and 0 < p[2] < p[1] < 1
    # Pareto/NBD: a customer who never came back may have left
    assert 0 < pareto.probability_alive(0, 0.0, 38.86) < 1


def test_series_inputs_give_series_on_the_same_index(bgnbd, cdnow):
    s = cdnow.set_index("customer_id")
    out = bgnbd.expected_purchases(10, s["frequency"], s["recency"], s["T"])
    assert isinstance(out, pd.Series) and out.index.equals(s.index)
    assert (out >= 0).all()


@pytest.mark.parametrize(
    "model",
    [
        BetaGeoModel(),
        ParetoNBDModel(),
        GammaGammaModel(),
        ShiftedBetaGeoModel(),
        BetaGeoBetaBinomModel(),
    ],
)
def test_predicting_before_fit_raises_not_fitted(model):
    method = {
        BetaGeoModel: lambda m: m.probability_alive(1, 1.0, 2.0),
        ParetoNBDModel: lambda m: m.expected_purchases(1, 1, 1.0, 2.0),
        GammaGammaModel: lambda m: m.expected_average_spend(1, 10.0),
        ShiftedBetaGeoModel: lambda m: m.survival(1),
        BetaGeoBetaBinomModel: lambda m: m.expected_purchases_new_customer(3),
    }[type(model)]
    with pytest.raises(NotFittedError, match="not fitted yet: call fit"):
        method(model)


def test_bad_inputs_raise_with_the_argument_and_values():
    model = BetaGeoModel()
    with pytest.raises(InvalidDataError, match=r"frequency must be whole numbers >= 0.*\[1\]=-1"):
        model.fit([1, -1], [1.0, 0.0], [2.0, 2.0])
    with pytest.raises(InvalidDataError, match=r"recency must be <= T.*\[0\]=5\b"):
        model.fit([1, 0], [5.0, 0.0], [2.0, 2.0])
    with pytest.raises(InvalidDataError, match="recency must be 0 where frequency is 0"):
        model.fit([0], [1.0], [2.0])
    with pytest.raises(InvalidDataError, match="missing or infinite"):
        model.fit([1, np.nan], [1.0, 0.0], [2.0, 2.0])
    with pytest.raises(InvalidDataError, match="same length"):
        model.fit([1, 0], [1.0], [2.0, 2.0, 2.0])
    with pytest.raises(InvalidDataError, match=r"frequency must be > 0.*f\[f > 0\]"):
        GammaGammaModel().fit([0, 2], [10.0, 12.0])
    with pytest.raises(InvalidDataError, match="must not increase"):
        ShiftedBetaGeoModel().fit([100, 60, 70])
    with pytest.raises(InvalidDataError, match="exactly one of"):
        ShiftedBetaGeoModel().fit()
    with pytest.raises(InvalidDataError, match="frequency must be <= recency"):
        BetaGeoBetaBinomModel().fit([3], [2], [6])
    with pytest.raises(RetentionKitError, match="maxiter must be a positive integer"):
        BetaGeoModel(maxiter=0).fit([1], [1.0], [2.0])


def test_non_convergence_raises_instead_of_returning_estimates(cdnow):
    with pytest.raises(ConvergenceError, match="did not converge.*maxiter=1"):
        BetaGeoModel(maxiter=1).fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert not hasattr(BetaGeoModel(maxiter=1), "params_")


def test_weights_give_the_same_fit_as_repeated_rows(cdnow):
    counts = cdnow.groupby(["frequency", "recency", "T"]).size().rename("n").reset_index()
    weighted = BetaGeoModel().fit(
        counts["frequency"], counts["recency"], counts["T"], weights=counts["n"]
    )
    assert weighted.params_["r"] == pytest.approx(0.2426, rel=1e-3)
    assert weighted.n_customers_ == 2357


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
        bgnbd, x, t_x, big_t, m, time=3, discount_rate=2.0, freq_unit="week"
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


def test_clv_of_many_customers_is_fast(bgnbd, pareto, gamma_gamma):
    rng = np.random.default_rng(7)
    n = 200_000
    x = rng.poisson(1.0, n)
    big_t = rng.uniform(1, 39, n)
    t_x = np.where(x > 0, rng.uniform(0, 1, n) * big_t, 0.0)
    m = rng.gamma(5.0, 8.0, n)
    for model in (bgnbd, pareto):
        start = time.perf_counter()
        clv = gamma_gamma.customer_lifetime_value(model, x, t_x, big_t, m, time=12)
        assert time.perf_counter() - start < 10
        assert clv.shape == (n,) and np.all(np.isfinite(clv)) and np.all(clv >= 0)


# ---------------------------------------------------------------- rfm_summary (rfm.py)


@pytest.fixture(scope="module")
def cdnow_rfm_pandas():
    from retention_kit.rfm import rfm_summary

    return rfm_summary(
        load_cdnow_sample(),
        date_col="date",
        amount_col="amount",
        calibration_end="1997-09-30",
        duplicates="keep",
    )


def test_rfm_summary_reproduces_the_cdnow_calibration_summary(cdnow_rfm_pandas, cdnow_spend):
    rfm = cdnow_rfm_pandas
    published = load_cdnow_summary().set_index("customer_id")
    assert rfm.index.equals(published.index)
    assert rfm["frequency"].equals(published["frequency"])
    assert (rfm["recency"].round(2) - published["recency"]).abs().max() < 1e-9
    assert (rfm["T"].round(2) - published["T"]).abs().max() < 1e-9
    repeat = rfm[rfm["frequency"] > 0]
    np.testing.assert_allclose(repeat["monetary_value"], cdnow_spend["monetary_value"])
    assert (rfm.loc[rfm["frequency"] == 0, "monetary_value"] == 0).all()
    assert (rfm["duration_holdout"] == 39.0).all()  # 1997-10-01 .. 1998-06-30 is 273 days
    assert rfm["frequency_holdout"].sum() > 0


def test_rfm_summary_is_the_same_on_every_engine(convert, cdnow_rfm_pandas):
    from retention_kit.rfm import rfm_summary

    orders = load_cdnow_sample()
    out = rfm_summary(
        convert(orders),
        date_col="date",
        amount_col="amount",
        calibration_end="1997-09-30",
        duplicates="keep",
    )
    pd.testing.assert_frame_equal(out, cdnow_rfm_pandas, check_dtype=False)


def test_rfm_summary_counts_days_and_nets_returns():
    from retention_kit.rfm import rfm_summary

    orders = pd.DataFrame(
        {
            "cid": ["a", "a", "a", "a", "b", "c", "c"],
            "when": pd.to_datetime(
                [
                    "2024-01-01",
                    "2024-01-01",  # same day: one purchase of 30
                    "2024-01-08",
                    "2024-01-15",  # a return only: not a purchase
                    "2024-01-10",
                    "2024-01-02",
                    "2024-01-16",
                ]
            ),
            "amount": [10.0, 20.0, 40.0, -5.0, 7.0, 3.0, 9.0],
        }
    )
    with pytest.warns(match="negative value"):
        rfm = rfm_summary(
            orders,
            customer_col="cid",
            date_col="when",
            amount_col="amount",
            time_unit="day",
            observation_end="2024-01-21",
        )
    assert rfm.index.name == "cid"
    assert rfm.loc["a"].tolist() == [1, 7.0, 20.0, 40.0]
    assert rfm.loc["b"].tolist() == [0, 0.0, 11.0, 0.0]
    assert rfm.loc["c"].tolist() == [1, 14.0, 19.0, 9.0]
    with pytest.raises(RetentionKitError, match="calibration_end .* must be before"):
        rfm_summary(orders, customer_col="cid", date_col="when", calibration_end="2024-03-01")
    with pytest.raises(RetentionKitError, match="time_unit='month'"):
        rfm_summary(orders, customer_col="cid", date_col="when", time_unit="month")


def test_predictions_at_published_parameters_match_lifetimes():
    # Reference values: lifetimes 0.11.3 at the same (published) parameters.
    x, t_x, big_t = [0, 2, 10], [0.0, 30.43, 35.0], [38.86] * 3
    bg = BetaGeoModel()
    bg.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    np.testing.assert_allclose(
        bg.expected_purchases(52, x, t_x, big_t), [0.25207302, 1.55872081, 7.738892], rtol=1e-7
    )
    np.testing.assert_allclose(
        bg.probability_alive(x, t_x, big_t), [1.0, 0.72657857, 0.84694141], rtol=1e-7
    )
    pn = ParetoNBDModel()
    pn.params_ = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    np.testing.assert_allclose(
        pn.expected_purchases(52, x, t_x, big_t), [0.136201, 1.850827, 8.16249], rtol=1e-6
    )
    np.testing.assert_allclose(
        pn.probability_alive(x, t_x, big_t), [0.2952866, 0.86916756, 0.92733209], rtol=1e-7
    )
    gg = GammaGammaModel()
    gg.params_ = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    np.testing.assert_allclose(
        gg.expected_average_spend([2, 10], [22.35, 30.0]), [24.66371391, 30.21919068], rtol=1e-8
    )


def test_identical_histories_are_collapsed_before_fitting():
    from retention_kit.clv_models import _collapse

    x = np.array([1.0, 0.0, 1.0, 2.0, 0.0])
    t = np.array([3.0, 0.0, 3.0, 4.0, 0.0])
    (ux, ut), counts = _collapse([x, t], np.array([1.0, 1.0, 2.0, 1.0, 1.0]))
    assert ux.tolist() == [0.0, 1.0, 2.0] and ut.tolist() == [0.0, 3.0, 4.0]
    assert counts.tolist() == [2.0, 3.0, 1.0]


def _objective_cases():
    cdnow = load_cdnow_summary()
    x, t_x, big_t = (cdnow[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    w = np.ones(x.size)
    d = load_donations()
    dx, dt, dn, dw = (d[c].to_numpy(float) for c in ("frequency", "recency", "periods", "weights"))
    rng = np.random.default_rng(3)
    gx = rng.integers(1, 9, 300).astype(float)
    gm = rng.gamma(5.0, 6.0, 300)
    return [
        (
            lik.bgnbd_objective(x, t_x, big_t, w),
            lambda p: lik.bgnbd_loglik(p, x, t_x, big_t)[0].sum(),
            [0.24, 4.4, 0.79, 2.4],
        ),
        (
            lik.pareto_nbd_objective(x, t_x, big_t, w),
            lambda p: lik.pareto_nbd_loglik(p, x, t_x, big_t)[0].sum(),
            [0.55, 10.6, 0.61, 11.7],
        ),
        (
            lik.pareto_nbd_objective(x, t_x, big_t, w),
            lambda p: lik.pareto_nbd_loglik(p, x, t_x, big_t)[0].sum(),
            [0.1, 0.05, 0.5, 3.0],
        ),
        (
            lik.gamma_gamma_objective(gx, gm, np.ones(300)),
            lambda p: lik.gamma_gamma_loglik(p, gx, gm)[0].sum(),
            [6.0, 3.7, 15.0],
        ),
        (
            lik.bgbb_objective(dx, dt, dn, dw),
            lambda p: lik.bgbb_loglik(p, dx, dt, dn)[0] @ dw,
            [1.0, 1.0, 1.0, 1.0],
        ),
    ]


@pytest.mark.parametrize("case", range(5))
def test_fast_objectives_match_the_row_likelihoods_and_their_gradients(case):
    objective, reference, params = _objective_cases()[case]
    theta = np.array(params)
    value, grad = objective(theta)
    assert value == pytest.approx(reference(theta), abs=1e-7)
    h = 1e-5
    for j in range(theta.size):
        step = np.zeros(theta.size)
        step[j] = h * theta[j]
        numeric = (reference(theta + step) - reference(theta - step)) / (2 * step[j])
        assert grad[j] == pytest.approx(numeric, rel=1e-5, abs=1e-3)


def test_fits_converge_from_the_first_start(cdnow):
    # The first, data-driven start converges: the others are fallbacks only.
    for model in (BetaGeoModel(n_starts=1), ParetoNBDModel(n_starts=1)):
        model.fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
        assert model.log_likelihood_ > -9596


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


def test_gamma_gamma_newton_fit_agrees_with_bfgs(cdnow_spend, monkeypatch):
    import retention_kit.clv_models as cm

    x, m = cdnow_spend["frequency"], cdnow_spend["monetary_value"]
    newton = GammaGammaModel().fit(x, m)
    assert newton.n_iter_ < 15
    monkeypatch.setattr(cm, "_newton", lambda *args: None)  # force the BFGS fallback
    bfgs = GammaGammaModel().fit(x, m)
    assert newton.log_likelihood_ >= bfgs.log_likelihood_ - 1e-8
    for k in ("p", "q", "gamma"):
        assert newton.params_[k] == pytest.approx(bfgs.params_[k], rel=1e-5)
    np.testing.assert_allclose(newton.summary_["std_error"], bfgs.summary_["std_error"], rtol=1e-3)


def test_summary_exists_only_after_fit(cdnow_spend):
    model = GammaGammaModel()
    assert not hasattr(model, "summary_")
    model.fit(cdnow_spend["frequency"], cdnow_spend["monetary_value"])
    assert model.summary_ is model.summary_
    assert model.summary_["parameter"].tolist() == ["p", "q", "gamma"]


def _rfm_reference(orders: pd.DataFrame, cal_end: str, end: str) -> pd.DataFrame:
    """rfm_summary in plain pandas, day by day (weeks, with holdout)."""
    o = orders[orders["date"] <= end]
    days = o.groupby(["cid", "date"])["amount"].agg(["sum", "min"]).reset_index()
    # a purchase day nets positive, or has no negative line (a free purchase)
    days = days[(days["sum"] > 0) | (days["min"] >= 0)]
    cal = days[days["date"] <= cal_end]
    first = cal.groupby("cid")["date"].transform("min")
    g = cal.assign(rep=np.where(cal["date"] > first, cal["sum"], 0.0)).groupby("cid")
    n = g.size() - 1
    cal_ts, end_ts = pd.Timestamp(cal_end), pd.Timestamp(end)
    out = pd.DataFrame(
        {
            "frequency": n.astype("int64"),
            "recency": (g["date"].max() - g["date"].min()).dt.days / 7,
            "T": (cal_ts - g["date"].min()).dt.days / 7,
            "monetary_value": (g["rep"].sum() / n.where(n > 0)).fillna(0.0),
        }
    )
    hold = days[days["date"] > cal_end].groupby("cid").size()
    out["frequency_holdout"] = hold.reindex(out.index).fillna(0).astype("int64")
    out["duration_holdout"] = (end_ts - cal_ts).days / 7
    out.index.name = "cid"
    return out


@pytest.mark.parametrize("returns", [False, True])
def test_rfm_summary_matches_a_direct_computation(convert, returns):
    from retention_kit.rfm import rfm_summary

    rng = np.random.default_rng(11)
    n = 3000
    orders = pd.DataFrame(
        {
            "cid": rng.integers(0, 400, n),
            "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 500, n), "D"),
            "amount": rng.choice([0.0, 5.0, 12.5, 40.0], n),  # same-day repeats and zeros
        }
    )
    if returns:
        orders.loc[rng.choice(n, 60, replace=False), "amount"] *= -1
    expected = _rfm_reference(orders, "2023-12-31", "2024-04-30")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = rfm_summary(
            convert(orders),
            customer_col="cid",
            date_col="date",
            amount_col="amount",
            observation_end="2024-04-30",
            calibration_end="2023-12-31",
            duplicates="keep",
        )
    pd.testing.assert_frame_equal(out, expected, check_dtype=False, check_exact=False)


def test_rfm_summary_same_day_cancellation_and_free_purchase_days():
    """A day that nets to zero through a cancellation is no purchase; a free day is."""
    from retention_kit.rfm import rfm_summary

    orders = pd.DataFrame(
        {
            "cid": ["a", "a", "a", "b", "b", "c", "c", "c", "c"],
            "when": pd.to_datetime(
                [
                    "2024-01-01",
                    "2024-01-08",  # ordered 25 ...
                    "2024-01-08",  # ... and cancelled in full the same day: no purchase
                    "2024-01-01",
                    "2024-01-05",  # a free order ($0): a purchase worth 0
                    "2024-01-01",
                    "2024-01-09",  # 30 ordered, 10 returned the same day: a purchase of 20
                    "2024-01-09",
                    "2024-01-12",  # a return alone: no purchase
                ]
            ),
            "amount": [10.0, 25.0, -25.0, 5.0, 0.0, 8.0, 30.0, -10.0, -4.0],
        }
    )
    with pytest.warns(match="negative value"):
        rfm = rfm_summary(
            orders, customer_col="cid", date_col="when", amount_col="amount",
            time_unit="day", observation_end="2024-01-15",
        )
    assert rfm.loc["a"].tolist() == [0, 0.0, 14.0, 0.0]
    assert rfm.loc["b"].tolist() == [1, 4.0, 14.0, 0.0]
    assert rfm.loc["c"].tolist() == [1, 8.0, 14.0, 20.0]
