"""Predicted customer value from orders: BG/NBD for purchases, Gamma-Gamma for spend.

:func:`predict_customer_value` is what the report shows, in one call: each customer's
expected purchases over a horizon, the probability of still being a customer, the expected
spend per purchase and the discounted value, with the rules it applied said in words
(``notes``) instead of failing on data that real exports carry. Notebook 05 walks through
the same steps one at a time, with the functions it is made of:

1. :func:`purchase_history`: the purchase summary of :func:`~retention_kit.rfm.rfm_summary`
   (purchase days; a day cancelled in full is no purchase), without the customers whose
   first purchase is on the last day (``T = 0``: no history to learn from), counted.
2. The purchase model (:class:`~retention_kit.BetaGeoModel`) is fitted on the rest;
   without any repeat buyer it cannot be, and an error says so.
3. :func:`fit_spend_model`: Gamma-Gamma on the repeat buyers whose repeat purchases have a
   positive mean spend. Repeat buyers whose repeat purchases net to zero (free orders, say)
   and one-time buyers are valued at the model's mean spend per purchase of the population;
   the notes count them. With fewer than :data:`MIN_SPEND_CUSTOMERS` such customers the
   spend model is not fitted and every customer is valued at the plain mean repeat spend.
4. :func:`value_customers`: expected purchases month by month, times the expected spend,
   discounted monthly, times the margin.

:func:`value_by_segment` and :func:`top_value_share` summarise the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._docstrings import fill_doc
from ._frames import TimeUnit
from ._validation import Duplicates
from .clv import BetaGeoModel, GammaGammaModel
from .clv.rfm import rfm_summary
from .conversions import period_discount_rate, time_units_per
from .exceptions import InvalidDataError, RetentionKitError
from .intervals import MIN_READABLE_N

__all__ = [
    "MIN_SPEND_CUSTOMERS",
    "CustomerValue",
    "PurchaseHistory",
    "SpendFit",
    "fit_spend_model",
    "predict_customer_value",
    "purchase_history",
    "top_value_share",
    "value_concentration",
    "value_by_segment",
    "value_customers",
]

#: Fewest repeat buyers with positive spend for which the Gamma-Gamma model is fitted.
MIN_SPEND_CUSTOMERS = 10


@dataclass
class PurchaseHistory:
    """What :func:`purchase_history` found.

    Attributes
    ----------
    customers : pandas.DataFrame
        The purchase summary (index: customer id): ``frequency``, ``recency``, ``T``,
        ``monetary_value`` and, with a calibration end, ``frequency_holdout`` and
        ``duration_holdout``; only customers with ``T > 0``.
    left_out : list
        Ids of customers left out (first purchase on the last observed day).
    notes : list of str
        What was left out, in words.
    """

    customers: pd.DataFrame
    left_out: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class SpendFit:
    """What :func:`fit_spend_model` found.

    Attributes
    ----------
    model : GammaGammaModel or None
        The fitted spend model (None when too few customers had positive repeat spend).
    population_spend : float
        Spend per purchase of a customer the model knows nothing about: the model's
        population mean ``p * gamma / (q - 1)``, or without a model the plain mean repeat
        spend (0 when nobody has one).
    fitted_on : pandas.Index
        Ids of the customers with repeat purchases of positive mean spend.
    zero_spend : int
        Repeat buyers whose repeat purchases net to zero or less.
    notes : list of str
        The rules applied, in words.
    """

    model: GammaGammaModel | None
    population_spend: float
    fitted_on: pd.Index
    zero_spend: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class CustomerValue:
    """What :func:`predict_customer_value` found.

    Attributes
    ----------
    customers : pandas.DataFrame
        One row per valued customer (index: customer id): ``frequency``, ``recency``,
        ``T``, ``monetary_value`` (and the holdout columns with ``calibration_end``),
        ``expected_purchases`` (over the horizon), ``alive`` (percent), ``spend``
        (expected spend per purchase), ``spend_basis`` (``"own"`` or ``"population
        mean"``) and ``clv`` (discounted, margin applied).
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


def _check_horizon(horizon_months: Any) -> None:
    if isinstance(horizon_months, bool) or not (
        isinstance(horizon_months, int | np.integer) and horizon_months >= 1
    ):
        msg = f"horizon_months={horizon_months!r} must be a whole number of months >= 1."
        raise InvalidDataError(msg)


def _require(customers: Any, columns: tuple[str, ...], func: str) -> None:
    if not isinstance(customers, pd.DataFrame):
        msg = (
            f"{func}: customers must be the pandas DataFrame of purchase_history() or "
            f"rfm_summary(), got {type(customers).__name__}."
        )
        raise RetentionKitError(msg)
    missing = [c for c in columns if c not in customers.columns]
    if missing:
        msg = (
            f"{func}: customers has no column(s) {missing}; pass the result of "
            f"purchase_history() or rfm_summary(..., amount_col=...)."
        )
        raise RetentionKitError(msg)


@fill_doc
def purchase_history(
    orders: Any,
    *,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    as_of: Any = None,
    calibration_end: Any = None,
    time_unit: TimeUnit = "week",
    duplicates: Duplicates = "warn",
) -> PurchaseHistory:
    """Each customer's frequency, recency, T and spend; customers without history left out.

    Parameters
    ----------
    orders : DataFrame-like
        One row per order or order line (pandas, Polars, DuckDB relation, ...).
    customer_col, date_col, amount_col : str
        Columns of the customer id, the order date and the amount.
    as_of : date-like, optional
        Last day observed (default: the last order date).
    calibration_end : date-like, optional
        Last day the models see; the days after it, to ``as_of``, are the holdout
        (``frequency_holdout``, ``duration_holdout``). None: no holdout.
    time_unit : {"week", "day"}, default "week"
        Unit of recency and T.
    %(duplicates)s

    Returns
    -------
    PurchaseHistory
        The summary of :func:`~retention_kit.rfm.rfm_summary` without the customers whose
        first purchase is on the last (calibration) day, their ids, and a note.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b", "c"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-15", "2024-01-08",
    ...                                   "2024-01-29"]),
    ...     "amount": [10.0, 20.0, 5.0, 7.0]})
    >>> history = purchase_history(orders)
    >>> history.customers[["frequency", "recency", "T", "monetary_value"]]
                 frequency  recency    T  monetary_value
    customer_id
    a                    1      2.0  4.0            20.0
    b                    0      0.0  3.0             0.0
    >>> history.left_out, history.notes[0][:46]
    (['c'], '1 of 3 customers made their first purchase on ')
    """
    rfm = rfm_summary(
        orders,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        time_unit=time_unit,
        as_of=as_of,
        calibration_end=calibration_end,
        duplicates=duplicates,
    )
    fresh = rfm["T"] <= 0
    left_out = rfm.index[fresh].tolist()
    notes = []
    if left_out:
        day = "last calibration day" if calibration_end is not None else "last day of the data"
        notes.append(
            f"{len(left_out):,} of {len(rfm):,} customers made their first purchase on the "
            f"{day}: with no history to learn from, they are left out."
        )
    return PurchaseHistory(customers=rfm[~fresh].copy(), left_out=left_out, notes=notes)


def _own_spend(customers: pd.DataFrame) -> pd.Series:
    """Repeat buyers whose repeat purchases have a positive mean spend."""
    return (customers["frequency"] > 0) & (customers["monetary_value"] > 0)


def fit_spend_model(
    customers: pd.DataFrame, *, min_customers: int = MIN_SPEND_CUSTOMERS
) -> SpendFit:
    """Fit Gamma-Gamma on the repeat buyers with positive spend; say who is left out.

    Parameters
    ----------
    customers : pandas.DataFrame
        ``frequency`` and ``monetary_value`` per customer, e.g.
        ``purchase_history(...).customers``.
    min_customers : int, default MIN_SPEND_CUSTOMERS (10)
        Fewest repeat buyers with positive spend to fit the model on; with fewer, every
        customer is valued at their plain mean repeat spend.

    Returns
    -------
    SpendFit
        The model (or None), the population spend per purchase, who it was fitted on and
        the notes.

    Examples
    --------
    >>> import pandas as pd
    >>> customers = pd.DataFrame({"frequency": [2, 1, 0, 3],
    ...                           "monetary_value": [10.0, 0.0, 0.0, 20.0]},
    ...                          index=["a", "b", "c", "d"])
    >>> fit = fit_spend_model(customers)  # two buyers with spend: too few for the model
    >>> fit.model is None, fit.population_spend, fit.fitted_on.tolist(), fit.zero_spend
    (True, 15.0, ['a', 'd'], 1)
    """
    _require(customers, ("frequency", "monetary_value"), "fit_spend_model")
    own = _own_spend(customers)
    zero_spend = int(((customers["frequency"] > 0) & ~own).sum())
    fitted_on = customers.index[own]
    notes: list[str] = []
    if len(fitted_on) >= min_customers:
        model = GammaGammaModel().fit(
            customers.loc[own, "frequency"], customers.loc[own, "monetary_value"]
        )
        population = float(model.expected_average_spend(0, 0.0))
        if zero_spend:
            notes.append(
                f"{zero_spend:,} repeat buyer(s) whose repeat purchases net to zero or less "
                f"(free orders, or returns) are valued at the average spend per purchase, "
                f"{population:,.2f}; the spend model is fitted on the other {len(fitted_on):,}."
            )
        return SpendFit(model, population, fitted_on, zero_spend, notes)
    mean_spend = float(customers.loc[own, "monetary_value"].mean()) if own.any() else 0.0
    notes.append(
        f"only {len(fitted_on):,} customers have repeat purchases with positive spend "
        f"(the spend model needs {min_customers}): every customer is valued at "
        f"their plain mean, {mean_spend:,.2f} per purchase."
    )
    return SpendFit(None, mean_spend, fitted_on, zero_spend, notes)


def value_customers(
    customers: pd.DataFrame,
    purchases: Any,
    spend: SpendFit | None = None,
    *,
    horizon_months: int = 12,
    discount_rate: float = 10.0,
    gross_margin: float = 100.0,
    time_unit: TimeUnit = "week",
) -> pd.DataFrame:
    """Expected purchases, P(alive), spend and discounted value of each customer.

    ``clv = spend * sum_i (E[Y(t_i)] - E[Y(t_{i-1})]) / (1 + d) ** i * margin`` with
    monthly steps ``t_i`` (a month is 365.25 / 12 days) and ``d`` the monthly rate that
    compounds to ``discount_rate`` a year.

    Parameters
    ----------
    customers : pandas.DataFrame
        ``frequency``, ``recency``, ``T`` and ``monetary_value`` per customer, in
        ``time_unit``, e.g. ``purchase_history(...).customers``.
    purchases : BetaGeoModel or ParetoNBDModel
        A fitted purchase model.
    spend : SpendFit, optional
        The spend model of :func:`fit_spend_model` (fitted on ``customers`` when None).
    horizon_months : int, default 12
        Months ahead to value.
    discount_rate : float, default 10.0
        Discount rate per year, percent; applied monthly.
    gross_margin : float, default 100.0
        Percent of revenue kept as margin (100: the value is revenue).
    time_unit : {"week", "day"}, default "week"
        Unit of recency and T.

    Returns
    -------
    pandas.DataFrame
        A copy of ``customers`` with ``expected_purchases`` (over the horizon), ``alive``
        (percent), ``spend``, ``spend_basis`` (``"own"`` or ``"population mean"``) and
        ``clv``.

    Examples
    --------
    >>> import pandas as pd
    >>> from retention_kit import BetaGeoModel, GammaGammaModel
    >>> bg = BetaGeoModel()
    >>> bg.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # published
    >>> gg = GammaGammaModel()
    >>> gg.params_ = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    >>> spend = SpendFit(gg, float(gg.expected_average_spend(0, 0.0)), pd.Index([1]))
    >>> customers = pd.DataFrame({"frequency": [0, 2], "recency": [0.0, 30.43],
    ...                           "T": [38.86, 38.86], "monetary_value": [0.0, 22.35]})
    >>> valued = value_customers(customers, bg, spend, discount_rate=12.68)
    >>> valued["clv"].round(2).tolist(), valued["spend_basis"].tolist()
    ([8.37, 36.31], ['population mean', 'own'])
    """
    _check_horizon(horizon_months)
    _require(customers, ("frequency", "recency", "T", "monetary_value"), "value_customers")
    if spend is None:
        spend = fit_spend_model(customers)
    out = customers.copy()
    f, r, t = out["frequency"], out["recency"], out["T"]
    months = np.arange(1, horizon_months + 1)
    steps = months * time_units_per("month", time_unit)
    cumulative = np.stack([np.asarray(purchases.expected_purchases(s, f, r, t)) for s in steps])
    increments = np.diff(cumulative, axis=0, prepend=0.0)
    discount = (1.0 + period_discount_rate(discount_rate, "month") / 100) ** -months
    out["expected_purchases"] = cumulative[-1]
    out["alive"] = np.asarray(purchases.probability_alive(f, r, t)) * 100
    own = _own_spend(out)
    if spend.model is not None:
        x = np.where(own, out["frequency"], 0)
        m = np.where(own, out["monetary_value"], 0.0)
        out["spend"] = np.asarray(spend.model.expected_average_spend(x, m))
    else:
        out["spend"] = spend.population_spend
    out["spend_basis"] = np.where(own & (spend.model is not None), "own", "population mean")
    out["clv"] = out["spend"] * (discount @ increments) * gross_margin / 100
    return out


def predict_customer_value(
    orders: Any,
    *,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    as_of: Any = None,
    calibration_end: Any = None,
    horizon_months: int = 12,
    discount_rate: float = 10.0,
    gross_margin: float = 100.0,
    time_unit: TimeUnit = "week",
    duplicates: Duplicates = "warn",
) -> CustomerValue:
    """Each customer's expected purchases, P(alive), spend and discounted value, from orders.

    Parameters
    ----------
    orders, customer_col, date_col, amount_col, as_of, time_unit, duplicates
        As in :func:`purchase_history`: the orders and their columns, the last day
        observed, the unit the models are fitted in, and what to do with exact duplicate
        rows.
    calibration_end : date-like, optional
        Fit and value on the orders up to this day only; the customers table then has
        the holdout columns to check the models with
        (:func:`~retention_kit.holdout.holdout_purchases`).
    horizon_months, discount_rate, gross_margin
        As in :func:`value_customers`: months ahead to predict (default 12), the discount
        rate per year in percent, applied monthly (default 10.0), and the percent of
        revenue kept as margin (default 100.0).

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
    _check_horizon(horizon_months)
    history = purchase_history(
        orders,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        as_of=as_of,
        calibration_end=calibration_end,
        time_unit=time_unit,
        duplicates=duplicates,
    )
    rfm = history.customers
    if rfm.empty or not (rfm["frequency"] > 0).any():
        msg = (
            f"no customer came back for a second purchase day ({len(rfm):,} customers, all "
            f"one-time buyers so far): the purchase model (BG/NBD) cannot be fitted, so "
            f"there is no predicted value. It needs repeat buyers; a longer history helps."
        )
        raise InvalidDataError(msg)
    purchases = BetaGeoModel().fit(rfm["frequency"], rfm["recency"], rfm["T"])
    spend = fit_spend_model(rfm)
    valued = value_customers(
        rfm,
        purchases,
        spend,
        horizon_months=horizon_months,
        discount_rate=discount_rate,
        gross_margin=gross_margin,
        time_unit=time_unit,
    )
    return CustomerValue(
        customers=valued,
        purchases=purchases,
        spend=spend.model,
        left_out=history.left_out,
        notes=[*history.notes, *spend.notes],
    )


def value_by_segment(customers: pd.DataFrame, segments: pd.Series | None = None) -> pd.DataFrame:
    """Predicted value per segment: customers, mean purchases, share alive, mean and total value.

    Parameters
    ----------
    customers : pandas.DataFrame
        The result of :func:`value_customers` (or ``CustomerValue.customers``).
    segments : pandas.Series, optional
        Each customer's segment, indexed by customer id and named after the segment column
        (:func:`~retention_kit.segments.customer_segments`). None: one row, "all
        customers".

    Returns
    -------
    pandas.DataFrame
        One row per segment (sorted by name): the segment column (``"customers of"``
        without segments), ``customers``, ``expected_purchases`` (mean), ``alive`` (mean,
        percent), ``clv`` (mean), ``total`` (sum of clv) and ``small_sample`` (fewer than
        :data:`~retention_kit.MIN_READABLE_N` customers).

    Raises
    ------
    InvalidDataError
        If a valued customer has no segment (they would vanish from the table).

    Examples
    --------
    >>> import pandas as pd
    >>> valued = pd.DataFrame({"expected_purchases": [1.0, 3.0, 2.0],
    ...                        "alive": [50.0, 90.0, 70.0], "clv": [10.0, 30.0, 5.0]},
    ...                       index=["a", "b", "c"])
    >>> segments = pd.Series({"a": "web", "b": "web", "c": "shop"}, name="channel")
    >>> value_by_segment(valued, segments)[["channel", "customers", "clv", "total"]]
      channel  customers   clv  total
    0    shop          1   5.0    5.0
    1     web          2  20.0   40.0
    """
    _require(customers, ("expected_purchases", "alive", "clv"), "value_by_segment")
    if segments is None:
        name = "customers of"
        keys = pd.Series("all customers", index=customers.index, name=name)
    else:
        name = str(segments.name) if segments.name is not None else "segment"
        keys = segments.reindex(customers.index).rename(name)
        missing = keys.index[keys.isna()].tolist()
        if missing:
            msg = (
                f"value_by_segment: {len(missing):,} valued customer(s) have no segment, "
                f"e.g. {missing[:5]}; pass segments for every customer (customer_segments "
                f"of the same orders)."
            )
            raise InvalidDataError(msg)
    table = (
        customers.groupby(keys)
        .agg(
            customers=("clv", "size"),
            expected_purchases=("expected_purchases", "mean"),
            alive=("alive", "mean"),
            clv=("clv", "mean"),
            total=("clv", "sum"),
        )
        .reset_index(names=name)
    )
    table["small_sample"] = table["customers"] < MIN_READABLE_N
    return table


def top_value_share(values: Any, percent: float = 10.0) -> float:
    """Share (percent) of the total held by the most valuable ``percent`` of customers.

    The top group is ``max(n * percent // 100, 1)`` customers.

    Parameters
    ----------
    values : array-like of float
        One value per customer, e.g. the ``clv`` column of :func:`value_customers`.
    percent : float, default 10.0
        Size of the top group, percent of the customers.

    Returns
    -------
    float
        Percent of the total value; NaN when the total is 0.

    Examples
    --------
    >>> top_value_share([50.0, 10.0, 10.0, 10.0, 5.0, 5.0, 4.0, 3.0, 2.0, 1.0])
    50.0
    >>> top_value_share([3.0, 1.0], percent=50)
    75.0
    """
    if not 0 < percent <= 100:
        msg = f"percent={percent!r} must be a share of customers above 0 and at most 100."
        raise RetentionKitError(msg)
    array = np.sort(np.asarray(values, dtype=float))[::-1]
    total = array.sum()
    top = max(int(len(array) * percent // 100), 1)
    return float(array[:top].sum() / total * 100) if total else float("nan")


def value_concentration(values: Any) -> pd.DataFrame:
    """The concentration curve of value: customers most valuable first, against their share.

    Parameters
    ----------
    values : array-like of float
        One value per customer, e.g. the ``clv`` column of :func:`value_customers`.

    Returns
    -------
    pandas.DataFrame
        One row per customer, most valuable first: ``customers_share`` (percent of the
        customers up to this one) and ``value_share`` (percent of the total value they
        hold; NaN when the total is 0).

    Examples
    --------
    >>> value_concentration([1.0, 3.0, 4.0, 2.0])
       customers_share  value_share
    0             25.0         40.0
    1             50.0         70.0
    2             75.0         90.0
    3            100.0        100.0
    """
    array = np.sort(np.asarray(values, dtype=float))[::-1]
    total = array.sum()
    n = len(array)
    return pd.DataFrame(
        {
            "customers_share": np.arange(1, n + 1) / max(n, 1) * 100,
            "value_share": array.cumsum() / total * 100 if total else np.full(n, np.nan),
        }
    )
