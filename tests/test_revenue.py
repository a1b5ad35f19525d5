"""revenue_by_period: revenue, orders, customers and AOV per calendar period."""

from __future__ import annotations

import pandas as pd
import pytest

import retention_kit as rk
from retention_kit.revenue import revenue_by_period


def test_revenue_by_period_matches_average_order_value():
    orders = rk.datasets.load_orders(n_customers=300)
    table = revenue_by_period(orders, freq="quarter", order_col="order_id")
    assert len(table) == 12  # 2022Q1 .. 2024Q4, all complete
    for row in table.iloc[[0, 5, 11]].itertuples():
        expected = rk.average_order_value(
            orders, order_col="order_id", start=row.period.start_time, end=row.period.end_time
        ).iloc[0]
        assert row.revenue == pytest.approx(expected["revenue"])
        assert row.orders == expected["orders"]
        assert row.customers == expected["customers"]
        assert row.aov == pytest.approx(expected["aov"])


def test_revenue_by_period_nets_returns_and_drops_incomplete():
    orders = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "b"],
            "order_date": pd.to_datetime(["2024-01-05", "2024-01-06", "2024-01-20", "2024-02-03"]),
            "amount": [50.0, -20.0, 30.0, 10.0],
        }
    )
    with pytest.warns(rk.RetentionKitWarning, match="negative"):
        table = revenue_by_period(orders, as_of="2024-02-15")
    assert table["period"].astype(str).tolist() == ["2024-01"]
    assert table["revenue"].tolist() == [60.0]
    assert table["orders"].tolist() == [2]  # the return is not an order
    assert table["customers"].tolist() == [2]
