"""The Pareto/NBD model of repeat purchases (Schmittlein, Morrison & Colombo 1987).

While alive a member buys as a Poisson process with rate λ, and their lifetime is exponential
with rate μ; across members λ ~ gamma(r, α) and μ ~ gamma(s, β) independently. For a member
with x repeat purchases, the last at t_x, observed for T (Fader & Hardie, "A Note on Deriving
the Pareto/NBD Model and Related Expressions", 2005; Fader, Hardie & Lee, "RFM and CLV: Using
Iso-Value Curves for Customer Base Analysis", Journal of Marketing Research 42(4), 2005):

* L = Γ(r + x) α^r β^s / Γ(r) × [(α + T)^−(r+x) (β + T)^−s + s/(r + s + x) × A₀], where, with
  a₁ = r + s + x, for α ≥ β
  A₀ = ₂F₁(a₁, s + 1; a₁ + 1; (α − β)/(α + t_x)) / (α + t_x)^a₁
     − ₂F₁(a₁, s + 1; a₁ + 1; (α − β)/(α + T)) / (α + T)^a₁,
  and for α < β the same with α and β swapped and s + 1 replaced by r + x;
* P(alive | x, t_x, T) = (α + T)^−(r+x) (β + T)^−s / (L / (Γ(r + x) α^r β^s / Γ(r)));
* E[Y(t) | x, t_x, T] = (r + x)(β + T) / ((α + T)(s − 1)) × [1 − ((β + T)/(β + T + t))^(s−1)]
  × P(alive) (the limit ln((β + T + t)/(β + T)) replaces the bracket over s − 1 at s = 1);
* E[X(t)] = r β / (α (s − 1)) × [1 − (β/(β + t))^(s−1)].

The hypergeometric functions are evaluated in log space after Euler's transformation
₂F₁(a, b; a + 1; z) = (1 − z)^(1−b) ₂F₁(1, a + 1 − b; a + 1; z), whose series has positive
terms falling at least as fast as z^k: no overflow at any frequency, and the difference A₀ is
taken as ln(e^u₁ − e^u₂) = u₁ + ln(1 − e^(u₂−u₁)). The fit maximises the likelihood over the
distinct (x, t_x, T) profiles by Nelder–Mead (the likelihood has no closed-form gradient);
the standard errors come from the observed information.

Examples:
    The CDNOW parameters of Fader, Hardie & Lee (2005): r 0.553, α 10.578, s 0.606, β 11.669.

    >>> from mteam.membership.pareto_nbd import ParetoNBDModel
    >>> model = ParetoNBDModel(0.553, 10.578, 0.606, 11.669, unit="week")
    >>> round(model.p_alive(2, 30.43, 38.86), 3)
    0.869
    >>> round(model.expected_purchases(39, 2, 30.43, 38.86), 3)
    1.455
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import attrs

from mteam._optimize import Diagnostics, maximise_positive
from mteam._records import Records
from mteam._validate import (
    check_int,
    of_type,
    optional_matrix,
    optional_real,
    optional_reals,
    real,
    to_items,
    whole,
)
from mteam.errors import InvalidInputError
from mteam.membership._special import log_hyp2f1, logaddexp
from mteam.membership.repeat import (
    Profile,
    RepeatSummary,
    _customer,
    _each,
    _horizon,
    _summary,
)
from mteam.membership.units import TimeUnit, to_unit

__all__ = ["ParetoNBDModel", "fit_pareto_nbd"]

_lg = math.lgamma
_MAX_TERMS = 5_000
_MOST = math.log1p(-1e-3)  # the head's largest share of B₁ that is subtracted


def _log_f(a1: float, b: float, z: float) -> float:
    """Ln ₂F₁(a₁, b; a₁ + 1; z) by Euler's transformation (0 < b < a₁ + 1, 0 ≤ z < 1).

    ₂F₁(1, b'; c; z) with b' = a₁ + 1 − b < c = a₁ + 1: its terms start at 1 and fall by
    (b' + k)/(c + k) × z < z, so they are summed as they are, until the rest (at most
    term × z/(1 − z)) is below 1e-17 of the sum, or for at most 5,000 terms (only when z is
    within about 1e-2 of 1, as when s and β run off together),
    after which the rest is estimated as a geometric series.
    """
    c = a1 + 1
    bp = c - b
    total = term = 1.0
    k = 0
    limit = 1e-17 * (1 - z) / z if z > 0 else math.inf
    while term > limit * total:
        if k == _MAX_TERMS:  # z within ~1e-4 of 1: add the geometric estimate of the rest
            q = (bp + k) / (c + k) * z
            total += term * q / (1 - q)
            break
        term *= (bp + k) / (c + k) * z
        total += term
        k += 1
    return (1 - b) * math.log1p(-z) + math.log(total)


def _log_a0(  # noqa: PLR0917 - the model's own symbols
    r: float, alpha: float, s: float, beta: float, x: int, t_x: float, big_t: float
) -> float:
    if t_x >= big_t:
        return -math.inf
    a1 = r + s + x
    if alpha >= beta:
        big, b = alpha, s + 1
    else:
        big, b = beta, r + x
    d = abs(alpha - beta)
    u1 = _log_f(a1, b, d / (big + t_x)) - a1 * math.log(big + t_x)
    u2 = _log_f(a1, b, d / (big + big_t)) - a1 * math.log(big + big_t)
    if u2 >= u1:  # t_x within rounding of T
        return -math.inf
    return u1 + math.log1p(-math.exp(u2 - u1))


def _parts(theta: Sequence[float], x: int, t_x: float, big_t: float) -> tuple[float, float]:
    """Ln of the likelihood's alive term and of its whole bracket."""
    r, alpha, s, beta = theta
    alive = -(r + x) * math.log(alpha + big_t) - s * math.log(beta + big_t)
    dead = math.log(s / (r + s + x)) + _log_a0(r, alpha, s, beta, x, t_x, big_t)
    return alive, logaddexp(alive, dead)


def _log_likelihood(theta: Sequence[float], profiles: Sequence[Profile]) -> float:
    r, alpha, s, beta = theta
    base = -_lg(r) + r * math.log(alpha) + s * math.log(beta)
    total = 0.0
    for p in profiles:
        _, bracket = _parts(theta, p.x, p.t_x, p.T)
        total += p.members * (base + _lg(r + p.x) + bracket)
    return total


def _one_minus_power(e: float, log_q: float) -> float:
    """(1 − q^e)/e for ln q = log_q ≤ 0, and its limit −ln q at e = 0."""
    if abs(e) < 1e-12:
        return -log_q
    return -math.expm1(e * log_q) / e


@attrs.frozen
class ParetoNBDModel(Records):
    """A Pareto/NBD model (fitted, or built from known parameters).

    Attributes:
        r: The shape of the purchase-rate distribution (> 0).
        alpha: Its scale, in the unit (> 0).
        s: The shape of the dropout-rate distribution (> 0).
        beta: Its scale, in the unit (> 0).
        unit: The unit of time of t, t_x and T.
        log_likelihood: The maximised log-likelihood (None when built by hand).
        standard_errors: Those of (r, α, s, β) from the observed information.
        covariance: The covariance of (r, α, s, β), or None.
        members: The members the fit used.
        diagnostics: How the search went (None when built by hand).

    `to_records()` gives one row per parameter: `parameter`, `estimate` and `standard_error`
    (None for a model built by hand).

    Examples:
        The CDNOW estimates of Fader, Hardie & Lee (2005): r 0.553, α 10.578, s 0.606, β 11.669.

        >>> model = ParetoNBDModel(0.553, 10.578, 0.606, 11.669)
        >>> [(r["parameter"], r["estimate"], r["standard_error"]) for r in model.to_records()][0]
        ('r', 0.553, None)
    """

    r: float = attrs.field(validator=real(gt=0))
    alpha: float = attrs.field(validator=real(gt=0))
    s: float = attrs.field(validator=real(gt=0))
    beta: float = attrs.field(validator=real(gt=0))
    unit: TimeUnit = attrs.field(default=TimeUnit.WEEK, converter=to_unit)
    log_likelihood: float | None = attrs.field(default=None, validator=optional_real())
    standard_errors: tuple[float | None, ...] = attrs.field(
        default=(None, None, None, None), converter=to_items, validator=optional_reals(4, ge=0)
    )
    covariance: tuple[tuple[float, ...], ...] | None = attrs.field(
        default=None, validator=optional_matrix(4)
    )
    members: int = attrs.field(default=0, validator=whole(ge=0))
    diagnostics: Diagnostics | None = attrs.field(
        default=None, validator=of_type(Diagnostics, type(None))
    )

    names = ("r", "alpha", "s", "beta")

    @property
    def parameters(self) -> tuple[float, float, float, float]:
        """(r, α, s, β)."""
        return self.r, self.alpha, self.s, self.beta

    def with_parameters(self, theta: Sequence[float]) -> ParetoNBDModel:
        """The same model at other parameters (r, α, s, β), without fit results.

        Examples:
            >>> fitted = ParetoNBDModel(0.553, 10.578, 0.606, 11.669)
            >>> model = fitted.with_parameters((0.5, 10.578, 0.606, 11.669))
            >>> model.r, model.log_likelihood
            (0.5, None)
        """
        r, alpha, s, beta = theta
        return ParetoNBDModel(r, alpha, s, beta, self.unit)

    def p_alive(self, x: int, t_x: float, T: float) -> float:  # noqa: N803 - the literature's name
        """P(alive | x, t_x, T).

        Examples:
            >>> m = ParetoNBDModel(0.553, 10.578, 0.606, 11.669)
            >>> round(m.p_alive(300, 38.0, 38.86), 6)  # x = 300: no overflow
            0.721317
        """
        x, t_x, T = _customer(x, t_x, T)  # noqa: N806
        return _p_alive(self.parameters, x, t_x, T)

    def expected_purchases(self, t: float, x: int, t_x: float, T: float) -> float:  # noqa: N803
        """E[Y(t) | x, t_x, T]: expected purchases in the next t periods of this member.

        Examples:
            >>> m = ParetoNBDModel(0.553, 10.578, 0.606, 11.669)
            >>> round(m.expected_purchases(39, 0, 0, 38.86), 4)
            0.1071
        """
        t = _horizon(t)
        x, t_x, T = _customer(x, t_x, T)  # noqa: N806
        return _conditional(self.parameters, t, x, t_x, T)

    def p_alive_each(self, customers: Iterable[tuple[int, float, float]]) -> list[float]:
        """P(alive | x, t_x, T) of each (x, t_x, T) in `customers`, in their order.

        Members with the same profile share one computation.

        Raises:
            InvalidInputError: a customer that is not an (x, t_x, T) of a member, named by
                its position (`customers[i]`, `customers[i].t_x`, …).

        Examples:
            >>> m = ParetoNBDModel(0.553, 10.578, 0.606, 11.669)
            >>> [round(p, 3) for p in m.p_alive_each([(2, 30.43, 38.86), (0, 0, 38.86)])]
            [0.869, 0.295]
        """
        theta = self.parameters
        return _each(customers, lambda x, t_x, big_t: _p_alive(theta, x, t_x, big_t))

    def expected_purchases_each(
        self, t: float, customers: Iterable[tuple[int, float, float]]
    ) -> list[float]:
        """E[Y(t) | x, t_x, T] of each (x, t_x, T) in `customers`, in their order.

        The fast path for many members: computed once per distinct profile, and the
        expectation of a member alive at T (which does not depend on t_x) once per distinct
        (x, T).

        Raises:
            InvalidInputError: a bad t, or a customer that is not an (x, t_x, T) of a member,
                named by its position.

        Examples:
            >>> m = ParetoNBDModel(0.553, 10.578, 0.606, 11.669)
            >>> [round(e, 3) for e in m.expected_purchases_each(39, [(2, 30.43, 38.86)] * 2)]
            [1.455, 1.455]
        """
        t = _horizon(t)
        theta = self.parameters
        if_alive: dict[tuple[int, float], float] = {}

        def one(x: int, t_x: float, big_t: float) -> float:
            e = if_alive.get((x, big_t))
            if e is None:
                e = if_alive[x, big_t] = _if_alive(theta, t, x, big_t)
            return e * _p_alive(theta, x, t_x, big_t)

        return _each(customers, one)

    def expected_purchases_unconditional(self, t: float) -> float:
        """E[X(t)]: expected purchases of a new member in their first t periods.

        Examples:
            >>> round(ParetoNBDModel(0.553, 10.578, 0.606, 11.669)
            ...       .expected_purchases_unconditional(39), 3)
            1.213
        """
        t = _horizon(t)
        r, alpha, s, beta = self.parameters
        return r * beta / alpha * _one_minus_power(s - 1, math.log(beta / (beta + t)))

    def probability_of_purchases(self, k: int, t: float) -> float:
        """P(X(t) = k): the probability that a new member makes k purchases in t periods.

        Fader & Hardie, "Deriving an Expression for P(X(t) = x) Under the Pareto/NBD Model"
        (2006): a member alive at t (probability e^−μt) buys Poisson(λt); one who drops out at
        τ < t buys Poisson(λτ). Over λ ~ gamma(r, α) and μ ~ gamma(s, β),

            P(X(t) = k) = Γ(r + k)/(Γ(r) k!) (α/(α + t))^r (t/(α + t))^k (β/(β + t))^s
                          + α^r β^s B(r + k, s + 1)/B(r, s) × Σ_{i > k} C_i,

        with C_i = Γ(r + s + i)/(Γ(r + s) i!) t^i ₂F₁(r + s + i, s + 1; r + s + k + 1;
        (α − β)/(α + t)) / (α + t)^(r+s+i) when α ≥ β (and α, β swapped, s + 1 replaced by
        r + k when α < β). The note writes the sum as B₁ − Σ_{i ≤ k} C_i with B₁ = Σ_{i ≥ 0} C_i
        in closed form; that difference loses digits as k grows (the head is then nearly all of
        B₁), so it is used only while the tail is at least 1e-3 of B₁ (at most three digits
        lost), and the tail, whose terms are all positive, is summed itself otherwise.
        Everything is in log space.

        Examples:
            At r = s = α = β = 1 and t = 1, P(X(1) = 0) = 5/8 and P(X(1) = 1) = 5/24 (by
            hand: the ₂F₁ are 1 at α = β):

            >>> m = ParetoNBDModel(1, 1, 1, 1)
            >>> round(m.probability_of_purchases(0, 1), 12), round(5 / 8, 12)
            (0.625, 0.625)
            >>> round(m.probability_of_purchases(1, 1), 12) == round(5 / 24, 12)
            True
            >>> cdnow = ParetoNBDModel(0.553, 10.578, 0.606, 11.669)
            >>> round(sum(cdnow.probability_of_purchases(k, 39) for k in range(80)), 6)
            1.0
        """
        check_int("k", k, ge=0)
        t = _horizon(t)
        if t == 0:
            return 1.0 if k == 0 else 0.0
        return math.exp(logaddexp(*_log_pmf_terms(self.parameters, k, t)))

    def _rows(self) -> list[dict[str, object]]:
        """One row per parameter: name, estimate, standard error."""
        return [
            {"parameter": n, "estimate": v, "standard_error": se}
            for n, v, se in zip(self.names, self.parameters, self.standard_errors, strict=True)
        ]


def _log_pmf_terms(theta: Sequence[float], k: int, t: float) -> tuple[float, float]:
    """Ln of P(X(t) = k)'s two terms: alive at t, and dropped out before t (t > 0)."""
    r, alpha, s, beta = theta
    alive = (
        _lg(r + k)
        - _lg(r)
        - _lg(k + 1)
        + r * math.log(alpha / (alpha + t))
        + k * math.log(t / (alpha + t))
        + s * math.log(beta / (beta + t))
    )
    big, second = (alpha, s + 1) if alpha >= beta else (beta, r + k)
    d = abs(alpha - beta)
    a1, c = r + s, r + s + k + 1
    log_t, log_big_t = math.log(t), math.log(big + t)
    z = d / (big + t)

    def log_c(i: int) -> float:
        return (
            _lg(a1 + i)
            - _lg(a1)
            - _lg(i + 1)
            + i * log_t
            + log_hyp2f1(a1 + i, second, c, z)
            - (a1 + i) * log_big_t
        )

    log_b1 = log_hyp2f1(a1, second, c, d / big) - a1 * math.log(big)
    head = -math.inf
    for i in range(k + 1):
        head = logaddexp(head, log_c(i))
    if head - log_b1 <= _MOST:  # the tail is at least 1e-3 of B₁: subtract the head
        tail = log_b1 + math.log(-math.expm1(head - log_b1))
    else:  # sum the tail's positive terms until the rest is below 1e-17 of the sum
        tail, previous = -math.inf, -math.inf
        for i in range(k + 1, k + 1 + _MAX_TERMS):
            term = log_c(i)
            tail = logaddexp(tail, term)
            if term < previous and term < tail - 40:
                break
            previous = term
        else:  # falling slowly: the rest as a geometric series with the last ratio
            q = math.exp(term - previous)
            if q < 1:
                tail = logaddexp(tail, term + math.log(q / (1 - q)))
    scale = r * math.log(alpha) + s * math.log(beta) + _log_beta(r + k, s + 1) - _log_beta(r, s)
    return alive, scale + tail


def _log_beta(a: float, b: float) -> float:
    return _lg(a) + _lg(b) - _lg(a + b)


def _p_alive(theta: Sequence[float], x: int, t_x: float, big_t: float) -> float:
    alive, bracket = _parts(theta, x, t_x, big_t)
    return math.exp(alive - bracket)


def _if_alive(theta: Sequence[float], t: float, x: int, big_t: float) -> float:
    """E[Y(t) | alive at T, x, T], which does not depend on t_x.

    (r + x)(β + T)/(α + T) × [1 − ((β + T)/(β + T + t))^(s−1)] / (s − 1).
    """
    r, alpha, s, beta = theta
    log_q = math.log((beta + big_t) / (beta + big_t + t))
    return (r + x) * (beta + big_t) / (alpha + big_t) * _one_minus_power(s - 1, log_q)


def _conditional(theta: Sequence[float], t: float, x: int, t_x: float, big_t: float) -> float:
    return _if_alive(theta, t, x, big_t) * _p_alive(theta, x, t_x, big_t)


def fit_pareto_nbd(summary: RepeatSummary) -> ParetoNBDModel:
    """Fit the Pareto/NBD model to a repeat-purchase summary by maximum likelihood.

    Args:
        summary: The counts of distinct (x, t_x, T) profiles.

    Returns:
        The fitted model, in the summary's unit, with standard errors and diagnostics.

    Raises:
        InvalidInputError: not a summary, or nobody made a repeat purchase.

    Examples:
        >>> from mteam.membership.repeat import Profile, RepeatSummary
        >>> s = RepeatSummary("week", [
        ...     Profile(0, 0, 30, 50), Profile(0, 0, 20, 30), Profile(1, 10, 30, 25),
        ...     Profile(1, 3, 20, 10), Profile(3, 25, 30, 15), Profile(2, 8, 30, 10),
        ...     Profile(5, 18, 20, 5)])
        >>> m = fit_pareto_nbd(s)
        >>> m.diagnostics.converged, m.members
        (True, 145)
    """
    s = _summary(summary)
    profiles = s.profiles
    if all(p.x == 0 for p in profiles):
        raise InvalidInputError(
            "summary", "nobody made a repeat purchase: the Pareto/NBD model has no finite maximum"
        )
    fit = maximise_positive(
        lambda th: _log_likelihood(th, profiles),
        [(1.0, 1.0, 1.0, 1.0)],
    )
    r, alpha, shape, beta = fit.parameters
    return ParetoNBDModel(
        r,
        alpha,
        shape,
        beta,
        s.unit,
        fit.log_likelihood,
        fit.standard_errors,
        fit.covariance,
        s.members,
        fit.diagnostics,
    )
