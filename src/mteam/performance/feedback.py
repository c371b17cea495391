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
that group reaches `min_raters`), or dropped. When the groups set aside hold fewer than
`min_raters` raters together, the smallest group shown is set aside with them (complementary
suppression), so that no figure from elsewhere minus the figures shown isolates a small group.
The others-score is computed from the groups shown and nothing else; with calibration on, so
are the calibration statistics. Reports hold no rater ids, and error messages about a rating
name its position, never its score or its rater. Across releases,
[`publish_feedback`][mteam.performance.feedback.publish_feedback] records what was shown (as
keyed rater tokens) and the release guard withholds a figure that differs from an earlier one
by fewer than `min_raters` raters. The page [Anonymity](../explanation/anonymity.md) states
what is guaranteed and what is not.

Examples:
    Ann is rated on communication by her manager (4), three peers (3, 4, 5), two direct reports
    (2, 3) and herself (5). The direct reports are fewer than three and cannot be merged with
    another small group, so the smallest group shown (the peers) is merged with them: "others"
    has five raters, mean 17/5 = 3.4 and weight 0.3 + 0.2 = 0.5; renormalised with the
    manager's 0.4 the weights are 4/9 and 5/9, and the others-score is (1.6 + 1.7) / 0.9:

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
    [('manager', 1, 4.0, 0.4444), ('others', 5, 3.4, 0.5556)]
    >>> round(c.others, 4), c.self_score, round(c.gap, 4), c.flag
    (3.6667, 5.0, 1.3333, 'blind_spot')
    >>> [(s.group, s.action) for s in c.suppressed]
    [('peer', 'merged'), ('direct_report', 'merged')]
"""

from __future__ import annotations

import enum
import hmac
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from mteam._records import Records
from mteam._validate import (
    check_range,
    check_sequence,
    enum_value,
    join_path,
    of_type,
    prefixed,
    real,
    show,
    text,
    whole,
)
from mteam.errors import InvalidInputError
from mteam.scales import FEEDBACK_SCALE, RatingScale

__all__ = [
    "DEFAULT_GROUP_WEIGHTS",
    "CompetencyFeedback",
    "FeedbackPolicy",
    "FeedbackPublication",
    "FeedbackRelease",
    "FeedbackReport",
    "GroupScore",
    "Rating",
    "Relation",
    "ReleaseCell",
    "SmallGroupRule",
    "Suppression",
    "aggregate_feedback",
    "publish_feedback",
    "ratings_from_rows",
]

OTHERS: Final = "others"
"""The name of the group that small groups are merged into."""


class Relation(enum.Enum):
    """The rater's relation to the ratee.

    Examples:
        >>> Relation("peer"), Relation.PEER.anonymous, Relation.MANAGER.anonymous
        (<Relation.PEER: 'peer'>, True, False)
    """

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
_MANAGER: Final = Relation.MANAGER._value_
_ANONYMOUS_VALUES: Final = tuple(name for name, anonymous in _GROUPS if anonymous)


class SmallGroupRule(enum.Enum):
    """What happens to a group below the anonymity threshold.

    Examples:
        >>> SmallGroupRule("drop")
        <SmallGroupRule.DROP: 'drop'>
    """

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
_RELATION_BY_VALUE: Final = {r._value_: r for r in Relation}
_SELF_RELATION: Final = Relation.SELF
_WITHHELD: Final = " (the value is withheld to protect the rater)"
_ALLOWED_RELATIONS: Final = ", ".join(repr(r.value) for r in Relation)


def _rating_relation(value: object) -> Relation:
    # A rating's relation is checked without repeating the value: a row with its fields out of
    # order would otherwise print a rater id here.
    if value.__class__ is str:
        found = _RELATION_BY_VALUE.get(value)
        if found is not None:
            return found  # the common case, first and cheaply
    if isinstance(value, Relation):
        return value
    found = _RELATION_BY_VALUE.get(value) if isinstance(value, str) else None
    if found is None:
        raise InvalidInputError("relation", f"must be one of {_ALLOWED_RELATIONS}{_WITHHELD}")
    return found


def _check_rater(_inst: object, _attr: object, value: Any) -> None:  # noqa: ANN401
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError("rater_id", f"must be non-blank text{_WITHHELD}")


def _check_score(_inst: object, _attr: object, value: Any) -> None:  # noqa: ANN401
    kind = value.__class__
    if kind is int or (kind is float and math.isfinite(value)):
        return  # the common cases, first and cheaply
    # The value is never repeated: it may be an anonymous rater's score.
    try:
        check_range("score", value)
    except InvalidInputError:
        raise InvalidInputError("score", f"must be a finite number{_WITHHELD}") from None


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

    Examples:
        >>> Rating("ann", "p1", "peer", "comm", 4)  # neither the rater nor the score shown
        Rating(ratee_id='ann', relation=<Relation.PEER: 'peer'>, competency_id='comm')
    """

    ratee_id: str = attrs.field(validator=text())
    rater_id: str = attrs.field(validator=_check_rater, repr=False)
    relation: Relation = attrs.field(converter=_rating_relation)
    competency_id: str = attrs.field(validator=text())
    score: float = attrs.field(validator=_check_score, repr=False)

    def __attrs_post_init__(self) -> None:
        is_self = self.rater_id == self.ratee_id
        if (self.relation is _SELF_RELATION) is is_self:
            return  # the common case, first and cheaply (no enum lookup)
        if not is_self:
            raise InvalidInputError("rater_id", "a SELF rating's rater must be the ratee")
        raise InvalidInputError("relation", "a rating of oneself must have relation SELF")


