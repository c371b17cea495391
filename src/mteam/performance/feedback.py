"""360-degree feedback: group means, the others-score, self–others gaps, and anonymity.

Each rating is one rater's score of one ratee on one competency, with the rater's relation to
the ratee: SELF, MANAGER, PEER, DIRECT_REPORT or CUSTOMER. Per ratee and competency:

* each relation group's mean is computed;
* the **others-score** is the group-weighted mean of the groups shown, by default manager 0.4,
  peer 0.3, direct report 0.2, customer 0.1, renormalised over the groups present;
* SELF is left out of the others-score and reported beside it; a self-score at least one scale
  point above the others-score is a **blind spot**, one at least a point below a **hidden
  strength**.

**Anonymity is absolute.** A peer, direct-report or customer group with fewer than
`min_raters` (3) raters on a competency is never shown on its own: by policy its ratings are
merged with the other small groups of that competency into one "others" group (shown only if
that group reaches `min_raters`), or dropped. The others-score is computed from the groups
shown and nothing else, so no figure of the report, nor any difference of its figures, isolates
a small group. Reports hold no rater ids, and error messages about a rating never repeat its
score or its rater.

Examples:
    Ann is rated on communication by her manager (4), three peers (3, 4, 5), two direct reports
    (2, 3) and herself (5). The direct reports are fewer than three, so with the default policy
    they are merged into "others" (which then has only two raters, so it is dropped as well):

    >>> from mteam.performance.feedback import Rating, aggregate_feedback
    >>> ratings = [
    ...     Rating("ann", "boss", "manager", "communication", 4),
    ...     Rating("ann", "p1", "peer", "communication", 3),
    ...     Rating("ann", "p2", "peer", "communication", 4),
    ...     Rating("ann", "p3", "peer", "communication", 5),
    ...     Rating("ann", "d1", "direct_report", "communication", 2),
    ...     Rating("ann", "d2", "direct_report", "communication", 3),
    ...     Rating("ann", "ann", "self", "communication", 5),
    ... ]
    >>> report = aggregate_feedback(ratings)["ann"]
    >>> c = report.competencies[0]
    >>> [(g.group, g.raters, g.mean, round(g.weight, 4)) for g in c.groups]
    [('manager', 1, 4.0, 0.5714), ('peer', 3, 4.0, 0.4286)]
    >>> c.others, c.self_score, c.gap, c.flag
    (4.0, 5.0, 1.0, 'blind_spot')
    >>> [(s.group, s.action) for s in c.suppressed]
    [('direct_report', 'dropped')]
"""

from __future__ import annotations

import enum
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

from mteam._validate import check_range, check_sequence, enum_value, real, show, text, whole
from mteam.errors import InvalidInputError
from mteam.scales import FEEDBACK_SCALE, RatingScale

__all__ = [
    "DEFAULT_GROUP_WEIGHTS",
    "CompetencyFeedback",
    "FeedbackPolicy",
    "FeedbackReport",
    "GroupScore",
    "Rating",
    "Relation",
    "SmallGroupRule",
    "Suppression",
    "aggregate_feedback",
    "ratings_from_rows",
]

OTHERS: Final = "others"
"""The name of the group that small groups are merged into."""


class Relation(enum.Enum):
    """The rater's relation to the ratee."""

    SELF = "self"
    MANAGER = "manager"
    PEER = "peer"
    DIRECT_REPORT = "direct_report"
    CUSTOMER = "customer"

    @property
    def anonymous(self) -> bool:
        """Whether raters of this relation are protected by the anonymity threshold."""
        return self in _ANONYMOUS


_ANONYMOUS: Final = frozenset({Relation.PEER, Relation.DIRECT_REPORT, Relation.CUSTOMER})
_GROUP_ORDER: Final = (Relation.MANAGER, Relation.PEER, Relation.DIRECT_REPORT, Relation.CUSTOMER)
# The groups in the order shown, by value (`_value_` is a plain attribute: the `value` property
# of an Enum member runs Python code, and this runs per rating), and whether each is anonymous.
_GROUPS: Final = tuple((r._value_, r in _ANONYMOUS) for r in _GROUP_ORDER)
_SELF: Final = Relation.SELF._value_


class SmallGroupRule(enum.Enum):
    """What happens to a group below the anonymity threshold."""

    MERGE = "merge"
    """Merge it with the other small groups of the competency into one "others" group."""
    DROP = "drop"
    """Leave its ratings out of every figure."""


