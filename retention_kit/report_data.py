"""Reading the report's data once, with every note the reader should see.

Each notebook starts the same way: read the export into the standard columns, give every
customer one segment and group the long tail, check the data once, and say in words what
was done (rows left out, returns netted, duplicates, segments grouped). This module does
that, so the notebooks only call it and the numbers they state are the library's own.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import narwhals as nw
import pandas as pd

from ._frames import collect, to_lazy
from ._text import escape_md
from ._validation import prepare_orders, require_columns
from .exceptions import RetentionKitWarning
from .sections import mark_said
from .segments import tidy_segments

if TYPE_CHECKING:
    from .io import Engine

__all__ = ["OrderData", "describe_orders", "load_answers_for_report", "load_orders_for_report"]


@dataclass
class OrderData:
    """Orders read for a report, with what reading them found.

    Attributes
    ----------
    orders : DataFrame-like
        Standard columns (``customer_id``, ``order_date``, ``amount``, and ``order_id`` /
        ``segment`` when given), in the engine it was read with.
    segment : str or None
        ``"segment"`` when there is a segment column.
    order_key : str or None
        ``"order_id"`` when there is an order id column.
    facts : dict
        ``rows``, ``customers``, ``first``, ``last``, ``returns`` (lines with a negative
        amount).
    notes : list of str
        What reading and checking did, in the library's words, each once.
    """

    orders: Any
    segment: str | None
    order_key: str | None
    facts: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def columns(self) -> dict[str, Any]:
        """Keyword arguments for every library call on :attr:`orders`.

        Duplicates were checked when reading, so later calls skip that pass.
        """
        return {"amount_col": "amount", "order_col": self.order_key, "duplicates": "keep"}

    def describe(self, freq: str, segment_col: str | None = None) -> str:
        """The data paragraph of a report, as Markdown (data values escaped)."""
        facts = self.facts
        segments = escape_md(segment_col) if self.segment and segment_col else "none"
        if self.segment and not segment_col:
            segments = "yes"
        head = (
            f"**Data:** {facts['rows']:,} order lines from {facts['customers']:,} customers, "
            f"{facts['first']:%Y-%m-%d} to {facts['last']:%Y-%m-%d}. **Period:** {freq}. "
            f"**Segments:** {segments}."
        )
        return "\n".join([head, *[f"- {escape_md(note)}" for note in self.notes]])


def describe_orders(
    orders: Any,
    *,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
) -> dict[str, Any]:
    """Facts about an order table, computed in its engine: rows, customers, span, returns.

    Parameters
    ----------
    orders : DataFrame-like
        Orders in any engine, e.g. the result of :func:`retention_kit.io.read_orders`.
    customer_col, date_col, amount_col : str
        Columns of the customer id, the order date and the amount.

    Returns
    -------
    dict
        ``rows``, ``customers``, ``first`` and ``last`` order dates and ``returns`` (lines
        with a negative amount). Exact duplicates are counted by
        :func:`~retention_kit.io.read_orders`, on every column of the file: the columns
        kept here make different lines look alike.

    Raises
    ------
    MissingColumnError
        If a named column is not in ``orders``.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"who": ["a", "a", "b"], "when": pd.to_datetime(
    ...     ["2024-01-02", "2024-01-09", "2024-02-01"]), "paid": [10.0, -4.0, 5.0]})
    >>> facts = describe_orders(orders, customer_col="who", date_col="when", amount_col="paid")
    >>> facts["rows"], facts["customers"], facts["returns"], f"{facts['last']:%Y-%m-%d}"
    (3, 2, 1, '2024-02-01')
    """
    frame = to_lazy(orders, arg="orders")
    require_columns(
        frame, {"customer_col": customer_col, "date_col": date_col, "amount_col": amount_col}
    )
    stats = collect(
        frame.select(
            nw.len().alias("rows"),
            nw.col(customer_col).n_unique().alias("customers"),
            nw.col(date_col).min().alias("first"),
            nw.col(date_col).max().alias("last"),
            (nw.col(amount_col) < 0).cast(nw.Int64).sum().alias("returns"),
        )
    ).iloc[0]
    returns = stats["returns"]
    return {
        "rows": int(stats["rows"]),
        "customers": int(stats["customers"]),
        "first": pd.Timestamp(stats["first"]),
        "last": pd.Timestamp(stats["last"]),
        "returns": 0 if pd.isna(returns) else int(returns),
    }


def load_orders_for_report(
    data: Any,
    *,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str | None = "amount",
    quantity_col: str | None = None,
    price_col: str | None = None,
    order_col: str | None = None,
    segment_col: str | None = None,
    date_format: str | None = None,
    start: Any = None,
    end: Any = None,
    engine: Engine = "pandas",
    top_n_segments: int | None = 10,
    **read_options: Any,
) -> OrderData:
    """Read, tidy and check the orders of a report, collecting the notes to show.

    Parameters
    ----------
    data : str, Path or DataFrame
        What :func:`retention_kit.io.read_orders` accepts (``"demo"``, ``"demo-invoices"``,
        a file, a frame).
    customer_col, date_col, amount_col, quantity_col, price_col, order_col, segment_col
        Columns of the source, as in :func:`~retention_kit.io.read_orders`.
    date_format, start, end, engine
        As in :func:`~retention_kit.io.read_orders`.
    top_n_segments : int or None, default 10
        Segments kept by :func:`~retention_kit.tidy_segments` (the rest become "Other").
    **read_options
        Further options of :func:`~retention_kit.io.read_orders` (``encoding``, ...).

    Returns
    -------
    OrderData
        The orders and what was done to them; its notes are marked as said, so
        :class:`~retention_kit.section` does not repeat them.

    Examples
    --------
    >>> data = load_orders_for_report("demo", order_col="order_id", segment_col="channel")
    >>> data.facts["customers"], data.segment, data.order_key
    (4000, 'segment', 'order_id')
    """
    from . import io

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RetentionKitWarning)
        orders = io.read_orders(
            data,
            customer_col=customer_col,
            date_col=date_col,
            amount_col=amount_col,
            quantity_col=quantity_col,
            price_col=price_col,
            order_col=order_col,
            segment_col=segment_col,
            date_format=date_format,
            start=start,
            end=end,
            engine=engine,
            **read_options,
        )
        segment = "segment" if segment_col is not None else None
        order_key = "order_id" if order_col is not None else None
        if segment is not None:
            orders = tidy_segments(
                orders, segment_col=segment, top_n=top_n_segments, label=segment_col
            )
        # Checked once here with the settings every later call uses; the warnings it gives
        # (returns netted, say) are the notes of the data paragraph.
        prepare_orders(
            orders,
            customer_col="customer_id",
            date_col="order_date",
            amount_col="amount",
            order_col=order_key,
            by=segment,
            duplicates="keep",
        )
    # The checks above name the standard column; the reader knows the source's.
    source = amount_col or f"{quantity_col} x {price_col}"
    notes: list[str] = []
    for item in caught:
        if not issubclass(item.category, RetentionKitWarning):
            continue
        mark_said([str(item.message)])  # later calls say it again in these words
        text = str(item.message).replace("amount_col='amount'", f"The amount ({source})")
        if text not in notes:
            notes.append(text)
    mark_said(notes)
    facts = describe_orders(orders)
    return OrderData(
        orders=orders, segment=segment, order_key=order_key, facts=facts, notes=notes
    )


def load_answers_for_report(
    nps_data: Any,
    *,
    score_col: str = "score",
    date_col: str = "date",
    segment_col: str | None = None,
    **read_options: Any,
) -> tuple[pd.DataFrame | None, str | None]:
    """Read the survey answers of a report; return them and their segment column, if any.

    Parameters
    ----------
    nps_data : str, Path, DataFrame or None
        ``"demo"``, a file or a frame; None means there is no survey.
    score_col, date_col : str
        Columns of the 0-10 score and the answer date.
    segment_col : str, optional
        The report's segment column: used when the survey has it too.
    **read_options
        Further options of :func:`~retention_kit.io.read_answers`.

    Returns
    -------
    (DataFrame or None, str or None)
        The answers (``score``, ``date``, ``segment``) and ``"segment"`` when the survey
        has the segment column.

    Examples
    --------
    >>> answers, segment = load_answers_for_report("demo", segment_col="channel")
    >>> len(answers), segment
    (3000, 'segment')
    """
    from . import datasets, io

    if nps_data is None:
        return None, None
    if isinstance(nps_data, str) and nps_data == "demo":
        survey = datasets.load_nps()
    elif isinstance(nps_data, pd.DataFrame):
        survey = nps_data
    else:
        survey = io.read_table(nps_data, **read_options)
    has_segment = segment_col is not None and segment_col in survey.columns
    answers = io.read_answers(
        survey,
        score_col=score_col,
        date_col=date_col,
        segment_col=segment_col if has_segment else None,
    )
    return answers, ("segment" if has_segment else None)
