"""Shared fixtures of the tests of retention_kit.clv: the papers' data and fitted models."""

from __future__ import annotations

import pandas as pd
import pytest

from retention_kit.clv import (
    BetaGeoModel,
    GammaGammaModel,
    ParetoNBDModel,
    load_cdnow_sample,
    load_cdnow_summary,
    rfm_summary,
)

REL = 0.01  # parameters within 1% of the published values
LL_TOL = 0.1  # log-likelihood within 0.1 of the published value


def _assert_published(model, published: dict[str, float], ll: float | None = None) -> None:
    for name, value in published.items():
        assert model.params_[name] == pytest.approx(value, rel=REL), name
    if ll is not None:
        assert model.log_likelihood_ == pytest.approx(ll, abs=LL_TOL)


@pytest.fixture
def assert_published():
    """Check a fit against published estimates (1% on parameters, 0.1 on the log-likelihood)."""
    return _assert_published


@pytest.fixture(scope="session")
def cdnow() -> pd.DataFrame:
    return load_cdnow_summary()


@pytest.fixture(scope="session")
def bgnbd(cdnow) -> BetaGeoModel:
    return BetaGeoModel().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


@pytest.fixture(scope="session")
def pareto(cdnow) -> ParetoNBDModel:
    return ParetoNBDModel().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


@pytest.fixture(scope="session")
def cdnow_spend() -> pd.DataFrame:
    """Repeat customers' calibration spend: mean of the repeat purchase days' totals."""
    orders = load_cdnow_sample()
    cal = orders[orders["date"] <= "1997-09-30"]
    days = cal.groupby(["customer_id", "date"], as_index=False)["amount"].sum()
    first = days.groupby("customer_id")["date"].transform("min")
    repeat = days[days["date"] > first]
    return repeat.groupby("customer_id")["amount"].agg(frequency="count", monetary_value="mean")


@pytest.fixture(scope="session")
def gamma_gamma(cdnow_spend) -> GammaGammaModel:
    return GammaGammaModel().fit(cdnow_spend["frequency"], cdnow_spend["monetary_value"])


@pytest.fixture(scope="session")
def cdnow_rfm_pandas():
    return rfm_summary(
        load_cdnow_sample(),
        date_col="date",
        amount_col="amount",
        calibration_end="1997-09-30",
        duplicates="keep",
    )
