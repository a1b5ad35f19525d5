"""The messy demo export: invoice lines shaped like a real online retailer's file.

:func:`load_invoices` turns the clean orders of :func:`retention_kit.datasets.load_orders`
into the kind of file an analyst actually receives from a shop system: one row per invoice
line with quantity and unit price, and every quirk that breaks naive code. Each quirk is
made on purpose, counted, and listed in the docstring, so the tests can check that the
library handles it and says what it did.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._arguments import check_whole_number
from ._docstrings import fill_doc

__all__ = ["load_invoices"]

#: The data end on this day at noon, so the last month (December 2024) is partial.
LAST_INVOICE = pd.Timestamp("2024-12-09 12:00")
FIRST_INVOICE_NO = 536365
FIRST_CUSTOMER_ID = 12346

# Countries: most customers are in the home market, then a long tail of small ones
# (customers per country; the home market takes the rest).
HOME = "United Kingdom"
_TAIL_COUNTRIES: tuple[tuple[str, int], ...] = (
    ("Germany", 45), ("France", 40), ("Spain", 14), ("Belgium", 12), ("EIRE", 9),
    ("Switzerland", 9), ("Portugal", 8), ("Netherlands", 6), ("Italy", 6),
    ("Norway", 5), ("Finland", 5), ("Australia", 4), ("Channel Islands", 4),
    ("Austria", 4), ("Denmark", 3), ("Sweden", 3), ("Cyprus", 3), ("Japan", 3),
    ("Poland", 2), ("Israel", 2), ("USA", 2), ("Unspecified", 2), ("Canada", 2),
    ("Greece", 2), ("Iceland", 1), ("Malta", 1), ("Singapore", 1), ("Lebanon", 1),
    ("Lithuania", 1), ("Brazil", 1), ("Czech Republic", 1), ("Bahrain", 1),
    ("Saudi Arabia", 1), ("RSA", 1), ("United Arab Emirates", 1), ("European Community", 1),
)  # fmt: skip

# The catalogue: many items share a price, so two different items in one invoice often
# have the same line amount. Descriptions carry accents and a pound sign (latin-1 traps).
_PRICES = np.array([0.42, 0.85, 1.25, 1.65, 2.10, 2.55, 2.95, 3.75, 4.95, 7.95, 12.75])
_WORDS = (
    "WHITE HANGING HEART T-LIGHT HOLDER", "REGENCY CAKESTAND 3 TIER", "JUMBO BAG RED RETROSPOT",
    "PARTY BUNTING", "LUNCH BAG RED RETROSPOT", "ASSORTED COLOUR BIRD ORNAMENT",
    "SET OF 3 CAKE TINS PANTRY DESIGN", "PACK OF 72 RETROSPOT CAKE CASES",
    "NATURAL SLATE HEART CHALKBOARD", "HEART OF WICKER SMALL", "CRÈME BRÛLÉE SET",
    "PAPER CHAIN KIT 50'S CHRISTMAS", "JAM MAKING SET WITH JARS", "SPACEBOY LUNCH BOX",
    "VINTAGE SNAP CARDS", "RED WOOLLY HOTTIE WHITE HEART", "GIFT VOUCHER £10",
    "ALARM CLOCK BAKELIKE GREEN", "SET OF 4 PANTRY JELLY MOULDS", "DOORMAT NEW ENGLAND",
    "CAFÉ CREAM CUP AND SAUCER", "SWEETHEART CERAMIC TRINKET BOX", "ROSES REGENCY TEACUP",
    "PINK PAISLEY TISSUES", "ZINC WILLIE WINKIE CANDLE STICK", "GLASS STAR FROSTED T-LIGHT",
    "HAND WARMER UNION JACK", "WOODEN PICTURE FRAME WHITE", "EDWARDIAN PARASOL NATURAL",
    "SAVE THE PLANET MUG", "POPCORN HOLDER", "HOT WATER BOTTLE TEA AND SYMPATHY",
)  # fmt: skip
_N_ITEMS = 64
_QUANTITIES = np.array([1, 2, 3, 4, 6, 8, 10, 12, 24])
_QUANTITY_WEIGHTS = np.array([20, 14, 8, 10, 14, 6, 5, 16, 7], dtype=float)

# Shares of each quirk.
_GUEST_LINE_SHARE = 0.25  # lines without a customer id
_PARTIAL_CANCEL_SHARE = 0.03  # invoices with a later partial cancellation
_SAME_DAY_CANCEL_SHARE = 0.02  # customers whose repeat order is cancelled in full that day
_ZERO_LINE_SHARE = 0.005  # free lines (unit price 0)
_DUPLICATE_SHARE = 0.01  # lines exported twice
_SAME_AMOUNT_SHARE = 0.03  # invoices where two different items have the same amount
_MOVERS = 6  # customers who later order from another country


def _catalogue(rng: np.random.Generator) -> pd.DataFrame:
    codes = [f"{84000 + 37 * i}{'' if i % 5 else 'A'}" for i in range(_N_ITEMS)]
    names = [
        _WORDS[i % len(_WORDS)] + ("" if i < len(_WORDS) else f" {1 + i // len(_WORDS)}")
        for i in range(_N_ITEMS)
    ]
    prices = rng.choice(_PRICES, size=_N_ITEMS)
    return pd.DataFrame({"StockCode": codes, "Description": names, "UnitPrice": prices})


def _countries(rng: np.random.Generator, n: int) -> np.ndarray:
    tail = [name for name, count in _TAIL_COUNTRIES for _ in range(count)]
    tail = tail[: max(0, n - 1)]  # tiny demos keep at least one home customer
    labels = np.array([*tail, *[HOME] * (n - len(tail))], dtype=object)
    return rng.permutation(labels)


def _lines(rng: np.random.Generator, basket: np.ndarray, items: pd.DataFrame) -> pd.DataFrame:
    """Random invoice lines: which invoice, which item, how many (``basket``: mean extra lines)."""
    n_invoices = basket.size
    per_invoice = np.minimum(1 + rng.poisson(basket), 9)
    invoice = np.repeat(np.arange(n_invoices), per_invoice)
    item = rng.integers(0, len(items), invoice.size)
    quantity = rng.choice(
        _QUANTITIES, size=invoice.size, p=_QUANTITY_WEIGHTS / _QUANTITY_WEIGHTS.sum()
    )
    return pd.DataFrame({"invoice": invoice, "item": item, "Quantity": quantity})


@fill_doc
def load_invoices(*, n_customers: int = 1200, seed: int = 2024) -> pd.DataFrame:
    """Simulate a messy invoice-line export of an online retailer, with every usual quirk.

    The customers and their purchase days are those of
    :func:`~retention_kit.datasets.load_orders` (same model, same arguments); each order
    becomes an invoice of one to nine lines. Then the file is made to look like a real
    export:

    - **guest checkouts**: about a quarter of the lines have no ``CustomerID``;
    - **float ids**: ``CustomerID`` is a float column (``17850.0``), as spreadsheets leave it;
    - **cancellations**: invoices whose number starts with ``"C"`` and whose quantities are
      negative; about 3 % of invoices are partly cancelled days later, and for about 2 % of
      customers a repeat order is cancelled in full on the same day, so that purchase day
      nets to zero (some of these customers have no other repeat purchase);
    - **$0 lines**: about 0.5 % of lines are free (``UnitPrice`` 0), and a few repeat
      orders are free in full;
    - **exact duplicates**: about 1 % of lines appear twice, every column equal;
    - **same-amount lines**: different items with the same quantity and price in one invoice
      (not duplicates);
    - **timestamps** to the minute, **quantity x unit price** instead of an amount;
    - **countries** with a long tail: about 35 countries, most with 1 to 3 customers, and
      a few customers who later order from another country;
    - **a partial last month**: the data end on 2024-12-09 at noon.

    Parameters
    ----------
    n_customers : int, default 1200
        Customers with an id (guests come on top). The default gives about 60,000 lines.
    %(seed)s

    Returns
    -------
    pandas.DataFrame
        One row per invoice line, in date order, with the columns of the classic UCI
        "Online Retail" export: ``InvoiceNo`` (str), ``StockCode`` (str), ``Description``
        (str), ``Quantity`` (int64, negative on cancellations), ``InvoiceDate``
        (datetime64), ``UnitPrice`` (float64), ``CustomerID`` (float64, NaN for guests) and
        ``Country`` (str).

    See Also
    --------
    retention_kit.io.read_orders : reads it with ``quantity_col="Quantity"``,
        ``price_col="UnitPrice"``, ``order_col="InvoiceNo"``.

    Examples
    --------
    >>> from retention_kit.datasets import load_invoices
    >>> lines = load_invoices()
    >>> list(lines.columns)  # doctest: +NORMALIZE_WHITESPACE
    ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice',
     'CustomerID', 'Country']
    >>> bool(0.2 < lines["CustomerID"].isna().mean() < 0.3)
    True
    >>> bool(lines["InvoiceNo"].str.startswith("C").any()), int(lines.duplicated().sum()) > 0
    (True, True)
    >>> str(lines["InvoiceDate"].max().date())
    '2024-12-09'
    """
    from .datasets import load_orders

    n_customers = check_whole_number(n_customers, "n_customers", minimum=1, example=1200)
    seed = check_whole_number(seed, "seed", minimum=0, example=42)
    rng = np.random.default_rng(seed + 1)
    orders = load_orders(n_customers=n_customers, seed=seed)
    orders = orders[orders["order_date"] < LAST_INVOICE].reset_index(drop=True)
    items = _catalogue(rng)

    # Customers: float ids spread over a range, and a country each.
    numbers = orders["customer_id"].str[1:].astype("int64").to_numpy() - 1
    ids = rng.choice(
        np.arange(FIRST_CUSTOMER_ID, FIRST_CUSTOMER_ID + 6 * n_customers),
        size=n_customers,
        replace=False,
    ).astype("float64")
    country = _countries(rng, n_customers)
    customer_no = numbers

    # Guest invoices: as many as needed for a quarter of the lines, spread over the span.
    n_orders = len(orders)
    n_guests = int(round(n_orders * _GUEST_LINE_SHARE / (1 - _GUEST_LINE_SHARE)))
    span = (LAST_INVOICE - pd.Timestamp("2022-01-01")).total_seconds()
    guest_dates = pd.Timestamp("2022-01-01") + pd.to_timedelta(
        np.sort(rng.random(n_guests)) * span, unit="s"
    )
    invoices = pd.DataFrame(
        {
            "date": np.concatenate(
                [orders["order_date"].to_numpy(), guest_dates.to_numpy()]
            ).astype("datetime64[ns]"),
            "customer": np.concatenate([customer_no, np.full(n_guests, -1)]),
        }
    )
    invoices["date"] = invoices["date"].dt.floor("min")
    invoices = invoices.sort_values(["date", "customer"], kind="stable").reset_index(drop=True)
    invoices["InvoiceNo"] = [str(FIRST_INVOICE_NO + i) for i in range(len(invoices))]

    # Basket size differs between customers (so does their spend); guests are average.
    basket = rng.gamma(3.0, 2.0 / 3.0, n_customers)
    who = invoices["customer"].to_numpy()
    lines = _lines(rng, np.where(who >= 0, basket[np.maximum(who, 0)], 2.0), items)
    # Same-amount lines: the second line copies the first line's quantity and price.
    two = lines.groupby("invoice")["item"].transform("size") >= 2
    first_of = ~lines["invoice"].duplicated()
    picked = rng.random(len(invoices)) < _SAME_AMOUNT_SHARE
    second = two & ~first_of & lines["invoice"].duplicated(keep=False)
    second &= lines.groupby("invoice").cumcount() == 1
    second &= picked[lines["invoice"].to_numpy()]
    lines = lines.merge(items, left_on="item", right_index=True, how="left")
    lead = lines[first_of].set_index("invoice")
    copied = lines.loc[second, "invoice"]
    lines.loc[second, "Quantity"] = lead.loc[copied, "Quantity"].to_numpy()
    lines.loc[second, "UnitPrice"] = lead.loc[copied, "UnitPrice"].to_numpy()
    same_item = second & (lines["item"] == lead["item"].reindex(lines["invoice"]).to_numpy())
    lines.loc[same_item, "item"] = (lines.loc[same_item, "item"] + 1) % len(items)
    lines[["StockCode", "Description"]] = items.loc[
        lines["item"], ["StockCode", "Description"]
    ].to_numpy()
    # Free lines.
    lines.loc[rng.random(len(lines)) < _ZERO_LINE_SHARE, "UnitPrice"] = 0.0
    lines = lines.join(invoices, on="invoice")

    extra = [
        _same_day_cancellations(rng, lines, invoices),
        _partial_cancellations(rng, lines, invoices),
    ]
    _free_repeat_orders(rng, lines, invoices)
    lines = pd.concat([lines, *extra], ignore_index=True)

    is_customer = lines["customer"].to_numpy() >= 0
    out = pd.DataFrame(
        {
            "InvoiceNo": lines["InvoiceNo"].astype("str"),
            "StockCode": lines["StockCode"].astype("str"),
            "Description": lines["Description"].astype("str"),
            "Quantity": lines["Quantity"].astype("int64"),
            "InvoiceDate": lines["date"].astype("datetime64[ns]"),
            "UnitPrice": lines["UnitPrice"].astype("float64"),
            "CustomerID": np.where(
                is_customer, ids[np.maximum(lines["customer"].to_numpy(), 0)], np.nan
            ),
            "Country": np.where(
                is_customer, country[np.maximum(lines["customer"].to_numpy(), 0)], HOME
            ),
        }
    )
    out = out[out["InvoiceDate"] < LAST_INVOICE]
    _movers(rng, out)
    # Lines exported twice.
    twice = out[rng.random(len(out)) < _DUPLICATE_SHARE]
    out = pd.concat([out, twice]).sort_values(["InvoiceDate", "InvoiceNo"], kind="stable")
    return out.reset_index(drop=True).astype({"Country": "str"})


def _movers(rng: np.random.Generator, out: pd.DataFrame) -> None:
    """A few customers order from another country after their first invoice, in place."""
    known = out.dropna(subset=["CustomerID"])
    invoices = known.groupby("CustomerID")["InvoiceNo"].nunique()
    candidates = invoices[invoices >= 3].index.to_numpy()
    movers = rng.choice(candidates, size=min(_MOVERS, candidates.size), replace=False)
    first = known.groupby("CustomerID")["InvoiceDate"].min()
    later = out["CustomerID"].isin(movers) & (out["InvoiceDate"] > out["CustomerID"].map(first))
    new_home = {
        m: "EIRE" if out.loc[out["CustomerID"] == m, "Country"].iloc[0] != "EIRE" else HOME
        for m in movers
    }
    out.loc[later, "Country"] = out.loc[later, "CustomerID"].map(new_home)


def _cancellation(lines: pd.DataFrame, number: list[str], when: pd.Series) -> pd.DataFrame:
    out = lines.copy()
    out["Quantity"] = -out["Quantity"]
    out["InvoiceNo"] = number
    out["date"] = when.to_numpy()
    return out


def _next_numbers(invoices: pd.DataFrame, lines: pd.DataFrame, how_many: int) -> list[str]:
    """Fresh invoice numbers after every one used so far (cancellations get their own)."""
    start = FIRST_INVOICE_NO + len(invoices) + len(lines)
    return [f"C{start + i}" for i in range(how_many)]


def _repeat_orders(invoices: pd.DataFrame) -> pd.DataFrame:
    """Invoices of customers after their first purchase day, with how many days they have."""
    known = invoices[invoices["customer"] >= 0].copy()
    known["day"] = known["date"].dt.normalize()
    first = known.groupby("customer")["day"].transform("min")
    known["days"] = known.groupby("customer")["day"].transform("nunique")
    return known[known["day"] > first]


def _same_day_cancellations(
    rng: np.random.Generator, lines: pd.DataFrame, invoices: pd.DataFrame
) -> pd.DataFrame:
    """Cancel one repeat order in full, an hour or two later the same day."""
    repeats = _repeat_orders(invoices)
    customers = repeats["customer"].unique()
    # Some whose only repeat day is cancelled (their repeat spend nets to zero)...
    single = repeats.loc[repeats["days"] == 2, "customer"].unique()
    n_single = max(3, int(len(single) * _SAME_DAY_CANCEL_SHARE))
    chosen = set(rng.choice(single, size=min(n_single, len(single)), replace=False))
    # ...and some with other repeat days.
    n_more = int(len(customers) * _SAME_DAY_CANCEL_SHARE)
    chosen |= set(rng.choice(customers, size=min(n_more, len(customers)), replace=False))
    picked = (
        repeats[repeats["customer"].isin(chosen)]
        .sample(frac=1.0, random_state=int(rng.integers(1 << 31)))
        .drop_duplicates("customer")
    )
    # Cancel later the same day (before midnight).
    later = picked["date"] + pd.to_timedelta(rng.integers(10, 120, len(picked)), unit="min")
    later = later.where(later.dt.normalize() == picked["date"].dt.normalize(), picked["date"])
    numbers = dict(
        zip(picked["InvoiceNo"], _next_numbers(invoices, lines, len(picked)), strict=True)
    )
    whens = dict(zip(picked["InvoiceNo"], later, strict=True))
    cancelled = lines[lines["InvoiceNo"].isin(numbers)]
    return _cancellation(
        cancelled,
        cancelled["InvoiceNo"].map(numbers).tolist(),
        cancelled["InvoiceNo"].map(whens),
    )


def _partial_cancellations(
    rng: np.random.Generator, lines: pd.DataFrame, invoices: pd.DataFrame
) -> pd.DataFrame:
    """Return one line of some invoices a few days later (part or all of its quantity)."""
    known = lines[lines["customer"] >= 0]
    invoice_ids = known["InvoiceNo"].unique()
    n = int(len(invoice_ids) * _PARTIAL_CANCEL_SHARE)
    chosen = rng.choice(invoice_ids, size=n, replace=False)
    picked = known[known["InvoiceNo"].isin(chosen)].drop_duplicates("InvoiceNo").copy()
    picked["Quantity"] = np.maximum(1, (picked["Quantity"] * rng.random(len(picked))).round())
    picked["Quantity"] = picked["Quantity"].astype("int64")
    later = picked["date"] + pd.to_timedelta(rng.integers(1, 21, len(picked)), unit="D")
    numbers = [f"C{int(n[1:]) + 500_000}" for n in _next_numbers(invoices, lines, len(picked))]
    return _cancellation(picked, numbers, later)


def _free_repeat_orders(
    rng: np.random.Generator, lines: pd.DataFrame, invoices: pd.DataFrame
) -> None:
    """Make a few customers' only repeat order free in full (a $0 purchase day), in place."""
    repeats = _repeat_orders(invoices)
    single = repeats.loc[repeats["days"] == 2, "InvoiceNo"].unique()
    chosen = rng.choice(single, size=min(3, len(single)), replace=False)
    lines.loc[lines["InvoiceNo"].isin(chosen), "UnitPrice"] = 0.0