_RATING_KEYS: Final = frozenset(("ratee_id", "rater_id", "relation", "competency_id", "score"))


def ratings_from_rows(rows: list[Any]) -> tuple[Rating, ...] | None:
    """Ratings from JSON-ready rows in one pass, when every row is plainly valid; else None.

    The batch path of loading a document (ratings come by the hundred thousand): a row is
    plainly valid when it is a dict with exactly the five keys that `Rating(**row)` accepts
    (its validators run as for any rating). On any other row the caller takes the checked
    path, which names every problem.

    Examples:
        >>> row = {"ratee_id": "ann", "rater_id": "bo", "relation": "peer",
        ...        "competency_id": "communication", "score": 4}
        >>> ratings_from_rows([row]) == (Rating(**row),)
        True
        >>> ratings_from_rows([{**row, "score": "4"}]) is None  # the checked path names it
        True
    """
    out = []
    for row in rows:
        if row.__class__ is not dict or row.keys() != _RATING_KEYS:
            return None
        try:
            rating = Rating(
                row["ratee_id"],
                row["rater_id"],
                row["relation"],
                row["competency_id"],
                row["score"],
            )
        except InvalidInputError:
            return None
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


_SMALL_GROUPS: Final = enum_value(SmallGroupRule, "small_groups")


def _to_small_groups(value: SmallGroupRule | str) -> SmallGroupRule:
    return _SMALL_GROUPS(value)


@attrs.frozen(hash=False)
class FeedbackPolicy:
    """How 360-degree ratings are combined.

    Every field is checked when the policy is built; a wrong one raises an
    [`InvalidInputError`][mteam.errors.InvalidInputError] naming it.

    Attributes:
        group_weights: Relation → weight in the others-score (SELF not allowed); a relation
            left out has weight 0. Manager 0.4, peer 0.3, direct report 0.2, customer 0.1
            unless given.
        min_raters: The anonymity threshold: a peer, direct-report or customer group needs at
            least this many raters on a competency to be shown (3 unless given). The release
            guard uses it too: a figure is withheld when its raters changed by fewer than this
            many since an earlier release.
        small_groups: MERGE (the default) or DROP the groups below the threshold.
        calibrate: Calibrate raters: each rater who rated at least `min_ratees` people has
            their scores standardised (z-scores over everything they rated) and mapped back
            onto the overall mean and spread of all ratings, which removes leniency and
            severity. Only ratings whose group is shown take part. Off unless given.
        min_ratees: How many people a rater must have rated to be calibrated (3 unless given).
        gap: The self–others gap, in scale points, that flags a blind spot or a hidden
            strength (1 unless given).

    Examples:
        >>> FeedbackPolicy(min_raters=4, small_groups="drop").small_groups
        <SmallGroupRule.DROP: 'drop'>
        >>> FeedbackPolicy(calibrate="yes")
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: calibrate: must be a bool, got 'yes'
    """

    group_weights: dict[Relation, float] = attrs.field(
        factory=lambda: dict(DEFAULT_GROUP_WEIGHTS), converter=_to_weights, validator=_check_weights
    )
    min_raters: int = attrs.field(default=3, validator=whole(ge=1))
    small_groups: SmallGroupRule = attrs.field(
        default=SmallGroupRule.MERGE, converter=_to_small_groups
    )
    calibrate: bool = attrs.field(default=False, validator=of_type(bool))
    min_ratees: int = attrs.field(default=3, validator=whole(ge=2))
    gap: float = attrs.field(default=1.0, validator=real(gt=0))

    def weight(self, relation: Relation) -> float:
        """The weight of a relation group (0 when the policy does not list it).

        Examples:
            >>> FeedbackPolicy().weight(Relation.PEER), FeedbackPolicy().weight(Relation.SELF)
            (0.3, 0.0)
        """
        return float(self.group_weights.get(relation, 0.0))


@attrs.frozen
class GroupScore(Records):
    """A group shown in a competency's feedback.

    Attributes:
        group: `"manager"`, `"peer"`, `"direct_report"`, `"customer"`, or `"others"` for
            groups merged together.
        raters: How many raters the group has on this competency.
        mean: The group's mean score.
        weight: The group's share of the others-score (the policy weights renormalised over
            the groups shown; a merged group weighs what its parts weigh together).

    Examples:
        One manager (4), one direct report (2) and three peers (3, 3, 4) rate Ann, who rates
        herself 5. The lone direct report is below the threshold of 3 and merged into "others"
        with the peers (mean (2 + 3 + 3 + 4) / 4 = 3), which are merged too so that neither can be
        recovered by subtraction.
        The weights are 0.4 and 0.3 + 0.2 renormalised: 0.4 / 0.9 and 0.5 / 0.9.

        >>> ratings = [Rating("ann", "boss", "manager", "comm", 4),
        ...            Rating("ann", "ann", "self", "comm", 5),
        ...            Rating("ann", "d1", "direct_report", "comm", 2)]
        >>> ratings += [Rating("ann", f"p{i}", "peer", "comm", s) for i, s in enumerate([3, 3, 4])]
        >>> report = aggregate_feedback(ratings)["ann"]
        >>> [(g.group, g.raters, g.mean, round(g.weight, 4)) for g in report.competencies[0].groups]
        [('manager', 1, 4.0, 0.4444), ('others', 4, 3.0, 0.5556)]
    """

    group: str
    raters: int
    mean: float
    weight: float


