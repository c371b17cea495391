"""Rendering at the edge: text reports, HTML pages and inline SVG charts of mteam's values.

The domain never formats. [`mteam.report.text`][mteam.report.text] writes the text reports;
[`mteam.report.charts`][mteam.report.charts] turns result values into SVG strings written by
mteam itself (no plotting dependency); [`mteam.report.html`][mteam.report.html] composes them
with headings, paragraphs and tables into one self-contained HTML page.

Examples:
    >>> from mteam.io import load_sample_team
    >>> from mteam.report import format_report
    >>> from mteam.review import run_review
    >>> print(format_report(run_review(load_sample_team())).splitlines()[2])
    TEAM SUMMARY
"""

from mteam.report.text import (
    format_gap_report,
    format_member_report,
    format_report,
    format_skill_matrix,
)

__all__ = ["format_gap_report", "format_member_report", "format_report", "format_skill_matrix"]
