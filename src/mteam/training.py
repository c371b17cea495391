"""Training needs: skill gaps against roles, and a training plan within a budget.

**Gap analysis.** For each member and each skill their role requires:

* gap = max(0, required − current);
* weighted gap = importance × gap;
* priority = weighted gap × `performance_factor` (1.5) when the skill is linked to a KPI the
  member missed (attainment below target), × 1 otherwise.

Readiness is the member's [role fit][mteam.roles.role_fit]. The team view sums the weighted
gaps and priorities per skill, lists the members below requirement, and ranks the skills.

**Planning.** A [`Course`][mteam.training.Course] raises some skills by some levels, costs money
and hours, and has a number of seats. [`plan_training`][mteam.training.plan_training] chooses
(member, course) assignments that close as much priority-weighted gap as possible within the
budget, each member's hour limit and each course's seats, and never gives a member a course
that closes none of their gaps. Two courses that raise the same skill of the same member close
no more than the gap (diminishing returns). Small instances are solved exactly (branch and
bound); large ones by a greedy with a proven bound, described on
[`plan_training`][mteam.training.plan_training]. The plan says which was used.

Examples:
    >>> from mteam.roles import Role, SkillRequirement
    >>> from mteam.skills import Skill, SkillMatrix
    >>> from mteam.training import skill_gaps
    >>> skills = [Skill("seo", "SEO", "hard"), Skill("copy", "Copywriting", "hard")]
    >>> role = Role("seo_specialist", "SEO specialist", requirements=[
    ...     SkillRequirement("seo", 3, importance=3), SkillRequirement("copy", 2)])
    >>> matrix = SkillMatrix(skills, {"ann": {"seo": 1, "copy": 2}, "bo": {"seo": 2}})
    >>> report = skill_gaps(matrix, {"ann": "seo_specialist", "bo": "seo_specialist"}, [role])
    >>> [(g.member_id, g.skill_id, g.gap, g.weighted_gap) for g in report.gaps]
    [('ann', 'seo', 2, 6.0), ('bo', 'copy', 2, 2.0), ('bo', 'seo', 1, 3.0)]
    >>> [(n.skill_id, n.weighted_gap, n.members_below) for n in report.skills]
    [('seo', 9.0, ('ann', 'bo')), ('copy', 2.0, ('bo',))]
"""

from __future__ import annotations

import enum
import heapq
import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final

import attrs

from mteam._validate import (
    check_instance,
    check_range,
    check_records,
    check_sequence,
    enum_value,
    real,
    show,
    text,
    to_tuple,
    whole,
)
from mteam.errors import InvalidInputError
from mteam.labels import Label, to_label
from mteam.money import Currency, Money
from mteam.performance.kpi import KPI, Scorecard
from mteam.roles import Role, _check_requirement_levels, _role_fit
from mteam.scales import RatingScale
from mteam.skills import SkillMatrix

__all__ = [
    "METHOD_LABELS",
    "Assignment",
    "Course",
    "GapPolicy",
    "GapReport",
    "MemberReadiness",
    "OpenGap",
    "SkillGap",
    "SkillNeed",
    "TrainingCatalog",
    "TrainingMethod",
    "TrainingPlan",
    "TrainingPolicy",
    "plan_training",
    "skill_gaps",
    "skills_below_target",
]


# --- gap analysis ----------------------------------------------------------------------------


@attrs.frozen
class GapPolicy:
    """How gaps are prioritised.

    Attributes:
        performance_factor: The factor by which a gap's priority rises when the skill is linked
            to a KPI the member missed (≥ 1; 1.5 unless given).
    """

    performance_factor: float = attrs.field(default=1.5, validator=real(ge=1))


