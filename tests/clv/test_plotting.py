"""Tests of retention_kit.clv.plotting: they inspect the artists, never the pixels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402 - the backend is chosen first
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402

from retention_kit.clv import (  # noqa: E402
    BetaGeoModel,
    ParetoNBDModel,
    ShiftedBetaGeoModel,
    load_cdnow_summary,
    sbg_survival_tables,
)
from retention_kit.clv.plotting import (  # noqa: E402
    plot_calibration_holdout,
    plot_cumulative_transactions,
    plot_frequency_recency_matrix,
    plot_probability_alive_matrix,
    plot_sbg_projection,
)
from retention_kit.exceptions import NotFittedError, RetentionKitError  # noqa: E402


@pytest.fixture(scope="module")
def summary():
    return load_cdnow_summary()


@pytest.fixture(scope="module")
def bgnbd(summary):
    return BetaGeoModel().fit(summary["frequency"], summary["recency"], summary["T"])


def labels(ax):
    return [line.get_label() for line in ax.get_lines()]


def test_calibration_holdout_has_actual_and_model_lines(bgnbd, summary):
    holdout = np.minimum(summary["frequency"], 3)
    _, ax = plt.subplots()
    out = plot_calibration_holdout(
        bgnbd,
        summary["frequency"],
        summary["recency"],
        summary["T"],
        holdout,
        39.0,
        ax=ax,
        color="red",
    )
    assert out is ax
    assert labels(ax) == ["Actual", "Model"]
    assert len(ax.get_lines()[1].get_xdata()) == 7
    assert ax.get_lines()[1].get_color() == "red"
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "6+"
    assert ax.get_xlabel() == "Purchases in calibration period"


def test_cumulative_transactions_uses_gca_when_no_ax(bgnbd):
    times = np.arange(0, 78.0)
    plt.figure()
    ax = plot_cumulative_transactions(bgnbd, times, np.linspace(0, 4000, 78), calibration_end=39)
    assert ax is plt.gca()
    assert labels(ax) == ["Actual", "Model", "End of calibration"]
    model_y = ax.get_lines()[1].get_ydata()
    assert model_y[0] == 0 and np.all(np.diff(model_y) > 0)


def test_cumulative_transactions_checks_actual_length(bgnbd):
    with pytest.raises(RetentionKitError, match="one value per time"):
        plot_cumulative_transactions(bgnbd, [1.0, 2.0], [1.0])


@pytest.mark.parametrize("plot", [plot_probability_alive_matrix, plot_frequency_recency_matrix])
def test_matrices_draw_one_image_with_a_colorbar(bgnbd, plot):
    fig, ax = plt.subplots()
    out = plot(bgnbd, max_frequency=10, ax=ax)
    images = [a for a in out.get_children() if isinstance(a, AxesImage)]
    assert len(images) == 1
    assert images[0].get_array().shape == (11, 50)
    assert len(fig.axes) == 2  # the colour bar
    assert out.get_ylabel() == "Frequency (repeat purchases)"


def test_probability_alive_matrix_first_row_is_one(bgnbd):
    ax = plot_probability_alive_matrix(bgnbd, max_frequency=5)
    image = next(a for a in ax.get_children() if isinstance(a, AxesImage))
    assert np.allclose(image.get_array()[0], 1.0)


def test_sbg_projection_lines():
    curve = sbg_survival_tables()["high_end"]
    model = ShiftedBetaGeoModel().fit(curve.loc[:7])
    ax = plot_sbg_projection(model, curve, linewidth=3)
    assert labels(ax) == ["Actual", "Model", "End of calibration"]
    assert len(ax.get_lines()[1].get_xdata()) == 15  # periods 0..14
    assert ax.get_lines()[1].get_linewidth() == 3
    ax2 = plot_sbg_projection(model, periods=20, ax=plt.figure().gca())
    assert labels(ax2) == ["Model", "End of calibration"]


def test_plots_refuse_unfitted_or_wrong_models():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        plot_probability_alive_matrix(ParetoNBDModel())
    with pytest.raises(RetentionKitError, match="must be a fitted ShiftedBetaGeoModel"):
        plot_sbg_projection(BetaGeoModel())


def test_calibration_holdout_takes_the_rfm_frame(cdnow_rfm_pandas):
    rfm = cdnow_rfm_pandas
    model = BetaGeoModel().fit(rfm)
    _, (left, right) = plt.subplots(1, 2)
    plot_calibration_holdout(model, rfm, ax=left)
    plot_calibration_holdout(
        model,
        rfm["frequency"],
        rfm["recency"],
        rfm["T"],
        rfm["frequency_holdout"],
        rfm["duration_holdout"],
        ax=right,
    )
    for a, b in zip(left.get_lines(), right.get_lines(), strict=True):
        np.testing.assert_array_equal(a.get_ydata(), b.get_ydata())
    # customers with no repeat purchase in calibration bought 0.23 times in the holdout
    actual = left.get_lines()[0].get_ydata()
    zero = rfm["frequency"] == 0
    assert actual[0] == pytest.approx(rfm.loc[zero, "frequency_holdout"].mean())
    with pytest.raises(RetentionKitError, match=r"frequency_holdout_col='frequency_holdout'"):
        plot_calibration_holdout(model, rfm.drop(columns="frequency_holdout"))
