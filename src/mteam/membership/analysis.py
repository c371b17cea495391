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

import math
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal, localcontext
from operator import attrgetter
from typing import Final

import attrs
from dateutil.relativedelta import relativedelta

from mteam._records import Records
from mteam._validate import check_instance, check_sequence, of_type, real, show, whole
from mteam.errors import InvalidInputError
from mteam.membership.bgnbd import BGNBDModel, fit_bgnbd
from mteam.membership.cltv import CohortValue, cohort_cltv, geometric_cltv, sbg_cltv, simple_cltv
from mteam.membership.gamma_gamma import GammaGammaModel, fit_gamma_gamma
from mteam.membership.predict import HoldoutCheck, _clv_factor, holdout_check
from mteam.membership.predict import _money as _clv_money
from mteam.membership.records import Member, Transaction
from mteam.membership.repeat import RepeatSummary, repeat_members, repeat_summary
from mteam.membership.retention import CohortTable, RetentionCounts, cohort_table, period_retention
from mteam.membership.rfm import RFMCuts, RFMPolicy, rfm, rfm_cuts
from mteam.membership.sbg import Projection, SBGModel, fit_sbg
from mteam.membership.summary import _SUMS, MemberBase, add_months, summarise
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
    "RepeatAnalysis",
    "analyse",
    "analyse_base",
    "score_members",
]

SAMPLE_AS_OF = date(2026, 10, 31)
"""The day the bundled sample member base is analysed as of."""

MODELS = ("auto", "contractual", "non-contractual", "both")
"""The model choices of a member analysis (`MembershipPolicy.models`)."""


def _check_models(_inst: object, _attr: object, value: object) -> None:
    if value not in MODELS:
        raise InvalidInputError(
            "models", f"must be one of {', '.join(map(repr, MODELS))}, got {show(value)}"
        )


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
        >>> MembershipPolicy(models="lifetimes")
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: models: must be one of 'auto', 'contractual', \
'non-contractual', 'both', got 'lifetimes'

    Attributes:
        currency: The currency of the amounts (TWD unless given).
        gross_margin: Margin as a share of revenue, in [0, 1] (0.35 unless given).
        discount_rate: The discount rate per month (1 % unless given).
        horizon: Months to project (12 unless given).
        tiers: Tier thresholds.
        rfm: RFM segment rules.
        points: A points programme, or None.
        allow_refunds: Accept negative amounts.
        models: Which models to fit: `"contractual"` (the sBG model of the cohorts' survivor
            counts, with retention, survival and the sBG CLTV: needs leave dates),
            `"non-contractual"` (BG/NBD and Gamma-Gamma on the repeat purchases, in months),
            `"both"`, or `"auto"` (the default): contractual when some member has left,
            non-contractual when nobody has a leave date.
        holdout_months: With the non-contractual models, the last this many months before
            `as_of` are a holdout period: the BG/NBD model is also fitted on the months before
            it and checked against what the members bought in it. None (the default): no check.
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
    models: str = attrs.field(default="auto", validator=_check_models)
    holdout_months: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(whole(ge=1))
    )

    def __attrs_post_init__(self) -> None:
        if self.discount_rate.per is not TimeUnit.MONTH:
            raise InvalidInputError(
                "discount_rate",
                "must be per month (the cohorts are monthly), "
                f"got per {self.discount_rate.per.value}",
            )


_BGNBD: Final = ("r", "alpha", "a", "b")
_GAMMA_GAMMA: Final = ("p", "q", "gamma")
_REPEAT_COLUMNS: Final = (
    "unit",
    "members",
    "repeat_buyers",
    "horizon",
    "expected_purchases",
    "expected_alive",
    "currency",
    "clv_total",
    "clv_per_member",
    *(f"bgnbd_{n}" for n in _BGNBD),
    *(f"gamma_gamma_{n}" for n in _GAMMA_GAMMA),
    "calibration_end",
    "holdout_expected",
    "holdout_actual",
)
"""The columns of a `RepeatAnalysis` row (a `MemberAnalysis` row has them as `repeat_<name>`)."""


def _amount(value: Money | None) -> Decimal | None:
    return None if value is None else value.amount


