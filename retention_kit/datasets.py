"""Deterministic demo data sets, generated in-process from a seed.

Nothing is downloaded: each loader simulates a small business with
:func:`numpy.random.default_rng` and returns a fresh :class:`pandas.DataFrame`.
The same arguments always give the same frame; another ``seed`` gives another
draw from the same model.

All three data sets cover whole calendar months and end on 2024-12-31, and they
share one customer id space (``"C00001"``, ``"C00002"``, ...). The acquisition
channel of a customer id is the same in every table (it is taken from
:func:`load_orders` with its default arguments), so the tables can be joined on
``customer_id``.

The models, in short:

* :func:`load_orders` is a buy-till-you-die simulation (the BG/NBD story of
  Fader, Hardie and Lee, 2005): each customer buys at a Poisson rate drawn from
  a gamma distribution and, after every purchase, drops out for good with a
  probability drawn from a beta distribution. Referral customers buy more
  often and stay longer, paid-search customers less. A mild year-end season
  and a day-time profile shape the timestamps.
* :func:`load_subscriptions` simulates a three-plan SaaS product with free
  trials, monthly cancellations, upgrades, downgrades and reactivations.
* :func:`load_nps` draws 0-10 survey answers whose level differs by channel and
  improves slowly over 2023-2024.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from ._arguments import check_whole_number
from ._docstrings import fill_doc
from ._frames import DAYS_PER_UNIT

__all__ = ["load_invoices", "load_nps", "load_orders", "load_subscriptions"]

# --- shared calendar and customer base ---------------------------------------------------

_ORIGIN = np.datetime64("2022-01-01", "D")
_SPAN_DAYS = 1096  # 2022-01-01 .. 2024-12-31 inclusive (2024 is a leap year)
_LAST_DAY = _SPAN_DAYS - 1  # day number of 2024-12-31
_NPS_FIRST_DAY = 365  # day number of 2023-01-01
_ARRIVAL_GROWTH = 0.6  # arrival rate at the end is 1.6 times the rate at the start

_CHANNELS = ("organic", "paid_search", "social", "referral")
_CHANNEL_SHARES = (0.40, 0.25, 0.20, 0.15)
_REGIONS = ("north", "south", "east", "west")
_REGION_SHARES = (0.35, 0.25, 0.25, 0.15)

# load_orders(): the default customer base that load_subscriptions() and load_nps() share.
_DEFAULT_ORDER_CUSTOMERS = 4000
_DEFAULT_ORDER_SEED = 42

# --- load_orders model -------------------------------------------------------------------

# Per channel: multiplier of the purchase rate, and the beta(a, b) of the drop-out
# probability after each purchase (mean a / (a + b)).
_ORDER_RATE_MULT = np.array([1.00, 0.85, 0.90, 1.15])
_ORDER_DROP_A = np.array([0.30, 0.40, 0.35, 0.30])
_ORDER_DROP_B = np.array([1.0, 0.7, 0.8, 1.6])
_ORDER_RATE_SHAPE = 1.0  # gamma shape of the purchase rate (heterogeneity)
_ORDER_RATE_MEAN = 1.0 / 15.0  # orders per day, before the channel multiplier
_SEASON_PEAK = 0.30  # +30% purchase rate around the end of November
_SPEND_MEAN = np.array([58.0, 50.0, 45.0, 62.0])  # mean order value by channel
_SPEND_SHAPE = 2.5  # gamma shape of the customer's mean spend (between customers)
_ORDER_SHAPE = 6.0  # gamma shape of one order around the customer's mean (within)
# Relative order volume by hour of day (00h .. 23h), for the time-of-day profile.
_HOUR_WEIGHTS = np.array(
    [1.0, 0.6, 0.4, 0.3, 0.3, 0.4, 0.8, 1.5, 2.5, 3.0, 3.2, 3.5,
     4.0, 3.8, 3.4, 3.2, 3.3, 3.6, 4.2, 4.6, 4.4, 3.6, 2.6, 1.6]
)  # fmt: skip

# --- load_subscriptions model ------------------------------------------------------------

_PLANS = ("basic", "pro", "business")
_PLAN_PRICES = (29.0, 79.0, 199.0)
_PLAN_SHARES = np.array([0.60, 0.30, 0.10])
_TRIAL_SHARE = 0.30
_TRIAL_DAYS = 14
_TRIAL_CONVERSION = np.array([0.55, 0.40, 0.45, 0.65])  # by channel
_MONTHLY_CHURN_MEAN = np.array([0.035, 0.055, 0.045, 0.025])  # by channel
_CHURN_BETA_A = 2.0
_MONTHLY_UPGRADE = (0.025, 0.012, 0.0)  # basic->pro, pro->business, none above business
_MONTHLY_DOWNGRADE = (0.0, 0.015, 0.020)  # none below basic, pro->basic, business->pro
_REACTIVATION = 0.30  # chance that a paying customer who cancelled comes back
_REACTIVATION_AFTER_TRIAL = 0.10  # the same for a trial that never converted
_REACTIVATION_MIN_GAP = 30  # days
_REACTIVATION_MEAN_EXTRA_GAP = 150.0  # days, exponential on top of the minimum
_SAME_PLAN_ON_RETURN = 0.6

# --- load_nps model ----------------------------------------------------------------------

_NPS_BASE = 7.3  # mean of the latent score for organic customers on 2023-01-01
_NPS_CHANNEL_SHIFT = np.array([0.0, -0.7, -0.35, 0.6])
_NPS_TREND_PER_YEAR = 0.45
_NPS_NOISE_SD = 2.1


# --- helpers -----------------------------------------------------------------------------


def _ids(prefix: str, n: int, width: int) -> list[str]:
    """Return ``[prefix + "0..01", ...]`` zero-padded to at least ``width`` digits."""
    width = max(width, len(str(n)))
    return [f"{prefix}{i:0{width}d}" for i in range(1, n + 1)]


def _customer_ids(index: np.ndarray, n_total: int) -> np.ndarray:
    """Map 0-based customer numbers to ``"C00001"``-style ids."""
    return np.asarray(_ids("C", n_total, 5), dtype=object)[index]


def _arrival_days(rng: np.random.Generator, n: int) -> np.ndarray:
    """Draw ``n`` sorted arrival times in days in [0, _SPAN_DAYS) at a linearly growing rate."""
    # Density proportional to 1 + g*x on [0, 1]; invert its CDF (x + g x^2 / 2) / (1 + g / 2).
    g = _ARRIVAL_GROWTH
    u = rng.random(n)
    x = (np.sqrt(1.0 + 2.0 * g * u * (1.0 + g / 2.0)) - 1.0) / g
    return np.sort(np.minimum(x, np.nextafter(1.0, 0.0)) * _SPAN_DAYS)


def _draw_customers(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw the customer base: arrival time (days, sorted), channel index, region index.

    This must be the first use of ``rng`` in :func:`load_orders`, so that the other
    loaders can rebuild the default customer base from its seed alone.
    """
    arrival = _arrival_days(rng, n)
    channel = rng.choice(len(_CHANNELS), size=n, p=_CHANNEL_SHARES)
    region = rng.choice(len(_REGIONS), size=n, p=_REGION_SHARES)
    return arrival, channel, region


