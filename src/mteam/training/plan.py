"""A training plan within a budget.

A [`Course`][mteam.training.plan.Course] raises some skills by some levels, costs money and
hours, and has a number of seats. [`plan_training`][mteam.training.plan.plan_training] chooses
(member, course) assignments that close as much priority-weighted gap as possible within the
budget, each member's hour limit and each course's seats, and never gives a member a course
that closes none of their gaps. Two courses that raise the same skill of the same member close
no more than the gap (diminishing returns). Small instances are solved exactly (branch and
bound, [`mteam.training.knapsack`][mteam.training.knapsack]); large ones by a greedy with a
proven bound, described on [`plan_training`][mteam.training.plan.plan_training]. The plan says
which was used.

Examples:
    >>> from decimal import Decimal
    >>> from mteam.money import Money, TWD
    >>> from mteam.training import GapReport, SkillGap
    >>> gaps = GapReport((SkillGap("ann", "seo", 3, 1, 2, 3.0, 6.0, 6.0, False),), (), ())
    >>> course = Course("seo-101", "SEO basics", {"seo": 1}, method="online",
    ...                 cost=Decimal(1000), hours=8)
    >>> plan = plan_training(gaps, TrainingCatalog(TWD, [course]), Money(Decimal(5000), TWD))
    >>> [(a.member_id, a.course_id) for a in plan.assignments], plan.method
    ([('ann', 'seo-101')], 'exact')
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

import attrs

from mteam._records import Records
from mteam._validate import (
    check_range,
    check_records,
    enum_value,
    of_type,
    real,
    show,
    text,
    to_items,
    whole,
)
from mteam.errors import InvalidInputError
from mteam.labels import Label, is_label, to_label
from mteam.money import Currency, Money
from mteam.training.gaps import GapReport
from mteam.training.knapsack import (
    Candidate,
    PlanState,
    branch_and_bound,
    fractional_bound,
    greedy,
)

__all__ = [
    "METHOD_LABELS",
    "Assignment",
    "Course",
    "OpenGap",
    "TrainingCatalog",
    "TrainingMethod",
    "TrainingPlan",
    "TrainingPolicy",
    "plan_training",
]


# --- courses ---------------------------------------------------------------------------------


class TrainingMethod(enum.Enum):
    """How a course is delivered (the methods the source articles list).

    Examples:
        >>> TrainingMethod("mentoring"), TrainingMethod.MENTORING.label.zh_hant
        (<TrainingMethod.MENTORING: 'mentoring'>, '導師制度')
    """

    INTERNAL = "internal"
    EXTERNAL = "external"
    ONLINE = "online"
    SEMINAR = "seminar"
    WORKSHOP = "workshop"
    MENTORING = "mentoring"
    CERTIFICATION = "certification"

    @property
    def label(self) -> Label:
        """The method's label in English and Traditional Chinese."""
        return METHOD_LABELS[self]


METHOD_LABELS: Final[Mapping[TrainingMethod, Label]] = {
    TrainingMethod.INTERNAL: Label("internal training", "內部培訓"),
    TrainingMethod.EXTERNAL: Label("external course", "外部培訓課程"),
    TrainingMethod.ONLINE: Label("online learning", "線上學習資源"),
    TrainingMethod.SEMINAR: Label("seminar", "研討會"),
    TrainingMethod.WORKSHOP: Label("workshop", "工作坊"),
    TrainingMethod.MENTORING: Label("mentoring", "導師制度"),
    TrainingMethod.CERTIFICATION: Label("certification", "認證考試"),
}
"""The labels of the training methods, in the source articles' wording."""


def _to_raises(value: object) -> dict[str, int]:
    if not isinstance(value, Mapping) or not value:
        raise InvalidInputError("raises", f"must be a non-empty mapping, got {show(value)}")
    for skill_id, levels in value.items():
        path = f"raises[{skill_id!r}]"
        if not isinstance(levels, int) or isinstance(levels, bool) or levels < 1:
            raise InvalidInputError(
                path, f"must be a whole number of levels >= 1, got {show(levels)}"
            )
    return dict(value)


def _to_method(value: TrainingMethod | str) -> TrainingMethod:
    return _METHOD(value)