def _code(*values: Money | None) -> str | None:
    """The currency code of the first amount there is (None when there is none)."""
    return next((v.currency.code for v in values if v is not None), None)


@attrs.frozen
class RepeatAnalysis(Records):
    """The non-contractual side of a member analysis: the repeat-purchase models, in months.

    Every member with a purchase by `as_of` is in the calibration cohort, born at their first
    purchase (whatever their joining day); x, t_x and T are as in
    [`repeat_summary`][mteam.membership.repeat.repeat_summary], in calendar months. The
    figures are aggregates: each member's own are
    [`member_values`][mteam.membership.predict.member_values].

    Attributes:
        unit: The unit of the models' times (months).
        members: Members with a purchase (the calibration cohort).
        repeat_buyers: Those with at least one repeat purchase day.
        bgnbd: The BG/NBD model fitted on the purchases up to `as_of`.
        gamma_gamma: The Gamma-Gamma spend model of the repeat buyers, or None when fewer
            than two have a repeat spend above 0 or its fit has no finite maximum.
        horizon: The months valued (the policy's horizon).
        expected_purchases: Σ over the members of E[Y(horizon) | x, t_x, T].
        expected_alive: Σ over the members of P(alive | x, t_x, T).
        clv_total: Σ of the members' discounted CLV over the horizon (each rounded to the
            minor unit, as `member_values`), or None without a spend model (or when its q ≤ 1,
            so a one-time buyer's expected spend is infinite, or the BG/NBD fit is at the edge
            of its space and gives no finite value).
        clv_per_member: `clv_total` / members, rounded, or None.
        calibration_end: With a holdout, the end of the calibration period; None otherwise.
        holdout_model: The BG/NBD model fitted on the calibration period, or None.
        holdout: That model's check against the holdout period's purchases, or None.

    `to_records()` gives one row with the same columns whether or not there is a spend model
    or a holdout (None where there is not): `unit`, `members`, `repeat_buyers`, `horizon`,
    `expected_purchases`, `expected_alive`, `currency`, `clv_total` and `clv_per_member`
    (`Decimal`), the BG/NBD parameters `bgnbd_r`, `bgnbd_alpha`, `bgnbd_a`, `bgnbd_b`, the
    Gamma-Gamma ones `gamma_gamma_p`, `gamma_gamma_q`, `gamma_gamma_gamma`, and with a holdout
    `calibration_end` and the holdout's cumulative `holdout_expected` and `holdout_actual`
    repeat purchases by its last month. Its table in a notebook comes with the holdout check's
    chart (expected against actual, cumulative) when there is one.

    Examples:
        Built by hand from the CDNOW estimates of Fader, Hardie & Lee (2005), in weeks, and
        Fader & Hardie (2013), for 2,357 members over 52 weeks (the other figures are made
        up for the example; an analysis computes them):

        >>> from mteam.membership.bgnbd import BGNBDModel
        >>> from mteam.membership.gamma_gamma import GammaGammaModel
        >>> from mteam.money import USD
        >>> repeat = RepeatAnalysis(
        ...     TimeUnit.WEEK, 2357, 1411, BGNBDModel(0.243, 4.414, 0.793, 2.426, "week"),
        ...     GammaGammaModel(6.25, 3.74, 15.44), 52, 1580.2, 1012.5,
        ...     Money(Decimal("45210.75"), USD), Money(Decimal("19.18"), USD))
        >>> row = repeat.to_records()[0]
        >>> row["clv_total"], row["currency"], row["bgnbd_r"], row["holdout_actual"]
        (Decimal('45210.75'), 'USD', 0.243, None)
    """

    unit: TimeUnit
    members: int
    repeat_buyers: int
    bgnbd: BGNBDModel
    gamma_gamma: GammaGammaModel | None
    horizon: int
    expected_purchases: float
    expected_alive: float
    clv_total: Money | None
    clv_per_member: Money | None
    calibration_end: date | None = None
    holdout_model: BGNBDModel | None = None
    holdout: HoldoutCheck | None = None

    def _rows(self) -> list[dict[str, object]]:
        """One row of the figures (see the class docs), the same columns in every case."""
        gg = self.gamma_gamma
        last = self.holdout.by_period[-1] if self.holdout and self.holdout.by_period else None
        return [
            {
                "unit": self.unit,
                "members": self.members,
                "repeat_buyers": self.repeat_buyers,
                "horizon": self.horizon,
                "expected_purchases": self.expected_purchases,
                "expected_alive": self.expected_alive,
                "currency": _code(self.clv_total, self.clv_per_member),
                "clv_total": _amount(self.clv_total),
                "clv_per_member": _amount(self.clv_per_member),
                **{f"bgnbd_{n}": getattr(self.bgnbd, n) for n in _BGNBD},
                **{
                    f"gamma_gamma_{n}": None if gg is None else getattr(gg, n) for n in _GAMMA_GAMMA
                },
                "calibration_end": self.calibration_end,
                "holdout_expected": None if last is None else last.expected,
                "holdout_actual": None if last is None else last.actual,
            }
        ]

    def _html_caption(self) -> str:
        return (
            f"RepeatAnalysis: {self.members:,} members, {self.repeat_buyers:,} repeat buyers, "
            f"next {self.horizon} {self.unit.plural}"
        )


