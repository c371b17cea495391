"""Gamma-Gamma: the published CDNOW estimates and lifetimes at the same parameters."""

import warnings
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mteam.errors import InvalidInputError
from mteam.membership.gamma_gamma import GammaGammaModel, fit_gamma_gamma
from mteam.membership.repeat import Profile, RepeatSummary, SpendProfile
from tests.models_common import cdnow_gamma_gamma, cdnow_members, lifetimes

D = Decimal


@pytest.fixture(scope="module")
def fitted():
    return cdnow_gamma_gamma()


def test_fader_hardie_2013_cdnow_estimates(fitted):
    # Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value": p 6.25, q 3.74,
    # gamma 15.44 on the 946 repeat buyers; the correlation of x and m_x is 0.11
    m = fitted
    assert (round(m.p, 2), round(m.q, 2), round(m.gamma, 2)) == (6.25, 3.74, 15.44)
    assert m.members == 946
    assert round(m.correlation, 2) == 0.11
    assert m.diagnostics.converged
    assert m.population_mean == pytest.approx(m.gamma * m.p / (m.q - 1))
    assert len(m.to_records()) == 3


def test_agrees_with_lifetimes(fitted):

    peer = lifetimes().GammaGammaFitter()
    peer.params_ = pd.Series(dict(zip(["p", "q", "v"], fitted.parameters, strict=True)))
    buyers = [r for r in cdnow_members() if r.x > 0 and r.repeat_spend > 0]
    x = pd.Series([r.x for r in buyers])
    mean = pd.Series([float(r.mean_spend) for r in buyers])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = peer.conditional_expected_average_profit(x, mean).to_numpy()
    for i, r in enumerate(buyers):
        assert fitted.expected_spend(r.x, float(r.mean_spend)) == pytest.approx(
            expected[i], abs=1e-6
        )


@given(
    st.floats(0.1, 20),
    st.floats(1.1, 20),
    st.floats(0.1, 100),
    st.integers(1, 500),
    st.floats(0.01, 1e4),
)
def test_expected_spend_is_between_the_population_and_the_member(p, q, g, x, m):
    model = GammaGammaModel(p, q, g)
    e = model.expected_spend(x, m)
    lo, hi = sorted((model.population_mean, m))
    assert lo * (1 - 1e-9) <= e <= hi * (1 + 1e-9)


def test_single_valued_data_has_no_correlation():
    s = RepeatSummary(
        "week", [Profile(1, 1, 2)], [SpendProfile(1, D(10), 3), SpendProfile(1, D(20), 3)]
    )
    assert fit_gamma_gamma(s).correlation is None


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: fit_gamma_gamma(3), "summary"),
        (lambda: fit_gamma_gamma(RepeatSummary("week", [Profile(0, 0, 3)])), "summary.spend"),
        (lambda: GammaGammaModel(1, 1, 0), "gamma"),
        (lambda: GammaGammaModel(1, 1, 1).expected_spend(-1, 1), "x"),
        (lambda: GammaGammaModel(1, 1, 1).expected_spend(0, 1), "x"),
        (lambda: GammaGammaModel(1, 2, 1).expected_spend(1, 0), "mean_spend"),
    ],
)
def test_bad_input(call, path):
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.path == path
