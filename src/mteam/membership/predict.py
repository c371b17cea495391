"""Per-member predictions from the repeat-purchase models: value, and the holdout check.

**Customer lifetime value** over a horizon of H periods of the summary's unit, discounted
period by period at rate d per period, with a margin share m of spend:

CLV = m × E[M | x, m_x] × Σ_{k=1..H} (E[Y(k)] − E[Y(k − 1)]) / (1 + d)^k,

where E[Y(k)] is the transaction model's conditional expectation (BG/NBD or Pareto/NBD) and
E[M | x, m_x] the Gamma-Gamma expected spend per purchase. Its interval is CLV ± z × se, with
se from the delta method: the gradient of CLV in the models' parameters (by central
differences) against their covariances (the two models are fitted separately, so their
covariance is block-diagonal); the lower end is never below 0. Money is `Decimal`, rounded to
the currency's minor unit once.

**Holdout check** (Fader, Hardie & Lee 2005, figures 3 and 4): the expected and actual repeat
purchases in the holdout period, cumulative by period after the end of calibration, and per
member by calibration frequency x.

Examples:
    >>> from mteam.membership.bgnbd import BGNBDModel
    >>> from mteam.membership.gamma_gamma import GammaGammaModel
    >>> from mteam.membership.predict import member_value
    >>> from mteam.membership.units import Rate
    >>> from mteam.money import USD
    >>> v = member_value(BGNBDModel(0.243, 4.414, 0.793, 2.426),
    ...                  GammaGammaModel(6.25, 3.74, 15.44), 2, 30.43, 38.86, 22.35,
    ...                  horizon=52, discount_rate=Rate(0.0015, "week"), margin=0.3,
    ...                  currency=USD)
    >>> round(v.expected_purchases, 3), v.clv
    (1.559, Decimal('11.12'))
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from statistics import NormalDist
from typing import Any

import attrs

from mteam._records import Records
from mteam._validate import check_instance, check_int, check_range
from mteam.errors import InvalidInputError
from mteam.membership.bgnbd import BGNBDModel
from mteam.membership.bgnbd import _conditional as _bg_conditional
from mteam.membership.bgnbd import _if_alive as _bg_if_alive
from mteam.membership.gamma_gamma import GammaGammaModel
from mteam.membership.pareto_nbd import ParetoNBDModel
from mteam.membership.pareto_nbd import _conditional as _pn_conditional
from mteam.membership.pareto_nbd import _if_alive as _pn_if_alive
from mteam.membership.repeat import MemberRepeat, RepeatSummary, _customer, _summary, elapsed
from mteam.membership.units import Rate, same_unit
from mteam.money import Currency, quantize

__all__ = [
    "FrequencyCheck",
    "HoldoutCheck",
    "MemberValue",
    "MemberValues",
    "PeriodCheck",
    "holdout_check",
    "member_value",
    "member_values",
]

TransactionModel = BGNBDModel | ParetoNBDModel


@attrs.frozen
class MemberValue(Records):
    """One member's predicted value.

    Attributes:
        member_id: The member ("" when predicted for a bare profile).
        x: Repeat purchase periods.
        t_x: Time of the last purchase.
        T: Time since the first purchase.
        p_alive: P(alive | x, t_x, T).
        expected_purchases: E[Y(H) | x, t_x, T] over the horizon.
        expected_spend: Expected spend per purchase (Decimal, in the currency).
        clv: The discounted margin over the horizon (Decimal).
        lower: The interval's lower end (≥ 0), or None without covariances.
        upper: Its upper end, or None.

    Examples:
        >>> from decimal import Decimal
        >>> from mteam.membership.bgnbd import BGNBDModel
        >>> from mteam.membership.gamma_gamma import GammaGammaModel
        >>> from mteam.membership.units import Rate
        >>> from mteam.money import USD
        >>> bg = BGNBDModel(0.243, 4.414, 0.793, 2.426)  # CDNOW, Fader, Hardie & Lee (2005)
        >>> gg = GammaGammaModel(6.25, 3.74, 15.44)  # CDNOW, Fader & Hardie (2013)
        >>> terms = dict(horizon=52, discount_rate=Rate(0.01, "week"), margin=0.3, currency=USD)
        >>> v = member_value(bg, gg, 2, 30.43, 38.86, 22.35, member_id="a", **terms)
        >>> v.to_records() == [v.to_record()], v.clv
        (True, Decimal('9.12'))
    """

    member_id: str
    x: int
    t_x: float
    T: float
    p_alive: float
    expected_purchases: float
    expected_spend: Decimal
    clv: Decimal
    lower: Decimal | None
    upper: Decimal | None

    def to_record(self) -> dict[str, object]:
        """The member as a flat row (the one row of `to_records()`).

        Examples:
            >>> from decimal import Decimal
            >>> from mteam.membership.bgnbd import BGNBDModel
            >>> from mteam.membership.gamma_gamma import GammaGammaModel
            >>> from mteam.membership.units import Rate
            >>> from mteam.money import USD
            >>> bg = BGNBDModel(0.243, 4.414, 0.793, 2.426)  # CDNOW, Fader, Hardie & Lee (2005)
            >>> gg = GammaGammaModel(6.25, 3.74, 15.44)  # CDNOW, Fader & Hardie (2013)
            >>> terms = dict(horizon=52, discount_rate=Rate(0.01, "week"), margin=0.3, currency=USD)
            >>> row = member_value(bg, gg, 2, 30.43, 38.86, 22.35, **terms).to_record()
            >>> row["expected_spend"], row["clv"], row["lower"]  # no covariance: no interval
            (Decimal('24.66'), Decimal('9.12'), None)
        """
        return attrs.asdict(self)

    def _rows(self) -> list[dict[str, object]]:
        return [self.to_record()]


@attrs.frozen
class MemberValues(Records):
    """The per-member value table.

    Attributes:
        rows: One `MemberValue` per member, by member id.
        currency: The currency of the amounts.
        horizon: The horizon in periods.

    Examples:
        >>> from decimal import Decimal
        >>> from mteam.membership.bgnbd import BGNBDModel
        >>> from mteam.membership.gamma_gamma import GammaGammaModel
        >>> from mteam.membership.units import Rate
        >>> from mteam.money import USD
        >>> bg = BGNBDModel(0.243, 4.414, 0.793, 2.426)  # CDNOW, Fader, Hardie & Lee (2005)
        >>> gg = GammaGammaModel(6.25, 3.74, 15.44)  # CDNOW, Fader & Hardie (2013)
        >>> terms = dict(horizon=52, discount_rate=Rate(0.01, "week"), margin=0.3, currency=USD)
        >>> from mteam.membership.repeat import MemberRepeat
        >>> table = member_values([MemberRepeat("a", 2, 30.43, 38.86, Decimal("44.70")),
        ...                        MemberRepeat("b", 0, 0, 38.86, Decimal(0))], bg, gg, **terms)
        >>> [(r["member_id"], r["clv"]) for r in table.to_records()], table.total
        ([('a', Decimal('9.12')), ('b', Decimal('2.09'))], Decimal('11.21'))
    """

    rows: tuple[MemberValue, ...]
    currency: Currency
    horizon: int

    @property
    def total(self) -> Decimal:
        """The sum of the members' CLV."""
        return sum((r.clv for r in self.rows), Decimal(0))

    def _rows(self) -> list[dict[str, object]]:
        """One flat row per member."""
        return [r.to_record() for r in self.rows]

    def _html_caption(self) -> str:
        return (
            f"MemberValues: {len(self.rows):,} members over {self.horizon} periods, "
            f"total {self.total} {self.currency.code}"
        )


