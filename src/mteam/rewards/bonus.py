"""Bonus-pool allocation, bonuses without a pool, and the fairness of an allocation.

Each eligible member's **weight** is `target × multiplier × proration`: the target bonus
(absolute, or a percentage of base salary), the multiplier of their rating band, and the share
of the review period they were employed. The pool is split in proportion to the weights, with
each member held between a floor and a cap (multiples of their prorated target). This is
water-filling: everyone gets `clamp(λ × weight, floor, cap)` for the one λ that spends the
pool; the exact amounts are then dealt out in minor units by
[`apportion`][mteam.money.apportion], so they add up to the pool exactly. If the caps bind for
everyone, the rest of the pool is reported as unallocated: nothing is lost.

Ineligible members (band below the minimum, too short a tenure, not employed in the period, a
multiplier of 0) get exactly 0, with the reason.

Examples:
    A 100,000 TWD pool. Weights: Ann (band 5, target 40,000, ×1.5) 60,000, Bo and Cy (band 3,
    targets 30,000 and 20,000, ×1) 30,000 and 20,000. In proportion Ann would get
    100,000 × 60/110 = 54,545, but her cap is 1.25 × her target, 50,000; the other 50,000 goes
    to Bo and Cy in proportion 30 : 20.

    >>> from datetime import date
    >>> from decimal import Decimal
    >>> from mteam.money import Money, TWD
    >>> from mteam.periods import Period
    >>> from mteam.rewards.bonus import BonusMember, BonusPolicy, allocate_bonus_pool
    >>> year = Period(date(2026, 1, 1), date(2026, 12, 31))
    >>> members = [
    ...     BonusMember("ann", band=5, hired_on=date(2020, 3, 1), target_bonus=Decimal(40000)),
    ...     BonusMember("bo", band=3, hired_on=date(2021, 5, 1), target_bonus=Decimal(30000)),
    ...     BonusMember("cy", band=3, hired_on=date(2022, 1, 1), target_bonus=Decimal(20000)),
    ... ]
    >>> result = allocate_bonus_pool(Money(Decimal(100000), TWD), members,
    ...                              BonusPolicy(cap_multiple=Decimal("1.25")), year)
    >>> result.amounts()
    {'ann': Decimal('50000'), 'bo': Decimal('30000'), 'cy': Decimal('20000')}
    >>> [line.member_id for line in result.lines if line.capped]
    ['ann']
    >>> result.unallocated
    Decimal('0')
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, Final, cast

import attrs

from mteam._fill import Claim, water_fill
from mteam._validate import check_instance, check_records, find, show, text, whole
from mteam.errors import InvalidInputError
from mteam.money import Currency, Money, apportion
from mteam.periods import Period

__all__ = [
    "DEFAULT_MULTIPLIERS",
    "BandFairness",
    "BonusAllocation",
    "BonusLine",
    "BonusMember",
    "BonusPolicy",
    "FairnessSummary",
    "allocate_bonus_pool",
    "compute_bonuses",
    "fairness_summary",
]

DEFAULT_MULTIPLIERS: Final[Mapping[int, Decimal]] = {
    1: Decimal(0),
    2: Decimal("0.5"),
    3: Decimal(1),
    4: Decimal("1.25"),
    5: Decimal("1.5"),
}
"""Band → multiplier: 0, 0.5, 1, 1.25, 1.5 for bands 1 to 5."""


def _optional_date(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, date):
        raise InvalidInputError(attr.name, f"must be a date, got {show(value)}")


def _optional_money_amount(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidInputError(attr.name, f"must be a finite Decimal, got {show(value)}")
    if value < 0:
        raise InvalidInputError(attr.name, f"must be >= 0, got {show(value)}")


@attrs.frozen
class BonusMember:
    """A member as the bonus calculation sees them.

    Attributes:
        id: The member.
        band: Their rating band level, or None when they have no rating (then ineligible).
        hired_on: The first day of employment.
        left_on: The last day of employment, None while employed.
        target_bonus: An absolute target bonus; when None, the policy's `target_percent` of
            `base_salary` is the target.
        base_salary: The base salary for the review period.
        currency: The currency of `target_bonus` and `base_salary` (ISO code); it must be the
            pool's. None means the pool's.
    """

    id: str = attrs.field(validator=text())
    band: int | None = attrs.field(kw_only=True)
    hired_on: date = attrs.field(kw_only=True)
    left_on: date | None = attrs.field(default=None, validator=_optional_date, kw_only=True)
    target_bonus: Decimal | None = attrs.field(
        default=None, validator=_optional_money_amount, kw_only=True
    )
    base_salary: Decimal | None = attrs.field(
        default=None, validator=_optional_money_amount, kw_only=True
    )
    currency: str | None = attrs.field(default=None, kw_only=True)

    @band.validator
    def _check_band(self, _attr: object, value: object) -> None:
        if value is not None:
            whole(ge=1)(self, attrs.fields(BonusMember).band, value)

    @hired_on.validator
    def _check_hired_on(self, _attr: object, value: object) -> None:
        if not isinstance(value, date):
            raise InvalidInputError("hired_on", f"must be a date, got {show(value)}")

    def __attrs_post_init__(self) -> None:
        if self.left_on is not None and self.left_on < self.hired_on:
            raise InvalidInputError(
                "left_on", f"must not be before hired_on ({self.hired_on}), got {self.left_on}"
            )


def _to_multipliers(value: Mapping[Any, Any]) -> dict[int, Decimal]:
    if not isinstance(value, Mapping):
        raise InvalidInputError("multipliers", f"must be a mapping, got {show(value)}")
    out = {}
    for band, given in value.items():
        path = f"multipliers[{band!r}]"
        if not isinstance(band, int) or isinstance(band, bool) or band < 1:
            raise InvalidInputError(path, "band levels must be whole numbers >= 1")
        multiplier = _to_decimal(given)
        if not isinstance(multiplier, Decimal) or not multiplier.is_finite() or multiplier < 0:
            raise InvalidInputError(path, f"must be a finite number >= 0, got {show(given)}")
        out[band] = multiplier
    return out


def _optional_decimal(path: str, *, gt: Decimal | None = None, ge: Decimal | None = None) -> Any:  # noqa: ANN401
    def validate(_inst: object, _attr: object, value: object) -> None:
        if value is None:
            return
        if not isinstance(value, Decimal) or not value.is_finite():
            raise InvalidInputError(path, f"must be a finite Decimal, got {show(value)}")
        if gt is not None and not value > gt:
            raise InvalidInputError(path, f"must be > {gt}, got {show(value)}")
        if ge is not None and not value >= ge:
            raise InvalidInputError(path, f"must be >= {ge}, got {show(value)}")

    return validate


def _to_decimal(value: object) -> object:
    """An attrs converter: ints and floats (by their shortest repr) become Decimals."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


