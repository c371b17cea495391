"""BG/NBD: the published CDNOW estimates, lifetimes at the same parameters, invariants."""

import math
import random
import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mteam._optimize import maximise_positive
from mteam.errors import InvalidInputError
from mteam.membership.bgnbd import BGNBDModel, _evaluate, _Table, fit_bgnbd
from mteam.membership.repeat import Profile, RepeatSummary
from tests.models_common import cdnow_bgnbd, cdnow_summary, lifetimes


@pytest.fixture(scope="module")
def fitted():
    return cdnow_bgnbd()


def test_fader_hardie_lee_2005_cdnow_estimates(fitted):
    # Fader, Hardie & Lee (2005), "Counting your customers the easy way", Marketing Science
    # 24(2): r 0.243, alpha 4.414, a 0.793, b 2.426, LL -9582.4
    m = fitted
    assert (round(m.r, 3), round(m.alpha, 3), round(m.a, 3), round(m.b, 3)) == (
        0.243,
        4.414,
        0.793,
        2.426,
    )
    assert round(m.log_likelihood, 1) == -9582.4
    assert m.diagnostics.converged
    assert m.diagnostics.gradient_norm < 1e-3
    assert all(se is not None and se > 0 for se in m.standard_errors)
    assert m.members == 2357
    assert [r["parameter"] for r in m.to_records()] == ["r", "alpha", "a", "b"]


def test_agrees_with_lifetimes_at_the_same_parameters(fitted):

    peer = lifetimes().BetaGeoFitter()
    peer.params_ = pd.Series(dict(zip(["r", "alpha", "a", "b"], fitted.parameters, strict=True)))
    ps = cdnow_summary().profiles
    x = np.array([p.x for p in ps])
    tx = np.array([p.t_x for p in ps])
    t = np.array([p.T for p in ps])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alive = peer.conditional_probability_alive(x, tx, t)
        expected = peer.conditional_expected_number_of_purchases_up_to_time(39, x, tx, t)
        unconditional = peer.expected_number_of_purchases_up_to_time(np.array([1.0, 39.0, 78.0]))
        pmf = [peer.probability_of_n_purchases_up_to_time(39, k) for k in (0, 1, 4)]
    for i, p in enumerate(ps):
        assert fitted.p_alive(p.x, p.t_x, p.T) == pytest.approx(alive[i], abs=1e-6)
        assert fitted.expected_purchases(39, p.x, p.t_x, p.T) == pytest.approx(
            expected[i], abs=1e-6
        )
    for t_, e in zip((1, 39, 78), unconditional, strict=True):
        assert fitted.expected_purchases_unconditional(t_) == pytest.approx(e, abs=1e-6)
    for k, e in zip((0, 1, 4), pmf, strict=True):
        assert fitted.probability_of_purchases(k, 39) == pytest.approx(float(e), abs=1e-6)


PARAMS = st.tuples(*(st.floats(0.05, 20) for _ in range(4)))


@st.composite
def customers(draw):
    x = draw(st.integers(0, 400))
    big_t = draw(st.floats(0.5, 200))
    t_x = 0.0 if x == 0 else draw(st.floats(0.01, big_t))
    return x, t_x, big_t


@given(PARAMS, customers(), st.floats(0, 500), st.floats(0, 500))
def test_invariants(theta, customer, t1, t2):
    m = BGNBDModel(*theta)
    x, t_x, big_t = customer
    p = m.p_alive(x, t_x, big_t)
    assert 0 <= p <= 1
    lo, hi = sorted((t1, t2))
    e_lo, e_hi = m.expected_purchases(lo, x, t_x, big_t), m.expected_purchases(hi, x, t_x, big_t)
    assert math.isfinite(e_hi)
    assert 0 <= e_lo <= e_hi * (1 + 1e-9) + 1e-12
    u_lo, u_hi = m.expected_purchases_unconditional(lo), m.expected_purchases_unconditional(hi)
    assert 0 <= u_lo <= u_hi * (1 + 1e-9) + 1e-12