def _clv_factor(  # noqa: PLR0917 - a member's profile
    model: TransactionModel, x: int, t_x: float, big_t: float, h: int, d: float
) -> float:
    # E[Y(k) | x, t_x, T] = E[Y(k) | alive, x, T] × P(alive | x, t_x, T): P(alive) once
    if_alive = _bg_if_alive if isinstance(model, BGNBDModel) else _pn_if_alive
    theta = model.parameters
    total, before = 0.0, 0.0
    for k in range(1, h + 1):
        now = if_alive(theta, float(k), x, big_t)
        total += (now - before) / (1 + d) ** k
        before = now
    return total * model.p_alive(x, t_x, big_t)


def _value(  # noqa: PLR0917 - a member's profile
    model: TransactionModel,
    spend: GammaGammaModel,
    x: int,
    t_x: float,
    big_t: float,
    mean_spend: float,
    h: int,
    d: float,
) -> float:
    return _clv_factor(model, x, t_x, big_t, h, d) * spend.expected_spend(x, mean_spend)


def _gradient(f: Any, model: Any) -> list[float]:  # noqa: ANN401
    out = []
    theta = list(model.parameters)
    for i, v in enumerate(theta):
        step = 1e-5 * v
        up, down = list(theta), list(theta)
        up[i], down[i] = v + step, v - step
        out.append((f(model.with_parameters(up)) - f(model.with_parameters(down))) / (2 * step))
    return out


