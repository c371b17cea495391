"""The outcome of a review cycle: per member, and for the team.

Examples:
    >>> from mteam.io import load_sample_team
    >>> from mteam.review import run_review
    >>> outcome = run_review(load_sample_team())
    >>> m = outcome.member("m01")
    >>> m.band, m.band_name.en
    (5, 'outstanding')
"""

from __future__ import annotations

import html
import math
from decimal import Decimal
from typing import Any

import attrs

from mteam._records import Records, chart_for
from mteam._validate import find
from mteam.labels import Label
from mteam.money import Currency
from mteam.performance.composite import CompositeScore, ForcedDistribution
from mteam.performance.feedback import FeedbackRelease, FeedbackReport
from mteam.performance.kpi import Scorecard
from mteam.periods import Period
from mteam.rewards.bonus import BonusAllocation, BonusLine, FairnessSummary
from mteam.rewards.recognition import RecognitionResult
from mteam.skills import BusFactorFlag
from mteam.training import Assignment, GapReport, SkillGap, SkillNeed, TrainingPlan

__all__ = ["MemberOutcome", "ReviewOutcome", "TeamSummary"]


@attrs.frozen
class MemberOutcome(Records):
    """One member's review outcome.

    `to_records()` gives one row of headline figures (the member's row of
    `ReviewOutcome.to_records()`): KPI, feedback (the others-score; no rater, no group),
    composite, band, bonus (a `Decimal`), reward, readiness, weighted gap and training.

    Attributes:
        member_id: The member.
        name: Their name.
        role: Their role id.
        scorecard: Their KPI scorecard (None without KPI actuals).
        feedback: Their 360-degree report (None without ratings).
        composite: The composite score and how it was made.
        band: The band level.
        band_name: The band's label.
        bonus: The bonus line.
        reward: The recognition reward received (None for none).
        readiness: Their role fit, in [0, 1].
        gaps: Their skill gaps.
        training: Their training assignments.

    Examples:
        In the bundled sample, m01's composite is 1.158 (at least 1.05, so band 5 of the default
        bands) and their bonus is capped at 1.4 × their prorated target:

        >>> from mteam.io import load_sample_team
        >>> from mteam.review import run_review
        >>> m01 = run_review(load_sample_team()).member("m01")
        >>> round(m01.composite.score, 3), m01.band, m01.band_name.get("zh-Hant")
        (1.158, 5, '傑出')
        >>> row = m01.to_records()[0]
        >>> row["bonus"], row["capped"], row["reward"]
        (Decimal('134400'), True, 'promotion')
    """

    member_id: str
    name: str
    role: str
    scorecard: Scorecard | None
    feedback: FeedbackReport | None
    composite: CompositeScore
    band: int
    band_name: Label
    bonus: BonusLine
    reward: str | None
    readiness: float
    gaps: tuple[SkillGap, ...]
    training: tuple[Assignment, ...]

    def _rows(self) -> list[dict[str, object]]:
        return [
            {
                "member_id": self.member_id,
                "name": self.name,
                "role": self.role,
                "kpi": None if self.scorecard is None else self.scorecard.score,
                "feedback": None if self.feedback is None else self.feedback.others_score,
                "composite": self.composite.score,
                "band": self.band,
                "band_name": self.band_name.en,
                "bonus": self.bonus.amount,
                "capped": self.bonus.capped,
                "reward": self.reward,
                "readiness": self.readiness,
                "weighted_gap": math.fsum(g.weighted_gap for g in self.gaps),
                "training_courses": len(self.training),
                "training_cost": sum((a.cost for a in self.training), Decimal(0)),
            }
        ]


@attrs.frozen
class TeamSummary(Records):
    """The team-level figures of a review.

    `to_records()` gives one row per band of the policy: `band`, `band_name` and `members`.

    Attributes:
        members: How many members were reviewed.
        band_counts: Band level → members in it.
        band_names: Band level → its label.
        forced_distribution: The quota counts when a forced distribution was used.
        coverage: Skill id → level → members at that level (the skills some role requires).
        max_bus_factor: Skills held at proficient by at most this many members are flagged.
        bus_factor_flags: Required skills held at proficient by too few members.
        skill_needs: The team's training needs per skill, highest priority first.
        fairness: The fairness of the bonus allocation.

    Examples:
        >>> from mteam.io import load_sample_team
        >>> from mteam.review import run_review
        >>> summary = run_review(load_sample_team()).summary
        >>> summary.members, summary.band_counts
        (12, {1: 1, 2: 2, 3: 3, 4: 4, 5: 2})
        >>> [(r["band"], r["members"]) for r in summary.to_records()]
        [(1, 1), (2, 2), (3, 3), (4, 4), (5, 2)]
    """

    members: int
    band_counts: dict[int, int]
    band_names: dict[int, Label]
    forced_distribution: ForcedDistribution | None
    coverage: dict[str, dict[int, int]]
    max_bus_factor: int
    bus_factor_flags: tuple[BusFactorFlag, ...]
    skill_needs: tuple[SkillNeed, ...]
    fairness: FairnessSummary

    def _rows(self) -> list[dict[str, object]]:
        return [
            {"band": band, "band_name": name.en, "members": self.band_counts.get(band, 0)}
            for band, name in sorted(self.band_names.items())
        ]


