"""The ``report`` command's inputs: flags into notebook parameters, data checked up front.

Library messages name Python arguments (``customer_col=``); the command line shows the flag
of the data source being read instead (``--sub-customer-col`` for subscriptions), looked up
in one table, :data:`FLAGS`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .exceptions import MissingColumnError, RetentionKitError

__all__ = ["FLAGS", "flag_for", "flag_message", "flag_text"]

_DEMOS = ("demo", "demo-invoices")
#: Notebooks that need a data source besides the orders (its parameter): skipped without it.
NEEDS = {"04_nps": "nps_data", "06_subscriptions": "subscriptions_data"}
#: ``(data source, library argument) -> flag``; the same argument has another flag per file.
#: Source ``"*"``: the same flag whatever is being read. Every flag here exists (tested).
FLAGS: dict[tuple[str, str], str] = {
    ("orders", "customer_col"): "--customer-col",
    ("orders", "date_col"): "--date-col",
    ("orders", "amount_col"): "--amount-col",
    ("orders", "quantity_col"): "--quantity-col",
    ("orders", "price_col"): "--price-col",
    ("orders", "order_col"): "--order-col",
    ("orders", "segment_col"): "--segment-col",
    ("orders", "duplicates"): "--duplicates",
    ("orders", "top_n"): "--top-n-segments",
    ("orders", "missing_customers"): "--missing-customers",
    ("subscriptions", "customer_col"): "--sub-customer-col",
    ("subscriptions", "start_col"): "--sub-start-col",
    ("subscriptions", "end_col"): "--sub-end-col",
    ("subscriptions", "mrr_col"): "--sub-mrr-col",
    ("subscriptions", "trial_end_col"): "--sub-trial-end-col",
    ("subscriptions", "plan_col"): "--sub-plan-col",
    ("subscriptions", "missing_customers"): "--missing-customers",
    ("nps", "score_col"): "--nps-score-col",
    ("nps", "date_col"): "--nps-date-col",
    ("*", "date_format"): "--date-format",
    ("*", "encoding"): "--encoding",
    ("*", "sep"): "--sep",
    ("*", "start"): "--start",
    ("*", "end"): "--end",
    ("*", "as_of"): "--as-of",
    ("*", "freq"): "--freq",
    ("*", "engine"): "--engine",
    ("*", "out_dir"): "--out",
    ("*", "force"): "--force",
    ("*", "jobs"): "--jobs",
    ("*", "notebooks"): "--notebooks",
    ("*", "loyalty_threshold"): "--loyalty-threshold",
    ("*", "currency"): "--currency",
}
#: A Python string literal as ``repr`` writes it (a column name in a message).
_QUOTED = re.compile(r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""")


class _FlagError(RetentionKitError):
    """A library error whose argument names have been rewritten into flags."""


def flag_for(argument: str, source: str = "orders") -> str | None:
    """The ``report`` flag that sets library argument ``argument`` of ``source``, if any.

    Examples
    --------
    >>> flag_for("customer_col"), flag_for("customer_col", "subscriptions")
    ('--customer-col', '--sub-customer-col')
    >>> flag_for("encoding", "nps"), flag_for("threshold") is None
    ('--encoding', True)
    """
    return FLAGS.get((source, argument), FLAGS.get(("*", argument)))


def flag_text(text: str, source: str = "orders") -> str:
    """``text`` with Python argument names (``customer_col=``) written as the flags to pass.

    For messages without attributes to go by; :func:`flag_message` uses them when there are.
    Arguments without a flag are left as they are.

    Examples
    --------
    >>> flag_text("customer_col='id': no such column", "subscriptions")
    "--sub-customer-col 'id': no such column"
    >>> flag_text("Give amount_col=, or both quantity_col= and price_col=.")
    'Give --amount-col, or both --quantity-col and --price-col.'
    """

    def swap(match: re.Match[str]) -> str:
        flag = flag_for(match.group(1), source)
        if flag is None:
            return match.group(0)
        value_follows = match.end() < len(text) and text[match.end()] not in " ,.;:)/"
        return f"{flag} " if value_follows else flag

    text = re.sub(r"\bforce=True\b", "--force", text)
    text = re.sub(r"(?<![\w-])([a-z][a-z0-9_]*)=", swap, text)
    # Hints written for Python users ("(--encoding on the command line)") say it twice here.
    return re.sub(r"\s*\((?:--[\w-]+(?:, )?)+ on the command line\)", "", text)