@attrs.frozen(hash=False)
class BonusPolicy:
    """The bonus rules. Every field has a default an HR team can change.

    Attributes:
        multipliers: Band level → multiplier; a band not listed has multiplier 0. 0, 0.5, 1,
            1.25, 1.5 for bands 1–5 unless given.
        target_percent: The target bonus as a percentage of base salary, for members without
            an absolute target (None: every member needs `target_bonus`).
        min_band: The lowest band that is eligible (2 unless given).
        min_tenure_days: Days employed up to the end of the period (or the leaving day) needed
            to be eligible (0 unless given).
        cap_multiple: The cap, as a multiple of the prorated target (None: no cap).
        floor_multiple: The floor for eligible members, as a multiple of the prorated target
            (0 unless given).
        prorate: Whether to prorate by the days employed in the period (on unless given).
    """

    multipliers: dict[int, Decimal] = attrs.field(
        factory=lambda: dict(DEFAULT_MULTIPLIERS), converter=_to_multipliers
    )
    target_percent: Decimal | None = attrs.field(
        default=None,
        converter=_to_decimal,
        validator=_optional_decimal("target_percent", ge=Decimal(0)),
    )
    min_band: int = attrs.field(default=2, validator=whole(ge=1))
    min_tenure_days: int = attrs.field(default=0, validator=whole(ge=0))
    cap_multiple: Decimal | None = attrs.field(
        default=None,
        converter=_to_decimal,
        validator=_optional_decimal("cap_multiple", gt=Decimal(0)),
    )
    floor_multiple: Decimal = attrs.field(
        default=Decimal(0),
        converter=_to_decimal,
        validator=_optional_decimal("floor_multiple", ge=Decimal(0)),
    )
    prorate: bool = True

    def __attrs_post_init__(self) -> None:
        if self.cap_multiple is not None and self.floor_multiple > self.cap_multiple:
            raise InvalidInputError(
                "floor_multiple",
                f"must not exceed cap_multiple ({self.cap_multiple}), got {self.floor_multiple}",
            )

    def multiplier(self, band: int) -> Decimal:
        """The multiplier of a band (0 for a band not listed)."""
        return self.multipliers.get(band, Decimal(0))


