"""Bonus-pool allocation, bonuses without a pool, and the fairness of an allocation.

Each eligible member's **weight** is `target × multiplier × proration`: the target bonus
(absolute, or a percentage of base salary), the multiplier of their rating band, and the share
of the review period they were employed. The pool is split in proportion to the weights, with
each member held between a floor and a cap (multiples of their prorated target). This is
water-filling: everyone gets `clamp(λ × weight, floor, cap)` for the one λ that spends the
pool; the exact amounts are then dealt out in minor units by
[`allocate`][mteam.money.allocate], so they add up to the pool exactly and never to more. If
the caps bind for everyone, the rest of the pool is reported as unallocated: nothing is lost.
Where rounding the prorated floor up and cap down makes them cross, the cap wins
([`BonusPolicy`][mteam.rewards.bonus.BonusPolicy]).

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
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, cast

import attrs

from mteam._records import Records
from mteam._validate import (
    check_instance,
    check_records,
    find,
    items_of,
    of_type,
    real,
    show,
    text,
    to_items,
    whole,
)
from mteam.errors import InvalidInputError
from mteam.money import (
    MAX_MINOR_UNITS,
    Currency,
    Money,
    _check_weight,
    _from_units,
    _show,
    _to_decimal,
    allocate,
    check_amount,
    currency,
)
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


def _optional_amount(path: str, value: object) -> Decimal | None:
    """None, or an amount ≥ 0 (a Decimal, an int, text or a float by its repr)."""
    if value is None:
        return None
    amount = _to_decimal(path, value)
    if amount < 0:
        raise InvalidInputError(path, f"must be >= 0, got {_show(value)}")
    if not amount.is_zero() and amount.adjusted() > 18:
        raise InvalidInputError(
            path, f"must be at most {MAX_MINOR_UNITS} minor units, got {_show(amount)}"
        )
    return amount


def _to_target_bonus(value: object) -> Decimal | None:
    return _optional_amount("target_bonus", value)


def _to_base_salary(value: object) -> Decimal | None:
    return _optional_amount("base_salary", value)


def _optional_code(value: object) -> str | None:
    """A converter: None, a `Currency` or a currency code, kept as the code."""
    if value is None:
        return None
    if isinstance(value, Currency):
        return value.code
    if not (isinstance(value, str) and len(value) == 3 and value.isascii() and value.isupper()):
        raise InvalidInputError(
            "currency", f"must be a currency code or a Currency, got {show(value)}"
        )
    return value


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
        currency: The currency of `target_bonus` and `base_salary` (an ISO code, or a
            `Currency` kept as its code); it must be the pool's. None means the pool's.

    The amounts may be Decimals, ints, text or floats (a float by its shortest repr); they are
    checked against the currency's minor unit and
    [`MAX_MINOR_UNITS`][mteam.money.MAX_MINOR_UNITS] when built if `currency` is given, and
    otherwise when the bonus is worked out in the pool's currency.

    Examples:
        >>> from datetime import date
        >>> BonusMember("ann", band=4, hired_on=date(2024, 2, 1), target_bonus="1500.00",
        ...             currency="USD").target_bonus
        Decimal('1500.00')
        >>> BonusMember("ann", band=4, hired_on=date(2024, 2, 1), target_bonus="1E+40")
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: target_bonus: must be at most 1000000000000000000 minor \
units, got 1E+40
    """

    id: str = attrs.field(validator=text())
    band: int | None = attrs.field(kw_only=True)
    hired_on: date = attrs.field(kw_only=True)
    left_on: date | None = attrs.field(default=None, validator=_optional_date, kw_only=True)
    target_bonus: Decimal | None = attrs.field(
        default=None, converter=_to_target_bonus, kw_only=True
    )
    base_salary: Decimal | None = attrs.field(default=None, converter=_to_base_salary, kw_only=True)
    currency: str | None = attrs.field(default=None, converter=_optional_code, kw_only=True)

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
        if self.currency is not None:
            cur = currency(self.currency)
            for name in ("target_bonus", "base_salary"):
                value = getattr(self, name)
                if value is not None:
                    check_amount(value, cur, name)


