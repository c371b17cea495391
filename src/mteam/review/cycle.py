"""The review cycle: the document's cross-references checked, then every rule in order.

The steps, in order: KPI scorecards → 360 feedback → composite (KPI, feedback, projects,
self-assessment, learning) → bands (or a forced distribution) → bonus pool → recognition (in
order of composite) → skill gaps (raised where a KPI linked to the skill was missed) → training
plan. Every list in the document may come in any order: the outcome is the same.

The document's values were validated when built (see
[`mteam.review.document`][mteam.review.document]); the cycle checks only what refers across
the document, then trusts the values.

Examples:
    >>> from mteam.io import load_sample_team
    >>> outcome = run_review(load_sample_team())
    >>> [(m.member_id, m.band, f"{m.bonus.amount:,}") for m in outcome.members[:3]]
    [('m01', 5, '134,400'), ('m02', 2, '36,602'), ('m03', 5, '151,200')]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import Any, Final, TypeVar

import attrs

from mteam._validate import check_instance, show
from mteam.catalog import Catalog, load_catalog
from mteam.errors import InvalidInputError, Problem, _join_path
from mteam.money import Currency, Money, check_amount
from mteam.performance.composite import (
    CompositeScore,
    ProjectEvaluation,
    assign_bands,
    composite_score,
    forced_distribution,
    learning_component,
    project_component,
)
from mteam.performance.feedback import (
    FeedbackRelease,
    FeedbackReport,
    aggregate_feedback,
    publish_feedback,
)
from mteam.performance.kpi import KPI, KpiPolicy, Scorecard, score_scorecard
from mteam.periods import Period
from mteam.review.document import ReviewPolicy, TeamDocument, TeamMember
from mteam.review.outcome import MemberOutcome, ReviewOutcome, TeamSummary
from mteam.rewards.bonus import (
    BonusAllocation,
    BonusMember,
    allocate_bonus_pool,
    compute_bonuses,
    fairness_summary,
)
from mteam.rewards.recognition import Recipient, assign_recognition
from mteam.roles import required_skills
from mteam.skills import SkillMatrix
from mteam.training import TrainingCatalog, plan_training, skill_gaps, skills_below_target

T = TypeVar("T")

_ACTUALS: Final = re.compile(r"^actuals\b")
"""`score_scorecard` names a member's actuals `actuals[...]`: the document calls them `kpis`."""

__all__ = ["document_catalog", "run_review", "validate_document"]


# --- the cross-references --------------------------------------------------------------------


def document_catalog(document: TeamDocument) -> Catalog:
    """The skills and roles a document can use.

    The built-in catalog (unless switched off), extended by the document's own (an entry with
    an existing id replaces the built-in one).

    Examples:
        >>> from mteam.io import load_sample_team
        >>> len(document_catalog(load_sample_team()).roles)
        9
    """
    check_instance("document", document, TeamDocument)
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
    try:
        check_amount(amount, currency, path)
    except InvalidInputError as err:  # too many decimals, or past the largest amount accepted
        return [Problem(path, err.message)]
    return []


