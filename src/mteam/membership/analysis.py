"""The member-base analysis in one call.

[`analyse`][mteam.membership.analysis.analyse] summarises the members and streams the
transactions once, then computes: retention over the last 12 months, monthly cohorts, the
Kaplan–Meier curve of membership, an sBG model fitted to the cohorts' survivor counts with a
12-month projection, CLTV four ways, RFM cut points and segment sizes, tier sizes and
(optionally) the points held.

The analysis is the base's aggregates only: small whatever the size of the base, and the same
(`==`) whichever way it was computed (here, or on a dataframe engine with
[`mteam.membership.frames`][mteam.membership.frames]). Each member's figures, scores, segment
and tier are a separate result, [`score_members`][mteam.membership.analysis.score_members];
each member's points are [`points_balances`][mteam.membership.tiers.points_balances].

Examples:
    >>> from mteam.io import analyse_sample
    >>> result = analyse_sample()
    >>> result.members, result.current_members
    (3000, 729)
    >>> round(result.sbg.alpha, 3), round(result.sbg.beta, 3)
    (0.857, 2.439)
    >>> result.segment_counts["Champions"], result.tier_counts["Gold"]
    (662, 56)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from operator import attrgetter

import attrs
from dateutil.relativedelta import relativedelta

from mteam._validate import check_instance, check_sequence, of_type, real, whole
from mteam.errors import InvalidInputError
from mteam.membership.cltv import CohortValue, cohort_cltv, geometric_cltv, sbg_cltv, simple_cltv
from mteam.membership.records import Member, Transaction
from mteam.membership.retention import CohortTable, RetentionCounts, cohort_table, period_retention
from mteam.membership.rfm import RFMCuts, RFMPolicy, rfm, rfm_cuts
from mteam.membership.sbg import Projection, SBGModel, fit_sbg
from mteam.membership.summary import MemberBase, summarise
from mteam.membership.survival import (
    DurationTable,
    SurvivalCurve,
    duration_table,
    kaplan_meier_table,
)
from mteam.membership.tiers import PointsPolicy, TierPolicy, assign_tiers
from mteam.membership.units import Duration, Rate, TimeUnit
from mteam.money import TWD, Currency, Money, quantize

__all__ = [
    "SAMPLE_AS_OF",
    "MemberAnalysis",
    "MemberScore",
    "MemberScores",
    "MembershipPolicy",
    "analyse",
    "analyse_base",
    "score_members",
]

SAMPLE_AS_OF = date(2026, 10, 31)
"""The day the bundled sample member base is analysed as of."""


@attrs.frozen
class MembershipPolicy:
    """The assumptions of a member-base analysis, every field checked when built.

    Examples:
        >>> MembershipPolicy(horizon=-5)
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: horizon: must be >= 1, got -5
        >>> MembershipPolicy(discount_rate=0.01)
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: discount_rate: must be a Rate, got 0.01

    Attributes:
        currency: The currency of the amounts (TWD unless given).
        gross_margin: Margin as a share of revenue, in [0, 1] (0.35 unless given).
        discount_rate: The discount rate per month (1 % unless given).
        horizon: Months to project (12 unless given).
        tiers: Tier thresholds.
        rfm: RFM segment rules.
        points: A points programme, or None.
        allow_refunds: Accept negative amounts.
    """

    currency: Currency = attrs.field(default=TWD, validator=of_type(Currency))
    gross_margin: float = attrs.field(default=0.35, validator=real(ge=0, le=1))
    discount_rate: Rate = attrs.field(
        factory=lambda: Rate(0.01, TimeUnit.MONTH), validator=of_type(Rate)
    )
    horizon: int = attrs.field(default=12, validator=whole(ge=1))
    tiers: TierPolicy = attrs.field(factory=TierPolicy, validator=of_type(TierPolicy))
    rfm: RFMPolicy = attrs.field(factory=RFMPolicy, validator=of_type(RFMPolicy))
    points: PointsPolicy | None = attrs.field(
        default=None, validator=attrs.validators.optional(of_type(PointsPolicy))
    )
    allow_refunds: bool = attrs.field(default=False, validator=of_type(bool))

    def __attrs_post_init__(self) -> None:
        if self.discount_rate.per is not TimeUnit.MONTH:
            raise InvalidInputError(
                "discount_rate",
                "must be per month (the cohorts are monthly), "
                f"got per {self.discount_rate.per.value}",
            )


@attrs.frozen
class MemberAnalysis:
    """The aggregates of a member base: everything the analysis computes, no member's own data.

    Each member's figures, RFM scores, segment and tier are
    [`score_members`][mteam.membership.analysis.score_members]; their points are
    [`points_balances`][mteam.membership.tiers.points_balances].

    Attributes:
        as_of: The day of the analysis.
        members: Members in the base.
        current_members: Members who had not left by `as_of`.
        retention: Retention over the 12 months up to `as_of`.
        cohorts: The monthly cohort table.
        survival: Kaplan–Meier survival of membership, in months.
        sbg: The sBG model fitted to the cohorts' survivor counts (monthly).
        projection: S(t) for the next `horizon` months with 95 % bands.
        average_order_value: Mean amount per purchase.
        purchases_per_month: Mean purchases per member-month of membership.
        cltv_simple: AOV × purchases per month × margin × expected lifetime (sBG DEL at d = 0
            is infinite, so the undiscounted mean lifetime is capped at the KM mean over the
            data; see the docs).
        cltv_geometric: Margin per member-month with the sBG 12-month retention, discounted.
        cltv_sbg: Margin per member-month × DERL of a new member.
        cohort_values: Historical cumulative margin per original member, by cohort.
        rfm_cuts: The cut points of the RFM scores (score any member with them).
        segment_counts: RFM segment → members, in the order of the policy's rules.
        tier_counts: Tier name → members, lowest tier first.
        points_held: Unexpired points held by all members (0 without a points programme).
        points_holders: Members holding a non-zero balance of points.
    """

    as_of: date
    members: int
    current_members: int
    retention: RetentionCounts
    cohorts: CohortTable
    survival: SurvivalCurve
    sbg: SBGModel
    projection: tuple[Projection, ...]
    average_order_value: Decimal
    purchases_per_month: float
    cltv_simple: Money
    cltv_geometric: Money
    cltv_sbg: Money
    cohort_values: tuple[CohortValue, ...]
    rfm_cuts: RFMCuts
    segment_counts: dict[str, int]
    tier_counts: dict[str, int]
    points_held: int
    points_holders: int

    def __repr__(self) -> str:
        return (
            f"MemberAnalysis(as_of={self.as_of}, members={self.members}, "
            f"current={self.current_members}, sbg=(alpha={self.sbg.alpha:.3f}, "
            f"beta={self.sbg.beta:.3f}), cltv_sbg={self.cltv_sbg})"
        )


def _member_months(durations: DurationTable) -> int:
    """Months of membership, the month of joining included, from the monthly duration table.

    A member whose duration is t whole months was a member in t + 1 months.
    """
    return sum((t + 1) * (events + censored) for t, (events, censored) in durations.counts.items())


def _mean_lifetime(curve: SurvivalCurve) -> float:
    """The area under the KM curve (restricted to the last event), in the curve's unit."""
    area, last_t, last_s = 0.0, 0.0, 1.0
    for t, s in zip(curve.times, curve.survival, strict=True):
        area += (t - last_t) * last_s
        last_t, last_s = t, s
    return area


