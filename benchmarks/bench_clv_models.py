"""Benchmark retention_kit.clv_models against lifetimes 0.11.3 on the papers' data.

Times each of our fits (median of 3) on CDNOW / donations / the sBG tables, our CLV for
1,000,000 synthetic customers, and, in a separate virtualenv (benchmarks/.venv-lifetimes,
created on first run), lifetimes' fitters on the same data. Prints a markdown table.

    python benchmarks/bench_clv_models.py [--repeats 3] [--customers 1000000]

Log-likelihoods of both sides are evaluated with our likelihood at each side's estimates
(lifetimes rescales time internally, so its own reported values are not comparable).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from retention_kit import _likelihoods as lik
from retention_kit.clv_models import (
    BetaGeoBetaBinomModel,
    BetaGeoModel,
    GammaGammaModel,
    ParetoNBDModel,
    ShiftedBetaGeoModel,
)
from retention_kit.published_data import (
    load_cdnow_sample,
    load_cdnow_summary,
    load_donations,
    sbg_survival_tables,
)

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


def median_time(fit, repeats: int):
    times, model = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        model = fit()
        times.append(time.perf_counter() - start)
    return statistics.median(times), model


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--skip-lifetimes", action="store_true")
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
    results = {}
    models = {}
    for name, fit in ours.items():
        seconds, model = median_time(fit, args.repeats)
        models[name] = model
        results[name] = {"ours_s": seconds, "ours_ll": model.log_likelihood_}

    clv_data = synthetic_customers(args.customers)
    start = time.perf_counter()
    models["gamma_gamma"].customer_lifetime_value(
        models["bgnbd"],
        clv_data["frequency"].to_numpy(),
        clv_data["recency"].to_numpy(),
        clv_data["T"].to_numpy(),
        clv_data["monetary_value"].to_numpy(),
        time=12,
        discount_rate=0.01,
    )
    clv_ours = time.perf_counter() - start

    theirs = None
    if not args.skip_lifetimes:
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp)
            cdnow[["frequency", "recency", "T"]].to_csv(d / "cdnow.csv", index=False)
            spend.to_csv(d / "gamma_gamma.csv", index=False)
            donations.to_csv(d / "donations.csv", index=False)
            clv_data.to_csv(d / "clv.csv", index=False)
            proc = subprocess.run(
                [str(venv_python()), str(HERE / "lifetimes_fits.py"), str(d)]
                + ["--repeats", str(args.repeats)],
                check=True,
                capture_output=True,
                text=True,
            )
        theirs = json.loads(proc.stdout)
        for name, fit in theirs["fits"].items():
            results[name]["theirs_s"] = fit["seconds"]
            params = list(fit["params"].values())
            results[name]["theirs_ll"] = float(loglik[name](params))
            results[name]["theirs_params"] = fit["params"]

    print(
        f"| model | ours (s) | lifetimes {theirs['lifetimes_version'] if theirs else ''} (s) "
        "| lifetimes / ours | our LL | lifetimes' LL |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, row in results.items():
        t = row.get("theirs_s")
        ratio = f"{t / row['ours_s']:.1f}x" if t else "-"
        their_ll = f"{row['theirs_ll']:.2f}" if "theirs_ll" in row else "-"
        their_t = f"{t:.3f}" if t else "-"
        print(
            f"| {name} | {row['ours_s']:.3f} | {their_t} | {ratio} | {row['ours_ll']:.2f} "
            f"| {their_ll} |"
        )
    their_clv = theirs.get("clv_seconds") if theirs else None
    ratio = f"{their_clv / clv_ours:.1f}x" if their_clv else "-"
    their_clv_s = f"{their_clv:.2f}" if their_clv else "-"
    print(
        f"| CLV BG/NBD+GG, {args.customers:,} customers, 12 months | {clv_ours:.2f} | "
        f"{their_clv_s} | {ratio} | | |"
    )
    if theirs:
        print("\nlifetimes' estimates:")
        for name, row in results.items():
            if "theirs_params" in row:
                est = ", ".join(f"{k}={v:.4f}" for k, v in row["theirs_params"].items())
                print(f"- {name}: {est}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