_METHOD: Final = enum_value(TrainingMethod, "method")


def _check_cost(_inst: object, _attr: object, value: Any) -> None:  # noqa: ANN401
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise InvalidInputError("cost", f"must be a Decimal >= 0, got {show(value)}")


def _optional_seats(_inst: object, _attr: object, value: Any) -> None:  # noqa: ANN401
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        raise InvalidInputError("seats", f"must be a whole number >= 0 or None, got {show(value)}")


@attrs.frozen(hash=False)
class Course:
    """A course in the training catalog.

    Attributes:
        id: A stable identifier.
        name: The label.
        raises: Skill id → the levels the course raises it by (≥ 1).
        method: How it is delivered (a `TrainingMethod` or its value).
        cost: The cost per participant, in the catalog's currency.
        hours: The hours a participant spends (> 0).
        seats: How many people can take it (None for no limit).

    Examples:
        >>> from decimal import Decimal
        >>> course = Course("seo-101", "SEO basics", {"seo": 1}, method="online",
        ...                 cost=Decimal(1000), hours=8, seats=12)
        >>> course.method, course.raises, course.seats
        (<TrainingMethod.ONLINE: 'online'>, {'seo': 1}, 12)
        >>> Course("x", "X", {"seo": 0}, method="online", cost=Decimal(1), hours=1)
        Traceback (most recent call last):
        ...
        mteam.errors.InvalidInputError: ...
    """

    id: str = attrs.field(validator=text())
    name: Label = attrs.field(converter=to_label, validator=is_label)
    raises: dict[str, int] = attrs.field(converter=_to_raises)
    method: TrainingMethod = attrs.field(converter=_to_method, kw_only=True)
    cost: Decimal = attrs.field(validator=_check_cost, kw_only=True)
    hours: float = attrs.field(validator=real(gt=0), kw_only=True)
    seats: int | None = attrs.field(default=None, validator=_optional_seats, kw_only=True)


def _check_courses(inst: TrainingCatalog, _attr: object, value: tuple[Course, ...]) -> None:
    for i, course in enumerate(check_records("courses", value, Course).values()):
        if course.cost != course.cost.quantize(inst.currency.quantum):
            raise InvalidInputError(
                f"courses[{i}].cost",
                f"has more decimals than {inst.currency.code} allows, got {course.cost}",
            )


@attrs.frozen
class TrainingCatalog:
    """The courses on offer and the currency of their costs.

    Attributes:
        currency: The currency of every cost.
        courses: The courses (unique ids).

    Examples:
        A cost with more decimals than the currency has is refused (TWD has none):

        >>> from decimal import Decimal
        >>> from mteam.money import TWD
        >>> course = Course("seo-101", "SEO basics", {"seo": 1}, method="online",
        ...                 cost=Decimal("999.5"), hours=8)
        >>> TrainingCatalog(TWD, [course])
        Traceback (most recent call last):
        ...
        mteam.errors.InvalidInputError: ...
    """

    currency: Currency = attrs.field(validator=of_type(Currency))
    courses: tuple[Course, ...] = attrs.field(converter=to_items, validator=_check_courses)


# --- planning --------------------------------------------------------------------------------


def _to_hour_limits(value: Mapping[str, float]) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise InvalidInputError("hour_limits", f"must be a mapping, got {show(value)}")
    return dict(value)


@attrs.frozen(hash=False)
class TrainingPolicy:
    """Limits of a training plan.

    Attributes:
        max_hours: Each member's training hours in the period (40 unless given).
        hour_limits: Member id → their own hour limit, overriding `max_hours`.
        exact_limit: Instances with at most this many candidate assignments are solved
            exactly (20 unless given); larger ones by the greedy.

    Examples:
        >>> policy = TrainingPolicy(max_hours=24, hour_limits={"ann": 8})
        >>> policy.hours_for("ann"), policy.hours_for("bo")
        (8.0, 24.0)
    """

    max_hours: float = attrs.field(default=40.0, validator=real(ge=0))
    hour_limits: dict[str, float] = attrs.field(factory=dict, converter=_to_hour_limits)
    exact_limit: int = attrs.field(default=20, validator=whole(ge=0, le=40))

    def __attrs_post_init__(self) -> None:
        for member_id, hours in self.hour_limits.items():
            check_range(f"hour_limits[{member_id!r}]", hours, ge=0)

    def hours_for(self, member_id: str) -> float:
        """A member's hour limit: their own in `hour_limits`, else `max_hours`.

        Examples:
            >>> TrainingPolicy(hour_limits={"ann": 12}).hours_for("ann")
            12.0
            >>> TrainingPolicy().hours_for("bo")
            40.0
        """
        return float(self.hour_limits.get(member_id, self.max_hours))


