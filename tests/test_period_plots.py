"""Tests of retention_kit.period_plots: they inspect the artists, never the pixels."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from conftest import make_summary

from retention_kit.exceptions import MissingColumnError, RetentionKitError
from retention_kit.period_plots import plot_period_metrics

# --------------------------------------------------------------------------- periods


def test_period_metrics_lines_bands_and_incomplete_period():
    summary = make_summary()
    fig, ax = plt.subplots()
    plot_period_metrics(summary, ax=ax)
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert labels.count("CRR") == 1 and labels.count("Churn") == 1
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(dashed) == 2  # the incomplete last period, one per metric
    np.testing.assert_array_equal(dashed[0].get_xdata(), [10, 11])
    solid = next(ln for ln in ax.get_lines() if ln.get_label() == "CRR")
    assert np.isnan(solid.get_ydata()[-1])
    assert len(ax.collections) == 2  # two interval bands
    assert ax.get_ylim() == (0, 100)
    assert ax.get_ylabel() == "Rate (%)" and ax.get_xlabel() == "Period"
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[0] == "2024-01"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "incomplete period" in legend and "95% interval" in legend


def test_period_metrics_by_segment_and_options():
    summary = make_summary(by="plan")
    fig, ax = plt.subplots()
    plot_period_metrics(summary, by="plan", metrics="crr", show_interval=False, linewidth=3)
    solid = [ln for ln in ax.get_lines() if not ln.get_label().startswith("_")]
    assert [ln.get_label() for ln in solid] == ["CRR: basic", "CRR: pro"]
    assert all(ln.get_linewidth() == 3 for ln in solid)
    assert len(ax.collections) == 0
    assert ax.get_ylabel() == "CRR (%)"


def test_period_metrics_crr_seed_has_no_band():
    fig, ax = plt.subplots()
    plot_period_metrics(make_summary().drop(columns="complete"), metrics=["crr_seed"], ax=ax)
    assert len(ax.get_lines()) == 1
    assert len(ax.collections) == 0


def test_period_metrics_bad_inputs():
    summary = make_summary()
    with pytest.raises(MissingColumnError, match="'retention'"):
        plot_period_metrics(summary, metrics=["retention"])
    with pytest.raises(RetentionKitError, match="'period'"):
        plot_period_metrics(summary.drop(columns="period"))
    with pytest.raises(RetentionKitError, match="several rows per period.*by="):
        plot_period_metrics(make_summary(by="plan"))
    with pytest.raises(RetentionKitError, match="metrics is empty"):
        plot_period_metrics(summary, metrics=[])
