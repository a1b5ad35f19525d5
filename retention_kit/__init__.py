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
    "clv": "clv",
    "BetaGeoBetaBinomModel": "clv",
    "BetaGeoModel": "clv",
    "GammaGammaModel": "clv",
    "ParetoNBDModel": "clv",
    "rfm_summary": "clv",
    "ShiftedBetaGeoModel": "clv",
    "plot_cohort_heatmap": "cohort_plots",
    "plot_retention_curves": "cohort_plots",
    "cohort_data": "cohorts",
    "cohort_table": "cohorts",
    "COHORT_VALUES": "cohorts",
    "average_order_value": "customer_rates",
    "clv_summary": "customer_rates",
    "loyal_customer_rate": "customer_rates",
    "repeat_purchase_rate": "customer_rates",
    "CustomerValue": "customer_value",
    "predict_customer_value": "customer_value",
    "ConvergenceError": "exceptions",
    "EmptyDataError": "exceptions",
    "InvalidDataError": "exceptions",
    "MissingColumnError": "exceptions",
    "NotFittedError": "exceptions",
    "RetentionKitError": "exceptions",
    "RetentionKitWarning": "exceptions",
    "MIN_READABLE_N": "intervals",
    "wilson_interval": "intervals",
    "churn_rate": "metrics",
    "clv_arpa_churn": "metrics",
    "clv_arpu_retention": "metrics",
    "clv_lifespan_formula": "metrics",
    "clv_repeat_formula": "metrics",
    "clv_retention_margin": "metrics",
    "retention_rate": "metrics",
    "revenue_churn_rate": "metrics",
    "net_promoter_score": "nps",
    "nps_from_counts": "nps",
    "nps_change_test": "nps_change",
    "plot_nps": "nps_plots",
    "plot_nps_shares": "nps_plots",
    "plot_period_metrics": "period_plots",
    "compare_churn_policies": "periods",
    "period_summary": "periods",
    "section": "sections",
    "tidy_segments": "segments",
    "subscription_summary": "subscription_periods",
    "plot_mrr_movements": "subscription_plots",
    "plot_revenue_retention": "subscription_plots",
    "plot_survival": "subscription_plots",
    "MOVEMENTS": "subscriptions",
    "mrr_movements": "subscriptions",
    "revenue_cohort_table": "subscriptions",
    "compare_survival": "survival",
    "subscription_lifetimes": "survival",
    "survival_curves": "survival",
}

__all__ = [
    "average_order_value",
    "BetaGeoBetaBinomModel",
    "BetaGeoModel",
    "churn_rate",
    "clv",
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
        clv,
        clv_models,
        datasets,
        io,
        model_plots,
        published_data,
        reporting,
    )
    from .clv import (
        BetaGeoBetaBinomModel,
        BetaGeoModel,
        GammaGammaModel,
        ParetoNBDModel,
        ShiftedBetaGeoModel,
        rfm_summary,
    )
    from .cohort_plots import (
        plot_cohort_heatmap,
        plot_retention_curves,
    )
    from .cohorts import (
        COHORT_VALUES,
        cohort_data,
        cohort_table,
    )
    from .customer_rates import (
        average_order_value,
        clv_summary,
        loyal_customer_rate,
        repeat_purchase_rate,
    )
    from .customer_value import (
        CustomerValue,
        predict_customer_value,
    )
    from .exceptions import (
        ConvergenceError,
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
        churn_rate,
        clv_arpa_churn,
        clv_arpu_retention,
        clv_lifespan_formula,
        clv_repeat_formula,
        clv_retention_margin,
        retention_rate,
        revenue_churn_rate,
    )
    from .nps import (
        net_promoter_score,
        nps_from_counts,
    )
    from .nps_change import (
        nps_change_test,
    )
    from .nps_plots import (
        plot_nps,
        plot_nps_shares,
    )
    from .period_plots import (
        plot_period_metrics,
    )
    from .periods import (
        compare_churn_policies,
        period_summary,
    )
    from .sections import (
        section,
    )
    from .segments import (
        tidy_segments,
    )
    from .subscription_periods import (
        subscription_summary,
    )
    from .subscription_plots import (
        plot_mrr_movements,
        plot_revenue_retention,
        plot_survival,
    )
    from .subscriptions import (
        MOVEMENTS,
        mrr_movements,
        revenue_cohort_table,
    )
    from .survival import (
        compare_survival,
        subscription_lifetimes,
        survival_curves,
    )
