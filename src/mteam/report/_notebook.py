"""The charts that result values show in a notebook, registered when `mteam.report` is imported.

The domain's `_repr_html_` (the [`Records`][mteam._records.Records] mixin, and
`ReviewOutcome`) asks [`chart_for`][mteam._records.chart_for] for a chart; this module is
where the edge answers, one renderer per result class. Each renderer returns None when the
value has nothing worth drawing, so the table is shown alone.
"""

from __future__ import annotations

from typing import Final

from mteam._records import ChartRenderer, register_chart
from mteam.membership.cltv import CohortValue
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
}
"""Result class → the chart its `_repr_html_` shows (registered below, once, on import)."""

for _cls, _render in RENDERERS.items():
    register_chart(_cls, _render)