def analyse(
    members: Iterable[Member],
    transactions: Iterable[Transaction],
    as_of: date,
    policy: MembershipPolicy | None = None,
) -> MemberAnalysis:
    """Analyse a member base (see the module docs).

    Args:
        members: The members.
        transactions: Their transactions (streamed once; a reader's iterator is fine).
        as_of: The day of the analysis.
        policy: [`MembershipPolicy()`][mteam.membership.analysis.MembershipPolicy] unless given.

    Raises:
        InvalidInputError: bad records (with their line or position), or too little data to fit
            the sBG model.
    """
    policy = policy if policy is not None else MembershipPolicy()
    check_instance("policy", policy, MembershipPolicy)
    check_sequence("members", members)
    member_list = list(members)
    if policy.points is None:
        base = summarise(member_list, transactions, as_of, allow_refunds=policy.allow_refunds)
        points: dict[str, int] = {}
    else:
        from mteam.membership.tiers import points_balances  # noqa: PLC0415

        kept: list[Transaction] = []
        base = summarise(
            member_list, _tee(transactions, kept), as_of, allow_refunds=policy.allow_refunds
        )
        points = points_balances(kept, as_of, policy.points)
    return _analyse_base(base, policy, points)


def _analyse_base(
    base: MemberBase, policy: MembershipPolicy, points: dict[str, int]
) -> MemberAnalysis:
    as_of = base.as_of
    if not base.stats:
        raise InvalidInputError("members", "must not be empty")
    year_ago = as_of - relativedelta(months=12) + timedelta(days=1)
    cuts = rfm_cuts(base, policy.rfm)
    return _from_aggregates(
        _Aggregates(
            as_of=as_of,
            members=len(base.stats),
            current_members=sum(1 for s in base.stats.values() if s.left_on is None),
            purchases=sum(map(attrgetter("purchases"), base.stats.values())),
            revenue=sum(map(attrgetter("revenue"), base.stats.values()), Decimal(0)),
            retention=period_retention(base, year_ago, as_of),
            cohorts=cohort_table(base),
            durations=duration_table(base, TimeUnit.MONTH),
            cohort_values=cohort_cltv(base, policy.gross_margin),
            rfm_cuts=cuts,
            segment_counts=rfm(base, policy.rfm, cuts=cuts).segments,
            tier_counts=assign_tiers(base, policy.tiers).counts,
            points_held=sum(points.values()),
            points_holders=sum(1 for p in points.values() if p),
        ),
        policy,
    )