def flag_message(err: RetentionKitError, source: str = "orders") -> str:
    """The message of ``err`` as the command line says it: with flags, not Python arguments.

    A :class:`MissingColumnError` names its argument (``err.argument``): its flag comes from
    :data:`FLAGS` and stands where the message says ``argument=`` (quoted column names are
    left alone, whatever they hold). Other messages go through :func:`flag_text`.

    Examples
    --------
    >>> from retention_kit.exceptions import MissingColumnError
    >>> err = MissingColumnError(
    ...     "customer_col='id': no such column. Pass customer_col='ID'.",
    ...     argument="customer_col",
    ...     column="id",
    ... )
    >>> flag_message(err, "subscriptions")
    "--sub-customer-col 'id': no such column. Pass --sub-customer-col 'ID'."
    """
    text = str(err)
    flag = None
    if isinstance(err, MissingColumnError) and err.argument is not None:
        argument = err.argument
        flag = flag_for(argument, source)
    if flag is None:
        return flag_text(text, source)
    # Column names are quoted (repr) in the message: whatever they hold stays as it is.
    pieces = _QUOTED.split(text)
    return "".join(
        piece if i % 2 else piece.replace(f"{argument}=", f"{flag} ")
        for i, piece in enumerate(pieces)
    )


@contextmanager
def _reading(source: str) -> Iterator[None]:
    """Errors raised while checking ``source`` name that source's flags."""
    try:
        yield
    except _FlagError:
        raise
    except RetentionKitError as err:
        raise _FlagError(flag_message(err, source)) from None


def _path_value(flag: str, value: str | None) -> str | None:
    """A file flag's value as an absolute path ("demo" and None pass through)."""
    if value is None or value in _DEMOS:
        return value
    if not value or any(ord(c) < 32 for c in value):
        msg = f"{flag} {value!r}: the file name is empty or has control characters (NUL...)."
        raise _FlagError(msg)
    return str(Path(value).resolve())


def _parameters(args: argparse.Namespace) -> dict[str, Any]:
    demo = args.data == "demo"
    invoices = args.data == "demo-invoices"
    quantity_col, price_col = args.quantity_col, args.price_col
    if invoices and args.amount_col is None and quantity_col is None and price_col is None:
        quantity_col, price_col = "Quantity", "UnitPrice"
    amount_col = args.amount_col
    if amount_col is None and not (quantity_col or price_col):
        amount_col = "amount"
    if (quantity_col is None) != (price_col is None):
        msg = "--quantity-col and --price-col go together (amount = quantity x price)."
        raise RetentionKitError(msg)
    if amount_col is not None and quantity_col is not None:
        msg = "give --amount-col or --quantity-col/--price-col, not both."
        raise RetentionKitError(msg)
    nps = args.nps if args.nps is not None else ("demo" if demo else None)
    subs = args.subscriptions if args.subscriptions is not None else ("demo" if demo else None)
    builtin = {"demo": "order_id", "demo-invoices": "InvoiceNo"}
    segments = {"demo": "channel", "demo-invoices": "Country"}
    return {
        "data": _path_value("--data", args.data),
        "customer_col": args.customer_col or ("CustomerID" if invoices else "customer_id"),
        "date_col": args.date_col or ("InvoiceDate" if invoices else "order_date"),
        "amount_col": amount_col,
        "quantity_col": quantity_col,
        "price_col": price_col,
        "order_col": args.order_col or builtin.get(args.data),
        "segment_col": args.segment_col or segments.get(args.data),
        "date_format": args.date_format,
        "encoding": args.encoding,
        "sep": args.sep,
        "missing_customers": args.missing_customers,
        "duplicates": args.duplicates,
        "top_n_segments": args.top_n_segments,
        "engine": args.engine,
        "freq": args.freq,
        "start": args.start,
        "end": args.end,
        "as_of": args.as_of,
        "currency": args.currency or ("£" if invoices else "$"),
        "loyalty_threshold": args.loyalty_threshold,
        "acquisition_cost": args.acquisition_cost,
        "gross_margin": args.gross_margin,
        "discount_rate": args.discount_rate,
        "nps_data": _path_value("--nps", nps),
        "nps_score_col": args.nps_score_col,
        "nps_date_col": args.nps_date_col,
        "subscriptions_data": _path_value("--subscriptions", subs),
        "sub_customer_col": args.sub_customer_col,
        "sub_start_col": args.sub_start_col,
        "sub_end_col": args.sub_end_col,
        "sub_mrr_col": args.sub_mrr_col,
        "sub_trial_end_col": args.sub_trial_end_col or ("trial_end" if subs == "demo" else None),
        "sub_plan_col": args.sub_plan_col or ("plan" if subs == "demo" else None),
    }


