"""How one value reads in a table or sentence: money, percent, count, a dash when missing.

Shared by :mod:`.reporting` (tables) and the CLI's summary lines; :mod:`.kpis` uses
:func:`is_missing` to clean values for JSON.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

#: What a missing value reads as.
DASH = "–"


def is_missing(value: Any) -> bool:
    """True for None, NaN and ``pd.NA``."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def money(value: Any, currency: str, decimals: int = 2, *, sign: bool = False) -> str:
    """``£1,234.50``; ``-£3.00``; with ``sign=True`` also ``+£2.00``.

    Examples
    --------
    >>> money(-1234.5, "£"), money(2, "$", 0, sign=True), money(None, "$")
    ('-£1,234.50', '+$2', '–')
    """
    if is_missing(value):
        return DASH
    number = float(value)
    prefix = "-" if number < 0 else ("+" if sign and number > 0 else "")
    return f"{prefix}{currency}{abs(number):,.{decimals}f}"


def percent(value: Any, decimals: int = 1) -> str:
    """``12.3 %`` (the value is already a percentage)."""
    return DASH if is_missing(value) else f"{float(value):,.{decimals}f} %"


def integer(value: Any) -> str:
    """``1,234``."""
    return DASH if is_missing(value) else f"{float(value):,.0f}"


def plain(value: Any, decimals: int) -> str:
    """A cell of a column not named as percent, money or integer: floats rounded."""
    if is_missing(value):
        return DASH
    if isinstance(value, float | np.floating):
        return f"{value:,.{decimals}f}"
    return str(value)
