"""The charts that result values show in a notebook, registered when `mteam.report` is imported.

The domain's `_repr_html_` (the [`Records`][mteam._records.Records] mixin, and
`ReviewOutcome`) asks [`chart_for`][mteam._records.chart_for] for a chart; this module is
where the edge answers, one renderer per result class. Each renderer returns None when the
value has nothing worth drawing, so the table is shown alone.
"""

from __future__ import annotations

from typing import Final

from mteam._records import ChartRenderer, register_chart
from mteam.membership.analysis import MemberAnalysis, MemberScores, RepeatAnalysis
from mteam.membership.cltv import CohortValue
from mteam.membership.predict import HoldoutCheck
from mteam.membership.retention import CohortTable
from mteam.membership.sbg import SBGModel
from mteam.membership.survival import SurvivalCurve
from mteam.membership.tiers import TierAssignment
from mteam.report import charts
from mteam.review import ReviewOutcome
from mteam.training import GapReport

__all__ = ["PROJECTION_PERIODS", "RENDERERS"]

PROJECTION_PERIODS: Final = 12
"""How many periods of an `SBGModel`'s projection its notebook chart shows."""


def _survival(curve: SurvivalCurve) -> str | None:
    return charts.survival_chart(curve) if curve.times else None


def _sbg(model: SBGModel) -> str:
    return charts.projection_chart(
        model.project(PROJECTION_PERIODS), unit=model.unit, band_label="95 % band"
    )


def _cohorts(table: CohortTable) -> str | None:
    return charts.cohort_heat_map(table) if table.cells else None


def _cohort_value(value: CohortValue) -> str | None:
    if not value.cumulative:
        return None
    months = list(value.cumulative)
    return charts.line_chart(
        [charts.Series(value.cohort, months, [float(v) for v in value.cumulative.values()])],
        title=f"Cumulative margin per member: cohort {value.cohort} ({value.members:,} members)",
        x_label="months since joining",
        y_label="margin per member",
    )


def _tiers(tiers: TierAssignment) -> str | None:
    if not tiers.counts:
        return None
    return charts.bar_chart(
        list(tiers.counts),
        list(tiers.counts.values()),
        title="Members per tier",
        x_label="members",
        y_label="tier",
    )


def _gaps(report: GapReport) -> str | None:
    return charts.skill_gap_heat_map(report) if report.skills else None


def _holdout(check: HoldoutCheck) -> str | None:
    if not check.by_period:
        return None
    return charts.expected_vs_actual_chart(
        [p.period for p in check.by_period],
        [p.expected for p in check.by_period],
        [p.actual for p in check.by_period],
        cumulative=True,
        x_label="periods after calibration",
        y_label="cumulative repeat purchases",
        title="Holdout check: expected and actual repeat purchases",
    )


def _repeat(repeat: RepeatAnalysis) -> str | None:
    return None if repeat.holdout is None else _holdout(repeat.holdout)


def _segments(counts: dict[str, int], title: str) -> str | None:
    if not counts:
        return None
    return charts.bar_chart(
        list(counts), list(counts.values()), title=title, x_label="members", y_label="segment"
    )


def _analysis(analysis: MemberAnalysis) -> str | None:
    """The survival curve; with the repeat-purchase models only, the holdout or the segments."""
    if analysis.survival is not None and analysis.survival.times:
        return charts.survival_chart(analysis.survival)
    if analysis.repeat is not None and analysis.repeat.holdout is not None:
        return _holdout(analysis.repeat.holdout)
    return _segments(analysis.segment_counts, "Members per RFM segment")


def _scores(scores: MemberScores) -> str | None:
    counts: dict[str, int] = {}
    for s in scores.scores:
        counts[s.segment] = counts.get(s.segment, 0) + 1
    return _segments(counts, "Members per RFM segment")


def _review(outcome: ReviewOutcome) -> str | None:
    return charts.band_distribution_chart(outcome) if outcome.summary.band_counts else None


RENDERERS: Final[dict[type, ChartRenderer]] = {
    SurvivalCurve: _survival,
    SBGModel: _sbg,
    CohortTable: _cohorts,
    CohortValue: _cohort_value,
    TierAssignment: _tiers,
    GapReport: _gaps,
    ReviewOutcome: _review,
    HoldoutCheck: _holdout,
    RepeatAnalysis: _repeat,
    MemberAnalysis: _analysis,
    MemberScores: _scores,
}
"""Result class → the chart its `_repr_html_` shows (registered below, once, on import)."""

for _cls, _render in RENDERERS.items():
    register_chart(_cls, _render)