def _member_references(p: str, m: TeamMember, known: _Known) -> list[Problem]:
    out = []
    if m.role not in known.roles:
        out.append(Problem(f"{p}.role", f"unknown role {show(m.role)}"))
    out.extend(
        Problem(f"{p}.skills[{skill_id!r}]", f"unknown skill {show(skill_id)}")
        for skill_id in m.skills
        if skill_id not in known.skills
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
    if m.self_assessment is not None and not document.feedback_scale.contains(m.self_assessment):
        out.append(
            Problem(
                f"{p}.self_assessment",
                f"must be on the feedback scale, got {show(m.self_assessment)}",
            )
        )
    out += _amount_problems(f"{p}.base_salary", m.base_salary, document.currency)
    out += _amount_problems(f"{p}.target_bonus", m.target_bonus, document.currency)
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
        Problem(f"$.projects[{i}].score", f"must be on the feedback scale, got {show(pr.score)}")
        for i, pr in enumerate(document.projects)
        if not document.feedback_scale.contains(pr.score)
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

    Examples:
        The bundled sample team is valid; a member given an unknown role and an unknown
        skill gets one problem each, with its JSON path:

        >>> import attrs
        >>> from mteam.io import load_sample_team
        >>> team = load_sample_team()
        >>> validate_document(team)
        []
        >>> odd = attrs.evolve(team.members[1], role="growth_hacker", skills={"sql": 2})
        >>> members = (team.members[0], odd, *team.members[2:])
        >>> for problem in validate_document(attrs.evolve(team, members=members)):
        ...     print(problem)
        $.members[1].role: unknown role 'growth_hacker'
        $.members[1].skills['sql']: unknown skill 'sql'
    """
    check_instance("document", document, TeamDocument)
    try:
        catalog = document_catalog(document)
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


def run_review(
    document: TeamDocument,
    policy: ReviewPolicy | None = None,
    *,
    previous: FeedbackRelease | Mapping[str, Any] | None = None,
    key: bytes | str | None = None,
) -> ReviewOutcome:
    """Run a whole review cycle (see the module docs for the steps).

    With a `key`, the 360-degree feedback is published through
    [`publish_feedback`][mteam.performance.feedback.publish_feedback] and the outcome carries
    the release (`outcome.release`): keep it (`release.to_dict()` is JSON-ready, the key kept
    apart) and pass it as `previous` when the same cycle is reviewed again. Given `previous`,
    the release guard withholds every peer, direct-report, customer or "others" figure whose
    raters changed by fewer than `min_raters` since it was published, and everything computed
    from the feedback (the composite's feedback component, so the composite, the band, the
    bonus and the order of recognition) is computed from the figures shown only: no figure
    of the outcome depends on a withheld rating. A withheld figure therefore changes those
    results from the earlier release (see
    [Anonymity](../explanation/anonymity.md#the-review-cycle-published-again)).

    Args:
        document: The team document.
        policy: Every rule; [`ReviewPolicy()`][mteam.review.ReviewPolicy] unless given (its
            bonus policy sets the target bonus to 10 % of base salary, capped at 1.4 × target).
        previous: The release of an earlier run of the same cycle (a `FeedbackRelease` or its
            `to_dict()` data); requires `key`.
        key: The cycle's secret (at least 16 bytes; text is encoded as UTF-8), the same for
            every release of the cycle and never stored. Without it no release is made.

    Returns:
        The outcome per member and for the team (with the new release when a key is given,
        the previous one's figures carried forward).

    Raises:
        InvalidInputError: listing every problem of the document with its JSON path; or a
            problem a step finds (a rating off the scale, a pool smaller than the floors, …);
            or a `previous` release without a `key`, a key that is too short or is not the
            one the previous release was made with, or `previous` data that is not a release
            (the path is `key` or `previous.…`, never one of the document).

    Examples:
        The sample team, reviewed with a key; then a late peer rating of m02's communication
        (four peers rated it before). The peer figure is withheld, and m02's composite is the
        same whatever the late rater gave, so nothing in the outcome gives the score away:

        >>> import attrs
        >>> from mteam.io import load_sample_team
        >>> from mteam.performance.feedback import Rating
        >>> key = "the cycle's secret, kept apart from the release file"
        >>> team = load_sample_team()
        >>> first = run_review(team, key=key)
        >>> def late(score):
        ...     rating = Rating("m02", "late-rater", "peer", "communication", score)
        ...     return attrs.evolve(team, ratings=(*team.ratings, rating))
        >>> again = [run_review(late(s), previous=first.release, key=key) for s in (1, 5)]
        >>> comm = again[0].member("m02").feedback.competencies[1]
        >>> comm.competency_id, [g.group for g in comm.groups], comm.suppressed[0].action
        ('communication', ['manager'], 'withheld')
        >>> again[0] == again[1]
        True
        >>> run_review(team, previous=first.release)
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: key: is required to compare with a previous release
    """
    policy = policy if policy is not None else ReviewPolicy()
    check_instance("policy", policy, ReviewPolicy)
    earlier = _release_arguments(previous, key)
    try:
        problems = validate_document(document)
        if problems:
            raise InvalidInputError.from_problems(problems)
        try:
            return _run(document, policy, earlier, key)
        except InvalidInputError as err:
            raise err.with_prefix("$") from None
    except ArithmeticError as exc:  # an amount past what the decimal arithmetic holds exactly
        raise InvalidInputError(
            "$", f"an amount or multiple is too large to compute exactly ({type(exc).__name__})"
        ) from None


def _release_arguments(
    previous: FeedbackRelease | Mapping[str, Any] | None, key: bytes | str | None
) -> FeedbackRelease | None:
    """The previous release, read and checked against the key before the document is.

    A wrong key or release is reported at its own path (`key`, `previous.cells[0]…`), not as
    a problem of the document. The check publishes nothing: with no ratings, the release that
    `publish_feedback` returns is the previous one carried forward (empty without one).
    """
    if previous is not None and key is None:
        raise InvalidInputError("key", "is required to compare with a previous release")
    if key is None:
        return None
    return publish_feedback((), key=key, previous=previous).release


def _feedback(
    document: TeamDocument,
    policy: ReviewPolicy,
    earlier: FeedbackRelease | None,
    key: bytes | str | None,
) -> tuple[dict[str, FeedbackReport], FeedbackRelease | None]:
    """The 360-degree reports, published as a release when there is a key."""
    scale = document.feedback_scale
    if key is None:
        return aggregate_feedback(document.ratings, scale, policy.feedback), None
    publication = publish_feedback(
        document.ratings, scale, policy.feedback, key=key, previous=earlier
    )
    return publication.reports, publication.release


def _run(
    document: TeamDocument,
    policy: ReviewPolicy,
    earlier: FeedbackRelease | None,
    key: bytes | str | None,
) -> ReviewOutcome:
    catalog = document_catalog(document)
    position = {m.id: i for i, m in enumerate(document.members)}
    members = sorted(document.members, key=lambda m: m.id)
    kpis = sorted(document.kpis, key=lambda k: k.id)
    kpi_index = {k.id: k for k in kpis}
    scale = document.feedback_scale

    scorecards: dict[str, Scorecard] = {}
    for m in members:
        if m.kpis:
            scorecards[m.id] = _scorecard(m, position[m.id], kpi_index, policy.kpi)
    # With a previous release, the guarded reports hold only the figures shown: the composite
    # below is computed from them, so nothing downstream depends on a withheld rating.
    feedback, release = _feedback(document, policy, earlier, key)

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
        release=release,
    )


def _group(items: Iterable[T], key: Callable[[T], str]) -> dict[str, list[T]]:
    """Items by key, each list in the items' order (one pass: no quadratic lookups)."""
    out: dict[str, list[T]] = {}
    for item in items:
        out.setdefault(key(item), []).append(item)
    return out


def _scorecard(
    m: TeamMember, index: int, kpi_index: Mapping[str, KPI], policy: KpiPolicy
) -> Scorecard:
    """The member's scorecard; a problem's path is the member's position, its message the id."""
    own = [kpi_index[k] for k in sorted(m.kpis)]
    try:
        return score_scorecard(own, m.kpis, policy)
    except InvalidInputError as err:
        raise InvalidInputError.from_problems(
            Problem(
                _join_path(f"members[{index}]", _ACTUALS.sub("kpis", p.path)),
                f"{p.message} (member {m.id!r})",
            )
            for p in err.problems
        ) from None


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
