"""Explicit time units: every rate, horizon and duration names its period.

A "12-month" lifetime value must not be computed over 12 weeks by accident, so mteam never
converts between units silently: a [`Rate`][mteam.membership.units.Rate] per month combined
with a [`Duration`][mteam.membership.units.Duration] in years is an input error.

A unit is a [`TimeUnit`][mteam.membership.units.TimeUnit] or its name, in any case, singular or
plural: `"month"`, `"Months"` and `TimeUnit.MONTH` are the same unit.

**The rule for bare numbers.** A rate or a duration is a `Rate` or a `Duration`, or a plain
number with its period named in the same call (`per="year"`). A bare number with no period is
an input error naming the argument: mteam never assumes a period, since 0.1 a year and 0.1 a
month differ by a factor of twelve. No function in mteam fixes the period in its name, so
there is no exception to this rule.

Examples:
    >>> from mteam.membership.units import Duration, Rate, TimeUnit, as_rate, same_unit
    >>> monthly = Rate(0.01, TimeUnit.MONTH)
    >>> same_unit(("discount_rate", monthly), ("lifetime", Duration(24, "months")))
    <TimeUnit.MONTH: 'month'>
    >>> same_unit(("discount_rate", monthly), ("lifetime", Duration(2, "year")))
    Traceback (most recent call last):
    mteam.errors.InvalidInputError: lifetime: is in years but discount_rate is per month; \
convert one explicitly
    >>> as_rate("discount_rate", 0.1, per="Year")
    Rate(value=0.1, per=<TimeUnit.YEAR: 'year'>)
    >>> as_rate("discount_rate", 0.1)
    Traceback (most recent call last):
    mteam.errors.InvalidInputError: discount_rate: a bare number needs its period: \
Rate(0.1, 'month') or per='month' (mteam never assumes one), got 0.1
"""

from __future__ import annotations

import enum
from typing import Final

import attrs

from mteam._validate import as_number, real, show, to_number
from mteam.errors import InvalidInputError

__all__ = ["Duration", "Rate", "TimeUnit", "as_duration", "as_rate", "as_unit", "same_unit"]


class TimeUnit(enum.Enum):
    """A period of time.

    Examples:
        >>> TimeUnit.WEEK.plural
        'weeks'
    """

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"

    @property
    def plural(self) -> str:
        """The unit's plural, for messages."""
        return f"{self.value}s"


_BY_NAME: Final = {
    **{u.value: u for u in TimeUnit},
    **{u.plural: u for u in TimeUnit},
}
_NAMES: Final = ", ".join(repr(u.value) for u in TimeUnit)


def as_unit(path: str, value: TimeUnit | str) -> TimeUnit:
    """A `TimeUnit`, or its name in any case, singular or plural.

    Args:
        path: The argument's name, for the error.
        value: `TimeUnit.YEAR`, `"year"`, `"Years"`, …

    Returns:
        The unit.

    Raises:
        InvalidInputError: anything else, naming `path`.

    Examples:
        >>> as_unit("unit", "Years"), as_unit("per", TimeUnit.DAY)
        (<TimeUnit.YEAR: 'year'>, <TimeUnit.DAY: 'day'>)
        >>> as_unit("unit", "fortnight")
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: unit: must be one of 'day', 'week', 'month', 'year' \
(or a plural, in any case), got 'fortnight'
    """
    if isinstance(value, TimeUnit):
        return value
    unit = _BY_NAME.get(value.lower()) if isinstance(value, str) else None  # type: ignore[redundant-expr]
    if unit is None:
        raise InvalidInputError(
            path, f"must be one of {_NAMES} (or a plural, in any case), got {show(value)}"
        )
    return unit


def to_unit(value: TimeUnit | str) -> TimeUnit:
    """An attrs converter: a TimeUnit, or its name ([`as_unit`][mteam.membership.units.as_unit]).

    Examples:
        >>> to_unit("Month")
        <TimeUnit.MONTH: 'month'>
    """
    return as_unit("unit", value)


def _to_per(value: TimeUnit | str) -> TimeUnit:
    return as_unit("per", value)


