"""The review cycle: one call from a team document to the whole outcome.

[`run_review`][mteam.review.run_review] takes a [`TeamDocument`][mteam.review.TeamDocument]
(members with roles, dates, salaries, skill levels, KPI actuals, reward preferences; 360-degree
ratings; project evaluations; the reward and training catalogs with the training budget; the
bonus pool; the review period) and a [`ReviewPolicy`][mteam.review.ReviewPolicy] (every policy,
each with its documented default), and returns a [`ReviewOutcome`][mteam.review.ReviewOutcome]:

* per member: the KPI scorecard, the 360-degree report, the composite score and band, the
  bonus, the recognition reward, the skill gaps and the training assignments;
* per team: skill coverage and bus-factor flags, the gap heat-map, the bonus totals and their
  fairness, and the training plan's totals.

The steps, in order: KPI scorecards → 360 feedback → composite (KPI, feedback, projects,
self-assessment, learning) → bands (or a forced distribution) → bonus pool → recognition (in
order of composite) → skill gaps (raised where a KPI linked to the skill was missed) → training
plan. Every list in the document may come in any order: the outcome is the same.

Examples:
    >>> from mteam.io import load_sample_team
    >>> from mteam.review import run_review
    >>> outcome = run_review(load_sample_team())
    >>> outcome
    ReviewOutcome(team='Membership marketing', members=12, period=2026-01-01..2026-12-31, \
bonus=1,000,000/1,000,000 TWD, training=39,500/50,000 TWD)
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from functools import partial
from operator import attrgetter
from typing import Any, TypeVar

import attrs

from mteam._validate import check_instance, find, prefixed, show, to_tuple
from mteam.catalog import Catalog, load_catalog
from mteam.errors import InvalidInputError, Problem
from mteam.labels import Label
from mteam.money import Currency, Money
from mteam.performance.composite import (
    DEFAULT_BANDS,
    CompositePolicy,
    CompositeScore,
    ForcedDistribution,
    ProjectEvaluation,
    RatingBands,
    assign_bands,
    composite_score,
    forced_distribution,
    learning_component,
    project_component,
)
from mteam.performance.feedback import FeedbackPolicy, FeedbackReport, Rating, aggregate_feedback
from mteam.performance.kpi import KPI, KpiPolicy, Scorecard, score_scorecard
from mteam.periods import Period
from mteam.rewards.bonus import (
    BonusAllocation,
    BonusLine,
    BonusMember,
    BonusPolicy,
    FairnessSummary,
    allocate_bonus_pool,
    compute_bonuses,
    fairness_summary,
)
from mteam.rewards.recognition import Recipient, RecognitionResult, Reward, assign_recognition
from mteam.roles import Role, required_skills
from mteam.scales import FEEDBACK_SCALE, RatingScale
from mteam.skills import BusFactorFlag, Skill, SkillMatrix
from mteam.training import (
    Assignment,
    Course,
    GapPolicy,
    GapReport,
    SkillGap,
    SkillNeed,
    TrainingCatalog,
    TrainingPlan,
    TrainingPolicy,
    plan_training,
    skill_gaps,
    skills_below_target,
)

T = TypeVar("T")

__all__ = [
    "MemberOutcome",
    "ProjectRecord",
    "ReviewOutcome",
    "ReviewPolicy",
    "TeamDocument",
    "TeamMember",
    "TeamSummary",
    "run_review",
    "validate_document",
]


# --- the document ----------------------------------------------------------------------------


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
        skills: Skill id → level on the proficiency scale (0–4).
        kpis: KPI id → the actual value for the period.
        self_assessment: The member's self-assessment on the feedback scale, if any.
        training_planned_hours: Training hours planned for the period.
        training_completed_hours: Training hours completed.
        hour_limit: Training hours the member may be given next (the policy's limit if None).
        reward_preferences: Reward ids, most wanted first.
    """

    id: str
    name: str
    role: str
    hired_on: date
    left_on: date | None = None
    base_salary: Decimal | None = None
    target_bonus: Decimal | None = None
    skills: dict[str, int] = attrs.field(factory=dict)
    kpis: dict[str, float] = attrs.field(factory=dict)
    self_assessment: float | None = None
    training_planned_hours: float = 0.0
    training_completed_hours: float = 0.0
    hour_limit: float | None = None
    reward_preferences: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)


