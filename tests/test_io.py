"""Reading real, messy exports: one read path, the same result and errors on every engine."""

from __future__ import annotations

import warnings
import zipfile

import numpy as np
import pandas as pd
import polars as pl
import pytest

import retention_kit as rk
from retention_kit import io
from retention_kit._frames import collect, to_lazy
from retention_kit.exceptions import (
    EmptyDataError,
    InvalidDataError,
    MissingColumnError,
    RetentionKitError,
)

ENGINES = list(io.ENGINES)
INVOICE = {
    "customer_col": "CustomerID",
    "date_col": "InvoiceDate",
    "amount_col": None,
    "quantity_col": "Quantity",
    "price_col": "UnitPrice",
    "order_col": "InvoiceNo",
    "segment_col": "Country",
    "date_format": "%m/%d/%Y %H:%M",
}
HEADER = "CustomerID,InvoiceDate,Quantity,UnitPrice,InvoiceNo,Country\n"
LINES = (
    "17850.0,12/1/2010 8:26,6,2.55,536365,United Kingdom\n"
    ",12/1/2010 8:28,2,1.0,536366,France\n"
    "  ,12/1/2010 9:00,1,1.0,536367,France\n"
    "13047.0,12/2/2010 10:05,3,4.25,536368,\n"
    "13047.0,12/3/2010 10:05,-3,4.25,C536368,\n"
)
GUESTS = (
    "2 of 5 rows have no customer id in 'CustomerID' (guest orders?) and were left out; "
    "pass missing_customers='error' to stop instead."
)


