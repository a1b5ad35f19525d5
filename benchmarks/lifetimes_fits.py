"""Serve lifetimes' fitters to bench_clv_models.py, one timed call per request.

Runs inside benchmarks/.venv-lifetimes (lifetimes 0.11.3 and the old numpy/scipy/pandas it
needs), never in the project's environment. The benchmark starts it once and sends one
command per line on standard input; each answer is one line of JSON on standard output.
Ours and lifetimes' calls alternate, so both sides see the same machine load.

    .venv-lifetimes/bin/python lifetimes_fits.py DATA_DIR

Commands: ``version``, ``fit NAME`` (bgnbd, pareto_nbd, gamma_gamma, bgbb), ``clv``
(BG/NBD + Gamma-Gamma CLV of the customers in clv.csv, after the two fits), ``rfm``
(``summary_data_from_transaction_data`` on the orders in orders.npz), ``quit``.

DATA_DIR holds cdnow.csv (frequency, recency, T), gamma_gamma.csv (frequency,
monetary_value), donations.csv (frequency, recency, periods, weights), clv.csv (synthetic
customers: frequency, recency, T, monetary_value) and orders.npz (customer, day since
1970-01-01, amount; the observation end as ``end_day``).
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path


def main() -> int:
    data_dir = Path(sys.argv[1])
    warnings.filterwarnings("ignore")

    import lifetimes
    import numpy as np
    import pandas as pd
    from lifetimes import (
        BetaGeoBetaBinomFitter,
        BetaGeoFitter,
        GammaGammaFitter,
        ParetoNBDFitter,
    )
    from lifetimes.utils import summary_data_from_transaction_data

    cdnow = pd.read_csv(data_dir / "cdnow.csv")
    gg_data = pd.read_csv(data_dir / "gamma_gamma.csv")
    donations = pd.read_csv(data_dir / "donations.csv")
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
    models = {}

    def answer(payload: dict) -> None:
        sys.stdout.write(json.dumps(payload) + "\n")
        sys.stdout.flush()

    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command == "quit":
            break
        if command == "version":
            answer({"lifetimes": lifetimes.__version__, "pandas": pd.__version__})
        elif command == "fit":
            start = time.perf_counter()
            model = fits[arg]()
            seconds = time.perf_counter() - start
            models[arg] = model
            answer({"seconds": seconds, "params": {k: float(v) for k, v in model.params_.items()}})
        elif command == "clv":
            clv = pd.read_csv(data_dir / "clv.csv")
            start = time.perf_counter()
            value = models["gamma_gamma"].customer_lifetime_value(
                models["bgnbd"],
                clv["frequency"],
                clv["recency"],
                clv["T"],
                clv["monetary_value"],
                time=12,
                discount_rate=0.01,
                freq="W",
            )
            answer({"seconds": time.perf_counter() - start, "total": float(value.sum())})
        elif command == "rfm":
            npz = np.load(data_dir / "orders.npz")
            orders = pd.DataFrame(
                {
                    "customer_id": npz["customer"],
                    "order_date": pd.to_datetime(npz["day"], unit="D"),
                    "amount": npz["amount"],
                }
            )
            end = pd.Timestamp(int(npz["end_day"]), unit="D")
            start = time.perf_counter()
            out = summary_data_from_transaction_data(
                orders,
                "customer_id",
                "order_date",
                monetary_value_col="amount",
                observation_period_end=end,
                freq="D",
            )
            seconds = time.perf_counter() - start
            sums = {c: float(out[c].sum()) for c in ("frequency", "recency", "T")}
            sums["monetary_value"] = float(out["monetary_value"].sum())
            answer({"seconds": seconds, "customers": len(out), "sums": sums})
        else:
            answer({"error": f"unknown command {command!r}"})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
