"""BG/BB model for discrete transaction opportunities (Fader, Hardie & Shang 2010).

Reproduces the paper's estimates on its donations data (see
:func:`~retention_kit.clv.published_data.load_donations`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.special import betaln

from .._docstrings import fill_doc
from ..exceptions import RetentionKitError
from . import _likelihoods as lik
from ._base import _FittedModel
from ._checks import (
    FloatArray,
    _array,
    _broadcast,
    _check,
    _check_no_recency_without_repeats,
    _check_whole,
    _collapse,
    _index_of,
    _is_scalar,
    _same_length,
    _weights,
    _wrap,
    weights_input,
)

__all__ = ["BetaGeoBetaBinomModel"]


def _validate_bgbb(
    frequency: ArrayLike, recency: ArrayLike, n_periods: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Validate discrete-time (frequency, recency, n_periods) customer histories."""
    x = _array(frequency, "frequency")
    t_x = _array(recency, "recency")
    n = _array(n_periods, "n_periods")
    x, t_x, n = _broadcast(frequency=x, recency=t_x, n_periods=n)
    for arr, name in ((x, "frequency"), (t_x, "recency"), (n, "n_periods")):
        _check_whole(arr, name, "BG/BB counts transaction opportunities.")
    _check(n >= 1, n, "n_periods", "must be >= 1", "n_periods is the opportunities observed.")
    _check(
        t_x <= n,
        t_x,
        "recency",
        "must be <= n_periods",
        "recency is the opportunity of the last transaction.",
    )
    _check(
        x <= t_x,
        x,
        "frequency",
        "must be <= recency",
        "with one transaction per opportunity, x transactions need at least x opportunities.",
    )
    _check_no_recency_without_repeats(x, t_x, "transactions")
    return x.astype(float), t_x.astype(float), n.astype(float)


