"""Pareto/NBD model (Schmittlein, Morrison & Colombo 1987; Fader & Hardie 2005).

The optimiser integrates the dropout term by Gauss-Legendre quadrature (agreeing with the
exact hypergeometric series to about 1e-13) and reports the exact log-likelihood.
"""

from __future__ import annotations

import numpy as np

from .._docstrings import fill_doc
from . import _likelihoods as lik
from ._base import _ContinuousModel, _rft_starts
from ._checks import FloatArray

__all__ = ["ParetoNBDModel"]


@fill_doc
class ParetoNBDModel(_ContinuousModel):
    """Pareto/NBD model (Schmittlein, Morrison & Colombo 1987).

    While alive, a customer buys at Poisson rate ``lambda ~ Gamma(r, alpha)``; their
    lifetime is exponential with rate ``mu ~ Gamma(s, beta)``. The likelihood uses the
    Gaussian hypergeometric function, summed in log space with its argument kept in
    ``[0, 1)`` by expanding around the larger of ``alpha`` and ``beta`` (Fader & Hardie
    2005, "A note on deriving the Pareto/NBD model").

    Parameters
    ----------
    %(maxiter)s
    %(n_starts)s

    Attributes
    ----------
    params_ : dict
        ``r``, ``alpha``, ``s``, ``beta``.
    summary_, log_likelihood_, n_customers_
        As for :class:`BetaGeoModel`.

    Examples
    --------
    >>> from retention_kit.clv import ParetoNBDModel, load_cdnow_summary
    >>> s = load_cdnow_summary()
    >>> model = ParetoNBDModel().fit(s)  # or fit(s["frequency"], s["recency"], s["T"])
    >>> {k: round(v, 2) for k, v in model.params_.items()}
    {'r': 0.55, 'alpha': 10.58, 's': 0.61, 'beta': 11.67}
    >>> round(model.log_likelihood_, 1)
    -9595.0
    """

    _param_names = ("r", "alpha", "s", "beta")

    def _objective(self, x, t_x, T, w):
        return lik.pareto_nbd_objective(x, t_x, T, w)

    def _exact(self, x, t_x, T, w):
        return lambda theta: float(w @ lik.pareto_nbd_loglik(theta, x, t_x, T)[0])

    def _starts(self, x, t_x, T, w):
        mean_t = float(np.average(T, weights=w))
        starts = _rft_starts(x, T, w, [(0.5, 0.5, 1.0), (1.0, 1.0, 1.0), (2.0, 2.0, 1.0)])
        for st in starts:
            st[3] = st[2] * mean_t  # mean lifetime about the observation length
        return starts

    def _new_customer(self, t: FloatArray) -> FloatArray:
        r, alpha, s, beta = self._theta()
        return r * beta / alpha * _one_minus_power_over(s - 1.0, np.log1p(t / beta))

    def _alive(self, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
        return np.exp(lik.pareto_nbd_loglik(self._theta(), x, t_x, T)[1])

    def _conditional(
        self,
        t: FloatArray,
        x: FloatArray,
        t_x: FloatArray,
        T: FloatArray,
        p_alive: FloatArray | None = None,
    ) -> FloatArray:
        r, alpha, s, beta = self._theta()
        if p_alive is None:
            p_alive = self._alive(x, t_x, T)
        rate = (r + x) * (beta + T) / (alpha + T)
        return rate * _one_minus_power_over(s - 1.0, np.log1p(t / (beta + T))) * p_alive


def _one_minus_power_over(c: float, log_ratio: FloatArray) -> FloatArray:
    """Return ``(1 - exp(-c * log_ratio)) / c``, continuous at ``c = 0``."""
    if abs(c) < 1e-10:
        return log_ratio
    return -np.expm1(-c * log_ratio) / c
