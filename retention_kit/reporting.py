"""Building blocks of the notebooks and the recurring report: formatted tables and headline KPIs.

The notebooks under ``notebooks/`` hold the narrative; everything they reuse lives here:

- :func:`format_table` turns a result frame into a readable table (thousands separators,
  percentages, currency);
- :func:`headline_kpis` computes the figures of the last complete period and the change
  against the one before, with the package's own functions; :func:`kpi_table` shows them
  and :func:`write_metrics` saves them as ``metrics.json``;
- :func:`revenue_by_period` and :func:`period_discount_rate` fill two small gaps the
  report needs;
- :func:`versions` records the software a report was made with;
- :func:`escape_md` and :func:`escape_html` make a data value (a segment, plan or customer
  id) safe to put into a Markdown or HTML string of a notebook, :func:`escape_mpl` into a
  matplotlib title or label (the package's own plots already do this).

Every table here escapes the HTML in its cells, row and column labels, index names and
caption: a segment called ``<img src=x onerror=alert(1)>`` shows as that text.
"""

from __future__ import annotations

import json
import math
import platform
from collections.abc import Callable, Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import narwhals as nw
import numpy as np
import pandas as pd

from ._frames import Freq, check_freq, collect, is_complete, period_index, to_periods
from ._text import escape_html, escape_md
from ._text import literal as escape_mpl
from ._validation import (
    AMOUNT,
    CUSTOMER,
    DATE,
    IS_ORDER,
    PERIOD,
    Duplicates,
    no_positive_orders,
    parse_date_arg,
    prepare_orders,
    resolve_as_of,
    to_lazy,
    warns_once,
)
from .exceptions import RetentionKitError
from .metrics import average_order_value, loyal_customer_rate, repeat_purchase_rate
from .nps import net_promoter_score
from .periods import period_summary
from .report_data import OrderData, load_answers_for_report, load_orders_for_report, order_facts
from .sections import section

if TYPE_CHECKING:  # pandas' Styler needs jinja2 when imported; only styling uses it
    from pandas.io.formats.style import Styler

__all__ = [
    "COLUMN_LABELS",
    "OrderData",
    "load_answers_for_report",
    "load_orders_for_report",
    "section",
    "PERIODS_PER_YEAR",
    "customer_segments",
    "describe_orders",
    "escape_html",
    "escape_md",
    "escape_mpl",
    "format_table",
    "headline_kpis",
    "kpi_table",
    "period_discount_rate",
    "revenue_by_period",
    "versions",
    "write_metrics",
]

PERIODS_PER_YEAR: dict[str, int] = {"day": 365, "week": 52, "month": 12, "quarter": 4, "year": 1}
"""Periods in a year for each ``freq``, used to turn annual rates into per-period ones."""

_DASH = "–"

COLUMN_LABELS: dict[str, str] = {
    "crr_seed": "CRR seed (E-N)/S",
    "crr": "CRR",
    "crr_low": "CRR low",
    "crr_high": "CRR high",
    "churn": "churn",
    "churn_low": "churn low",
    "churn_high": "churn high",
    "repeat_customers": "repeaters",
    "repeat_purchase_rate": "repeat rate",
    "repeat_purchase_rate_low": "repeat low",
    "repeat_purchase_rate_high": "repeat high",
    "loyal_customers": "loyal",
    "loyal_customer_rate": "loyal rate",
    "loyal_customer_rate_low": "loyal low",
    "loyal_customer_rate_high": "loyal high",
    "aov": "AOV",
    "arpu": "ARPU",
    "orders_per_period": "orders per period",
    "clv_repeat": "CLV seed 1",
    "clv_lifespan": "CLV seed 2",
    "clv_retention_margin": "CLV retention margin",
    "clv_arpa_churn": "CLV ARPU / churn",
    "clv_arpu_retention": "CLV ARPU / (1 - r)",
    "n": "answers",
    "detractor_share": "detractors %",
    "passive_share": "passives %",
    "promoter_share": "promoters %",
    "nps": "NPS",
    "nps_low": "NPS low",
    "nps_high": "NPS high",
    "n_before": "answers before",
    "n_after": "answers after",
    "nps_before": "NPS before",
    "nps_after": "NPS after",
    "std_error": "std. error",
    "p_value": "p-value",
    "diff_low": "difference low",
    "diff_high": "difference high",
    "small_sample": "small sample",
    "mrr_start": "MRR start",
    "mrr_end": "MRR end",
    "net_change": "net change",
    "gross_revenue_churn": "gross revenue churn",
    "net_revenue_churn": "net revenue churn",
    "grr": "GRR",
    "nrr": "NRR",
    "quick_ratio": "quick ratio",
    "arpa": "ARPA",
    "joined_and_left": "joined and left",
    "unconverted_trials": "unconverted trials",
}
"""Readable headers :func:`format_table` shows for the package's column names."""