@attrs.frozen
class Suppression(Records):
    """A group that is not shown on its own, and why.

    Attributes:
        group: The group (`"peer"`, `"direct_report"`, `"customer"`, or `"others"` for a
            merged group withheld by the release guard).
        action: `"merged"` into "others", `"dropped"` from every figure, or `"withheld"` by
            the release guard (left out of every figure of this release).
        reason: Why, in words.

    Examples:
        One manager (4), one direct report (2) and three peers (3, 3, 4) rate Ann, who rates
        herself 5. The lone direct report is below the threshold of 3 and merged into "others"
        with the peers (mean (2 + 3 + 3 + 4) / 4 = 3), which are merged too so that neither can be
        recovered by subtraction.

        >>> ratings = [Rating("ann", "boss", "manager", "comm", 4),
        ...            Rating("ann", "ann", "self", "comm", 5),
        ...            Rating("ann", "d1", "direct_report", "comm", 2)]
        >>> ratings += [Rating("ann", f"p{i}", "peer", "comm", s) for i, s in enumerate([3, 3, 4])]
        >>> report = aggregate_feedback(ratings)["ann"]
        >>> [(x.group, x.action) for x in report.competencies[0].suppressed]
        [('peer', 'merged'), ('direct_report', 'merged')]
    """

    group: str
    action: str
    reason: str


@attrs.frozen
class CompetencyFeedback(Records):
    """One ratee's feedback on one competency.

    `to_records()` gives one row per group shown: `competency_id`, `group`, `raters` (a
    count), `mean`, `weight`, then the competency's `others`, `self`, `gap` and `flag`. No
    rater id is in the rows.

    Attributes:
        competency_id: The competency.
        groups: The groups shown, manager first, "others" last.
        others: The others-score (group-weighted mean of `groups`), None without any group.
        self_score: The ratee's own score, None without one.
        gap: `self_score − others`, None unless both exist.
        flag: `"blind_spot"` (gap ≥ the policy gap), `"hidden_strength"` (gap ≤ −the policy
            gap) or None.
        suppressed: The groups not shown on their own and what happened to them.

    Examples:
        One manager (4), one direct report (2) and three peers (3, 3, 4) rate Ann, who rates
        herself 5. The lone direct report is below the threshold of 3 and merged into "others"
        with the peers (mean (2 + 3 + 3 + 4) / 4 = 3), which are merged too so that neither can be
        recovered by subtraction.

        >>> ratings = [Rating("ann", "boss", "manager", "comm", 4),
        ...            Rating("ann", "ann", "self", "comm", 5),
        ...            Rating("ann", "d1", "direct_report", "comm", 2)]
        >>> ratings += [Rating("ann", f"p{i}", "peer", "comm", s) for i, s in enumerate([3, 3, 4])]
        >>> report = aggregate_feedback(ratings)["ann"]
        >>> comm = report.competencies[0]
        >>> round(comm.others, 4), comm.self_score, round(comm.gap, 4), comm.flag
        (3.4444, 5.0, 1.5556, 'blind_spot')
        >>> round((0.4 * 4 + 0.5 * 3) / 0.9, 4)  # others = Σ weight × group mean
        3.4444
    """

    competency_id: str
    groups: tuple[GroupScore, ...]
    others: float | None
    self_score: float | None
    gap: float | None
    flag: str | None
    suppressed: tuple[Suppression, ...]

    def _rows(self) -> list[dict[str, object]]:
        """One row per group shown (no rater ids)."""
        return [
            {
                "competency_id": self.competency_id,
                "group": g.group,
                "raters": g.raters,
                "mean": g.mean,
                "weight": g.weight,
                "others": self.others,
                "self": self.self_score,
                "gap": self.gap,
                "flag": self.flag,
            }
            for g in self.groups
        ]


