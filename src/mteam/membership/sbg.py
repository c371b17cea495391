"""The shifted-beta-geometric (sBG) model of contractual retention.

Each member renews each period with their own probability 1 − θ, and θ varies across members
as a beta(α, β) distribution (Fader & Hardie, "How to Project Customer Retention", Journal of
Interactive Marketing 21(1), 2007). With T the period in which a member leaves:

* P(T = 1) = α / (α + β), and P(T = t) = (β + t − 2) / (α + β + t − 1) × P(T = t − 1);
* survival S(t) = P(T > t) = B(α, β + t) / B(α, β);
* retention r(t) = S(t) / S(t − 1) = (β + t − 1) / (α + β + t − 1), rising with t as the
  members most likely to leave leave first.

For customer value (Fader & Hardie, "Customer-Base Valuation in a Contractual Setting: The
Perils of Ignoring Heterogeneity", Marketing Science 29(1), 2010), with discount rate d per
period:

* DEL(d) = Σ_{t≥0} S(t) / (1 + d)^t = ₂F₁(1, β; α + β; 1/(1 + d)), the discounted expected
  lifetime of a member at the start;
* DERL(d | n − 1 renewals) = Σ_{t≥n} S(t)/S(n − 1) / (1 + d)^{t−n}
  = (β + n − 1)/(α + β + n − 1) × ₂F₁(1, β + n; α + β + n; 1/(1 + d)), the discounted expected
  residual lifetime of a member who has renewed n − 1 times (so is in period n).

The Gauss hypergeometric function is summed as its series, Σ_k (b)_k / (c)_k × z^k for a = 1,
which converges for every d > 0.

The parameters are fitted by maximum likelihood in pure Python: log-gamma from `math`, and a
Nelder–Mead search over (log α, log β) (the optimiser shared with the repeat-purchase models),
restarted from several points. The search stops when
the simplex is narrower than 1e-10 in both log-parameters and the log-likelihoods at its
corners differ by less than 1e-12 × (1 + |LL|), or after 4,000 iterations (then `converged`
is False). Standard errors come from the observed information: the inverse of minus the
Hessian of the log-likelihood at the optimum, by central differences; a projection's band
is S(t) ± z × its delta-method standard error.

Examples:
    The "high end" segment of Fader & Hardie (2007): 1,000 customers, of whom 869, 743, 653,
    593, 551, 517 and 491 are still customers after years 1 to 7. The paper reports
    α = 0.668 and β = 3.806.

    >>> from mteam.membership.sbg import fit_sbg
    >>> model = fit_sbg([1000, 869, 743, 653, 593, 551, 517, 491], unit="year")
    >>> round(model.alpha, 3), round(model.beta, 3)
    (0.668, 3.806)
    >>> round(model.retention(1), 3), round(model.retention(10), 3)
    (0.851, 0.95)
    >>> round(model.survival(12) * 1000)  # the paper's data show 394 customers in year 12
    378
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from statistics import NormalDist
from typing import Final

import attrs

from mteam._optimize import hessian, nelder_mead
from mteam._records import Records
from mteam._validate import (
    as_count,
    as_flag,
    as_items,
    as_number,
    check_range,
    of_type,
    optional_matrix,
    optional_real,
    real,
    show,
    whole,
)
from mteam.errors import InvalidInputError
from mteam.membership.units import Rate, TimeUnit, same_unit, to_unit

__all__ = ["Projection", "ProjectionTable", "SBGModel", "fit_sbg", "fit_sbg_durations", "hyp2f1"]

_BOUND: Final = 25.0  # |log α|, |log β| beyond this is treated as "no finite maximum"
_MAX_ITERATIONS: Final = 4000


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def hyp2f1(a: float, b: float, c: float, z: float) -> float:
    """The Gauss hypergeometric function ₂F₁(a, b; c; z) for 0 ≤ z < 1, by its series.

    Σ_k (a)_k (b)_k / ((c)_k k!) z^k, summed until a term is below 1e-17 of the sum.

    Examples:
        ₂F₁(1, 1; 2; z) = −ln(1 − z) / z:

        >>> round(hyp2f1(1, 1, 2, 0.5), 12), round(-math.log(0.5) / 0.5, 12)
        (1.38629436112, 1.38629436112)

    Raises:
        InvalidInputError: z outside [0, 1), or c not > 0.
    """
    check_range("z", z, ge=0, lt=1)
    check_range("c", c, gt=0)
    total = term = 1.0
    k = 0
    while True:
        term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z
        total += term
        k += 1
        if abs(term) <= 1e-17 * abs(total) or term == 0:
            return total
        if k > 10_000_000:  # pragma: no cover - only for z within 1e-7 of 1
            msg = "the hypergeometric series did not converge"
            raise InvalidInputError("z", msg)


@attrs.frozen
class Projection(Records):
    """Projected survival at one period, with its confidence band.

    Attributes:
        t: The period (0 = the start).
        survival: S(t).
        lower: The band's lower end (≥ 0).
        upper: The band's upper end (≤ 1).

    Examples:
        >>> Projection(2, 0.5, 0.4, 0.6).to_records()
        [{'t': 2, 'survival': 0.5, 'lower': 0.4, 'upper': 0.6}]
    """

    t: int
    survival: float
    lower: float
    upper: float


class ProjectionTable(tuple[Projection, ...], Records):
    """The projections of [`SBGModel.project`][mteam.membership.sbg.SBGModel.project]: a tuple.

    It is the tuple of `Projection` values it always was (length, indexing, iteration,
    slicing and equality with a tuple are unchanged), with `to_records()`: one flat row per
    period (`t`, `survival`, `lower`, `upper`), so `pandas.DataFrame(table.to_records())` has
    one column per figure.

    Examples:
        >>> table = ProjectionTable([Projection(0, 1.0, 1.0, 1.0), Projection(1, 0.8, 0.7, 0.9)])
        >>> len(table), table[1].survival, table == (table[0], table[1])
        (2, 0.8, True)
        >>> [(r["t"], r["survival"]) for r in table.to_records()]
        [(0, 1.0), (1, 0.8)]
    """

    __slots__ = ()

    def _rows(self) -> list[dict[str, object]]:
        return [
            {"t": p.t, "survival": p.survival, "lower": p.lower, "upper": p.upper} for p in self
        ]

    def _html_caption(self) -> str:
        return f"ProjectionTable: S(t) for t = 0 … {len(self) - 1}" if self else "ProjectionTable"


@attrs.frozen
class SBGModel(Records):
    """A fitted sBG model.

    Attributes:
        alpha: α > 0.
        beta: β > 0.
        log_likelihood: The maximised log-likelihood.
        unit: The length of one period.
        se_alpha: The standard error of α (None when the information matrix is singular).
        se_beta: The standard error of β (likewise).
        covariance: The covariance matrix of (α, β) as ((var α, cov), (cov, var β)), or None.
        members: The number of members the fit used.
        converged: Whether the search met its tolerances.
        iterations: Nelder–Mead iterations used (the best start's).

    Examples:
        A model built from its parameters (α = 1, β = 2, no standard errors), and the
        published fit of Fader & Hardie (2007) in the module's example:

        >>> from mteam.membership.units import TimeUnit
        >>> model = SBGModel(1.0, 2.0, 0.0, TimeUnit.YEAR, None, None, None, 0, True, 0)
        >>> round(model.survival(2), 12)  # B(1, 4) / B(1, 2) = (1/4) / (1/2)
        0.5
        >>> row = model.to_records()[0]
        >>> row["alpha"], row["unit"], row["var_alpha"]
        (1.0, 'year', None)
    """

    alpha: float = attrs.field(validator=real(gt=0))
    beta: float = attrs.field(validator=real(gt=0))
    log_likelihood: float = attrs.field(validator=real())
    unit: TimeUnit = attrs.field(validator=of_type(TimeUnit))
    se_alpha: float | None = attrs.field(validator=optional_real(ge=0))
    se_beta: float | None = attrs.field(validator=optional_real(ge=0))
    covariance: tuple[tuple[float, float], tuple[float, float]] | None = attrs.field(
        validator=optional_matrix(2)
    )
    members: int = attrs.field(validator=whole(ge=0))
    converged: bool = attrs.field(validator=of_type(bool))
    iterations: int = attrs.field(validator=whole(ge=0))

    def _rows(self) -> list[dict[str, object]]:
        (vaa, vab), (_, vbb) = self.covariance or ((None, None), (None, None))
        return [
            {
                **{f: getattr(self, f) for f in ("alpha", "beta", "log_likelihood", "unit")},
                **{f: getattr(self, f) for f in ("se_alpha", "se_beta")},
                "var_alpha": vaa,
                "cov_alpha_beta": vab,
                "var_beta": vbb,
                **{f: getattr(self, f) for f in ("members", "converged", "iterations")},
            }
        ]

    def survival(self, t: int) -> float:
        """S(t) = B(α, β + t) / B(α, β): the share still members after t periods.

        Args:
            t: The number of periods (≥ 0; S(0) = 1).

        Examples:
            With α = 1, β = 2, S(t) = B(1, 2 + t) / B(1, 2) = 2 / (2 + t):

            >>> from mteam.membership.units import TimeUnit
            >>> model = SBGModel(1.0, 2.0, 0.0, TimeUnit.YEAR, None, None, None, 0, True, 0)
            >>> [round(model.survival(t), 12) for t in (0, 1, 2, 6)]
            [1.0, 0.666666666667, 0.5, 0.25]
        """
        t = as_count("t", t, ge=0)
        return _survival(self.alpha, self.beta, t)

    def retention(self, t: int) -> float:
        """r(t) = (β + t − 1) / (α + β + t − 1): the share of those alive at t − 1 who renew.

        Args:
            t: The period (≥ 1).

        Examples:
            With α = 1, β = 2: r(1) = 2 / 3 and r(2) = 3 / 4 (retention rises with t):

            >>> from mteam.membership.units import TimeUnit
            >>> model = SBGModel(1.0, 2.0, 0.0, TimeUnit.YEAR, None, None, None, 0, True, 0)
            >>> model.retention(1), model.retention(2)
            (0.6666666666666666, 0.75)
        """
        t = as_count("t", t, ge=1)
        return (self.beta + t - 1) / (self.alpha + self.beta + t - 1)

    def churn_probability(self, t: int) -> float:
        """P(T = t): the share of the original members who leave in period t.

        P(T = 1) = α / (α + β), and P(T = t) = (β + t − 2) / (α + β + t − 1) × P(T = t − 1).

        Args:
            t: The period (≥ 1).

        Examples:
            With α = 1, β = 2: P(T = 1) = 1/3, P(T = 2) = 2/4 × 1/3 = 1/6:

            >>> from mteam.membership.units import TimeUnit
            >>> model = SBGModel(1.0, 2.0, 0.0, TimeUnit.YEAR, None, None, None, 0, True, 0)
            >>> round(model.churn_probability(1), 12), round(model.churn_probability(2), 12)
            (0.333333333333, 0.166666666667)
        """
        t = as_count("t", t, ge=1)
        return math.exp(_log_p(self.alpha, self.beta, t))

    def project(self, periods: int, level: float = 0.95) -> ProjectionTable:
        """S(t) for t = 0 … `periods`, each with a `level` confidence band (delta method).

        The band is S(t) ± z × se(S(t)), z the normal quantile of 0.5 + `level`/2 and se by
        the delta method from the covariance of (α, β), clipped to [0, 1]; a model without a
        covariance gives a band of zero width.

        Args:
            periods: The last period projected (≥ 0).
            level: The confidence level of the band, in (0, 1).

        Returns:
            A [`ProjectionTable`][mteam.membership.sbg.ProjectionTable]: a tuple of
            `Projection` values, with `to_records()` for a dataframe.

        Examples:
            >>> from mteam.membership.units import TimeUnit
            >>> model = SBGModel(1.0, 2.0, 0.0, TimeUnit.YEAR, None, None, None, 0, True, 0)
            >>> table = model.project(2)
            >>> len(table), round(table[2].survival, 12)
            (3, 0.5)
            >>> [(r["t"], round(r["survival"], 4)) for r in table.to_records()]
            [(0, 1.0), (1, 0.6667), (2, 0.5)]
        """
        periods = as_count("periods", periods, ge=0)
        level = as_number("level", level, gt=0, lt=1)
        z = NormalDist().inv_cdf(0.5 + level / 2)
        out = []
        for t in range(periods + 1):
            s = _survival(self.alpha, self.beta, t)
            se = self._delta_se(partial(_survival, t=t))
            half = 0.0 if se is None else z * se
            out.append(Projection(t, s, max(0.0, s - half), min(1.0, s + half)))
        return ProjectionTable(out)

    def _delta_se(self, f: Callable[[float, float], float]) -> float | None:
        if self.covariance is None:
            return None
        ha, hb = 1e-6 * max(1.0, self.alpha), 1e-6 * max(1.0, self.beta)
        ga = (f(self.alpha + ha, self.beta) - f(self.alpha - ha, self.beta)) / (2 * ha)
        gb = (f(self.alpha, self.beta + hb) - f(self.alpha, self.beta - hb)) / (2 * hb)
        (vaa, vab), (_, vbb) = self.covariance
        var = ga * ga * vaa + 2 * ga * gb * vab + gb * gb * vbb
        return math.sqrt(max(var, 0.0))

    def _discount(self, discount_rate: Rate) -> float:
        if not isinstance(discount_rate, Rate):
            raise InvalidInputError("discount_rate", f"must be a Rate, got {show(discount_rate)}")
        same_unit(("model", self.unit), ("discount_rate", discount_rate))
        if not discount_rate.value > 0:
            raise InvalidInputError(
                "discount_rate", f"must be > 0, got {show(discount_rate.value)}"
            )
        return 1.0 / (1.0 + discount_rate.value)

    def discounted_lifetime(self, discount_rate: Rate) -> float:
        """DEL(d) = ₂F₁(1, β; α + β; 1/(1 + d)), in periods (the first counted in full).

        Raises:
            InvalidInputError: the rate is not per the model's period, or not > 0.

        Examples:
            With α = 1, β = 2 and d = 10 % a year, DEL = Σ_t 2/(2 + t) × 1.1^−t:

            >>> from mteam.membership.units import Rate, TimeUnit
            >>> model = SBGModel(1.0, 2.0, 0.0, TimeUnit.YEAR, None, None, None, 0, True, 0)
            >>> round(model.discounted_lifetime(Rate(0.1, "year")), 4)
            3.6029
            >>> round(sum(2 / (2 + t) / 1.1**t for t in range(2000)), 4)
            3.6029
        """
        z = self._discount(discount_rate)
        return hyp2f1(1, self.beta, self.alpha + self.beta, z)

    def derl(self, discount_rate: Rate, renewals: int) -> float:
        """DERL(d | n − 1 renewals) with `renewals` = n − 1, in periods.

        (β + n − 1)/(α + β + n − 1) × ₂F₁(1, β + n; α + β + n; 1/(1 + d)): the expected
        number of further discounted payments from a member who has renewed `renewals` times.

        Raises:
            InvalidInputError: the rate is not per the model's period or not > 0, or renewals
                < 0.

        Examples:
            With α = 1, β = 2 and d = 10 % a year: a member who has renewed 3 times has more
            discounted payments ahead of them than a new one (the stayers renew more often):

            >>> from mteam.membership.units import Rate, TimeUnit
            >>> model = SBGModel(1.0, 2.0, 0.0, TimeUnit.YEAR, None, None, None, 0, True, 0)
            >>> d = Rate(0.1, "year")
            >>> round(model.derl(d, 0), 4), round(model.derl(d, 3), 4)
            (2.8632, 4.6965)
        """
        renewals = as_count("renewals", renewals, ge=0)
        z = self._discount(discount_rate)
        n = renewals + 1
        a, b = self.alpha, self.beta
        return (b + n - 1) / (a + b + n - 1) * hyp2f1(1, b + n, a + b + n, z)


def _log_p(a: float, b: float, t: int) -> float:
    return _log_beta(a + 1, b + t - 1) - _log_beta(a, b)


def _log_s(a: float, b: float, t: int) -> float:
    return _log_beta(a, b + t) - _log_beta(a, b)


def _survival(a: float, b: float, t: int) -> float:
    return math.exp(_log_s(a, b, t))


# --- likelihood and search -------------------------------------------------------------------

# A likelihood is a list of (weight, kind, t): kind 0 = left in period t, 1 = alive after t.
_Terms = list[tuple[int, int, int]]


def _log_likelihood(terms: _Terms, a: float, b: float) -> float:
    base = _log_beta(a, b)
    total = 0.0
    for weight, kind, t in terms:
        total += weight * (
            (_log_beta(a + 1, b + t - 1) if kind == 0 else _log_beta(a, b + t)) - base
        )
    return total


def _merge(terms: _Terms) -> _Terms:
    """The same likelihood with the weights of equal (kind, t) terms added up."""
    merged: dict[tuple[int, int], int] = {}
    for weight, kind, t in terms:
        merged[(kind, t)] = merged.get((kind, t), 0) + weight
    return [(w, kind, t) for (kind, t), w in sorted(merged.items()) if w]


def _nelder_mead(
    f: Callable[[float, float], float], start: tuple[float, float]
) -> tuple[tuple[float, float], float, int, bool]:
    """Minimise f over the plane; (point, value, iterations, converged)."""
    point, value, iterations, converged = nelder_mead(
        lambda p: f(p[0], p[1]), start, max_iterations=_MAX_ITERATIONS
    )
    return (point[0], point[1]), value, iterations, converged


def _hessian(f: Callable[[float, float], float], a: float, b: float) -> tuple[float, float, float]:
    (faa, fab), (_, fbb) = hessian(lambda p: f(p[0], p[1]), (a, b))
    return faa, fab, fbb


def _fit(terms: _Terms, members: int, unit: TimeUnit, path: str) -> SBGModel:
    terms = _merge(terms)
    left = [t for w, kind, t in terms if kind == 0 and w > 0]
    stayed = [t for w, kind, t in terms if kind == 1 and w > 0 and t >= 1]
    if not left:
        raise InvalidInputError(path, "nobody left: the sBG model has no finite maximum")
    if not stayed and max(left) == 1:
        raise InvalidInputError(
            path, "everybody left in the first period: the sBG model has no finite maximum"
        )

    def objective(u: float, v: float) -> float:
        if abs(u) > _BOUND or abs(v) > _BOUND:
            return math.inf
        return -_log_likelihood(terms, math.exp(u), math.exp(v))

    best = None
    for start in ((0.0, 0.0), (-1.0, 1.0), (1.0, 2.0), (-2.0, -1.0)):
        point, value, iterations, converged = _nelder_mead(objective, start)
        if best is None or value < best[1]:
            best = (point, value, iterations, converged)
    assert best is not None  # noqa: S101 - four starts always run
    (u, v), value, iterations, converged = best
    if not math.isfinite(value) or max(abs(u), abs(v)) > _BOUND - 1:
        raise InvalidInputError(
            path,
            "the data have no finite sBG maximum (nobody left, or everybody left at once)",
        )
    a, b = math.exp(u), math.exp(v)
    ll = _log_likelihood(terms, a, b)
    faa, fab, fbb = _hessian(lambda x, y: _log_likelihood(terms, x, y), a, b)
    det = faa * fbb - fab * fab
    covariance = se_a = se_b = None
    if faa < 0 and det > 0:
        vaa, vbb, vab = -fbb / det, -faa / det, fab / det
        covariance = ((vaa, vab), (vab, vbb))
        se_a, se_b = math.sqrt(vaa), math.sqrt(vbb)
    return SBGModel(a, b, ll, unit, se_a, se_b, covariance, members, converged, iterations)


def _survivor_terms(counts: Iterable[int], path: str) -> tuple[_Terms, int]:
    values = as_items(path, counts)
    if len(values) < 2:
        raise InvalidInputError(
            path, f"needs counts at periods 0 and 1 at least, got {show(values)}"
        )
    for i, n in enumerate(values):
        n = values[i] = as_count(f"{path}[{i}]", n, ge=0)  # noqa: PLW2901 - the plain count
        if i and n > values[i - 1]:
            raise InvalidInputError(
                f"{path}[{i}]", f"survivors cannot rise: {values[i - 1]} then {n}"
            )
    terms = [
        (values[t - 1] - values[t], 0, t)
        for t in range(1, len(values))
        if values[t - 1] > values[t]
    ]
    if values[-1]:
        terms.append((values[-1], 1, len(values) - 1))
    return terms, values[0]


def fit_sbg(
    survivors: Sequence[int] | Sequence[Sequence[int]], unit: TimeUnit | str = TimeUnit.MONTH
) -> SBGModel:
    """Fit the sBG model to survivor counts by maximum likelihood.

    Args:
        survivors: Members alive at periods 0, 1, …, n of one cohort (non-increasing), or
            several such sequences, one per cohort, of any lengths (for example the rows of a
            cohort retention table): their likelihoods are pooled.
        unit: The length of one period (month unless given).

    Returns:
        The fitted model.

    Raises:
        InvalidInputError: fewer than two counts, counts that rise, or data with no finite
            maximum (nobody ever left, or everyone left in the first period).

    Examples:
        The "high end" segment of Fader & Hardie (2007), for which the paper reports
        α = 0.668 and β = 3.806; counts that rise are refused:

        >>> high = [1000, 869, 743, 653, 593, 551, 517, 491]
        >>> model = fit_sbg(high, unit="year")
        >>> round(model.alpha, 3), round(model.beta, 3), model.members, model.converged
        (0.668, 3.806, 1000, True)
        >>> fit_sbg([100, 120])
        Traceback (most recent call last):
        ...
        mteam.errors.InvalidInputError: ...
    """
    unit = to_unit(unit)
    items = as_items("survivors", survivors)
    if not items:
        raise InvalidInputError("survivors", "must not be empty")
    nested = any(isinstance(x, Iterable) and not isinstance(x, (str, bytes)) for x in items)
    groups: list[tuple[str, object]] = (
        [(f"survivors[{i}]", g) for i, g in enumerate(items)] if nested else [("survivors", items)]
    )
    terms: _Terms = []
    members = 0
    for path, group in groups:
        if isinstance(group, (str, bytes)) or not isinstance(group, Iterable):
            raise InvalidInputError(path, f"must be a list of counts, got {show(group)}")
        t, n = _survivor_terms(group, path)
        terms.extend(t)
        members += n
    return _fit(terms, members, unit, "survivors")


def fit_sbg_durations(
    durations: Iterable[int], observed: Iterable[bool], unit: TimeUnit | str = TimeUnit.MONTH
) -> SBGModel:
    """Fit the sBG model to individual members by maximum likelihood, with censoring.

    Args:
        durations: For a member who left (observed), the period in which they left (T ≥ 1);
            for a current member, the number of periods they have completed (≥ 0).
        observed: True for a member who left, False for a current (censored) member.
        unit: The length of one period (month unless given).

    Raises:
        InvalidInputError: different lengths, a bad duration, or data with no finite maximum.

    Examples:
        Five members: two left in year 1, one in year 2, two are still members after 3
        years (censored):

        >>> model = fit_sbg_durations([1, 1, 2, 3, 3], [True, True, True, False, False],
        ...                           unit="year")
        >>> round(model.alpha, 3), round(model.beta, 3), model.members
        (0.444, 0.628, 5)
    """
    unit = to_unit(unit)
    ds, os_ = as_items("durations", durations), as_items("observed", observed)
    if len(ds) != len(os_):
        raise InvalidInputError(
            "observed", f"must have one entry per duration ({len(ds)}), got {len(os_)}"
        )
    if not ds:
        raise InvalidInputError("durations", "must not be empty")
    counts: dict[tuple[int, int], int] = {}
    for i, (d, o) in enumerate(zip(ds, os_, strict=True)):
        o = as_flag(f"observed[{i}]", o)  # noqa: PLW2901 - the plain value from here on
        d = as_count(f"durations[{i}]", d, ge=1 if o else 0)  # noqa: PLW2901 - (same)
        key = (0, d) if o else (1, d)
        counts[key] = counts.get(key, 0) + 1
    terms = [(n, kind, t) for (kind, t), n in sorted(counts.items()) if not (kind == 1 and t == 0)]
    return _fit(terms, len(ds), unit, "durations")
