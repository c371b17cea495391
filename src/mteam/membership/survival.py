"""Kaplan–Meier survival of membership, with right-censoring of current members.

At each time t at which someone left, with d(t) leavers among the n(t) members still at risk
(membership lasted at least t), the survival estimate steps down:

    S(t) = Π over event times s ≤ t of (1 − d(s) / n(s))

Current members are *censored*: they count as at risk up to their duration so far and never as
leavers. The median lifetime is the first time at which S(t) ≤ 0.5, or None if the curve has
not come down that far. (Kaplan & Meier, "Nonparametric estimation from incomplete
observations", JASA 1958.)

**Confidence band** (pointwise, at level 1 − `alpha`): the *exponential Greenwood* band, which
is Greenwood's variance carried through the log(−log S) transform so the band stays inside
[0, 1] (Kalbfleisch & Prentice, *The Statistical Analysis of Failure Time Data*, 2nd ed.,
2002, §4.3; lifelines' default). With Greenwood's sum V(t) = Σ over s ≤ t of
d(s) / (n(s)(n(s) − d(s))) and z = z₁₋α/₂:

    se(t) = √V(t) / |log S(t)|
    lower(t) = S(t) ^ exp(+z·se(t)),   upper(t) = S(t) ^ exp(−z·se(t))

Before the first event the band is [1, 1]; where S = 0 it is [0, 0] (a time at which
everyone left adds nothing to V, as in lifelines). The band is pointwise: it holds S(t) at
each t with probability 1 − α, and its two curves, unlike S, may rise a little where V jumps
(few members left at risk); lifelines' curves do the same.

**Median's interval**: the pointwise band inverted, as lifelines'
`median_survival_times(kmf.confidence_interval_)` does. Its lower limit is the first time at
which the band's lower curve is ≤ 0.5 and its upper limit the first time at which the upper
curve is ≤ 0.5 (None when it never is), the same rule as the median itself (Brookmeyer &
Crowley, "A confidence interval for the median survival time", Biometrics 1982).

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

    The band at t = 2: V = 1/(6 × 5) = 0.03333, log S = log(5/6) = −0.18232, se = 0.18257 /
    0.18232 = 1.0014, z = 1.95996; lower = (5/6)^exp(1.9627) = (5/6)^7.118 = 0.2731 and
    upper = (5/6)^exp(−1.9627) = 0.9747:

    >>> [(round(lo, 4), round(hi, 4)) for lo, hi in zip(curve.lower, curve.upper)][0]
    (0.2731, 0.9747)

    The median's interval runs from 2, where the lower curve first reaches 0.5, to 8, where
    the upper one does (everyone has left, so S and its band are 0):

    >>> curve.band_method, curve.median_interval
    ('exponential Greenwood', (2, 8))

    The event table has every duration, the censoring-only 6 included:

    >>> curve.table.times, curve.table.censored
    ((2, 3, 5, 6, 8), (0, 1, 0, 1, 0))
    >>> [round(s, 4) for s in curve.survival_at([0, 2.5, 6, 100])]
    [1.0, 0.8333, 0.4444, 0.0]
"""

from __future__ import annotations

import math
import operator
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from itertools import compress, repeat
from operator import attrgetter, is_not, not_
from statistics import NormalDist
from typing import Final, cast

import attrs

from mteam._records import Records
from mteam._validate import as_flag, as_items, as_number, check_int, show
from mteam.errors import InvalidInputError
from mteam.membership.summary import MemberBase, _check_base, months_between
from mteam.membership.units import TimeUnit, to_unit

__all__ = [
    "DurationTable",
    "EventTable",
    "SurvivalCurve",
    "duration_table",
    "kaplan_meier",
    "kaplan_meier_table",
]

BAND_METHOD: Final = "exponential Greenwood"
"""The name of the band's method, as `SurvivalCurve.band_method` gives it."""


def _check_counts(_inst: object, _attr: object, value: object) -> None:
    if not isinstance(value, dict):
        raise InvalidInputError("counts", f"must be a dict, got {show(value)}")
    for t, pair in value.items():
        path = f"counts[{show(t)}]"
        if not isinstance(t, int) or isinstance(t, bool) or t < 0:
            raise InvalidInputError(path, f"a duration must be a whole number >= 0, got {show(t)}")
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise InvalidInputError(path, f"must be (events, censored), got {show(pair)}")
        for i, n in enumerate(pair):
            check_int(f"{path}[{i}]", n, ge=0)