@attrs.frozen
class ProjectRecord:
    """A member's evaluation on one project.

    Attributes:
        member_id: The member.
        project_id: The project.
        score: The evaluation on the feedback scale.
        contribution: The member's share of the project's work, in (0, 1].
    """

    member_id: str
    project_id: str
    score: float
    contribution: float = 1.0


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
    """

    name: str
    currency: Currency
    period: Period
    members: tuple[TeamMember, ...] = attrs.field(converter=to_tuple)
    bonus_pool: Decimal | None = None
    training_budget: Decimal = Decimal(0)
    kpis: tuple[KPI, ...] = attrs.field(default=(), converter=to_tuple)
    ratings: tuple[Rating, ...] = attrs.field(default=(), converter=to_tuple)
    projects: tuple[ProjectRecord, ...] = attrs.field(default=(), converter=to_tuple)
    rewards: tuple[Reward, ...] = attrs.field(default=(), converter=to_tuple)
    courses: tuple[Course, ...] = attrs.field(default=(), converter=to_tuple)
    skills: tuple[Skill, ...] = attrs.field(default=(), converter=to_tuple)
    roles: tuple[Role, ...] = attrs.field(default=(), converter=to_tuple)
    use_builtin_catalog: bool = True
    feedback_scale: RatingScale = FEEDBACK_SCALE


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
    """

    kpi: KpiPolicy = attrs.field(factory=KpiPolicy)
    feedback: FeedbackPolicy = attrs.field(factory=FeedbackPolicy)
    composite: CompositePolicy = attrs.field(factory=CompositePolicy)
    bands: RatingBands = DEFAULT_BANDS
    forced_distribution: dict[int, float] | None = None
    bonus: BonusPolicy = attrs.field(
        factory=lambda: BonusPolicy(target_percent=Decimal(10), cap_multiple=Decimal("1.4"))
    )
    gaps: GapPolicy = attrs.field(factory=GapPolicy)
    training: TrainingPolicy = attrs.field(factory=TrainingPolicy)
    max_bus_factor: int = 1


# --- the outcome -----------------------------------------------------------------------------


@attrs.frozen
class MemberOutcome:
    """One member's review outcome.

    Attributes:
        member_id: The member.
        name: Their name.
        role: Their role id.
        scorecard: Their KPI scorecard (None without KPI actuals).
        feedback: Their 360-degree report (None without ratings).
        composite: The composite score and how it was made.
        band: The band level.
        band_name: The band's label.
        bonus: The bonus line.
        reward: The recognition reward received (None for none).
        readiness: Their role fit, in [0, 1].
        gaps: Their skill gaps.
        training: Their training assignments.
    """

    member_id: str
    name: str
    role: str
    scorecard: Scorecard | None
    feedback: FeedbackReport | None
    composite: CompositeScore
    band: int
    band_name: Label
    bonus: BonusLine
    reward: str | None
    readiness: float
    gaps: tuple[SkillGap, ...]
    training: tuple[Assignment, ...]


@attrs.frozen
class TeamSummary:
    """The team-level figures of a review.

    Attributes:
        members: How many members were reviewed.
        band_counts: Band level → members in it.
        band_names: Band level → its label.
        forced_distribution: The quota counts when a forced distribution was used.
        coverage: Skill id → level → members at that level (the skills some role requires).
        max_bus_factor: Skills held at proficient by at most this many members are flagged.
        bus_factor_flags: Required skills held at proficient by too few members.
        skill_needs: The team's training needs per skill, highest priority first.
        fairness: The fairness of the bonus allocation.
    """

    members: int
    band_counts: dict[int, int]
    band_names: dict[int, Label]
    forced_distribution: ForcedDistribution | None
    coverage: dict[str, dict[int, int]]
    max_bus_factor: int
    bus_factor_flags: tuple[BusFactorFlag, ...]
    skill_needs: tuple[SkillNeed, ...]
    fairness: FairnessSummary