def _default_customer_base() -> tuple[np.ndarray, np.ndarray]:
    """Arrival days and channel index of the customers of ``load_orders()``."""
    arrival, channel, _ = _draw_customers(
        np.random.default_rng(_DEFAULT_ORDER_SEED), _DEFAULT_ORDER_CUSTOMERS
    )
    return arrival, channel


def _season(t: np.ndarray) -> np.ndarray:
    """Relative purchase rate at day ``t``: 1, rising to 1 + peak around late November."""
    year = DAYS_PER_UNIT["year"]
    day_of_year = np.mod(t, year)
    distance = np.minimum(np.abs(day_of_year - 330.0), year - np.abs(day_of_year - 330.0))
    return 1.0 + _SEASON_PEAK * np.exp(-0.5 * (distance / 20.0) ** 2)


def _to_timestamps(t: np.ndarray) -> np.ndarray:
    """Turn fractional days since 2022-01-01 into datetime64[ns], with a day-time profile.

    The fractional part of a day is mapped through the (monotone) quantile function of
    the hourly profile, so the order of events is kept.
    """
    cdf = np.concatenate([[0.0], np.cumsum(_HOUR_WEIGHTS) / _HOUR_WEIGHTS.sum()])
    day = np.floor(t)
    seconds_in_day = np.interp(t - day, cdf, np.arange(25.0)) * 3600.0
    seconds_in_day = np.minimum(np.floor(seconds_in_day), 86399.0)
    seconds = (day * 86400.0 + seconds_in_day).astype(np.int64)
    origin = _ORIGIN.astype("datetime64[ns]")
    return origin + seconds.astype("timedelta64[s]").astype("timedelta64[ns]")