@attrs.frozen
class BonusLine:
    """One member's bonus and everything that produced it.

    Attributes:
        member_id: The member.
        eligible: Whether they take part in the allocation.
        reason: Why not, when not eligible.
        band: Their band (None without a rating).
        multiplier: The band's multiplier.
        days_employed: Days of the period employed.
        proration: `days_employed / period days` (1 when the policy does not prorate).
        target: The target bonus before proration.
        weight: `target × multiplier × proration`, the member's claim on the pool.
        floor: The least an eligible member receives (prorated).
        cap: The most they may receive (prorated), None without a cap.
        amount: The bonus.
        capped: Whether the cap bound (in the exact allocation, before rounding to the minor
            unit).
        floored: Whether the floor bound (likewise).
    """

    member_id: str
    eligible: bool
    reason: str | None
    band: int | None
    multiplier: Decimal
    days_employed: int
    proration: float
    target: Decimal
    weight: float
    floor: Decimal
    cap: Decimal | None
    amount: Decimal
    capped: bool
    floored: bool


@attrs.frozen
class BonusAllocation:
    """The result of a bonus run.

    Attributes:
        currency: The currency of every amount.
        pool: The pool (or the budget; None for bonuses without either).
        lines: One line per member, sorted by member id.
        allocated: The total paid out.
        unallocated: The part of the pool not paid out (0 unless every eligible member is at
            their cap, or nobody is eligible).
        unallocated_reason: Why, when something is unallocated.
    """

    currency: Currency
    pool: Decimal | None
    lines: tuple[BonusLine, ...]
    allocated: Decimal
    unallocated: Decimal
    unallocated_reason: str | None

    def amounts(self) -> dict[str, Decimal]:
        """Member id → bonus."""
        return {line.member_id: line.amount for line in self.lines}

    def line(self, member_id: str) -> BonusLine:
        """The line of one member.

        Raises:
            InvalidInputError: no such member.
        """
        return find(self.lines, lambda line: line.member_id, member_id, "member_id", "member")

    def to_records(self) -> list[dict[str, Any]]:
        """One row per member, for a notebook."""
        return [attrs.asdict(line) for line in self.lines]


@attrs.frozen
class _Claim:
    line: BonusLine
    weight: Fraction
    floor: Fraction
    cap: Fraction | None


def _claims(
    members: Iterable[BonusMember],
    currency: Currency,
    policy: BonusPolicy,
    period: Period,
) -> list[_Claim]:
    if not isinstance(period, Period):
        raise InvalidInputError("period", f"must be a Period, got {show(period)}")
    terms = _Terms(currency, policy)
    claims = [
        _claim(m, f"members[{i}]", terms, policy, period)
        for i, m in enumerate(check_records("members", members, BonusMember).values())
    ]
    claims.sort(key=lambda c: c.line.member_id)
    return claims


class _Terms:
    """What every member's claim uses, as exact Fractions, worked out once per run."""

    def __init__(self, currency: Currency, policy: BonusPolicy) -> None:
        self.currency = currency
        self.quantum = Fraction(currency.quantum)
        self.floor_multiple = Fraction(policy.floor_multiple)
        self.cap_multiple = None if policy.cap_multiple is None else Fraction(policy.cap_multiple)
        self.zero = _to_money(Fraction(0), currency)
        self.multipliers = {band: Fraction(m) for band, m in policy.multipliers.items()}


def _exact_amount(path: str, value: Decimal, currency: Currency) -> None:
    if value != value.quantize(currency.quantum):
        raise InvalidInputError(
            path,
            f"has more decimals than {currency.code} allows ({currency.exponent}), got {value}",
        )


