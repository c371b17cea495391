"""A member base summarised in one streaming pass, as values that add.

[`summarise`][mteam.membership.summary.summarise] reads the members and streams the
transactions once, keeping per member only a few figures (purchases, revenue, first and last
purchase, trailing-12-month spend, the months since joining in which they bought) and, per join
cohort and month since joining, the revenue. Memory grows with the number of members, not of
transactions.

A [`MemberBase`][mteam.membership.summary.MemberBase] adds to another (`a + b`) when both are
at the same `as_of` and hold different members: a member base split into partitions (by
region, by worker process) and summarised separately gives exactly the summary of the whole,
and so do the count tables derived from it.

Examples:
    >>> from datetime import date
    >>> from decimal import Decimal
    >>> from mteam.membership.records import Member, Transaction
    >>> from mteam.membership.summary import summarise
    >>> members = [Member("a", date(2025, 1, 10)),
    ...            Member("b", date(2025, 1, 20), date(2025, 4, 30))]
    >>> sales = [Transaction("a", date(2025, 1, 12), Decimal("30")),
    ...          Transaction("a", date(2025, 3, 15), Decimal("45")),
    ...          Transaction("b", date(2025, 2, 1), Decimal("20"))]
    >>> base = summarise(members, sales, as_of=date(2025, 6, 30))
    >>> base.stats["a"].purchases, base.stats["a"].revenue, base.stats["a"].last_purchase
    (2, Decimal('75'), datetime.date(2025, 3, 15))
    >>> sorted(base.stats["a"].active_months())
    [0, 2]
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Final

import attrs
from dateutil.relativedelta import relativedelta

from mteam._validate import check_records, show
from mteam.errors import InvalidInputError, Problem
from mteam.membership.records import Member, Transaction

__all__ = [
    "TRAILING_MONTHS",
    "MemberBase",
    "MemberStats",
    "cohort_of",
    "months_between",
    "summarise",
]

_DAYS: Final = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

TRAILING_MONTHS: Final = 12
"""The window of the trailing spend used by tiers: the 12 months up to `as_of`."""


def cohort_of(day: date) -> str:
    """The join cohort of a day: its month, `YYYY-MM`.

    Examples:
        >>> cohort_of(date(2025, 3, 31))
        '2025-03'
    """
    return f"{day.year:04d}-{day.month:02d}"


def add_months(day: date, months: int) -> date:
    """`day + relativedelta(months=months)`: the same day of the month, or the month's last.

    Examples:
        >>> add_months(date(2024, 1, 31), 1)
        datetime.date(2024, 2, 29)
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = _DAYS[month - 1] + (month == 2 and calendar.isleap(year))
    return date(year, month, min(day.day, last))


def months_between(start: date, day: date) -> int:
    """Whole months from `start` to `day`: the largest k with `add_months(start, k) <= day`.

    This is `relativedelta(day, start)` in months (31 Jan + 1 month is 28 or 29 Feb), without
    its cost.

    Examples:
        >>> months_between(date(2025, 1, 31), date(2025, 2, 28))
        1
        >>> months_between(date(2025, 1, 31), date(2025, 2, 27))
        0
    """
    k = (day.year - start.year) * 12 + day.month - start.month
    if k > 0:
        # add_months(start, k) lands in day's month on min(start.day, last); it is after day
        # exactly when start.day > day.day and day is not that month's last day
        if start.day > day.day and day.day < _last_day(day.year, day.month):
            k -= 1
    elif k < 0 and add_months(start, k) < day:
        k += 1
    return k


def _last_day(year: int, month: int) -> int:
    return _DAYS[month - 1] + (month == 2 and calendar.isleap(year))