def _day_dates(days: np.ndarray) -> np.ndarray:
    """Turn day numbers since 2022-01-01 into datetime64[ns] dates (-1 becomes NaT)."""
    days = np.asarray(days, dtype=np.int64)
    dates = (_ORIGIN + days.astype("timedelta64[D]")).astype("datetime64[ns]")
    dates[days < 0] = np.datetime64("NaT")
    return dates


def _paying_spell(
    rng: np.random.Generator,
    add_row: Callable[[int, int, int, int, int], None],
    customer: int,
    plan: int,
    start: int,
    trial_end: int,
    paying_from: int,
    churn: float,
) -> int:
    """Simulate one paid spell of a customer, adding one row per plan; return the day left.

    Returns -1 if the customer is still subscribed at the end of the data.
    """
    seg_start, seg_trial_end, clock = start, trial_end, paying_from
    while True:
        up, down = _MONTHLY_UPGRADE[plan], _MONTHLY_DOWNGRADE[plan]
        hazard = churn + up + down
        months = int(rng.geometric(hazard))
        event = rng.choice(3, p=[churn / hazard, up / hazard, down / hazard])
        if event == 0:  # cancel on a billing anniversary (counted from the first payment)
            billed = math.floor((clock - paying_from) / DAYS_PER_UNIT["month"])
            day = paying_from + round((billed + months) * DAYS_PER_UNIT["month"])
        else:  # change plan on some day within that month
            day = clock + round((months - 1) * DAYS_PER_UNIT["month"]) + int(rng.integers(1, 31))
        day = max(day, clock + 1)
        if day > _LAST_DAY:
            add_row(customer, plan, seg_start, -1, seg_trial_end)
            return -1
        add_row(customer, plan, seg_start, day, seg_trial_end)
        if event == 0:
            return day
        plan = plan + 1 if event == 1 else plan - 1
        seg_start, seg_trial_end, clock = day, -1, day


# --- loaders -----------------------------------------------------------------------------


