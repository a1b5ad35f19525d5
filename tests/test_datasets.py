from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention_kit.datasets import load_nps, load_orders, load_subscriptions
from retention_kit.exceptions import RetentionKitError

END = pd.Timestamp("2024-12-31 23:59:59")
NS = np.dtype("datetime64[ns]")


@pytest.fixture(scope="module")
def orders() -> pd.DataFrame:
    return load_orders()


@pytest.fixture(scope="module")
def subs() -> pd.DataFrame:
    return load_subscriptions()


@pytest.fixture(scope="module")
def nps() -> pd.DataFrame:
    return load_nps()


@pytest.fixture(scope="module")
def subs_by_customer(subs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows sorted by customer and start, and the next row of the same customer."""
    rows = subs.sort_values(["customer_id", "start_date"]).reset_index(drop=True)
    return rows, rows.groupby("customer_id").shift(-1)


# --- determinism -------------------------------------------------------------------------

LOADERS = [
    (load_orders, {"n_customers": 300}),
    (load_subscriptions, {"n_customers": 300}),
    (load_nps, {"n_responses": 300}),
]


@pytest.mark.parametrize(("loader", "kwargs"), LOADERS)
def test_same_arguments_give_identical_frames(loader, kwargs):
    pd.testing.assert_frame_equal(loader(**kwargs, seed=3), loader(**kwargs, seed=3))


@pytest.mark.parametrize("loader", [load_orders, load_subscriptions, load_nps])
def test_defaults_are_deterministic(loader):
    pd.testing.assert_frame_equal(loader(), loader())


@pytest.mark.parametrize(("loader", "kwargs"), LOADERS)
def test_another_seed_gives_another_frame(loader, kwargs):
    assert not loader(**kwargs, seed=3).equals(loader(**kwargs, seed=4))


@pytest.mark.parametrize(("loader", "kwargs"), LOADERS)
def test_each_call_returns_a_fresh_frame(loader, kwargs):
    first = loader(**kwargs)
    first.iloc[:, :] = first.iloc[::-1, :].to_numpy()
    first["extra"] = 1
    second = loader(**kwargs)
    assert "extra" not in second.columns
    pd.testing.assert_frame_equal(second, loader(**kwargs))


# --- argument validation -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("loader", "name"),
    [
        (load_orders, "n_customers"),
        (load_subscriptions, "n_customers"),
        (load_nps, "n_responses"),
    ],
)
@pytest.mark.parametrize("bad", [0, -5, 2.5, "100", True, None])
def test_bad_size_is_an_error_naming_the_argument(loader, name, bad):
    with pytest.raises(RetentionKitError, match=rf"`{name}` must be an integer >= 1.*{name}="):
        loader(**{name: bad})


@pytest.mark.parametrize("loader", [load_orders, load_subscriptions, load_nps])
@pytest.mark.parametrize("bad", [-1, 1.0, "42", None])
def test_bad_seed_is_an_error_naming_the_argument(loader, bad):
    with pytest.raises(RetentionKitError, match=r"`seed` must be an integer >= 0.*seed=42"):
        loader(seed=bad)


def test_validation_error_is_a_value_error():
    with pytest.raises(ValueError, match="n_customers"):
        load_orders(n_customers=0)


def test_numpy_integers_are_accepted():
    assert len(load_nps(n_responses=np.int64(5), seed=np.int32(1))) == 5


@pytest.mark.parametrize(("loader", "kwargs"), LOADERS)
def test_keyword_only(loader, kwargs):
    with pytest.raises(TypeError):
        loader(10)


def test_a_single_customer_works():
    orders = load_orders(n_customers=1, seed=0)
    assert orders["customer_id"].unique().tolist() == ["C00001"]
    subs = load_subscriptions(n_customers=1, seed=0)
    assert subs["customer_id"].unique().tolist() == ["C00001"]
    assert load_nps(n_responses=1, seed=0).shape == (1, 5)


# --- load_orders -------------------------------------------------------------------------


def test_orders_columns_and_dtypes(orders):
    assert list(orders.columns) == [
        "order_id",
        "customer_id",
        "order_date",
        "amount",
        "channel",
        "region",
    ]
    for col in ["order_id", "customer_id", "channel", "region"]:
        assert pd.api.types.is_string_dtype(orders[col]), col
    assert orders["order_date"].dtype == NS
    assert orders["order_date"].dt.tz is None
    assert orders["amount"].dtype == np.float64
    assert orders.notna().all().all()


def test_orders_size(orders):
    assert 40_000 <= len(orders) <= 60_000
    assert orders["customer_id"].nunique() == 4000  # every customer has an order
    assert isinstance(orders.index, pd.RangeIndex)


def test_orders_ids(orders):
    assert orders["order_id"].is_unique
    assert orders["order_id"].str.fullmatch(r"O\d{6}").all()
    assert orders["order_id"].iloc[0] == "O000001"
    assert orders["customer_id"].str.fullmatch(r"C\d{5}").all()
    assert set(orders["customer_id"]) == {f"C{i:05d}" for i in range(1, 4001)}


def test_orders_are_sorted_and_inside_the_span(orders):
    dates = orders["order_date"]
    assert dates.is_monotonic_increasing
    assert dates.min() >= pd.Timestamp("2022-01-01")
    assert dates.max() <= END
    # The data reach the last day, so December 2024 is complete.
    assert dates.max() >= pd.Timestamp("2024-12-31")
    assert dates.min() < pd.Timestamp("2022-01-08")


def test_orders_have_a_time_of_day(orders):
    hours = orders["order_date"].dt.hour
    assert hours.nunique() == 24
    # day-time profile: more orders at noon than at 4 a.m.
    assert (hours == 12).sum() > 3 * (hours == 4).sum()
    assert (orders["order_date"] != orders["order_date"].dt.normalize()).mean() > 0.99


def test_orders_amounts(orders):
    amount = orders["amount"]
    assert (amount > 0).all()
    cents = amount * 100
    assert np.allclose(cents, cents.round(), atol=1e-6)
    assert 30 < amount.mean() < 90
    assert amount.nunique() > 1000


def test_orders_channel_and_region_are_customer_attributes(orders):
    per_customer = orders.groupby("customer_id")[["channel", "region"]].nunique()
    assert (per_customer == 1).all().all()
    assert set(orders["channel"]) == {"organic", "paid_search", "social", "referral"}
    assert set(orders["region"]) == {"north", "south", "east", "west"}
    shares = orders.groupby("customer_id")["channel"].first().value_counts(normalize=True)
    assert shares["organic"] > shares["referral"]
    assert shares.max() < 0.6


def test_orders_customers_arrive_over_three_years_faster_later(orders):
    first = orders.groupby("customer_id")["order_date"].min()
    per_year = first.dt.year.value_counts().sort_index()
    assert per_year.index.tolist() == [2022, 2023, 2024]
    assert per_year[2022] < per_year[2023] < per_year[2024]
    # ids are numbered in order of arrival
    assert first.sort_index().is_monotonic_increasing


def test_orders_every_month_has_active_customers(orders):
    active = orders.groupby(orders["order_date"].dt.to_period("M"))["customer_id"].nunique()
    months = pd.period_range("2022-02", "2024-12", freq="M")
    assert active.reindex(months).notna().all()
    assert (active.reindex(months) > 0).all()
    assert active.index.max() == pd.Period("2024-12", freq="M")


def test_orders_retention_decays(orders):
    month = orders["order_date"].dt.to_period("M")
    first = month.groupby(orders["customer_id"]).transform("min")
    age = (month - first).map(lambda offset: offset.n)
    active = orders.assign(age=age).groupby("age")["customer_id"].nunique()
    curve = active / active[0]
    assert 0.2 < curve[1] < 0.7
    assert curve[1] > curve[3] > curve[6] > curve[12] > curve[24] > 0


def test_orders_channels_differ_in_repeat_behaviour(orders):
    per_customer = orders.groupby("customer_id").agg(
        orders=("order_id", "size"), channel=("channel", "first")
    )
    repeat_share = (per_customer["orders"] >= 2).groupby(per_customer["channel"]).mean()
    assert repeat_share["referral"] > repeat_share["paid_search"] + 0.05
    mean_orders = per_customer.groupby("channel")["orders"].mean()
    assert mean_orders["referral"] > mean_orders["paid_search"]
    # some one-time buyers, some repeat buyers
    assert 0.3 < (per_customer["orders"] >= 2).mean() < 0.9


# --- load_subscriptions ------------------------------------------------------------------


def test_subscriptions_columns_and_dtypes(subs):
    assert list(subs.columns) == [
        "subscription_id",
        "customer_id",
        "plan",
        "start_date",
        "end_date",
        "mrr",
        "trial_end",
        "channel",
    ]
    for col in ["subscription_id", "customer_id", "plan", "channel"]:
        assert pd.api.types.is_string_dtype(subs[col]), col
    for col in ["start_date", "end_date", "trial_end"]:
        assert subs[col].dtype == NS, col
    assert subs["mrr"].dtype == np.float64
    cols = ["subscription_id", "customer_id", "plan", "start_date", "mrr", "channel"]
    assert subs[cols].notna().all().all()


def test_subscriptions_size_and_ids(subs):
    assert subs["customer_id"].nunique() == 1500
    assert 1500 < len(subs) < 3000
    assert subs["subscription_id"].is_unique
    assert subs["subscription_id"].str.fullmatch(r"S\d{6}").all()
    assert set(subs["customer_id"]) == {f"C{i:05d}" for i in range(1, 1501)}


def test_subscriptions_dates_are_days_inside_the_span(subs):
    for col in ["start_date", "end_date", "trial_end"]:
        values = subs[col].dropna()
        assert (values == values.dt.normalize()).all(), col
    assert subs["start_date"].is_monotonic_increasing
    assert subs["start_date"].min() >= pd.Timestamp("2022-01-01")
    assert subs["start_date"].max() <= pd.Timestamp("2024-12-31")
    assert subs["end_date"].max() <= pd.Timestamp("2024-12-31")
    assert (subs["end_date"].dropna() > subs.loc[subs["end_date"].notna(), "start_date"]).all()


def test_subscriptions_plans_and_prices(subs):
    prices = {"basic": 29.0, "pro": 79.0, "business": 199.0}
    assert set(subs["plan"]) == set(prices)
    assert (subs["mrr"] == subs["plan"].map(prices)).all()


def test_subscriptions_trials(subs):
    trial = subs["trial_end"].notna()
    assert (
        (subs.loc[trial, "trial_end"] - subs.loc[trial, "start_date"])
        .eq(pd.Timedelta(days=14))
        .all()
    )
    share = trial.sum() / subs["customer_id"].nunique()
    assert 0.2 < share < 0.4
    # at most one trial per customer, on the first spell
    assert subs.loc[trial, "customer_id"].is_unique
    first_start = subs.groupby("customer_id")["start_date"].transform("min")
    assert (subs.loc[trial, "start_date"] == first_start[trial]).all()
    unconverted = subs["end_date"] == subs["trial_end"]
    converted = trial & subs["end_date"].isna() & (subs["trial_end"] <= "2024-12-31")
    converted |= trial & (subs["end_date"] > subs["trial_end"])
    assert unconverted.sum() > 50
    assert converted.sum() > 50


def test_subscription_rows_of_a_customer_do_not_overlap(subs_by_customer):
    rows, nxt = subs_by_customer
    has_next = nxt["start_date"].notna()
    assert (rows.loc[has_next, "end_date"].notna()).all()  # only the last row may be open
    assert (nxt.loc[has_next, "start_date"] >= rows.loc[has_next, "end_date"]).all()


def test_subscriptions_have_every_kind_of_movement(subs_by_customer):
    rows, nxt = subs_by_customer
    contiguous = nxt["start_date"] == rows["end_date"]
    upgrades = contiguous & (nxt["mrr"] > rows["mrr"])
    downgrades = contiguous & (nxt["mrr"] < rows["mrr"])
    reactivations = nxt["start_date"] > rows["end_date"]
    cancellations = rows["end_date"].notna() & nxt["start_date"].isna()
    assert upgrades.sum() > 50
    assert downgrades.sum() > 20
    assert reactivations.sum() > 30
    assert cancellations.sum() > 100
    assert upgrades.sum() > downgrades.sum()
    # a plan change always changes the plan
    assert (contiguous == (upgrades | downgrades)).all()
    # some customers are still active at the end
    assert rows["end_date"].isna().sum() > 300


def test_subscriptions_channel_matches_orders(subs, orders):
    sub_channel = subs.groupby("customer_id")["channel"].agg(["nunique", "first"])
    assert (sub_channel["nunique"] == 1).all()
    order_channel = orders.groupby("customer_id")["channel"].first()
    pd.testing.assert_series_equal(
        sub_channel["first"], order_channel.loc[sub_channel.index], check_names=False
    )


def test_subscriptions_beyond_the_order_customers_get_a_channel():
    subs = load_subscriptions(n_customers=4100, seed=1)
    assert subs["customer_id"].nunique() == 4100
    assert subs["channel"].notna().all()


def test_subscriptions_loyal_channels_churn_less(subs):
    first = subs.sort_values("start_date").groupby("customer_id").first()
    last = subs.sort_values("start_date").groupby("customer_id").last()
    still_active = last["end_date"].isna().groupby(first["channel"]).mean()
    assert still_active["referral"] > still_active["paid_search"]


# --- load_nps ----------------------------------------------------------------------------


def test_nps_columns_and_dtypes(nps):
    assert list(nps.columns) == ["response_id", "customer_id", "date", "score", "channel"]
    for col in ["response_id", "customer_id", "channel"]:
        assert pd.api.types.is_string_dtype(nps[col]), col
    assert nps["date"].dtype == NS
    assert nps["score"].dtype == np.int64
    assert nps.notna().all().all()


def test_nps_size_ids_and_span(nps):
    assert len(nps) == 3000
    assert nps["response_id"].is_unique
    assert nps["response_id"].str.fullmatch(r"R\d{6}").all()
    assert nps["date"].is_monotonic_increasing
    assert nps["date"].min() >= pd.Timestamp("2023-01-01")
    assert nps["date"].max() <= pd.Timestamp("2024-12-31")
    assert (nps["date"] == nps["date"].dt.normalize()).all()
    per_quarter = nps.groupby(nps["date"].dt.to_period("Q")).size()
    assert len(per_quarter) == 8
    assert per_quarter.min() > 300


def test_nps_scores_are_integers_0_to_10(nps):
    assert nps["score"].between(0, 10).all()
    assert set(nps["score"]) >= set(range(1, 11))  # 0 is rare but allowed


def test_nps_respondents_are_order_customers(nps, orders):
    customers = orders.groupby("customer_id").agg(
        first_order=("order_date", "min"), channel_orders=("channel", "first")
    )
    assert nps["customer_id"].isin(customers.index).all()
    joined = nps.join(customers, on="customer_id")
    assert (joined["channel"] == joined["channel_orders"]).all()
    assert (joined["date"] >= joined["first_order"].dt.normalize()).all()


def _nps(scores: pd.Series) -> float:
    return 100 * ((scores >= 9).mean() - (scores <= 6).mean())


def test_nps_differs_by_channel(nps):
    by_channel = nps.groupby("channel")["score"].apply(_nps)
    assert by_channel["referral"] > by_channel["organic"] > by_channel["paid_search"]
    assert by_channel["referral"] - by_channel["paid_search"] > 20


def test_nps_improves_over_time(nps):
    quarter = nps["date"].dt.to_period("Q")
    by_quarter = nps.groupby(quarter)["score"].apply(_nps)
    first, last = by_quarter.iloc[0], by_quarter.iloc[-1]
    # the first and last quarters differ by far more than two standard errors
    se = []
    for q in (by_quarter.index[0], by_quarter.index[-1]):
        s = nps.loc[quarter == q, "score"]
        p, d = (s >= 9).mean(), (s <= 6).mean()
        se.append(100 * np.sqrt((p + d - (p - d) ** 2) / len(s)))
    assert last - first > 2 * np.hypot(*se)
    by_year = nps.groupby(nps["date"].dt.year)["score"].apply(_nps)
    assert by_year[2024] > by_year[2023] + 5
