"""Per-period counts to rates: the table end shared by order and subscription summaries.

:func:`finish_table` turns the per-period counts (``S``, ``E``, ``N``, ``retained``,
``lost``, ...) of :func:`~retention_kit.period_summary` and
:func:`~retention_kit.subscription_summary` into CRR, churn, Wilson intervals,
completeness and notes; :func:`churn_rate` is churn under one counting policy.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from ._frames import check_incomplete, check_option, is_complete, python_period_index, to_periods
from ._validation import PERIOD, parse_date_arg
from .exceptions import EmptyDataError
from .intervals import wilson_interval

__all__ = [
    "COUNT_COLUMNS",
    "Denominator",
    "Reactivations",
    "check_policy",
    "churn_rate",
    "finish_table",
    "current_period",
]


Denominator = Literal["start", "start_plus_new", "average"]


Reactivations = Literal["separate", "net"]


COUNT_COLUMNS = ["S", "E", "N", "retained", "lost", "reactivated", "joined_and_left"]


def check_policy(denominator: str, reactivations: str, incomplete: str) -> None:
    check_option("denominator", denominator, ("start", "start_plus_new", "average"))
    check_option("reactivations", reactivations, ("separate", "net"))
    check_incomplete(incomplete)


def current_period(as_of: pd.Timestamp, freq: str) -> int:
    """Index of the period holding ``as_of`` (complete or not)."""
    return python_period_index(as_of, freq)


def churn_rate(
    counts: pd.DataFrame, *, denominator: str, reactivations: str, same_period: bool
) -> np.ndarray:
    """Churn in percent under one policy, from the per-period counts."""
    s = counts["S"].to_numpy(dtype=float)
    e = counts["E"].to_numpy(dtype=float)
    n = counts["N"].to_numpy(dtype=float)
    lost = counts["lost"].to_numpy(dtype=float)
    if same_period:
        lost = lost + counts["joined_and_left"].to_numpy(dtype=float)
    if reactivations == "net":
        lost = lost - counts["reactivated"].to_numpy(dtype=float)
    base = {"start": s, "start_plus_new": s + n, "average": (s + e) / 2}[denominator]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(base > 0, lost / base * 100, np.nan)


def finish_table(
    counts: pd.DataFrame,
    *,
    by_cols: list[str],
    freq: str,
    as_of: pd.Timestamp,
    start: Any,
    end: Any,
    denominator: str,
    reactivations: str,
    same_period: bool,
    incomplete: str,
    confidence: float,
) -> pd.DataFrame:
    """Rates, intervals, completeness and notes from the per-period counts."""
    out = counts.copy()
    for col in COUNT_COLUMNS:
        out[col] = out[col].astype("int64")
    s = out["S"].to_numpy(dtype=float)
    e = out["E"].to_numpy(dtype=float)
    n = out["N"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["crr_seed"] = np.where(s > 0, (e - n) / s * 100, np.nan)
        out["crr"] = np.where(s > 0, out["retained"] / s * 100, np.nan)
    out["churn"] = churn_rate(
        out, denominator=denominator, reactivations=reactivations, same_period=same_period
    )
    out["crr_low"], out["crr_high"] = wilson_interval(
        out["retained"], out["S"], confidence=confidence
    )
    default_policy = denominator == "start" and reactivations == "separate" and not same_period
    if default_policy:
        out["churn_low"], out["churn_high"] = wilson_interval(
            out["lost"], out["S"], confidence=confidence
        )
    else:
        # A Wilson interval needs a count out of a count; these policies are not one.
        out["churn_low"] = np.nan
        out["churn_high"] = np.nan

    periods = to_periods(out[PERIOD], freq)
    out["complete"] = is_complete(out[PERIOD], freq, as_of)
    out["note"] = _notes(out, denominator)
    out.loc[~out["complete"], "note"] = (
        f"incomplete: data runs to {as_of:%Y-%m-%d}; " + out.loc[~out["complete"], "note"]
    ).str.rstrip("; ")
    out.insert(len(by_cols), "period", periods)
    out = out.drop(columns=[PERIOD])
    if incomplete == "exclude":
        out = out[out["complete"]]
    before_window = len(out)
    start_ts, end_ts = parse_date_arg(start, "start"), parse_date_arg(end, "end")
    if start_ts is not None:
        out = out[[p.end_time >= start_ts for p in out["period"]]]
    if end_ts is not None:
        out = out[[p.start_time <= end_ts for p in out["period"]]]
    if before_window and out.empty:
        msg = (
            f"start={start!r}, end={end!r} select no complete {freq} (the table has "
            f"{before_window} up to {as_of:%Y-%m-%d}): widen the window, or pass "
            f"incomplete='flag' to see the period still running."
        )
        raise EmptyDataError(msg)
    columns = [
        *by_cols,
        "period",
        *COUNT_COLUMNS,
        "crr_seed",
        "crr",
        "churn",
        "crr_low",
        "crr_high",
        "churn_low",
        "churn_high",
        "complete",
        "note",
    ]
    return out[columns].reset_index(drop=True)


def _notes(out: pd.DataFrame, denominator: str) -> pd.Series:
    """Why a rate is missing, or why the seed CRR differs, per row."""
    s = out["S"].to_numpy(dtype="int64")
    churn = out["churn"].to_numpy(dtype=float)
    reactivated = out["reactivated"].to_numpy(dtype="int64")
    joined_and_left = out["joined_and_left"].to_numpy(dtype="int64")
    notes = []
    for i in range(len(out)):
        parts = []
        if s[i] == 0:
            parts.append("S = 0: no customers at the start, CRR undefined")
        elif denominator != "start" and np.isnan(churn[i]):
            parts.append("churn denominator is 0")
        if s[i] > 0 and reactivated[i]:
            parts.append(f"seed CRR counts {reactivated[i]} reactivated customer(s) as kept")
        if s[i] > 0 and joined_and_left[i]:
            parts.append(f"{joined_and_left[i]} joined and left inside the period")
        notes.append("; ".join(parts))
    return pd.Series(notes, index=out.index, dtype="object")
