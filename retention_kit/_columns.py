"""The column work of the readers, written once in Narwhals for every engine.

:func:`build` turns the columns of a (lazy) frame into the package's standard columns:
ids and labels as text, dates as naive datetimes, numbers as floats. It checks every value
it reads in one pass over the data and raises errors that name the customers and values
at fault, so the result never carries a silent NaN, null date or merged order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import narwhals as nw
import pandas as pd

from ._frames import collect
from ._validation import warn
from .exceptions import EmptyDataError, InvalidDataError, RetentionKitError

MissingCustomers = Literal["drop", "error"]
#: What a column is: an id, a date, a number, a label (segment, plan), or kept as it is.
Role = Literal["id", "date", "number", "label", "keep"]
#: Text that is a plain number: digits, an optional point, sign and exponent.
NUMBER_PATTERN = r"^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"
#: Ids written by a float column (17850.0).
FLOAT_ID_PATTERN = r"^-?[0-9]+\.0+$"
#: Text dates are read in these forms unless ``date_format`` is given.
ISO_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")
ISO_FORMAT = "%Y-%m-%d %H:%M:%S"
NONE_LABEL = "(none)"
_SHOWN = 5


@dataclass(frozen=True)
class Spec:
    """One output column: its role, the argument that named it, source and output names.

    ``required`` means nulls are an error (ids, dates and numbers); optional dates stay
    null (an active subscription's end) and optional numbers stay NaN.
    """

    role: Role
    arg: str
    col: str
    out: str
    required: bool = True


def missing_ids_message(n: int, total: int, col: str, hint: str = "") -> str:
    """The words of the missing-customer note, the same for every reader and engine."""
    return (
        f"{n:,} of {total:,} rows have no customer id in {col!r}{hint} and were left out; "
        f"pass missing_customers='error' to stop instead."
    )


def check_policy(missing_customers: str) -> None:
    """Raise for a ``missing_customers`` value other than 'drop' or 'error'."""
    if missing_customers not in ("drop", "error"):
        msg = (
            f"missing_customers={missing_customers!r}: use 'drop' (leave rows without a "
            f"customer id out, with a warning) or 'error'."
        )
        raise RetentionKitError(msg)


def _blank(col: str, dtype: Any) -> nw.Expr:
    """Missing: null, NaN or infinite numbers, empty or whitespace-only text."""
    expr = nw.col(col)
    if dtype.is_float():
        return expr.is_null() | ~expr.is_finite()
    if dtype == nw.String:
        return expr.is_null() | (expr.str.strip_chars() == "")
    return expr.is_null()


def _not_whole(col: str, dtype: Any) -> nw.Expr | None:
    """Values that keep an id from being written without its ``.0``; None if no such form."""
    expr = nw.col(col)
    if dtype.is_float():
        return (expr % 1) != 0
    if dtype == nw.String:
        return ~expr.str.strip_chars().str.contains(FLOAT_ID_PATTERN)
    return None


def _text(col: str, dtype: Any, whole: bool) -> nw.Expr:
    expr = nw.col(col)
    text = expr.str.strip_chars() if dtype == nw.String else expr.cast(nw.String)
    return text.str.replace_all(r"\.0+$", "") if whole else text


def _iso(text: nw.Expr) -> nw.Expr:
    """ISO dates, with or without a time (``T`` or space), as ``YYYY-MM-DD HH:MM:SS``."""
    text = text.str.replace_all("T", " ", literal=True)
    n = text.str.len_chars()
    return (
        nw.when(n == 10)
        .then(nw.concat_str([text, nw.lit(" 00:00:00")]))
        .when(n == 16)
        .then(nw.concat_str([text, nw.lit(":00")]))
        .otherwise(text)
    )


def _parse(col: str, fmt: str | None) -> nw.Expr:
    text = nw.col(col).str.strip_chars()
    if fmt is None:
        return _iso(text).str.to_datetime(ISO_FORMAT)
    return text.str.to_datetime(fmt)


def _date(col: str, dtype: Any, fmt: str | None, arg: str) -> nw.Expr:
    expr = nw.col(col)
    if dtype == nw.String:
        expr = _parse(col, fmt)
    elif dtype == nw.Datetime:
        if getattr(dtype, "time_zone", None):
            expr = expr.dt.replace_time_zone(None)  # the wall clock of the column's zone
    elif dtype != nw.Date:
        msg = (
            f"{arg}={col!r} has dtype {dtype}, not dates. Pass the date column, or convert "
            f"it with pd.to_datetime(df[{col!r}])."
        )
        raise InvalidDataError(msg)
    return expr.cast(nw.Datetime("us"))


def _count(expr: nw.Expr) -> nw.Expr:
    return expr.cast(nw.Int64).sum()


def _rows(lf: nw.LazyFrame, predicate: nw.Expr, columns: list[str]) -> str:
    shown = collect(lf.filter(predicate).select(list(dict.fromkeys(columns))).head(_SHOWN))
    text = shown.to_string(index=False, max_colwidth=30)
    return "\n    " + text.replace("\n", "\n    ")


def build(
    lf: nw.LazyFrame,
    specs: list[Spec],
    *,
    customer: Spec | None = None,
    missing_customers: MissingCustomers = "drop",
    hint: str = "",
    date_format: str | None = None,
    window: tuple[str, pd.Timestamp | None, pd.Timestamp | None] | None = None,
    what: str = "rows",
) -> nw.LazyFrame:
    """The standard columns of ``lf`` (the ``out`` names of ``customer`` and ``specs``).

    Rows without a customer id are left out first (with one warning), or raise with
    ``missing_customers='error'``; every other check runs on the rows that are kept.
    ``window`` is ``(out name of a date, start, end)``: rows outside it are left out.
    """
    check_policy(missing_customers)
    schema = lf.collect_schema()
    every = ([customer] if customer else []) + specs
    shown = [s.col for s in every]
    anchor = nw.col(every[0].col)
    kept = (
        ~_blank(customer.col, schema[customer.col])
        if customer
        else ~anchor.is_null() | anchor.is_null()
    )
    formats = {
        s.col: _date_format(lf.filter(kept), s, schema[s.col], date_format, shown)
        for s in every
        if s.role == "date"
    }
    checks: dict[str, nw.Expr] = {"n": nw.len(), "kept": _count(kept)}
    exprs: dict[str, nw.Expr] = {}
    for spec in every:
        dtype = schema[spec.col]
        raw = nw.col(spec.col)
        if spec.role in ("id", "label"):
            blank = _blank(spec.col, dtype)
            if spec.role == "id" and spec is not customer:
                checks[f"blank:{spec.col}"] = _count(kept & blank)
            not_whole = _not_whole(spec.col, dtype)
            if not_whole is not None:
                checks[f"whole:{spec.col}"] = _count(kept & ~blank & not_whole)
        elif spec.role == "keep":
            exprs[spec.out] = raw
        elif spec.role == "date":
            exprs[spec.out] = _date(spec.col, dtype, formats[spec.col], spec.arg)
            if spec.required:
                checks[f"null:{spec.col}"] = _count(kept & exprs[spec.out].is_null())
        elif dtype == nw.String:
            bad_text = ~raw.is_null() & ~raw.str.strip_chars().str.contains(NUMBER_PATTERN)
            checks[f"text:{spec.col}"] = _count(kept & bad_text)
            exprs[spec.out] = raw.str.strip_chars().cast(nw.Float64)
            if spec.required:
                checks[f"bad:{spec.col}"] = _count(kept & raw.is_null())
        elif dtype.is_numeric():
            exprs[spec.out] = raw.cast(nw.Float64)
            if spec.required:
                value = raw.cast(nw.Float64)
                checks[f"bad:{spec.col}"] = _count(kept & (value.is_null() | ~value.is_finite()))
        else:
            msg = (
                f"{spec.arg}={spec.col!r} must be numeric; it has dtype {dtype}. Convert it, "
                f"e.g. df[{spec.col!r}] = pd.to_numeric(df[{spec.col!r}])."
            )
            raise InvalidDataError(msg)
    window_expr = nw.lit(True)
    if window is not None:
        out, start, end = window
        date = exprs[out]
        if start is not None:
            window_expr = window_expr & (date >= start.to_pydatetime())
        if end is not None:
            window_expr = window_expr & (date <= end.to_pydatetime())
        checks["window"] = _count(kept & window_expr)
        checks["lo"] = nw.when(kept).then(date).min()
        checks["hi"] = nw.when(kept).then(date).max()
    stats = collect(lf.select(**checks)).iloc[0]
    count = {str(k): 0 if pd.isna(v) else v for k, v in stats.items()}

    n, n_kept = int(count["n"]), int(count["kept"])
    if n == 0:
        msg = f"the data has no {what}: there is nothing to compute on."
        raise EmptyDataError(msg)
    if customer is not None and n_kept < n:
        blank = ~kept
        if missing_customers == "error" or n_kept == 0:
            rows = _rows(lf, blank, shown)
            lead = missing_ids_message(n - n_kept, n, customer.col, hint).split(" and were")[0]
            if n_kept == 0:
                msg = f"{lead}, that is none of them; first rows:{rows}\nCheck customer_col=."
                raise EmptyDataError(msg)
            msg = (
                f"{lead}; first rows:{rows}\nFill in the ids, or pass "
                f"missing_customers='drop' to leave those rows out (with a warning)."
            )
            raise InvalidDataError(msg)
        warn(missing_ids_message(n - n_kept, n, customer.col, hint))
    for spec in every:
        _raise_bad_values(lf, spec, count, kept, exprs, shown, customer)

    if window is not None and int(count["window"]) == 0:
        out, start, end = window
        lo, hi = pd.Timestamp(stats["lo"]), pd.Timestamp(stats["hi"])
        asked = " and ".join(
            f"{name}={value:%Y-%m-%d}"
            for name, value in (("start", start), ("end", end))
            if value is not None
        )
        msg = (
            f"no {what} with {asked}: the data runs from {lo:%Y-%m-%d} to {hi:%Y-%m-%d}. "
            f"Widen start=/end=."
        )
        raise EmptyDataError(msg)

    columns = []
    for spec in every:
        dtype = schema[spec.col]
        if spec.role in ("id", "label"):
            whole = f"whole:{spec.col}" in count and int(count[f"whole:{spec.col}"]) == 0
            text = _text(spec.col, dtype, whole)
            if spec.role == "label":
                text = nw.when(_blank(spec.col, dtype)).then(nw.lit(NONE_LABEL)).otherwise(text)
            columns.append(text.alias(spec.out))
        else:
            columns.append(exprs[spec.out].alias(spec.out))
    return lf.filter(kept & window_expr).select(columns)


def _raise_bad_values(
    lf: nw.LazyFrame,
    spec: Spec,
    count: dict[str, Any],
    kept: nw.Expr,
    exprs: dict[str, nw.Expr],
    shown: list[str],
    customer: Spec | None,
) -> None:
    """Raise the first problem the stats found in one column, naming its rows."""
    col, arg = spec.col, spec.arg
    who = [customer.col] if customer else []
    if int(count.get(f"blank:{col}", 0)):
        rows = _rows(lf, kept & _blank(col, lf.collect_schema()[col]), [*who, *shown])
        msg = (
            f"{arg}={col!r} is empty in {int(count[f'blank:{col}']):,} row(s); they would "
            f"all be merged into one order:{rows}\nFill in the ids, or pass {arg}=None to "
            f"count every line as its own order."
        )
        raise InvalidDataError(msg)
    if int(count.get(f"null:{col}", 0)):
        rows = _rows(lf, kept & exprs[spec.out].is_null(), [*who, col])
        msg = (
            f"{arg}={col!r} has no date in {int(count[f'null:{col}']):,} row(s):{rows}\n"
            f"Fill in the dates or drop those rows."
        )
        raise InvalidDataError(msg)
    if int(count.get(f"text:{col}", 0)):
        raw = nw.col(col)
        bad = ~raw.is_null() & ~raw.str.strip_chars().str.contains(NUMBER_PATTERN)
        rows = _rows(lf, kept & bad, [*who, col])
        msg = (
            f"{arg}={col!r} holds text that is not a number in "
            f"{int(count[f'text:{col}']):,} row(s):{rows}\nWrite plain numbers without "
            f"currency signs or thousands separators ('1,234.50' -> 1234.50, '£3.20' -> "
            f"3.20) and with a decimal point ('10,5' -> 10.5), or convert the column, e.g. "
            f"df[{col!r}] = pd.to_numeric(df[{col!r}].str.replace(r'[^0-9.-]', '', "
            f"regex=True)), and pass the frame."
        )
        raise InvalidDataError(msg)
    if int(count.get(f"bad:{col}", 0)):
        if lf.collect_schema()[col].is_numeric():
            # As text: DuckDB's Parquet filter pushdown loses NaN rows in ~isfinite().
            text = nw.col(col).cast(nw.Float64).cast(nw.String).str.to_lowercase()
            bad = nw.col(col).is_null() | text.is_in(["nan", "inf", "-inf", "infinity"])
        else:
            bad = nw.col(col).is_null()
        rows = _rows(lf, kept & bad, [*who, col])
        msg = (
            f"{arg}={col!r} is missing, NaN or infinite in {int(count[f'bad:{col}']):,} "
            f"row(s):{rows}\nFill in or drop those rows: every value must be a finite number."
        )
        raise InvalidDataError(msg)


def _date_format(
    lf: nw.LazyFrame, spec: Spec, dtype: Any, date_format: str | None, shown: list[str]
) -> str | None:
    """The format that reads a text date column: ``date_format``, else the first ISO form.

    Raises :class:`InvalidDataError` naming the values that no candidate format reads.
    """
    if dtype != nw.String:
        return None
    try:
        collect(lf.select(_parse(spec.col, date_format).min()))
    except Exception:  # noqa: BLE001 - any parser failure: find the values at fault
        pass
    else:
        return date_format
    candidates = (date_format,) if date_format is not None else ISO_FORMATS
    bad, n_bad = _unparsed(lf, spec.col, candidates, shown)
    text = bad.to_string(index=False, max_colwidth=30).replace("\n", "\n    ")
    if date_format is not None:
        lead = (
            f"{spec.arg}={spec.col!r}: {n_bad:,} value(s) could not be read as dates in "
            f"date_format={date_format!r}"
        )
        fix = "Fix those values, or pass the date_format that fits them"
    else:
        lead = (
            f"{spec.arg}={spec.col!r}: {n_bad:,} value(s) could not be read as dates "
            f"(YYYY-MM-DD, with an optional time)"
        )
        fix = "Pass the format of the dates, e.g. date_format='%m/%d/%Y %H:%M'"
    if n_bad == 0:
        lead = f"{spec.arg}={spec.col!r} could not be read as dates (first values"
        text = ", ".join(map(repr, collect(lf.select(spec.col).head(_SHOWN))[spec.col])) + ")"
    msg = f"{lead}; first rows:\n    {text}\n{fix} (--date-format on the command line)."
    raise InvalidDataError(msg)


def _unparsed(
    lf: nw.LazyFrame, col: str, formats: tuple[str, ...], shown: list[str]
) -> tuple[pd.DataFrame, int]:
    """Rows whose ``col`` text no format reads, and their number (in the frame's engine)."""
    native = lf.to_native()
    impl = lf.implementation
    columns = list(dict.fromkeys(shown))
    if impl is nw.Implementation.PANDAS:
        text = native[col].str.strip()
        bad = native[col].notna()
        for fmt in formats:
            bad &= pd.to_datetime(text, format=fmt, errors="coerce").isna()
        return native.loc[bad, columns].head(_SHOWN), int(bad.sum())
    if impl is nw.Implementation.POLARS:
        import polars as pl

        text = pl.col(col).str.strip_chars()
        cond = pl.col(col).is_not_null()
        for fmt in formats:
            cond &= text.str.to_datetime(fmt, strict=False).is_null()
        rows = native.lazy().filter(cond)
        n = rows.select(pl.len()).collect().item()
        return rows.select(columns).head(_SHOWN).collect().to_pandas(), int(n)
    if impl is nw.Implementation.DUCKDB:
        quoted = '"' + col.replace('"', '""') + '"'
        conds = [f"{quoted} IS NOT NULL"] + [
            f"try_strptime(trim({quoted}), '{fmt.replace(chr(39), chr(39) * 2)}') IS NULL"
            for fmt in formats
        ]
        rows = native.filter(" AND ".join(conds))
        n = rows.aggregate("count(*)").fetchall()[0][0]
        return rows.select(*columns).limit(_SHOWN).df(), int(n)
    return collect(lf.select(columns).head(_SHOWN)), 0


#: Missing values of a column as the readers define them (for callers outside this module).
blank = _blank