@attrs.frozen
class FeedbackReport(Records):
    """A ratee's 360-degree feedback.

    Attributes:
        ratee_id: The ratee.
        competencies: One entry per competency rated, sorted by id.
        others_score: The mean of the competencies' others-scores (None if none has one).
        self_score: The mean of the competencies' self-scores (None without self-ratings).
        calibrated: Whether rater calibration was applied.

    `to_records()` gives one row per competency and group shown: `ratee_id`,
    `competency_id`, `group`, `raters` (a count), `mean`, `weight`, `others` and `self`.
    No rater id is in the rows, and a group below the anonymity threshold is in them only
    as part of the group it was merged into.

    Examples:
        One manager (4), one direct report (2) and three peers (3, 3, 4) rate Ann, who rates
        herself 5. The lone direct report is below the threshold of 3 and merged into "others"
        with the peers (mean (2 + 3 + 3 + 4) / 4 = 3), which are merged too so that neither can be
        recovered by subtraction.

        >>> ratings = [Rating("ann", "boss", "manager", "comm", 4),
        ...            Rating("ann", "ann", "self", "comm", 5),
        ...            Rating("ann", "d1", "direct_report", "comm", 2)]
        >>> ratings += [Rating("ann", f"p{i}", "peer", "comm", s) for i, s in enumerate([3, 3, 4])]
        >>> report = aggregate_feedback(ratings)["ann"]
        >>> report.blind_spots, report.hidden_strengths
        (('comm',), ())
        >>> [(r["group"], r["raters"], r["mean"]) for r in report.to_records()]
        [('manager', 1, 4.0), ('others', 4, 3.0)]
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

    def _rows(self) -> list[dict[str, object]]:
        """One row per competency and group shown (no rater ids)."""
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


# --- the release record ----------------------------------------------------------------------

_TOKEN: Final = re.compile(r"[0-9a-f]{16}:[0-9a-f]{16}")
_FULL_TOKEN: Final = _TOKEN.fullmatch
_KEY_CHECK: Final = re.compile(r"[0-9a-f]{16}")
_MIN_KEY_BYTES: Final = 16


def _check_key_check(_inst: object, _attr: object, value: Any) -> None:  # noqa: ANN401
    if not isinstance(value, str) or not _KEY_CHECK.fullmatch(value):
        raise InvalidInputError("key_check", "must be 16 lowercase hex digits")


def _to_figures(value: Any) -> tuple[tuple[str, ...], ...]:  # noqa: ANN401
    check_sequence("figures", value)
    out = []
    for i, figure in enumerate(value):
        check_sequence(f"figures[{i}]", figure)
        tokens = list(figure)
        for j, token in enumerate(tokens):
            if token.__class__ is not str or not _FULL_TOKEN(token):
                raise InvalidInputError(
                    f"figures[{i}][{j}]",
                    "must be a rater token (16 hex digits, a colon, 16 hex digits)",
                )
        if not tokens:
            raise InvalidInputError(f"figures[{i}]", "must hold at least one rater token")
        if len(set(tokens)) != len(tokens):
            raise InvalidInputError(f"figures[{i}]", "must not repeat a rater token")
        out.append(tuple(sorted(tokens)))
    return tuple(sorted(set(out)))


@attrs.frozen
class ReleaseCell:
    """What was published about one ratee's competency: the raters of every figure shown.

    Attributes:
        ratee_id: The ratee.
        competency_id: The competency.
        figures: One entry per distinct group figure ever published for this competency (in
            this release or an earlier one), each the sorted tokens of its raters. A token is
            `rater:rating`, two keyed hashes (HMAC-SHA-256, 64 bits each) of the rater id and of
            the rater id with the score, both bound to this ratee and competency: they tell
            whether two figures share a rater and whether that rater's score changed, and
            nothing else to anyone without the key.

    Examples:
        Three peers' figure, published once: one figure of three tokens, none of which shows
        a rater id or a score:

        >>> key = "a secret of at least sixteen bytes"
        >>> ratings = [Rating("ann", f"p{i}", "peer", "comm", s) for i, s in enumerate([3, 4, 5])]
        >>> (cell,) = publish_feedback(ratings, key=key).release.cells
        >>> cell.ratee_id, cell.competency_id, [len(f) for f in cell.figures]
        ('ann', 'comm', [3])
        >>> any("p0" in token for token in cell.figures[0])
        False
    """

    ratee_id: str = attrs.field(validator=text())
    competency_id: str = attrs.field(validator=text())
    figures: tuple[tuple[str, ...], ...] = attrs.field(converter=_to_figures)


def _to_cells(value: Any) -> tuple[ReleaseCell, ...]:  # noqa: ANN401
    check_sequence("cells", value)
    cells = list(value)
    for i, cell in enumerate(cells):
        if not isinstance(cell, ReleaseCell):
            raise InvalidInputError(f"cells[{i}]", "must be a ReleaseCell")
    cells.sort(key=lambda c: (c.ratee_id, c.competency_id))
    for before, after in itertools.pairwise(cells):
        if (before.ratee_id, before.competency_id) == (after.ratee_id, after.competency_id):
            raise InvalidInputError(
                "cells",
                f"two cells for ratee {show(after.ratee_id)}, competency "
                f"{show(after.competency_id)}",
            )
    return tuple(cells)


@attrs.frozen
class FeedbackRelease:
    """The record of what 360-degree reports have published: the input of the release guard.

    A release holds, for every ratee and competency ever published, the rater tokens of each
    group figure shown (see [`ReleaseCell`][mteam.performance.feedback.ReleaseCell]), and a
    check value of the key that made the tokens. It holds no rater id, no score and no mean.
    It is plain data: [`to_dict`][mteam.performance.feedback.FeedbackRelease.to_dict] gives
    JSON-ready dicts and lists, and
    [`from_dict`][mteam.performance.feedback.FeedbackRelease.from_dict] reads them back.

    Attributes:
        key_check: 64 bits of HMAC-SHA-256 of a fixed text under the key, so that a release is
            never compared under another key (which would make every rater look new).
        cells: One entry per ratee and competency, sorted.

    Examples:
        >>> key = "a secret of at least sixteen bytes"
        >>> ratings = [Rating("ann", f"p{i}", "peer", "comm", 4) for i in range(3)]
        >>> release = publish_feedback(ratings, key=key).release
        >>> [(c.ratee_id, c.competency_id, len(c.figures[0])) for c in release.cells]
        [('ann', 'comm', 3)]
        >>> FeedbackRelease.from_dict(release.to_dict()) == release
        True
    """

    key_check: str = attrs.field(validator=_check_key_check)
    cells: tuple[ReleaseCell, ...] = attrs.field(default=(), converter=_to_cells)

    def to_dict(self) -> dict[str, Any]:
        """The release as JSON-ready data (dicts, lists and strings).

        Examples:
            >>> FeedbackRelease("0123456789abcdef").to_dict()
            {'key_check': '0123456789abcdef', 'cells': []}
        """
        return {
            "key_check": self.key_check,
            "cells": [
                {
                    "ratee_id": c.ratee_id,
                    "competency_id": c.competency_id,
                    "figures": [list(f) for f in c.figures],
                }
                for c in self.cells
            ],
        }

    @classmethod
    def from_dict(cls, data: object) -> FeedbackRelease:
        """Read a release from the data `to_dict` gave (for example, a parsed JSON file).

        Raises:
            InvalidInputError: the data is not a release; the path names the field
                (`cells[2].figures[0][1]`).

        Examples:
            >>> FeedbackRelease.from_dict({"key_check": "0123456789abcdef", "cells": []})
            FeedbackRelease(key_check='0123456789abcdef', cells=())
            >>> FeedbackRelease.from_dict({"key_check": "0123456789abcdef", "cells": 3})
            Traceback (most recent call last):
            mteam.errors.InvalidInputError: cells: must be a sequence, got 3
        """
        top = _fields_of(data, "", ("key_check", "cells"))
        check_sequence("cells", top["cells"])
        cells = [_cell_of(raw, f"cells[{i}]") for i, raw in enumerate(top["cells"])]
        return cls(top["key_check"], cells)


def _cell_of(raw: object, path: str) -> ReleaseCell:
    fields = _fields_of(raw, path, ("ratee_id", "competency_id", "figures"))
    return prefixed(path, lambda: ReleaseCell(**fields))


def _fields_of(data: object, path: str, names: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise InvalidInputError(path, f"must be an object, got {show(data)}")
    extra = sorted(str(k) for k in data if k not in names)
    if extra:
        raise InvalidInputError(path, f"extra fields found ({', '.join(extra)})")
    for name in names:
        if name not in data:
            raise InvalidInputError(join_path(path, name), "required field missing")
    return dict(data)


@attrs.frozen(hash=False)
class FeedbackPublication(Records):
    """The reports of one release and the record of what they published.

    `to_records()` gives the rows of every report, by ratee (those of
    [`FeedbackReport`][mteam.performance.feedback.FeedbackReport]); the release record is
    not in them (keep it with `release.to_dict()`).

    Attributes:
        reports: Ratee id → report, sorted by ratee id (what `aggregate_feedback` returns).
        release: The record to keep (with `to_dict`) and pass as `previous` next time.

    Examples:
        >>> key = "a secret of at least sixteen bytes"
        >>> ratings = [Rating("ann", f"p{i}", "peer", "comm", s) for i, s in enumerate([3, 4, 5])]
        >>> publication = publish_feedback(ratings, key=key)
        >>> list(publication.reports), publication.reports["ann"].others_score
        (['ann'], 4.0)
    """

    reports: dict[str, FeedbackReport]
    release: FeedbackRelease

    def _rows(self) -> list[dict[str, object]]:
        """The reports' rows, by ratee."""
        return [row for report in self.reports.values() for row in report._rows()]  # noqa: SLF001


