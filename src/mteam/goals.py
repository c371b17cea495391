"""OKRs, SMART checks, and targets cascaded from the year to quarters, months or weeks.

**Key-result progress** = (current − start) / (target − start), clamped to [0, cap] (cap 1
unless the policy allows over-achievement). It works in both directions: a key result whose
target is below its start (lower is better, such as churn) progresses as the value falls.
An objective's score is the weighted mean of its key results' progress and its child
objectives' scores. Grades follow the usual OKR reading: 0.0–0.3 red, 0.4–0.6 yellow,
0.7–1.0 green (thresholds are policy).

Examples:
    >>> from mteam.goals import KeyResult, Objective, score_objective
    >>> okr = Objective("retain", "Keep members longer", key_results=[
    ...     KeyResult("retention", "12-month retention", start=40, target=50, current=46),
    ...     KeyResult("churn", "Monthly churn", start=8, target=5, current=6.5,
    ...               direction="lower_is_better"),
    ... ])
    >>> result = score_objective(okr)
    >>> [round(k.progress, 2) for k in result.key_results], round(result.score, 2), result.grade
    ([0.6, 0.5], 0.55, 'yellow')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Final

import attrs
from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, WEEKLY, rrule

from mteam._records import Records
from mteam._validate import (
    as_pairs,
    check_instance,
    check_tuple,
    items_of,
    of_type,
    real,
    show,
    text,
    to_items,
)
from mteam.errors import InvalidInputError
from mteam.labels import Label, is_label, to_label
from mteam.money import apportion
from mteam.scales import Direction, to_direction

__all__ = [
    "CascadePart",
    "Finding",
    "KeyResult",
    "KeyResultScore",
    "OKRPolicy",
    "Objective",
    "ObjectiveScore",
    "cascade",
    "score_objective",
    "smart_check",
]


def _optional_date(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, date):
        raise InvalidInputError(attr.name, f"must be a date, got {show(value)}")


@attrs.frozen
class KeyResult:
    """A measurable key result.

    Attributes:
        id: A stable identifier.
        name: The label.
        start: The value at the start.
        target: The value to reach (above `start` when higher is better, below when lower).
        current: The value now.
        direction: Whether higher or lower values are better.
        weight: The weight in its objective (> 0).
        unit: The metric's unit (`"%"`, `"members"`, …); empty means no metric was named.

    Examples:
        >>> kr = KeyResult("churn", "Monthly churn", start=8, target=5, current=6.5,
        ...                direction="lower_is_better", unit="%")
        >>> kr.direction.value, kr.weight
        ('lower_is_better', 1.0)
        >>> KeyResult("churn", "Churn", start=8, target=5, current=6.5)  # 5 is not above 8
        Traceback (most recent call last):
        ...
        mteam.errors.InvalidInputError: ...
    """

    id: str = attrs.field(validator=text())
    name: Label = attrs.field(converter=to_label, validator=is_label)
    start: float = attrs.field(validator=real(), kw_only=True)
    target: float = attrs.field(validator=real(), kw_only=True)
    current: float = attrs.field(validator=real(), kw_only=True)
    direction: Direction = attrs.field(
        default=Direction.HIGHER_IS_BETTER, converter=to_direction, kw_only=True
    )
    weight: float = attrs.field(default=1.0, validator=real(gt=0), kw_only=True)
    unit: str = attrs.field(default="", validator=text(allow_empty=True), kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.direction is Direction.HIGHER_IS_BETTER and not self.target > self.start:
            raise InvalidInputError(
                "target",
                f"must be above start ({show(self.start)}) when higher is better, "
                f"got {show(self.target)}",
            )
        if self.direction is Direction.LOWER_IS_BETTER and not self.target < self.start:
            raise InvalidInputError(
                "target",
                f"must be below start ({show(self.start)}) when lower is better, "
                f"got {show(self.target)}",
            )


@attrs.frozen
class Objective:
    """An objective: key results and, optionally, child objectives that roll up into it.

    Attributes:
        id: A stable identifier.
        name: The label.
        key_results: Its key results.
        children: Child objectives (a team's objectives under the department's).
        weight: The weight of this objective in its parent (> 0).
        owner: Who owns it (empty for nobody, which the SMART check reports).
        deadline: When it is due, or None.

    Examples:
        >>> kr = KeyResult("m", "Members", start=0, target=500, current=250)
        >>> team = Objective("team", "Team goal", key_results=[kr], weight=2)
        >>> dept = Objective("dept", "Department goal", children=[team])
        >>> dept.children[0].weight, len(dept.key_results)
        (2, 0)
        >>> Objective("dept", "Department goal", children=["team"])
        Traceback (most recent call last):
        ...
        mteam.errors.InvalidInputError: ...
    """

    id: str = attrs.field(validator=text())
    name: Label = attrs.field(converter=to_label, validator=is_label)
    key_results: tuple[KeyResult, ...] = attrs.field(
        default=(), converter=to_items, validator=items_of(KeyResult), kw_only=True
    )
    children: tuple[Objective, ...] = attrs.field(default=(), converter=to_items, kw_only=True)
    weight: float = attrs.field(default=1.0, validator=real(gt=0), kw_only=True)
    owner: str = attrs.field(default="", validator=text(allow_empty=True), kw_only=True)
    deadline: date | None = attrs.field(default=None, validator=_optional_date, kw_only=True)

    @children.validator
    def _check_children(self, _attr: object, value: tuple[object, ...]) -> None:
        check_tuple("children", value)
        for i, child in enumerate(value):
            if not isinstance(child, Objective):
                raise InvalidInputError(
                    f"children[{i}]", f"must be an Objective, got {show(child)}"
                )


GRADES: Final = ((0.0, "red"), (0.4, "yellow"), (0.7, "green"))


def _check_grades(_inst: object, _attr: object, value: tuple[tuple[float, str], ...]) -> None:
    if not value or value[0][0] != 0:
        raise InvalidInputError("grades", "must start at 0")
    for i in range(1, len(value)):
        if not value[i][0] > value[i - 1][0]:
            raise InvalidInputError(f"grades[{i}]", "thresholds must rise")


def _to_pairs(value: Sequence[Sequence[Any]]) -> tuple[tuple[float, str], ...]:
    return tuple((float(a), b) for a, b in as_pairs("grades", value))


@attrs.frozen
class OKRPolicy:
    """How progress is capped and graded.

    Attributes:
        cap: The highest progress counted (1 unless given; 1.2 credits 20 % over-achievement).
        grades: (lowest score, grade) pairs, rising from 0: red from 0, yellow from 0.4, green
            from 0.7 unless given.

    Examples:
        >>> OKRPolicy(cap=1.2).cap, OKRPolicy().grades
        (1.2, ((0.0, 'red'), (0.4, 'yellow'), (0.7, 'green')))
        >>> OKRPolicy(grades=[(0.1, "red")])
        Traceback (most recent call last):
        ...
        mteam.errors.InvalidInputError: ...
    """

    cap: float = attrs.field(default=1.0, validator=real(ge=1))
    grades: tuple[tuple[float, str], ...] = attrs.field(
        default=GRADES, converter=_to_pairs, validator=_check_grades
    )

    def grade(self, score: float) -> str:
        """The grade of a score: the grade of the highest threshold it reaches.

        Examples:
            >>> [OKRPolicy().grade(x) for x in (0.0, 0.39, 0.4, 0.7, 1.0)]
            ['red', 'red', 'yellow', 'green', 'green']
        """
        chosen = self.grades[0][1]
        for threshold, name in self.grades:
            if score >= threshold - 1e-12:
                chosen = name
        return chosen


@attrs.frozen
class KeyResultScore(Records):
    """A key result's progress.

    Attributes:
        key_result_id: The key result.
        progress: (current − start) / (target − start), clamped to [0, cap].
        weight: Its weight.

    Examples:
        From 8 % churn to a target of 5 %, now 6.5 %: (6.5 − 8) / (5 − 8) = 0.5.

        >>> kr = KeyResult("churn", "Churn", start=8, target=5, current=6.5,
        ...                direction="lower_is_better")
        >>> score = score_objective(Objective("o", "O", key_results=[kr])).key_results[0]
        >>> score.to_records()
        [{'key_result_id': 'churn', 'progress': 0.5, 'weight': 1.0}]
    """

    key_result_id: str
    progress: float
    weight: float


@attrs.frozen
class ObjectiveScore(Records):
    """An objective's score and how it was made.

    Attributes:
        objective_id: The objective.
        score: The weighted mean of its key results' progress and its children's scores.
        grade: The grade of the score.
        key_results: Its key results' progress.
        children: Its children's scores.

    `to_records()` gives one row per key result and child objective of this objective:
    `objective_id`, its `score` and `grade`, then the item's `kind` (`"key_result"` or
    `"objective"`), `item_id`, `value` (progress, or the child's score) and `weight`.

    Examples:
        >>> team = Objective("team", "Team", key_results=[
        ...     KeyResult("m", "Members", start=0, target=500, current=400)])
        >>> dept = Objective("dept", "Department", children=[team], key_results=[
        ...     KeyResult("r", "Revenue", start=0, target=100, current=20)])
        >>> result = score_objective(dept)
        >>> round(result.score, 12), result.grade  # (0.2 + 0.8) / 2
        (0.5, 'yellow')
        >>> [(r["kind"], r["item_id"], r["value"]) for r in result.to_records()]
        [('key_result', 'r', 0.2), ('objective', 'team', 0.8)]
    """

    objective_id: str
    score: float
    grade: str
    key_results: tuple[KeyResultScore, ...]
    children: tuple[ObjectiveScore, ...]

    def _rows(self) -> list[dict[str, object]]:
        head = {"objective_id": self.objective_id, "score": self.score, "grade": self.grade}
        items: list[tuple[str, str, float, float | None]] = [
            ("key_result", k.key_result_id, k.progress, k.weight) for k in self.key_results
        ]
        items += [("objective", c.objective_id, c.score, None) for c in self.children]
        return [
            {**head, "kind": kind, "item_id": i, "value": v, "weight": w} for kind, i, v, w in items
        ]


def _progress(kr: KeyResult, cap: float) -> float:
    value = (kr.current - kr.start) / (kr.target - kr.start)
    return float(min(max(value, 0.0), cap))


def score_objective(objective: Objective, policy: OKRPolicy | None = None) -> ObjectiveScore:
    """Score an objective and its children (see the module docs).

    Raises:
        InvalidInputError: an objective with neither key results nor children.

    Examples:
        score = Σ wᵢ × progressᵢ / Σ wᵢ over the key results and child objectives:

        >>> krs = [KeyResult("a", "A", start=0, target=10, current=12, weight=3),
        ...        KeyResult("b", "B", start=0, target=10, current=2)]
        >>> score_objective(Objective("o", "O", key_results=krs)).score  # (3 × 1 + 0.2) / 4
        0.8
        >>> score_objective(Objective("o", "O", key_results=krs), OKRPolicy(cap=1.2)).score
        0.95
    """
    policy = policy if policy is not None else OKRPolicy()
    if not isinstance(objective, Objective):
        raise InvalidInputError("objective", f"must be an Objective, got {show(objective)}")
    if not objective.key_results and not objective.children:
        raise InvalidInputError(
            f"objectives[{objective.id!r}]", "has neither key results nor child objectives"
        )
    krs = tuple(
        KeyResultScore(k.id, _progress(k, policy.cap), k.weight) for k in objective.key_results
    )
    children = tuple(score_objective(c, policy) for c in objective.children)
    weights = [k.weight for k in krs] + [c.weight for c in objective.children]
    values = [k.progress for k in krs] + [c.score for c in children]
    score = math.fsum(w * v for w, v in zip(weights, values, strict=True)) / math.fsum(weights)
    return ObjectiveScore(objective.id, score, policy.grade(score), krs, children)


@attrs.frozen
class Finding(Records):
    """Something a goal lacks to be SMART.

    Attributes:
        code: `no_metric`, `no_target`, `no_deadline`, `deadline_past_horizon`,
            `deadline_passed` or `no_owner`.
        path: Where (`key_results[1]`, or `""` for the objective).
        message: In words.

    Examples:
        >>> from datetime import date
        >>> goal = Objective("grow", "Grow", owner="ann", deadline=date(2026, 6, 30),
        ...                  key_results=[KeyResult("m", "Members", start=0, target=5, current=0)])
        >>> smart_check(goal, date(2026, 1, 1))[0].to_records()
        [{'code': 'no_metric', 'path': 'key_results[0]', 'message': 'm: no unit of measure'}]
    """

    code: str
    path: str
    message: str


def smart_check(
    objective: Objective, as_of: date, horizon_end: date | None = None
) -> tuple[Finding, ...]:
    """Check an objective against SMART: specific metric, measurable target, owner, deadline.

    Args:
        objective: The objective.
        as_of: Today (a deadline before it has passed).
        horizon_end: The end of the planning horizon (a year from `as_of` unless given).

    Returns:
        The findings, empty for a SMART objective.

    Examples:
        >>> from datetime import date
        >>> members = KeyResult("m", "Members", start=0, target=500, current=0)
        >>> goal = Objective("grow", "Grow the base", key_results=[members])
        >>> [f.code for f in smart_check(goal, date(2026, 1, 1))]
        ['no_metric', 'no_deadline', 'no_owner']
    """
    check_instance("objective", objective, Objective)
    check_instance("as_of", as_of, date)
    if horizon_end is not None:
        check_instance("horizon_end", horizon_end, date)
    horizon = horizon_end if horizon_end is not None else as_of + relativedelta(years=1)
    out = []
    if not objective.key_results and not objective.children:
        out.append(Finding("no_target", "", "no key result with a target"))
    for i, kr in enumerate(objective.key_results):
        if not kr.unit.strip():
            out.append(Finding("no_metric", f"key_results[{i}]", f"{kr.id}: no unit of measure"))
    if objective.deadline is None:
        out.append(Finding("no_deadline", "", "no deadline"))
    elif objective.deadline > horizon:
        out.append(
            Finding("deadline_past_horizon", "deadline", f"{objective.deadline} is after {horizon}")
        )
    elif objective.deadline < as_of:
        out.append(
            Finding("deadline_passed", "deadline", f"{objective.deadline} is before {as_of}")
        )
    if not objective.owner.strip():
        out.append(Finding("no_owner", "owner", "nobody owns it"))
    return tuple(out)


# --- cascade ---------------------------------------------------------------------------------


@attrs.frozen
class CascadePart(Records):
    """One period's share of a cascaded target.

    Attributes:
        start: The period's first day.
        end: Its last day.
        amount: Its share of the target.

    Examples:
        >>> from datetime import date
        >>> part = cascade(100, date(2026, 1, 1), date(2026, 3, 31), "month")[1]
        >>> part.to_records()
        [{'start': datetime.date(2026, 2, 1), 'end': datetime.date(2026, 2, 28), \
'amount': Decimal('33')}]
    """

    start: date = attrs.field(validator=of_type(date))
    end: date = attrs.field(validator=of_type(date))
    amount: Decimal = attrs.field(validator=of_type(Decimal))

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInputError(
                "end", f"must not be before start ({self.start}), got {self.end}"
            )


def _quantum(value: int | Decimal) -> Decimal:
    """The target's own smallest unit: 1 for a whole number, else its last decimal place."""
    if isinstance(value, int):
        return Decimal(1)
    exponent = value.as_tuple().exponent
    return Decimal((0, (1,), min(0, exponent))) if isinstance(exponent, int) else Decimal(1)


_FREQUENCIES: Final = {"quarter": (MONTHLY, 3), "month": (MONTHLY, 1), "week": (WEEKLY, 1)}


def _check_cascade(target: object, start: object, end: object) -> None:
    if not isinstance(start, date) or not isinstance(end, date) or end < start:
        raise InvalidInputError(
            "end", f"must be a date not before start ({start}), got {show(end)}"
        )
    if isinstance(target, bool) or not isinstance(target, (int, Decimal)):
        raise InvalidInputError("target", f"must be an int or a Decimal, got {show(target)}")
    if isinstance(target, Decimal) and not target.is_finite():
        raise InvalidInputError("target", f"must be finite, got {show(target)}")


def cascade(
    target: int | Decimal,
    start: date,
    end: date,
    freq: str,
    weights: Sequence[float | int | Decimal] | None = None,
) -> tuple[CascadePart, ...]:
    """Split a target over the quarters, months or weeks from `start` to `end`.

    Periods begin on `start` and recur every 3 months, month or week (`dateutil.rrule`); the
    last ends on `end`. The total is the target itself; it is apportioned by the
    largest-remainder method ([`apportion`][mteam.money.apportion]), so the parts add up exactly
    to it: evenly, or in proportion to seasonal `weights` (one per period). An int target is
    split into whole numbers; a Decimal into its last decimal place (whole numbers for
    `Decimal("1.2E+3")`). A target is at most 10^18 of those units (the limit of accepted
    amounts); the result does not depend on the caller's decimal context.

    Examples:
        10,000 new members over 2026 by quarter, with a seasonal push in Q4:

        >>> from datetime import date
        >>> parts = cascade(10000, date(2026, 1, 1), date(2026, 12, 31), "quarter", [2, 2, 2, 3])
        >>> [(p.start.isoformat(), int(p.amount)) for p in parts]
        [('2026-01-01', 2222), ('2026-04-01', 2222), ('2026-07-01', 2222), ('2026-10-01', 3334)]

        100 by month over a quarter is 34, 33, 33 (the odd unit to the first month):

        >>> [p.amount for p in cascade(100, date(2026, 1, 1), date(2026, 3, 31), "month")]
        [Decimal('34'), Decimal('33'), Decimal('33')]

    Raises:
        InvalidInputError: an unknown frequency, `end` before `start`, weights of the wrong
            number, a negative, non-finite or too large weight, or a target beyond the limit.
    """
    if not isinstance(freq, str):
        raise InvalidInputError(
            "freq", f"must be one of {', '.join(_FREQUENCIES)}, got {show(freq)}"
        )
    if freq not in _FREQUENCIES:
        raise InvalidInputError(
            "freq", f"must be one of {', '.join(_FREQUENCIES)}, got {show(freq)}"
        )
    _check_cascade(target, start, end)
    unit, interval = _FREQUENCIES[freq]
    starts = [d.date() for d in rrule(unit, interval=interval, dtstart=start, until=end)]  # type: ignore[arg-type]
    ends = [s - relativedelta(days=1) for s in starts[1:]] + [end]
    if weights is None:
        weights = [1] * len(starts)
    weights = list(weights)
    if len(weights) != len(starts):
        raise InvalidInputError(
            "weights", f"must have one weight per period ({len(starts)}), got {len(weights)}"
        )
    try:
        parts = apportion(target, dict(enumerate(weights)), _quantum(target))
    except InvalidInputError as err:
        if err.path != "total":
            raise
        raise InvalidInputError("target", err.message) from None
    return tuple(
        CascadePart(s, e, parts[i]) for i, (s, e) in enumerate(zip(starts, ends, strict=True))
    )
