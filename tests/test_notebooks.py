"""The report notebook run by papermill with non-default parameters; metrics.json checked.

The stored notebooks have no outputs, so these runs are what proves the report computes the
right numbers: every figure of ``metrics.json`` is recomputed here with the library on the
same data. (``pytest --nbval-lax notebooks`` separately proves each notebook runs with its
defaults.)
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

import retention_kit as rk

papermill = pytest.importorskip("papermill")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
REPORT = NOTEBOOKS / "report.ipynb"
COUNTRIES = {"north": "Norway", "south": "Spain", "east": "Poland", "west": "Portugal"}


@contextmanager
def invoice_notes_said() -> Iterator[None]:
    """Silence the two notes the report states once and the library repeats on every call.

    Return lines are netted (intended), and invoice lines whose customer, date, amount and
    invoice match (two lines of one invoice worth the same) are summed into their invoice.
    """
    with warnings.catch_warnings():
        for message in (r".*negative value", r"orders has \d+ exact duplicate"):
            warnings.filterwarnings("ignore", message=message, category=rk.RetentionKitWarning)
        yield


def run_report(tmp_path: Path, **parameters) -> tuple[dict, nbformat.NotebookNode]:
    out = tmp_path / "report.ipynb"
    papermill.execute_notebook(
        str(REPORT),
        str(out),
        parameters={"output_dir": str(tmp_path), **parameters},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp_path),
    )
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    return metrics, nbformat.read(out, as_version=4)


def stderr_outputs(nb: nbformat.NotebookNode) -> list[str]:
    return [
        output["text"]
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("name") == "stderr"
    ]


def invoice_export(path: Path) -> Path:
    """Demo orders written the way invoice exports look (Online Retail style).

    Each order becomes an invoice of one to three lines (quantity x unit price); customer
    ids are floats with some blanks (guest checkouts); dates are "12/1/2010 8:26" text;
    a few customers send items back on a "C" invoice with negative quantities.
    """
    rng = np.random.default_rng(5)
    orders = rk.datasets.load_orders(n_customers=300, seed=3)
    rows = []
    for number, order in enumerate(orders.itertuples(), start=536365):
        n_lines = int(rng.integers(1, 4))
        shares = rng.dirichlet(np.ones(n_lines)) * order.amount
        customer = float(order.customer_id[1:])
        when = order.order_date
        text_date = f"{when.month}/{when.day}/{when.year} {when.hour}:{when.minute:02d}"
        for line, share in enumerate(shares):
            quantity = int(rng.integers(1, 7))
            price = max(round(share / quantity, 2), 0.01)
            rows.append(
                {
                    "InvoiceNo": str(number),
                    "StockCode": f"{85000 + line}",
                    "Quantity": quantity,
                    "InvoiceDate": text_date,
                    "UnitPrice": price,
                    "CustomerID": customer,
                    "Country": COUNTRIES[order.region],
                }
            )
    frame = pd.DataFrame(rows)
    frame.loc[rng.random(len(frame)) < 0.02, "CustomerID"] = np.nan
    sent_back = frame[frame["CustomerID"].notna()].sample(12, random_state=1)
    returns = sent_back.assign(
        InvoiceNo="C" + sent_back["InvoiceNo"],
        Quantity=-sent_back["Quantity"],
        StockCode=sent_back["StockCode"],
    )
    frame = pd.concat([frame, returns], ignore_index=True).drop_duplicates(
        subset=["InvoiceNo", "InvoiceDate", "UnitPrice", "Quantity", "CustomerID"]
    )
    out = path / "invoices.csv"
    frame.to_csv(out, index=False)
    return out


def expected_metrics(orders: pd.DataFrame, *, freq: str, answers=None) -> dict:
    """The headline figures, recomputed with the library's public functions."""
    order_col = "order_id" if "order_id" in orders.columns else None
    columns = {"amount_col": "amount", "order_col": order_col}
    with invoice_notes_said():
        summary = rk.period_summary(orders, **columns, freq=freq)
        last, previous = summary.iloc[-1], summary.iloc[-2]
        period = last["period"]
        now = rk.average_order_value(
            orders, **columns, start=period.start_time, end=period.end_time
        ).iloc[0]
        before = rk.average_order_value(
            orders,
            **columns,
            start=previous["period"].start_time,
            end=previous["period"].end_time,
        ).iloc[0]
        repeat = rk.repeat_purchase_rate(orders, **columns, end=period.end_time).iloc[0]
        loyal = rk.loyal_customer_rate(orders, **columns, end=period.end_time).iloc[0]
    expected = {
        "period": str(period),
        "previous_period": str(previous["period"]),
        "freq": freq,
        "customers_active": int(last["E"]),
        "new_customers": int(last["N"]),
        "crr": last["crr"],
        "crr_seed": last["crr_seed"],
        "churn": last["churn"],
        "crr_previous": previous["crr"],
        "churn_previous": previous["churn"],
        "revenue_previous": before["revenue"],
        "crr_change": last["crr"] - previous["crr"],
        "churn_change": last["churn"] - previous["churn"],
        "revenue": now["revenue"],
        "revenue_change": now["revenue"] - before["revenue"],
        "aov": now["aov"],
        "repeat_purchase_rate": repeat["repeat_purchase_rate"],
        "loyal_customer_rate": loyal["loyal_customer_rate"],
        "data_rows": len(orders),
        "data_customers": orders["customer_id"].nunique(),
    }
    if answers is None:
        expected["nps"] = None
    else:
        nps = rk.net_promoter_score(
            answers, date_col="date", freq=freq, as_of=period.end_time
        ).set_index("period")
        expected["nps"] = nps.loc[period, "nps"]
    return expected