def _target(m: BonusMember, path: str, currency: Currency, policy: BonusPolicy) -> Decimal:
    if m.currency is not None and m.currency != currency.code:
        raise InvalidInputError(
            f"{path}.currency",
            f"must be the pool's currency {currency.code}, got {show(m.currency)}",
        )
    if m.target_bonus is not None:
        _exact_amount(f"{path}.target_bonus", m.target_bonus, currency)
        return m.target_bonus
    if m.base_salary is None or policy.target_percent is None:
        raise InvalidInputError(
            f"{path}.target_bonus",
            "missing: give target_bonus, or base_salary with a policy target_percent",
        )
    _exact_amount(f"{path}.base_salary", m.base_salary, currency)
    return m.base_salary * policy.target_percent / 100


def _claim(m: BonusMember, path: str, terms: _Terms, policy: BonusPolicy, period: Period) -> _Claim:
    currency = terms.currency
    target = _target(m, path, currency, policy)
    days = period.days_employed(m.hired_on, m.left_on)
    proration = Fraction(days, period.days) if policy.prorate else Fraction(1 if days else 0)
    multiplier = policy.multiplier(m.band) if m.band is not None else Decimal(0)
    last_day = period.end if m.left_on is None else min(period.end, m.left_on)
    tenure = (last_day - m.hired_on).days + 1
    reason = None
    if m.band is None:
        reason = "no rating band"
    elif days == 0:
        reason = "not employed during the period"
    elif m.band < policy.min_band:
        reason = f"band {m.band} is below the minimum band {policy.min_band}"
    elif tenure < policy.min_tenure_days:
        reason = f"tenure of {tenure} days is below the minimum of {policy.min_tenure_days}"
    elif multiplier == 0:
        reason = f"band {m.band} has multiplier 0"
    elif target == 0:
        reason = "target bonus is 0"
    prorated = Fraction(target) * proration
    eligible = reason is None
    floor = (
        _round_to(prorated * terms.floor_multiple, terms.quantum, up=True)
        if eligible and terms.floor_multiple
        else Fraction(0)
    )
    cap = (
        None
        if terms.cap_multiple is None
        else _round_to(prorated * terms.cap_multiple, terms.quantum, up=False)
    )
    weight = prorated * terms.multipliers[m.band] if eligible and m.band else Fraction(0)
    line = BonusLine(
        member_id=m.id,
        eligible=eligible,
        reason=reason,
        band=m.band,
        multiplier=multiplier,
        days_employed=days,
        proration=float(proration),
        target=target,
        weight=float(weight),
        floor=_to_money(floor, currency) if floor else terms.zero,
        cap=None if cap is None else _to_money(cap, currency),
        amount=terms.zero,
        capped=False,
        floored=False,
    )
    return _Claim(line, weight, floor, cap)


def _round_to(value: Fraction, quantum: Fraction, *, up: bool) -> Fraction:
    units = value / quantum
    whole_units = math.ceil(units) if up else math.floor(units)
    return whole_units * quantum


def _to_money(value: Fraction, currency: Currency) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(currency.quantum, rounding=ROUND_HALF_UP)


def _water_fill(claims: list[_Claim], pool: Fraction) -> tuple[dict[str, Fraction], Fraction]:
    """Exact amounts `clamp(λ·w, floor, cap)` adding up to the pool (or everyone at the cap)."""
    active = [c for c in claims if c.weight > 0]
    total_floor = sum((c.floor for c in active), Fraction(0))
    if total_floor > pool:
        raise InvalidInputError(
            "pool", f"is smaller than the floors of the eligible members ({float(total_floor):,})"
        )
    amounts, left = water_fill(
        [Claim(c.line.member_id, c.weight, c.floor, c.cap) for c in active], pool
    )
    return {str(k): v for k, v in amounts.items()}, left


def _lines(
    claims: list[_Claim],
    amounts: Mapping[str, Decimal],
    exact: Mapping[str, Fraction],
    currency: Currency,
) -> tuple[BonusLine, ...]:
    """The final lines: each amount, and whether its cap or floor bound in the exact split."""
    zero = _to_money(Fraction(0), currency)
    lines = []
    for c in claims:
        line, member_id = c.line, c.line.member_id
        share = exact.get(member_id)
        lines.append(
            BonusLine(
                member_id,
                line.eligible,
                line.reason,
                line.band,
                line.multiplier,
                line.days_employed,
                line.proration,
                line.target,
                line.weight,
                line.floor,
                line.cap,
                amounts.get(member_id, zero),
                capped=c.cap is not None and share == c.cap,
                floored=c.floor > 0 and share == c.floor,
            )
        )
    return tuple(lines)