def _check_flags(args: argparse.Namespace) -> list[str]:
    """Flags that need no data: one-line errors before anything is read; the notebooks."""
    from .run import REPORT_NOTEBOOKS

    if args.jobs < 1:
        msg = f"--jobs {args.jobs}: run at least 1 notebook at a time (e.g. --jobs 2)."
        raise RetentionKitError(msg)
    if args.notebooks is None:
        return list(REPORT_NOTEBOOKS)
    wanted = [n.strip() for n in args.notebooks.split(",") if n.strip()]
    bad = [n for n in wanted if not re.fullmatch(r"[A-Za-z0-9_-]+", n)]
    if bad:
        choices = ", ".join(REPORT_NOTEBOOKS)
        msg = f"--notebooks: {bad} are not notebook names; choose from {choices}."
        raise RetentionKitError(msg)
    return wanted


def _check_out(args: argparse.Namespace) -> Path:
    """The report folder of ``--out``: writable, not locked, empty unless ``--force``."""
    from ._files import non_empty
    from ._report_lock import busy_message, lock_holder
    from .run import check_out_dir

    with _reading("orders"):
        out_dir = check_out_dir(args.out if args.out else _default_out(args.data))
        holder = lock_holder(out_dir)
        if holder is not None:
            raise RetentionKitError(busy_message(out_dir, holder))
    if non_empty(out_dir) and not args.force:
        msg = (
            f"report folder {str(out_dir)!r} already exists and is not empty; pass --force "
            f"to replace it (at the end of the run), or choose another --out."
        )
        raise RetentionKitError(msg)
    return out_dir


def _select_notebooks(
    args: argparse.Namespace, params: dict[str, Any], wanted: list[str]
) -> list[str]:
    """The notebooks to run: those asked for (default: all) whose data is given."""
    from . import run

    explicit = args.notebooks is not None
    if args.engine != "pandas" and not explicit:
        wanted = ["report"]  # the walkthroughs read their data into pandas
    skipped = [n for n in wanted if n in NEEDS and params[NEEDS[n]] is None]
    if skipped and explicit:
        flags = {"nps_data": "--nps", "subscriptions_data": "--subscriptions"}
        needs = ", ".join(f"{n} needs {flags[NEEDS[n]]}" for n in skipped)
        msg = f"--notebooks: {needs}."
        raise RetentionKitError(msg)
    wanted = [n for n in wanted if n not in skipped]
    unknown = [n for n in wanted if not (run.notebook_dir() / f"{n}.ipynb").is_file()]
    if unknown or not wanted:
        msg = (
            f"--notebooks: unknown notebook(s) {unknown}; choose from "
            f"{', '.join(run.REPORT_NOTEBOOKS)}."
        )
        raise RetentionKitError(msg)
    return wanted


_MISSING_IDS = re.compile(
    r"^(?P<n>[\d,]+)(?: of (?P<total>[\d,]+))? rows have no customer id in '(?P<col>.+?)'"
)


def _warning_lines(caught: Sequence[warnings.WarningMessage]) -> list[str]:
    """One line per distinct RetentionKitWarning raised while reading the data."""
    from .exceptions import RetentionKitWarning

    lines: list[str] = []
    for item in caught:
        if not issubclass(item.category, RetentionKitWarning):
            continue  # third-party noise; the notebooks show what matters
        text = str(item.message).strip()
        found = _MISSING_IDS.match(text)
        if found:
            of = f" of {found['total']}" if found["total"] else ""
            text = (
                f"dropped {found['n']}{of} rows without a customer id ({found['col']}; "
                f"guest orders?); pass --missing-customers error to stop instead."
            )
        else:
            text = f"warning: {' '.join(flag_text(text).split())}"
        line = f"retention-kit: {text}"
        if line not in lines:
            lines.append(line)
    return lines


