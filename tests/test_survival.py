"""Kaplan–Meier's band, median interval, event table and look-ups.

The band and the median's interval are compared with lifelines (the peer that computes the
same exponential Greenwood band) on lifelines' own data sets, waltons and gbsg2.
"""

import math
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lifelines import KaplanMeierFitter
from lifelines.datasets import load_gbsg2, load_waltons
from lifelines.utils import median_survival_times

from mteam.errors import InvalidInputError
from mteam.membership.survival import (
    BAND_METHOD,
    DurationTable,
    _band,
    kaplan_meier,
    kaplan_meier_table,
)
from mteam.membership.units import TimeUnit


def _waltons():
    frame = load_waltons()
    return [float(t) for t in frame["T"]], [bool(e) for e in frame["E"]]


def _gbsg2():
    frame = load_gbsg2()
    return [int(t) for t in frame["time"]], [bool(e) for e in frame["cens"]]


DATA_SETS = {"waltons": _waltons(), "gbsg2": _gbsg2()}


def _lifelines(durations, observed, alpha):
    return KaplanMeierFitter().fit(durations, observed, alpha=alpha)


@pytest.mark.parametrize("name", sorted(DATA_SETS))
@pytest.mark.parametrize("alpha", [0.05, 0.10, 0.01])
def test_band_equals_lifelines(name, alpha):
    durations, observed = DATA_SETS[name]
    curve = kaplan_meier(durations, observed, alpha=alpha)
    peer = _lifelines(durations, observed, alpha)
    timeline = [float(t) for t in peer.timeline]
    band = peer.confidence_interval_
    peer_lower = band.iloc[:, 0].to_list()
    peer_upper = band.iloc[:, 1].to_list()
    peer_s = peer.survival_function_.iloc[:, 0].to_list()
    # at every time of lifelines' timeline (0, every event and every censoring-only time)
    assert curve.survival_at(timeline) == pytest.approx(peer_s, abs=1e-12, rel=0)
    ours = curve.band_at(timeline)
    assert [lo for lo, _ in ours] == pytest.approx(peer_lower, abs=1e-9, rel=0)
    assert [hi for _, hi in ours] == pytest.approx(peer_upper, abs=1e-9, rel=0)
    assert curve.alpha == alpha
    assert curve.band_method == BAND_METHOD == "exponential Greenwood"


@pytest.mark.parametrize("name", sorted(DATA_SETS))
def test_median_and_its_interval_equal_lifelines(name):
    durations, observed = DATA_SETS[name]
    curve = kaplan_meier(durations, observed)
    peer = _lifelines(durations, observed, 0.05)
    interval = median_survival_times(peer.confidence_interval_).iloc[0].to_list()
    assert curve.median == peer.median_survival_time_
    expected = tuple(None if math.isinf(x) else x for x in interval)
    assert curve.median_interval == expected
    low, high = curve.median_interval
    assert low is not None
    assert low <= curve.median
    assert high is None or curve.median <= high


def test_median_interval_on_waltons_by_value():
    # lifelines 0.30: median_survival_time_ 56.0, median_survival_times(ci) 53.0 and 58.0
    curve = kaplan_meier(*DATA_SETS["waltons"])
    assert (curve.median, curve.median_interval) == (56.0, (53.0, 58.0))


@pytest.mark.parametrize("name", sorted(DATA_SETS))
def test_event_table_equals_lifelines_and_rebuilds_the_data(name):
    durations, observed = DATA_SETS[name]
    curve = kaplan_meier(durations, observed)
    table = curve.table
    peer = _lifelines(durations, observed, 0.05).event_table
    peer = peer[peer["removed"] > 0]  # lifelines adds a row at 0 when nobody has duration 0
    assert list(table.times) == [float(t) for t in peer.index]
    assert list(table.at_risk) == peer["at_risk"].to_list()
    assert list(table.events) == peer["observed"].to_list()
    assert list(table.censored) == peer["censored"].to_list()
    rebuilt = Counter()
    for row in table.to_records():
        rebuilt[row["time"], True] += row["events"]
        rebuilt[row["time"], False] += row["censored"]
    assert +rebuilt == Counter(zip(durations, observed, strict=True))