class _Keyring:
    """Rater tokens under the caller's key (never stored; only the tokens and a check are)."""

    def __init__(self, key: object) -> None:
        if isinstance(key, str):
            key = key.encode("utf-8", "surrogatepass")
        if not isinstance(key, (bytes, bytearray)):
            raise InvalidInputError("key", "must be bytes or text (the value is withheld)")
        if len(key) < _MIN_KEY_BYTES:
            raise InvalidInputError(
                "key", f"must be at least {_MIN_KEY_BYTES} bytes long (the value is withheld)"
            )
        self._key = bytes(key)
        self.check = self._digest(["mteam feedback release", "key check"])

    def _digest(self, parts: list[str]) -> str:
        # each part length-prefixed, so that no two different lists of parts give one message
        message = "".join(f"{len(p)}:{p}" for p in parts).encode("utf-8", "surrogatepass")
        return hmac.digest(self._key, message, "sha256")[:8].hex()

    def token(self, ratee: str, competency: str, rater: str, score: float) -> str:
        """`rater:rating`: who rated (within this cell) and what they gave, both keyed."""
        who = self._digest(["rater", ratee, competency, rater])
        what = self._digest(["rating", ratee, competency, rater, float(score).hex()])
        return f"{who}:{what}"


def _changed(a: Iterable[str], b: Iterable[str]) -> int:
    """How many raters differ between two figures: in one only, or with another score."""
    first = {t[:16]: t for t in a}
    second = {t[:16]: t for t in b}
    return sum(1 for who in first.keys() | second.keys() if first.get(who) != second.get(who))


# --- the computation -------------------------------------------------------------------------


def _mean(values: Iterable[float]) -> float:
    items = list(values)
    return math.fsum(items) / len(items)


def _calibrate(
    items: list[Rating],
    raw: list[float],
    visible: list[int],
    scale: RatingScale,
    min_ratees: int,
) -> list[float]:
    """The scores with every visible (non-SELF) rating calibrated, by index.

    Only the visible ratings (those in a group that is shown) enter the statistics, so a rating
    that is not shown moves no figure that is.
    """
    scores = {i: raw[i] for i in visible}
    out = list(raw)
    if len(scores) < 2:
        return out
    overall_mean = _mean(scores.values())
    overall_sd = math.sqrt(_mean((v - overall_mean) ** 2 for v in scores.values()))
    by_rater: dict[str, list[int]] = defaultdict(list)
    for i in visible:
        by_rater[items[i].rater_id].append(i)
    for indices in by_rater.values():
        if len({items[i].ratee_id for i in indices}) < min_ratees:
            continue
        values = [scores[i] for i in indices]
        m = _mean(values)
        sd = math.sqrt(_mean((v - m) ** 2 for v in values))
        for i in indices:
            z = (scores[i] - m) / sd if sd > 0 else 0.0
            out[i] = scale.clamp(overall_mean + overall_sd * z)
    return out