DEFAULT_GROUP_WEIGHTS: Final[Mapping[Relation, float]] = {
    Relation.MANAGER: 0.4,
    Relation.PEER: 0.3,
    Relation.DIRECT_REPORT: 0.2,
    Relation.CUSTOMER: 0.1,
}
"""Manager 0.4, peer 0.3, direct report 0.2, customer 0.1."""


def _to_relation(value: Relation | str) -> Relation:
    return _RELATION(value)


_RELATION: Final = enum_value(Relation, "relation")


def _check_score(_inst: object, _attr: object, value: Any) -> None:  # noqa: ANN401
    # The value is never repeated: it may be an anonymous rater's score.
    try:
        check_range("score", value)
    except InvalidInputError:
        raise InvalidInputError(
            "score", "must be a finite number (the value is withheld to protect the rater)"
        ) from None


@attrs.frozen
class Rating:
    """One rater's score of one ratee on one competency.

    The repr leaves out the rater and the score, so that logging a rating cannot expose an
    anonymous rater.

    Attributes:
        ratee_id: Who is rated.
        rater_id: Who rates (the ratee for a SELF rating).
        relation: The rater's relation to the ratee (a `Relation` or its value).
        competency_id: What is rated (communication, collaboration, …).
        score: The score, on the scale passed to `aggregate_feedback`.
    """

    ratee_id: str = attrs.field(validator=text())
    rater_id: str = attrs.field(validator=text(), repr=False)
    relation: Relation = attrs.field(converter=_to_relation)
    competency_id: str = attrs.field(validator=text())
    score: float = attrs.field(validator=_check_score, repr=False)

    def __attrs_post_init__(self) -> None:
        is_self = self.rater_id == self.ratee_id
        if self.relation is Relation.SELF and not is_self:
            raise InvalidInputError("rater_id", "a SELF rating's rater must be the ratee")
        if self.relation is not Relation.SELF and is_self:
            raise InvalidInputError("relation", "a rating of oneself must have relation SELF")


_RATING_KEYS: Final = frozenset(("ratee_id", "rater_id", "relation", "competency_id", "score"))
_RELATION_BY_VALUE: Final = {r._value_: r for r in Relation}


def ratings_from_rows(rows: list[Any]) -> tuple[Rating, ...] | None:
    """Ratings from JSON-ready rows in one pass, when every row is plainly valid; else None.

    The batch path of loading a document (ratings come by the hundred thousand): a row is
    plainly valid when it is a dict with exactly the five keys, non-blank `str` ids, a relation
    given by its value, an `int` or finite `float` score, and the rule that a SELF rating is
    by the ratee and only then. Those are the checks of `Rating`'s own validators, run once
    here instead of field by field; a plainly valid row gives exactly the `Rating` that
    `Rating(**row)` gives. On any other row the caller takes the checked path, which names
    every problem.

    Examples:
        >>> row = {"ratee_id": "ann", "rater_id": "bo", "relation": "peer",
        ...        "competency_id": "communication", "score": 4}
        >>> ratings_from_rows([row]) == (Rating(**row),)
        True
        >>> ratings_from_rows([{**row, "score": "4"}]) is None  # the checked path names it
        True
    """
    new, put = object.__new__, object.__setattr__
    by_value, self_relation, isfinite = _RELATION_BY_VALUE, Relation.SELF, math.isfinite
    out = []
    for row in rows:
        if row.__class__ is not dict or row.keys() != _RATING_KEYS:
            return None
        ratee, rater, competency = row["ratee_id"], row["rater_id"], row["competency_id"]
        relation, score = row["relation"], row["score"]
        if (
            ratee.__class__ is not str
            or rater.__class__ is not str
            or competency.__class__ is not str
            or relation.__class__ is not str
            or not (ratee.strip() and rater.strip() and competency.strip())
        ):
            return None
        relation = by_value.get(relation)
        kind = score.__class__
        if (
            relation is None
            or not (kind is int or (kind is float and isfinite(score)))
            or (relation is self_relation) != (rater == ratee)
        ):
            return None
        rating = new(Rating)
        put(rating, "ratee_id", ratee)
        put(rating, "rater_id", rater)
        put(rating, "relation", relation)
        put(rating, "competency_id", competency)
        put(rating, "score", score)
        out.append(rating)
    return tuple(out)


