"""RFM: recency, frequency and monetary value, scored in quintiles and segmented.

Per member at `as_of`: **recency** = days since the last purchase (None without one),
**frequency** = number of purchases, **monetary** = total amount.

**Quintile scores 1–5.** Members are ordered from the worst value to the best (a smaller
frequency or monetary value is worse; a longer recency is worse, and "never bought" worst of
all). Two tie rules, chosen by [`RFMPolicy.ties`][mteam.membership.rfm.RFMPolicy]:

* `"rank"` (the default): ties are broken by member id, as rank-based quintiles do
  (`pandas.qcut(x.rank(method="first"), 5)`): the member at position i (0-based) of the
  order by (value, member id) scores 1 + ⌊5 × i / N⌋. Every score holds a fifth of the
  members (N ≥ 5), whatever the ties: on a base where half the members bought once, F = 1 and
  F = 2 both exist, and members who bought once get 1, 2 or 3 by their ids.
* `"shared"`: equal values share a score, 1 + ⌊5 × w / N⌋, where w is the number of members
  with a strictly worse value. A score may then be empty (when half the members bought once
  they all get F = 1 and nobody F = 2).

**Cut points.** Either rule is a set of at most four cut points per dimension, the smallest
(value, member id) that reaches each score 2–5 (for `"shared"` the member id is `""`, which
every id reaches): a member's score is 1 + the number of cut points at or below their
(value, id). The cut points ([`RFMCuts`][mteam.membership.rfm.RFMCuts]) are an aggregate of
the whole base, small whatever its size; with them any part of the base can be scored on its
own and gets the scores it has in the whole ([`rfm`][mteam.membership.rfm.rfm] with `cuts=`).

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
    >>> base = summarise(members, sales, date(2025, 6, 30))
    >>> table = rfm(base, RFMPolicy(ties="shared"))
    >>> [(s.member_id, s.recency, s.frequency, s.r, s.f, s.m, s.segment) for s in table.scores]
    [('a', 2, 2, 5, 5, 4, 'Champions'), ('b', 121, 1, 3, 2, 5, 'Need attention'), \
('c', 10, 1, 4, 2, 3, 'Potential loyalists'), ('d', 149, 1, 2, 2, 2, 'Hibernating'), \
('e', None, 0, 1, 1, 1, 'Hibernating')]

    By rank (the default), b, c and d, who bought once each, get F = 2, 3 and 4 by their ids:

    >>> [(s.member_id, s.f) for s in rfm(base).scores]
    [('a', 5), ('b', 2), ('c', 3), ('d', 4), ('e', 1)]
    >>> cuts = rfm_cuts(base)
    >>> cuts.frequency, cuts.frequency_ids
    ((1, 1, 1, 2), ('b', 'c', 'd', 'a'))
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import Any, Final

import attrs

from mteam._records import Records
from mteam._validate import check_instance, check_sequence, check_tuple, show, text, to_items, whole
from mteam.errors import InvalidInputError
from mteam.membership.summary import MemberBase, _check_base

__all__ = [
    "DEFAULT_SEGMENTS",
    "TIE_RULES",
    "RFMCuts",
    "RFMPolicy",
    "RFMScore",
    "RFMTable",
    "SegmentRule",
    "quintile_scores",
    "rank_scores",
    "rfm",
    "rfm_cuts",
]

TIE_RULES: Final = ("rank", "shared")
"""The tie rules of the quintile scores (see the module docs)."""


@attrs.frozen
class SegmentRule:
    """A segment: the ranges of R and F scores it covers (inclusive).

    Attributes:
        name: The segment's name.
        r_min: The lowest R score (1–5).
        r_max: The highest R score.
        f_min: The lowest F score.
        f_max: The highest F score.

    Examples:
        >>> rule = SegmentRule("Champions", 4, 5, 4, 5)
        >>> rule.matches(5, 4), rule.matches(3, 5)
        (True, False)
        >>> SegmentRule("Bad", 0, 5, 1, 5)
        Traceback (most recent call last):
        ...
        mteam.errors.InvalidInputError: ...
    """

    name: str = attrs.field(validator=text())
    r_min: int = attrs.field(validator=whole(ge=1, le=5))
    r_max: int = attrs.field(validator=whole(ge=1, le=5))
    f_min: int = attrs.field(validator=whole(ge=1, le=5))
    f_max: int = attrs.field(validator=whole(ge=1, le=5))

    def matches(self, r: int, f: int) -> bool:
        """Whether (r, f) falls in the rule's ranges: r_min ≤ r ≤ r_max and f_min ≤ f ≤ f_max.

        Examples:
            >>> SegmentRule("At risk", 1, 2, 3, 5).matches(2, 3)
            True
        """
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
    check_tuple("segments", value)
    for i, rule in enumerate(value):
        if not isinstance(rule, SegmentRule):
            raise InvalidInputError(f"segments[{i}]", f"must be a SegmentRule, got {show(rule)}")
    for r in range(1, 6):
        for f in range(1, 6):
            if not any(rule.matches(r, f) for rule in value):
                raise InvalidInputError("segments", f"no rule covers R={r}, F={f}")


def _check_ties(_inst: object, _attr: object, value: object) -> None:
    if value not in TIE_RULES:
        raise InvalidInputError("ties", f"must be 'rank' or 'shared', got {show(value)}")


@attrs.frozen
class RFMPolicy:
    """The segment rules (first match wins; every (R, F) pair must be covered) and the tie rule.

    Attributes:
        segments: The rules; [`DEFAULT_SEGMENTS`][mteam.membership.rfm.DEFAULT_SEGMENTS] unless
            given.
        ties: `"rank"` (ties broken by member id: five populated scores) unless given, or
            `"shared"` (equal values share a score); see the module docs.

    Examples:
        >>> RFMPolicy().ties, RFMPolicy().segment(5, 1)
        ('rank', 'New')
        >>> RFMPolicy(ties="dense")
        Traceback (most recent call last):
        ...
        mteam.errors.InvalidInputError: ...
    """

    segments: tuple[SegmentRule, ...] = attrs.field(
        default=DEFAULT_SEGMENTS, converter=to_items, validator=_check_segments
    )
    ties: str = attrs.field(default="rank", validator=_check_ties)

    def segment(self, r: int, f: int) -> str:
        """The name of the first rule that matches.

        Examples:
            >>> policy = RFMPolicy()
            >>> policy.segment(5, 5), policy.segment(3, 1), policy.segment(1, 5)
            ('Champions', 'Need attention', 'Cannot lose them')
        """
        return next(rule.name for rule in self.segments if rule.matches(r, f))


@attrs.frozen
class RFMScore(Records):
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

    Examples:
        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from mteam.membership.records import Member, Transaction
        >>> from mteam.membership.summary import summarise
        >>> sales = [Transaction("a", date(2025, 6, 28), Decimal(90)),
        ...          Transaction("a", date(2025, 6, 1), Decimal(60)),
        ...          Transaction("b", date(2025, 3, 1), Decimal(500)),
        ...          Transaction("c", date(2025, 6, 20), Decimal(40)),
        ...          Transaction("d", date(2025, 2, 1), Decimal(20))]
        >>> base = summarise([Member(m, date(2025, 1, 1)) for m in "abcde"], sales,
        ...                  date(2025, 6, 30))
        >>> rfm(base).scores[0].to_records()  # doctest: +NORMALIZE_WHITESPACE
        [{'member_id': 'a', 'recency': 2, 'frequency': 2, 'monetary': Decimal('150'), 'r': 5,
          'f': 5, 'm': 4, 'segment': 'Champions'}]
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
class RFMTable(Records):
    """Every member's RFM scores and the segment sizes.

    Attributes:
        scores: One entry per member, sorted by id.
        segments: Segment → members, in the order of the rules.

    `to_records()` gives one row per member (the fields of their
    [`RFMScore`][mteam.membership.rfm.RFMScore]); the segment sizes are in `segments`.

    Examples:
        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from mteam.membership.records import Member, Transaction
        >>> from mteam.membership.summary import summarise
        >>> sales = [Transaction("a", date(2025, 6, 28), Decimal(90)),
        ...          Transaction("a", date(2025, 6, 1), Decimal(60)),
        ...          Transaction("b", date(2025, 3, 1), Decimal(500)),
        ...          Transaction("c", date(2025, 6, 20), Decimal(40)),
        ...          Transaction("d", date(2025, 2, 1), Decimal(20))]
        >>> base = summarise([Member(m, date(2025, 1, 1)) for m in "abcde"], sales,
        ...                  date(2025, 6, 30))
        >>> table = rfm(base)
        >>> [(r["member_id"], r["r"], r["f"], r["m"]) for r in table.to_records()][:2]
        [('a', 5, 5, 4), ('b', 3, 2, 5)]
        >>> {k: v for k, v in table.segments.items() if v}
        {'Champions': 1, 'Loyal': 1, 'Need attention': 1, 'At risk': 1, 'Hibernating': 1}
    """

    scores: tuple[RFMScore, ...]
    segments: dict[str, int]

    def _rows(self) -> list[dict[str, object]]:
        """One row per member."""
        return [attrs.asdict(s) for s in self.scores]

    def _html_caption(self) -> str:
        sizes = ", ".join(f"{k} {v}" for k, v in self.segments.items() if v)
        return f"RFMTable: {len(self.scores):,} members ({sizes})"


def quintile_scores(values: Sequence[Any], key: Callable[[Any], Any] | None = None) -> list[int]:
    """Scores 1–5 by the shared-ties rule: 1 + ⌊5 × (values strictly smaller) / N⌋.

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


