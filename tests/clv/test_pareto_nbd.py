"""Tests of retention_kit.clv.pareto_nbd."""

from __future__ import annotations

import numpy as np

from retention_kit.clv import ParetoNBDModel


def test_pareto_nbd_reproduces_published_estimates(assert_published, pareto):
    assert_published(pareto, {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}, -9595.0)
    assert pareto.summary_["std_error"].notna().all()


def test_pareto_conditional_tends_to_new_customer_expectation(pareto):
    new = pareto.expected_purchases_new_customer(np.array([10.0, 52.0]))
    cond = pareto.expected_purchases(np.array([10.0, 52.0]), 0, 0.0, 1e-9)
    np.testing.assert_allclose(cond, new, rtol=1e-6)


def test_pareto_nbd_matches_lifetimes_at_published_parameters():
    # Reference values: lifetimes 0.11.3 at the same (published) parameters.
    x, t_x, big_t = [0, 2, 10], [0.0, 30.43, 35.0], [38.86] * 3
    pn = ParetoNBDModel()
    pn.params_ = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    np.testing.assert_allclose(
        pn.expected_purchases(52, x, t_x, big_t), [0.136201, 1.850827, 8.16249], rtol=1e-6
    )
    np.testing.assert_allclose(
        pn.probability_alive(x, t_x, big_t), [0.2952866, 0.86916756, 0.92733209], rtol=1e-7
    )
