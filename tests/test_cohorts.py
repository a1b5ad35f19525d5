import numpy as np
import pandas as pd
import pytest
from conftest import hand_orders, to_engine

import retention_kit as rk
from retention_kit.exceptions import RetentionKitError, RetentionKitWarning

P = lambda s: pd.Period(s, "M")  # noqa: E731


def test_retention_table_by_hand(convert):
    # Jan cohort {a, b, c}: Feb a; Mar a, b.  Feb cohort {d}: Mar d.  Mar cohort {e}.
    table = rk.cohort_table(convert(hand_orders()), as_of="2024-03-31")
    assert list(table.index) == [P("2024-01"), P("2024-02"), P("2024-03")]
    assert list(table.columns) == [0, 1, 2]
    np.testing.assert_allclose(
        table.to_numpy(),
        [[100, 100 / 3, 200 / 3], [100, 100, np.nan], [100, np.nan, np.nan]],
    )
    assert table.attrs["cohort_size"].tolist() == [3, 1, 1]
    assert table.attrs["values"] == "retention"


def test_counts_and_unbounded(convert):
    frame = convert(hand_orders())
    counts = rk.cohort_table(frame, values="customers", as_of="2024-03-31")
    assert counts.loc[P("2024-01")].tolist() == [3, 1, 2]
    unbounded = rk.cohort_table(frame, values="retention_unbounded", as_of="2024-03-31")
    # c never came back after January; a and b were active in month 2.
    np.testing.assert_allclose(unbounded.loc[P("2024-01")], [100, 200 / 3, 200 / 3])


def test_revenue_and_cumulative_revenue_per_customer(convert):
    frame = convert(hand_orders())
    revenue = rk.cohort_table(frame, amount_col="amount", values="revenue", as_of="2024-03-31")
    np.testing.assert_allclose(revenue.loc[P("2024-01")], [55, 20, 45])
    np.testing.assert_allclose(revenue.loc[P("2024-03")].iloc[:1], [20])  # two orders same day
    cumulative = rk.cohort_table(
        frame, amount_col="amount", values="cumulative_revenue_per_customer", as_of="2024-03-31"
    )
    np.testing.assert_allclose(cumulative.loc[P("2024-01")], [55 / 3, 75 / 3, 120 / 3])
    np.testing.assert_allclose(cumulative.loc[P("2024-02")].iloc[:2], [25, 60])


def test_incomplete_month_is_not_a_drop(convert):
    # Data to 10 April: April must not appear as a cell (it would read as a fall).
    table = rk.cohort_table(convert(hand_orders()))
    assert list(table.columns) == [0, 1, 2]
    assert P("2024-04") not in table.index


def test_returns_reduce_revenue_but_are_not_activity(convert):
    extra = pd.DataFrame(
        {
            "customer_id": ["c"],
            "order_date": pd.to_datetime(["2024-02-03"]),
            "amount": [-10.0],
            "channel": ["shop"],
        }
    )
    frame = pd.concat([hand_orders(), extra], ignore_index=True)
    with pytest.warns(RetentionKitWarning, match="negative"):
        cells = rk.cohort_data(convert(frame), amount_col="amount", as_of="2024-03-31")
    jan = cells[cells["cohort"] == P("2024-01")].set_index("age")
    assert jan.loc[1, "customers"] == 1  # only a; c's return is not activity
    assert jan.loc[1, "revenue"] == pytest.approx(10.0)


def test_long_form_has_intervals_and_small_flags(convert):
    cells = rk.cohort_data(convert(hand_orders()), as_of="2024-03-31")
    row = cells[(cells["cohort"] == P("2024-01")) & (cells["age"] == 1)].iloc[0]
    low, high = rk.wilson_interval(1, 3)
    assert row["retention_low"] == pytest.approx(float(low))
    assert row["retention_high"] == pytest.approx(float(high))
    assert cells["small_cohort"].all()
    assert str(row["period"]) == "2024-02"


def test_label_cohort_column_counts_age_from_each_first_order(convert):
    # channel: web = {a, b, e}, shop = {c, d}
    table = rk.cohort_table(convert(hand_orders()), cohort_col="channel", as_of="2024-03-31")
    assert list(table.index) == ["shop", "web"]
    # shop: c (Jan) and d (Feb). Age 1: c not active in Feb, d active in Mar -> 1 of 2.
    # Age 2 observable only for c (Jan + 2 = Mar): c inactive -> 0 of 1.
    np.testing.assert_allclose(table.loc["shop"], [100, 50, 0])
    # web: a, b (Jan), e (Mar). Age 1 observable for a, b: a active -> 50.
    np.testing.assert_allclose(table.loc["web"], [100, 50, 100])


def test_date_cohort_column(convert):
    frame = hand_orders()
    frame["signup"] = (
        frame["customer_id"]
        .map(
            {
                "a": "2023-12-20",
                "b": "2024-01-02",
                "c": "2024-01-02",
                "d": "2024-02-01",
                "e": "2024-03-01",
            }
        )
        .pipe(pd.to_datetime)
    )
    table = rk.cohort_table(
        convert(frame), cohort_col="signup", values="customers", as_of="2024-03-31"
    )
    assert table.index[0] == P("2023-12")
    # a signed up in December, first ordered in January: age 0 empty, ages 1-3 active.
    assert table.loc[P("2023-12")].tolist() == [0, 1, 1, 1]


def test_same_results_on_every_engine(engine):
    orders = rk.datasets.load_orders(n_customers=300)
    expected = rk.cohort_data(orders, amount_col="amount", freq="quarter")
    got = rk.cohort_data(to_engine(orders, engine), amount_col="amount", freq="quarter")
    pd.testing.assert_frame_equal(got, expected)


def test_demo_triangle_is_nan_below_the_diagonal():
    table = rk.cohort_table(rk.datasets.load_orders(n_customers=400))
    assert table.shape == (36, 36)
    values = table.to_numpy()
    observed = ~np.isnan(values)
    assert observed.sum() == 36 * 37 // 2
    assert np.all(values[:, 0] == 100)
    unbounded = rk.cohort_table(
        rk.datasets.load_orders(n_customers=400), values="retention_unbounded"
    ).to_numpy()
    assert np.all(unbounded[observed] >= values[observed] - 1e-9)
    assert np.all(np.diff(unbounded, axis=1)[observed[:, 1:]] <= 1e-9)


def test_bad_values_argument():
    with pytest.raises(RetentionKitError, match="values='share'"):
        rk.cohort_table(hand_orders(), values="share")
    with pytest.raises(RetentionKitError, match="needs amount_col"):
        rk.cohort_table(hand_orders(), values="revenue")
