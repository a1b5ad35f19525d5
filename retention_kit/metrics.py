"""The seed articles' formulas on plain numbers: retention, churn and the CLV formulas.

Every rate here is a percentage (0-100), as the seed articles write them; rates you pass in
(repeat-purchase rate, retention, churn, gross margin, discount rate) are percentages too.
The rates computed from orders (repeat purchase, loyalty, AOV, ``clv_summary``) are in
:mod:`retention_kit.customer_rates`.
"""

from __future__ import annotations

from typing import Any

from ._arguments import check_non_negative, check_percent
from .exceptions import RetentionKitError

__all__ = [
    "churn_rate",
    "clv_arpa_churn",
    "clv_arpu_retention",
    "clv_lifespan_formula",
    "clv_repeat_formula",
    "clv_retention_margin",
    "retention_rate",
    "revenue_churn_rate",
]

#: Moved to :mod:`retention_kit.customer_rates`; importable from here for one release.
_MOVED = ("average_order_value", "clv_summary", "loyal_customer_rate", "repeat_purchase_rate")


# --- formulas on plain numbers ---------------------------------------------------------------


def _lost_share(
    lost: Any, start: Any, *, names: tuple[str, str], undefined: str, why: str = ""
) -> float:
    """``lost / start * 100`` for a churn formula, with its arguments checked by name."""
    lost_name, start_name = names
    lost_n, start_n = check_non_negative(lost, lost_name), check_non_negative(start, start_name)
    if start_n == 0:
        msg = f"{start_name}=0: {undefined}."
        raise RetentionKitError(msg)
    if lost_n > start_n:
        msg = f"{lost_name}={lost!r} exceeds {start_name}={start!r}{why}."
        raise RetentionKitError(msg)
    return lost_n / start_n * 100


def retention_rate(start: float, end: float, new: float) -> float:
    """Customer retention rate of the seed articles, ``(E - N) / S * 100``.

    Parameters
    ----------
    start : float
        S, customers at the start of the period.
    end : float
        E, customers at the end of the period.
    new : float
        N, new customers gained during the period.

    Returns
    -------
    float
        CRR in percent.

    Raises
    ------
    RetentionKitError
        If S is 0 (the rate is undefined), a count is negative, or N > E.

    See Also
    --------
    period_summary : S, E, N and the exact retained / S from data.

    Examples
    --------
    >>> retention_rate(1000, 900, 200)
    70.0
    >>> retention_rate(100, 100, 10)
    90.0
    """
    s, e, n = (
        check_non_negative(start, "start"),
        check_non_negative(end, "end"),
        check_non_negative(new, "new"),
    )
    if s == 0:
        msg = (
            "start=0: with no customers at the start the retention rate is undefined. "
            "Pick a period that begins with customers."
        )
        raise RetentionKitError(msg)
    if n > e:
        msg = f"new={new!r} exceeds end={end!r}: new customers are counted inside E."
        raise RetentionKitError(msg)
    return (e - n) / s * 100


def churn_rate(lost: float, start: float) -> float:
    """Customer churn rate, ``lost / S * 100``.

    Parameters
    ----------
    lost : float
        Customers lost during the period.
    start : float
        S, customers at the start of the period.

    Returns
    -------
    float
        Churn in percent.

    Raises
    ------
    RetentionKitError
        If S is 0, a count is negative, or more customers were lost than there were.

    Examples
    --------
    >>> churn_rate(10, 100)
    10.0
    """
    return _lost_share(
        lost,
        start,
        names=("lost", "start"),
        undefined="with no customers at the start the churn rate is undefined",
        why=": only customers at the start can be lost",
    )


def revenue_churn_rate(lost_mrr: float, start_mrr: float) -> float:
    """Revenue churn, ``MRR lost in the period / MRR at its start * 100``.

    Parameters
    ----------
    lost_mrr : float
        Monthly recurring revenue lost: cancellations plus downgrades (gross).
    start_mrr : float
        MRR at the start of the period.

    Returns
    -------
    float
        Revenue churn in percent.

    Examples
    --------
    >>> revenue_churn_rate(1500, 30000)
    5.0
    """
    return _lost_share(
        lost_mrr,
        start_mrr,
        names=("lost_mrr", "start_mrr"),
        undefined="with no MRR at the start revenue churn is undefined",
    )


