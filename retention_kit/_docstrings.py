"""Parameter descriptions shared by many public functions, written once.

A docstring writes ``%(name)s`` on a line of its own, indented as a numpydoc parameter
(4 spaces); :func:`fill_doc` replaces it with the text below. Names that are not in
:data:`PARAMS` are left as they are, so a docstring stays readable either way.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any, TypeVar

_F = TypeVar("_F", bound=Callable[..., Any])

#: One entry per shared parameter: the numpydoc "name : type" line, then its text.
PARAMS: dict[str, str] = {
    "freq": """freq : {"day", "week", "month", "quarter", "year"}, default "month"
    Calendar period length; weeks start on Monday.""",
    "time_unit": """time_unit : {"day", "week", "month", "year"}
    Unit of durations and model inputs (recency, T, tenure); a month is 365.25 / 12 days.""",
    "as_of": """as_of : date-like, optional
    Date the data runs to (default: the last date in the data). A period ending after
    it is incomplete.""",
    "incomplete": """incomplete : {"exclude", "flag"}, default "exclude"
    Drop incomplete periods, or keep them with ``complete=False``.""",
    "confidence": """confidence : float, default 0.95
    Coverage of the confidence intervals, between 0 and 1.""",
    "duplicates": """duplicates : {"warn", "drop", "keep", "error"}, default "warn"
    Exact duplicate rows (every column equal to another row's): ``"warn"`` keeps them
    with one warning that counts them, ``"drop"`` keeps one of each, ``"keep"`` keeps
    them silently, ``"error"`` raises and shows some of them.""",
    "missing_customers": """missing_customers : {"drop", "error"}, default "drop"
    Rows without a customer id (empty, blank or NaN; guest checkouts in invoice
    exports): ``"drop"`` leaves them out with one warning that counts them, ``"error"``
    raises and shows some of them.""",
    "by": """by : str or list of str, optional
    Segment column(s); results are reported per segment.""",
    "customer_col": """customer_col : str, default "customer_id"
    Customer id column.""",
    "date_col": """date_col : str, default "order_date"
    Order date (or datetime) column.""",
    "amount_col": """amount_col : str, optional
    Order amount. Rows (or orders, with ``order_col``) whose net amount is not positive
    are returns.""",
    "order_col": """order_col : str, optional
    Order id: lines sharing it are one order.""",
    "ax": """ax : matplotlib Axes, optional
    Where to draw; the current Axes by default.""",
    "maxiter": """maxiter : int, default 1000
    Iteration limit of the optimiser, per starting point.""",
    "n_starts": """n_starts : int, default 3
    Most starting points tried (the next only when the previous does not converge).""",
    "answers": """answers : DataFrame-like
    One row per survey answer: pandas or Polars (eager or lazy), a DuckDB relation
    or anything else Narwhals reads. It is not modified.""",
    "score_col": """score_col : str, default "score"
    Column with the 0..10 answer to "how likely are you to recommend us?". Integer
    columns, and float columns holding whole numbers (``9.0``), are accepted.""",
    "orders": """orders : DataFrame-like
    One row per order or order line: pandas or Polars (eager or lazy), a DuckDB
    relation or anything else Narwhals reads. It is not modified.""",
    "raises_missing_column": """MissingColumnError
    A named column is not in the frame (with the closest name).""",
    "raises_null_orders": """InvalidDataError
    A column read holds nulls (or NaN, +-inf in a float column): customer, date,
    amount, order id or a ``by`` value. The message names the customers; a null
    segment is an error, not a customer left out (fill it, e.g. ``fillna('unknown')``).""",
    "seed": """seed : int, optional
    Seed of :func:`numpy.random.default_rng` (>= 0; each loader has its own default, see
    the signature). The same seed gives the same frame.""",
}


def fill_doc(func: _F) -> _F:
    """Put the shared parameter descriptions into ``func.__doc__``.

    Examples
    --------
    >>> @fill_doc
    ... def f(confidence=0.95):
    ...     '''Do something.
    ...
    ...     Parameters
    ...     ----------
    ...     %(confidence)s
    ...     '''
    >>> "Coverage of the confidence intervals" in f.__doc__
    True
    """
    doc = func.__doc__
    if doc:
        for name, text in PARAMS.items():
            doc = doc.replace(f"    %({name})s\n", textwrap.indent(text, "    ") + "\n")
        func.__doc__ = doc
    return func
