"""Shifted-beta-geometric (sBG) model of contract renewals (Fader & Hardie 2007).

Fitted on one cohort's survival curve (customers still subscribed after 0, 1, 2, ...
periods) or its retention rates; projects survival, retention and the discounted expected
residual lifetime (Fader & Hardie 2010). :func:`fit_sbg_cohorts` fits several cohorts'
early years and checks each projection against the later years.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.special import betaln

from .._docstrings import fill_doc
from ..exceptions import InvalidDataError, RetentionKitError
from . import _likelihoods as lik
from ._base import _FittedModel
from ._checks import FloatArray, _array, _check, _index_of, _is_scalar, _shown, _wrap

__all__ = ["ShiftedBetaGeoModel", "fit_sbg_cohorts"]


@fill_doc
class ShiftedBetaGeoModel(_FittedModel):
    """Shifted-beta-geometric model of contract renewals (Fader & Hardie 2007).

    Each customer churns at the end of each period with a constant probability
    ``theta ~ Beta(alpha, beta)``. Heterogeneity makes the cohort's retention rate rise
    with tenure.

    Parameters
    ----------
    %(maxiter)s
    %(n_starts)s

    Attributes
    ----------
    params_ : dict
        ``alpha``, ``beta``.
    summary_, log_likelihood_, n_customers_
        As for :class:`BetaGeoModel`; ``n_customers_`` is the cohort size at period 0.
    n_periods_ : int
        Number of observed periods used in the fit.

    Examples
    --------
    >>> from retention_kit.clv import ShiftedBetaGeoModel, sbg_survival_tables
    >>> regular = sbg_survival_tables()["regular"]
    >>> model = ShiftedBetaGeoModel().fit(regular.loc[:7])
    >>> {k: round(v, 3) for k, v in model.params_.items()}
    {'alpha': 0.704, 'beta': 1.182}
    >>> model.survival([8, 12]).round(1)
    array([22., 17.])
    """

    _param_names = ("alpha", "beta")
    _fit_signature = "fit(survival)"

    def fit(
        self, survival: ArrayLike | None = None, *, retention: ArrayLike | None = None
    ) -> ShiftedBetaGeoModel:
        """Fit the model on a cohort's survival curve or its retention rates.

        Parameters
        ----------
        survival : array-like of float, optional
            Customers still active at the start (period 0) and after periods 1..n, as
            counts or percents (the first value is the cohort size, e.g. 1000 or 100).
        retention : array-like of float, optional
            Instead of ``survival``: retention rates of periods 1..n in percent (share of
            the previous period's customers who renewed). Treated as a cohort of 100.

        Returns
        -------
        ShiftedBetaGeoModel
            The fitted model.

        Raises
        ------
        InvalidDataError
            When the curve increases, has negative values, or both/neither inputs are
            given.
        """
        if (survival is None) == (retention is None):
            msg = (
                "pass exactly one of survival (customers alive at periods 0..n) or "
                "retention= (retention rates of periods 1..n in percent)."
            )
            raise InvalidDataError(msg)
        if retention is not None:
            rates = _array(retention, "retention")
            _check(
                (rates >= 0) & (rates <= 100),
                rates,
                "retention",
                "must be percentages in [0, 100]",
                "Pass rates such as 63.1, not shares such as 0.631... or multiply by 100.",
            )
            curve = 100.0 * np.concatenate([[1.0], np.cumprod(rates / 100.0)])
        else:
            curve = _array(cast(ArrayLike, survival), "survival")  # given: checked above
            _check(curve >= 0, curve, "survival", "must be >= 0", "Pass counts or percents.")
            if curve.size < 2:
                msg = (
                    f"survival needs the cohort size and at least one later period, got "
                    f"{curve.size} value(s)."
                )
                raise InvalidDataError(msg)
            if curve[0] <= 0:
                msg = f"survival[0] is the cohort size and must be > 0, got {curve[0]!r}."
                raise InvalidDataError(msg)
            increases = np.flatnonzero(np.diff(curve) > 1e-12 * curve[0]) + 1
            if increases.size:
                msg = (
                    f"survival must not increase from one period to the next, but it does "
                    f"{_shown(curve, increases, 'survival')}. Pass customers of one cohort "
                    f"alive at periods 0, 1, 2, ... (not new customers)."
                )
                raise InvalidDataError(msg)
        n = curve.size - 1
        periods = np.arange(1, n + 1, dtype=float)
        t = np.concatenate([periods, [float(n)]])
        alive = np.concatenate([np.zeros(n), [1.0]])
        counts = np.concatenate([curve[:-1] - curve[1:], [curve[-1]]])

        def loglik(theta: FloatArray) -> tuple[float, FloatArray]:
            ll, grad = lik.sbg_loglik(theta, t, alive)
            keep = counts > 0
            return float(counts[keep] @ ll[keep]), counts[keep] @ grad[keep]

        self._run_fit(loglik, [[1.0, 1.0], [0.5, 2.0], [2.0, 0.5]], curve[0])
        self.n_periods_ = n
        return self

    def survival(self, t: ArrayLike) -> Any:
        """Return the percent of the cohort still active after ``t`` periods.

        Parameters
        ----------
        t : int or array-like of int
            Periods since acquisition (0 gives 100).

        Returns
        -------
        numpy.ndarray or float
            ``100 * B(alpha, beta + t) / B(alpha, beta)``.
        """
        self._check_fitted("survival")
        tt = _array(t, "t")
        _check(tt >= 0, tt, "t", "must be >= 0", "t counts periods since acquisition.")
        alpha, beta = self._theta()
        out = 100.0 * np.exp(betaln(alpha, beta + tt) - betaln(alpha, beta))
        return _wrap(out, _index_of(t), "survival", _is_scalar(t))

    def retention_rate(self, t: ArrayLike) -> Any:
        """Return the percent of customers active after ``t - 1`` periods who renew at ``t``.

        Parameters
        ----------
        t : int or array-like of int
            Period, from 1.

        Returns
        -------
        numpy.ndarray or float
            ``100 * (beta + t - 1) / (alpha + beta + t - 1)``.
        """
        self._check_fitted("retention_rate")
        tt = _array(t, "t")
        _check(tt >= 1, tt, "t", "must be >= 1", "retention of period t compares t with t - 1.")
        alpha, beta = self._theta()
        out = 100.0 * (beta + tt - 1.0) / (alpha + beta + tt - 1.0)
        return _wrap(out, _index_of(t), "retention_rate", _is_scalar(t))

    def discounted_expected_residual_lifetime(
        self, discount_rate: float, renewals: ArrayLike = 0
    ) -> Any:
        """Return the DERL of a customer who has renewed ``renewals`` times.

        The expected number of future payments, discounted, of a customer standing just
        before their next renewal decision (Fader & Hardie 2010, eq. 6):
        ``sum_{t>=n} S(t) / S(n-1) / (1 + d)^(t-n)`` with ``n = renewals + 1``, in closed
        form ``(beta + n - 1) / (alpha + beta + n - 1) * 2F1(1, beta + n; alpha + beta + n;
        1 / (1 + d))``. Multiply by the payment per period to value the customer.

        Parameters
        ----------
        discount_rate : float
            Discount rate per period, in percent (e.g. 10 for 10 %), > 0.
        renewals : int or array-like of int, default 0
            Renewals made so far (``n - 1``).

        Returns
        -------
        numpy.ndarray or float
            DERL in periods' worth of payments.
        """
        self._check_fitted("discounted_expected_residual_lifetime")
        if not (np.isfinite(discount_rate) and discount_rate > 0):
            msg = (
                f"discount_rate is a percentage per period (e.g. 10 for 10 %), > 0; got "
                f"{discount_rate!r}."
            )
            raise RetentionKitError(msg)
        k = _array(renewals, "renewals")
        _check(k >= 0, k, "renewals", "must be >= 0", "renewals counts past renewals.")
        alpha, beta = self._theta()
        n = k + 1.0
        d = discount_rate / 100
        log_f = lik.log_hyp2f1(1.0, beta + n, alpha + beta + n, 1.0 / (1.0 + d))
        out = (beta + n - 1.0) / (alpha + beta + n - 1.0) * np.exp(log_f)
        return _wrap(out, _index_of(renewals), "derl", _is_scalar(renewals))


def fit_sbg_cohorts(
    survival: pd.DataFrame, *, fit_through: int = 7, discount_rate: float = 10.0
) -> tuple[dict[str, ShiftedBetaGeoModel], pd.DataFrame]:
    """Fit the sBG model on each cohort's early periods and check the later ones.

    The test of Fader & Hardie (2007): fit periods ``0..fit_through`` of each cohort's
    survival curve, project the periods after, and compare with what happened.

    Parameters
    ----------
    survival : pandas.DataFrame
        Index: periods since acquisition (0, 1, 2, ...); one column per cohort of
        customers still active, as counts or percents (e.g.
        :func:`~retention_kit.clv.sbg_survival_tables`).
    fit_through : int, default 7
        Last period the models see; the periods after it are the holdout.
    discount_rate : float, default 10.0
        Discount rate per period in percent, for the DERL of a new customer.

    Returns
    -------
    (dict, pandas.DataFrame)
        The fitted :class:`ShiftedBetaGeoModel` of each cohort (by column name), and a
        table indexed by ``cohort``: ``alpha``, ``beta``, ``last_period`` (the last period
        of the table), ``actual_last`` and ``projected_last`` (percent of the cohort still
        active then), ``largest_gap`` (largest absolute gap between projected and actual
        over the holdout, in percentage points) and ``derl`` (discounted expected
        residual lifetime of a new customer, in renewals).

    Raises
    ------
    InvalidDataError
        When the index does not run 0, 1, 2, ... or leaves no period after
        ``fit_through``.

    Examples
    --------
    >>> from retention_kit.clv import sbg_survival_tables
    >>> from retention_kit.clv.shifted_beta_geo import fit_sbg_cohorts
    >>> models, table = fit_sbg_cohorts(sbg_survival_tables())
    >>> table[["alpha", "beta", "actual_last", "projected_last"]].round(1).reset_index()
         cohort  alpha  beta  actual_last  projected_last
    0   regular    0.7   1.2         17.3            17.0
    1  high_end    0.7   3.8         39.4            37.8
    """
    if not isinstance(survival, pd.DataFrame) or survival.shape[1] == 0:
        msg = (
            "fit_sbg_cohorts: pass a DataFrame with one column of customers still active per "
            "cohort, indexed by period 0, 1, 2, ... (e.g. sbg_survival_tables())."
        )
        raise InvalidDataError(msg)
    periods = survival.index.to_list()
    if periods != list(range(len(periods))):
        msg = (
            f"fit_sbg_cohorts: the index must be the periods 0, 1, 2, ... in order, got "
            f"{periods[:5]}{'...' if len(periods) > 5 else ''}."
        )
        raise InvalidDataError(msg)
    last = len(periods) - 1
    if isinstance(fit_through, bool) or not isinstance(fit_through, int) or not (
        1 <= fit_through < last
    ):
        msg = (
            f"fit_through={fit_through!r} must be a whole period from 1 to {last - 1}, so the "
            f"models see two periods or more and periods {last} and before are left to check."
        )
        raise InvalidDataError(msg)
    holdout = np.arange(fit_through + 1, last + 1)
    models: dict[str, ShiftedBetaGeoModel] = {}
    rows = []
    for cohort in survival.columns:
        curve = survival[cohort].to_numpy(dtype=float)
        model = ShiftedBetaGeoModel().fit(curve[: fit_through + 1])
        actual = 100.0 * curve / curve[0]
        projected = np.asarray(model.survival(holdout), dtype=float)
        models[str(cohort)] = model
        rows.append({
            "cohort": str(cohort),
            **model.params_,
            "last_period": last,
            "actual_last": actual[-1],
            "projected_last": projected[-1],
            "largest_gap": float(np.max(np.abs(projected - actual[holdout]))),
            "derl": float(model.discounted_expected_residual_lifetime(discount_rate)),
        })
    return models, pd.DataFrame(rows).set_index("cohort")