@attrs.frozen
class MemberAnalysis(Records):
    """The aggregates of a member base: everything the analysis computes, no member's own data.

    Each member's figures, RFM scores, segment and tier are
    [`score_members`][mteam.membership.analysis.score_members]; their points are
    [`points_balances`][mteam.membership.tiers.points_balances].

    The contractual figures (retention, survival, the sBG model, its projection and the three
    CLTV figures) are None (the projection empty) when the policy's `models` does not fit the
    sBG model; `repeat` is None when it does not fit the repeat-purchase models.

    Attributes:
        as_of: The day of the analysis.
        members: Members in the base.
        current_members: Members who had not left by `as_of`.
        retention: Retention over the 12 months up to `as_of`, or None.
        cohorts: The monthly cohort table (its activity is retention-free).
        survival: Kaplan–Meier survival of membership, in months, or None.
        sbg: The sBG model fitted to the cohorts' survivor counts (monthly), or None.
        projection: S(t) for the next `horizon` months with 95 % bands (empty without sBG).
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
        models: The models fitted: `"contractual"`, `"non-contractual"` or `"both"`.
        repeat: The repeat-purchase models and their aggregate figures, or None.

    `to_records()` gives one row of the headline figures, with the same columns whichever
    models were fitted (None where a figure was not computed), so the rows of several
    analyses (partitions, months, policies) stack into one frame:

    * `as_of`, `models`, `members`, `current_members`;
    * the retention counts `retention_at_start`, `retention_retained`, `retention_joined` and
      the rates `retention` and `churn` (12 months to `as_of`);
    * `survival_median` (months) with `survival_median_lower` and `survival_median_upper`;
    * the sBG model's `sbg_alpha`, `sbg_beta`, and `horizon` with the projected
      `projected_survival`, `projected_lower` and `projected_upper` at its end;
    * `currency`, then the amounts as `Decimal`: `average_order_value`, `cltv_simple`,
      `cltv_geometric`, `cltv_sbg`; and `purchases_per_month`;
    * `cohorts` (how many), a `segment_<name>` column per RFM segment and a `tier_<name>`
      column per tier (members in each, in the policy's order), `points_held`,
      `points_holders`;
    * `repeat_<column>` for each column of
      [`RepeatAnalysis`][mteam.membership.analysis.RepeatAnalysis]'s row (None without it).

    The tables behind the figures are records of their own: `cohorts.to_records()`,
    `survival.to_records()`, `projection.to_records()`, `cohort_values` (one
    [`CohortValue`][mteam.membership.cltv.CohortValue] each) and `rfm_cuts.to_records()`.
    In a notebook the row shows with the survival curve (or, with the repeat-purchase models
    only, the holdout check or the segment sizes).

    Examples:
        >>> from mteam.io import analyse_sample
        >>> row = analyse_sample().to_records()[0]
        >>> row["members"], row["current_members"], row["currency"], row["cltv_sbg"]
        (3000, 729, 'TWD', Decimal('3457'))
        >>> row["segment_Champions"], row["tier_Gold"], row["repeat_bgnbd_r"]
        (662, 56, None)
    """

    as_of: date
    members: int
    current_members: int
    retention: RetentionCounts | None
    cohorts: CohortTable
    survival: SurvivalCurve | None
    sbg: SBGModel | None
    projection: tuple[Projection, ...]
    average_order_value: Decimal
    purchases_per_month: float
    cltv_simple: Money | None
    cltv_geometric: Money | None
    cltv_sbg: Money | None
    cohort_values: tuple[CohortValue, ...]
    rfm_cuts: RFMCuts
    segment_counts: dict[str, int]
    tier_counts: dict[str, int]
    points_held: int
    points_holders: int
    models: str = "contractual"
    repeat: RepeatAnalysis | None = None

    def __repr__(self) -> str:
        sbg = (
            ""
            if self.sbg is None
            else f", sbg=(alpha={self.sbg.alpha:.3f}, beta={self.sbg.beta:.3f}), "
            f"cltv_sbg={self.cltv_sbg}"
        )
        repeat = (
            ""
            if self.repeat is None
            else f", bgnbd=(r={self.repeat.bgnbd.r:.3f}, alpha={self.repeat.bgnbd.alpha:.3f}, "
            f"a={self.repeat.bgnbd.a:.3f}, b={self.repeat.bgnbd.b:.3f})"
        )
        return (
            f"MemberAnalysis(as_of={self.as_of}, members={self.members}, "
            f"current={self.current_members}{sbg}{repeat})"
        )

    def _rows(self) -> list[dict[str, object]]:
        """One row of the headline figures (see the class docs)."""
        retention, curve, model = self.retention, self.survival, self.sbg
        end = self.projection[-1] if self.projection else None
        low, high = (None, None) if curve is None else curve.median_interval
        repeat = None if self.repeat is None else self.repeat.to_records()[0]
        return [
            {
                "as_of": self.as_of,
                "models": self.models,
                "members": self.members,
                "current_members": self.current_members,
                "retention_at_start": None if retention is None else retention.at_start,
                "retention_retained": None if retention is None else retention.retained,
                "retention_joined": None if retention is None else retention.joined,
                "retention": None if retention is None else retention.retention,
                "churn": None if retention is None else retention.churn,
                "survival_median": None if curve is None else curve.median,
                "survival_median_lower": low,
                "survival_median_upper": high,
                "sbg_alpha": None if model is None else model.alpha,
                "sbg_beta": None if model is None else model.beta,
                "horizon": None if end is None else end.t,
                "projected_survival": None if end is None else end.survival,
                "projected_lower": None if end is None else end.lower,
                "projected_upper": None if end is None else end.upper,
                "currency": _code(
                    self.cltv_sbg,
                    self.cltv_simple,
                    None if self.repeat is None else self.repeat.clv_total,
                ),
                "average_order_value": self.average_order_value,
                "purchases_per_month": self.purchases_per_month,
                "cltv_simple": _amount(self.cltv_simple),
                "cltv_geometric": _amount(self.cltv_geometric),
                "cltv_sbg": _amount(self.cltv_sbg),
                "cohorts": len(self.cohorts.cells),
                **{f"segment_{k}": v for k, v in self.segment_counts.items()},
                **{f"tier_{k}": v for k, v in self.tier_counts.items()},
                "points_held": self.points_held,
                "points_holders": self.points_holders,
                **{f"repeat_{k}": None if repeat is None else repeat[k] for k in _REPEAT_COLUMNS},
            }
        ]

    def _html_caption(self) -> str:
        return (
            f"MemberAnalysis as of {self.as_of}: {self.members:,} members, "
            f"{self.current_members:,} current ({self.models})"
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
    members: Iterable[Member] | None,
    transactions: Iterable[Transaction],
    as_of: date,
    policy: MembershipPolicy | None = None,
) -> MemberAnalysis:
    """Analyse a member base (see the module docs).

    The policy's `models` chooses the models; by default the data do: the contractual sBG
    model when some member has left, the non-contractual BG/NBD and Gamma-Gamma models when
    nobody has a leave date (a base of purchases only).

    Args:
        members: The members, or None for a transaction-only base: each member is then born
            on the day of their first purchase and never leaves.
        transactions: Their transactions (streamed once; a reader's iterator is fine; without
            members they are held in memory to find each member's first purchase).
        as_of: The day of the analysis.
        policy: [`MembershipPolicy()`][mteam.membership.analysis.MembershipPolicy] unless given.

    Raises:
        InvalidInputError: bad records (with their line or position), or too little data to fit
            the models chosen.

    Examples:
        A transaction-only base (no members, so no leave dates) gets the repeat-purchase
        models instead of an sBG error:

        >>> from decimal import Decimal as D
        >>> sales = [Transaction(f"c{i}", date(2025, 1, 1 + i % 28), D(20 + i % 7))
        ...          for i in range(40)]
        >>> sales += [Transaction(f"c{i}", date(2025, 2 + i % 5, 3), D(25))
        ...           for i in range(0, 40, 2)]
        >>> sales += [Transaction(f"c{i}", date(2025, 7, 9 + i % 3), D(30))
        ...           for i in range(0, 40, 3)]
        >>> result = analyse(None, sales, date(2025, 9, 30))
        >>> result.models, result.sbg, result.repeat.members, result.repeat.repeat_buyers
        ('non-contractual', None, 40, 27)

        Members this alike leave the BG/NBD likelihood rising as its parameters grow (no
        finite maximum): its diagnostics say so, and the figures are those where the search
        stopped:

        >>> result.repeat.bgnbd.diagnostics.converged, round(result.repeat.expected_purchases, 1)
        (False, 25.1)

        Spends of 25 and 30 on every repeat purchase leave the Gamma-Gamma fit without a
        finite maximum, so there is no spend model and no value figure (never a NaN):

        >>> result.repeat.gamma_gamma, result.repeat.clv_total
        (None, None)
    """
    policy = policy if policy is not None else MembershipPolicy()
    check_instance("policy", policy, MembershipPolicy)
    if members is None:
        check_sequence("transactions", transactions)
        transactions = list(transactions)
        member_list = _first_purchases(transactions)
    else:
        check_sequence("members", members)
        member_list = list(members)
    need_repeat = policy.models in {"non-contractual", "both"} or (
        policy.models == "auto" and all(m.left_on is None for m in member_list)
    )
    days: dict[tuple[str, date], Decimal] = {}
    if need_repeat:
        transactions = _daily(transactions, days)
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
    repeat = _repeat_inputs(days, as_of, policy) if need_repeat and base.stats else None
    return _analyse_base(base, policy, points, repeat)