@attrs.frozen
class SkillGap:
    """One member's gap in one skill their role requires.

    Attributes:
        member_id: The member.
        skill_id: The skill.
        required: The level the role requires.
        current: The member's level.
        gap: `max(0, required − current)` (> 0: only gaps are listed).
        importance: The requirement's importance.
        weighted_gap: `importance × gap`.
        priority: `weighted_gap`, raised by the policy factor when `performance_flag`.
        performance_flag: Whether the skill is linked to a KPI the member missed.
    """

    member_id: str
    skill_id: str
    required: int
    current: int
    gap: int
    importance: float
    weighted_gap: float
    priority: float
    performance_flag: bool


@attrs.frozen
class MemberReadiness:
    """A member's readiness for their role.

    Attributes:
        member_id: The member.
        role_id: Their role.
        readiness: Their role fit, in [0, 1].
        eligible: False when a must-have requirement is unmet.
        weighted_gap: The sum of their weighted gaps.
    """

    member_id: str
    role_id: str
    readiness: float
    eligible: bool
    weighted_gap: float


@attrs.frozen
class SkillNeed:
    """The team's need in one skill.

    Attributes:
        skill_id: The skill.
        weighted_gap: The sum of the members' weighted gaps in it.
        priority: The sum of their priorities.
        members_below: The members below requirement, sorted.
        rank: 1 for the highest priority (ties by skill id).
    """

    skill_id: str
    weighted_gap: float
    priority: float
    members_below: tuple[str, ...]
    rank: int


@attrs.frozen
class GapReport:
    """Skill gaps per member and per skill.

    Attributes:
        gaps: Every gap (> 0), sorted by member and skill.
        members: Each analysed member's readiness, sorted by member id.
        skills: The skills with a gap, highest priority first.
    """

    gaps: tuple[SkillGap, ...]
    members: tuple[MemberReadiness, ...]
    skills: tuple[SkillNeed, ...]

    @property
    def total_weighted_gap(self) -> float:
        """The team's total weighted gap."""
        return math.fsum(g.weighted_gap for g in self.gaps)

    @property
    def total_priority(self) -> float:
        """The team's total priority-weighted gap."""
        return math.fsum(g.priority for g in self.gaps)

    def member_gaps(self, member_id: str) -> tuple[SkillGap, ...]:
        """One member's gaps."""
        return tuple(g for g in self.gaps if g.member_id == member_id)

    def to_records(self) -> list[dict[str, Any]]:
        """One row per member and skill gap (the heat-map's data), for a notebook."""
        return [attrs.asdict(g) for g in self.gaps]


def skills_below_target(kpis: Iterable[KPI], scorecard: Scorecard) -> frozenset[str]:
    """The skills linked to the KPIs of a scorecard whose attainment is below target (< 1).

    Examples:
        >>> from mteam.performance.kpi import KPI, score_scorecard
        >>> kpis = [KPI("traffic", "Traffic", target=100, skills=["seo"]),
        ...         KPI("ctr", "CTR", target=2, skills=["copy", "paid_ads"])]
        >>> sorted(skills_below_target(kpis, score_scorecard(kpis, {"traffic": 80, "ctr": 3})))
        ['seo']
    """
    check_sequence("kpis", kpis)
    check_instance("scorecard", scorecard, Scorecard)
    by_id = {k.id: k for k in kpis}
    out: set[str] = set()
    for line in scorecard.lines:
        kpi = by_id.get(line.kpi_id)
        if kpi is not None and line.attainment < 1:
            out.update(kpi.skills)
    return frozenset(out)


def _role_index(roles: Iterable[Role]) -> dict[str, Role]:
    index: dict[str, Role] = {}
    for i, role in enumerate(roles):
        if not isinstance(role, Role):
            raise InvalidInputError(f"roles[{i}]", f"must be a Role, got {show(role)}")
        index[role.id] = role
    return index