def read(path, engine, **options):
    """read_orders collected to pandas, with the warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = io.read_orders(path, engine=engine, **options)
    frame = collect(to_lazy(out)).sort_values(["order_date", "customer_id"])
    return frame.reset_index(drop=True), [str(w.message) for w in caught]


def write(tmp_path, text, name="orders.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def simple(tmp_path, rows, name="orders.csv"):
    return write(tmp_path, "customer_id,order_date,amount\n" + rows, name)


@pytest.fixture
def invoices(tmp_path):
    return write(tmp_path, HEADER + LINES)


# --- one path, one result ----------------------------------------------------------------


def test_invoice_csv_is_the_same_on_every_engine(invoices):
    results = {engine: read(invoices, engine, **INVOICE) for engine in ENGINES}
    frame, notes = results["pandas"]
    assert notes == [GUESTS]
    assert frame["customer_id"].tolist() == ["17850", "13047", "13047"]
    assert frame["amount"].tolist() == pytest.approx([15.3, 12.75, -12.75])
    assert frame["order_id"].tolist() == ["536365", "536368", "C536368"]
    assert frame["segment"].tolist() == ["United Kingdom", "(none)", "(none)"]
    assert frame["order_date"].iloc[0] == pd.Timestamp("2010-12-01 08:26")
    assert str(frame["order_date"].dtype) == "datetime64[us]"
    assert frame["amount"].dtype == "float64"
    for engine in ("polars", "duckdb"):
        other, other_notes = results[engine]
        pd.testing.assert_frame_equal(other, frame)
        assert other_notes == [GUESTS]


def test_parquet_with_float_ids_and_nan_is_the_same_on_every_engine(tmp_path):
    path = tmp_path / "orders.parquet"
    pd.DataFrame(
        {
            "customer_id": [17850.0, np.nan, 13047.0, 13047.0],
            "order_date": pd.to_datetime(["2024-01-05", "2024-01-06", "2024-02-01", "2024-03-09"]),
            "amount": [10.0, 5.0, 7.5, 2.5],
            "channel": ["web", "shop", None, "web"],
        }
    ).to_parquet(path)
    results = {e: read(path, e, segment_col="channel") for e in ENGINES}
    frame, notes = results["pandas"]
    assert frame["customer_id"].tolist() == ["17850", "13047", "13047"]
    assert frame["segment"].tolist() == ["web", "(none)", "web"]
    assert notes == [
        "1 of 4 rows have no customer id in 'customer_id' (guest orders?) and were left out; "
        "pass missing_customers='error' to stop instead."
    ]
    for engine in ("polars", "duckdb"):
        pd.testing.assert_frame_equal(results[engine][0], frame)
        assert results[engine][1] == notes


def test_text_ids_keep_leading_zeros_and_lose_spaces(tmp_path):
    path = simple(tmp_path, "007,2024-01-05,1\n 007 ,2024-01-06,2\n42,2024-01-07,3\n")
    for engine in ENGINES:
        frame, notes = read(path, engine)
        assert frame["customer_id"].tolist() == ["007", "007", "42"], engine
        assert notes == []


def test_window_is_inclusive_and_the_same_everywhere(tmp_path):
    path = simple(tmp_path, "a,2024-01-31 23:59:00,1\nb,2024-02-01,2\nc,2024-02-29 18:00:00,3\n")
    for engine in ENGINES:
        frame, _ = read(path, engine, start="2024-02-01", end="2024-02-29")
        assert frame["customer_id"].tolist() == ["b", "c"], engine


# --- missing customers -------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_missing_customers_error_shows_other_columns(invoices, engine):
    with pytest.raises(InvalidDataError, match="2 of 5 rows have no customer id") as err:
        io.read_orders(invoices, engine=engine, missing_customers="error", **INVOICE)
    text = str(err.value)
    assert "536366" in text and "12/1/2010 9:00" in text  # other columns, not positions
    assert "missing_customers='drop'" in text


def test_missing_customers_option_is_checked():
    with pytest.raises(RetentionKitError, match="missing_customers='keep': use 'drop'"):
        io.read_orders("demo", missing_customers="keep")


def test_deprecated_alias_still_works(invoices):
    with pytest.warns(FutureWarning, match="drop_missing_customers= is deprecated"):
        with pytest.raises(InvalidDataError, match="2 of 5 rows"):
            io.read_orders(invoices, drop_missing_customers=False, **INVOICE)


def test_no_customer_ids_at_all_is_empty(tmp_path):
    path = simple(tmp_path, ",2024-01-05,1\n ,2024-01-06,2\n")
    for engine in ENGINES:
        with pytest.raises(EmptyDataError, match="2 of 2 rows have no customer id"):
            io.read_orders(path, engine=engine)


# --- bad values --------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_empty_dates_name_the_customers(tmp_path, engine):
    path = simple(tmp_path, "a,2024-01-05,1\nbob,,2\n")
    with pytest.raises(InvalidDataError, match="date_col='order_date' has no date in 1 row") as e:
        io.read_orders(path, engine=engine)
    assert "bob" in str(e.value)


@pytest.mark.parametrize("engine", ENGINES)
def test_unreadable_dates_name_customers_and_values(tmp_path, engine):
    path = simple(tmp_path, "a,2024-01-05,1\nbob,05/01/2024,2\ncarl,yesterday,3\n")
    with pytest.raises(InvalidDataError, match=r"2 value\(s\) could not be read as dates") as e:
        io.read_orders(path, engine=engine)
    text = str(e.value)
    assert "bob" in text and "05/01/2024" in text and "yesterday" in text
    assert "date_format=" in text


@pytest.mark.parametrize("engine", ENGINES)
def test_dates_not_in_the_given_format(invoices, engine, tmp_path):
    path = write(tmp_path, HEADER + LINES + "99.0,2010-12-04,1,1.0,536369,Spain\n")
    with pytest.raises(InvalidDataError, match="date_format='%m/%d/%Y %H:%M'") as err:
        io.read_orders(path, engine=engine, **INVOICE)
    assert "99.0" in str(err.value) and "2010-12-04" in str(err.value)


@pytest.mark.parametrize("engine", ENGINES)
def test_text_amounts_are_named_with_a_fix(tmp_path, engine):
    path = simple(tmp_path, 'a,2024-01-05,"1,234.50"\nb,2024-01-06,£3.20\nc,2024-01-07,4\n')
    with pytest.raises(InvalidDataError, match=r"text that is not a number in 2 row") as err:
        io.read_orders(path, engine=engine)
    text = str(err.value)
    assert "1,234.50" in text and "£3.20" in text and "pd.to_numeric" in text


@pytest.mark.parametrize("engine", ENGINES)
def test_empty_amount_is_an_error(tmp_path, engine):
    path = simple(tmp_path, "a,2024-01-05,1\nbea,2024-01-06,\n")
    with pytest.raises(InvalidDataError, match="amount_col='amount' is missing, NaN or inf") as e:
        io.read_orders(path, engine=engine)
    assert "bea" in str(e.value)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, None])
@pytest.mark.parametrize("source", ["polars", "duckdb"])
def test_nan_and_null_prices_are_errors_in_lazy_engines(tmp_path, value, source):
    # Polars and DuckDB keep NaN apart from null: both must be caught.
    path = tmp_path / "orders.parquet"
    pl.DataFrame(
        {
            "customer_id": ["a", "zed"],
            "order_date": ["2024-01-05", "2024-01-06"],
            "q": [1.0, 2.0],
            "p": [1.0, value],
        },
        schema_overrides={"p": pl.Float64},
    ).write_parquet(path)
    with pytest.raises(InvalidDataError, match="price_col='p' is missing, NaN or inf") as err:
        io.read_orders(path, engine=source, amount_col=None, quantity_col="q", price_col="p")
    assert "zed" in str(err.value)


@pytest.mark.parametrize("engine", ENGINES)
def test_empty_order_ids_are_not_merged(tmp_path, engine):
    path = write(
        tmp_path, "customer_id,order_date,amount,inv\na,2024-01-05,1,X1\nmo,2024-01-06,2,\n"
    )
    with pytest.raises(InvalidDataError, match="order_col='inv' is empty in 1 row") as err:
        io.read_orders(path, engine=engine, order_col="inv")
    assert "mo" in str(err.value) and "merged into one order" in str(err.value)


# --- arguments ---------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_amount_and_quantity_conflict_on_every_engine(engine):
    with pytest.raises(RetentionKitError, match="not both"):
        io.read_orders("demo", engine=engine, quantity_col="q", price_col="p")
    with pytest.raises(RetentionKitError, match="both quantity_col= and price_col="):
        io.read_orders("demo", engine=engine, amount_col=None, quantity_col="q")


@pytest.mark.parametrize("engine", ENGINES)
def test_start_that_is_not_a_date(engine):
    with pytest.raises(
        RetentionKitError, match=r"start='2024-13-01' is not a date\. Pass a date such as start="
    ):
        io.read_orders("demo", engine=engine, start="2024-13-01")
    with pytest.raises(RetentionKitError, match="end='soon' is not a date"):
        io.read_orders("demo", engine=engine, end="soon")


@pytest.mark.parametrize("engine", ENGINES)
def test_window_without_orders_says_the_data_range(tmp_path, engine):
    path = simple(tmp_path, "a,2024-01-05,1\nb,2024-03-09,2\n")
    with pytest.raises(
        EmptyDataError, match="start=2025-01-01: the data runs from 2024-01-05 to 2024-03-09"
    ):
        io.read_orders(path, engine=engine, start="2025-01-01")


def test_missing_column_still_suggests(invoices):
    with pytest.raises(MissingColumnError, match="Did you mean 'CustomerID'"):
        io.read_orders(invoices, engine="duckdb", customer_col="customerid")


# --- files -------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_latin1_file_without_encoding_names_byte_and_line(tmp_path, engine):
    path = simple(tmp_path, "a,2024-01-05,1\nZoë,2024-01-06,2\n")
    path.write_bytes(path.read_text().encode("latin-1"))
    with pytest.raises(RetentionKitError, match="is not UTF-8 text: byte 0xeb at offset 47") as e:
        io.read_orders(path, engine=engine)
    text = str(e.value)
    assert "line 3" in text and "encoding='latin-1'" in text and "--encoding" in text


def test_not_utf8_far_into_the_file_is_found(tmp_path):
    rows = "".join(f"c{i},2024-01-05,1\n" for i in range(10_000)) + "Zoë,2024-01-06,2\n"
    path = simple(tmp_path, rows)
    path.write_bytes(path.read_text().encode("cp1252"))
    offset = len(("customer_id,order_date,amount\n" + rows).split("Zoë")[0]) + 2
    for engine in ENGINES:
        with pytest.raises(RetentionKitError, match=f"offset {offset:,} \\(line 10,002"):
            io.read_orders(path, engine=engine)


def test_named_encoding_reads_on_pandas_and_polars(tmp_path):
    path = simple(tmp_path, "Zoë,2024-01-05,1\nRené,2024-01-06,2\n")
    path.write_bytes(path.read_text().encode("cp1252"))
    for engine in ("pandas", "polars"):
        frame, _ = read(path, engine, encoding="cp1252")
        assert frame["customer_id"].tolist() == ["Zoë", "René"]
    with pytest.raises(RetentionKitError, match="engine='duckdb' reads UTF-8 text only"):
        io.read_orders(path, engine="duckdb", encoding="cp1252")


def test_utf8_with_bom_and_utf16_are_read(tmp_path):
    text = "customer_id\torder_date\tamount\nZoë\t2024-01-05\t1\n"
    for encoding in ("utf-8-sig", "utf-16"):
        path = write(tmp_path, text, f"{encoding}.csv", encoding)
        engines = ENGINES if encoding == "utf-8-sig" else ["pandas", "polars"]
        for engine in engines:
            frame, _ = read(path, engine)
            assert frame["customer_id"].tolist() == ["Zoë"], (encoding, engine)


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_delimiter_is_found(tmp_path, sep):
    text = "customer_id,order_date,amount\na,2024-01-05,10,5\nb,2024-01-06,2\n"
    text = text.replace(",", sep).replace(f"10{sep}5", "10,5")
    if sep != ";":
        text = text.replace("10,5", "10.5")
    path = write(tmp_path, text)
    for engine in ENGINES:
        if sep == ";":  # decimal commas: named, with the fix
            with pytest.raises(InvalidDataError, match="(?s)10,5.*'10,5' -> 10.5"):
                io.read_orders(path, engine=engine)
        else:
            frame, _ = read(path, engine)
            assert frame["amount"].tolist() == [10.5, 2.0], (sep, engine)


def test_wrong_delimiter_given_says_which(tmp_path):
    path = write(tmp_path, "customer_id;order_date;amount\na;2024-01-05;1\n")
    with pytest.raises(RetentionKitError, match="the delimiter is probably ';'. Pass sep=';'"):
        io.read_orders(path, sep=",")
    assert io.read_orders(path, sep=";")["amount"].tolist() == [1.0]


@pytest.mark.parametrize("engine", ENGINES)
def test_empty_and_header_only_files(tmp_path, engine):
    empty = write(tmp_path, "", "empty.csv")
    with pytest.raises(EmptyDataError, match=r"empty.csv' is empty \(0 bytes\)"):
        io.read_orders(empty, engine=engine)
    header = write(tmp_path, "customer_id,order_date,amount\n", "header.csv")
    with pytest.raises(EmptyDataError, match="has a header .* but no rows"):
        io.read_orders(header, engine=engine)
    blank = write(tmp_path, "\n\n  \n", "blank.csv")
    with pytest.raises(EmptyDataError, match="only blank lines"):
        io.read_orders(blank, engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_empty_parquet(tmp_path, engine):
    path = tmp_path / "orders.parquet"
    rk.datasets.load_orders(n_customers=5).head(0).to_parquet(path)
    with pytest.raises(EmptyDataError, match="the data has no orders"):
        io.read_orders(path, engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_content_that_is_not_what_the_suffix_says(tmp_path, engine):
    parquet_as_csv = tmp_path / "orders.csv"
    rk.datasets.load_orders(n_customers=5).to_parquet(parquet_as_csv)
    with pytest.raises(RetentionKitError, match="is not a CSV text file: .* a Parquet file"):
        io.read_orders(parquet_as_csv, engine=engine)
    csv_as_parquet = simple(tmp_path, "a,2024-01-05,1\n", "orders.parquet")
    with pytest.raises(RetentionKitError, match="is not a Parquet file: .* text. .*rename it"):
        io.read_orders(csv_as_parquet, engine=engine)
    zipped = tmp_path / "zipped.csv"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("orders.csv", "customer_id,order_date,amount\n")
    with pytest.raises(RetentionKitError, match="zipped.csv' is not a CSV .* a zip archive"):
        io.read_orders(zipped, engine=engine)
    binary = write(tmp_path, "", "binary.csv")
    binary.write_bytes(bytes(range(256)))
    with pytest.raises(RetentionKitError, match="binary.csv' is not a CSV .* binary data"):
        io.read_orders(binary, engine=engine)


def test_excel_that_is_text(tmp_path):
    path = simple(tmp_path, "a,2024-01-05,1\n", "orders.xlsx")
    with pytest.raises(RetentionKitError, match="is not an Excel workbook: .* text. .*\\.csv"):
        io.read_orders(path)
    with pytest.raises(RetentionKitError, match="scans Parquet or CSV"):
        io.read_orders(path, engine="polars")


def test_excel_workbook_reads_like_its_csv(tmp_path, invoices):
    path = tmp_path / "orders.xlsx"
    pd.read_csv(invoices, dtype={"InvoiceNo": str}).to_excel(path, index=False)
    frame, notes = read(path, "pandas", **INVOICE)
    pd.testing.assert_frame_equal(frame, read(invoices, "pandas", **INVOICE)[0])
    assert notes == [GUESTS]


def test_read_table_takes_encoding_and_sep(tmp_path):
    path = write(tmp_path, "a|b\nZoë|1\n", encoding="latin-1")
    assert io.read_table(path, encoding="latin-1", sep="|")["a"].tolist() == ["Zoë"]


# --- demo sources ------------------------------------------------------------------------


def test_demo_invoices_is_resolved_once_the_loader_exists(monkeypatch):
    from retention_kit import datasets

    if not hasattr(datasets, "load_invoices"):
        with pytest.raises(RetentionKitError, match="'demo-invoices' is not available"):
            io.read_orders("demo-invoices", **INVOICE)
        lines = pd.read_csv(pd.io.common.StringIO(HEADER + LINES))
        monkeypatch.setattr(datasets, "load_invoices", lambda: lines, raising=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", rk.RetentionKitWarning)
        orders = io.read_orders("demo-invoices", **INVOICE)
    assert any("have no customer id in 'CustomerID'" in str(w.message) for w in caught)
    assert {"customer_id", "order_date", "amount", "order_id", "segment"} <= set(orders.columns)


# --- answers and subscriptions -----------------------------------------------------------


def test_subscriptions_blank_customers_same_words(tmp_path):
    path = write(
        tmp_path,
        "customer_id;start_date;end_date;mrr\nu1;2024-01-01;;10\n  ;2024-01-02;;5\n",
        "subs.csv",
    )
    expected = (
        "1 of 2 rows have no customer id in 'customer_id' and were left out; "
        "pass missing_customers='error' to stop instead."
    )
    with pytest.warns(rk.RetentionKitWarning) as caught:
        subs = io.read_subscriptions(path)
    assert [str(w.message) for w in caught] == [expected]
    assert subs["customer_id"].tolist() == ["u1"]
    assert subs["end_date"].isna().all()  # empty end = still active
    with pytest.raises(InvalidDataError, match="1 of 2 rows have no customer id"):
        io.read_subscriptions(path, missing_customers="error")


def test_subscriptions_text_mrr_is_named(tmp_path):
    path = write(tmp_path, "customer_id,start_date,end_date,mrr\nu1,2024-01-01,,$10\n", "subs.csv")
    with pytest.raises(InvalidDataError, match=r"(?s)mrr_col='mrr' holds text .*u1 \$10"):
        io.read_subscriptions(path)


def test_answers_text_scores_are_named_and_numbers_in_text_read(tmp_path):
    bad = write(tmp_path, "score,date\n9,2024-01-05\nten,2024-01-06\n", "bad.csv")
    with pytest.raises(InvalidDataError, match="(?s)score_col='score' holds text .*ten"):
        io.read_answers(bad)
    good = write(tmp_path, "score\tdate\n9\t2024-01-05\n 7 \t2024-01-06\n", "good.csv")
    answers = io.read_answers(good)
    assert answers["score"].tolist() == [9, 7]
    latin = write(tmp_path, "score,date,seg\n9,2024-01-05,Zoë\n", "latin.csv", "latin-1")
    with pytest.raises(RetentionKitError, match="encoding='latin-1'"):
        io.read_answers(latin)
    assert io.read_answers(latin, encoding="latin-1", segment_col="seg")["segment"].tolist() == [
        "Zoë"
    ]


def test_nan_customer_ids_apart_from_null_are_missing_everywhere(tmp_path):
    path = tmp_path / "orders.parquet"
    pl.DataFrame(
        {
            "customer_id": [17850.0, float("nan"), None, 13047.0],
            "order_date": ["2024-01-01", "2024-01-02", "2024-01-02", "2024-01-03"],
            "amount": [1.0, 2.0, 2.0, 3.0],
        }
    ).write_parquet(path)
    for engine in ENGINES:
        frame, notes = read(path, engine)
        assert frame["customer_id"].tolist() == ["17850", "13047"], engine
        assert any(n.startswith("2 of 4 rows have no customer id in 'customer_id'") for n in notes)
