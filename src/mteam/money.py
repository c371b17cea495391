"""Exact money: currencies, quantisation, apportionment and the capped proportional split.

Money in mteam is always a `decimal.Decimal` quantised to its currency's minor unit (TWD and
JPY have no minor unit, USD has cents). A float never becomes money unless it carries no more
decimals than the currency has (`0.1` USD is 0.10 USD; `0.123` USD is refused).

Every split of an amount in mteam (a bonus pool, a budget, a yearly target cascaded into months,
quota counts) goes through [`apportion`][mteam.money.apportion] (largest remainder) or
[`allocate`][mteam.money.allocate] (the same, with floors and caps: water-filling), which
return parts that add up *exactly* to the total:

Examples:
    >>> from decimal import Decimal
    >>> from mteam.money import USD, allocate, apportion
    >>> apportion(Decimal("100.00"), {"ann": 1, "bob": 1, "cy": 1}, USD.quantum)
    {'ann': Decimal('33.34'), 'bob': Decimal('33.33'), 'cy': Decimal('33.33')}
    >>> allocate(Decimal("100.00"), {"ann": 2, "bob": 1, "cy": 1}, USD.quantum,
    ...          caps={"ann": Decimal(40)})
    {'ann': Decimal('40.00'), 'bob': Decimal('30.00'), 'cy': Decimal('30.00')}

**The limits of accepted amounts.** An amount is at most
[`MAX_MINOR_UNITS`][mteam.money.MAX_MINOR_UNITS] (10^18) minor units of its currency in
absolute value: 10^18 TWD or JPY, 10^16 USD. A weight or a policy multiple is at most 10^18,
and a `Decimal` one has at most 36 decimal places. Anything larger is refused with an
`InvalidInputError` naming the field, never rounded. Within these limits every calculation
here is exact: it runs in integers and fractions, or in a local decimal context wide enough
for every accepted amount, so a result never depends on the caller's decimal context.
[`check_amount`][mteam.money.check_amount] applies the same rule to an amount read elsewhere.
"""

from __future__ import annotations

import decimal
import math
import numbers
from collections.abc import Hashable, Iterable, Mapping
from contextlib import AbstractContextManager
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from typing import Any, Final, TypeVar, cast

import attrs

from mteam._fill import Claim, water_fill
from mteam._validate import show
from mteam.errors import InvalidInputError

__all__ = [
    "CNY",
    "CURRENCIES",
    "EUR",
    "GBP",
    "HKD",
    "JPY",
    "KRW",
    "MAX_MINOR_UNITS",
    "SGD",
    "TWD",
    "USD",
    "Currency",
    "Money",
    "allocate",
    "apportion",
    "check_amount",
    "currency",
    "quantize",
]

K = TypeVar("K", bound=Hashable)

MAX_MINOR_UNITS: Final = 10**18
"""The largest amount accepted, in minor units of its currency (10^18: 10^16 USD, 10^18 TWD)."""

_MAX_WEIGHT: Final = 10**18
_MAX_PLACES: Final = 36

