"""What a fitted purchase model says, in the numbers notebook 05 states.

:func:`unpinned_parameters` names the parameters the data do not pin down (no finite
standard error); :func:`bgnbd_rates` turns the BG/NBD parameters into purchases a year of
a living customer and the share who leave after each purchase.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._frames import TimeUnit
from ..conversions import time_units_per
from ..exceptions import NotFittedError, RetentionKitError
from .beta_geo import BetaGeoModel

__all__ = ["bgnbd_rates", "unpinned_parameters"]


def _check_fitted(model: Any, func: str) -> None:
    if not hasattr(model, "params_"):
        msg = f"{func}: this {type(model).__name__} is not fitted yet; call fit(...) first."
        raise NotFittedError(msg)


def unpinned_parameters(model: Any) -> list[str]:
    """Parameters of a fitted model whose standard error is not a finite positive number.

    The data do not pin such a parameter down (a flat likelihood in its direction, or an
    estimate at its bound): read the model's predictions with care.

    Parameters
    ----------
    model : fitted model
        Any model of :mod:`retention_kit.clv` after ``fit``.

    Returns
    -------
    list of str
        Parameter names, in the model's order; empty when all are pinned down.

    Raises
    ------
    NotFittedError
        When the model is not fitted yet.

    Examples
    --------
    >>> from retention_kit.clv import ShiftedBetaGeoModel, sbg_survival_tables
    >>> model = ShiftedBetaGeoModel().fit(sbg_survival_tables()["regular"].loc[:7] * 10)
    >>> unpinned_parameters(model)
    []
    """
    _check_fitted(model, "unpinned_parameters")
    summary = model.summary_
    error = summary["std_error"].to_numpy(dtype=float)
    unsure = ~(np.isfinite(error) & (error > 0))
    return [str(name) for name in summary.loc[unsure, "parameter"]]


def bgnbd_rates(model: BetaGeoModel, *, time_unit: TimeUnit = "week") -> dict[str, float]:
    """Purchases a year of a living customer, and the percent who leave after a purchase.

    In the BG/NBD model a living customer buys at the mean rate ``r / alpha`` per time
    unit, and after each purchase leaves for good with the mean probability
    ``a / (a + b)``.

    Parameters
    ----------
    model : BetaGeoModel
        Fitted BG/NBD model.
    time_unit : {"day", "week", "month", "year"}, default "week"
        Unit of the recency and ``T`` the model was fitted on.

    Returns
    -------
    dict
        ``purchases_per_year`` and ``dropout_percent``.

    Raises
    ------
    RetentionKitError
        When ``model`` is not a :class:`~retention_kit.clv.BetaGeoModel`.
    NotFittedError
        When it is not fitted yet.

    Examples
    --------
    >>> from retention_kit.clv import BetaGeoModel
    >>> model = BetaGeoModel()
    >>> model.params_ = {"r": 0.25, "alpha": 5.0, "a": 0.8, "b": 2.4}  # fitted elsewhere
    >>> rates = bgnbd_rates(model, time_unit="week")  # 0.05 a week * 365.25 / 7; 0.8 / 3.2
    >>> {k: round(v, 3) for k, v in rates.items()}
    {'purchases_per_year': 2.609, 'dropout_percent': 25.0}
    """
    if not isinstance(model, BetaGeoModel):
        msg = f"bgnbd_rates: pass a fitted BetaGeoModel, got {type(model).__name__}."
        raise RetentionKitError(msg)
    _check_fitted(model, "bgnbd_rates")
    p = model.params_
    return {
        "purchases_per_year": p["r"] / p["alpha"] * time_units_per("year", time_unit),
        "dropout_percent": 100 * p["a"] / (p["a"] + p["b"]),
    }