# Rows of the KPI table: (key, label, kind). kind decides the format and how change is shown.
_KPI_ROWS: tuple[tuple[str, str, str], ...] = (
    ("customers_active", "Active customers (E)", "count"),
    ("new_customers", "New customers (N)", "count"),
    ("crr", "Customer retention rate (retained / S)", "rate"),
    ("crr_seed", "Customer retention rate, seed formula (E - N) / S", "rate"),
    ("churn", "Churn rate (lost / S)", "rate"),
    ("revenue", "Revenue", "money"),
    ("orders", "Orders", "count"),
    ("aov", "Average order value", "money"),
    ("repeat_purchase_rate", "Repeat purchase rate (to date)", "rate"),
    ("loyal_customer_rate", "Loyal customer rate (to date)", "rate"),
    ("nps", "Net Promoter Score", "score"),
)
_COMPARED = tuple(key for key, _, _ in _KPI_ROWS)


# --- formatting ------------------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _money(value: Any, currency: str, decimals: int = 2, *, sign: bool = False) -> str:
    if _is_missing(value):
        return _DASH
    number = float(value)
    prefix = "-" if number < 0 else ("+" if sign and number > 0 else "")
    return f"{prefix}{currency}{abs(number):,.{decimals}f}"


def _percent(value: Any, decimals: int = 1) -> str:
    return _DASH if _is_missing(value) else f"{float(value):,.{decimals}f} %"


def _integer(value: Any) -> str:
    return _DASH if _is_missing(value) else f"{float(value):,.0f}"


def _text(value: Any, decimals: int) -> str:
    """A cell of a column not named as percent, money or integer: floats rounded."""
    if _is_missing(value):
        return _DASH
    if isinstance(value, float | np.floating):
        return f"{value:,.{decimals}f}"
    return str(value)


def _html(format_value: Callable[[Any], str]) -> Callable[[Any], str]:
    """``format_value`` whose text is HTML-escaped (Styler does not escape by default)."""
    return lambda value: escape_html(format_value(value))


def _header(label: Any) -> str:
    """A column header for ``Styler.relabel_index``: escaped, braces kept literal."""
    # relabel_index calls label.format(key): a "{" from the data would be a format field.
    return escape_html(label).replace("{", "{{").replace("}", "}}")


def _escape_labels(styler: Styler) -> Styler:
    """Escape the row and column labels and the index names; keep MathJax off the table."""
    for axis in (0, 1):
        styler = styler.format_index(escape_html, axis=axis)
        styler = styler.format_index_names(escape_html, axis=axis)
    # MathJax typesets the whole exported page: "$5 to $10 plan" in a cell would become a
    # formula. These classes (pandas' own for styler.html.mathjax=False) make it skip.
    return styler.set_table_attributes('class="tex2jax_ignore mathjax_ignore"')


