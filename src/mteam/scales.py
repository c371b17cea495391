"""Rating and proficiency scales, and normalisation onto [0, 1].

Scores on different scales are compared only after normalising them:
`normalise(x) = (x − minimum) / (maximum − minimum)`.

Examples:
    >>> from mteam.scales import FEEDBACK_SCALE, PROFICIENCY_SCALE
    >>> FEEDBACK_SCALE.normalise(4)
    0.75
    >>> PROFICIENCY_SCALE.label(3)
    'proficient'
"""

from __future__ import annotations

import enum
import math
from typing import Final

import attrs

from mteam._validate import as_flag, check_range, enum_value, items_of, real, show, to_items
from mteam.errors import InvalidInputError

__all__ = ["FEEDBACK_SCALE", "PROFICIENCY_SCALE", "Direction", "RatingScale"]


class Direction(enum.Enum):
    """Whether higher or lower values of a measure are better.

    Examples:
        >>> Direction("lower_is_better")
        <Direction.LOWER_IS_BETTER: 'lower_is_better'>
    """

    HIGHER_IS_BETTER = "higher_is_better"
    """More is better: traffic, retention, revenue."""
    LOWER_IS_BETTER = "lower_is_better"
    """Less is better: churn, cost per acquisition, response time."""


def to_direction(value: Direction | str) -> Direction:
    """An attrs converter: a Direction, or its value as a string."""
    return _DIRECTION(value)


_DIRECTION: Final = enum_value(Direction, "direction")


def _check_bounds(inst: RatingScale, _attr: object, value: float) -> None:
    if not value > inst.minimum:
        raise InvalidInputError(
            "maximum", f"must be > minimum ({show(inst.minimum)}), got {show(value)}"
        )


def _check_labels(inst: RatingScale, _attr: object, value: tuple[str, ...]) -> None:
    if not value:
        return
    if not inst.integral:
        raise InvalidInputError("labels", "only an integral scale can have labels")
    expected = round(inst.maximum - inst.minimum) + 1
    if len(value) != expected:
        raise InvalidInputError(
            "labels", f"must have one label per level ({expected}), got {len(value)}"
        )


def _to_integral(value: object) -> bool:
    return as_flag("integral", value)


def _check_integral(inst: RatingScale, _attr: object, value: bool) -> None:
    if value and not (float(inst.minimum).is_integer() and float(inst.maximum).is_integer()):
        raise InvalidInputError(
            "integral",
            f"an integral scale needs whole-number ends, got {show(inst.minimum)}"
            f"..{show(inst.maximum)}",
        )


@attrs.frozen
class RatingScale:
    """A closed scale `[minimum, maximum]`, optionally of whole levels with labels.

    Attributes:
        minimum: The lowest score.
        maximum: The highest score (> minimum).
        integral: Whether only whole levels are allowed (a proficiency scale).
        labels: One label per whole level from `minimum` up, or none.

    Examples:
        >>> scale = RatingScale(1, 5)
        >>> scale.normalise(2.5)
        0.375
        >>> scale.denormalise(0.375)
        2.5
        >>> RatingScale(1, 5).normalise(6)
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: score: must be within 1..5, got 6
    """

    minimum: float = attrs.field(validator=real())
    maximum: float = attrs.field(validator=[real(), _check_bounds])
    integral: bool = attrs.field(
        default=False,
        converter=_to_integral,
        validator=_check_integral,
        kw_only=True,
    )
    labels: tuple[str, ...] = attrs.field(
        default=(),
        converter=to_items,
        validator=[items_of(str), _check_labels],
        kw_only=True,
    )

    @property
    def span(self) -> float:
        """`maximum − minimum`."""
        return self.maximum - self.minimum

    def check(self, value: float, path: str = "score") -> None:
        """Raise `InvalidInputError` at `path` unless `value` is on this scale.

        Examples:
            >>> RatingScale(1, 5).check(4.5)  # on the scale: nothing happens
            >>> RatingScale(0, 4, integral=True).check(2.5, "levels[0]")
            Traceback (most recent call last):
            mteam.errors.InvalidInputError: levels[0]: must be a whole level, got 2.5
        """
        kind: type[object] = value.__class__
        if kind is int and self.minimum <= value <= self.maximum:
            return  # the common case, first and cheaply: an int is a whole level
        check_range(path, value)
        if not self.minimum <= value <= self.maximum:
            raise InvalidInputError(
                path,
                f"must be within {show(self.minimum)}..{show(self.maximum)}, got {show(value)}",
            )
        if self.integral and not float(value).is_integer():
            raise InvalidInputError(path, f"must be a whole level, got {show(value)}")

    def contains(self, value: float) -> bool:
        """Whether `value` is a valid score on this scale.

        Examples:
            >>> RatingScale(1, 5).contains(5), RatingScale(1, 5).contains(0)
            (True, False)
        """
        try:
            self.check(value)
        except InvalidInputError:
            return False
        return True

    def normalise(self, value: float, path: str = "score") -> float:
        """Map a score onto [0, 1]: `(value − minimum) / (maximum − minimum)`.

        Examples:
            On 1–7, 5 is (5 − 1) / (7 − 1) = 4/6 = 0.667:

            >>> round(RatingScale(1, 7).normalise(5), 3)
            0.667
        """
        self.check(value, path)
        return float((value - self.minimum) / self.span)

    def denormalise(self, fraction: float) -> float:
        """Map a fraction of [0, 1] back onto the scale: `minimum + fraction × span`.

        Examples:
            0.25 of 1–5 is 1 + 0.25 × 4 = 2:

            >>> RatingScale(1, 5).denormalise(0.25)
            2.0
        """
        check_range("fraction", fraction, ge=0, le=1)
        return float(self.minimum + fraction * self.span)

    def clamp(self, value: float) -> float:
        """The nearest score on the scale's range (used after calibration).

        Examples:
            >>> five = RatingScale(1, 5)
            >>> five.clamp(5.4), five.clamp(0.2), five.clamp(3)
            (5.0, 1.0, 3.0)
        """
        check_range("value", value)
        return float(min(max(value, self.minimum), self.maximum))

    def label(self, level: int) -> str:
        """The label of a whole level, or its number as text when the scale has no labels.

        Examples:
            >>> PROFICIENCY_SCALE.label(4), RatingScale(1, 5, integral=True).label(2)
            ('expert', '2')
        """
        self.check(level, "level")
        if not self.labels:
            return show(level)
        return self.labels[math.floor(level - self.minimum)]

    @property
    def levels(self) -> tuple[int, ...]:
        """The whole levels of an integral scale, lowest first (empty when not integral)."""
        if not self.integral:
            return ()
        return tuple(range(round(self.minimum), round(self.maximum) + 1))


PROFICIENCY_SCALE: Final = RatingScale(
    0,
    4,
    integral=True,
    labels=("none", "awareness", "working", "proficient", "expert"),
)
"""Skill proficiency 0–4: 0 none, 1 awareness, 2 working, 3 proficient, 4 expert."""

FEEDBACK_SCALE: Final = RatingScale(1, 5)
"""The default 360-degree feedback scale, 1–5."""
