"""Headline figures of the last complete period and the change against the one before.

:func:`headline_kpis` computes, with the package's own functions, what the recurring report
shows at its top and writes to ``metrics.json``: customers, retention and churn, revenue
and order value, repeat and loyal rates, NPS. The values are plain Python (numbers,
strings, None), ready for JSON; :func:`retention_kit.reporting.kpi_table` shows them and
:func:`retention_kit.reporting.write_metrics` saves them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import narwhals as nw
import pandas as pd

from ._formatting import is_missing
from ._frames import Freq, check_freq, collect
from ._validation import Duplicates, parse_date_arg, to_lazy, warns_once
from .customer_rates import average_order_value, loyal_customer_rate, repeat_purchase_rate
from .exceptions import EmptyDataError, RetentionKitError
from .nps import net_promoter_score
from .periods import period_summary

__all__ = ["COMPARED_KPIS", "headline_kpis", "json_ready", "subscription_kpis"]

#: Figures given for the previous period too, with their change.
COMPARED_KPIS: tuple[str, ...] = (
    "customers_active",
    "new_customers",
    "crr",
    "crr_seed",
    "churn",
    "revenue",
    "orders",
    "aov",
    "repeat_purchase_rate",
    "loyal_customer_rate",
    "nps",
)


def json_ready(value: Any) -> Any:
    """A value ready for strict JSON: NaN, inf and NA become None, numpy numbers Python ones.

    Mappings and lists are converted item by item.

    Examples
    --------
    >>> import numpy as np
    >>> json_ready({"crr": np.float64(67.5), "nps": float("nan"), "n": [np.int64(3), None]})
    {'crr': 67.5, 'nps': None, 'n': [3, None]}
    """
    if isinstance(value, Mapping):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _period_figures(
    orders: Any,
    period: pd.Period,
    *,
    columns: dict[str, Any],
    loyalty_threshold: int,
) -> dict[str, Any]:
    """Revenue, orders and AOV in ``period``; repeat and loyal rates to its end."""
    window: dict[str, Any] = {"start": period.start_time, "end": period.end_time}
    aov = average_order_value(orders, **columns, **window).iloc[0]
    to_date: dict[str, Any] = {"end": period.end_time}
    repeat = repeat_purchase_rate(orders, **columns, **to_date).iloc[0]
    loyal = loyal_customer_rate(orders, **columns, threshold=loyalty_threshold, **to_date).iloc[0]
    return {
        "revenue": float(aov["revenue"]),
        "orders": int(aov["orders"]),
        "aov": float(aov["aov"]),
        "repeat_purchase_rate": float(repeat["repeat_purchase_rate"]),
        "loyal_customer_rate": float(loyal["loyal_customer_rate"]),
    }


@warns_once
def headline_kpis(
    orders: Any,
    *,
    freq: Freq = "month",
    as_of: Any = None,
    loyalty_threshold: int = 2,
    answers: Any = None,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    order_col: str | None = None,
    score_col: str = "score",
    answer_date_col: str = "date",
    duplicates: Duplicates = "warn",
) -> dict[str, Any]:
    """Headline figures of the last complete period, the period before, and the changes.

    Every figure comes from the package's own functions:

    - ``customers_active`` (E), ``new_customers`` (N), ``retained``, ``lost``,
      ``reactivated``, ``crr`` (retained / S), ``crr_seed`` ((E - N) / S), ``churn``
      (lost / S) and their Wilson intervals: the period's row of
      :func:`~retention_kit.period_summary`;
    - ``revenue`` (net of returns), ``orders`` and ``aov``: orders dated in the period,
      :func:`~retention_kit.average_order_value`;
    - ``repeat_purchase_rate`` and ``loyal_customer_rate`` (more than
      ``loyalty_threshold`` orders): all orders up to the end of the period,
      :func:`~retention_kit.repeat_purchase_rate` and
      :func:`~retention_kit.loyal_customer_rate`;
    - ``nps`` and ``nps_answers``: the survey answers dated in the period,
      :func:`~retention_kit.net_promoter_score` (None without answers).

    Parameters
    ----------
    orders : DataFrame-like
        One row per order or order line, e.g. from :func:`retention_kit.io.read_orders`.
    freq : {"day", "week", "month", "quarter", "year"}, default "month"
        Length of the reporting period.
    as_of : date-like, optional
        Date the data runs to (default: the last order). The reported period is the last
        one complete by then.
    loyalty_threshold : int, default 2
        A loyal customer has more orders than this.
    answers : DataFrame-like, optional
        Survey answers with a 0-10 score and a date, e.g. from
        :func:`retention_kit.io.read_answers`.
    customer_col, date_col, amount_col, order_col : str
        Columns of ``orders``; the defaults are the names :func:`~retention_kit.io.read_orders`
        gives (pass ``order_col="order_id"`` when the orders have order ids).
    score_col, answer_date_col : str
        Columns of ``answers``.
    duplicates : {"warn", "drop", "keep", "error"}, default "warn"
        What to do with exact duplicate rows; ``"keep"`` once they have been checked.

    Returns
    -------
    dict
        Plain Python values (numbers, strings, None for an undefined rate), ready for
        JSON: ``period``, ``previous_period``, ``freq``, ``as_of``, the figures above,
        for each of ``customers_active``, ``new_customers``, ``crr``, ``crr_seed``,
        ``churn``, ``revenue``, ``orders``, ``aov``, ``repeat_purchase_rate``,
        ``loyal_customer_rate`` and ``nps`` a ``<name>_previous`` and a ``<name>_change``
        (this period minus the previous one: points for rates, currency for amounts), plus
        ``revenue_change_pct``, ``loyalty_threshold``, ``data_rows`` and
        ``data_customers``. Rates are percentages.

    Raises
    ------
    RetentionKitError
        If the data has no complete period (pass ``as_of`` or a shorter ``freq``).

    See Also
    --------
    retention_kit.reporting.kpi_table : the figures as a table.
    retention_kit.reporting.write_metrics : the figures as ``metrics.json``.

    Examples
    --------
    >>> import retention_kit as rk
    >>> orders = rk.io.read_orders("demo", order_col="order_id")
    >>> kpis = headline_kpis(orders, freq="quarter", order_col="order_id")
    >>> kpis["period"], kpis["previous_period"]
    ('2024Q4', '2024Q3')
    >>> summary = rk.period_summary(orders, amount_col="amount", order_col="order_id",
    ...                             freq="quarter")
    >>> bool(kpis["crr"] == summary["crr"].iloc[-1])
    True
    >>> round(kpis["crr"] - kpis["crr_previous"], 6) == round(kpis["crr_change"], 6)
    True
    """
    freq = check_freq(freq)  # type: ignore[assignment]
    columns: dict[str, Any] = {
        "customer_col": customer_col,
        "date_col": date_col,
        "amount_col": amount_col,
        "order_col": order_col,
        "duplicates": duplicates,
    }
    summary = period_summary(orders, **columns, freq=freq, as_of=as_of)
    if summary.empty:
        msg = (
            f"headline_kpis: the data has no complete {freq}. Pass a shorter freq= or an "
            f"as_of= date after the end of a period."
        )
        raise RetentionKitError(msg)
    rows = {"": summary.iloc[-1]}
    if len(summary) > 1:
        rows["_previous"] = summary.iloc[-2]

    nps_table = None
    if answers is not None:
        nps_table = net_promoter_score(
            answers,
            score_col=score_col,
            date_col=answer_date_col,
            freq=freq,
            as_of=rows[""]["period"].end_time,
        )

    as_of_ts = parse_date_arg(as_of, "as_of")
    frame = to_lazy(orders, arg="orders")
    counts = collect(
        frame.select(nw.len().alias("rows"), nw.col(customer_col).n_unique().alias("customers"))
    )
    kpis: dict[str, Any] = {
        "period": str(rows[""]["period"]),
        "previous_period": str(rows["_previous"]["period"]) if "_previous" in rows else None,
        "freq": freq,
        "as_of": None if as_of_ts is None else str(as_of_ts.date()),
        "loyalty_threshold": int(loyalty_threshold),
    }
    for suffix, row in rows.items():
        period = row["period"]
        values: dict[str, Any] = {
            "customers_active": int(row["E"]),
            "new_customers": int(row["N"]),
            "retained": int(row["retained"]),
            "lost": int(row["lost"]),
            "reactivated": int(row["reactivated"]),
            "start_customers": int(row["S"]),
            "crr": row["crr"],
            "crr_seed": row["crr_seed"],
            "churn": row["churn"],
        }
        if not suffix:
            values |= {
                "crr_low": row["crr_low"],
                "crr_high": row["crr_high"],
                "churn_low": row["churn_low"],
                "churn_high": row["churn_high"],
            }
        values |= _period_figures(
            orders, period, columns=columns, loyalty_threshold=loyalty_threshold
        )
        nps, n_answers = None, 0
        if nps_table is not None:
            match = nps_table[nps_table["period"] == period]
            if len(match):
                nps, n_answers = match["nps"].iloc[0], int(match["n"].iloc[0])
        values |= {"nps": nps, "nps_answers": n_answers}
        for key, value in values.items():
            if suffix and key not in COMPARED_KPIS:
                continue
            kpis[f"{key}{suffix}"] = json_ready(value)

    for key in COMPARED_KPIS:
        now, before = kpis.get(key), kpis.get(f"{key}_previous")
        kpis[f"{key}_change"] = None if now is None or before is None else now - before
    now, before = kpis["revenue"], kpis.get("revenue_previous")
    kpis["revenue_change_pct"] = (now - before) / before * 100 if before not in (None, 0) else None
    kpis["data_rows"] = int(counts["rows"].iloc[0])
    kpis["data_customers"] = int(counts["customers"].iloc[0])
    return kpis


#: metrics.json key -> column of the last period of mrr_movements with customer churn.
_SUBSCRIPTION_KPIS: dict[str, str] = {
    "mrr": "mrr_end",
    "mrr_previous": "mrr_start",
    "nrr": "nrr",
    "grr": "grr",
    "gross_revenue_churn": "gross_revenue_churn",
    "subscription_churn": "churn",
    "quick_ratio": "quick_ratio",
}


def subscription_kpis(movements: pd.DataFrame) -> dict[str, float]:
    """Headline subscription figures of the last period, with the report's metrics.json keys.

    Parameters
    ----------
    movements : pandas.DataFrame
        :func:`~retention_kit.mrr_movements` with the customer churn of
        :func:`~retention_kit.subscription_summary` beside it
        (:func:`~retention_kit.subscription_tables.with_customer_churn`), periods in order.

    Returns
    -------
    dict
        ``mrr`` (MRR at the end of the last period), ``mrr_previous`` (at its start),
        ``nrr``, ``grr``, ``gross_revenue_churn``, ``subscription_churn`` (customer churn)
        and ``quick_ratio``, as floats (percent for the rates).

    Raises
    ------
    RetentionKitError
        When a column is missing.
    EmptyDataError
        When the table has no period.

    Examples
    --------
    >>> import pandas as pd
    >>> movements = pd.DataFrame({"period": ["a", "b"], "mrr_start": [90.0, 100.0],
    ...     "mrr_end": [100.0, 104.0], "nrr": [101.0, 102.0], "grr": [97.0, 96.0],
    ...     "gross_revenue_churn": [3.0, 4.0], "churn": [2.0, 2.5], "quick_ratio": [2.0, 2.0]})
    >>> subscription_kpis(movements)["mrr"], subscription_kpis(movements)["subscription_churn"]
    (104.0, 2.5)
    """
    if not isinstance(movements, pd.DataFrame):
        msg = (
            f"subscription_kpis: pass the DataFrame of mrr_movements(), got "
            f"{type(movements).__name__}."
        )
        raise RetentionKitError(msg)
    missing = [col for col in _SUBSCRIPTION_KPIS.values() if col not in movements.columns]
    if missing:
        msg = (
            f"subscription_kpis: the table has no column(s) {missing}; pass mrr_movements() with "
            f"subscription_summary()'s churn beside it (subscription_tables.with_customer_churn)."
        )
        raise RetentionKitError(msg)
    if movements.empty:
        msg = "subscription_kpis: the table has no period (no complete period of subscriptions)."
        raise EmptyDataError(msg)
    last = movements.iloc[-1]
    return {key: float(last[col]) for key, col in _SUBSCRIPTION_KPIS.items()}