def allocate_bonus_pool(
    pool: Money,
    members: Iterable[BonusMember],
    policy: BonusPolicy | None = None,
    period: Period | None = None,
) -> BonusAllocation:
    """Split a bonus pool among members in proportion to their weights, with caps and floors.

    Args:
        pool: The pool (≥ 0, in whole minor units of its currency).
        members: The members (unique ids; targets and salaries in the pool's currency).
        policy: The rules; [`BonusPolicy()`][mteam.rewards.bonus.BonusPolicy] unless given.
        period: The review period; proration and tenure are counted in it.

    Returns:
        Each member's line and the totals; the amounts add up to the pool exactly, less any
        unallocated remainder (reported with its reason).

    Raises:
        InvalidInputError: a negative pool, a target or salary in another currency or with
            more decimals than the currency allows, a member without a target, duplicate ids,
            a missing period, or a pool smaller than the floors.
    """
    policy = policy if policy is not None else BonusPolicy()
    if not isinstance(pool, Money):
        raise InvalidInputError("pool", f"must be Money, got {show(pool)}")
    if pool.amount < 0:
        raise InvalidInputError("pool", f"must be >= 0, got {pool.amount}")
    if period is None:
        raise InvalidInputError("period", "missing: proration needs the review period")
    currency = pool.currency
    claims = _claims(members, currency, policy, period)
    exact, leftover = _water_fill(claims, Fraction(pool.amount))
    unallocated_reason = None
    if leftover:
        unallocated_reason = (
            "nobody is eligible" if not exact else "every eligible member is at their cap"
        )
    to_split = pool.amount - _to_money(leftover, currency) if leftover else pool.amount
    parts = apportion(to_split, exact, currency.quantum) if exact and to_split else {}
    lines = _lines(claims, parts, exact, currency)
    allocated = sum((line.amount for line in lines), _to_money(Fraction(0), currency))
    return BonusAllocation(
        currency=currency,
        pool=pool.amount,
        lines=lines,
        allocated=allocated,
        unallocated=pool.amount - allocated,
        unallocated_reason=unallocated_reason,
    )


def compute_bonuses(
    members: Iterable[BonusMember],
    policy: BonusPolicy | None = None,
    period: Period | None = None,
    budget: Money | None = None,
    currency: Currency | None = None,
) -> BonusAllocation:
    """Bonuses without a pool: `target × multiplier × proration`, within cap and floor.

    Each amount is rounded to the minor unit (half away from zero). With a budget, if the
    total exceeds it, every amount is scaled down in proportion and the budget is split
    exactly with [`apportion`][mteam.money.apportion].

    Args:
        members: The members.
        policy: The rules; [`BonusPolicy()`][mteam.rewards.bonus.BonusPolicy] unless given.
        period: The review period.
        budget: An optional ceiling on the total.
        currency: The currency of the amounts (the budget's when a budget is given).

    Returns:
        The lines and totals; `pool` is the budget (None without one).

    Raises:
        InvalidInputError: as for `allocate_bonus_pool`, or no currency given.

    Examples:
        Two members at target 1,000.00 USD: Kai (band 4, ×1.25) all year, Lu (band 3, ×1)
        hired on 1 October 2026, so 92 of 365 days: 1,250.00 and 252.05.

        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from mteam.money import USD
        >>> from mteam.periods import Period
        >>> result = compute_bonuses(
        ...     [BonusMember("kai", band=4, hired_on=date(2024, 1, 8), target_bonus=Decimal(1000)),
        ...      BonusMember("lu", band=3, hired_on=date(2026, 10, 1), target_bonus=Decimal(1000))],
        ...     period=Period(date(2026, 1, 1), date(2026, 12, 31)),
        ...     currency=USD,
        ... )
        >>> result.amounts()
        {'kai': Decimal('1250.00'), 'lu': Decimal('252.05')}
    """
    policy = policy if policy is not None else BonusPolicy()
    if budget is not None:
        if not isinstance(budget, Money):
            raise InvalidInputError("budget", f"must be Money, got {show(budget)}")
        if budget.amount < 0:
            raise InvalidInputError("budget", f"must be >= 0, got {budget.amount}")
        currency = budget.currency
    if currency is None:
        raise InvalidInputError("currency", "missing: give a currency or a budget")
    if period is None:
        raise InvalidInputError("period", "missing: proration needs the review period")
    claims = _claims(members, currency, policy, period)
    exact = {}
    for c in claims:
        if c.weight <= 0:
            continue
        value = max(c.weight, c.floor)
        exact[c.line.member_id] = min(value, c.cap) if c.cap is not None else value
    total = sum(exact.values(), Fraction(0))
    zero = _to_money(Fraction(0), currency)
    if budget is not None and total > Fraction(budget.amount):
        amounts = apportion(budget.amount, exact, currency.quantum) if exact else {}
    else:
        amounts = {k: _to_money(v, currency) for k, v in exact.items()}
    lines = _lines(claims, amounts, exact, currency)
    allocated = sum((line.amount for line in lines), zero)
    return BonusAllocation(
        currency=currency,
        pool=None if budget is None else budget.amount,
        lines=lines,
        allocated=allocated,
        unallocated=zero if budget is None else budget.amount - allocated,
        unallocated_reason=None,
    )


