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
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal, localcontext
from operator import attrgetter
from typing import Any, Final

import attrs
from dateutil.relativedelta import relativedelta

from mteam._problems import Problems, at
from mteam._records import Records
from mteam._validate import check_instance, check_int, check_records, check_sequence, show
from mteam.errors import InvalidInputError, Problem
from mteam.membership.records import Member, Transaction

__all__ = [
    "TRAILING_MONTHS",
    "MemberBase",
    "MemberStats",
    "cohort_of",
    "months_between",
    "summarise",
    "summarise_rows",
]

Parser = Callable[[Sequence[str]], "tuple[str, date, Decimal] | Problem"]
"""Turns the text cells of a row into `(member_id, on, amount)`, or names the bad cell."""

_DAYS: Final = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

TRAILING_MONTHS: Final = 12
"""The window of the trailing spend used by tiers: the 12 months up to `as_of`."""


def cohort_of(day: date) -> str:
    """The join cohort of a day: its month, `YYYY-MM`.

    Examples:
        >>> cohort_of(date(2025, 3, 31))
        '2025-03'
    """
    check_instance("day", day, date)
    return f"{day.year:04d}-{day.month:02d}"


def add_months(day: date, months: int) -> date:
    """`day + relativedelta(months=months)`: the same day of the month, or the month's last.

    Examples:
        >>> add_months(date(2024, 1, 31), 1)
        datetime.date(2024, 2, 29)
    """
    check_instance("day", day, date)
    check_int("months", months)
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
    if start.__class__ is not date or day.__class__ is not date:
        check_instance("start", start, date)  # a date subclass; or an input error
        check_instance("day", day, date)
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
class MemberStats(Records):
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

    Examples:
        >>> from datetime import date
        >>> from decimal import Decimal
        >>> stats = MemberStats("a", date(2025, 1, 10), None, purchases=2,
        ...                     revenue=Decimal("75"), active_mask=0b101)
        >>> stats.active_months()
        (0, 2)
        >>> row = stats.to_records()[0]
        >>> row["member_id"], row["revenue"], row["active_mask"]
        ('a', Decimal('75'), 5)
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
        """The months since joining (0 = the month of joining) in which they bought.

        Month k is in the result when bit k of `active_mask` is set: `active_mask` =
        Σ 2**k over the months k bought in.

        Examples:
            >>> from datetime import date
            >>> MemberStats("a", date(2025, 1, 10), None, active_mask=0b1001).active_months()
            (0, 3)
        """
        mask, k, out = self.active_mask, 0, []
        while mask:
            if mask & 1:
                out.append(k)
            mask >>= 1
            k += 1
        return tuple(out)