def _to_weights(value: Mapping[Relation | str, Any]) -> dict[Relation, float]:
    if not isinstance(value, Mapping):
        raise InvalidInputError("group_weights", f"must be a mapping, got {show(value)}")
    out: dict[Relation, float] = {}
    for key, weight in value.items():
        try:
            relation = _to_relation(key)
        except InvalidInputError as err:
            raise InvalidInputError(f"group_weights[{key!r}]", err.message) from None
        out[relation] = weight
    return out


def _check_weights(_inst: object, _attr: object, value: dict[Relation, float]) -> None:
    for relation, weight in value.items():
        path = f"group_weights[{relation.value!r}]"
        if relation is Relation.SELF:
            raise InvalidInputError(path, "SELF is never part of the others-score")
        check_range(path, weight, ge=0)
    if not any(w > 0 for w in value.values()):
        raise InvalidInputError("group_weights", "at least one weight must be > 0")


@attrs.frozen(hash=False)
class FeedbackPolicy:
    """How 360-degree ratings are combined.

    Attributes:
        group_weights: Relation → weight in the others-score (SELF not allowed); a relation
            left out has weight 0. Manager 0.4, peer 0.3, direct report 0.2, customer 0.1
            unless given.
        min_raters: The anonymity threshold: a peer, direct-report or customer group needs at
            least this many raters on a competency to be shown (3 unless given).
        small_groups: MERGE (the default) or DROP the groups below the threshold.
        calibrate: Calibrate raters: each rater who rated at least `min_ratees` people has
            their scores standardised (z-scores over everything they rated) and mapped back
            onto the overall mean and spread of all ratings, which removes leniency and
            severity. Off unless given.
        min_ratees: How many people a rater must have rated to be calibrated (3 unless given).
        gap: The self–others gap, in scale points, that flags a blind spot or a hidden
            strength (1 unless given).
    """

    group_weights: dict[Relation, float] = attrs.field(
        factory=lambda: dict(DEFAULT_GROUP_WEIGHTS), converter=_to_weights, validator=_check_weights
    )
    min_raters: int = attrs.field(default=3, validator=whole(ge=1))
    small_groups: SmallGroupRule = attrs.field(
        default=SmallGroupRule.MERGE, converter=SmallGroupRule
    )
    calibrate: bool = False
    min_ratees: int = attrs.field(default=3, validator=whole(ge=2))
    gap: float = attrs.field(default=1.0, validator=real(gt=0))

    def weight(self, relation: Relation) -> float:
        """The weight of a relation group (0 when the policy does not list it)."""
        return float(self.group_weights.get(relation, 0.0))


@attrs.frozen
class GroupScore:
    """A group shown in a competency's feedback.

    Attributes:
        group: `"manager"`, `"peer"`, `"direct_report"`, `"customer"`, or `"others"` for
            small groups merged together.
        raters: How many raters the group has on this competency.
        mean: The group's mean score.
        weight: The group's share of the others-score (the policy weights renormalised over
            the groups shown; a merged group weighs what its parts weigh together).
    """

    group: str
    raters: int
    mean: float
    weight: float


@attrs.frozen
class Suppression:
    """A group that is not shown on its own, and why.

    Attributes:
        group: The relation group (`"peer"`, `"direct_report"` or `"customer"`).
        action: `"merged"` into "others", or `"dropped"` from every figure.
        reason: Why, in words.
    """

    group: str
    action: str
    reason: str


@attrs.frozen
class CompetencyFeedback:
    """One ratee's feedback on one competency.

    Attributes:
        competency_id: The competency.
        groups: The groups shown, manager first, "others" last.
        others: The others-score (group-weighted mean of `groups`), None without any group.
        self_score: The ratee's own score, None without one.
        gap: `self_score − others`, None unless both exist.
        flag: `"blind_spot"` (gap ≥ the policy gap), `"hidden_strength"` (gap ≤ −the policy
            gap) or None.
        suppressed: The groups below the anonymity threshold and what happened to them.
    """

    competency_id: str
    groups: tuple[GroupScore, ...]
    others: float | None
    self_score: float | None
    gap: float | None
    flag: str | None
    suppressed: tuple[Suppression, ...]


