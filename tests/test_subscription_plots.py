import matplotlib.pyplot as plt
import numpy as np
import pytest

import retention_kit as rk
from retention_kit.exceptions import MissingColumnError, RetentionKitError


@pytest.fixture(scope="module")
def movements():
    return rk.mrr_movements(rk.datasets.load_subscriptions(), trial_end_col="trial_end")


def test_mrr_movements_bars_stack_and_net_line(movements):
    fig, ax = plt.subplots()
    assert rk.plot_mrr_movements(movements, ax=ax, currency="$") is ax
    assert len(ax.patches) == 5 * len(movements)
    net = [line for line in ax.get_lines() if line.get_label() == "Net change"][0]
    assert list(net.get_ydata()) == movements["net_change"].tolist()
    assert ax.yaxis.get_major_formatter()(-1000, 0) == "-$1,000"


def test_revenue_retention_lines(movements):
    fig, ax = plt.subplots()
    rk.plot_revenue_retention(movements, ax=ax)
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_array_equal(lines["NRR"].get_ydata(), movements["nrr"].to_numpy())
    assert ax.get_ylabel() == "% of MRR at period start"


def test_survival_curves_one_line_per_segment():
    curves, _ = rk.survival_curves(
        rk.datasets.load_subscriptions(), trial_end_col="trial_end", by="plan", time_unit="week"
    )
    fig, ax = plt.subplots()
    rk.plot_survival(curves, by="plan", ax=ax)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["basic", "business", "pro"]
    assert ax.get_xlabel() == "Time since first payment (weeks)"


def test_bad_inputs(movements):
    with pytest.raises(MissingColumnError, match="net_change"):
        rk.plot_mrr_movements(movements.drop(columns="net_change"))
    seg = rk.mrr_movements(rk.datasets.load_subscriptions(), trial_end_col="trial_end", by="plan")
    with pytest.raises(RetentionKitError, match="several rows per period"):
        rk.plot_revenue_retention(seg)
