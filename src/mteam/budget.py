"""Campaign ROI and ROAS, next period's budget split by performance, and budget against actual.

* ROI = (revenue − spend) / spend; ROAS = revenue / spend.
* `allocate_budget` splits a total across campaigns in proportion to their positive ROI (or
  their ROAS, or their revenue), with each channel held between a minimum and a maximum:
  channels get clamp(λ × weight, minimum, maximum) for the one λ that spends the total
  (water-filling, [`allocate`][mteam.money.allocate]), then each channel's amount is shared
  among its campaigns by weight ([`apportion`][mteam.money.apportion]). All amounts are dealt
  out in minor units, so they add up exactly; a campaign with nothing positive to show gets
  nothing beyond its channel's minimum.

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

from mteam._records import Records
from mteam._validate import check_range, check_records, of_type, show, text
from mteam.errors import InvalidInputError
from mteam.money import (
    MAX_MINOR_UNITS,
    Money,
    _exact_context,
    _show,
    _to_decimal,
    allocate,
    apportion,
    check_amount,
)

__all__ = [
    "Allocation",
    "BudgetPolicy",
    "Campaign",
    "Variance",
    "allocate_budget",
    "budget_vs_actual",
]

_METRICS: Final = ("roi", "roas", "revenue")


def _amount(path: str, value: object) -> Decimal:
    """An amount ≥ 0 (a Decimal, an int, text or a float by its repr), at most 10^18."""
    amount = _to_decimal(path, value)
    if amount < 0:
        raise InvalidInputError(path, f"must be >= 0, got {_show(value)}")
    if not amount.is_zero() and amount.adjusted() > 18:
        raise InvalidInputError(
            path, f"must be at most {MAX_MINOR_UNITS} minor units, got {_show(amount)}"
        )
    return amount


def _to_spend(value: object) -> Decimal:
    return _amount("spend", value)


def _to_revenue(value: object) -> Decimal:
    return _amount("revenue", value)


@attrs.frozen
class Campaign:
    """A campaign's last-period figures.

    Attributes:
        id: A stable identifier.
        channel: Its channel (social media, paid search, email, …).
        spend: What it cost (> 0 for ROI and ROAS).
        revenue: The revenue attributed to it.

    Amounts may be Decimals, ints, text or floats (by their shortest repr), at most 10^18.

    Examples:
        >>> Campaign("edm", "email", spend="20000", revenue=18000).roi
        -0.1
    """

    id: str = attrs.field(validator=text())
    channel: str = attrs.field(validator=text())
    spend: Decimal = attrs.field(converter=_to_spend, kw_only=True)
    revenue: Decimal = attrs.field(converter=_to_revenue, kw_only=True)

    @property
    def roi(self) -> float:
        """(revenue − spend) / spend.

        Raises:
            InvalidInputError: the spend is 0.
        """
        self._check_spend()
        return float(Fraction(self.revenue) / Fraction(self.spend) - 1)

    @property
    def roas(self) -> float:
        """Revenue / spend.

        Raises:
            InvalidInputError: the spend is 0.
        """
        self._check_spend()
        return float(Fraction(self.revenue) / Fraction(self.spend))

    def _check_spend(self) -> None:
        if self.spend == 0:
            raise InvalidInputError("spend", f"{self.id}: is 0, so ROI and ROAS are undefined")


def _bounds(name: str, value: object) -> dict[str, Decimal]:
    if not isinstance(value, Mapping):
        raise InvalidInputError(name, f"must be a mapping of channel to amount, got {show(value)}")
    out = {}
    for channel, amount in value.items():
        if not isinstance(channel, str):
            raise InvalidInputError(f"{name}[{channel!r}]", "channels must be text")
        out[channel] = _amount(f"{name}[{channel!r}]", amount)
    return out


def _to_minimums(value: object) -> dict[str, Decimal]:
    return _bounds("minimums", value)


def _to_maximums(value: object) -> dict[str, Decimal]:
    return _bounds("maximums", value)


@attrs.frozen(hash=False)
class BudgetPolicy:
    """How a budget follows performance.

    Attributes:
        metric: `"roi"` (the default), `"roas"` or `"revenue"`; the positive part is the weight.
        minimums: Channel → the least it gets.
        maximums: Channel → the most it gets.

    Bounds may be Decimals, ints, text or floats (by their shortest repr); they must be whole
    minor units of the total's currency, checked when the budget is split. A channel whose
    minimum exceeds its maximum cannot be satisfied and is refused here; minimums adding up to
    more than the total (or maximums to less) are refused by `allocate_budget`.

    Examples:
        >>> BudgetPolicy(minimums={"email": 20000}).minimums
        {'email': Decimal('20000')}
        >>> BudgetPolicy(minimums={"email": 5}, maximums={"email": 4})
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: maximums['email']: must be >= the minimum (5), got 4
    """

    metric: str = attrs.field(default="roi")
    minimums: dict[str, Decimal] = attrs.field(factory=dict, converter=_to_minimums)
    maximums: dict[str, Decimal] = attrs.field(factory=dict, converter=_to_maximums)

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


def _decimal_map(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Mapping):
        raise InvalidInputError(attr.name, f"must be a mapping, got {show(value)}")
    for key, item in value.items():
        if not isinstance(item, Decimal):
            raise InvalidInputError(f"{attr.name}[{key!r}]", f"must be a Decimal, got {show(item)}")


def _float_map(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Mapping):
        raise InvalidInputError(attr.name, f"must be a mapping, got {show(value)}")
    for key, item in value.items():
        check_range(f"{attr.name}[{key!r}]", item)


@attrs.frozen
class Allocation(Records):
    """Next period's budget.

    `to_records()` gives one row per campaign: `campaign_id`, `amount` (a `Decimal`) and
    `weight`; the amounts per channel are in `channels`.

    Attributes:
        amounts: Campaign id → amount, sorted by id; they add up to the total.
        channels: Channel → amount.
        weights: Campaign id → the weight used (its positive metric).

    Examples:
        ROI 3 and 1: the 1,000 is split 3 : 1.

        >>> from mteam.money import Money, TWD
        >>> plan = allocate_budget(Money(1000, TWD),
        ...                        [Campaign("a", "search", spend=100, revenue=400),
        ...                         Campaign("b", "social", spend=100, revenue=200)])
        >>> plan.to_records()  # doctest: +NORMALIZE_WHITESPACE
        [{'campaign_id': 'a', 'amount': Decimal('750'), 'weight': 3.0},
         {'campaign_id': 'b', 'amount': Decimal('250'), 'weight': 1.0}]
    """

    amounts: dict[str, Decimal] = attrs.field(validator=_decimal_map)
    channels: dict[str, Decimal] = attrs.field(validator=_decimal_map)
    weights: dict[str, float] = attrs.field(validator=_float_map)

    def _rows(self) -> list[dict[str, object]]:
        return [
            {"campaign_id": k, "amount": v, "weight": self.weights.get(k)}
            for k, v in self.amounts.items()
        ]


def _weight(c: Campaign, metric: str) -> Fraction:
    if metric == "revenue":
        return Fraction(c.revenue)
    value = Fraction(c.revenue) / Fraction(c.spend)
    return max(value - 1 if metric == "roi" else value, Fraction(0))


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


def _check_bounds(
    policy: BudgetPolicy, channels: list[str], total: Money
) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    cur = total.currency
    checked: list[dict[str, Decimal]] = []
    for name, bounds in (("minimums", policy.minimums), ("maximums", policy.maximums)):
        out = {}
        for channel, amount in bounds.items():
            if channel not in channels:
                raise InvalidInputError(f"{name}[{channel!r}]", f"unknown channel {show(channel)}")
            out[channel] = check_amount(amount, cur, f"{name}[{channel!r}]")
        checked.append(out)
    minimums, maximums = checked
    floor = sum(Fraction(v) for v in minimums.values())
    if floor > Fraction(total.amount):
        raise InvalidInputError(
            "minimums", f"add up to {_sum(minimums)}, more than the total {total.amount}"
        )
    if all(ch in maximums for ch in channels):
        ceiling = sum(Fraction(v) for v in maximums.values())
        if ceiling < Fraction(total.amount):
            raise InvalidInputError(
                "maximums", f"add up to {_sum(maximums)}, less than the total {total.amount}"
            )
    return minimums, maximums


def _sum(amounts: Mapping[str, Decimal]) -> Decimal:
    with _exact_context():
        return sum(amounts.values(), Decimal(0))


def allocate_budget(
    total: Money, campaigns: Iterable[Campaign], policy: BudgetPolicy | None = None
) -> Allocation:
    """Split a budget across campaigns by performance, within channel bounds (module docs).

    Channels get `clamp(λ × weight, minimum, maximum)` through
    [`allocate`][mteam.money.allocate], the total fixed first; each channel's amount is then
    shared among its campaigns by [`apportion`][mteam.money.apportion]. The amounts add up to
    the total exactly.

    Examples:
        >>> from mteam.money import TWD
        >>> plan = allocate_budget(
        ...     Money(1000, TWD),
        ...     [Campaign("a", "search", spend=100, revenue=400),
        ...      Campaign("b", "social", spend=100, revenue=200)],
        ...     BudgetPolicy(maximums={"search": 600}))
        >>> plan.amounts, plan.channels
        ({'a': Decimal('600'), 'b': Decimal('400')}, {'search': Decimal('600'), \
'social': Decimal('400')})

    Raises:
        InvalidInputError: a negative total, duplicate campaigns, a campaign without spend
            (for ROI or ROAS), bounds that are not whole minor units, bounds for unknown
            channels, minimums above the total, or maximums below it.
    """
    policy = policy if policy is not None else BudgetPolicy()
    if not isinstance(policy, BudgetPolicy):
        raise InvalidInputError("policy", f"must be a BudgetPolicy, got {show(policy)}")
    total = _check_total(total)
    items = _check_campaigns(campaigns, policy.metric)
    weights = {c.id: _weight(c, policy.metric) for c in items}
    channels = sorted({c.channel for c in items})
    quantum = total.currency.quantum
    minimums, maximums = _check_bounds(policy, channels, total)
    channel_weights = {
        ch: sum((weights[c.id] for c in items if c.channel == ch), Fraction(0)) for ch in channels
    }
    top = max(channel_weights.values(), default=Fraction(0))
    by_channel = allocate(
        total.amount,
        {ch: w / top if top else w for ch, w in channel_weights.items()},
        quantum,
        floors=minimums,
        caps=maximums,
    )
    if sum(Fraction(v) for v in by_channel.values()) < Fraction(total.amount):
        raise InvalidInputError(
            "campaigns",
            "no campaign has a positive weight outside capped channels; nothing to follow",
        )
    amounts: dict[str, Decimal] = {}
    for ch, amount in by_channel.items():
        members = {c.id: weights[c.id] for c in items if c.channel == ch}
        if not any(members.values()):
            members = dict.fromkeys(members, Fraction(1))  # a channel's minimum, shared evenly
        biggest = max(members.values())
        amounts.update(apportion(amount, {k: w / biggest for k, w in members.items()}, quantum))
    return Allocation(
        dict(sorted(amounts.items())),
        dict(sorted(by_channel.items())),
        {k: float(v) for k, v in sorted(weights.items())},
    )


@attrs.frozen
class Variance(Records):
    """A line of a budget-versus-actual report.

    Attributes:
        key: The campaign or channel.
        planned: The budget.
        actual: What was spent.
        variance: `actual − planned` (positive = overspent).
        share: `variance / planned`, None when nothing was planned.

    Examples:
        Planned 120,000, spent 131,400: variance 11,400, 11,400 / 120,000 = 9.5 % over.

        >>> from decimal import Decimal
        >>> (line,) = budget_vs_actual({"social": Decimal(120000)}, {"social": Decimal(131400)})
        >>> line.variance, line.share
        (Decimal('11400'), 0.095)
        >>> line.to_records()[0]["planned"]
        Decimal('120000')
    """

    key: str = attrs.field(validator=of_type(str))
    planned: Decimal = attrs.field(validator=of_type(Decimal))
    actual: Decimal = attrs.field(validator=of_type(Decimal))
    variance: Decimal = attrs.field(validator=of_type(Decimal))
    share: float | None = attrs.field(validator=of_type(float, int, type(None)))


def _check_mapping(name: str, table: object) -> None:
    if not isinstance(table, Mapping):
        raise InvalidInputError(name, f"must be a mapping, got {show(table)}")
    for key, value in table.items():
        if not isinstance(value, Decimal) or not value.is_finite():
            raise InvalidInputError(
                f"{name}[{key!r}]", f"must be a finite Decimal, got {show(value)}"
            )
        if not value.is_zero() and value.adjusted() > 18:
            raise InvalidInputError(
                f"{name}[{key!r}]", f"must be at most {MAX_MINOR_UNITS} minor units"
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
        with _exact_context():
            variance = a - p
        share = None if p == 0 else float(Fraction(variance) / Fraction(p))
        rows.append(Variance(key, p, a, variance, share))
    return tuple(rows)
