"""Benchmark cohort_table and rfm_summary on each engine against the usual alternatives.

On the same generated Parquet file (benchmarks/generate_orders.py), for each size:

- ``cohort_table(..., values="customers", duplicates="keep")`` on pandas (frame from
  ``pd.read_parquet``; the read is timed apart), Polars (``pl.scan_parquet``) and DuckDB
  (``duckdb.read_parquet``), against the pandas tutorial recipe (``transform('min')``,
  ``dt.to_period('M')``, ``nunique``, ``pivot``) and a hand-written DuckDB SQL query;
- ``rfm_summary(..., amount_col="amount", time_unit="day", duplicates="keep")`` on the same
  three engines, against hand-written DuckDB SQL and lifetimes 0.11.3's
  ``summary_data_from_transaction_data`` (run in benchmarks/.venv-lifetimes);
- once, ``retention-kit report --data demo`` (what ``make report`` runs).

Each variant runs in a fresh subprocess (this script with ``--worker``), which repeats its
call and reports every time; the parent takes the median and reads the subprocess's peak
resident memory from ``os.wait4``, so peaks never mix. Every variant's output is saved and
compared: the script fails if any two variants of a task disagree. Prints a markdown table
and writes it, with the targets met or missed, to benchmarks/results/engines.md.

    python benchmarks/bench_engines.py [--rows 1000000 10000000] [--repeats 3]
        [--variants cohort/polars rfm/sql ...] [--skip-lifetimes] [--skip-report]

``--variants`` re-measures only those variants and keeps the other numbers from the last
run (benchmarks/data/engines_raw.json), e.g. to re-run key numbers after a busy spell.

Only the standard library and numpy are imported at the top: the lifetimes worker runs
this file in the lifetimes venv.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
OUT = DATA / "out"
RAW = DATA / "engines_raw.json"

COHORT_VARIANTS = ("pandas", "polars", "duckdb", "recipe", "sql")
RFM_VARIANTS = ("pandas", "polars", "duckdb", "sql", "lifetimes")
LABELS = {
    "cohort/read": "pandas `read_parquet` (all columns; not in the times below)",
    "cohort/pandas": "`cohort_table`, pandas frame",
    "cohort/polars": "`cohort_table`, Polars `scan_parquet`",
    "cohort/duckdb": "`cohort_table`, DuckDB `read_parquet`",
    "cohort/recipe": "pandas tutorial recipe (transform/to_period/nunique/pivot)",
    "cohort/sql": "hand-written DuckDB SQL, cohort matrix",
    "rfm/pandas": "`rfm_summary`, pandas frame",
    "rfm/polars": "`rfm_summary`, Polars `scan_parquet`",
    "rfm/duckdb": "`rfm_summary`, DuckDB `read_parquet`",
    "rfm/sql": "hand-written DuckDB SQL, RFM",
    "rfm/lifetimes": "lifetimes `summary_data_from_transaction_data`",
    "report": "`retention-kit report --data demo` (one run)",
}
# The targets of the issue, checked at the largest size measured.
SQL_FACTOR = 1.2
RECIPE_FACTOR = 2.0
PEAK_MB = 1500.0
RFM_COLUMNS = ("frequency", "recency", "T", "monetary_value")


# --------------------------------------------------------------------------- workers


def _cohort_sql(path: Path) -> str:
    return f"""
        WITH active AS (
            SELECT DISTINCT customer_id,
                   year(order_date) * 12 + month(order_date) - 1 AS period
            FROM read_parquet('{path}')
        ), cohorts AS (
            SELECT customer_id, min(period) AS cohort FROM active GROUP BY customer_id
        )
        SELECT cohort, period - cohort AS age, count(*) AS customers
        FROM active JOIN cohorts USING (customer_id)
        GROUP BY ALL
    """


def _rfm_sql(path: Path) -> str:
    return f"""
        WITH days AS (
            SELECT customer_id, CAST(order_date AS DATE) AS day, sum(amount) AS amount
            FROM read_parquet('{path}')
            GROUP BY ALL
        ), per_customer AS (
            SELECT customer_id, count(*) - 1 AS frequency, min(day) AS first_day,
                   max(day) AS last_day, sum(amount) - arg_min(amount, day) AS repeat_amount
            FROM days
            GROUP BY customer_id
        )
        SELECT customer_id, frequency,
               CAST(last_day - first_day AS DOUBLE) AS recency,
               CAST((SELECT CAST(max(order_date) AS DATE) FROM read_parquet('{path}'))
                    - first_day AS DOUBLE) AS T,
               CASE WHEN frequency > 0 THEN repeat_amount / frequency ELSE 0.0 END
                   AS monetary_value
        FROM per_customer
        ORDER BY customer_id
    """


def _recipe(orders: Any) -> Any:
    """The cohort count matrix as the pandas tutorials compute it."""
    from operator import attrgetter

    df = orders.assign(
        order_month=orders["order_date"].dt.to_period("M"),
        cohort=orders.groupby("customer_id")["order_date"].transform("min").dt.to_period("M"),
    )
    counts = df.groupby(["cohort", "order_month"])["customer_id"].nunique().reset_index()
    counts["age"] = (counts["order_month"] - counts["cohort"]).apply(attrgetter("n"))
    return counts.pivot(index="cohort", columns="age", values="customer_id")


def _cohort_worker(variant: str, path: Path, repeats: int, save: Path) -> dict[str, Any]:
    import duckdb
    import pandas as pd
    import polars as pl

    import retention_kit as rk

    def ours(frame: Any) -> Any:
        return rk.cohort_table(
            frame,
            customer_col="customer_id",
            date_col="order_date",
            freq="month",
            values="customers",
            duplicates="keep",
        )

    read_s = None
    if variant in ("pandas", "recipe"):
        start = time.perf_counter()
        frame = pd.read_parquet(path)
        read_s = time.perf_counter() - start
        call = (lambda: ours(frame)) if variant == "pandas" else (lambda: _recipe(frame))
    elif variant == "polars":
        call = lambda: ours(pl.scan_parquet(path))  # noqa: E731
    elif variant == "duckdb":
        call = lambda: ours(duckdb.read_parquet(str(path)))  # noqa: E731
    else:
        query = _cohort_sql(path)

        def call() -> Any:
            long = duckdb.sql(query).df()
            return long.pivot(index="cohort", columns="age", values="customers")

    times, table = _repeat(call, repeats)

    cells: dict[str, int] = {}
    for cohort, row in table.iterrows():
        if isinstance(cohort, pd.Period):
            label = str(cohort)
        else:  # month index of the SQL query
            label = f"{int(cohort) // 12:04d}-{int(cohort) % 12 + 1:02d}"
        for age, value in row.items():
            if pd.notna(value) and value != 0:
                cells[f"{label}+{int(age)}"] = int(value)
    save.write_text(json.dumps(cells, sort_keys=True))
    return {"times": times, "read_s": read_s}


def _rfm_worker(variant: str, path: Path, repeats: int, save: Path) -> dict[str, Any]:
    import duckdb
    import pandas as pd
    import polars as pl

    from retention_kit.clv import rfm_summary

    def ours(frame: Any) -> Any:
        return rfm_summary(
            frame,
            customer_col="customer_id",
            date_col="order_date",
            amount_col="amount",
            time_unit="day",
            duplicates="keep",
        )

    read_s = None
    if variant == "pandas":
        start = time.perf_counter()
        frame = pd.read_parquet(path)
        read_s = time.perf_counter() - start
        call = lambda: ours(frame)  # noqa: E731
    elif variant == "polars":
        call = lambda: ours(pl.scan_parquet(path))  # noqa: E731
    elif variant == "duckdb":
        call = lambda: ours(duckdb.read_parquet(str(path)))  # noqa: E731
    else:
        query = _rfm_sql(path)
        call = lambda: duckdb.sql(query).df().set_index("customer_id")  # noqa: E731
    times, out = _repeat(call, repeats)
    _save_rfm(save, out.index.to_numpy(dtype=str), out)
    return {"times": times, "read_s": read_s}


def _lifetimes_worker(path: Path, repeats: int, save: Path) -> dict[str, Any]:
    """Runs in the lifetimes venv (pandas 1.5, no pyarrow): reads the npz copy of the file."""
    import warnings

    import pandas as pd
    from lifetimes.utils import summary_data_from_transaction_data

    warnings.filterwarnings("ignore")
    npz = np.load(path)
    orders = pd.DataFrame(
        {
            "customer_id": npz["customer_id"].astype(object),
            "order_date": npz["order_date"].astype("datetime64[ns]"),
            "amount": npz["amount"],
        }
    )
    end = orders["order_date"].max()

    def call() -> Any:
        return summary_data_from_transaction_data(
            orders,
            "customer_id",
            "order_date",
            monetary_value_col="amount",
            observation_period_end=end,
            freq="D",
        )

    times, out = _repeat(call, repeats)
    out = out.sort_index()
    _save_rfm(save, out.index.to_numpy(dtype=str), out)
    return {"times": times, "read_s": None}


def _save_rfm(save: Path, customers: np.ndarray, out: Any) -> None:
    np.savez(
        save,
        customer_id=customers,
        **{c: out[c].to_numpy(dtype=float) for c in RFM_COLUMNS},
    )


def _repeat(call: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = call()
        times.append(time.perf_counter() - start)
    return times, out


def worker(args: argparse.Namespace) -> int:
    """Run one variant ``repeats`` times and write its times as JSON."""
    task, variant = args.worker.split("/")
    if args.worker == "rfm/lifetimes":
        result = _lifetimes_worker(args.file, args.repeats, args.save)
    elif task == "cohort":
        result = _cohort_worker(variant, args.file, args.repeats, args.save)
    else:
        result = _rfm_worker(variant, args.file, args.repeats, args.save)
    args.json.write_text(json.dumps(result))
    return 0


# --------------------------------------------------------------------------- parent


def _spawn(cmd: list[str], *, cwd: Path | None = None) -> tuple[float, float, int]:
    """Run ``cmd``; return its wall seconds, peak resident MB (of it and its children) and rc."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, proc.returncode