def _closes(closes: Mapping[str, int]) -> str:
    """`{"seo": 1, "ads": 2}` as one cell: `"ads+2, seo+1"` (sorted by skill)."""
    return ", ".join(f"{skill}+{levels}" for skill, levels in sorted(closes.items()))


@attrs.frozen(hash=False)
class Assignment(Records):
    """One member taking one course.

    Attributes:
        member_id: The member.
        course_id: The course.
        cost: The course's cost.
        hours: The course's hours.
        closes: Skill id → the levels of the member's gap it closes.
        benefit: The priority-weighted gap it closes (given the other assignments).

    `to_records()` gives one flat row, `closes` as one text cell (`"ads+2, seo+1"`).

    Examples:
        ann's SEO gap of 2 at a priority of 6 is worth 3 a level; a course raising SEO by
        one level closes 1 × 3 = 3:

        >>> from decimal import Decimal
        >>> from mteam.money import Money, TWD
        >>> from mteam.training import GapReport, SkillGap
        >>> gaps = GapReport((SkillGap("ann", "seo", 3, 1, 2, 3.0, 6.0, 6.0, False),
        ...                   SkillGap("bo", "copy", 2, 0, 2, 1.0, 2.0, 2.0, False)), (), ())
        >>> catalog = TrainingCatalog(TWD, [
        ...     Course("seo-101", "SEO basics", {"seo": 1}, method="online",
        ...            cost=Decimal(1000), hours=8),
        ...     Course("copy-lab", "Copy lab", {"copy": 2}, method="workshop",
        ...            cost=Decimal(3000), hours=16)])
        >>> plan = plan_training(gaps, catalog, Money(Decimal(2500), TWD))
        >>> (a,) = plan.assignments
        >>> a.member_id, a.course_id, a.closes, a.benefit
        ('ann', 'seo-101', {'seo': 1}, 3.0)
        >>> a.to_records()[0]["closes"]
        'seo+1'
    """

    member_id: str
    course_id: str
    cost: Decimal
    hours: float
    closes: dict[str, int]
    benefit: float

    def _rows(self) -> list[dict[str, object]]:
        return [
            {
                "member_id": self.member_id,
                "course_id": self.course_id,
                "cost": self.cost,
                "hours": self.hours,
                "closes": _closes(self.closes),
                "benefit": self.benefit,
            }
        ]


@attrs.frozen
class OpenGap(Records):
    """A gap the plan leaves open, and why.

    Attributes:
        member_id: The member.
        skill_id: The skill.
        gap: The levels still missing.
        reason: `"no course"` (nothing in the catalog raises the skill), `"seats"` (the courses
            that would are full), `"hours"` (they would exceed the member's hour limit) or
            `"budget"`.

    Examples:
        The budget of 2,500 pays for the SEO course (1,000) but not the copy lab (3,000):

        >>> from decimal import Decimal
        >>> from mteam.money import Money, TWD
        >>> from mteam.training import GapReport, SkillGap
        >>> gaps = GapReport((SkillGap("ann", "seo", 3, 1, 2, 3.0, 6.0, 6.0, False),
        ...                   SkillGap("bo", "copy", 2, 0, 2, 1.0, 2.0, 2.0, False)), (), ())
        >>> catalog = TrainingCatalog(TWD, [
        ...     Course("seo-101", "SEO basics", {"seo": 1}, method="online",
        ...            cost=Decimal(1000), hours=8),
        ...     Course("copy-lab", "Copy lab", {"copy": 2}, method="workshop",
        ...            cost=Decimal(3000), hours=16)])
        >>> plan = plan_training(gaps, catalog, Money(Decimal(2500), TWD))
        >>> [(g.member_id, g.skill_id, g.gap, g.reason) for g in plan.open_gaps]
        [('ann', 'seo', 1, 'budget'), ('bo', 'copy', 2, 'budget')]
    """

    member_id: str
    skill_id: str
    gap: int
    reason: str


