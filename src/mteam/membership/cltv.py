"""Customer lifetime value (CLTV) calculators.

Every calculator names the period of its rates and durations (a monthly margin with a yearly
discount rate is an input error), and money stays `Decimal`: the result is rounded to the
currency's minor unit once, at the end.

**Plain values.** A rate is a [`Rate`][mteam.membership.units.Rate] or a plain number with
`per=` naming its period (the period of every plain rate and duration of the call); a bare
number with no period is an input error. Money is a [`Money`][mteam.money.Money] or a plain
amount (an `int`, a `Decimal`, a decimal string such as `"300.50"`, or a `float` that has no
more decimals than the currency allows) with `currency=` (a `Currency` or a built-in code such
as `"TWD"`); a plain amount without a currency is an input error: mteam never assumes one.
Shares (the gross margin) and counts may be Python or numpy numbers.

* **Simple**: CLTV = average order value × purchases per period × gross margin × expected
  lifetime in periods.
* **Geometric, discounted** (constant retention r, discount rate d, margin m per period, paid
  at the end of each period the member is retained): CLTV = m × r / (1 + d − r); counting the
  first payment, made now, CLTV = m × (1 + d) / (1 + d − r) (Gupta & Lehmann, "Customers as
  Assets", Journal of Interactive Marketing 17(1), 2003).
* **sBG**: CLTV = m × DERL(d | n − 1 renewals) from a fitted
  [`SBGModel`][mteam.membership.sbg.SBGModel] (Fader & Hardie 2010).
* **Historical, per cohort**: cumulative margin per original member of the cohort by month
  since joining.

Examples:
    >>> from decimal import Decimal
    >>> from mteam.money import Money, TWD
    >>> from mteam.membership.cltv import geometric_cltv, simple_cltv
    >>> from mteam.membership.units import Duration, Rate

    1,200 TWD × 1.5 orders a month × 40 % × 18 months = 12,960 TWD; and 300 TWD a month with
    90 % monthly retention and 1 % monthly discount: 300 × 0.9 / 0.11 = 2,454.5…

    >>> simple_cltv(Money(Decimal(1200), TWD), Rate(1.5, "month"), 0.4, Duration(18, "month"))
    Money(amount=Decimal('12960'), currency=Currency(code='TWD', exponent=0))
    >>> geometric_cltv(Money(Decimal(300), TWD), Rate(0.9, "month"), Rate(0.01, "month"))
    Money(amount=Decimal('2455'), currency=Currency(code='TWD', exponent=0))

    The same with plain values, the period and the currency named in the call:

    >>> str(geometric_cltv(300, 0.9, 0.01, per="month", currency="TWD"))
    '2,455 TWD'
    >>> geometric_cltv(300, 0.9, 0.01, per="month")
    Traceback (most recent call last):
    mteam.errors.InvalidInputError: margin: a plain amount needs its currency: currency='TWD' \
or Money(...) (mteam never assumes one), got 300
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from operator import attrgetter

import attrs

from mteam._records import Records
from mteam._validate import as_count, as_number, plain, show
from mteam.errors import InvalidInputError
from mteam.membership.sbg import SBGModel
from mteam.membership.summary import MemberBase, _check_base, cohort_of
from mteam.membership.units import Duration, Rate, TimeUnit, as_duration, as_rate, same_unit
from mteam.money import Currency, Money, quantize
from mteam.money import currency as currency_of

__all__ = ["CohortValue", "cohort_cltv", "geometric_cltv", "sbg_cltv", "simple_cltv"]


def _currency(value: Currency | str | None) -> Currency | None:
    if value is None or isinstance(value, Currency):
        return value
    if not isinstance(value, str):
        raise InvalidInputError("currency", f"must be a Currency or a code, got {show(value)}")
    return currency_of(value)


def _money(path: str, value: object, currency: Currency | None) -> Money:
    """A `Money`, or a plain amount in `currency` (see the module docs)."""
    if isinstance(value, Money):
        if currency is not None and value.currency != currency:
            raise InvalidInputError(
                path, f"is in {value.currency.code} but currency is {show(currency.code)}"
            )
        return value
    v = plain(value)
    if isinstance(v, str):
        try:
            amount = Decimal(v.strip())
        except ArithmeticError:
            raise InvalidInputError(path, f"must be an amount, got {show(value)}") from None
    elif isinstance(v, float):
        amount = Decimal(repr(as_number(path, v)))
    elif isinstance(v, (int, Decimal)) and not isinstance(v, bool):
        amount = Decimal(v)
    else:
        raise InvalidInputError(path, f"must be Money or an amount, got {show(value)}")
    if not amount.is_finite():
        raise InvalidInputError(path, f"must be a finite amount, got {show(value)}")
    if currency is None:
        raise InvalidInputError(
            path,
            "a plain amount needs its currency: currency='TWD' or Money(...) "
            f"(mteam never assumes one), got {show(value)}",
        )
    exact = quantize(amount, currency)
    if exact != amount:
        raise InvalidInputError(
            path,
            f"has more decimals than {currency.code} allows ({currency.exponent}), "
            f"got {show(value)}",
        )
    return Money(exact, currency)


def _times(amount: Money, factor: float) -> Money:
    value = amount.amount * Decimal(repr(factor))
    return Money(quantize(value, amount.currency), amount.currency)


def simple_cltv(
    average_order_value: Money | Decimal | str | float,
    purchases: Rate | float,
    gross_margin: float,
    lifetime: Duration | float,
    *,
    per: TimeUnit | str | None = None,
    currency: Currency | str | None = None,
) -> Money:
    """Average order value × purchases per period × gross margin × lifetime in periods.

    CLTV = AOV × f × g × L, with f purchases per period, g the gross margin (a share of
    revenue) and L the expected lifetime in the same periods; undiscounted.

    Args:
        average_order_value: The mean amount per order: `Money`, or a plain amount with
            `currency`.
        purchases: Orders per period: a `Rate`, or a number with `per`.
        gross_margin: The margin as a share of revenue, in [0, 1].
        lifetime: The expected lifetime, in the same period as `purchases`: a `Duration`, or
            a number of periods with `per`.
        per: The period of a plain `purchases` or `lifetime`.
        currency: The currency of a plain `average_order_value` (a `Currency` or a code).

    Returns:
        The value, rounded to the currency's minor unit.

    Raises:
        InvalidInputError: mismatched units, a plain rate or duration without `per`, a plain
            amount without `currency`, a margin outside [0, 1], or wrong types.

    Examples:
        25.00 USD × 2 orders a week × 50 % × 10 weeks = 250.00 USD:

        >>> str(simple_cltv("25.00", 2, 0.5, 10, per="week", currency="USD"))
        '250.00 USD'
        >>> simple_cltv("25.00", Rate(2, "week"), 0.5, 10, currency="USD")
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: lifetime: a bare number needs its period: \
Duration(10, 'month') or per='month' (mteam never assumes one), got 10
    """
    aov = _money("average_order_value", average_order_value, _currency(currency))
    rate = as_rate("purchases", purchases, per)
    length = as_duration("lifetime", lifetime, per)
    same_unit(("purchases", rate), ("lifetime", length))
    g = as_number("gross_margin", gross_margin, ge=0, le=1)
    return _times(aov, rate.value * g * length.value)


def geometric_cltv(
    margin: Money | Decimal | str | float,
    retention: Rate | float,
    discount_rate: Rate | float,
    *,
    first_payment: bool = False,
    per: TimeUnit | str | None = None,
    currency: Currency | str | None = None,
) -> Money:
    """Discounted value with constant retention: m × r / (1 + d − r), or m × (1 + d)/(1 + d − r).

    With margin m per period, retention r and discount rate d per period, a member retained
    for t periods pays m at the end of each: Σ_{t≥1} m r^t / (1 + d)^t = m r / (1 + d − r).
    Counting the first payment, made now, adds m: m (1 + d) / (1 + d − r) (Gupta & Lehmann
    2003).

    Args:
        margin: The margin per period per member: `Money`, or a plain amount with `currency`.
        retention: The share who renew each period, in [0, 1]: a `Rate`, or a number with
            `per`.
        discount_rate: The discount rate per period (same period as `retention`): a `Rate`,
            or a number with `per`.
        first_payment: Count the first period's margin, paid now.
        per: The period of a plain `retention` or `discount_rate`.
        currency: The currency of a plain `margin` (a `Currency` or a code).

    Returns:
        The value, rounded to the currency's minor unit.

    Raises:
        InvalidInputError: mismatched periods, a plain rate without `per`, a plain amount
            without `currency`, a retention outside [0, 1], or wrong types.

    Examples:
        100.00 USD a month, 80 % monthly retention, 1 % a month, first payment counted:
        100 × 1.01 / 0.21 = 480.95…

        >>> str(geometric_cltv(100, 0.8, 0.01, per="month", currency="USD", first_payment=True))
        '480.95 USD'
    """
    m = _money("margin", margin, _currency(currency))
    r_rate = as_rate("retention", retention, per)
    d_rate = as_rate("discount_rate", discount_rate, per)
    same_unit(("retention", r_rate), ("discount_rate", d_rate))
    r = as_number("retention", r_rate.value, ge=0, le=1)
    d = as_number("discount_rate", d_rate.value)
    if not 1 + d - r > 0:
        raise InvalidInputError(
            "discount_rate", "must be > 0 when retention is 1 (the sum diverges)"
        )
    factor = (1 + d) / (1 + d - r) if first_payment else r / (1 + d - r)
    return _times(m, factor)


def sbg_cltv(
    model: SBGModel,
    margin: Money | Decimal | str | float,
    discount_rate: Rate | float,
    renewals: int = 0,
    *,
    per: TimeUnit | str | None = None,
    currency: Currency | str | None = None,
) -> Money:
    """The value of a member who has renewed `renewals` times: margin × DERL (sBG model).

    CLTV = m × DERL(d | n − 1 renewals), with n − 1 = `renewals` (Fader & Hardie 2010; see
    [`SBGModel.derl`][mteam.membership.sbg.SBGModel.derl]). A plain discount rate needs `per`
    even though the model has a period: naming it in the call is what catches a yearly rate
    given to a monthly model.

    Args:
        model: A fitted sBG model.
        margin: The margin per period, paid at the start of each period the member stays:
            `Money`, or a plain amount with `currency`.
        discount_rate: The discount rate per period (the model's period): a `Rate`, or a
            number with `per`.
        renewals: Renewals made so far (0 for a member in their first period); a whole
            number, `3.0` included.
        per: The period of a plain `discount_rate`.
        currency: The currency of a plain `margin` (a `Currency` or a code).

    Returns:
        The value, rounded to the currency's minor unit.

    Raises:
        InvalidInputError: the rate's period is not the model's, a plain rate without `per`,
            a plain amount without `currency`, or wrong types.

    Examples:
        The "high end" segment of Fader & Hardie (2007), 100 USD a year, 10 % a year. A new
        member (no renewals yet, n = 1) is worth 100 × DERL, and DERL = Σ_{t≥1} S(t) / 1.1^{t−1}:

        >>> from mteam.membership.sbg import fit_sbg
        >>> model = fit_sbg([1000, 869, 743, 653, 593, 551, 517, 491], unit="year")
        >>> round(sum(model.survival(t) / 1.1 ** (t - 1) for t in range(1, 500)), 4)
        5.4145
        >>> str(sbg_cltv(model, 100, 0.1, per="year", currency="USD"))
        '541.45 USD'
    """
    if not isinstance(model, SBGModel):
        raise InvalidInputError("model", f"must be an SBGModel, got {show(model)}")
    m = _money("margin", margin, _currency(currency))
    rate = as_rate("discount_rate", discount_rate, per)
    n = as_count("renewals", renewals, ge=0)
    return _times(m, model.derl(rate, n))


@attrs.frozen
class CohortValue(Records):
    """A cohort's cumulative margin per original member, by month since joining.

    `to_records()` gives one row per month since joining: `cohort`, `members`, `month` and
    `cumulative_margin` (a `Decimal`, in the currency of the transactions).

    Attributes:
        cohort: The join month, `YYYY-MM`.
        members: The cohort's size.
        cumulative: Month since joining → cumulative margin per member up to that month.

    Examples:
        One cohort of two members who spend 100 and 300 in their first month and 200 in the
        second, at a 50 % margin: month 0, 0.5 × 400 / 2 = 100 per member; month 1,
        100 + 0.5 × 200 / 2 = 150.

        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from mteam.membership.records import Member, Transaction
        >>> from mteam.membership.summary import summarise
        >>> base = summarise(
        ...     [Member("a", date(2025, 1, 3)), Member("b", date(2025, 1, 9))],
        ...     [Transaction("a", date(2025, 1, 4), Decimal(100)),
        ...      Transaction("b", date(2025, 1, 9), Decimal(300)),
        ...      Transaction("a", date(2025, 2, 10), Decimal(200))],
        ...     as_of=date(2025, 2, 28))
        >>> [(r["month"], r["cumulative_margin"]) for r in cohort_cltv(base, 0.5)[0].to_records()]
        [(0, Decimal('100.0')), (1, Decimal('150.0'))]
    """

    cohort: str
    members: int
    cumulative: dict[int, Decimal]

    def _rows(self) -> list[dict[str, object]]:
        return [
            {
                "cohort": self.cohort,
                "members": self.members,
                "month": month,
                "cumulative_margin": value,
            }
            for month, value in self.cumulative.items()
        ]


def cohort_cltv(base: MemberBase, gross_margin: float) -> tuple[CohortValue, ...]:
    """Historical CLTV per cohort: cumulative margin per original member by month since joining.

    cumulative(c, k) = g × Σ_{j ≤ k} revenue(c, j) / members(c), for cohort c (join month), k
    months since joining and gross margin g.

    Args:
        base: The member base.
        gross_margin: The margin as a share of revenue, in [0, 1] (a Python or numpy number,
            or a `Decimal`).

    Returns:
        One value per cohort, oldest first; months with no revenue carry the total forward.
        Amounts are exact Decimals (not rounded: they are averages, not payments).

    Raises:
        InvalidInputError: not a member base, or a margin outside [0, 1].

    Examples:
        Two members join in January 2025 and spend 100 and 300 in their first month, and one
        of them 200 in their third; at a 50 % margin that is 100, 100 and 150 per member:

        >>> from datetime import date
        >>> from mteam.membership.records import Member, Transaction
        >>> from mteam.membership.summary import summarise
        >>> members = [Member("a", date(2025, 1, 5)), Member("b", date(2025, 1, 9))]
        >>> sales = [Transaction("a", date(2025, 1, 6), Decimal(100)),
        ...          Transaction("b", date(2025, 1, 20), Decimal(300)),
        ...          Transaction("b", date(2025, 3, 20), Decimal(200))]
        >>> [v] = cohort_cltv(summarise(members, sales, date(2025, 6, 30)), 0.5)
        >>> v.cohort, v.members, {k: str(x) for k, x in v.cumulative.items()}
        ('2025-01', 2, {0: '100.0', 1: '100.0', 2: '150.0'})
    """
    base = _check_base(base)
    g = as_number("gross_margin", gross_margin, ge=0, le=1)
    sizes: dict[str, int] = {}
    # members per day of joining, counted in C; then per cohort, one day at a time
    for day, count in Counter(map(attrgetter("joined_on"), base.stats.values())).items():
        c = cohort_of(day)
        sizes[c] = sizes.get(c, 0) + count
    margin = Decimal(repr(g))
    out = []
    for cohort in sorted(sizes):
        row = base.revenue.get(cohort, {})
        last = max(row, default=0)
        running = Decimal(0)
        cumulative = {}
        for age in range(last + 1):
            running += row.get(age, Decimal(0))
            cumulative[age] = running * margin / sizes[cohort]
        out.append(CohortValue(cohort, sizes[cohort], cumulative))
    return tuple(out)
