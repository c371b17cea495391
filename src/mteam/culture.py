"""Team surveys with reverse-scored items and anonymity, and the employee Net Promoter Score.

A survey's items are answered on a scale (1–7 for the built-in psychological-safety survey);
a reverse-scored item counts as `minimum + maximum − answer`. A respondent's score is the mean
of their (reversed where needed) answers, and the team's score the mean of the respondents'.

The built-in [`PSYCHOLOGICAL_SAFETY`][mteam.culture.PSYCHOLOGICAL_SAFETY] survey is Amy
Edmondson's seven-item team psychological-safety scale ("Psychological Safety and Learning
Behavior in Work Teams", Administrative Science Quarterly 44(2), 1999), the construct behind
Google's Project Aristotle that the source articles cite; items 1, 3 and 5 are reverse-scored.

eNPS = % promoters (9–10) − % detractors (0–6) on "How likely are you to recommend this team
as a place to work?" (0–10), in points from −100 to 100: the Net Promoter Score of Reichheld
("The One Number You Need to Grow", Harvard Business Review 81(12), 2003) asked of employees.

**Anonymity.** Below `min_respondents` (5 unless given) a result is suppressed: it carries the
count and no score at all, and no result ever holds an individual's answers or id.

Examples:
    >>> from mteam.culture import PSYCHOLOGICAL_SAFETY, enps, score_survey
    >>> answers = [
    ...     [2, 6, 2, 6, 3, 6, 6],
    ...     [3, 5, 1, 6, 2, 7, 6],
    ...     [1, 6, 2, 7, 2, 6, 7],
    ...     [4, 4, 3, 5, 4, 5, 5],
    ...     [2, 6, 1, 6, 1, 6, 6],
    ... ]
    >>> result = score_survey(PSYCHOLOGICAL_SAFETY, answers)
    >>> result.respondents, round(result.score, 3)  # (41 + 42 + 45 + 32 + 44) / 35
    (5, 5.829)
    >>> score_survey(PSYCHOLOGICAL_SAFETY, answers[:4]).score is None
    True
    >>> enps([10, 9, 9, 8, 7, 6, 3, 10]).score
    25.0
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Final

import attrs

from mteam._records import Records
from mteam._validate import (
    check_instance,
    check_int,
    check_sequence,
    items_of,
    of_type,
    text,
    to_items,
)
from mteam.errors import InvalidInputError
from mteam.labels import Label, is_label, to_label
from mteam.scales import RatingScale

__all__ = [
    "PSYCHOLOGICAL_SAFETY",
    "ENPSResult",
    "Survey",
    "SurveyItem",
    "SurveyResult",
    "enps",
    "reverse_score",
    "score_survey",
]


@attrs.frozen
class SurveyItem:
    """One statement of a survey.

    Attributes:
        id: A stable identifier.
        text: The statement.
        reverse: Whether agreeing means less of what is measured.

    Examples:
        >>> item = SurveyItem("ps1", "Mistakes are held against you.", reverse=True)
        >>> item.reverse, item.text.en
        (True, 'Mistakes are held against you.')
    """

    id: str = attrs.field(validator=text())
    text: Label = attrs.field(converter=to_label, validator=is_label)
    reverse: bool = attrs.field(default=False, validator=of_type(bool))


@attrs.frozen
class Survey:
    """A survey: items answered on one scale.

    Attributes:
        id: A stable identifier.
        name: The label.
        items: The items (at least one).
        scale: The answer scale (integral).

    Examples:
        >>> pulse = Survey("pulse", "Pulse", [SurveyItem("q1", "I know what is expected of me.")],
        ...                RatingScale(1, 5, integral=True))
        >>> len(pulse.items), pulse.scale.maximum
        (1, 5)
    """

    id: str = attrs.field(validator=text())
    name: Label = attrs.field(converter=to_label, validator=is_label)
    items: tuple[SurveyItem, ...] = attrs.field(converter=to_items, validator=items_of(SurveyItem))
    scale: RatingScale = attrs.field(
        factory=lambda: RatingScale(1, 7, integral=True), validator=of_type(RatingScale)
    )

    @items.validator
    def _check_items(self, _attr: object, value: tuple[SurveyItem, ...]) -> None:
        if not value:
            raise InvalidInputError("items", "must not be empty")


def reverse_score(answer: float, scale: RatingScale) -> float:
    """`minimum + maximum − answer`: reversing twice gives the answer back.

    Examples:
        >>> seven = RatingScale(1, 7)
        >>> reverse_score(2, seven), reverse_score(reverse_score(2, seven), seven)
        (6, 2)
    """
    check_instance("scale", scale, RatingScale)
    scale.check(answer, "answer")
    return scale.minimum + scale.maximum - answer


@attrs.frozen
class SurveyResult(Records):
    """A team's survey result.

    Attributes:
        survey_id: The survey.
        respondents: How many answered.
        suppressed: Whether there were fewer than the anonymity threshold.
        score: The team's mean score on the survey's scale (None when suppressed).
        item_means: Item id → mean (reversed where needed); empty when suppressed.

    Examples:
        Its records are one row per item with the team's figures repeated; a suppressed result
        has one row and no item. Two items on 1–5, the second reversed; answers (4, 2) and
        (5, 1): item means (4 + 5) / 2 = 4.5 and ((6 − 2) + (6 − 1)) / 2 = 4.5.

        >>> survey = Survey("s", "S", [SurveyItem("a", "A"), SurveyItem("b", "B", reverse=True)],
        ...                 RatingScale(1, 5, integral=True))
        >>> score_survey(survey, [[4, 2], [5, 1]], min_respondents=2).to_records()
        [{'survey_id': 's', 'respondents': 2, 'suppressed': False, 'score': 4.5, 'item_id': 'a', \
        'item_mean': 4.5}, {'survey_id': 's', 'respondents': 2, 'suppressed': False, 'score': 4.5, \
        'item_id': 'b', 'item_mean': 4.5}]
        >>> score_survey(survey, [[4, 2]], min_respondents=2).to_records()
        [{'survey_id': 's', 'respondents': 1, 'suppressed': True, 'score': None, 'item_id': None, \
        'item_mean': None}]
    """

    survey_id: str
    respondents: int
    suppressed: bool
    score: float | None
    item_means: dict[str, float]

    def _rows(self) -> list[dict[str, object]]:
        """One row per item (one row with no item when suppressed: nothing else is shown)."""
        head = {
            "survey_id": self.survey_id,
            "respondents": self.respondents,
            "suppressed": self.suppressed,
            "score": self.score,
        }
        if not self.item_means:
            return [{**head, "item_id": None, "item_mean": None}]
        return [{**head, "item_id": k, "item_mean": v} for k, v in self.item_means.items()]


def score_survey(
    survey: Survey, responses: Iterable[Sequence[float]], min_respondents: int = 5
) -> SurveyResult:
    """Score a team's answers (one list per respondent, in item order; see module docs).

    Raises:
        InvalidInputError: a response of the wrong length or off the scale (the path names the
            response's position, never a person), or a threshold below 1.

    Examples:
        One item on 1–7, reversed: answers 2, 3, 1, 4 and 2 count as 6, 5, 7, 4 and 6, mean
        28 / 5 = 5.6.

        >>> survey = Survey("s", "S", [SurveyItem("q", "Q", reverse=True)])
        >>> score_survey(survey, [[2], [3], [1], [4], [2]]).score
        5.6
    """
    check_instance("survey", survey, Survey)
    check_sequence("responses", responses)
    check_int("min_respondents", min_respondents, ge=1)
    rows = []
    for i, response in enumerate(responses):
        answers = list(response)
        if len(answers) != len(survey.items):
            raise InvalidInputError(
                f"responses[{i}]", f"must have {len(survey.items)} answers, got {len(answers)}"
            )
        row = []
        for j, (item, answer) in enumerate(zip(survey.items, answers, strict=True)):
            survey.scale.check(answer, f"responses[{i}][{j}]")
            row.append(reverse_score(answer, survey.scale) if item.reverse else float(answer))
        rows.append(row)
    if len(rows) < min_respondents:
        return SurveyResult(survey.id, len(rows), suppressed=True, score=None, item_means={})
    item_means = {
        item.id: math.fsum(r[j] for r in rows) / len(rows) for j, item in enumerate(survey.items)
    }
    score = math.fsum(math.fsum(r) / len(r) for r in rows) / len(rows)
    return SurveyResult(survey.id, len(rows), suppressed=False, score=score, item_means=item_means)


@attrs.frozen
class ENPSResult(Records):
    """An employee Net Promoter Score.

    Attributes:
        respondents: How many answered.
        suppressed: Whether there were fewer than the anonymity threshold.
        score: % promoters − % detractors, in [−100, 100] (None when suppressed).
        promoters: Answers of 9 or 10 (None when suppressed).
        detractors: Answers of 0 to 6 (None when suppressed).

    Examples:
        >>> enps([10, 9, 8, 6, 3]).to_records()  # (2 − 2) / 5 × 100
        [{'respondents': 5, 'suppressed': False, 'score': 0.0, 'promoters': 2, 'detractors': 2}]
    """

    respondents: int
    suppressed: bool
    score: float | None
    promoters: int | None
    detractors: int | None


def enps(answers: Iterable[int], min_respondents: int = 5) -> ENPSResult:
    """ENPS of answers 0–10: `100 × (promoters − detractors) / respondents` (see module docs).

    Promoters answer 9 or 10, detractors 0 to 6; passives (7, 8) count only in the
    denominator. The score is in points, −100 (all detractors) to 100 (all promoters).

    Raises:
        InvalidInputError: an answer that is not a whole number 0–10.

    Examples:
        Ten answers, four promoters (9–10) and one detractor (0–6): 100 × (4 − 1) / 10 = 30.

        >>> enps([10, 10, 9, 9, 8, 8, 7, 7, 7, 2]).score
        30.0
        >>> enps([10, 9]).suppressed  # fewer than 5 respondents
        True
    """
    check_sequence("answers", answers)
    check_int("min_respondents", min_respondents, ge=1)
    values = list(answers)
    for i, a in enumerate(values):
        check_int(f"answers[{i}]", a, ge=0, le=10)
    if len(values) < min_respondents:
        return ENPSResult(len(values), suppressed=True, score=None, promoters=None, detractors=None)
    promoters = sum(1 for a in values if a >= 9)
    detractors = sum(1 for a in values if a <= 6)
    score = 100 * (promoters - detractors) / len(values)
    return ENPSResult(
        len(values), suppressed=False, score=score, promoters=promoters, detractors=detractors
    )


PSYCHOLOGICAL_SAFETY: Final = Survey(
    "psychological_safety",
    Label("Team psychological safety", "團隊心理安全感"),
    (
        SurveyItem(
            "ps1",
            Label(
                "If you make a mistake on this team, it is often held against you.",
                "在這個團隊犯錯，常會被記在心上。",
            ),
            reverse=True,
        ),
        SurveyItem(
            "ps2",
            Label(
                "Members of this team are able to bring up problems and tough issues.",
                "團隊成員能夠提出問題與棘手的議題。",
            ),
        ),
        SurveyItem(
            "ps3",
            Label(
                "People on this team sometimes reject others for being different.",
                "團隊中有人會因為別人與眾不同而排斥對方。",
            ),
            reverse=True,
        ),
        SurveyItem(
            "ps4", Label("It is safe to take a risk on this team.", "在這個團隊冒險是安全的。")
        ),
        SurveyItem(
            "ps5",
            Label(
                "It is difficult to ask other members of this team for help.",
                "很難向團隊其他成員求助。",
            ),
            reverse=True,
        ),
        SurveyItem(
            "ps6",
            Label(
                "No one on this team would deliberately act in a way that undermines my efforts.",
                "團隊中沒有人會刻意破壞我的努力。",
            ),
        ),
        SurveyItem(
            "ps7",
            Label(
                "Working with members of this team, my unique skills and talents are valued "
                "and utilized.",
                "與團隊成員共事時，我獨特的技能與才華受到重視與發揮。",
            ),
        ),
    ),
)
"""Edmondson's (1999) seven-item team psychological-safety scale, 1–7, items 1, 3, 5 reversed."""
