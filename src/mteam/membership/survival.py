"""Kaplan–Meier survival of membership, with right-censoring of current members.

At each time t at which someone left, with d(t) leavers among the n(t) members still at risk
(membership lasted at least t), the survival estimate steps down:

    S(t) = Π over event times s ≤ t of (1 − d(s) / n(s))

Current members are *censored*: they count as at risk up to their duration so far and never as
leavers. The median lifetime is the first time at which S(t) ≤ 0.5, or None if the curve has
not come down that far. (Kaplan & Meier, "Nonparametric estimation from incomplete
observations", JASA 1958.)

Examples:
    Six members; durations in months, False for a current (censored) member:

    >>> from mteam.membership.survival import kaplan_meier
    >>> curve = kaplan_meier([2, 3, 3, 5, 6, 8], [True, True, False, True, False, True])
    >>> [(t, n, d) for t, n, d in zip(curve.times, curve.at_risk, curve.events)]
    [(2, 6, 1), (3, 5, 1), (5, 3, 1), (8, 1, 1)]
    >>> [round(s, 4) for s in curve.survival]
    [0.8333, 0.6667, 0.4444, 0.0]
    >>> curve.median
    5
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from itertools import compress, repeat
from operator import attrgetter, is_not, not_
from typing import cast

import attrs

from mteam._records import Records
from mteam._validate import as_flag, as_items, as_number, show
from mteam.errors import InvalidInputError
from mteam.membership.summary import MemberBase, _check_base, months_between
from mteam.membership.units import TimeUnit, to_unit

__all__ = ["DurationTable", "SurvivalCurve", "duration_table", "kaplan_meier", "kaplan_meier_table"]


@attrs.frozen
class DurationTable(Records):
    """Counts of membership durations: duration → (leavers, still members). Tables add.

    Attributes:
        unit: The unit of the durations.
        counts: Duration → `(events, censored)`, sorted by duration.
    """

    unit: TimeUnit
    counts: dict[int, tuple[int, int]]

    def _rows(self) -> list[dict[str, object]]:
        return [
            {"duration": t, "unit": self.unit, "events": d, "censored": c}
            for t, (d, c) in self.counts.items()
        ]

    def __add__(self, other: DurationTable) -> DurationTable:
        if not isinstance(other, DurationTable):
            return NotImplemented
        if other.unit is not self.unit:
            raise InvalidInputError(
                "unit", f"cannot add durations in {self.unit.plural} and {other.unit.plural}"
            )
        merged = dict(self.counts)
        for t, (d, c) in other.counts.items():
            e0, c0 = merged.get(t, (0, 0))
            merged[t] = (e0 + d, c0 + c)
        return DurationTable(self.unit, dict(sorted(merged.items())))


@attrs.frozen
class SurvivalCurve:
    """A Kaplan–Meier curve.

    Attributes:
        unit: The unit of the times (None when durations were given as plain numbers).
        times: The distinct event times, ascending.
        at_risk: Members at risk just before each time.
        events: Leavers at each time.
        censored: Censored members at each time (still members with that duration).
        survival: S(t) just after each time: non-increasing, in [0, 1].
        median: The median lifetime (first time with S ≤ 0.5), None if not reached.
    """

    unit: TimeUnit | None
    times: tuple[float, ...]
    at_risk: tuple[int, ...]
    events: tuple[int, ...]
    censored: tuple[int, ...]
    survival: tuple[float, ...]
    median: float | None

    def at(self, t: float) -> float:
        """S(t): the share still members after time t (1 before the first event)."""
        t = as_number("t", t, ge=0)
        value = 1.0
        for time, s in zip(self.times, self.survival, strict=True):
            if time > t:
                break
            value = s
        return value

    def to_records(self) -> list[dict[str, float | int]]:
        """One row per event time, for a notebook."""
        return [
            {"time": t, "at_risk": n, "events": d, "censored": c, "survival": s}
            for t, n, d, c, s in zip(
                self.times, self.at_risk, self.events, self.censored, self.survival, strict=True
            )
        ]


def _curve(counts: Sequence[tuple[float, int, int]], unit: TimeUnit | None) -> SurvivalCurve:
    at_risk = sum(d + c for _, d, c in counts)
    times, risks, events, censored, survival = [], [], [], [], []
    s = 1.0
    median = None
    for t, d, c in counts:
        if d > 0:
            s *= 1.0 - d / at_risk
            times.append(t)
            risks.append(at_risk)
            events.append(d)
            censored.append(c)
            survival.append(s)
            if median is None and s <= 0.5:
                median = t
        at_risk -= d + c
    return SurvivalCurve(
        unit, tuple(times), tuple(risks), tuple(events), tuple(censored), tuple(survival), median
    )


def kaplan_meier(
    durations: Iterable[float], observed: Iterable[bool], unit: TimeUnit | str | None = None
) -> SurvivalCurve:
    """The Kaplan–Meier estimate from durations and whether each ended (see module docs).

    Args:
        durations: How long each membership lasted (≥ 0), or has lasted so far.
        observed: True where the membership ended (an event), False where it is still going.
        unit: The unit of the durations, if you want the curve to carry it.

    Raises:
        InvalidInputError: different lengths, a negative or non-finite duration, or an
            `observed` that is not a bool.
    """
    ds = as_items("durations", durations)
    os_ = as_items("observed", observed)
    if len(ds) != len(os_):
        raise InvalidInputError(
            "observed", f"must have one entry per duration ({len(ds)}), got {len(os_)}"
        )
    table: dict[float, list[int]] = {}
    for i, (d, o) in enumerate(zip(ds, os_, strict=True)):
        row = table.setdefault(as_number(f"durations[{i}]", d, ge=0), [0, 0])
        row[0 if as_flag(f"observed[{i}]", o) else 1] += 1
    counts = [(t, e, c) for t, (e, c) in sorted(table.items())]
    return _curve(counts, None if unit is None else to_unit(unit))


def kaplan_meier_table(table: DurationTable) -> SurvivalCurve:
    """The Kaplan–Meier estimate from a (possibly merged) duration table."""
    if not isinstance(table, DurationTable):
        raise InvalidInputError("table", f"must be a DurationTable, got {show(table)}")
    return _curve([(t, e, c) for t, (e, c) in table.counts.items()], table.unit)


def duration_table(base: MemberBase, unit: TimeUnit | str = TimeUnit.DAY) -> DurationTable:
    """Membership durations of a member base: to leaving (an event) or to `as_of` (censored).

    Durations are whole units: days, weeks (7 days), months or years (calendar months with
    `relativedelta`).

    Examples:
        >>> from datetime import date
        >>> from mteam.membership.records import Member
        >>> from mteam.membership.summary import summarise
        >>> base = summarise([Member("a", date(2025, 1, 1), date(2025, 3, 15)),
        ...                   Member("b", date(2025, 2, 1))], [], date(2025, 6, 1))
        >>> duration_table(base, "month").counts
        {2: (1, 0), 4: (0, 1)}
    """
    base = _check_base(base)
    unit = to_unit(unit)
    # column by column, in C: `or_as_of.get(day, day)` is the day, or `as_of` for None
    stats = base.stats.values()
    left = list(map(attrgetter("left_on"), stats))
    or_as_of = {None: base.as_of}
    ends = cast("Iterator[date]", map(or_as_of.get, left, left))
    joined = map(attrgetter("joined_on"), stats)
    if unit is TimeUnit.DAY or unit is TimeUnit.WEEK:
        durations = list(map(attrgetter("days"), map(operator.sub, ends, joined)))
        if unit is TimeUnit.WEEK:
            durations = list(map(operator.floordiv, durations, repeat(7)))
    else:
        durations = list(map(months_between, joined, ends))
        if unit is TimeUnit.YEAR:
            durations = list(map(operator.floordiv, durations, repeat(12)))
    # events (members who left) and censored members per duration, counted in C
    left_flags = list(map(is_not, left, repeat(None)))
    events = Counter(compress(durations, left_flags))
    censored = Counter(compress(durations, map(not_, left_flags)))
    return DurationTable(
        unit, {t: (events.get(t, 0), censored.get(t, 0)) for t in sorted(events.keys() | censored)}
    )