def test_gbsg2_censoring_at_non_event_times_is_kept():
    # gbsg2 has 387 censored rows; only 39 share a time with an event, so a table of event
    # times alone would lose 348 of them
    curve = kaplan_meier(*DATA_SETS["gbsg2"])
    event_times = set(curve.times)
    off_event = sum(
        c
        for t, c in zip(curve.table.times, curve.table.censored, strict=True)
        if t not in event_times
    )
    assert (sum(curve.table.censored), off_event) == (387, 348)
    assert sum(curve.censored) == 39  # the curve's own field is unchanged


def test_the_band_by_hand():
    # t = 2: S = 5/6, V = 1/(6·5), se = √V / |log S|; lower = S^exp(z·se), upper = S^exp(−z·se)
    curve = kaplan_meier([2, 3, 3, 5, 6, 8], [True, True, False, True, False, True])
    s, v, z = 5 / 6, 1 / 30, 1.959963984540054
    se = math.sqrt(v) / -math.log(s)
    assert curve.lower[0] == pytest.approx(s ** math.exp(z * se), abs=1e-15)
    assert curve.upper[0] == pytest.approx(s ** math.exp(-z * se), abs=1e-15)
    assert (round(curve.lower[0], 4), round(curve.upper[0], 4)) == (0.2731, 0.9747)
    # at 8 the last member left: S = 0 and the band is [0, 0]
    assert (curve.survival[-1], curve.lower[-1], curve.upper[-1]) == (0.0, 0.0, 0.0)
    assert curve.median_interval == (2, 8)


def test_look_ups_by_bisection():
    curve = kaplan_meier([2, 3, 3, 5, 6, 8], [True, True, False, True, False, True])
    times = [0, 1.99, 2, 2.5, 3, 4.9, 5, 7, 8, 1e9]
    expected = [1.0, 1.0, 5 / 6, 5 / 6, 2 / 3, 2 / 3, 4 / 9, 4 / 9, 0.0, 0.0]
    assert curve.survival_at(times) == pytest.approx(expected, abs=1e-15)
    assert [curve.at(t) for t in times] == list(curve.survival_at(times))
    assert curve.survival_at(()) == ()
    assert curve.band_at([0, 2]) == ((1.0, 1.0), (curve.lower[0], curve.upper[0]))


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda c: c.survival_at(5), "times"),
        (lambda c: c.survival_at([1, -1]), "times[1]"),
        (lambda c: c.band_at([math.nan]), "times[0]"),
        (lambda c: c.at(-1), "t"),
        (lambda _: kaplan_meier([1], [True], alpha=0), "alpha"),
        (lambda _: kaplan_meier([1], [True], alpha=1.5), "alpha"),
        (lambda _: kaplan_meier_table(DurationTable(TimeUnit.DAY, {}), alpha=1), "alpha"),
    ],
)
def test_bad_look_ups_and_levels(call, path):
    curve = kaplan_meier([1, 2], [True, False])
    with pytest.raises(InvalidInputError) as info:
        call(curve)
    assert info.value.path == path


def test_the_table_path_gives_the_same_band():
    table = DurationTable(TimeUnit.MONTH, {2: (1, 0), 3: (1, 1), 4: (0, 0), 5: (1, 0), 6: (0, 1)})
    curve = kaplan_meier_table(table, alpha=0.2)
    direct = kaplan_meier([2, 3, 3, 5, 6], [True, True, False, True, False], "month", alpha=0.2)
    assert curve == direct
    assert 4 not in curve.table.times  # an empty row counts nobody
    assert kaplan_meier([], []).median_interval == (None, None)


# --- properties ------------------------------------------------------------------------------

rows = st.lists(st.tuples(st.integers(0, 40), st.booleans()), min_size=1, max_size=60)
levels = st.sampled_from([0.01, 0.05, 0.1, 0.2, 0.5])