@attrs.frozen(hash=False)
class TrainingPlan(Records):
    """A training plan and what it achieves.

    Attributes:
        method: `"exact"` (branch and bound) or `"greedy"`.
        assignments: The assignments, sorted by member and course.
        currency: The currency of the costs.
        budget: The budget.
        cost: The total cost (≤ budget).
        hours: Member id → planned hours.
        gap_before: The total priority-weighted gap before training.
        gap_closed: The priority-weighted gap the plan closes.
        upper_bound: A bound no plan can beat (the exact optimum for the exact method).
        open_gaps: The gaps left open, with the reason.

    `to_records()` gives one flat row per assignment: `member_id`, `course_id`, `cost` (a
    `Decimal`) and `currency`, `hours`, `closes` as one text cell (`"ads+2, seo+1"`: skill
    and levels, sorted by skill) and `benefit`. The gaps left open have their own records.

    Examples:
        The priority-weighted gap is 6 + 2 = 8 before training; the plan closes 3 of it, which
        is also the bound (the copy lab alone is over budget):

        >>> from decimal import Decimal
        >>> from mteam.money import Money, TWD
        >>> from mteam.training import GapReport, SkillGap
        >>> gaps = GapReport((SkillGap("ann", "seo", 3, 1, 2, 3.0, 6.0, 6.0, False),
        ...                   SkillGap("bo", "copy", 2, 0, 2, 1.0, 2.0, 2.0, False)), (), ())
        >>> catalog = TrainingCatalog(TWD, [
        ...     Course("seo-101", "SEO basics", {"seo": 1}, method="online",
        ...            cost=Decimal(1000), hours=8),
        ...     Course("copy-lab", "Copy lab", {"copy": 2}, method="workshop",
        ...            cost=Decimal(3000), hours=16)])
        >>> plan = plan_training(gaps, catalog, Money(Decimal(2500), TWD))
        >>> plan.method, plan.cost, plan.gap_before, plan.gap_closed, plan.gap_after
        ('exact', Decimal('1000'), 8.0, 3.0, 5.0)
        >>> plan.share_of_bound
        1.0
        >>> plan.to_records()  # doctest: +NORMALIZE_WHITESPACE
        [{'member_id': 'ann', 'course_id': 'seo-101', 'cost': Decimal('1000'), 'currency': 'TWD',
          'hours': 8.0, 'closes': 'seo+1', 'benefit': 3.0}]
    """

    method: str
    assignments: tuple[Assignment, ...]
    currency: Currency
    budget: Decimal
    cost: Decimal
    hours: dict[str, float]
    gap_before: float
    gap_closed: float
    upper_bound: float
    open_gaps: tuple[OpenGap, ...]

    @property
    def gap_after(self) -> float:
        """The priority-weighted gap left: `gap_before − gap_closed`."""
        return self.gap_before - self.gap_closed

    @property
    def share_of_bound(self) -> float:
        """`gap_closed / upper_bound` (1 when nothing can be closed): how near optimal."""
        return self.gap_closed / self.upper_bound if self.upper_bound > 0 else 1.0

    def _rows(self) -> list[dict[str, object]]:
        """One flat row per assignment, with the plan's currency."""
        return [
            {
                "member_id": a.member_id,
                "course_id": a.course_id,
                "cost": a.cost,
                "currency": self.currency.code,
                "hours": a.hours,
                "closes": _closes(a.closes),
                "benefit": a.benefit,
            }
            for a in self.assignments
        ]

    def _html_caption(self) -> str:
        return (
            f"TrainingPlan ({self.method}): {self.cost} of {self.budget} {self.currency.code}, "
            f"gap closed {self.gap_closed:g} of {self.gap_before:g}"
        )


