"""Moved to :mod:`retention_kit.clv._likelihoods`; kept for one release.

Private module; this one only re-exports the public functions of the new one.
"""

from __future__ import annotations

from .clv._likelihoods import (
    NewtonObjective,
    Objective,
    bgbb_loglik,
    bgbb_objective,
    bgnbd_loglik,
    bgnbd_objective,
    gamma_gamma_loglik,
    gamma_gamma_newton_objective,
    gamma_gamma_objective,
    log_diff_exp,
    log_hyp2f1,
    pareto_nbd_log_a0,
    pareto_nbd_loglik,
    pareto_nbd_objective,
    sbg_loglik,
)

__all__ = [
    "NewtonObjective",
    "Objective",
    "bgbb_loglik",
    "bgbb_objective",
    "bgnbd_loglik",
    "bgnbd_objective",
    "gamma_gamma_loglik",
    "gamma_gamma_newton_objective",
    "gamma_gamma_objective",
    "log_diff_exp",
    "log_hyp2f1",
    "pareto_nbd_log_a0",
    "pareto_nbd_loglik",
    "pareto_nbd_objective",
    "sbg_loglik",
]