def _variance(grad: Sequence[float], cov: Sequence[Sequence[float]]) -> float:
    return sum(grad[i] * cov[i][j] * grad[j] for i in range(len(grad)) for j in range(len(grad)))


def _money(value: float, currency: Currency) -> Decimal:
    return quantize(Decimal(repr(max(value, 0.0))), currency)


def _check(  # noqa: PLR0917 - the arguments of member_value
    model: object,
    spend: object,
    horizon: object,
    discount_rate: object,
    margin: object,
    currency: object,
    level: object,
) -> tuple[TransactionModel, GammaGammaModel, int, float, float]:
    check_instance("model", model, BGNBDModel, ParetoNBDModel)
    check_instance("spend", spend, GammaGammaModel)
    check_int("horizon", horizon, ge=1)
    check_instance("discount_rate", discount_rate, Rate)
    check_range("margin", margin, ge=0, le=1)
    check_instance("currency", currency, Currency)
    check_range("level", level, gt=0, lt=1)
    if not (
        isinstance(model, (BGNBDModel, ParetoNBDModel))
        and isinstance(spend, GammaGammaModel)
        and isinstance(horizon, int)
        and isinstance(discount_rate, Rate)
    ):
        raise AssertionError  # noqa: TRY004 - checked above
    same_unit(("model", model.unit), ("discount_rate", discount_rate))
    return model, spend, horizon, discount_rate.value, float(margin)  # type: ignore[arg-type]


def member_value(  # noqa: PLR0917 - a member's x, t_x, T and mean spend
    model: TransactionModel,
    spend: GammaGammaModel,
    x: int,
    t_x: float,
    T: float,  # noqa: N803 - the literature's name
    mean_spend: float | Decimal,
    *,
    horizon: int,
    discount_rate: Rate,
    margin: float,
    currency: Currency,
    level: float = 0.95,
    member_id: str = "",
) -> MemberValue:
    """One member's P(alive), expected purchases and spend, and CLV with its interval.

    Args:
        model: A BG/NBD or Pareto/NBD model.
        spend: A Gamma-Gamma model.
        x: Repeat purchase periods; t_x, T: as in the summary, in the model's unit.
        t_x: Time of the last purchase.
        T: Time since the first purchase.
        mean_spend: The mean repeat spend (ignored when x = 0).
        horizon: Periods of the model's unit to value.
        discount_rate: Per period of the model's unit.
        margin: The share of spend that is margin, in [0, 1].
        currency: The currency of spend.
        level: The interval's confidence level.
        member_id: The member, for the table.

    Raises:
        InvalidInputError: wrong types, a rate in another unit, a bad profile.

    Examples:
        CDNOW customer 1 of Fader, Hardie & Lee (2005): x = 2, t_x = 30.43, T = 38.86 weeks,
        mean repeat spend 22.35 dollars; a year at 1 % a week and a 30 % margin:

        >>> from decimal import Decimal
        >>> from mteam.membership.bgnbd import BGNBDModel
        >>> from mteam.membership.gamma_gamma import GammaGammaModel
        >>> from mteam.membership.units import Rate
        >>> from mteam.money import USD
        >>> bg = BGNBDModel(0.243, 4.414, 0.793, 2.426)  # CDNOW, Fader, Hardie & Lee (2005)
        >>> gg = GammaGammaModel(6.25, 3.74, 15.44)  # CDNOW, Fader & Hardie (2013)
        >>> terms = dict(horizon=52, discount_rate=Rate(0.01, "week"), margin=0.3, currency=USD)
        >>> v = member_value(bg, gg, 2, 30.43, 38.86, 22.35, **terms)
        >>> round(v.p_alive, 4), round(v.expected_purchases, 4), v.expected_spend, v.clv
        (0.7266, 1.5587, Decimal('24.66'), Decimal('9.12'))
        >>> yearly = {**terms, "discount_rate": Rate(0.1, "year")}
        >>> member_value(bg, gg, 2, 30.43, 38.86, 22.35, **yearly)
        Traceback (most recent call last):
        ...
        mteam.errors.InvalidInputError: ...
    """
    tm, sm, h, d, m = _check(model, spend, horizon, discount_rate, margin, currency, level)
    x, t_x, T = _customer(x, t_x, T)  # noqa: N806
    ms = float(mean_spend) if x else 0.0
    clv = m * _value(tm, sm, x, t_x, T, ms, h, d)
    lower = upper = None
    if tm.covariance is not None and sm.covariance is not None:
        g1 = _gradient(lambda mm: m * _value(mm, sm, x, t_x, T, ms, h, d), tm)
        g2 = _gradient(lambda ss: m * _value(tm, ss, x, t_x, T, ms, h, d), sm)
        se = math.sqrt(max(_variance(g1, tm.covariance) + _variance(g2, sm.covariance), 0.0))
        z = NormalDist().inv_cdf(0.5 + float(level) / 2)
        lower, upper = _money(clv - z * se, currency), _money(clv + z * se, currency)
    f = _bg_conditional if isinstance(tm, BGNBDModel) else _pn_conditional
    return MemberValue(
        member_id,
        x,
        t_x,
        T,
        tm.p_alive(x, t_x, T),
        f(tm.parameters, float(h), x, t_x, T),
        _money(sm.expected_spend(x, ms), currency),
        _money(clv, currency),
        lower,
        upper,
    )


