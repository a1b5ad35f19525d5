"""Tests for retention_kit.intervals: Wilson score intervals worked by hand, and their edges."""

import math

import numpy as np
import pytest

from retention_kit.exceptions import RetentionKitError
from retention_kit.intervals import MIN_READABLE_N, check_confidence, wilson_interval

Z95 = 1.959963984540054  # scipy.stats.norm.ppf(0.975)


def test_8_of_10_by_hand():
    # p = 0.8, n = 10, z^2 = 3.8415: centre = (0.8 + z^2/20) / (1 + z^2/10) = 0.71674,
    # half = z * sqrt(0.016 + z^2/400) / (1 + z^2/10) = 0.22658 -> 49.02 % to 94.33 %.
    low, high = wilson_interval(8, 10)
    assert float(low) == pytest.approx(49.016, abs=1e-3)
    assert float(high) == pytest.approx(94.332, abs=1e-3)


def test_none_of_n_starts_at_0():
    # 0 of n: the upper bound is z^2 / (n + z^2) = 3.8415 / 13.8415 = 27.75 %.
    low, high = wilson_interval(0, 10)
    assert float(low) == 0.0
    assert float(high) == pytest.approx(100 * Z95**2 / (10 + Z95**2))
    assert float(high) == pytest.approx(27.753, abs=1e-3)


def test_all_of_n_ends_at_100():
    # n of n: the lower bound is n / (n + z^2) = 10 / 13.8415 = 72.25 %.
    low, high = wilson_interval(10, 10)
    assert float(low) == pytest.approx(100 * 10 / (10 + Z95**2))
    assert float(low) == pytest.approx(72.247, abs=1e-3)
    assert float(high) == pytest.approx(100.0)


def test_no_customers_gives_nan_bounds_not_an_error():
    low, high = wilson_interval([0, 3], [0, 4])
    assert math.isnan(low[0]) and math.isnan(high[0])
    assert 0 < low[1] < 75 < high[1] < 100


def test_arrays_broadcast_and_the_interval_holds_the_rate():
    successes = np.array([1, 5, 9])
    low, high = wilson_interval(successes, 10)
    assert low.shape == high.shape == (3,)
    rate = successes / 10 * 100
    assert (low < rate).all() and (rate < high).all()
    # Symmetric counts give mirrored bounds: 1 of 10 against 9 of 10.
    assert low[0] == pytest.approx(100 - high[2])


def test_lower_confidence_gives_a_narrower_interval():
    low95, high95 = wilson_interval(8, 10)
    low80, high80 = wilson_interval(8, 10, confidence=0.8)
    assert low95 < low80 < 80 < high80 < high95


@pytest.mark.parametrize(
    ("successes", "n", "match"),
    [(-1, 10, "counts must be >= 0"), (3, -2, "counts must be >= 0"), (11, 10, "cannot exceed n")],
)
def test_bad_counts(successes, n, match):
    with pytest.raises(RetentionKitError, match=match):
        wilson_interval(successes, n)


@pytest.mark.parametrize("confidence", [0, 1, 95, -0.5, True, "0.95"])
def test_bad_confidence(confidence):
    with pytest.raises(RetentionKitError, match="must be between 0 and 1"):
        wilson_interval(8, 10, confidence=confidence)
    with pytest.raises(RetentionKitError, match="must be between 0 and 1"):
        check_confidence(confidence)


def test_check_confidence_returns_the_value():
    assert check_confidence(0.9) == 0.9


def test_small_sample_threshold_is_30():
    assert MIN_READABLE_N == 30
