"""Tests of retention_kit.clv.beta_geo (and the shared continuous-model API of _base)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from retention_kit.clv import BetaGeoModel, ParetoNBDModel
from retention_kit.exceptions import MissingColumnError, RetentionKitError


def test_bgnbd_reproduces_fader_hardie_lee_2005(assert_published, bgnbd, cdnow):
    assert_published(bgnbd, {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}, -9582.4)
    assert bgnbd.n_customers_ == len(cdnow) == 2357
    assert list(bgnbd.summary_.columns) == [
        "parameter",
        "estimate",
        "std_error",
        "ci_lower",
        "ci_upper",
    ]
    assert (bgnbd.summary_["std_error"] > 0).all()
    assert (bgnbd.summary_["ci_lower"] < bgnbd.summary_["estimate"]).all()


def test_bgnbd_conditional_tends_to_new_customer_expectation(bgnbd):
    new = bgnbd.expected_purchases_new_customer(np.array([10.0, 52.0]))
    cond = bgnbd.expected_purchases(np.array([10.0, 52.0]), 0, 0.0, 1e-9)
    np.testing.assert_allclose(cond, new, rtol=1e-6)
    assert bgnbd.expected_purchases_new_customer(0.0) == 0.0


def test_population_tracking_is_increasing_and_matches_single_birth(bgnbd):
    times = np.arange(0, 79, dtype=float)
    curve = bgnbd.expected_repeat_purchases_population(times)
    assert curve[0] == 0 and np.all(np.diff(curve) > 0)
    one = bgnbd.expected_repeat_purchases_population(times, birth_times=[0.0])
    np.testing.assert_allclose(one, bgnbd.expected_purchases_new_customer(times))


def test_probability_alive_is_one_without_repeat_purchases_for_bgnbd(bgnbd, pareto):
    assert bgnbd.probability_alive(0, 0.0, 38.86) == 1.0
    p = bgnbd.probability_alive([0, 2, 2], [0.0, 30.43, 5.0], [38.86, 38.86, 38.86])
    assert p[0] == 1.0 and 0 < p[2] < p[1] < 1
    # Pareto/NBD: a customer who never came back may have left
    assert 0 < pareto.probability_alive(0, 0.0, 38.86) < 1


def test_series_inputs_give_series_on_the_same_index(bgnbd, cdnow):
    s = cdnow.set_index("customer_id")
    out = bgnbd.expected_purchases(10, s["frequency"], s["recency"], s["T"])
    assert isinstance(out, pd.Series) and out.index.equals(s.index)
    assert (out >= 0).all()


def test_weights_give_the_same_fit_as_repeated_rows(cdnow):
    counts = cdnow.groupby(["frequency", "recency", "T"]).size().rename("n").reset_index()
    weighted = BetaGeoModel().fit(
        counts["frequency"], counts["recency"], counts["T"], weights=counts["n"]
    )
    assert weighted.params_["r"] == pytest.approx(0.2426, rel=1e-3)
    assert weighted.n_customers_ == 2357


def test_bgnbd_matches_lifetimes_at_published_parameters():
    # Reference values: lifetimes 0.11.3 at the same (published) parameters.
    x, t_x, big_t = [0, 2, 10], [0.0, 30.43, 35.0], [38.86] * 3
    bg = BetaGeoModel()
    bg.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    np.testing.assert_allclose(
        bg.expected_purchases(52, x, t_x, big_t), [0.25207302, 1.55872081, 7.738892], rtol=1e-7
    )
    np.testing.assert_allclose(
        bg.probability_alive(x, t_x, big_t), [1.0, 0.72657857, 0.84694141], rtol=1e-7
    )


# ---------------------------------------------------------------- the summary frame


@pytest.mark.parametrize("model_class", [BetaGeoModel, ParetoNBDModel])
def test_fit_on_the_rfm_frame_gives_exactly_the_array_fit(
    assert_published, model_class, cdnow_rfm_pandas
):
    rfm = cdnow_rfm_pandas  # rfm_summary of the CDNOW sample, calibration to 1997-09-30
    by_frame = model_class().fit(rfm)
    by_arrays = model_class().fit(rfm["frequency"], rfm["recency"], rfm["T"])
    assert by_frame.params_ == by_arrays.params_
    assert by_frame.log_likelihood_ == by_arrays.log_likelihood_
    published = {
        BetaGeoModel: {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
        ParetoNBDModel: {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},
    }[model_class]
    assert_published(by_frame, published)


def test_fit_reads_the_columns_named_by_the_col_keywords(cdnow, bgnbd):
    renamed = cdnow.rename(columns={"frequency": "x", "recency": "t_x", "T": "age"})
    model = BetaGeoModel().fit(renamed, frequency_col="x", recency_col="t_x", T_col="age")
    assert model.params_ == bgnbd.params_


def test_fit_on_a_polars_frame_gives_the_same_estimates(cdnow, bgnbd):
    assert BetaGeoModel().fit(pl.from_pandas(cdnow)).params_ == bgnbd.params_


def test_a_missing_column_names_it_and_the_columns_the_frame_has(cdnow):
    with pytest.raises(
        MissingColumnError,
        match=r"T_col='T': no such column\. The frame has 'customer_id', 'frequency', "
        r"'recency'\. Pass T_col= with one of the columns",
    ):
        BetaGeoModel().fit(cdnow.drop(columns="T"))
    with pytest.raises(MissingColumnError, match=r"recency_col='rec'.*Did you mean 'recency'"):
        BetaGeoModel().fit(cdnow, recency_col="rec")


def test_frame_and_arrays_are_not_mixed(cdnow):
    with pytest.raises(RetentionKitError, match=r"first argument is a frame.*do not also pass T"):
        BetaGeoModel().fit(cdnow, None, cdnow["T"])
    with pytest.raises(
        RetentionKitError, match=r"BetaGeoModel\.fit\(frequency, recency, T\): recency, T not given"
    ):
        BetaGeoModel().fit([1, 2])


def test_weights_col_gives_the_weighted_fit(cdnow):
    counts = cdnow.groupby(["frequency", "recency", "T"]).size().rename("n").reset_index()
    by_col = BetaGeoModel().fit(counts, weights_col="n")
    by_arrays = BetaGeoModel().fit(
        counts["frequency"], counts["recency"], counts["T"], weights=counts["n"]
    )
    assert by_col.params_ == by_arrays.params_ and by_col.n_customers_ == 2357
    with pytest.raises(RetentionKitError, match="weights= .* or weights_col= .*not both"):
        BetaGeoModel().fit(counts, weights=counts["n"], weights_col="n")
    with pytest.raises(RetentionKitError, match="with arrays, pass weights= instead"):
        BetaGeoModel().fit(counts["frequency"], counts["recency"], counts["T"], weights_col="n")


@pytest.mark.parametrize("fixture", ["bgnbd", "pareto"])
def test_predictions_take_the_frame_and_return_series_on_its_index(request, fixture, cdnow):
    model = request.getfixturevalue(fixture)
    s = cdnow.set_index("customer_id")
    alive = model.probability_alive(s)
    assert isinstance(alive, pd.Series) and alive.index.equals(s.index)
    np.testing.assert_array_equal(
        alive.to_numpy(), model.probability_alive(s["frequency"], s["recency"], s["T"])
    )
    future = model.expected_purchases(10, s)
    assert future.name == "expected_purchases" and future.index.equals(s.index)
    np.testing.assert_array_equal(
        future.to_numpy(), model.expected_purchases(10, s["frequency"], s["recency"], s["T"])
    )
    # customer 1 of CDNOW: x = 2, t_x = 30.43, T = 38.86 (Fader, Hardie & Lee's example)
    assert future.loc[1] == pytest.approx(model.expected_purchases(10, 2, 30.43, 38.86))
