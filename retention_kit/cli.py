"""Command line: ``retention-kit report`` runs the notebooks into an HTML report folder.

This module holds the argument parser and :func:`main` only, and imports nothing heavy at
the top, so ``--help`` is instant. The flags become notebook parameters and are checked in
``_report_inputs`` (paths, columns, dates: a mistake is one line on stderr, not a traceback
from a notebook); :func:`retention_kit.run.run_report` then runs the notebooks.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ._version import __version__
from .exceptions import RetentionKitError

__all__ = ["build_parser", "main"]

#: ``--freq`` choices: ``_frames.FREQS`` (equal, tested), written out so that ``--help``
#: needs no pandas (``_frames`` imports it).
_FREQS = ("day", "week", "month", "quarter", "year")

_EPILOG = """\
examples:
  retention-kit report --data demo
  retention-kit report --data demo-invoices   # a messy invoice-line export
  retention-kit report --data orders.csv --customer-col CustomerID \\
      --date-col InvoiceDate --date-format "%m/%d/%Y %H:%M" \\
      --quantity-col Quantity --price-col UnitPrice --order-col InvoiceNo \\
      --segment-col Country --freq quarter --out reports/q3
  retention-kit notebooks        # list the notebooks and their parameters

Each notebook becomes NAME.ipynb (executed), NAME.html (with code) and
NAME.summary.html (code hidden, for stakeholders); the report also writes
metrics.json with the headline figures.
"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keep the examples' line breaks; show a default where there is one to show."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.default in (None, False, argparse.SUPPRESS) or "default" in text:
            return text
        return f"{text} (default: %(default)s)"


