"""Explicit time units: every rate, horizon and duration names its period.

A "12-month" lifetime value must not be computed over 12 weeks by accident, so mteam never
converts between units silently: a [`Rate`][mteam.membership.units.Rate] per month combined
with a [`Duration`][mteam.membership.units.Duration] in years is an input error.

Examples:
    >>> from mteam.membership.units import Duration, Rate, TimeUnit, same_unit
    >>> monthly = Rate(0.01, TimeUnit.MONTH)
    >>> same_unit(("discount_rate", monthly), ("lifetime", Duration(24, "month")))
    <TimeUnit.MONTH: 'month'>
    >>> same_unit(("discount_rate", monthly), ("lifetime", Duration(2, "year")))
    Traceback (most recent call last):
    mteam.errors.InvalidInputError: lifetime: is in years but discount_rate is per month; \
convert one explicitly
"""

from __future__ import annotations

import enum
from typing import Final

import attrs

from mteam._validate import enum_value, real
from mteam.errors import InvalidInputError

__all__ = ["Duration", "Rate", "TimeUnit", "same_unit"]


class TimeUnit(enum.Enum):
    """A period of time."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"

    @property
    def plural(self) -> str:
        """The unit's plural, for messages."""
        return f"{self.value}s"


def to_unit(value: TimeUnit | str) -> TimeUnit:
    """An attrs converter: a TimeUnit, or its value as a string."""
    return _UNIT(value)


_UNIT: Final = enum_value(TimeUnit, "unit")


@attrs.frozen
class Rate:
    """A rate per period: a discount rate, a retention rate, purchases per period.

    Attributes:
        value: The rate (≥ 0).
        per: The period it applies to.
    """

    value: float = attrs.field(validator=real(ge=0))
    per: TimeUnit = attrs.field(converter=to_unit)


@attrs.frozen
class Duration:
    """A length of time in a named unit.

    Attributes:
        value: The length (≥ 0).
        unit: Its unit.
    """

    value: float = attrs.field(validator=real(ge=0))
    unit: TimeUnit = attrs.field(converter=to_unit)


def _unit_of(value: Rate | Duration | TimeUnit) -> TimeUnit:
    if isinstance(value, Rate):
        return value.per
    if isinstance(value, Duration):
        return value.unit
    return value


def _describe(value: Rate | Duration | TimeUnit, unit: TimeUnit) -> str:
    return f"is per {unit.value}" if isinstance(value, Rate) else f"is in {unit.plural}"


def same_unit(*named: tuple[str, Rate | Duration | TimeUnit]) -> TimeUnit:
    """The one unit shared by the named rates, durations and units.

    Raises:
        InvalidInputError: at the first one whose unit differs from the first one's.
    """
    first_name, first = named[0]
    unit = _unit_of(first)
    for name, value in named[1:]:
        other = _unit_of(value)
        if other is not unit:
            raise InvalidInputError(
                name,
                f"{_describe(value, other)} but {first_name} {_describe(first, unit)}; "
                "convert one explicitly",
            )
    return unit
