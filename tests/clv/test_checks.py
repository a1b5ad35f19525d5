"""Tests of retention_kit.clv._checks: errors that name the argument and the values."""

from __future__ import annotations

import numpy as np
import pytest

from retention_kit.clv import (
    BetaGeoBetaBinomModel,
    BetaGeoModel,
    GammaGammaModel,
    ShiftedBetaGeoModel,
)
from retention_kit.exceptions import InvalidDataError, RetentionKitError


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


def test_identical_histories_are_collapsed_before_fitting():
    from retention_kit.clv._checks import _collapse

    x = np.array([1.0, 0.0, 1.0, 2.0, 0.0])
    t = np.array([3.0, 0.0, 3.0, 4.0, 0.0])
    (ux, ut), counts = _collapse([x, t], np.array([1.0, 1.0, 2.0, 1.0, 1.0]))
    assert ux.tolist() == [0.0, 1.0, 2.0] and ut.tolist() == [0.0, 3.0, 4.0]
    assert counts.tolist() == [2.0, 3.0, 1.0]


def test_errors_name_the_customers_of_a_frame_indexed_by_customer(cdnow_rfm_pandas):
    rfm = cdnow_rfm_pandas.copy()
    rfm.loc[[5, 9], "recency"] = np.nan
    with pytest.raises(
        InvalidDataError,
        match=r"recency has 2 missing or infinite values: customer 5: recency=nan, "
        r"customer 9: recency=nan\.",
    ):
        BetaGeoModel().fit(rfm)
