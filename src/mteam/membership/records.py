"""Member and transaction records.

A member joins on a day and may leave on a later one; a transaction is a member's purchase
(or, where the policy allows, a refund) on a day. Reading them from CSV files is the business
of [`mteam.io`][mteam.io] (`read_members`, `read_transactions`).

Examples:
    >>> from datetime import date
    >>> from decimal import Decimal
    >>> from mteam.membership.records import Member, Transaction
    >>> Member("A-2", date(2025, 2, 1), date(2025, 8, 31)).is_member_on(date(2025, 9, 1))
    False
    >>> Transaction("A-1", date(2025, 1, 20), Decimal("12.50")).amount
    Decimal('12.50')
    >>> Member("A-3", date(2025, 2, 1), date(2025, 1, 31))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    mteam.errors.InvalidInputError: left_on: must not be before joined_on (2025-02-01), got ...
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

import attrs

from mteam._validate import check_int, show, text
from mteam.errors import InvalidInputError

__all__ = [
    "MEMBER_COLUMNS",
    "TRANSACTION_COLUMNS",
    "Member",
    "Transaction",
]

MEMBER_COLUMNS: Final = ("member_id", "joined_on", "left_on")
TRANSACTION_COLUMNS: Final = ("member_id", "on", "amount")


def _check_date(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if value.__class__ is date:
        return  # the common case, first and cheaply
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

    Examples:
        >>> from datetime import date
        >>> Member("A-1", date(2025, 1, 5))
        Member(id='A-1', joined_on=datetime.date(2025, 1, 5), left_on=None)
        >>> Member("A-1", "2025-01-05")
        Traceback (most recent call last):
        ...
        mteam.errors.InvalidInputError: ...
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
        """Whether they were a member on `day`: joined_on ≤ day and (no left_on, or day ≤ left_on).

        The day they leave still counts as a day of membership.

        Examples:
            >>> from datetime import date
            >>> m = Member("A-2", date(2025, 2, 1), date(2025, 8, 31))
            >>> [m.is_member_on(date(2025, *d)) for d in ((1, 31), (2, 1), (8, 31), (9, 1))]
            [False, True, True, False]
        """
        return self.joined_on <= day and (self.left_on is None or self.left_on >= day)


@attrs.frozen
class Transaction:
    """A purchase (or, where the policy allows, a refund) by a member.

    Attributes:
        member_id: The member.
        on: The day of the transaction.
        amount: The amount (a Decimal).
        line: The line of the file it was read from, for error messages (not compared).

    Examples:
        >>> from datetime import date
        >>> from decimal import Decimal
        >>> t = Transaction("A-1", date(2025, 1, 20), Decimal("12.50"), line=7)
        >>> t == Transaction("A-1", date(2025, 1, 20), Decimal("12.50")), t.line
        (True, 7)
        >>> Transaction("A-1", date(2025, 1, 20), 12.5)  # a float is never money
        Traceback (most recent call last):
        ...
        mteam.errors.InvalidInputError: ...
    """

    member_id: str = attrs.field(validator=text())
    on: date = attrs.field(validator=_check_date)
    amount: Decimal = attrs.field()
    line: int | None = attrs.field(default=None, eq=False, repr=False)

    @amount.validator
    def _check_amount(self, _attr: object, value: object) -> None:
        if not isinstance(value, Decimal) or not value.is_finite():
            raise InvalidInputError("amount", f"must be a finite Decimal, got {show(value)}")

    @line.validator
    def _check_line(self, _attr: object, value: object) -> None:
        if value is not None and (value.__class__ is not int or value < 1):
            check_int("line", value, ge=1)
