"""Validation of subscription spells, once at the entry point.

The contractual twin of :func:`~retention_kit._validation.prepare_orders`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import narwhals as nw
import pandas as pd

from ._frames import collect, to_lazy
from ._validation import (
    CUSTOMER,
    END,
    FAR_FUTURE,
    MRR,
    START,
    as_list,
    by_arguments,
    check_numeric,
    null_counts,
    parse_date_arg,
    parse_dates,
    raise_for_nulls,
    reject_rows,
    require_columns,
    resolve_as_of,
    segment_fix,
)
from .exceptions import EmptyDataError, InvalidDataError


@dataclass(frozen=True)
class PreparedSpells:
    """Validated subscription spells: paid start, end (FAR_FUTURE = active), segments."""

    frame: nw.LazyFrame
    by: list[str]
    as_of: pd.Timestamp
    has_mrr: bool
    #: The earliest start date in the data.
    first_date: pd.Timestamp
    #: Trials that ended without converting (``CUSTOMER``, ``by``, ``END`` = trial end);
    #: None when there is no trial column or trials count as customers.
    unconverted_trials: nw.LazyFrame | None = None


def prepare_subscriptions(
    subscriptions: Any,
    *,
    customer_col: str,
    start_col: str,
    end_col: str,
    trial_end_col: str | None = None,
    count_trials: bool = False,
    mrr_col: str | None = None,
    by: str | Sequence[str] | None = None,
    as_of: Any = None,
) -> PreparedSpells:
    """Validate subscriptions and return paid spells with internal column names.

    Columns: ``CUSTOMER``, the ``by`` columns, ``START`` (when paying starts: the trial end
    for converted trials unless ``count_trials``), ``END`` (``FAR_FUTURE`` while active)
    and ``MRR`` with ``mrr_col``. Trials that never converted are left out (unless
    ``count_trials``), as are spells that end when they start. Customer, start, MRR and
    ``by`` values must be complete (null, NaN and +-inf raise, naming the customers);
    ``as_of`` must be a date on or after the first start.
    """
    by_cols = as_list(by)
    parse_date_arg(as_of, "as_of")
    lf = to_lazy(subscriptions, arg="subscriptions")
    require_columns(
        lf,
        {
            "customer_col": customer_col,
            "start_col": start_col,
            "end_col": end_col,
            "trial_end_col": trial_end_col,
            "mrr_col": mrr_col,
            "by": by_cols,
        },
    )
    required = {"customer_col": customer_col, "start_col": start_col}
    if mrr_col is not None:
        check_mrr(subscriptions, lf, mrr_col)
        required["mrr_col"] = mrr_col
    required.update(by_arguments(by_cols))
    fixes = {arg: segment_fix(col) for arg, col in required.items() if arg.startswith("by")}
    # Two passes over the data for every count validation needs (a Spark job is costly):
    # what can be checked as given, then what needs the parsed dates.
    checks = [nw.len().alias("n")]
    checks += null_counts(lf, required)
    if mrr_col is not None:
        checks.append((nw.col(mrr_col) < 0).cast(nw.Int64).sum().alias("negative"))
    stats = collect(lf.select(checks)).iloc[0]
    if int(stats["n"]) == 0:
        msg = "subscriptions is empty: there are no rows to compute on."
        raise EmptyDataError(msg)
    raise_for_nulls(subscriptions, lf, stats, required, customer_col=customer_col, fixes=fixes)
    dates = [(start_col, "start_col"), (end_col, "end_col"), (trial_end_col, "trial_end_col")]
    for date_col, arg in dates:
        if date_col is not None:
            lf = parse_dates(subscriptions, lf, date_col, arg)
    backwards = ~nw.col(end_col).is_null() & (nw.col(end_col) < nw.col(start_col))
    dated = collect(
        lf.select(
            backwards.cast(nw.Int64).sum().alias("backwards"),
            nw.col(start_col).min().alias("first_start"),
            nw.col(start_col).max().alias("last_start"),
            nw.col(end_col).max().alias("last_end"),
        )
    )
    reject_rows(
        subscriptions,
        lf,
        backwards,
        [customer_col, start_col, end_col],
        lambda n: f"end_col={end_col!r} is before start_col={start_col!r} in {n} row(s)",
        "Fix or drop those rows (swapped columns?).",
        n=0 if pd.isna(dated["backwards"].iloc[0]) else int(dated["backwards"].iloc[0]),
    )
    if mrr_col is not None:
        reject_rows(
            subscriptions,
            lf,
            nw.col(mrr_col) < 0,
            [customer_col, start_col, mrr_col],
            lambda n: f"mrr_col={mrr_col!r} is negative in {n} row(s)",
            "MRR is what a subscription pays per month; record refunds and credits elsewhere.",
            n=int(stats["negative"]),
        )

    paid_start = nw.col(start_col)
    if trial_end_col is not None and not count_trials:
        trial = nw.col(trial_end_col)
        paid_start = (
            nw.when(~trial.is_null() & (trial > nw.col(start_col)))
            .then(trial)
            .otherwise(nw.col(start_col))
        )
    columns = [
        nw.col(customer_col).alias(CUSTOMER),
        *[nw.col(c) for c in by_cols],
        paid_start.alias(START),
        nw.col(end_col).fill_null(FAR_FUTURE.to_pydatetime()).alias(END),
    ]
    if mrr_col is not None:
        columns.append(nw.col(mrr_col).cast(nw.Float64).alias(MRR))
    spells = lf.select(columns).filter(nw.col(END) > nw.col(START))
    unconverted = None
    if trial_end_col is not None and not count_trials:
        trial = nw.col(trial_end_col)
        unconverted = lf.filter(
            ~trial.is_null() & ~nw.col(end_col).is_null() & (nw.col(end_col) <= trial)
        ).select(
            nw.col(customer_col).alias(CUSTOMER),
            *[nw.col(c) for c in by_cols],
            nw.col(end_col).alias(END),
        )

    candidates = [dated["last_start"].iloc[0], dated["last_end"].iloc[0]]
    last = max(pd.Timestamp(c) for c in candidates if pd.notna(c))
    first = pd.Timestamp(dated["first_start"].iloc[0])
    as_of_ts = resolve_as_of(as_of, last, first=first)
    return PreparedSpells(
        frame=spells,
        by=by_cols,
        as_of=as_of_ts,
        has_mrr=mrr_col is not None,
        unconverted_trials=unconverted,
        first_date=first,
    )


_CURRENCY = re.compile(r"[$€£¥฿₹₩]|\b[A-Z]{3}\b")


def check_mrr(native: Any, lf: nw.LazyFrame, col: str) -> None:
    """Raise if the MRR column is not numeric, naming mixed currencies when it holds text."""
    dtype = lf.collect_schema()[col]
    if dtype.is_numeric():
        return
    if dtype == nw.String:
        values = collect(lf.select(nw.col(col)).unique().head(10_000))[col].dropna()
        found = sorted({m for v in values for m in _CURRENCY.findall(str(v))})
        if len(found) > 1:
            msg = (
                f"mrr_col={col!r} mixes currencies ({', '.join(found)}); convert every amount "
                f"to one currency first, or split the data by currency and run each apart."
            )
            raise InvalidDataError(msg)
    check_numeric(native, lf, col, "mrr_col")
