"""Rendering at the edge: text reports of mteam's values.

The domain never formats; these functions turn its results into text. See
[`mteam.report.text`][mteam.report.text] for the reports themselves.

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
