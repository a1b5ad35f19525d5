"""Command line: ``retention-kit report`` runs the notebooks into an HTML report folder.

Everything that can be checked before a kernel starts is checked first (paths, columns,
dates, parameters), so a mistake is one line on stderr, not a traceback from a notebook.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from ._frames import FREQS
from .exceptions import RetentionKitError

__all__ = ["main", "notebook_dir", "run_report"]

REPORT_NOTEBOOKS = (
    "report",
    "01_retention_and_churn",
    "02_cohorts",
    "03_clv",
    "04_nps",
    "05_clv_models",
    "06_subscriptions",
)
#: Notebooks that need a data source besides the orders: skipped when it is not given.
_NEEDS = {"04_nps": "nps_data", "06_subscriptions": "subscriptions_data"}

_EPILOG = """\
examples:
  retention-kit report --data demo
  retention-kit report --data orders.csv --customer-col CustomerID \\
      --date-col InvoiceDate --date-format "%m/%d/%Y %H:%M" \\
      --quantity-col Quantity --price-col UnitPrice --order-col InvoiceNo \\
      --segment-col Country --freq quarter --out reports/q3
  retention-kit notebooks        # list the notebooks and their parameters

Each notebook becomes NAME.ipynb (executed), NAME.html (with code) and
NAME.summary.html (code hidden, for stakeholders); the report also writes
metrics.json with the headline figures.
"""


def notebook_dir() -> Path:
    """Folder holding the notebook templates (inside the wheel, or the source checkout)."""
    packaged = Path(__file__).parent / "notebooks"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[1] / "notebooks"


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
        self.exit(2, f"{self.prog}: error: {message}\n(see '{self.prog} --help')\n")


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
        help="orders file (.csv, .parquet, .xlsx) or 'demo' for the built-in demo data",
    )
    data.add_argument(
        "--customer-col", metavar="COL", default="customer_id", help="customer id column"
    )
    data.add_argument("--date-col", metavar="COL", default="order_date", help="order date column")
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
    what.add_argument("--freq", default="month", choices=FREQS, help="period length")
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
        "--currency", metavar="SYMBOL", default="$", help="currency symbol for tables"
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
        default=",".join(REPORT_NOTEBOOKS),
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


@dataclass
class ReportResult:
    """What a report run produced."""

    out_dir: Path
    succeeded: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _parameters(args: argparse.Namespace) -> dict[str, Any]:
    demo = args.data == "demo"
    amount_col = args.amount_col
    if amount_col is None and not (args.quantity_col or args.price_col):
        amount_col = "amount"
    if (args.quantity_col is None) != (args.price_col is None):
        msg = "--quantity-col and --price-col go together (amount = quantity x price)."
        raise RetentionKitError(msg)
    if amount_col is not None and args.quantity_col is not None:
        msg = "give --amount-col or --quantity-col/--price-col, not both."
        raise RetentionKitError(msg)
    nps = args.nps if args.nps is not None else ("demo" if demo else None)
    subs = args.subscriptions if args.subscriptions is not None else ("demo" if demo else None)
    return {
        "data": args.data if demo else str(Path(args.data).resolve()),
        "customer_col": args.customer_col,
        "date_col": args.date_col,
        "amount_col": amount_col,
        "quantity_col": args.quantity_col,
        "price_col": args.price_col,
        "order_col": args.order_col if args.order_col or not demo else "order_id",
        "segment_col": args.segment_col if args.segment_col or not demo else "channel",
        "date_format": args.date_format,
        "engine": args.engine,
        "freq": args.freq,
        "start": args.start,
        "end": args.end,
        "as_of": args.as_of,
        "currency": args.currency,
        "loyalty_threshold": args.loyalty_threshold,
        "acquisition_cost": args.acquisition_cost,
        "gross_margin": args.gross_margin,
        "discount_rate": args.discount_rate,
        "nps_data": nps if nps in (None, "demo") else str(Path(nps).resolve()),
        "nps_score_col": args.nps_score_col,
        "nps_date_col": args.nps_date_col,
        "subscriptions_data": subs if subs in (None, "demo") else str(Path(subs).resolve()),
        "sub_customer_col": args.sub_customer_col,
        "sub_start_col": args.sub_start_col,
        "sub_end_col": args.sub_end_col,
        "sub_mrr_col": args.sub_mrr_col,
        "sub_trial_end_col": args.sub_trial_end_col or ("trial_end" if subs == "demo" else None),
        "sub_plan_col": args.sub_plan_col or ("plan" if subs == "demo" else None),
    }


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
    if params["loyalty_threshold"] < 0:
        msg = "--loyalty-threshold must be 0 or more orders."
        raise RetentionKitError(msg)
    if not 0 < params["gross_margin"] <= 100:
        msg = "--gross-margin is a percentage of revenue: between 0 and 100."
        raise RetentionKitError(msg)
    if params["acquisition_cost"] < 0 or params["discount_rate"] < 0:
        msg = "--acquisition-cost and --discount-rate must not be negative."
        raise RetentionKitError(msg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the notebooks show these warnings where they matter
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
            engine=params["engine"],
        )
        facts = collect(
            to_lazy(orders).select(
                nw.len().alias("rows"), nw.col("customer_id").n_unique().alias("customers")
            )
        ).iloc[0]
        if params["nps_data"] is not None:
            io.read_answers(
                params["nps_data"],
                score_col=params["nps_score_col"],
                date_col=params["nps_date_col"],
            )
        if params["subscriptions_data"] is not None:
            io.read_subscriptions(
                params["subscriptions_data"],
                customer_col=params["sub_customer_col"],
                start_col=params["sub_start_col"],
                end_col=params["sub_end_col"],
                mrr_col=params["sub_mrr_col"],
                trial_end_col=params["sub_trial_end_col"],
                plan_col=params["sub_plan_col"],
                date_format=params["date_format"],
            )
    return {"rows": int(facts["rows"]), "customers": int(facts["customers"])}


def _default_out(data: str) -> Path:
    name = "demo" if data == "demo" else Path(data).stem
    return Path("reports") / f"{dt.date.today():%Y-%m-%d}-{name}"


def _write_html(executed: Path) -> None:
    """Write NAME.html (with code) and NAME.summary.html (code and set-up cells hidden)."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    notebook = nbformat.read(executed, as_version=4)
    full = HTMLExporter(template_name="lab")
    html, _ = full.from_notebook_node(notebook)
    executed.with_suffix(".html").write_text(html, encoding="utf-8")
    summary = HTMLExporter(
        template_name="lab",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    # Cells for whoever runs the notebook (how to set parameters) are not for stakeholders.
    summary.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags={"hide-in-summary"}, enabled=True), enabled=True
    )
    html, _ = summary.from_notebook_node(notebook)
    executed.with_suffix(".summary.html").write_text(html, encoding="utf-8")


