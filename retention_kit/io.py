"""Reading order, survey and subscription files as the reports need them.

:func:`read_orders` turns an export (CSV, Parquet or Excel; invoice lines or orders) into
one clean frame with the columns the rest of the package defaults to: ``customer_id``,
``order_date``, ``amount`` and, when given, ``order_id`` and ``segment``.

Every engine takes the same path: pandas reads the file into memory, Polars and DuckDB
scan it lazily, and then one Narwhals function builds and checks the columns, so the
result is the same whatever the engine. Text files are read the same way everywhere:

* what a file holds is read from its first bytes, whatever its suffix says;
* ``encoding=None`` reads UTF-8 (with or without a byte-order mark, and UTF-16 with
  one); other encodings must be named, e.g. ``encoding="cp1252"``. Polars reads such
  files into memory first; DuckDB reads UTF-8 only (convert the file, or use pandas);
* ``sep=None`` finds the delimiter (``,``, ``;``, tab or ``|``) from the first lines;
* cells that are empty or ``NULL``, ``NaN``, ``N/A`` are missing; id and date columns
  are read as text, so ids keep their leading zeros and dates follow ``date_format``.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import narwhals as nw
import pandas as pd

from . import _files
from ._arguments import find_stacklevel
from ._columns import MissingCustomers, Role, Spec, blank, build, check_policy
from ._docstrings import fill_doc
from ._frames import to_lazy
from ._validation import Duplicates, handle_duplicates, parse_date_arg, require_columns
from .exceptions import RetentionKitError

__all__ = [
    "ENGINES",
    "SUPPORTED_SUFFIXES",
    "read_answers",
    "read_orders",
    "read_subscriptions",
    "read_table",
]

SUPPORTED_SUFFIXES = _files.SUPPORTED_SUFFIXES
Engine = Literal["pandas", "polars", "duckdb"]
ENGINES: tuple[str, ...] = ("pandas", "polars", "duckdb")

#: Demo data names per reader, resolved in :func:`_source_frame` only.
_DEMOS = {
    "orders": {"demo": "load_orders", "demo-invoices": "load_invoices"},
    "answers": {"demo": "load_nps"},
    "subscriptions": {"demo": "load_subscriptions"},
}


def read_table(
    source: str | Path, *, encoding: str | None = None, sep: str | None = None
) -> pd.DataFrame:
    r"""Read a CSV, Parquet or Excel file into pandas, checking what the file holds.

    Parameters
    ----------
    source : str or Path
        Path of the file.
    encoding : str, optional
        Encoding of a text file, e.g. ``"cp1252"``; UTF-8 when omitted.
    sep : str, optional
        Delimiter of a text file; found from its first lines when omitted.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    RetentionKitError
        If the file does not exist, its suffix is not one of :data:`SUPPORTED_SUFFIXES`,
        its content is not what the suffix says, or it is not UTF-8 text and no
        ``encoding`` is given.
    EmptyDataError
        If the file is empty or has a header only.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "orders.csv"
    >>> _ = path.write_text("customer_id;order_date;amount\na;2024-01-05;10.5\n")
    >>> read_table(path).shape
    (1, 3)
    """
    return _files.read_pandas(_files.existing_file(source), encoding=encoding, sep=sep)


def _source_frame(
    source: Any,
    engine: str,
    *,
    kind: str = "orders",
    encoding: str | None = None,
    sep: str | None = None,
    text_cols: tuple[str, ...] = (),
) -> tuple[nw.LazyFrame, Path | None]:
    """The source as a lazy frame of ``engine`` (the one place demo names are resolved).

    Files are read by pandas or scanned by Polars / DuckDB; frames in memory stay in their
    own engine (pandas collects them). Returns the frame and the file path, if any.
    """
    path = None
    demos = _DEMOS[kind]
    if isinstance(source, str) and source in demos:
        from . import datasets

        loader = getattr(datasets, demos[source], None)
        if loader is None:
            msg = f"source={source!r} is not available in this version of retention_kit."
            raise RetentionKitError(msg)
        native: Any = loader()
        if engine == "polars":
            import polars as pl

            native = pl.from_pandas(native).lazy()
        elif engine == "duckdb":
            import duckdb

            native = duckdb.from_df(native)
    elif isinstance(source, str | Path):
        path = _files.existing_file(source)
        if engine == "pandas":
            native = _files.read_pandas(path, encoding=encoding, sep=sep, text_cols=text_cols)
        else:
            native = _files.scan_lazy(path, engine, encoding=encoding, sep=sep, text_cols=text_cols)
    elif engine == "pandas":
        native = to_lazy(source, arg="source").collect().to_pandas()
    else:
        native = source
    if isinstance(native, pd.DataFrame):
        used = [c for c in text_cols if c in native.columns and native[c].dtype == object]
        # Mixed values (numbers and text from a spreadsheet) become text, as in a CSV.
        native = native.astype(dict.fromkeys(used, "str"))
    return to_lazy(native, arg="source"), path


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        msg = f"engine={engine!r}: use one of {', '.join(map(repr, ENGINES))}."
        raise RetentionKitError(msg)


@contextlib.contextmanager
def _explained(path: Path | None) -> Iterator[None]:
    """Re-raise an engine failure while reading the file ``path`` as a clear CSV error."""
    try:
        yield
    except RetentionKitError:
        raise
    except Exception as err:
        if path is None:
            raise
        raise _files.csv_error(path, None, err) from None


def _build(lf: nw.LazyFrame, path: Path | None, specs: list[Spec], **options: Any) -> Any:
    """:func:`retention_kit._columns.build`, with engine failures on a file explained."""
    require_columns(lf, {s.arg: s.col for s in [options.get("customer"), *specs] if s})
    with _explained(path):
        return build(lf, specs, **options)


def _duplicates(
    lf: nw.LazyFrame, path: Path | None, duplicates: Duplicates, customer_col: str, *, summed: bool
) -> nw.LazyFrame:
    """Exact duplicate rows of the source, counted among the rows with a customer id."""
    require_columns(lf, {"customer_col": customer_col})
    has_id = ~blank(customer_col, lf.collect_schema()[customer_col])
    where = f"the file {path.name!r}" if path is not None else "orders"
    with _explained(path):
        return handle_duplicates(lf, duplicates, summed=summed, what=where, among=has_id)


def _policy(missing_customers: str, drop_missing_customers: bool | None) -> MissingCustomers:
    if drop_missing_customers is not None:
        warnings.warn(
            "drop_missing_customers= is deprecated; pass missing_customers='drop' or "
            "missing_customers='error' instead. It will stop working in the next release.",
            FutureWarning,
            stacklevel=find_stacklevel(),
        )
        missing_customers = "drop" if drop_missing_customers else "error"
    check_policy(missing_customers)
    return missing_customers  # type: ignore[return-value]


@fill_doc
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
    missing_customers: MissingCustomers = "drop",
    duplicates: Duplicates = "warn",
    encoding: str | None = None,
    sep: str | None = None,
    engine: Engine = "pandas",
    drop_missing_customers: bool | None = None,
) -> Any:
    """Read orders from a file (or a frame) into the package's default column names.

    Parameters
    ----------
    source : str, Path or DataFrame
        ``"demo"`` for :func:`retention_kit.datasets.load_orders`, ``"demo-invoices"``
        for the invoice-line demo, a CSV / Parquet / Excel path, or a frame in memory.
    customer_col, date_col : str
        Columns of the customer id and the order date in the source.
    amount_col : str or None, default "amount"
        Order-line amount. Give ``quantity_col`` and ``price_col`` instead when the export
        has quantity and unit price (amount = quantity x price).
    quantity_col, price_col : str, optional
        Quantity and unit price, multiplied into the amount.
    order_col : str, optional
        Order or invoice id, kept as ``order_id``; an empty order id is an error (those
        lines would be merged into one order).
    segment_col : str, optional
        Segment column, kept as ``segment``; empty values become the group ``"(none)"``.
    date_format : str, optional
        strftime format of text dates, e.g. ``"%m/%d/%Y %H:%M"``; without it text dates
        must be ISO (``YYYY-MM-DD``, with an optional ``HH:MM[:SS]``).
    start, end : date-like, optional
        Keep orders in this window (inclusive: ``end`` keeps its whole day).
    %(missing_customers)s
    duplicates : {"warn", "drop", "keep", "error"}, default "warn"
        Exact duplicate rows of the source (every column of the file equal to another
        row's; the package's one definition of a duplicate): ``"warn"`` keeps them with
        one warning that counts them (with ``order_col`` they are summed into their
        order, else each counts as an order), ``"drop"`` keeps one of each, ``"error"``
        raises. Later calls on the result can then pass ``duplicates="keep"``: fewer
        columns there make different lines look alike (two items of one invoice at the
        same price).
    encoding : str, optional
        Encoding of a text file (``"cp1252"``, ``"latin-1"``...); UTF-8 when omitted.
    sep : str, optional
        Delimiter of a text file; ``,``, ``;``, tab or ``|`` is found when omitted.
    engine : {"pandas", "polars", "duckdb"}, default "pandas"
        ``"pandas"`` reads the file into memory. ``"polars"`` and ``"duckdb"`` scan a
        Parquet or CSV file lazily and return a Polars LazyFrame or a DuckDB relation:
        nothing is loaded until a metric aggregates it, so files larger than memory work
        (the checks below make one pass over the file).
    drop_missing_customers : bool, optional
        Deprecated: ``True`` is ``missing_customers="drop"``, ``False`` is ``"error"``.

    Returns
    -------
    pandas.DataFrame, polars.LazyFrame or duckdb.DuckDBPyRelation
        Columns ``customer_id`` (text; ``17850.0`` is read as ``"17850"``),
        ``order_date`` (naive datetime), ``amount`` (float), and ``order_id`` / ``segment``
        (text) when asked for. The same rows and values on every engine.

    Raises
    ------
    RetentionKitError
        For a file that cannot be read (see :func:`read_table`), conflicting column
        arguments, or a ``start`` / ``end`` that is not a date.
    MissingColumnError
        If a column argument names no column of the source.
    InvalidDataError
        For dates that are empty or cannot be read, amounts, quantities or prices that
        are text, empty, NaN or infinite, empty order ids, or (with
        ``missing_customers="error"``) rows without a customer id. The message shows
        the customers and values.
    EmptyDataError
        If no rows are left (an empty file, no customer ids, or a window with no orders).

    Examples
    --------
    >>> orders = read_orders("demo", order_col="order_id", segment_col="channel")
    >>> list(orders.columns)
    ['customer_id', 'order_date', 'amount', 'order_id', 'segment']
    >>> lazy = read_orders("demo", engine="polars", start="2024-01-01", end="2024-01-31")
    >>> lazy.select("order_date").collect()["order_date"].dt.month().unique().to_list()
    [1]
    """
    _check_engine(engine)
    policy = _policy(missing_customers, drop_missing_customers)
    if amount_col is None and (quantity_col is None or price_col is None):
        msg = "Give amount_col=, or both quantity_col= and price_col= (amount = quantity x price)."
        raise RetentionKitError(msg)
    if amount_col is not None and (quantity_col or price_col):
        msg = (
            f"Give either amount_col= or quantity_col= with price_col=, not both (got "
            f"amount_col={amount_col!r}, quantity_col={quantity_col!r}, "
            f"price_col={price_col!r}); pass amount_col=None to multiply quantity x price."
        )
        raise RetentionKitError(msg)
    first, last = parse_date_arg(start, "start"), parse_date_arg(end, "end")
    if last is not None and last == last.normalize():
        last = last + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)  # the whole day
    if first is not None and last is not None and first > last:
        msg = f"start={start!r} is after end={end!r}: swap them."
        raise RetentionKitError(msg)
    lf, path = _source_frame(
        source,
        engine,
        encoding=encoding,
        sep=sep,
        text_cols=tuple(c for c in (customer_col, date_col, order_col) if c),
    )
    lf = _duplicates(lf, path, duplicates, customer_col, summed=order_col is not None)
    specs = [Spec("date", "date_col", date_col, "order_date")]
    if amount_col is not None:
        specs.append(Spec("number", "amount_col", amount_col, "amount"))
    elif quantity_col is not None and price_col is not None:  # checked above
        specs += [
            Spec("number", "quantity_col", quantity_col, "_rk_quantity"),
            Spec("number", "price_col", price_col, "_rk_price"),
        ]
    if order_col is not None:
        specs.append(Spec("id", "order_col", order_col, "order_id"))
    if segment_col is not None:
        specs.append(Spec("label", "segment_col", segment_col, "segment"))
    out = _build(
        lf,
        path,
        specs,
        customer=Spec("id", "customer_col", customer_col, "customer_id"),
        missing_customers=policy,
        hint=" (guest orders?)",
        date_format=date_format,
        window=("order_date", first, last) if (first is not None or last is not None) else None,
        what="orders",
    )
    if amount_col is None:
        out = out.with_columns((nw.col("_rk_quantity") * nw.col("_rk_price")).alias("amount")).drop(
            "_rk_quantity", "_rk_price"
        )
    names = ["customer_id", "order_date", "amount"]
    names += [c for c, given in (("order_id", order_col), ("segment", segment_col)) if given]
    return _result(out.select(names), engine)


def _result(out: nw.LazyFrame, engine: str) -> Any:
    if engine == "pandas" or out.implementation is nw.Implementation.PANDAS:
        return out.collect().to_pandas().reset_index(drop=True)
    return out.to_native()


def read_answers(
    source: str | Path | Any,
    *,
    score_col: str = "score",
    date_col: str = "date",
    segment_col: str | None = None,
    date_format: str | None = None,
    encoding: str | None = None,
    sep: str | None = None,
) -> pd.DataFrame:
    """Read survey answers (NPS) into columns ``score``, ``date`` and optionally ``segment``.

    Parameters
    ----------
    source : str, Path or DataFrame
        ``"demo"`` for :func:`retention_kit.datasets.load_nps`, a file path, or a frame.
    score_col, date_col : str
        Columns of the 0-10 score and the answer date.
    segment_col : str, optional
        Segment column, kept as ``segment`` (empty values become ``"(none)"``).
    date_format : str, optional
        strftime format of text dates; ISO dates when omitted.
    encoding, sep : str, optional
        Encoding and delimiter of a text file, as in :func:`read_orders`.

    Returns
    -------
    pandas.DataFrame
        Empty scores stay missing (:func:`retention_kit.net_promoter_score` asks to drop
        them); scores written as text are read as numbers.

    Raises
    ------
    InvalidDataError
        If scores are text that is not a number, or dates are empty or cannot be read.

    Examples
    --------
    >>> read_answers("demo", segment_col="channel").columns.tolist()
    ['score', 'date', 'segment']
    """
    lf, path = _source_frame(
        source, "pandas", kind="answers", encoding=encoding, sep=sep, text_cols=(date_col,)
    )
    specs = [Spec("date", "date_col", date_col, "date")]
    if segment_col is not None:
        specs.append(Spec("label", "segment_col", segment_col, "segment"))
    require_columns(lf, {"score_col": score_col})
    # Numeric scores keep their type (whole numbers stay integers); text is read as numbers.
    role: Role = "keep" if lf.collect_schema()[score_col].is_numeric() else "number"
    specs.insert(0, Spec(role, "score_col", score_col, "score", required=False))
    out = _build(lf, path, specs, date_format=date_format, what="answers")
    return _result(out.select(["score", "date", *(["segment"] if segment_col else [])]), "pandas")


@fill_doc
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
    missing_customers: MissingCustomers = "drop",
    encoding: str | None = None,
    sep: str | None = None,
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
        Trial end date, kept as ``trial_end`` (empty = no trial).
    plan_col : str, optional
        Plan or tier, kept as ``plan`` (empty values become ``"(none)"``).
    date_format : str, optional
        strftime format of text dates; ISO dates when omitted.
    %(missing_customers)s
    encoding, sep : str, optional
        Encoding and delimiter of a text file, as in :func:`read_orders`.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    InvalidDataError
        If start dates are empty, dates cannot be read, or MRR is text, empty, NaN or
        infinite (the message names the customers and values).

    Examples
    --------
    >>> read_subscriptions("demo", trial_end_col="trial_end", plan_col="plan").columns.tolist()
    ['customer_id', 'start_date', 'end_date', 'mrr', 'trial_end', 'plan']
    """
    policy = _policy(missing_customers, None)
    dates = (start_col, end_col, trial_end_col)
    lf, path = _source_frame(
        source,
        "pandas",
        kind="subscriptions",
        encoding=encoding,
        sep=sep,
        text_cols=tuple(c for c in (customer_col, *dates) if c),
    )
    specs = [
        Spec("date", "start_col", start_col, "start_date"),
        Spec("date", "end_col", end_col, "end_date", required=False),
        Spec("number", "mrr_col", mrr_col, "mrr"),
    ]
    if trial_end_col is not None:
        specs.append(Spec("date", "trial_end_col", trial_end_col, "trial_end", required=False))
    if plan_col is not None:
        specs.append(Spec("label", "plan_col", plan_col, "plan"))
    out = _build(
        lf,
        path,
        specs,
        customer=Spec("id", "customer_col", customer_col, "customer_id"),
        missing_customers=policy,
        date_format=date_format,
        what="subscriptions",
    )
    return _result(out, "pandas")


def scan_table(
    source: str | Path, engine: Engine, *, encoding: str | None = None, sep: str | None = None
) -> Any:
    """Open a Parquet or CSV file lazily with Polars or DuckDB (nothing is read yet)."""
    _check_engine(engine)
    return _files.scan_lazy(
        _files.existing_file(source), engine, encoding=encoding, sep=sep, text_cols=()
    )