def member_values(
    members: Iterable[MemberRepeat],
    model: TransactionModel,
    spend: GammaGammaModel,
    *,
    horizon: int,
    discount_rate: Rate,
    margin: float,
    currency: Currency,
    level: float = 0.95,
) -> MemberValues:
    """The per-member value table for members from `repeat_members` (see `member_value`).

    Members with the same (x, t_x, T, mean spend) are computed once.

    Raises:
        InvalidInputError: a member that is not a `MemberRepeat`, or as `member_value`.

    Examples:
        >>> from decimal import Decimal
        >>> from mteam.membership.bgnbd import BGNBDModel
        >>> from mteam.membership.gamma_gamma import GammaGammaModel
        >>> from mteam.membership.units import Rate
        >>> from mteam.money import USD
        >>> bg = BGNBDModel(0.243, 4.414, 0.793, 2.426)  # CDNOW, Fader, Hardie & Lee (2005)
        >>> gg = GammaGammaModel(6.25, 3.74, 15.44)  # CDNOW, Fader & Hardie (2013)
        >>> terms = dict(horizon=52, discount_rate=Rate(0.01, "week"), margin=0.3, currency=USD)
        >>> from mteam.membership.repeat import MemberRepeat
        >>> members = [MemberRepeat("b", 0, 0, 38.86, Decimal(0)),
        ...            MemberRepeat("a", 2, 30.43, 38.86, Decimal("44.70"))]
        >>> table = member_values(members, bg, gg, **terms)
        >>> [(v.member_id, v.clv) for v in table.rows]  # sorted by member
        [('a', Decimal('9.12')), ('b', Decimal('2.09'))]
    """
    _check(model, spend, horizon, discount_rate, margin, currency, level)
    cache: dict[tuple[int, float, float, Decimal | None], MemberValue] = {}
    rows = []
    for i, r in enumerate(members):
        check_instance(f"members[{i}]", r, MemberRepeat)
        key = (r.x, r.t_x, r.T, r.mean_spend)
        if key not in cache:
            cache[key] = member_value(
                model,
                spend,
                r.x,
                r.t_x,
                r.T,
                r.mean_spend or 0,
                horizon=horizon,
                discount_rate=discount_rate,
                margin=margin,
                currency=currency,
                level=level,
            )
        rows.append(attrs.evolve(cache[key], member_id=r.member_id))
    rows.sort(key=lambda v: v.member_id)
    return MemberValues(tuple(rows), currency, horizon)


