"""Old module paths re-export, for one release, the very objects of their new homes.

Each old path holds no logic of its own: every public name it offers *is* the object of the
module it moved to (and of ``retention_kit`` itself for the public names).
"""

from __future__ import annotations

import importlib

import pytest

import retention_kit as rk

#: old module -> {public name: new home module}
MOVED_MODULES = {
    "retention_kit.clv_models": {
        "BetaGeoBetaBinomModel": "retention_kit.clv.beta_geo_beta_binom",
        "BetaGeoModel": "retention_kit.clv.beta_geo",
        "ConvergenceError": "retention_kit.exceptions",
        "GammaGammaModel": "retention_kit.clv.gamma_gamma",
        "IndependenceCheck": "retention_kit.clv.gamma_gamma",
        "ParetoNBDModel": "retention_kit.clv.pareto_nbd",
        "ShiftedBetaGeoModel": "retention_kit.clv.shifted_beta_geo",
    },
    "retention_kit.rfm": {
        "rfm_summary": "retention_kit.clv.rfm",
        "TimeUnit": "retention_kit._frames",
    },
    "retention_kit.model_plots": dict.fromkeys(
        [
            "plot_calibration_holdout",
            "plot_cumulative_transactions",
            "plot_frequency_recency_matrix",
            "plot_probability_alive_matrix",
            "plot_sbg_projection",
        ],
        "retention_kit.clv.plotting",
    ),
    "retention_kit.published_data": dict.fromkeys(
        ["load_cdnow_sample", "load_cdnow_summary", "load_donations", "sbg_survival_tables"],
        "retention_kit.clv.published_data",
    ),
    "retention_kit._likelihoods": dict.fromkeys(
        importlib.import_module("retention_kit._likelihoods").__all__,
        "retention_kit.clv._likelihoods",
    ),
    "retention_kit.plotting": {
        "plot_cohort_heatmap": "retention_kit.cohort_plots",
        "plot_retention_curves": "retention_kit.cohort_plots",
        "plot_nps": "retention_kit.nps_plots",
        "plot_nps_shares": "retention_kit.nps_plots",
        "plot_period_metrics": "retention_kit.period_plots",
    },
    "retention_kit.metrics": dict.fromkeys(
        ["average_order_value", "clv_summary", "loyal_customer_rate", "repeat_purchase_rate"],
        "retention_kit.customer_rates",
    ),
    "retention_kit.periods": {"subscription_summary": "retention_kit.subscription_periods"},
    "retention_kit.nps": {"nps_change_test": "retention_kit.nps_change"},
    "retention_kit.subscriptions": dict.fromkeys(
        ["compare_survival", "subscription_lifetimes", "survival_curves"],
        "retention_kit.survival",
    ),
}

CASES = [(old, name, new) for old, names in MOVED_MODULES.items() for name, new in names.items()]


@pytest.mark.parametrize(("old", "name", "new"), CASES, ids=[f"{o}.{n}" for o, n, _ in CASES])
def test_old_path_is_the_new_object(old, name, new):
    moved = getattr(importlib.import_module(old), name)
    assert moved is getattr(importlib.import_module(new), name)
    if not name.startswith("_") and hasattr(rk, name) and not old.endswith("_likelihoods"):
        assert moved is getattr(rk, name)
    assert getattr(moved, "__module__", None) != old  # defined elsewhere, not in the old path


@pytest.mark.parametrize(
    "old",
    [
        "retention_kit.clv_models",
        "retention_kit.rfm",
        "retention_kit.model_plots",
        "retention_kit.published_data",
        "retention_kit._likelihoods",
        "retention_kit.plotting",
    ],
)
def test_thin_old_modules_list_exactly_the_moved_names(old):
    module = importlib.import_module(old)
    assert sorted(module.__all__) == sorted(MOVED_MODULES[old])
    own = [
        n
        for n, v in vars(module).items()
        if callable(v) and getattr(v, "__module__", None) == old and not n.startswith("__")
    ]
    assert own == []  # no logic left behind


def test_moved_names_are_not_in_the_old_modules_all():
    # metrics, periods, nps and subscriptions keep their own names; the moved ones are extra.
    import retention_kit.metrics
    import retention_kit.nps
    import retention_kit.periods

    assert "clv_summary" not in retention_kit.metrics.__all__
    assert "subscription_summary" not in retention_kit.periods.__all__
    assert "nps_change_test" not in retention_kit.nps.__all__


def test_unknown_name_on_an_old_path_is_an_attribute_error():
    import retention_kit.metrics

    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        retention_kit.metrics.no_such_name  # noqa: B018