class _Rules:
    """A policy's figures as the per-competency steps read them, worked out once per call.

    The suppression notes depend only on which groups are small and on the policy, so each
    one is built once and shared (they are immutable values).
    """

    def __init__(self, policy: FeedbackPolicy) -> None:
        self.min_raters = policy.min_raters
        self.merge = policy.small_groups is SmallGroupRule.MERGE
        self.gap = policy.gap
        self.weights = {rel._value_: policy.weight(rel) for rel in Relation}
        below = f"fewer than {policy.min_raters} raters"
        guard = "suppressed with a smaller group, so that neither is recovered by subtraction"
        self._reasons = {
            ("merged", False): f"{below}; merged into {OTHERS}",
            ("dropped", False): (
                f"{below}; dropped by policy"
                if policy.small_groups is SmallGroupRule.DROP
                else f"{below}, and too few to merge with the other small groups"
            ),
            ("merged", True): f"{guard}; merged into {OTHERS}",
            ("dropped", True): f"{guard}; dropped by policy",
            ("withheld", False): (
                f"its raters changed by fewer than {policy.min_raters} since an earlier release;"
                " withheld by the release guard"
            ),
        }
        self._notes = {
            (group, action, complementary): Suppression(group, action, reason)
            for group in (*_ANONYMOUS_VALUES, OTHERS)
            for (action, complementary), reason in self._reasons.items()
        }

    def note(self, group: str, action: str, *, complementary: bool = False) -> Suppression:
        """The suppression note of one group."""
        return self._notes[group, action, complementary]


# A figure to show: (group name, indices of its ratings, policy weight).
_Figure = tuple[str, list[int], float]
_ORDER: Final = {name: i for i, (name, _) in enumerate(_GROUPS)}


def _plan(
    groups: Mapping[str, list[int]], rules: _Rules
) -> tuple[list[_Figure], list[Suppression]]:
    """Which groups of one competency are shown, from the counts of raters alone.

    A peer, direct-report or customer group below the threshold is merged or dropped. When the
    groups set aside that way hold fewer than `min_raters` raters together while another
    anonymous group is shown, the smallest shown anonymous group (the first in the order peer,
    direct report, customer on a tie) is set aside with them (complementary suppression): under
    MERGE it joins them in "others", which then reaches the threshold; under DROP it is dropped
    too. So the raters not shown on their own are none, or at least `min_raters` together, and
    no figure from outside the report (an all-raters mean, say) minus the figures shown isolates
    fewer than `min_raters` raters. Scores play no part in the choice.
    """
    weights, min_raters = rules.weights, rules.min_raters
    figures: list[_Figure] = []
    small: list[str] = []
    for name, anonymous in _GROUPS:
        indices = groups.get(name)
        if indices:
            if anonymous and len(indices) < min_raters:
                small.append(name)
            else:
                figures.append((name, indices, weights[name]))
    if not small:
        return figures, []
    large = [f for f in figures if f[0] != _MANAGER]
    hidden = sum(len(groups[n]) for n in small)
    extra = min(large, key=lambda f: len(f[1]))[0] if hidden < min_raters and large else None
    merged = rules.merge and (hidden >= min_raters or extra is not None)
    action = "merged" if merged else "dropped"
    aside = sorted([*small, *([extra] if extra else [])], key=_ORDER.__getitem__)
    notes = [rules.note(n, action, complementary=n == extra) for n in aside]
    if extra is not None:
        figures = [f for f in figures if f[0] != extra]
    if merged:
        pooled = [i for n in aside for i in groups[n]]
        figures.append((OTHERS, pooled, math.fsum([weights[n] for n in aside])))
    return figures, notes


_Cells = dict[str, dict[str, tuple[dict[str, list[int]], dict[str, int]]]]


def _cells(items: list[Rating], scale: RatingScale) -> _Cells:
    """Check the ratings and group them by ratee, competency and relation.

    Returns:
        Ratee -> competency -> (relation value -> indices of its ratings, rater -> index of
        their rating). Relations are keyed by value: a str hashes in C, an Enum member in
        Python. Errors name positions only, never a rater or a score.
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
                f"must be within {show(scale.minimum)}..{show(scale.maximum)}{_WITHHELD}",
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
                f"duplicate of ratings[{earlier}]: one rater rates a ratee on a competency once",
            )
        relation = r.relation._value_
        indices = groups.get(relation)
        if indices is None:
            groups[relation] = [i]
        else:
            indices.append(i)
    return cells


def _competency(
    competency_id: str,
    figures: list[_Figure],
    notes: list[Suppression],
    *,
    self_score: float | None,
    scores: Sequence[float],
    rules: _Rules,
) -> CompetencyFeedback:
    """One competency's figures from the plan (and the calibrated scores, if any)."""
    total = math.fsum([w for _, _, w in figures])
    groups = []
    for name, indices, w in figures:
        values = [scores[i] for i in indices]
        groups.append(
            GroupScore(
                name, len(values), math.fsum(values) / len(values), w / total if total else 0.0
            )
        )
    others = math.fsum([g.weight * g.mean for g in groups]) if total > 0 and groups else None
    gap = flag = None
    if self_score is not None and others is not None:
        gap = self_score - others
        if gap >= rules.gap:
            flag = "blind_spot"
        elif gap <= -rules.gap:
            flag = "hidden_strength"
    return CompetencyFeedback(
        competency_id, tuple(groups), others, self_score, gap, flag, tuple(notes)
    )


