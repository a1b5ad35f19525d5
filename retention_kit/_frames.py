"""Engine-neutral frame helpers: lazy frames in, small pandas results out.

Everything heavy runs in the user's engine through Narwhals. Periods are integer indices
computed in the engine from year, month and day (the only date parts every backend offers),
and turned into :class:`pandas.Period` labels only on the small collected results.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import narwhals as nw
import numpy as np
import pandas as pd

from .exceptions import RetentionKitError

Freq = Literal["day", "week", "month", "quarter", "year"]
FREQS: tuple[str, ...] = ("day", "week", "month", "quarter", "year")
#: What to do with the last, unfinished period: leave it out, or keep it marked.
Incomplete = Literal["exclude", "flag"]

#: The unit of model inputs and durations (recency, T, tenure): ``time_unit=``.
TimeUnit = Literal["day", "week", "month", "year"]
#: Days in one time unit; a month is 365.25 / 12 days, a year 365.25 days.
DAYS_PER_UNIT: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 365.25 / 12, "year": 365.25}
_PANDAS_FREQ = {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q-DEC", "year": "Y-DEC"}


def to_lazy(frame: Any, *, arg: str = "frame") -> nw.LazyFrame:
    """Wrap any supported native frame as a Narwhals LazyFrame.

    Eager frames (pandas, Polars) stay in their own backend; lazy ones (Polars LazyFrame,
    DuckDB relation, PySpark DataFrame) are not collected.
    """
    if isinstance(frame, nw.DataFrame | nw.LazyFrame):
        wrapped = frame
    else:
        try:
            wrapped = nw.from_native(frame)
        except TypeError:
            msg = (
                f"{arg} must be a data frame (pandas, Polars, DuckDB relation or PySpark "
                f"DataFrame); got {type(frame).__name__}. Load your data first, e.g. "
                f"pd.read_csv(path)."
            )
            raise RetentionKitError(msg) from None
    if isinstance(wrapped, nw.DataFrame):
        return wrapped.lazy()
    if isinstance(wrapped, nw.LazyFrame):
        return wrapped
    msg = f"{arg} must be a data frame, not a single column ({type(frame).__name__})."
    raise RetentionKitError(msg)


def collect(frame: nw.LazyFrame) -> pd.DataFrame:
    """Collect a (small) lazy result into a pandas DataFrame with a fresh index.

    Engines that sum integers into wider types (DuckDB's HUGEINT, decimals) come back as
    int64 or float64, so results are identical whatever the engine.
    """
    schema = frame.collect_schema()
    wide_ints = [name for name, dtype in schema.items() if dtype in (nw.Int128, nw.UInt128)]
    decimals = [name for name, dtype in schema.items() if dtype == nw.Decimal]
    if wide_ints:
        frame = frame.with_columns(nw.col(wide_ints).cast(nw.Int64))
    if decimals:
        frame = frame.with_columns(nw.col(decimals).cast(nw.Float64))
    out = frame.collect().to_pandas()
    return out.reset_index(drop=True)


def check_option(name: str, value: Any, allowed: tuple[str, ...]) -> Any:
    """Return ``value`` if it is one of ``allowed``, else raise naming the argument ``name``.

    Examples
    --------
    >>> check_option("freq", "month", FREQS)
    'month'
    """
    if not isinstance(value, str) or value not in allowed:
        msg = f"{name}={value!r} is not supported; use one of {', '.join(map(repr, allowed))}."
        raise RetentionKitError(msg)
    return value


def check_time_unit(time_unit: str, allowed: tuple[str, ...] = tuple(DAYS_PER_UNIT)) -> str:
    """Return ``time_unit`` if it is one of ``allowed`` (by default every unit)."""
    return check_option("time_unit", time_unit, allowed)


def days_per(time_unit: str) -> float:
    """Days in one ``time_unit`` (a month is 365.25 / 12 days).

    Examples
    --------
    >>> days_per("week")
    7.0
    >>> round(days_per("month"), 4)
    30.4375
    """
    return DAYS_PER_UNIT[check_time_unit(time_unit)]


def check_incomplete(incomplete: str) -> str:
    """Return ``incomplete`` if it is ``"exclude"`` or ``"flag"``."""
    return check_option("incomplete", incomplete, ("exclude", "flag"))


def check_freq(freq: str) -> str:
    """Return ``freq`` if it is one of the supported period names."""
    return check_option("freq", freq, FREQS)


#: Engines whose datetimes are epoch integers: a day number is one integer division there.
_EPOCH_ENGINES = (
    nw.Implementation.PANDAS,
    nw.Implementation.MODIN,
    nw.Implementation.CUDF,
    nw.Implementation.POLARS,
    nw.Implementation.PYARROW,
)


def day_number(col: str | nw.Expr, frame: nw.LazyFrame | None = None) -> nw.Expr:
    """Days since 1970-01-01 of a date/datetime column.

    On engines that store datetimes as epoch integers (pandas, Polars, PyArrow; pass the
    ``frame`` the expression is for) it divides the timestamp. Elsewhere it uses the
    proleptic-Gregorian days-from-civil arithmetic on year, month and day, with integer
    operations only, so the same expression runs on DuckDB and Spark.
    """
    expr = nw.col(col) if isinstance(col, str) else col
    if frame is not None and frame.implementation in _EPOCH_ENGINES:
        return expr.dt.timestamp("ms") // 86_400_000
    if frame is not None and frame.implementation is nw.Implementation.DUCKDB:
        # DuckDB subtracts dates into whole days; far cheaper than the civil arithmetic.
        return expr.cast(nw.Date) - nw.lit(dt.date(1970, 1, 1))
    y = expr.dt.year().cast(nw.Int64)
    m = expr.dt.month().cast(nw.Int64)
    d = expr.dt.day().cast(nw.Int64)
    yy = y - nw.when(m <= 2).then(1).otherwise(0)
    era = yy // 400
    yoe = yy - era * 400
    shifted_month = nw.when(m > 2).then(m - 3).otherwise(m + 9)
    doy = (153 * shifted_month + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def period_index(col: str | nw.Expr, freq: str, frame: nw.LazyFrame | None = None) -> nw.Expr:
    """Integer index of the calendar period holding each date (consecutive periods differ by 1).

    day: days since 1970-01-01; week: ISO weeks (Monday start) since the week of 1970-01-01;
    month: ``year * 12 + month - 1``; quarter: ``year * 4 + quarter - 1``; year: the year.
    Pass the ``frame`` the expression is for to let day and week use the fast path of
    :func:`day_number`.
    """
    expr = nw.col(col) if isinstance(col, str) else col
    if freq == "day":
        return day_number(expr, frame)
    if freq == "week":
        # 1970-01-01 was a Thursday: shifting by 3 days puts Mondays on multiples of 7.
        return (day_number(expr, frame) + 3) // 7
    year = expr.dt.year().cast(nw.Int64)
    month = expr.dt.month().cast(nw.Int64)
    if freq == "month":
        return year * 12 + month - 1
    if freq == "quarter":
        return year * 4 + (month - 1) // 3
    return year


def python_period_index(when: pd.Timestamp, freq: str) -> int:
    """The :func:`period_index` of one timestamp, computed in Python."""
    ts = pd.Timestamp(when)
    if freq == "day":
        return int((ts.normalize() - pd.Timestamp("1970-01-01")).days)
    if freq == "week":
        return (int((ts.normalize() - pd.Timestamp("1970-01-01")).days) + 3) // 7
    if freq == "month":
        return ts.year * 12 + ts.month - 1
    if freq == "quarter":
        return ts.year * 4 + (ts.month - 1) // 3
    return int(ts.year)


def to_periods(index: Any, freq: str) -> pd.PeriodIndex:
    """Turn integer period indices back into a :class:`pandas.PeriodIndex`."""
    idx = np.asarray(index, dtype="int64")
    if freq in ("day", "week"):
        days = idx if freq == "day" else idx * 7 - 3
        starts = pd.DatetimeIndex(pd.to_datetime(days, unit="D"))
    else:
        if freq == "month":
            year, month = idx // 12, idx % 12 + 1
        elif freq == "quarter":
            year, month = idx // 4, (idx % 4) * 3 + 1
        else:
            year, month = idx, np.ones_like(idx)
        starts = pd.DatetimeIndex(pd.to_datetime({"year": year, "month": month, "day": 1}))
    return pd.PeriodIndex(starts.to_period(_PANDAS_FREQ[freq]), name="period")


def pandas_freq(freq: str) -> str:
    """The pandas period alias of a retention_kit ``freq``."""
    return _PANDAS_FREQ[freq]


def last_complete_period(as_of: Any, freq: str) -> int:
    """Index of the last period that has fully elapsed by the end of day ``as_of``."""
    next_day = pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)
    return python_period_index(next_day, freq) - 1


def is_complete(index: Any, freq: str, as_of: pd.Timestamp) -> np.ndarray:
    """Whether each period (integer index) ends by the end of day ``as_of``."""
    return np.asarray(index, dtype="int64") <= last_complete_period(as_of, freq)