class _Parser(argparse.ArgumentParser):
    """argparse that shows one line and the usage hint, and exits 2, on any user error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``retention-kit`` command."""
    parser = _Parser(
        prog="retention-kit",
        description="Customer-retention reports: retention, churn, cohorts, CLV and NPS, "
        "from an order export, executed as notebooks and rendered to HTML.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"retention_kit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    report = sub.add_parser(
        "report",
        help="run the report notebooks on an order file (or the demo data)",
        description="Execute the notebooks with papermill on your orders and write the "
        "executed notebooks, HTML (full and code-hidden) and metrics.json to --out.",
        epilog=_EPILOG,
        formatter_class=_Formatter,
    )
    data = report.add_argument_group("data")
    data.add_argument(
        "--data",
        required=True,
        metavar="PATH",
        help="orders file (.csv, .parquet, .xlsx), or 'demo' / 'demo-invoices' for the "
        "built-in demo data (clean orders / a messy invoice-line export)",
    )
    data.add_argument(
        "--customer-col",
        metavar="COL",
        default=None,
        help="customer id column (default: customer_id; CustomerID with demo-invoices)",
    )
    data.add_argument(
        "--date-col",
        metavar="COL",
        default=None,
        help="order date column (default: order_date; InvoiceDate with demo-invoices)",
    )
    data.add_argument(
        "--amount-col",
        metavar="COL",
        default=None,
        help="order amount column (default 'amount'; or use --quantity-col and --price-col)",
    )
    data.add_argument(
        "--quantity-col", metavar="COL", default=None, help="quantity column (amount = qty x price)"
    )
    data.add_argument("--price-col", metavar="COL", default=None, help="unit price column")
    data.add_argument(
        "--order-col",
        metavar="COL",
        default=None,
        help="order / invoice id column (lines of one order)",
    )
    data.add_argument(
        "--segment-col", metavar="COL", default=None, help="segment column, e.g. channel or country"
    )
    data.add_argument(
        "--date-format",
        metavar="FORMAT",
        default=None,
        help="format of text dates, e.g. '%%m/%%d/%%Y %%H:%%M'",
    )
    data.add_argument(
        "--encoding",
        metavar="NAME",
        default=None,
        help="text encoding of CSV files, e.g. cp1252 or latin-1 (default: UTF-8)",
    )
    data.add_argument(
        "--sep",
        metavar="CHAR",
        default=None,
        help="CSV delimiter (default: found from the file: , ; tab or |)",
    )
    data.add_argument(
        "--missing-customers",
        choices=("drop", "error"),
        default="drop",
        help="rows without a customer id (guest orders): leave them out, said in the "
        "report, or stop with an error",
    )
    data.add_argument(
        "--duplicates",
        choices=("warn", "drop", "keep", "error"),
        default="warn",
        help="rows equal in every column to another: keep them and say so (warn), drop "
        "them, keep them silently, or stop",
    )
    data.add_argument(
        "--top-n-segments",
        metavar="N",
        type=int,
        default=10,
        help="segments shown; the smaller ones are grouped as 'Other'",
    )
    data.add_argument(
        "--nps",
        default=None,
        metavar="PATH",
        help="survey answers file with a 0-10 score (default: none; 'demo' with --data demo)",
    )
    data.add_argument(
        "--nps-score-col", metavar="COL", default="score", help="score column of --nps"
    )
    data.add_argument("--nps-date-col", metavar="COL", default="date", help="date column of --nps")
    subs = report.add_argument_group("subscriptions (optional)")
    subs.add_argument(
        "--subscriptions",
        default=None,
        metavar="PATH",
        help="subscriptions file: customer, start, end, MRR (default: none; 'demo' with "
        "--data demo)",
    )
    subs.add_argument(
        "--sub-customer-col", metavar="COL", default="customer_id", help="customer id column"
    )
    subs.add_argument(
        "--sub-start-col", metavar="COL", default="start_date", help="subscription start column"
    )
    subs.add_argument(
        "--sub-end-col", metavar="COL", default="end_date", help="end column (empty = active)"
    )
    subs.add_argument(
        "--sub-mrr-col", metavar="COL", default="mrr", help="monthly recurring revenue column"
    )
    subs.add_argument(
        "--sub-trial-end-col", metavar="COL", default=None, help="trial end column, if any"
    )
    subs.add_argument(
        "--sub-plan-col", metavar="COL", default=None, help="plan / tier column, if any"
    )

    data.add_argument(
        "--engine",
        choices=("pandas", "polars", "duckdb"),
        default="pandas",
        help="pandas reads the file into memory: fine up to a few million rows. polars or "
        "duckdb scan a Parquet or CSV file lazily and aggregate it without loading it: "
        "switch for files over ~5M rows or a quarter of RAM. With them only the report "
        "notebook runs (the walkthroughs load data into pandas) (default: pandas)",
    )

    what = report.add_argument_group("analysis")
    what.add_argument("--freq", default="month", choices=_FREQS, help="period length")
    what.add_argument(
        "--start", metavar="DATE", default=None, help="first order date to use (YYYY-MM-DD)"
    )
    what.add_argument(
        "--end", metavar="DATE", default=None, help="last order date to use (YYYY-MM-DD)"
    )
    what.add_argument(
        "--as-of", metavar="DATE", default=None, help="date the data runs to (default: last order)"
    )
    what.add_argument(
        "--currency",
        metavar="SYMBOL",
        default=None,
        help="currency symbol for tables (default: $; £ with demo-invoices)",
    )
    what.add_argument(
        "--loyalty-threshold",
        metavar="N",
        type=int,
        default=2,
        help="loyal = more than N orders",
    )
    what.add_argument(
        "--acquisition-cost",
        metavar="X",
        type=float,
        default=0.0,
        help="cost to acquire one customer",
    )
    what.add_argument(
        "--gross-margin",
        metavar="PCT",
        type=float,
        default=100.0,
        help="gross margin, percent of revenue",
    )
    what.add_argument(
        "--discount-rate",
        metavar="PCT",
        type=float,
        default=10.0,
        help="discount rate, percent per year",
    )

    out = report.add_argument_group("output")
    out.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="report folder (default reports/<today>-<data name>/)",
    )
    out.add_argument("--force", action="store_true", help="write into an existing report folder")
    out.add_argument(
        "--notebooks",
        metavar="NAMES",
        default=None,
        help="comma-separated notebooks to run (default: all whose data is given; "
        "see 'retention-kit notebooks')",
    )
    out.add_argument("--no-html", action="store_true", help="skip the HTML conversion")
    out.add_argument(
        "--jobs",
        metavar="N",
        type=int,
        default=2,
        help="notebooks run at the same time, one kernel each",
    )

    sub.add_parser(
        "notebooks",
        help="list the notebooks and their parameters",
        description="List the notebook templates and the parameters each accepts.",
    )
    return parser


