"""BG/NBD model of repeat purchases and dropout (Fader, Hardie & Lee 2005a).

Estimates reproduce the paper on its CDNOW data (see
:func:`~retention_kit.clv.published_data.load_cdnow_summary`); time units are those of the
data: with ``recency`` and ``T`` in weeks, ``t`` is in weeks.
"""

from __future__ import annotations

import numpy as np

from .._docstrings import fill_doc
from . import _likelihoods as lik
from ._base import _ContinuousModel, _rft_starts
from ._checks import FloatArray, _unique_rows

__all__ = ["BetaGeoModel"]


@fill_doc
class BetaGeoModel(_ContinuousModel):
    """BG/NBD model of repeat purchases and dropout (Fader, Hardie & Lee 2005).

    While alive, a customer buys at Poisson rate ``lambda ~ Gamma(r, alpha)``; after each
    purchase they drop out with probability ``p ~ Beta(a, b)``.

    Parameters
    ----------
    %(maxiter)s
    %(n_starts)s

    Attributes
    ----------
    params_ : dict
        ``r``, ``alpha``, ``a``, ``b``.
    summary_ : pandas.DataFrame
        Estimates, standard errors and 95% intervals.
    log_likelihood_ : float
        Maximised log-likelihood.
    n_customers_ : float
        Number of customers fitted.

    Examples
    --------
    >>> from retention_kit.clv import BetaGeoModel, load_cdnow_summary
    >>> s = load_cdnow_summary()  # columns frequency, recency, T (as rfm_summary gives)
    >>> model = BetaGeoModel().fit(s)  # or fit(s["frequency"], s["recency"], s["T"])
    >>> {k: round(v, 3) for k, v in model.params_.items()}
    {'r': 0.243, 'alpha': 4.414, 'a': 0.793, 'b': 2.426}
    >>> round(model.log_likelihood_, 1)
    -9582.4
    >>> round(model.expected_purchases(39, 2, 30.43, 38.86), 3)
    1.226
    """

    _param_names = ("r", "alpha", "a", "b")

    def _objective(self, x, t_x, T, w):
        return lik.bgnbd_objective(x, t_x, T, w)

    def _starts(self, x, t_x, T, w):
        return _rft_starts(x, T, w, [(0.5, 0.5, 3.0), (1.0, 1.0, 1.0), (2.0, 2.0, 0.5)])

    def _new_customer(self, t: FloatArray) -> FloatArray:
        r, alpha, a, b = self._theta()
        z = t / (alpha + t)
        log_f = lik.log_hyp2f1(r, b, a + b - 1.0, z)
        inner = -np.expm1(r * np.log(alpha / (alpha + t)) + log_f)
        return (a + b - 1.0) / (a - 1.0) * inner

    def _top(self, t: FloatArray, x: FloatArray, T: FloatArray) -> FloatArray:
        """Return ``E[Y(t) | x, T]`` of a customer known to be alive at ``T``."""
        r, alpha, a, b = self._theta()
        z = t / (alpha + T + t)
        log_f = lik.log_hyp2f1(r + x, b + x, a + b + x - 1.0, z)
        inner = -np.expm1((r + x) * np.log((alpha + T) / (alpha + T + t)) + log_f)
        return (a + b + x - 1.0) / (a - 1.0) * inner

    def _p_alive(self, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
        r, alpha, a, b = self._theta()
        with np.errstate(divide="ignore", over="ignore"):
            log_ratio = (
                np.log(a)
                - np.log(np.where(x > 0, b + x - 1.0, 1.0))
                + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
            )
            return np.where(x > 0, 1.0 / (1.0 + np.exp(log_ratio)), 1.0)

    def _alive(self, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
        return self._p_alive(x, t_x, T)

    def _conditional(
        self, t: FloatArray, x: FloatArray, t_x: FloatArray, T: FloatArray
    ) -> FloatArray:
        # The hypergeometric part depends on (t, x, T) only: compute it once per distinct row.
        (ut, ux, u_big_t), inverse = _unique_rows(t, x, T)
        return self._top(ut, ux, u_big_t)[inverse] * self._p_alive(x, t_x, T)