@attrs.frozen
class Rate:
    """A rate per period: a discount rate, a retention rate, purchases per period.

    Attributes:
        value: The rate (≥ 0): a Python or numpy number, never a bool.
        per: The period it applies to (a `TimeUnit` or its name, see
            [`as_unit`][mteam.membership.units.as_unit]).

    Examples:
        >>> Rate(0.1, "years")
        Rate(value=0.1, per=<TimeUnit.YEAR: 'year'>)
    """

    value: float = attrs.field(converter=to_number, validator=real(ge=0))
    per: TimeUnit = attrs.field(converter=_to_per)


@attrs.frozen
class Duration:
    """A length of time in a named unit.

    Attributes:
        value: The length (≥ 0): a Python or numpy number, never a bool.
        unit: Its unit (a `TimeUnit` or its name).

    Examples:
        >>> Duration(18, "Months")
        Duration(value=18, unit=<TimeUnit.MONTH: 'month'>)
    """

    value: float = attrs.field(converter=to_number, validator=real(ge=0))
    unit: TimeUnit = attrs.field(converter=to_unit)


def _needs_period(path: str, value: object, kind: str) -> InvalidInputError:
    return InvalidInputError(
        path,
        f"a bare number needs its period: {kind}({show(value)}, 'month') or per='month' "
        f"(mteam never assumes one), got {show(value)}",
    )


def as_rate(path: str, value: Rate | float, per: TimeUnit | str | None = None) -> Rate:
    """A `Rate`, or a plain number with its period named by `per` (see the module docs).

    Args:
        path: The argument's name, for the error.
        value: A `Rate`, or a number ≥ 0 (Python or numpy; not a bool).
        per: The period of a plain number. With a `Rate` it may be omitted; if given, it must
            be the rate's own period.

    Returns:
        The rate.

    Raises:
        InvalidInputError: a plain number without `per`, a `Rate` per another period than
            `per`, or a value that is not a number ≥ 0, naming `path`.

    Examples:
        >>> as_rate("retention", 0.9, per="months")
        Rate(value=0.9, per=<TimeUnit.MONTH: 'month'>)
        >>> as_rate("retention", Rate(0.9, "year"), per="month")
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: retention: is per year but per is 'month'
    """
    unit = None if per is None else as_unit("per", per)
    if isinstance(value, Rate):
        if unit is not None and value.per is not unit:
            raise InvalidInputError(path, f"is per {value.per.value} but per is {show(unit.value)}")
        return value
    if isinstance(value, Duration):
        raise InvalidInputError(path, f"must be a Rate or a number, got {show(value)}")
    number = as_number(path, value, ge=0)
    if unit is None:
        raise _needs_period(path, value, "Rate")
    return Rate(number, unit)


def as_duration(path: str, value: Duration | float, per: TimeUnit | str | None = None) -> Duration:
    """A `Duration`, or a plain number of periods named by `per` (see the module docs).

    Args:
        path: The argument's name, for the error.
        value: A `Duration`, or a number ≥ 0 (Python or numpy; not a bool).
        per: The unit of a plain number. With a `Duration` it may be omitted; if given, it
            must be the duration's own unit.

    Returns:
        The duration.

    Raises:
        InvalidInputError: a plain number without `per`, a `Duration` in another unit than
            `per`, or a value that is not a number ≥ 0, naming `path`.

    Examples:
        >>> as_duration("lifetime", 18, per="month")
        Duration(value=18, unit=<TimeUnit.MONTH: 'month'>)
        >>> as_duration("lifetime", 18)
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: lifetime: a bare number needs its period: \
Duration(18, 'month') or per='month' (mteam never assumes one), got 18
    """
    unit = None if per is None else as_unit("per", per)
    if isinstance(value, Duration):
        if unit is not None and value.unit is not unit:
            raise InvalidInputError(
                path, f"is in {value.unit.plural} but per is {show(unit.value)}"
            )
        return value
    if isinstance(value, Rate):
        raise InvalidInputError(path, f"must be a Duration or a number, got {show(value)}")
    number = as_number(path, value, ge=0)
    if unit is None:
        raise _needs_period(path, value, "Duration")
    return Duration(number, unit)


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

    Args:
        named: `(argument name, Rate, Duration or TimeUnit)` pairs, at least one.

    Returns:
        Their unit.

    Raises:
        InvalidInputError: at the first one whose unit differs from the first one's.

    Examples:
        >>> same_unit(("purchases", Rate(2, "week")), ("lifetime", Duration(10, "week")))
        <TimeUnit.WEEK: 'week'>
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