@fill_doc
class BetaGeoBetaBinomModel(_FittedModel):
    """BG/BB model for discrete transaction opportunities (Fader, Hardie & Shang 2010).

    At each opportunity a living customer transacts with probability ``p ~ Beta(alpha,
    beta)``, and becomes inactive at the start of each opportunity with probability
    ``theta ~ Beta(gamma, delta)``.

    Parameters
    ----------
    %(maxiter)s
    %(n_starts)s

    Attributes
    ----------
    params_ : dict
        ``alpha``, ``beta``, ``gamma``, ``delta``.
    summary_, log_likelihood_, n_customers_
        As for :class:`BetaGeoModel`.

    Examples
    --------
    >>> from retention_kit.clv import BetaGeoBetaBinomModel, load_donations
    >>> d = load_donations()  # columns frequency, recency, periods, weights
    >>> model = BetaGeoBetaBinomModel().fit(d, weights_col="weights")
    >>> {k: round(v, 3) for k, v in model.params_.items()}
    {'alpha': 1.204, 'beta': 0.75, 'gamma': 0.657, 'delta': 2.783}
    >>> round(model.log_likelihood_, 1)
    -33225.6
    """

    _param_names = ("alpha", "beta", "gamma", "delta")
    _fit_signature = "fit(frequency, recency, n_periods)"
    _inputs = ("frequency", "recency", "n_periods")

    def _validate_histories(self, *inputs: Any) -> tuple[FloatArray, FloatArray, FloatArray]:
        return _validate_bgbb(*inputs)

    def fit(
        self,
        frequency: ArrayLike | pd.DataFrame,
        recency: ArrayLike | None = None,
        n_periods: ArrayLike | None = None,
        weights: ArrayLike | None = None,
        *,
        frequency_col: str = "frequency",
        recency_col: str = "recency",
        n_periods_col: str = "periods",
        weights_col: str | None = None,
    ) -> BetaGeoBetaBinomModel:
        """Fit the model by maximum likelihood.

        Pass a frame of histories (as :func:`~retention_kit.clv.load_donations` returns),
        ``fit(d, weights_col="weights")``, or three arrays.

        Parameters
        ----------
        frequency : DataFrame or array-like of int
            The frame of customer histories, or the repeat transactions ``x`` in the
            ``n_periods`` opportunities.
        recency : array-like of int, optional
            With arrays: opportunity of the last transaction ``t_x`` (0 when ``x`` is 0).
        n_periods : array-like of int, optional
            With arrays: transaction opportunities observed ``n``.
        weights : array-like of float, optional
            Number of customers with each history (default one each).
        frequency_col, recency_col, n_periods_col : str
            With a frame: the columns of ``x``, ``t_x`` and ``n``.
        weights_col : str, optional
            With a frame: the column with the number of customers of each history.

        Returns
        -------
        BetaGeoBetaBinomModel
            The fitted model.

        Raises
        ------
        MissingColumnError
            When the frame lacks one of the named columns.
        InvalidDataError
            When ``x > t_x``, ``t_x > n`` or a value is negative or fractional.
        ConvergenceError
            When the optimiser does not converge.
        """
        columns = (frequency_col, recency_col, n_periods_col)
        _, (x, t_x, n) = self._customers((frequency, recency, n_periods), columns, "fit")
        size = _same_length(frequency=x, recency=t_x, n_periods=n)
        w = _weights(weights_input(frequency, weights, weights_col), size)
        (x, t_x, n), counts = _collapse([x, t_x, n], w)

        loglik = lik.bgbb_objective(x, t_x, n, counts)
        starts = [[1.0, 1.0, 1.0, 1.0], [0.5, 2.0, 0.5, 2.0], [2.0, 0.5, 2.0, 5.0]]
        self._run_fit(loglik, starts, counts.sum())
        return self

    def _log_lik_rows(self, x: FloatArray, t_x: FloatArray, n: FloatArray) -> FloatArray:
        return lik.bgbb_loglik(self._theta(), x, t_x, n)[0]

    def probability_alive(
        self,
        frequency: ArrayLike | pd.DataFrame,
        recency: ArrayLike | None = None,
        n_periods: ArrayLike | None = None,
        periods_ahead: int = 1,
        *,
        frequency_col: str = "frequency",
        recency_col: str = "recency",
        n_periods_col: str = "periods",
    ) -> Any:
        """Return the probability that each customer is alive at opportunity ``n + k``.

        Parameters
        ----------
        frequency, recency, n_periods : array-like of int, or a frame of histories
            Customer histories as in :meth:`fit`: three arrays, or the frame alone.
        periods_ahead : int, default 1
            ``k``: 1 gives ``P(alive in period n + 1)``, eq. (11) of the paper.
        frequency_col, recency_col, n_periods_col : str
            With a frame: its columns, as in :meth:`fit`.

        Returns
        -------
        pandas.Series, numpy.ndarray or float
            Probabilities.
        """
        self._check_fitted("probability_alive")
        columns = (frequency_col, recency_col, n_periods_col)
        inputs, (x, t_x, n) = self._customers(
            (frequency, recency, n_periods), columns, "probability_alive"
        )
        if not (isinstance(periods_ahead, int | np.integer) and periods_ahead >= 0):
            msg = f"periods_ahead must be a whole number >= 0, got {periods_ahead!r}."
            raise RetentionKitError(msg)
        alpha, beta, gamma, delta = self._theta()
        log_alive = (
            betaln(alpha + x, beta + n - x)
            - betaln(alpha, beta)
            + betaln(gamma, delta + n + periods_ahead)
            - betaln(gamma, delta)
        )
        p = np.exp(log_alive - self._log_lik_rows(x, t_x, n))
        return _wrap(p, _index_of(*inputs), "probability_alive", _is_scalar(*inputs))

    def expected_purchases(
        self,
        future_periods: int,
        frequency: ArrayLike | pd.DataFrame,
        recency: ArrayLike | None = None,
        n_periods: ArrayLike | None = None,
        *,
        frequency_col: str = "frequency",
        recency_col: str = "recency",
        n_periods_col: str = "periods",
    ) -> Any:
        """Return each customer's expected transactions in the next opportunities.

        ``E[X(n, n + n*) | x, t_x, n]`` (Fader, Hardie & Shang 2010, eq. 13), written as
        a sum over the ``n*`` future opportunities.

        Parameters
        ----------
        future_periods : int
            ``n*``, the number of future opportunities.
        frequency, recency, n_periods : array-like of int, or a frame of histories
            Customer histories as in :meth:`fit`: three arrays, or the frame alone.
        frequency_col, recency_col, n_periods_col : str
            With a frame: its columns, as in :meth:`fit`.

        Returns
        -------
        pandas.Series, numpy.ndarray or float
            Expected transactions.
        """
        self._check_fitted("expected_purchases")
        columns = (frequency_col, recency_col, n_periods_col)
        inputs, (x, t_x, n) = self._customers(
            (frequency, recency, n_periods), columns, "expected_purchases"
        )
        k = self._future_periods(future_periods)
        alpha, beta, gamma, delta = self._theta()
        log_p = betaln(alpha + x + 1.0, beta + n - x) - betaln(alpha, beta)
        steps = np.arange(1, k + 1, dtype=float)[:, None]
        log_alive = betaln(gamma, delta + n[None, :] + steps) - betaln(gamma, delta)
        total = np.exp(log_alive).sum(axis=0) if k else np.zeros(x.size)
        out = np.exp(log_p - self._log_lik_rows(x, t_x, n)) * total
        return _wrap(out, _index_of(*inputs), "expected_purchases", _is_scalar(*inputs))

    def expected_purchases_new_customer(self, n_periods: int) -> float:
        """Return the expected transactions of a new customer in ``n_periods`` opportunities.

        Parameters
        ----------
        n_periods : int
            Opportunities.

        Returns
        -------
        float
            ``E[X(n)] = alpha / (alpha + beta) * sum_{t=1..n} B(gamma, delta + t) /
            B(gamma, delta)``.
        """
        self._check_fitted("expected_purchases_new_customer")
        k = self._future_periods(n_periods, name="n_periods")
        alpha, beta, gamma, delta = self._theta()
        steps = np.arange(1, k + 1, dtype=float)
        alive = np.exp(betaln(gamma, delta + steps) - betaln(gamma, delta)).sum()
        return float(alpha / (alpha + beta) * alive)

    @staticmethod
    def _future_periods(value: int, name: str = "future_periods") -> int:
        if not (isinstance(value, int | np.integer) and value >= 0):
            msg = f"{name} must be a whole number of opportunities >= 0, got {value!r}."
            raise RetentionKitError(msg)
        return int(value)
