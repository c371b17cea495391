"""The errors that mteam raises.

Every public function and constructor validates its input. A violation raises
[`InvalidInputError`][mteam.errors.InvalidInputError]: a `ValueError` (so code that already
catches `ValueError` keeps working) and an [`MteamError`][mteam.errors.MteamError] (so code can
catch everything mteam raises with one clause). Its message names the offending field by a path
such as `members[3].kpis[0].weight`, the constraint and the value:

Examples:
    >>> from mteam.errors import InvalidInputError
    >>> err = InvalidInputError("members[3].kpis[0].weight", "must be > 0, got -2")
    >>> str(err)
    'members[3].kpis[0].weight: must be > 0, got -2'
    >>> err.path
    'members[3].kpis[0].weight'
    >>> isinstance(err, ValueError)
    True

A document with several problems is reported in one error that lists them all:

Examples:
    >>> err = InvalidInputError.from_problems(
    ...     [("$.pool", "must be >= 0, got '-5'"), ("$.period.end", "invalid date 'x'")]
    ... )
    >>> print(err)
    2 problems:
      $.pool: must be >= 0, got '-5'
      $.period.end: invalid date 'x'
    >>> err.problems[1].path
    '$.period.end'
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

__all__ = ["InvalidInputError", "MteamError", "Problem"]


class MteamError(Exception):
    """The base of every error that mteam raises on purpose.

    Examples:
        Catch everything mteam raises on purpose with one clause:

        >>> issubclass(InvalidInputError, MteamError), issubclass(InvalidInputError, ValueError)
        (True, True)
    """


@attrs.frozen
class Problem:
    """One thing wrong with an input: where it is and what is wrong with it.

    Attributes:
        path: Where the problem is, e.g. `members[3].kpis[0].weight` or, for a JSON document,
            `$.members[3].kpis[0].weight`.
        message: The constraint and the offending value, e.g. `must be > 0, got -2`.

    Examples:
        >>> str(Problem("members[3].kpis[0].weight", "must be > 0, got -2"))
        'members[3].kpis[0].weight: must be > 0, got -2'
        >>> str(Problem("", "must not be empty"))
        'must not be empty'
    """

    path: str = attrs.field(validator=lambda _i, a, v: _check_text(a.name, v, empty=True))
    message: str = attrs.field(validator=lambda _i, a, v: _check_text(a.name, v, empty=False))

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def _check_text(path: str, value: object, *, empty: bool) -> None:
    """Require text (not blank unless `empty`) of a problem's field.

    Examples:
        >>> Problem("", " ")
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: message: must not be empty, got ' '
    """
    if isinstance(value, str) and (empty or value.strip()):
        return
    shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
    if not isinstance(value, str):
        raise InvalidInputError(path, f"must be text, got {shown}")
    raise InvalidInputError(path, f"must not be empty, got {shown}")


class InvalidInputError(ValueError, MteamError):
    """An input broke a documented rule.

    Args:
        path: The field path of the offending value (`""` for the input as a whole).
        message: The constraint and the value, e.g. `must be > 0, got -2`.

    Attributes:
        path: The path of the first problem.
        message: The message of the first problem.
        problems: Every problem found, in the order found (at least one).

    Examples:
        >>> err = InvalidInputError("kpis[0].weight", "must be > 0, got -2")
        >>> err.path, err.message, len(err.problems), isinstance(err, ValueError)
        ('kpis[0].weight', 'must be > 0, got -2', 1, True)
    """

    path: str
    message: str
    problems: tuple[Problem, ...]

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        self.problems = (Problem(path, message),)
        super().__init__(str(self.problems[0]))

    @classmethod
    def from_problems(cls, problems: Iterable[tuple[str, str] | Problem]) -> InvalidInputError:
        """Build one error that lists several problems.

        Args:
            problems: `(path, message)` pairs or [`Problem`][mteam.errors.Problem] values; at
                least one.

        Returns:
            The error; its `path` and `message` are those of the first problem.

        Examples:
            >>> err = InvalidInputError.from_problems([("$.pool", "must be >= 0, got '-5'"),
            ...                                        Problem("$.period", "missing")])
            >>> err.path, [p.path for p in err.problems]
            ('$.pool', ['$.pool', '$.period'])
        """
        found = tuple(p if isinstance(p, Problem) else Problem(*p) for p in problems)
        if not found:
            found = (Problem("", "invalid input"),)
        err = cls(found[0].path, found[0].message)
        err.problems = found
        if len(found) > 1:
            lines = "\n".join(f"  {p}" for p in found)
            err.args = (f"{len(found)} problems:\n{lines}",)
        return err

    def with_prefix(self, prefix: str) -> InvalidInputError:
        """The same problems with `prefix` put before every path.

        Examples:
            >>> InvalidInputError("weight", "must be > 0, got 0").with_prefix("kpis[2]").path
            'kpis[2].weight'
        """
        return InvalidInputError.from_problems(
            Problem(_join_path(prefix, p.path), p.message) for p in self.problems
        )


def _join_path(prefix: str, path: str) -> str:
    """Join two field paths: `a[1]` and `b` give `a[1].b`; `a` and `[2]` give `a[2]`.

    Examples:
        >>> _join_path("members[3]", "kpis[0].weight")
        'members[3].kpis[0].weight'
        >>> _join_path("members", "[3]")
        'members[3]'
        >>> _join_path("", "weight")
        'weight'
    """
    if not prefix:
        return path
    if not path:
        return prefix
    if path.startswith("["):
        return prefix + path
    return f"{prefix}.{path}"
