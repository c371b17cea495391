"""Period retention and churn, and monthly cohort tables.

**Period retention** = members present at the period's start who are still members at its
end ÷ members present at the start; members who join during the period are left out.
Churn = 1 − retention.

**Cohorts** group members by the month they joined. For each cohort and each month since
joining (k = 0 is the month of joining; months counted with `dateutil.relativedelta`), the
table counts the members *observed* at that age (joined at least k months before `as_of`),
those still members k months after joining (*contractual* retention), and those who bought in
that month (*activity*).

Both are count tables that add: computed on partitions of the members and added, they equal
the table of the whole.

Examples:
    >>> from datetime import date
    >>> from mteam.membership.records import Member
    >>> from mteam.membership.retention import period_retention
    >>> members = [Member("a", date(2024, 5, 1)), Member("b", date(2024, 6, 1), date(2025, 3, 1)),
    ...            Member("c", date(2024, 12, 1), date(2025, 1, 15)), Member("d", date(2025, 2, 1))]
    >>> counts = period_retention(members, date(2025, 1, 1), date(2025, 12, 31))
    >>> counts.at_start, counts.retained, counts.joined, counts.retention, counts.churn
    (3, 1, 1, 0.3333333333333333, 0.6666666666666667)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import attrs

from mteam._records import Cell, Records
from mteam._validate import show
from mteam.errors import InvalidInputError
from mteam.membership.records import Member
from mteam.membership.summary import (
    MemberBase,
    MemberStats,
    _check_base,
    cohort_of,
    months_between,
)

__all__ = ["CohortCell", "CohortTable", "RetentionCounts", "cohort_table", "period_retention"]


@attrs.frozen
class RetentionCounts:
    """The counts behind a period's retention.

    Attributes:
        start: The first day of the period.
        end: The last day.
        at_start: Members on the first day (joined on or before it, not left before it).
        retained: Of those, members still on the last day.
        joined: Members who joined during the period (not counted in the rate).
    """

    start: date
    end: date
    at_start: int
    retained: int
    joined: int

    @property
    def retention(self) -> float | None:
        """`retained / at_start`, in [0, 1]; None when nobody was a member at the start."""
        return None if self.at_start == 0 else self.retained / self.at_start

    @property
    def churn(self) -> float | None:
        """`1 − retention` (None when the retention is None)."""
        retention = self.retention
        return None if retention is None else 1.0 - retention

    def __add__(self, other: RetentionCounts) -> RetentionCounts:
        if not isinstance(other, RetentionCounts):
            return NotImplemented
        if (other.start, other.end) != (self.start, self.end):
            raise InvalidInputError("period", "cannot add retention counts of different periods")
        return RetentionCounts(
            self.start,
            self.end,
            self.at_start + other.at_start,
            self.retained + other.retained,
            self.joined + other.joined,
        )


def _records(members: Iterable[Member | MemberStats] | MemberBase) -> list[Member | MemberStats]:
    if isinstance(members, MemberBase):
        return list(members.stats.values())
    out = list(members)
    for i, m in enumerate(out):
        if not isinstance(m, (Member, MemberStats)):
            raise InvalidInputError(f"members[{i}]", f"must be a Member, got {show(m)}")
    return out


def _present(m: Member | MemberStats, day: date) -> bool:
    return m.joined_on <= day and (m.left_on is None or m.left_on >= day)


def _check_period(start: object, end: object) -> None:
    if not isinstance(start, date):
        raise InvalidInputError("start", f"must be a date, got {show(start)}")
    if not isinstance(end, date) or end < start:
        raise InvalidInputError(
            "end", f"must be a date not before start ({start}), got {show(end)}"
        )


def period_retention(
    members: Iterable[Member | MemberStats] | MemberBase, start: date, end: date
) -> RetentionCounts:
    """Count who was a member at the start of a period and who still was at its end.

    Args:
        members: Members, member statistics or a whole member base.
        start: The first day of the period.
        end: The last day (not before `start`).

    Raises:
        InvalidInputError: `end` before `start`, or something other than members.
    """
    _check_period(start, end)
    at_start = retained = joined = 0
    for m in _records(members):
        if _present(m, start):
            at_start += 1
            retained += _present(m, end)
        elif start < m.joined_on <= end:
            joined += 1
    return RetentionCounts(start, end, at_start, retained, joined)


@attrs.frozen
class CohortCell:
    """One cohort at one age (months since joining).

    Attributes:
        observed: Members observed at this age (joined at least `age` months before as_of).
        alive: Of those, members still members `age` months after joining.
        active: Of those, members who bought in month `age` since joining.
    """

    observed: int
    alive: int
    active: int

    @property
    def retention(self) -> float:
        """`alive / observed` (the contractual retention curve)."""
        return self.alive / self.observed

    @property
    def activity(self) -> float:
        """`active / observed` (the share who bought)."""
        return self.active / self.observed

    def __add__(self, other: CohortCell) -> CohortCell:
        return CohortCell(
            self.observed + other.observed, self.alive + other.alive, self.active + other.active
        )


@attrs.frozen
class CohortTable(Records):
    """Cohort (`YYYY-MM`) → months since joining → counts; cells exist where observed > 0.

    Attributes:
        as_of: The day of the analysis.
        cells: The counts, cohorts and ages in order.
    """

    as_of: date
    cells: dict[str, dict[int, CohortCell]]

    def __add__(self, other: CohortTable) -> CohortTable:
        if not isinstance(other, CohortTable):
            return NotImplemented
        if other.as_of != self.as_of:
            raise InvalidInputError("as_of", "cannot add cohort tables of different dates")
        merged: dict[str, dict[int, CohortCell]] = {c: dict(r) for c, r in self.cells.items()}
        for cohort, row in other.cells.items():
            target = merged.setdefault(cohort, {})
            for age, cell in row.items():
                target[age] = target[age] + cell if age in target else cell
        return CohortTable(
            self.as_of, {c: dict(sorted(r.items())) for c, r in sorted(merged.items())}
        )

    def sizes(self) -> dict[str, int]:
        """Cohort → the number of members who joined in it."""
        return {c: row[0].observed for c, row in self.cells.items() if 0 in row}

    def survivors(self, cohort: str) -> tuple[int, ...]:
        """A cohort's members alive at ages 0, 1, …, for the ages every member is observed at.

        These are the survivor counts of the shifted-beta-geometric model
        ([`fit_sbg`][mteam.membership.sbg.fit_sbg]).

        Raises:
            InvalidInputError: no such cohort.
        """
        if cohort not in self.cells:
            raise InvalidInputError("cohort", f"unknown cohort {show(cohort)}")
        row = self.cells[cohort]
        size = row[0].observed
        out = []
        for age in sorted(row):
            if row[age].observed < size:
                break
            out.append(row[age].alive)
        return tuple(out)

    def to_records(self) -> list[dict[str, Cell]]:
        """One row per cohort and age, for a notebook (pivot to the usual triangle)."""
        return [
            {
                "cohort": cohort,
                "age": age,
                "observed": cell.observed,
                "alive": cell.alive,
                "active": cell.active,
                "retention": cell.retention,
                "activity": cell.activity,
            }
            for cohort, row in self.cells.items()
            for age, cell in row.items()
        ]


def cohort_table(base: MemberBase) -> CohortTable:
    """Monthly cohort counts (contractual and activity) of a member base.

    Examples:
        >>> from datetime import date
        >>> from mteam.membership.records import Member
        >>> from mteam.membership.summary import summarise
        >>> base = summarise([Member("a", date(2025, 1, 10)),
        ...                   Member("b", date(2025, 1, 20), date(2025, 2, 25))],
        ...                  [], as_of=date(2025, 3, 31))
        >>> table = cohort_table(base)  # b leaves on 25 Feb: still a member on 20 Feb
        >>> [(age, c.observed, c.alive) for age, c in table.cells["2025-01"].items()]
        [(0, 2, 2), (1, 2, 2), (2, 2, 1)]
    """
    base = _check_base(base)
    # Per cohort, how many members are last observed (or last alive) at each age, and how many
    # bought at each age; observed and alive counts are then suffix sums: O(1) per member plus
    # one step per month they bought in, not one per month of membership.
    last_observed: dict[str, dict[int, int]] = {}
    last_alive: dict[str, dict[int, int]] = {}
    active: dict[str, dict[int, int]] = {}
    by_day: dict[date, tuple[str, int]] = {}  # members who joined on the same day share these
    for m in base.stats.values():
        known = by_day.get(m.joined_on)
        if known is None:
            known = by_day[m.joined_on] = (
                cohort_of(m.joined_on),
                months_between(m.joined_on, base.as_of),
            )
        cohort, observed = known
        alive = (
            observed if m.left_on is None else min(observed, months_between(m.joined_on, m.left_on))
        )
        row = last_observed.setdefault(cohort, {})
        row[observed] = row.get(observed, 0) + 1
        row = last_alive.setdefault(cohort, {})
        row[alive] = row.get(alive, 0) + 1
        row = active.setdefault(cohort, {})
        mask = m.active_mask
        while mask:  # one step per month bought in (never after as_of, so always observed)
            low = mask & -mask
            age = low.bit_length() - 1
            row[age] = row.get(age, 0) + 1
            mask ^= low
    cells: dict[str, dict[int, CohortCell]] = {}
    for cohort in sorted(last_observed):
        top = max(last_observed[cohort])
        observed_n = alive_n = 0
        column: list[CohortCell] = []
        for age in range(top, -1, -1):
            observed_n += last_observed[cohort].get(age, 0)
            alive_n += last_alive[cohort].get(age, 0)
            column.append(CohortCell(observed_n, alive_n, active[cohort].get(age, 0)))
        cells[cohort] = dict(enumerate(reversed(column)))
    return CohortTable(base.as_of, cells)