@attrs.frozen
class ReviewOutcome:
    """The whole outcome of a review cycle.

    Attributes:
        team: The team's name.
        period: The review period.
        currency: The currency.
        summary: The team-level figures.
        members: One outcome per member, sorted by member id.
        bonus: The bonus allocation.
        recognition: The recognition round.
        gap_report: The gap analysis.
        training: The training plan.
    """

    team: str
    period: Period
    currency: Currency
    summary: TeamSummary
    members: tuple[MemberOutcome, ...]
    bonus: BonusAllocation
    recognition: RecognitionResult
    gap_report: GapReport
    training: TrainingPlan

    def __repr__(self) -> str:
        pool = "none" if self.bonus.pool is None else f"{self.bonus.pool:,}"
        return (
            f"ReviewOutcome(team={self.team!r}, members={len(self.members)}, "
            f"period={self.period.start}..{self.period.end}, "
            f"bonus={self.bonus.allocated:,}/{pool} {self.currency.code}, "
            f"training={self.training.cost:,}/{self.training.budget:,} {self.currency.code})"
        )

    def member(self, member_id: str) -> MemberOutcome:
        """One member's outcome.

        Raises:
            InvalidInputError: no such member.
        """
        return find(self.members, lambda m: m.member_id, member_id, "member_id", "member")

    def to_records(self) -> list[dict[str, Any]]:
        """One row per member with the headline figures, for `pandas.DataFrame(...)`."""
        return [
            {
                "member_id": m.member_id,
                "name": m.name,
                "role": m.role,
                "kpi": None if m.scorecard is None else m.scorecard.score,
                "feedback": None if m.feedback is None else m.feedback.others_score,
                "composite": m.composite.score,
                "band": m.band,
                "band_name": m.band_name.en,
                "bonus": m.bonus.amount,
                "capped": m.bonus.capped,
                "reward": m.reward,
                "readiness": m.readiness,
                "weighted_gap": math.fsum(g.weighted_gap for g in m.gaps),
                "training_courses": len(m.training),
                "training_cost": sum((a.cost for a in m.training), Decimal(0)),
            }
            for m in self.members
        ]

    def _repr_html_(self) -> str:
        """A table of the members' headline figures, for Jupyter."""
        rows = self.to_records()
        columns = ["member_id", "name", "role", "composite", "band_name", "bonus", "reward"]
        head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_cell(row[c]))}</td>" for c in columns) + "</tr>"
            for row in rows
        )
        caption = html.escape(repr(self))
        return f"<table><caption>{caption}</caption><tr>{head}</tr>{body}</table>"


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, Decimal):
        return f"{value:,}"
    return "" if value is None else str(value)


# --- validation ------------------------------------------------------------------------------


def _catalog(document: TeamDocument) -> Catalog:
    base = load_catalog() if document.use_builtin_catalog else Catalog((), ())
    return base.extended(
        skills=sorted(document.skills, key=lambda s: s.id),
        roles=sorted(document.roles, key=lambda r: r.id),
    )


@attrs.frozen
class _Known:
    roles: frozenset[str]
    skills: frozenset[str]
    kpis: frozenset[str]
    rewards: frozenset[str]
    members: frozenset[str]


def _amount_problems(path: str, amount: Decimal | None, currency: Currency) -> list[Problem]:
    if amount is None:
        return []
    if amount < 0:
        return [Problem(path, f"must be >= 0, got {amount}")]
    if amount != amount.quantize(currency.quantum):
        return [Problem(path, f"has more decimals than {currency.code} allows, got {amount}")]
    return []


