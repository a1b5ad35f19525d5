"""Tests of retention_kit.clv.shifted_beta_geo."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import betaln

from retention_kit.clv import ShiftedBetaGeoModel, sbg_survival_tables

REL = 0.01


@pytest.mark.parametrize(
    ("cohort", "alpha", "beta", "max_gap"),
    [("regular", 0.704, 1.182, 0.35), ("high_end", 0.668, 3.806, 1.7)],
)
def test_sbg_reproduces_fader_hardie_2007(assert_published, cohort, alpha, beta, max_gap):
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