@fill_doc
def load_orders(*, n_customers: int = 4000, seed: int = 42) -> pd.DataFrame:
    """Simulate three years of orders of a web shop.

    Customers arrive between 2022-01-01 and 2024-12-31, a little faster as time
    goes on, and each places a first order on arrival. Then each buys at their
    own Poisson rate (gamma distributed across customers) and, after every
    purchase, leaves for good with their own probability (beta distributed):
    a buy-till-you-die process, so retention decays the way it does in real
    shops. Referral customers buy more often and are more loyal, paid-search
    customers less. Order values scatter around a per-customer mean spend.
    The data end at 2024-12-31 23:59:59, so every month is complete.

    Parameters
    ----------
    n_customers : int, default 4000
        Number of customers (>= 1). With the default the table has about
        50,000 orders.
    %(seed)s

    Returns
    -------
    pandas.DataFrame
        One row per order, sorted by ``order_date``, with columns

        - ``order_id`` (str): ``"O000001"``, ... unique, in date order.
        - ``customer_id`` (str): ``"C00001"``, ... numbered in order of arrival.
        - ``order_date`` (datetime64[ns]): naive timestamp with a time of day.
        - ``amount`` (float64): order value, > 0, rounded to cents.
        - ``channel`` (str): acquisition channel of the customer, one of
          ``"organic"``, ``"paid_search"``, ``"social"``, ``"referral"``.
        - ``region`` (str): ``"north"``, ``"south"``, ``"east"`` or ``"west"``.

    Raises
    ------
    RetentionKitError
        If ``n_customers`` is not an integer >= 1 or ``seed`` is not an integer >= 0.

    See Also
    --------
    load_subscriptions : Contractual (subscription) data on the same customer ids.
    load_nps : Survey answers of these customers.

    Notes
    -----
    The purchase process is that of the BG/NBD model (Fader, Hardie and Lee, 2005,
    "Counting your customers the easy way"): the customer may drop out right after
    any purchase, including the first one. A seasonal bump around late November
    (+30%) modulates the purchase rate, and timestamps follow a day-time profile
    that peaks at lunch and in the evening.

    Examples
    --------
    >>> from retention_kit.datasets import load_orders
    >>> orders = load_orders()
    >>> list(orders.columns)
    ['order_id', 'customer_id', 'order_date', 'amount', 'channel', 'region']
    >>> 40_000 <= len(orders) <= 60_000
    True
    >>> orders["customer_id"].nunique()
    4000
    >>> str(orders["order_date"].min().date()), str(orders["order_date"].max().date())
    ('2022-01-01', '2024-12-31')
    >>> load_orders(n_customers=50, seed=1).equals(load_orders(n_customers=50, seed=1))
    True
    """
    n_customers = check_whole_number(n_customers, "n_customers", minimum=1, example=4000)
    rng = np.random.default_rng(check_whole_number(seed, "seed", minimum=0, example=42))
    arrival, channel, region = _draw_customers(rng, n_customers)  # must be the first draw

    # Per-customer traits.
    rate = rng.gamma(_ORDER_RATE_SHAPE, _ORDER_RATE_MEAN / _ORDER_RATE_SHAPE, n_customers)
    rate *= _ORDER_RATE_MULT[channel]
    drop = rng.beta(_ORDER_DROP_A[channel], _ORDER_DROP_B[channel])
    drop = np.clip(drop, 1e-6, 1.0)
    # Repeat purchases the customer would make if the data never ended (geometric).
    lives = rng.geometric(drop) - 1
    mean_spend = rng.gamma(_SPEND_SHAPE, _SPEND_MEAN[channel] / _SPEND_SHAPE)

    # Repeat purchases: a Poisson process at rate * season(t), simulated by thinning a
    # process at rate * max(season); candidate counts are capped far in the tail of the
    # Poisson count of the remaining window, so the cap practically never binds.
    peak = 1.0 + _SEASON_PEAK
    expected = rate * peak * (_SPAN_DAYS - arrival)
    cap_window = np.ceil(expected + 6.0 * np.sqrt(expected) + 10.0)
    cap_lives = np.ceil(peak * lives + 6.0 * np.sqrt(peak * lives) + 10.0)
    n_candidates = np.where(lives > 0, np.minimum(cap_window, cap_lives), 0).astype(np.int64)

    owner = np.repeat(np.arange(n_customers), n_candidates)
    starts = np.concatenate([[0], np.cumsum(n_candidates)[:-1]])
    gaps = rng.exponential(1.0, owner.size) / (rate * peak)[owner]
    cumulative = np.cumsum(gaps)
    before_group = np.concatenate([[0.0], cumulative])[starts]
    t = arrival[owner] + cumulative - np.repeat(before_group, n_candidates)
    accepted = rng.random(owner.size) * peak < _season(t)
    purchase_number = np.cumsum(accepted) - np.repeat(
        np.concatenate([[0], np.cumsum(accepted)])[starts], n_candidates
    )
    keep = accepted & (t < _SPAN_DAYS) & (purchase_number <= lives[owner])

    customer = np.concatenate([np.arange(n_customers), owner[keep]])
    t_all = np.concatenate([arrival, t[keep]])
    # Sort by time; ties (same instant) by customer number, stable.
    order = np.lexsort((customer, t_all))
    customer = customer[order]
    order_date = _to_timestamps(t_all[order])

    amount = rng.gamma(_ORDER_SHAPE, mean_spend[customer] / _ORDER_SHAPE)
    amount = np.maximum(np.round(amount, 2), 0.01)

    n_orders = customer.size
    channels = np.asarray(_CHANNELS, dtype=object)
    regions = np.asarray(_REGIONS, dtype=object)
    return pd.DataFrame(
        {
            "order_id": _ids("O", n_orders, 6),
            "customer_id": _customer_ids(customer, n_customers),
            "order_date": pd.Series(order_date, dtype="datetime64[ns]"),
            "amount": amount.astype(np.float64),
            "channel": channels[channel[customer]],
            "region": regions[region[customer]],
        }
    ).astype({"order_id": "str", "customer_id": "str", "channel": "str", "region": "str"})


