"""Shared base of the models in :mod:`retention_kit.clv`.

Private module:

- :class:`_FittedModel`: the scikit-learn contract (settings in ``__init__``; ``fit`` sets
  ``params_``, ``summary_``, ``log_likelihood_``, ``n_customers_``, ``diagnostics_`` (a
  :class:`~retention_kit.clv.diagnostics.FitDiagnostics`; one warning when the fit is not
  identified) and returns the model;
  predicting before ``fit`` raises :class:`~retention_kit.exceptions.NotFittedError`);
- :class:`_ContinuousModel`: ``fit`` and the predictions shared by the continuous-time
  purchase models (BG/NBD, Pareto/NBD), on arrays or on the customer summary frame.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ..exceptions import NotFittedError, RetentionKitError
from . import _likelihoods as lik
from ._checks import (
    FloatArray,
    _array,
    _broadcast,
    _check,
    _collapse,
    _index_of,
    _is_scalar,
    _same_length,
    _validate_rft,
    _weights,
    _wrap,
    customer_inputs,
    weights_input,
)
from ._optimize import LogLik, maximize
from .diagnostics import diagnose

# --------------------------------------------------------------------------------------
# base class


class _FittedModel:
    """Shared fitted-state handling: ``params_``, ``summary_`` and the not-fitted error."""

    _param_names: tuple[str, ...] = ()
    _fit_signature = "fit(...)"

    def __init__(self, *, maxiter: int = 1000, n_starts: int = 3) -> None:
        self.maxiter = maxiter
        self.n_starts = n_starts

    def __repr__(self) -> str:
        if hasattr(self, "params_"):
            inner = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
            return f"{type(self).__name__}({inner}; fitted on {self.n_customers_:g})"
        return f"{type(self).__name__}(maxiter={self.maxiter}, n_starts={self.n_starts})"

    def _check_settings(self) -> None:
        if not (isinstance(self.maxiter, int | np.integer) and self.maxiter >= 1):
            msg = f"maxiter must be a positive integer, got {self.maxiter!r}."
            raise RetentionKitError(msg)
        if not (isinstance(self.n_starts, int | np.integer) and self.n_starts >= 1):
            msg = f"n_starts must be a positive integer, got {self.n_starts!r}."
            raise RetentionKitError(msg)

    def _check_fitted(self, method: str) -> None:
        if not hasattr(self, "params_"):
            msg = (
                f"this {type(self).__name__} is not fitted yet: call "
                f"{self._fit_signature} before {method}()."
            )
            raise NotFittedError(msg)

    #: The per-customer inputs of the methods that take customer histories (see
    #: :meth:`_customers`), and the check of their values.
    _inputs: tuple[str, str, str] = ("frequency", "recency", "T")

    def _validate_histories(self, *inputs: Any) -> tuple[FloatArray, FloatArray, FloatArray]:
        raise NotImplementedError

    def _customers(
        self, values: tuple[Any, Any, Any], columns: tuple[str, str, str], method: str
    ) -> tuple[list[Any], tuple[FloatArray, FloatArray, FloatArray]]:
        """The inputs of ``method`` (three arrays, or the columns of a frame), validated.

        ``values`` are the arguments as passed (a frame first, then None, or three arrays);
        ``columns`` the ``*_col`` keywords. Returns the inputs, to keep their index, and
        their validated arrays.
        """
        inputs = customer_inputs(
            values[0],
            dict(zip(self._inputs[1:], values[1:], strict=True)),
            {f"{name}_col": col for name, col in zip(self._inputs, columns, strict=True)},
            call=f"{type(self).__name__}.{method}({', '.join(self._inputs)})",
        )
        return inputs, self._validate_histories(*inputs)

    def _run_fit(
        self,
        loglik: LogLik,
        starts: Sequence[Sequence[float]],
        n: float,
        exact: Callable[[FloatArray], float] | None = None,
        newton: lik.NewtonObjective | None = None,
        history: tuple[FloatArray, FloatArray, FloatArray, FloatArray] | None = None,
    ) -> None:
        self._check_settings()
        result = maximize(
            loglik,
            list(starts)[: self.n_starts],
            model=type(self).__name__,
            names=self._param_names,
            maxiter=int(self.maxiter),
            scale=float(n),
            exact=exact,
            newton=newton,
        )
        self.params_ = {k: float(v) for k, v in zip(self._param_names, result.params, strict=True)}
        self._mle = result
        self._summary: pd.DataFrame | None = None
        self.log_likelihood_ = result.log_likelihood
        self.n_customers_ = float(n)
        self.n_iter_ = result.n_iter
        self.diagnostics_ = diagnose(self, history)

    @property
    def summary_(self) -> pd.DataFrame:
        """Estimates, standard errors and 95% intervals, one row per parameter.

        Built from the fit's results on first access (a DataFrame costs more than some
        fits), then kept.
        """
        result = self.__dict__.get("_mle")
        if result is None:
            msg = f"{type(self).__name__!r} object has no attribute 'summary_'"
            raise AttributeError(msg)
        if self._summary is None:
            self._summary = pd.DataFrame(
                {
                    "parameter": list(self._param_names),
                    "estimate": result.params,
                    "std_error": result.std_error,
                    "ci_lower": result.ci_lower,
                    "ci_upper": result.ci_upper,
                }
            )
        return self._summary

    def _theta(self) -> FloatArray:
        return np.array([self.params_[k] for k in self._param_names])


class _ContinuousModel(_FittedModel):
    """Shared API of the continuous-time models (BG/NBD, Pareto/NBD)."""

    _fit_signature = "fit(frequency, recency, T)"

    def _validate_histories(self, *inputs: Any) -> tuple[FloatArray, FloatArray, FloatArray]:
        return _validate_rft(*inputs)

    def _objective(self, x: FloatArray, t_x: FloatArray, T: FloatArray, w: FloatArray) -> LogLik:
        raise NotImplementedError

    def _exact(
        self, x: FloatArray, t_x: FloatArray, T: FloatArray, w: FloatArray
    ) -> Callable[[FloatArray], float] | None:
        return None

    def _starts(
        self, x: FloatArray, t_x: FloatArray, T: FloatArray, w: FloatArray
    ) -> list[list[float]]:
        raise NotImplementedError

    def fit(
        self,
        frequency: ArrayLike | pd.DataFrame,
        recency: ArrayLike | None = None,
        T: ArrayLike | None = None,
        weights: ArrayLike | None = None,
        *,
        frequency_col: str = "frequency",
        recency_col: str = "recency",
        T_col: str = "T",
        weights_col: str | None = None,
    ) -> Any:
        """Fit the model by maximum likelihood on customer summaries.

        Pass the :func:`~retention_kit.clv.rfm_summary` frame, ``fit(rfm)``, or three
        arrays, ``fit(frequency, recency, T)``; both give the same estimates.

        Parameters
        ----------
        frequency : DataFrame or array-like of int
            The customer summary frame (one row per customer, with the columns named
            below), or the repeat purchases of each customer in the calibration period
            (``x``).
        recency : array-like of float, optional
            With arrays: time from the first to the last purchase (``t_x``); 0 when
            ``frequency`` is 0.
        T : array-like of float, optional
            With arrays: time from the first purchase to the end of the calibration period.
        weights : array-like of float, optional
            Number of customers with each history (default one each).
        frequency_col, recency_col, T_col : str
            With a frame: the columns of ``x``, ``t_x`` and ``T``.
        weights_col : str, optional
            With a frame: the column with the number of customers of each row.

        Returns
        -------
        self
            The fitted model.

        Raises
        ------
        MissingColumnError
            When the frame lacks one of the named columns.
        InvalidDataError
            When a value is negative, missing, ``recency > T`` or the lengths differ.
        ConvergenceError
            When the optimiser does not converge.
        """
        _, (x, t_x, big_t) = self._customers(
            (frequency, recency, T), (frequency_col, recency_col, T_col), "fit"
        )
        n = _same_length(frequency=x, recency=t_x, T=big_t)
        w = _weights(weights_input(frequency, weights, weights_col), n)
        (x, t_x, big_t), counts = _collapse([x, t_x, big_t], w)
        self._run_fit(
            self._objective(x, t_x, big_t, counts),
            self._starts(x, t_x, big_t, counts),
            counts.sum(),
            exact=self._exact(x, t_x, big_t, counts),
            history=(x, t_x, big_t, counts),
        )
        self.calibration_frequency_ = x
        self.calibration_T_ = big_t
        self.calibration_weights_ = counts
        return self

    def probability_alive(
        self,
        frequency: ArrayLike | pd.DataFrame,
        recency: ArrayLike | None = None,
        T: ArrayLike | None = None,
        *,
        frequency_col: str = "frequency",
        recency_col: str = "recency",
        T_col: str = "T",
    ) -> Any:
        """Return the probability that each customer is still alive at ``T``.

        Parameters
        ----------
        frequency, recency, T : array-like, or the customer summary frame
            Customer summaries as in :meth:`fit`: three arrays, or the frame alone.
        frequency_col, recency_col, T_col : str
            With a frame: its columns, as in :meth:`fit`.

        Returns
        -------
        pandas.Series, numpy.ndarray or float
            ``P(alive | x, t_x, T)`` (a Series on the frame's index for a frame); the
            BG/NBD gives exactly 1 to customers without repeat purchases.

        Examples
        --------
        >>> from retention_kit.clv import BetaGeoModel, load_cdnow_summary
        >>> s = load_cdnow_summary()
        >>> m = BetaGeoModel().fit(s)
        >>> m.probability_alive(0, 0, 38.86)
        1.0
        >>> round(float(m.probability_alive(s).iloc[0]), 3)
        0.727
        """
        self._check_fitted("probability_alive")
        inputs, (x, t_x, big_t) = self._customers(
            (frequency, recency, T), (frequency_col, recency_col, T_col), "probability_alive"
        )
        p = self._alive(x, t_x, big_t)
        return _wrap(p, _index_of(*inputs), "probability_alive", _is_scalar(*inputs))

    def expected_purchases(
        self,
        t: ArrayLike,
        frequency: ArrayLike | pd.DataFrame,
        recency: ArrayLike | None = None,
        T: ArrayLike | None = None,
        *,
        frequency_col: str = "frequency",
        recency_col: str = "recency",
        T_col: str = "T",
    ) -> Any:
        """Return each customer's expected purchases in the next ``t`` time units.

        The conditional expectation ``E[Y(t) | x, t_x, T]``: eq. (10) of Fader, Hardie &
        Lee (2005) for the BG/NBD, eq. (22) of Fader & Hardie (2005) for the Pareto/NBD.

        Parameters
        ----------
        t : float or array-like
            Length of the future period, in the unit of the data.
        frequency, recency, T : array-like, or the customer summary frame
            Customer summaries as in :meth:`fit`: three arrays, or the frame alone.
        frequency_col, recency_col, T_col : str
            With a frame: its columns, as in :meth:`fit`.

        Returns
        -------
        pandas.Series, numpy.ndarray or float
            Expected purchases (a Series on the frame's index for a frame).
        """
        self._check_fitted("expected_purchases")
        inputs, (x, t_x, big_t) = self._customers(
            (frequency, recency, T), (frequency_col, recency_col, T_col), "expected_purchases"
        )
        tt = _array(t, "t")
        _check(tt >= 0, tt, "t", "must be >= 0", "t is the length of the future period.")
        tt, x, t_x, big_t = _broadcast(t=tt, frequency=x, recency=t_x, T=big_t)
        out = self._conditional(tt, x, t_x, big_t)
        idx = _index_of(*inputs, t)
        return _wrap(out, idx, "expected_purchases", _is_scalar(t, *inputs))

    def _alive(self, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
        raise NotImplementedError

    def _conditional(
        self, t: FloatArray, x: FloatArray, t_x: FloatArray, T: FloatArray
    ) -> FloatArray:
        raise NotImplementedError

    def expected_purchases_new_customer(self, t: ArrayLike) -> Any:
        """Return the expected repeat purchases of a new customer in ``(0, t]``.

        Parameters
        ----------
        t : float or array-like of float
            Time since the first purchase, in the unit of the data.

        Returns
        -------
        float or numpy.ndarray
            ``E[X(t)]``.
        """
        self._check_fitted("expected_purchases_new_customer")
        tt = _array(t, "t")
        _check(tt >= 0, tt, "t", "must be >= 0", "t is a duration since the first purchase.")
        return _wrap(self._new_customer(tt), _index_of(t), "expected_purchases", _is_scalar(t))

    def _new_customer(self, t: FloatArray) -> FloatArray:
        raise NotImplementedError

    def expected_repeat_purchases_population(
        self, times: ArrayLike, *, birth_times: ArrayLike | None = None
    ) -> FloatArray:
        """Return cumulative expected repeat purchases of a population over time.

        For the tracking plot: each customer is born (first purchase) at their birth time
        and makes ``E[X(t - birth)]`` repeat purchases by time ``t``.

        Parameters
        ----------
        times : array-like of float
            Times since the earliest birth, in the unit of the data.
        birth_times : array-like of float, optional
            Birth time of each customer. By default, the calibration customers, born at
            ``max(T) - T`` (they share one end of calibration).

        Returns
        -------
        numpy.ndarray
            Expected cumulative repeat purchases at each of ``times``, summed over the
            customers.
        """
        self._check_fitted("expected_repeat_purchases_population")
        tt = _array(times, "times")
        if birth_times is None:
            births = self.calibration_T_.max() - self.calibration_T_
            w = self.calibration_weights_
        else:
            births = _array(birth_times, "birth_times")
            w = np.ones(births.size)
        births, inverse = np.unique(births, return_inverse=True)
        w = np.bincount(inverse.ravel(), weights=w).astype(float)
        ages = np.clip(tt[:, None] - births[None, :], 0.0, None)
        return self._new_customer(ages.ravel()).reshape(ages.shape) @ w


def _rft_starts(
    x: FloatArray, T: FloatArray, w: FloatArray, shapes: Sequence[tuple[float, float, float]]
) -> list[list[float]]:
    """Return starting points ``(r, alpha, a_or_s, b_or_beta)`` in the data's time unit."""
    mean_x = max(float(np.average(x, weights=w)), 0.05)
    mean_t = float(np.average(T, weights=w))
    out = []
    for r, c, d in shapes:
        alpha = r * mean_t / mean_x
        out.append([r, alpha, c, d])
    return out