@attrs.frozen
class DurationTable(Records):
    """Counts of membership durations: duration → (leavers, still members). Tables add.

    Attributes:
        unit: The unit of the durations.
        counts: Duration → `(events, censored)`, sorted by duration.

    Examples:
        Its records are one row per duration. Tables of two partitions add:

        >>> a = DurationTable(TimeUnit.MONTH, {2: (1, 0), 5: (0, 1)})
        >>> (a + DurationTable(TimeUnit.MONTH, {2: (0, 1)})).to_records()
        [{'duration': 2, 'unit': 'month', 'events': 1, 'censored': 1}, \
        {'duration': 5, 'unit': 'month', 'events': 0, 'censored': 1}]
    """

    unit: TimeUnit = attrs.field(converter=to_unit)
    counts: dict[int, tuple[int, int]] = attrs.field(validator=_check_counts)

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
class EventTable(Records):
    """Every distinct duration with the members at risk, the leavers and the censored there.

    Unlike the curve, which keeps only the times at which someone left, the table has a row
    for every duration that occurs, censoring-only durations included, so the data's counts
    can be rebuilt from it: `events[i]` memberships ended at `times[i]` and `censored[i]` were
    still going, and `at_risk[i]` is everyone whose duration is at least `times[i]`.

    Attributes:
        unit: The unit of the times (None when durations were given as plain numbers).
        times: Every distinct duration, ascending.
        at_risk: Members at risk just before each time.
        events: Leavers at each time (0 at a censoring-only time).
        censored: Members still going whose duration is that time.

    Examples:
        Its records are one row per distinct duration: at 2, two members at risk, one left and
        one was still a member.

        >>> kaplan_meier([1, 2, 2], [True, False, True]).table.to_records()[1]
        {'time': 2, 'at_risk': 2, 'events': 1, 'censored': 1}
    """

    unit: TimeUnit | None
    times: tuple[float, ...]
    at_risk: tuple[int, ...]
    events: tuple[int, ...]
    censored: tuple[int, ...]

    def _html_caption(self) -> str:
        return f"EventTable ({self.unit.plural})" if self.unit is not None else "EventTable"

    def _rows(self) -> list[dict[str, object]]:
        """One row per distinct duration (the unit is the table's, not a column)."""
        return [
            {"time": t, "at_risk": n, "events": d, "censored": c}
            for t, n, d, c in zip(self.times, self.at_risk, self.events, self.censored, strict=True)
        ]