def _member_references(p: str, m: TeamMember, known: _Known) -> list[Problem]:
    out = []
    if m.role not in known.roles:
        out.append(Problem(f"{p}.role", f"unknown role {show(m.role)}"))
    for skill_id, level in m.skills.items():
        if skill_id not in known.skills:
            out.append(Problem(f"{p}.skills[{skill_id!r}]", f"unknown skill {show(skill_id)}"))
        elif not (0 <= level <= 4 and level == int(level)):
            out.append(
                Problem(f"{p}.skills[{skill_id!r}]", f"must be a level 0..4, got {show(level)}")
            )
    out.extend(
        Problem(f"{p}.kpis[{kpi_id!r}]", f"unknown KPI {show(kpi_id)}")
        for kpi_id in m.kpis
        if kpi_id not in known.kpis
    )
    out.extend(
        Problem(f"{p}.reward_preferences[{j}]", f"unknown reward {show(reward_id)}")
        for j, reward_id in enumerate(m.reward_preferences)
        if reward_id not in known.rewards
    )
    return out


def _member_values(p: str, m: TeamMember, document: TeamDocument) -> list[Problem]:
    out = []
    if m.left_on is not None and m.left_on < m.hired_on:
        out.append(Problem(f"{p}.left_on", f"must not be before hired_on ({m.hired_on})"))
    if m.self_assessment is not None and not document.feedback_scale.contains(m.self_assessment):
        out.append(
            Problem(
                f"{p}.self_assessment",
                f"must be on the feedback scale, got {show(m.self_assessment)}",
            )
        )
    out += _amount_problems(f"{p}.base_salary", m.base_salary, document.currency)
    out += _amount_problems(f"{p}.target_bonus", m.target_bonus, document.currency)
    for field in ("training_planned_hours", "training_completed_hours", "hour_limit"):
        hours = getattr(m, field)
        if hours is not None and not (isinstance(hours, (int, float)) and 0 <= hours < math.inf):
            out.append(
                Problem(f"{p}.{field}", f"must be a number of hours >= 0, got {show(hours)}")
            )
    return out


def _document_references(document: TeamDocument, known: _Known) -> list[Problem]:
    out = []
    # ratings come by the hundred thousand: look for an unknown ratee in C first
    if not set(map(attrgetter("ratee_id"), document.ratings)) <= known.members:
        out += [
            Problem(f"$.ratings[{i}].ratee_id", f"unknown member {show(r.ratee_id)}")
            for i, r in enumerate(document.ratings)
            if r.ratee_id not in known.members
        ]
    out += [
        Problem(f"$.projects[{i}].member_id", f"unknown member {show(pr.member_id)}")
        for i, pr in enumerate(document.projects)
        if pr.member_id not in known.members
    ]
    out += [
        Problem(f"$.courses[{i}].raises[{skill_id!r}]", f"unknown skill {show(skill_id)}")
        for i, course in enumerate(document.courses)
        for skill_id in course.raises
        if skill_id not in known.skills
    ]
    out += [
        Problem(f"$.kpis[{i}].skills[{j}]", f"unknown skill {show(skill_id)}")
        for i, kpi in enumerate(document.kpis)
        for j, skill_id in enumerate(kpi.skills)
        if skill_id not in known.skills
    ]
    out += _amount_problems("$.bonus_pool", document.bonus_pool, document.currency)
    out += _amount_problems("$.training_budget", document.training_budget, document.currency)
    for i, course in enumerate(document.courses):
        out += _amount_problems(f"$.courses[{i}].cost", course.cost, document.currency)
    return out


def _duplicates(document: TeamDocument) -> list[Problem]:
    out = []
    lists: tuple[tuple[str, tuple[Any, ...]], ...] = (
        ("members", document.members),
        ("kpis", document.kpis),
        ("rewards", document.rewards),
        ("courses", document.courses),
        ("skills", document.skills),
        ("roles", document.roles),
    )
    for field, items in lists:
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.id in seen:
                out.append(Problem(f"$.{field}[{i}].id", f"duplicate id {show(item.id)}"))
            seen.add(item.id)
    return out