def rank_scores(values: Sequence[Any], ids: Sequence[str]) -> list[int]:
    """Scores 1–5 by rank, ties broken by id: 1 + ⌊5 × i / N⌋ at position i of (value, id).

    Examples:
        >>> rank_scores([1, 1, 1, 1, 1, 1, 1, 1, 2, 3], list("abcdefghij"))
        [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    """
    check_sequence("values", values)
    check_sequence("ids", ids)
    if len(ids) != len(values):
        raise InvalidInputError("ids", f"must be one per value ({len(values)}), got {len(ids)}")
    pairs = list(zip(values, ids, strict=True))
    try:
        order = sorted(range(len(pairs)), key=pairs.__getitem__)
    except TypeError:
        raise InvalidInputError(
            "values", "must be values of one comparable kind (numbers, or dates)"
        ) from None
    n, out = len(pairs), [0] * len(pairs)
    for position, i in enumerate(order):
        out[i] = 1 + (5 * position) // n
    return out


@attrs.frozen
class RFMCuts(Records):
    """The cut points of the three scores: an aggregate of the whole base.

    A dimension's cut points are the (value, member id) pairs, ascending, at which scores 2–5
    start; a score is 1 + the number of cut points at or below the member's (value, id). A
    dimension has fewer than four cut points when some scores are empty (under the shared-ties
    rule, or with fewer than five members); under the shared-ties rule every id is `""`.

    Attributes:
        ties: The tie rule, `"rank"` or `"shared"`.
        members: The members of the base.
        recency: The days of last purchase of R's cut points (later is better; None = never).
        recency_ids: Their member ids.
        frequency: The numbers of purchases of F's cut points.
        frequency_ids: Their member ids.
        monetary: The amounts of M's cut points.
        monetary_ids: Their member ids.

    `to_records()` gives one row per cut point: `dimension`, the `score` it starts, its
    `value` (a day, a count or an amount) and `member_id`.

    Examples:
        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from mteam.membership.records import Member, Transaction
        >>> from mteam.membership.summary import summarise
        >>> sales = [Transaction("a", date(2025, 6, 28), Decimal(90)),
        ...          Transaction("a", date(2025, 6, 1), Decimal(60)),
        ...          Transaction("b", date(2025, 3, 1), Decimal(500)),
        ...          Transaction("c", date(2025, 6, 20), Decimal(40)),
        ...          Transaction("d", date(2025, 2, 1), Decimal(20))]
        >>> base = summarise([Member(m, date(2025, 1, 1)) for m in "abcde"], sales,
        ...                  date(2025, 6, 30))
        >>> cuts = rfm_cuts(base)
        >>> [(r["score"], r["value"], r["member_id"]) for r in cuts.to_records()
        ...  if r["dimension"] == "frequency"]
        [(2, 1, 'b'), (3, 1, 'c'), (4, 1, 'd'), (5, 2, 'a')]
    """

    ties: str
    members: int
    recency: tuple[date | None, ...]
    recency_ids: tuple[str, ...]
    frequency: tuple[int, ...]
    frequency_ids: tuple[str, ...]
    monetary: tuple[Decimal, ...]
    monetary_ids: tuple[str, ...]

    def _rows(self) -> list[dict[str, object]]:
        """One row per cut point: the dimension, the score it starts, its value and member."""
        rows: list[dict[str, object]] = []
        for name in ("recency", "frequency", "monetary"):
            values: tuple[Any, ...] = getattr(self, name)
            ids: tuple[str, ...] = getattr(self, f"{name}_ids")
            keys = [_key(v, i) for v, i in zip(values, ids, strict=True)]
            rows += [
                {
                    "dimension": name,
                    "score": 1 + bisect_right(keys, key),
                    "value": value,
                    "member_id": member_id,
                }
                for key, value, member_id in zip(keys, values, ids, strict=True)
            ]
        return rows


