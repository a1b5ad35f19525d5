"""Confidence intervals for rates, in percent.

The Wilson score interval is used for every share retention_kit reports (CRR, churn,
repeat-purchase and loyalty rates, cohort cells): unlike the textbook normal interval it
stays inside 0-100 and behaves at 0 and 100 % and at small counts.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import stats

from .exceptions import RetentionKitError

__all__ = ["MIN_READABLE_N", "check_confidence", "wilson_interval"]

#: Below this many customers a rate's 95 % interval is wider than about +-15 points, and
#: retention_kit flags the cohort or segment as too small to read.
MIN_READABLE_N = 30


def check_confidence(confidence: float) -> float:
    """Return ``confidence`` if it is a number strictly between 0 and 1, else raise.

    Examples
    --------
    >>> check_confidence(0.9)
    0.9
    >>> check_confidence(95)
    Traceback (most recent call last):
    ...
    retention_kit.exceptions.RetentionKitError: confidence=95 must be between 0 and 1 (e.g. 0.95).
    """
    ok = isinstance(confidence, int | float) and not isinstance(confidence, bool)
    if not ok or not 0 < confidence < 1:
        msg = f"confidence={confidence!r} must be between 0 and 1 (e.g. 0.95)."
        raise RetentionKitError(msg)
    return confidence


def wilson_interval(
    successes: npt.ArrayLike, n: npt.ArrayLike, *, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of ``successes / n``, in percent.

    Parameters
    ----------
    successes : array-like of int
        Number of customers with the property (retained, churned, repeat buyers...).
    n : array-like of int
        Number of customers it is a share of. Where ``n`` is 0 the bounds are NaN.
    confidence : float, default 0.95
        Coverage of the interval, between 0 and 1.

    Returns
    -------
    (low, high) : tuple of numpy arrays
        Lower and upper bounds in percent (0-100), same shape as the broadcast inputs.

    Raises
    ------
    RetentionKitError
        If a count is negative, ``successes > n`` or ``confidence`` is not in (0, 1).

    Examples
    --------
    >>> low, high = wilson_interval(900, 1000)
    >>> print(f"{float(low):.2f} {float(high):.2f}")
    87.98 91.71
    """
    check_confidence(confidence)
    k = np.asarray(successes, dtype=float)
    total = np.asarray(n, dtype=float)
    if np.any(k < 0) or np.any(total < 0):
        msg = "wilson_interval: counts must be >= 0."
        raise RetentionKitError(msg)
    if np.any(k > total):
        msg = "wilson_interval: successes cannot exceed n."
        raise RetentionKitError(msg)
    z = stats.norm.ppf(0.5 + confidence / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / total
        denom = 1 + z**2 / total
        centre = (p + z**2 / (2 * total)) / denom
        half = z * np.sqrt(p * (1 - p) / total + z**2 / (4 * total**2)) / denom
        low = np.where(total > 0, np.clip(centre - half, 0, 1) * 100, np.nan)
        high = np.where(total > 0, np.clip(centre + half, 0, 1) * 100, np.nan)
    return low, high
