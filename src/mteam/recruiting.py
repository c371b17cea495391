"""The hiring funnel: from resume screen to probation, by stage and by channel.

The selection process of the source articles runs resume screen → first interview → skill
test → in-depth interview → background check → probation → hired. Each application records
the stages it entered (with dates) and how it ended (hired, rejected, withdrew, or still open).
The funnel counts the applications that reached each stage, the conversion from the stage
before, the overall yield (hired ÷ applications), the median time to hire and the median time
spent in each stage, overall and per recruiting channel.

Examples:
    >>> from datetime import date
    >>> from mteam.recruiting import Application, funnel
    >>> apps = [
    ...     Application("c1", "referral", [("resume_screen", date(2026, 3, 1)),
    ...         ("first_interview", date(2026, 3, 5)), ("skill_test", date(2026, 3, 9)),
    ...         ("in_depth_interview", date(2026, 3, 16)), ("background_check", date(2026, 3, 20)),
    ...         ("probation", date(2026, 3, 25))], outcome="hired", closed_on=date(2026, 6, 25)),
    ...     Application("c2", "online_platform", [("resume_screen", date(2026, 3, 2)),
    ...         ("first_interview", date(2026, 3, 8))], outcome="rejected",
    ...         closed_on=date(2026, 3, 9)),
    ...     Application("c3", "online_platform", [("resume_screen", date(2026, 3, 3))],
    ...         outcome="rejected", closed_on=date(2026, 3, 4)),
    ... ]
    >>> report = funnel(apps)
    >>> [(s.stage, s.reached, None if s.conversion is None else round(s.conversion, 2))
    ...  for s in report.stages][:3]
    [('resume_screen', 3, None), ('first_interview', 2, 0.67), ('skill_test', 1, 0.5)]
    >>> round(report.overall_yield, 3), report.median_days_to_hire
    (0.333, 116)
"""

from __future__ import annotations

import enum
import statistics
from collections.abc import Iterable
from datetime import date
from typing import Any, Final

import attrs

from mteam._records import Cell, Records
from mteam._validate import check_records, check_sequence, enum_value, of_type, show, text
from mteam.errors import InvalidInputError
from mteam.labels import Label

__all__ = [
    "CHANNEL_LABELS",
    "STAGE_LABELS",
    "Application",
    "Channel",
    "FunnelReport",
    "Outcome",
    "Stage",
    "StageFigures",
    "funnel",
]


class Stage(enum.Enum):
    """The selection stages, in order.

    Examples:
        >>> [s.value for s in Stage][:3], STAGE_LABELS[Stage.SKILL_TEST].get("zh-Hant")
        (['resume_screen', 'first_interview', 'skill_test'], '技能測試')
    """

    RESUME_SCREEN = "resume_screen"
    FIRST_INTERVIEW = "first_interview"
    SKILL_TEST = "skill_test"
    IN_DEPTH_INTERVIEW = "in_depth_interview"
    BACKGROUND_CHECK = "background_check"
    PROBATION = "probation"


class Outcome(enum.Enum):
    """How an application ended.

    Examples:
        >>> Outcome("withdrew")
        <Outcome.WITHDREW: 'withdrew'>
    """

    HIRED = "hired"
    REJECTED = "rejected"
    WITHDREW = "withdrew"
    OPEN = "open"


class Channel(enum.Enum):
    """The recruiting channels of the source articles.

    Examples:
        >>> CHANNEL_LABELS[Channel("referral")].en
        'referral'
    """

    ONLINE_PLATFORM = "online_platform"
    SOCIAL_MEDIA = "social_media"
    REFERRAL = "referral"
    CAMPUS = "campus"
    HEADHUNTER = "headhunter"


STAGE_LABELS: Final = {
    Stage.RESUME_SCREEN: Label("resume screen", "篩選履歷"),
    Stage.FIRST_INTERVIEW: Label("first interview", "初步面試"),
    Stage.SKILL_TEST: Label("skill test", "技能測試"),
    Stage.IN_DEPTH_INTERVIEW: Label("in-depth interview", "深入面試"),
    Stage.BACKGROUND_CHECK: Label("background check", "背景調查"),
    Stage.PROBATION: Label("probation", "試用期"),
}
"""The stages' labels, in the articles' wording."""

