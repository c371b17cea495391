"""Rendering at the edge: text reports, HTML pages and inline SVG charts of mteam's values.

The domain never formats. [`mteam.report.text`][mteam.report.text] writes the text reports;
[`mteam.report.charts`][mteam.report.charts] turns result values into SVG strings written by
mteam itself (no plotting dependency); [`mteam.report.html`][mteam.report.html] composes them
with headings, paragraphs and tables into one self-contained HTML page.

Importing `mteam.report` (which `import mteam` does) also registers the charts that result
values show in a notebook: a [`SurvivalCurve`][mteam.membership.survival.SurvivalCurve] its
curve and band, an [`SBGModel`][mteam.membership.sbg.SBGModel] its projection, a
[`CohortTable`][mteam.membership.retention.CohortTable] its retention heat-map, a
[`ReviewOutcome`][mteam.review.ReviewOutcome] its band distribution, and so on. The domain
never imports this package: its `_repr_html_` asks the registry in `mteam._records`, which
only the edge fills.

Examples:
    >>> from mteam.io import load_sample_team
    >>> from mteam.report import format_report
    >>> from mteam.review import run_review
    >>> print(format_report(run_review(load_sample_team())).splitlines()[2])
    TEAM SUMMARY
"""

from mteam.report import _notebook  # noqa: F401 - registers the notebook charts
from mteam.report.text import (
    format_gap_report,
    format_member_report,
    format_report,
    format_skill_matrix,
)

__all__ = ["format_gap_report", "format_member_report", "format_report", "format_skill_matrix"]
