"""The ``report`` command's inputs: flags into notebook parameters, data checked up front.

Library messages name Python arguments (``customer_col=``); :func:`flag_text` rewrites them
into the flag of the data source being read (``--sub-customer-col`` for subscriptions).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .exceptions import RetentionKitError

__all__ = ["flag_text"]

_DEMOS = ("demo", "demo-invoices")
#: Library argument -> flag, per data source (the same argument has other flags per file).
_FLAGS = {
    "orders": {
        "customer_col": "--customer-col",
        "date_col": "--date-col",
        "amount_col": "--amount-col",
        "quantity_col": "--quantity-col",
        "price_col": "--price-col",
        "order_col": "--order-col",
        "segment_col": "--segment-col",
        "date_format": "--date-format",
        "encoding": "--encoding",
        "sep": "--sep",
        "missing_customers": "--missing-customers",
        "duplicates": "--duplicates",
        "top_n": "--top-n-segments",
    },
    "subscriptions": {
        "customer_col": "--sub-customer-col",
        "start_col": "--sub-start-col",
        "end_col": "--sub-end-col",
        "mrr_col": "--sub-mrr-col",
        "trial_end_col": "--sub-trial-end-col",
        "plan_col": "--sub-plan-col",
        "date_format": "--date-format",
        "encoding": "--encoding",
        "sep": "--sep",
        "missing_customers": "--missing-customers",
    },
    "nps": {
        "score_col": "--nps-score-col",
        "date_col": "--nps-date-col",
        "date_format": "--date-format",
        "encoding": "--encoding",
        "sep": "--sep",
    },
}
#: Arguments with the same flag whatever the source.
_COMMON_FLAGS = {
    "start": "--start",
    "end": "--end",
    "as_of": "--as-of",
    "freq": "--freq",
    "engine": "--engine",
    "out_dir": "--out",
    "jobs": "--jobs",
    "notebooks": "--notebooks",
    "loyalty_threshold": "--loyalty-threshold",
    "currency": "--currency",
}


class _FlagError(RetentionKitError):
    """A library error whose argument names have been rewritten into flags."""


def flag_text(text: str, source: str = "orders") -> str:
    """``text`` with Python argument names (``customer_col=``) written as the flags to pass.

    Only flags the ``report`` command has are named; other arguments are left as they are.

    Examples
    --------
    >>> flag_text("customer_col='id': no such column", "subscriptions")
    "--sub-customer-col 'id': no such column"
    >>> flag_text("Give amount_col=, or both quantity_col= and price_col=.")
    'Give --amount-col, or both --quantity-col and --price-col.'
    """
    from .cli import _flag_names

    known = _flag_names()
    names = {**_COMMON_FLAGS, **_FLAGS[source]}

    def swap(match: re.Match[str]) -> str:
        flag = names.get(match.group(1))
        if flag not in known:
            return match.group(0)
        value_follows = match.end() < len(text) and text[match.end()] not in " ,.;:)/"
        return f"{flag} " if value_follows else flag

    text = re.sub(r"\bforce=True\b", "--force", text)
    text = re.sub(r"(?<![\w-])([a-z][a-z0-9_]*)=", swap, text)
    # Hints written for Python users ("(--encoding on the command line)") say it twice here.
    return re.sub(r"\s*\((?:--[\w-]+(?:, )?)+ on the command line\)", "", text)


@contextmanager
def _reading(source: str) -> Iterator[None]:
    """Errors raised while checking ``source`` name that source's flags."""
    try:
        yield
    except _FlagError:
        raise
    except RetentionKitError as err:
        raise _FlagError(flag_text(str(err), source)) from None


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
    from .reporting import _integer, _money, _percent

    shown = [
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