def clv_repeat_formula(
    average_order_value: float, repeat_purchase_rate: float, acquisition_cost: float = 0.0
) -> float:
    """Seed CLV formula 1: ``AOV * repeat purchase rate - acquisition cost``.

    Parameters
    ----------
    average_order_value : float
        AOV, revenue per order.
    repeat_purchase_rate : float
        Percent of customers with two or more orders (applied as a fraction).
    acquisition_cost : float, default 0
        Cost of acquiring one customer (CAC).

    Returns
    -------
    float
        CLV in the currency of the inputs.

    Examples
    --------
    >>> clv_repeat_formula(50.0, 40.0, acquisition_cost=5.0)
    15.0
    """
    aov = check_non_negative(average_order_value, "average_order_value")
    rate = check_percent(repeat_purchase_rate, "repeat_purchase_rate")
    cac = check_non_negative(acquisition_cost, "acquisition_cost")
    return aov * rate / 100 - cac


def clv_lifespan_formula(
    transactions_per_period: float,
    average_order_value: float,
    gross_margin: float,
    lifespan_periods: float,
    customers: float,
) -> float:
    """Seed CLV formula 2: ``transactions * AOV * margin * lifespan / customers``.

    Parameters
    ----------
    transactions_per_period : float
        Orders per period across all customers.
    average_order_value : float
        AOV, revenue per order.
    gross_margin : float
        Average gross margin, percent.
    lifespan_periods : float
        Average customer lifespan, in the same periods as the transactions.
    customers : float
        Number of customers the transactions come from.

    Returns
    -------
    float
        CLV per customer.

    Examples
    --------
    >>> clv_lifespan_formula(1200, 50.0, 40.0, 3, 400)
    180.0
    """
    per = check_non_negative(transactions_per_period, "transactions_per_period")
    aov = check_non_negative(average_order_value, "average_order_value")
    margin = check_percent(gross_margin, "gross_margin")
    life = check_non_negative(lifespan_periods, "lifespan_periods")
    n = check_non_negative(customers, "customers")
    if n == 0:
        msg = "customers=0: CLV per customer needs at least one customer."
        raise RetentionKitError(msg)
    return per * aov * margin / 100 * life / n


def clv_retention_margin(margin: float, retention: float, discount_rate: float) -> float:
    """Retention-based CLV, ``m * r / (1 + d - r)`` (Gupta & Lehmann).

    The value today of a customer who brings margin ``m`` each period they stay, stays
    with probability ``r`` each period, discounted at ``d`` per period; the first margin
    arrives one period from now, if they are retained.

    Parameters
    ----------
    margin : float
        Margin per customer per period (currency).
    retention : float
        Retention rate per period, percent (below 100).
    discount_rate : float
        Discount rate per period, percent.

    Returns
    -------
    float
        CLV per customer.

    Examples
    --------
    >>> round(clv_retention_margin(100.0, 80.0, 10.0), 2)
    266.67
    """
    m = float(margin)
    r = check_percent(retention, "retention") / 100
    d = check_percent(discount_rate, "discount_rate", upper=1000, hint=False) / 100
    if r >= 1 + d:
        msg = f"retention={retention!r}: the formula needs retention < 100 + discount_rate."
        raise RetentionKitError(msg)
    return m * r / (1 + d - r)


def clv_arpa_churn(arpa: float, churn: float) -> float:
    """SaaS heuristic: ``ARPA / churn`` (average revenue per account over churn per period).

    Examples
    --------
    >>> clv_arpa_churn(50.0, 5.0)
    1000.0
    """
    value = check_non_negative(arpa, "arpa")
    rate = check_percent(churn, "churn")
    if rate == 0:
        msg = "churn=0: with no churn the heuristic lifetime is infinite; CLV is undefined."
        raise RetentionKitError(msg)
    return value * 100 / rate


def clv_arpu_retention(arpu: float, retention: float) -> float:
    """SaaS heuristic: ``ARPU / (1 - retention)``.

    Examples
    --------
    >>> clv_arpu_retention(50.0, 95.0)
    1000.0
    """
    value = check_non_negative(arpu, "arpu")
    rate = check_percent(retention, "retention")
    if rate == 100:
        msg = "retention=100: nobody ever leaves, so the heuristic CLV is infinite."
        raise RetentionKitError(msg)
    return value * 100 / (100 - rate)


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        from . import customer_rates

        return getattr(customer_rates, name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
