"""The Gamma-Gamma model of spend per purchase (Fader & Hardie 2013; Colombo & Jiang 1999).

A member's purchase amounts are gamma(p, ν) around their own mean p/ν, and ν varies across
members as gamma(q, γ). For a repeat buyer with x repeat purchases of mean amount m_x
(Fader & Hardie, "The Gamma-Gamma Model of Monetary Value", 2013, equations 1 and 5):

* ℓ(p, q, γ | x, m_x) = ln Γ(px + q) − ln Γ(px) − ln Γ(q) + q ln γ + (px − 1) ln m_x
  + px ln x − (px + q) ln(γ + m_x x);
* E[M | x, m_x] = (q − 1)/(px + q − 1) × γp/(q − 1) + px/(px + q − 1) × m_x
  = p(γ + m_x x)/(px + q − 1): a weighted mean of the population mean γp/(q − 1) (finite
  when q > 1) and the member's own mean.

The model assumes spend per purchase is independent of how often a member buys; the fit
reports the Pearson correlation of x and m_x among the repeat buyers so that this can be
checked (Fader & Hardie report 0.11 on CDNOW).

Examples:
    The CDNOW estimates of Fader & Hardie (2013): p 6.25, q 3.74, γ 15.44. A member with two
    repeat purchases averaging 22.35 dollars is expected to spend 24.66 a purchase; the
    population mean is 35.22:

    >>> from mteam.membership.gamma_gamma import GammaGammaModel
    >>> model = GammaGammaModel(6.25, 3.74, 15.44)
    >>> round(model.expected_spend(2, 22.35), 2), round(model.population_mean, 2)
    (24.66, 35.22)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

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
    show,
    to_items,
    whole,
)
from mteam.errors import InvalidInputError
from mteam.membership._special import digamma
from mteam.membership.repeat import RepeatSummary, _summary

__all__ = ["GammaGammaModel", "fit_gamma_gamma"]

_lg = math.lgamma
_Rows = Sequence[tuple[int, float, int]]


def _evaluate(theta: Sequence[float], rows: _Rows) -> tuple[float, tuple[float, float, float]]:
    """ℓ(p, q, γ) summed over the repeat buyers, and its gradient, in one pass.

    ∂ℓ/∂p = x [ψ(px + q) − ψ(px) + ln m_x + ln x − ln(γ + m_x x)],
    ∂ℓ/∂q = ψ(px + q) − ψ(q) + ln γ − ln(γ + m_x x), ∂ℓ/∂γ = q/γ − (px + q)/(γ + m_x x).
    """
    p, q, g = theta
    log_g = math.log(g)
    psi_q = digamma(q)
    value = gp = gq = gg = 0.0
    for x, m, w in rows:
        px = p * x
        lgm = math.log(g + m * x)
        log_mx = math.log(m * x)
        value += w * (
            _lg(px + q)
            - _lg(px)
            - _lg(q)
            + q * log_g
            + (px - 1) * math.log(m)
            + px * math.log(x)
            - (px + q) * lgm
        )
        psi = digamma(px + q)
        gp += w * x * (psi - digamma(px) + log_mx - lgm)
        gq += w * (psi - psi_q + log_g - lgm)
        gg += w * (q / g - (px + q) / (g + m * x))
    return value, (gp, gq, gg)


@attrs.frozen
class GammaGammaModel(Records):
    """A Gamma-Gamma spend model (fitted, or built from known parameters).

    Attributes:
        p: The shape of spend per purchase (> 0).
        q: The shape of the members' scale distribution (> 0).
        gamma: Its scale, in money (> 0).
        log_likelihood: The maximised log-likelihood (None when built by hand).
        standard_errors: Those of (p, q, γ) from the observed information.
        covariance: The covariance of (p, q, γ), or None.
        members: The repeat buyers the fit used.
        correlation: The Pearson correlation of x and mean spend among them (None when built
            by hand, or when x or the mean spend does not vary): near 0 supports the model's
            independence assumption.
        diagnostics: How the search went (None when built by hand).

    `to_records()` gives one row per parameter: `parameter`, `estimate` and `standard_error`
    (None for a model built by hand).

    Examples:
        The CDNOW estimates of Fader & Hardie (2013): p 6.25, q 3.74, γ 15.44.

        >>> model = GammaGammaModel(6.25, 3.74, 15.44)
        >>> [(r["parameter"], r["estimate"], r["standard_error"]) for r in model.to_records()][0]
        ('p', 6.25, None)
    """

    p: float = attrs.field(validator=real(gt=0))
    q: float = attrs.field(validator=real(gt=0))
    gamma: float = attrs.field(validator=real(gt=0))
    log_likelihood: float | None = attrs.field(default=None, validator=optional_real())
    standard_errors: tuple[float | None, ...] = attrs.field(
        default=(None, None, None), converter=to_items, validator=optional_reals(3, ge=0)
    )
    covariance: tuple[tuple[float, ...], ...] | None = attrs.field(
        default=None, validator=optional_matrix(3)
    )
    members: int = attrs.field(default=0, validator=whole(ge=0))
    correlation: float | None = attrs.field(default=None, validator=optional_real())
    diagnostics: Diagnostics | None = attrs.field(
        default=None, validator=of_type(Diagnostics, type(None))
    )

    names = ("p", "q", "gamma")

    @property
    def parameters(self) -> tuple[float, float, float]:
        """(p, q, γ)."""
        return self.p, self.q, self.gamma

    def with_parameters(self, theta: Sequence[float]) -> GammaGammaModel:
        """The same model at other parameters (p, q, γ), without fit results.

        Examples:
            >>> fitted = GammaGammaModel(6.25, 3.74, 15.44)
            >>> model = fitted.with_parameters((6.0, 3.74, 15.44))
            >>> model.p, model.log_likelihood
            (6.0, None)
        """
        p, q, g = theta
        return GammaGammaModel(p, q, g)

    @property
    def population_mean(self) -> float | None:
        """γp/(q − 1), the mean spend per purchase of a new member (None when q ≤ 1)."""
        return self.gamma * self.p / (self.q - 1) if self.q > 1 else None

    def expected_spend(self, x: int, mean_spend: float) -> float:
        """E[M | x, m_x] = p(γ + m_x x)/(px + q − 1), a member's expected spend per purchase.

        For x = 0 (no repeat purchase yet) this is the population mean.

        Raises:
            InvalidInputError: x < 0, a mean spend that is not > 0 when x > 0, or x = 0 when
                q ≤ 1 (the population mean is then infinite).

        Examples:
            >>> GammaGammaModel(6.25, 3.74, 15.44).expected_spend(0, 0) == (
            ...     GammaGammaModel(6.25, 3.74, 15.44).population_mean)
            True
        """
        check_int("x", x, ge=0)
        if x == 0:
            if self.q <= 1:
                raise InvalidInputError(
                    "x", f"must be > 0 when q <= 1 (no finite population mean), q = {self.q}"
                )
            return self.gamma * self.p / (self.q - 1)
        m = float(mean_spend)
        if not math.isfinite(m) or m <= 0:
            raise InvalidInputError("mean_spend", f"must be > 0, got {show(mean_spend)}")
        return self.p * (self.gamma + m * x) / (self.p * x + self.q - 1)

    def _rows(self) -> list[dict[str, object]]:
        """One row per parameter: name, estimate, standard error."""
        return [
            {"parameter": n, "estimate": v, "standard_error": se}
            for n, v, se in zip(self.names, self.parameters, self.standard_errors, strict=True)
        ]


def _correlation(rows: _Rows) -> float | None:
    n = sum(w for _, _, w in rows)
    mx = sum(w * x for x, _, w in rows) / n
    mm = sum(w * m for _, m, w in rows) / n
    sxx = sum(w * (x - mx) ** 2 for x, _, w in rows)
    smm = sum(w * (m - mm) ** 2 for _, m, w in rows)
    sxm = sum(w * (x - mx) * (m - mm) for x, m, w in rows)
    if sxx <= 0 or smm <= 0:
        return None
    return sxm / math.sqrt(sxx * smm)


def fit_gamma_gamma(summary: RepeatSummary) -> GammaGammaModel:
    """Fit the Gamma-Gamma model to the repeat buyers' spend by maximum likelihood.

    Args:
        summary: A summary whose `spend` table holds the repeat buyers (x ≥ 1, spend > 0).

    Returns:
        The fitted model with standard errors, the frequency–spend correlation and
        diagnostics.

    Raises:
        InvalidInputError: not a summary, or fewer than two repeat buyers.

    Examples:
        >>> from decimal import Decimal as D
        >>> from mteam.membership.repeat import Profile, RepeatSummary, SpendProfile
        >>> s = RepeatSummary("week", [Profile(1, 5, 10, 6)], [
        ...     SpendProfile(1, D("20"), 2), SpendProfile(2, D("70"), 2),
        ...     SpendProfile(1, D("45"), 1), SpendProfile(3, D("60"), 1)])
        >>> m = fit_gamma_gamma(s)
        >>> m.members, m.diagnostics.converged
        (6, True)
    """
    s = _summary(summary)
    rows = [(sp.x, sp.mean_spend, sp.members) for sp in s.spend]
    if sum(w for _, _, w in rows) < 2:
        raise InvalidInputError(
            "summary.spend", f"needs at least two repeat buyers, got {sum(w for *_, w in rows)}"
        )
    mean = sum(w * m for _, m, w in rows) / sum(w for _, _, w in rows)
    fit = maximise_positive(
        lambda th: _evaluate(th, rows)[0],
        [(1.0, 1.0, 1.0), (2.0, 3.0, mean)],
        value_and_gradient=lambda th: _evaluate(th, rows),
    )
    p, q, g = fit.parameters
    return GammaGammaModel(
        p,
        q,
        g,
        fit.log_likelihood,
        fit.standard_errors,
        fit.covariance,
        sum(w for _, _, w in rows),
        _correlation(rows),
        fit.diagnostics,
    )