def _first_purchases(transactions: list[Transaction]) -> list[Member]:
    """The members of a transaction-only base: each born at their first purchase."""
    first: dict[str, date] = {}
    for i, t in enumerate(transactions):
        if not isinstance(t, Transaction):
            raise InvalidInputError(f"transactions[{i}]", f"must be a Transaction, got {show(t)}")
        day = first.get(t.member_id)
        if day is None or t.on < day:
            first[t.member_id] = t.on
    return [Member(m, day) for m, day in sorted(first.items())]


def _daily(
    items: Iterable[Transaction], days: dict[tuple[str, date], Decimal]
) -> Iterable[Transaction]:
    """Pass the transactions on, adding each member's amount per purchase day into `days`."""
    for t in items:
        if isinstance(t, Transaction):
            key = (t.member_id, t.on)
            with localcontext(_SUMS):  # exact, whatever the order of the rows
                days[key] = days.get(key, Decimal(0)) + t.amount
        yield t


@attrs.frozen
class _RepeatInputs:
    """What the repeat-purchase section is computed from (by either path).

    `summary` is the repeat summary to `as_of`; `values` the members per distinct
    (x, t_x, T, repeat spend), sorted; `calibration` the summary to the end of calibration with
    the holdout to `as_of`, when the policy sets one.
    """

    summary: RepeatSummary
    values: tuple[tuple[tuple[int, float, float, Decimal], int], ...]
    calibration: RepeatSummary | None = None


