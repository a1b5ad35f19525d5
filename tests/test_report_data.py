"""report_data.describe_orders: the facts of an order table, with *_col keywords."""

from __future__ import annotations

import pandas as pd
import pytest

import retention_kit as rk
from retention_kit import reporting
from retention_kit.report_data import describe_orders
from tests.conftest import to_engine


def _orders() -> pd.DataFrame:
    return pd.DataFrame({
        "Customer": ["a", "a", "b", "c", "c"],
        "When": pd.to_datetime(["2024-03-01 10:00", "2024-01-05 00:00", "2024-02-10 09:00",
                                "2024-02-11 12:00", "2024-04-30 18:30"]),
        "Paid": [10.0, -4.0, 5.0, -1.0, 3.0],
    })


@pytest.mark.parametrize("engine", ["pandas", "polars", "duckdb"])
def test_describe_orders_by_hand(engine):
    facts = describe_orders(
        to_engine(_orders(), engine), customer_col="Customer", date_col="When", amount_col="Paid"
    )
    assert facts == {
        "rows": 5,
        "customers": 3,
        "first": pd.Timestamp("2024-01-05"),
        "last": pd.Timestamp("2024-04-30 18:30"),
        "returns": 2,
    }


def test_describe_orders_defaults_are_the_standard_columns():
    standard = _orders().rename(
        columns={"Customer": "customer_id", "When": "order_date", "Paid": "amount"}
    )
    assert describe_orders(standard)["customers"] == 3
    assert reporting.describe_orders is describe_orders


def test_describe_orders_names_a_missing_column():
    with pytest.raises(rk.MissingColumnError, match=r"customer_col='customer_id': no such column"
                                                    r".*Did you mean 'Customer'"):
        describe_orders(_orders())
