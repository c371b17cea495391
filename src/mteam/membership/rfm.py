"""RFM: recency, frequency and monetary value, scored in quintiles and segmented.

Per member at `as_of`: **recency** = days since the last purchase (None without one),
**frequency** = number of purchases, **monetary** = total amount.

**Quintile scores 1–5, tie rule.** A member's score is 1 + ⌊5 × w / N⌋, where N is the number
of members and w the number of members with a strictly *worse* value (smaller frequency or
monetary value; a longer recency, and "never bought" worst of all). Equal values always get
the same score, whatever their order; the best value scores 5 unless most members share it.

**Segments** by a rule table on (R, F), first match wins; the default:

| segment | R | F |
|---|---|---|
| Champions | 4–5 | 4–5 |
| Loyal | 3–5 | 3–5 |
| New | 5 | 1 |
| Potential loyalists | 4–5 | 1–2 |
| Need attention | 3 | 1–2 |
| Cannot lose them | 1 | 5 |
| At risk | 1–2 | 3–5 |
| Hibernating | 1–2 | 1–2 |

Examples:
    >>> from datetime import date
    >>> from decimal import Decimal
    >>> from mteam.membership.records import Member, Transaction
    >>> from mteam.membership.summary import summarise
    >>> from mteam.membership.rfm import rfm
    >>> members = [Member(m, date(2025, 1, 1)) for m in "abcde"]
    >>> sales = [Transaction("a", date(2025, 6, 28), Decimal(90)),
    ...          Transaction("a", date(2025, 6, 1), Decimal(60)),
    ...          Transaction("b", date(2025, 3, 1), Decimal(500)),
    ...          Transaction("c", date(2025, 6, 20), Decimal(40)),
    ...          Transaction("d", date(2025, 2, 1), Decimal(20))]
    >>> table = rfm(summarise(members, sales, date(2025, 6, 30)))
    >>> [(s.member_id, s.recency, s.frequency, s.r, s.f, s.m, s.segment) for s in table.scores]
    [('a', 2, 2, 5, 5, 4, 'Champions'), ('b', 121, 1, 3, 2, 5, 'Need attention'), \
('c', 10, 1, 4, 2, 3, 'Potential loyalists'), ('d', 149, 1, 2, 2, 2, 'Hibernating'), \
('e', None, 0, 1, 1, 1, 'Hibernating')]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import Any, Final

import attrs

from mteam._validate import check_sequence, show, text, to_tuple, whole
from mteam.errors import InvalidInputError
from mteam.membership.summary import MemberBase, _check_base

__all__ = [
    "DEFAULT_SEGMENTS",
    "RFMPolicy",
    "RFMScore",
    "RFMTable",
    "SegmentRule",
    "quintile_scores",
    "rfm",
]


@attrs.frozen
class SegmentRule:
    """A segment: the ranges of R and F scores it covers (inclusive).

    Attributes:
        name: The segment's name.
        r_min: The lowest R score (1–5).
        r_max: The highest R score.
        f_min: The lowest F score.
        f_max: The highest F score.
    """

    name: str = attrs.field(validator=text())
    r_min: int = attrs.field(validator=whole(ge=1, le=5))
    r_max: int = attrs.field(validator=whole(ge=1, le=5))
    f_min: int = attrs.field(validator=whole(ge=1, le=5))
    f_max: int = attrs.field(validator=whole(ge=1, le=5))

    def matches(self, r: int, f: int) -> bool:
        """Whether (r, f) falls in the rule's ranges."""
        return self.r_min <= r <= self.r_max and self.f_min <= f <= self.f_max


DEFAULT_SEGMENTS: Final = (
    SegmentRule("Champions", 4, 5, 4, 5),
    SegmentRule("Loyal", 3, 5, 3, 5),
    SegmentRule("New", 5, 5, 1, 1),
    SegmentRule("Potential loyalists", 4, 5, 1, 2),
    SegmentRule("Need attention", 3, 3, 1, 2),
    SegmentRule("Cannot lose them", 1, 1, 5, 5),
    SegmentRule("At risk", 1, 2, 3, 5),
    SegmentRule("Hibernating", 1, 2, 1, 2),
)
"""The default segment table (see the module docs)."""


def _check_segments(_inst: object, _attr: object, value: tuple[SegmentRule, ...]) -> None:
    for i, rule in enumerate(value):
        if not isinstance(rule, SegmentRule):
            raise InvalidInputError(f"segments[{i}]", f"must be a SegmentRule, got {show(rule)}")
    for r in range(1, 6):
        for f in range(1, 6):
            if not any(rule.matches(r, f) for rule in value):
                raise InvalidInputError("segments", f"no rule covers R={r}, F={f}")


