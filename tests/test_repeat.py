"""The repeat-purchase summary, checked against the CDNOW summary that lifetimes ships."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mteam.errors import InvalidInputError
from mteam.membership.records import Transaction
from mteam.membership.repeat import (
    Profile,
    RepeatSummary,
    SpendProfile,
    elapsed,
    repeat_members,
    repeat_summary,
)
from tests import cdnow

D = Decimal

END = date(2025, 3, 31)


def test_cdnow_summary_matches_the_published_one():
    # Fader, Hardie & Lee (2005): x, t_x and T in weeks (two decimals) and the mean repeat
    # spend zbar of the 2,357 CDNOW customers, as distributed with lifetimes
    rows = repeat_members(
        cdnow.transactions(),
        calibration_end=cdnow.CALIBRATION_END,
        holdout_end=cdnow.HOLDOUT_END,
    )
    published = {i: (x, tx, t, z) for i, x, tx, t, z in cdnow.published_summary()}
    assert len(rows) == 2357
    for r in rows:
        x, tx, t, z = published[int(r.member_id)]
        assert (r.x, round(r.t_x, 2), round(r.T, 2)) == (x, tx, t)
        if x:
            assert float(r.mean_spend) == pytest.approx(z, abs=0.0051)
    s = repeat_summary(
        cdnow.transactions(),
        calibration_end=cdnow.CALIBRATION_END,
        holdout_end=cdnow.HOLDOUT_END,
    )
    assert s.members == 2357
    assert sum(sp.members for sp in s.spend) == 946  # Fader & Hardie (2013): 946 repeat buyers
    assert len(s.holdout_by_period) == 39
    assert sum(s.holdout_by_period) == sum(p.holdout_purchases for p in s.profiles)
    assert len(s.profiles) < 2357  # compressed


def test_units_are_calendar_correct():
    assert elapsed(date(2025, 1, 31), date(2025, 2, 28), "month") == 1.0
    assert elapsed(date(2025, 1, 1), date(2025, 2, 15), "month") == pytest.approx(1 + 14 / 28)
    assert elapsed(date(2024, 2, 29), date(2025, 2, 28), "year") == 1.0
    assert elapsed(date(2025, 1, 1), date(2025, 1, 15), "day") == 14.0
    s = repeat_summary(
        [Transaction("a", date(2025, 1, 1), D(1)), Transaction("a", date(2025, 2, 1), D(2))],
        calibration_end=END,
        unit="month",
    )
    assert (s.profiles[0].x, s.profiles[0].t_x, s.profiles[0].T) == (1, 1.0, 2 + 30 / 31)


def sales(draw_days):
    return [Transaction(m, date(2025, 1, 1) + timedelta(days=d), D(a)) for m, d, a in draw_days]


SALES = st.lists(
    st.tuples(st.sampled_from("abcdef"), st.integers(0, 150), st.integers(0, 50)), max_size=40
)


@given(SALES, st.randoms(use_true_random=False))
def test_partition_and_permutation_change_nothing(rows, rnd):
    txs = sales(rows)
    kw = {"calibration_end": END, "holdout_end": date(2025, 5, 31), "unit": "week"}
    if not any(t.on <= END for t in txs):
        with pytest.raises(InvalidInputError):
            repeat_summary(txs, **kw)
        return
    whole = repeat_summary(txs, **kw)
    shuffled = list(txs)
    rnd.shuffle(shuffled)
    assert repeat_summary(shuffled, **kw) == whole
    left = [t for t in txs if t.member_id in "abc"]
    right = [t for t in txs if t.member_id not in "abc"]
    if any(t.on <= END for t in left) and any(t.on <= END for t in right):
        assert repeat_summary(left, **kw) + repeat_summary(right, **kw) == whole


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: Profile(-1, 0, 1), "x"),
        (lambda: Profile(1, 5, 4), "t_x"),
        (lambda: Profile(1, 0, 4), "t_x"),
        (lambda: Profile(0, 1, 4), "t_x"),
        (lambda: Profile(0, 0, 4, 0), "members"),
        (lambda: Profile(0, 0, float("nan")), "T"),
        (lambda: SpendProfile(0, D(1)), "x"),
        (lambda: SpendProfile(1, D(0)), "repeat_spend"),
        (lambda: SpendProfile(1, D(1), 0), "members"),
        (lambda: RepeatSummary("week", []), "profiles"),
        (lambda: RepeatSummary("week", [1]), "profiles[0]"),
        (
            lambda: RepeatSummary("week", [Profile(0, 0, 1)], holdout_by_period=[-1]),
            "holdout_by_period[0]",
        ),
        (lambda: RepeatSummary("week", [Profile(0, 0, 1)], holdout_end=END), "holdout_end"),
        (lambda: RepeatSummary("week", [Profile(0, 0, 1)], calibration_end="x"), "calibration_end"),
        (
            lambda: (
                RepeatSummary("week", [Profile(0, 0, 1)]) + RepeatSummary("day", [Profile(0, 0, 1)])
            ),
            "other.unit",
        ),
        (
            lambda: (
                RepeatSummary("week", [Profile(0, 0, 1)])
                + RepeatSummary("week", [Profile(0, 0, 1)], calibration_end=END)
            ),
            "other.calibration_end",
        ),
        (lambda: repeat_summary([], calibration_end=END), "transactions"),
        (lambda: repeat_summary([1], calibration_end=END), "transactions[0]"),
        (
            lambda: repeat_summary([Transaction("a", END, D(-1))], calibration_end=END),
            "transactions[0].amount",
        ),
        (lambda: repeat_summary([], calibration_end="2025"), "calibration_end"),
        (lambda: repeat_summary([], calibration_end=END, holdout_end=END), "holdout_end"),
        (lambda: repeat_summary([], calibration_end=END, unit="fortnight"), "unit"),
    ],
)
def test_bad_input_names_the_field(call, path):
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.path == path


def test_records_and_html():
    s = RepeatSummary("week", [Profile(1, 2, 3, 2, 1), Profile(1, 2, 3, 1, 0)])
    assert s.to_records() == [{"x": 1, "t_x": 2.0, "T": 3.0, "members": 3, "holdout_purchases": 1}]
    assert "<table" in s._repr_html_()
    assert not s.has_holdout
    assert (s + 1 if False else s.__add__(1)) is NotImplemented
    rows = repeat_members([Transaction("a", END, D(3))], calibration_end=END)
    assert rows[0].to_record()["x"] == 0
    assert rows[0].mean_spend is None