def _repeat_inputs(
    days: dict[tuple[str, date], Decimal], as_of: date, policy: MembershipPolicy
) -> _RepeatInputs:
    daily = []
    for (member_id, day), total in sorted(days.items()):
        if total < 0:
            raise InvalidInputError(
                "policy.allow_refunds",
                "the repeat-purchase models need every purchase day's total >= 0: "
                f"{member_id}'s purchases on {day} total {total}",
            )
        daily.append(Transaction(member_id, day, total))
    summary = repeat_summary(daily, calibration_end=as_of, unit=TimeUnit.MONTH)
    counts: dict[tuple[int, float, float, Decimal], int] = {}
    for r in repeat_members(daily, calibration_end=as_of, unit=TimeUnit.MONTH):
        key = (r.x, r.t_x, r.T, r.repeat_spend)
        counts[key] = counts.get(key, 0) + 1
    calibration = None
    if policy.holdout_months is not None:
        end = add_months(as_of, -policy.holdout_months)
        calibration = repeat_summary(
            daily, calibration_end=end, unit=TimeUnit.MONTH, holdout_end=as_of
        )
    return _RepeatInputs(summary, tuple(sorted(counts.items())), calibration)


def _analyse_base(
    base: MemberBase,
    policy: MembershipPolicy,
    points: dict[str, int],
    repeat: _RepeatInputs | None = None,
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
            repeat=repeat,
        ),
        policy,
    )


