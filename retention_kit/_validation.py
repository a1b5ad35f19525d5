"""Validation at the public entry points: one place, one way of failing.

Each public data-level function calls :func:`prepare_orders` (or a sibling) once. It checks
the columns and their values in the user's engine, raises errors that name the column, the
offending rows and the fix, and returns a lazy frame with internal column names that the
metric code can rely on.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import narwhals as nw
import pandas as pd

# Argument helpers live in ._arguments; imported here so the layer has one entry point.
from ._arguments import (  # noqa: F401 - re-exported
    check_window,
    data_span,
    find_stacklevel,
    naive,
    parse_date_arg,
    resolve_as_of,
    warn,
    warns_once,
)
from ._frames import collect, to_lazy
from .exceptions import (
    EmptyDataError,
    InvalidDataError,
    MissingColumnError,
    RetentionKitError,
)

Duplicates = Literal["warn", "drop", "keep", "error"]

CUSTOMER = "_rk_customer"
DATE = "_rk_date"
AMOUNT = "_rk_amount"
ORDER = "_rk_order"
IS_ORDER = "_rk_is_order"
PERIOD = "_rk_period"
START = "_rk_start"
END = "_rk_end"
MRR = "_rk_mrr"
#: Stands in for "still active" in end dates (far beyond any data).
FAR_FUTURE = pd.Timestamp("2200-01-01")

_MAX_ROWS_SHOWN = 5


def as_list(by: str | Sequence[str] | None) -> list[str]:
    """Normalise a ``by=`` argument to a list of column names."""
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def require_columns(lf: nw.LazyFrame, columns: dict[str, str | Iterable[str] | None]) -> None:
    """Raise :class:`MissingColumnError` for the first argument whose column is absent."""
    available = lf.collect_schema().names()
    for arg, names in columns.items():
        if names is None:
            continue
        for name in [names] if isinstance(names, str) else names:
            if name in available:
                continue
            close = difflib.get_close_matches(str(name), available, n=1, cutoff=0.5)
            lowered = {c.lower(): c for c in available}
            guess = close[0] if close else lowered.get(str(name).lower())
            hint = (
                f" Did you mean {guess!r}? Pass {arg}={guess!r}."
                if guess
                else f" Pass {arg}= with one of the columns."
            )
            msg = f"{arg}={name!r}: no such column. The frame has {_shortlist(available)}.{hint}"
            raise MissingColumnError(msg, argument=arg, column=name)


def _shortlist(names: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(map(repr, names[:limit]))
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def offending_rows(native: Any, lf: nw.LazyFrame, predicate: nw.Expr, columns: list[str]) -> str:
    """A short text showing the first rows where ``predicate`` holds.

    Pass the customer column first in ``columns``: messages name customers (see
    :func:`offending_customers`). Row positions (0-based, as ``df.iloc`` counts) are added as
    context for eager frames; lazy frames have no row order, so only the rows are shown.
    """
    try:
        eager = nw.from_native(native, eager_only=True)
    except TypeError:
        eager = None
    if eager is not None:
        rows = eager.with_row_index("row").filter(predicate).select(["row", *columns])
        shown = rows.head(_MAX_ROWS_SHOWN).to_pandas()
    else:
        shown = collect(lf.filter(predicate).select(columns).head(_MAX_ROWS_SHOWN))
    text = shown.to_string(index=False, max_colwidth=30)
    return "\n    " + text.replace("\n", "\n    ")


def offending_customers(lf: nw.LazyFrame, predicate: nw.Expr, customer_col: str) -> str:
    """``"customer(s) 'a', 'b' and 3 more"``: the distinct customers of the rows matched."""
    matched = lf.filter(predicate & ~nw.col(customer_col).is_null()).select(customer_col).unique()
    n = count_rows(matched)
    ids = collect(matched.sort(customer_col).head(_MAX_ROWS_SHOWN))[customer_col].tolist()
    more = f" and {n - len(ids)} more" if n > len(ids) else ""
    return f"{n} customer(s): {', '.join(map(repr, ids))}{more}"


def is_missing(lf: nw.LazyFrame, col: str) -> nw.Expr:
    """Null, and for float columns NaN or +-inf too (Polars and DuckDB keep NaN apart)."""
    expr = nw.col(col)
    if lf.collect_schema()[col].is_float():
        return expr.is_null() | ~expr.is_finite().fill_null(False)
    return expr.is_null()


def count_rows(lf: nw.LazyFrame) -> int:
    """Number of rows of a lazy frame (computed in its engine)."""
    return int(collect(lf.select(nw.len().alias("n")))["n"].iloc[0])


def count_where(lf: nw.LazyFrame, predicate: nw.Expr) -> int:
    """Rows of ``lf`` where ``predicate`` holds (0 on an empty frame)."""
    out = collect(lf.select(predicate.cast(nw.Int64).sum().alias("n")))
    value = out["n"].iloc[0]
    return 0 if pd.isna(value) else int(value)


def reject_rows(
    native: Any,
    lf: nw.LazyFrame,
    predicate: nw.Expr,
    columns: list[str],
    problem: Callable[[int], str],
    fix: str,
    *,
    n: int | None = None,
) -> None:
    """Raise :class:`InvalidDataError` showing the first rows where ``predicate`` holds.

    The message is ``problem(n)``, the rows, then ``fix`` on a line of its own; ``n`` (the
    number of such rows) is counted when not given. Nothing happens when there are none.
    """
    n = count_where(lf, predicate) if n is None else n
    if n:
        rows = offending_rows(native, lf, predicate, columns)
        msg = f"{problem(n)}:{rows}\n{fix}"
        raise InvalidDataError(msg)


def parse_dates(native: Any, lf: nw.LazyFrame, col: str, arg: str) -> nw.LazyFrame:
    """Return ``lf`` with ``col`` as a timezone-naive datetime, or raise a clear error.

    Timezone-aware dates keep their wall-clock time, so periods follow the local calendar
    of the column's zone. (A DuckDB relation holds instants: they are read in the
    connection's ``TimeZone`` setting, e.g. ``SET TimeZone = 'Asia/Bangkok'``.)
    """
    dtype = lf.collect_schema()[col]
    if dtype == nw.Datetime:
        if getattr(dtype, "time_zone", None):
            # Periods follow the wall clock of the column's own time zone.
            return lf.with_columns(nw.col(col).dt.replace_time_zone(None))
        return lf
    if dtype == nw.Date:
        return lf.with_columns(nw.col(col).cast(nw.Datetime("us")))
    if dtype == nw.String:
        # Engines that cannot infer a format (DuckDB) get the ISO forms tried in turn.
        for fmt in (None, "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
            try:
                parsed = lf.with_columns(nw.col(col).str.to_datetime(fmt))
                collect(parsed.select(nw.col(col).min()))
            except Exception:  # noqa: BLE001, S112 - any parser failure: try the next format
                continue
            return parsed
        sample = collect(lf.select(nw.col(col)).head(3))[col].tolist()
        msg = (
            f"{arg}={col!r} holds text that could not be read as dates "
            f"(first values: {sample}). Parse it first with an explicit format, e.g. "
            f"df[{col!r}] = pd.to_datetime(df[{col!r}], format='%m/%d/%Y %H:%M')."
        )
        raise InvalidDataError(msg)
    if dtype == nw.Object and isinstance(native, pd.DataFrame):
        values = native[col]
        aware = values.map(lambda v: getattr(v, "tzinfo", None) is not None)
        if aware.any() and not aware[values.notna()].all():
            rows = list(values.index[~aware & values.notna()][:_MAX_ROWS_SHOWN])
            msg = (
                f"{arg}={col!r} mixes timezone-aware and naive dates ({int(aware.sum())} "
                f"aware, {int((~aware & values.notna()).sum())} naive, e.g. rows {rows}). "
                f"Put them on one clock first, e.g. pd.to_datetime(df[{col!r}], utc=True)."
            )
            raise InvalidDataError(msg)
        try:
            converted = pd.to_datetime(values)
        except (ValueError, TypeError):
            msg = (
                f"{arg}={col!r} holds values that are not dates (dtype object). Convert it "
                f"with pd.to_datetime(df[{col!r}], format=...) and look at what fails."
            )
            raise InvalidDataError(msg) from None
        return _reparse(lf, col, converted, arg)
    if isinstance(native, pd.DataFrame) and isinstance(native[col].dtype, pd.DatetimeTZDtype):
        # Narwhals reads some zone names (e.g. 'America/New_York') as dtype Unknown.
        return _reparse(lf, col, native[col].dt.tz_localize(None), arg)
    msg = (
        f"{arg}={col!r} has dtype {dtype}, not dates. Pass the date column, or convert it "
        f"with pd.to_datetime(df[{col!r}])."
    )
    raise InvalidDataError(msg)


def _reparse(lf: nw.LazyFrame, col: str, values: pd.Series, arg: str) -> nw.LazyFrame:
    """``lf`` (pandas-backed) with ``col`` replaced by ``values``, parsed again.

    Earlier conversions of other columns in ``lf`` are kept.
    """
    current = lf.collect().to_native()
    fixed = current.assign(**{col: values.set_axis(current.index)})
    return parse_dates(fixed, to_lazy(fixed), col, arg)


def check_numeric(native: Any, lf: nw.LazyFrame, col: str, arg: str) -> None:
    """Raise if ``col`` is not numeric, showing values that are not numbers."""
    dtype = lf.collect_schema()[col]
    if dtype.is_numeric():
        return
    sample = collect(lf.select(nw.col(col)).head(_MAX_ROWS_SHOWN))[col].tolist()
    msg = (
        f"{arg}={col!r} must be numeric; it has dtype {dtype} (first values: {sample}). "
        f"Convert it, e.g. df[{col!r}] = pd.to_numeric(df[{col!r}].str.replace(',', '')), "
        f"and check the rows that fail."
    )
    raise InvalidDataError(msg)


def check_no_nulls(
    native: Any,
    lf: nw.LazyFrame,
    columns: dict[str, str],
    *,
    customer_col: str | None = None,
    fix: dict[str, str] | None = None,
) -> None:
    """Raise :class:`InvalidDataError` where a required column is null, NaN or +-inf.

    The message names the column, the count and the customers concerned (when
    ``customer_col`` is given and is not the faulty column), then shows the first rows
    (with their 0-based positions for eager frames) and the fix: ``fix[arg]``, or dropping
    the rows.
    """
    for arg, col in columns.items():
        missing = is_missing(lf, col)
        n_missing = count_where(lf, missing)
        if not n_missing:
            continue
        is_float = lf.collect_schema()[col].is_float()
        kind = "missing or non-finite (null, NaN or inf)" if is_float else "missing"
        who = ""
        shown = [col]
        if customer_col is not None and customer_col != col:
            who = f", for {offending_customers(lf, missing, customer_col)}"
            shown = [customer_col, col]
        rows = offending_rows(native, lf, missing, shown)
        hint = (fix or {}).get(arg) or (
            f"Drop or fill them first, e.g. df = df.dropna(subset=[{col!r}])."
        )
        msg = f"{arg}={col!r} has {n_missing} {kind} value(s){who}; first rows:{rows}\n{hint}"
        raise InvalidDataError(msg)


@dataclass(frozen=True)
class Prepared:
    """A validated frame with internal column names, plus what validation learnt."""

    frame: nw.LazyFrame
    by: list[str]
    has_amount: bool
    min_date: pd.Timestamp
    max_date: pd.Timestamp
    n_rows: int
    #: Rows with a negative amount (before any start/end filter); 0 without amounts.
    n_negative: int | None = None


def by_arguments(by_cols: list[str]) -> dict[str, str]:
    """The argument that names each ``by`` column: ``by``, or ``by[i]`` when there are several."""
    return {f"by[{i}]" if len(by_cols) > 1 else "by": col for i, col in enumerate(by_cols)}


def null_counts(lf: nw.LazyFrame, required: dict[str, str]) -> list[nw.Expr]:
    """One ``null_<argument>`` count of missing values per required column (one engine pass)."""
    return [is_missing(lf, c).cast(nw.Int64).sum().alias(f"null_{a}") for a, c in required.items()]


def raise_for_nulls(
    native: Any,
    lf: nw.LazyFrame,
    stats: Any,
    required: dict[str, str],
    *,
    customer_col: str,
    fixes: dict[str, str],
) -> None:
    """Raise :class:`InvalidDataError` for the first required column ``stats`` counts nulls in."""
    for arg, col in required.items():
        if stats[f"null_{arg}"]:
            check_no_nulls(native, lf, {arg: col}, customer_col=customer_col, fix=fixes)


def no_positive_orders(amount_col: str | None, *, windowed: bool = False) -> None:
    """Raise :class:`EmptyDataError`: no order has a positive net amount."""
    where = " in the start=/end= window" if windowed else ""
    msg = (
        f"No order has a positive amount{where} (amount_col={amount_col!r}; an order counts "
        f"when its net amount is > 0, zero and negative amounts are returns or free items), "
        f"so there is nothing to count. Check amount_col=, or leave it out to count every "
        f"row as an order."
    )
    raise EmptyDataError(msg)


def segment_fix(col: str) -> str:
    return (
        f"A customer without a segment would vanish from the table; fill them first, e.g. "
        f"df[{col!r}] = df[{col!r}].fillna('unknown')."
    )


def prepare_orders(
    orders: Any,
    *,
    customer_col: str,
    date_col: str,
    amount_col: str | None = None,
    order_col: str | None = None,
    by: str | Sequence[str] | None = None,
    start: Any = None,
    end: Any = None,
    duplicates: Duplicates = "warn",
) -> Prepared:
    """Validate order data and return one row per order with internal column names.

    The result has columns ``CUSTOMER``, ``DATE``, ``IS_ORDER`` (net amount > 0, or always
    true without amounts), ``AMOUNT`` (when ``amount_col`` is given) and the ``by`` columns.
    Rows sharing an ``order_col`` value are one order, dated at its first line and netted.

    Every column read must be complete: a null (or NaN, or +-inf in a float column) customer,
    date, amount, order id or ``by`` value raises :class:`InvalidDataError` naming the
    customers. ``start``/``end`` must be dates, in order, and overlap the data.
    """
    by_cols = as_list(by)
    lf = to_lazy(orders, arg="orders")
    require_columns(
        lf,
        {
            "customer_col": customer_col,
            "date_col": date_col,
            "amount_col": amount_col,
            "order_col": order_col,
            "by": by_cols,
        },
    )
    check_duplicates_policy(duplicates)
    start_ts, end_ts = parse_date_arg(start, "start"), parse_date_arg(end, "end")
    required = {"customer_col": customer_col, "date_col": date_col}
    if amount_col is not None:
        check_numeric(orders, lf, amount_col, "amount_col")
        required["amount_col"] = amount_col
    if order_col is not None:
        required["order_col"] = order_col
    required.update(by_arguments(by_cols))
    fixes = {
        "order_col": (
            "Lines without an order id cannot be told apart (they would merge into one "
            "order); fill them with unique ids, or leave order_col= out to count rows."
        ),
        **{arg: segment_fix(col) for arg, col in required.items() if arg.startswith("by")},
    }
    lf = parse_dates(orders, lf, date_col, "date_col")
    # One pass over the data for every count validation needs (a Spark job is costly).
    checks = [
        nw.len().alias("n"),
        nw.col(date_col).min().alias("lo"),
        nw.col(date_col).max().alias("hi"),
    ]
    checks += null_counts(lf, required)
    if amount_col is not None:
        checks.append((nw.col(amount_col) < 0).cast(nw.Int64).sum().alias("negative"))
    stats = collect(lf.select(checks)).iloc[0]
    n_rows = int(stats["n"])
    if n_rows == 0:
        msg = "orders is empty: there are no rows to compute on."
        raise EmptyDataError(msg)
    raise_for_nulls(orders, lf, stats, required, customer_col=customer_col, fixes=fixes)
    check_window(start, end, first=stats["lo"], last=stats["hi"])

    lf = handle_duplicates(lf, duplicates, n_rows=n_rows, summed=order_col is not None)

    if start_ts is not None:
        lf = lf.filter(nw.col(date_col) >= start_ts.to_pydatetime())
    if end_ts is not None:
        lf = lf.filter(nw.col(date_col) <= end_ts.to_pydatetime())

    cols = [
        nw.col(customer_col).alias(CUSTOMER),
        nw.col(date_col).alias(DATE),
        *[nw.col(c) for c in by_cols],
    ]
    if amount_col is not None:
        cols.append(nw.col(amount_col).cast(nw.Float64).alias(AMOUNT))
    if order_col is not None:
        cols.append(nw.col(order_col).alias(ORDER))
    slim = lf.select(cols)

    if amount_col is not None:
        n_negative = int(stats["negative"])
        if n_negative:
            warn(
                f"amount_col={amount_col!r} has {n_negative} negative value(s) (returns or "
                f"cancellations). They are netted into revenue and never counted as orders; "
                f"filter them out first if they are not returns."
            )

    if order_col is not None:
        aggs = [nw.col(DATE).min()]
        if amount_col is not None:
            aggs.append(nw.col(AMOUNT).sum())
        slim = slim.group_by([CUSTOMER, ORDER, *by_cols]).agg(aggs)
    if amount_col is not None:
        slim = slim.with_columns((nw.col(AMOUNT) > 0).alias(IS_ORDER))
    else:
        slim = slim.with_columns(nw.lit(True).alias(IS_ORDER))

    if start is None and end is None and duplicates != "drop":
        bounds = stats.to_frame().T
    else:
        bounds = collect(
            slim.select(nw.col(DATE).min().alias("lo"), nw.col(DATE).max().alias("hi"))
        )
    if pd.isna(bounds["lo"].iloc[0]):
        window = f" between {start} and {end}" if (start or end) else ""
        msg = (
            f"orders has no rows{window} ({data_span(stats['lo'], stats['hi'])}): widen "
            f"start=/end= or check date_col={date_col!r}."
        )
        raise EmptyDataError(msg)
    return Prepared(
        frame=slim,
        by=by_cols,
        has_amount=amount_col is not None,
        min_date=naive(bounds["lo"].iloc[0]),
        max_date=naive(bounds["hi"].iloc[0]),
        n_rows=n_rows,
        n_negative=int(stats["negative"]) if amount_col is not None else 0,
    )


def check_duplicates_policy(duplicates: str) -> None:
    """Raise unless ``duplicates`` is one of the documented policies."""
    if duplicates not in ("warn", "drop", "keep", "error"):
        msg = f"duplicates={duplicates!r}: use 'warn', 'drop', 'keep' or 'error'."
        raise RetentionKitError(msg)


def handle_duplicates(
    lf: nw.LazyFrame,
    duplicates: Duplicates,
    *,
    n_rows: int | None = None,
    summed: bool = False,
    what: str = "orders",
    among: nw.Expr | None = None,
) -> nw.LazyFrame:
    """Apply the ``duplicates`` policy to exact duplicate rows of ``lf``.

    The one definition of a duplicate in the package: a row equal in every column to
    another row of the frame as given (for a file, every column of the file). ``"warn"``
    keeps them with one warning that counts them, ``"drop"`` keeps one of each, ``"error"``
    raises and ``"keep"`` skips the check. ``summed`` says whether kept duplicates are
    summed into their order (there is an order id) or count as orders of their own.
    ``among`` counts only the rows where it holds (the rows with a customer id, when
    reading a file whose other rows are left out).
    """
    check_duplicates_policy(duplicates)
    if duplicates == "keep":
        return lf
    counted = lf if among is None else lf.filter(among)
    total = count_rows(counted) if n_rows is None or among is not None else n_rows
    n_dup = total - count_rows(counted.unique())
    if not n_dup:
        return lf
    text = f"{what} has {n_dup:,} exact duplicate row(s) (every column equal to another row's)."
    if duplicates == "error":
        msg = text + " Remove them (df.drop_duplicates()) or pass duplicates='keep'."
        raise InvalidDataError(msg)
    if duplicates == "drop":
        warn(text + " One of each is kept (duplicates='drop').")
        return lf.unique()
    kept = (
        " They are kept (summed into their order's amount)"
        if summed
        else " They are kept and counted as separate orders"
    )
    warn(
        text + kept + "; pass duplicates='drop' to remove them or duplicates='keep' to "
        "silence this."
    )
    return lf


def __getattr__(name: str) -> Any:
    # Subscription validation lives in ._spells (it builds on this module).
    if name in ("PreparedSpells", "check_mrr", "prepare_subscriptions"):
        from . import _spells

        return getattr(_spells, name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
