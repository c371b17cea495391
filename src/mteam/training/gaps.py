"""Training needs: skill gaps against roles.

For each member and each skill their role requires:

* gap = max(0, required − current);
* weighted gap = importance × gap;
* priority = weighted gap × `performance_factor` (1.5) when the skill is linked to a KPI the
  member missed (attainment below target), × 1 otherwise.

Readiness is the member's [role fit][mteam.roles.role_fit]. The team view sums the weighted
gaps and priorities per skill, lists the members below requirement, and ranks the skills.

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
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import attrs

from mteam._records import Records
from mteam._validate import (
    check_instance,
    check_sequence,
    real,
    show,
)
from mteam.errors import InvalidInputError
from mteam.performance.kpi import KPI, Scorecard
from mteam.roles import Role, _check_requirement_levels, _role_fit
from mteam.scales import RatingScale
from mteam.skills import SkillMatrix

__all__ = [
    "GapPolicy",
    "GapReport",
    "MemberReadiness",
    "SkillGap",
    "SkillNeed",
    "skill_gaps",
    "skills_below_target",
]


# --- gap analysis ---------------------------------------------------------------------------


@attrs.frozen
class GapPolicy:
    """How gaps are prioritised.

    Attributes:
        performance_factor: The factor by which a gap's priority rises when the skill is linked
            to a KPI the member missed (≥ 1; 1.5 unless given).

    Examples:
        >>> GapPolicy().performance_factor, GapPolicy(2.0).performance_factor
        (1.5, 2.0)
        >>> GapPolicy(0.5)
        Traceback (most recent call last):
        ...
        mteam.errors.InvalidInputError: ...
    """

    performance_factor: float = attrs.field(default=1.5, validator=real(ge=1))


@attrs.frozen
class SkillGap(Records):
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

    Examples:
        Required 3, current 1, importance 3: gap 2, weighted gap 3 × 2 = 6, raised by the
        factor 1.5 to a priority of 9 for a skill linked to a missed KPI:

        >>> gap = SkillGap("ann", "seo", 3, 1, 2, 3.0, 6.0, 9.0, True)
        >>> row = gap.to_records()[0]
        >>> row["gap"], row["weighted_gap"], row["priority"]
        (2, 6.0, 9.0)
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
class MemberReadiness(Records):
    """A member's readiness for their role.

    Attributes:
        member_id: The member.
        role_id: Their role.
        readiness: Their role fit, in [0, 1].
        eligible: False when a must-have requirement is unmet.
        weighted_gap: The sum of their weighted gaps.

    Examples:
        Two members in the same role (SEO 3 at importance 3, copywriting 2 at importance 1):

        >>> from mteam.roles import Role, SkillRequirement
        >>> from mteam.skills import Skill, SkillMatrix
        >>> role = Role("seo_specialist", "SEO specialist", requirements=[
        ...     SkillRequirement("seo", 3, importance=3), SkillRequirement("copy", 2)])
        >>> skills = [Skill("seo", "SEO", "hard"), Skill("copy", "Copywriting", "hard")]
        >>> matrix = SkillMatrix(skills,
        ...                      {"ann": {"seo": 1, "copy": 2}, "bo": {"seo": 2}})
        >>> roles = {"ann": "seo_specialist", "bo": "seo_specialist"}
        >>> report = skill_gaps(matrix, roles, [role],
        ...                     below_target={"bo": ["seo"]})
        >>> [(m.member_id, round(m.readiness, 4), m.weighted_gap) for m in report.members]
        [('ann', 0.4545, 6.0), ('bo', 0.5455, 5.0)]
        >>> round((3 * 1 + 1 * 2) / (3 * 3 + 1 * 2), 4)  # ann: Σ w·min(level, req) / Σ w·req
        0.4545
    """

    member_id: str
    role_id: str
    readiness: float
    eligible: bool
    weighted_gap: float


@attrs.frozen
class SkillNeed(Records):
    """The team's need in one skill.

    Attributes:
        skill_id: The skill.
        weighted_gap: The sum of the members' weighted gaps in it.
        priority: The sum of their priorities.
        members_below: The members below requirement, sorted.
        rank: 1 for the highest priority (ties by skill id).

    Examples:
        bo's SEO gap (1 level × importance 3) is linked to a missed KPI: priority 3 × 1.5 =
        4.5, so SEO's priority is 6 + 4.5 = 10.5.

        >>> from mteam.roles import Role, SkillRequirement
        >>> from mteam.skills import Skill, SkillMatrix
        >>> role = Role("seo_specialist", "SEO specialist", requirements=[
        ...     SkillRequirement("seo", 3, importance=3), SkillRequirement("copy", 2)])
        >>> skills = [Skill("seo", "SEO", "hard"), Skill("copy", "Copywriting", "hard")]
        >>> matrix = SkillMatrix(skills,
        ...                      {"ann": {"seo": 1, "copy": 2}, "bo": {"seo": 2}})
        >>> roles = {"ann": "seo_specialist", "bo": "seo_specialist"}
        >>> report = skill_gaps(matrix, roles, [role],
        ...                     below_target={"bo": ["seo"]})
        >>> [(n.rank, n.skill_id, n.weighted_gap, n.priority, n.members_below)
        ...  for n in report.skills]
        [(1, 'seo', 9.0, 10.5, ('ann', 'bo')), (2, 'copy', 2.0, 2.0, ('bo',))]
    """

    skill_id: str
    weighted_gap: float
    priority: float
    members_below: tuple[str, ...]
    rank: int


@attrs.frozen
class GapReport(Records):
    """Skill gaps per member and per skill.

    Attributes:
        gaps: Every gap (> 0), sorted by member and skill.
        members: Each analysed member's readiness, sorted by member id.
        skills: The skills with a gap, highest priority first.

    `to_records()` gives one flat row per member and skill gap (the skill-gap heat-map's
    data); the members' readiness and the skills' needs have their own records.

    Examples:
        Two members in the same role (SEO 3 at importance 3, copywriting 2 at importance 1):

        >>> from mteam.roles import Role, SkillRequirement
        >>> from mteam.skills import Skill, SkillMatrix
        >>> role = Role("seo_specialist", "SEO specialist", requirements=[
        ...     SkillRequirement("seo", 3, importance=3), SkillRequirement("copy", 2)])
        >>> skills = [Skill("seo", "SEO", "hard"), Skill("copy", "Copywriting", "hard")]
        >>> matrix = SkillMatrix(skills,
        ...                      {"ann": {"seo": 1, "copy": 2}, "bo": {"seo": 2}})
        >>> roles = {"ann": "seo_specialist", "bo": "seo_specialist"}
        >>> report = skill_gaps(matrix, roles, [role],
        ...                     below_target={"bo": ["seo"]})
        >>> report.total_weighted_gap, report.total_priority  # 6 + 2 + 3; 6 + 2 + 4.5
        (11.0, 12.5)
        >>> [(r["member_id"], r["skill_id"], r["priority"]) for r in report.to_records()]
        [('ann', 'seo', 6.0), ('bo', 'copy', 2.0), ('bo', 'seo', 4.5)]
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
        """One member's gaps.

        Examples:
            >>> from mteam.roles import Role, SkillRequirement
            >>> from mteam.skills import Skill, SkillMatrix
            >>> role = Role("seo_specialist", "SEO specialist", requirements=[
            ...     SkillRequirement("seo", 3, importance=3), SkillRequirement("copy", 2)])
            >>> skills = [Skill("seo", "SEO", "hard"), Skill("copy", "Copywriting", "hard")]
            >>> matrix = SkillMatrix(skills,
            ...                      {"ann": {"seo": 1, "copy": 2}, "bo": {"seo": 2}})
            >>> roles = {"ann": "seo_specialist", "bo": "seo_specialist"}
            >>> report = skill_gaps(matrix, roles, [role],
            ...                     below_target={"bo": ["seo"]})
            >>> [(g.skill_id, g.gap) for g in report.member_gaps("bo")]
            [('copy', 2), ('seo', 1)]
            >>> report.member_gaps("zoe")
            ()
        """
        return tuple(g for g in self.gaps if g.member_id == member_id)

    def _rows(self) -> list[dict[str, object]]:
        """One row per member and skill gap (the heat-map's data)."""
        return [attrs.asdict(g) for g in self.gaps]

    def _html_caption(self) -> str:
        return f"GapReport: {len(self.gaps)} gaps, {len(self.members)} members"


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

    Examples:
        Two members in the same role (SEO 3 at importance 3, copywriting 2 at importance 1):

        >>> from mteam.roles import Role, SkillRequirement
        >>> from mteam.skills import Skill, SkillMatrix
        >>> role = Role("seo_specialist", "SEO specialist", requirements=[
        ...     SkillRequirement("seo", 3, importance=3), SkillRequirement("copy", 2)])
        >>> skills = [Skill("seo", "SEO", "hard"), Skill("copy", "Copywriting", "hard")]
        >>> matrix = SkillMatrix(skills,
        ...                      {"ann": {"seo": 1, "copy": 2}, "bo": {"seo": 2}})
        >>> roles = {"ann": "seo_specialist", "bo": "seo_specialist"}
        >>> report = skill_gaps(matrix, roles, [role],
        ...                     below_target={"bo": ["seo"]})
        >>> [(g.member_id, g.skill_id, g.gap, g.priority, g.performance_flag)
        ...  for g in report.gaps]  # doctest: +NORMALIZE_WHITESPACE
        [('ann', 'seo', 2, 6.0, False), ('bo', 'copy', 2, 2.0, False),
         ('bo', 'seo', 1, 4.5, True)]
        >>> skill_gaps(matrix, {"zoe": "seo_specialist"}, [role])
        Traceback (most recent call last):
        ...
        mteam.errors.InvalidInputError: ...
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