def run_variant(name: str, rows: int, path: Path, repeats: int) -> dict[str, Any]:
    """Measure one variant in a fresh subprocess."""
    python = Path(sys.executable)
    file = path
    if name == "rfm/lifetimes":
        python = _lifetimes_python()
        file = _npz_copy(path)
    task, variant = name.split("/")
    OUT.mkdir(parents=True, exist_ok=True)
    save = OUT / f"{rows}_{task}_{variant}.{'json' if task == 'cohort' else 'npz'}"
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        result_file = Path(tmp) / "result.json"
        cmd = [str(python), str(Path(__file__).resolve()), "--worker", name, "--file", str(file)]
        cmd += ["--repeats", str(repeats), "--save", str(save), "--json", str(result_file)]
        _, peak_mb, rc = _spawn(cmd)
        if rc:
            msg = f"{name} at {rows:,} rows failed (exit code {rc})"
            raise SystemExit(msg)
        result = json.loads(result_file.read_text())
    result.update(
        median_s=statistics.median(result["times"]),
        peak_mb=peak_mb,
        load=max(load, os.getloadavg()[0]),
        save=str(save),
        commit=_commit(),
    )
    times = ", ".join(f"{t:.2f}" for t in result["times"])
    print(
        f"  {name:14s} {rows:>11,} rows: median {result['median_s']:7.3f} s ({times}), "
        f"peak {peak_mb:6.0f} MB, load {result['load']:.1f}",
        flush=True,
    )
    return result