# Amounts are at most 19 digits and 4 decimals, weights 18 + 36 digits: 100 digits hold every
# sum, product and rounding done here exactly. The traps turn a mistake into an error.
_CONTEXT: Final = Context(
    prec=100,
    Emax=MAX_EMAX,
    Emin=MIN_EMIN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


def _exact_context() -> AbstractContextManager[Context]:
    """The local decimal context that mteam's money arithmetic runs in (used across mteam)."""
    return decimal.localcontext(_CONTEXT)


def _show(value: object) -> str:
    """`show`, for numbers too long to print (a 5,000-digit int cannot even be made text)."""
    try:
        text = show(value)
    except ValueError:
        return "a number too long to show"
    return text if len(text) <= 80 else text[:77] + "..."


def _check_code(_inst: object, _attr: object, value: Any) -> None:  # noqa: ANN401
    if not (isinstance(value, str) and len(value) == 3 and value.isascii() and value.isupper()):
        raise InvalidInputError("code", f"must be three upper-case letters, got {_show(value)}")


def _check_exponent(_inst: object, _attr: object, value: Any) -> None:  # noqa: ANN401
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 4:
        raise InvalidInputError("exponent", f"must be a whole number 0..4, got {_show(value)}")


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
        return Decimal((0, (1,), -self.exponent))

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


def currency(code: str | Currency, path: str = "currency") -> Currency:
    """The built-in currency with this ISO 4217 code (a `Currency` is returned as it is).

    Examples:
        >>> currency("JPY")
        Currency(code='JPY', exponent=0)
        >>> currency(USD) is USD
        True

    Args:
        code: An ISO 4217 code of a built-in currency, or a `Currency`.
        path: The field named in an error.

    Raises:
        InvalidInputError: the code is not built in; build a `Currency(code, exponent)` instead.
    """
    if isinstance(code, Currency):
        return code
    try:
        return CURRENCIES[code]
    except (KeyError, TypeError):
        known = ", ".join(sorted(CURRENCIES))
        raise InvalidInputError(
            path, f"unknown currency {_show(code)} (built in: {known})"
        ) from None


_currency = currency


# --- reading numbers exactly -----------------------------------------------------------------


def _to_decimal(path: str, value: object) -> Decimal:
    """A finite Decimal from a Decimal, an int, text or a float (by its shortest repr)."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise InvalidInputError(path, f"must be a Decimal, an int or text, got {_show(value)}")
    elif isinstance(value, numbers.Integral):
        number = int(value)
        if abs(number) > 10**40:
            raise InvalidInputError(path, f"must be at most {MAX_MINOR_UNITS} minor units")
        result = Decimal(number)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInputError(path, f"must be finite, got {_show(value)}")
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            with decimal.localcontext(_CONTEXT):
                result = Decimal(value.strip())
        except decimal.InvalidOperation:
            raise InvalidInputError(path, f"must be a number, got {_show(value)}") from None
    else:
        raise InvalidInputError(path, f"must be a Decimal, an int or text, got {_show(value)}")
    if not result.is_finite():
        raise InvalidInputError(path, f"must be finite, got {_show(value)}")
    return result


def _stripped(value: Decimal) -> tuple[int, tuple[int, ...], int]:
    """Sign, digits without trailing zeros, and exponent: the same number, written shortest."""
    sign, digits, exponent = value.as_tuple()
    end = len(digits)
    while end and digits[end - 1] == 0:
        end -= 1
    return sign, digits[:end], cast("int", exponent) + len(digits) - end


def _coefficient(digits: tuple[int, ...]) -> int:
    number = 0
    for digit in digits:
        number = number * 10 + digit
    return number


def _units(path: str, value: Decimal, exponent: int, code: str) -> int:
    """`value × 10^exponent` as a whole number within ±MAX_MINOR_UNITS; an input error if not.

    Worked on the digits alone, so that neither the caller's decimal context nor an exponent
    such as 1E+999999999 can make it inexact or slow.
    """
    sign, digits, exp = _stripped(value)
    if not digits:
        return 0
    shift = exp + exponent
    if len(digits) + shift > 19:  # at least 10^18 × 10: too large, whatever the digits
        raise InvalidInputError(
            path, f"must be at most {MAX_MINOR_UNITS} minor units, got {_show(value)}"
        )
    if shift < 0:
        raise InvalidInputError(
            path, f"has more decimals than {code} allows ({exponent}), got {_show(value)}"
        )
    units = _coefficient(digits) * int(10**shift)
    if units > MAX_MINOR_UNITS:
        raise InvalidInputError(
            path, f"must be at most {MAX_MINOR_UNITS} minor units, got {_show(value)}"
        )
    return -units if sign else units


def _from_units(units: int, exponent: int) -> Decimal:
    """`units × 10^-exponent` written with exactly `exponent` decimals (never −0)."""
    return Decimal((1 if units < 0 else 0, tuple(map(int, str(abs(units)))), -exponent))


def check_amount(value: object, currency: Currency | str, path: str = "amount") -> Decimal:
    """An amount of `currency` as an exact Decimal with the currency's decimals, or an error.

    Accepted: a `Decimal`, an `int`, text such as `"1200.50"`, or a float that carries no more
    decimals than the currency (`0.1` for USD; `0.123` is refused rather than rounded). The
    amount must be a whole number of minor units and at most
    [`MAX_MINOR_UNITS`][mteam.money.MAX_MINOR_UNITS] of them in absolute value. This is the
    rule [`Money`][mteam.money.Money] applies; readers of documents and CSV files use it to
    refuse the same amounts.

    Examples:
        >>> check_amount("1200.5", USD)
        Decimal('1200.50')
        >>> check_amount(0.1, "USD")
        Decimal('0.10')
        >>> check_amount(10**19, TWD, "bonus_pool")
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: bonus_pool: must be at most 1000000000000000000 minor \
units, got 10000000000000000000
        >>> check_amount(Decimal("10.005"), USD)
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: amount: has more decimals than USD allows (2), got 10.005

    Args:
        value: The amount.
        currency: Its currency (or a built-in currency's code).
        path: The field named in an error.

    Returns:
        The amount with exactly the currency's number of decimals.

    Raises:
        InvalidInputError: not a number, not finite, more decimals than the currency allows,
            or beyond the limit.
    """
    cur = currency if isinstance(currency, Currency) else _currency(currency)
    units = _units(path, _to_decimal(path, value), cur.exponent, cur.code)
    return _from_units(units, cur.exponent)


@attrs.frozen
class _Quantum:
    """A quantum `coefficient × 10^exponent`, and the same as a Fraction."""

    coefficient: int
    exponent: int
    fraction: Fraction

    def part(self, count: int) -> Decimal:
        """`count` quanta, written with the quantum's decimals."""
        units = count * self.coefficient
        if self.exponent >= 0:
            return _from_units(units * 10**self.exponent, 0)
        return _from_units(units, -self.exponent)


def _check_quantum(quantum: object) -> _Quantum:
    value = _to_decimal("quantum", quantum)
    sign, digits, exp = _stripped(value)
    if sign or not digits:
        raise InvalidInputError("quantum", f"must be > 0, got {_show(quantum)}")
    if exp < -18 or len(digits) + exp > 19:
        raise InvalidInputError(
            "quantum", f"must be a multiple of 1E-18 and at most 1E+18, got {_show(quantum)}"
        )
    coefficient = _coefficient(digits)
    fraction = Fraction(coefficient) * Fraction(10) ** exp
    return _Quantum(coefficient, exp, fraction)


def _count(path: str, value: object, quantum: _Quantum) -> int:
    """`value / quantum` as a whole number within ±MAX_MINOR_UNITS, or an input error."""
    amount = _to_decimal(path, value)
    _, digits, exp = _stripped(amount)
    if not digits:
        return 0
    # 1E-18 <= quantum <= 1E+18, so a count of at most 10^18 has 37 digits around the point
    # at most: refuse the rest before any arithmetic.
    if len(digits) + exp > 38:
        raise InvalidInputError(
            path, f"must be at most {MAX_MINOR_UNITS} quanta, got {_show(value)}"
        )
    if exp < -18:
        raise InvalidInputError(path, f"must be a whole number of quanta, got {_show(value)}")
    units = Fraction(amount) / quantum.fraction
    if units.denominator != 1:
        raise InvalidInputError(
            path, f"must be a whole number of quanta of {quantum.part(1)}, got {_show(value)}"
        )
    if abs(units.numerator) > MAX_MINOR_UNITS:
        raise InvalidInputError(
            path, f"must be at most {MAX_MINOR_UNITS} quanta, got {_show(value)}"
        )
    return units.numerator


def _decimal_weight(path: str, value: Decimal) -> Fraction:
    if not value.is_finite():
        raise InvalidInputError(path, f"must be a finite number, got {_show(value)}")
    sign, digits, exp = _stripped(value)
    if digits and sign:
        raise InvalidInputError(path, f"must be >= 0, got {_show(value)}")
    if digits and len(digits) + exp > 19:
        raise InvalidInputError(path, f"must be at most 1E+18, got {_show(value)}")
    if exp < -_MAX_PLACES:
        raise InvalidInputError(
            path, f"must have at most {_MAX_PLACES} decimal places, got {_show(value)}"
        )
    return Fraction(value)


def _check_weight(path: str, value: object) -> Fraction:
    """A weight or a policy multiple as an exact fraction (used across mteam, not public).

    A finite real number from 0 to 10^18 (not a bool); a Decimal one with at most 36 decimal
    places; a float is taken at its exact binary value.
    """
    if isinstance(value, Decimal):
        result = _decimal_weight(path, value)
    elif isinstance(value, (int, Fraction)) and not isinstance(value, bool):
        result = Fraction(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInputError(path, f"must be a finite number, got {_show(value)}")
        result = Fraction(value)
    else:
        raise InvalidInputError(path, f"must be a number, got {_show(value)}")
    if result < 0:
        raise InvalidInputError(path, f"must be >= 0, got {_show(value)}")
    if result > _MAX_WEIGHT:
        raise InvalidInputError(path, f"must be at most 1E+18, got {_show(value)}")
    return result


def quantize(
    amount: Decimal | str | float,
    currency: Currency | str,
    rounding: str = ROUND_HALF_UP,
) -> Decimal:
    """Round an amount to the currency's minor unit (half away from zero by default).

    Examples:
        >>> quantize(Decimal("10.005"), USD)
        Decimal('10.01')
        >>> quantize(Decimal("1234.5"), "TWD")
        Decimal('1235')

    Args:
        amount: A Decimal, an int or text; a float by its shortest repr (`2.675` is 2.675).
        currency: The currency whose minor unit to round to, or its code.
        rounding: A `decimal` rounding mode, `ROUND_HALF_UP` unless given.

    Raises:
        InvalidInputError: the amount is NaN, infinite, not a number, or beyond
            [`MAX_MINOR_UNITS`][mteam.money.MAX_MINOR_UNITS] once rounded; an unknown currency
            or rounding mode.
    """
    value = _to_decimal("amount", amount)
    cur = _currency(currency)
    if not value.is_zero() and value.adjusted() > 18 - cur.exponent:
        raise InvalidInputError(
            "amount", f"must be at most {MAX_MINOR_UNITS} minor units, got {_show(amount)}"
        )
    try:
        rounded = value.quantize(cur.quantum, rounding=rounding, context=_CONTEXT)
    except (TypeError, decimal.InvalidOperation):
        raise InvalidInputError(
            "rounding", f"must be a decimal rounding mode, got {_show(rounding)}"
        ) from None
    return check_amount(rounded, cur, "amount")


@attrs.frozen(init=False, order=False)
class Money:
    """An amount of a currency, a whole number of its minor units.

    The amount is kept with exactly the currency's decimals (`1200.5` USD is `1200.50`), so
    equal amounts are written the same way. It may be given as a Decimal, an int, text, or a
    float that carries no more decimals than the currency; the currency as a `Currency` or
    a built-in currency's code. See [`check_amount`][mteam.money.check_amount] for the limits.

    Attributes:
        amount: The amount.
        currency: The currency.

    Examples:
        >>> Money(Decimal("1200.5"), USD)
        Money(amount=Decimal('1200.50'), currency=Currency(code='USD', exponent=2))
        >>> Money(300, "TWD") == Money(Decimal(300), TWD)
        True
        >>> Money(Decimal("10.005"), USD)
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: amount: has more decimals than USD allows (2), got 10.005
    """

    amount: Decimal
    currency: Currency

    def __init__(self, amount: Decimal | str | float, currency: Currency | str) -> None:
        cur = _currency(currency)
        self.__attrs_init__(check_amount(amount, cur, "amount"), cur)

    def __str__(self) -> str:
        return f"{self.amount:,} {self.currency.code}"


# --- splitting -------------------------------------------------------------------------------


def _keys(weights: object) -> list[Any]:
    if not isinstance(weights, Mapping):
        raise InvalidInputError("weights", f"must be a mapping, got {_show(weights)}")
    try:
        return sorted(cast("Iterable[Any]", weights))
    except TypeError:
        raise InvalidInputError("weights", "keys must be sortable (they break ties)") from None


def _deal(units: int, shares: list[Fraction]) -> list[int]:
    """Deal `units` (≥ 0) in proportion to `shares` by largest remainder, ties by position."""
    if units == 0:
        return [0] * len(shares)
    denominator = math.lcm(*(f.denominator for f in shares))
    ints = [f.numerator * (denominator // f.denominator) for f in shares]
    weight_sum = sum(ints)
    counts: list[int] = []
    remainders: list[int] = []
    for n in ints:
        q, r = divmod(units * n, weight_sum)
        counts.append(q)
        remainders.append(r)
    left = units - sum(counts)
    # Largest remainder first; equal remainders in key order (the index into sorted keys).
    for i in sorted(range(len(shares)), key=lambda i: -remainders[i])[:left]:
        counts[i] += 1
    return counts


def apportion(
    total: Decimal | int | str,
    weights: Mapping[K, float | int | Decimal | Fraction],
    quantum: Decimal | int | str = Decimal(1),
) -> dict[K, Decimal]:
    """Split `total` into parts proportional to `weights` that add up exactly to `total`.

    The largest-remainder (Hamilton) method: the total is counted in quanta
    (`units = total / quantum`); each key first gets the whole quanta of its exact share
    `units × weight / Σ weights`, and the quanta left over go one each to the keys with the
    largest fractional remainders, ties broken by key order. So every part is within one
    quantum of its exact share, a larger weight never gets less, and the result does not depend
    on the order of `weights`. A negative total is split like its absolute value and negated.

    The weights are converted to exact fractions (a float weight is taken at its exact binary
    value), so no rounding happens before the final quanta are dealt out, and the result does
    not depend on the caller's decimal context.

    Reference: M. L. Balinski and H. P. Young, *Fair Representation* (2nd ed., 2001), ch. 2
    (Hamilton's method).

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
        total: The amount to split (a Decimal, an int or text); a whole number of quanta, at
            most [`MAX_MINOR_UNITS`][mteam.money.MAX_MINOR_UNITS] of them.
        weights: Key → weight (≥ 0, at most 10^18; a Decimal with at most 36 decimal places).
            Keys must be sortable (they break ties).
        quantum: The smallest part, e.g. `USD.quantum`; `1` unless given (a positive multiple
            of 10^-18, at most 10^18).

    Returns:
        Key → part, in sorted key order, written with the quantum's decimals. A zero total
        gives zeros (whatever the weights).

    Raises:
        InvalidInputError: a weight is negative, NaN, infinite, too large or not a number;
            all weights are zero (or there are none) for a non-zero total; the total is not a
            whole number of quanta or is too large; the quantum is not positive; the keys cannot
            be sorted.
    """
    quantum_q = _check_quantum(quantum)
    units = _count("total", total, quantum_q)
    keys = _keys(weights)
    fractions = [_check_weight(f"weights[{k!r}]", weights[k]) for k in keys]
    if units != 0 and not any(fractions):
        if not keys:
            raise InvalidInputError("weights", "must not be empty when the total is not zero")
        raise InvalidInputError(
            "weights", f"must not all be zero when the total is not zero, got {_show(total)}"
        )
    sign = -1 if units < 0 else 1
    counts = _deal(abs(units), fractions)
    return {k: quantum_q.part(sign * c) for k, c in zip(keys, counts, strict=True)}


def _bounds(name: str, given: object, keys: set[Any], quantum: _Quantum) -> dict[Any, int]:
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        raise InvalidInputError(name, f"must be a mapping, got {_show(given)}")
    out = {}
    for key, value in given.items():
        path = f"{name}[{key!r}]"
        if key not in keys:
            raise InvalidInputError(path, f"is not a key of weights: {_show(key)}")
        count = _count(path, value, quantum)
        if count < 0:
            raise InvalidInputError(path, f"must be >= 0, got {_show(value)}")
        out[key] = count
    return out


def allocate(
    total: Decimal | int | str,
    weights: Mapping[K, float | int | Decimal | Fraction],
    quantum: Decimal | int | str = Decimal(1),
    *,
    floors: Mapping[K, Decimal | int | str] | None = None,
    caps: Mapping[K, Decimal | int | str] | None = None,
) -> dict[K, Decimal]:
    """Split `total` in proportion to `weights`, each part between its floor and its cap.

    Water-filling: every key gets `clamp(λ × weight, floor, cap)` for the one λ that spends
    the total, so a capped key is held at its cap and the rest is re-split among the others;
    the exact amounts are then dealt out in quanta by the largest-remainder method, as
    [`apportion`][mteam.money.apportion] does. So:

    - the parts add up exactly to the total, unless every key with a positive weight is at its
      cap (or there is none): then they add up to less, and `total − sum(parts)` is what no key
      could take — nothing is lost, and nothing is paid beyond the total;
    - every part is within its floor and cap (both whole quanta) and within one quantum of its
      exact share; a key with weight 0 gets its floor;
    - the result does not depend on the order of `weights` or on the decimal context.

    Without floors and caps it is `apportion` (for a total ≥ 0).

    Reference: the water-filling (proportional rationing with bounds) of H. Moulin, *Fair
    Division and Collective Welfare* (MIT Press, 2003), ch. 1.

    Examples:
        A 100,000 TWD pool for weights 60 : 30 : 20, Ann capped at 50,000: in proportion she
        would get 54,545; held at 50,000, the other 50,000 goes 30 : 20.

        >>> allocate(Decimal(100000), {"ann": 60, "bo": 30, "cy": 20},
        ...          caps={"ann": Decimal(50000)})
        {'ann': Decimal('50000'), 'bo': Decimal('30000'), 'cy': Decimal('20000')}

        A floor lifts a small weight; everyone capped leaves the rest over:

        >>> allocate(100, {"a": 3, "b": 1}, floors={"b": 40})
        {'a': Decimal('60'), 'b': Decimal('40')}
        >>> allocate(100, {"a": 1, "b": 1}, caps={"a": 30, "b": 30})
        {'a': Decimal('30'), 'b': Decimal('30')}

    Args:
        total: The amount to split (≥ 0, a whole number of quanta, at most
            [`MAX_MINOR_UNITS`][mteam.money.MAX_MINOR_UNITS] of them).
        weights: Key → weight, as for `apportion`.
        quantum: The smallest part; `1` unless given.
        floors: Key → the least it gets (whole quanta, ≥ 0); 0 for a key not listed.
        caps: Key → the most it gets (whole quanta, ≥ its floor); no cap for a key not listed.

    Returns:
        Key → part, in sorted key order.

    Raises:
        InvalidInputError: as for `apportion`; a negative total; a floor or cap that is not a
            whole number of quanta, names a key not in `weights`, or a cap below its floor;
            floors that add up to more than the total (no split can honour them).
    """
    quantum_q = _check_quantum(quantum)
    units = _count("total", total, quantum_q)
    if units < 0:
        raise InvalidInputError("total", f"must be >= 0, got {_show(total)}")
    keys = _keys(weights)
    fractions = [_check_weight(f"weights[{k!r}]", weights[k]) for k in keys]
    key_set = set(keys)
    floor_units = _bounds("floors", floors, key_set, quantum_q)
    cap_units = _bounds("caps", caps, key_set, quantum_q)
    for key, cap in cap_units.items():
        if cap < floor_units.get(key, 0):
            raise InvalidInputError(
                f"caps[{key!r}]", f"must be >= the floor ({floor_units[key]} quanta), got {cap}"
            )
    floor_sum = sum(floor_units.values())
    if floor_sum > units:
        raise InvalidInputError(
            "floors", f"add up to {floor_sum} quanta, more than the total ({units})"
        )
    counts = _fill(
        units,
        fractions,
        [floor_units.get(k, 0) for k in keys],
        [cap_units.get(k) for k in keys],
    )
    return {k: quantum_q.part(c) for k, c in zip(keys, counts, strict=True)}


def _fill(
    units: int, weights: list[Fraction], floors: list[int], caps: list[int | None]
) -> list[int]:
    """Water-fill `units` (≥ Σ floors) and deal the exact amounts in whole units."""
    claims = [
        Claim(i, w, Fraction(f), None if c is None else Fraction(c))
        for i, (w, f, c) in enumerate(zip(weights, floors, caps, strict=True))
    ]
    exact, left = water_fill(claims, Fraction(units))
    shares = [exact[i] for i in range(len(weights))]
    spent = units - int(left)
    # The exact shares add up to `spent`, so each is dealt the floor or the ceiling of itself:
    # whole-unit floors and caps hold.
    return _deal(spent, shares) if spent else list(floors)
