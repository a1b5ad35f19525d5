"""Net Promoter Score: counts, shares, confidence intervals and change tests.

Scores are whole numbers 0..10: detractors 0-6, passives 7-8, promoters 9-10, and
``NPS = 100 * (promoters - detractors) / answers``, from -100 to 100 (metrics.md).

Counting runs in the user's engine (one ``group_by`` over indicator columns); only the
small table of counts is collected to pandas, where the intervals are computed.

Intervals
---------
NPS is a difference of two shares of the same sample. With ``p`` and ``d`` the promoter
and detractor fractions of ``n`` answers, the variance of ``p - d`` is
``(p + d - (p - d) ** 2) / n``. Three intervals are offered (``method=``):

``"wald"``
    ``(p - d) +- z * sqrt(var)``, the textbook normal interval. Too narrow for small
    samples and of zero width when every answer falls in one group.
``"adjusted_wald"``
    Rocks (2016), "Interval estimation for the Net Promoter Score", The American
    Statistician: before computing, add 3/4 of an answer to the detractors and
    to the promoters and 3/2 to the passives (``n + 3`` answers), and centre the Wald
    interval on the adjusted score. These are the default pseudo-observations of the
    author's R package ``NPS`` (``nps_test(..., test = "adjusted.wald")``).
``"bootstrap"``
    10,000 multinomial redraws of ``n`` answers, percentile interval, fixed seed (the
    same counts always give the same bounds). Draws are made from the adjusted shares
    above, not from the raw ones: a plain bootstrap of a sample of all 10s can only
    redraw all 10s and would give the interval [100, 100].

``"auto"`` (default) uses the adjusted Wald interval, and the bootstrap where the normal
approximation is weakest: NPS beyond +-80, or fewer than 5 promoters or 5 detractors.
Every interval is clipped to [-100, 100] and always holds the observed score (the
adjusted interval of a single answer would stop at +-98.5: it is widened to +-100). The
``interval_method`` column says which interval each row used.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from ._answers import COUNTS, answers_as_of, count_groups, prepare_answers
from ._docstrings import fill_doc
from ._frames import (
    Freq,
    Incomplete,
    check_freq,
    check_incomplete,
    check_option,
    is_complete,
    to_periods,
)
from ._validation import (
    PERIOD,
    as_list,
    parse_date_arg,
)
from .exceptions import RetentionKitError
from .intervals import MIN_READABLE_N, check_confidence

__all__ = ["net_promoter_score", "nps_from_counts"]

Method = Literal["auto", "adjusted_wald", "wald", "bootstrap"]


METHODS: tuple[str, ...] = ("auto", "adjusted_wald", "wald", "bootstrap")

#: Pseudo-observations of the adjusted Wald interval (Rocks 2016), per group.
PSEUDO_DETRACTORS = 0.75
PSEUDO_PASSIVES = 1.5
PSEUDO_PROMOTERS = 0.75

#: Number of bootstrap redraws and the seed they start from.
N_BOOTSTRAP = 10_000
BOOTSTRAP_SEED = 2016

#: ``method="auto"`` bootstraps when |NPS| exceeds this or a group is smaller than
#: ``AUTO_MIN_GROUP``.
AUTO_EXTREME_NPS = 80.0
AUTO_MIN_GROUP = 5


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


def nps_from_counts(promoters: int, passives: int, detractors: int) -> float:
    """Net Promoter Score from the three group counts.

    Parameters
    ----------
    promoters : int
        Number of answers 9 or 10.
    passives : int
        Number of answers 7 or 8.
    detractors : int
        Number of answers 0 to 6.

    Returns
    -------
    float
        ``100 * (promoters - detractors) / (promoters + passives + detractors)``, from
        -100 to 100.

    Raises
    ------
    RetentionKitError
        If a count is not a whole number, is negative, or all three are 0.

    See Also
    --------
    net_promoter_score : counts, shares and intervals from raw answers.

    Examples
    --------
    >>> nps_from_counts(50, 30, 20)
    30.0
    >>> nps_from_counts(promoters=0, passives=0, detractors=7)
    -100.0
    """
    counts = {"promoters": promoters, "passives": passives, "detractors": detractors}
    for arg, value in counts.items():
        counts[arg] = _check_count(value, arg)
    total = sum(counts.values())
    if total == 0:
        msg = (
            "promoters, passives and detractors are all 0: the NPS of no answers is "
            "undefined. Pass the counts of at least one answer."
        )
        raise RetentionKitError(msg)
    return 100.0 * (counts["promoters"] - counts["detractors"]) / total


@fill_doc
def net_promoter_score(
    answers: Any,
    *,
    score_col: str = "score",
    date_col: str | None = None,
    by: str | Sequence[str] | None = None,
    freq: Freq | None = None,
    confidence: float = 0.95,
    method: Method = "auto",
    as_of: Any = None,
    incomplete: Incomplete = "exclude",
) -> pd.DataFrame:
    """Net Promoter Score with counts, shares and a confidence interval.

    Detractors answer 0-6, passives 7-8, promoters 9-10;
    ``NPS = promoter_share - detractor_share``. Counting runs in the frame's own engine.

    Parameters
    ----------
    %(answers)s
    %(score_col)s
    date_col : str, optional
        Answer date (datetime, date or ISO text). Required when ``freq`` is given.
    %(by)s
    freq : {"day", "week", "month", "quarter", "year"}, optional
        Report one row per calendar period (weeks start on Monday). Without it, one row
        for all answers (per segment).
    %(confidence)s
    method : {"auto", "adjusted_wald", "wald", "bootstrap"}, default "auto"
        Confidence interval; see the module notes. ``"auto"`` is the adjusted Wald
        interval, or the bootstrap when NPS is beyond +-80 or fewer than 5 answers are
        promoters or detractors.
    %(as_of)s
        Only used with ``freq``.
    incomplete : {"exclude", "flag"}, default "exclude"
        With ``freq``: drop the incomplete last period, or keep it with
        ``complete=False``.

    Returns
    -------
    pandas.DataFrame
        One row per (segment, period), sorted by them: the ``by`` columns, then with
        ``freq`` ``period`` (pandas Period) and ``complete``, then ``n``,
        ``detractors``, ``passives``, ``promoters`` (counts), ``detractor_share``,
        ``passive_share``, ``promoter_share`` (percent), ``nps``, ``nps_low``,
        ``nps_high`` (-100..100), ``interval_method`` (the interval used) and
        ``small_sample`` (``n < MIN_READABLE_N``: too few answers to read the score).

    Raises
    ------
    MissingColumnError
        If a named column is not in the frame (with the closest name).
    EmptyDataError
        If the frame has no rows.
    InvalidDataError
        If scores are text, missing, outside 0..10 or not whole numbers (with the
        first offending rows and a fix), or dates cannot be read.
    RetentionKitError
        For an unknown ``freq``, ``method`` or ``incomplete``, ``freq`` without
        ``date_col``, or ``confidence`` outside (0, 1).

    See Also
    --------
    nps_change_test : did NPS change between two periods?
    nps_from_counts : the score from three counts.

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"score": [10, 9, 9, 8, 7, 6, 5, 0, 10, 3]})
    >>> table = net_promoter_score(answers, method="adjusted_wald")
    >>> table[["n", "detractors", "passives", "promoters", "nps"]]
        n  detractors  passives  promoters  nps
    0  10           4         2          4  0.0
    >>> table[["nps_low", "nps_high", "interval_method", "small_sample"]].round(1)
       nps_low  nps_high interval_method  small_sample
    0    -46.5      46.5   adjusted_wald          True

    Per segment and month:

    >>> answers = pd.DataFrame({
    ...     "score": [10, 3, 9, 8, 6, 10],
    ...     "plan": ["pro", "pro", "basic", "pro", "basic", "basic"],
    ...     "date": pd.to_datetime(["2024-01-03", "2024-01-20", "2024-01-31",
    ...                             "2024-02-01", "2024-02-11", "2024-02-29"]),
    ... })
    >>> table = net_promoter_score(answers, date_col="date", by="plan", freq="month")
    >>> table[["plan", "period", "n", "promoters", "detractors", "nps"]]
        plan   period  n  promoters  detractors    nps
    0  basic  2024-01  1          1           0  100.0
    1  basic  2024-02  2          1           1    0.0
    2    pro  2024-01  2          1           1    0.0
    3    pro  2024-02  1          0           0    0.0
    """
    by_cols = as_list(by)
    _check_options(confidence=confidence, method=method, incomplete=incomplete)
    parse_date_arg(as_of, "as_of")  # a bad date is an error even where it is not needed
    if freq is not None:
        check_freq(freq)
        if date_col is None:
            msg = (
                f"freq={freq!r} needs the answer dates: pass date_col= with the date "
                f"column, or drop freq= for one score over all answers."
            )
            raise RetentionKitError(msg)
    lf, span = prepare_answers(
        answers, score_col=score_col, date_col=date_col, by_cols=by_cols, dated=freq is not None
    )
    counts = count_groups(lf, by_cols, date_col=date_col, freq=freq)
    table = _add_scores(counts, confidence=confidence, method=method)
    if freq is None:
        return table[[*by_cols, *_RESULT_COLUMNS]].reset_index(drop=True)

    cutoff = answers_as_of(as_of, span)
    complete = is_complete(table[PERIOD].to_numpy(), freq, cutoff)
    table.insert(len(by_cols), "period", to_periods(table[PERIOD], freq))
    table.insert(len(by_cols) + 1, "complete", complete)
    if incomplete == "exclude":
        table = table[table["complete"]]
    return table[[*by_cols, "period", "complete", *_RESULT_COLUMNS]].reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------

_RESULT_COLUMNS = [
    *COUNTS,
    "detractor_share",
    "passive_share",
    "promoter_share",
    "nps",
    "nps_low",
    "nps_high",
    "interval_method",
    "small_sample",
]


def _check_count(value: Any, arg: str) -> int:
    """Return ``value`` as a non-negative count of answers, or raise naming ``arg``."""
    if isinstance(value, bool | np.bool_):
        msg = f"{arg}={value!r}: pass a count of answers (an int), not True/False."
        raise RetentionKitError(msg)
    try:
        count = operator.index(value)
    except TypeError:
        msg = (
            f"{arg}={value!r} ({type(value).__name__}): pass a whole number of answers, "
            f"e.g. {arg}=int(...)."
        )
        raise RetentionKitError(msg) from None
    if count < 0:
        msg = f"{arg}={count}: a count of answers cannot be negative."
        raise RetentionKitError(msg)
    return count


def _check_options(*, confidence: float, method: str = "auto", incomplete: str = "exclude") -> None:
    check_confidence(confidence)
    check_option("method", method, METHODS)
    check_incomplete(incomplete)


# --------------------------------------------------------------------------------------
# Counting (in the engine) and scoring (on the small pandas table)
# --------------------------------------------------------------------------------------


def _add_scores(counts: pd.DataFrame, *, confidence: float, method: str) -> pd.DataFrame:
    """Shares, NPS, interval and flags for a table of counts (pandas, one row per group)."""
    out = counts.copy()
    n = out["n"].to_numpy(dtype=float)
    shares = {}
    for group in ("detractors", "passives", "promoters"):
        shares[group] = 100.0 * out[group].to_numpy(dtype=float) / n
    out["detractor_share"] = shares["detractors"]
    out["passive_share"] = shares["passives"]
    out["promoter_share"] = shares["promoters"]
    out["nps"] = shares["promoters"] - shares["detractors"]
    low, high, used = _intervals(
        out["promoters"].to_numpy(dtype="int64"),
        out["passives"].to_numpy(dtype="int64"),
        out["detractors"].to_numpy(dtype="int64"),
        confidence=confidence,
        method=method,
    )
    # The interval always holds the observed score (guards float rounding at the edges).
    out["nps_low"] = np.minimum(low, out["nps"].to_numpy())
    out["nps_high"] = np.maximum(high, out["nps"].to_numpy())
    out["interval_method"] = pd.Series(used, index=out.index, dtype="str")
    out["small_sample"] = out["n"] < MIN_READABLE_N
    return out


def _intervals(
    promoters: np.ndarray,
    passives: np.ndarray,
    detractors: np.ndarray,
    *,
    confidence: float,
    method: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lower and upper NPS bounds (-100..100) and the method used, per row."""
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    if method == "wald":
        low, high = _normal_interval(promoters, passives, detractors, z, adjusted=False)
        return low, high, np.full(len(promoters), "wald", dtype=object)
    low, high = _normal_interval(promoters, passives, detractors, z, adjusted=True)
    used = np.full(len(promoters), "adjusted_wald", dtype=object)
    if method == "bootstrap":
        boot = np.ones(len(promoters), dtype=bool)
    elif method == "auto":
        n = promoters + passives + detractors
        nps = 100.0 * (promoters - detractors) / n
        boot = (
            (np.abs(nps) > AUTO_EXTREME_NPS)
            | (promoters < AUTO_MIN_GROUP)
            | (detractors < AUTO_MIN_GROUP)
        )
    else:
        boot = np.zeros(len(promoters), dtype=bool)
    for i in np.flatnonzero(boot):
        low[i], high[i] = _bootstrap_interval(
            int(promoters[i]), int(passives[i]), int(detractors[i]), confidence
        )
        used[i] = "bootstrap"
    return low, high, used


