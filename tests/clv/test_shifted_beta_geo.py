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


# --- fit_sbg_cohorts: fit the early periods of each cohort, check the later ones -------------


def _exact_cohorts():
    import pandas as pd

    # alpha = beta = 1 gives S(t) = B(1, 1 + t) / B(1, 1) = 1 / (1 + t): 100, 50, 33.3, 25, 20.
    exact = [100 / (1 + t) for t in range(5)]
    counts = [10 * s for s in exact[:4]] + [180.0]  # as counts; the last period 18 %, not 20 %
    return pd.DataFrame({"exact": exact, "counts": counts}, index=range(5))


def test_fit_sbg_cohorts_recovers_an_exact_curve_and_checks_the_holdout():
    from retention_kit.clv.shifted_beta_geo import fit_sbg_cohorts

    models, table = fit_sbg_cohorts(_exact_cohorts(), fit_through=2, discount_rate=10.0)
    assert list(models) == ["exact", "counts"]
    assert table.index.tolist() == ["exact", "counts"]
    assert table["alpha"].tolist() == pytest.approx([1.0, 1.0], rel=1e-4)
    assert table["beta"].tolist() == pytest.approx([1.0, 1.0], rel=1e-4)
    assert table["last_period"].tolist() == [4, 4]
    # projected S(4) = 100 / 5 = 20 %; the counts cohort kept 180 of 1000 = 18 %.
    assert table["projected_last"].tolist() == pytest.approx([20.0, 20.0], rel=1e-4)
    assert table["actual_last"].tolist() == pytest.approx([20.0, 18.0])
    # holdout periods 3 and 4: exact gaps 0; counts cohort 25 vs 25 and 20 vs 18 -> 2 points.
    assert table["largest_gap"].tolist() == pytest.approx([0.0, 2.0], abs=1e-3)
    # DERL of a new customer: sum_{t>=1} q^(t-1) / (t + 1), q = 1 / 1.1,
    # = (-ln(1 - q) - q) / q^2.
    q = 1 / 1.1
    assert table["derl"].tolist() == pytest.approx([(-np.log(1 - q) - q) / q**2] * 2, rel=1e-4)
    assert models["exact"].survival(4) == pytest.approx(20.0, rel=1e-4)


def test_fit_sbg_cohorts_says_what_is_wrong_with_the_table():
    from retention_kit.clv.shifted_beta_geo import fit_sbg_cohorts
    from retention_kit.exceptions import InvalidDataError

    table = _exact_cohorts()
    with pytest.raises(InvalidDataError, match=r"fit_through=4 must be a whole period from 1 to 3"):
        fit_sbg_cohorts(table, fit_through=4)
    with pytest.raises(InvalidDataError, match=r"index must be the periods 0, 1, 2"):
        fit_sbg_cohorts(table.iloc[1:])
    with pytest.raises(InvalidDataError, match="one column of customers still active"):
        fit_sbg_cohorts(table["exact"])
