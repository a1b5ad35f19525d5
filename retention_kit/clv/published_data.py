"""The research data sets on which the buy-till-you-die models were published.

These loaders read copies shipped inside the package (no network). They let the tests,
notebooks and benchmarks refit the models of :mod:`retention_kit.clv` on the data
of the original papers and compare with the published estimates:

- CDNOW 1/10 sample (Fader, Hardie & Lee 2005): 2,357 customers who made their first
  purchase at CDNOW in the first quarter of 1997, followed to the end of June 1998. The
  calibration period ends on 1997-09-30 (39 weeks after 1997-01-01).
- Donations (Fader, Hardie & Shang 2010): 11,104 members of the 1995 cohort of a
  non-profit's donors, with their repeat donations over the six annual opportunities
  1996-2001, stored as counts of identical (frequency, recency) histories.
- Fader & Hardie (2007) "How to project customer retention": percent of two cohorts
  ("regular" and "high end") still subscribed after 0..12 years.

The CDNOW and donations files are the copies redistributed in the ``lifetimes`` package
(version 0.11.3, MIT licence).
"""

from __future__ import annotations

import gzip
import io
from importlib import resources

import pandas as pd

__all__ = [
    "load_cdnow_sample",
    "load_cdnow_summary",
    "load_donations",
    "sbg_survival_tables",
]

_REGULAR = (100.0, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1, 22.3, 20.7, 19.4, 18.3, 17.3)
_HIGH_END = (100.0, 86.9, 74.3, 65.3, 59.3, 55.1, 51.7, 49.1, 46.8, 44.5, 42.7, 40.9, 39.4)


def _data_bytes(name: str) -> bytes:
    """Return the raw bytes of a file shipped in ``retention_kit/data``."""
    return resources.files("retention_kit").joinpath("data", name).read_bytes()


def load_cdnow_summary() -> pd.DataFrame:
    """Load the calibration-period summary of the CDNOW 1/10 sample.

    One row per customer (2,357 rows), in weeks, for the 39-week calibration period that
    ends on 1997-09-30.

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id`` (1..2357, the ``customer_id`` of
        :func:`load_cdnow_sample`), ``frequency`` (repeat purchases ``x``), ``recency``
        (``t_x``, weeks from the first to the last purchase) and ``T`` (weeks from the
        first purchase to the end of calibration).

    See Also
    --------
    load_cdnow_sample : The transactions from which this summary is computed.

    Examples
    --------
    >>> from retention_kit.clv.published_data import load_cdnow_summary
    >>> summary = load_cdnow_summary()
    >>> summary.shape
    (2357, 4)
    >>> int(summary["frequency"].sum())
    2457
    """
    frame = pd.read_csv(io.BytesIO(_data_bytes("cdnow_customers_summary.csv")))
    frame = frame.rename(columns={"ID": "customer_id"})
    return frame.astype({"customer_id": "int64", "frequency": "int64"})


def load_cdnow_sample() -> pd.DataFrame:
    """Load the transactions of the CDNOW 1/10 sample (1997-01-01 to 1998-06-30).

    Returns
    -------
    pandas.DataFrame
        6,919 rows, one per purchase (223 of them on a day on which the customer
        already bought), with columns ``customer_id`` (int, 1..2357, as in
        :func:`load_cdnow_summary`), ``date`` (datetime64), ``quantity`` (CDs bought)
        and ``amount`` (dollars spent).

    Examples
    --------
    >>> from retention_kit.clv.published_data import load_cdnow_sample
    >>> orders = load_cdnow_sample()
    >>> list(orders.columns)
    ['customer_id', 'date', 'quantity', 'amount']
    >>> orders["customer_id"].nunique()
    2357
    >>> str(orders["date"].min().date()), str(orders["date"].max().date())
    ('1997-01-01', '1998-06-30')
    """
    text = gzip.decompress(_data_bytes("CDNOW_sample.txt.gz"))
    raw = pd.read_csv(
        io.BytesIO(text),
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "quantity", "amount"],
        dtype={"master_id": "int64", "customer_id": "int64", "date": "string"},
    )
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    return raw[["customer_id", "date", "quantity", "amount"]].reset_index(drop=True)


def load_donations() -> pd.DataFrame:
    """Load the donations data of Fader, Hardie & Shang (2010), as counts.

    Returns
    -------
    pandas.DataFrame
        22 rows, one per distinct history, with columns ``frequency`` (repeat donations
        in the 6 annual opportunities), ``recency`` (the opportunity of the last
        donation, 0 when none), ``periods`` (opportunities observed, 6) and ``weights``
        (number of donors with that history; 11,104 in total).

    Examples
    --------
    >>> from retention_kit.clv.published_data import load_donations
    >>> donations = load_donations()
    >>> int(donations["weights"].sum())
    11104
    """
    return pd.read_csv(io.BytesIO(_data_bytes("donations.csv"))).astype("int64")


def sbg_survival_tables() -> pd.DataFrame:
    """Percent of customers still active in two subscription cohorts, years 0 to 12.

    The "regular" and "high end" cohorts of Fader & Hardie (2007), "How to project
    customer retention", Journal of Interactive Marketing 21(1), Table 1. The paper fits
    the shifted-beta-geometric model on years 1 to 7 and projects years 8 to 12.

    Returns
    -------
    pandas.DataFrame
        Index ``year`` (0..12), columns ``regular`` and ``high_end`` in percent.

    Examples
    --------
    >>> from retention_kit.clv.published_data import sbg_survival_tables
    >>> tables = sbg_survival_tables()
    >>> tables.loc[7].tolist()
    [24.1, 49.1]
    """
    return pd.DataFrame(
        {"regular": _REGULAR, "high_end": _HIGH_END},
        index=pd.RangeIndex(0, len(_REGULAR), name="year"),
    )
