"""Customer lifetime value (CLTV) calculators.

Every calculator names the period of its rates and durations (a monthly margin with a yearly
discount rate is an input error), and money stays `Decimal`: the result is rounded to the
currency's minor unit once, at the end.

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
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from operator import attrgetter

import attrs

from mteam._validate import check_range, show
from mteam.errors import InvalidInputError
from mteam.membership.sbg import SBGModel
from mteam.membership.summary import MemberBase, _check_base, cohort_of
from mteam.membership.units import Duration, Rate, same_unit
from mteam.money import Money, quantize

__all__ = ["CohortValue", "cohort_cltv", "geometric_cltv", "sbg_cltv", "simple_cltv"]


def _money(path: str, value: object) -> Money:
    if not isinstance(value, Money):
        raise InvalidInputError(path, f"must be Money, got {show(value)}")
    return value


def _rate(path: str, value: object) -> Rate:
    if not isinstance(value, Rate):
        raise InvalidInputError(path, f"must be a Rate, got {show(value)}")
    return value


def _times(amount: Money, factor: float) -> Money:
    value = amount.amount * Decimal(repr(factor))
    return Money(quantize(value, amount.currency), amount.currency)


def simple_cltv(
    average_order_value: Money, purchases: Rate, gross_margin: float, lifetime: Duration
) -> Money:
    """Average order value × purchases per period × gross margin × lifetime in periods.

    Args:
        average_order_value: The mean amount per order.
        purchases: Orders per period.
        gross_margin: The margin as a share of revenue, in [0, 1].
        lifetime: The expected lifetime, in the same period as `purchases`.

    Raises:
        InvalidInputError: mismatched units, a margin outside [0, 1], or wrong types.
    """
    aov = _money("average_order_value", average_order_value)
    _rate("purchases", purchases)
    if not isinstance(lifetime, Duration):
        raise InvalidInputError("lifetime", f"must be a Duration, got {show(lifetime)}")
    same_unit(("purchases", purchases), ("lifetime", lifetime))
    check_range("gross_margin", gross_margin, ge=0, le=1)
    return _times(aov, purchases.value * gross_margin * lifetime.value)


def geometric_cltv(
    margin: Money, retention: Rate, discount_rate: Rate, *, first_payment: bool = False
) -> Money:
    """Discounted value with constant retention: m × r / (1 + d − r), or m × (1 + d)/(1 + d − r).

    Args:
        margin: The margin per period per member.
        retention: The share who renew each period, in [0, 1).
        discount_rate: The discount rate per period (same period as `retention`).
        first_payment: Count the first period's margin, paid now.

    Raises:
        InvalidInputError: mismatched periods, a retention outside [0, 1], or wrong types.
    """
    m = _money("margin", margin)
    _rate("retention", retention)
    _rate("discount_rate", discount_rate)
    same_unit(("retention", retention), ("discount_rate", discount_rate))
    check_range("retention", retention.value, ge=0, le=1)
    r, d = retention.value, discount_rate.value
    if not 1 + d - r > 0:
        raise InvalidInputError(
            "discount_rate", "must be > 0 when retention is 1 (the sum diverges)"
        )
    factor = (1 + d) / (1 + d - r) if first_payment else r / (1 + d - r)
    return _times(m, factor)


def sbg_cltv(model: SBGModel, margin: Money, discount_rate: Rate, renewals: int = 0) -> Money:
    """The value of a member who has renewed `renewals` times: margin × DERL (sBG model).

    Args:
        model: A fitted sBG model.
        margin: The margin per period, paid at the start of each period the member stays.
        discount_rate: The discount rate per period (the model's period).
        renewals: Renewals made so far (0 for a member in their first period).

    Raises:
        InvalidInputError: the rate's period is not the model's, or wrong types.
    """
    if not isinstance(model, SBGModel):
        raise InvalidInputError("model", f"must be an SBGModel, got {show(model)}")
    m = _money("margin", margin)
    return _times(m, model.derl(_rate("discount_rate", discount_rate), renewals))


@attrs.frozen
class CohortValue:
    """A cohort's cumulative margin per original member, by month since joining.

    Attributes:
        cohort: The join month, `YYYY-MM`.
        members: The cohort's size.
        cumulative: Month since joining → cumulative margin per member up to that month.
    """

    cohort: str
    members: int
    cumulative: dict[int, Decimal]


def cohort_cltv(base: MemberBase, gross_margin: float) -> tuple[CohortValue, ...]:
    """Historical CLTV per cohort: cumulative margin per original member by month since joining.

    Args:
        base: The member base.
        gross_margin: The margin as a share of revenue, in [0, 1].

    Returns:
        One value per cohort, oldest first; months with no revenue carry the total forward.
        Amounts are exact Decimals (not rounded: they are averages, not payments).
    """
    base = _check_base(base)
    check_range("gross_margin", gross_margin, ge=0, le=1)
    sizes: dict[str, int] = {}
    # members per day of joining, counted in C; then per cohort, one day at a time
    for day, count in Counter(map(attrgetter("joined_on"), base.stats.values())).items():
        c = cohort_of(day)
        sizes[c] = sizes.get(c, 0) + count
    margin = Decimal(repr(gross_margin))
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