CHANNEL_LABELS: Final = {
    Channel.ONLINE_PLATFORM: Label("online job platform", "線上招聘平台"),
    Channel.SOCIAL_MEDIA: Label("social media", "社群媒體"),
    Channel.REFERRAL: Label("referral", "人才推薦"),
    Channel.CAMPUS: Label("campus recruiting", "校園招聘"),
    Channel.HEADHUNTER: Label("headhunter", "獵頭公司"),
}
"""The channels' labels, in the articles' wording."""

_ORDER: Final = list(Stage)


def _to_history(value: Iterable[Any]) -> tuple[tuple[Stage, date], ...]:
    check_sequence("history", value)
    out = []
    for i, entry in enumerate(value):
        try:
            stage, on = entry
            stage = Stage(stage) if not isinstance(stage, Stage) else stage
        except (TypeError, ValueError):
            raise InvalidInputError(
                f"history[{i}]", f"must be (stage, date), got {show(entry)}"
            ) from None
        if not isinstance(on, date):
            raise InvalidInputError(f"history[{i}]", f"must be (stage, date), got {show(entry)}")
        out.append((stage, on))
    return tuple(out)


_CHANNEL: Final = enum_value(Channel, "channel")
_OUTCOME: Final = enum_value(Outcome, "outcome")


def _to_channel(value: Channel | str) -> Channel:
    return _CHANNEL(value)


def _to_outcome(value: Outcome | str) -> Outcome:
    return _OUTCOME(value)


@attrs.frozen
class Application:
    """One candidate's path through the selection process.

    Attributes:
        candidate_id: The candidate.
        channel: Where they came from (a `Channel` or its value).
        history: The stages entered, in order, with the day each was entered.
        outcome: How it ended (a `Outcome` or its value; `open` while it runs).
        closed_on: The day it ended (the hiring day for a hire), None while open.

    Examples:
        >>> from datetime import date
        >>> app = Application("c9", "campus", [("resume_screen", date(2026, 4, 1))])
        >>> app.outcome, app.closed_on
        (<Outcome.OPEN: 'open'>, None)
        >>> Application("c9", "campus", [("skill_test", date(2026, 4, 1))])
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: history: stages must run in order from the resume ...
    """

    candidate_id: str = attrs.field(validator=text())
    channel: Channel = attrs.field(converter=_to_channel)
    history: tuple[tuple[Stage, date], ...] = attrs.field(converter=_to_history)
    outcome: Outcome = attrs.field(default=Outcome.OPEN, converter=_to_outcome, kw_only=True)
    closed_on: date | None = attrs.field(
        default=None, validator=of_type(date, type(None)), kw_only=True
    )

    def __attrs_post_init__(self) -> None:
        if not self.history:
            raise InvalidInputError("history", "must have at least the first stage")
        stages = [s for s, _ in self.history]
        if stages != _ORDER[: len(stages)]:
            raise InvalidInputError(
                "history", "stages must run in order from the resume screen, none skipped"
            )
        days = [d for _, d in self.history]
        if days != sorted(days):
            raise InvalidInputError("history", "stage dates must not go back in time")
        if (self.outcome is Outcome.OPEN) != (self.closed_on is None):
            raise InvalidInputError("closed_on", "is given exactly when the application is closed")
        if self.closed_on is not None and self.closed_on < days[-1]:
            raise InvalidInputError("closed_on", f"must not be before the last stage ({days[-1]})")
        if self.outcome is Outcome.HIRED and stages[-1] is not Stage.PROBATION:
            raise InvalidInputError("outcome", "a hire must have reached probation")


@attrs.frozen
class StageFigures(Records):
    """One stage of the funnel.

    Attributes:
        stage: The stage.
        reached: Applications that entered it.
        conversion: `reached / reached at the stage before` (None for the first stage, or when
            nobody reached the stage before).
        median_days: Median days spent in the stage, over the applications that left it
            (moved on or closed), None when none has.

    Examples:
        Two applications screened on 1 and 3 March, one moving on on 5 March (4 days) and one
        rejected on 4 March (1 day): median (1 + 4) / 2 = 2.5 days.

        >>> from datetime import date
        >>> report = funnel([
        ...     Application("a", "referral", [("resume_screen", date(2026, 3, 1)),
        ...                                   ("first_interview", date(2026, 3, 5))]),
        ...     Application("b", "referral", [("resume_screen", date(2026, 3, 3))],
        ...                 outcome="rejected", closed_on=date(2026, 3, 4))])
        >>> report.stages[0].to_records()
        [{'stage': 'resume_screen', 'reached': 2, 'conversion': None, 'median_days': 2.5}]
    """

    stage: str
    reached: int
    conversion: float | None
    median_days: float | None