def _kernel_manager_class() -> type:
    """A kernel manager on IPC sockets (local kernels need no TCP, and no TCP warning)."""
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.transport = "ipc"
            # Socket files of their own, so kernels started side by side never collide.
            self.ip = str(Path(tempfile.mkdtemp(prefix="rk-kernel-")) / "ipc")

    return IPCKernelManager


def _run_one(
    name: str, source: Path, out_dir: Path, params: dict[str, Any], html: bool, progress: Any
) -> tuple[str, str | None, float]:
    """Execute one notebook (and convert it); return its name, error line or None, seconds."""
    import papermill

    began = time.perf_counter()
    target = out_dir / f"{name}.ipynb"
    declared = papermill.inspect_notebook(str(source))
    error = None
    try:
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters={k: v for k, v in params.items() if k in declared},
            kernel_name="python3",
            progress_bar=progress,
            cwd=str(out_dir),
            kernel_manager_class=_kernel_manager_class(),
        )
    except Exception as err:  # noqa: BLE001 - report the failure, keep the others
        text = str(err).strip()
        error = text.splitlines()[-1] if text else repr(err)
    if html and target.exists():
        _write_html(target)
    return name, error, time.perf_counter() - began


def run_report(
    parameters: dict[str, Any],
    out_dir: Path,
    *,
    notebooks: Sequence[str] = REPORT_NOTEBOOKS,
    html: bool = True,
    progress: bool = True,
    jobs: int = 1,
) -> ReportResult:
    """Execute ``notebooks`` with ``parameters`` into ``out_dir``; keep going past failures.

    Parameters
    ----------
    parameters : dict
        Notebook parameters (see ``retention-kit notebooks``); ``output_dir`` is set here.
        Each notebook receives the ones its ``parameters`` cell declares.
    out_dir : Path
        Folder for the executed notebooks, HTML and metrics.json (created if missing).
    notebooks : sequence of str
        Notebook names without ``.ipynb``.
    html : bool, default True
        Also write ``NAME.html`` and the code-hidden ``NAME.summary.html``.
    progress : bool, default True
        Show papermill's progress bar (one line per notebook).
    jobs : int, default 1
        Notebooks executed at the same time (each has its own kernel).

    Returns
    -------
    ReportResult
        Which notebooks succeeded or failed, and how long each took.
    """
    from concurrent.futures import ProcessPoolExecutor

    out_dir.mkdir(parents=True, exist_ok=True)
    result = ReportResult(out_dir=out_dir)
    params = {**parameters, "output_dir": str(out_dir.resolve())}
    calls = [
        (
            name,
            notebook_dir() / f"{name}.ipynb",
            out_dir,
            params,
            html,
            {"desc": f"{name:<24}", "position": i, "leave": True} if progress else False,
        )
        for i, name in enumerate(notebooks)
    ]
    if jobs <= 1:
        outcomes = [_run_one(*call) for call in calls]
    else:
        import multiprocessing

        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=spawn) as pool:
            outcomes = list(pool.map(_run_one, *zip(*calls, strict=True)))
    for name, error, seconds in outcomes:
        result.seconds[name] = seconds
        if error is None:
            result.succeeded.append(name)
        else:
            result.failed[name] = error
    return result