def format_table(
    table: pd.DataFrame,
    *,
    percent: Iterable[str] = (),
    money: Iterable[str] = (),
    integer: Iterable[str] = (),
    decimals: int = 1,
    currency: str = "$",
    hide_index: bool = False,
    caption: str | None = None,
    labels: Mapping[Any, str] | None = None,
) -> Styler:
    """A result frame as a readable table: thousands separators, percentages, currency.

    Parameters
    ----------
    table : pandas.DataFrame
        Any result of the package (rates in percent, amounts in currency).
    percent : iterable of str, optional
        Columns holding percentages, shown as ``"70.0 %"``.
    money : iterable of str, optional
        Columns holding amounts, shown as ``"$1,234.50"`` (``"-$5.00"`` when negative).
    integer : iterable of str, optional
        Columns holding counts, shown as ``"1,234"``.
    decimals : int, default 1
        Decimals of percentages and of the remaining float columns.
    currency : str, default "$"
        Currency symbol put before amounts.
    hide_index : bool, default False
        Hide the row labels (for tables whose index is only 0, 1, 2...).
    caption : str, optional
        Caption above the table.
    labels : mapping, optional
        Column headers to show instead of the column names, on top of the readable
        headers of :data:`COLUMN_LABELS` (``crr`` shows as ``CRR``); pass ``{}`` to keep
        the names.

    Returns
    -------
    pandas.io.formats.style.Styler
        Display it in a notebook; ``.data`` is the unchanged frame. Missing values show as
        a dash. Cells, row and column labels, index names and the caption are HTML-escaped
        (``<`` shows as ``&lt;`` in ``to_string()``) and the table is marked for MathJax to
        skip, so data values show as text (``$5 to $10`` is no formula).

    Raises
    ------
    RetentionKitError
        If a named column is not in the table.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"customers": [1200, 950], "crr": [70.0, 81.25],
    ...                       "revenue": [15300.5, -20.0]})
    >>> styled = format_table(table, percent=["crr"], money=["revenue"],
    ...                       integer=["customers"], currency="€")
    >>> styled.data is table
    True
    >>> print(styled.to_string(delimiter=" | "))  # doctest: +NORMALIZE_WHITESPACE
     | customers | CRR | revenue
    0 | 1,200 | 70.0 % | €15,300.50
    1 | 950 | 81.2 % | -€20.00
    >>> segments = pd.DataFrame({"segment": ["<img src=x onerror=alert(1)>"]})
    >>> "&lt;img src=x onerror=alert(1)&gt;" in format_table(segments).to_html()
    True
    """
    percent, money, integer = list(percent), list(money), list(integer)
    missing = [c for c in [*percent, *money, *integer] if c not in table.columns]
    if missing:
        msg = (
            f"format_table: column(s) {missing} are not in the table; it has "
            f"{list(map(str, table.columns))}."
        )
        raise RetentionKitError(msg)
    styler = _escape_labels(table.style.format(_html(lambda v: _text(v, decimals))))
    if percent:
        styler = styler.format(_html(lambda v: _percent(v, decimals)), subset=percent)
    if money:
        styler = styler.format(_html(lambda v: _money(v, currency)), subset=money)
    if integer:
        styler = styler.format(_html(_integer), subset=integer)
    if hide_index:
        styler = styler.hide(axis="index")
    if caption:
        styler = styler.set_caption(escape_html(caption))
    headers = {**COLUMN_LABELS, **labels} if labels else ({} if labels == {} else COLUMN_LABELS)
    if not isinstance(table.columns, pd.MultiIndex):
        styler = styler.relabel_index(
            [_header(headers.get(c, str(c))) for c in table.columns], axis="columns"
        )
    numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c].dtype)]
    if numeric:
        styler = styler.set_properties(subset=numeric, **{"text-align": "right"})
    return styler