def skill_gaps(
    matrix: SkillMatrix,
    assignments: Mapping[str, str],
    roles: Iterable[Role],
    *,
    below_target: Mapping[str, Iterable[str]] | None = None,
    policy: GapPolicy | None = None,
) -> GapReport:
    """Each member's gaps against their role, and the team's needs per skill.

    Args:
        matrix: The team's skill levels.
        assignments: Member id → role id, for the members to analyse.
        roles: The roles (a catalog's `roles`, for instance).
        below_target: Member id → skill ids linked to KPIs they missed (see
            [`skills_below_target`][mteam.training.skills_below_target]); those gaps' priority
            rises by the policy factor.
        policy: [`GapPolicy()`][mteam.training.GapPolicy] unless given.

    Returns:
        The gaps, the members' readiness and the skills ranked by priority.

    Raises:
        InvalidInputError: a member not in the matrix, an unknown role, or a role requiring a
            skill the matrix does not know.
    """
    check_instance("matrix", matrix, SkillMatrix)
    check_instance("assignments", assignments, Mapping)
    check_sequence("roles", roles)
    policy = policy if policy is not None else GapPolicy()
    index = _role_index(roles)
    flagged = {m: frozenset(s) for m, s in (below_target or {}).items()}
    known = set(matrix.skill_ids)
    checked: set[str] = set()
    gaps: list[SkillGap] = []
    readiness = []
    for member_id in sorted(assignments):
        role_id = assignments[member_id]
        path = f"assignments[{member_id!r}]"
        if member_id not in matrix.levels:
            raise InvalidInputError(path, f"unknown member {show(member_id)}")
        if role_id not in index:
            raise InvalidInputError(path, f"unknown role {show(role_id)}")
        role = index[role_id]
        if role_id not in checked:  # each role once, not once per member
            _check_role(role, known, matrix.scale)
            checked.add(role_id)
        levels = matrix.member_levels(member_id)
        fit = _role_fit(levels, role, matrix.scale)  # the matrix checked the levels
        member_gaps = []
        for s in fit.unmet:
            flag = s.skill_id in flagged.get(member_id, frozenset())
            weighted = s.importance * s.gap
            priority = weighted * (policy.performance_factor if flag else 1.0)
            member_gaps.append(
                SkillGap(
                    member_id,
                    s.skill_id,
                    s.required,
                    s.actual,
                    s.gap,
                    s.importance,
                    float(weighted),
                    float(priority),
                    flag,
                )
            )
        gaps.extend(member_gaps)
        readiness.append(
            MemberReadiness(
                member_id,
                role_id,
                fit.fit,
                fit.eligible,
                math.fsum(g.weighted_gap for g in member_gaps),
            )
        )
    return GapReport(tuple(gaps), tuple(readiness), _needs(gaps))


def _check_role(role: Role, known: set[str], scale: RatingScale) -> None:
    """Require a role's skills to be known and its levels to be on the scale."""
    for j, req in enumerate(role.requirements):
        if req.skill_id not in known:
            raise InvalidInputError(
                f"roles[{role.id!r}].requirements[{j}].skill_id",
                f"unknown skill {show(req.skill_id)}",
            )
    _check_requirement_levels(role, scale, f"roles[{role.id!r}]")


def _needs(gaps: list[SkillGap]) -> tuple[SkillNeed, ...]:
    by_skill: dict[str, list[SkillGap]] = {}
    for g in gaps:
        by_skill.setdefault(g.skill_id, []).append(g)
    rows = [
        (
            skill_id,
            math.fsum(g.weighted_gap for g in items),
            math.fsum(g.priority for g in items),
            tuple(sorted(g.member_id for g in items)),
        )
        for skill_id, items in by_skill.items()
    ]
    rows.sort(key=lambda r: (-r[2], r[0]))
    return tuple(SkillNeed(s, w, p, m, rank) for rank, (s, w, p, m) in enumerate(rows, start=1))


# --- courses ---------------------------------------------------------------------------------