@attrs.frozen
class FeedbackReport:
    """A ratee's 360-degree feedback.

    Attributes:
        ratee_id: The ratee.
        competencies: One entry per competency rated, sorted by id.
        others_score: The mean of the competencies' others-scores (None if none has one).
        self_score: The mean of the competencies' self-scores (None without self-ratings).
        calibrated: Whether rater calibration was applied.
    """

    ratee_id: str
    competencies: tuple[CompetencyFeedback, ...]
    others_score: float | None
    self_score: float | None
    calibrated: bool

    @property
    def blind_spots(self) -> tuple[str, ...]:
        """The competencies where the ratee rates themself a scale point or more above others."""
        return tuple(c.competency_id for c in self.competencies if c.flag == "blind_spot")

    @property
    def hidden_strengths(self) -> tuple[str, ...]:
        """The competencies where others rate the ratee a scale point or more above themself."""
        return tuple(c.competency_id for c in self.competencies if c.flag == "hidden_strength")

    def to_records(self) -> list[dict[str, Any]]:
        """One row per competency and group shown, for a notebook."""
        return [
            {
                "ratee_id": self.ratee_id,
                "competency_id": c.competency_id,
                "group": g.group,
                "raters": g.raters,
                "mean": g.mean,
                "weight": g.weight,
                "others": c.others,
                "self": c.self_score,
            }
            for c in self.competencies
            for g in c.groups
        ]


def _mean(values: Iterable[float]) -> float:
    items = list(values)
    return math.fsum(items) / len(items)


def _calibrate(ratings: list[Rating], scale: RatingScale, min_ratees: int) -> list[float]:
    """The calibrated score of every rating (SELF ratings unchanged)."""
    others = [r for r in ratings if r.relation is not Relation.SELF]
    scores = [float(r.score) for r in ratings]
    if len(others) < 2:
        return scores
    overall_mean = _mean(float(r.score) for r in others)
    overall_sd = math.sqrt(_mean((float(r.score) - overall_mean) ** 2 for r in others))
    by_rater: dict[str, list[float]] = defaultdict(list)
    ratees: dict[str, set[str]] = defaultdict(set)
    for r in others:
        by_rater[r.rater_id].append(float(r.score))
        ratees[r.rater_id].add(r.ratee_id)
    stats = {}
    for rater, values in by_rater.items():
        if len(ratees[rater]) >= min_ratees:
            m = _mean(values)
            stats[rater] = (m, math.sqrt(_mean((v - m) ** 2 for v in values)))
    out = []
    for r, score in zip(ratings, scores, strict=True):
        if r.relation is Relation.SELF or r.rater_id not in stats:
            out.append(score)
            continue
        m, sd = stats[r.rater_id]
        z = (score - m) / sd if sd > 0 else 0.0
        out.append(scale.clamp(overall_mean + overall_sd * z))
    return out


class _Rules:
    """A policy's figures as the per-competency step reads them, worked out once per call.

    The suppression notes depend only on which groups are small and on the policy, so each
    combination is built once and shared (they are immutable values).
    """

    def __init__(self, policy: FeedbackPolicy) -> None:
        self.min_raters = policy.min_raters
        self.merge = policy.small_groups is SmallGroupRule.MERGE
        self.gap = policy.gap
        self.weights = {rel._value_: policy.weight(rel) for rel in Relation}
        below = f"fewer than {policy.min_raters} raters"
        self.merged_reason = f"{below}; merged into {OTHERS}"
        self.dropped_reason = (
            f"{below}; dropped by policy"
            if policy.small_groups is SmallGroupRule.DROP
            else f"{below}, and too few to merge with the other small groups"
        )
        self._notes: dict[tuple[bool, tuple[str, ...]], tuple[Suppression, ...]] = {}

    def notes(self, merged: bool, relations: tuple[str, ...]) -> tuple[Suppression, ...]:
        """The suppression notes of these small groups, merged or dropped."""
        key = (merged, relations)
        found = self._notes.get(key)
        if found is None:
            action, reason = (
                ("merged", self.merged_reason) if merged else ("dropped", self.dropped_reason)
            )
            found = self._notes[key] = tuple(Suppression(r, action, reason) for r in relations)
        return found


def _competency(
    competency_id: str, cells: Mapping[str, list[float]], rules: _Rules
) -> CompetencyFeedback:
    """One competency's figures; `cells` is keyed by relation value."""
    weights, min_raters = rules.weights, rules.min_raters
    shown: list[tuple[str, list[float], float]] = []
    small: list[str] = []
    for relation, anonymous in _GROUPS:
        values = cells.get(relation)
        if values:
            if anonymous and len(values) < min_raters:
                small.append(relation)
            else:
                shown.append((relation, values, weights[relation]))
    suppressed: tuple[Suppression, ...] = ()
    if small:
        pooled = [v for relation in small for v in cells[relation]]
        merged = rules.merge and len(pooled) >= min_raters
        if merged:
            shown.append((OTHERS, pooled, math.fsum([weights[r] for r in small])))
        suppressed = rules.notes(merged, tuple(small))
    total = math.fsum([w for _, _, w in shown])
    groups = tuple(
        [
            GroupScore(
                name, len(values), math.fsum(values) / len(values), w / total if total else 0.0
            )
            for name, values, w in shown
        ]
    )
    others = math.fsum([g.weight * g.mean for g in groups]) if total > 0 and groups else None
    self_values = cells.get(_SELF)
    self_score = self_values[0] if self_values else None
    gap = flag = None
    if self_score is not None and others is not None:
        gap = self_score - others
        if gap >= rules.gap:
            flag = "blind_spot"
        elif gap <= -rules.gap:
            flag = "hidden_strength"
    return CompetencyFeedback(competency_id, groups, others, self_score, gap, flag, suppressed)


