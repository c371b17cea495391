"""Exact money: currencies, quantisation and the one apportionment helper.

Money in mteam is always a `decimal.Decimal` quantised to its currency's minor unit (TWD and
JPY have no minor unit, USD has cents). A float never becomes money: every function here refuses
floats for amounts.

Every split of an amount in mteam (a bonus pool, a budget, a yearly target cascaded into months,
quota counts) goes through [`apportion`][mteam.money.apportion], which returns parts that add
up *exactly* to the total:

Examples:
    >>> from decimal import Decimal
    >>> from mteam.money import USD, apportion
    >>> apportion(Decimal("100.00"), {"ann": 1, "bob": 1, "cy": 1}, USD.quantum)
    {'ann': Decimal('33.34'), 'bob': Decimal('33.33'), 'cy': Decimal('33.33')}
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from typing import Any, Final, TypeVar, cast

import attrs

from mteam._validate import check_instance, check_range, show
from mteam.errors import InvalidInputError

__all__ = [
    "CNY",
    "CURRENCIES",
    "EUR",
    "GBP",
    "HKD",
    "JPY",
    "KRW",
    "SGD",
    "TWD",
    "USD",
    "Currency",
    "Money",
    "apportion",
    "currency",
    "quantize",
]

K = TypeVar("K", bound=Hashable)

# Wide enough that multiplying a whole number of units by a quantum is always exact.
_EXACT: Final = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


def _check_code(_inst: object, _attr: object, value: Any) -> None:  # noqa: ANN401
    if not (isinstance(value, str) and len(value) == 3 and value.isascii() and value.isupper()):
        raise InvalidInputError("code", f"must be three upper-case letters, got {show(value)}")


def _check_exponent(_inst: object, _attr: object, value: Any) -> None:  # noqa: ANN401
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 4:
        raise InvalidInputError("exponent", f"must be a whole number 0..4, got {show(value)}")


@attrs.frozen
class Currency:
    """A currency and the number of decimals of its minor unit.

    Attributes:
        code: The ISO 4217 code, e.g. `"TWD"`.
        exponent: Decimals of the minor unit: 0 for TWD and JPY, 2 for USD.

    Examples:
        >>> Currency("USD", 2).quantum
        Decimal('0.01')
        >>> Currency("TWD", 0).quantum
        Decimal('1')
    """

    code: str = attrs.field(validator=_check_code)
    exponent: int = attrs.field(validator=_check_exponent)

    @property
    def quantum(self) -> Decimal:
        """The minor unit as a Decimal: `Decimal('0.01')` for an exponent of 2."""
        return Decimal(1).scaleb(-self.exponent)

    def __str__(self) -> str:
        return self.code


TWD: Final = Currency("TWD", 0)
"""New Taiwan dollar, counted in whole dollars (as prices and salaries are in practice)."""
USD: Final = Currency("USD", 2)
EUR: Final = Currency("EUR", 2)
JPY: Final = Currency("JPY", 0)
CNY: Final = Currency("CNY", 2)
HKD: Final = Currency("HKD", 2)
GBP: Final = Currency("GBP", 2)
SGD: Final = Currency("SGD", 2)
KRW: Final = Currency("KRW", 0)

CURRENCIES: Final[Mapping[str, Currency]] = {
    c.code: c for c in (TWD, USD, EUR, JPY, CNY, HKD, GBP, SGD, KRW)
}
"""The built-in currencies by code."""


def currency(code: str) -> Currency:
    """The built-in currency with this ISO 4217 code.

    Examples:
        >>> currency("JPY")
        Currency(code='JPY', exponent=0)

    Raises:
        InvalidInputError: the code is not built in; build a `Currency(code, exponent)` instead.
    """
    try:
        return CURRENCIES[code]
    except (KeyError, TypeError):
        known = ", ".join(sorted(CURRENCIES))
        raise InvalidInputError(
            "currency", f"unknown currency {show(code)} (built in: {known})"
        ) from None


def _check_amount(path: str, amount: object) -> Decimal:
    if isinstance(amount, bool) or not isinstance(amount, (int, Decimal)):
        raise InvalidInputError(path, f"must be a Decimal or an int, got {show(amount)}")
    value = Decimal(amount)
    if not value.is_finite():
        raise InvalidInputError(path, f"must be finite, got {show(amount)}")
    return value


def _to_amount(value: Decimal | int) -> Decimal:
    return _check_amount("amount", value)


def quantize(amount: Decimal | int, currency: Currency, rounding: str = ROUND_HALF_UP) -> Decimal:
    """Round an amount to the currency's minor unit (half away from zero by default).

    Examples:
        >>> quantize(Decimal("10.005"), USD)
        Decimal('10.01')
        >>> quantize(Decimal("1234.5"), TWD)
        Decimal('1235')

    Args:
        amount: A Decimal or an int; never a float.
        currency: The currency whose minor unit to round to.
        rounding: A `decimal` rounding mode, `ROUND_HALF_UP` unless given.

    Raises:
        InvalidInputError: the amount is a float, NaN or infinite.
    """
    value = _check_amount("amount", amount)
    check_instance("currency", currency, Currency)
    return value.quantize(currency.quantum, rounding=rounding, context=_EXACT)


@attrs.frozen(order=False)
class Money:
    """An amount of a currency, with no more decimals than the currency's minor unit.

    Attributes:
        amount: The amount (a Decimal, or an int that becomes one).
        currency: The currency.

    Examples:
        >>> Money(Decimal("1200.50"), USD)
        Money(amount=Decimal('1200.50'), currency=Currency(code='USD', exponent=2))
        >>> Money(Decimal("10.005"), USD)
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: amount: has more decimals than USD allows (2), got 10.005
    """

    amount: Decimal = attrs.field(converter=_to_amount)
    currency: Currency = attrs.field()

    @currency.validator
    def _check_currency(self, _attr: object, value: object) -> None:
        if not isinstance(value, Currency):
            raise InvalidInputError("currency", f"must be a Currency, got {show(value)}")
        if self.amount != self.amount.quantize(value.quantum, context=_EXACT):
            raise InvalidInputError(
                "amount",
                f"has more decimals than {value.code} allows ({value.exponent}), got {self.amount}",
            )

    def __str__(self) -> str:
        return f"{self.amount:,} {self.currency.code}"


def _weight_fraction(key: object, weight: object) -> Fraction:
    path = f"weights[{key!r}]"
    check_range(path, weight, ge=0)
    return Fraction(cast("float | Decimal | Fraction", weight))


def apportion(
    total: Decimal | int,
    weights: Mapping[K, float | int | Decimal | Fraction],
    quantum: Decimal | int = Decimal(1),
) -> dict[K, Decimal]:
    """Split `total` into parts proportional to `weights` that add up exactly to `total`.

    The largest-remainder (Hamilton) method: the total is counted in quanta
    (`units = total / quantum`); each key first gets the whole quanta of its exact share
    `units × weight / Σ weights`, and the quanta left over go one each to the keys with the
    largest fractional remainders, ties broken by key order. So every part is within one
    quantum of its exact share, a larger weight never gets less, and the result does not depend
    on the order of `weights`. A negative total is split like its absolute value and negated.

    The weights are converted to exact fractions (a float weight is taken at its exact binary
    value), so no rounding happens before the final quanta are dealt out.

    Worked example: 100 TWD over weights 1, 1, 1 is 33.33… each; 33 each leaves 1, which goes to
    the first key (the remainders tie):

    Examples:
        >>> apportion(Decimal(100), {"b": 1, "a": 1, "c": 1})
        {'a': Decimal('34'), 'b': Decimal('33'), 'c': Decimal('33')}

    A 10,000.00 USD pool over weights 3 : 2 : 2 (exact shares 4,285.714…, 2,857.142…):

    Examples:
        >>> apportion(Decimal("10000.00"), {"x": 3, "y": 2, "z": 2}, Decimal("0.01"))
        {'x': Decimal('4285.72'), 'y': Decimal('2857.14'), 'z': Decimal('2857.14')}

    Args:
        total: The amount to split (Decimal or int, never a float); a whole number of quanta.
        weights: Key → weight (≥ 0, finite). Keys must be sortable (they break ties).
        quantum: The smallest part, e.g. `USD.quantum`; `1` unless given.

    Returns:
        Key → part, in sorted key order. A zero total gives zeros (whatever the weights).

    Raises:
        InvalidInputError: a weight is negative, NaN, infinite or not a number; all weights
            are zero (or there are none) for a non-zero total; the total is not a whole number
            of quanta; the quantum is not positive; the keys cannot be sorted.
    """
    total_d = _check_amount("total", total)
    quantum_d = _check_amount("quantum", quantum)
    if quantum_d <= 0:
        raise InvalidInputError("quantum", f"must be > 0, got {show(quantum)}")
    units_q = Fraction(total_d) / Fraction(quantum_d)
    if units_q.denominator != 1:
        raise InvalidInputError(
            "total", f"must be a whole number of quanta of {quantum_d}, got {show(total)}"
        )
    check_instance("weights", weights, Mapping)
    try:
        keys = cast("list[K]", sorted(cast("Iterable[Any]", weights)))
    except TypeError:
        raise InvalidInputError("weights", "keys must be sortable (they break ties)") from None
    fractions = [_weight_fraction(k, weights[k]) for k in keys]
    units = abs(units_q.numerator)
    sign = -1 if units_q < 0 else 1
    zero = _EXACT.multiply(Decimal(0), quantum_d)
    if units == 0:
        return dict.fromkeys(keys, zero)
    if not keys:
        raise InvalidInputError("weights", "must not be empty when the total is not zero")
    denominator = math.lcm(*(f.denominator for f in fractions))
    ints = [f.numerator * (denominator // f.denominator) for f in fractions]
    weight_sum = sum(ints)
    if weight_sum == 0:
        raise InvalidInputError(
            "weights", f"must not all be zero when the total is not zero, got {show(total)}"
        )
    counts: list[int] = []
    remainders: list[int] = []
    for n in ints:
        q, r = divmod(units * n, weight_sum)
        counts.append(q)
        remainders.append(r)
    left = units - sum(counts)
    # Largest remainder first; equal remainders in key order (the index into sorted keys).
    for i in sorted(range(len(keys)), key=lambda i: -remainders[i])[:left]:
        counts[i] += 1
    return {
        k: _EXACT.multiply(Decimal(sign * c), quantum_d) for k, c in zip(keys, counts, strict=True)
    }
