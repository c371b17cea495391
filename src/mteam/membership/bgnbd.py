"""The BG/NBD model of repeat purchases without contracts (Fader, Hardie & Lee 2005).

While alive, a member buys as a Poisson process with rate λ; after each purchase they drop out
with probability p. Across members λ ~ gamma(r, α) and p ~ beta(a, b). For a member with x
repeat purchases, the last at t_x, observed for T (Fader, Hardie & Lee, "'Counting Your
Customers' the Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2),
2005, equations 6, 9, 10 and 13):

* ℓ(r, α, a, b | x, t_x, T) = ln[Γ(r + x) α^r / Γ(r)] + ln[B(a, b + x) / B(a, b)]
  + ln[(α + T)^−(r+x) + δ_{x>0} a/(b + x − 1) (α + t_x)^−(r+x)];
* P(alive | x, t_x, T) = 1 / (1 + δ_{x>0} a/(b + x − 1) ((α + T)/(α + t_x))^(r+x));
* E[Y(t) | x, t_x, T] = (a + b + x − 1)/(a − 1)
  × [1 − ((α + T)/(α + T + t))^(r+x) ₂F₁(r + x, b + x; a + b + x − 1; t/(α + T + t))]
  × P(alive)/(…) — precisely, the bracketed term divided by the denominator of P(alive);
* E[X(t)] = (a + b − 1)/(a − 1) [1 − (α/(α + t))^r ₂F₁(r, b; a + b − 1; t/(α + t))];
* P(X(t) = x) = B(a, b + x)/B(a, b) × NB(x; r, α/(α + t))
  + δ_{x>0} B(a + 1, b + x − 1)/B(a, b) × P(NB(r, α/(α + t)) ≥ x).

Times are in the summary's unit. Everything is computed in log space: the likelihood by
log-gamma and a log-sum of its two terms, ₂F₁ by a series summed relative to its largest
term, so nothing overflows or becomes NaN at any frequency. The fit maximises the likelihood
over the counts of distinct (x, t_x, T) profiles by BFGS with the analytic gradient (digamma),
falling back to Nelder–Mead; the standard errors come from the observed information.

Examples:
    The CDNOW parameters of Fader, Hardie & Lee (2005): r 0.243, α 4.414, a 0.793, b 2.426.
    Their customer with x = 2, t_x = 30.43 and T = 38.86 weeks is expected to make 1.226
    purchases in the next 39 weeks (the paper's worked example), and is alive with
    probability 0.727:

    >>> from mteam.membership.bgnbd import BGNBDModel
    >>> model = BGNBDModel(0.243, 4.414, 0.793, 2.426, unit="week")
    >>> round(model.expected_purchases(39, 2, 30.43, 38.86), 3)
    1.226
    >>> round(model.p_alive(2, 30.43, 38.86), 3)
    0.727
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
from mteam.membership._special import bgnbd_bracket, digamma
from mteam.membership.repeat import (
    Profile,
    RepeatSummary,
    _customer,
    _each,
    _horizon,
    _summary,
)
from mteam.membership.units import TimeUnit, to_unit

__all__ = ["BGNBDModel", "fit_bgnbd"]

_lg = math.lgamma


def _log_beta(a: float, b: float) -> float:
    return _lg(a) + _lg(b) - _lg(a + b)


def _log_odds(  # noqa: PLR0917 - the model's own symbols
    r: float, alpha: float, a: float, b: float, x: int, t_x: float, big_t: float
) -> float:
    """Ln of the likelihood's dropout term over its alive term (−inf when x = 0).

    d = ln(a/(b + x − 1)) + (r + x) ln((α + T)/(α + t_x)), so that P(alive) = 1/(1 + e^d) and
    the likelihood's last factor is (α + T)^−(r+x) (1 + e^d).
    """
    if x == 0:
        return -math.inf
    return math.log(a / (b + x - 1)) + (r + x) * math.log((alpha + big_t) / (alpha + t_x))


def _p_alive(d: float) -> float:
    """1/(1 + e^d) without overflow."""
    return 1 / (1 + math.exp(d)) if d < 0 else math.exp(-d) / (1 + math.exp(-d))


@attrs.frozen
class _Table:
    """A summary's profiles arranged for the likelihood, built once per fit.

    The likelihood's cost is in its loop over the repeat buyers' profiles, so what depends on
    x alone (log-gamma, digamma) or on T or t_x alone (their logs) is computed once per
    distinct value, not per profile.

    Attributes:
        members: N, all members.
        by_x: Per distinct x: (x, members with it, and for x > 0 their profiles as
            (members, index of T, index of t_x)).
        big_ts: The distinct T, with the members and the Σ x of each: (T, W_T, X_T).
        t_xs: The distinct t_x > 0.
    """

    members: int
    by_x: tuple[tuple[int, int, tuple[tuple[int, int, int], ...]], ...]
    big_ts: tuple[tuple[float, int, int], ...]
    t_xs: tuple[float, ...]

    @classmethod
    def of(cls, profiles: Sequence[Profile]) -> _Table:
        ts = sorted({p.T for p in profiles})
        txs = sorted({p.t_x for p in profiles if p.x > 0})
        t_index = {v: i for i, v in enumerate(ts)}
        tx_index = {v: i for i, v in enumerate(txs)}
        weight_t, sum_x = [0] * len(ts), [0] * len(ts)
        groups: dict[int, tuple[list[int], list[tuple[int, int, int]]]] = {}
        for p in profiles:
            i = t_index[p.T]
            weight_t[i] += p.members
            sum_x[i] += p.members * p.x
            count, rows = groups.setdefault(p.x, ([0], []))
            count[0] += p.members
            if p.x > 0:
                rows.append((p.members, i, tx_index[p.t_x]))
        return cls(
            sum(weight_t),
            tuple((x, c[0], tuple(rows)) for x, (c, rows) in sorted(groups.items())),
            tuple(zip(ts, weight_t, sum_x, strict=True)),
            tuple(txs),
        )


def _evaluate(theta: Sequence[float], table: _Table) -> tuple[float, tuple[float, ...]]:
    """ℓ(r, α, a, b) summed over the members, and its gradient, in one pass.

    Per member, ℓ = r ln α − ln Γ(r) + ln Γ(a + b) − ln Γ(b) + ln Γ(r + x) + ln Γ(b + x)
    − ln Γ(a + b + x) − (r + x) ln(α + T) + ln(1 + e^d), with d from `_log_odds`. With
    π = e^d/(1 + e^d) (the dropout term's share), the derivatives of the last two terms are
    −ln(α + T) + π Δ in r (Δ = ln(α + T) − ln(α + t_x)), −(r + x)/(α + T)
    + π (r + x)(1/(α + T) − 1/(α + t_x)) in α, π/a in a and −π/(b + x − 1) in b; the rest is
    digamma.
    """
    r, alpha, a, b = theta
    n = table.members
    log_t = [math.log(alpha + t) for t, _, _ in table.big_ts]
    inv_t = [1 / (alpha + t) for t, _, _ in table.big_ts]
    log_tx = [math.log(alpha + t) for t in table.t_xs]
    inv_tx = [1 / (alpha + t) for t in table.t_xs]
    psi_ab = digamma(a + b)
    value = n * (r * math.log(alpha) - _lg(r) + _lg(a + b) - _lg(b))
    gr = n * (math.log(alpha) - digamma(r))
    galpha = n * r / alpha
    ga = n * psi_ab
    gb = n * (psi_ab - digamma(b))
    for (_, w_t, x_t), lt, it in zip(table.big_ts, log_t, inv_t, strict=True):
        value -= (r * w_t + x_t) * lt
        gr -= w_t * lt
        galpha -= (r * w_t + x_t) * it
    for x, w_x, rows in table.by_x:
        value += w_x * (_lg(r + x) + _lg(b + x) - _lg(a + b + x))
        psi_abx = digamma(a + b + x)
        gr += w_x * digamma(r + x)
        ga -= w_x * psi_abx
        gb += w_x * (digamma(b + x) - psi_abx)
        if not rows:
            continue
        rx = r + x
        c = math.log(a / (b + x - 1))
        soft = share = share_log = share_inv = 0.0
        for w, i, j in rows:
            delta = log_t[i] - log_tx[j]
            d = c + rx * delta
            if d > 0:  # ln(1 + e^d) and π without overflow
                e = math.exp(-d)
                soft += w * (d + math.log1p(e))
                pi = w / (1 + e)
            else:
                e = math.exp(d)
                soft += w * math.log1p(e)
                pi = w * e / (1 + e)
            share += pi
            share_log += pi * delta
            share_inv += pi * (inv_t[i] - inv_tx[j])
        value += soft
        gr += share_log
        galpha += rx * share_inv
        ga += share / a
        gb -= share / (b + x - 1)
    return value, (gr, galpha, ga, gb)


@attrs.frozen
class BGNBDModel(Records):
    """A BG/NBD model (fitted, or built from known parameters).

    Attributes:
        r: The shape of the purchase-rate distribution (> 0).
        alpha: Its scale, in the unit (> 0).
        a: The dropout distribution's first shape (> 0).
        b: Its second shape (> 0).
        unit: The unit of time of t, t_x and T.
        log_likelihood: The maximised log-likelihood (None when built by hand).
        standard_errors: Those of (r, α, a, b) from the observed information (None each when
            it is singular or the model was built by hand).
        covariance: The covariance of (r, α, a, b), or None.
        members: The members the fit used.
        diagnostics: How the search went (None when built by hand).

    `to_records()` gives one row per parameter: `parameter`, `estimate` and `standard_error`
    (None for a model built by hand).

    Examples:
        The CDNOW estimates of Fader, Hardie & Lee (2005): r 0.243, α 4.414, a 0.793, b 2.426.

        >>> model = BGNBDModel(0.243, 4.414, 0.793, 2.426)
        >>> [(r["parameter"], r["estimate"], r["standard_error"]) for r in model.to_records()][0]
        ('r', 0.243, None)
    """

    r: float = attrs.field(validator=real(gt=0))
    alpha: float = attrs.field(validator=real(gt=0))
    a: float = attrs.field(validator=real(gt=0))
    b: float = attrs.field(validator=real(gt=0))
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

    names = ("r", "alpha", "a", "b")

    @property
    def parameters(self) -> tuple[float, float, float, float]:
        """(r, α, a, b)."""
        return self.r, self.alpha, self.a, self.b

    def with_parameters(self, theta: Sequence[float]) -> BGNBDModel:
        """The same model at other parameters (r, α, a, b), without fit results.

        Examples:
            >>> fitted = BGNBDModel(0.243, 4.414, 0.793, 2.426)
            >>> model = fitted.with_parameters((0.5, 4.414, 0.793, 2.426))
            >>> model.r, model.log_likelihood
            (0.5, None)
        """
        r, alpha, a, b = theta
        return BGNBDModel(r, alpha, a, b, self.unit)

    def p_alive(self, x: int, t_x: float, T: float) -> float:  # noqa: N803 - the literature's name
        """P(alive | x, t_x, T), the probability that the member has not dropped out.

        Examples:
            >>> BGNBDModel(0.243, 4.414, 0.793, 2.426).p_alive(0, 0, 38.86)
            1.0
        """
        x, t_x, T = _customer(x, t_x, T)  # noqa: N806
        return _p_alive(_log_odds(*self.parameters, x, t_x, T))

    def expected_purchases(self, t: float, x: int, t_x: float, T: float) -> float:  # noqa: N803
        """E[Y(t) | x, t_x, T]: expected purchases in the next t periods of this member.

        Examples:
            >>> m = BGNBDModel(0.243, 4.414, 0.793, 2.426)
            >>> round(m.expected_purchases(39, 0, 0, 38.86), 4)  # a one-time buyer
            0.1951
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
            >>> m = BGNBDModel(0.243, 4.414, 0.793, 2.426)
            >>> [round(p, 3) for p in m.p_alive_each([(2, 30.43, 38.86), (0, 0, 38.86)])]
            [0.727, 1.0]
        """
        theta = self.parameters
        return _each(customers, lambda x, t_x, big_t: _p_alive(_log_odds(*theta, x, t_x, big_t)))

    def expected_purchases_each(
        self, t: float, customers: Iterable[tuple[int, float, float]]
    ) -> list[float]:
        """E[Y(t) | x, t_x, T] of each (x, t_x, T) in `customers`, in their order.

        The fast path for many members: computed once per distinct profile, and its
        hypergeometric factor (E[Y(t)] of a member alive at T, which does not depend on t_x)
        once per distinct (x, T).

        Raises:
            InvalidInputError: a bad t, or a customer that is not an (x, t_x, T) of a member,
                named by its position.

        Examples:
            >>> m = BGNBDModel(0.243, 4.414, 0.793, 2.426)
            >>> [round(e, 3) for e in m.expected_purchases_each(39, [(2, 30.43, 38.86)] * 2)]
            [1.226, 1.226]
            >>> m.expected_purchases_each(39, [(2, 30.43, 38.86), (1, 0, 38.86)])
            Traceback (most recent call last):
            ...
            mteam.errors.InvalidInputError: customers[1].t_x: must be > 0 when x > 0 (x = 1), \
got 0.0
        """
        t = _horizon(t)
        theta = self.parameters
        if_alive: dict[tuple[int, float], float] = {}

        def one(x: int, t_x: float, big_t: float) -> float:
            e = if_alive.get((x, big_t))
            if e is None:
                e = if_alive[x, big_t] = _if_alive(theta, t, x, big_t)
            return _combine(e, _p_alive(_log_odds(*theta, x, t_x, big_t)))

        return _each(customers, one)

    def expected_purchases_unconditional(self, t: float) -> float:
        """E[X(t)]: expected purchases of a new member in their first t periods.

        Examples:
            >>> m = BGNBDModel(0.243, 4.414, 0.793, 2.426)
            >>> round(m.expected_purchases_unconditional(39), 3)
            1.197
        """
        t = _horizon(t)
        return _conditional(self.parameters, t, 0, 0.0, 0.0)

    def probability_of_purchases(self, k: int, t: float) -> float:
        """P(X(t) = k): the probability that a new member makes k purchases in t periods.

        Examples:
            >>> m = BGNBDModel(0.243, 4.414, 0.793, 2.426)
            >>> round(sum(m.probability_of_purchases(k, 39) for k in range(200)), 9)
            1.0
        """
        check_int("k", k, ge=0)
        t = _horizon(t)
        r, alpha, a, b = self.parameters
        if t == 0:
            return 1.0 if k == 0 else 0.0
        log_p = math.log(alpha / (alpha + t))
        log_q = math.log(t / (alpha + t))

        def nb(j: int) -> float:
            return math.exp(_lg(r + j) - _lg(r) - _lg(j + 1) + r * log_p + j * log_q)

        first = math.exp(_log_beta(a, b + k) - _log_beta(a, b)) * nb(k)
        if k == 0:
            return first
        head = sum(nb(j) for j in range(k))
        if head <= 0.5:
            tail = 1.0 - head
        else:  # sum the tail itself: 1 − head would lose its digits
            tail, j = 0.0, k
            while True:
                term = nb(j)
                tail += term
                j += 1
                if term < 1e-17 * tail or term == 0:
                    break
        return first + math.exp(_log_beta(a + 1, b + k - 1) - _log_beta(a, b)) * tail

    def _rows(self) -> list[dict[str, object]]:
        """One row per parameter: name, estimate, standard error."""
        return [
            {"parameter": n, "estimate": v, "standard_error": se}
            for n, v, se in zip(self.names, self.parameters, self.standard_errors, strict=True)
        ]


def _if_alive(theta: Sequence[float], t: float, x: int, big_t: float) -> float:
    """E[Y(t) | alive at T, x, T]: the bracket of eq. 10, which does not depend on t_x."""
    r, alpha, a, b = theta
    if t == 0:
        return 0.0
    return bgnbd_bracket(r + x, a, b + x, t / (alpha + big_t + t))


def _combine(if_alive: float, p_alive: float) -> float:
    """E[Y(t) | x, t_x, T] = E[Y(t) | alive] × P(alive), never below 0 by rounding."""
    return max(if_alive * p_alive, 0.0)


def _conditional(theta: Sequence[float], t: float, x: int, t_x: float, big_t: float) -> float:
    r, alpha, a, b = theta
    return _combine(
        _if_alive(theta, t, x, big_t), _p_alive(_log_odds(r, alpha, a, b, x, t_x, big_t))
    )


def fit_bgnbd(summary: RepeatSummary) -> BGNBDModel:
    """Fit the BG/NBD model to a repeat-purchase summary by maximum likelihood.

    Args:
        summary: The counts of distinct (x, t_x, T) profiles.

    Returns:
        The fitted model, in the summary's unit, with standard errors and diagnostics (a
        search that did not converge says so in `diagnostics.converged`).

    Raises:
        InvalidInputError: not a summary, or nobody made a repeat purchase (the likelihood
            then has no finite maximum).

    Examples:
        >>> from mteam.membership.repeat import Profile, RepeatSummary
        >>> s = RepeatSummary("week", [
        ...     Profile(0, 0, 30, 50), Profile(0, 0, 20, 30), Profile(1, 10, 30, 25),
        ...     Profile(1, 3, 20, 10), Profile(3, 25, 30, 15), Profile(2, 8, 30, 10),
        ...     Profile(5, 18, 20, 5)])
        >>> m = fit_bgnbd(s)
        >>> m.diagnostics.converged, m.members, round(m.r, 3), round(m.alpha, 2)
        (True, 145, 0.534, 11.99)
    """
    s = _summary(summary)
    profiles = s.profiles
    if all(p.x == 0 for p in profiles):
        raise InvalidInputError(
            "summary", "nobody made a repeat purchase: the BG/NBD model has no finite maximum"
        )
    table = _Table.of(profiles)
    fit = maximise_positive(
        lambda th: _evaluate(th, table)[0],
        [(1.0, 1.0, 1.0, 1.0), (0.5, float(max(1.0, profiles[-1].T / 4)), 0.8, 2.5)],
        value_and_gradient=lambda th: _evaluate(th, table),
    )
    r, alpha, a, b = fit.parameters
    return BGNBDModel(
        r,
        alpha,
        a,
        b,
        s.unit,
        fit.log_likelihood,
        fit.standard_errors,
        fit.covariance,
        s.members,
        fit.diagnostics,
    )