@attrs.frozen
class _Aggregates:
    """The count tables and totals an analysis is computed from (by either path).

    `repeat` holds what the repeat-purchase models need; a path that does not compute it
    leaves it None, and can then fit only the contractual models.
    """

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
    repeat: _RepeatInputs | None = None


def _models(agg: _Aggregates, policy: MembershipPolicy) -> str:
    if policy.models != "auto":
        return policy.models
    return "contractual" if agg.current_members < agg.members else "non-contractual"


def _spend(model: GammaGammaModel, x: int, repeat_spend: Decimal) -> float:
    """E[M | x, m_x]; with m_x = 0 (repeat purchases of amount 0) the formula at m_x = 0."""
    if x == 0 or repeat_spend > 0:
        return model.expected_spend(x, float(repeat_spend / x) if x else 0.0)
    return model.p * model.gamma / (model.p * x + model.q - 1)


def _repeat_section(inputs: _RepeatInputs, policy: MembershipPolicy) -> RepeatAnalysis:
    bg = fit_bgnbd(inputs.summary)
    try:
        gg: GammaGammaModel | None = fit_gamma_gamma(inputs.summary)
    except InvalidInputError:
        gg = None
    h, d, m = policy.horizon, policy.discount_rate.value, policy.gross_margin
    purchases = alive = 0.0
    total = Decimal(0)
    members = repeaters = 0
    if gg is not None and gg.diagnostics is not None and not gg.diagnostics.converged:
        gg = None  # no finite maximum: no spend model to value with
    valued = gg is not None and gg.q > 1
    for (x, t_x, big_t, spend), n in inputs.values:
        members += n
        repeaters += n if x else 0
        purchases += n * bg.expected_purchases(h, x, t_x, big_t)
        alive += n * bg.p_alive(x, t_x, big_t)
        if valued and gg is not None:
            value = m * _clv_factor(bg, x, t_x, big_t, h, d) * _spend(gg, x, spend)
            if not math.isfinite(value):  # a fit at the edge of its space: no value figures
                valued = False
                continue
            total += _clv_money(value, policy.currency) * n
    holdout_model = check = None
    if inputs.calibration is not None:
        holdout_model = fit_bgnbd(inputs.calibration)
        check = holdout_check(inputs.calibration, holdout_model)
    cur = policy.currency
    return RepeatAnalysis(
        unit=inputs.summary.unit,
        members=members,
        repeat_buyers=repeaters,
        bgnbd=bg,
        gamma_gamma=gg,
        horizon=h,
        expected_purchases=purchases,
        expected_alive=alive,
        clv_total=Money(total, cur) if valued else None,
        clv_per_member=Money(quantize(total / members, cur), cur) if valued else None,
        calibration_end=None if inputs.calibration is None else inputs.calibration.calibration_end,
        holdout_model=holdout_model,
        holdout=check,
    )