@attrs.frozen
class RFMPolicy:
    """The segment rules (first match wins; every (R, F) pair must be covered).

    Attributes:
        segments: The rules; [`DEFAULT_SEGMENTS`][mteam.membership.rfm.DEFAULT_SEGMENTS] unless
            given.
    """

    segments: tuple[SegmentRule, ...] = attrs.field(
        default=DEFAULT_SEGMENTS, converter=to_tuple, validator=_check_segments
    )

    def segment(self, r: int, f: int) -> str:
        """The name of the first rule that matches."""
        return next(rule.name for rule in self.segments if rule.matches(r, f))


@attrs.frozen
class RFMScore:
    """One member's RFM values, scores and segment.

    Attributes:
        member_id: The member.
        recency: Days since the last purchase at `as_of` (None without a purchase).
        frequency: Purchases.
        monetary: Total amount.
        r: Recency score 1–5 (5 = most recent).
        f: Frequency score 1–5.
        m: Monetary score 1–5.
        segment: The segment's name.
    """

    member_id: str
    recency: int | None
    frequency: int
    monetary: Decimal
    r: int
    f: int
    m: int
    segment: str


@attrs.frozen
class RFMTable:
    """Every member's RFM scores and the segment sizes.

    Attributes:
        scores: One entry per member, sorted by id.
        segments: Segment → members, in the order of the rules.
    """

    scores: tuple[RFMScore, ...]
    segments: dict[str, int]

    def to_records(self) -> list[dict[str, object]]:
        """One row per member, for a notebook."""
        return [attrs.asdict(s) for s in self.scores]


def quintile_scores(values: Sequence[Any], key: Callable[[Any], Any] | None = None) -> list[int]:
    """Scores 1–5 by the tie rule: 1 + ⌊5 × (values strictly smaller) / N⌋.

    Examples:
        >>> quintile_scores([10, 20, 20, 30, 40, 50, 60, 70, 80, 90])
        [1, 1, 1, 2, 3, 3, 4, 4, 5, 5]
    """
    check_sequence("values", values)
    keys = list(values) if key is None else [key(v) for v in values]
    n = len(keys)
    # each distinct value's score, from how many values are strictly smaller (the counts of
    # the distinct values below it): one sort of the distinct values, then look-ups in C
    score, below = {}, 0
    try:
        counts = Counter(keys)
        distinct = sorted(counts)
    except TypeError:
        raise InvalidInputError(
            "values", "must be values of one comparable kind (numbers, or dates)"
        ) from None
    for value in distinct:
        score[value] = 1 + (5 * below) // n
        below += counts[value]
    return list(map(score.__getitem__, keys))


def rfm(base: MemberBase, policy: RFMPolicy | None = None) -> RFMTable:
    """Score every member of a member base (see the module docs for the rules).

    Raises:
        InvalidInputError: not a member base.
    """
    base = _check_base(base)
    policy = policy if policy is not None else RFMPolicy()
    stats = list(base.stats.values())
    last = list(map(attrgetter("last_purchase"), stats))
    # per distinct day of last purchase: the days since, and the key it is scored on (a smaller
    # recency is better, "never" the worst: the negated value, "never" below every other)
    days: dict[date | None, int | None] = {d: (base.as_of - d).days for d in set(last) if d}
    keys: dict[date | None, int] = {d: -n for d, n in days.items() if n is not None}
    days[None], keys[None] = None, -(10**9)
    recency = list(map(days.__getitem__, last))
    purchases = list(map(attrgetter("purchases"), stats))
    revenue = list(map(attrgetter("revenue"), stats))
    r_scores = quintile_scores(list(map(keys.__getitem__, last)))
    f_scores = quintile_scores(purchases)
    m_scores = quintile_scores(revenue)
    grid = {(r, f): policy.segment(r, f) for r in range(1, 6) for f in range(1, 6)}
    segments = list(map(grid.__getitem__, zip(r_scores, f_scores, strict=True)))
    sizes = Counter(segments)
    counts = {rule.name: sizes.get(rule.name, 0) for rule in policy.segments}
    scores = map(
        RFMScore,
        map(attrgetter("member_id"), stats),
        recency,
        purchases,
        revenue,
        r_scores,
        f_scores,
        m_scores,
        segments,
    )
    return RFMTable(tuple(scores), counts)
