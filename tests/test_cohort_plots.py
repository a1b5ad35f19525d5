"""Tests of retention_kit.cohort_plots: they inspect the artists, never the pixels."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from conftest import make_cohort_table

from retention_kit.cohort_plots import plot_cohort_heatmap, plot_retention_curves
from retention_kit.exceptions import RetentionKitError
from retention_kit.intervals import MIN_READABLE_N

# --------------------------------------------------------------------------- heatmap


def test_heatmap_labels_ticks_and_colorbar():
    table = make_cohort_table(24)
    fig, ax = plt.subplots(figsize=(10, 8))
    plot_cohort_heatmap(table, ax=ax)
    assert ax.get_xlabel() == "Periods since acquisition (months)"
    assert ax.get_ylabel() == "Acquisition cohort"
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert len(ticks) == 24
    assert ticks[0] == f"2023-01 (n={table.attrs['cohort_size'].iloc[0]:,})"
    assert ticks[-1].startswith("2024-12 (n=")
    colorbar_ax = fig.axes[-1]
    assert colorbar_ax is not ax
    assert colorbar_ax.get_ylabel() == "Retention (% of cohort)"


def test_heatmap_annotates_observed_cells_only_with_percent_format():
    table = make_cohort_table(24)
    fig, ax = plt.subplots(figsize=(10, 8))
    plot_cohort_heatmap(table, ax=ax)
    texts = ax.texts
    assert len(texts) == int(table.notna().to_numpy().sum())  # NaN cells are not annotated
    assert all(t.get_text().endswith("%") for t in texts)
    cell = {(int(t.get_position()[1]), int(t.get_position()[0])): t.get_text() for t in texts}
    assert cell[(0, 0)] == "100%"
    assert cell[(1, 2)] == f"{table.iloc[1, 2]:.0f}%"
    assert (23, 1) not in cell  # the last cohort has only age 0
    assert 4.5 <= texts[0].get_fontsize() <= 10


def test_heatmap_annotation_switches():
    fig, ax = plt.subplots()
    plot_cohort_heatmap(make_cohort_table(8), ax=ax, annot=False)
    assert len(ax.texts) == 0
    fig, ax = plt.subplots()
    plot_cohort_heatmap(make_cohort_table(40, small=()), ax=ax)
    assert len(ax.texts) == 0  # too many cells to read
    fig, ax = plt.subplots()
    plot_cohort_heatmap(make_cohort_table(5), ax=ax, fmt="{:.1f}")
    assert ax.texts[0].get_text() == "100.0"
    fig, ax = plt.subplots()
    plot_cohort_heatmap(make_cohort_table(5), ax=ax, fmt=".2f")
    assert ax.texts[0].get_text() == "100.00"


def test_heatmap_small_fonts_shrink_with_size():
    fig, ax = plt.subplots(figsize=(10, 8))
    plot_cohort_heatmap(make_cohort_table(6), ax=ax)
    big = ax.texts[0].get_fontsize()
    fig, ax = plt.subplots(figsize=(10, 8))
    plot_cohort_heatmap(make_cohort_table(24), ax=ax)
    assert ax.texts[0].get_fontsize() < big


@pytest.mark.parametrize("values", ["customers", "revenue"])
def test_heatmap_counts_use_thousands_separators_or_compact(values):
    table = make_cohort_table(6, values=values)
    fig, ax = plt.subplots(figsize=(10, 8))
    plot_cohort_heatmap(table, ax=ax)
    first = table.iloc[0, 0]
    assert ax.texts[0].get_text() == f"{first:,.0f}"
    assert fig.axes[-1].get_ylabel() in ("Active customers", "Revenue")
    # 24 ages of five-digit revenue do not fit: written short instead of tiny.
    table = make_cohort_table(24, values="revenue")
    fig, ax = plt.subplots(figsize=(10, 8))
    plot_cohort_heatmap(table, ax=ax)
    assert ax.texts[0].get_text().endswith("k")
    assert ax.texts[0].get_fontsize() >= 6


def test_heatmap_thins_row_labels_beyond_forty_cohorts():
    fig, ax = plt.subplots(figsize=(10, 8))
    plot_cohort_heatmap(make_cohort_table(48, small=()), ax=ax)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert 12 <= len(labels) <= 40
    assert labels[0].startswith("2023-01")


def test_heatmap_marks_small_cohorts():
    table = make_cohort_table(8, small=(3,))
    fig, ax = plt.subplots()
    plot_cohort_heatmap(table, ax=ax)
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == int(table.iloc[3].notna().sum())
    tick = ax.get_yticklabels()[3]
    assert tick.get_text() == "2023-04 (n=12)"
    assert tick.get_color() != ax.get_yticklabels()[0].get_color()
    legend_text = ax.get_legend().get_texts()[0].get_text()
    assert f"under {MIN_READABLE_N} customers" in legend_text
    fig, ax = plt.subplots()
    plot_cohort_heatmap(table, ax=ax, small_cohort=0)
    assert not [p for p in ax.patches if p.get_hatch()]
    assert ax.get_legend() is None


def test_heatmap_with_string_index_and_no_attrs():
    table = pd.DataFrame(
        [[100.0, 50.0], [100.0, np.nan]],
        index=pd.Index(["paid search", "referral"], name="cohort"),
        columns=[0, 1],
    )
    fig, ax = plt.subplots()
    plot_cohort_heatmap(table, ax=ax)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["paid search", "referral"]
    assert ax.get_xlabel() == "Periods since acquisition"
    assert len(ax.texts) == 3


def test_heatmap_passes_kwargs_to_seaborn():
    fig, ax = plt.subplots()
    plot_cohort_heatmap(make_cohort_table(5), ax=ax, cbar=False)
    assert len(fig.axes) == 1


def test_heatmap_bad_inputs():
    long = pd.DataFrame({"cohort": ["2024-01"], "age": [0], "retention": [100.0]})
    with pytest.raises(RetentionKitError, match="integer ages"):
        plot_cohort_heatmap(long)
    table = make_cohort_table(4)
    table.attrs = {**table.attrs, "values": "happiness"}
    with pytest.raises(RetentionKitError, match="attrs\\['values'\\].*expected one of"):
        plot_cohort_heatmap(table)
    table = make_cohort_table(4)
    table.attrs = {**table.attrs, "cohort_size": [1, 2, 3, 4]}
    with pytest.raises(RetentionKitError, match="cohort_size.*Series"):
        plot_cohort_heatmap(table)
    text = pd.DataFrame({0: ["a", "b"], 1: ["c", "d"]})
    with pytest.raises(RetentionKitError, match="not numeric"):
        plot_cohort_heatmap(text)


# --------------------------------------------------------------------------- curves


def test_curves_one_line_per_cohort_plus_mean():
    table = make_cohort_table(8)
    fig, ax = plt.subplots()
    plot_retention_curves(table, ax=ax)
    lines = ax.get_lines()
    assert len(lines) == 9
    assert [ln.get_label() for ln in lines[:2]] == ["2023-01", "2023-02"]
    assert len(lines[0].get_xdata()) == 8 and len(lines[7].get_xdata()) == 1  # NaN dropped
    mean = lines[-1]
    assert mean.get_label() == "Mean (weighted by cohort size)"
    assert mean.get_linewidth() > lines[0].get_linewidth()
    assert ax.get_xlabel() == "Periods since acquisition (months)"
    assert ax.get_ylabel() == "Retention (% of cohort)"
    assert len(ax.get_legend().get_texts()) == 9
    assert len(fig.axes) == 1


def test_curves_mean_is_weighted_by_cohort_size():
    cohorts = pd.period_range("2024-01", periods=3, freq="M", name="cohort")
    table = pd.DataFrame(
        [[100.0, 40.0, 30.0], [100.0, 20.0, np.nan], [100.0, np.nan, np.nan]],
        index=cohorts,
        columns=[0, 1, 2],
    )
    table.attrs = {"values": "retention", "cohort_size": pd.Series([300, 100, 50], cohorts)}
    fig, ax = plt.subplots()
    plot_retention_curves(table, ax=ax)
    mean = ax.get_lines()[-1]
    np.testing.assert_allclose(mean.get_ydata(), [100.0, 35.0])  # age 2: one cohort only
    np.testing.assert_allclose(mean.get_xdata(), [0, 1])


def test_curves_many_cohorts_get_a_colorbar_not_a_long_legend():
    fig, ax = plt.subplots()
    plot_retention_curves(make_cohort_table(24), ax=ax)
    assert len(ax.get_lines()) == 25
    assert len(fig.axes) == 2  # the cohort colorbar
    assert fig.axes[1].get_ylabel() == "Acquisition cohort"
    assert len(ax.get_legend().get_texts()) == 1  # only the mean


def test_curves_selection_highlight_and_kwargs():
    table = make_cohort_table(10)
    fig, ax = plt.subplots()
    plot_retention_curves(
        table,
        ax=ax,
        cohorts=["2023-01", "2023-02", "2023-05"],
        highlight="2023-02",
        mean=False,
        marker="o",
    )
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == ["2023-01", "2023-02", "2023-05"]
    assert lines[1].get_linewidth() > lines[0].get_linewidth()
    assert all(ln.get_marker() == "o" for ln in lines)
    with pytest.raises(RetentionKitError, match="no cohort '1999-01'"):
        plot_retention_curves(table, cohorts=["1999-01"])
    with pytest.raises(RetentionKitError, match="highlight"):
        plot_retention_curves(table, highlight="nope")


def test_curves_colours_follow_cohort_order():
    fig, ax = plt.subplots()
    plot_retention_curves(make_cohort_table(5), ax=ax, mean=False)
    colours = [ln.get_color() for ln in ax.get_lines()]
    assert len({tuple(c) for c in colours}) == 5


def test_heatmap_on_a_subfigure_sizes_cells_from_the_whole_figure():
    fig = plt.figure(figsize=(12, 6))
    left, right = fig.subfigures(1, 2)
    ax = left.subplots()
    plot_cohort_heatmap(make_cohort_table(6), ax=ax)
    assert len(ax.texts) == 21  # 6 + 5 + ... + 1 observed cells, all annotated
    assert ax.get_yticklabels()[0].get_text().startswith("2023-01 (n=")
