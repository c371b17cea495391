"""Pareto/NBD: the published CDNOW estimates, lifetimes at the same parameters, invariants."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mteam.errors import InvalidInputError
from mteam.membership.pareto_nbd import ParetoNBDModel, _log_f, _log_likelihood, fit_pareto_nbd
from mteam.membership.repeat import Profile, RepeatSummary
from tests.models_common import cdnow_summary, lifetimes


@pytest.fixture(scope="module")
def fitted():
    return fit_pareto_nbd(cdnow_summary())


def test_fader_hardie_lee_2005_cdnow_estimates(fitted):
    # Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base
    # Analysis", Journal of Marketing Research 42(4): r 0.553, alpha 10.578, s 0.606,
    # beta 11.669, LL -9595.0
    m = fitted
    assert (round(m.r, 3), round(m.alpha, 3), round(m.s, 3), round(m.beta, 3)) == (
        0.553,
        10.578,
        0.606,
        11.669,
    )
    assert round(m.log_likelihood, 1) == -9595.0
    assert m.diagnostics.converged
    assert all(se is not None and se > 0 for se in m.standard_errors)
    assert m.to_records()[2]["parameter"] == "s"


def test_agrees_with_lifetimes_at_the_same_parameters(fitted):

    peer = lifetimes().ParetoNBDFitter()
    peer.params_ = pd.Series(dict(zip(["r", "alpha", "s", "beta"], fitted.parameters, strict=True)))
    ps = cdnow_summary().profiles
    x = np.array([p.x for p in ps])
    tx = np.array([p.t_x for p in ps])
    t = np.array([p.T for p in ps])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alive = peer.conditional_probability_alive(x, tx, t)
        expected = peer.conditional_expected_number_of_purchases_up_to_time(39, x, tx, t)
        unconditional = peer.expected_number_of_purchases_up_to_time(39)
    for i, p in enumerate(ps):
        assert fitted.p_alive(p.x, p.t_x, p.T) == pytest.approx(alive[i], abs=1e-6)
        assert fitted.expected_purchases(39, p.x, p.t_x, p.T) == pytest.approx(
            expected[i], abs=1e-6
        )
    assert fitted.expected_purchases_unconditional(39) == pytest.approx(unconditional, abs=1e-6)


PARAMS = st.tuples(*(st.floats(0.05, 20) for _ in range(4)))


@st.composite
def customers(draw):
    x = draw(st.integers(0, 400))
    big_t = draw(st.floats(0.5, 200))
    t_x = 0.0 if x == 0 else draw(st.floats(0.01, big_t))
    return x, t_x, big_t


@given(PARAMS, customers(), st.floats(0, 500), st.floats(0, 500))
def test_invariants(theta, customer, t1, t2):
    m = ParetoNBDModel(*theta)
    x, t_x, big_t = customer
    assert 0 <= m.p_alive(x, t_x, big_t) <= 1
    lo, hi = sorted((t1, t2))
    e_lo, e_hi = m.expected_purchases(lo, x, t_x, big_t), m.expected_purchases(hi, x, t_x, big_t)
    assert math.isfinite(e_hi)
    assert 0 <= e_lo <= e_hi * (1 + 1e-9) + 1e-12
    assert (
        0
        <= m.expected_purchases_unconditional(lo)
        <= m.expected_purchases_unconditional(hi) * (1 + 1e-9) + 1e-12
    )


def test_no_overflow_or_nan_at_extremes():
    m = ParetoNBDModel(0.553, 10.578, 0.606, 11.669)
    for x in (300, 1000, 10000):
        assert 0 < m.p_alive(x, 38.0, 38.86) <= 1
        assert math.isfinite(m.expected_purchases(39, x, 38.0, 38.86))
    swapped = ParetoNBDModel(0.553, 11.669, 0.606, 10.578)  # alpha > beta
    assert 0 < swapped.p_alive(3, 10.0, 38.86) < 1
    assert ParetoNBDModel(1, 1, 1.0, 1).expected_purchases_unconditional(10) == pytest.approx(
        math.log(11)
    )
    assert m.p_alive(2, 38.86, 38.86) == 1.0
    # the series' cap: z within 1e-6 of 1 still gives a finite value
    assert math.isfinite(_log_f(2.0, 1.5, 1 - 1e-6))
    assert _log_f(2.0, 1.5, 0.0) == 0.0


def test_compression_changes_nothing():
    rows = [Profile(0, 0, 30), Profile(1, 10, 30), Profile(3, 25, 30), Profile(1, 3, 20)] * 5
    one = RepeatSummary("week", rows)
    two = RepeatSummary("week", rows[:9]) + RepeatSummary("week", rows[9:])
    assert one == two
    theta = (0.553, 10.578, 0.606, 11.669)
    # the compressed likelihood equals the sum over the members one by one
    assert _log_likelihood(theta, one.profiles) == pytest.approx(
        _log_likelihood(theta, rows), rel=1e-12
    )


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: fit_pareto_nbd(None), "summary"),
        (lambda: fit_pareto_nbd(RepeatSummary("week", [Profile(0, 0, 3)])), "summary"),
        (lambda: ParetoNBDModel(1, 1, -1, 1), "s"),
        (lambda: ParetoNBDModel(1, 1, 1, 1).p_alive(2, 3, 1), "t_x"),
        (lambda: ParetoNBDModel(1, 1, 1, 1).expected_purchases(math.inf, 0, 0, 1), "t"),
        (lambda: ParetoNBDModel(1, 1, 1, 1).probability_of_purchases(-1, 1), "k"),
        (lambda: ParetoNBDModel(1, 1, 1, 1).probability_of_purchases(1.5, 1), "k"),
        (lambda: ParetoNBDModel(1, 1, 1, 1).probability_of_purchases(1, -1), "t"),
    ],
)
def test_bad_input(call, path):
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.path == path


def test_probability_of_purchases_agrees_with_lifetimes_on_cdnow(fitted):
    # lifetimes 0.11 has only the conditional P(X(t) = n | x, t_x, T) for the Pareto/NBD
    # (Fader & Hardie's note 028, eq. 16); for a member observed for no time at all
    # (x = t_x = T = 0) the likelihood is 1 and it is the unconditional P(X(t) = n)
    peer = lifetimes().ParetoNBDFitter()
    swapped = ParetoNBDModel(fitted.r, fitted.beta, fitted.s, fitted.alpha)  # alpha > beta
    for model in (fitted, swapped):
        peer.params_ = pd.Series(
            dict(zip(["r", "alpha", "s", "beta"], model.parameters, strict=True))
        )
        for t in (1.0, 39.0, 78.0):
            for k in (0, 1, 2, 5, 10, 30):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    expected = peer.conditional_probability_of_n_purchases_up_to_time(k, t, 0, 0, 0)
                assert model.probability_of_purchases(k, t) == pytest.approx(
                    float(expected), abs=1e-6, rel=1e-9
                )


def test_probability_of_purchases_by_hand_and_on_cdnow(fitted):
    # r = s = alpha = beta = 1 (lambda and mu exponential), t = 1: the 2F1 are 1 at
    # alpha = beta, and P(X(1) = 0) = 1/4 + B(1, 2)(1 - 1/4) = 5/8,
    # P(X(1) = 1) = (1/2)^3 + B(2, 2)(1 - 1/4 - 2/8) = 1/8 + 1/12 = 5/24; directly,
    # P(X(1) = 0) = E[mu/(lambda + mu)(1 - e^-(lambda+mu)) + e^-(lambda+mu)] = 1/2 - 1/8 + 1/4
    m = ParetoNBDModel(1, 1, 1, 1)
    assert m.probability_of_purchases(0, 1) == pytest.approx(5 / 8, rel=1e-14)
    assert m.probability_of_purchases(1, 1) == pytest.approx(5 / 24, rel=1e-14)
    assert m.probability_of_purchases(0, 0) == 1.0
    assert m.probability_of_purchases(2, 0) == 0.0
    # on the CDNOW estimates the distribution sums to 1 and its mean is the closed-form E[X(t)]
    ps = [fitted.probability_of_purchases(k, 39) for k in range(150)]
    assert sum(ps) == pytest.approx(1, abs=1e-12)
    assert sum(k * p for k, p in enumerate(ps)) == pytest.approx(
        fitted.expected_purchases_unconditional(39), rel=1e-10
    )
    # far in the tail (summed term by term, not as a difference): positive and falling
    far = [fitted.probability_of_purchases(k, 39) for k in (200, 201, 400)]
    assert 0 < far[2] < far[1] < far[0] < 1e-15


@given(
    st.tuples(st.floats(0.05, 20), st.floats(0.5, 20), st.floats(0.05, 20), st.floats(0.5, 20)),
    st.floats(0.01, 40),
)
@settings(max_examples=25)
def test_probability_of_purchases_is_a_distribution(theta, t):
    m = ParetoNBDModel(*theta)
    big_k = 25
    ps = [m.probability_of_purchases(k, t) for k in range(big_k)]
    assert all(0 <= p <= 1 for p in ps)
    total = sum(ps)
    mean = m.expected_purchases_unconditional(t)
    assert total <= 1 + 1e-9
    # Markov: P(X(t) >= K) <= E[X(t)]/K, so the first K probabilities hold the rest
    assert total >= 1 - mean / big_k - 1e-9
    assert sum(k * p for k, p in enumerate(ps)) <= mean * (1 + 1e-9) + 1e-12


@given(PARAMS, st.lists(customers(), min_size=1, max_size=6), st.floats(0, 100))
@settings(max_examples=40)
def test_the_many_member_path_is_the_one_member_path(theta, profiles, t):
    m = ParetoNBDModel(*theta)
    members = profiles + profiles[::-1]
    assert m.expected_purchases_each(t, members) == [m.expected_purchases(t, *c) for c in members]
    assert m.p_alive_each(members) == [m.p_alive(*c) for c in members]
    with pytest.raises(InvalidInputError) as info:
        m.p_alive_each([*members, (1, 2.0, 1.0)])
    assert info.value.path == f"customers[{len(members)}].t_x"