@fill_doc
def load_subscriptions(*, n_customers: int = 1500, seed: int = 7) -> pd.DataFrame:
    """Simulate the subscription spells of a three-plan SaaS product.

    Customers sign up between 2022-01-01 and 2024-12-31 on the ``"basic"``
    (29.0 per month), ``"pro"`` (79.0) or ``"business"`` (199.0) plan. About 30%
    start with a 14-day free trial; some convert to paid, the others leave when
    the trial ends. Paying customers cancel at a monthly hazard that depends on
    their channel, and upgrade or downgrade one plan at a time. Some who cancel
    come back later (reactivation).

    Parameters
    ----------
    n_customers : int, default 1500
        Number of customers (>= 1). The default gives about 2,000 rows.
    %(seed)s

    Returns
    -------
    pandas.DataFrame
        One row per subscription spell on one plan, sorted by ``start_date``, with
        columns

        - ``subscription_id`` (str): ``"S000001"``, ... unique.
        - ``customer_id`` (str): ``"C00001"`` ... ``"C01500"`` (the ids of
          :func:`load_orders`).
        - ``plan`` (str): ``"basic"``, ``"pro"`` or ``"business"``.
        - ``start_date`` (datetime64[ns]): first day of the spell (trial included).
        - ``end_date`` (datetime64[ns]): the day the spell ended (the row covers
          ``start_date <= day < end_date``); NaT if still active at 2024-12-31.
        - ``mrr`` (float64): monthly price of the plan, paid once paying (also given
          for a trial that never converted: the price it would have paid).
        - ``trial_end`` (datetime64[ns]): ``start_date`` + 14 days for a spell that
          began with a free trial, else NaT. Paying starts at ``trial_end``.
        - ``channel`` (str): acquisition channel, the same as in :func:`load_orders`.

    Raises
    ------
    RetentionKitError
        If ``n_customers`` is not an integer >= 1 or ``seed`` is not an integer >= 0.

    See Also
    --------
    load_orders : Non-contractual (order) data on the same customer ids.

    Notes
    -----
    How to read the movements from the rows of one customer (sorted by start):

    - upgrade / downgrade: a row ends on day D and the next row, on a dearer /
      cheaper plan, starts on the same day D;
    - cancellation: ``end_date`` is set and no row follows;
    - reactivation: the next row starts after a gap;
    - trial that never converted: ``end_date == trial_end``.

    Rows of one customer never overlap. Trials happen only on a customer's first
    spell. A trial that started less than 14 days before the end of the data has
    ``end_date`` NaT and a ``trial_end`` in January 2025: its outcome is not known.

    Examples
    --------
    >>> from retention_kit.datasets import load_subscriptions
    >>> subs = load_subscriptions()
    >>> list(subs.columns)  # doctest: +NORMALIZE_WHITESPACE
    ['subscription_id', 'customer_id', 'plan', 'start_date', 'end_date', 'mrr',
     'trial_end', 'channel']
    >>> subs["customer_id"].nunique()
    1500
    >>> sorted(subs["mrr"].unique().tolist())
    [29.0, 79.0, 199.0]
    >>> bool((subs["end_date"].dropna() <= pd.Timestamp("2024-12-31")).all())
    True
    >>> active = subs["end_date"].isna() & (subs["trial_end"].isna()
    ...                                     | (subs["trial_end"] <= "2024-12-31"))
    >>> bool(subs.loc[active, "mrr"].sum() > 0)
    True
    """
    n_customers = check_whole_number(n_customers, "n_customers", minimum=1, example=1500)
    rng = np.random.default_rng(check_whole_number(seed, "seed", minimum=0, example=42))

    # Channel: the same as in load_orders() for the shared ids, fresh draws beyond them.
    _, base_channel = _default_customer_base()
    extra = max(0, n_customers - base_channel.size)
    channel = np.concatenate(
        [
            base_channel[:n_customers],
            rng.choice(len(_CHANNELS), size=extra, p=_CHANNEL_SHARES),
        ]
    )
    first_day = np.floor(_arrival_days(rng, n_customers)).astype(np.int64)
    # Arrival order and id order differ here: ids are assigned at random to sign-ups.
    first_day = rng.permutation(first_day)
    churn_mean = _MONTHLY_CHURN_MEAN[channel]
    churn = rng.beta(_CHURN_BETA_A, _CHURN_BETA_A * (1.0 - churn_mean) / churn_mean)

    rows_customer: list[int] = []
    rows_plan: list[int] = []
    rows_start: list[int] = []
    rows_end: list[int] = []  # -1: still active
    rows_trial_end: list[int] = []  # -1: no trial

    def add_row(customer: int, plan: int, start: int, end: int, trial_end: int) -> None:
        rows_customer.append(customer)
        rows_plan.append(plan)
        rows_start.append(start)
        rows_end.append(end)
        rows_trial_end.append(trial_end)

    for i in range(n_customers):
        start = int(first_day[i])
        plan = int(rng.choice(3, p=_PLAN_SHARES))
        first_spell = True
        while True:  # one iteration per spell: the sign-up, then each reactivation
            trial_end, paying_from = -1, start
            if first_spell and rng.random() < _TRIAL_SHARE:
                trial_end = paying_from = start + _TRIAL_DAYS
                if trial_end > _LAST_DAY:  # still in trial at the end: outcome unknown
                    add_row(i, plan, start, -1, trial_end)
                    break
                if rng.random() >= _TRIAL_CONVERSION[channel[i]]:  # never pays
                    add_row(i, plan, start, trial_end, trial_end)
                    if rng.random() >= _REACTIVATION_AFTER_TRIAL:
                        break
                    left_on = trial_end
                    paying_from = -1
            if paying_from >= 0:
                left_on = _paying_spell(
                    rng, add_row, i, plan, start, trial_end, paying_from, churn[i]
                )
                if left_on < 0 or rng.random() >= _REACTIVATION:
                    break
                plan = rows_plan[-1]
            start = (
                left_on + _REACTIVATION_MIN_GAP + int(rng.exponential(_REACTIVATION_MEAN_EXTRA_GAP))
            )
            if start > _LAST_DAY:
                break
            if rng.random() >= _SAME_PLAN_ON_RETURN:
                plan = int(rng.choice(3, p=_PLAN_SHARES))
            first_spell = False

    customer = np.asarray(rows_customer, dtype=np.int64)
    start_day = np.asarray(rows_start, dtype=np.int64)
    order = np.lexsort((customer, start_day))
    customer, start_day = customer[order], start_day[order]
    plan_idx = np.asarray(rows_plan, dtype=np.int64)[order]
    n_rows = customer.size
    return pd.DataFrame(
        {
            "subscription_id": _ids("S", n_rows, 6),
            "customer_id": _customer_ids(customer, n_customers),
            "plan": np.asarray(_PLANS, dtype=object)[plan_idx],
            "start_date": pd.Series(_day_dates(start_day), dtype="datetime64[ns]"),
            "end_date": pd.Series(_day_dates(np.asarray(rows_end)[order]), dtype="datetime64[ns]"),
            "mrr": np.asarray(_PLAN_PRICES, dtype=np.float64)[plan_idx],
            "trial_end": pd.Series(
                _day_dates(np.asarray(rows_trial_end)[order]), dtype="datetime64[ns]"
            ),
            "channel": np.asarray(_CHANNELS, dtype=object)[channel[customer]],
        }
    ).astype({"subscription_id": "str", "customer_id": "str", "plan": "str", "channel": "str"})


