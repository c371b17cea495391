"""Campaign ROI and ROAS, next period's budget split by performance, and budget against actual.

* ROI = (revenue − spend) / spend; ROAS = revenue / spend.
* `allocate_budget` splits a total across campaigns in proportion to their positive ROI (or
  their ROAS, or their revenue), with each channel held between a minimum and a maximum:
  channels get clamp(λ × weight, minimum, maximum) for the one λ that spends the total
  (water-filling), then each channel's amount is shared among its campaigns by weight. All
  amounts are dealt out in minor units with the largest-remainder helper, so they add up
  exactly; a campaign with nothing positive to show gets nothing beyond its channel's minimum.

Examples:
    >>> from decimal import Decimal
    >>> from mteam.budget import BudgetPolicy, Campaign, allocate_budget
    >>> from mteam.money import Money, TWD
    >>> campaigns = [
    ...     Campaign("fb-spring", "social_media", spend=Decimal(100000), revenue=Decimal(250000)),
    ...     Campaign("ga-search", "paid_search", spend=Decimal(80000), revenue=Decimal(240000)),
    ...     Campaign("edm", "email", spend=Decimal(20000), revenue=Decimal(18000)),
    ... ]
    >>> [round(c.roi, 2) for c in campaigns]
    [1.5, 2.0, -0.1]
    >>> plan = allocate_budget(Money(Decimal(300000), TWD), campaigns,
    ...                        BudgetPolicy(minimums={"email": Decimal(20000)}))
    >>> plan.amounts
    {'edm': Decimal('20000'), 'fb-spring': Decimal('120000'), 'ga-search': Decimal('160000')}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

import attrs

from mteam._fill import Claim, water_fill
from mteam._validate import check_records, show, text
from mteam.errors import InvalidInputError
from mteam.money import Money, apportion

__all__ = [
    "Allocation",
    "BudgetPolicy",
    "Campaign",
    "Variance",
    "allocate_budget",
    "budget_vs_actual",
]

_METRICS: Final = ("roi", "roas", "revenue")


def _amount(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise InvalidInputError(attr.name, f"must be a Decimal >= 0, got {show(value)}")


@attrs.frozen
class Campaign:
    """A campaign's last-period figures.

    Attributes:
        id: A stable identifier.
        channel: Its channel (social media, paid search, email, …).
        spend: What it cost (> 0 for ROI and ROAS).
        revenue: The revenue attributed to it.
    """

    id: str = attrs.field(validator=text())
    channel: str = attrs.field(validator=text())
    spend: Decimal = attrs.field(validator=_amount, kw_only=True)
    revenue: Decimal = attrs.field(validator=_amount, kw_only=True)

    @property
    def roi(self) -> float:
        """(revenue − spend) / spend.

        Raises:
            InvalidInputError: the spend is 0.
        """
        self._check_spend()
        return float((self.revenue - self.spend) / self.spend)

    @property
    def roas(self) -> float:
        """Revenue / spend.

        Raises:
            InvalidInputError: the spend is 0.
        """
        self._check_spend()
        return float(self.revenue / self.spend)

    def _check_spend(self) -> None:
        if self.spend == 0:
            raise InvalidInputError("spend", f"{self.id}: is 0, so ROI and ROAS are undefined")


def _bounds(value: Mapping[str, Any]) -> dict[str, Decimal]:
    if not isinstance(value, Mapping):
        raise InvalidInputError(
            "bounds", f"must be a mapping of channel to amount, got {show(value)}"
        )
    for channel, amount in value.items():
        if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
            raise InvalidInputError(f"[{channel!r}]", f"must be a Decimal >= 0, got {show(amount)}")
    return dict(value)


@attrs.frozen(hash=False)
class BudgetPolicy:
    """How a budget follows performance.

    Attributes:
        metric: `"roi"` (the default), `"roas"` or `"revenue"`; the positive part is the weight.
        minimums: Channel → the least it gets.
        maximums: Channel → the most it gets.
    """

    metric: str = attrs.field(default="roi")
    minimums: dict[str, Decimal] = attrs.field(factory=dict, converter=_bounds)
    maximums: dict[str, Decimal] = attrs.field(factory=dict, converter=_bounds)

    @metric.validator
    def _check_metric(self, _attr: object, value: object) -> None:
        if value not in _METRICS:
            raise InvalidInputError(
                "metric", f"must be one of {', '.join(_METRICS)}, got {show(value)}"
            )

    def __attrs_post_init__(self) -> None:
        for channel, low in self.minimums.items():
            high = self.maximums.get(channel)
            if high is not None and high < low:
                raise InvalidInputError(
                    f"maximums[{channel!r}]", f"must be >= the minimum ({low}), got {high}"
                )


@attrs.frozen
class Allocation:
    """Next period's budget.

    Attributes:
        amounts: Campaign id → amount, sorted by id; they add up to the total.
        channels: Channel → amount.
        weights: Campaign id → the weight used (its positive metric).
    """

    amounts: dict[str, Decimal]
    channels: dict[str, Decimal]
    weights: dict[str, float]


def _weight(c: Campaign, metric: str) -> Fraction:
    if metric == "revenue":
        return Fraction(c.revenue)
    value = (c.revenue - c.spend) / c.spend if metric == "roi" else c.revenue / c.spend
    return max(Fraction(value), Fraction(0))


def _check_total(total: object) -> Money:
    if not isinstance(total, Money) or total.amount < 0:
        raise InvalidInputError("total", f"must be Money >= 0, got {show(total)}")
    return total


def _check_campaigns(campaigns: Iterable[object], metric: str) -> list[Campaign]:
    items = list(check_records("campaigns", campaigns, Campaign).values())
    for i, c in enumerate(items):
        if metric != "revenue" and c.spend == 0:
            raise InvalidInputError(f"campaigns[{i}].spend", "is 0, so ROI and ROAS are undefined")
    return items


def _check_bounds(policy: BudgetPolicy, channels: list[str], total: Money) -> None:
    quantum = total.currency.quantum
    for name, bounds in (("minimums", policy.minimums), ("maximums", policy.maximums)):
        for channel, amount in bounds.items():
            if channel not in channels:
                raise InvalidInputError(f"{name}[{channel!r}]", f"unknown channel {show(channel)}")
            if amount != amount.quantize(quantum):
                raise InvalidInputError(
                    f"{name}[{channel!r}]", f"is not a whole number of {quantum}"
                )
    floor = sum(policy.minimums.values(), Decimal(0))
    if floor > total.amount:
        raise InvalidInputError(
            "minimums", f"add up to {floor}, more than the total {total.amount}"
        )
    if all(ch in policy.maximums for ch in channels):
        ceiling = sum(policy.maximums.values(), Decimal(0))
        if ceiling < total.amount:
            raise InvalidInputError(
                "maximums", f"add up to {ceiling}, less than the total {total.amount}"
            )


def allocate_budget(
    total: Money, campaigns: Iterable[Campaign], policy: BudgetPolicy | None = None
) -> Allocation:
    """Split a budget across campaigns by performance, within channel bounds (module docs).

    Raises:
        InvalidInputError: a negative total, duplicate campaigns, a campaign without spend
            (for ROI or ROAS), bounds that are not whole minor units, bounds for unknown
            channels, minimums above the total, or maximums below it.
    """
    policy = policy if policy is not None else BudgetPolicy()
    total = _check_total(total)
    items = _check_campaigns(campaigns, policy.metric)
    weights = {c.id: _weight(c, policy.metric) for c in items}
    channels = sorted({c.channel for c in items})
    quantum = total.currency.quantum
    _check_bounds(policy, channels, total)
    claims = [
        Claim(
            ch,
            sum((weights[c.id] for c in items if c.channel == ch), Fraction(0)),
            Fraction(policy.minimums.get(ch, Decimal(0))),
            None if ch not in policy.maximums else Fraction(policy.maximums[ch]),
        )
        for ch in channels
    ]
    exact, left = water_fill(claims, Fraction(total.amount))
    if left:
        raise InvalidInputError(
            "campaigns",
            "no campaign has a positive weight outside capped channels; nothing to follow",
        )
    by_channel = (
        apportion(total.amount, {str(k): v for k, v in exact.items()}, quantum) if exact else {}
    )
    amounts: dict[str, Decimal] = {}
    for ch, amount in by_channel.items():
        members = {c.id: weights[c.id] for c in items if c.channel == ch}
        if not any(members.values()):
            members = dict.fromkeys(members, Fraction(1))  # a channel's minimum, shared evenly
        amounts.update(apportion(amount, members, quantum))
    return Allocation(
        dict(sorted(amounts.items())),
        dict(sorted(by_channel.items())),
        {k: float(v) for k, v in sorted(weights.items())},
    )


@attrs.frozen
class Variance:
    """A line of a budget-versus-actual report.

    Attributes:
        key: The campaign or channel.
        planned: The budget.
        actual: What was spent.
        variance: `actual − planned` (positive = overspent).
        share: `variance / planned`, None when nothing was planned.
    """

    key: str
    planned: Decimal
    actual: Decimal
    variance: Decimal
    share: float | None


def _check_mapping(name: str, table: object) -> None:
    if not isinstance(table, Mapping):
        raise InvalidInputError(name, f"must be a mapping, got {show(table)}")
    for key, value in table.items():
        if not isinstance(value, Decimal) or not value.is_finite():
            raise InvalidInputError(
                f"{name}[{key!r}]", f"must be a finite Decimal, got {show(value)}"
            )


def budget_vs_actual(
    planned: Mapping[str, Decimal], actual: Mapping[str, Decimal]
) -> tuple[Variance, ...]:
    """Compare a budget with actual spend, line by line (keys in either, sorted).

    Examples:
        >>> rows = budget_vs_actual({"social": Decimal(120000), "search": Decimal(160000)},
        ...                         {"social": Decimal(131400), "email": Decimal(5000)})
        >>> [(r.key, r.variance, None if r.share is None else round(r.share, 3)) for r in rows]
        [('email', Decimal('5000'), None), ('search', Decimal('-160000'), -1.0), \
('social', Decimal('11400'), 0.095)]
    """
    for name, table in (("planned", planned), ("actual", actual)):
        _check_mapping(name, table)
    rows = []
    for key in sorted(set(planned) | set(actual)):
        p = planned.get(key, Decimal(0))
        a = actual.get(key, Decimal(0))
        rows.append(Variance(key, p, a, a - p, None if p == 0 else float((a - p) / p)))
    return tuple(rows)