@attrs.frozen(hash=False)
class MemberBase(Records):
    """A summarised member base: per-member figures and revenue per cohort and month.

    `to_records()` gives one row per member (sorted by id): `as_of`, the member's figures
    (amounts as `Decimal`) and `active_months`, the number of months since joining in which
    they bought. The revenue per cohort and month is not in the rows; it is a table of its own
    (`revenue`).

    Attributes:
        as_of: The day the figures are as of.
        stats: Member id → their figures, sorted by id.
        revenue: Cohort (`YYYY-MM`) → month since joining → the cohort's revenue in it.

    Examples:
        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from mteam.membership.records import Member, Transaction
        >>> base = summarise([Member("a", date(2025, 1, 10)), Member("b", date(2025, 2, 1))],
        ...                  [Transaction("a", date(2025, 1, 12), Decimal("30")),
        ...                   Transaction("a", date(2025, 3, 15), Decimal("45"))],
        ...                  as_of=date(2025, 6, 30))
        >>> len(base), base.revenue
        (2, {'2025-01': {0: Decimal('30'), 2: Decimal('45')}})
        >>> [(r["member_id"], r["purchases"], r["revenue"], r["active_months"])
        ...  for r in base.to_records()]
        [('a', 2, Decimal('75'), 2), ('b', 0, Decimal('0'), 0)]
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

    def _rows(self) -> list[dict[str, object]]:
        return [
            {
                "as_of": self.as_of,
                "member_id": s.member_id,
                "joined_on": s.joined_on,
                "left_on": s.left_on,
                "purchases": s.purchases,
                "revenue": s.revenue,
                "first_purchase": s.first_purchase,
                "last_purchase": s.last_purchase,
                "trailing_revenue": s.trailing_revenue,
                "active_months": s.active_mask.bit_count(),
            }
            for s in self.stats.values()
        ]

    def _html_caption(self) -> str:
        return f"MemberBase as of {self.as_of.isoformat()}: {len(self.stats):,} members"


def _index(members: Iterable[Member], as_of: object, *, read: bool = False) -> dict[str, Member]:
    """Member id -> member, checked against `as_of`.

    Also checked for type and unique ids, unless they were `read` by `read_members`, which
    checked both.
    """
    as_of = _check_as_of(as_of)
    index = {m.id: m for m in members} if read else check_records("members", members, Member)
    latest = max(
        max(map(attrgetter("joined_on"), index.values()), default=as_of),
        max(filter(None, map(attrgetter("left_on"), index.values())), default=as_of),
    )
    if latest > as_of:  # found in C; then name the first member at fault
        for i, m in enumerate(index.values()):
            for field, day in (("joined_on", m.joined_on), ("left_on", m.left_on)):
                if day is not None and day > as_of:
                    raise InvalidInputError(f"members[{i}].{field}", f"is after as_of ({as_of})")
    return index


def _check_as_of(as_of: object) -> date:
    # a datetime (a pandas Timestamp too) is a date, but not a day, and does not compare with one
    if not isinstance(as_of, date) or isinstance(as_of, datetime):
        raise InvalidInputError(
            "as_of", f"must be a date (a day, not a datetime), got {show(as_of)}"
        )
    return as_of


LARGEST_AMOUNT: Final = Decimal("1E18")
"""A transaction's amount is less than this in magnitude (in the currency's unit)."""
MOST_DECIMALS: Final = 28
"""A transaction's amount has at most this many decimal places (as written, zeros included)."""
_SUMS: Final = Context(prec=18 + 19 + MOST_DECIMALS, Emax=MAX_EMAX, Emin=MIN_EMIN)
"""Exact for every sum of accepted amounts: fewer than 10^19 rows of amounts below 10^18, each
a multiple of 10^-28, add up below 10^37 and are a multiple of 10^-28: 65 digits. So a sum is
the same in any order and in any caller's decimal context, and keeps the smallest exponent of
its amounts (`1500` + `1500.00` is `3000.00`)."""

_AMOUNTS_KEPT: Final = 1 << 16
"""How many distinct amount cells a summary remembers as checked (memory stays bounded)."""
_ZERO: Final = Decimal(0)
_SMALLEST_EXPONENT: Final = -MOST_DECIMALS


class _Running:
    """A member's running figures as the transactions stream past (slotted: the loop's hot data).

    The last four never change: the day they joined, its month number (year * 12 + month), its
    day of the month, and their cohort's revenue row (month since joining -> revenue).
    """

    __slots__ = (
        "day",
        "first",
        "joined",
        "last",
        "mask",
        "month",
        "n",
        "revenue",
        "row",
        "trailing",
    )

    def __init__(self, joined: date, row: dict[int, Decimal]) -> None:
        self.n = 0
        self.revenue = _ZERO
        self.first = self.last = joined
        self.trailing = _ZERO
        self.mask = 0
        self.joined = joined
        self.month = _month(joined)
        self.day = joined.day
        self.row = row


# What the loop needs of a transaction's day, worked out once per distinct day: the date, its
# month number, its day of the month (31 on a month's last day, where `months_between` never
# counts a month short) and whether it falls in the trailing window.
_Day = tuple[date, int, int, bool]


def _month(day: date) -> int:
    return day.year * 12 + day.month


