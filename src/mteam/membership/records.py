r"""Member and transaction records, and CSV readers that stream.

A members file has the columns `member_id, joined_on, left_on` (`left_on` empty for a current
member); a transactions file `member_id, on, amount`. Dates are ISO 8601, amounts decimal
numbers in the currency's unit.

The readers stream: each row is checked and turned into a record as it is read, and nothing
holds the file's rows twice. Every bad row is reported with its line number, and a file with
bad rows is never loaded half-way: once the file is read, one
[`InvalidInputError`][mteam.errors.InvalidInputError] lists every bad row (at most
`max_problems`, then a count of the rest).

Examples:
    >>> import io
    >>> from mteam.membership.records import read_members, read_transactions
    >>> members = read_members(io.StringIO(
    ...     "member_id,joined_on,left_on\nA-1,2025-01-15,\nA-2,2025-02-01,2025-08-31\n"))
    >>> [(m.id, m.joined_on.isoformat(), m.left_on) for m in members]
    [('A-1', '2025-01-15', None), ('A-2', '2025-02-01', datetime.date(2025, 8, 31))]
    >>> list(read_transactions(io.StringIO("member_id,on,amount\nA-1,2025-01-20,x\n")))
    Traceback (most recent call last):
    mteam.errors.InvalidInputError: transactions:2.amount: invalid amount 'x'
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, Final

import attrs

from mteam._validate import check_int, show, text
from mteam.errors import InvalidInputError, Problem

__all__ = [
    "MEMBER_COLUMNS",
    "TRANSACTION_COLUMNS",
    "Member",
    "Transaction",
    "parse_transaction",
    "read_members",
    "read_transactions",
]

MEMBER_COLUMNS: Final = ("member_id", "joined_on", "left_on")
TRANSACTION_COLUMNS: Final = ("member_id", "on", "amount")


def _check_date(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    # a datetime is a date, but it does not compare with one: refused
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInputError(attr.name, f"must be a date, got {show(value)}")


def _check_optional_date(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _check_date(_inst, attr, value)


@attrs.frozen(order=True)
class Member:
    """A member (customer) of the membership programme.

    Attributes:
        id: The member's id.
        joined_on: The day they joined.
        left_on: The day they left (cancelled), None while a member.
    """

    id: str = attrs.field(validator=text())
    joined_on: date = attrs.field(validator=_check_date)
    left_on: date | None = attrs.field(default=None, validator=_check_optional_date)

    def __attrs_post_init__(self) -> None:
        if self.left_on is not None and self.left_on < self.joined_on:
            raise InvalidInputError(
                "left_on", f"must not be before joined_on ({self.joined_on}), got {self.left_on}"
            )

    def is_member_on(self, day: date) -> bool:
        """Whether they were a member on `day` (joined on or before it, not yet left)."""
        return self.joined_on <= day and (self.left_on is None or self.left_on >= day)


@attrs.frozen
class Transaction:
    """A purchase (or, where the policy allows, a refund) by a member.

    Attributes:
        member_id: The member.
        on: The day of the transaction.
        amount: The amount (a Decimal).
        line: The line of the file it was read from, for error messages (not compared).
    """

    member_id: str = attrs.field(validator=text())
    on: date = attrs.field(validator=_check_date)
    amount: Decimal = attrs.field()
    line: int | None = attrs.field(default=None, eq=False, repr=False)

    @amount.validator
    def _check_amount(self, _attr: object, value: object) -> None:
        if not isinstance(value, Decimal) or not value.is_finite():
            raise InvalidInputError("amount", f"must be a finite Decimal, got {show(value)}")


def _open(source: str | Path | IO[str]) -> tuple[IO[str], str, bool]:
    if isinstance(source, (str, Path)):
        try:
            handle = Path(source).open(encoding="utf-8", newline="")  # noqa: SIM115
        except OSError as exc:
            raise InvalidInputError(
                "file", f"cannot read {str(source)!r}: {exc.strerror}"
            ) from None
        return handle, Path(source).name, True
    if not hasattr(source, "read"):
        raise InvalidInputError("file", f"must be a path or an open text file, got {show(source)}")
    return source, getattr(source, "name", None) or "", False


@contextlib.contextmanager
def _csv_table(
    source: str | Path | IO[str], columns: tuple[str, ...], default_name: str
) -> Iterator[tuple[Any, str]]:
    """Open a CSV file and check its header.

    Yields:
        The `csv.reader` past the header (its `line_num` is the line of the row just read)
        and the file's name for messages. An unreadable row (bad quoting, bad UTF-8) raises an
        `InvalidInputError` naming its line.
    """
    handle, name, owned = _open(source)
    name = name or default_name
    try:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InvalidInputError(f"{name}:1", f"not a readable CSV file ({exc})") from None
        if header is None or [h.strip() for h in header] != list(columns):
            raise InvalidInputError(
                f"{name}:1", f"the header must be {','.join(columns)}, got {show(header)}"
            )
        try:
            yield reader, name
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InvalidInputError(f"{name}:{reader.line_num}", f"not readable ({exc})") from None
    finally:
        if owned:
            handle.close()


def _rows(
    source: str | Path | IO[str], columns: tuple[str, ...], default_name: str
) -> Iterator[tuple[int, str, list[str]]]:
    with _csv_table(source, columns, default_name) as (reader, name):
        for row in reader:
            yield reader.line_num, f"{name}:{reader.line_num}", row


class _Problems:
    """Bad rows found while streaming; raised together at the end."""

    def __init__(self, max_problems: int) -> None:
        check_int("max_problems", max_problems, ge=1)
        self.found: list[Problem] = []
        self.more = 0
        self.max = max_problems

    def add(self, path: str, message: str) -> None:
        if len(self.found) < self.max:
            self.found.append(Problem(path, message))
        else:
            self.more += 1

    def raise_if_any(self) -> None:
        if not self.found:
            return
        problems = list(self.found)
        if self.more:
            problems.append(Problem("", f"... and {self.more} more bad rows"))
        raise InvalidInputError.from_problems(problems)


def read_members(source: str | Path | IO[str], *, max_problems: int = 50) -> list[Member]:
    """Read a members CSV file (`member_id,joined_on,left_on`).

    Args:
        source: A path or an open text file.
        max_problems: How many bad rows to list before counting the rest.

    Returns:
        The members, in file order.

    Raises:
        InvalidInputError: listing every bad row by `file:line.column` (a wrong header, a bad
            date, leaving before joining, a duplicate id).
    """
    problems = _Problems(max_problems)
    members: list[Member] = []
    seen: set[str] = set()
    days: dict[str, date] = {}

    def day(cell: str) -> date:  # each distinct date cell is parsed once, then looked up
        found = days[cell] = date.fromisoformat(cell)
        return found

    with _csv_table(source, MEMBER_COLUMNS, "members") as (reader, name):

        def at(column: str) -> str:  # where the row just read is, for a problem
            return f"{name}:{reader.line_num}{column}"

        for row in reader:
            if len(row) != len(MEMBER_COLUMNS):
                problems.add(at(""), f"expected {len(MEMBER_COLUMNS)} columns, got {len(row)}")
                continue
            member_id, joined, left = row
            member_id, joined, left = member_id.strip(), joined.strip(), left.strip()
            try:
                joined_on = days.get(joined) or day(joined)
            except ValueError:
                problems.add(at(".joined_on"), f"invalid date {show(joined)}")
                continue
            try:
                left_on = (days.get(left) or day(left)) if left else None
            except ValueError:
                problems.add(at(".left_on"), f"invalid date {show(left)}")
                continue
            if member_id in seen:
                problems.add(at(".member_id"), f"duplicate id {show(member_id)}")
                continue
            try:
                members.append(Member(member_id, joined_on, left_on))
            except InvalidInputError as err:
                problems.add(at(f".{err.path}"), err.message)
                continue
            seen.add(member_id)
    problems.raise_if_any()
    return members


def read_transactions(
    source: str | Path | IO[str], *, max_problems: int = 50
) -> Iterator[Transaction]:
    """Stream a transactions CSV file (`member_id,on,amount`), one record at a time.

    The file is read lazily; bad rows are collected and, once the last row is read, raised
    together, so a consumer never finishes with a file loaded half-way.

    Args:
        source: A path or an open text file.
        max_problems: How many bad rows to list before counting the rest.

    Yields:
        The transactions, each knowing its line number.

    Raises:
        InvalidInputError: listing every bad row by `file:line.column`.
    """
    problems = _Problems(max_problems)
    new, put = object.__new__, object.__setattr__
    for line, where, row in _rows(source, TRANSACTION_COLUMNS, "transactions"):
        parsed = parse_transaction(row)
        if isinstance(parsed, Problem):
            problems.add(_at(where, parsed.path), parsed.message)
            continue
        # parse_transaction has run every check of Transaction's validators (a non-blank id, a
        # date, a finite Decimal): build the record without running them a second time
        transaction = new(Transaction)
        put(transaction, "member_id", parsed[0])
        put(transaction, "on", parsed[1])
        put(transaction, "amount", parsed[2])
        put(transaction, "line", line)
        yield transaction
    problems.raise_if_any()


def _at(where: str, column: str) -> str:
    return f"{where}.{column}" if column else where


def parse_transaction(row: Sequence[str]) -> tuple[str, date, Decimal] | Problem:
    """Parse the cells of one transactions row, or name the first bad one.

    Returns:
        `(member_id, on, amount)`, or a `Problem` whose path is the column (empty for a row
        of the wrong width).

    Examples:
        >>> parse_transaction(["A-1", "2025-01-20", "12.50"])
        ('A-1', datetime.date(2025, 1, 20), Decimal('12.50'))
        >>> print(parse_transaction(["A-1", "2025-01-20", "NaN"]))
        amount: must be finite, got 'NaN'
    """
    if not isinstance(row, (list, tuple)) or not all(isinstance(cell, str) for cell in row):
        raise InvalidInputError("row", f"must be a list of text cells, got {show(row)}")
    if len(row) != len(TRANSACTION_COLUMNS):
        return Problem("", f"expected {len(TRANSACTION_COLUMNS)} columns, got {len(row)}")
    member_id, on, amount = row
    try:
        day = date.fromisoformat(on.strip())
    except ValueError:
        return Problem("on", f"invalid date {show(on.strip())}")
    try:
        value = Decimal(amount)
    except InvalidOperation:
        return Problem("amount", f"invalid amount {show(amount.strip())}")
    if not value.is_finite():
        return Problem("amount", f"must be finite, got {show(amount.strip())}")
    member_id = member_id.strip()
    if not member_id:
        return Problem("member_id", "must not be empty")
    return member_id, day, value


def members_csv(members: Iterable[Member]) -> str:
    """Members as CSV text (the format `read_members` reads)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(MEMBER_COLUMNS)
    for m in members:
        writer.writerow([m.id, m.joined_on.isoformat(), "" if m.left_on is None else m.left_on])
    return out.getvalue()


def transactions_csv(transactions: Iterable[Transaction]) -> str:
    """Transactions as CSV text (the format `read_transactions` reads)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TRANSACTION_COLUMNS)
    for t in transactions:
        writer.writerow([t.member_id, t.on.isoformat(), str(t.amount)])
    return out.getvalue()