@attrs.frozen
class _Aggregates:
    """The count tables and totals an analysis is computed from (by either path)."""

    as_of: date
    members: int
    current_members: int
    purchases: int
    revenue: Decimal
    retention: RetentionCounts
    cohorts: CohortTable
    durations: DurationTable
    cohort_values: tuple[CohortValue, ...]
    rfm_cuts: RFMCuts
    segment_counts: dict[str, int]
    tier_counts: dict[str, int]
    points_held: int
    points_holders: int


def _from_aggregates(agg: _Aggregates, policy: MembershipPolicy) -> MemberAnalysis:
    """Fit the models and compute the CLTV figures from the aggregates."""
    cohorts = agg.cohorts
    rows = [list(cohorts.survivors(c)) for c in cohorts.cells]
    rows = [r for r in rows if len(r) >= 2]
    if not rows:
        raise InvalidInputError(
            "members", "no cohort has a full month of history: the sBG model needs one"
        )
    model = fit_sbg(rows, unit=TimeUnit.MONTH)
    purchases, revenue = agg.purchases, agg.revenue
    aov = revenue / purchases if purchases else Decimal(0)
    months = _member_months(agg.durations)
    per_month = purchases / months
    curve = kaplan_meier_table(agg.durations)
    lifetime = _mean_lifetime(curve) or 1.0
    aov_money = Money(quantize(aov, policy.currency), policy.currency)
    margin_per_month = Money(
        quantize(revenue * Decimal(repr(policy.gross_margin)) / months, policy.currency),
        policy.currency,
    )
    return MemberAnalysis(
        as_of=agg.as_of,
        members=agg.members,
        current_members=agg.current_members,
        retention=agg.retention,
        cohorts=cohorts,
        survival=curve,
        sbg=model,
        projection=model.project(policy.horizon),
        average_order_value=aov_money.amount,
        purchases_per_month=per_month,
        cltv_simple=simple_cltv(
            aov_money,
            Rate(per_month, TimeUnit.MONTH),
            policy.gross_margin,
            Duration(lifetime, TimeUnit.MONTH),
        ),
        cltv_geometric=geometric_cltv(
            margin_per_month, Rate(model.retention(12), TimeUnit.MONTH), policy.discount_rate
        ),
        cltv_sbg=sbg_cltv(model, margin_per_month, policy.discount_rate, renewals=0),
        cohort_values=agg.cohort_values,
        rfm_cuts=agg.rfm_cuts,
        segment_counts=agg.segment_counts,
        tier_counts=agg.tier_counts,
        points_held=agg.points_held,
        points_holders=agg.points_holders,
    )


