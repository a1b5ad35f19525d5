"""Segments a reader can trust: one segment per customer, and the long tail grouped.

Real segment columns (country, channel, coupon) have a long tail of values with one to
three customers, and customers who appear under several values. Left as they are, every
segment table lists dozens of unreadable rows, and tables disagree on how many customers a
segment has (a customer who ordered from two countries counts in both). :func:`tidy_segments`
fixes both before any table is computed, in the frame's own engine, and says what it did.
"""

from __future__ import annotations

from typing import Any

import narwhals as nw
import pandas as pd

from ._arguments import NOT_GIVEN, renamed
from ._frames import collect, to_lazy
from ._validation import require_columns, warn
from .exceptions import RetentionKitError
from .intervals import MIN_READABLE_N

__all__ = ["OTHER", "customer_segments", "pool_periods", "tidy_segments"]

#: Label of the segments grouped together by :func:`tidy_segments`.
OTHER = "Other"


def _first_segments(
    lf: nw.LazyFrame, segment_col: str, customer_col: str, date_col: str, name: str
) -> nw.LazyFrame:
    """One row per customer: the segment of their first order day (ties: the smallest)."""
    first_day = nw.col(date_col).min().over(customer_col)
    return (
        lf.filter(nw.col(date_col) == first_day)
        .group_by(customer_col)
        .agg(nw.col(segment_col).min().alias(name))
    )


def customer_segments(
    orders: Any,
    segment: Any = NOT_GIVEN,
    *,
    segment_col: str = "segment",
    customer_col: str = "customer_id",
    date_col: str = "order_date",
) -> pd.Series:
    """Each customer's segment: the one on their first order, computed in the engine.

    Parameters
    ----------
    orders : DataFrame-like
        Orders with a segment column (pandas, Polars, DuckDB relation, ...).
    segment_col, customer_col, date_col : str
        Columns of the segment, the customer id and the order date. Several segments on
        the first order day: the smallest value.
    segment : str, optional
        Deprecated: the old name of ``segment_col`` (also when passed second,
        positionally); accepted with a ``FutureWarning`` for one release.

    Returns
    -------
    pandas.Series
        Indexed by ``customer_col`` (sorted), named ``segment_col``; one row per customer.

    Raises
    ------
    MissingColumnError
        If a named column is not in ``orders``.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "customer_id": ["b", "a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-01-02", "2024-01-01",
    ...                                   "2024-01-05"]),
    ...     "channel": ["web", "shop", "web", "app"]})
    >>> customer_segments(orders, segment_col="channel").to_dict()
    {'a': 'web', 'b': 'app'}
    """
    segment_col = renamed("segment", segment, "segment_col", segment_col, default="segment")
    lf = to_lazy(orders, arg="orders")
    require_columns(
        lf, {"segment_col": segment_col, "customer_col": customer_col, "date_col": date_col}
    )
    table = collect(_first_segments(lf, segment_col, customer_col, date_col, segment_col))
    return table.set_index(customer_col)[segment_col].sort_index()


def pool_periods(summary: pd.DataFrame, by: str) -> pd.DataFrame:
    """Retention and churn per segment over all periods pooled (steadier than per period).

    ``crr = sum(retained) / sum(S)`` and ``churn = sum(lost) / sum(S)``, in percent.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`~retention_kit.period_summary` with ``by=by``: ``S``, ``retained`` and
        ``lost`` per segment and period.
    by : str
        The segment column.

    Returns
    -------
    pandas.DataFrame
        One row per segment: ``by``, ``S``, ``retained``, ``lost`` (sums), ``crr`` and
        ``churn`` (NaN for a segment that never had a customer at a period start).

    Raises
    ------
    RetentionKitError
        If a column is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({"segment": ["web", "web", "shop"], "S": [10, 30, 0],
    ...                         "retained": [8, 21, 0], "lost": [2, 9, 0]})
    >>> pool_periods(summary, "segment")
      segment   S  retained  lost   crr  churn
    0    shop   0         0     0   NaN    NaN
    1     web  40        29    11  72.5   27.5
    """
    missing = [c for c in (by, "S", "retained", "lost") if c not in summary.columns]
    if missing:
        msg = (
            f"pool_periods: the summary has no column(s) {missing}; pass period_summary(..., "
            f"by={by!r})."
        )
        raise RetentionKitError(msg)
    pooled = summary.groupby(by)[["S", "retained", "lost"]].sum()
    start = pooled["S"].where(pooled["S"] > 0)
    pooled["crr"] = pooled["retained"] / start * 100
    pooled["churn"] = pooled["lost"] / start * 100
    return pooled.reset_index()