def _to_multipliers(value: Mapping[Any, Any]) -> dict[int, Decimal]:
    if not isinstance(value, Mapping):
        raise InvalidInputError("multipliers", f"must be a mapping, got {show(value)}")
    out = {}
    for band, given in value.items():
        path = f"multipliers[{band!r}]"
        if not isinstance(band, int) or isinstance(band, bool) or band < 1:
            raise InvalidInputError(path, "band levels must be whole numbers >= 1")
        out[band] = _multiple(path, given)
    return out


def _multiple(path: str, value: object, *, positive: bool = False) -> Decimal:
    """A policy multiple: a number from 0 to 10^18 (> 0 if `positive`), as a Decimal."""
    if isinstance(value, str) or value is None:
        raise InvalidInputError(path, f"must be a number, got {show(value)}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = _to_decimal(path, value)
    _check_weight(path, value)
    if positive and not value:
        raise InvalidInputError(path, f"must be > 0, got {show(value)}")
    return value if isinstance(value, Decimal) else Decimal(cast("int", value))


def _to_target_percent(value: object) -> Decimal | None:
    return None if value is None else _multiple("target_percent", value)


def _to_cap_multiple(value: object) -> Decimal | None:
    return None if value is None else _multiple("cap_multiple", value, positive=True)


def _to_floor_multiple(value: object) -> Decimal:
    return _multiple("floor_multiple", value)


def _check_bool(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidInputError(attr.name, f"must be True or False, got {show(value)}")


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

    Multiples (multipliers, `target_percent`, `cap_multiple`, `floor_multiple`) are numbers
    from 0 to 10^18 (ints, floats by their shortest repr, or Decimals with at most 36
    decimal places); anything else is refused when the policy is built.

    **Floor and cap.** A policy whose floor multiple exceeds its cap multiple cannot be
    satisfied and is refused. After proration the floor is rounded up to the minor unit and
    the cap down; where that makes them cross (a floor and a cap of 1 × a 100 TWD target
    prorated by 1/3 are 34 and 33), **the cap wins**: the floor is lowered to the cap, so
    nobody is ever paid above their cap. Floors that add up to more than the pool (or the
    budget) cannot be met either: the allocation is refused with an error naming the pool.

    Examples:
        >>> BonusPolicy(cap_multiple=2, floor_multiple=0.5).floor_multiple
        Decimal('0.5')
        >>> BonusPolicy(cap_multiple=Decimal("1E+31"))
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: cap_multiple: must be at most 1E+18, got 1E+31
    """

    multipliers: dict[int, Decimal] = attrs.field(
        factory=lambda: dict(DEFAULT_MULTIPLIERS), converter=_to_multipliers
    )
    target_percent: Decimal | None = attrs.field(default=None, converter=_to_target_percent)
    min_band: int = attrs.field(default=2, validator=whole(ge=1))
    min_tenure_days: int = attrs.field(default=0, validator=whole(ge=0))
    cap_multiple: Decimal | None = attrs.field(default=None, converter=_to_cap_multiple)
    floor_multiple: Decimal = attrs.field(default=Decimal(0), converter=_to_floor_multiple)
    prorate: bool = attrs.field(default=True, validator=_check_bool)

    def __attrs_post_init__(self) -> None:
        if self.cap_multiple is not None and self.floor_multiple > self.cap_multiple:
            raise InvalidInputError(
                "floor_multiple",
                f"must not exceed cap_multiple ({self.cap_multiple}), got {self.floor_multiple}",
            )

    def multiplier(self, band: int) -> Decimal:
        """The multiplier of a band (0 for a band not listed).

        Examples:
            >>> from decimal import Decimal
            >>> policy = BonusPolicy(multipliers={3: Decimal(1), 5: Decimal("1.5")})
            >>> policy.multiplier(5), policy.multiplier(4)
            (Decimal('1.5'), Decimal('0'))
        """
        return self.multipliers.get(band, Decimal(0))


@attrs.frozen
class BonusLine(Records):
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

    Examples:
        An 80,000 TWD pool. Ann (band 5, ×1.5) would get 80,000 × 60/90 = 53,333 in proportion,
        but her cap is 1.25 × 40,000 = 50,000; Bo gets the other 30,000; Cy (band 1) is below
        the default minimum band.

        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from mteam.money import Money, TWD
        >>> from mteam.periods import Period
        >>> year = Period(date(2026, 1, 1), date(2026, 12, 31))
        >>> hired = date(2020, 3, 1)
        >>> members = [
        ...     BonusMember("ann", band=5, hired_on=hired, target_bonus=Decimal(40000)),
        ...     BonusMember("bo", band=3, hired_on=hired, target_bonus=Decimal(30000)),
        ...     BonusMember("cy", band=1, hired_on=hired, target_bonus=Decimal(20000)),
        ... ]
        >>> result = allocate_bonus_pool(Money(Decimal(80000), TWD), members,
        ...                              BonusPolicy(cap_multiple=Decimal("1.25")), year)
        >>> ann = result.line("ann")
        >>> ann.weight, ann.cap, ann.amount, ann.capped  # 40,000 × 1.5 × 1
        (60000.0, Decimal('50000'), Decimal('50000'), True)
        >>> result.line("cy").reason
        'band 1 is below the minimum band 2'
        >>> ann.to_records()[0]["amount"]
        Decimal('50000')
    """

    member_id: str = attrs.field(validator=text())
    eligible: bool = attrs.field(validator=_check_bool)
    reason: str | None = attrs.field(validator=of_type(str, type(None)))
    band: int | None = attrs.field(validator=of_type(int, type(None)))
    multiplier: Decimal = attrs.field(validator=of_type(Decimal))
    days_employed: int = attrs.field(validator=whole(ge=0))
    proration: float = attrs.field(validator=real(ge=0, le=1))
    target: Decimal = attrs.field(validator=of_type(Decimal))
    weight: float = attrs.field(validator=real(ge=0))
    floor: Decimal = attrs.field(validator=of_type(Decimal))
    cap: Decimal | None = attrs.field(validator=of_type(Decimal, type(None)))
    amount: Decimal = attrs.field(validator=of_type(Decimal))
    capped: bool = attrs.field(validator=_check_bool)
    floored: bool = attrs.field(validator=_check_bool)


@attrs.frozen
class BonusAllocation(Records):
    """The result of a bonus run.

    Attributes:
        currency: The currency of every amount.
        pool: The pool (or the budget; None for bonuses without either).
        lines: One line per member, sorted by member id.
        allocated: The total paid out.
        unallocated: The part of the pool not paid out (0 unless every eligible member is at
            their cap, or nobody is eligible).
        unallocated_reason: Why, when something is unallocated.

    `to_records()` gives one row per member: the fields of their
    [`BonusLine`][mteam.rewards.bonus.BonusLine] (amounts as `Decimal`, in `currency`).

    Examples:
        An 80,000 TWD pool. Ann (band 5, ×1.5) would get 80,000 × 60/90 = 53,333 in proportion,
        but her cap is 1.25 × 40,000 = 50,000; Bo gets the other 30,000; Cy (band 1) is below
        the default minimum band.

        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from mteam.money import Money, TWD
        >>> from mteam.periods import Period
        >>> year = Period(date(2026, 1, 1), date(2026, 12, 31))
        >>> hired = date(2020, 3, 1)
        >>> members = [
        ...     BonusMember("ann", band=5, hired_on=hired, target_bonus=Decimal(40000)),
        ...     BonusMember("bo", band=3, hired_on=hired, target_bonus=Decimal(30000)),
        ...     BonusMember("cy", band=1, hired_on=hired, target_bonus=Decimal(20000)),
        ... ]
        >>> result = allocate_bonus_pool(Money(Decimal(80000), TWD), members,
        ...                              BonusPolicy(cap_multiple=Decimal("1.25")), year)
        >>> result.allocated, result.unallocated
        (Decimal('80000'), Decimal('0'))
        >>> [(r["member_id"], r["amount"]) for r in result.to_records()]
        [('ann', Decimal('50000')), ('bo', Decimal('30000')), ('cy', Decimal('0'))]
    """

    currency: Currency = attrs.field(validator=of_type(Currency))
    pool: Decimal | None = attrs.field(validator=of_type(Decimal, type(None)))
    lines: tuple[BonusLine, ...] = attrs.field(converter=to_items, validator=items_of(BonusLine))
    allocated: Decimal = attrs.field(validator=of_type(Decimal))
    unallocated: Decimal = attrs.field(validator=of_type(Decimal))
    unallocated_reason: str | None = attrs.field(validator=of_type(str, type(None)))

    def amounts(self) -> dict[str, Decimal]:
        """Member id → bonus.

        Examples:
            >>> from datetime import date
            >>> from decimal import Decimal
            >>> from mteam.money import Money, TWD
            >>> from mteam.periods import Period
            >>> year = Period(date(2026, 1, 1), date(2026, 12, 31))
            >>> hired = date(2020, 3, 1)
            >>> members = [
            ...     BonusMember("ann", band=5, hired_on=hired, target_bonus=Decimal(40000)),
            ...     BonusMember("bo", band=3, hired_on=hired, target_bonus=Decimal(30000)),
            ...     BonusMember("cy", band=1, hired_on=hired, target_bonus=Decimal(20000)),
            ... ]
            >>> result = allocate_bonus_pool(Money(Decimal(80000), TWD), members,
            ...                              BonusPolicy(cap_multiple=Decimal("1.25")), year)
            >>> result.amounts()
            {'ann': Decimal('50000'), 'bo': Decimal('30000'), 'cy': Decimal('0')}
        """
        return {line.member_id: line.amount for line in self.lines}

    def line(self, member_id: str) -> BonusLine:
        """The line of one member.

        Raises:
            InvalidInputError: no such member.

        Examples:
            >>> from datetime import date
            >>> from decimal import Decimal
            >>> from mteam.money import Money, TWD
            >>> from mteam.periods import Period
            >>> year = Period(date(2026, 1, 1), date(2026, 12, 31))
            >>> hired = date(2020, 3, 1)
            >>> members = [
            ...     BonusMember("ann", band=5, hired_on=hired, target_bonus=Decimal(40000)),
            ...     BonusMember("bo", band=3, hired_on=hired, target_bonus=Decimal(30000)),
            ...     BonusMember("cy", band=1, hired_on=hired, target_bonus=Decimal(20000)),
            ... ]
            >>> result = allocate_bonus_pool(Money(Decimal(80000), TWD), members,
            ...                              BonusPolicy(cap_multiple=Decimal("1.25")), year)
            >>> result.line("bo").amount
            Decimal('30000')
            >>> result.line("zoe")
            Traceback (most recent call last):
            ...
            mteam.errors.InvalidInputError: ...
        """
        return find(self.lines, lambda line: line.member_id, member_id, "member_id", "member")

    def _rows(self) -> list[dict[str, object]]:
        """One row per member: the fields of their line."""
        return [attrs.asdict(line) for line in self.lines]

    def _html_caption(self) -> str:
        pool = "no pool" if self.pool is None else f"pool {self.pool}"
        return f"BonusAllocation ({pool}, allocated {self.allocated} {self.currency.code})"


@attrs.frozen
class _Claim:
    line: BonusLine
    weight: Fraction
    floor: int  # minor units
    cap: int | None  # minor units


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
        self.zero = _from_units(0, currency.exponent)
        self.multipliers = {band: Fraction(m) for band, m in policy.multipliers.items()}


def _target(m: BonusMember, path: str, currency: Currency, policy: BonusPolicy) -> Fraction:
    if m.currency is not None and m.currency != currency.code:
        raise InvalidInputError(
            f"{path}.currency",
            f"must be the pool's currency {currency.code}, got {show(m.currency)}",
        )
    if m.target_bonus is not None:
        return Fraction(check_amount(m.target_bonus, currency, f"{path}.target_bonus"))
    if m.base_salary is None or policy.target_percent is None:
        raise InvalidInputError(
            f"{path}.target_bonus",
            "missing: give target_bonus, or base_salary with a policy target_percent",
        )
    salary = Fraction(check_amount(m.base_salary, currency, f"{path}.base_salary"))
    return salary * Fraction(policy.target_percent) / 100


def _exact_decimal(value: Fraction) -> Decimal:
    """A Fraction whose denominator divides a power of ten, as the Decimal it is exactly."""
    places = 0
    while (value * 10**places).denominator != 1:
        places += 1
    return _from_units(int(value * 10**places), places)


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
    prorated = target * proration / terms.quantum  # in minor units
    eligible = reason is None
    cap = None if terms.cap_multiple is None else math.floor(prorated * terms.cap_multiple)
    floor = math.ceil(prorated * terms.floor_multiple) if eligible else 0
    if cap is not None:
        floor = min(floor, cap)  # the cap wins where rounding makes them cross
    weight = target * proration * terms.multipliers[m.band] if eligible and m.band else Fraction(0)
    line = BonusLine(
        member_id=m.id,
        eligible=eligible,
        reason=reason,
        band=m.band,
        multiplier=multiplier,
        days_employed=days,
        proration=float(proration),
        target=_exact_decimal(target),
        weight=float(weight),
        floor=_from_units(floor, currency.exponent),
        cap=None if cap is None else _from_units(cap, currency.exponent),
        amount=terms.zero,
        capped=False,
        floored=False,
    )
    return _Claim(line, weight, floor, cap)


def _split(claims: list[_Claim], units: int) -> dict[str, int]:
    """`units` split by water-filling among the members with weight: member id → units.

    The weights are divided by the largest (only their ratios count) and the caps held at
    `units` (nobody can take more than all of it), so that every figure passed to
    [`allocate`][mteam.money.allocate] is within its limits.
    """
    active = [c for c in claims if c.weight > 0]
    if not active or units == 0:
        return {c.line.member_id: 0 for c in active}
    top = max(c.weight for c in active)
    parts = allocate(
        units,
        {c.line.member_id: c.weight / top for c in active},
        floors={c.line.member_id: c.floor for c in active if c.floor},
        caps={c.line.member_id: min(c.cap, units) for c in active if c.cap is not None},
    )
    return {k: int(v) for k, v in parts.items()}


def _check_floors(claims: list[_Claim], units: int, name: str, currency: Currency) -> None:
    floors = sum(c.floor for c in claims if c.weight > 0)
    if floors > units:
        raise InvalidInputError(
            name,
            f"is smaller than the floors of the eligible members "
            f"({_from_units(floors, currency.exponent)} {currency.code}); no split can honour them",
        )


def _result(
    claims: list[_Claim],
    parts: Mapping[str, int],
    currency: Currency,
    pool: int | None,
    reason: str | None,
) -> BonusAllocation:
    """The final lines and totals; whether a cap or floor bound is read off the amount."""
    lines = []
    for c in claims:
        units = parts.get(c.line.member_id, 0)
        lines.append(
            attrs.evolve(
                c.line,
                amount=_from_units(units, currency.exponent),
                capped=c.cap is not None and c.line.eligible and units == c.cap,
                floored=c.floor > 0 and units == c.floor,
            )
        )
    allocated = sum(parts.values())
    return BonusAllocation(
        currency=currency,
        pool=None if pool is None else _from_units(pool, currency.exponent),
        lines=tuple(lines),
        allocated=_from_units(allocated, currency.exponent),
        unallocated=_from_units(0 if pool is None else pool - allocated, currency.exponent),
        unallocated_reason=reason,
    )


def _units_of(money: object, name: str) -> tuple[int, Currency]:
    if not isinstance(money, Money):
        raise InvalidInputError(name, f"must be Money, got {show(money)}")
    if money.amount < 0:
        raise InvalidInputError(name, f"must be >= 0, got {money.amount}")
    return int(Fraction(money.amount) * 10**money.currency.exponent), money.currency


def allocate_bonus_pool(
    pool: Money,
    members: Iterable[BonusMember],
    policy: BonusPolicy | None = None,
    period: Period | None = None,
) -> BonusAllocation:
    """Split a bonus pool among members in proportion to their weights, with caps and floors.

    Weight = target × multiplier × proration; each eligible member gets
    `clamp(λ × weight, floor, cap)` for the λ that spends the pool, dealt out in minor units
    by [`allocate`][mteam.money.allocate] (module docs for a worked example). The amounts add
    up to the pool exactly, never more; if every eligible member is at their cap (or nobody is
    eligible), the rest is reported as `unallocated` with the reason.

    Args:
        pool: The pool (≥ 0, in whole minor units of its currency).
        members: The members (unique ids; targets and salaries in the pool's currency).
        policy: The rules; [`BonusPolicy()`][mteam.rewards.bonus.BonusPolicy] unless given.
        period: The review period; proration and tenure are counted in it.

    Returns:
        Each member's line and the totals.

    Raises:
        InvalidInputError: a negative pool, a target or salary in another currency or with
            more decimals than the currency allows, a member without a target, duplicate ids,
            a missing period, or a pool smaller than the floors.

    Examples:
        Two band-2 members with a 20.01 USD target share a 20.01 pool: 10.005 each, so one
        gets the odd cent (ties go by id), and nothing beyond the pool is paid.

        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from mteam.money import USD
        >>> year = Period(date(2026, 1, 1), date(2026, 12, 31))
        >>> pair = [BonusMember(m, band=2, hired_on=date(2020, 1, 1), target_bonus="20.01")
        ...         for m in ("a", "b")]
        >>> allocate_bonus_pool(Money("20.01", USD), pair, period=year).amounts()
        {'a': Decimal('10.01'), 'b': Decimal('10.00')}
    """
    policy = policy if policy is not None else BonusPolicy()
    check_instance("policy", policy, BonusPolicy)
    units, currency = _units_of(pool, "pool")
    if period is None:
        raise InvalidInputError("period", "missing: proration needs the review period")
    claims = _claims(members, currency, policy, period)
    _check_floors(claims, units, "pool", currency)
    parts = _split(claims, units)
    reason = None
    if sum(parts.values()) < units:
        reason = "every eligible member is at their cap" if parts else "nobody is eligible"
    return _result(claims, parts, currency, units, reason)


def compute_bonuses(
    members: Iterable[BonusMember],
    policy: BonusPolicy | None = None,
    period: Period | None = None,
    budget: Money | None = None,
    currency: Currency | str | None = None,
) -> BonusAllocation:
    """Bonuses without a pool: `target × multiplier × proration`, within cap and floor.

    The total is fixed first: the sum of every member's exact amount (held between their
    floor and cap), rounded to the minor unit (half away from zero), or the budget if that is
    less. That total is then split by water-filling over the same weights, floors and caps
    ([`allocate`][mteam.money.allocate]), so the amounts add up to it exactly: each is within
    one minor unit of `target × multiplier × proration` when the budget does not bind, and
    all are scaled down in proportion (floors and caps still holding) when it does. The paid
    total never exceeds the budget.

    Args:
        members: The members.
        policy: The rules; [`BonusPolicy()`][mteam.rewards.bonus.BonusPolicy] unless given.
        period: The review period.
        budget: An optional ceiling on the total.
        currency: The currency of the amounts (a `Currency` or a code; the budget's when a
            budget is given).

    Returns:
        The lines and totals; `pool` is the budget (None without one).

    Raises:
        InvalidInputError: as for `allocate_bonus_pool`; no currency given; a budget smaller
            than the floors; amounts that add up to more than
            [`MAX_MINOR_UNITS`][mteam.money.MAX_MINOR_UNITS].

    Examples:
        Two members at target 1,000.00 USD: Kai (band 4, ×1.25) all year, Lu (band 3, ×1)
        hired on 1 October 2026, so 92 of 365 days: 1,250.00 and 252.05.

        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from mteam.money import USD
        >>> from mteam.periods import Period
        >>> year = Period(date(2026, 1, 1), date(2026, 12, 31))
        >>> result = compute_bonuses(
        ...     [BonusMember("kai", band=4, hired_on=date(2024, 1, 8), target_bonus=Decimal(1000)),
        ...      BonusMember("lu", band=3, hired_on=date(2026, 10, 1), target_bonus=Decimal(1000))],
        ...     period=year,
        ...     currency=USD,
        ... )
        >>> result.amounts()
        {'kai': Decimal('1250.00'), 'lu': Decimal('252.05')}

        Two band-2 members with a 20.01 target (10.005 each) and a 20.01 budget are paid
        20.01 together, not 10.01 twice:

        >>> pair = [BonusMember(m, band=2, hired_on=date(2020, 1, 1), target_bonus="20.01")
        ...         for m in ("a", "b")]
        >>> paid = compute_bonuses(pair, period=year, budget=Money("20.01", "USD"))
        >>> paid.amounts(), paid.unallocated
        ({'a': Decimal('10.01'), 'b': Decimal('10.00')}, Decimal('0.00'))
    """
    policy = policy if policy is not None else BonusPolicy()
    check_instance("policy", policy, BonusPolicy)
    budget_units = None
    if budget is not None:
        budget_units, currency = _units_of(budget, "budget")
    if currency is None:
        raise InvalidInputError("currency", "missing: give a currency or a budget")
    cur = globals()["currency"](currency) if not isinstance(currency, Currency) else currency
    if period is None:
        raise InvalidInputError("period", "missing: proration needs the review period")
    claims = _claims(members, cur, policy, period)
    quantum = Fraction(cur.quantum)
    owed = Fraction(0)
    for c in claims:
        if c.weight > 0:
            value = max(c.weight / quantum, Fraction(c.floor))
            owed += value if c.cap is None else min(value, Fraction(c.cap))
    total = math.floor(owed + Fraction(1, 2))  # half away from zero (owed >= 0)
    if budget_units is not None:
        _check_floors(claims, budget_units, "budget", cur)
        total = min(total, budget_units)
    if total > MAX_MINOR_UNITS:
        raise InvalidInputError(
            "members", f"the bonuses add up to more than {MAX_MINOR_UNITS} minor units"
        )
    return _result(claims, _split(claims, total), cur, budget_units, None)


# --- fairness --------------------------------------------------------------------------------


@attrs.frozen
class BandFairness(Records):
    """How one band fared in an allocation.

    Attributes:
        band: The band level.
        members: Eligible members in the band.
        mean_ratio: The mean of amount ÷ prorated target.
        min_ratio: The lowest amount ÷ prorated target.
        max_ratio: The highest.
        pool_share: The band's share of the total allocated.

    Examples:
        >>> band = BandFairness(3, 2, 1.0, 0.9, 1.1, 0.4)
        >>> round(band.spread, 12)  # 1.1 − 0.9
        0.2
        >>> band.to_records()[0]["mean_ratio"]
        1.0
    """

    band: int
    members: int
    mean_ratio: float
    min_ratio: float
    max_ratio: float
    pool_share: float

    @property
    def spread(self) -> float:
        """`max_ratio − min_ratio`: how differently the band's members fared."""
        return self.max_ratio - self.min_ratio


@attrs.frozen
class FairnessSummary(Records):
    """The fairness figures of an allocation.

    Attributes:
        bands: One entry per band with eligible members, lowest band first.
        inversions: Pairs `(lower band, higher band)` where the lower band's mean ratio
            exceeds the higher band's: a sign that caps, floors or targets work against the
            ratings.

    `to_records()` gives one row per band: its figures, its `spread`, and `inverted`
    (whether the band is in an inversion).

    Examples:
        Band 3 gets 1.2 × its target and band 4 only 1.1 ×: an inversion.

        >>> summary = FairnessSummary((BandFairness(3, 1, 1.2, 1.2, 1.2, 0.5),
        ...                            BandFairness(4, 1, 1.1, 1.1, 1.1, 0.5)), ((3, 4),))
        >>> summary.fair
        False
        >>> [(r["band"], r["inverted"]) for r in summary.to_records()]
        [(3, True), (4, True)]
    """

    bands: tuple[BandFairness, ...]
    inversions: tuple[tuple[int, int], ...]

    def _rows(self) -> list[dict[str, object]]:
        inverted = {band for pair in self.inversions for band in pair}
        return [
            {
                **attrs.asdict(b),
                "spread": b.spread,
                "inverted": b.band in inverted,
            }
            for b in self.bands
        ]

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