def run_report() -> dict[str, Any]:
    """Time ``retention-kit report --data demo`` once (what ``make report`` runs)."""
    cli = Path(sys.executable).with_name("retention-kit")
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [str(cli), "report", "--data", "demo", "--out", str(Path(tmp) / "demo"), "--force"]
        seconds, peak_mb, rc = _spawn(cmd, cwd=ROOT)
    if rc:
        msg = f"retention-kit report failed (exit code {rc})"
        raise SystemExit(msg)
    load = max(load, os.getloadavg()[0])
    print(f"  report: {seconds:.1f} s, peak {peak_mb:.0f} MB, load {load:.1f}", flush=True)
    return {
        "times": [seconds],
        "median_s": seconds,
        "peak_mb": peak_mb,
        "load": load,
        "commit": _commit(),
    }


def _lifetimes_python() -> Path:
    """The lifetimes venv's interpreter, created by bench_clv_models.py's helper."""
    sys.path.insert(0, str(HERE))
    from bench_clv_models import venv_python

    return venv_python()


def _npz_copy(path: Path) -> Path:
    """The orders as numpy arrays, for the lifetimes venv (which has no Parquet reader)."""
    target = path.with_suffix(".npz")
    if target.exists() and target.stat().st_mtime >= path.stat().st_mtime:
        return target
    import pyarrow.parquet as pq

    table = pq.read_table(path, columns=["customer_id", "order_date", "amount"])
    np.savez(
        target,
        customer_id=table.column("customer_id").to_numpy().astype("U"),
        order_date=table.column("order_date").to_numpy(),
        amount=table.column("amount").to_numpy(),
    )
    return target