_NEVER: Final = 0  # the recency key of "never bought": below every day's ordinal


def _key(value: object, member_id: str) -> tuple[Any, str]:
    """The sort key of a (value, member id): recency on the day's ordinal, never = 0."""
    if value is None:
        return (_NEVER, member_id)
    if isinstance(value, date):
        return (value.toordinal(), member_id)
    return (value, member_id)


def _cut_points(keys: Sequence[Any], ids: Sequence[str], ties: str) -> tuple[tuple[Any, str], ...]:
    """The (key, id) cut points of scores 2–5 for sortable keys (the frames path's helper)."""
    n = len(keys)
    if ties == "rank":
        order = sorted(zip(keys, ids, strict=True))
        return tuple(order[p] for p in _rank_cut_positions(n))
    return _shared_cut_points(Counter(keys), n)


def _shared_cut_points(counts: dict[Any, int], n: int) -> tuple[tuple[Any, str], ...]:
    """The shared-ties cut points from the counts of the distinct keys (N members in all)."""
    cuts: list[tuple[Any, str]] = []
    below, score = 0, 2
    for value in sorted(counts):
        reached = 1 + (5 * below) // n
        while score <= min(reached, 5):
            cuts.append((value, ""))
            score += 1
        below += counts[value]
    return tuple(cuts)