def tidy_segments(
    orders: Any,
    *,
    segment_col: str = "segment",
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    top_n: int | None = 10,
    min_customers: int = MIN_READABLE_N,
    first_order: bool = True,
    other: str = OTHER,
    label: str | None = None,
) -> Any:
    """Give each customer one segment and group small segments as ``"Other"``.

    Parameters
    ----------
    orders : DataFrame-like
        Orders with a segment column (pandas, Polars, DuckDB relation, ...).
    segment_col, customer_col, date_col : str
        Columns of the segment, the customer id and the order date.
    top_n : int or None, default 10
        Keep at most this many segments (the largest by customers); the rest become
        ``other``. None keeps every segment that is large enough.
    min_customers : int, default MIN_READABLE_N (30)
        Segments with fewer customers are grouped into ``other`` too; 0 keeps them. When
        no segment is that large, the ``top_n`` largest are kept. "Other" only ever merges
        two or more segments: a single small one keeps its name (tables flag it small).
    first_order : bool, default True
        Label every order of a customer with the segment of their first order, so each
        customer counts in exactly one segment (ties on the first day: the smallest value).
    other : str, default "Other"
        Label of the grouped segments.
    label : str, optional
        Name of the segment column in the message (default ``segment_col``), e.g. the
        source file's column name when the frame was renamed on reading.

    Returns
    -------
    DataFrame-like
        The same rows and columns in the same engine, with ``segment_col`` rewritten. A
        :class:`~retention_kit.RetentionKitWarning` says what changed, with counts.

    Raises
    ------
    RetentionKitError
        If ``top_n`` or ``min_customers`` is not a whole number >= 0 (``top_n`` >= 1).

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b", "c", "d", "e"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-03",
    ...                                   "2024-01-04", "2024-01-05", "2024-01-06"]),
    ...     "segment": ["UK", "France", "UK", "UK", "Malta", "Peru"]})
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     tidy = tidy_segments(orders, top_n=1, min_customers=0)
    >>> tidy["segment"].tolist()
    ['UK', 'UK', 'UK', 'UK', 'Other', 'Other']
    >>> print(caught[0].message)  # doctest: +NORMALIZE_WHITESPACE
    'segment': 1 customer ordered under more than one value and is counted under the one
    of their first order. 1 of 3 segments kept (the largest by customers); the other 2
    (2 customers) are grouped as 'Other'.
    """
    if top_n is not None and (isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1):
        msg = f"top_n={top_n!r} must be a whole number of segments >= 1, or None for all."
        raise RetentionKitError(msg)
    if isinstance(min_customers, bool) or not isinstance(min_customers, int) or min_customers < 0:
        msg = f"min_customers={min_customers!r} must be a whole number >= 0."
        raise RetentionKitError(msg)
    lf = to_lazy(orders, arg="orders")
    require_columns(
        lf, {"segment_col": segment_col, "customer_col": customer_col, "date_col": date_col}
    )
    was_eager = isinstance(nw.from_native(orders, pass_through=True), nw.DataFrame)
    seg, cust = nw.col(segment_col), nw.col(customer_col)
    notes: list[str] = []
    if first_order:
        firsts = _first_segments(lf, segment_col, customer_col, date_col, "_rk_first_segment")
        mixed = collect(
            lf.group_by(customer_col)
            .agg(seg.n_unique().alias("n"))
            .select((nw.col("n") > 1).cast(nw.Int64).sum().alias("mixed"))
        )["mixed"].iloc[0]
        mixed = 0 if pd.isna(mixed) else int(mixed)
        if mixed:
            lf = (
                lf.join(firsts, on=customer_col, how="left")
                .with_columns(nw.col("_rk_first_segment").alias(segment_col))
                .drop("_rk_first_segment")
            )
            notes.append(
                f"{mixed:,} customer{' ordered' if mixed == 1 else 's ordered'} under more "
                f"than one value and {'is' if mixed == 1 else 'are'} counted under the one "
                f"of their first order."
            )
    sizes = collect(lf.group_by(segment_col).agg(cust.n_unique().alias("customers")))
    sizes = sizes.sort_values(["customers", segment_col], ascending=[False, True])
    keep = sizes[sizes["customers"] >= min_customers]
    if keep.empty:  # every segment is small: grouping them all would say nothing
        keep = sizes
    if top_n is not None:
        keep = keep.head(top_n)
    grouped = sizes[~sizes[segment_col].isin(keep[segment_col])]
    if len(grouped) == 1:  # "Other" only merges two or more; a lone one keeps its name
        keep, grouped = sizes, grouped.iloc[:0]
    if len(grouped):
        kept = keep[segment_col].tolist()
        lf = lf.with_columns(
            nw.when(seg.is_in(kept)).then(seg).otherwise(nw.lit(other)).alias(segment_col)
        )
        n_customers = int(grouped["customers"].sum())
        notes.append(
            f"{len(keep):,} of {len(sizes):,} segments kept (the largest by customers"
            + (f", each with {min_customers:,} or more" if min_customers else "")
            + f"); the other {len(grouped):,} ({n_customers:,} customer"
            + ("" if n_customers == 1 else "s")
            + f") are grouped as {other!r}."
        )
    if notes:
        warn(f"{(label or segment_col)!r}: " + " ".join(notes))
    if was_eager:
        return lf.collect().to_native()
    return lf.to_native()
