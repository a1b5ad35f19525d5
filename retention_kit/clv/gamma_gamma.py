"""Gamma-Gamma model of the average spend per transaction (Fader, Hardie & Lee 2005b).

With a purchase model (:class:`~retention_kit.clv.BetaGeoModel` or
:class:`~retention_kit.clv.ParetoNBDModel`) it values each customer:
:meth:`GammaGammaModel.customer_lifetime_value`. Its exact Hessian is cheap, so it is
fitted by Newton's method from a moment estimate (BFGS only when that fails).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .._arguments import NOT_GIVEN, renamed
from .._docstrings import fill_doc
from .._frames import TimeUnit, days_per
from ..exceptions import InvalidDataError, RetentionKitError
from . import _likelihoods as lik
from ._base import _FittedModel
from ._checks import (
    FloatArray,
    _array,
    _broadcast,
    _check,
    _check_whole,
    _collapse,
    _index_of,
    _is_scalar,
    _same_length,
    _unique_rows,
    _validate_rft,
    _weights,
    _wrap,
    customer_inputs,
    weights_input,
)
from .beta_geo import BetaGeoModel
from .pareto_nbd import ParetoNBDModel

__all__ = ["GammaGammaModel", "IndependenceCheck"]


class _PurchaseModel(Protocol):
    def expected_purchases(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Any: ...


_SPEND_COLUMNS = "frequency_col", "monetary_value_col"


def _spend_inputs(
    frequency: Any, monetary_value: Any, columns: tuple[str, str], call: str
) -> list[Any]:
    """``frequency`` and ``monetary_value``: two arrays, or the columns of a frame."""
    return customer_inputs(
        frequency,
        {"monetary_value": monetary_value},
        dict(zip(_SPEND_COLUMNS, columns, strict=True)),
        call=f"GammaGammaModel.{call}(frequency, monetary_value)",
    )


@dataclass(frozen=True)
class IndependenceCheck:
    """Correlation between purchase frequency and average spend of repeat customers.

    Attributes
    ----------
    correlation : float
        Pearson correlation between ``frequency`` and ``monetary_value``.
    n_customers : int
        Customers used (those with ``frequency > 0``).
    note : str
        Plain-language reading of the correlation for the Gamma-Gamma assumption.
    """

    correlation: float
    n_customers: int
    note: str


def _gamma_gamma_start(x: FloatArray, m: FloatArray, w: FloatArray) -> list[float]:
    """Moment estimates of ``(p, q, gamma)``: the Gamma-Gamma fit's first start.

    Given ``nu``, ``m`` has mean ``p / nu`` and variance ``p / (x nu^2)``, so
    ``E[m^2 | x] = (p^2 + p / x) E[nu^-2]``: the weighted regression of ``m^2`` on
    ``1 / x`` has slope / intercept ``1 / p``. Then ``E[m^2] / E[m]^2 = (1 + E[1/x] / p)
    (q - 1) / (q - 2)`` gives ``q``, and ``E[m] = p gamma / (q - 1)`` gives ``gamma``.
    Each estimate is clipped to a sensible range; Newton's method does the rest.
    """
    total = float(w.sum())
    inv_x = 1.0 / x
    m2 = m * m
    mean_ix = float(w @ inv_x) / total
    mean_m = float(w @ m) / total
    mean_m2 = float(w @ m2) / total
    var_ix = float(w @ (inv_x - mean_ix) ** 2) / total
    slope = float(w @ ((inv_x - mean_ix) * m2)) / total / var_ix if var_ix > 0 else 0.0
    intercept = mean_m2 - slope * mean_ix
    p = intercept / slope if slope > 0 and intercept > 0 else 2.0
    p = min(max(p, 0.5), 50.0)
    ratio = mean_m2 / (mean_m * mean_m) / (1.0 + mean_ix / p)
    q = (2.0 * ratio - 1.0) / (ratio - 1.0) if ratio > 1.0 else 20.0
    q = min(max(q, 2.1), 50.0)
    return [p, q, mean_m * (q - 1.0) / p]


@fill_doc
class GammaGammaModel(_FittedModel):
    """Gamma-Gamma model of the average spend per transaction (Fader, Hardie & Lee 2005).

    A customer's spend per transaction is Gamma(``p``, ``nu``) around their mean
    ``p / nu``, with ``nu ~ Gamma(q, gamma)`` across customers. The model assumes spend is
    independent of purchase frequency: see :meth:`check_independence`.

    Parameters
    ----------
    %(maxiter)s
    %(n_starts)s

    Attributes
    ----------
    params_ : dict
        ``p``, ``q``, ``gamma``.
    summary_, log_likelihood_, n_customers_
        As for :class:`BetaGeoModel`.

    Examples
    --------
    >>> import numpy as np
    >>> from retention_kit.clv import GammaGammaModel
    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(1, 8, size=2000)
    >>> nu = rng.gamma(4.0, 1 / 20.0, size=2000)
    >>> spend = rng.gamma(6.0 * x, 1 / (nu * x))
    >>> model = GammaGammaModel().fit(x, spend)
    >>> sorted(model.params_)
    ['gamma', 'p', 'q']
    """

    _param_names = ("p", "q", "gamma")
    _fit_signature = "fit(frequency, monetary_value)"

    @staticmethod
    def _validate(
        frequency: ArrayLike, monetary_value: ArrayLike, *, repeat_only: bool
    ) -> tuple[FloatArray, FloatArray]:
        x = _array(frequency, "frequency")
        m = _array(monetary_value, "monetary_value")
        x, m = _broadcast(frequency=x, monetary_value=m)
        _check_whole(x, "frequency", "frequency counts repeat purchases.")
        if repeat_only:
            _check(
                x > 0,
                x,
                "frequency",
                "must be > 0 (the Gamma-Gamma model is fitted on repeat customers)",
                "Keep repeat customers only, e.g. fit(rfm[rfm['frequency'] > 0]) or "
                "fit(f[f > 0], m[f > 0]).",
            )
            _check(
                m > 0,
                m,
                "monetary_value",
                "must be > 0 (spend per repeat purchase)",
                "The Gamma-Gamma model needs positive spend: fit on customers with positive "
                "repeat spend: rfm[rfm['monetary_value'] > 0].",
            )
        return x.astype(float), m.astype(float)

    def fit(
        self,
        frequency: ArrayLike | pd.DataFrame,
        monetary_value: ArrayLike | None = None,
        weights: ArrayLike | None = None,
        *,
        frequency_col: str = "frequency",
        monetary_value_col: str = "monetary_value",
        weights_col: str | None = None,
    ) -> GammaGammaModel:
        """Fit the model on repeat customers.

        Pass the repeat customers' rows of the :func:`~retention_kit.clv.rfm_summary`
        frame, ``fit(rfm[rfm["frequency"] > 0])``, or two arrays.

        Parameters
        ----------
        frequency : DataFrame or array-like of int
            The customer summary frame, or the number of repeat transactions (``x > 0``).
        monetary_value : array-like of float, optional
            With arrays: mean spend of those repeat transactions (``m_x > 0``).
        weights : array-like of float, optional
            Number of customers with each row (default one each).
        frequency_col, monetary_value_col : str
            With a frame: the columns of ``x`` and ``m_x``.
        weights_col : str, optional
            With a frame: the column with the number of customers of each row.

        Returns
        -------
        GammaGammaModel
            The fitted model.

        Raises
        ------
        MissingColumnError
            When the frame lacks one of the named columns.
        InvalidDataError
            When a frequency is 0 or a spend is not positive.
        ConvergenceError
            When the optimiser does not converge.
        """
        columns = (frequency_col, monetary_value_col)
        inputs = _spend_inputs(frequency, monetary_value, columns, "fit")
        x, m = self._validate(*inputs, repeat_only=True)
        n = _same_length(frequency=x, monetary_value=m)
        w = _weights(weights_input(frequency, weights, weights_col), n)
        (x, m), counts = _collapse([x, m], w)
        newton = lik.gamma_gamma_newton_objective(x, m, counts)

        def loglik(theta: FloatArray) -> tuple[float, FloatArray]:
            value, grad, _ = newton(theta, hessian=False)
            return value, grad

        mean_m = float(np.average(m, weights=counts))
        starts = [
            _gamma_gamma_start(x, m, counts),
            [1.0, 1.0, mean_m],
            [5.0, 3.0, mean_m],
            [2.0, 5.0, 2 * mean_m],
        ]
        self._run_fit(loglik, starts, counts.sum(), newton=newton)
        return self

    def expected_average_spend(
        self,
        frequency: ArrayLike | pd.DataFrame,
        monetary_value: ArrayLike | None = None,
        *,
        frequency_col: str = "frequency",
        monetary_value_col: str = "monetary_value",
    ) -> Any:
        """Return each customer's expected spend per transaction.

        ``E[M | p, q, gamma, m_x, x]``: a weighted mean of the population mean
        ``p * gamma / (q - 1)`` and the customer's own mean ``m_x``, with weight
        ``p * x / (p * x + q - 1)`` on the latter. Customers with ``x = 0`` get the
        population mean.

        Parameters
        ----------
        frequency : DataFrame or array-like of int
            The customer summary frame, or the repeat transactions.
        monetary_value : array-like of float, optional
            With arrays: mean spend of the repeat transactions (ignored where
            ``frequency`` is 0).
        frequency_col, monetary_value_col : str
            With a frame: its columns, as in :meth:`fit`.

        Returns
        -------
        pandas.Series, numpy.ndarray or float
            Expected spend per transaction (a Series on the frame's index for a frame).
        """
        self._check_fitted("expected_average_spend")
        inputs = _spend_inputs(
            frequency, monetary_value, (frequency_col, monetary_value_col), "expected_average_spend"
        )
        x, m = self._validate(*inputs, repeat_only=False)
        p, q, v = self._theta()
        if q <= 1:
            msg = (
                f"expected_average_spend needs q > 1 (the population mean spend is "
                f"p * gamma / (q - 1)), but the fitted q is {q:.4g}."
            )
            raise RetentionKitError(msg)
        weight = p * x / (p * x + q - 1.0)
        out = (1.0 - weight) * p * v / (q - 1.0) + weight * np.where(x > 0, m, 0.0)
        return _wrap(out, _index_of(*inputs), "expected_average_spend", _is_scalar(*inputs))

    @staticmethod
    def check_independence(
        frequency: ArrayLike | pd.DataFrame,
        monetary_value: ArrayLike | None = None,
        *,
        frequency_col: str = "frequency",
        monetary_value_col: str = "monetary_value",
    ) -> IndependenceCheck:
        """Check the model's assumption that spend does not depend on frequency.

        Parameters
        ----------
        frequency : DataFrame or array-like of int
            The customer summary frame, or the repeat transactions; customers with 0 are
            left out.
        monetary_value : array-like of float, optional
            With arrays: mean spend of the repeat transactions.
        frequency_col, monetary_value_col : str
            With a frame: its columns, as in :meth:`fit`.

        Returns
        -------
        IndependenceCheck
            Pearson correlation of the repeat customers and a note.

        Examples
        --------
        >>> GammaGammaModel.check_independence([1, 2, 3, 4], [10.0, 12.0, 9.0, 11.0]).note[:5]
        'weak '
        """
        inputs = _spend_inputs(
            frequency, monetary_value, (frequency_col, monetary_value_col), "check_independence"
        )
        x, m = GammaGammaModel._validate(*inputs, repeat_only=False)
        keep = x > 0
        if keep.sum() < 3:
            msg = (
                f"check_independence needs at least 3 customers with frequency > 0, got "
                f"{int(keep.sum())}."
            )
            raise InvalidDataError(msg)
        corr = float(np.corrcoef(x[keep], m[keep])[0, 1])
        size = abs(corr)
        if size < 0.3:
            note = (
                f"weak correlation ({corr:.3f}): the independence assumption of the "
                f"Gamma-Gamma model is reasonable."
            )
        else:
            note = (
                f"correlation {corr:.3f} is not small: spend depends on frequency, so the "
                f"Gamma-Gamma model's independence assumption is doubtful."
            )
        return IndependenceCheck(correlation=corr, n_customers=int(keep.sum()), note=note)

    def customer_lifetime_value(
        self,
        purchase_model: _PurchaseModel,
        frequency: ArrayLike | pd.DataFrame,
        recency: ArrayLike | None = None,
        T: ArrayLike | None = None,
        monetary_value: ArrayLike | None = None,
        time: int = 12,
        discount_rate: float = 1.0,
        time_unit: TimeUnit = "week",
        *,
        frequency_col: str = "frequency",
        recency_col: str = "recency",
        T_col: str = "T",
        monetary_value_col: str = "monetary_value",
        freq_unit: Any = NOT_GIVEN,
    ) -> Any:
        """Return the discounted value of each customer's expected purchases.

        ``CLV = sum_{i=1..time} (E[Y(t_i)] - E[Y(t_{i-1})]) * E[M] / (1 + d)^i`` with
        monthly steps ``t_i`` (in the data's unit), the purchase model's conditional
        expectation ``E[Y]`` and this model's expected spend ``E[M]``.

        Parameters
        ----------
        purchase_model : BetaGeoModel or ParetoNBDModel
            A fitted purchase model.
        frequency, recency, T : array-like, or the customer summary frame
            Customer summaries, in ``time_unit``: four arrays (with ``monetary_value``),
            or the :func:`~retention_kit.clv.rfm_summary` frame alone (then pass
            ``time``, ``discount_rate`` and ``time_unit`` by keyword).
        monetary_value : array-like of float, optional
            With arrays: mean spend of the repeat purchases (any value where
            ``frequency`` is 0).
        time : int, default 12
            Horizon in months.
        discount_rate : float, default 1.0
            Discount rate per month, in percent like every rate of the package (1.0 % a
            month is about 12.7 % a year).
        time_unit : {"week", "day", "month", "year"}, default "week"
            Time unit of ``recency`` and ``T`` (a month is 365.25 / 12 days).
        frequency_col, recency_col, T_col, monetary_value_col : str
            With a frame: its columns.
        freq_unit : str, optional
            Deprecated: the old name of ``time_unit``, accepted with a ``FutureWarning``
            for one release.

        Returns
        -------
        pandas.Series, numpy.ndarray or float
            Customer lifetime value in the unit of ``monetary_value`` (a Series on the
            frame's index for a frame).

        Examples
        --------
        >>> import numpy as np
        >>> from retention_kit.clv import BetaGeoModel, GammaGammaModel
        >>> bg = BetaGeoModel()
        >>> bg.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # published
        >>> gg = GammaGammaModel()
        >>> gg.params_ = {"p": 6.25, "q": 3.74, "gamma": 15.44}
        >>> clv = gg.customer_lifetime_value(bg, [0, 2], [0.0, 30.43], [38.86, 38.86],
        ...                                  [0.0, 22.35], time=12, discount_rate=1.0)
        >>> np.round(clv, 2)
        array([ 8.37, 36.31])
        """
        self._check_fitted("customer_lifetime_value")
        time_unit = renamed("freq_unit", freq_unit, "time_unit", time_unit, default="week")
        if not hasattr(purchase_model, "expected_purchases"):
            msg = (
                f"purchase_model must be a fitted BetaGeoModel or ParetoNBDModel, got "
                f"{type(purchase_model).__name__}."
            )
            raise RetentionKitError(msg)
        per_month = days_per("month") / days_per(time_unit)
        if not (isinstance(time, int | np.integer) and time >= 1):
            msg = f"time must be a whole number of months >= 1, got {time!r}."
            raise RetentionKitError(msg)
        if not (np.isfinite(discount_rate) and discount_rate > -100):
            msg = (
                f"discount_rate is a percentage per month (e.g. 1.0 for 1 %), > -100; got "
                f"{discount_rate!r}."
            )
            raise RetentionKitError(msg)
        inputs = customer_inputs(
            frequency,
            {"recency": recency, "T": T, "monetary_value": monetary_value},
            {
                "frequency_col": frequency_col,
                "recency_col": recency_col,
                "T_col": T_col,
                "monetary_value_col": monetary_value_col,
            },
            call="GammaGammaModel.customer_lifetime_value(purchase_model, frequency, recency, "
            "T, monetary_value)",
        )
        x, t_x, big_t = _validate_rft(*inputs[:3])
        _, m = self._validate(x, inputs[3], repeat_only=False)
        _same_length(frequency=x, recency=t_x, T=big_t, monetary_value=m)
        spend = np.asarray(self.expected_average_spend(x, m), dtype=float)
        cumulative = _cumulative_expected(
            purchase_model, np.arange(1, time + 1, dtype=float) * per_month, x, t_x, big_t
        )
        increments = np.diff(cumulative, axis=0, prepend=0.0)
        discount = (1.0 + discount_rate / 100) ** -np.arange(1, time + 1, dtype=float)
        out = spend * (discount @ increments)
        return _wrap(out, _index_of(*inputs), "clv", _is_scalar(*inputs))


def _cumulative_expected(
    model: _PurchaseModel, steps: FloatArray, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> FloatArray:
    """Return expected purchases in ``(0, step]`` per step (rows) and customer (columns)."""
    if isinstance(model, ParetoNBDModel):
        model._check_fitted("expected_purchases")
        p_alive = model._alive(x, t_x, T)
        return np.stack([model._conditional(s, x, t_x, T, p_alive) for s in steps])
    if isinstance(model, BetaGeoModel):
        model._check_fitted("expected_purchases")
        (ux, u_big_t), inverse = _unique_rows(x, T)
        p_alive = model._alive(x, t_x, T)
        return np.stack([model._top(np.full(ux.size, s), ux, u_big_t)[inverse] for s in steps]) * (
            p_alive
        )
    return np.stack([np.asarray(model.expected_purchases(s, x, t_x, T)) for s in steps])