def test_no_overflow_at_high_frequency():
    m = BGNBDModel(0.243, 4.414, 0.793, 2.426)
    for x in (300, 1000, 5000):
        assert math.isfinite(m.expected_purchases(39, x, 38.0, 38.86))
        assert 0 < m.p_alive(x, 38.0, 38.86) <= 1
    assert m.probability_of_purchases(3, 0) == 0.0
    assert m.probability_of_purchases(0, 0) == 1.0
    assert m.expected_purchases(0, 1, 1, 2) == 0.0
    assert m.expected_purchases(10, 1, 1, 2) > 0
    near_one = BGNBDModel(0.5, 4.0, 1.0, 2.0)
    assert math.isfinite(near_one.expected_purchases(10, 1, 1, 2))


def test_compression_and_partitions_change_nothing():
    rows = [Profile(0, 0, 30), Profile(0, 0, 30), Profile(1, 10, 30), Profile(3, 25, 30)] * 5
    rows += [Profile(1, 3, 20), Profile(2, 8, 30), Profile(5, 18, 20), Profile(0, 0, 20)] * 4
    whole = RepeatSummary("week", rows)
    left, right = RepeatSummary("week", rows[:17]), RepeatSummary("week", rows[17:])
    a, b = fit_bgnbd(whole), fit_bgnbd(left + right)
    assert a.parameters == b.parameters
    assert len(whole.profiles) == 7


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: fit_bgnbd("summary"), "summary"),
        (lambda: fit_bgnbd(RepeatSummary("week", [Profile(0, 0, 3)])), "summary"),
        (lambda: BGNBDModel(0, 1, 1, 1), "r"),
        (lambda: BGNBDModel(1, 1, 1, 1).p_alive(-1, 0, 1), "x"),
        (lambda: BGNBDModel(1, 1, 1, 1).p_alive(1, 2, 1), "t_x"),
        (lambda: BGNBDModel(1, 1, 1, 1).p_alive(1, 0, 1), "t_x"),
        (lambda: BGNBDModel(1, 1, 1, 1).p_alive(1, 1, "x"), "T"),
        (lambda: BGNBDModel(1, 1, 1, 1).expected_purchases(-1, 1, 1, 1), "t"),
        (lambda: BGNBDModel(1, 1, 1, 1).probability_of_purchases(-1, 1), "k"),
    ],
)
def test_bad_input(call, path):
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.path == path


def test_a_fit_without_a_finite_maximum_says_so():
    # everybody bought again at once and then stopped: the dropout shapes run off to zero
    s = RepeatSummary(
        "week", [Profile(0, 0, 30, 60), Profile(1, 10, 30, 25), Profile(3, 25, 30, 15)]
    )
    m = fit_bgnbd(s)
    assert not m.diagnostics.converged
    assert "no finite maximum" in m.diagnostics.message
    assert not any(math.isnan(v) for v in m.parameters)


def test_expected_purchases_are_smooth_through_a_equal_to_one():
    # at a = 1 the textbook formula is 0/0; it used to be evaluated at a = 1 + 1e-9, where the
    # cancellation left noise of 1e-7 that made E[X(t)] fall with t (found by Hypothesis).
    # With r = alpha = b = 1 (eq. 9 of Fader, Hardie & Lee 2005), z = t/(1 + t), 1 - z = 1/(1 + t):
    # at a = 2, E = 2 [1 - (1 - z) 2F1(1, 1; 2; z)] with 2F1(1, 1; 2; z) = -ln(1 - z)/z, which is
    # 2 (1 - ln(1 + t)/t); at a = 1, 2F1(1, 1; 1; z) = 1/(1 - z) and the limit is ln(1 + t).
    ts = (1.0, 2.0, 3.0, 10.0)
    at_one = BGNBDModel(1.0, 1.0, 1.0, 1.0)
    for t in ts:
        assert math.isclose(
            at_one.expected_purchases_unconditional(t), math.log1p(t), rel_tol=1e-12
        )
        assert math.isclose(
            BGNBDModel(1.0, 1.0, 2.0, 1.0).expected_purchases_unconditional(t),
            2 * (1 - math.log1p(t) / t),
            rel_tol=1e-12,
        )
    for a in (1 - 1e-6, 1 + 1e-6, 1 + 1e-3):
        near = BGNBDModel(1.0, 1.0, a, 1.0).expected_purchases_unconditional(3.0)
        assert abs(near - math.log1p(3.0)) < abs(a - 1)