def validate_document(document: TeamDocument) -> list[Problem]:
    """Every cross-reference problem of a document, with its JSON path (empty when it is valid).

    Checks what a single value cannot: unique ids; members' roles, skills, KPIs and reward
    preferences that exist; ratings and project evaluations of known members; courses and KPIs
    naming known skills; amounts in the document's currency (no more decimals than it allows,
    not negative).
    """
    check_instance("document", document, TeamDocument)
    try:
        catalog = _catalog(document)
    except InvalidInputError as err:
        return [Problem(f"$.{p.path}", p.message) for p in err.problems]
    known = _Known(
        roles=frozenset(r.id for r in catalog.roles),
        skills=frozenset(s.id for s in catalog.skills),
        kpis=frozenset(k.id for k in document.kpis),
        rewards=frozenset(r.id for r in document.rewards),
        members=frozenset(m.id for m in document.members),
    )
    problems = _duplicates(document)
    for i, m in enumerate(document.members):
        problems += _member_references(f"$.members[{i}]", m, known)
        problems += _member_values(f"$.members[{i}]", m, document)
    problems += _document_references(document, known)
    return problems


# --- the cycle -------------------------------------------------------------------------------


def run_review(document: TeamDocument, policy: ReviewPolicy | None = None) -> ReviewOutcome:
    """Run a whole review cycle (see the module docs for the steps).

    Args:
        document: The team document.
        policy: Every rule; [`ReviewPolicy()`][mteam.review.ReviewPolicy] unless given (its
            bonus policy sets the target bonus to 10 % of base salary, capped at 1.4 × target).

    Returns:
        The outcome per member and for the team.

    Raises:
        InvalidInputError: listing every problem of the document with its JSON path; or a
            problem a step finds (a rating off the scale, a pool smaller than the floors, …).
    """
    policy = policy if policy is not None else ReviewPolicy()
    check_instance("policy", policy, ReviewPolicy)
    problems = validate_document(document)
    if problems:
        raise InvalidInputError.from_problems(problems)
    try:
        return _run(document, policy)
    except InvalidInputError as err:
        raise err.with_prefix("$") from None