# --- headline KPIs ---------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A JSON-ready scalar: NaN and NA become None, numpy numbers become Python ones."""
    if _is_missing(value):
        return None
    if isinstance(value, bool):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
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
    window = {"start": period.start_time, "end": period.end_time}
    aov = average_order_value(orders, **columns, **window).iloc[0]
    to_date = {"end": period.end_time}
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
    kpi_table : the figures as a table.
    write_metrics : the figures as ``metrics.json``.

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

    frame = to_lazy(orders, arg="orders")
    counts = collect(
        frame.select(nw.len().alias("rows"), nw.col(customer_col).n_unique().alias("customers"))
    )
    kpis: dict[str, Any] = {
        "period": str(rows[""]["period"]),
        "previous_period": str(rows["_previous"]["period"]) if "_previous" in rows else None,
        "freq": freq,
        "as_of": None if as_of is None else str(parse_date_arg(as_of, "as_of").date()),
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
            if suffix and key not in _COMPARED:
                continue
            kpis[f"{key}{suffix}"] = _plain(value)

    for key in _COMPARED:
        now, before = kpis.get(key), kpis.get(f"{key}_previous")
        kpis[f"{key}_change"] = None if now is None or before is None else now - before
    now, before = kpis["revenue"], kpis.get("revenue_previous")
    kpis["revenue_change_pct"] = (now - before) / before * 100 if before not in (None, 0) else None
    kpis["data_rows"] = int(counts["rows"].iloc[0])
    kpis["data_customers"] = int(counts["customers"].iloc[0])
    return kpis


def _change_text(kind: str, change: Any, pct: Any, currency: str) -> str:
    if _is_missing(change):
        return _DASH
    if kind == "rate":
        return f"{change:+,.1f} pts"
    if kind == "score":
        return f"{change:+,.1f}"
    if kind == "money":
        text = _money(change, currency, sign=True)
        return text if _is_missing(pct) else f"{text} ({pct:+.1f} %)"
    return f"{change:+,.0f}"


def _value_text(kind: str, value: Any, currency: str) -> str:
    if kind == "rate":
        return _percent(value)
    if kind == "money":
        return _money(value, currency)
    if kind == "score":
        return _DASH if _is_missing(value) else f"{value:+.1f}"
    return _integer(value)


def kpi_table(kpis: Mapping[str, Any], currency: str = "$") -> Styler:
    """The headline figures of :func:`headline_kpis` as a three-column table.

    Parameters
    ----------
    kpis : mapping
        The result of :func:`headline_kpis` (or ``metrics.json`` read back).
    currency : str, default "$"
        Currency symbol of revenue and AOV.

    Returns
    -------
    pandas.io.formats.style.Styler
        One row per figure; columns: the period, the previous period and the change
        (percentage points for rates, currency and percent for revenue). ``.data`` holds
        the texts; the display escapes their HTML.

    Examples
    --------
    >>> kpis = {"period": "2024-12", "previous_period": "2024-11",
    ...         "customers_active": 999, "customers_active_previous": 1004,
    ...         "customers_active_change": -5, "crr": 67.5, "crr_previous": 72.2,
    ...         "crr_change": -4.7, "revenue": 60150.0, "revenue_previous": 58000.0,
    ...         "revenue_change": 2150.0, "revenue_change_pct": 3.7}
    >>> kpi_table(kpis).data.loc["Revenue"].tolist()
    ['$60,150.00', '$58,000.00', '+$2,150.00 (+3.7 %)']
    >>> kpi_table(kpis).data.loc["Customer retention rate (retained / S)"].tolist()
    ['67.5 %', '72.2 %', '-4.7 pts']
    """
    current = str(kpis.get("period", "this period"))
    previous = kpis.get("previous_period") or "previous period"
    records = {}
    for key, label, kind in _KPI_ROWS:
        if key not in kpis:
            continue
        if key == "loyal_customer_rate" and "loyalty_threshold" in kpis:
            label = f"Loyal customer rate (> {kpis['loyalty_threshold']} orders, to date)"
        pct = kpis.get("revenue_change_pct") if key == "revenue" else None
        records[label] = [
            _value_text(kind, kpis.get(key), currency),
            _value_text(kind, kpis.get(f"{key}_previous"), currency),
            _change_text(kind, kpis.get(f"{key}_change"), pct, currency),
        ]
    table = pd.DataFrame.from_dict(
        records, orient="index", columns=[current, str(previous), "Change"]
    )
    styler = _escape_labels(table.style.format(escape_html))
    return styler.set_properties(**{"text-align": "right"}).set_table_styles(
        [{"selector": "th.row_heading", "props": [("text-align", "left")]}]
    )


def write_metrics(kpis: Mapping[str, Any], output_dir: str | Path = ".") -> Path:
    """Write the headline figures as ``metrics.json`` (strict JSON: no NaN) into a folder.

    Parameters
    ----------
    kpis : mapping
        The result of :func:`headline_kpis`.
    output_dir : str or Path, default "."
        Folder to write into; created when missing.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import json, tempfile
    >>> path = write_metrics({"period": "2024-12", "crr": 67.5, "nps": None},
    ...                      tempfile.mkdtemp())
    >>> json.loads(path.read_text())["crr"]
    67.5
    """
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "metrics.json"
    clean = {key: _plain(value) for key, value in kpis.items()}
    path.write_text(json.dumps(clean, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    return path


# --- small gaps ------------------------------------------------------------------------------


def period_discount_rate(annual_rate: float, freq: Freq) -> float:
    """An annual discount rate (percent) as the equivalent rate per period (percent).

    ``(1 + d) ** (1 / k) - 1`` with ``k`` periods a year (:data:`PERIODS_PER_YEAR`), so
    that compounding the per-period rate over a year gives back the annual rate.

    Parameters
    ----------
    annual_rate : float
        Discount rate per year, percent (10 for 10 %).
    freq : {"day", "week", "month", "quarter", "year"}
        The period.

    Returns
    -------
    float
        Discount rate per period, percent.

    Raises
    ------
    RetentionKitError
        If the rate is negative or not a number, or ``freq`` is unknown.

    Examples
    --------
    >>> round(period_discount_rate(10.0, "month"), 4)
    0.7974
    >>> period_discount_rate(10.0, "year")
    10.0
    """
    freq = check_freq(freq)  # type: ignore[assignment]
    try:
        rate = float(annual_rate)
    except (TypeError, ValueError):
        msg = f"annual_rate={annual_rate!r} must be a number (percent per year)."
        raise RetentionKitError(msg) from None
    if not math.isfinite(rate) or rate < 0:
        msg = f"annual_rate={annual_rate!r} must be a percentage >= 0."
        raise RetentionKitError(msg)
    k = PERIODS_PER_YEAR[freq]
    if k == 1:
        return rate
    return ((1 + rate / 100) ** (1 / k) - 1) * 100


def revenue_by_period(
    orders: Any,
    *,
    freq: Freq = "month",
    as_of: Any = None,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    order_col: str | None = None,
    duplicates: Duplicates = "warn",
) -> pd.DataFrame:
    """Revenue, orders, buying customers and AOV of each complete calendar period.

    Revenue is net of returns; an order counts when its net amount is positive (as in
    :func:`~retention_kit.average_order_value`, whose figures for one period these are).

    Parameters
    ----------
    orders : DataFrame-like
        One row per order or order line.
    freq : {"day", "week", "month", "quarter", "year"}, default "month"
        Period length.
    as_of : date-like, optional
        Date the data runs to (default: the last order); later, incomplete periods are
        left out.
    customer_col, date_col, amount_col, order_col : str
        Columns of ``orders``.
    duplicates : {"warn", "drop", "keep", "error"}, default "warn"
        What to do with exact duplicate rows (see :func:`~retention_kit.period_summary`).

    Returns
    -------
    pandas.DataFrame
        Columns ``period`` (pandas Period), ``revenue``, ``orders``, ``customers``
        (customers with an order) and ``aov`` (NaN in a period without an order with a
        positive amount; :class:`EmptyDataError` when no period has one).

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "customer_id": ["a", "b", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-02-03",
    ...                                   "2024-02-28"]),
    ...     "amount": [10.0, 30.0, 25.0, 5.0]})
    >>> revenue_by_period(orders, as_of="2024-02-29")
        period  revenue  orders  customers   aov
    0  2024-01     40.0       2          2  20.0
    1  2024-02     30.0       2          2  15.0
    """
    freq = check_freq(freq)  # type: ignore[assignment]
    prepared = prepare_orders(
        orders,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        order_col=order_col,
        duplicates=duplicates,
    )
    # Aggregated in the engine: only one row per period comes back.
    frame = prepared.frame.with_columns(
        period_index(DATE, freq, prepared.frame).alias(PERIOD),
        nw.col(IS_ORDER).cast(nw.Int64).alias("orders"),
    )
    sums = collect(
        frame.group_by(PERIOD).agg(nw.col(AMOUNT).sum().alias("revenue"), nw.col("orders").sum())
    )
    buyers = collect(
        frame.filter(nw.col(IS_ORDER))
        .select(CUSTOMER, PERIOD)
        .unique()
        .group_by(PERIOD)
        .agg(nw.len().alias("customers"))
    )
    if not sums["orders"].sum():
        no_positive_orders(amount_col)
    table = sums.merge(buyers, on=PERIOD, how="left").fillna({"customers": 0})
    table = table.sort_values(PERIOD).reset_index(drop=True)
    cutoff = resolve_as_of(as_of, prepared.max_date, first=prepared.min_date)
    table = table[is_complete(table[PERIOD], freq, cutoff)].reset_index(drop=True)
    table.insert(0, "period", to_periods(table[PERIOD], freq))
    table = table[["period", "revenue", "orders", "customers"]]
    table["orders"] = table["orders"].astype("int64")
    table["customers"] = table["customers"].astype("int64")
    table["aov"] = table["revenue"] / table["orders"].where(table["orders"] > 0)
    return table


def versions() -> dict[str, str]:
    """Versions of Python and of the packages a report depends on.

    Returns
    -------
    dict
        ``python``, ``retention_kit``, ``pandas``, ``narwhals``, ``numpy``,
        ``matplotlib``, ``seaborn``: version strings (``"not installed"`` when missing).

    Examples
    --------
    >>> sorted(versions())[:3]
    ['matplotlib', 'narwhals', 'numpy']
    """
    from ._version import __version__

    found = {"python": platform.python_version(), "retention_kit": __version__}
    for name in ("pandas", "narwhals", "numpy", "matplotlib", "seaborn"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def describe_orders(orders: Any) -> dict[str, Any]:
    """Facts about an order table, computed in its engine: rows, customers, span, returns.

    Parameters
    ----------
    orders : DataFrame-like
        The result of :func:`retention_kit.io.read_orders` (any engine).

    Returns
    -------
    dict
        ``rows``, ``customers``, ``first`` and ``last`` order dates and ``returns`` (lines
        with a negative amount). Exact duplicates are counted by
        :func:`~retention_kit.io.read_orders`, on every column of the file: the columns
        kept here make different lines look alike.

    Examples
    --------
    >>> import retention_kit as rk
    >>> facts = describe_orders(rk.io.read_orders("demo"))
    >>> facts["rows"], facts["customers"], facts["returns"]
    (48476, 4000, 0)
    """
    return order_facts(orders)


def customer_segments(orders: Any, segment: str = "segment") -> pd.Series:
    """Each customer's segment (the one on their first order), computed in the engine.

    Parameters
    ----------
    orders : DataFrame-like
        The result of :func:`retention_kit.io.read_orders` with a segment column.
    segment : str, default "segment"
        The segment column.

    Returns
    -------
    pandas.Series
        Indexed by ``customer_id``; one row per customer.

    Examples
    --------
    >>> import retention_kit as rk
    >>> segments = customer_segments(rk.io.read_orders("demo", segment_col="channel"))
    >>> segments.value_counts().to_dict()["referral"]
    570
    """
    frame = to_lazy(orders, arg="orders")
    first = frame.with_columns(
        nw.col("order_date").min().over("customer_id").alias("_rk_first_date")
    ).filter(nw.col("order_date") == nw.col("_rk_first_date"))
    table = collect(first.group_by("customer_id").agg(nw.col(segment).min()))
    return table.set_index("customer_id")[segment].sort_index()