_Cells = dict[str, dict[str, tuple[dict[str, list[float]], dict[str, int]]]]


def _cells(items: list[Rating], scale: RatingScale, scores: list[float] | None) -> _Cells:
    """Check the ratings and group their scores (`scores`, or their own).

    Returns:
        Ratee -> competency -> (relation value -> scores, rater -> index of their rating).
        Relations are keyed by value: a str hashes in C, an Enum member in Python. The means
        are exact sums (fsum), so the order of the scores does not matter.
    """
    cells: _Cells = {}
    low, high, integral = scale.minimum, scale.maximum, scale.integral
    for i, r in enumerate(items):
        if not isinstance(r, Rating):
            raise InvalidInputError(f"ratings[{i}]", "must be a Rating")
        # a Rating's score is a finite number already: only the range is left to check
        score = r.score
        if not low <= score <= high or (integral and not float(score).is_integer()):
            raise InvalidInputError(
                f"ratings[{i}].score",
                f"must be within {show(scale.minimum)}..{show(scale.maximum)}"
                " (the value is withheld to protect the rater)",
            )
        row = cells.get(r.ratee_id)
        if row is None:
            row = cells[r.ratee_id] = {}
        cell = row.get(r.competency_id)
        if cell is None:
            cell = row[r.competency_id] = ({}, {})
        groups, raters = cell
        earlier = raters.setdefault(r.rater_id, i)
        if earlier != i:
            raise InvalidInputError(
                f"ratings[{i}]",
                f"duplicate: the same rater already rated {r.ratee_id!r} on "
                f"{r.competency_id!r} at ratings[{earlier}]",
            )
        value = float(score) if scores is None else scores[i]
        relation = r.relation._value_
        values = groups.get(relation)
        if values is None:
            groups[relation] = [value]
        else:
            values.append(value)
    return cells


def aggregate_feedback(
    ratings: Iterable[Rating],
    scale: RatingScale = FEEDBACK_SCALE,
    policy: FeedbackPolicy | None = None,
) -> dict[str, FeedbackReport]:
    """Aggregate 360-degree ratings into one report per ratee.

    Args:
        ratings: The ratings, in any order.
        scale: The rating scale (1–5 unless given).
        policy: Group weights, anonymity threshold and calibration;
            [`FeedbackPolicy()`][mteam.performance.feedback.FeedbackPolicy] unless given.

    Returns:
        Ratee id → report, sorted by ratee id.

    Raises:
        InvalidInputError: a rating off the scale (its value is not repeated), or one rater
            rating the same ratee on the same competency twice.
    """
    policy = policy if policy is not None else FeedbackPolicy()
    if not isinstance(scale, RatingScale):
        raise InvalidInputError("scale", f"must be a RatingScale, got {show(scale)}")
    if not isinstance(policy, FeedbackPolicy):
        raise InvalidInputError("policy", f"must be a FeedbackPolicy, got {show(policy)}")
    check_sequence("ratings", ratings)
    items = list(ratings)
    cells = _cells(items, scale, None)
    if policy.calibrate:  # the ratings are checked: calibrate them, and group the new scores
        cells = _cells(items, scale, _calibrate(items, scale, policy.min_ratees))
    rules = _Rules(policy)
    reports = {}
    for ratee in sorted(cells):
        row = cells[ratee]
        competencies = tuple([_competency(cid, row[cid][0], rules) for cid in sorted(row)])
        others = [c.others for c in competencies if c.others is not None]
        selfs = [c.self_score for c in competencies if c.self_score is not None]
        reports[ratee] = FeedbackReport(
            ratee,
            competencies,
            _mean(others) if others else None,
            _mean(selfs) if selfs else None,
            policy.calibrate,
        )
    return reports