@attrs.frozen
class MemberStats:
    """One member's figures, as of the summary's date.

    Attributes:
        member_id: The member.
        joined_on: The day they joined.
        left_on: The day they left, None while a member.
        purchases: The number of transactions up to `as_of` (refunds included if allowed).
        revenue: Their total amount.
        first_purchase: The day of their first transaction, None without one.
        last_purchase: The day of their last transaction, None without one.
        trailing_revenue: Their amount in the 12 months up to `as_of`.
        active_mask: Bit k is set when they bought in month k since joining.
    """

    member_id: str
    joined_on: date
    left_on: date | None
    purchases: int = 0
    revenue: Decimal = Decimal(0)
    first_purchase: date | None = None
    last_purchase: date | None = None
    trailing_revenue: Decimal = Decimal(0)
    active_mask: int = 0

    def active_months(self) -> tuple[int, ...]:
        """The months since joining (0 = the month of joining) in which they bought."""
        mask, k, out = self.active_mask, 0, []
        while mask:
            if mask & 1:
                out.append(k)
            mask >>= 1
            k += 1
        return tuple(out)


@attrs.frozen(hash=False)
class MemberBase:
    """A summarised member base: per-member figures and revenue per cohort and month.

    Attributes:
        as_of: The day the figures are as of.
        stats: Member id → their figures, sorted by id.
        revenue: Cohort (`YYYY-MM`) → month since joining → the cohort's revenue in it.
    """

    as_of: date
    stats: dict[str, MemberStats]
    revenue: dict[str, dict[int, Decimal]]

    def __add__(self, other: MemberBase) -> MemberBase:
        if not isinstance(other, MemberBase):
            return NotImplemented
        if other.as_of != self.as_of:
            raise InvalidInputError(
                "as_of", f"cannot add summaries as of {self.as_of} and {other.as_of}"
            )
        overlap = self.stats.keys() & other.stats.keys()
        if overlap:
            raise InvalidInputError(
                "stats", f"the partitions share members, e.g. {show(min(overlap))}"
            )
        revenue = {c: dict(row) for c, row in self.revenue.items()}
        for cohort, row in other.revenue.items():
            target = revenue.setdefault(cohort, {})
            for k, value in row.items():
                target[k] = target.get(k, Decimal(0)) + value
        return MemberBase(
            self.as_of,
            dict(sorted({**self.stats, **other.stats}.items())),
            {c: dict(sorted(r.items())) for c, r in sorted(revenue.items())},
        )

    def __len__(self) -> int:
        return len(self.stats)


@attrs.define
class _Running:
    purchases: int = 0
    revenue: Decimal = Decimal(0)
    first: date | None = None
    last: date | None = None
    trailing: Decimal = Decimal(0)
    mask: int = 0

    def add(self, on: date, amount: Decimal, age: int, *, trailing: bool) -> None:
        self.purchases += 1
        self.revenue += amount
        if self.first is None or on < self.first:
            self.first = on
        if self.last is None or on > self.last:
            self.last = on
        if trailing:
            self.trailing += amount
        self.mask |= 1 << age


def _index(members: Iterable[Member], as_of: object) -> dict[str, Member]:
    if not isinstance(as_of, date):
        raise InvalidInputError("as_of", f"must be a date, got {show(as_of)}")
    index = check_records("members", members, Member)
    for i, m in enumerate(index.values()):
        if m.joined_on > as_of:
            raise InvalidInputError(f"members[{i}].joined_on", f"is after as_of ({as_of})")
        if m.left_on is not None and m.left_on > as_of:
            raise InvalidInputError(f"members[{i}].left_on", f"is after as_of ({as_of})")
    return index


_MAX_PROBLEMS: Final = 50


def _check_row(
    where: str,
    *,
    member: Member | None,
    member_id: str,
    on: date,
    amount: Decimal,
    as_of: date,
    allow_refunds: bool,
) -> Problem | None:
    if member is None:
        return Problem(f"{where}.member_id", f"unknown member {show(member_id)}")
    if on < member.joined_on:
        return Problem(f"{where}.on", f"{on} is before the member joined ({member.joined_on})")
    if on > as_of:
        return Problem(f"{where}.on", f"{on} is after as_of ({as_of})")
    if amount < 0 and not allow_refunds:
        return Problem(f"{where}.amount", f"must be >= 0 (refunds are not allowed), got {amount}")
    return None


