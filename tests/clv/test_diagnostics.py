"""Fit diagnostics (issue 11 item 1): the rules, their sentences, the one warning."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import integrate

from retention_kit.clv import (
    BetaGeoModel,
    FitDiagnostics,
    GammaGammaModel,
    ParetoNBDModel,
    diagnostics_box,
    load_cdnow_summary,
)
from retention_kit.clv.diagnostics import DROPOUT_SENTENCE, diagnose
from retention_kit.exceptions import RetentionKitWarning


@pytest.fixture(scope="module")
def no_dropout():
    """500 customers buying at Poisson rates lambda ~ Gamma(2, 2) per week; nobody leaves."""
    rng = np.random.default_rng(1)
    n = 500
    big_t = rng.uniform(20, 52, n)
    lam = rng.gamma(2.0, 0.5, n)
    x = rng.poisson(lam * big_t)
    # the last of x uniform purchase times in (0, T]
    t_x = np.where(x > 0, big_t * rng.uniform(size=n) ** (1.0 / np.maximum(x, 1)), 0.0)
    return x, t_x, big_t


@pytest.mark.parametrize("model", [BetaGeoModel, ParetoNBDModel])
def test_cdnow_is_identified_without_warning(model):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = model().fit(load_cdnow_summary()).diagnostics_
    assert d.identified and d.problems == []
    assert d.converged and d.hessian_positive_definite and d.finite_standard_errors
    assert d.at_bound == () and not d.too_few_repeat_buyers and not d.history_too_short
    assert str(d) == "No problem found: the fit is identified."


def test_bgnbd_without_dropout_is_not_identified(no_dropout):
    with pytest.warns(RetentionKitWarning, match="BetaGeoModel.fit: the fit is not") as rec:
        m = BetaGeoModel().fit(*no_dropout)
    ours = [w for w in rec if w.category is RetentionKitWarning]
    assert len(ours) == 1
    assert DROPOUT_SENTENCE in str(ours[0].message)
    d = m.diagnostics_
    assert m.params_["a"] < 1e-3 and m.params_["b"] > 1e3
    assert not d.identified
    assert d.problems[0] == (
        "The data does not identify dropout; P(alive) is close to 100 % for everyone and "
        "means nothing here."
    )
    assert set(d.at_bound) == {"a", "b"}
    assert DROPOUT_SENTENCE in str(d)
    # everyone's P(alive) is close to 1: the sentence is true
    assert float(np.min(m.probability_alive(*no_dropout))) > 0.99


def test_pareto_without_dropout_is_not_identified(no_dropout):
    with pytest.warns(RetentionKitWarning, match="ParetoNBDModel.fit: the fit is not identified"):
        m = ParetoNBDModel().fit(*no_dropout)
    d = m.diagnostics_
    assert m.params_["s"] < 1e-3
    assert d.problems[0] == DROPOUT_SENTENCE
    assert "s" in d.at_bound and not d.identified
    # the 2F1 series does not converge at s -> 0, beta -> inf: quadrature keeps it finite
    p = m.probability_alive(*no_dropout)
    assert np.isfinite(m.log_likelihood_) and np.isfinite(p).all() and float(p.min()) > 0.99


def test_two_customers_too_few_repeat_buyers():
    with pytest.warns(RetentionKitWarning, match=r"Only 2 customers bought more than once"):
        m = BetaGeoModel().fit([2, 3], [10.0, 20.0], [30.0, 30.0])
    assert m.diagnostics_.too_few_repeat_buyers and not m.diagnostics_.identified


def test_short_history_relative_to_purchase_rate():
    # 40 repeat buyers, one gap of 10 weeks each (t_x / x = 10), all seen for 12 weeks:
    # median T = 12 < 2 * 10, so the history is too short (the rule, on CDNOW's estimates).
    m = BetaGeoModel().fit(load_cdnow_summary())
    x = np.ones(40)
    history = (x, np.full(40, 10.0), np.full(40, 12.0), np.ones(40))
    with pytest.warns(RetentionKitWarning, match=r"shorter than 2 mean gaps between purchases"):
        d = diagnose(m, history)
    assert d.history_too_short and not d.too_few_repeat_buyers
    assert d.problems == [
        "The median customer history (12 time units) is shorter than 2 mean gaps between "
        "purchases (10 each): a pause cannot be told apart from dropout."
    ]


def test_gamma_gamma_cdnow_identified():
    s = load_cdnow_summary()
    assert isinstance(BetaGeoModel().fit(s).diagnostics_, FitDiagnostics)
    spend = s[s["frequency"] > 0]
    rng = np.random.default_rng(0)
    spend = rng.gamma(6.0, 5.0, size=len(spend))  # any positive spend
    d = GammaGammaModel().fit(s.loc[s["frequency"] > 0, "frequency"], spend).diagnostics_
    assert d.identified and d.problems == []


def test_box_is_markdown_with_the_sentences(no_dropout):
    with pytest.warns(RetentionKitWarning):
        d = BetaGeoModel().fit(*no_dropout).diagnostics_
    box = diagnostics_box(d, model="BG/NBD")
    assert box.startswith("> **Caution: BG/NBD is not identified by these data.**")
    assert f"> - {DROPOUT_SENTENCE}" in box
    ok = BetaGeoModel().fit(load_cdnow_summary()).diagnostics_
    assert diagnostics_box(ok) == ""


def _p_alive_by_integration(x, t_x, big_t, r, alpha, s, beta):
    """P(alive) = 1 / (1 + R), R = E[mu / (lambda + mu) (exp((lambda + mu)(T - t_x)) - 1)]
    with lambda ~ Gamma(r + x, rate alpha + T), mu ~ Gamma(s, rate beta + T) (the
    individual Pareto/NBD likelihood weighted by the priors)."""
    from scipy.stats import gamma

    d = big_t - t_x
    lam = gamma(r + x, scale=1.0 / (alpha + big_t))
    mu = gamma(s, scale=1.0 / (beta + big_t))

    def inner(m, lo):
        return m / (lo + m) * np.expm1((lo + m) * d) * mu.pdf(m)

    def outer(lo):
        cut = [1e-6, 1e-3]
        return lam.pdf(lo) * integrate.quad(inner, 0, 1.0, args=(lo,), limit=200, points=cut)[0]

    lo, hi = lam.ppf(1e-12), lam.ppf(1 - 1e-12)
    r_ = integrate.quad(outer, lo, hi, limit=200)[0]
    return 1.0 / (1.0 + r_)


def test_pareto_p_alive_finite_on_extreme_history():
    m = ParetoNBDModel()
    m.params_ = {"r": 0.5143, "alpha": 2.8845, "s": 0.2856, "beta": 14.1087}
    p = float(m.probability_alive(221, 103.43, 103.57))
    assert np.isfinite(p) and 0.0 <= p <= 1.0
    expected = _p_alive_by_integration(221, 103.43, 103.57, 0.5143, 2.8845, 0.2856, 14.1087)
    assert expected == pytest.approx(0.99960537, abs=1e-6)
    assert p == pytest.approx(expected, abs=1e-6)


def test_discrete_and_contract_models_carry_diagnostics():
    from retention_kit.clv import (
        BetaGeoBetaBinomModel,
        ShiftedBetaGeoModel,
        load_donations,
        sbg_survival_tables,
    )

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bgbb = BetaGeoBetaBinomModel().fit(load_donations(), weights_col="weights")
        sbg = ShiftedBetaGeoModel().fit(sbg_survival_tables()["regular"].loc[:7])
    for model in (bgbb, sbg):
        d = model.diagnostics_
        assert d.identified and d.problems == [] and d.at_bound == ()
        # the data-based rules are those of the continuous-time models only
        assert not d.too_few_repeat_buyers and not d.history_too_short


def test_a0_quadrature_fallback_agrees_with_the_series_on_cdnow():
    from retention_kit.clv import _likelihoods as lik

    s = load_cdnow_summary()
    x, t_x, big_t = (s[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    theta = np.array([0.5143, 2.8845, 0.2856, 14.1087])
    series = lik.pareto_nbd_log_a0(theta, x, t_x, big_t)
    quad = lik._log_a0_quadrature(*(np.full(x.size, v) for v in theta), x, t_x, big_t)
    both = np.isfinite(series)
    assert both.sum() > 2000
    np.testing.assert_allclose(quad[both], series[both], rtol=1e-12)