@attrs.frozen
class FunnelReport(Records):
    """The hiring funnel.

    Attributes:
        applications: How many applications.
        hired: How many hires.
        stages: One entry per stage, in order.
        overall_yield: `hired / applications`.
        median_days_to_hire: Median days from the resume screen to the hiring day, None
            without hires.
        by_channel: Channel → its own funnel (empty inside a channel's report).

    Examples:
        Its records are one row per channel (`"all"` first, then each channel in the funnel)
        and stage, with that channel's totals; its HTML shows the overall funnel.

        >>> from datetime import date
        >>> report = funnel([Application("a", "referral", [("resume_screen", date(2026, 3, 1))],
        ...                              outcome="withdrew", closed_on=date(2026, 3, 2))])
        >>> rows = report.to_records()
        >>> len(rows), rows[0]["channel"], rows[6]["channel"], rows[0]["overall_yield"]
        (12, 'all', 'referral', 0.0)
    """

    applications: int
    hired: int
    stages: tuple[StageFigures, ...]
    overall_yield: float
    median_days_to_hire: float | None
    by_channel: dict[str, FunnelReport]

    def _rows(self) -> list[dict[str, object]]:
        """One row per channel (`"all"` first) and stage, with the channel's totals."""
        parts = [("all", self), *self.by_channel.items()]
        return [
            {
                "channel": channel,
                "stage": s.stage,
                "reached": s.reached,
                "conversion": s.conversion,
                "median_days": s.median_days,
                "applications": report.applications,
                "hired": report.hired,
                "overall_yield": report.overall_yield,
                "median_days_to_hire": report.median_days_to_hire,
            }
            for channel, report in parts
            for s in report.stages
        ]

    def _html_rows(self) -> list[dict[str, Cell]]:
        """The overall funnel, one row per stage."""
        return [row for row in self.to_records() if row["channel"] == "all"]

    def _html_caption(self) -> str:
        return (
            f"FunnelReport: {self.hired} hired of {self.applications} applications "
            f"(yield {self.overall_yield:.3g})"
        )


def _median(values: list[int]) -> float | None:
    return None if not values else statistics.median(values)


def _report(apps: list[Application], *, split: bool) -> FunnelReport:
    stages = []
    previous: int | None = None
    for k, stage in enumerate(_ORDER):
        reached = [a for a in apps if len(a.history) > k]
        durations = []
        for a in reached:
            if len(a.history) > k + 1:
                durations.append((a.history[k + 1][1] - a.history[k][1]).days)
            elif a.closed_on is not None:
                durations.append((a.closed_on - a.history[k][1]).days)
        conversion: float | None = None if not previous else len(reached) / previous
        stages.append(StageFigures(stage.value, len(reached), conversion, _median(durations)))
        previous = len(reached)
    hires = [a for a in apps if a.outcome is Outcome.HIRED]
    to_hire = [(a.closed_on - a.history[0][1]).days for a in hires if a.closed_on is not None]
    by_channel = {}
    if split:
        for channel in Channel:
            mine = [a for a in apps if a.channel is channel]
            if mine:
                by_channel[channel.value] = _report(mine, split=False)
    return FunnelReport(
        len(apps),
        len(hires),
        tuple(stages),
        len(hires) / len(apps) if apps else 0.0,
        _median(to_hire),
        by_channel,
    )


def funnel(applications: Iterable[Application]) -> FunnelReport:
    """The funnel of a set of applications, overall and per channel.

    Raises:
        InvalidInputError: something other than an Application, or a candidate twice.

    Examples:
        Four applications, two reach the first interview (conversion 2 / 4 = 0.5), one is hired
        (yield 1 / 4 = 0.25) 30 days after its screen.

        >>> from datetime import date
        >>> def path(n):
        ...     return [(s, date(2026, 1, 1 + k)) for k, s in enumerate(list(Stage)[:n])]
        >>> report = funnel([
        ...     Application("a", "referral", path(6), outcome="hired", closed_on=date(2026, 1, 31)),
        ...     Application("b", "campus", path(2)),
        ...     Application("c", "campus", path(1)), Application("d", "campus", path(1))])
        >>> report.stages[1].conversion, report.overall_yield, report.median_days_to_hire
        (0.5, 0.25, 30)
        >>> report.by_channel["campus"].hired
        0
    """
    check_sequence("applications", applications)
    apps = list(applications)
    check_records("applications", apps, Application, "candidate_id")
    return _report(apps, split=True)