@attrs.frozen
class PeriodCheck(Records):
    """Cumulative holdout repeat purchases by the end of one period after calibration.

    Examples:
        >>> PeriodCheck(2, 2.8, 3).to_records()
        [{'period': 2, 'expected': 2.8, 'actual': 3}]
    """

    period: int
    expected: float
    actual: int


@attrs.frozen
class FrequencyCheck(Records):
    """Holdout repeat purchases per member of one calibration frequency.

    Examples:
        >>> FrequencyCheck(1, 4, 0.6, 0.75).to_records()
        [{'x': 1, 'members': 4, 'expected': 0.6, 'actual': 0.75}]
    """

    x: int
    members: int
    expected: float
    actual: float


@attrs.frozen
class HoldoutCheck(Records):
    """Expected against actual repeat purchases in the holdout period.

    Attributes:
        by_period: Cumulative totals at the end of each holdout period.
        by_frequency: Means per member by calibration frequency x.

    `to_records()` gives one row per period and per frequency, with the same columns in
    each: `table` (`"period"` or `"frequency"`), `period` and `x` (None in the other kind of
    row), `members` (None in a period row), `expected` and `actual`.

    Examples:
        >>> check = HoldoutCheck((PeriodCheck(1, 0.9, 1),), (FrequencyCheck(1, 4, 0.2, 0.25),))
        >>> [(r["table"], r["period"], r["x"], r["actual"]) for r in check.to_records()]
        [('period', 1, None, 1), ('frequency', None, 1, 0.25)]
    """

    by_period: tuple[PeriodCheck, ...]
    by_frequency: tuple[FrequencyCheck, ...]

    def _rows(self) -> list[dict[str, object]]:
        """One row per period and per frequency, with a `table` column saying which."""
        periods: list[dict[str, object]] = [
            {
                "table": "period",
                "period": p.period,
                "x": None,
                "members": None,
                "expected": p.expected,
                "actual": p.actual,
            }
            for p in self.by_period
        ]
        return periods + [
            {
                "table": "frequency",
                "period": None,
                "x": f.x,
                "members": f.members,
                "expected": f.expected,
                "actual": f.actual,
            }
            for f in self.by_frequency
        ]


def holdout_check(summary: RepeatSummary, model: TransactionModel) -> HoldoutCheck:
    """Compare the model's holdout expectations with what the members did.

    Raises:
        InvalidInputError: a summary without a holdout period, or a model in another unit.

    Examples:
        >>> from datetime import date
        >>> from mteam.membership.bgnbd import BGNBDModel
        >>> from mteam.membership.repeat import Profile, RepeatSummary
        >>> s = RepeatSummary("week", [Profile(1, 10, 20, 4, 3)], holdout_by_period=(1, 2),
        ...                   calibration_end=date(2025, 1, 1), holdout_end=date(2025, 1, 15))
        >>> check = holdout_check(s, BGNBDModel(0.243, 4.414, 0.793, 2.426))
        >>> [(p.period, p.actual) for p in check.by_period], check.by_frequency[0].actual
        ([(1, 1), (2, 3)], 0.75)
    """
    s = _summary(summary)
    check_instance("model", model, BGNBDModel, ParetoNBDModel)
    same_unit(("summary", s.unit), ("model", model.unit))
    if s.holdout_end is None or s.calibration_end is None:
        raise InvalidInputError("summary.holdout_end", "the summary has no holdout period")

    f = _bg_conditional if isinstance(model, BGNBDModel) else _pn_conditional
    length = elapsed(s.calibration_end, s.holdout_end, s.unit)
    theta = model.parameters
    periods = []
    actual = 0
    for k, n in enumerate(s.holdout_by_period, start=1):
        t = min(float(k), length)
        actual += n
        expected = sum(p.members * f(theta, t, p.x, p.t_x, p.T) for p in s.profiles)
        periods.append(PeriodCheck(k, expected, actual))
    groups: dict[int, list[float]] = {}
    for p in s.profiles:
        g = groups.setdefault(p.x, [0, 0.0, 0])
        g[0] += p.members
        g[1] += p.members * f(theta, length, p.x, p.t_x, p.T)
        g[2] += p.holdout_purchases
    freq = tuple(FrequencyCheck(x, int(n), e / n, a / n) for x, (n, e, a) in sorted(groups.items()))
    return HoldoutCheck(tuple(periods), freq)
