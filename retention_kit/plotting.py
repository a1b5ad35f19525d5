"""Every plot of cohort tables, period summaries and NPS tables, in one namespace.

The functions live in modules named for what they draw: :mod:`.cohort_plots`
(:func:`plot_cohort_heatmap`, :func:`plot_retention_curves`), :mod:`.period_plots`
(:func:`plot_period_metrics`) and :mod:`.nps_plots` (:func:`plot_nps`,
:func:`plot_nps_shares`); this module re-exports them.

Every plot in retention_kit follows one contract: ``plot_<thing>(data, *, ..., ax=None,
**kwargs)`` draws on ``ax`` (the current axes, ``plt.gca()``, when ``ax`` is None), passes
``kwargs`` to the one underlying seaborn or matplotlib call, labels the axes with
``ax.set(...)``, never calls ``plt.show()``, never changes its input, and returns the axes.

Rates are percentages (0-100); NPS runs from -100 to 100. Bad input (not a frame, a
missing column, a wrong shape) raises :class:`~retention_kit.exceptions.RetentionKitError`
saying what was expected.
"""

from __future__ import annotations

from .cohort_plots import plot_cohort_heatmap, plot_retention_curves
from .nps_plots import plot_nps, plot_nps_shares
from .period_plots import plot_period_metrics

__all__ = [
    "plot_cohort_heatmap",
    "plot_nps",
    "plot_nps_shares",
    "plot_period_metrics",
    "plot_retention_curves",
]
