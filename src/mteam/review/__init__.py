"""The review cycle: one call from a team document to the whole outcome.

[`run_review`][mteam.review.cycle.run_review] takes a
[`TeamDocument`][mteam.review.document.TeamDocument] (members with roles, dates, salaries,
skill levels, KPI actuals, reward preferences; 360-degree ratings; project evaluations; the
reward and training catalogs with the training budget; the bonus pool; the review period) and
a [`ReviewPolicy`][mteam.review.document.ReviewPolicy] (every policy, each with its documented
default), and returns a [`ReviewOutcome`][mteam.review.outcome.ReviewOutcome]:

* per member: the KPI scorecard, the 360-degree report, the composite score and band, the
  bonus, the recognition reward, the skill gaps and the training assignments;
* per team: skill coverage and bus-factor flags, the gap heat-map, the bonus totals and their
  fairness, and the training plan's totals.

The modules: [`document`][mteam.review.document] (the document's values, validated when
built), [`cycle`][mteam.review.cycle] (the cross-reference checks and the cycle) and
[`outcome`][mteam.review.outcome] (the result values). Reading a document from a file is
[`mteam.io`][mteam.io]'s business, printing the outcome [`mteam.report`][mteam.report]'s.

Examples:
    >>> from mteam.io import load_sample_team
    >>> from mteam.review import run_review
    >>> outcome = run_review(load_sample_team())
    >>> outcome
    ReviewOutcome(team='Membership marketing', members=12, period=2026-01-01..2026-12-31, \
bonus=1,000,000/1,000,000 TWD, training=39,500/50,000 TWD)
"""

from mteam.review.cycle import document_catalog, run_review, validate_document
from mteam.review.document import ProjectRecord, ReviewPolicy, TeamDocument, TeamMember
from mteam.review.outcome import MemberOutcome, ReviewOutcome, TeamSummary

__all__ = [
    "MemberOutcome",
    "ProjectRecord",
    "ReviewOutcome",
    "ReviewPolicy",
    "TeamDocument",
    "TeamMember",
    "TeamSummary",
    "document_catalog",
    "run_review",
    "validate_document",
]
