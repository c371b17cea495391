"""Bad rows found while streaming, raised together at the end (not public API)."""

from __future__ import annotations

from mteam._validate import check_int
from mteam.errors import InvalidInputError, Problem


class Problems:
    """Bad rows found while streaming; raised together at the end.

    Examples:
        >>> found = Problems(1)
        >>> found.add("line 2.amount", "invalid amount 'x'")
        >>> found.add("line 3.on", "invalid date 'y'")
        >>> found.raise_if_any()
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: 2 problems:
          line 2.amount: invalid amount 'x'
          ... and 1 more bad rows
    """

    def __init__(self, max_problems: int) -> None:
        check_int("max_problems", max_problems, ge=1)
        self.found: list[Problem] = []
        self.more = 0
        self.max = max_problems

    def add(self, path: str, message: str) -> None:
        """Record a problem (counted only, past the maximum)."""
        if len(self.found) < self.max:
            self.found.append(Problem(path, message))
        else:
            self.more += 1

    def raise_if_any(self) -> None:
        """Raise every problem recorded in one error, if there is any."""
        if not self.found:
            return
        problems = list(self.found)
        if self.more:
            problems.append(Problem("", f"... and {self.more} more bad rows"))
        raise InvalidInputError.from_problems(problems)


def at(where: str, column: str) -> str:
    """The path of a column of a row: `at("line 3", "amount")` is `line 3.amount`.

    >>> at("members.csv:3", ""), at("members.csv:3", "amount")
    ('members.csv:3', 'members.csv:3.amount')
    """
    return f"{where}.{column}" if column else where