def _candidates(state: PlanState, members: list[str], catalog: TrainingCatalog) -> list[Candidate]:
    """Every (member, course) that closes some gap, with its benefit taken alone.

    Only a course that raises one of a member's gap skills can help them: those are looked up
    by skill instead of trying every course on every member.
    """
    by_skill = _courses_by_skill(catalog)
    skills_of: dict[str, list[str]] = {}
    for member_id, skill_id in state.gaps:
        skills_of.setdefault(member_id, []).append(skill_id)
    position = {c.id: i for i, c in enumerate(catalog.courses)}
    candidates = []
    for member_id in members:
        useful = {c.id: c for skill_id in skills_of[member_id] for c in by_skill.get(skill_id, ())}
        for course_id in sorted(useful, key=position.__getitem__):  # in catalog order
            course = useful[course_id]
            gain, _ = state.gain_of(member_id, course)
            if gain > 0:
                candidates.append(
                    Candidate(member_id, course, course.cost, float(course.hours), gain)
                )
    return candidates


def _courses_by_skill(catalog: TrainingCatalog) -> dict[str, list[Course]]:
    """Skill id -> the courses that raise it, in catalog order."""
    out: dict[str, list[Course]] = {}
    for course in catalog.courses:
        for skill_id in course.raises:
            out.setdefault(skill_id, []).append(course)
    return out


def _best_single(
    candidates: list[Candidate], fresh: PlanState
) -> tuple[Candidate, dict[str, int], float] | None:
    best = None
    for c in sorted(candidates, key=lambda c: (c.member_id, c.course.id)):
        if fresh.fits(c) and (best is None or c.standalone > best.standalone):
            best = c
    if best is None:
        return None
    gain, closes = fresh.gain(best)
    return best, closes, gain


def plan_training(
    gaps: GapReport,
    catalog: TrainingCatalog,
    budget: Money,
    policy: TrainingPolicy | None = None,
) -> TrainingPlan:
    """Choose (member, course) assignments that close the most priority-weighted gap.

    Constraints: the total cost is within `budget`; each member's hours are within their
    limit; each course's seats are respected; a member takes a course only if it closes some
    of their gap. Benefits have diminishing returns: two courses raising the same skill of the
    same member close no more than that gap.

    The method depends on the size of the instance:

    * **exact** (at most `policy.exact_limit` candidate assignments): branch and bound over
      the candidates, pruning with the fractional-knapsack bound of the standalone benefits;
      the result is optimal.
    * **greedy** (larger instances): repeatedly take the feasible assignment with the highest
      marginal benefit per unit of cost (free courses first; ties by member and course id),
      then compare with the best single assignment and keep the better plan. When only the
      budget binds and no two useful courses raise the same gap, this is the modified greedy
      for the 0/1 knapsack, at least half of the optimum: the greedy prefix plus the first item
      that does not fit is at least the fractional optimum, and each of the two is at most the
      better plan. Every plan also reports `upper_bound` (the fractional-knapsack bound of the
      standalone benefits, valid whatever binds), so `share_of_bound` certifies how near
      optimal any plan is.

    Args:
        gaps: The gap report (see [`skill_gaps`][mteam.training.skill_gaps]).
        catalog: The courses.
        budget: The training budget, in the catalog's currency.
        policy: Hour limits and the exact-search size;
            [`TrainingPolicy()`][mteam.training.TrainingPolicy] unless given.

    Returns:
        The plan: assignments, cost, hours, gap before and closed, the bound, and what stays
        open and why.

    Raises:
        InvalidInputError: a budget in another currency or below 0.

    Examples:
        >>> from decimal import Decimal
        >>> from mteam.money import Money, TWD
        >>> from mteam.training import GapReport, SkillGap
        >>> gaps = GapReport((SkillGap("ann", "seo", 3, 1, 2, 3.0, 6.0, 6.0, False),
        ...                   SkillGap("bo", "copy", 2, 0, 2, 1.0, 2.0, 2.0, False)), (), ())
        >>> catalog = TrainingCatalog(TWD, [
        ...     Course("seo-101", "SEO basics", {"seo": 1}, method="online",
        ...            cost=Decimal(1000), hours=8),
        ...     Course("copy-lab", "Copy lab", {"copy": 2}, method="workshop",
        ...            cost=Decimal(3000), hours=16)])
        >>> plan = plan_training(gaps, catalog, Money(Decimal(2500), TWD))
        >>> [(a.member_id, a.course_id) for a in plan.assignments], plan.upper_bound
        ([('ann', 'seo-101')], 3.0)
        >>> plan_training(gaps, catalog, Money(Decimal(4000), TWD)).gap_closed  # 3 + 2 × 1
        5.0
        >>> from mteam.money import USD
        >>> plan_training(gaps, catalog, Money(Decimal(10), USD))
        Traceback (most recent call last):
        ...
        mteam.errors.InvalidInputError: ...
    """
    policy = policy if policy is not None else TrainingPolicy()
    if not isinstance(budget, Money):
        raise InvalidInputError("budget", f"must be Money, got {show(budget)}")
    if budget.currency != catalog.currency:
        raise InvalidInputError(
            "budget",
            f"must be in the catalog's currency {catalog.currency.code}, "
            f"got {budget.currency.code}",
        )
    if budget.amount < 0:
        raise InvalidInputError("budget", f"must be >= 0, got {budget.amount}")
    remaining = {(g.member_id, g.skill_id): (g.gap, g.priority / g.gap) for g in gaps.gaps}
    members = sorted({g.member_id for g in gaps.gaps})

    def fresh_state() -> PlanState:
        return PlanState(
            remaining,
            {m: policy.hours_for(m) for m in members},
            {c.id: c.seats for c in catalog.courses},
            budget.amount,
        )

    state = fresh_state()
    candidates = _candidates(state, members, catalog)
    bound = fractional_bound(candidates, budget.amount)
    if len(candidates) <= policy.exact_limit:
        method = "exact"
        picked, value = branch_and_bound(candidates, state)
        bound = value
    else:
        method = "greedy"
        picked, value = greedy(candidates, state)
        single = _best_single(candidates, fresh_state())
        if single is not None and single[2] > value:
            picked, value = [single], single[2]
    return _plan(
        method,
        picked=picked,
        value=value,
        bound=bound,
        gaps=gaps,
        catalog=catalog,
        budget=budget,
        policy=policy,
    )