# --- fairness --------------------------------------------------------------------------------


@attrs.frozen
class BandFairness:
    """How one band fared in an allocation.

    Attributes:
        band: The band level.
        members: Eligible members in the band.
        mean_ratio: The mean of amount ÷ prorated target.
        min_ratio: The lowest amount ÷ prorated target.
        max_ratio: The highest.
        pool_share: The band's share of the total allocated.
    """

    band: int
    members: int
    mean_ratio: float
    min_ratio: float
    max_ratio: float
    pool_share: float

    @property
    def spread(self) -> float:
        """`max_ratio − min_ratio`."""
        return self.max_ratio - self.min_ratio


@attrs.frozen
class FairnessSummary:
    """The fairness figures of an allocation.

    Attributes:
        bands: One entry per band with eligible members, lowest band first.
        inversions: Pairs `(lower band, higher band)` where the lower band's mean ratio
            exceeds the higher band's: a sign that caps, floors or targets work against the
            ratings.
    """

    bands: tuple[BandFairness, ...]
    inversions: tuple[tuple[int, int], ...]

    @property
    def fair(self) -> bool:
        """True when no lower band does better, relative to target, than a higher one."""
        return not self.inversions


def fairness_summary(allocation: BonusAllocation) -> FairnessSummary:
    """Spread of amount ÷ prorated target by band, pool share per band, and inversions.

    Examples:
        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from mteam.money import Money, TWD
        >>> from mteam.periods import Period
        >>> year = Period(date(2026, 1, 1), date(2026, 12, 31))
        >>> members = [
        ...     BonusMember("a", band=4, hired_on=date(2020, 1, 1), target_bonus=Decimal(1000)),
        ...     BonusMember("b", band=3, hired_on=date(2020, 1, 1), target_bonus=Decimal(1000)),
        ... ]
        >>> summary = fairness_summary(
        ...     allocate_bonus_pool(Money(Decimal(2250), TWD), members, period=year))
        >>> [(b.band, b.mean_ratio, b.pool_share) for b in summary.bands]
        [(3, 1.0, 0.4444444444444444), (4, 1.25, 0.5555555555555556)]
        >>> summary.fair
        True
    """
    check_instance("allocation", allocation, BonusAllocation)
    by_band: dict[int, list[BonusLine]] = {}
    for line in allocation.lines:
        if line.eligible:  # an eligible member always has a band
            by_band.setdefault(cast("int", line.band), []).append(line)
    total = allocation.allocated
    bands = []
    for band in sorted(by_band):
        lines = by_band[band]
        ratios = [
            float(line.amount) / (float(line.target) * line.proration)
            for line in lines
            if line.target > 0 and line.proration > 0
        ]
        share = float(sum(line.amount for line in lines) / total) if total > 0 else 0.0
        bands.append(
            BandFairness(
                band,
                len(lines),
                math.fsum(ratios) / len(ratios) if ratios else 0.0,
                min(ratios, default=0.0),
                max(ratios, default=0.0),
                share,
            )
        )
    inversions = tuple(
        (low.band, high.band)
        for i, low in enumerate(bands)
        for high in bands[i + 1 :]
        if low.mean_ratio > high.mean_ratio + 1e-12
    )
    return FairnessSummary(tuple(bands), inversions)