@functools.cache
def _flag_names() -> frozenset[str]:
    """Every option string of ``retention-kit report``."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return frozenset(o for a in sub.choices["report"]._actions for o in a.option_strings)


@contextmanager
def _progress_bars_end_lines() -> Iterator[None]:
    """A run stopped mid-way leaves a progress bar without its newline: end it first."""
    try:
        yield
    except KeyboardInterrupt:
        print(file=sys.stderr)
        raise


def _report(args: argparse.Namespace) -> int:
    """``retention-kit report``: check everything, run the notebooks, print the outcome."""
    from . import run
    from ._report_inputs import (
        _check_flags,
        _check_inputs,
        _check_out,
        _headline,
        _parameters,
        _reading,
        _select_notebooks,
    )

    wanted = _check_flags(args)
    params = _parameters(args)
    out_dir = _check_out(args)
    facts = _check_inputs(params)
    wanted = _select_notebooks(args, params, wanted)
    for line in facts["warnings"]:
        print(line, file=sys.stderr)
    print(
        f"retention-kit: {facts['rows']:,} order rows, {facts['customers']:,} customers; "
        f"writing to {out_dir}/",
        file=sys.stderr,
    )
    began = time.perf_counter()
    with _reading("orders"), _progress_bars_end_lines():
        result = run.run_report(
            params,
            out_dir,
            notebooks=wanted,
            html=not args.no_html,
            jobs=args.jobs,
            force=args.force,
        )
    for name in wanted:
        status = "FAILED" if name in result.failed else "ok"
        print(f"  {name:<24} {result.seconds[name]:6.1f} s  {status}", file=sys.stderr)
    print(f"  total {time.perf_counter() - began:.1f} s", file=sys.stderr)
    for name in wanted:
        for section in result.failed_sections.get(name, []):
            print(
                f'retention-kit: {name}: section "{section.title}" could not be computed: '
                f"{section.reason}",
                file=sys.stderr,
            )
    if result.failed:
        for name, reason in result.failed.items():
            print(
                f"retention-kit: notebook {name!r} failed: {reason}\n"
                f"  partial output: {out_dir / (name + '.ipynb')}",
                file=sys.stderr,
            )
        return 1
    for line in _headline(out_dir, params["currency"]):
        print(line, file=sys.stdout)
    return 0


def _list_notebooks() -> int:
    import papermill

    from . import run

    for name in run.REPORT_NOTEBOOKS:
        path = run.notebook_dir() / f"{name}.ipynb"
        if not path.is_file():
            continue
        print(f"{name}.ipynb")
        for param, info in papermill.inspect_notebook(str(path)).items():
            default = info.get("default")
            help_text = info.get("help") or ""
            print(f"  {param:<20} = {default:<18} {help_text}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``retention-kit`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        if args.command == "notebooks":
            return _list_notebooks()
        from ._report_lock import signals_raise

        with signals_raise():
            return _report(args)
    except RetentionKitError as err:
        from ._report_inputs import _FlagError, flag_message

        # Library messages name Python arguments (customer_col=...); show the flags.
        text = str(err) if isinstance(err, _FlagError) else flag_message(err)
        print(f"retention-kit: error: {' '.join(text.split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as err:
        code = getattr(err, "exit_code", 130)
        name = "SIGTERM" if code == 143 else "Ctrl-C (SIGINT)"
        print(
            f"retention-kit: stopped by {name}; every notebook was stopped and no report "
            f"was written (--out is as it was).",
            file=sys.stderr,
        )
        return code


#: Names that lived here before ``run.py`` held them: importable for one release.
_MOVED = ("REPORT_NOTEBOOKS", "ReportResult", "notebook_dir", "run_report")


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        from . import run

        return getattr(run, name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


if __name__ == "__main__":
    raise SystemExit(main())