def assert_matches(metrics: dict, expected: dict) -> None:
    for key, value in expected.items():
        if isinstance(value, float | np.floating):
            assert metrics[key] == pytest.approx(value, rel=1e-9), key
        else:
            assert metrics[key] == value, key


@pytest.mark.slow
def test_report_quarterly_by_region(tmp_path):
    metrics, nb = run_report(tmp_path, freq="quarter", segment_col="region")
    orders = rk.io.read_orders("demo", order_col="order_id", segment_col="region")
    expected = expected_metrics(orders, freq="quarter", answers=rk.io.read_answers("demo"))
    assert metrics["period"] == "2024Q4"
    assert_matches(metrics, expected)
    assert stderr_outputs(nb) == []
    sources = "\n".join(str(o.get("data", {})) for c in nb.cells for o in c.get("outputs", []))
    assert "north" in sources  # CLV by segment is by region


@pytest.mark.slow
def test_report_on_invoice_export(tmp_path):
    path = invoice_export(tmp_path)
    options = {
        "customer_col": "CustomerID",
        "date_col": "InvoiceDate",
        "amount_col": None,
        "quantity_col": "Quantity",
        "price_col": "UnitPrice",
        "order_col": "InvoiceNo",
        "segment_col": "Country",
        "date_format": "%m/%d/%Y %H:%M",
    }
    metrics, nb = run_report(tmp_path, data=str(path), nps_data=None, **options)
    with pytest.warns(rk.RetentionKitWarning, match="have no customer id in 'CustomerID'"):
        orders = rk.io.read_orders(path, **options)
    assert (orders["amount"] < 0).sum() > 0  # the export has returns
    expected = expected_metrics(orders, freq="month")
    assert metrics["period"] == "2024-12"
    assert metrics["nps"] is None
    assert_matches(metrics, expected)
    assert stderr_outputs(nb) == []
    text = "\n".join(
        str(o.get("data", {}).get("text/markdown", ""))
        for c in nb.cells
        for o in c.get("outputs", [])
    )
    assert "No survey data given" in text
    assert "were left out" in text  # the guest rows are reported, not hidden
    plain = text.replace("\\", "")  # data values are Markdown-escaped
    assert "negative value(s) (returns or cancellations)" in plain  # in the library's words
