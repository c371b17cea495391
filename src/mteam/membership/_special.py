"""Special functions in log space for the repeat-purchase models (not public API).

Examples:
    >>> round(digamma(1.0), 12)  # −γ, the Euler–Mascheroni constant
    -0.577215664902
    >>> round(math.exp(log_hyp2f1(1, 1, 2, 0.5)), 12), round(-math.log(0.5) / 0.5, 12)
    (1.38629436112, 1.38629436112)
"""

from __future__ import annotations

import math

_MAX_TERMS = 10_000_000


def digamma(x: float) -> float:
    """ψ(x) for x > 0: the recurrence ψ(x) = ψ(x + 1) − 1/x up to 10, then the asymptotic series.

    Examples:
        >>> round(digamma(0.5), 12)  # −γ − 2 ln 2
        -1.963510026021
    """
    total = 0.0
    while x < 10:
        total -= 1 / x
        x += 1
    f = 1 / (x * x)
    series = f * (
        1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f * (1 / 132 - f * 691 / 32760))))
    )
    return total + math.log(x) - 0.5 / x - series


def logaddexp(u: float, v: float) -> float:
    """ln(e^u + e^v) without overflow (−inf allowed)."""
    if u < v:
        u, v = v, u
    if u == -math.inf:
        return u
    return u + math.log1p(math.exp(v - u))


def log_hyp2f1(a: float, b: float, c: float, z: float) -> float:
    """Ln ₂F₁(a, b; c; z) for a, b, c > 0 and 0 ≤ z < 1, by its series summed in log space.

    Every term is positive. The sum is kept relative to its largest term so far (no overflow
    however large a, b or the sum are), and stops when the next terms together are below
    1e-17 of the sum: each ratio of successive terms is (a + k)(b + k)/((c + k)(k + 1)) z, which
    tends to z, so once it is below 1 the rest is at most the last term × q/(1 − q) with
    q = max(ratio, z).

    Examples:
        >>> round(log_hyp2f1(300.5, 300.5, 301.5, 0.9), 6)  # e^689.6 overflows a float
        689.627234
    """
    if z == 0:
        return 0.0
    log_z = math.log(z)
    ref = 0.0  # the log of the scale of `total`
    total = 1.0
    log_term = 0.0
    k = 0
    while k < _MAX_TERMS:
        ratio = (a + k) * (b + k) / ((c + k) * (k + 1)) * z
        log_term += math.log((a + k) * (b + k) / ((c + k) * (k + 1))) + log_z
        k += 1
        if log_term > ref + 300:
            total *= math.exp(ref - log_term)
            ref = log_term
        total += math.exp(log_term - ref)
        q = max(ratio, z)
        if q < 1 and log_term + math.log(q / (1 - q)) < ref + math.log(total) - 39.2:
            break
    return ref + math.log(total)


def scaled_hyp2f1(a: float, b: float, c: float, z: float) -> float:
    """C × ₂F₁(a, b; c; z) for a, b > 0, c > −1 and 0 ≤ z < 1 (finite at c = 0).

    For c > 1/2 by the series; otherwise by Gauss's contiguous relation
    c(c − 1)(z − 1)F(c − 1) + c[c − 1 − (2c − a − b − 1)z]F(c) + (c − a)(c − b)z F(c + 1) = 0
    (Abramowitz & Stegun 15.2.18) at c + 1, so that only F at c + 1 and c + 2 (both > 0) is
    summed.

    Examples:
        The limit as c → 0 is a·b·z·₂F₁(a + 1, b + 1; 2; z) = 0.0980123501…:

        >>> round(scaled_hyp2f1(0.5, 0.3, 0.0, 0.4), 12)
        0.098012350105
    """
    if c > 0.5:
        return c * math.exp(log_hyp2f1(a, b, c, z))
    d = c + 1  # F(d − 1) from F(d) and F(d + 1)
    f1 = math.exp(log_hyp2f1(a, b, d, z))
    f2 = math.exp(log_hyp2f1(a, b, d + 1, z))
    # (d − 1) F(d − 1) = −{d[d − 1 − (2d − a − b − 1)z] F(d) + (d − a)(d − b) z F(d + 1)}
    #                    / (d (z − 1))
    return -(d * (d - 1 - (2 * d - a - b - 1) * z) * f1 + (d - a) * (d - b) * z * f2) / (
        d * (z - 1)
    )
