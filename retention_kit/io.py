"""Reading order and survey files as the reports need them.

:func:`read_orders` turns an export (CSV, Parquet or Excel; invoice lines or orders) into
one clean frame with the columns the rest of the package defaults to: ``customer_id``,
``order_date``, ``amount`` and, when given, ``order_id`` and ``segment``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import narwhals as nw
import pandas as pd

from ._frames import collect
from ._validation import parse_dates, require_columns, to_lazy, warn
from .exceptions import InvalidDataError, RetentionKitError

__all__ = [
    "ENGINES",
    "SUPPORTED_SUFFIXES",
    "read_answers",
    "read_orders",
    "read_subscriptions",
    "read_table",
]

SUPPORTED_SUFFIXES = (".csv", ".txt", ".parquet", ".pq", ".xlsx", ".xls")
Engine = Literal["pandas", "polars", "duckdb"]
ENGINES: tuple[str, ...] = ("pandas", "polars", "duckdb")


def read_table(source: str | Path) -> pd.DataFrame:
    r"""Read a CSV, Parquet or Excel file into pandas, choosing the reader by suffix.

    Parameters
    ----------
    source : str or Path
        Path of the file.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    RetentionKitError
        If the file does not exist or its suffix is not one of :data:`SUPPORTED_SUFFIXES`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "orders.csv"
    >>> _ = path.write_text("customer_id,order_date,amount\na,2024-01-05,10.5\n")
    >>> read_table(path).shape
    (1, 3)
    """
    path = Path(source)
    if not path.is_file():
        msg = f"data file {str(path)!r} does not exist (looked in {Path.cwd()})."
        raise RetentionKitError(msg)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return pd.read_csv(path, low_memory=False)
    if suffix in (".parquet", ".pq"):
        return pd.read_parquet(path)
    if suffix in (".xlsx", ".xls"):
        return pd.read_excel(path)
    msg = (
        f"data file {str(path)!r}: cannot read {suffix or 'files without a suffix'}; "
        f"use one of {', '.join(SUPPORTED_SUFFIXES)}."
    )
    raise RetentionKitError(msg)


def _customer_ids(values: pd.Series) -> pd.Series:
    """Customer ids as text; float ids from spreadsheets (17850.0) lose their ``.0``."""
    if pd.api.types.is_float_dtype(values):
        whole = values.dropna()
        if (whole % 1 == 0).all():
            return values.map(lambda v: None if pd.isna(v) else str(int(v))).astype("str")
    return values.astype("str")


def _dates(values: pd.Series, column: str, date_format: str | None) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    try:
        return pd.to_datetime(values, format=date_format)
    except (ValueError, TypeError) as err:
        sample = values.dropna().astype(str).head(3).tolist()
        msg = (
            f"date column {column!r} could not be read as dates (first values: {sample}; "
            f"{err}). Pass the format, e.g. date_format='%m/%d/%Y %H:%M' "
            f"(--date-format on the command line)."
        )
        raise InvalidDataError(msg) from None


def _numbers(values: pd.Series, column: str) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64")
    converted = pd.to_numeric(values, errors="coerce")
    bad = values[converted.isna() & values.notna()]
    if len(bad):
        msg = (
            f"column {column!r} must be numeric; {len(bad)} value(s) are not, e.g. rows "
            f"{list(bad.index[:5])}: {bad.head(5).tolist()}. Clean them in the file."
        )
        raise InvalidDataError(msg)
    return converted.astype("float64")


def read_orders(
    source: str | Path | Any,
    *,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str | None = "amount",
    quantity_col: str | None = None,
    price_col: str | None = None,
    order_col: str | None = None,
    segment_col: str | None = None,
    date_format: str | None = None,
    start: Any = None,
    end: Any = None,
    drop_missing_customers: bool = True,
    engine: Engine = "pandas",
) -> Any:
    """Read orders from a file (or a frame) into the package's default column names.

    Parameters
    ----------
    source : str, Path or DataFrame
        ``"demo"`` for :func:`retention_kit.datasets.load_orders`, a CSV / Parquet / Excel
        path, or a frame already in memory.
    customer_col, date_col : str
        Columns of the customer id and the order date in the source.
    amount_col : str or None, default "amount"
        Order-line amount. Give ``quantity_col`` and ``price_col`` instead when the export
        has quantity and unit price (amount = quantity x price).
    quantity_col, price_col : str, optional
        Quantity and unit price, multiplied into the amount.
    order_col : str, optional
        Order or invoice id, kept as ``order_id``.
    segment_col : str, optional
        Segment column, kept as ``segment``.
    date_format : str, optional
        strftime format of text dates, e.g. ``"%m/%d/%Y %H:%M"``; inferred when omitted.
    start, end : date-like, optional
        Keep orders in this window (inclusive).
    drop_missing_customers : bool, default True
        Drop rows without a customer id (guest checkouts in invoice exports) with a warning
        that counts them; ``False`` raises instead.
    engine : {"pandas", "polars", "duckdb"}, default "pandas"
        ``"pandas"`` reads the file into memory. ``"polars"`` and ``"duckdb"`` scan a
        Parquet or CSV file lazily and return a Polars LazyFrame or a DuckDB relation:
        nothing is loaded until a metric aggregates it, so files larger than memory work.

    Returns
    -------
    pandas.DataFrame, polars.LazyFrame or duckdb.DuckDBPyRelation
        Columns ``customer_id`` (text), ``order_date`` (datetime), ``amount`` (float), and
        ``order_id`` / ``segment`` when asked for.

    Examples
    --------
    >>> orders = read_orders("demo", order_col="order_id", segment_col="channel")
    >>> list(orders.columns)
    ['customer_id', 'order_date', 'amount', 'order_id', 'segment']
    """
    if engine not in ENGINES:
        msg = f"engine={engine!r}: use one of {', '.join(map(repr, ENGINES))}."
        raise RetentionKitError(msg)
    if engine != "pandas":
        return _scan_orders(
            source,
            engine=engine,
            customer_col=customer_col,
            date_col=date_col,
            amount_col=amount_col,
            quantity_col=quantity_col,
            price_col=price_col,
            order_col=order_col,
            segment_col=segment_col,
            date_format=date_format,
            start=start,
            end=end,
        )
    if isinstance(source, str) and source == "demo":
        from .datasets import load_orders

        frame = load_orders()
    elif isinstance(source, str) and source == "demo-invoices":
        from .datasets import load_invoices

        frame = load_invoices()
    elif isinstance(source, str | Path):
        frame = read_table(source)
    else:
        frame = to_lazy(source).collect().to_pandas()
    if amount_col is None and (quantity_col is None or price_col is None):
        msg = "Give amount_col=, or both quantity_col= and price_col= (amount = quantity x price)."
        raise RetentionKitError(msg)
    if amount_col is not None and (quantity_col or price_col):
        msg = "Give either amount_col= or quantity_col= with price_col=, not both."
        raise RetentionKitError(msg)
    require_columns(
        to_lazy(frame.head(0)),
        {
            "customer_col": customer_col,
            "date_col": date_col,
            "amount_col": amount_col,
            "quantity_col": quantity_col,
            "price_col": price_col,
            "order_col": order_col,
            "segment_col": segment_col,
        },
    )
    out = pd.DataFrame(
        {
            "customer_id": _customer_ids(frame[customer_col]),
            "order_date": _dates(frame[date_col], date_col, date_format),
        }
    )
    if amount_col is not None:
        out["amount"] = _numbers(frame[amount_col], amount_col)
    else:
        out["amount"] = _numbers(frame[quantity_col], quantity_col) * _numbers(
            frame[price_col], price_col
        )
    if order_col is not None:
        out["order_id"] = frame[order_col].astype("str")
    if segment_col is not None:
        out["segment"] = frame[segment_col].astype("str").fillna("(none)")

    missing = out["customer_id"].isna()
    if missing.any():
        if not drop_missing_customers:
            msg = (
                f"customer column {customer_col!r} is empty in {int(missing.sum())} row(s), "
                f"e.g. rows {list(out.index[missing][:5])}."
            )
            raise InvalidDataError(msg)
        warn(
            f"{int(missing.sum())} of {len(out)} rows have no {customer_col!r} "
            f"(guest orders?) and were left out."
        )
        out = out[~missing]
    if out["order_date"].isna().any():
        rows = list(out.index[out["order_date"].isna()][:5])
        msg = f"date column {date_col!r} is empty in some rows, e.g. rows {rows}."
        raise InvalidDataError(msg)
    if start is not None:
        out = out[out["order_date"] >= pd.Timestamp(start)]
    if end is not None:
        out = out[out["order_date"] <= pd.Timestamp(end) + pd.Timedelta(days=1) - pd.Timedelta(1)]
    if out.empty:
        msg = "No orders left after reading (check start/end and the customer column)."
        raise RetentionKitError(msg)
    return out.reset_index(drop=True)


def read_answers(
    source: str | Path | Any,
    *,
    score_col: str = "score",
    date_col: str = "date",
    segment_col: str | None = None,
    date_format: str | None = None,
) -> pd.DataFrame:
    """Read survey answers (NPS) into columns ``score``, ``date`` and optionally ``segment``.

    Parameters
    ----------
    source : str, Path or DataFrame
        ``"demo"`` for :func:`retention_kit.datasets.load_nps`, a file path, or a frame.
    score_col, date_col : str
        Columns of the 0-10 score and the answer date.
    segment_col : str, optional
        Segment column, kept as ``segment``.
    date_format : str, optional
        strftime format of text dates.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> read_answers("demo", segment_col="channel").columns.tolist()
    ['score', 'date', 'segment']
    """
    if isinstance(source, str) and source == "demo":
        from .datasets import load_nps

        frame = load_nps()
    elif isinstance(source, str | Path):
        frame = read_table(source)
    else:
        frame = to_lazy(source).collect().to_pandas()
    require_columns(
        to_lazy(frame.head(0)),
        {"score_col": score_col, "date_col": date_col, "segment_col": segment_col},
    )
    out = pd.DataFrame(
        {"score": frame[score_col], "date": _dates(frame[date_col], date_col, date_format)}
    )
    if segment_col is not None:
        out["segment"] = frame[segment_col].astype("str").fillna("(none)")
    return out


def read_subscriptions(
    source: str | Path | Any,
    *,
    customer_col: str = "customer_id",
    start_col: str = "start_date",
    end_col: str = "end_date",
    mrr_col: str = "mrr",
    trial_end_col: str | None = None,
    plan_col: str | None = None,
    date_format: str | None = None,
) -> pd.DataFrame:
    """Read subscriptions into columns ``customer_id``, ``start_date``, ``end_date``, ``mrr``.

    Parameters
    ----------
    source : str, Path or DataFrame
        ``"demo"`` for :func:`retention_kit.datasets.load_subscriptions`, a file path, or a
        frame.
    customer_col, start_col, end_col, mrr_col : str
        Columns of the customer id, start, end (empty = active) and monthly revenue.
    trial_end_col : str, optional
        Trial end date, kept as ``trial_end``.
    plan_col : str, optional
        Plan or tier, kept as ``plan``.
    date_format : str, optional
        strftime format of text dates.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> read_subscriptions("demo", trial_end_col="trial_end", plan_col="plan").columns.tolist()
    ['customer_id', 'start_date', 'end_date', 'mrr', 'trial_end', 'plan']
    """
    if isinstance(source, str) and source == "demo":
        from .datasets import load_subscriptions

        frame = load_subscriptions()
    elif isinstance(source, str | Path):
        frame = read_table(source)
    else:
        frame = to_lazy(source).collect().to_pandas()
    require_columns(
        to_lazy(frame.head(0)),
        {
            "customer_col": customer_col,
            "start_col": start_col,
            "end_col": end_col,
            "mrr_col": mrr_col,
            "trial_end_col": trial_end_col,
            "plan_col": plan_col,
        },
    )
    out = pd.DataFrame(
        {
            "customer_id": _customer_ids(frame[customer_col]),
            "start_date": _dates(frame[start_col], start_col, date_format),
            "end_date": _dates(frame[end_col], end_col, date_format),
            "mrr": frame[mrr_col],
        }
    )
    if trial_end_col is not None:
        out["trial_end"] = _dates(frame[trial_end_col], trial_end_col, date_format)
    if plan_col is not None:
        out["plan"] = frame[plan_col].astype("str").fillna("(none)")
    return out


def scan_table(source: str | Path, engine: Engine) -> Any:
    """Open a Parquet or CSV file lazily with Polars or DuckDB (nothing is read yet)."""
    path = Path(source)
    if not path.is_file():
        msg = f"data file {str(path)!r} does not exist (looked in {Path.cwd()})."
        raise RetentionKitError(msg)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".txt", ".parquet", ".pq"):
        msg = (
            f"data file {str(path)!r}: engine={engine!r} scans Parquet or CSV files; read "
            f"{suffix} files with engine='pandas' (or convert them to Parquet)."
        )
        raise RetentionKitError(msg)
    parquet = suffix in (".parquet", ".pq")
    if engine == "polars":
        import polars as pl

        return pl.scan_parquet(path) if parquet else pl.scan_csv(path, infer_schema_length=10_000)
    import duckdb

    return duckdb.read_parquet(str(path)) if parquet else duckdb.read_csv(str(path))


def _scan_orders(
    source: Any,
    *,
    engine: Engine,
    customer_col: str,
    date_col: str,
    amount_col: str | None,
    quantity_col: str | None,
    price_col: str | None,
    order_col: str | None,
    segment_col: str | None,
    date_format: str | None,
    start: Any,
    end: Any,
) -> Any:
    """The lazy twin of :func:`read_orders`: the same columns, built in the engine."""
    if isinstance(source, str) and source in ("demo", "demo-invoices"):
        from . import datasets

        demo = datasets.load_orders() if source == "demo" else datasets.load_invoices()
        if engine == "polars":
            import polars as pl

            native = pl.from_pandas(demo).lazy()
        else:
            import duckdb

            native = duckdb.from_df(demo)
    elif isinstance(source, str | Path):
        native = scan_table(source, engine)
    else:
        native = source
    if amount_col is None and (quantity_col is None or price_col is None):
        msg = "Give amount_col=, or both quantity_col= and price_col= (amount = quantity x price)."
        raise RetentionKitError(msg)
    lf = to_lazy(native)
    require_columns(
        lf,
        {
            "customer_col": customer_col,
            "date_col": date_col,
            "amount_col": amount_col,
            "quantity_col": quantity_col,
            "price_col": price_col,
            "order_col": order_col,
            "segment_col": segment_col,
        },
    )
    schema = lf.collect_schema()
    customer = nw.col(customer_col)
    if schema[customer_col].is_float():
        customer = customer.cast(nw.Int64)  # spreadsheet ids: 17850.0 -> "17850"
    if date_format is not None and schema[date_col] == nw.String:
        lf = lf.with_columns(nw.col(date_col).str.to_datetime(date_format))
    else:
        lf = parse_dates(native, lf, date_col, "date_col")
    if amount_col is not None:
        amount = nw.col(amount_col).cast(nw.Float64)
    else:
        amount = nw.col(quantity_col).cast(nw.Float64) * nw.col(price_col).cast(nw.Float64)
    columns = [
        customer.cast(nw.String).alias("customer_id"),
        nw.col(date_col).alias("order_date"),
        amount.alias("amount"),
    ]
    if order_col is not None:
        columns.append(nw.col(order_col).cast(nw.String).alias("order_id"))
    if segment_col is not None:
        columns.append(nw.col(segment_col).cast(nw.String).fill_null("(none)").alias("segment"))
    out = lf.select(columns)
    missing = int(
        collect(out.select(nw.col("customer_id").is_null().cast(nw.Int64).sum().alias("n")))["n"]
        .fillna(0)
        .iloc[0]
    )
    if missing:
        warn(f"{missing} rows have no {customer_col!r} (guest orders?) and were left out.")
        out = out.filter(~nw.col("customer_id").is_null())
    if start is not None:
        out = out.filter(nw.col("order_date") >= pd.Timestamp(start).to_pydatetime())
    if end is not None:
        last = pd.Timestamp(end) + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
        out = out.filter(nw.col("order_date") <= last.to_pydatetime())
    return out.to_native()