@given(rows, levels)
def test_band_contains_s_within_the_unit_interval_and_falls(data, alpha):
    curve = kaplan_meier([d for d, _ in data], [o for _, o in data], alpha=alpha)
    previous = 1.0
    for lo, s, hi in zip(curve.lower, curve.survival, curve.upper, strict=True):
        assert 0.0 <= lo <= s <= hi <= 1.0
        assert s <= previous
        previous = s
    low, high = curve.median_interval
    if curve.median is not None:
        assert low is not None
        assert low <= curve.median
        assert high is None or curve.median <= high
    elif low is None:
        assert high is None


@pytest.mark.parametrize(
    ("durations", "observed", "alpha", "which"),
    [
        # the lower curve rises from 0.249993 to 0.250488 at t = 1
        ([0] + [1] * 9, [True] + [False] * 8 + [True], 0.01, 0),
        # 865 of 1,000 leave at t = 1 and 133 are censored; one of the last two leaves at 2:
        # Greenwood's V jumps by 1/2 and the upper curve rises from 0.156989 to 0.200537
        ([1] * 998 + [2, 3], [True] * 865 + [False] * 133 + [True, False], 0.05, 1),
    ],
)
def test_the_band_is_pointwise_and_may_rise_as_lifelines_does(durations, observed, alpha, which):
    curve = kaplan_meier(durations, observed, alpha=alpha)
    peer = _lifelines(durations, observed, alpha).confidence_interval_.iloc[:, which]
    ours = (curve.lower, curve.upper)[which]
    assert list(ours) == pytest.approx(peer.loc[list(curve.times)].to_list(), abs=1e-12, rel=0)
    assert ours[1] > ours[0]  # a pointwise band, not a simultaneous one: no monotone promise
    assert curve.survival[1] < curve.survival[0]


@given(rows, st.data())
def test_the_curve_does_not_depend_on_the_order_of_the_members(data, draw):
    shuffled = draw.draw(st.permutations(data))
    a = kaplan_meier([d for d, _ in data], [o for _, o in data])
    b = kaplan_meier([d for d, _ in shuffled], [o for _, o in shuffled])
    assert a == b


@given(rows, levels, levels)
def test_a_higher_level_gives_a_wider_band(data, a1, a2):
    narrow_alpha, wide_alpha = max(a1, a2), min(a1, a2)
    durations, observed = [d for d, _ in data], [o for _, o in data]
    narrow = kaplan_meier(durations, observed, alpha=narrow_alpha)
    wide = kaplan_meier(durations, observed, alpha=wide_alpha)
    assert narrow.survival == wide.survival  # the band never changes the estimate
    for lo_n, hi_n, lo_w, hi_w in zip(
        narrow.lower, narrow.upper, wide.lower, wide.upper, strict=True
    ):
        assert lo_w <= lo_n
        assert hi_n <= hi_w


@given(rows)
def test_the_event_table_counts_every_member(data):
    curve = kaplan_meier([d for d, _ in data], [o for _, o in data])
    table = curve.table
    assert table.times == tuple(sorted({d for d, _ in data}))
    assert sum(table.events) + sum(table.censored) == len(data) == table.at_risk[0]
    for i in range(1, len(table.times)):
        assert (
            table.at_risk[i] == table.at_risk[i - 1] - table.events[i - 1] - table.censored[i - 1]
        )
    assert sum(table.events) == sum(curve.events)


@given(rows, st.lists(st.floats(0, 50, allow_nan=False), max_size=20))
def test_survival_at_equals_a_linear_scan(data, times):
    curve = kaplan_meier([d for d, _ in data], [o for _, o in data])

    def scan(t):
        value = 1.0
        for time, s in zip(curve.times, curve.survival, strict=True):
            if time <= t:
                value = s
        return value

    assert curve.survival_at(times) == tuple(scan(t) for t in times)


def test_a_survival_that_rounds_to_one_has_the_band_one():
    # 1 − d/n rounds to 1.0 only for n beyond 10^16; the band is then [1, 1], not a nan
    assert _band(1.0, 0.0, 1.96) == (1.0, 1.0)


def test_a_duration_table_takes_its_unit_by_name():
    # plain values in: the unit's name, as every other unit field takes it
    table = DurationTable("Days", {1: (1, 0)})
    assert table.unit is TimeUnit.DAY
    with pytest.raises(InvalidInputError, match="unit"):
        DurationTable("fortnight", {1: (1, 0)})
