"""Presenting results: formatted tables, the KPI table, saved figures and versions.

The notebooks under ``notebooks/`` hold the narrative and the package computes; this module
only formats and presents what it computed:

- :func:`format_table` turns a result frame into a readable table (thousands separators,
  percentages, currency);
- :func:`kpi_table` shows the headline figures of :func:`~retention_kit.kpis.headline_kpis`
  and :func:`write_metrics` saves figures as strict JSON (``metrics.json``);
- :func:`versions` records the software a report was made with;
- :func:`escape_md` and :func:`escape_html` make a data value (a segment, plan or customer
  id) safe to put into a Markdown or HTML string of a notebook, :func:`escape_mpl` into a
  matplotlib title or label (the package's own plots already do this).

Every table here escapes the HTML in its cells, row and column labels, index names and
caption: a segment called ``<img src=x onerror=alert(1)>`` shows as that text.

The computations the notebooks call as ``reporting.<name>`` moved to their topic modules
and are re-exported here: :func:`~retention_kit.kpis.headline_kpis` (``kpis``),
:func:`~retention_kit.revenue.revenue_by_period` (``revenue``),
:func:`~retention_kit.conversions.period_discount_rate` and ``PERIODS_PER_YEAR``
(``conversions``), :func:`~retention_kit.report_data.describe_orders`, the report loaders
(``report_data``) and :func:`~retention_kit.segments.customer_segments` (``segments``).
"""

from __future__ import annotations

import json
import platform
from collections.abc import Callable, Hashable, Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from ._formatting import DASH as _DASH
from ._formatting import integer as _integer
from ._formatting import is_missing as _is_missing
from ._formatting import money as _money
from ._formatting import percent as _percent
from ._formatting import plain as _text
from ._text import escape_html, escape_md
from ._text import literal as escape_mpl
from ._version import __version__
from .conversions import PERIODS_PER_YEAR, period_discount_rate
from .exceptions import RetentionKitError
from .kpis import headline_kpis, json_ready
from .report_data import OrderData, describe_orders, load_answers_for_report, load_orders_for_report
from .revenue import revenue_by_period
from .sections import section
from .segments import customer_segments

if TYPE_CHECKING:  # pandas' Styler needs jinja2 when imported; only styling uses it
    from pandas.io.formats.style import Styler

__all__ = [
    "COLUMN_LABELS",
    "PERIODS_PER_YEAR",
    "OrderData",
    "customer_segments",
    "describe_orders",
    "escape_html",
    "escape_md",
    "escape_mpl",
    "format_table",
    "headline_kpis",
    "kpi_table",
    "load_answers_for_report",
    "load_orders_for_report",
    "period_discount_rate",
    "revenue_by_period",
    "section",
    "versions",
    "write_metrics",
]


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


# --- formatting ------------------------------------------------------------------------------


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
        styler = cast("Styler", styler.format_index_names(escape_html, axis=axis))
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
    percent_cols: list[Hashable] = list(percent)
    money_cols: list[Hashable] = list(money)
    integer_cols: list[Hashable] = list(integer)
    missing = [c for c in [*percent_cols, *money_cols, *integer_cols] if c not in table.columns]
    if missing:
        msg = (
            f"format_table: column(s) {missing} are not in the table; it has "
            f"{list(map(str, table.columns))}."
        )
        raise RetentionKitError(msg)
    styler = _escape_labels(table.style.format(_html(lambda v: _text(v, decimals))))
    if percent_cols:
        styler = styler.format(_html(lambda v: _percent(v, decimals)), subset=percent_cols)
    if money_cols:
        styler = styler.format(_html(lambda v: _money(v, currency)), subset=money_cols)
    if integer_cols:
        styler = styler.format(_html(_integer), subset=integer_cols)
    if hide_index:
        styler = styler.hide(axis="index")
    if caption:
        styler = styler.set_caption(escape_html(caption))
    headers = {**COLUMN_LABELS, **labels} if labels else ({} if labels == {} else COLUMN_LABELS)
    if not isinstance(table.columns, pd.MultiIndex):
        styler = styler.relabel_index(
            [_header(headers.get(c, str(c))) for c in table.columns], axis="columns"
        )
    numeric: list[Hashable] = [
        c for c in table.columns if pd.api.types.is_numeric_dtype(table[c].dtype)
    ]
    right = {"text-align": "right"}  # a CSS name with a dash: passed as **kwargs
    if numeric:
        styler = styler.set_properties(numeric, **right)
    return styler


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
    right = {"text-align": "right"}
    return styler.set_properties(None, **right).set_table_styles(
        [{"selector": "th.row_heading", "props": [("text-align", "left")]}]
    )


def write_metrics(
    kpis: Mapping[str, Any], output_dir: str | Path = ".", *, filename: str = "metrics.json"
) -> Path:
    """Write figures as strict JSON (NaN, inf and NA as null) into a folder.

    Parameters
    ----------
    kpis : mapping
        The result of :func:`~retention_kit.kpis.headline_kpis`, or any mapping of
        figures (nested mappings and lists too, numpy numbers included).
    output_dir : str or Path, default "."
        Folder to write into; created when missing.
    filename : str, default "metrics.json"
        Name of the file, e.g. ``"clv_models.json"``.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import json, tempfile
    >>> path = write_metrics({"period": "2024-12", "crr": 67.5, "nps": float("nan")},
    ...                      tempfile.mkdtemp())
    >>> json.loads(path.read_text())
    {'period': '2024-12', 'crr': 67.5, 'nps': None}
    >>> path.name
    'metrics.json'
    """
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    clean = json_ready(dict(kpis))
    path.write_text(json.dumps(clean, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    return path


def versions(*packages: str) -> dict[str, str]:
    """Versions of Python and of the packages a report depends on.

    Parameters
    ----------
    *packages : str
        More distributions to list after the usual ones (``"lifelines"``, say).

    Returns
    -------
    dict
        ``python``, ``retention_kit``, ``pandas``, ``narwhals``, ``numpy``,
        ``matplotlib``, ``seaborn`` and ``packages``: version strings (``"not
        installed"`` when missing).

    Examples
    --------
    >>> sorted(versions())[:3]
    ['matplotlib', 'narwhals', 'numpy']
    >>> versions("no-such-package-rk")["no-such-package-rk"]
    'not installed'
    """
    found = {"python": platform.python_version(), "retention_kit": __version__}
    for name in ("pandas", "narwhals", "numpy", "matplotlib", "seaborn", *packages):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found
