"""Predicted customer value from orders in one call: BG/NBD for purchases, Gamma-Gamma for spend.

:func:`predict_customer_value` is what the report and notebook 05 show: each customer's
expected purchases over a horizon, the probability of still being a customer, the expected
spend per purchase and the discounted value, with the rules it applied said in words
(``notes``) instead of failing on data that real exports carry.

The rules, in order:

1. The purchase summary is :func:`~retention_kit.rfm.rfm_summary` (purchase days; a day
   cancelled in full is no purchase).
2. Customers whose first purchase is on the last day (``T = 0``) have no history to
   learn from: they are left out, and counted.
3. BG/NBD is fitted on the rest; without any repeat buyer it cannot be, and an error says so.
4. Gamma-Gamma is fitted on the repeat buyers whose repeat purchases have a positive mean
   spend. Repeat buyers whose repeat purchases net to zero (free orders, say) and one-time
   buyers are valued at the model's mean spend per purchase of the population; the notes
   count them. With fewer than :data:`MIN_SPEND_CUSTOMERS` such customers the spend model
   is not fitted and every customer is valued at the plain mean repeat spend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._validation import Duplicates
from .clv_models import BetaGeoModel, GammaGammaModel
from .exceptions import InvalidDataError
from .rfm import TimeUnit, rfm_summary

__all__ = ["MIN_SPEND_CUSTOMERS", "CustomerValue", "predict_customer_value"]

#: Fewest repeat buyers with positive spend for which the Gamma-Gamma model is fitted.
MIN_SPEND_CUSTOMERS = 10

_DAYS_PER_UNIT = {"day": 1.0, "week": 7.0}
_DAYS_PER_MONTH = 365.25 / 12


@dataclass
class CustomerValue:
    """What :func:`predict_customer_value` found.

    Attributes
    ----------
    customers : pandas.DataFrame
        One row per valued customer (index: customer id): ``frequency``, ``recency``,
        ``T``, ``monetary_value``, ``expected_purchases`` (over the horizon), ``alive``
        (percent), ``spend`` (expected spend per purchase), ``spend_basis`` (``"own"`` or
        ``"population mean"``) and ``clv`` (discounted, margin applied).
    purchases : BetaGeoModel
        The fitted purchase model.
    spend : GammaGammaModel or None
        The fitted spend model (None when too few customers had positive repeat spend).
    left_out : list
        Ids of customers left out (first purchase on the last day).
    notes : list of str
        The rules applied, in words, with counts.
    """

    customers: pd.DataFrame
    purchases: BetaGeoModel
    spend: GammaGammaModel | None
    left_out: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _monthly_rate(annual: float) -> float:
    return ((1 + annual / 100) ** (1 / 12) - 1) * 100


def predict_customer_value(
    orders: Any,
    *,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    as_of: Any = None,
    horizon_months: int = 12,
    discount_rate: float = 10.0,
    gross_margin: float = 100.0,
    time_unit: TimeUnit = "week",
    duplicates: Duplicates = "warn",
) -> CustomerValue:
    """Each customer's expected purchases, P(alive), spend and discounted value, from orders.

    Parameters
    ----------
    orders : DataFrame-like
        One row per order or order line (pandas, Polars, DuckDB relation, ...).
    customer_col, date_col, amount_col : str
        Columns of the customer id, the order date and the amount.
    as_of : date-like, optional
        Last day observed (default: the last order date).
    horizon_months : int, default 12
        Months ahead to predict.
    discount_rate : float, default 10.0
        Discount rate per year, percent; applied monthly.
    gross_margin : float, default 100.0
        Percent of revenue kept as margin.
    time_unit : {"week", "day"}, default "week"
        Time unit the models are fitted in.
    duplicates : {"warn", "drop", "keep", "error"}, default "warn"
        What to do with exact duplicate rows.

    Returns
    -------
    CustomerValue
        Per-customer table, the fitted models and the notes (see the module docstring for
        the rules).

    Raises
    ------
    InvalidDataError
        When no customer has both a history (T > 0) and a repeat purchase: the purchase
        model cannot be fitted.

    Examples
    --------
    >>> import retention_kit as rk
    >>> value = predict_customer_value(rk.datasets.load_orders(), horizon_months=12)
    >>> value.customers.columns.tolist()[4:]
    ['expected_purchases', 'alive', 'spend', 'spend_basis', 'clv']
    >>> bool((value.customers["clv"] >= 0).all()), value.spend is not None
    (True, True)
    """
    if not (isinstance(horizon_months, int | np.integer) and horizon_months >= 1):
        msg = f"horizon_months={horizon_months!r} must be a whole number of months >= 1."
        raise InvalidDataError(msg)
    rfm = rfm_summary(
        orders,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        time_unit=time_unit,
        as_of=as_of,
        duplicates=duplicates,
    )
    notes: list[str] = []
    fresh = rfm["T"] <= 0
    left_out = rfm.index[fresh].tolist()
    if left_out:
        notes.append(
            f"{len(left_out):,} of {len(rfm):,} customers made their first purchase on the "
            f"last day of the data: with no history to learn from, they are left out."
        )
    rfm = rfm[~fresh].copy()
    repeaters = int((rfm["frequency"] > 0).sum())
    if rfm.empty or repeaters == 0:
        msg = (
            f"no customer came back for a second purchase day ({len(rfm):,} customers, all "
            f"one-time buyers so far): the purchase model (BG/NBD) cannot be fitted, so "
            f"there is no predicted value. It needs repeat buyers; a longer history helps."
        )
        raise InvalidDataError(msg)
    purchases = BetaGeoModel().fit(rfm["frequency"], rfm["recency"], rfm["T"])
    f, r, t = rfm["frequency"], rfm["recency"], rfm["T"]
    per_month = _DAYS_PER_MONTH / _DAYS_PER_UNIT[time_unit]
    steps = np.arange(1, horizon_months + 1) * per_month
    cumulative = np.stack([np.asarray(purchases.expected_purchases(s, f, r, t)) for s in steps])
    increments = np.diff(cumulative, axis=0, prepend=0.0)
    discount = (1.0 + _monthly_rate(discount_rate) / 100) ** -np.arange(1, horizon_months + 1)
    rfm["expected_purchases"] = cumulative[-1]
    rfm["alive"] = np.asarray(purchases.probability_alive(f, r, t)) * 100

    own = (rfm["frequency"] > 0) & (rfm["monetary_value"] > 0)
    zero_spend = int(((rfm["frequency"] > 0) & ~own).sum())
    spend_model: GammaGammaModel | None = None
    if int(own.sum()) >= MIN_SPEND_CUSTOMERS:
        spend_model = GammaGammaModel().fit(
            rfm.loc[own, "frequency"], rfm.loc[own, "monetary_value"]
        )
        x = np.where(own, rfm["frequency"], 0)
        m = np.where(own, rfm["monetary_value"], 0.0)
        rfm["spend"] = np.asarray(spend_model.expected_average_spend(x, m))
        population = float(spend_model.expected_average_spend(0, 0.0))
        if zero_spend:
            notes.append(
                f"{zero_spend:,} repeat buyer(s) whose repeat purchases net to zero or less "
                f"(free orders, or returns) are valued at the average spend per purchase, "
                f"{population:,.2f}; the spend model is fitted on the other {int(own.sum()):,}."
            )
    else:
        mean_spend = float(rfm.loc[own, "monetary_value"].mean()) if own.any() else 0.0
        rfm["spend"] = mean_spend
        notes.append(
            f"only {int(own.sum()):,} customers have repeat purchases with positive spend "
            f"(the spend model needs {MIN_SPEND_CUSTOMERS}): every customer is valued at "
            f"their plain mean, {mean_spend:,.2f} per purchase."
        )
    rfm["spend_basis"] = np.where(own & (spend_model is not None), "own", "population mean")
    rfm["clv"] = rfm["spend"] * (discount @ increments) * gross_margin / 100
    return CustomerValue(
        customers=rfm, purchases=purchases, spend=spend_model, left_out=left_out, notes=notes
    )
