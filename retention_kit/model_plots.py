"""Moved to :mod:`retention_kit.clv.plotting`; kept for one release.

Import the plot functions from ``retention_kit.clv`` instead. This module only re-exports
them.
"""

from __future__ import annotations

from .clv.plotting import (
    plot_calibration_holdout,
    plot_cumulative_transactions,
    plot_frequency_recency_matrix,
    plot_probability_alive_matrix,
    plot_sbg_projection,
)

__all__ = [
    "plot_calibration_holdout",
    "plot_cumulative_transactions",
    "plot_frequency_recency_matrix",
    "plot_probability_alive_matrix",
    "plot_sbg_projection",
]