def _textbook_log_likelihood(theta, profiles):
    # eq. 6 of Fader, Hardie & Lee (2005), member by member, as printed
    r, alpha, a, b = theta
    lg = math.lgamma
    total = 0.0
    for p in profiles:
        x = p.x
        a1 = lg(r + x) - lg(r) + r * math.log(alpha)
        a2 = lg(a + b) + lg(b + x) - lg(b) - lg(a + b + x)
        a3 = -(r + x) * math.log(alpha + p.T)
        a4 = (
            math.log(a) - math.log(b + x - 1) - (r + x) * math.log(alpha + p.t_x)
            if x
            else -math.inf
        )
        total += p.members * (a1 + a2 + max(a3, a4) + math.log1p(math.exp(-abs(a3 - a4))))
    return total


@given(PARAMS)
def test_the_hoisted_likelihood_is_the_textbook_one_and_its_gradient_is_exact(theta):
    profiles = cdnow_summary().profiles[::10]
    table = _Table.of(profiles)
    value, gradient = _evaluate(theta, table)
    assert value == pytest.approx(_textbook_log_likelihood(theta, profiles), rel=1e-11)
    for i in range(4):
        up, down = list(theta), list(theta)
        h = 1e-6 * theta[i]
        up[i] += h
        down[i] -= h
        numeric = (_evaluate(up, table)[0] - _evaluate(down, table)[0]) / (2 * h)
        assert gradient[i] == pytest.approx(numeric, rel=1e-5, abs=1e-7 * (1 + abs(value)))


def _synthetic(n, seed):
    # the benchmark's synthetic base (benchmarks/generate.py, `repeat_base`), draw for draw:
    # the BG/NBD story at the CDNOW estimates, purchases on whole days of a 52-week window,
    # first purchases in the first 12 weeks; times in weeks
    rng = random.Random(seed)  # noqa: S311 - a seeded simulation, not cryptography
    counts = Counter()
    for _ in range(n):
        rate = rng.gammavariate(0.243, 1 / 4.414) / 7
        p = rng.betavariate(0.793, 2.426)
        big_t = 364 - rng.randrange(84)
        days, t = set(), 0.0
        while rate > 0:
            t += rng.expovariate(rate)
            if t > big_t:
                break
            if 0 < int(t) <= big_t:
                days.add(int(t))
            if rng.random() < p:
                break
        rng.lognormvariate(3.2, 0.6)  # the basket and the spends, drawn to keep the sequence
        for _ in days:
            rng.lognormvariate(0, 0.3)
        counts[(len(days), max(days, default=0) / 7, big_t / 7)] += 1
    return RepeatSummary("week", [Profile(x, tx, tt, k) for (x, tx, tt), k in counts.items()])


def test_a_large_summary_converges_by_bfgs():
    # 20,000 members in about 8,500 distinct profiles: near the maximum the likelihood's
    # changes are below its rounding, and BFGS used to stop there "with no progress" and hand
    # over to a Nelder-Mead search of hundreds of evaluations; it now stops on the predicted
    # gain, by BFGS, with the true parameters within two standard errors
    s = _synthetic(20_000, 7)
    assert len(s.profiles) == 8541
    m = fit_bgnbd(s)
    assert m.diagnostics.method == "bfgs"
    assert m.diagnostics.converged
    assert m.diagnostics.iterations < 40
    assert m.diagnostics.gradient_norm < 1e-6 * -m.log_likelihood
    truth = (0.243, 4.414, 0.793, 2.426)
    for estimate, true, se in zip(m.parameters, truth, m.standard_errors, strict=True):
        assert abs(estimate - true) < 3 * se