def _plan(
    method: str,
    *,
    picked: list[tuple[Candidate, dict[str, int], float]],
    value: float,
    bound: float,
    gaps: GapReport,
    catalog: TrainingCatalog,
    budget: Money,
    policy: TrainingPolicy,
) -> TrainingPlan:
    assignments = sorted(
        (
            Assignment(c.member_id, c.course.id, c.cost, c.hours, closes, gain)
            for c, closes, gain in picked
        ),
        key=lambda a: (a.member_id, a.course_id),
    )
    cost = sum((a.cost for a in assignments), Decimal(0) * catalog.currency.quantum)
    hours: dict[str, float] = {}
    seats_used: dict[str, int] = {}
    closed: dict[tuple[str, str], int] = {}
    for a in assignments:
        hours[a.member_id] = hours.get(a.member_id, 0.0) + a.hours
        seats_used[a.course_id] = seats_used.get(a.course_id, 0) + 1
        for skill_id, step in a.closes.items():
            closed[(a.member_id, skill_id)] = closed.get((a.member_id, skill_id), 0) + step
    open_gaps = []
    by_skill = _courses_by_skill(catalog)
    for g in gaps.gaps:
        left = g.gap - closed.get((g.member_id, g.skill_id), 0)
        if left <= 0:
            continue
        courses = by_skill.get(g.skill_id, [])
        reason = "budget"
        if not courses:
            reason = "no course"
        elif all(c.seats is not None and seats_used.get(c.id, 0) >= c.seats for c in courses):
            reason = "seats"
        elif all(
            hours.get(g.member_id, 0.0) + c.hours > policy.hours_for(g.member_id) + 1e-9
            for c in courses
        ):
            reason = "hours"
        open_gaps.append(OpenGap(g.member_id, g.skill_id, left, reason))
    return TrainingPlan(
        method=method,
        assignments=tuple(assignments),
        currency=catalog.currency,
        budget=budget.amount,
        cost=cost,
        hours=dict(sorted(hours.items())),
        gap_before=gaps.total_priority,
        gap_closed=value,
        upper_bound=max(bound, value),
        open_gaps=tuple(open_gaps),
    )
