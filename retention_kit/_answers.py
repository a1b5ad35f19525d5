"""Survey answers, validated once and counted in the engine (shared by ``nps`` and ``nps_change``).

:func:`prepare_answers` checks the score column and returns a slim frame of 0/1 detractor,
passive and promoter indicators; :func:`count_groups` counts them per group and period;
:func:`answers_as_of` is the observation date of dated answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import narwhals as nw
import pandas as pd

from ._frames import collect, period_index, to_lazy
from ._validation import (
    PERIOD,
    check_no_nulls,
    count_rows,
    parse_dates,
    reject_rows,
    require_columns,
    resolve_as_of,
)
from .exceptions import EmptyDataError, InvalidDataError, RetentionKitError

__all__ = ["COUNTS", "answers_as_of", "count_groups", "prepare_answers"]


_DETRACTOR = "_rk_detractor"


_PASSIVE = "_rk_passive"


_PROMOTER = "_rk_promoter"


COUNTS = ["n", "detractors", "passives", "promoters"]


def prepare_answers(
    answers: Any,
    *,
    score_col: str,
    date_col: str | None,
    by_cols: list[str],
    dated: bool,
) -> tuple[nw.LazyFrame, tuple[pd.Timestamp, pd.Timestamp] | None]:
    """Validate survey answers once, in the engine; return the slim frame to count.

    The result has the ``by`` columns, the parsed ``date_col`` when ``dated`` and 0/1
    indicator columns ``_DETRACTOR``, ``_PASSIVE``, ``_PROMOTER``. The first and last
    answer dates are returned alongside (``None`` when not ``dated``).
    """
    lf = to_lazy(answers, arg="answers")
    require_columns(lf, {"score_col": score_col, "date_col": date_col, "by": by_cols})
    if not dated:
        date_col = None
    if count_rows(lf) == 0:
        msg = "answers is empty: there are no survey answers to compute an NPS on."
        raise EmptyDataError(msg)
    for col in by_cols:
        fix = (
            f"An answer without a segment would vanish from the table; fill them first, "
            f"e.g. df[{col!r}] = df[{col!r}].fillna('unknown')."
        )
        check_no_nulls(answers, lf, {"by": col}, fix={"by": fix})

    dtype = lf.collect_schema()[score_col]
    if not dtype.is_numeric():
        sample = collect(lf.select(nw.col(score_col)).head(5))[score_col].tolist()
        msg = (
            f"score_col={score_col!r} must hold numbers 0..10; it has dtype {dtype} "
            f"(first values: {sample}). Convert it first, e.g. "
            f"df[{score_col!r}] = pd.to_numeric(df[{score_col!r}], errors='coerce'), "
            f"and look at the rows that become NaN."
        )
        raise InvalidDataError(msg)

    score = nw.col(score_col)
    shown = [score_col, *([date_col] if date_col else []), *by_cols]
    is_float = dtype.is_float()

    def problem(what: str) -> Callable[[int], str]:
        return lambda n: f"score_col={score_col!r} has {n} {what}; first rows"

    reject_rows(
        answers,
        lf,
        score.is_null() | score.is_nan() if is_float else score.is_null(),
        shown,
        problem("missing value(s)"),
        f"Drop unanswered surveys first, e.g. df = df.dropna(subset=[{score_col!r}]).",
    )
    reject_rows(
        answers,
        lf,
        (score < 0) | (score > 10),
        shown,
        problem("score(s) outside 0..10"),
        f"NPS answers are 0..10. If the survey used another scale, do not rescale it into "
        f"an NPS; otherwise fix or drop these rows, e.g. "
        f"df = df[df[{score_col!r}].between(0, 10)].",
    )
    if not dtype.is_integer():
        reject_rows(
            answers,
            lf,
            score.round(0) != score,
            shown,
            problem("score(s) that are not whole numbers"),
            "NPS answers are the integers 0..10 (an average of answers is not an answer). "
            "Pass one row per answer, or fix these rows.",
        )

    span = None
    if date_col is not None:
        check_no_nulls(answers, lf, {"date_col": date_col})
        lf = parse_dates(answers, lf, date_col, "date_col")
        bounds = collect(
            lf.select(nw.col(date_col).min().alias("lo"), nw.col(date_col).max().alias("hi"))
        )
        span = (pd.Timestamp(bounds["lo"].iloc[0]), pd.Timestamp(bounds["hi"].iloc[0]))

    indicators = [
        (score <= 6).cast(nw.Int64).alias(_DETRACTOR),
        ((score >= 7) & (score <= 8)).cast(nw.Int64).alias(_PASSIVE),
        (score >= 9).cast(nw.Int64).alias(_PROMOTER),
    ]
    keep = [*(nw.col(c) for c in by_cols), *([nw.col(date_col)] if date_col else [])]
    return lf.select(*keep, *indicators), span


def count_groups(
    lf: nw.LazyFrame, by_cols: list[str], *, date_col: str | None, freq: str | None
) -> pd.DataFrame:
    """Answers per group and (by..., period), counted in the engine, sorted, in pandas."""
    keys = list(by_cols)
    if freq is not None and date_col is not None:
        lf = lf.with_columns(period_index(date_col, freq, lf).alias(PERIOD))
        keys.append(PERIOD)
    aggs = [
        nw.len().alias("n"),
        nw.col(_DETRACTOR).sum().alias("detractors"),
        nw.col(_PASSIVE).sum().alias("passives"),
        nw.col(_PROMOTER).sum().alias("promoters"),
    ]
    small = lf.group_by(keys).agg(*aggs) if keys else lf.select(*aggs)
    # Engines disagree on the integer type of sums (DuckDB: HUGEINT, Polars: UInt32 len).
    ints = [*COUNTS, *([PERIOD] if PERIOD in keys else [])]
    small = small.with_columns(*(nw.col(c).cast(nw.Int64) for c in ints))
    out = collect(small)
    if keys:
        out = out.sort_values(keys, kind="stable")
    return out[[*keys, *COUNTS]].reset_index(drop=True)


def answers_as_of(as_of: Any, span: tuple[pd.Timestamp, pd.Timestamp] | None) -> pd.Timestamp:
    """The cutoff: ``as_of`` (not before the first answer), else the last answer date."""
    if span is None:  # undated answers: there are no periods to cut
        msg = "as_of= needs dated answers: pass date_col= and freq=."
        raise RetentionKitError(msg)
    return resolve_as_of(as_of, span[1], first=span[0])
