"""Did NPS change between two calendar periods? A two-sample z test on survey answers.

The counting and validation are those of :func:`~retention_kit.net_promoter_score`
(:mod:`retention_kit.nps`); this module names the two periods, compares their scores and
says the result in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._answers import COUNTS, answers_as_of, count_groups, prepare_answers
from ._docstrings import fill_doc
from ._frames import (
    Freq,
    check_freq,
    last_complete_period,
    pandas_freq,
    python_period_index,
    to_periods,
)
from ._validation import PERIOD, as_list
from .exceptions import RetentionKitError
from .intervals import MIN_READABLE_N, check_confidence

__all__ = ["nps_change_test"]


@fill_doc
def nps_change_test(
    answers: Any,
    *,
    score_col: str = "score",
    date_col: str = "date",
    freq: Freq = "quarter",
    before: Any = None,
    after: Any = None,
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
    as_of: Any = None,
) -> pd.DataFrame:
    """Test whether NPS changed between two calendar periods.

    A two-sided z test on ``after - before`` for two independent samples of answers.
    The standard error of the difference is ``sqrt(var_a / n_a + var_b / n_b)`` with
    ``var = p + d - (p - d) ** 2`` per answer (``p``, ``d``: promoter and detractor
    fractions), shown in NPS points.

    Parameters
    ----------
    %(answers)s
    %(score_col)s
    date_col : str, default "date"
        Answer date (datetime, date or ISO text).
    freq : {"day", "week", "month", "quarter", "year"}, default "quarter"
        Length of the periods compared.
    before, after : str or pandas.Period, optional
        The two periods, as pandas writes them: ``"2024Q3"``, ``"2024-07"``,
        ``"2024"``, ``"2024-07-15"`` (a week is named by any of its days). Default: the
        last two complete periods in the data. When only ``after`` is given, ``before``
        is the period just before it; when only ``before`` is given, ``after`` is the
        last complete period.
    %(by)s
        Each segment is tested on its own.
    %(confidence)s
        ``1 - confidence`` is also the significance level: a change is significant
        when ``p_value < 1 - confidence``.
    %(as_of)s

    Returns
    -------
    pandas.DataFrame
        One row per segment (one row without ``by``): the ``by`` columns, ``before``,
        ``after`` (pandas Period), ``n_before``, ``n_after``, ``nps_before``,
        ``nps_after``, ``difference`` (``nps_after - nps_before``, points),
        ``std_error`` (points), ``z``, ``p_value`` (two-sided), ``diff_low``,
        ``diff_high`` (normal interval of the difference, clipped to [-200, 200]),
        ``significant`` and ``verdict`` (the result in words). A segment without
        answers in one of the periods has NaN statistics and says so in ``verdict``.
        When every answer of both periods is in one group the standard error is 0: the
        ``z`` is then 0 and the p-value 1 if the scores are equal; otherwise the test is
        undefined (``z`` and the p-value NaN, never inf) and ``verdict`` says why.

    Raises
    ------
    MissingColumnError, EmptyDataError, InvalidDataError
        As for :func:`net_promoter_score`.
    RetentionKitError
        If ``before``/``after`` cannot be read as periods, ``before`` is not earlier
        than ``after``, a period has no answers at all, or the data has fewer than two
        complete periods and none were named.

    See Also
    --------
    net_promoter_score : the score per period with confidence intervals.

    Examples
    --------
    Identical answers in two quarters: no change.

    >>> import pandas as pd
    >>> scores = [10, 9, 9, 8, 7, 6, 5, 0, 10, 3]
    >>> answers = pd.DataFrame({
    ...     "score": scores * 2,
    ...     "date": pd.to_datetime(["2024-08-15"] * 10 + ["2024-12-31"] * 10),
    ... })
    >>> result = nps_change_test(answers, before="2024Q3", after="2024Q4")
    >>> result[["before", "after", "difference", "z", "p_value"]]
       before   after  difference    z  p_value
    0  2024Q3  2024Q4         0.0  0.0      1.0
    >>> print(result["verdict"].iloc[0])
    NPS did not change from 2024Q3 (0.0, n=10) to 2024Q4 (0.0, n=10). Both periods have fewer than 30 answers: read with care.

    On the demo survey, the last two quarters by default:

    >>> from retention_kit.datasets import load_nps
    >>> result = nps_change_test(load_nps())
    >>> result[["before", "after", "n_before", "n_after"]]
       before   after  n_before  n_after
    0  2024Q3  2024Q4       385      363
    >>> result[["difference", "std_error", "p_value"]].round(2)
       difference  std_error  p_value
    0       -4.64       5.87     0.43
    >>> print(result["verdict"].iloc[0])  # doctest: +NORMALIZE_WHITESPACE
    NPS fell by 4.6 points from 2024Q3 (14.3, n=385) to 2024Q4 (9.6, n=363), but this is
    within sampling noise (p=0.429): at 95% confidence the data cannot tell it from no
    change (interval -16.2 to +6.9 points).
    """  # noqa: E501 - the verdict is one long line of text
    by_cols = as_list(by)
    check_confidence(confidence)
    check_freq(freq)
    if date_col is None:
        msg = "nps_change_test compares periods: pass date_col= with the answer dates."
        raise RetentionKitError(msg)
    lf, span = prepare_answers(
        answers, score_col=score_col, date_col=date_col, by_cols=by_cols, dated=True
    )
    counts = count_groups(lf, by_cols, date_col=date_col, freq=freq)
    cutoff = answers_as_of(as_of, span)
    present = np.unique(counts[PERIOD].to_numpy())
    b_idx, a_idx = _resolve_periods(before, after, freq, present, cutoff)
    for idx, arg in ((b_idx, "before"), (a_idx, "after")):
        if idx not in present:
            label = to_periods([idx], freq)[0]
            shown = ", ".join(str(p) for p in to_periods(present, freq)[-6:])
            msg = (
                f"{arg}: no answers at all in {label}. Periods with answers end with "
                f"{shown}; pass {arg}= one of them."
            )
            raise RetentionKitError(msg)

    if by_cols:
        compared = counts[counts[PERIOD].isin([b_idx, a_idx])]
        groups = compared[by_cols].drop_duplicates().reset_index(drop=True)
    else:
        groups = pd.DataFrame(index=[0])
    sides = {}
    for name, idx in (("before", b_idx), ("after", a_idx)):
        part = counts[counts[PERIOD] == idx]
        merged = groups.merge(part, how="left", on=by_cols) if by_cols else part
        merged = merged.drop(columns=[PERIOD]).reset_index(drop=True)
        sides[name] = merged[COUNTS].fillna(0).astype("int64")
    result = _compare(
        sides["before"],
        sides["after"],
        labels=(to_periods([b_idx], freq)[0], to_periods([a_idx], freq)[0]),
        confidence=confidence,
        cutoff=cutoff,
    )
    out = pd.concat([groups[by_cols], result], axis=1) if by_cols else result
    return out.reset_index(drop=True)


#: Example ``before``/``after`` values per ``freq``, for error messages.
_EXAMPLES = {
    "day": ("2024-07-14", "2024-07-15"),
    "week": ("2024-07-08", "2024-07-15"),
    "month": ("2024-06", "2024-07"),
    "quarter": ("2024Q2", "2024Q3"),
    "year": ("2023", "2024"),
}


def _period_arg(value: Any, arg: str, freq: str) -> int:
    """Period index of a ``before=``/``after=`` value such as ``"2024Q3"``."""
    try:
        if isinstance(value, pd.Period):
            when = value.start_time
        else:
            text = str(value)
            when = pd.Period(text, freq=pandas_freq(freq)).start_time
    except (TypeError, ValueError):
        msg = (
            f"{arg}={value!r} is not a period pandas can read. With freq={freq!r} pass "
            f"e.g. {arg}={_EXAMPLES[freq][1]!r}."
        )
        raise RetentionKitError(msg) from None
    return python_period_index(when, freq)


def _resolve_periods(
    before: Any, after: Any, freq: str, present: np.ndarray, cutoff: pd.Timestamp
) -> tuple[int, int]:
    """Pick the two periods to compare (as named, or the last two complete ones)."""
    b_idx = None if before is None else _period_arg(before, "before", freq)
    a_idx = None if after is None else _period_arg(after, "after", freq)
    complete = present[present <= last_complete_period(cutoff, freq)]
    if a_idx is None:
        if len(complete) == 0 or (b_idx is None and len(complete) < 2):
            msg = (
                f"The data has {len(complete)} complete {freq}(s) with answers (it runs to "
                f"{cutoff:%Y-%m-%d}); two are needed. Name the periods, e.g. "
                f"before={_EXAMPLES[freq][0]!r}, after={_EXAMPLES[freq][1]!r}, or use a "
                f"shorter freq."
            )
            raise RetentionKitError(msg)
        a_idx = int(complete[-1])
        if b_idx is None:
            b_idx = int(complete[-2])
    if b_idx is None:
        b_idx = a_idx - 1
    if b_idx >= a_idx:
        labels = to_periods([b_idx, a_idx], freq)
        msg = (
            f"before={str(labels[0])!r} is not earlier than after={str(labels[1])!r}: "
            f"pass the earlier period as before= and the later one as after=."
        )
        raise RetentionKitError(msg)
    return b_idx, a_idx


def _compare(
    before: pd.DataFrame,
    after: pd.DataFrame,
    *,
    labels: tuple[pd.Period, pd.Period],
    confidence: float,
    cutoff: pd.Timestamp,
) -> pd.DataFrame:
    """Two-sample z test of the NPS difference, row by row (one row per segment)."""
    nb = before["n"].to_numpy(dtype=float)
    na = after["n"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        pb = before["promoters"].to_numpy() / nb
        db = before["detractors"].to_numpy() / nb
        pa = after["promoters"].to_numpy() / na
        da = after["detractors"].to_numpy() / na
        var_b = np.clip(pb + db - (pb - db) ** 2, 0.0, None)
        var_a = np.clip(pa + da - (pa - da) ** 2, 0.0, None)
        nps_b = 100 * (pb - db)
        nps_a = 100 * (pa - da)
        diff = nps_a - nps_b
        se = 100 * np.sqrt(var_b / nb + var_a / na)
        z = np.where(se > 0, diff / se, np.where(diff == 0, 0.0, np.nan))
    p_value = 2 * stats.norm.sf(np.abs(z))
    crit = float(stats.norm.ppf(0.5 + confidence / 2))
    out = pd.DataFrame(
        {
            "before": pd.PeriodIndex([labels[0]] * len(nb)),
            "after": pd.PeriodIndex([labels[1]] * len(nb)),
            "n_before": before["n"].to_numpy(dtype="int64"),
            "n_after": after["n"].to_numpy(dtype="int64"),
            "nps_before": nps_b,
            "nps_after": nps_a,
            "difference": diff,
            "std_error": se,
            "z": z,
            "p_value": p_value,
            "diff_low": np.clip(diff - crit * se, -200, 200),
            "diff_high": np.clip(diff + crit * se, -200, 200),
        }
    )
    testable = (nb > 0) & (na > 0) & ~np.isnan(p_value)
    out["significant"] = pd.array(
        np.where(testable, p_value < 1 - confidence, False), dtype="boolean"
    )
    out.loc[~testable, "significant"] = pd.NA
    out["verdict"] = [_verdict(row, confidence, cutoff) for row in out.itertuples(index=False)]
    return out


def _verdict(row: Any, confidence: float, cutoff: pd.Timestamp) -> str:
    """Say the result of one comparison in plain words."""
    b, a = row.before, row.after
    empty = [str(label) for label, n in ((b, row.n_before), (a, row.n_after)) if n == 0]
    if empty:
        return f"No answers in {' and '.join(empty)} for this segment: nothing to compare."
    where = (
        f"from {b} ({row.nps_before:.1f}, n={row.n_before}) "
        f"to {a} ({row.nps_after:.1f}, n={row.n_after})"
    )
    level = f"{confidence:.0%}"
    p_text = "p<0.001" if row.p_value < 0.001 else f"p={row.p_value:.3f}"
    low, high = f"{row.diff_low:+.1f}", f"{row.diff_high:+.1f}"
    if np.isnan(row.p_value):
        text = (
            f"NPS moved {where}, but every answer of both periods is in one group: with no "
            f"spread in either sample a significance test is undefined. Collect more answers."
        )
    elif row.difference == 0:
        text = f"NPS did not change {where}."
    else:
        direction = "rose" if row.difference > 0 else "fell"
        change = f"NPS {direction} by {abs(row.difference):.1f} points {where}"
        if row.significant:
            text = (
                f"{change}: a real change at {level} confidence ({p_text}); the true change "
                f"is likely between {low} and {high} points."
            )
        else:
            text = (
                f"{change}, but this is within sampling noise ({p_text}): at {level} "
                f"confidence the data cannot tell it from no change (interval {low} to "
                f"{high} points)."
            )
    small = [str(label) for label, n in ((b, row.n_before), (a, row.n_after)) if n < MIN_READABLE_N]
    if len(small) == 2:
        text += f" Both periods have fewer than {MIN_READABLE_N} answers: read with care."
    elif small:
        text += f" {small[0]} has fewer than {MIN_READABLE_N} answers: read with care."
    late = [str(label) for label in (b, a) if label.end_time.normalize() > cutoff.normalize()]
    if late:
        text += f" {late[-1]} is not complete (the data runs to {cutoff:%Y-%m-%d})."
    return text
