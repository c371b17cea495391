"""Performance reviews: KPI scorecards, 360-degree feedback and the composite rating.

The names of the three modules are re-exported here:

* [`mteam.performance.kpi`][mteam.performance.kpi]: KPIs, attainment and scorecards;
* [`mteam.performance.feedback`][mteam.performance.feedback]: 360-degree feedback with
  anonymity thresholds;
* [`mteam.performance.composite`][mteam.performance.composite]: the overall rating, bands
  and forced distribution.
"""

from mteam.performance.composite import (
    COMPONENTS,
    DEFAULT_BANDS,
    Band,
    ComponentScore,
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
from mteam.performance.feedback import (
    DEFAULT_GROUP_WEIGHTS,
    CompetencyFeedback,
    FeedbackPolicy,
    FeedbackPublication,
    FeedbackRelease,
    FeedbackReport,
    GroupScore,
    Rating,
    Relation,
    ReleaseCell,
    SmallGroupRule,
    Suppression,
    aggregate_feedback,
    publish_feedback,
)
from mteam.performance.kpi import (
    KPI,
    Direction,
    KpiLine,
    KpiPolicy,
    Scorecard,
    attainment,
    score_scorecard,
)

__all__ = [
    "COMPONENTS",
    "DEFAULT_BANDS",
    "DEFAULT_GROUP_WEIGHTS",
    "KPI",
    "Band",
    "CompetencyFeedback",
    "ComponentScore",
    "CompositePolicy",
    "CompositeScore",
    "Direction",
    "FeedbackPolicy",
    "FeedbackPublication",
    "FeedbackRelease",
    "FeedbackReport",
    "ForcedDistribution",
    "GroupScore",
    "KpiLine",
    "KpiPolicy",
    "ProjectEvaluation",
    "Rating",
    "RatingBands",
    "Relation",
    "ReleaseCell",
    "Scorecard",
    "SmallGroupRule",
    "Suppression",
    "aggregate_feedback",
    "assign_bands",
    "attainment",
    "composite_score",
    "forced_distribution",
    "learning_component",
    "project_component",
    "publish_feedback",
    "score_scorecard",
]
