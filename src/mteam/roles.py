"""Roles, their skill requirements, role fit and candidate ranking.

Role fit of a person (member or candidate) against a role:

    fit = Σ importance × min(level, required) / Σ importance × required

with levels counted from the bottom of the proficiency scale; it lies in [0, 1] and is 1 exactly
when every requirement is met. A requirement marked `must_have` that is unmet makes the person
ineligible, whatever the fit.

Worked example: a data analyst needs data analysis at 3 (importance 3, a must-have) and
communication at 2 (importance 1). Someone at 2 and 2 has
fit = (3·2 + 1·2) / (3·3 + 1·2) = 8/11 ≈ 0.727 and is not eligible:

Examples:
    >>> from mteam.roles import Role, SkillRequirement, role_fit
    >>> analyst = Role(
    ...     "data_analyst",
    ...     "Data analyst",
    ...     requirements=[
    ...         SkillRequirement("data_analysis", 3, importance=3, must_have=True),
    ...         SkillRequirement("communication", 2),
    ...     ],
    ... )
    >>> result = role_fit({"data_analysis": 2, "communication": 2}, analyst)
    >>> round(result.fit, 3), result.eligible
    (0.727, False)
    >>> [(s.skill_id, s.gap) for s in result.unmet]
    [('data_analysis', 1)]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import cast

import attrs

from mteam._records import Records
from mteam._validate import (
    check_instance,
    check_int,
    check_records,
    check_sequence,
    items_of,
    of_type,
    real,
    reals,
    show,
    text,
    to_items,
    unique_by,
    whole,
)
from mteam.errors import InvalidInputError
from mteam.labels import Label, is_label, to_label
from mteam.scales import FEEDBACK_SCALE, PROFICIENCY_SCALE, Direction, RatingScale, to_direction

__all__ = [
    "Candidate",
    "CandidatePolicy",
    "CandidateScore",
    "Role",
    "RoleFit",
    "Shortfall",
    "SkillRequirement",
    "SuggestedKpi",
    "rank_candidates",
    "required_skills",
    "role_fit",
]


def _to_labels(value: Iterable[Label | str]) -> tuple[Label, ...]:
    items: object = to_items(value)  # anything but a sequence is left to the validator
    if isinstance(items, tuple):
        return tuple(to_label(x) for x in items)
    return cast("tuple[Label, ...]", items)


@attrs.frozen
class SkillRequirement:
    """A skill a role needs, at a level, with an importance.

    Attributes:
        skill_id: The skill.
        level: The level required (a whole level above the bottom of the scale).
        importance: The weight of this requirement in the role fit (> 0).
        must_have: Whether falling short makes a person ineligible for the role.

    Examples:
        >>> SkillRequirement("seo", 3, importance=2, must_have=True)
        SkillRequirement(skill_id='seo', level=3, importance=2, must_have=True)
        >>> SkillRequirement("seo", 0)
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: level: must be >= 1, got 0
    """

    skill_id: str = attrs.field(validator=text())
    level: int = attrs.field(validator=whole(ge=1))
    importance: float = attrs.field(default=1.0, validator=real(gt=0), kw_only=True)
    must_have: bool = attrs.field(default=False, validator=of_type(bool), kw_only=True)


@attrs.frozen
class SuggestedKpi:
    """A KPI that suits a role, such as an SEO specialist's traffic growth.

    Attributes:
        id: A stable identifier.
        name: The label, in English and Traditional Chinese.
        unit: The unit of the measure (`"%"`, `"TWD"`, `"hours"`, …).
        direction: Whether higher or lower values are better.

    Examples:
        >>> kpi = SuggestedKpi("cpa", "Cost per acquisition", "TWD", "lower_is_better")
        >>> kpi.direction
        <Direction.LOWER_IS_BETTER: 'lower_is_better'>
    """

    id: str = attrs.field(validator=text())
    name: Label = attrs.field(converter=to_label, validator=is_label)
    unit: str = attrs.field(validator=text())
    direction: Direction = attrs.field(default=Direction.HIGHER_IS_BETTER, converter=to_direction)


@attrs.frozen
class Role:
    """A role in the team: its title, duties, required skills and suggested KPIs.

    Attributes:
        id: A stable identifier, e.g. `"seo_specialist"`.
        title: The title, in English and Traditional Chinese.
        responsibilities: The duties.
        requirements: The skills required (one per skill).
        kpis: The KPIs that suit the role (unique ids).

    Examples:
        >>> role = Role("seo_specialist", "SEO specialist",
        ...             responsibilities=["Keyword research"],
        ...             requirements=[SkillRequirement("seo", 3)])
        >>> role.title.en, [r.en for r in role.responsibilities], role.requirements[0].level
        ('SEO specialist', ['Keyword research'], 3)
    """

    id: str = attrs.field(validator=text())
    title: Label = attrs.field(converter=to_label, validator=is_label)
    responsibilities: tuple[Label, ...] = attrs.field(
        default=(),
        converter=_to_labels,
        validator=items_of(Label),
        kw_only=True,
    )
    requirements: tuple[SkillRequirement, ...] = attrs.field(
        default=(),
        converter=to_items,
        validator=[items_of(SkillRequirement), unique_by(lambda r: r.skill_id, "skill_id")],
        kw_only=True,
    )
    kpis: tuple[SuggestedKpi, ...] = attrs.field(
        default=(),
        converter=to_items,
        validator=[items_of(SuggestedKpi), unique_by(lambda k: k.id)],
        kw_only=True,
    )

    def requirement(self, skill_id: str) -> SkillRequirement | None:
        """The requirement on a skill, or None when the role does not require it.

        Examples:
            >>> role = Role("seo", "SEO specialist", requirements=[SkillRequirement("seo", 3)])
            >>> role.requirement("seo").level, role.requirement("crm")
            (3, None)
        """
        return next((r for r in self.requirements if r.skill_id == skill_id), None)


@attrs.frozen
class Shortfall(Records):
    """A requirement a person does not meet.

    Attributes:
        skill_id: The skill.
        required: The level the role requires.
        actual: The person's level.
        gap: `required − actual` (> 0).
        importance: The requirement's importance.
        must_have: Whether the requirement is a must-have.

    Examples:
        Required 3, at 1: the gap is 3 − 1 = 2.

        >>> role = Role("r", "R", requirements=[SkillRequirement("seo", 3, importance=2)])
        >>> role_fit({"seo": 1}, role).unmet[0].to_records()
        [{'skill_id': 'seo', 'required': 3, 'actual': 1, 'gap': 2, 'importance': 2, \
'must_have': False}]
    """

    skill_id: str
    required: int
    actual: int
    gap: int
    importance: float
    must_have: bool


@attrs.frozen
class RoleFit(Records):
    """How well a person's skills fit a role, and why.

    Attributes:
        role_id: The role.
        fit: Σ importance × min(level, required) / Σ importance × required, in [0, 1]
            (1 for a role without requirements).
        eligible: False when a must-have requirement is unmet.
        unmet: The requirements not met, by skill id.

    Its record is one row: the role, the fit, the eligibility, the unmet skills (as
    `"skill actual<required"`, comma-separated), the must-haves missing and the total gap.

    Examples:
        SEO at 2 of 3 (importance 1) and CRM at 0 of 2 (importance 1, a must-have):
        fit = (1·2 + 1·0) / (1·3 + 1·2) = 2/5 = 0.4, total gap 1 + 2 = 3.

        >>> role = Role("r", "R", requirements=[
        ...     SkillRequirement("seo", 3), SkillRequirement("crm", 2, must_have=True)])
        >>> role_fit({"seo": 2}, role).to_records()
        [{'role_id': 'r', 'fit': 0.4, 'eligible': False, 'unmet': 'crm 0<2, seo 2<3', \
'missing_must_haves': 'crm', 'total_gap': 3}]
    """

    role_id: str
    fit: float
    eligible: bool
    unmet: tuple[Shortfall, ...]

    def _rows(self) -> list[dict[str, object]]:
        return [
            {
                "role_id": self.role_id,
                "fit": self.fit,
                "eligible": self.eligible,
                "unmet": ", ".join(f"{s.skill_id} {s.actual}<{s.required}" for s in self.unmet),
                "missing_must_haves": ", ".join(self.missing_must_haves),
                "total_gap": sum(s.gap for s in self.unmet),
            }
        ]

    @property
    def missing_must_haves(self) -> tuple[str, ...]:
        """The skill ids of the unmet must-have requirements, sorted."""
        return tuple(s.skill_id for s in self.unmet if s.must_have)


def _check_levels(levels: Mapping[str, int], scale: RatingScale, path: str) -> None:
    if not isinstance(levels, Mapping):
        raise InvalidInputError(path, f"must be a mapping of skill id to level, got {show(levels)}")
    for skill_id, level in levels.items():
        scale.check(level, f"{path}[{skill_id!r}]")


def role_fit(
    levels: Mapping[str, int],
    role: Role,
    scale: RatingScale = PROFICIENCY_SCALE,
) -> RoleFit:
    """How well skill levels fit a role (see the module docs for the formula).

    Args:
        levels: Skill id → the person's level on `scale`. A skill not listed counts as the
            bottom of the scale; skills the role does not require are ignored.
        role: The role.
        scale: The proficiency scale (0–4 unless given).

    Returns:
        The fit, the eligibility and the unmet requirements (sorted by skill id).

    Raises:
        InvalidInputError: a level is off the scale, or a requirement's level is above it.

    Examples:
        >>> from mteam.roles import Role, SkillRequirement, role_fit
        >>> role = Role("r", "R", requirements=[SkillRequirement("seo", 2)])
        >>> role_fit({"seo": 4}, role).fit
        1.0
    """
    check_instance("role", role, Role)
    check_instance("scale", scale, RatingScale)
    _check_levels(levels, scale, "levels")
    _check_requirement_levels(role, scale)
    return _role_fit(levels, role, scale)


def _check_requirement_levels(role: Role, scale: RatingScale, path: str = "role") -> None:
    """Require every level a role asks for to be on `scale` (a whole number up to its top)."""
    for i, req in enumerate(role.requirements):
        check_int(f"{path}.requirements[{i}].level", req.level, le=round(scale.maximum))


def _role_fit(levels: Mapping[str, int], role: Role, scale: RatingScale) -> RoleFit:
    """`role_fit` for levels known to be on the scale (a SkillMatrix's) and a checked role."""
    low = round(scale.minimum)
    got: list[float] = []
    needed: list[float] = []
    unmet = []
    for req in role.requirements:
        actual = levels.get(req.skill_id, low)
        required_units = req.level - low
        got.append(req.importance * min(actual - low, required_units))
        needed.append(req.importance * required_units)
        if actual < req.level:
            unmet.append(
                Shortfall(
                    req.skill_id,
                    req.level,
                    actual,
                    req.level - actual,
                    req.importance,
                    req.must_have,
                )
            )
    total = math.fsum(needed)
    fit = math.fsum(got) / total if total > 0 else 1.0
    unmet.sort(key=lambda s: s.skill_id)
    return RoleFit(
        role_id=role.id,
        fit=fit,
        eligible=not any(s.must_have for s in unmet),
        unmet=tuple(unmet),
    )


def required_skills(roles: Iterable[Role]) -> tuple[str, ...]:
    """The skill ids that any of the roles requires, sorted.

    Examples:
        >>> from mteam.roles import Role, SkillRequirement, required_skills
        >>> required_skills([Role("a", "A", requirements=[SkillRequirement("seo", 2)]),
        ...                  Role("b", "B", requirements=[SkillRequirement("crm", 1),
        ...                                               SkillRequirement("seo", 3)])])
        ('crm', 'seo')
    """
    check_sequence("roles", roles)
    items = list(roles)
    for i, role in enumerate(items):
        check_instance(f"roles[{i}]", role, Role)
    return tuple(sorted({r.skill_id for role in items for r in role.requirements}))


# --- candidates ------------------------------------------------------------------------------


def _to_level_map(value: Mapping[str, int]) -> dict[str, int]:
    if not isinstance(value, Mapping):
        raise InvalidInputError("skill_tests", f"must be a mapping, got {show(value)}")
    return dict(value)


@attrs.frozen(hash=False)
class Candidate:
    """A candidate in the selection process.

    Attributes:
        id: The candidate's id.
        skill_tests: Skill id → the level the candidate showed in a skill test.
        interview_ratings: The interviewers' overall ratings, on the policy's interview scale.

    Examples:
        >>> kai = Candidate("kai", {"seo": 3}, [4, 5])
        >>> kai.skill_tests, kai.interview_ratings
        ({'seo': 3}, (4, 5))
    """

    id: str = attrs.field(validator=text())
    skill_tests: dict[str, int] = attrs.field(factory=dict, converter=_to_level_map)
    interview_ratings: tuple[float, ...] = attrs.field(
        default=(), converter=to_items, validator=reals()
    )


@attrs.frozen
class CandidatePolicy:
    """How candidates are scored.

    score = (fit_weight × fit + interview_weight × interview) / (the weights present), where
    interview is the mean interview rating normalised onto [0, 1]. A candidate without
    interview ratings is scored on fit alone (also when `fit_weight` is 0, since nothing
    else is known of them).

    Attributes:
        fit_weight: The weight of the role fit from skill tests (0.6 unless given).
        interview_weight: The weight of the interviews (0.4 unless given).
        interview_scale: The scale of interview ratings (1–5 unless given).
        skill_scale: The proficiency scale of skill-test levels (0–4 unless given).

    Examples:
        Fit 0.5 and interviews of 3 on 1–5 (normalised (3 − 1) / 4 = 0.5) weigh the same whatever
        the weights; with fit only: score = fit.

        >>> role = Role("r", "R", requirements=[SkillRequirement("seo", 2)])
        >>> policy = CandidatePolicy(fit_weight=1, interview_weight=0)
        >>> rank_candidates([Candidate("kai", {"seo": 1}, [5])], role, policy)[0].score
        0.5
    """

    fit_weight: float = attrs.field(default=0.6, validator=real(ge=0))
    interview_weight: float = attrs.field(default=0.4, validator=real(ge=0))
    interview_scale: RatingScale = attrs.field(
        default=FEEDBACK_SCALE, validator=of_type(RatingScale)
    )
    skill_scale: RatingScale = attrs.field(
        default=PROFICIENCY_SCALE, validator=of_type(RatingScale)
    )

    def __attrs_post_init__(self) -> None:
        if self.fit_weight + self.interview_weight <= 0:
            raise InvalidInputError("fit_weight", "fit_weight + interview_weight must be > 0")


@attrs.frozen
class CandidateScore(Records):
    """A candidate's place in the ranking, and the figures behind it.

    Attributes:
        candidate_id: The candidate.
        rank: 1 for the best eligible candidate; None for an ineligible one.
        score: The combined score in [0, 1].
        fit: The role fit from the skill tests.
        interview: The mean interview rating normalised onto [0, 1], or None without ratings.
        explanation: The calculation in words, for the hiring manager.

    Its record is one row, the role fit given as its figure, eligibility and unmet skills
    (as in [`RoleFit`][mteam.roles.RoleFit]'s record); a ranking is the rows of its scores,
    `[row for score in ranked for row in score.to_records()]`.

    Examples:
        Fit 1 from the skill test, interviews 4 and 5 on 1–5 normalised to 0.75 and 1, mean
        0.875: score = (0.6 × 1 + 0.4 × 0.875) / 1 = 0.95.

        >>> role = Role("seo", "SEO", requirements=[SkillRequirement("seo", 3)])
        >>> (best,) = rank_candidates([Candidate("kai", {"seo": 3}, [4, 5])], role)
        >>> row = best.to_records()[0]
        >>> row["rank"], round(row["score"], 3), row["fit"], row["interview"], row["eligible"]
        (1, 0.95, 1.0, 0.875, True)
    """

    candidate_id: str
    rank: int | None
    score: float
    fit: RoleFit
    interview: float | None
    explanation: str

    def _rows(self) -> list[dict[str, object]]:
        (fit,) = self.fit.to_records()
        return [
            {
                "candidate_id": self.candidate_id,
                "rank": self.rank,
                "score": self.score,
                "fit": self.fit.fit,
                "interview": self.interview,
                "eligible": self.fit.eligible,
                "unmet": fit["unmet"],
                "explanation": self.explanation,
            }
        ]


def _score(candidate: Candidate, role: Role, policy: CandidatePolicy) -> CandidateScore:
    fit = role_fit(candidate.skill_tests, role, policy.skill_scale)
    interview = None
    if candidate.interview_ratings:
        normalised = [
            policy.interview_scale.normalise(r, f"interview_ratings[{i}]")
            for i, r in enumerate(candidate.interview_ratings)
        ]
        interview = math.fsum(normalised) / len(normalised)
    parts = [(policy.fit_weight, fit.fit, "fit")]
    if interview is not None:
        parts.append((policy.interview_weight, interview, "interview"))
    weight = math.fsum(w for w, _, _ in parts)
    score = math.fsum(w * v for w, v, _ in parts) / weight if weight > 0 else fit.fit
    formula = " + ".join(f"{name} {v:.3f} × {w:g}" for w, v, name in parts)
    explanation = f"({formula}) / {weight:g} = {score:.3f}"
    if not fit.eligible:
        missing = ", ".join(
            f"{s.skill_id} {s.actual} < {s.required}" for s in fit.unmet if s.must_have
        )
        explanation = f"not eligible: must-have not met ({missing}); {explanation}"
    return CandidateScore(candidate.id, None, score, fit, interview, explanation)


def rank_candidates(
    candidates: Iterable[Candidate],
    role: Role,
    policy: CandidatePolicy | None = None,
) -> tuple[CandidateScore, ...]:
    """Score candidates against a role's requirements and rank them.

    Must-haves gate: a candidate who misses one is not ranked (rank None) and is listed after
    the ranked ones. The others are ranked by score, highest first, ties broken by id.

    Args:
        candidates: The candidates (unique ids).
        role: The role they applied for.
        policy: The weights and scales; [`CandidatePolicy()`][mteam.roles.CandidatePolicy]
            unless given.

    Returns:
        Every candidate's score, ranked ones first.

    Raises:
        InvalidInputError: duplicate candidate ids, or a level or rating off its scale (the
            path names the candidate).

    Examples:
        >>> from mteam.roles import Candidate, Role, SkillRequirement, rank_candidates
        >>> role = Role("seo", "SEO specialist",
        ...             requirements=[SkillRequirement("seo", 3, must_have=True)])
        >>> ranked = rank_candidates(
        ...     [Candidate("kai", {"seo": 3}, [4, 5]), Candidate("lin", {"seo": 2}, [5]),
        ...      Candidate("mei", {"seo": 4}, [3])],
        ...     role,
        ... )
        >>> [(c.candidate_id, c.rank, round(c.score, 3)) for c in ranked]
        [('kai', 1, 0.95), ('mei', 2, 0.8), ('lin', None, 0.8)]
        >>> ranked[0].explanation
        '(fit 1.000 × 0.6 + interview 0.875 × 0.4) / 1 = 0.950'
    """
    policy = policy if policy is not None else CandidatePolicy()
    scores = []
    for i, c in enumerate(check_records("candidates", candidates, Candidate).values()):
        try:
            scores.append(_score(c, role, policy))
        except InvalidInputError as err:
            raise err.with_prefix(f"candidates[{i}]") from None
    eligible = sorted(
        (s for s in scores if s.fit.eligible), key=lambda s: (-s.score, s.candidate_id)
    )
    rest = sorted((s for s in scores if not s.fit.eligible), key=lambda s: s.candidate_id)
    ranked = [attrs.evolve(s, rank=n) for n, s in enumerate(eligible, start=1)]
    return (*ranked, *rest)
