"""retention_kit: customer-retention analytics on the frame you already have.

Every rate is a percentage (0-100; NPS -100..100). Data-level functions take a frame
(pandas, Polars, DuckDB, ...) plus keyword column names and return small pandas tables.

Names are imported on first use (PEP 562), so ``import retention_kit`` is quick and needs
no optional package; :data:`_LAZY` says which module holds each public name.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

from ._version import __version__ as __version__

#: Public name -> the module (under ``retention_kit``) that holds it. A name equal to its
#: module is the module itself (``retention_kit.datasets``).
_LAZY: dict[str, str] = {
    "clv_models": "clv_models",
    "datasets": "datasets",
    "io": "io",
    "model_plots": "model_plots",
    "published_data": "published_data",
    "reporting": "reporting",
    "BetaGeoBetaBinomModel": "clv_models",
    "BetaGeoModel": "clv_models",
    "ConvergenceError": "clv_models",
    "GammaGammaModel": "clv_models",
    "ParetoNBDModel": "clv_models",
    "ShiftedBetaGeoModel": "clv_models",
    "COHORT_VALUES": "cohorts",
    "cohort_data": "cohorts",
    "cohort_table": "cohorts",
    "CustomerValue": "customer_value",
    "predict_customer_value": "customer_value",
    "EmptyDataError": "exceptions",
    "InvalidDataError": "exceptions",
    "MissingColumnError": "exceptions",
    "NotFittedError": "exceptions",
    "RetentionKitError": "exceptions",
    "RetentionKitWarning": "exceptions",
    "MIN_READABLE_N": "intervals",
    "wilson_interval": "intervals",
    "average_order_value": "metrics",
    "churn_rate": "metrics",
    "clv_arpa_churn": "metrics",
    "clv_arpu_retention": "metrics",
    "clv_lifespan_formula": "metrics",
    "clv_repeat_formula": "metrics",
    "clv_retention_margin": "metrics",
    "clv_summary": "metrics",
    "loyal_customer_rate": "metrics",
    "repeat_purchase_rate": "metrics",
    "retention_rate": "metrics",
    "revenue_churn_rate": "metrics",
    "net_promoter_score": "nps",
    "nps_change_test": "nps",
    "nps_from_counts": "nps",
    "compare_churn_policies": "periods",
    "period_summary": "periods",
    "subscription_summary": "periods",
    "plot_cohort_heatmap": "plotting",
    "plot_nps": "plotting",
    "plot_nps_shares": "plotting",
    "plot_period_metrics": "plotting",
    "plot_retention_curves": "plotting",
    "rfm_summary": "rfm",
    "section": "sections",
    "tidy_segments": "segments",
    "plot_mrr_movements": "subscription_plots",
    "plot_revenue_retention": "subscription_plots",
    "plot_survival": "subscription_plots",
    "MOVEMENTS": "subscriptions",
    "compare_survival": "subscriptions",
    "mrr_movements": "subscriptions",
    "revenue_cohort_table": "subscriptions",
    "subscription_lifetimes": "subscriptions",
    "survival_curves": "subscriptions",
}

__all__ = [
    "average_order_value",
    "BetaGeoBetaBinomModel",
    "BetaGeoModel",
    "churn_rate",
    "clv_arpa_churn",
    "clv_arpu_retention",
    "clv_lifespan_formula",
    "clv_models",
    "clv_repeat_formula",
    "clv_retention_margin",
    "clv_summary",
    "cohort_data",
    "cohort_table",
    "COHORT_VALUES",
    "compare_churn_policies",
    "compare_survival",
    "ConvergenceError",
    "CustomerValue",
    "datasets",
    "EmptyDataError",
    "GammaGammaModel",
    "InvalidDataError",
    "io",
    "loyal_customer_rate",
    "MIN_READABLE_N",
    "MissingColumnError",
    "model_plots",
    "MOVEMENTS",
    "mrr_movements",
    "net_promoter_score",
    "NotFittedError",
    "nps_change_test",
    "nps_from_counts",
    "ParetoNBDModel",
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
    "repeat_purchase_rate",
    "reporting",
    "retention_rate",
    "RetentionKitError",
    "RetentionKitWarning",
    "revenue_churn_rate",
    "revenue_cohort_table",
    "rfm_summary",
    "section",
    "ShiftedBetaGeoModel",
    "subscription_lifetimes",
    "subscription_summary",
    "survival_curves",
    "tidy_segments",
    "wilson_interval",
]


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        # Other public submodules (``rk.plotting``) load on first use as well.
        if name.startswith("_") or importlib.util.find_spec(f"{__name__}.{name}") is None:
            msg = f"module {__name__!r} has no attribute {name!r}"
            raise AttributeError(msg)
        module_name = name
    module = importlib.import_module(f".{module_name}", __name__)
    value = module if module_name == name else getattr(module, name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # type checkers and IDEs see every name (the same as _LAZY: tested)
    from . import (
        clv_models,
        datasets,
        io,
        model_plots,
        published_data,
        reporting,
    )
    from .clv_models import (
        BetaGeoBetaBinomModel,
        BetaGeoModel,
        ConvergenceError,
        GammaGammaModel,
        ParetoNBDModel,
        ShiftedBetaGeoModel,
    )
    from .cohorts import (
        COHORT_VALUES,
        cohort_data,
        cohort_table,
    )
    from .customer_value import (
        CustomerValue,
        predict_customer_value,
    )
    from .exceptions import (
        EmptyDataError,
        InvalidDataError,
        MissingColumnError,
        NotFittedError,
        RetentionKitError,
        RetentionKitWarning,
    )
    from .intervals import (
        MIN_READABLE_N,
        wilson_interval,
    )
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
    from .nps import (
        net_promoter_score,
        nps_change_test,
        nps_from_counts,
    )
    from .periods import (
        compare_churn_policies,
        period_summary,
        subscription_summary,
    )
    from .plotting import (
        plot_cohort_heatmap,
        plot_nps,
        plot_nps_shares,
        plot_period_metrics,
        plot_retention_curves,
    )
    from .rfm import (
        rfm_summary,
    )
    from .sections import (
        section,
    )
    from .segments import (
        tidy_segments,
    )
    from .subscription_plots import (
        plot_mrr_movements,
        plot_revenue_retention,
        plot_survival,
    )
    from .subscriptions import (
        MOVEMENTS,
        compare_survival,
        mrr_movements,
        revenue_cohort_table,
        subscription_lifetimes,
        survival_curves,
    )