def _run(document: TeamDocument, policy: ReviewPolicy) -> ReviewOutcome:
    catalog = _catalog(document)
    members = sorted(document.members, key=lambda m: m.id)
    kpis = sorted(document.kpis, key=lambda k: k.id)
    kpi_index = {k.id: k for k in kpis}
    scale = document.feedback_scale

    scorecards: dict[str, Scorecard] = {}
    for m in members:
        if m.kpis:
            scorecards[m.id] = _scorecard(m, kpi_index, policy.kpi)
    feedback = aggregate_feedback(document.ratings, scale, policy.feedback)

    projects = _group(document.projects, lambda p: p.member_id)
    composites: dict[str, CompositeScore] = {}
    for m in members:
        report = feedback.get(m.id)
        evaluations = [
            ProjectEvaluation(p.project_id, p.score, p.contribution, scale=scale)
            for p in projects.get(m.id, ())
        ]
        composites[m.id] = composite_score(
            kpi=None
            if m.id not in scorecards
            else min(scorecards[m.id].score, policy.composite.kpi_cap),
            feedback=(
                None
                if report is None or report.others_score is None
                else scale.normalise(report.others_score)
            ),
            projects=project_component(evaluations),
            self_assessment=None
            if m.self_assessment is None
            else scale.normalise(m.self_assessment),
            learning=learning_component(m.training_completed_hours, m.training_planned_hours),
            policy=policy.composite,
        )
    scores = {mid: c.score for mid, c in composites.items()}
    forced = None
    if policy.forced_distribution is not None:
        forced = forced_distribution(scores, policy.forced_distribution)
        bands = forced.levels
    else:
        bands = assign_bands(scores, policy.bands)

    bonus = _bonus(document, policy, members, bands)
    recognition = assign_recognition(
        [
            Recipient(
                m.id,
                scores[m.id],
                band=bands[m.id],
                tenure_days=max(0, (_last_day(m, document.period) - m.hired_on).days + 1),
            )
            for m in members
        ],
        sorted(document.rewards, key=lambda r: r.id),
        {m.id: m.reward_preferences for m in members if m.reward_preferences},
    )

    matrix = SkillMatrix(catalog.skills, {m.id: m.skills for m in members})
    below = {
        m.id: skills_below_target([kpi_index[k] for k in m.kpis], scorecards[m.id])
        for m in members
        if m.id in scorecards
    }
    gap_report = skill_gaps(
        matrix,
        {m.id: m.role for m in members},
        catalog.roles,
        below_target=below,
        policy=policy.gaps,
    )
    hour_limits: dict[str, float] = dict(policy.training.hour_limits)
    for m in members:
        if m.hour_limit is not None:
            hour_limits[m.id] = m.hour_limit
    training_policy = attrs.evolve(policy.training, hour_limits=hour_limits)
    plan = plan_training(
        gap_report,
        TrainingCatalog(document.currency, sorted(document.courses, key=lambda c: c.id)),
        Money(document.training_budget, document.currency),
        training_policy,
    )

    readiness = {r.member_id: r.readiness for r in gap_report.members}
    bonus_lines = {line.member_id: line for line in bonus.lines}
    rewards = recognition.rewards
    member_gaps = _group(gap_report.gaps, lambda g: g.member_id)
    training = _group(plan.assignments, lambda a: a.member_id)
    outcomes = tuple(
        MemberOutcome(
            member_id=m.id,
            name=m.name,
            role=m.role,
            scorecard=scorecards.get(m.id),
            feedback=feedback.get(m.id),
            composite=composites[m.id],
            band=bands[m.id],
            band_name=policy.bands.level(bands[m.id]).name,
            bonus=bonus_lines[m.id],
            reward=rewards[m.id],
            readiness=readiness[m.id],
            gaps=tuple(member_gaps.get(m.id, ())),
            training=tuple(training.get(m.id, ())),
        )
        for m in members
    )
    roles_used = [catalog.role(role_id) for role_id in sorted({m.role for m in members})]
    required = required_skills(roles_used)
    coverage = matrix.coverage()
    band_counts = dict.fromkeys(range(1, len(policy.bands.bands) + 1), 0)
    for level in bands.values():
        band_counts[level] = band_counts.get(level, 0) + 1
    summary = TeamSummary(
        members=len(members),
        band_counts=band_counts,
        band_names={b.level: b.name for b in policy.bands.bands},
        forced_distribution=forced,
        coverage={s: coverage[s] for s in required},
        max_bus_factor=policy.max_bus_factor,
        bus_factor_flags=matrix.flagged_skills(required, max_bus_factor=policy.max_bus_factor),
        skill_needs=gap_report.skills,
        fairness=fairness_summary(bonus),
    )
    return ReviewOutcome(
        team=document.name,
        period=document.period,
        currency=document.currency,
        summary=summary,
        members=outcomes,
        bonus=bonus,
        recognition=recognition,
        gap_report=gap_report,
        training=plan,
    )


def _group(items: Iterable[T], key: Callable[[T], str]) -> dict[str, list[T]]:
    """Items by key, each list in the items' order (one pass: no quadratic lookups)."""
    out: dict[str, list[T]] = {}
    for item in items:
        out.setdefault(key(item), []).append(item)
    return out


def _scorecard(m: TeamMember, kpi_index: Mapping[str, KPI], policy: KpiPolicy) -> Scorecard:
    own = [kpi_index[k] for k in sorted(m.kpis)]
    return prefixed(f"members[{m.id!r}].kpis", partial(score_scorecard, own, m.kpis, policy))


def _last_day(m: TeamMember, period: Period) -> date:
    return period.end if m.left_on is None else min(period.end, m.left_on)


def _bonus(
    document: TeamDocument,
    policy: ReviewPolicy,
    members: Iterable[TeamMember],
    bands: Mapping[str, int],
) -> BonusAllocation:
    bonus_members = [
        BonusMember(
            m.id,
            band=bands[m.id],
            hired_on=m.hired_on,
            left_on=m.left_on,
            target_bonus=m.target_bonus,
            base_salary=m.base_salary,
        )
        for m in members
    ]
    if document.bonus_pool is None:
        return compute_bonuses(
            bonus_members, policy.bonus, document.period, currency=document.currency
        )
    return allocate_bonus_pool(
        Money(document.bonus_pool, document.currency), bonus_members, policy.bonus, document.period
    )