def _check_inputs(params: dict[str, Any]) -> dict[str, Any]:
    """Read the data once with the given mapping, so bad input fails before any kernel."""
    import narwhals as nw
    import pandas as pd

    from . import io
    from ._frames import collect, to_lazy

    for name in ("start", "end", "as_of"):
        if params[name] is not None:
            try:
                pd.Timestamp(params[name])
            except ValueError:
                flag = name.replace("_", "-")
                msg = f"--{flag} {params[name]!r} is not a date; use YYYY-MM-DD."
                raise RetentionKitError(msg) from None
    if params["top_n_segments"] < 1:
        msg = f"--top-n-segments {params['top_n_segments']}: show at least 1 segment."
        raise RetentionKitError(msg)
    if params["loyalty_threshold"] < 0:
        msg = "--loyalty-threshold must be 0 or more orders."
        raise RetentionKitError(msg)
    if not 0 < params["gross_margin"] <= 100:
        msg = "--gross-margin is a percentage of revenue: between 0 and 100."
        raise RetentionKitError(msg)
    if params["acquisition_cost"] < 0 or params["discount_rate"] < 0:
        msg = "--acquisition-cost and --discount-rate must not be negative."
        raise RetentionKitError(msg)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with _reading("orders"):
            orders = io.read_orders(
                params["data"],
                customer_col=params["customer_col"],
                date_col=params["date_col"],
                amount_col=params["amount_col"],
                quantity_col=params["quantity_col"],
                price_col=params["price_col"],
                order_col=params["order_col"],
                segment_col=params["segment_col"],
                date_format=params["date_format"],
                start=params["start"],
                end=params["end"],
                missing_customers=params["missing_customers"],
                duplicates=params["duplicates"],
                encoding=params["encoding"],
                sep=params["sep"],
                engine=params["engine"],
            )
            facts = collect(
                to_lazy(orders).select(
                    nw.len().alias("rows"), nw.col("customer_id").n_unique().alias("customers")
                )
            ).iloc[0]
        if params["nps_data"] is not None:
            with _reading("nps"):
                io.read_answers(
                    params["nps_data"],
                    score_col=params["nps_score_col"],
                    date_col=params["nps_date_col"],
                    encoding=params["encoding"],
                    sep=params["sep"],
                )
        if params["subscriptions_data"] is not None:
            with _reading("subscriptions"):
                io.read_subscriptions(
                    params["subscriptions_data"],
                    customer_col=params["sub_customer_col"],
                    start_col=params["sub_start_col"],
                    end_col=params["sub_end_col"],
                    mrr_col=params["sub_mrr_col"],
                    trial_end_col=params["sub_trial_end_col"],
                    plan_col=params["sub_plan_col"],
                    date_format=params["date_format"],
                    missing_customers=params["missing_customers"],
                    encoding=params["encoding"],
                    sep=params["sep"],
                )
    return {
        "rows": int(facts["rows"]),
        "customers": int(facts["customers"]),
        "warnings": _warning_lines(caught),
    }


def _safe_name(data: str) -> str:
    """A file-name stem that cannot leave its folder: no separators, dots, controls; short."""
    stem = re.split(r"[\\/]", data)[-1]
    stem = re.sub(r"\.[A-Za-z0-9]{1,8}$", "", stem)
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_")
    return stem[:60].rstrip("-_") or "data"


def _default_out(data: str) -> Path:
    name = data if data in _DEMOS else _safe_name(data)
    return Path("reports") / f"{dt.date.today():%Y-%m-%d}-{name}"


def _headline(out_dir: Path, currency: str) -> list[str]:
    """The report folder and at most five headline figures from its metrics.json."""
    lines = [f"report: {out_dir}{os.sep}"]
    try:
        metrics = json.loads((out_dir / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return lines
    from ._formatting import integer as _integer
    from ._formatting import money as _money
    from ._formatting import percent as _percent

    shown: list[tuple[str, str, Callable[[Any], str]]] = [
        ("period", "period", str),
        ("customers_active", "active customers", _integer),
        ("crr", "CRR", _percent),
        ("churn", "churn", _percent),
        ("revenue", "revenue", lambda value: _money(value, currency)),
    ]
    for key, label, text in shown:
        if isinstance(metrics, dict) and metrics.get(key) is not None:
            lines.append(f"  {label:<18}{text(metrics[key])}")
    return lines
