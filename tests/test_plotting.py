"""Tests of retention_kit.plotting: the contract every plot shares, and the re-exports."""

from __future__ import annotations

import copy

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from conftest import make_cohort_table, make_nps, make_summary

import retention_kit
from retention_kit import plotting
from retention_kit.exceptions import RetentionKitError
from retention_kit.plotting import (
    plot_cohort_heatmap,
    plot_nps,
    plot_nps_shares,
    plot_period_metrics,
    plot_retention_curves,
)


def test_plotting_reexports_the_public_plots_only():
    assert plotting.__all__ == [
        "plot_cohort_heatmap",
        "plot_nps",
        "plot_nps_shares",
        "plot_period_metrics",
        "plot_retention_curves",
    ]
    assert not [
        name for name in vars(plotting) if name.startswith("_") and not name.startswith("__")
    ]
    for name in plotting.__all__:
        assert getattr(plotting, name) is getattr(retention_kit, name)


def frozen(df: pd.DataFrame):
    return df.copy(deep=True), copy.deepcopy(df.attrs)


def assert_unchanged(df: pd.DataFrame, before) -> None:
    pd.testing.assert_frame_equal(df, before[0])
    assert df.attrs.keys() == before[1].keys()
    for key, value in before[1].items():
        if isinstance(value, pd.Series):
            pd.testing.assert_series_equal(df.attrs[key], value)
        else:
            assert df.attrs[key] == value


# --------------------------------------------------------------------------- contract

ALL_CALLS = [
    (plot_cohort_heatmap, lambda: make_cohort_table(6), {}),
    (plot_retention_curves, lambda: make_cohort_table(6), {}),
    (plot_period_metrics, make_summary, {}),
    (plot_nps, make_nps, {}),
    (plot_nps_shares, make_nps, {}),
]


@pytest.mark.parametrize(("func", "make", "kw"), ALL_CALLS)
def test_draws_on_the_given_ax_and_leaves_input_alone(func, make, kw, monkeypatch):
    shown = []
    monkeypatch.setattr(plt, "show", lambda *a, **k: shown.append(1))
    data = make()
    before = frozen(data)
    fig, (ax0, ax1) = plt.subplots(1, 2)
    assert func(data, ax=ax1, **kw) is ax1
    assert not ax0.has_data()
    assert ax1.has_data()
    assert shown == []
    assert_unchanged(data, before)


@pytest.mark.parametrize(("func", "make", "kw"), ALL_CALLS)
def test_uses_current_axes_when_ax_is_none(func, make, kw):
    fig, ax = plt.subplots()
    assert func(make(), **kw) is ax


@pytest.mark.parametrize("func", [f for f, _, _ in ALL_CALLS])
@pytest.mark.parametrize("bad", [[1, 2, 3], pd.DataFrame()])
def test_rejects_what_is_not_a_frame(func, bad):
    with pytest.raises(RetentionKitError, match="DataFrame|empty"):
        func(bad)
