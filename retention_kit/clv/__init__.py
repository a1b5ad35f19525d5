"""Buy-till-you-die customer models, their input summary and their plots.

Five models of the Fader & Hardie family, fitted by exact maximum likelihood, each
reproducing the estimates published on the papers' own data (:mod:`.published_data`):

======================================  ===============================================
:class:`BetaGeoModel`                   BG/NBD, Fader, Hardie & Lee (2005a)
                                        (:mod:`.beta_geo`)
:class:`ParetoNBDModel`                 Pareto/NBD, Schmittlein, Morrison & Colombo
                                        (1987), as in Fader & Hardie (2005)
                                        (:mod:`.pareto_nbd`)
:class:`GammaGammaModel`                spend per transaction, Fader, Hardie & Lee
                                        (2005b) (:mod:`.gamma_gamma`)
:class:`ShiftedBetaGeoModel`            sBG for subscriptions, Fader & Hardie (2007)
                                        (:mod:`.shifted_beta_geo`)
:class:`BetaGeoBetaBinomModel`          BG/BB for discrete opportunities, Fader, Hardie
                                        & Shang (2010) (:mod:`.beta_geo_beta_binom`)
======================================  ===============================================

:func:`rfm_summary` (:mod:`.rfm`) turns orders into the per-customer table the models
fit: ``BetaGeoModel().fit(rfm_summary(orders))``; arrays, ``fit(f, r, T)``, work too.
What notebook 05 reads off a fit (yearly rates, parameters the data leaves
unpinned) is in :mod:`.model_facts`. The diagnostic plots are in :mod:`.plotting`
(imported on first use, with matplotlib).

The models follow scikit-learn: ``__init__`` stores settings only; ``fit`` validates the
data, sets the attributes that end in ``_`` and returns the model; predicting before
``fit`` raises :class:`~retention_kit.exceptions.NotFittedError`. Every fitted model has

- ``params_``: dict of the maximum-likelihood estimates;
- ``summary_``: DataFrame with columns ``parameter``, ``estimate``, ``std_error`` (from
  the inverse Hessian of the negative log-likelihood at the optimum) and ``ci_lower``,
  ``ci_upper`` (95% interval, computed on the log scale so that it stays positive);
- ``log_likelihood_``: the maximised log-likelihood;
- ``n_customers_``: the number of customers (the sum of the weights).

The likelihoods (:mod:`._likelihoods`) are evaluated in log space and maximised over the
logs of the parameters (:mod:`._optimize`); identical customer histories are collapsed
into weights first. A fit that does not converge raises
:class:`~retention_kit.exceptions.ConvergenceError` rather than returning estimates.

Time units are those of the data: with ``recency`` and ``T`` in weeks, ``t`` is in weeks.
"""

from __future__ import annotations

import importlib
from typing import Any

from ..exceptions import ConvergenceError
from .beta_geo import BetaGeoModel
from .beta_geo_beta_binom import BetaGeoBetaBinomModel
from .diagnostics import FitDiagnostics, diagnostics_box
from .gamma_gamma import GammaGammaModel, IndependenceCheck
from .pareto_nbd import ParetoNBDModel
from .published_data import (
    load_cdnow_sample,
    load_cdnow_summary,
    load_donations,
    sbg_survival_tables,
)
from .rfm import rfm_summary
from .shifted_beta_geo import ShiftedBetaGeoModel, fit_sbg_cohorts

__all__ = [
    "BetaGeoBetaBinomModel",
    "BetaGeoModel",
    "ConvergenceError",
    "FitDiagnostics",
    "GammaGammaModel",
    "IndependenceCheck",
    "ParetoNBDModel",
    "ShiftedBetaGeoModel",
    "diagnostics_box",
    "fit_sbg_cohorts",
    "load_cdnow_sample",
    "load_cdnow_summary",
    "load_donations",
    "plot_calibration_holdout",
    "plot_cumulative_transactions",
    "plot_frequency_recency_matrix",
    "plot_probability_alive_matrix",
    "plot_sbg_projection",
    "rfm_summary",
    "sbg_survival_tables",
]

#: Plot functions, imported on first use (matplotlib is not loaded by the models).
_PLOTS = {
    "plot_calibration_holdout",
    "plot_cumulative_transactions",
    "plot_frequency_recency_matrix",
    "plot_probability_alive_matrix",
    "plot_sbg_projection",
}


def __getattr__(name: str) -> Any:
    if name in _PLOTS:
        return getattr(importlib.import_module(".plotting", __name__), name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted(set(globals()) | _PLOTS)