class _Fold:
    """The single pass over the transactions behind every summary.

    Rows are `(member_id, on, amount)`: the cells of a CSV row, or checked values (a date and a
    Decimal). A row that passes the loop's quick test costs a few look-ups and additions; any
    other goes to `_check`, which examines it cell by cell and either records a problem or
    hands the row back, parsed. The quick test passes only rows that `_check` accepts as they
    are, so both reach the same figures.
    """

    def __init__(
        self,
        index: dict[str, Member],
        as_of: date,
        *,
        allow_refunds: bool,
        max_problems: int,
        parse: Parser | None = None,
    ) -> None:
        self.parse = parse
        self.index = index
        self.as_of = as_of
        self.allow_refunds = allow_refunds
        self.window_start = as_of - relativedelta(months=TRAILING_MONTHS)
        self.revenue: dict[str, dict[int, Decimal]] = {}
        rows: dict[date, dict[int, Decimal]] = {}  # by the day of joining: one look-up each
        self.state = {}
        for m in index.values():
            row = rows.get(m.joined_on)
            if row is None:
                row = rows[m.joined_on] = self.revenue.setdefault(cohort_of(m.joined_on), {})
            self.state[m.id] = _Running(m.joined_on, row)
        self.days: dict[object, _Day] = {}
        self.amounts: dict[object, Decimal] = {}  # amount cells known to be plain amounts
        self.problems = Problems(max_problems)

    def add(self, rows: Iterable[Sequence[Any]], where: Callable[[], str]) -> None:
        """Fold `rows` in; `where()` names the row being read, for a problem.

        The sums run in a local decimal context exact for every accepted amount (`_SUMS`). One
        flat loop on purpose: it runs once per transaction, and a function call per row would
        cost more than the row's own work.
        """
        with localcontext(_SUMS):
            self._add(rows, where)

    def _add(self, rows: Iterable[Sequence[Any]], where: Callable[[], str]) -> None:  # noqa: C901
        state, days, amounts = self.state, self.days, self.amounts
        to_decimal, zero, largest, text = Decimal, _ZERO, LARGEST_AMOUNT, str
        for row in rows:
            try:
                member_id, on, amount = row
                s = state[member_id]
                day, month, day_of_month, recent = days[on]
                # amounts known to be plain: a cell by its text, a Decimal by its value *and*
                # exponent (`1500` and `1500.00` are equal but are kept apart, so a sum never
                # depends on which came first)
                known = amounts.get(amount)
                if known is not None and (
                    amount.__class__ is text or not known.compare_total(amount)
                ):
                    value = known
                    quick = day >= s.joined
                else:
                    value = to_decimal(amount)
                    quick = (
                        zero <= value < largest
                        and value.as_tuple().exponent >= _SMALLEST_EXPONENT  # type: ignore[operator]
                        and day >= s.joined
                    )
                    if quick and known is None and len(amounts) < _AMOUNTS_KEPT:
                        amounts[amount] = value
            except (ValueError, KeyError, TypeError, ArithmeticError):
                quick = False
            if not quick:
                checked = self._check(row, where)
                if checked is None:
                    continue
                s, (day, month, day_of_month, recent), value = checked
            if not s.n:
                s.first = s.last = day
            elif day < s.first:
                s.first = day
            elif day > s.last:
                s.last = day
            s.n += 1
            s.revenue += value
            if recent:
                s.trailing += value
            age = month - s.month
            if age and s.day > day_of_month:
                age -= 1
            s.mask |= 1 << age
            cohort_row = s.row
            cohort_row[age] = cohort_row.get(age, zero) + value

    def _check(
        self, row: Sequence[Any], where: Callable[[], str]
    ) -> tuple[_Running, _Day, Decimal] | None:
        if self.parse is not None and all(isinstance(cell, str) for cell in row):
            parsed = self.parse(row)
            if isinstance(parsed, Problem):
                self.problems.add(at(where(), parsed.path), parsed.message)
                return None
            member_id, day, value = parsed
        else:  # checked values, from Transaction records
            member_id, day, value = row
        member = self.index.get(member_id)
        problem = _check_row(
            where(),
            member=member,
            member_id=member_id,
            on=day,
            amount=value,
            as_of=self.as_of,
            allow_refunds=self.allow_refunds,
        )
        if problem is not None:
            self.problems.add(problem.path, problem.message)
            return None
        info = self.days[row[1]] = (
            day,
            _month(day),
            31 if day.day == _last_day(day.year, day.month) else day.day,
            day > self.window_start,
        )
        return self.state[member_id], info, value

    def finish(self) -> MemberBase:
        """The member base, once every row is in; raises the problems found, if any."""
        self.problems.raise_if_any()
        stats = {}
        for member_id in sorted(self.state):
            s = self.state[member_id]
            m = self.index[member_id]
            bought = s.n > 0
            stats[member_id] = MemberStats(
                member_id,
                m.joined_on,
                m.left_on,
                s.n,
                s.revenue,
                s.first if bought else None,
                s.last if bought else None,
                s.trailing,
                s.mask,
            )
        revenue = {c: dict(sorted(row.items())) for c, row in sorted(self.revenue.items()) if row}
        return MemberBase(self.as_of, stats, revenue)


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
    return _amount_problem(where, amount)