def _from_aggregates(agg: _Aggregates, policy: MembershipPolicy) -> MemberAnalysis:
    """Fit the models and compute the CLTV figures from the aggregates."""
    models = _models(agg, policy)
    repeat = None
    if models != "contractual":
        if agg.repeat is None:
            raise InvalidInputError(
                "policy.models",
                f"{models!r} needs the repeat purchases (each member's purchase days), which "
                "this path does not compute from a member base: analyse the transactions "
                "(analyse, read_and_analyse), or set models='contractual'",
            )
        repeat = _repeat_section(agg.repeat, policy)
    purchases, revenue = agg.purchases, agg.revenue
    aov = revenue / purchases if purchases else Decimal(0)
    months = _member_months(agg.durations)
    per_month = purchases / months
    aov_money = Money(quantize(aov, policy.currency), policy.currency)
    common = {
        "as_of": agg.as_of,
        "members": agg.members,
        "current_members": agg.current_members,
        "cohorts": agg.cohorts,
        "average_order_value": aov_money.amount,
        "purchases_per_month": per_month,
        "cohort_values": agg.cohort_values,
        "rfm_cuts": agg.rfm_cuts,
        "segment_counts": agg.segment_counts,
        "tier_counts": agg.tier_counts,
        "points_held": agg.points_held,
        "points_holders": agg.points_holders,
        "models": models,
        "repeat": repeat,
    }
    if models == "non-contractual":
        return MemberAnalysis(
            retention=None,
            survival=None,
            sbg=None,
            projection=(),
            cltv_simple=None,
            cltv_geometric=None,
            cltv_sbg=None,
            **common,  # type: ignore[arg-type]
        )
    cohorts = agg.cohorts
    rows = [list(cohorts.survivors(c)) for c in cohorts.cells]
    rows = [r for r in rows if len(r) >= 2]
    if not rows:
        raise InvalidInputError(
            "members", "no cohort has a full month of history: the sBG model needs one"
        )
    model = fit_sbg(rows, unit=TimeUnit.MONTH)
    curve = kaplan_meier_table(agg.durations)
    lifetime = _mean_lifetime(curve) or 1.0
    margin_per_month = Money(
        quantize(revenue * Decimal(repr(policy.gross_margin)) / months, policy.currency),
        policy.currency,
    )
    return MemberAnalysis(
        retention=agg.retention,
        survival=curve,
        sbg=model,
        projection=model.project(policy.horizon),
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
        **common,  # type: ignore[arg-type]
    )


@attrs.frozen
class MemberScore(Records):
    """One member's figures, RFM scores, segment and tier.

    `to_records()` is one row of the fields, in their order (`monetary` and
    `trailing_revenue` as `Decimal`).

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

    Examples:
        >>> score = MemberScore("a", date(2025, 1, 1), None, 29, 1, Decimal(6000), 3, 3, 5,
        ...                     "Loyal", Decimal(6000), "Silver")
        >>> score.to_records()[0]["monetary"], score.to_records()[0]["tier"]
        (Decimal('6000'), 'Silver')
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
class MemberScores(Records):
    """Every member's scores, sorted by id: a per-member table, not an aggregate.

    `to_records()` gives one row per member, the fields of
    [`MemberScore`][mteam.membership.analysis.MemberScore] (amounts as `Decimal`); in a
    notebook the table comes with a chart of the members per segment.

    Attributes:
        as_of: The day of the scores.
        scores: One entry per member.

    Examples:
        >>> scores = MemberScores(date(2025, 6, 30), (
        ...     MemberScore("a", date(2025, 1, 1), None, 29, 1, Decimal(6000), 3, 3, 5,
        ...                 "Loyal", Decimal(6000), "Silver"),
        ...     MemberScore("b", date(2025, 1, 1), None, None, 0, Decimal(0), 1, 1, 1,
        ...                 "Hibernating", Decimal(0), "Member")))
        >>> [(r["member_id"], r["segment"], r["tier"]) for r in scores.to_records()]
        [('a', 'Loyal', 'Silver'), ('b', 'Hibernating', 'Member')]
    """

    as_of: date
    scores: tuple[MemberScore, ...]

    def _rows(self) -> list[Mapping[str, object]]:
        """One row per member: the fields of each score."""
        return [row for s in self.scores for row in s._rows()]  # noqa: SLF001 - same mixin

    def _html_caption(self) -> str:
        return f"MemberScores as of {self.as_of}: {len(self.scores):,} members"

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
