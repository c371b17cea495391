"""Membership tiers by trailing-12-month spend, and a points programme with expiry.

A member's tier is the highest whose minimum their spend in the 12 months up to `as_of`
reaches (thresholds are policy). Points are earned on each purchase at `earn_rate` points per
unit of currency (rounded down) and expire `expiry_months` after they were earned.

Examples:
    >>> from datetime import date
    >>> from decimal import Decimal
    >>> from mteam.membership.records import Member, Transaction
    >>> from mteam.membership.summary import summarise
    >>> from mteam.membership.tiers import PointsPolicy, TierPolicy, assign_tiers, points_balances
    >>> members = [Member("a", date(2024, 1, 1)), Member("b", date(2024, 1, 1))]
    >>> sales = [Transaction("a", date(2025, 5, 1), Decimal(18000)),
    ...          Transaction("a", date(2024, 3, 1), Decimal(50000)),
    ...          Transaction("b", date(2025, 6, 1), Decimal(6500))]
    >>> tiers = assign_tiers(summarise(members, sales, date(2025, 6, 30)))
    >>> tiers.tiers
    {'a': 'Silver', 'b': 'Silver'}
    >>> points_balances(sales, date(2025, 6, 30), PointsPolicy(Decimal("0.1"), 12))
    {'a': 1800, 'b': 650}
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any, Final

import attrs
from dateutil.relativedelta import relativedelta

from mteam._records import Cell, Records
from mteam._validate import items_of, show, to_items, whole
from mteam.errors import InvalidInputError
from mteam.labels import Label, is_label, to_label
from mteam.membership.records import Transaction
from mteam.membership.summary import MemberBase, _check_base

__all__ = [
    "DEFAULT_TIERS",
    "PointsPolicy",
    "Tier",
    "TierAssignment",
    "TierPolicy",
    "assign_tiers",
    "points_balances",
]


def _check_spend(_inst: object, _attr: object, value: Any) -> None:  # noqa: ANN401
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise InvalidInputError("min_spend", f"must be a Decimal >= 0, got {show(value)}")


@attrs.frozen
class Tier:
    """A membership tier and the trailing-12-month spend that reaches it.

    Attributes:
        name: The tier's label.
        min_spend: The lowest spend in the tier.

    Examples:
        >>> from decimal import Decimal
        >>> tier = Tier("Gold", Decimal(20000))
        >>> tier.name.en, tier.min_spend
        ('Gold', Decimal('20000'))
        >>> Tier("Gold", Decimal(-1))
        Traceback (most recent call last):
        ...
        mteam.errors.InvalidInputError: ...
    """

    name: Label = attrs.field(converter=to_label, validator=is_label)
    min_spend: Decimal = attrs.field(validator=_check_spend)


def _check_tiers(_inst: object, _attr: object, value: tuple[Tier, ...]) -> None:
    if not value:
        raise InvalidInputError("tiers", "must not be empty")
    if value[0].min_spend != 0:
        raise InvalidInputError("tiers[0].min_spend", f"must be 0, got {value[0].min_spend}")
    for i in range(1, len(value)):
        if not value[i].min_spend > value[i - 1].min_spend:
            raise InvalidInputError(
                f"tiers[{i}].min_spend",
                f"must be > the tier below ({value[i - 1].min_spend}), got {value[i].min_spend}",
            )


DEFAULT_TIERS: Final = (
    Tier(Label("Member", "一般會員"), Decimal(0)),
    Tier(Label("Silver", "銀卡會員"), Decimal(5000)),
    Tier(Label("Gold", "金卡會員"), Decimal(20000)),
    Tier(Label("Platinum", "白金會員"), Decimal(60000)),
)
"""Member from 0, Silver from 5,000, Gold from 20,000, Platinum from 60,000 (in the currency
of the transactions, TWD in the sample)."""


@attrs.frozen
class TierPolicy:
    """Tier thresholds on trailing-12-month spend, lowest first (the first at 0).

    Attributes:
        tiers: The tiers; [`DEFAULT_TIERS`][mteam.membership.tiers.DEFAULT_TIERS] unless given.

    Examples:
        >>> from decimal import Decimal
        >>> policy = TierPolicy([Tier("Basic", Decimal(0)), Tier("VIP", Decimal(1000))])
        >>> policy.tier(Decimal(999)).name.en, policy.tier(Decimal(1000)).name.en
        ('Basic', 'VIP')
        >>> TierPolicy([Tier("VIP", Decimal(1000))])  # the lowest tier must start at 0
        Traceback (most recent call last):
        ...
        mteam.errors.InvalidInputError: ...
    """

    tiers: tuple[Tier, ...] = attrs.field(
        default=DEFAULT_TIERS, converter=to_items, validator=[items_of(Tier), _check_tiers]
    )

    def tier(self, spend: Decimal) -> Tier:
        """The highest tier whose minimum `spend` reaches: the last with min_spend ≤ spend.

        Examples:
            >>> from decimal import Decimal
            >>> [TierPolicy().tier(Decimal(x)).name.en for x in (4999, 5000, 20000, 60000)]
            ['Member', 'Silver', 'Gold', 'Platinum']
        """
        chosen = self.tiers[0]
        for tier in self.tiers:
            if spend >= tier.min_spend:
                chosen = tier
        return chosen


@attrs.frozen
class TierAssignment(Records):
    """Each member's tier and the tier sizes.

    Attributes:
        tiers: Member id → tier name (English), sorted by id.
        counts: Tier name → members, lowest tier first.

    `to_records()` gives one row per member (`member_id`, `tier`); the HTML shows the tier
    sizes.

    Examples:
        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from mteam.membership.records import Member, Transaction
        >>> from mteam.membership.summary import summarise
        >>> members = [Member("a", date(2024, 1, 1)), Member("b", date(2024, 1, 1))]
        >>> sales = [Transaction("a", date(2025, 5, 1), Decimal(18000)),
        ...          Transaction("a", date(2024, 3, 1), Decimal(50000)),
        ...          Transaction("b", date(2025, 6, 1), Decimal(65000))]
        >>> base = summarise(members, sales, date(2025, 6, 30))
        >>> assignment = assign_tiers(base)
        >>> assignment.to_records()
        [{'member_id': 'a', 'tier': 'Silver'}, {'member_id': 'b', 'tier': 'Platinum'}]
        >>> assignment.counts
        {'Member': 0, 'Silver': 1, 'Gold': 0, 'Platinum': 1}
    """

    tiers: dict[str, str]
    counts: dict[str, int]

    def _rows(self) -> list[dict[str, object]]:
        return [{"member_id": m, "tier": t} for m, t in self.tiers.items()]

    def _html_rows(self) -> list[dict[str, Cell]]:
        return [{"tier": t, "members": n} for t, n in self.counts.items()]


def assign_tiers(base: MemberBase, policy: TierPolicy | None = None) -> TierAssignment:
    """Each member's tier by their spend in the 12 months up to the base's `as_of`.

    Args:
        base: The member base (its `trailing_revenue` per member).
        policy: [`TierPolicy()`][mteam.membership.tiers.TierPolicy] unless given.

    Examples:
        a's 50,000 of March 2024 is older than the 12 months to 30 June 2025; 18,000 is
        below Gold's 20,000:

        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from mteam.membership.records import Member, Transaction
        >>> from mteam.membership.summary import summarise
        >>> members = [Member("a", date(2024, 1, 1)), Member("b", date(2024, 1, 1))]
        >>> sales = [Transaction("a", date(2025, 5, 1), Decimal(18000)),
        ...          Transaction("a", date(2024, 3, 1), Decimal(50000)),
        ...          Transaction("b", date(2025, 6, 1), Decimal(65000))]
        >>> base = summarise(members, sales, date(2025, 6, 30))
        >>> tiers = assign_tiers(base)
        >>> tiers.tiers, tiers.counts["Silver"]
        ({'a': 'Silver', 'b': 'Platinum'}, 1)
    """
    base = _check_base(base)
    policy = policy if policy is not None else TierPolicy()
    counts = dict.fromkeys((t.name.en for t in policy.tiers), 0)
    tiers = {}
    for member_id, s in base.stats.items():
        name = policy.tier(s.trailing_revenue).name.en
        tiers[member_id] = name
        counts[name] += 1
    return TierAssignment(tiers, counts)


def _check_rate(_inst: object, _attr: object, value: Any) -> None:  # noqa: ANN401
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise InvalidInputError("earn_rate", f"must be a Decimal >= 0, got {show(value)}")


@attrs.frozen
class PointsPolicy:
    """A points programme.

    Attributes:
        earn_rate: Points per unit of currency spent (rounded down per purchase).
        expiry_months: Points expire this many months after they are earned.

    Examples:
        >>> from decimal import Decimal
        >>> PointsPolicy(Decimal("0.1"), 12).earn_rate
        Decimal('0.1')
        >>> PointsPolicy(Decimal("0.1"), 0)
        Traceback (most recent call last):
        ...
        mteam.errors.InvalidInputError: ...
    """

    earn_rate: Decimal = attrs.field(validator=_check_rate)
    expiry_months: int = attrs.field(validator=whole(ge=1))


def points_balances(
    transactions: Iterable[Transaction], as_of: date, policy: PointsPolicy
) -> dict[str, int]:
    """Each member's unexpired points at `as_of`, from a stream of transactions.

    Points from a purchase on day p are valid while as_of < p + `expiry_months` months; a
    refund takes its points back (rounded toward zero). Transactions after `as_of` are an
    input error.

    Examples:
        ⌊amount × 0.1⌋ points a purchase; with 12 months' expiry, a's points of March 2024 are
        gone by 30 June 2025:

        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from mteam.membership.records import Member, Transaction
        >>> from mteam.membership.summary import summarise
        >>> members = [Member("a", date(2024, 1, 1)), Member("b", date(2024, 1, 1))]
        >>> sales = [Transaction("a", date(2025, 5, 1), Decimal(18000)),
        ...          Transaction("a", date(2024, 3, 1), Decimal(50000)),
        ...          Transaction("b", date(2025, 6, 1), Decimal(65000))]
        >>> base = summarise(members, sales, date(2025, 6, 30))
        >>> points_balances(sales, date(2025, 6, 30), PointsPolicy(Decimal("0.1"), 12))
        {'a': 1800, 'b': 6500}
        >>> points_balances(sales, date(2025, 6, 30), PointsPolicy(Decimal("0.1"), 24))
        {'a': 6800, 'b': 6500}
    """
    if not isinstance(policy, PointsPolicy):
        raise InvalidInputError("policy", f"must be a PointsPolicy, got {show(policy)}")
    cutoff = as_of - relativedelta(months=policy.expiry_months)
    balances: dict[str, int] = {}
    for i, t in enumerate(transactions):
        if t.on > as_of:
            where = f"transactions[{i}]" if t.line is None else f"line {t.line}"
            raise InvalidInputError(f"{where}.on", f"{t.on} is after as_of ({as_of})")
        if t.on > cutoff:
            points = int((t.amount * policy.earn_rate).to_integral_value(rounding=ROUND_DOWN))
            balances[t.member_id] = balances.get(t.member_id, 0) + points
    return dict(sorted(balances.items()))
