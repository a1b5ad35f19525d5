"""Tests of retention_kit.clv._optimize: convergence, starts, Newton and BFGS."""

from __future__ import annotations

import numpy as np
import pytest

from retention_kit.clv import BetaGeoModel, GammaGammaModel, ParetoNBDModel
from retention_kit.exceptions import ConvergenceError, RetentionKitError


def test_non_convergence_raises_instead_of_returning_estimates(cdnow):
    with pytest.raises(ConvergenceError, match="did not converge.*maxiter=1"):
        BetaGeoModel(maxiter=1).fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert not hasattr(BetaGeoModel(maxiter=1), "params_")


def test_fits_converge_from_the_first_start(cdnow):
    # The first, data-driven start converges: the others are fallbacks only.
    for model in (BetaGeoModel(n_starts=1), ParetoNBDModel(n_starts=1)):
        model.fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
        assert model.log_likelihood_ > -9596


def test_gamma_gamma_newton_fit_agrees_with_bfgs(cdnow_spend, monkeypatch):
    import retention_kit.clv._optimize as cm

    x, m = cdnow_spend["frequency"], cdnow_spend["monetary_value"]
    newton = GammaGammaModel().fit(x, m)
    assert newton.n_iter_ < 15
    monkeypatch.setattr(cm, "_newton", lambda *args: None)  # force the BFGS fallback
    bfgs = GammaGammaModel().fit(x, m)
    assert newton.log_likelihood_ >= bfgs.log_likelihood_ - 1e-8
    for k in ("p", "q", "gamma"):
        assert newton.params_[k] == pytest.approx(bfgs.params_[k], rel=1e-5)
    np.testing.assert_allclose(newton.summary_["std_error"], bfgs.summary_["std_error"], rtol=1e-3)


def test_convergence_error_is_one_class_on_every_path():
    import retention_kit

    assert retention_kit.ConvergenceError is ConvergenceError
    assert issubclass(ConvergenceError, RetentionKitError)
