"""Tests of retention_kit.nps_plots: they inspect the artists, never the pixels."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from conftest import make_nps
from matplotlib.container import BarContainer

from retention_kit.exceptions import MissingColumnError, RetentionKitError
from retention_kit.nps_plots import plot_nps, plot_nps_shares

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