@attrs.frozen
class MemberScore:
    """One member's figures, RFM scores, segment and tier.

    Attributes:
        member_id: The member.
        joined_on: The day they joined.
        left_on: The day they left, None while a member.
        recency: Days since the last purchase at `as_of` (None without a purchase).
        frequency: Purchases.
        monetary: Total amount.
        r: Recency score 1–5.
        f: Frequency score 1–5.
        m: Monetary score 1–5.
        segment: The RFM segment.
        trailing_revenue: The amount in the 12 months up to `as_of`.
        tier: The tier (English name) that trailing amount reaches.
    """

    member_id: str
    joined_on: date
    left_on: date | None
    recency: int | None
    frequency: int
    monetary: Decimal
    r: int
    f: int
    m: int
    segment: str
    trailing_revenue: Decimal
    tier: str


@attrs.frozen
class MemberScores:
    """Every member's scores, sorted by id: a per-member table, not an aggregate.

    Attributes:
        as_of: The day of the scores.
        scores: One entry per member.
    """

    as_of: date
    scores: tuple[MemberScore, ...]

    def to_records(self) -> list[dict[str, object]]:
        """One row per member, for `pandas.DataFrame`."""
        return [attrs.asdict(s) for s in self.scores]

    def __len__(self) -> int:
        return len(self.scores)


def score_members(
    base: MemberBase, policy: MembershipPolicy | None = None, *, cuts: RFMCuts | None = None
) -> MemberScores:
    """Each member's RFM scores, segment and tier: the per-member side of the analysis.

    Args:
        base: The members to score.
        policy: [`MembershipPolicy()`][mteam.membership.analysis.MembershipPolicy] unless given
            (its `rfm` and `tiers`).
        cuts: The RFM cut points to score on: those of `base` unless given. Pass the cut points
            of the whole base (`analyse(...).rfm_cuts`) to score one part of it alone.

    Examples:
        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from mteam.membership.records import Member, Transaction
        >>> from mteam.membership.summary import summarise
        >>> base = summarise([Member("a", date(2025, 1, 1)), Member("b", date(2025, 1, 1))],
        ...                  [Transaction("a", date(2025, 6, 1), Decimal(6000))],
        ...                  date(2025, 6, 30))
        >>> [(s.member_id, s.recency, s.r, s.f, s.segment, s.tier)
        ...  for s in score_members(base).scores]
        [('a', 29, 3, 3, 'Loyal', 'Silver'), ('b', None, 1, 1, 'Hibernating', 'Member')]
    """
    policy = policy if policy is not None else MembershipPolicy()
    check_instance("policy", policy, MembershipPolicy)
    table = rfm(base, policy.rfm, cuts=cuts)
    tiers = assign_tiers(base, policy.tiers).tiers
    return MemberScores(
        base.as_of,
        tuple(
            MemberScore(
                s.member_id,
                stats.joined_on,
                stats.left_on,
                s.recency,
                s.frequency,
                s.monetary,
                s.r,
                s.f,
                s.m,
                s.segment,
                stats.trailing_revenue,
                tiers[s.member_id],
            )
            for s, stats in zip(table.scores, base.stats.values(), strict=True)
        ),
    )


def _tee(items: Iterable[Transaction], kept: list[Transaction]) -> Iterable[Transaction]:
    for t in items:
        kept.append(t)
        yield t


def analyse_base(base: MemberBase, policy: MembershipPolicy | None = None) -> MemberAnalysis:
    """Analyse a member base already summarised (see the module docs; no points programme).

    The bulk path of [`mteam.io.read_and_analyse`][mteam.io.read_and_analyse]: the base comes
    from [`summarise`][mteam.membership.summary.summarise] or
    [`summarise_csv`][mteam.io.summarise_csv], or is the sum of partitions summarised apart.

    Examples:
        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from mteam.membership.records import Member, Transaction
        >>> members = [Member("a", date(2025, 1, 1), date(2025, 3, 1)),
        ...            Member("b", date(2025, 1, 1))]
        >>> sales = [Transaction("a", date(2025, 1, 2), Decimal(100)),
        ...          Transaction("b", date(2025, 2, 2), Decimal(250))]
        >>> result = analyse_base(summarise(members, sales, date(2025, 12, 31)))
        >>> result.members, result.current_members, result.average_order_value
        (2, 1, Decimal('175'))
    """
    policy = policy if policy is not None else MembershipPolicy()
    check_instance("policy", policy, MembershipPolicy)
    check_instance("base", base, MemberBase)
    return _analyse_base(base, policy, {})
