"""Arguments every public function shares: warnings once per call, and date arguments.

Part of the validation layer (:mod:`._validation` re-exports these names).
"""

from __future__ import annotations

import contextvars
import functools
import math
import numbers
import sys
import warnings
from collections.abc import Callable
from types import FrameType
from typing import Any, TypeVar

import pandas as pd

from .exceptions import EmptyDataError, RetentionKitError, RetentionKitWarning


def find_stacklevel() -> int:
    """Stack level of the first frame outside retention_kit, for warnings."""
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("retention_kit"):
        frame = frame.f_back
        level += 1
    return level


#: Messages already warned in the current top-level call (None outside one).
_WARNED: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "retention_kit_warned", default=None
)
_F = TypeVar("_F", bound=Callable[..., Any])


def warn(message: str) -> None:
    """Emit a :class:`RetentionKitWarning` pointing at the user's line.

    Inside a function decorated with :func:`warns_once`, a message already emitted during
    the same top-level call is not repeated (e.g. by the public functions it calls).
    """
    seen = _WARNED.get()
    if seen is not None:
        if message in seen:
            return
        seen.add(message)
    warnings.warn(message, RetentionKitWarning, stacklevel=find_stacklevel())


def warns_once(func: _F) -> _F:
    """Decorate a public function that calls others: each warning once per call."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if _WARNED.get() is not None:  # nested: the outer call keeps the record
            return func(*args, **kwargs)
        token = _WARNED.set(set())
        try:
            return func(*args, **kwargs)
        finally:
            _WARNED.reset(token)

    return wrapper  # type: ignore[return-value]


#: Default of a deprecated keyword: tells "not passed" apart from any value.
NOT_GIVEN: Any = type("NotGiven", (), {"__repr__": lambda self: "<not given>"})()


def renamed(old: str, old_value: Any, new: str, new_value: Any, *, default: Any = None) -> Any:
    """Accept a keyword under its old name for one release, with a ``FutureWarning``.

    ``old_value`` is ``NOT_GIVEN`` when the caller did not use the old name. Returns the
    value to use; passing both names is an error.

    Examples
    --------
    >>> renamed("unit", NOT_GIVEN, "time_unit", "week")
    'week'
    """
    if old_value is NOT_GIVEN:
        return new_value
    if new_value is not default and new_value != default:
        msg = f"pass {new}= only; {old}= is its old name (both were given)."
        raise RetentionKitError(msg)
    warnings.warn(
        f"{old}= is now called {new}=; the old name will stop working in the next release.",
        FutureWarning,
        stacklevel=find_stacklevel(),
    )
    return old_value


def parse_date_arg(value: Any, arg: str) -> pd.Timestamp | None:
    """``value`` as a timezone-naive timestamp (None stays None), or a clear error.

    A timezone-aware value keeps its wall-clock time, as date columns do.
    """
    if value is None:
        return None
    try:
        ts = value.start_time if isinstance(value, pd.Period) else pd.Timestamp(value)
    except (TypeError, ValueError, OverflowError):
        ts = None
    if ts is None or pd.isna(ts):
        msg = (
            f"{arg}={value!r} is not a date. Pass a date such as {arg}='2024-12-31' "
            f"(ISO year-month-day, optionally with a time), a datetime.date or a pd.Timestamp."
        )
        raise RetentionKitError(msg)
    return ts.tz_localize(None) if ts.tzinfo is not None else ts


def data_span(first: Any, last: Any) -> str:
    """``"the data runs from <first> to <last>"`` for error messages."""
    return f"the data runs from {pd.Timestamp(first):%Y-%m-%d} to {pd.Timestamp(last):%Y-%m-%d}"


def naive(value: Any) -> pd.Timestamp:
    """A timestamp on the data's wall clock, without a zone (engines may return aware ones)."""
    ts = pd.Timestamp(value)
    return ts.tz_localize(None) if ts.tzinfo is not None else ts


def check_window(
    start: Any, end: Any, *, first: pd.Timestamp, last: pd.Timestamp
) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Parse ``start``/``end`` and raise when they are reversed or miss the data entirely."""
    start_ts = parse_date_arg(start, "start")
    end_ts = parse_date_arg(end, "end")
    if start_ts is not None and end_ts is not None and start_ts > end_ts:
        msg = (
            f"start={start!r} is after end={end!r}: the window selects nothing. Pass the "
            f"earlier date as start= and the later one as end=."
        )
        raise RetentionKitError(msg)
    first, last = naive(first), naive(last)
    if start_ts is not None and start_ts > last:
        msg = (
            f"start={start!r} is after the last date in the data ({data_span(first, last)}): "
            f"the window selects nothing. Pass an earlier start=."
        )
        raise EmptyDataError(msg)
    if end_ts is not None and end_ts < first.normalize():
        msg = (
            f"end={end!r} is before the first date in the data ({data_span(first, last)}): "
            f"the window selects nothing. Pass a later end=."
        )
        raise EmptyDataError(msg)
    return start_ts, end_ts


def resolve_as_of(
    as_of: Any, default: pd.Timestamp, *, first: pd.Timestamp | None = None
) -> pd.Timestamp:
    """The observation date: ``as_of`` if given, else ``default`` (the last date in the data).

    With ``first`` (the first date in the data), an ``as_of`` before that day raises
    :class:`EmptyDataError`: nothing had happened by then.
    """
    as_of_ts = parse_date_arg(as_of, "as_of")
    if as_of_ts is None:
        return pd.Timestamp(default)
    if first is not None and as_of_ts < naive(first).normalize():
        msg = (
            f"as_of={as_of!r} is before the first date in the data "
            f"({data_span(first, default)}): nothing had happened by then. Pass a later "
            f"as_of=, or leave it out to use the last date."
        )
        raise EmptyDataError(msg)
    return as_of_ts


def check_non_negative(value: Any, name: str) -> float:
    """Return ``value`` as a finite float >= 0, or raise naming the argument ``name``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        msg = f"{name}={value!r} must be a number."
        raise RetentionKitError(msg) from None
    if not math.isfinite(number) or number < 0:
        msg = f"{name}={value!r} must be a finite number >= 0."
        raise RetentionKitError(msg)
    return number


def check_percent(value: Any, name: str, *, upper: float = 100.0, hint: bool = True) -> float:
    """Return a percentage in ``[0, upper]``; warn when it looks like a fraction (``hint``)."""
    number = check_non_negative(value, name)
    if number > upper:
        msg = f"{name}={value!r} is a percentage and must be between 0 and {upper:g}."
        raise RetentionKitError(msg)
    if hint and 0 < number < 1:
        warn(
            f"{name}={value!r} looks like a fraction; retention_kit takes percentages "
            f"(pass {number * 100:g} for {number:.0%})."
        )
    return number


def check_whole_number(value: object, name: str, *, minimum: int, example: int) -> int:
    """Return ``value`` as an int if it is an integer >= ``minimum``, else raise naming ``name``.

    Examples
    --------
    >>> check_whole_number(3, "n_customers", minimum=1, example=4000)
    3
    >>> check_whole_number(-1, "seed", minimum=0, example=42)
    Traceback (most recent call last):
    ...
    retention_kit.exceptions.RetentionKitError: `seed` must be an integer >= 0, got -1. Pass a non-negative whole number, e.g. seed=42.
    """  # noqa: E501 - the message is one line
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        kind = "positive" if minimum >= 1 else "non-negative"
        msg = (
            f"`{name}` must be an integer >= {minimum}, got {value!r}. "
            f"Pass a {kind} whole number, e.g. {name}={example}."
        )
        raise RetentionKitError(msg)
    return int(value)
