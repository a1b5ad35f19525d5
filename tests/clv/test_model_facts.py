"""model_facts: the numbers notebook 05 reads off a fitted model, worked by hand."""

from __future__ import annotations

import pytest

from retention_kit.clv import BetaGeoModel, ShiftedBetaGeoModel, sbg_survival_tables
from retention_kit.clv.model_facts import bgnbd_rates, unpinned_parameters
from retention_kit.exceptions import NotFittedError, RetentionKitError, RetentionKitWarning


def _fitted_sbg():
    return ShiftedBetaGeoModel().fit(sbg_survival_tables()["regular"].loc[:7] * 10)


def _bgnbd(params):
    model = BetaGeoModel()
    model.params_ = params  # as if fitted: the rates only read the estimates
    return model


def test_unpinned_parameters_is_empty_when_every_error_is_finite():
    model = _fitted_sbg()
    assert (model.summary_["std_error"] > 0).all()
    assert unpinned_parameters(model) == []


def test_unpinned_parameters_names_the_parameters_not_their_row_numbers():
    # Two customers cannot identify four parameters: the Hessian is singular, every
    # std_error is NaN, and the names (not the rows 0..3 of summary_) come back.
    with pytest.warns(RetentionKitWarning, match="Standard errors could not be computed"):
        model = BetaGeoModel().fit([1, 0], [3.0, 0.0], [5.0, 4.0])
    assert model.summary_.index.tolist() == [0, 1, 2, 3]
    assert unpinned_parameters(model) == ["r", "alpha", "a", "b"]


def test_bgnbd_rates_by_hand():
    model = _bgnbd({"r": 0.3, "alpha": 6.0, "a": 1.0, "b": 3.0})
    # 0.3 / 6 = 0.05 purchases a day -> 0.05 * 365.25 a year; a / (a + b) = 1 / 4.
    assert bgnbd_rates(model, time_unit="day") == pytest.approx(
        {"purchases_per_year": 18.2625, "dropout_percent": 25.0}
    )
    weekly = bgnbd_rates(model, time_unit="week")["purchases_per_year"]
    assert weekly == pytest.approx(0.05 * 365.25 / 7)


def test_model_facts_need_a_fitted_model_of_the_right_kind():
    with pytest.raises(NotFittedError, match="bgnbd_rates: this BetaGeoModel is not fitted"):
        bgnbd_rates(BetaGeoModel())
    with pytest.raises(NotFittedError, match="unpinned_parameters: this ShiftedBetaGeoModel"):
        unpinned_parameters(ShiftedBetaGeoModel())
    with pytest.raises(RetentionKitError, match="pass a fitted BetaGeoModel, got ShiftedBeta"):
        bgnbd_rates(_fitted_sbg())
    with pytest.raises(RetentionKitError, match="time_unit"):
        bgnbd_rates(_bgnbd({"r": 0.3, "alpha": 6.0, "a": 1.0, "b": 3.0}), time_unit="fortnight")
