"""MissingColumnError says which argument and column; the CLI turns the argument into its flag.

The flag comes from one table, ``_report_inputs.FLAGS``, keyed by (data source, argument),
looked up with the error's ``.argument``, not found by a pattern in the message.
"""

import pandas as pd
import pytest

import retention_kit as rk
from retention_kit import cli
from retention_kit._report_inputs import FLAGS, flag_for, flag_message
from retention_kit.exceptions import MissingColumnError


def test_validation_sets_argument_and_column():
    orders = pd.DataFrame({"cust": ["a"], "order_date": pd.to_datetime(["2024-01-05"])})
    with pytest.raises(MissingColumnError, match=r"^customer_col='customer_id': no such") as info:
        rk.cohort_table(orders)
    assert (info.value.argument, info.value.column) == ("customer_col", "customer_id")
    with pytest.raises(MissingColumnError, match="Did you mean 'order_date'") as info:
        rk.cohort_table(orders, customer_col="cust", date_col="order_dat")
    assert (info.value.argument, info.value.column) == ("date_col", "order_dat")


def test_plot_helpers_set_argument_and_first_missing_column():
    summary = pd.DataFrame({"period": ["2024-01"], "crr": [50.0]})
    with pytest.raises(MissingColumnError, match="summary has no column") as info:
        rk.plot_period_metrics(summary, metrics=["crr", "churn"])
    assert (info.value.argument, info.value.column) == ("summary", "churn")


def test_read_orders_names_the_argument(tmp_path):
    path = tmp_path / "orders.csv"
    pd.DataFrame({"id": [1], "order_date": ["2024-01-05"], "amount": [3.0]}).to_csv(path)
    with pytest.raises(MissingColumnError) as info:
        rk.io.read_orders(path)
    assert (info.value.argument, info.value.column) == ("customer_col", "customer_id")


def test_one_table_maps_source_and_argument_to_a_flag():
    assert flag_for("customer_col") == "--customer-col"
    assert flag_for("customer_col", "subscriptions") == "--sub-customer-col"
    assert flag_for("date_col", "nps") == "--nps-date-col"
    assert flag_for("encoding", "nps") == "--encoding"  # source "*": every file
    assert flag_for("start_col") is None  # an argument of subscriptions only
    assert flag_for("threshold", "orders") is None
    assert set(FLAGS.values()) <= cli._flag_names()


def test_missing_column_message_uses_the_attribute_not_the_text():
    # The column's own name looks like an argument: only the real argument becomes a flag.
    err = MissingColumnError(
        "customer_col='date_col=1': no such column. Pass customer_col= with one of the columns.",
        argument="customer_col",
        column="date_col=1",
    )
    assert flag_message(err) == (
        "--customer-col 'date_col=1': no such column. Pass --customer-col  with one of the columns."
    )
    assert flag_message(err, "subscriptions").startswith("--sub-customer-col 'date_col=1':")


def test_missing_column_without_a_flag_keeps_its_argument():
    err = MissingColumnError("by='x': no such column.", argument="by", column="x")
    assert flag_message(err) == "by='x': no such column."


def test_cli_names_the_flag_of_the_missing_column(tmp_path, capsys):
    path = tmp_path / "orders.csv"
    rk.datasets.load_orders(n_customers=20).rename(columns={"order_date": "date_col=x"}).to_csv(
        path, index=False
    )
    code = cli.main(["report", "--data", str(path), "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("retention-kit: error: --date-col 'order_date': no such column.")
    assert "'date_col=x'" in err  # the column list shows the real name, untouched
    assert "Pass --date-col" in err and "date_col=" not in err.replace("'date_col=x'", "")