class TrainingMethod(enum.Enum):
    """How a course is delivered (the methods the source articles list)."""

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
    """

    id: str = attrs.field(validator=text())
    name: Label = attrs.field(converter=to_label)
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
    """

    currency: Currency
    courses: tuple[Course, ...] = attrs.field(converter=to_tuple, validator=_check_courses)


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
    """

    max_hours: float = attrs.field(default=40.0, validator=real(ge=0))
    hour_limits: dict[str, float] = attrs.field(factory=dict, converter=_to_hour_limits)
    exact_limit: int = attrs.field(default=20, validator=whole(ge=0, le=40))

    def __attrs_post_init__(self) -> None:
        for member_id, hours in self.hour_limits.items():
            check_range(f"hour_limits[{member_id!r}]", hours, ge=0)

    def hours_for(self, member_id: str) -> float:
        """A member's hour limit."""
        return float(self.hour_limits.get(member_id, self.max_hours))


@attrs.frozen(hash=False)
class Assignment:
    """One member taking one course.

    Attributes:
        member_id: The member.
        course_id: The course.
        cost: The course's cost.
        hours: The course's hours.
        closes: Skill id → the levels of the member's gap it closes.
        benefit: The priority-weighted gap it closes (given the other assignments).
    """

    member_id: str
    course_id: str
    cost: Decimal
    hours: float
    closes: dict[str, int]
    benefit: float


@attrs.frozen
class OpenGap:
    """A gap the plan leaves open, and why.

    Attributes:
        member_id: The member.
        skill_id: The skill.
        gap: The levels still missing.
        reason: `"no course"` (nothing in the catalog raises the skill), `"seats"` (the courses
            that would are full), `"hours"` (they would exceed the member's hour limit) or
            `"budget"`.
    """

    member_id: str
    skill_id: str
    gap: int
    reason: str


@attrs.frozen(hash=False)
class TrainingPlan:
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

    def to_records(self) -> list[dict[str, Any]]:
        """One row per assignment, for a notebook."""
        return [attrs.asdict(a) for a in self.assignments]


@attrs.frozen
class _Candidate:
    member_id: str
    course: Course
    cost: Decimal
    hours: float
    standalone: float  # benefit if taken alone


class _State:
    """Remaining gaps, hours, seats and budget while a plan is built."""

    def __init__(
        self,
        gaps: dict[tuple[str, str], tuple[int, float]],
        hours: dict[str, float],
        seats: dict[str, int | None],
        budget: Decimal,
    ) -> None:
        self.gaps = dict(gaps)  # (member, skill) -> (levels left, priority per level)
        self.hours = dict(hours)
        self.seats = dict(seats)
        self.budget = budget

    def gain(self, c: _Candidate) -> tuple[float, dict[str, int]]:
        return self.gain_of(c.member_id, c.course)

    def gain_of(self, member_id: str, course: Course) -> tuple[float, dict[str, int]]:
        closes = {}
        total = 0.0
        for skill_id, levels in course.raises.items():
            left, per_level = self.gaps.get((member_id, skill_id), (0, 0.0))
            step = min(left, levels)
            if step > 0:
                closes[skill_id] = step
                total += per_level * step
        return total, closes

    def fits(self, c: _Candidate) -> bool:
        seats = self.seats[c.course.id]
        return (
            c.cost <= self.budget
            and c.hours <= self.hours[c.member_id] + 1e-9
            and (seats is None or seats > 0)
        )

    def take(self, c: _Candidate, closes: Mapping[str, int]) -> None:
        for skill_id, step in closes.items():
            left, per_level = self.gaps[(c.member_id, skill_id)]
            self.gaps[(c.member_id, skill_id)] = (left - step, per_level)
        self.hours[c.member_id] -= c.hours
        seats = self.seats[c.course.id]
        if seats is not None:
            self.seats[c.course.id] = seats - 1
        self.budget -= c.cost

    def undo(self, c: _Candidate, closes: Mapping[str, int]) -> None:
        for skill_id, step in closes.items():
            left, per_level = self.gaps[(c.member_id, skill_id)]
            self.gaps[(c.member_id, skill_id)] = (left + step, per_level)
        self.hours[c.member_id] += c.hours
        seats = self.seats[c.course.id]
        if seats is not None:
            self.seats[c.course.id] = seats + 1
        self.budget += c.cost