def _check_arguments(
    ratings: object, scale: object, policy: object
) -> tuple[list[Rating], RatingScale, FeedbackPolicy]:
    policy = policy if policy is not None else FeedbackPolicy()
    if not isinstance(scale, RatingScale):
        raise InvalidInputError("scale", f"must be a RatingScale, got {show(scale)}")
    if not isinstance(policy, FeedbackPolicy):
        raise InvalidInputError("policy", f"must be a FeedbackPolicy, got {show(policy)}")
    if isinstance(ratings, (str, bytes, Mapping)) or not isinstance(ratings, Iterable):
        # the value is not repeated: a rating passed on its own would print its rater and score
        raise InvalidInputError("ratings", f"must be a sequence of Rating values{_WITHHELD}")
    return list(ratings), scale, policy


def _previous(previous: object) -> FeedbackRelease | None:
    if previous is None or isinstance(previous, FeedbackRelease):
        return previous
    if isinstance(previous, Mapping):
        return prefixed("previous", lambda: FeedbackRelease.from_dict(previous))
    raise InvalidInputError(
        "previous", f"must be a FeedbackRelease or its to_dict() data, got {show(previous)}"
    )


_Plans = dict[str, dict[str, tuple[list[_Figure], list[Suppression]]]]


class _Guard:
    """The release guard: the figures published so far, and those published now."""

    def __init__(self, keyring: _Keyring, earlier: FeedbackRelease | None, rules: _Rules) -> None:
        self.keyring = keyring
        self.rules = rules
        self.history = (
            {(c.ratee_id, c.competency_id): c.figures for c in earlier.cells} if earlier else {}
        )
        self.published: dict[tuple[str, str], set[tuple[str, ...]]] = {
            k: set(v) for k, v in self.history.items()
        }

    def apply(
        self,
        ratee: str,
        competency: str,
        items: list[Rating],
        plan: tuple[list[_Figure], list[Suppression]],
    ) -> tuple[list[_Figure], list[Suppression]]:
        """The plan with every figure too close to an earlier one withheld; record the rest."""
        figures, notes = plan
        past = self.history.get((ratee, competency), ())
        shown = self.published.setdefault((ratee, competency), set())
        token, min_raters = self.keyring.token, self.rules.min_raters
        kept = []
        for figure in figures:
            name, indices, _ = figure
            tokens = tuple(
                sorted(token(ratee, competency, items[i].rater_id, items[i].score) for i in indices)
            )
            if name != _MANAGER and any(0 < _changed(tokens, old) < min_raters for old in past):
                notes = [*notes, self.rules.note(name, "withheld")]
                continue
            kept.append(figure)
            shown.add(tokens)
        return kept, notes

    def release(self) -> FeedbackRelease:
        """The record of every figure published, now and before."""
        return FeedbackRelease(
            self.keyring.check,
            [ReleaseCell(r, c, sorted(f)) for (r, c), f in self.published.items() if f],
        )


def _guard(key: object, previous: object, rules: _Rules, *, record: bool) -> _Guard | None:
    earlier = _previous(previous)
    if earlier is None and not record:
        if key is not None:
            _Keyring(key)  # checked all the same; nothing to compare with, so no tokens made
        return None
    if key is None:
        raise InvalidInputError("key", "is required to compare with a previous release")
    keyring = _Keyring(key)
    if earlier is not None and earlier.key_check != keyring.check:
        raise InvalidInputError("key", "is not the key the previous release was made with")
    return _Guard(keyring, earlier, rules)


def _report(
    ratee: str,
    plans: Mapping[str, tuple[list[_Figure], list[Suppression]]],
    cells: Mapping[str, tuple[dict[str, list[int]], dict[str, int]]],
    context: tuple[Sequence[float], _Rules, bool],
) -> FeedbackReport:
    scores, rules, calibrated = context
    competencies = []
    for cid, (figures, notes) in plans.items():
        selfs = cells[cid][0].get(_SELF)
        self_score = scores[selfs[0]] if selfs else None
        competencies.append(
            _competency(cid, figures, notes, self_score=self_score, scores=scores, rules=rules)
        )
    others = [c.others for c in competencies if c.others is not None]
    own = [c.self_score for c in competencies if c.self_score is not None]
    return FeedbackReport(
        ratee,
        tuple(competencies),
        _mean(others) if others else None,
        _mean(own) if own else None,
        calibrated,
    )


def _publish(
    ratings: object,
    scale: object,
    policy: object,
    key: object,
    previous: object,
    *,
    record: bool,
) -> tuple[dict[str, FeedbackReport], FeedbackRelease | None]:
    items, scale_, policy_ = _check_arguments(ratings, scale, policy)
    rules = _Rules(policy_)
    guard = _guard(key, previous, rules, record=record)
    cells = _cells(items, scale_)
    # Which figures are shown depends on counts (and, with a guard, on rater tokens), never on
    # scores; it is settled before any score is looked at.
    plans: _Plans = {}
    visible: list[int] = []
    calibrate = policy_.calibrate
    for ratee in sorted(cells):
        row = cells[ratee]
        plans[ratee] = {}
        for cid in sorted(row):
            plan = _plan(row[cid][0], rules)
            if guard is not None:
                plan = guard.apply(ratee, cid, items, plan)
            plans[ratee][cid] = plan
            if calibrate:
                for figure in plan[0]:
                    visible.extend(figure[1])
    raw = [float(r.score) for r in items]
    scores = _calibrate(items, raw, visible, scale_, policy_.min_ratees) if calibrate else raw
    context = (scores, rules, policy_.calibrate)
    reports = {ratee: _report(ratee, plans[ratee], cells[ratee], context) for ratee in plans}
    return reports, (guard.release() if record and guard is not None else None)