def check_agreement(rows: int, results: dict[str, Any]) -> list[str]:
    """Assert that every variant of a task computed the same numbers; return notes."""
    notes = []
    cohort = {v: results.get(f"{rows}/cohort/{v}") for v in COHORT_VARIANTS}
    cohort = {v: json.loads(Path(r["save"]).read_text()) for v, r in cohort.items() if r}
    if cohort:
        first, reference = next(iter(cohort.items()))
        for variant, cells in cohort.items():
            assert cells == reference, f"cohort counts differ: {variant} vs {first} ({rows:,})"
        notes.append(
            f"{rows:,} rows: the {len(cohort)} cohort variants agree on all "
            f"{len(reference):,} non-empty cells (total {sum(reference.values()):,})."
        )
    rfm = {v: results.get(f"{rows}/rfm/{v}") for v in RFM_VARIANTS}
    rfm = {v: np.load(r["save"]) for v, r in rfm.items() if r}
    if rfm:
        first, reference = next(iter(rfm.items()))
        for variant, out in rfm.items():
            assert np.array_equal(out["customer_id"], reference["customer_id"]), (
                f"RFM customers differ: {variant} vs {first}"
            )
            for col in RFM_COLUMNS:
                assert np.allclose(out[col], reference[col], rtol=1e-9, atol=1e-6), (
                    f"RFM {col} differs: {variant} vs {first} ({rows:,} rows)"
                )
        notes.append(
            f"{rows:,} rows: the {len(rfm)} RFM variants agree on all "
            f"{len(reference['customer_id']):,} customers (frequency, recency, T, monetary)."
        )
    return notes


# --------------------------------------------------------------------------- report


def _ratio(value: float | None, reference: float | None) -> str:
    return f"{value / reference:.2f}" if value and reference else "-"


