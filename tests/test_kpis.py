"""kpis: headline_kpis' home (its figures are tested in test_reporting.py), json_ready."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from retention_kit import kpis, reporting, revenue
from retention_kit.exceptions import EmptyDataError, RetentionKitError


def test_json_ready_by_hand():
    figures = {
        "crr": np.float64(67.5),
        "orders": np.int64(12),
        "nps": float("nan"),
        "ratio": float("inf"),
        "missing": pd.NA,
        "flag": np.bool_(True),
        "nested": {"r": np.float32(0.25), "list": [np.int64(1), None, math.nan]},
    }
    ready = kpis.json_ready(figures)
    assert ready == {
        "crr": 67.5, "orders": 12, "nps": None, "ratio": None, "missing": None, "flag": True,
        "nested": {"r": 0.25, "list": [1, None, None]},
    }
    assert type(ready["orders"]) is int and type(ready["flag"]) is bool


def test_write_metrics_writes_nested_figures_under_any_name(tmp_path):
    path = reporting.write_metrics(
        {"model": {"ll": np.float64(-9582.4), "se": float("nan")}, "n": np.int64(3)},
        tmp_path / "out",
        filename="clv_models.json",
    )
    assert path == tmp_path / "out" / "clv_models.json"
    assert path.read_text(encoding="utf-8") == (
        '{\n  "model": {\n    "ll": -9582.4,\n    "se": null\n  },\n  "n": 3\n}\n'
    )


def test_reporting_re_exports_the_moved_computations():
    assert reporting.headline_kpis is kpis.headline_kpis
    assert reporting.revenue_by_period is revenue.revenue_by_period
    assert set(kpis.COMPARED_KPIS) == {key for key, _, _ in reporting._KPI_ROWS}


def test_versions_lists_extra_packages():
    found = reporting.versions("numpy", "not-a-real-distribution-rk")
    assert found["numpy"] == np.__version__
    assert found["not-a-real-distribution-rk"] == "not installed"


def test_subscription_kpis_reads_the_last_period_under_the_report_keys():
    movements = pd.DataFrame({
        "period": ["2024-11", "2024-12"], "mrr_start": [900.0, 1000.0],
        "mrr_end": [1000.0, 1040.0], "nrr": [101.0, 102.5], "grr": [97.0, 96.0],
        "gross_revenue_churn": [3.0, 4.0], "churn": [2.0, 2.5], "quick_ratio": [2.0, 3.0],
    })
    assert kpis.subscription_kpis(movements) == {
        "mrr": 1040.0, "mrr_previous": 1000.0, "nrr": 102.5, "grr": 96.0,
        "gross_revenue_churn": 4.0, "subscription_churn": 2.5, "quick_ratio": 3.0,
    }


def test_subscription_kpis_says_what_is_missing():
    movements = pd.DataFrame({"period": ["2024-12"], "mrr_start": [1.0], "mrr_end": [1.0],
                              "nrr": [1.0], "grr": [1.0], "gross_revenue_churn": [1.0],
                              "quick_ratio": [1.0]})
    with pytest.raises(RetentionKitError, match=r"no column\(s\) \['churn'\].*with_customer_churn"):
        kpis.subscription_kpis(movements)
    with pytest.raises(EmptyDataError, match="no period"):
        kpis.subscription_kpis(movements.assign(churn=1.0).iloc[:0])
