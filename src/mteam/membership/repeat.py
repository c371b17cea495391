"""The repeat-purchase summary of a member base without contracts (no leave dates).

Per member, from the transactions up to `calibration_end`, in an explicit time unit:

* **x**: the repeat purchase periods, the number of distinct purchase days − 1 (several
  transactions on one day are one purchase);
* **t_x**: the time from the first purchase to the last (0 when x = 0);
* **T**: the time from the first purchase to `calibration_end`;
* the **repeat spend**: the amount spent on the repeat purchase days (the first day
  excluded), so the mean repeat spend is repeat spend / x;
* with `holdout_end`, the **holdout purchases**: distinct purchase days in
  (calibration_end, holdout_end].

Members whose first purchase is after `calibration_end` are not in the calibration cohort
and are left out; transactions after the last date in use are ignored. Times are days, weeks
(days / 7) or calendar-correct months and years: from 31 January, one month is reached on the
last day of February, and the fraction of a month is the days into it over its length in days.

The summary keeps counts only: members per distinct (x, t_x, T) profile (with their holdout
purchases), members per distinct (x, repeat spend), and the holdout purchases in each period
after `calibration_end`. A model's work grows with the distinct profiles, not the members;
summaries of a partition of the members add up (`a + b`) to the summary of the whole.

Examples:
    >>> from datetime import date
    >>> from decimal import Decimal as D
    >>> from mteam.membership.records import Transaction
    >>> from mteam.membership.repeat import repeat_summary
    >>> sales = [
    ...     Transaction("a", date(2025, 1, 1), D("10")),
    ...     Transaction("a", date(2025, 1, 1), D("5")),   # the same day: one purchase
    ...     Transaction("a", date(2025, 1, 15), D("20")),
    ...     Transaction("a", date(2025, 2, 5), D("30")),  # in the holdout
    ...     Transaction("b", date(2025, 1, 8), D("12")),
    ... ]
    >>> s = repeat_summary(sales, calibration_end=date(2025, 1, 29), holdout_end=date(2025, 2, 12))
    >>> [(p.x, p.t_x, p.T, p.members, p.holdout_purchases) for p in s.profiles]
    [(0, 0.0, 3.0, 1, 0), (1, 2.0, 4.0, 1, 1)]
    >>> s.holdout_by_period, s.members
    ((1, 0), 2)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

import attrs
from dateutil.relativedelta import relativedelta

from mteam._records import Records
from mteam._validate import check_instance, check_sequence, show
from mteam.errors import InvalidInputError
from mteam.membership.records import Transaction
from mteam.membership.units import TimeUnit, same_unit, to_unit

__all__ = [
    "MemberRepeat",
    "Profile",
    "RepeatSummary",
    "SpendProfile",
    "elapsed",
    "repeat_members",
    "repeat_summary",
]


def _whole(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInputError(attr.name, f"must be a whole number >= 0, got {show(value)}")


def _time(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not math.isfinite(value)
        or value < 0
    ):
        raise InvalidInputError(attr.name, f"must be a finite number >= 0, got {show(value)}")


def _check_profile(x: int, t_x: float, big_t: float) -> None:
    if t_x > big_t:
        raise InvalidInputError("t_x", f"must be <= T ({show(big_t)}), got {show(t_x)}")
    if x > 0 and t_x == 0:
        raise InvalidInputError("t_x", f"must be > 0 when x > 0 (x = {x}), got {show(t_x)}")
    if x == 0 and t_x != 0:
        raise InvalidInputError("t_x", f"must be 0 when x = 0, got {show(t_x)}")


@attrs.frozen(order=True)
class Profile(Records):
    """The members who share one (x, t_x, T).

    Attributes:
        x: Repeat purchase periods (distinct purchase days − 1), ≥ 0.
        t_x: Time from the first purchase to the last, in the summary's unit (0 when x = 0).
        T: Time from the first purchase to the end of the calibration period (≥ t_x).
        members: How many members have this profile (≥ 1).
        holdout_purchases: Their purchases in the holdout period, together (≥ 0).

    Examples:
        >>> Profile(2, 30.43, 38.86, members=3).to_records()
        [{'x': 2, 't_x': 30.43, 'T': 38.86, 'members': 3, 'holdout_purchases': 0}]
        >>> Profile(0, 1.5, 38.86)  # no repeat purchase, so t_x must be 0
        Traceback (most recent call last):
        ...
        mteam.errors.InvalidInputError: ...
    """

    x: int = attrs.field(validator=_whole)
    t_x: float = attrs.field(validator=_time)
    T: float = attrs.field(validator=_time)
    members: int = attrs.field(default=1, validator=_whole)
    holdout_purchases: int = attrs.field(default=0, validator=_whole)

    def __attrs_post_init__(self) -> None:
        _check_profile(self.x, self.t_x, self.T)
        if self.members < 1:
            raise InvalidInputError("members", f"must be >= 1, got {self.members}")


@attrs.frozen(order=True)
class SpendProfile(Records):
    """The repeat buyers who share one (x, repeat spend).

    Attributes:
        x: Repeat purchase periods (≥ 1).
        repeat_spend: The amount spent on the x repeat purchases, together (a Decimal > 0).
        members: How many members (≥ 1).

    Examples:
        >>> from decimal import Decimal
        >>> profile = SpendProfile(2, Decimal("44.70"), members=5)
        >>> profile.mean_spend  # 44.70 / 2
        22.35
        >>> profile.to_records()
        [{'x': 2, 'repeat_spend': Decimal('44.70'), 'members': 5}]
    """

    x: int = attrs.field(validator=_whole)
    repeat_spend: Decimal = attrs.field()
    members: int = attrs.field(default=1, validator=_whole)

    @repeat_spend.validator
    def _check_spend(self, _attr: object, value: object) -> None:
        if not isinstance(value, Decimal) or not value.is_finite() or not value > 0:
            raise InvalidInputError("repeat_spend", f"must be a Decimal > 0, got {show(value)}")

    def __attrs_post_init__(self) -> None:
        if self.x < 1:
            raise InvalidInputError("x", f"must be >= 1 for a spend profile, got {self.x}")
        if self.members < 1:
            raise InvalidInputError("members", f"must be >= 1, got {self.members}")

    @property
    def mean_spend(self) -> float:
        """The mean repeat spend, repeat_spend / x."""
        return float(self.repeat_spend) / self.x


def _profiles(value: Iterable[Profile]) -> tuple[Profile, ...]:
    return _merged(value, Profile, "profiles")


def _spends(value: Iterable[SpendProfile]) -> tuple[SpendProfile, ...]:
    return _merged(value, SpendProfile, "spend")


def _merged(value: Iterable[Any], cls: type, path: str) -> tuple[Any, ...]:
    check_sequence(path, value)
    merged: dict[tuple[Any, ...], list[int]] = {}
    for i, p in enumerate(value):
        check_instance(f"{path}[{i}]", p, cls)
        if cls is Profile:
            key: tuple[Any, ...] = (p.x, p.t_x, p.T)
            counts = [p.members, p.holdout_purchases]
        else:
            key = (p.x, p.repeat_spend)
            counts = [p.members]
        have = merged.setdefault(key, [0] * len(counts))
        for j, c in enumerate(counts):
            have[j] += c
    return tuple(cls(*key, *counts) for key, counts in sorted(merged.items()))


def _counts(value: Iterable[object]) -> tuple[int, ...]:
    check_sequence("holdout_by_period", value)
    out = tuple(value)
    for i, n in enumerate(out):
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise InvalidInputError(
                f"holdout_by_period[{i}]", f"must be a whole number >= 0, got {show(n)}"
            )
    return out  # type: ignore[return-value]


def _optional_date(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
        raise InvalidInputError(attr.name, f"must be a date, got {show(value)}")


@attrs.frozen
class RepeatSummary(Records):
    """A member base's repeat purchases as count tables (mergeable with `+`).

    Attributes:
        unit: The unit of t_x and T.
        profiles: Members per distinct (x, t_x, T), sorted; equal profiles are merged.
        spend: Repeat buyers per distinct (x, repeat spend), sorted.
        holdout_by_period: Purchases by all members in holdout periods 1, 2, … (period k
            covers the times (k − 1, k] after `calibration_end`; the last may be partial).
        calibration_end: The end of the calibration period (None for a summary built from
            published statistics).
        holdout_end: The end of the holdout period, or None.

    Examples:
        The first three CDNOW customers of Fader, Hardie & Lee (2005), in weeks:

        >>> s = RepeatSummary("week", [Profile(2, 30.43, 38.86), Profile(1, 1.71, 38.86),
        ...                            Profile(0, 0, 38.86)])
        >>> s.members, s.to_records()[0]
        (3, {'x': 0, 't_x': 0.0, 'T': 38.86, 'members': 1, 'holdout_purchases': 0})
    """

    unit: TimeUnit = attrs.field(converter=to_unit)
    profiles: tuple[Profile, ...] = attrs.field(converter=_profiles)
    spend: tuple[SpendProfile, ...] = attrs.field(default=(), converter=_spends)
    holdout_by_period: tuple[int, ...] = attrs.field(default=(), converter=_counts)
    calibration_end: date | None = attrs.field(default=None, validator=_optional_date)
    holdout_end: date | None = attrs.field(default=None, validator=_optional_date)

    def __attrs_post_init__(self) -> None:
        if not self.profiles:
            raise InvalidInputError("profiles", "must not be empty: no member bought anything")
        if self.holdout_end is not None and (
            self.calibration_end is None or self.holdout_end <= self.calibration_end
        ):
            raise InvalidInputError(
                "holdout_end",
                f"must be after calibration_end ({self.calibration_end}), got {self.holdout_end}",
            )

    @property
    def members(self) -> int:
        """The number of members summarised."""
        return sum(p.members for p in self.profiles)

    @property
    def has_holdout(self) -> bool:
        """Whether the summary has a holdout period."""
        return self.holdout_end is not None

    def __add__(self, other: object) -> RepeatSummary:
        if not isinstance(other, RepeatSummary):
            return NotImplemented
        same_unit(("summary", self.unit), ("other.unit", other.unit))
        for name in ("calibration_end", "holdout_end"):
            if getattr(self, name) != getattr(other, name):
                raise InvalidInputError(
                    f"other.{name}",
                    f"must equal the summary's ({getattr(self, name)}), got {getattr(other, name)}",
                )
        n = max(len(self.holdout_by_period), len(other.holdout_by_period))
        a = self.holdout_by_period + (0,) * (n - len(self.holdout_by_period))
        b = other.holdout_by_period + (0,) * (n - len(other.holdout_by_period))
        return RepeatSummary(
            self.unit,
            self.profiles + other.profiles,
            self.spend + other.spend,
            tuple(i + j for i, j in zip(a, b, strict=True)),
            self.calibration_end,
            self.holdout_end,
        )

    def _rows(self) -> list[dict[str, object]]:
        """One row per profile: x, t_x, T, members, holdout_purchases."""
        return [
            {
                "x": p.x,
                "t_x": float(p.t_x),
                "T": float(p.T),
                "members": p.members,
                "holdout_purchases": p.holdout_purchases,
            }
            for p in self.profiles
        ]

    def _html_caption(self) -> str:
        return (
            f"RepeatSummary: repeat purchases of {self.members} members "
            f"({len(self.profiles)} profiles, {self.unit.plural})"
        )


@attrs.frozen
class MemberRepeat(Records):
    """One member's repeat-purchase figures.

    Attributes:
        member_id: The member.
        x: Repeat purchase periods.
        t_x: Time of the last purchase since the first.
        T: Time from the first purchase to the end of calibration.
        repeat_spend: The amount spent on the repeat purchases (Decimal).
        holdout_purchases: Purchases in the holdout period (0 without one).

    Examples:
        >>> from decimal import Decimal
        >>> member = MemberRepeat("a", 2, 30.43, 38.86, Decimal("44.70"))
        >>> member.mean_spend
        Decimal('22.35')
        >>> member.to_records() == [member.to_record()]
        True
    """

    member_id: str
    x: int
    t_x: float
    T: float
    repeat_spend: Decimal
    holdout_purchases: int = 0

    @property
    def mean_spend(self) -> Decimal | None:
        """The mean repeat spend, repeat_spend / x (None when x = 0)."""
        return self.repeat_spend / self.x if self.x else None

    def to_record(self) -> dict[str, object]:
        """The member as a flat row of plain values (the one row of `to_records()`).

        Examples:
            >>> from decimal import Decimal
            >>> MemberRepeat("a", 1, 1.71, 38.86, Decimal("20")).to_record()
            {'member_id': 'a', 'x': 1, 't_x': 1.71, 'T': 38.86, 'repeat_spend': Decimal('20'), \
'holdout_purchases': 0}
        """
        return {
            "member_id": self.member_id,
            "x": self.x,
            "t_x": self.t_x,
            "T": self.T,
            "repeat_spend": self.repeat_spend,
            "holdout_purchases": self.holdout_purchases,
        }

    def _rows(self) -> list[dict[str, object]]:
        return [self.to_record()]


def elapsed(start: date, end: date, unit: TimeUnit | str) -> float:
    """The time from `start` to `end` (not before it) in `unit`, calendar-correct.

    Days; weeks = days / 7; months = whole months (the same day of the month, or the month's
    last day) plus the days into the next month over its length; years likewise with whole
    years.

    Examples:
        >>> elapsed(date(2025, 1, 31), date(2025, 2, 28), "month")
        1.0
        >>> elapsed(date(2025, 1, 1), date(2025, 1, 16), "month")  # 15 of January's 31 days
        0.4838709677419355
        >>> elapsed(date(1997, 1, 1), date(1997, 9, 30), "week")
        38.857142857142854
    """
    u = to_unit(unit)
    days = (end - start).days
    if u is TimeUnit.DAY:
        return float(days)
    if u is TimeUnit.WEEK:
        return days / 7
    step = 12 if u is TimeUnit.YEAR else 1
    delta = relativedelta(end, start)
    whole = (delta.years * 12 + delta.months) // step
    here = start + relativedelta(months=whole * step)
    there = start + relativedelta(months=(whole + 1) * step)
    return whole + (end - here).days / (there - here).days


def _check_day(path: str, value: object) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInputError(path, f"must be a date, got {show(value)}")
    return value


def _fold(
    transactions: Iterable[Transaction],
    calibration_end: date,
    unit: TimeUnit,
    holdout_end: date | None,
) -> tuple[list[MemberRepeat], tuple[int, ...]]:
    check_sequence("transactions", transactions)
    last = holdout_end or calibration_end
    days: dict[str, dict[date, Decimal]] = {}
    holdout: dict[str, set[date]] = {}
    for i, t in enumerate(transactions):
        if not isinstance(t, Transaction):
            raise InvalidInputError(f"transactions[{i}]", f"must be a Transaction, got {show(t)}")
        if t.amount < 0:
            raise InvalidInputError(
                f"transactions[{i}].amount", f"must be >= 0, got {show(t.amount)}"
            )
        if t.on <= calibration_end:
            spent = days.setdefault(t.member_id, {})
            spent[t.on] = spent.get(t.on, Decimal(0)) + t.amount
        elif t.on <= last:
            holdout.setdefault(t.member_id, set()).add(t.on)
    periods = 0
    if holdout_end is not None:
        periods = math.ceil(elapsed(calibration_end, holdout_end, unit) - 1e-12)
    by_period = [0] * periods
    rows = []
    for member in sorted(days):
        spent = days[member]
        first, latest = min(spent), max(spent)
        later = holdout.get(member, set())
        for day in later:
            k = math.ceil(elapsed(calibration_end, day, unit) - 1e-12)
            by_period[min(max(k, 1), periods) - 1] += 1
        rows.append(
            MemberRepeat(
                member,
                len(spent) - 1,
                elapsed(first, latest, unit),
                elapsed(first, calibration_end, unit),
                sum((v for d, v in spent.items() if d != first), Decimal(0)),
                len(later),
            )
        )
    return rows, tuple(by_period)


def _arguments(
    calibration_end: object, unit: object, holdout_end: object
) -> tuple[date, TimeUnit, date | None]:
    end = _check_day("calibration_end", calibration_end)
    u = to_unit(unit)  # type: ignore[arg-type]
    later = None if holdout_end is None else _check_day("holdout_end", holdout_end)
    if later is not None and later <= end:
        raise InvalidInputError(
            "holdout_end", f"must be after calibration_end ({end}), got {later}"
        )
    return end, u, later


def repeat_members(
    transactions: Iterable[Transaction],
    *,
    calibration_end: date,
    unit: TimeUnit | str = TimeUnit.WEEK,
    holdout_end: date | None = None,
) -> tuple[MemberRepeat, ...]:
    """Each member's x, t_x, T, repeat spend and holdout purchases, sorted by member id.

    The per-member table behind [`repeat_summary`][mteam.membership.repeat.repeat_summary]
    (same arguments, same rules), for per-member predictions.

    Examples:
        >>> from datetime import date
        >>> from decimal import Decimal as D
        >>> rows = repeat_members(
        ...     [Transaction("a", date(2025, 1, 1), D("10")),
        ...      Transaction("a", date(2025, 1, 8), D("25.50"))],
        ...     calibration_end=date(2025, 1, 15), unit="day")
        >>> rows[0].x, rows[0].t_x, rows[0].T, rows[0].mean_spend
        (1, 7.0, 14.0, Decimal('25.50'))
    """
    end, u, later = _arguments(calibration_end, unit, holdout_end)
    rows, _ = _fold(transactions, end, u, later)
    return tuple(rows)


def repeat_summary(
    transactions: Iterable[Transaction],
    *,
    calibration_end: date,
    unit: TimeUnit | str = TimeUnit.WEEK,
    holdout_end: date | None = None,
) -> RepeatSummary:
    """Summarise transactions into repeat-purchase count tables.

    Args:
        transactions: The members' transactions, in any order (amounts ≥ 0).
        calibration_end: The last day of the calibration period.
        unit: The unit of t_x and T: day, week (the default), month or year.
        holdout_end: The last day of the holdout period, if there is one (after
            `calibration_end`).

    Returns:
        The summary (see the module's description of x, t_x and T).

    Raises:
        InvalidInputError: a transaction that is not a `Transaction` or has a negative amount,
            bad dates, an unknown unit, or no member with a purchase in the calibration period.

    Examples:
        Member a buys on 1, 15 and 29 January (x = 2 repeats, t_x = T = 4 weeks); b buys on
        8 January (x = 0, T = 3 weeks) and again on 10 February, in the holdout's second week:

        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from mteam.membership.records import Transaction
        >>> sales = [Transaction("a", date(2025, 1, d), Decimal(10 * k))
        ...          for k, d in enumerate((1, 15, 29), start=1)]
        >>> sales += [Transaction("b", date(2025, 1, 8), Decimal(5)),
        ...           Transaction("b", date(2025, 2, 10), Decimal(7))]
        >>> s = repeat_summary(sales, calibration_end=date(2025, 1, 29),
        ...                    holdout_end=date(2025, 2, 12))
        >>> [(p.x, p.t_x, p.T, p.holdout_purchases) for p in s.profiles]
        [(0, 0.0, 3.0, 1), (2, 4.0, 4.0, 0)]
        >>> s.spend[0].repeat_spend, s.holdout_by_period  # 20 + 30 on the repeats
        (Decimal('50'), (0, 1))
    """
    end, u, later = _arguments(calibration_end, unit, holdout_end)
    rows, by_period = _fold(transactions, end, u, later)
    if not rows:
        raise InvalidInputError(
            "transactions", f"must hold a purchase on or before {end}: none found"
        )
    return RepeatSummary(
        u,
        [Profile(r.x, r.t_x, r.T, 1, r.holdout_purchases) for r in rows],
        [SpendProfile(r.x, r.repeat_spend) for r in rows if r.x and r.repeat_spend > 0],
        by_period,
        end,
        later,
    )


def _customer(x: object, t_x: object, big_t: object) -> tuple[int, float, float]:
    """Check one customer's (x, t_x, T) as given to a model's prediction."""
    if not isinstance(x, int) or isinstance(x, bool) or x < 0:
        raise InvalidInputError("x", f"must be a whole number >= 0, got {show(x)}")
    for name, v in (("t_x", t_x), ("T", big_t)):
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v) or v < 0:
            raise InvalidInputError(name, f"must be a finite number >= 0, got {show(v)}")
    tx, tt = float(t_x), float(big_t)  # type: ignore[arg-type]
    _check_profile(x, tx, tt)
    return x, tx, tt


def _horizon(t: object) -> float:
    if not isinstance(t, (int, float)) or isinstance(t, bool) or not math.isfinite(t) or t < 0:
        raise InvalidInputError("t", f"must be a finite number >= 0, got {show(t)}")
    return float(t)


def _summary(summary: object) -> RepeatSummary:
    if not isinstance(summary, RepeatSummary):
        raise InvalidInputError("summary", f"must be a RepeatSummary, got {show(summary)}")
    return summary


class _Shared(dict[tuple[int, float, float], float]):
    """Values by profile, each checked and computed when first asked for."""

    def __init__(self, per_profile: Callable[[int, float, float], float]) -> None:
        super().__init__()
        self.per_profile = per_profile

    def __missing__(self, c: tuple[int, float, float]) -> float:
        value = self[c] = self.per_profile(*_checked(0, c))
        return value


def _each(
    customers: Iterable[tuple[int, float, float]], per_profile: Callable[[int, float, float], float]
) -> list[float]:
    """per_profile(x, t_x, T) for each customer, in order.

    Computed and checked once per distinct profile (members who share one share its value;
    each customer costs one dictionary look-up); an error's path names the first customer
    with the bad value.
    """
    check_sequence("customers", customers)
    items = customers if isinstance(customers, (list, tuple)) else list(customers)
    shared = _Shared(per_profile)
    try:
        # a bool x equals 1 as a key and would find 1's value unchecked: none may be there
        if bool not in set(map(type, map(itemgetter(0), items))):
            return list(map(shared.__getitem__, items))
    except (TypeError, IndexError, KeyError, InvalidInputError):
        pass  # something that is no (x, t_x, T): found and named below
    for i, c in enumerate(items):
        _checked(i, c)
    return list(map(shared.__getitem__, items))


def _checked(i: int, c: object) -> tuple[int, float, float]:
    if not isinstance(c, tuple) or len(c) != 3:  # (x, t_x, T)
        raise InvalidInputError(f"customers[{i}]", f"must be (x, t_x, T), got {show(c)}")
    try:
        return _customer(*c)
    except InvalidInputError as error:
        raise InvalidInputError(f"customers[{i}].{error.path}", error.message) from None