def aggregate_feedback(
    ratings: Iterable[Rating],
    scale: RatingScale = FEEDBACK_SCALE,
    policy: FeedbackPolicy | None = None,
    *,
    previous: FeedbackRelease | Mapping[str, Any] | None = None,
    key: bytes | str | None = None,
) -> dict[str, FeedbackReport]:
    """Aggregate 360-degree ratings into one report per ratee.

    Per ratee and competency, each group shown has its mean `Σ score / n`; the others-score is
    `Σ wᵢ·meanᵢ / Σ wᵢ` over the groups shown (the policy weights). A peer, direct-report or
    customer group below `policy.min_raters` is merged or dropped, with complementary
    suppression so that the raters set aside are none or at least `min_raters` together (see
    [Anonymity](../explanation/anonymity.md)). With calibration on, only the ratings of groups
    shown enter the calibration statistics.

    Given the `previous` release (and the `key` it was made with), the release guard also
    withholds every peer, direct-report, customer or "others" figure whose raters differ by
    fewer than `min_raters` (counting a changed score as a changed rater) from a figure of the
    same ratee and competency published before; the report notes it as `"withheld"`. Use
    [`publish_feedback`][mteam.performance.feedback.publish_feedback] to get the new release
    to keep for next time.

    Args:
        ratings: The ratings, in any order.
        scale: The rating scale (1–5 unless given).
        policy: Group weights, anonymity threshold and calibration;
            [`FeedbackPolicy()`][mteam.performance.feedback.FeedbackPolicy] unless given.
        previous: The release published before (a `FeedbackRelease` or its `to_dict()` data).
        key: The secret the release tokens are keyed with (at least 16 bytes; text is
            encoded as UTF-8); required with `previous`.

    Returns:
        Ratee id → report, sorted by ratee id.

    Raises:
        InvalidInputError: a rating off the scale or one rater rating the same ratee on the
            same competency twice (named by position; no score or rater is repeated), a
            wrong argument, or a key that is not the previous release's.

    Examples:
        Three peers and one customer: the customer alone is too few, so the smallest shown
        group (the peers) is merged with them into "others" and neither is shown alone:

        >>> ratings = [Rating("ann", f"p{i}", "peer", "comm", s) for i, s in enumerate([3, 4, 5])]
        >>> ratings.append(Rating("ann", "c1", "customer", "comm", 2))
        >>> comp = aggregate_feedback(ratings)["ann"].competencies[0]
        >>> [(g.group, g.raters, g.mean) for g in comp.groups]
        [('others', 4, 3.5)]
        >>> [(s.group, s.action) for s in comp.suppressed]
        [('peer', 'merged'), ('customer', 'merged')]
    """
    reports, _ = _publish(ratings, scale, policy, key, previous, record=False)
    return reports


def publish_feedback(
    ratings: Iterable[Rating],
    scale: RatingScale = FEEDBACK_SCALE,
    policy: FeedbackPolicy | None = None,
    *,
    key: bytes | str,
    previous: FeedbackRelease | Mapping[str, Any] | None = None,
) -> FeedbackPublication:
    """Aggregate 360-degree ratings as a release: the reports, and the record of what they show.

    The reports are those of
    [`aggregate_feedback`][mteam.performance.feedback.aggregate_feedback] with the same
    arguments (guarded against `previous` when given). The release records, for every figure
    shown now or in an earlier release, the keyed tokens of its raters; keep it (as
    `release.to_dict()`, JSON-ready) with the key kept apart, and pass it as `previous` when the
    same cycle is published again.

    Args:
        ratings: The ratings, in any order.
        scale: The rating scale (1–5 unless given).
        policy: [`FeedbackPolicy()`][mteam.performance.feedback.FeedbackPolicy] unless given.
        key: A secret of at least 16 bytes (text is encoded as UTF-8), the same for every
            release of a cycle; never stored.
        previous: The release published before, if any.

    Returns:
        The reports and the new release (the previous one's figures carried forward).

    Raises:
        InvalidInputError: as `aggregate_feedback`; also a key that is too short or is not the
            previous release's.

    Examples:
        Three peers rate Ann; a fourth rates her late. Published again, the peer figure would
        give the late rater's score away as 4 × mean₂ − 3 × mean₁, so the guard withholds it:

        >>> key = "a secret of at least sixteen bytes"
        >>> first = [Rating("ann", f"p{i}", "peer", "comm", s) for i, s in enumerate([3, 4, 5])]
        >>> one = publish_feedback(first, key=key)
        >>> one.reports["ann"].competencies[0].groups[0].mean
        4.0
        >>> late = [*first, Rating("ann", "p3", "peer", "comm", 1)]
        >>> two = publish_feedback(late, key=key, previous=one.release)
        >>> comp = two.reports["ann"].competencies[0]
        >>> comp.groups, [(s.group, s.action) for s in comp.suppressed]
        ((), [('peer', 'withheld')])
    """
    reports, release = _publish(ratings, scale, policy, key, previous, record=True)
    assert release is not None  # noqa: S101 - record=True always makes one
    return FeedbackPublication(reports, release)