def _density(c: _Candidate, benefit: float) -> float:
    return math.inf if c.cost == 0 else benefit / float(c.cost)


def _fractional_bound(candidates: list[_Candidate], budget: Decimal) -> float:
    """Fractional knapsack of the standalone benefits: no plan closes more (see plan_training)."""
    free = math.fsum(c.standalone for c in candidates if c.cost == 0)
    paid = sorted((c for c in candidates if c.cost > 0), key=lambda c: -_density(c, c.standalone))
    left = float(budget)
    total = free
    for c in paid:
        if float(c.cost) <= left:
            total += c.standalone
            left -= float(c.cost)
        else:
            total += c.standalone * left / float(c.cost)
            break
    return total


def _exact(
    candidates: list[_Candidate], state: _State
) -> tuple[list[tuple[_Candidate, dict[str, int], float]], float]:
    order = sorted(candidates, key=lambda c: (-_density(c, c.standalone), c.member_id, c.course.id))
    best: list[tuple[_Candidate, dict[str, int], float]] = []
    best_value = 0.0
    chosen: list[tuple[_Candidate, dict[str, int], float]] = []

    def search(i: int, value: float) -> None:
        nonlocal best, best_value
        if value > best_value + 1e-9:
            best_value = value
            best = list(chosen)
        if i == len(order):
            return
        if value + _fractional_bound(order[i:], state.budget) <= best_value + 1e-9:
            return
        c = order[i]
        if state.fits(c):
            gain, closes = state.gain(c)
            if gain > 0:
                state.take(c, closes)
                chosen.append((c, closes, gain))
                search(i + 1, value + gain)
                chosen.pop()
                state.undo(c, closes)
        search(i + 1, value)

    search(0, 0.0)
    return best, best_value


def _greedy(
    candidates: list[_Candidate], state: _State
) -> tuple[list[tuple[_Candidate, dict[str, int], float]], float]:
    """Highest marginal benefit per unit of cost first, with lazy re-evaluation.

    A candidate's marginal benefit only falls as others are taken, and a candidate that no
    longer fits never fits again, so a stale key is an upper bound: a candidate whose fresh key
    still beats the best stale key is the best choice (ties by member and course id).
    """
    heap = [
        (-_density(c, c.standalone), c.member_id, c.course.id, i) for i, c in enumerate(candidates)
    ]
    heapq.heapify(heap)
    picked: list[tuple[_Candidate, dict[str, int], float]] = []
    total = 0.0
    while heap:
        _, member_id, course_id, i = heapq.heappop(heap)
        c = candidates[i]
        if not state.fits(c):
            continue
        gain, closes = state.gain(c)
        if gain <= 0:
            continue
        key = (-_density(c, gain), member_id, course_id, i)
        if heap and heap[0] < key:
            heapq.heappush(heap, key)
            continue
        state.take(c, closes)
        picked.append((c, closes, gain))
        total += gain
    return picked, total


def _candidates(state: _State, members: list[str], catalog: TrainingCatalog) -> list[_Candidate]:
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
                    _Candidate(member_id, course, course.cost, float(course.hours), gain)
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
    candidates: list[_Candidate], fresh: _State
) -> tuple[_Candidate, dict[str, int], float] | None:
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

    def fresh_state() -> _State:
        return _State(
            remaining,
            {m: policy.hours_for(m) for m in members},
            {c.id: c.seats for c in catalog.courses},
            budget.amount,
        )

    state = fresh_state()
    candidates = _candidates(state, members, catalog)
    bound = _fractional_bound(candidates, budget.amount)
    if len(candidates) <= policy.exact_limit:
        method = "exact"
        picked, value = _exact(candidates, state)
        bound = value
    else:
        method = "greedy"
        picked, value = _greedy(candidates, state)
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
    picked: list[tuple[_Candidate, dict[str, int], float]],
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