def _amount_problem(where: str, amount: Decimal) -> Problem | None:
    if not -LARGEST_AMOUNT < amount < LARGEST_AMOUNT:
        return Problem(f"{where}.amount", f"must be less than 10^18 in magnitude, got {amount}")
    if amount.as_tuple().exponent < _SMALLEST_EXPONENT:  # type: ignore[operator]
        return Problem(
            f"{where}.amount", f"must have at most {MOST_DECIMALS} decimal places, got {amount}"
        )
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

    Examples:
        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from mteam.membership.records import Member, Transaction
        >>> base = summarise([Member("a", date(2024, 3, 1))],
        ...                  [Transaction("a", date(2024, 3, 2), Decimal("40")),
        ...                   Transaction("a", date(2025, 2, 1), Decimal("60"))],
        ...                  as_of=date(2025, 6, 30))
        >>> stats = base.stats["a"]
        >>> stats.purchases, stats.revenue, stats.trailing_revenue  # 2 Feb 2025 is in the 12 months
        (2, Decimal('100'), Decimal('60'))
        >>> summarise([Member("a", date(2024, 3, 1))],
        ...           [Transaction("z", date(2024, 3, 2), Decimal("1"))], date(2025, 6, 30))
        Traceback (most recent call last):
        ...
        mteam.errors.InvalidInputError: ...
    """
    fold = _Fold(_index(members, as_of), as_of, allow_refunds=allow_refunds, max_problems=50)
    check_sequence("transactions", transactions)
    current: list[Any] = [0, None]

    def rows() -> Iterator[tuple[str, date, Decimal]]:
        for i, t in enumerate(transactions):
            if not isinstance(t, Transaction):
                raise InvalidInputError(
                    f"transactions[{i}]", f"must be a Transaction, got {show(t)}"
                )
            current[:] = i, t.line
            yield t.member_id, t.on, t.amount

    def where() -> str:
        i, line = current
        return f"transactions[{i}]" if line is None else f"line {line}"

    try:
        fold.add(rows(), where)
    except InvalidInputError as err:
        if err.path.startswith("transactions["):
            raise
        # the reader's own bad rows, found at the end of its file
        raise InvalidInputError.from_problems([*fold.problems.found, *err.problems]) from None
    return fold.finish()


def summarise_rows(
    members: Iterable[Member],
    rows: Iterable[Sequence[Any]],
    where: Callable[[], str],
    as_of: date,
    *,
    parse: Parser,
    allow_refunds: bool = False,
    max_problems: int = 50,
) -> MemberBase:
    r"""Summarise members and transaction rows of text cells in one pass, with no record per row.

    The bulk path behind [`mteam.io.summarise_csv`][mteam.io.summarise_csv]: the same checks
    and figures as [`summarise`][mteam.membership.summary.summarise], but each row is the
    cells `(member_id, on, amount)` as read, and only a row that fails the loop's quick test
    is handed to `parse` (which either parses it or names the bad cell).

    Args:
        members: The members (unique ids).
        rows: The rows' cells.
        where: Names the row being read, for a problem (`file:line`).
        as_of: The day of the analysis.
        parse: Turns a row's cells into values or a `Problem` naming the column.
        allow_refunds: Accept negative amounts.
        max_problems: How many bad rows to list before counting the rest.

    Examples:
        >>> from mteam.membership.records import Member
        >>> def parse(row):
        ...     return row[0], date.fromisoformat(row[1]), Decimal(row[2])
        >>> base = summarise_rows([Member("a", date(2025, 1, 10))],
        ...                       [("a", "2025-01-12", "30"), ("a", "2025-03-15", "45")],
        ...                       lambda: "row", date(2025, 6, 30), parse=parse)
        >>> base.stats["a"].purchases, base.stats["a"].revenue
        (2, Decimal('75'))
    """
    check_sequence("rows", rows)
    fold = _Fold(
        _index(members, as_of),
        as_of,
        allow_refunds=allow_refunds,
        max_problems=max_problems,
        parse=parse,
    )
    fold.add(rows, where)
    return fold.finish()


def _check_base(base: object) -> MemberBase:
    """Raise unless `base` is a MemberBase (for the analysis functions)."""
    if not isinstance(base, MemberBase):
        raise InvalidInputError("base", f"must be a MemberBase, got {show(base)}")
    return base
