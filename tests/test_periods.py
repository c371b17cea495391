from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mteam.errors import InvalidInputError
from mteam.io import dumps, loads
from mteam.periods import Period
from tests.strategies import days, periods

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
LEAP = Period(date(2024, 1, 1), date(2024, 12, 31))


@pytest.mark.parametrize(
    ("period", "hired", "left", "expected"),
    [
        (YEAR, date(2020, 1, 1), None, 365),  # the whole year
        (LEAP, date(2020, 1, 1), None, 366),  # a leap year has 366 days
        (LEAP, date(2024, 2, 29), None, 307),  # hired on leap day: 1 + 306
        (YEAR, date(2026, 12, 31), None, 1),  # hired on the last day
        (YEAR, date(2026, 1, 1), date(2026, 1, 1), 1),  # one day
        (YEAR, date(2020, 1, 1), date(2025, 12, 31), 0),  # left before the period
        (YEAR, date(2027, 1, 1), None, 0),  # hired after it
        (YEAR, date(2026, 1, 31), date(2026, 2, 28), 29),  # month ends
        (YEAR, date(2025, 6, 1), date(2026, 6, 30), 181),  # left mid-year
    ],
)
def test_days_employed_by_hand(period, hired, left, expected):
    assert period.days_employed(hired, left) == expected
    assert period.proration(hired, left) == Fraction(expected, period.days)


def test_period_basics():
    assert YEAR.days == 365
    assert LEAP.days == 366
    assert date(2026, 5, 1) in YEAR
    assert date(2027, 1, 1) not in YEAR
    assert "2026-05-01" not in YEAR
    assert Period(date(2026, 3, 1), date(2026, 3, 1)).days == 1
    assert loads(Period, dumps(YEAR)) == YEAR


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: Period(date(2026, 2, 1), date(2026, 1, 31)), "end"),
        (lambda: Period("2026-01-01", date(2026, 1, 31)), "start"),
        (lambda: YEAR.days_employed(date(2026, 5, 1), date(2026, 4, 30)), "left_on"),
    ],
)
def test_bad_periods(call, path):
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.path == path


@given(periods(), days, st.none() | days)
def test_proration_is_in_the_unit_interval(period, hired, left):
    if left is not None and left < hired:
        hired, left = left, hired
    share = period.proration(hired, left)
    assert 0 <= share <= 1


@given(periods(), st.integers(0, 2000), st.integers(0, 2000))
def test_employment_covering_the_period_prorates_to_one(period, before, after):
    hired = period.start - timedelta(days=before)
    left = period.end + timedelta(days=after)
    assert period.proration(hired, left) == 1
    assert period.proration(hired, None) == 1
