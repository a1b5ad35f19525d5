"""retention_kit: customer-retention analytics on the frame you already have.

Every rate is a percentage (0-100; NPS -100..100). Data-level functions take a frame
(pandas, Polars, DuckDB, ...) plus keyword column names and return small pandas tables.
"""

from __future__ import annotations

from . import datasets
from .exceptions import (
    EmptyDataError,
    InvalidDataError,
    MissingColumnError,
    NotFittedError,
    RetentionKitError,
    RetentionKitWarning,
)
from .intervals import MIN_READABLE_N, wilson_interval
from .cohorts import COHORT_VALUES, cohort_data, cohort_table
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
from .periods import compare_churn_policies, period_summary, subscription_summary

__version__ = "0.1.0"

__all__ = [
    "MIN_READABLE_N",
    "EmptyDataError",
    "InvalidDataError",
    "MissingColumnError",
    "NotFittedError",
    "RetentionKitError",
    "RetentionKitWarning",
    "COHORT_VALUES",
    "cohort_data",
    "cohort_table",
    "average_order_value",
    "churn_rate",
    "clv_arpa_churn",
    "clv_arpu_retention",
    "clv_lifespan_formula",
    "clv_repeat_formula",
    "clv_retention_margin",
    "clv_summary",
    "compare_churn_policies",
    "loyal_customer_rate",
    "repeat_purchase_rate",
    "retention_rate",
    "revenue_churn_rate",
    "datasets",
    "period_summary",
    "subscription_summary",
    "wilson_interval",
]