@attrs.frozen
class SurvivalCurve(Records):
    """A Kaplan–Meier curve with its confidence band (see the module docs for the formulas).

    Attributes:
        unit: The unit of the times (None when durations were given as plain numbers).
        times: The distinct event times, ascending.
        at_risk: Members at risk just before each time.
        events: Leavers at each time.
        censored: Censored members at each time (still members with that duration); the
            censoring at other times is in `table`.
        survival: S(t) just after each time: non-increasing, in [0, 1].
        median: The median lifetime (first time with S ≤ 0.5), None if not reached.
        lower: The band's lower curve at each time.
        upper: The band's upper curve at each time.
        alpha: The band is at level 1 − `alpha` (0.05: a 95 % band).
        median_interval: The median's interval at level 1 − `alpha`: the first times at which
            `lower` and `upper` are ≤ 0.5, each None if not reached.
        table: The full event table, every distinct duration included.
        band_method: `"exponential Greenwood"`, the band's method.

    Examples:
        Its records are one row per event time, with the band. Three members, one leaving at 1:
        S(1) = 1 − 1/3 = 0.6667.

        >>> row = kaplan_meier([1, 2, 2], [True, False, True]).to_records()[0]
        >>> {k: round(v, 4) for k, v in row.items()}
        {'time': 1, 'at_risk': 3, 'events': 1, 'censored': 0, 'survival': 0.6667,
         'lower': 0.0541, 'upper': 0.9452}
    """

    unit: TimeUnit | None
    times: tuple[float, ...]
    at_risk: tuple[int, ...]
    events: tuple[int, ...]
    censored: tuple[int, ...]
    survival: tuple[float, ...]
    median: float | None
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    alpha: float
    median_interval: tuple[float | None, float | None]
    table: EventTable
    band_method: str = BAND_METHOD

    def at(self, t: float) -> float:
        """S(t): the share still members after time t (1 before the first event).

        Found by bisection over the event times, so a long curve costs log(n) per look-up.

        Examples:
            >>> from mteam.membership.survival import kaplan_meier
            >>> kaplan_meier([2, 3, 3, 5], [True, True, False, True]).at(4)
            0.5
        """
        t = as_number("t", t, ge=0)
        i = bisect_right(self.times, t)
        return self.survival[i - 1] if i else 1.0

    def survival_at(self, times: Iterable[float]) -> tuple[float, ...]:
        """S(t) at each of `times` (any order), each by bisection over the event times.

        Args:
            times: Times ≥ 0, in the curve's unit: a list, tuple or array.

        Raises:
            InvalidInputError: `times` is not a sequence, or a time is negative or not finite.

        Examples:
            >>> from mteam.membership.survival import kaplan_meier
            >>> kaplan_meier([2, 3, 3, 5], [True, True, False, True]).survival_at([5, 0, 2])
            (0.0, 1.0, 0.75)
        """
        return tuple(self.survival[i - 1] if i else 1.0 for i in self._indices(times))

    def band_at(self, times: Iterable[float]) -> tuple[tuple[float, float], ...]:
        """The band `(lower, upper)` at each of `times`, by bisection ((1, 1) before any event).

        Args:
            times: Times ≥ 0, in the curve's unit: a list, tuple or array.

        Raises:
            InvalidInputError: `times` is not a sequence, or a time is negative or not finite.

        Examples:
            >>> from mteam.membership.survival import kaplan_meier
            >>> curve = kaplan_meier([2, 3, 3, 5, 6, 8], [True, True, False, True, False, True])
            >>> [(round(lo, 4), round(hi, 4)) for lo, hi in curve.band_at([1, 2.5])]
            [(1.0, 1.0), (0.2731, 0.9747)]
        """
        return tuple(
            (self.lower[i - 1], self.upper[i - 1]) if i else (1.0, 1.0)
            for i in self._indices(times)
        )

    def _indices(self, times: Iterable[float]) -> list[int]:
        ts = [as_number(f"times[{i}]", t, ge=0) for i, t in enumerate(as_items("times", times))]
        event_times = self.times
        return [bisect_right(event_times, t) for t in ts]

    def _html_caption(self) -> str:
        unit = f" ({self.unit.plural})" if self.unit is not None else ""
        median = "not reached" if self.median is None else show(self.median)
        return f"SurvivalCurve{unit}: median {median}, {1 - self.alpha:.0%} {self.band_method} band"

    def _rows(self) -> list[dict[str, object]]:
        """One row per event time, with the band (the unit is the curve's, not a column)."""
        return [
            {
                "time": t,
                "at_risk": n,
                "events": d,
                "censored": c,
                "survival": s,
                "lower": lo,
                "upper": hi,
            }
            for t, n, d, c, s, lo, hi in zip(
                self.times,
                self.at_risk,
                self.events,
                self.censored,
                self.survival,
                self.lower,
                self.upper,
                strict=True,
            )
        ]


def _band(s: float, variance: float, z: float) -> tuple[float, float]:
    """The exponential Greenwood band around S = `s` with Greenwood's sum `variance`."""
    if s <= 0.0:
        return 0.0, 0.0
    v = math.log(s)
    if v == 0.0:
        return 1.0, 1.0
    # S^exp(±z·√V/|log S|), written as lifelines writes it: exp(−exp(log(−log S) ∓ z√V/log S))
    spread = z * math.sqrt(variance) / v
    return math.exp(-math.exp(math.log(-v) - spread)), math.exp(-math.exp(math.log(-v) + spread))


def _first_at_or_below(times: Sequence[float], values: Sequence[float]) -> float | None:
    return next((t for t, s in zip(times, values, strict=True) if s <= 0.5), None)


