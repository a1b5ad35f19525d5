"""retention_kit: customer-retention analytics on the frame you already have.

Every rate is a percentage (0-100; NPS -100..100). Data-level functions take a frame
(pandas, Polars, DuckDB, ...) plus keyword column names and return small pandas tables.
"""

from __future__ import annotations

from . import clv_models, datasets, io, model_plots, published_data, reporting
from ._version import __version__ as __version__
from .clv_models import (
    BetaGeoBetaBinomModel,
    BetaGeoModel,
    ConvergenceError,
    GammaGammaModel,
    ParetoNBDModel,
    ShiftedBetaGeoModel,
)
from .cohorts import COHORT_VALUES, cohort_data, cohort_table
from .customer_value import CustomerValue, predict_customer_value
from .exceptions import (
    EmptyDataError,
    InvalidDataError,
    MissingColumnError,
    NotFittedError,
    RetentionKitError,
    RetentionKitWarning,
)
from .intervals import MIN_READABLE_N, wilson_interval
from .metrics import (
    average_order_value,
    churn_rate,
    clv_arpa_churn,
    clv_arpu_retention,
    clv_lifespan_formula,
    clv_repeat_formula,
    clv_retention_margin,
    clv_summary,
    loyal_customer_rate,
    repeat_purchase_rate,
    retention_rate,
    revenue_churn_rate,
)
from .nps import net_promoter_score, nps_change_test, nps_from_counts
from .periods import compare_churn_policies, period_summary, subscription_summary
from .plotting import (
    plot_cohort_heatmap,
    plot_nps,
    plot_nps_shares,
    plot_period_metrics,
    plot_retention_curves,
)
from .rfm import rfm_summary
from .sections import section
from .segments import tidy_segments
from .subscription_plots import plot_mrr_movements, plot_revenue_retention, plot_survival
from .subscriptions import (
    MOVEMENTS,
    compare_survival,
    mrr_movements,
    revenue_cohort_table,
    subscription_lifetimes,
    survival_curves,
)

__all__ = [
    "BetaGeoBetaBinomModel",
    "BetaGeoModel",
    "ConvergenceError",
    "GammaGammaModel",
    "ParetoNBDModel",
    "ShiftedBetaGeoModel",
    "CustomerValue",
    "COHORT_VALUES",
    "MOVEMENTS",
    "MIN_READABLE_N",
    "EmptyDataError",
    "InvalidDataError",
    "MissingColumnError",
    "NotFittedError",
    "RetentionKitError",
    "RetentionKitWarning",
    "average_order_value",
    "churn_rate",
    "clv_arpa_churn",
    "clv_arpu_retention",
    "clv_lifespan_formula",
    "clv_repeat_formula",
    "clv_retention_margin",
    "clv_summary",
    "clv_models",
    "cohort_data",
    "cohort_table",
    "compare_churn_policies",
    "compare_survival",
    "mrr_movements",
    "revenue_cohort_table",
    "subscription_lifetimes",
    "survival_curves",
    "datasets",
    "io",
    "loyal_customer_rate",
    "model_plots",
    "net_promoter_score",
    "nps_change_test",
    "nps_from_counts",
    "period_summary",
    "plot_cohort_heatmap",
    "plot_mrr_movements",
    "plot_nps",
    "plot_nps_shares",
    "plot_period_metrics",
    "plot_retention_curves",
    "plot_revenue_retention",
    "plot_survival",
    "predict_customer_value",
    "published_data",
    "reporting",
    "repeat_purchase_rate",
    "rfm_summary",
    "section",
    "tidy_segments",
    "retention_rate",
    "revenue_churn_rate",
    "subscription_summary",
    "wilson_interval",
]
