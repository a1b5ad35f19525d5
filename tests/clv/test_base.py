"""Tests of retention_kit.clv._base: the fitted-model contract."""

from __future__ import annotations

import pytest

from retention_kit.clv import (
    BetaGeoBetaBinomModel,
    BetaGeoModel,
    GammaGammaModel,
    ParetoNBDModel,
    ShiftedBetaGeoModel,
)
from retention_kit.exceptions import NotFittedError


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


def test_repr_shows_settings_then_estimates(cdnow):
    model = BetaGeoModel(maxiter=50)
    assert repr(model) == "BetaGeoModel(maxiter=50, n_starts=3)"
    model.fit(cdnow)
    assert repr(model) == "BetaGeoModel(r=0.2426, alpha=4.414, a=0.7929, b=2.426; fitted on 2357)"
