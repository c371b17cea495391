"""The team document's values, each validated when built.

A bad value is an [`InvalidInputError`][mteam.errors.InvalidInputError] naming the field the
moment the value is built (from Python or through [`mteam.convert`][mteam.convert], which
puts the JSON path in front: `$.members[3].skills['seo']`). What a single value cannot check
(ids that refer to each other, amounts in the document's currency, scores on the document's
feedback scale) is checked by [`validate_document`][mteam.review.cycle.validate_document].

Examples:
    >>> from datetime import date
    >>> from mteam.review import TeamMember, ReviewPolicy
    >>> TeamMember("m01", "Ann", "seo_specialist", date(2024, 3, 1), skills={"seo": 3}).skills
    {'seo': 3}
    >>> TeamMember(5, None, [], "x")
    Traceback (most recent call last):
    mteam.errors.InvalidInputError: id: must be text, got 5
    >>> TeamMember("m01", "Ann", "seo_specialist", date(2024, 3, 1), skills=[("seo", 3)])
    Traceback (most recent call last):
    mteam.errors.InvalidInputError: skills: must be a mapping of skill id to level, got [('seo', 3)]
    >>> ReviewPolicy(bands=None)
    Traceback (most recent call last):
    mteam.errors.InvalidInputError: bands: must be a RatingBands, got None
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs

from mteam._validate import (
    check_decimal,
    check_range,
    check_sequence,
    decimal,
    items_of,
    of_type,
    optional_real,
    real,
    show,
    text,
    whole,
)
from mteam.errors import InvalidInputError
from mteam.money import Currency
from mteam.performance.composite import DEFAULT_BANDS, CompositePolicy, RatingBands
from mteam.performance.feedback import FeedbackPolicy, Rating
from mteam.performance.kpi import KPI, KpiPolicy
from mteam.periods import Period
from mteam.rewards.bonus import BonusPolicy
from mteam.rewards.recognition import Reward
from mteam.roles import Role
from mteam.scales import FEEDBACK_SCALE, PROFICIENCY_SCALE, RatingScale
from mteam.skills import Skill
from mteam.training import Course, GapPolicy, TrainingPolicy

__all__ = ["ProjectRecord", "ReviewPolicy", "TeamDocument", "TeamMember"]


def _as_tuple(name: str, value: Iterable[Any]) -> tuple[Any, ...]:
    """Convert to a tuple for an attrs field; an error names the field."""
    check_sequence(name, value)
    return tuple(value)


def _courses_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return _as_tuple("courses", value)


def _kpis_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return _as_tuple("kpis", value)


def _members_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return _as_tuple("members", value)


def _projects_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return _as_tuple("projects", value)


def _ratings_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return _as_tuple("ratings", value)


def _reward_preferences_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return _as_tuple("reward_preferences", value)


def _rewards_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return _as_tuple("rewards", value)


def _roles_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return _as_tuple("roles", value)


def _skills_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return _as_tuple("skills", value)


def _day(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    # a datetime is a date, but it does not compare with one: refused
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInputError(attr.name, f"must be a date, got {show(value)}")


def _optional_day(inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _day(inst, attr, value)


def _optional_amount(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    check_decimal(attr.name, value)
    if value < 0:  # type: ignore[operator]
        raise InvalidInputError(attr.name, f"must be >= 0, got {show(value)}")


def _mapping(attr: attrs.Attribute[Any], value: object, what: str) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInputError(attr.name, f"must be a mapping of {what}, got {show(value)}")
    return value


def _levels(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    scale = PROFICIENCY_SCALE
    for skill_id, level in _mapping(attr, value, "skill id to level").items():
        path = f"{attr.name}[{skill_id!r}]"
        if not isinstance(skill_id, str) or not skill_id.strip():
            raise InvalidInputError(path, f"a skill id must be text, got {show(skill_id)}")
        if level.__class__ is not int or not scale.contains(level):
            raise InvalidInputError(
                path,
                f"must be a whole level {show(scale.minimum)}..{show(scale.maximum)} "
                f"of the proficiency scale, got {show(level)}",
            )


def _actuals(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    for kpi_id, actual in _mapping(attr, value, "KPI id to actual value").items():
        path = f"{attr.name}[{kpi_id!r}]"
        if not isinstance(kpi_id, str) or not kpi_id.strip():
            raise InvalidInputError(path, f"a KPI id must be text, got {show(kpi_id)}")
        check_range(path, actual)


def _texts(_inst: object, attr: attrs.Attribute[Any], value: tuple[object, ...]) -> None:
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise InvalidInputError(f"{attr.name}[{i}]", f"must be text, got {show(item)}")


def _ratings(_inst: object, attr: attrs.Attribute[Any], value: tuple[object, ...]) -> None:
    # Ratings come by the hundred thousand: one pass in C first, then name the first stranger
    # by its position only (a rating's values may identify an anonymous rater).
    if set(map(type, value)) <= {Rating}:
        return
    for i, item in enumerate(value):
        if not isinstance(item, Rating):
            raise InvalidInputError(f"{attr.name}[{i}]", "must be a Rating")


def _quotas(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    for level, share in _mapping(attr, value, "band level to share").items():
        path = f"{attr.name}[{level!r}]"
        if level.__class__ is not int or level < 1:
            raise InvalidInputError(
                path, f"a band level must be a whole number >= 1, got {show(level)}"
            )
        check_range(path, share, ge=0, le=1)


@attrs.frozen(hash=False)
class TeamMember:
    """A member of the team, with everything the review needs about them.

    Attributes:
        id: A stable identifier.
        name: The member's name.
        role: Their role id (built-in or defined in the document).
        hired_on: The first day of employment.
        left_on: The last day of employment, None while employed.
        base_salary: Base salary for the period, in the document's currency.
        target_bonus: An absolute target bonus (else the bonus policy's percentage of salary).
        skills: Skill id → a whole level on the proficiency scale (0–4).
        kpis: KPI id → the actual value for the period.
        self_assessment: The member's self-assessment on the feedback scale, if any.
        training_planned_hours: Training hours planned for the period.
        training_completed_hours: Training hours completed.
        hour_limit: Training hours the member may be given next (the policy's limit if None).
        reward_preferences: Reward ids, most wanted first.

    Examples:
        >>> ann = TeamMember("m01", "Ann", "seo_specialist", date(2024, 3, 1),
        ...                  base_salary=Decimal(600000), skills={"seo": 3},
        ...                  kpis={"traffic_growth": 25})
        >>> ann.skills, ann.left_on, ann.training_planned_hours
        ({'seo': 3}, None, 0.0)
        >>> TeamMember("m01", "Ann", "seo_specialist", date(2024, 3, 1), skills={"seo": 7})
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: skills['seo']: must be a whole level 0..4 of the \
proficiency scale, got 7
        >>> TeamMember("m01", "Ann", "seo", date(2024, 3, 1), left_on=date(2023, 1, 1))
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: left_on: must not be before hired_on (2024-03-01), \
got 2023-01-01
    """

    id: str = attrs.field(validator=text())
    name: str = attrs.field(validator=text())
    role: str = attrs.field(validator=text())
    hired_on: date = attrs.field(validator=_day)
    left_on: date | None = attrs.field(default=None, validator=_optional_day)
    base_salary: Decimal | None = attrs.field(default=None, validator=_optional_amount)
    target_bonus: Decimal | None = attrs.field(default=None, validator=_optional_amount)
    skills: dict[str, int] = attrs.field(factory=dict, validator=_levels)
    kpis: dict[str, float] = attrs.field(factory=dict, validator=_actuals)
    self_assessment: float | None = attrs.field(default=None, validator=optional_real())
    training_planned_hours: float = attrs.field(default=0.0, validator=real(ge=0))
    training_completed_hours: float = attrs.field(default=0.0, validator=real(ge=0))
    hour_limit: float | None = attrs.field(default=None, validator=optional_real(ge=0))
    reward_preferences: tuple[str, ...] = attrs.field(
        default=(), converter=_reward_preferences_tuple, validator=_texts
    )

    def __attrs_post_init__(self) -> None:
        if self.left_on is not None and self.left_on < self.hired_on:
            raise InvalidInputError(
                "left_on", f"must not be before hired_on ({self.hired_on}), got {self.left_on}"
            )


@attrs.frozen
class ProjectRecord:
    """A member's evaluation on one project.

    Attributes:
        member_id: The member.
        project_id: The project.
        score: The evaluation on the feedback scale.
        contribution: The member's share of the project's work, in (0, 1].

    The composite's project component weighs each evaluation by its contribution:
    `Σ contribution × normalise(score) / Σ contribution`, in [0, 1], the score normalised on
    the document's feedback scale
    ([`project_component`][mteam.performance.composite.project_component]).

    Examples:
        >>> ProjectRecord("m01", "launch", 4.5, contribution=0.6)
        ProjectRecord(member_id='m01', project_id='launch', score=4.5, contribution=0.6)
        >>> ProjectRecord("m01", "launch", 4, contribution=0)
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: contribution: must be > 0, got 0
    """

    member_id: str = attrs.field(validator=text())
    project_id: str = attrs.field(validator=text())
    score: float = attrs.field(validator=real())
    contribution: float = attrs.field(default=1.0, validator=real(gt=0, le=1))


@attrs.frozen(hash=False)
class TeamDocument:
    """Everything a review cycle needs, as one document (one JSON file).

    Attributes:
        name: The team's name.
        currency: The currency of every amount (an ISO code in JSON).
        period: The review period.
        members: The members.
        bonus_pool: The bonus pool; None pays `target × multiplier × proration` to everyone.
        training_budget: The training budget.
        kpis: The KPI definitions the members' actuals refer to.
        ratings: The 360-degree ratings (on `feedback_scale`).
        projects: Project evaluations.
        rewards: The non-monetary rewards on offer.
        courses: The training courses on offer.
        skills: Skills beyond the built-in catalog (an existing id replaces the built-in one).
        roles: Roles beyond the built-in catalog (likewise).
        use_builtin_catalog: Whether the built-in skills and roles are available.
        feedback_scale: The scale of ratings, self-assessments and project scores (1–5).

    Each value is checked when built; what refers to something else (a role, a skill, a KPI,
    a reward, a member) is checked by
    [`validate_document`][mteam.review.cycle.validate_document].

    Examples:
        >>> from mteam.money import TWD
        >>> from mteam.periods import Period
        >>> ann = TeamMember("m01", "Ann", "seo_specialist", date(2024, 3, 1), skills={"seo": 3})
        >>> team = TeamDocument("Growth", TWD, Period(date(2026, 1, 1), date(2026, 12, 31)),
        ...                     [ann], bonus_pool=Decimal(50000))
        >>> len(team.members), team.bonus_pool, team.feedback_scale.maximum
        (1, Decimal('50000'), 5)
        >>> TeamDocument("Growth", TWD, Period(date(2026, 1, 1), date(2026, 12, 31)), [ann, "bo"])
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: members[1]: must be a TeamMember, got 'bo'
    """

    name: str = attrs.field(validator=text())
    currency: Currency = attrs.field(validator=of_type(Currency))
    period: Period = attrs.field(validator=of_type(Period))
    members: tuple[TeamMember, ...] = attrs.field(
        converter=_members_tuple, validator=items_of(TeamMember)
    )
    bonus_pool: Decimal | None = attrs.field(default=None, validator=_optional_amount)
    training_budget: Decimal = attrs.field(default=Decimal(0), validator=decimal(ge=Decimal(0)))
    kpis: tuple[KPI, ...] = attrs.field(default=(), converter=_kpis_tuple, validator=items_of(KPI))
    ratings: tuple[Rating, ...] = attrs.field(
        default=(), converter=_ratings_tuple, validator=_ratings
    )
    projects: tuple[ProjectRecord, ...] = attrs.field(
        default=(), converter=_projects_tuple, validator=items_of(ProjectRecord)
    )
    rewards: tuple[Reward, ...] = attrs.field(
        default=(), converter=_rewards_tuple, validator=items_of(Reward)
    )
    courses: tuple[Course, ...] = attrs.field(
        default=(), converter=_courses_tuple, validator=items_of(Course)
    )
    skills: tuple[Skill, ...] = attrs.field(
        default=(), converter=_skills_tuple, validator=items_of(Skill)
    )
    roles: tuple[Role, ...] = attrs.field(
        default=(), converter=_roles_tuple, validator=items_of(Role)
    )
    use_builtin_catalog: bool = attrs.field(default=True, validator=of_type(bool))
    feedback_scale: RatingScale = attrs.field(
        default=FEEDBACK_SCALE, validator=of_type(RatingScale)
    )


@attrs.frozen(hash=False)
class ReviewPolicy:
    """Every rule of the review cycle, each a policy value with its own defaults.

    Attributes:
        kpi: The KPI attainment curve.
        feedback: 360-degree weights, anonymity and calibration.
        composite: The component weights.
        bands: The rating bands.
        forced_distribution: Band level → share of the team, to place members by rank
            instead of by threshold; None (the default) uses the bands' thresholds.
        bonus: The bonus rules: unless given, the `BonusPolicy` defaults with the target at
            10 % of base salary and the cap at 1.4 × the prorated target.
        gaps: How missed KPIs raise training priorities.
        training: Hour limits and the exact-planning size.
        max_bus_factor: Required skills held by at most this many proficient members are
            flagged (1 unless given).

    Examples:
        >>> policy = ReviewPolicy()
        >>> policy.bonus.target_percent, policy.bonus.cap_multiple, policy.max_bus_factor
        (Decimal('10'), Decimal('1.4'), 1)
        >>> ReviewPolicy(forced_distribution={3: 1.5})
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: forced_distribution[3]: must be <= 1, got 1.5
    """

    kpi: KpiPolicy = attrs.field(factory=KpiPolicy, validator=of_type(KpiPolicy))
    feedback: FeedbackPolicy = attrs.field(
        factory=FeedbackPolicy, validator=of_type(FeedbackPolicy)
    )
    composite: CompositePolicy = attrs.field(
        factory=CompositePolicy, validator=of_type(CompositePolicy)
    )
    bands: RatingBands = attrs.field(default=DEFAULT_BANDS, validator=of_type(RatingBands))
    forced_distribution: dict[int, float] | None = attrs.field(default=None, validator=_quotas)
    bonus: BonusPolicy = attrs.field(
        factory=lambda: BonusPolicy(target_percent=Decimal(10), cap_multiple=Decimal("1.4")),
        validator=of_type(BonusPolicy),
    )
    gaps: GapPolicy = attrs.field(factory=GapPolicy, validator=of_type(GapPolicy))
    training: TrainingPolicy = attrs.field(
        factory=TrainingPolicy, validator=of_type(TrainingPolicy)
    )
    max_bus_factor: int = attrs.field(default=1, validator=whole(ge=0))