def _rank_cut_positions(n: int) -> tuple[int, ...]:
    """The 0-based positions in the (value, id) order at which scores 2–5 start (N members)."""
    return tuple(p for p in (-(-(k - 1) * n // 5) for k in range(2, 6)) if p < n)


def _dimension_keys(base: MemberBase) -> tuple[list[str], list[Any], list[int], list[Decimal]]:
    stats = base.stats.values()
    ids = list(base.stats)
    last = [_key(s.last_purchase, "")[0] for s in stats]
    return (
        ids,
        last,
        list(map(attrgetter("purchases"), stats)),
        list(map(attrgetter("revenue"), stats)),
    )


def rfm_cuts(base: MemberBase, policy: RFMPolicy | None = None) -> RFMCuts:
    """The cut points of R, F and M in a member base, by the policy's tie rule.

    Raises:
        InvalidInputError: not a member base.

    Examples:
        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from mteam.membership.records import Member, Transaction
        >>> from mteam.membership.summary import summarise
        >>> sales = [Transaction("a", date(2025, 6, 28), Decimal(90)),
        ...          Transaction("a", date(2025, 6, 1), Decimal(60)),
        ...          Transaction("b", date(2025, 3, 1), Decimal(500)),
        ...          Transaction("c", date(2025, 6, 20), Decimal(40)),
        ...          Transaction("d", date(2025, 2, 1), Decimal(20))]
        >>> base = summarise([Member(m, date(2025, 1, 1)) for m in "abcde"], sales,
        ...                  date(2025, 6, 30))
        >>> rfm_cuts(base).monetary, rfm_cuts(base).monetary_ids  # 20, 40, 150, 500 start 2–5
        ((Decimal('20'), Decimal('40'), Decimal('150'), Decimal('500')), ('d', 'c', 'a', 'b'))
        >>> rfm_cuts(base, RFMPolicy(ties="shared")).frequency  # b, c, d share F = 2; a has 5
        (1, 2, 2, 2)
    """
    base = _check_base(base)
    policy = policy if policy is not None else RFMPolicy()
    check_instance("policy", policy, RFMPolicy)
    ids, last, purchases, revenue = _dimension_keys(base)
    recency, frequency, monetary = (
        _cut_points(keys, ids, policy.ties) for keys in (last, purchases, revenue)
    )
    return RFMCuts(
        policy.ties,
        len(ids),
        tuple(None if k == _NEVER else date.fromordinal(k) for k, _ in recency),
        tuple(i for _, i in recency),
        tuple(k for k, _ in frequency),
        tuple(i for _, i in frequency),
        tuple(k for k, _ in monetary),
        tuple(i for _, i in monetary),
    )


def _scorer(values: tuple[Any, ...], ids: tuple[str, ...]) -> Callable[[Any, str], int]:
    keys = [_key(v, i) for v, i in zip(values, ids, strict=True)]

    def score(value: Any, member_id: str) -> int:  # noqa: ANN401
        return 1 + bisect_right(keys, (value, member_id))

    return score


def rfm(
    base: MemberBase, policy: RFMPolicy | None = None, *, cuts: RFMCuts | None = None
) -> RFMTable:
    """Score every member of a member base (see the module docs for the rules).

    Args:
        base: The members to score.
        policy: [`RFMPolicy()`][mteam.membership.rfm.RFMPolicy] unless given.
        cuts: The cut points to score on; those of `base` itself unless given (pass the cut
            points of the whole base to score a part of it).

    Raises:
        InvalidInputError: not a member base, or cut points that are not RFMCuts.

    Examples:
        Ranked by (value, member id), position i of 5 scores 1 + ⌊5 × i / 5⌋: c, who bought once,
        gets F = 3 from its place among b, c and d:

        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from mteam.membership.records import Member, Transaction
        >>> from mteam.membership.summary import summarise
        >>> sales = [Transaction("a", date(2025, 6, 28), Decimal(90)),
        ...          Transaction("a", date(2025, 6, 1), Decimal(60)),
        ...          Transaction("b", date(2025, 3, 1), Decimal(500)),
        ...          Transaction("c", date(2025, 6, 20), Decimal(40)),
        ...          Transaction("d", date(2025, 2, 1), Decimal(20))]
        >>> base = summarise([Member(m, date(2025, 1, 1)) for m in "abcde"], sales,
        ...                  date(2025, 6, 30))
        >>> [(s.member_id, s.r, s.f, s.m, s.segment) for s in rfm(base).scores][:3]
        [('a', 5, 5, 4, 'Champions'), ('b', 3, 2, 5, 'Need attention'), \
        ('c', 4, 3, 3, 'Loyal')]
    """
    base = _check_base(base)
    policy = policy if policy is not None else RFMPolicy()
    check_instance("policy", policy, RFMPolicy)
    cuts = cuts if cuts is not None else rfm_cuts(base, policy)
    check_instance("cuts", cuts, RFMCuts)
    stats = list(base.stats.values())
    ids, last, purchases, revenue = _dimension_keys(base)
    days: dict[date | None, int | None] = {
        d: (base.as_of - d).days for d in {s.last_purchase for s in stats} if d
    }
    days[None] = None
    recency = [days[s.last_purchase] for s in stats]
    r_scores = list(map(_scorer(cuts.recency, cuts.recency_ids), last, ids))
    f_scores = list(map(_scorer(cuts.frequency, cuts.frequency_ids), purchases, ids))
    m_scores = list(map(_scorer(cuts.monetary, cuts.monetary_ids), revenue, ids))
    grid = {(r, f): policy.segment(r, f) for r in range(1, 6) for f in range(1, 6)}
    segments = list(map(grid.__getitem__, zip(r_scores, f_scores, strict=True)))
    sizes = Counter(segments)
    counts = {rule.name: sizes.get(rule.name, 0) for rule in policy.segments}
    scores = map(RFMScore, ids, recency, purchases, revenue, r_scores, f_scores, m_scores, segments)
    return RFMTable(tuple(scores), counts)
