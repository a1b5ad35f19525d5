"""kpis: headline_kpis' home (its figures are tested in test_reporting.py), json_ready."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from retention_kit import kpis, reporting, revenue


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
