"""Review periods and days employed within them.

A [`Period`][mteam.periods.Period] is a closed range of dates: both the first and the last day
belong to it. Employment is counted the same way: someone hired on 1 July and leaving on
31 December was employed for 184 days of 2026.

Examples:
    >>> from datetime import date
    >>> from mteam.periods import Period
    >>> year = Period(date(2026, 1, 1), date(2026, 12, 31))
    >>> year.days
    365
    >>> year.days_employed(date(2026, 7, 1), date(2026, 12, 31))
    184
    >>> year.days_employed(date(2025, 3, 1), None)
    365
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import attrs

from mteam._validate import show
from mteam.errors import InvalidInputError

__all__ = ["Period"]


def _check_date(_inst: object, attr: attrs.Attribute[date], value: object) -> None:
    if not isinstance(value, date):
        raise InvalidInputError(attr.name, f"must be a date, got {show(value)}")


@attrs.frozen(order=True)
class Period:
    """A closed range of dates, `start` to `end` inclusive.

    Attributes:
        start: The first day.
        end: The last day (not before `start`).

    Examples:
        >>> from datetime import date
        >>> q1 = Period(date(2026, 1, 1), date(2026, 3, 31))
        >>> q1.days, date(2026, 3, 31) in q1  # 31 + 28 + 31 = 90 days, both ends included
        (90, True)
    """

    start: date = attrs.field(validator=_check_date)
    end: date = attrs.field(validator=_check_date)

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInputError(
                "end", f"must not be before start ({self.start.isoformat()}), got {self.end}"
            )

    @property
    def days(self) -> int:
        """The number of days in the period, both ends included."""
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def days_employed(self, hired_on: date, left_on: date | None = None) -> int:
        """Days of the period on which someone hired on `hired_on` was still employed.

        Args:
            hired_on: The first day of employment.
            left_on: The last day of employment, or None while still employed.

        Raises:
            InvalidInputError: `left_on` is before `hired_on`.

        Examples:
            Hired on 15 March 2026 into Q1 2026: 15–31 March, 31 − 15 + 1 = 17 days.

            >>> from datetime import date
            >>> Period(date(2026, 1, 1), date(2026, 3, 31)).days_employed(date(2026, 3, 15))
            17
        """
        if left_on is not None and left_on < hired_on:
            raise InvalidInputError(
                "left_on", f"must not be before hired_on ({hired_on}), got {left_on}"
            )
        first = max(self.start, hired_on)
        last = self.end if left_on is None else min(self.end, left_on)
        return max(0, (last - first).days + 1)

    def proration(self, hired_on: date, left_on: date | None = None) -> Fraction:
        """The share of the period employed, `days_employed / days`, exactly, in [0, 1].

        Examples:
            >>> from datetime import date
            >>> leap = Period(date(2024, 1, 1), date(2024, 12, 31))
            >>> leap.proration(date(2024, 12, 31))
            Fraction(1, 366)
        """
        return Fraction(self.days_employed(hired_on, left_on), self.days)