@fill_doc
def load_nps(*, n_responses: int = 3000, seed: int = 11) -> pd.DataFrame:
    """Simulate Net Promoter Score survey answers from 2023-01-01 to 2024-12-31.

    Respondents are customers of :func:`load_orders` (default arguments) who had
    already placed their first order on the survey date; their channel is taken
    from there. Scores are integers 0..10. Referral customers answer highest and
    paid-search customers lowest, and every channel improves slowly over the two
    years, so NPS by quarter shows an upward trend and the change between the
    first and the last quarter is large next to its sampling error, while the
    change between neighbouring quarters is mostly noise.

    Parameters
    ----------
    n_responses : int, default 3000
        Number of answers (>= 1).
    %(seed)s

    Returns
    -------
    pandas.DataFrame
        One row per answer, sorted by ``date``, with columns

        - ``response_id`` (str): ``"R000001"``, ... unique, in date order.
        - ``customer_id`` (str): an id of :func:`load_orders` (``"C00001"`` ..
          ``"C04000"``); a customer may answer more than once.
        - ``date`` (datetime64[ns]): day of the answer.
        - ``score`` (int64): 0..10.
        - ``channel`` (str): acquisition channel of the customer.

    Raises
    ------
    RetentionKitError
        If ``n_responses`` is not an integer >= 1 or ``seed`` is not an integer >= 0.

    See Also
    --------
    load_orders : The customers who answer.

    Notes
    -----
    A latent satisfaction is drawn as normal with a mean of
    7.3 + channel shift (organic 0, paid_search -0.7, social -0.35, referral +0.6)
    + 0.45 per year since 2023-01-01 and a standard deviation of 2.1, then
    rounded and clipped to 0..10.

    Examples
    --------
    >>> from retention_kit.datasets import load_nps
    >>> nps = load_nps()
    >>> list(nps.columns)
    ['response_id', 'customer_id', 'date', 'score', 'channel']
    >>> len(nps), int(nps["score"].min()) >= 0, int(nps["score"].max()) <= 10
    (3000, True, True)
    >>> by_year = nps.groupby(nps["date"].dt.year)["score"].mean()
    >>> bool(by_year[2024] > by_year[2023])
    True
    """
    n_responses = check_whole_number(n_responses, "n_responses", minimum=1, example=3000)
    rng = np.random.default_rng(check_whole_number(seed, "seed", minimum=0, example=42))
    arrival, base_channel = _default_customer_base()

    n_days = _SPAN_DAYS - _NPS_FIRST_DAY
    day = np.sort(_NPS_FIRST_DAY + rng.integers(0, n_days, n_responses))
    # Respondent: any customer who had arrived by the end of that day (ids are in
    # arrival order, so these are the first `arrived` ids).
    arrived = np.searchsorted(arrival, day + 1.0, side="left")
    customer = np.minimum((rng.random(n_responses) * arrived).astype(np.int64), arrived - 1)
    channel = base_channel[customer]

    years = (day - _NPS_FIRST_DAY) / DAYS_PER_UNIT["year"]
    latent = (
        _NPS_BASE
        + _NPS_CHANNEL_SHIFT[channel]
        + _NPS_TREND_PER_YEAR * years
        + rng.normal(0.0, _NPS_NOISE_SD, n_responses)
    )
    score = np.clip(np.rint(latent), 0, 10).astype(np.int64)

    return pd.DataFrame(
        {
            "response_id": _ids("R", n_responses, 6),
            "customer_id": _customer_ids(customer, _DEFAULT_ORDER_CUSTOMERS),
            "date": pd.Series(_day_dates(day), dtype="datetime64[ns]"),
            "score": score,
            "channel": np.asarray(_CHANNELS, dtype=object)[channel],
        }
    ).astype({"response_id": "str", "customer_id": "str", "channel": "str"})


from ._demo_invoices import load_invoices  # noqa: E402 - it builds on load_orders above