def render(results: dict[str, Any], sizes: list[int], notes: list[str]) -> str:
    """The markdown table, notes and target verdicts."""
    lines = [
        "| variant | rows | median s | ratio vs DuckDB SQL | ratio vs recipe / lifetimes "
        "| peak MB | load |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for rows in sizes:
        for task, variants in (("cohort", COHORT_VARIANTS), ("rfm", RFM_VARIANTS)):
            sql = results.get(f"{rows}/{task}/sql", {}).get("median_s")
            base = "recipe" if task == "cohort" else "lifetimes"
            baseline = results.get(f"{rows}/{task}/{base}", {}).get("median_s")
            if task == "cohort":
                read = [
                    results[f"{rows}/cohort/{v}"]["read_s"]
                    for v in ("pandas", "recipe")
                    if f"{rows}/cohort/{v}" in results
                ]
                if read:
                    lines.append(
                        f"| {LABELS['cohort/read']} | {rows:,} | {min(read):.3f} | | | | |"
                    )
            for variant in variants:
                r = results.get(f"{rows}/{task}/{variant}")
                if r is None:
                    continue
                lines.append(
                    f"| {LABELS[f'{task}/{variant}']} | {rows:,} | {r['median_s']:.3f} "
                    f"| {_ratio(r['median_s'], sql)} | {_ratio(r['median_s'], baseline)} "
                    f"| {r['peak_mb']:,.0f} | {r['load']:.1f} |"
                )
    if "report" in results:
        r = results["report"]
        lines.append(
            f"| {LABELS['report']} | demo | {r['median_s']:.1f} | | | {r['peak_mb']:,.0f} "
            f"| {r['load']:.1f} |"
        )
    repeats = sorted({len(r["times"]) for k, r in results.items() if k != "report"})
    loads = [r["load"] for r in results.values()]
    text = [
        "",
        f"Median of {'/'.join(map(str, repeats))} runs per variant, each variant in a fresh "
        "process on the same Parquet file (benchmarks/generate_orders.py, seed 42); ratios "
        "are time / reference time (below 1 is faster). Polars and DuckDB times include "
        "reading the file; pandas times start from the frame in memory. Peak MB is the "
        "variant process's peak resident memory (the pandas rows include the frame). RFM in "
        'days, monetary value = mean of repeat purchase days; `duplicates="keep"` '
        "throughout. Load is the 1-minute load average (highest of start and end) on "
        f"{os.cpu_count()} cores: {min(loads):.1f}-{max(loads):.1f} in this run "
        f"(machine shared with other work; above {os.cpu_count()} every time is inflated).",
        "",
        *[f"- {note}" for note in notes],
        "",
        "Targets (at the largest size measured):",
        "",
        *[f"- {line}" for line in targets(results, sizes)],
    ]
    return "\n".join(lines + text)


def targets(results: dict[str, Any], sizes: list[int]) -> list[str]:
    """One sentence per target of the issue, met or missed by how much."""
    rows = max(sizes)
    out = []

    def get(key: str) -> dict[str, Any] | None:
        return results.get(f"{rows}/{key}")

    for task, what in (("cohort", "cohort_table"), ("rfm", "rfm_summary")):
        sql = get(f"{task}/sql")
        for engine in ("duckdb", "polars"):
            r = get(f"{task}/{engine}")
            if not (r and sql):
                continue
            ratio = r["median_s"] / sql["median_s"]
            over = r["median_s"] - SQL_FACTOR * sql["median_s"]
            verdict = "met" if ratio <= SQL_FACTOR else f"missed by {over:.2f} s"
            out.append(
                f"`{what}` on {engine.capitalize() if engine == 'polars' else 'DuckDB'} "
                f"within {SQL_FACTOR}x of hand-written DuckDB SQL at {rows:,} rows: "
                f"{r['median_s']:.2f} s vs {sql['median_s']:.2f} s = {ratio:.2f}x, **{verdict}**."
            )
    pandas, recipe = get("cohort/pandas"), get("cohort/recipe")
    if pandas and recipe:
        speedup = recipe["median_s"] / pandas["median_s"]
        budget = recipe["median_s"] / RECIPE_FACTOR
        verdict = (
            "met"
            if speedup >= RECIPE_FACTOR
            else f"missed by {pandas['median_s'] - budget:.2f} s (budget {budget:.2f} s)"
        )
        out.append(
            f"`cohort_table` on pandas at least {RECIPE_FACTOR:.0f}x faster than the tutorial "
            f"recipe at {rows:,} rows: {pandas['median_s']:.2f} s vs {recipe['median_s']:.2f} s "
            f"= {speedup:.2f}x as fast, **{verdict}**."
        )
    peaks = {
        f"{what} {engine}": r["peak_mb"]
        for task, what in (("cohort", "cohort_table"), ("rfm", "rfm_summary"))
        for engine in ("duckdb", "polars")
        if (r := get(f"{task}/{engine}"))
    }
    if peaks:
        worst = max(peaks, key=peaks.get)
        over = {k: v for k, v in peaks.items() if v >= PEAK_MB}
        verdict = (
            "met"
            if not over
            else "missed by " + ", ".join(f"{k} {v - PEAK_MB:,.0f} MB" for k, v in over.items())
        )
        out.append(
            f"Peak memory of the DuckDB/Polars paths under {PEAK_MB:,.0f} MB at {rows:,} rows: "
            f"highest {peaks[worst]:,.0f} MB ({worst}), **{verdict}**."
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--variants", nargs="+", help="only these (e.g. cohort/polars report)")
    parser.add_argument("--skip-lifetimes", action="store_true")
    parser.add_argument("--skip-report", action="store_true")
    parser.add_argument(
        "--output", type=Path, default=HERE / "results" / "engines.md", help="markdown file"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--save", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)

    from generate_orders import ensure

    names = [f"cohort/{v}" for v in COHORT_VARIANTS] + [f"rfm/{v}" for v in RFM_VARIANTS]
    if args.skip_lifetimes:
        names.remove("rfm/lifetimes")
    if args.variants:
        names = [n for n in names if n in args.variants]
    results: dict[str, Any] = {}
    if args.variants and RAW.exists():
        results = json.loads(RAW.read_text())  # keep the other variants' last numbers
    for rows in args.rows:
        path = ensure(rows)
        print(f"{path.name}:", flush=True)
        for name in names:
            results[f"{rows}/{name}"] = run_variant(name, rows, path, args.repeats)
        RAW.write_text(json.dumps(results, indent=1))
    if not args.skip_report and (not args.variants or "report" in args.variants):
        results["report"] = run_report()
    RAW.write_text(json.dumps(results, indent=1))

    sizes = sorted({int(k.split("/")[0]) for k in results if k != "report"})
    sizes = [s for s in sizes if s in args.rows] if not args.variants else sizes
    results = {k: v for k, v in results.items() if k == "report" or int(k.split("/")[0]) in sizes}
    notes = [note for rows in sizes for note in check_agreement(rows, results)]
    table = render(results, sizes, notes)
    table += (
        f"\n\nretention_kit {_version('retention_kit')}, pandas {_version('pandas')}, Polars "
        f"{_version('polars')}, DuckDB {_version('duckdb')}, Narwhals {_version('narwhals')}; "
        f"Python {platform.python_version()}; {dt.date.today().isoformat()}. Library "
        f"commit per row: {_commits(results)}."
    )
    print()
    print(table)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(table + "\n")
    print(f"\nwritten to {args.output}")
    return 0


def _commits(results: dict[str, Any]) -> str:
    """Which commit of the library each group of rows measured."""
    by_commit: dict[str, list[str]] = {}
    for key, r in results.items():
        by_commit.setdefault(r.get("commit", "unknown"), []).append(key)
    return "; ".join(f"{c}: {', '.join(keys)}" for c, keys in by_commit.items())


def _commit() -> str:
    """The checked-out commit (read only), marked when retention_kit/ has local changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "diff", "--quiet", "HEAD", "--", "retention_kit"], cwd=ROOT
        ).returncode
    except OSError:
        return "unknown"
    return f"{head}{' (with local changes)' if dirty else ''}" if head else "unknown"


def _version(module: str) -> str:
    from importlib.metadata import version

    return version(module.replace("_", "-"))


if __name__ == "__main__":
    raise SystemExit(main())
