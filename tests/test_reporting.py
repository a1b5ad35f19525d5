"""reporting.py: table formatting and headline figures, checked against the library itself."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from conftest import hand_orders

import retention_kit as rk
from retention_kit import reporting
from retention_kit.exceptions import RetentionKitError


def hand_answers() -> pd.DataFrame:
    """Survey answers in February and March 2024 (worked by hand below)."""
    rows = [
        ("2024-02-03", 10),
        ("2024-02-10", 9),
        ("2024-02-20", 3),
        ("2024-02-27", 8),
        ("2024-03-02", 10),
        ("2024-03-09", 6),
        ("2024-03-15", 2),
        ("2024-03-30", 7),
        ("2024-03-31", 9),
    ]
    frame = pd.DataFrame(rows, columns=["date", "score"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


# --- headline_kpis on the hand-built orders ----------------------------------------------------
# As of 2024-03-31 the last complete month is March (April is cut off): S = {a, d} (active in
# February), E = {a, b, d, e}, N = {e}, retained = {a, d}, lost = none, reactivated = {b}.


@pytest.fixture
def kpis() -> dict:
    return reporting.headline_kpis(
        hand_orders(), freq="month", as_of="2024-03-31", answers=hand_answers()
    )


def test_headline_period_counts_by_hand(kpis):
    assert kpis["period"] == "2024-03"
    assert kpis["previous_period"] == "2024-02"
    assert kpis["customers_active"] == 4
    assert kpis["new_customers"] == 1
    assert kpis["retained"] == 2
    assert kpis["lost"] == 0
    assert kpis["reactivated"] == 1
    assert kpis["crr"] == pytest.approx(100.0)
    assert kpis["crr_seed"] == pytest.approx(150.0)  # (4 - 1) / 2: b came back
    assert kpis["churn"] == pytest.approx(0.0)
    # February: S = {a, b, c}, E = {a, d}, N = {d}: a retained, b and c lost.
    assert kpis["crr_previous"] == pytest.approx(100 / 3)
    assert kpis["churn_previous"] == pytest.approx(200 / 3)
    assert kpis["crr_change"] == pytest.approx(100 - 100 / 3)


def test_headline_money_and_rates_by_hand(kpis):
    # March orders: a 30, b 15, d 35, e 8 + 12 (two rows, no order id: two orders).
    assert kpis["revenue"] == pytest.approx(100.0)
    assert kpis["orders"] == 5
    assert kpis["aov"] == pytest.approx(20.0)
    assert kpis["revenue_previous"] == pytest.approx(45.0)
    assert kpis["revenue_change"] == pytest.approx(55.0)
    assert kpis["revenue_change_pct"] == pytest.approx(55 / 45 * 100)
    # To the end of March: a 3, b 2, c 1, d 2, e 2 orders.
    assert kpis["repeat_purchase_rate"] == pytest.approx(80.0)
    assert kpis["loyal_customer_rate"] == pytest.approx(20.0)  # only a has more than 2
    assert kpis["data_rows"] == 11
    assert kpis["data_customers"] == 5


def test_headline_nps_by_hand(kpis):
    # March: promoters 10, 9; detractors 6, 2; passive 7 -> (2 - 2) / 5 = 0.
    assert kpis["nps"] == pytest.approx(0.0)
    assert kpis["nps_answers"] == 5
    # February: promoters 10, 9; detractor 3; passive 8 -> (2 - 1) / 4 = 25.
    assert kpis["nps_previous"] == pytest.approx(25.0)
    assert kpis["nps_change"] == pytest.approx(-25.0)


def test_headline_equals_library_results_on_demo():
    orders = rk.io.read_orders("demo", order_col="order_id", segment_col="channel")
    answers = rk.io.read_answers("demo")
    kpis = reporting.headline_kpis(
        orders, freq="quarter", order_col="order_id", answers=answers, loyalty_threshold=3
    )
    columns = {"amount_col": "amount", "order_col": "order_id"}
    summary = rk.period_summary(orders, **columns, freq="quarter")
    last, prev = summary.iloc[-1], summary.iloc[-2]
    assert kpis["period"] == str(last["period"]) == "2024Q4"
    for key, col in [("customers_active", "E"), ("new_customers", "N")]:
        assert kpis[key] == last[col]
        assert kpis[f"{key}_previous"] == prev[col]
    for key in ["crr", "crr_seed", "churn"]:
        assert kpis[key] == pytest.approx(last[key])
        assert kpis[f"{key}_previous"] == pytest.approx(prev[key])
    quarter = last["period"]
    aov = rk.average_order_value(
        orders, **columns, start=quarter.start_time, end=quarter.end_time
    ).iloc[0]
    assert kpis["revenue"] == pytest.approx(aov["revenue"])
    assert kpis["aov"] == pytest.approx(aov["aov"])
    loyal = rk.loyal_customer_rate(orders, **columns, threshold=3).iloc[0]
    assert kpis["loyal_customer_rate"] == pytest.approx(loyal["loyal_customer_rate"])
    nps = rk.net_promoter_score(answers, date_col="date", freq="quarter")
    assert kpis["nps"] == pytest.approx(nps["nps"].iloc[-1])
    assert kpis["data_rows"] == len(orders)


def test_headline_without_answers_or_previous_period():
    orders = hand_orders()
    kpis = reporting.headline_kpis(orders, freq="quarter", as_of="2024-03-31")
    assert kpis["period"] == "2024Q1"
    assert kpis["previous_period"] is None
    assert kpis["crr"] is None  # S = 0 in the first period: undefined, not 0
    assert kpis["crr_change"] is None
    assert kpis["nps"] is None
    assert kpis["revenue"] == pytest.approx(200.0)


def test_headline_no_complete_period():
    with pytest.raises(RetentionKitError, match="no complete year"):
        reporting.headline_kpis(hand_orders(), freq="year")


def test_write_metrics_is_strict_json(tmp_path, kpis):
    path = reporting.write_metrics({**kpis, "extra": float("nan")}, tmp_path / "out")
    data = json.loads(path.read_text())
    assert path.name == "metrics.json"
    assert data["crr"] == pytest.approx(kpis["crr"])
    assert data["extra"] is None
    assert "NaN" not in path.read_text()


# --- tables ----------------------------------------------------------------------------------


def test_kpi_table_texts(kpis):
    table = reporting.kpi_table(kpis, currency="€").data
    assert list(table.columns) == ["2024-03", "2024-02", "Change"]
    assert table.loc["Revenue"].tolist() == ["€100.00", "€45.00", "+€55.00 (+122.2 %)"]
    assert table.loc["Churn rate (lost / S)"].tolist() == ["0.0 %", "66.7 %", "-66.7 pts"]
    assert table.loc["Net Promoter Score", "Change"] == "-25.0"
    assert "Loyal customer rate (> 2 orders, to date)" in table.index


def test_format_table_formats_and_labels():
    table = pd.DataFrame(
        {
            "customers": [1234567, 3],
            "crr": [70.0, math.nan],
            "aov": [1234.5, -2.0],
            "ratio": [0.12345, 2.0],
        }
    )
    text = reporting.format_table(
        table, percent=["crr"], money=["aov"], integer=["customers"], currency="£"
    ).to_string(delimiter="|")
    lines = text.splitlines()
    assert lines[0] == "|customers|CRR|AOV|ratio"
    assert lines[1] == "0|1,234,567|70.0 %|£1,234.50|0.1"
    assert lines[2] == "1|3|–|-£2.00|2.0"


def test_format_table_unknown_column():
    with pytest.raises(RetentionKitError, match="not in the table"):
        reporting.format_table(pd.DataFrame({"a": [1]}), percent=["b"])


def test_format_table_keeps_names_when_asked():
    styled = reporting.format_table(pd.DataFrame({"crr": [1.0]}), labels={}, hide_index=True)
    assert styled.to_string(delimiter="|").splitlines()[0] == "crr"


# --- small gaps ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("freq", "expected"),
    [("year", 10.0), ("quarter", 2.4113689), ("month", 0.7974140), ("week", 0.1834569)],
)
def test_period_discount_rate_compounds_back(freq, expected):
    rate = reporting.period_discount_rate(10.0, freq)
    assert rate == pytest.approx(expected, rel=1e-6)
    k = reporting.PERIODS_PER_YEAR[freq]
    assert ((1 + rate / 100) ** k - 1) * 100 == pytest.approx(10.0)


def test_period_discount_rate_rejects_bad_input():
    with pytest.raises(RetentionKitError, match="percentage >= 0"):
        reporting.period_discount_rate(-1, "month")
    with pytest.raises(RetentionKitError, match="freq"):
        reporting.period_discount_rate(10, "fortnight")


def test_versions_names():
    found = reporting.versions()
    assert {"python", "retention_kit", "pandas", "narwhals"} <= set(found)
    assert found["retention_kit"] == rk.__version__
