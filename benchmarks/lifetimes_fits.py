"""Time lifetimes' fitters on the data prepared by bench_clv_models.py; print JSON.

Runs inside benchmarks/.venv-lifetimes (lifetimes 0.11.3 and the old numpy/scipy/pandas it
needs), never in the project's environment. Usage:

    .venv-lifetimes/bin/python lifetimes_fits.py DATA_DIR [--repeats 3]

DATA_DIR holds cdnow.csv (frequency, recency, T), gamma_gamma.csv (frequency,
monetary_value), donations.csv (frequency, recency, periods, weights) and clv.csv (1M
synthetic customers: frequency, recency, T, monetary_value).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from pathlib import Path


def median_time(fit, repeats: int):
    times = []
    model = None
    for _ in range(repeats):
        start = time.perf_counter()
        model = fit()
        times.append(time.perf_counter() - start)
    return statistics.median(times), model


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-clv", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")

    import lifetimes
    import pandas as pd
    from lifetimes import (
        BetaGeoBetaBinomFitter,
        BetaGeoFitter,
        GammaGammaFitter,
        ParetoNBDFitter,
    )

    cdnow = pd.read_csv(args.data_dir / "cdnow.csv")
    gg_data = pd.read_csv(args.data_dir / "gamma_gamma.csv")
    donations = pd.read_csv(args.data_dir / "donations.csv")
    f, r, t = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    fits = {
        "bgnbd": lambda: BetaGeoFitter().fit(f, r, t),
        "pareto_nbd": lambda: ParetoNBDFitter().fit(f, r, t),
        "gamma_gamma": lambda: GammaGammaFitter().fit(
            gg_data["frequency"], gg_data["monetary_value"]
        ),
        "bgbb": lambda: BetaGeoBetaBinomFitter().fit(
            donations["frequency"],
            donations["recency"],
            donations["periods"],
            weights=donations["weights"],
        ),
    }
    out = {"lifetimes_version": lifetimes.__version__, "fits": {}}
    models = {}
    for name, fit in fits.items():
        seconds, model = median_time(fit, args.repeats)
        models[name] = model
        out["fits"][name] = {
            "seconds": seconds,
            "params": {k: float(v) for k, v in model.params_.items()},
        }
    if not args.skip_clv:
        clv = pd.read_csv(args.data_dir / "clv.csv")
        start = time.perf_counter()
        models["gamma_gamma"].customer_lifetime_value(
            models["bgnbd"],
            clv["frequency"],
            clv["recency"],
            clv["T"],
            clv["monetary_value"],
            time=12,
            discount_rate=0.01,
            freq="W",
        )
        out["clv_seconds"] = time.perf_counter() - start
        out["clv_customers"] = len(clv)
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