def _normal_interval(
    promoters: np.ndarray,
    passives: np.ndarray,
    detractors: np.ndarray,
    z: float,
    *,
    adjusted: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Wald interval of p - d, optionally on the pseudo-observation adjusted counts."""
    pro = promoters.astype(float)
    pas = passives.astype(float)
    det = detractors.astype(float)
    if adjusted:
        pro, pas, det = pro + PSEUDO_PROMOTERS, pas + PSEUDO_PASSIVES, det + PSEUDO_DETRACTORS
    total = pro + pas + det
    p, d = pro / total, det / total
    centre = p - d
    var = np.clip(p + d - centre**2, 0.0, None) / total
    half = z * np.sqrt(var)
    return np.clip(100 * (centre - half), -100, 100), np.clip(100 * (centre + half), -100, 100)


def _bootstrap_interval(
    promoters: int, passives: int, detractors: int, confidence: float
) -> tuple[float, float]:
    """Percentile interval of 10,000 multinomial redraws of the answers.

    Redraws use the adjusted shares (pseudo-observations added), so a sample with an empty
    group still varies. The seed depends only on the counts: the same counts always give
    the same bounds, whatever else is in the table.
    """
    n = promoters + passives + detractors
    weights = np.array(
        [
            promoters + PSEUDO_PROMOTERS,
            passives + PSEUDO_PASSIVES,
            detractors + PSEUDO_DETRACTORS,
        ]
    )
    rng = np.random.default_rng([BOOTSTRAP_SEED, promoters, passives, detractors])
    draws = rng.multinomial(n, weights / weights.sum(), size=N_BOOTSTRAP)
    scores = 100.0 * (draws[:, 0] - draws[:, 2]) / n
    alpha = 1 - confidence
    low, high = np.quantile(scores, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


# --------------------------------------------------------------------------------------
# Periods and the change test
# --------------------------------------------------------------------------------------


def __getattr__(name: str) -> Any:
    # nps_change_test moved to retention_kit.nps_change; this path keeps working.
    if name == "nps_change_test":
        from .nps_change import nps_change_test

        return nps_change_test
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