def summarise(
    members: Iterable[Member],
    transactions: Iterable[Transaction],
    as_of: date,
    *,
    allow_refunds: bool = False,
) -> MemberBase:
    """Summarise members and their transactions in one pass over the transactions.

    Args:
        members: The members (unique ids).
        transactions: The transactions, in any order (a stream is fine).
        as_of: The day of the analysis: no member may join, leave or buy after it.
        allow_refunds: Accept negative amounts (refunds); refused unless given.

    Returns:
        The member base.

    Raises:
        InvalidInputError: listing every bad transaction (up to 50) by its row (file line, or
            position when there is no file): by an unknown member, before the member joined,
            after `as_of`, or negative without `allow_refunds`; with any bad rows the reader
            found. Or a member who joins or leaves after `as_of`, or a duplicate member id.
    """
    return summarise_rows(
        members,
        ((t.member_id, t.on, t.amount, t.line) for t in transactions),
        as_of,
        allow_refunds=allow_refunds,
    )


def summarise_rows(
    members: Iterable[Member],
    rows: Iterable[tuple[str, date, Decimal, int | None]],
    as_of: date,
    *,
    allow_refunds: bool = False,
) -> MemberBase:
    """[`summarise`][mteam.membership.summary.summarise] from plain rows.

    Each row is `(member_id, on, amount, line)`, as
    [`transaction_rows`][mteam.membership.records.transaction_rows] yields them (`line` None
    for rows that do not come from a file): the bulk path, with the same checks and errors.
    """
    index = _index(members, as_of)
    running: dict[str, _Running] = {}
    cohorts = {m.id: cohort_of(m.joined_on) for m in index.values()}
    revenue: dict[str, dict[int, Decimal]] = {}
    window_start = as_of - relativedelta(months=TRAILING_MONTHS)
    problems: list[Problem] = []
    try:
        for i, (member_id, on, amount, line) in enumerate(rows):
            member = index.get(member_id)
            if member is None or on < member.joined_on or on > as_of or amount < 0:
                where = f"transactions[{i}]" if line is None else f"line {line}"
                problem = _check_row(
                    where,
                    member=member,
                    member_id=member_id,
                    on=on,
                    amount=amount,
                    as_of=as_of,
                    allow_refunds=allow_refunds,
                )
                if problem is not None:
                    if len(problems) < _MAX_PROBLEMS:
                        problems.append(problem)
                    continue
            r = running.get(member_id)
            if r is None:
                r = running[member_id] = _Running()
            age = months_between(member.joined_on, on)  # type: ignore[union-attr]
            r.add(on, amount, age, trailing=on > window_start)
            row = revenue.setdefault(cohorts[member_id], {})
            row[age] = row.get(age, Decimal(0)) + amount
    except InvalidInputError as err:  # the reader's own bad rows, found at the end of the file
        raise InvalidInputError.from_problems([*problems, *err.problems]) from None
    if problems:
        raise InvalidInputError.from_problems(problems)
    stats = {}
    for member_id in sorted(index):
        m = index[member_id]
        r = running.get(member_id, _Running())
        stats[member_id] = MemberStats(
            m.id,
            m.joined_on,
            m.left_on,
            r.purchases,
            r.revenue,
            r.first,
            r.last,
            r.trailing,
            r.mask,
        )
    return MemberBase(
        as_of, stats, {c: dict(sorted(row.items())) for c, row in sorted(revenue.items())}
    )


def _check_base(base: object) -> MemberBase:
    """Raise unless `base` is a MemberBase (for the analysis functions)."""
    if not isinstance(base, MemberBase):
        raise InvalidInputError("base", f"must be a MemberBase, got {show(base)}")
    return base
