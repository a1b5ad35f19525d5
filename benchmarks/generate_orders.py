"""Seeded synthetic order data for the engine benchmarks (buy-till-you-die).

Customers arrive over three years (2022-2024, more of them later, as a growing shop
sees). Each has a purchase rate drawn from a gamma distribution (BG/NBD's heterogeneity)
and, after every purchase, drops out for good with a probability drawn from a beta
distribution; purchases follow a Poisson process while the customer is alive. Order
amounts are lognormal around a customer's own mean spend, itself gamma-distributed
(Gamma-Gamma's heterogeneity). Each customer has a preferred channel used for most of
their orders. Everything is vectorised numpy, customers in chunks so memory stays small.

Columns: ``order_id`` ("O000000001", in time order), ``customer_id`` ("C0000001"),
``order_date`` (timestamp, microseconds), ``amount`` (float, 2 decimals), ``channel``.
Exactly ``rows`` rows, sorted by ``order_date``.

    python benchmarks/generate_orders.py [--rows 1000000 10000000] [--seed 42] [--force]

writes ``benchmarks/data/orders_{rows}.parquet``; existing files are kept unless
``--force``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"

START = np.datetime64("2022-01-01T00:00:00", "us")
SPAN_DAYS = 1096  # 2022-01-01 .. 2024-12-31, 2024 being a leap year
CHANNELS = ("web", "app", "store", "marketplace")
CHANNEL_P = (0.5, 0.3, 0.15, 0.05)
#: Mean orders per customer within the window (measured on these parameters); only used to
#: size the first draw of customers.
_ORDERS_PER_CUSTOMER = 4.4
_CHUNK = 250_000


def path_for(rows: int) -> Path:
    """Where the file of ``rows`` orders lives."""
    return DATA / f"orders_{rows}.parquet"


def _simulate(rng: np.random.Generator, n_customers: int, first_id: int) -> dict[str, np.ndarray]:
    """Orders of ``n_customers`` new customers (ids from ``first_id``), unsorted."""
    # arrivals: density growing over the three years (u ** 0.75 puts more mass late)
    arrival = SPAN_DAYS * rng.random(n_customers) ** 0.75
    remaining = SPAN_DAYS - arrival
    rate = rng.gamma(0.7, 1 / 25, n_customers)  # purchases per day while alive (~1 a month)
    dropout = rng.beta(1.0, 3.0, n_customers)  # P(leave for good) after each purchase
    alive_for = rng.geometric(dropout)  # purchases before dropping out (>= 1, the first)
    # purchases in the window are Poisson(rate * remaining); cap the draw far in its tail
    mean = rate * remaining
    cap = np.ceil(mean + 6 * np.sqrt(mean) + 10).astype(np.int64)
    k = np.minimum(alive_for, cap)
    owner = np.repeat(np.arange(n_customers), k)
    gaps = rng.exponential(size=owner.size) / rate[owner]
    starts = np.concatenate(([0], np.cumsum(k)[:-1]))
    gaps[starts] = 0.0  # the first purchase is the arrival
    elapsed = np.cumsum(gaps)
    elapsed -= np.repeat(elapsed[starts], k)
    day = arrival[owner] + elapsed
    keep = day < SPAN_DAYS
    owner, day = owner[keep], day[keep]

    spend = rng.gamma(3.0, 15.0, n_customers) + 5.0  # a customer's mean order value
    amount = spend[owner] * rng.lognormal(-0.18, 0.6, owner.size)
    amount = np.maximum(np.round(amount, 2), 0.5)
    preferred = rng.choice(len(CHANNELS), n_customers, p=CHANNEL_P)
    other = rng.choice(len(CHANNELS), owner.size, p=CHANNEL_P)
    channel = np.where(rng.random(owner.size) < 0.8, preferred[owner], other).astype(np.int8)
    seconds = (day * 86_400).astype(np.int64)  # order times to the second
    when = START + (seconds * 1_000_000).astype("timedelta64[us]")
    return {
        "customer": (owner + first_id).astype(np.int64),
        "order_date": when,
        "amount": amount,
        "channel": channel,
    }


def _ids(prefix: str, numbers: np.ndarray, digits: int) -> pa.StringArray:
    """Fixed-width string ids (prefix + zero-padded number) built as one Arrow buffer."""
    width = len(prefix) + digits
    chars = np.empty((numbers.size, width), dtype=np.uint8)
    chars[:, : len(prefix)] = np.frombuffer(prefix.encode(), dtype=np.uint8)
    rest = numbers.astype(np.int64)
    for j in range(width - 1, len(prefix) - 1, -1):
        chars[:, j] = rest % 10 + ord("0")
        rest //= 10
    offsets = np.arange(0, (numbers.size + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(
        numbers.size, pa.py_buffer(offsets), pa.py_buffer(chars.ravel())
    )


def generate(rows: int, seed: int = 42) -> pa.Table:
    """Exactly ``rows`` orders as an Arrow table, sorted by date."""
    rng = np.random.default_rng(seed)
    parts: list[dict[str, np.ndarray]] = []
    n_rows = 0
    n_customers = 0
    target = int(rows * 1.02)  # a little more, then a random subset of exactly `rows`
    while n_rows < target:
        missing = target - n_rows
        chunk = int(min(_CHUNK, max(1000, missing / _ORDERS_PER_CUSTOMER)))
        part = _simulate(rng, chunk, n_customers + 1)
        parts.append(part)
        n_rows += part["customer"].size
        n_customers += chunk
    data = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    del parts
    keep = np.sort(rng.choice(n_rows, rows, replace=False))
    data = {key: value[keep] for key, value in data.items()}
    order = np.argsort(data["order_date"], kind="stable")
    data = {key: value[order] for key, value in data.items()}
    channel = pa.DictionaryArray.from_arrays(pa.array(data["channel"]), pa.array(CHANNELS)).cast(
        pa.string()
    )
    return pa.table(
        {
            "order_id": _ids("O", np.arange(1, rows + 1), 9),
            "customer_id": _ids("C", data["customer"], 7),
            "order_date": pa.array(data["order_date"]),
            "amount": pa.array(data["amount"]),
            "channel": channel,
        }
    )


def ensure(rows: int, seed: int = 42, force: bool = False) -> Path:
    """Return the Parquet file of ``rows`` orders, generating it when missing."""
    path = path_for(rows)
    if path.exists() and not force:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    table = generate(rows, seed)
    generated = time.perf_counter() - start
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(table, tmp)
    tmp.replace(path)
    print(
        f"{path.name}: {rows:,} orders, {len(table.column('customer_id').unique()):,} "
        f"customers; generated in {generated:.1f} s, written in "
        f"{time.perf_counter() - start - generated:.1f} s"
    )
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--force", action="store_true", help="regenerate existing files")
    args = parser.parse_args()
    for rows in args.rows:
        print(ensure(rows, args.seed, args.force))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