def _curve(
    counts: Sequence[tuple[float, int, int]], unit: TimeUnit | None, alpha: float
) -> SurvivalCurve:
    z = NormalDist().inv_cdf(1 - alpha / 2)
    at_risk = sum(d + c for _, d, c in counts)
    times, risks, events, censored, survival, lower, upper = [], [], [], [], [], [], []
    all_times, all_risks, all_events, all_censored = [], [], [], []
    s = 1.0
    variance = 0.0
    median = None
    for t, d, c in counts:
        if d + c == 0:
            continue
        all_times.append(t)
        all_risks.append(at_risk)
        all_events.append(d)
        all_censored.append(c)
        if d > 0:
            s *= 1.0 - d / at_risk
            if d < at_risk:
                variance += d / (at_risk * (at_risk - d))
            lo, hi = _band(s, variance, z)
            times.append(t)
            risks.append(at_risk)
            events.append(d)
            censored.append(c)
            survival.append(s)
            lower.append(lo)
            upper.append(hi)
            if median is None and s <= 0.5:
                median = t
        at_risk -= d + c
    return SurvivalCurve(
        unit,
        tuple(times),
        tuple(risks),
        tuple(events),
        tuple(censored),
        tuple(survival),
        median,
        lower=tuple(lower),
        upper=tuple(upper),
        alpha=alpha,
        median_interval=(_first_at_or_below(times, lower), _first_at_or_below(times, upper)),
        table=EventTable(
            unit, tuple(all_times), tuple(all_risks), tuple(all_events), tuple(all_censored)
        ),
    )


def kaplan_meier(
    durations: Iterable[float],
    observed: Iterable[bool],
    unit: TimeUnit | str | None = None,
    *,
    alpha: float = 0.05,
) -> SurvivalCurve:
    """The Kaplan–Meier estimate from durations and whether each ended (see module docs).

    Args:
        durations: How long each membership lasted (≥ 0), or has lasted so far.
        observed: True where the membership ended (an event), False where it is still going.
        unit: The unit of the durations, if you want the curve to carry it.
        alpha: The band and the median's interval are at level 1 − `alpha`.

    Raises:
        InvalidInputError: different lengths, a negative or non-finite duration, an
            `observed` that is not a bool, or `alpha` outside (0, 1).

    Examples:
        Eight memberships in months, three still going; a 90 % band (z = 1.64485). At
        t = 1, S = 7/8, V = 1/(8 × 7), se = 0.13363 / 0.13353 = 1.00074, so
        lower = 0.875^exp(1.64607) = 0.875^5.1866 = 0.500:

        >>> curve = kaplan_meier([1, 2, 2, 4, 4, 5, 7, 9],
        ...                      [True, True, False, True, True, False, True, False],
        ...                      "month", alpha=0.10)
        >>> [round(s, 3) for s in curve.survival]
        [0.875, 0.75, 0.45, 0.225]
        >>> [round(x, 3) for x in curve.lower], [round(x, 3) for x in curve.upper]
        ([0.5, 0.397, 0.151, 0.025], [0.975, 0.914, 0.714, 0.547])
        >>> curve.median, curve.median_interval
        (4, (2, None))
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
    alpha = as_number("alpha", alpha, gt=0, lt=1)
    counts = [(t, e, c) for t, (e, c) in sorted(table.items())]
    return _curve(counts, None if unit is None else to_unit(unit), alpha)


def kaplan_meier_table(table: DurationTable, *, alpha: float = 0.05) -> SurvivalCurve:
    """The Kaplan–Meier estimate from a (possibly merged) duration table.

    The same curve as `kaplan_meier` on the durations the table counts, so a member base
    summarised in partitions and added gives the curve of the whole.

    Args:
        table: Duration → `(events, censored)`, from `duration_table` or a sum of them.
        alpha: The band and the median's interval are at level 1 − `alpha`.

    Raises:
        InvalidInputError: `table` is not a `DurationTable`, or `alpha` outside (0, 1).

    Examples:
        >>> from mteam.membership.units import TimeUnit
        >>> part = DurationTable(TimeUnit.MONTH, {2: (1, 0), 3: (1, 1)})
        >>> rest = DurationTable(TimeUnit.MONTH, {5: (1, 0), 6: (0, 1), 8: (1, 0)})
        >>> curve = kaplan_meier_table(part + rest)
        >>> curve.median, curve.table.times
        (5, (2, 3, 5, 6, 8))
    """
    if not isinstance(table, DurationTable):
        raise InvalidInputError("table", f"must be a DurationTable, got {show(table)}")
    alpha = as_number("alpha", alpha, gt=0, lt=1)
    return _curve([(t, e, c) for t, (e, c) in table.counts.items()], table.unit, alpha)


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
