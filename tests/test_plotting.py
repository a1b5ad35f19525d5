"""Tests of retention_kit.plotting: they inspect the artists, never the pixels."""

from __future__ import annotations

import copy

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402 - the backend is chosen first
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.container import BarContainer  # noqa: E402

from retention_kit.exceptions import MissingColumnError, RetentionKitError  # noqa: E402
from retention_kit.intervals import MIN_READABLE_N  # noqa: E402
from retention_kit.plotting import (  # noqa: E402
    plot_cohort_heatmap,
    plot_nps,
    plot_nps_shares,
    plot_period_metrics,
    plot_retention_curves,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def make_cohort_table(n: int = 24, values: str = "retention", small: tuple[int, ...] = (3,)):
    """Monthly cohorts with a decaying retention curve and a NaN lower-right triangle."""
    rng = np.random.default_rng(42)
    cohorts = pd.period_range("2023-01", periods=n, freq="M", name="cohort")
    sizes = pd.Series(rng.integers(150, 1400, n), index=cohorts)
    for i in small:
        sizes.iloc[i] = 12
    ages = np.arange(n)
    curve = 100 * (0.25 + 0.75 * np.exp(-ages / 2.5))
    rows = []
    for i in range(n):
        row = np.clip(curve * rng.normal(1, 0.03, n), 0, 100)
        row[0] = 100.0
        row[n - i :] = np.nan
        rows.append(row)
    table = pd.DataFrame(rows, index=cohorts, columns=pd.Index(ages, name="age"))
    if values in ("customers", "revenue"):
        table = (table.mul(sizes, axis=0) / 100).round() * (40 if values == "revenue" else 1)
    table.attrs = {"values": values, "freq": "month", "cohort_size": sizes}
    return table


def make_summary(by: str | None = None, n_periods: int = 12):
    rng = np.random.default_rng(7)
    periods = pd.period_range("2024-01", periods=n_periods, freq="M")
    frames = []
    for seg in ["basic", "pro"] if by else [None]:
        crr = 80 + rng.normal(0, 2, n_periods)
        frame = pd.DataFrame(
            {
                "period": periods,
                "S": 500,
                "crr_seed": crr + 2,
                "crr": crr,
                "crr_low": crr - 4,
                "crr_high": crr + 4,
                "churn": 100 - crr,
                "churn_low": 96 - crr,
                "churn_high": 104 - crr,
                "complete": [True] * (n_periods - 1) + [False],
            }
        )
        if by:
            frame[by] = seg
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def make_nps(with_period: bool = True):
    if with_period:
        return pd.DataFrame(
            {
                "period": pd.period_range("2024-01", periods=6, freq="M"),
                "n": [120, 150, 90, 200, 180, 25],
                "detractor_share": [30.0, 25.0, 28.0, 20.0, 22.0, 40.0],
                "passive_share": [30.0, 30.0, 30.0, 30.0, 30.0, 30.0],
                "promoter_share": [40.0, 45.0, 42.0, 50.0, 48.0, 30.0],
                "nps": [10.0, 20.0, 14.0, 30.0, 26.0, -10.0],
                "nps_low": [0.0, 10.0, 2.0, 22.0, 17.0, -35.0],
                "nps_high": [20.0, 30.0, 26.0, 38.0, 35.0, 15.0],
            }
        )
    return pd.DataFrame(
        {
            "plan": ["basic", "pro", "trial"],
            "n": [420, 130, 18],
            "detractor_share": [30.0, 15.0, 40.0],
            "passive_share": [28.0, 29.0, 30.0],
            "promoter_share": [42.0, 56.0, 30.0],
            "nps": [12.0, 41.0, -10.0],
            "nps_low": [5.0, 29.0, -40.0],
            "nps_high": [19.0, 53.0, 20.0],
        }
    )


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


# --------------------------------------------------------------------------- NPS


def test_nps_over_periods():
    fig, ax = plt.subplots()
    plot_nps(make_nps(), ax=ax)
    assert ax.get_ylabel() == "NPS"
    assert ax.get_ylim() == (-100, 100)
    named = [ln for ln in ax.get_lines() if ln.get_label() == "NPS"]
    assert len(named) == 1 and len(named[0].get_xdata()) == 6
    assert len(ax.collections) == 1


def test_nps_bars_per_segment_with_error_bars():
    fig, ax = plt.subplots()
    plot_nps(make_nps(with_period=False), by="plan", ax=ax)
    bars = next(c for c in ax.containers if isinstance(c, BarContainer))
    assert [b.get_height() for b in bars] == [12.0, 41.0, -10.0]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["basic\n(n=420)", "pro\n(n=130)", "trial\n(n=18)"]
    assert bars[2].get_hatch() == "///"  # 18 answers: too few to read
    assert ax.get_xlabel() == "plan"
    assert {t.get_text() for t in ax.texts} >= {"+12", "+41", "-10"}


def test_nps_bad_inputs():
    table = make_nps(with_period=False)
    with pytest.raises(RetentionKitError, match="pass by="):
        plot_nps(table)
    with pytest.raises(MissingColumnError, match="'nps_low'"):
        plot_nps(table.drop(columns="nps_low"), by="plan")
    with pytest.raises(MissingColumnError, match="'region'"):
        plot_nps(table, by="region")


def test_nps_shares_stacked_bars():
    fig, ax = plt.subplots()
    plot_nps_shares(make_nps(with_period=False), by="plan", ax=ax)
    assert len(ax.patches) == 9
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Detractors (0-6)", "Passives (7-8)", "Promoters (9-10)"]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["basic (n=420)", "pro (n=130)", "trial (n=18)"]
    red, grey, green = (c for c in ax.containers if isinstance(c, BarContainer))
    assert red[0].get_facecolor()[0] > red[0].get_facecolor()[1]
    assert green[0].get_facecolor()[1] > green[0].get_facecolor()[0]
    assert [b.get_x() for b in green] == [58.0, 44.0, 70.0]
    assert ax.get_xlabel() == "Share of answers (%)"


def test_nps_shares_accepts_fractions_and_rejects_bad_sums():
    table = make_nps()
    fractions = table.assign(**{c: table[c] / 100 for c in table.columns if c.endswith("share")})
    fig, ax = plt.subplots()
    plot_nps_shares(fractions, ax=ax)
    assert ax.containers[0][0].get_width() == pytest.approx(30.0)
    assert ax.get_yticklabels()[0].get_text() == "2024-01 (n=120)"
    with pytest.raises(RetentionKitError, match="add up to 100.*row 0"):
        plot_nps_shares(table.assign(promoter_share=table["promoter_share"] + 20))
    with pytest.raises(MissingColumnError, match="'passive_share'"):
        plot_nps_shares(table.drop(columns="passive_share"))
