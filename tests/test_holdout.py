"""holdout: the calibration cut, holdout totals and cumulative repeat purchases, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import retention_kit as rk
from retention_kit.holdout import (
    calibration_cutoff,
    cumulative_repeat_purchases,
    holdout_purchases,
)


def _published_bgnbd() -> rk.BetaGeoModel:
    model = rk.BetaGeoModel()
    model.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # FHL 2005, CDNOW
    return model


def test_calibration_cutoff_two_thirds_of_the_days():
    # 2024-01-01 to 2024-04-01 is 91 days; two thirds is 60.67 days: 2024-03-01 16:00, as a day.
    orders = pd.DataFrame({"order_date": pd.to_datetime(["2024-04-01 23:00", "2024-01-01 08:00"])})
    assert calibration_cutoff(orders) == pd.Timestamp("2024-03-01")
    # half way: 45.5 days -> 2024-02-15 12:00 -> 2024-02-15
    assert calibration_cutoff(orders, share=0.5) == pd.Timestamp("2024-02-15")
    assert calibration_cutoff(orders, "2024-02-02 13:45") == pd.Timestamp("2024-02-02")


def test_calibration_cutoff_errors():
    orders = pd.DataFrame({"when": pd.to_datetime(["2024-01-01"])})
    with pytest.raises(rk.RetentionKitError, match=r"share=1.5 must be a fraction"):
        calibration_cutoff(orders, share=1.5, date_col="when")
    with pytest.raises(rk.RetentionKitError, match=r"calibration_end='soon' is not a date"):
        calibration_cutoff(orders, "soon")
    with pytest.raises(rk.MissingColumnError, match=r"date_col='order_date': no such column"):
        calibration_cutoff(orders)


def test_holdout_purchases_matches_the_published_example():
    # Fader, Hardie & Lee (2005): a customer with x = 2, t_x = 30.43, T = 38.86 is expected
    # to make 1.226 purchases in the next 39 weeks.
    customers = pd.DataFrame({"frequency": [2, 2], "recency": [30.43, 30.43],
                              "T": [38.86, 38.86], "frequency_holdout": [3, 0],
                              "duration_holdout": [39.0, 39.0]}, index=["a", "b"])
    totals = holdout_purchases({"BG/NBD": _published_bgnbd()}, customers)
    assert totals.name == "repeat purchases in holdout"
    assert totals["actual"] == 3
    assert totals["BG/NBD"] == pytest.approx(2 * 1.226, abs=2e-3)


def test_holdout_purchases_needs_the_holdout_columns():
    customers = pd.DataFrame({"frequency": [1], "recency": [1.0], "T": [2.0]})
    with pytest.raises(rk.RetentionKitError, match=r"\['frequency_holdout', 'duration_holdout'\]"):
        holdout_purchases({"BG/NBD": _published_bgnbd()}, customers)


def _orders() -> pd.DataFrame:
    # a: first 01-01; 01-03 is cancelled in full the same day (no purchase); 01-08 repeat.
    # b: first 01-02; a free order on 01-09 counts (no negative line); 01-16 repeat.
    # c: a single order (never a repeat); d: not followed.
    rows = [
        ("a", "2024-01-01 10:00", 10.0), ("a", "2024-01-03 09:00", 5.0),
        ("a", "2024-01-03 17:00", -5.0), ("a", "2024-01-08 12:00", 7.0),
        ("b", "2024-01-02 08:00", 8.0), ("b", "2024-01-09 08:00", 0.0),
        ("b", "2024-01-16 08:00", 4.0), ("b", "2024-01-16 09:00", 1.0),
        ("c", "2024-01-05 08:00", 3.0), ("d", "2023-12-01 08:00", 9.0),
        ("d", "2024-01-20 08:00", 9.0),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date", "amount"])
    return frame.assign(order_date=pd.to_datetime(frame["order_date"]))


def test_cumulative_repeat_purchases_by_hand():
    track = cumulative_repeat_purchases(
        _orders(), ["a", "b", "c"], calibration_end="2024-01-08", time_unit="day"
    )
    # origin: a's first day, 01-01; repeats at days 7 (a, 01-08), 8 (b, 01-09), 15 (b, 01-16).
    assert track.origin == pd.Timestamp("2024-01-01")
    # the last order of all orders (d, 01-20) ends the times: 0 .. 19
    np.testing.assert_array_equal(track.times, np.arange(20.0))
    expected = np.zeros(20, dtype=int)
    expected[7], expected[8:15], expected[15:] = 1, 2, 3
    np.testing.assert_array_equal(track.actual, expected)
    assert track.calibration_end == 7.0


def test_cumulative_repeat_purchases_in_weeks_and_without_amounts():
    track = cumulative_repeat_purchases(
        _orders(), ["a", "b"], calibration_end="2024-01-08", as_of="2024-01-16",
        time_unit="week", amount_col=None,
    )
    # without amounts every order day is a purchase: repeats at days 2, 7, 8 and 15
    # (= 2/7, 1, 8/7, 15/7 weeks); times 0, 1, 2 weeks (15 days are 2.14 weeks).
    np.testing.assert_array_equal(track.times, [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(track.actual, [0, 2, 3])
    assert track.calibration_end == pytest.approx(1.0)


def test_cumulative_repeat_purchases_errors():
    with pytest.raises(rk.EmptyDataError, match="none of the customers made a purchase"):
        cumulative_repeat_purchases(_orders(), ["nobody"], calibration_end="2024-01-08")
    with pytest.raises(rk.MissingColumnError, match=r"amount_col='paid': no such column"):
        cumulative_repeat_purchases(_orders(), calibration_end="2024-01-08", amount_col="paid")
    with pytest.raises(rk.RetentionKitError, match=r"calibration_end= is required"):
        cumulative_repeat_purchases(_orders(), calibration_end=None)