@given(PARAMS, st.lists(customers(), min_size=1, max_size=8), st.floats(0, 100))
def test_the_many_member_path_is_the_one_member_path(theta, profiles, t):
    m = BGNBDModel(*theta)
    members = profiles + profiles[::-1]  # repeated profiles share one computation
    assert m.expected_purchases_each(t, members) == [m.expected_purchases(t, *c) for c in members]
    assert m.p_alive_each(members) == [m.p_alive(*c) for c in members]


@pytest.mark.parametrize(
    ("customers", "path"),
    [
        ([(1, 1.0, 2.0), (1, 3.0, 2.0)], "customers[1].t_x"),
        ([(1, 1.0, 2.0), (True, 1.0, 2.0)], "customers[1].x"),  # not 1's value from the cache
        ([(1, 1.0, 2.0), [1, 1.0, 2.0]], "customers[1]"),
        ([(1, 1.0)], "customers[0]"),
        ([(1, [1.0], 2.0)], "customers[0].t_x"),
        ([5], "customers[0]"),
        ("abc", "customers"),
    ],
)
def test_the_many_member_path_names_a_bad_customer(customers, path):
    m = BGNBDModel(0.243, 4.414, 0.793, 2.426)
    for call in (
        lambda: m.expected_purchases_each(39, customers),
        lambda: m.p_alive_each(customers),
    ):
        with pytest.raises(InvalidInputError) as info:
            call()
        assert info.value.path == path


def test_the_optimiser_reports_its_failures_as_data():
    def broken(_theta):
        raise ZeroDivisionError  # outside the model's domain everywhere

    fit = maximise_positive(broken, [(1.0, 1.0)], value_and_gradient=lambda t: (broken(t), ()))
    assert not fit.diagnostics.converged
    assert fit.covariance is None
    assert fit.standard_errors == (None, None)

    def nan_gradient(theta):
        return -((theta[0] - 2) ** 2), (math.nan,)

    fit = maximise_positive(lambda t: -((t[0] - 2) ** 2), [(1.0,)], value_and_gradient=nan_gradient)
    assert not math.isnan(fit.parameters[0])

    def value_and_gradient(theta):
        x, y = theta
        return -((x - 2) ** 2) - 10 * (y - 3) ** 2, (-2 * (x - 2), -20 * (y - 3))

    short = maximise_positive(
        lambda t: value_and_gradient(t)[0],
        [(1.0, 1.0)],
        value_and_gradient=value_and_gradient,
        max_iterations=1,
    )
    assert "1 iterations" in short.diagnostics.message or short.diagnostics.method == "nelder-mead"


# The bracket of the expected purchases, against 50-digit evaluations of its closed form
# c [1 − (1 − z)^r ₂F₁(r, b; c; z)] / (a − 1) (mpmath 1.3, `mp.dps = 50`, `hyp2f1`): a and b
# in the millions (a fit with no spread in the drop-out probability), c − r < 0 with z near 1
# (where Euler's transform alternates and lost every digit), b large, r large, and CDNOW-like.
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            (0.6477345970640032, 8760957.929810595, 8974878.89109067, 0.5430372617123732),
            0.52343056222794701452,
        ),
        (
            (138.56636863872836, 0.5013793350923498, 0.1761094166476562, 0.8661841109727132),
            15.75408251170300678,
        ),
        ((2.5, 3.0, 1e6, 0.3), 1.0714261607277166967),
        ((300.2, 0.8, 2.4, 0.9), 36.377879316539955779),
        ((1000.5, 2.0, 3.0, 0.53), 3.9893720617662488206),
        ((0.243, 0.793, 2.426, 0.4), 0.14820782528548921038),
    ],
)
def test_the_expected_purchases_bracket_is_exact_where_its_series_are_not(args, expected):
    from mteam.membership._special import bgnbd_bracket  # noqa: PLC0415

    assert bgnbd_bracket(*args) == pytest.approx(expected, rel=1e-13)
