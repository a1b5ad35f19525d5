"""Benchmark the models of retention_kit.clv and rfm_summary against lifetimes 0.11.3.

Times each of our fits on CDNOW / donations / the sBG tables, our CLV for 1,000,000
synthetic customers and ``rfm_summary`` on 1,000,000 synthetic orders (pandas input), and
the same calls of lifetimes, which runs in its own virtualenv (benchmarks/.venv-lifetimes,
created on first run) as a server process started once. Our call and lifetimes' call
alternate, repeat after repeat, so both sides see the same load of a shared machine;
each time is the median of the repeats. Prints a markdown table and writes it to
benchmarks/results/clv_models.md.

    python benchmarks/bench_clv_models.py [--repeats 7] [--customers 1000000]
        [--orders 1000000] [--skip-lifetimes]

Log-likelihoods of both sides are evaluated with our likelihood at each side's estimates
(lifetimes rescales time internally, so its own reported values are not comparable).
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
import pandas as pd

import retention_kit
from retention_kit.clv import (
    BetaGeoBetaBinomModel,
    BetaGeoModel,
    GammaGammaModel,
    ParetoNBDModel,
    ShiftedBetaGeoModel,
    load_cdnow_sample,
    load_cdnow_summary,
    load_donations,
    rfm_summary,
    sbg_survival_tables,
)
from retention_kit.clv import _likelihoods as lik

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv-lifetimes"
PINS = [
    "lifetimes==0.11.3",
    "pandas==1.5.3",
    "numpy==1.26.4",
    "scipy==1.11.4",
    "autograd==1.9.1",
    "setuptools<70",
]


def venv_python() -> Path:
    """Return the lifetimes venv's interpreter, creating the venv if it is missing."""
    python = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not python.exists():
        print(f"creating {VENV} (lifetimes 0.11.3) ...", file=sys.stderr)
        subprocess.run(["python3", "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PINS], check=True)
    return python


def cdnow_spend() -> pd.DataFrame:
    """Repeat customers' calibration mean spend per repeat purchase day."""
    orders = load_cdnow_sample()
    cal = orders[orders["date"] <= "1997-09-30"]
    days = cal.groupby(["customer_id", "date"], as_index=False)["amount"].sum()
    first = days.groupby("customer_id")["date"].transform("min")
    repeat = days[days["date"] > first]
    return repeat.groupby("customer_id")["amount"].agg(frequency="count", monetary_value="mean")


def synthetic_customers(n: int, seed: int = 2024) -> pd.DataFrame:
    """BG/NBD-like summaries in weeks for ``n`` customers (first purchases on whole days)."""
    rng = np.random.default_rng(seed)
    # whole days, in weeks, as in real transaction data (cohorts joining over 39 weeks)
    days = rng.integers(7, 273, n)
    big_t = days / 7
    x = rng.poisson(rng.gamma(0.25, 1 / 4.4, n) * big_t)
    t_x = np.where(x > 0, rng.integers(1, days + 1) / 7, 0.0)
    m = np.where(x > 0, rng.gamma(6.0, 5.0, n).round(2), 0.0)
    return pd.DataFrame({"frequency": x, "recency": t_x, "T": big_t, "monetary_value": m})


def synthetic_orders(n: int, customers: int, seed: int = 7) -> dict[str, np.ndarray]:
    """``n`` orders of ``customers`` customers over three years (days since 1970-01-01)."""
    rng = np.random.default_rng(seed)
    first_day = int((pd.Timestamp("2021-01-01") - pd.Timestamp("1970-01-01")).days)
    span = 3 * 365
    joined = rng.integers(0, span, customers)
    # heavier buyers are more likely to appear: gamma-distributed activity
    activity = rng.gamma(0.8, 1.0, customers)
    customer = rng.choice(customers, size=n, p=activity / activity.sum())
    offset = (rng.random(n) * (span - joined[customer])).astype(np.int64)
    day = first_day + joined[customer] + offset
    amount = rng.gamma(2.0, 30.0, n).round(2)
    return {
        "customer": customer.astype(np.int64),
        "day": day,
        "amount": amount,
        "end_day": np.array(first_day + span),
    }


def orders_frame(data: dict[str, np.ndarray]) -> pd.DataFrame:
    """The synthetic orders as the pandas frame both sides summarise."""
    return pd.DataFrame(
        {
            "customer_id": data["customer"],
            "order_date": pd.to_datetime(data["day"], unit="D"),
            "amount": data["amount"],
        }
    )


class Lifetimes:
    """The lifetimes server process (benchmarks/lifetimes_fits.py in its own venv)."""

    def __init__(self, data_dir: Path) -> None:
        self.proc = subprocess.Popen(
            [str(venv_python()), str(HERE / "lifetimes_fits.py"), str(data_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, command: str) -> dict[str, Any]:
        """Send one command and return its JSON answer."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer

    def close(self) -> None:
        """Stop the server."""
        if self.proc.poll() is None:
            self.ask_quit()

    def ask_quit(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("quit\n")
        self.proc.stdin.flush()
        self.proc.wait(timeout=30)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Run ``fn`` once; return seconds and its result."""
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def alternate(
    ours: Callable[[], Any], theirs: Callable[[], dict[str, Any]] | None, repeats: int
) -> tuple[float, Any, float | None, dict[str, Any] | None]:
    """Median seconds of ours and theirs, called in turn (the first goes first on odd runs)."""
    our_times, their_times, our_out, their_out = [], [], None, None
    for i in range(repeats):
        if theirs is not None and i % 2:
            their_out = theirs()
            their_times.append(their_out["seconds"])
        seconds, our_out = timed(ours)
        our_times.append(seconds)
        if theirs is not None and not i % 2:
            their_out = theirs()
            their_times.append(their_out["seconds"])
    their_median = statistics.median(their_times) if their_times else None
    return statistics.median(our_times), our_out, their_median, their_out


def fmt_ratio(ours: float, theirs: float | None) -> str:
    return f"{theirs / ours:.1f}x" if theirs else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--skip-lifetimes", action="store_true")
    parser.add_argument(
        "--output", type=Path, default=HERE / "results" / "clv_models.md", help="markdown file"
    )
    args = parser.parse_args()

    cdnow = load_cdnow_summary()
    spend = cdnow_spend()
    donations = load_donations()
    regular = sbg_survival_tables()["regular"].loc[:7]
    x, t_x, big_t = (cdnow[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    gx, gm = spend["frequency"].to_numpy(float), spend["monetary_value"].to_numpy(float)
    dx, dr, dn, dw = (donations[c].to_numpy(float) for c in donations.columns)

    ours = {
        "bgnbd": lambda: BetaGeoModel().fit(x, t_x, big_t),
        "pareto_nbd": lambda: ParetoNBDModel().fit(x, t_x, big_t),
        "gamma_gamma": lambda: GammaGammaModel().fit(gx, gm),
        "bgbb": lambda: BetaGeoBetaBinomModel().fit(dx, dr, dn, weights=dw),
        "sbg": lambda: ShiftedBetaGeoModel().fit(regular),
    }
    loglik = {
        "bgnbd": lambda p: lik.bgnbd_loglik(np.array(p), x, t_x, big_t)[0].sum(),
        "pareto_nbd": lambda p: lik.pareto_nbd_loglik(np.array(p), x, t_x, big_t)[0].sum(),
        "gamma_gamma": lambda p: lik.gamma_gamma_loglik(np.array(p), gx, gm)[0].sum(),
        "bgbb": lambda p: lik.bgbb_loglik(np.array(p), dx, dr, dn)[0] @ dw,
    }
    clv_data = synthetic_customers(args.customers)
    order_data = synthetic_orders(args.orders, max(args.orders // 10, 1))
    orders = orders_frame(order_data)
    end = pd.Timestamp(int(order_data["end_day"]), unit="D")

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        server = None
        if not args.skip_lifetimes:
            cdnow[["frequency", "recency", "T"]].to_csv(d / "cdnow.csv", index=False)
            spend.to_csv(d / "gamma_gamma.csv", index=False)
            donations.to_csv(d / "donations.csv", index=False)
            clv_data.to_csv(d / "clv.csv", index=False)
            np.savez(d / "orders.npz", **order_data)
            server = Lifetimes(d)
        try:
            rows, models = run_all(args, ours, loglik, server)
            clv_row = run_clv(args, models, clv_data, server)
            rfm_row = run_rfm(args, orders, end, server)
            versions = server.ask("version") if server else {}
        finally:
            if server is not None:
                server.close()

    table = render(args, rows, clv_row, rfm_row, versions)
    print(table)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(table + "\n")
    print(f"\nwritten to {args.output}")
    return 0


def run_all(args, ours, loglik, server):
    """Time every fit, ours and lifetimes' in turn."""
    rows, models = {}, {}
    for name, fit in ours.items():
        theirs = (lambda n=name: server.ask(f"fit {n}")) if server and name in loglik else None
        our_s, model, their_s, their_out = alternate(fit, theirs, args.repeats)
        models[name] = model
        row = {"ours_s": our_s, "ours_ll": model.log_likelihood_, "theirs_s": their_s}
        if their_out is not None:
            row["theirs_params"] = their_out["params"]
            row["theirs_ll"] = float(loglik[name](list(their_out["params"].values())))
        rows[name] = row
    return rows, models


def run_clv(args, models, clv_data, server):
    """Time the 12-month CLV of the synthetic customers once on each side."""

    def ours():
        return models["gamma_gamma"].customer_lifetime_value(
            models["bgnbd"],
            clv_data["frequency"].to_numpy(),
            clv_data["recency"].to_numpy(),
            clv_data["T"].to_numpy(),
            clv_data["monetary_value"].to_numpy(),
            time=12,
            discount_rate=1.0,  # percent a month (lifetimes: 0.01)
        )

    our_s, value = timed(ours)
    theirs = server.ask("clv") if server else None
    return {
        "ours_s": our_s,
        "theirs_s": theirs["seconds"] if theirs else None,
        "ours_total": float(np.sum(value)),
        "theirs_total": theirs["total"] if theirs else None,
    }


def run_rfm(args, orders, end, server):
    """Time rfm_summary and lifetimes' summary_data_from_transaction_data, in turn."""

    def ours():
        return rfm_summary(
            orders, amount_col="amount", time_unit="day", as_of=end, duplicates="keep"
        )

    theirs = (lambda: server.ask("rfm")) if server else None
    repeats = max(3, (args.repeats + 1) // 2)
    our_s, out, their_s, their_out = alternate(ours, theirs, repeats)
    row = {"ours_s": our_s, "theirs_s": their_s, "customers": len(out)}
    if their_out is not None:
        mine = {c: float(out[c].sum()) for c in ("frequency", "recency", "T", "monetary_value")}
        same = all(
            np.isclose(mine[c], their_out["sums"][c], rtol=1e-9) for c in mine
        ) and their_out["customers"] == len(out)
        row["same"] = same
    return row


NAMES = {
    "bgnbd": "BG/NBD fit (CDNOW, 2,357 customers)",
    "pareto_nbd": "Pareto/NBD fit (CDNOW)",
    "gamma_gamma": "Gamma-Gamma fit (CDNOW, 946 repeat customers)",
    "bgbb": "BG/BB fit (donations, 11,104 donors)",
    "sbg": "sBG fit (regular cohort, 7 years)",
}


def render(args, rows, clv_row, rfm_row, versions) -> str:
    """The results as markdown."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "| model | ours (s) | lifetimes (s) | lifetimes / ours | LL ours | LL lifetimes |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, row in rows.items():
        t = row["theirs_s"]
        their_ll = f"{row['theirs_ll']:.2f}" if "theirs_ll" in row else "-"
        lines.append(
            f"| {NAMES[name]} | {row['ours_s']:.4f} | {f'{t:.4f}' if t else '-'} "
            f"| {fmt_ratio(row['ours_s'], t)} | {row['ours_ll']:.2f} | {their_ll} |"
        )
    t = clv_row["theirs_s"]
    lines.append(
        f"| CLV BG/NBD + Gamma-Gamma, {args.customers:,} customers, 12 months "
        f"| {clv_row['ours_s']:.3f} | {f'{t:.3f}' if t else '-'} "
        f"| {fmt_ratio(clv_row['ours_s'], t)} | | |"
    )
    t = rfm_row["theirs_s"]
    same = {True: ", identical sums", False: ", SUMS DIFFER"}.get(rfm_row.get("same"), "")
    lines.append(
        f"| rfm_summary vs summary_data_from_transaction_data, {args.orders:,} orders "
        f"({rfm_row['customers']:,} customers{same}), pandas | {rfm_row['ours_s']:.3f} "
        f"| {f'{t:.3f}' if t else '-'} | {fmt_ratio(rfm_row['ours_s'], t)} | | |"
    )
    theirs = [r for r in rows.values() if "theirs_params" in r]
    notes = [
        "",
        f"Median of {args.repeats} alternating runs per fit "
        f"({max(3, (args.repeats + 1) // 2)} for rfm_summary, one for CLV); "
        f"retention_kit {retention_kit.__version__}, lifetimes "
        f"{versions.get('lifetimes', '-')} (pandas {versions.get('pandas', '-')}); "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average "
        f"{load:.2f} at the end; {dt.date.today().isoformat()}.",
    ]
    if theirs:
        notes.append("")
        notes.append("lifetimes' estimates:")
        for name, row in rows.items():
            if "theirs_params" in row:
                est = ", ".join(f"{k}={v:.4f}" for k, v in row["theirs_params"].items())
                notes.append(f"- {name}: {est}")
    return "\n".join(lines + notes)


if __name__ == "__main__":
    raise SystemExit(main())
