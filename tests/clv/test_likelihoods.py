"""Tests of retention_kit.clv._likelihoods: special functions, likelihoods, gradients."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import hyp2f1

from retention_kit.clv import _likelihoods as lik
from retention_kit.clv import load_cdnow_summary, load_donations


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


def test_the_old_private_path_still_reexports():
    import retention_kit._likelihoods as old

    assert old.log_hyp2f1 is lik.log_hyp2f1
