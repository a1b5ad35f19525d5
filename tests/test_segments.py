"""tidy_segments: one segment per customer, the long tail grouped, the same on every engine."""

from __future__ import annotations

import narwhals as nw
import pandas as pd
import pytest

import retention_kit as rk
from retention_kit import reporting
from retention_kit.segments import customer_segments, pool_periods
from tests.conftest import to_engine


def _orders() -> pd.DataFrame:
    # UK: a b c d e (5 customers), France: f g (2), Malta: h (1), Peru: i (1).
    # Customer a first orders in the UK, later once from France: counted in the UK.
    rows = [
        ("a", "2024-01-01", "UK"), ("a", "2024-02-01", "France"), ("b", "2024-01-02", "UK"),
        ("c", "2024-01-03", "UK"), ("d", "2024-01-04", "UK"), ("e", "2024-01-05", "UK"),
        ("f", "2024-01-06", "France"), ("g", "2024-01-07", "France"),
        ("h", "2024-01-08", "Malta"), ("i", "2024-01-09", "Peru"),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date", "segment"])
    return frame.assign(order_date=pd.to_datetime(frame["order_date"]), amount=10.0)


def _collect(frame) -> pd.DataFrame:
    out = nw.from_native(frame)
    if isinstance(out, nw.LazyFrame):
        out = out.collect()
    return out.to_pandas().sort_values(["customer_id", "order_date"]).reset_index(drop=True)


def test_first_order_segment_and_top_n(engine):
    with pytest.warns(rk.RetentionKitWarning) as caught:
        out = rk.tidy_segments(to_engine(_orders(), engine), top_n=2, min_customers=0)
    got = _collect(out)
    assert got["segment"].tolist() == [
        "UK", "UK", "UK", "UK", "UK", "UK", "France", "France", "Other", "Other"
    ]
    text = str(caught[0].message)
    assert "1 customer ordered under more than one value" in text
    assert "2 of 4 segments kept" in text and "the other 2 (2 customers)" in text


def test_min_customers_groups_small_segments(engine):
    with pytest.warns(rk.RetentionKitWarning, match="each with 3 or more"):
        out = rk.tidy_segments(to_engine(_orders(), engine), top_n=None, min_customers=3)
    counts = _collect(out).groupby("segment")["customer_id"].nunique().to_dict()
    assert counts == {"UK": 5, "Other": 4}
    # every customer is still there, in exactly one segment
    assert sum(counts.values()) == 9


def test_tables_agree_on_segment_sizes():
    """After tidying, every segment table counts the same customers."""
    with pytest.warns(rk.RetentionKitWarning):
        tidy = rk.tidy_segments(_orders(), top_n=2, min_customers=0)
    repeat = rk.repeat_purchase_rate(tidy, by="segment").set_index("segment")["customers"]
    aov = rk.average_order_value(tidy, by="segment").set_index("segment")["customers"]
    assert repeat.to_dict() == aov.to_dict() == {"France": 2, "Other": 2, "UK": 5}
    small = rk.average_order_value(tidy, by="segment")["small_sample"]
    assert small.all()  # all under MIN_READABLE_N = 30


def test_nothing_to_do_is_silent(recwarn):
    frame = _orders().assign(segment="UK")
    out = rk.tidy_segments(frame)
    assert out["segment"].eq("UK").all()
    assert not [w for w in recwarn if issubclass(w.category, rk.RetentionKitWarning)]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"top_n": 0}, "top_n=0 must be a whole number of segments >= 1"),
        ({"top_n": 2.5}, "top_n=2.5"),
        ({"min_customers": -1}, "min_customers=-1"),
        ({"segment_col": "country"}, "segment_col='country': no such column"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(rk.RetentionKitError, match=match):
        rk.tidy_segments(_orders(), **kwargs)


@pytest.mark.parametrize("engine", ["pandas", "polars", "duckdb"])
def test_customer_segments_is_the_first_order_segment(engine):
    orders = _orders().rename(columns={"segment": "country", "customer_id": "who"})
    segments = customer_segments(
        to_engine(orders, engine), segment_col="country", customer_col="who"
    )
    # a first ordered in the UK (later from France): UK; one row per customer, sorted.
    assert segments.name == "country"
    assert segments.index.name == "who"
    assert segments.to_dict() == {
        "a": "UK", "b": "UK", "c": "UK", "d": "UK", "e": "UK", "f": "France", "g": "France",
        "h": "Malta", "i": "Peru",
    }


def test_customer_segments_old_keyword_still_works():
    orders = _orders()
    expected = customer_segments(orders)
    with pytest.warns(FutureWarning, match="segment= is now called segment_col="):
        old = reporting.customer_segments(orders, "segment")  # positional, as notebooks did
    pd.testing.assert_series_equal(old, expected)
    with pytest.warns(FutureWarning, match="segment= is now called segment_col="):
        customer_segments(orders, segment="segment")
    with pytest.raises(rk.RetentionKitError, match="pass segment_col= only"):
        customer_segments(orders, segment="segment", segment_col="country")


def test_customer_segments_missing_column():
    with pytest.raises(rk.MissingColumnError, match=r"segment_col='channel': no such column"):
        customer_segments(_orders(), segment_col="channel")


def test_pool_periods_by_hand():
    summary = pd.DataFrame({"segment": ["web", "shop", "web", "shop"], "S": [10, 4, 30, 6],
                            "retained": [8, 1, 21, 4], "lost": [2, 3, 9, 2]})
    pooled = pool_periods(summary, "segment")
    # shop: 5 of 10 kept, 5 lost; web: 29 of 40 kept (72.5 %), 11 lost (27.5 %)
    assert pooled["segment"].tolist() == ["shop", "web"]
    assert pooled[["S", "retained", "lost"]].to_numpy().tolist() == [[10, 5, 5], [40, 29, 11]]
    assert pooled["crr"].tolist() == pytest.approx([50.0, 72.5])
    assert pooled["churn"].tolist() == pytest.approx([50.0, 27.5])
    with pytest.raises(rk.RetentionKitError, match=r"no column\(s\) \['channel'\]"):
        pool_periods(summary, "channel")