def _report(args: argparse.Namespace) -> int:
    params = _parameters(args)
    out_dir = Path(args.out) if args.out else _default_out(args.data)
    if out_dir.exists() and any(out_dir.iterdir()) and not args.force:
        msg = (
            f"report folder {str(out_dir)!r} already exists and is not empty; pass --force "
            f"to overwrite its reports, or choose another --out."
        )
        raise RetentionKitError(msg)
    facts = _check_inputs(params)
    wanted = [n.strip() for n in args.notebooks.split(",") if n.strip()]
    explicit = args.notebooks != ",".join(REPORT_NOTEBOOKS)
    if args.engine != "pandas" and not explicit:
        wanted = ["report"]  # the walkthroughs read their data into pandas
    skipped = [n for n in wanted if n in _NEEDS and params[_NEEDS[n]] is None]
    if skipped and explicit:
        flags = {"nps_data": "--nps", "subscriptions_data": "--subscriptions"}
        needs = ", ".join(f"{n} needs {flags[_NEEDS[n]]}" for n in skipped)
        msg = f"--notebooks: {needs}."
        raise RetentionKitError(msg)
    wanted = [n for n in wanted if n not in skipped]
    unknown = [n for n in wanted if not (notebook_dir() / f"{n}.ipynb").is_file()]
    if unknown or not wanted:
        msg = (
            f"--notebooks: unknown notebook(s) {unknown}; choose from "
            f"{', '.join(REPORT_NOTEBOOKS)}."
        )
        raise RetentionKitError(msg)
    print(
        f"retention-kit: {facts['rows']:,} order rows, {facts['customers']:,} customers; "
        f"writing to {out_dir}/",
        file=sys.stderr,
    )
    began = time.perf_counter()
    result = run_report(params, out_dir, notebooks=wanted, html=not args.no_html, jobs=args.jobs)
    for name in wanted:
        status = "FAILED" if name in result.failed else "ok"
        print(f"  {name:<24} {result.seconds[name]:6.1f} s  {status}", file=sys.stderr)
    print(f"  total {time.perf_counter() - began:.1f} s", file=sys.stderr)
    if result.failed:
        for name, reason in result.failed.items():
            print(
                f"retention-kit: notebook {name!r} failed: {reason}\n"
                f"  partial output: {out_dir / (name + '.ipynb')}",
                file=sys.stderr,
            )
        return 1
    metrics = out_dir / "metrics.json"
    if metrics.exists():
        headline = json.loads(metrics.read_text())
        print(json.dumps(headline, indent=2), file=sys.stdout)
    return 0


def _list_notebooks() -> int:
    import papermill

    for name in REPORT_NOTEBOOKS:
        path = notebook_dir() / f"{name}.ipynb"
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
        if args.command == "report":
            return _report(args)
        return _list_notebooks()
    except RetentionKitError as err:
        # Library messages name Python arguments (customer_col=...); show the flags.
        text = re.sub(r"\b(\w+)_col=", lambda m: f"--{m.group(1).replace('_', '-')}-col ", str(err))
        print(f"retention-kit: error: {text}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("retention-kit: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