@attrs.frozen
class ReviewOutcome:
    """The whole outcome of a review cycle.

    Attributes:
        team: The team's name.
        period: The review period.
        currency: The currency.
        summary: The team-level figures.
        members: One outcome per member, sorted by member id.
        bonus: The bonus allocation.
        recognition: The recognition round.
        gap_report: The gap analysis.
        training: The training plan.
        release: The record of the 360-degree figures this outcome publishes (and those of
            earlier releases, carried forward) when the cycle was run with a key; None
            otherwise. Keep it (`release.to_dict()` is JSON-ready) apart from the key, and
            pass it as `previous` to the next run of the same cycle. It holds no rater id,
            no score and no mean; it is kept out of the reports.

    Examples:
        >>> from mteam.io import load_sample_team
        >>> from mteam.review import run_review
        >>> outcome = run_review(load_sample_team())
        >>> outcome.bonus.allocated + outcome.bonus.unallocated == outcome.bonus.pool
        True
        >>> len(outcome.members), outcome.training.cost <= outcome.training.budget
        (12, True)
    """

    team: str
    period: Period
    currency: Currency
    summary: TeamSummary
    members: tuple[MemberOutcome, ...]
    bonus: BonusAllocation
    recognition: RecognitionResult
    gap_report: GapReport
    training: TrainingPlan
    release: FeedbackRelease | None = None

    def __repr__(self) -> str:
        pool = "none" if self.bonus.pool is None else f"{self.bonus.pool:,}"
        return (
            f"ReviewOutcome(team={self.team!r}, members={len(self.members)}, "
            f"period={self.period.start}..{self.period.end}, "
            f"bonus={self.bonus.allocated:,}/{pool} {self.currency.code}, "
            f"training={self.training.cost:,}/{self.training.budget:,} {self.currency.code})"
        )

    def member(self, member_id: str) -> MemberOutcome:
        """One member's outcome.

        Raises:
            InvalidInputError: no such member.

        Examples:
            >>> from mteam.io import load_sample_team
            >>> from mteam.review import run_review
            >>> outcome = run_review(load_sample_team())
            >>> outcome.member("m04").band_name.en
            'meets expectations'
            >>> outcome.member("m99")
            Traceback (most recent call last):
            mteam.errors.InvalidInputError: member_id: unknown member 'm99'
        """
        return find(self.members, lambda m: m.member_id, member_id, "member_id", "member")

    def to_records(self) -> list[dict[str, Any]]:
        """One row per member with the headline figures, for `pandas.DataFrame(...)`.

        The rows of [`MemberOutcome.to_records`][mteam.review.outcome.MemberOutcome], by
        member id: the bonus is a `Decimal` in the outcome's currency, and no rater and no
        360-degree group appears (the feedback column is the others-score).

        Examples:
            >>> from mteam.io import load_sample_team
            >>> from mteam.review import run_review
            >>> outcome = run_review(load_sample_team())
            >>> rows = outcome.to_records()
            >>> [r["member_id"] for r in rows][:3], sum(r["bonus"] for r in rows)
            (['m01', 'm02', 'm03'], Decimal('1000000'))
            >>> sum(r["bonus"] for r in rows) == outcome.bonus.allocated
            True
        """
        return [row for m in self.members for row in m.to_records()]

    def _repr_html_(self) -> str:
        """The review's compact summary for Jupyter: headline figures, bands, members.

        The headline figures (period, members, bonus pool and allocation, training budget and
        plan), the members per band as a chart (registered by `mteam.report`, which
        `import mteam` imports; see `mteam._records.chart_for`) and one row per member.
        Every text is escaped; no rater appears.
        """
        code = self.currency.code
        pool = "none" if self.bonus.pool is None else f"{self.bonus.pool:,} {code}"
        figures = [
            ("period", f"{self.period.start} – {self.period.end}"),
            ("members", str(len(self.members))),
            ("bonus pool", pool),
            ("allocated", f"{self.bonus.allocated:,} {code}"),
            ("unallocated", f"{self.bonus.unallocated:,} {code}"),
            ("training budget", f"{self.training.budget:,} {code}"),
            ("training planned", f"{self.training.cost:,} {code}"),
        ]
        summary = "\n".join(
            f'<tr><th scope="row">{html.escape(k)}</th><td>{html.escape(v)}</td></tr>'
            for k, v in figures
        )
        columns = ["member_id", "name", "role", "composite", "band_name", "bonus", "reward"]
        head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in columns)
        body = "\n".join(
            "<tr>" + "".join(f"<td>{html.escape(_cell(row[c]))}</td>" for c in columns) + "</tr>"
            for row in self.to_records()
        )
        parts = [
            '<div class="mteam-result">',
            '<table class="mteam-records">',
            f"<caption>Review: {html.escape(self.team)}</caption>",
            f"<tbody>\n{summary}\n</tbody>",
            "</table>",
        ]
        chart = chart_for(self)
        if chart is not None:
            parts.append(f"<figure>{chart}</figure>")
        parts += [
            '<table class="mteam-records">',
            f"<caption>Members ({code})</caption>",
            f"<thead><tr>{head}</tr></thead>",
            f"<tbody>\n{body}\n</tbody>",
            "</table>",
            "</div>",
        ]
        return "\n".join(parts)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, Decimal):
        return f"{value:,}"
    return "" if value is None else str(value)
