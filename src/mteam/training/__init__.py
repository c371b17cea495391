"""Training needs: skill gaps against roles, and a training plan within a budget.

The modules: [`gaps`][mteam.training.gaps] (gap analysis), [`plan`][mteam.training.plan] (the
budgeted plan) and [`knapsack`][mteam.training.knapsack] (the solver).

**Gap analysis.** For each member and each skill their role requires:

* gap = max(0, required − current);
* weighted gap = importance × gap;
* priority = weighted gap × `performance_factor` (1.5) when the skill is linked to a KPI the
  member missed (attainment below target), × 1 otherwise.

Readiness is the member's [role fit][mteam.roles.role_fit]. The team view sums the weighted
gaps and priorities per skill, lists the members below requirement, and ranks the skills.

**Planning.** A [`Course`][mteam.training.plan.Course] raises some skills by some levels, costs
money and hours, and has a number of seats.
[`plan_training`][mteam.training.plan.plan_training] chooses (member, course) assignments that
close as much priority-weighted gap as possible within the budget, each member's hour limit and
each course's seats, and never gives a member a course that closes none of their gaps. Two
courses that raise the same skill of the same member close no more than the gap (diminishing
returns). Small instances are solved exactly (branch and bound); large ones by a greedy with a
proven bound, described on [`plan_training`][mteam.training.plan.plan_training]. The plan says
which was used.

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

from mteam.training.gaps import (
    GapPolicy,
    GapReport,
    MemberReadiness,
    SkillGap,
    SkillNeed,
    skill_gaps,
    skills_below_target,
)
from mteam.training.plan import (
    METHOD_LABELS,
    Assignment,
    Course,
    OpenGap,
    TrainingCatalog,
    TrainingMethod,
    TrainingPlan,
    TrainingPolicy,
    plan_training,
)

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
