"""A report on hostile segment values: every value shows as text, nothing can run.

Segment names come from systems customers and partners can write into. This runs the
report notebooks through the command line's runner on demo orders whose segment holds HTML,
script tags, quotes, formulas, path tricks, very long, right-to-left, Thai and emoji text,
then parses every page written.
"""

from __future__ import annotations

import html
import warnings
from pathlib import Path

import pandas as pd
import pytest

import retention_kit as rk
from retention_kit._html_safety import find_active_content

pytest.importorskip("papermill")

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<script>alert('x')</script>",
    "\"quoted' & <b>bold</b>",
    "$5 to $10 plan",
    "../../x",
    "a_b^c *not em*",
    "عميل جديد",
    "ลูกค้าใหม่ 🚀",
]
LONG = "very long segment name " * 12


def _orders(tmp_path: Path) -> Path:
    orders = rk.datasets.load_orders(n_customers=900, seed=8)
    labels = [*HOSTILE, LONG.strip()]
    number = orders["customer_id"].str[1:].astype(int)
    orders["segment"] = [labels[k % len(labels)] for k in number]
    path = tmp_path / "hostile.csv"
    orders.drop(columns=["channel", "region"]).to_csv(path, index=False)
    return path


def test_hostile_values_show_as_text_and_nothing_runs(tmp_path):
    from retention_kit.run import run_report

    data = _orders(tmp_path)
    params = {
        "data": str(data), "customer_col": "customer_id", "date_col": "order_date",
        "amount_col": "amount", "quantity_col": None, "price_col": None,
        "order_col": "order_id", "segment_col": "segment", "nps_data": None,
        "subscriptions_data": None, "freq": "quarter", "currency": "$",
    }
    out = tmp_path / "report"
    result = run_report(params, out, notebooks=["report", "01_retention_and_churn"], jobs=2)
    assert result.failed == {}
    pages = sorted(out.glob("*.html"))
    assert len(pages) == 4
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert find_active_content(text) == [], page.name
        assert "<img src=x" not in text and "<script>alert" not in text
    summary = (out / "report.summary.html").read_text(encoding="utf-8")
    # the values are in the tables, escaped, as the reader should see them
    for value in ["<img src=x onerror=alert(1)>", "$5 to $10 plan", "ลูกค้าใหม่ 🚀", "عميل جديد"]:
        assert html.escape(value, quote=False) in summary or html.escape(value) in summary, value
    assert "Traceback" not in summary
    # nothing was written outside the report folder ("../../x" is only a label)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.csv", "report"]


def test_hostile_labels_reach_plots_literally():
    import matplotlib.pyplot as plt

    frame = pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(40)] * 2,
        "order_date": pd.to_datetime(["2024-01-15"] * 40 + ["2024-02-15"] * 40),
        "segment": [HOSTILE[i % len(HOSTILE)] for i in range(40)] * 2,
    })
    summary = rk.period_summary(frame, by="segment", as_of="2024-03-31")
    fig, ax = plt.subplots()
    rk.plot_period_metrics(summary, metrics="crr", by="segment", ax=ax, show_interval=False)
    with warnings.catch_warnings():
        # No Thai or Arabic font on a bare machine: boxes are drawn, with a warning.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        fig.canvas.draw()
    shown = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "CRR: \\$5 to \\$10 plan" in shown  # drawn as the literal "$5 to $10 plan"
    assert "CRR: <img src=x onerror=alert(1)>" in shown
    plt.close(fig)
