"""Turning yearly rates and spans into the unit a calculation works in.

Two conversions every report needs, written once:

- :func:`period_discount_rate`: an annual discount rate (percent) as the rate per calendar
  period (``freq``) that compounds back to it;
- :func:`time_units_per`: how many model time units (``time_unit``: day, week, ...) there
  are in a month or a year, e.g. to state a weekly purchase rate per year, or a horizon in
  months in the models' unit.
"""

from __future__ import annotations

import math

from ._frames import DAYS_PER_UNIT, Freq, check_freq, days_per
from .exceptions import RetentionKitError

__all__ = ["PERIODS_PER_YEAR", "period_discount_rate", "time_units_per"]

PERIODS_PER_YEAR: dict[str, int] = {"day": 365, "week": 52, "month": 12, "quarter": 4, "year": 1}
"""Periods in a year for each ``freq``, used to turn annual rates into per-period ones."""


def period_discount_rate(annual_rate: float, freq: Freq) -> float:
    """An annual discount rate (percent) as the equivalent rate per period (percent).

    ``(1 + d) ** (1 / k) - 1`` with ``k`` periods a year (:data:`PERIODS_PER_YEAR`), so
    that compounding the per-period rate over a year gives back the annual rate.

    Parameters
    ----------
    annual_rate : float
        Discount rate per year, percent (10 for 10 %).
    freq : {"day", "week", "month", "quarter", "year"}
        The period.

    Returns
    -------
    float
        Discount rate per period, percent.

    Raises
    ------
    RetentionKitError
        If the rate is negative or not a number, or ``freq`` is unknown.

    Examples
    --------
    >>> round(period_discount_rate(10.0, "month"), 4)
    0.7974
    >>> period_discount_rate(10.0, "year")
    10.0
    """
    freq = check_freq(freq)  # type: ignore[assignment]
    try:
        rate = float(annual_rate)
    except (TypeError, ValueError):
        msg = f"annual_rate={annual_rate!r} must be a number (percent per year)."
        raise RetentionKitError(msg) from None
    if not math.isfinite(rate) or rate < 0:
        msg = f"annual_rate={annual_rate!r} must be a percentage >= 0."
        raise RetentionKitError(msg)
    k = PERIODS_PER_YEAR[freq]
    if k == 1:
        return rate
    return ((1 + rate / 100) ** (1 / k) - 1) * 100


def time_units_per(span: str, time_unit: str) -> float:
    """How many ``time_unit`` fit in one ``span`` (a month is 365.25 / 12 days).

    Parameters
    ----------
    span : {"day", "week", "month", "year"}
        The longer (or shorter) stretch of time to express.
    time_unit : {"day", "week", "month", "year"}
        The unit to express it in, e.g. the unit the models were fitted in.

    Returns
    -------
    float
        ``days in span / days in time_unit``.

    Raises
    ------
    RetentionKitError
        If either name is not a time unit.

    Examples
    --------
    >>> round(time_units_per("month", "week"), 4)  # 30.4375 days / 7
    4.3482
    >>> time_units_per("year", "day")
    365.25
    >>> time_units_per("week", "week")
    1.0
    """
    if span not in DAYS_PER_UNIT:
        msg = (
            f"span={span!r} is not a time unit; use one of "
            f"{', '.join(map(repr, DAYS_PER_UNIT))}."
        )
        raise RetentionKitError(msg)
    return DAYS_PER_UNIT[span] / days_per(time_unit)
