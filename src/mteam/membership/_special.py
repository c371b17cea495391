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
    """Ln ₂F₁(a, b; c; z) for a, b, c > 0 and 0 ≤ z < 1, by its series, rescaled as it grows.

    Every term is positive. The sum is rescaled whenever it passes 1e250 (no overflow however
    large a, b or the sum are), and stops when the next terms together are below
    1e-17 of the sum: each ratio of successive terms is (a + k)(b + k)/((c + k)(k + 1)) z, which
    tends to z, so once it is below 1 the rest is at most the last term × q/(1 − q) with
    q = max(ratio, z).

    Examples:
        >>> round(log_hyp2f1(300.5, 300.5, 301.5, 0.9), 6)  # e^689.6 overflows a float
        689.627234
    """
    if z == 0:
        return 0.0
    log_scale = 0.0  # total × e^log_scale is the sum so far
    total = term = 1.0
    for k in range(_MAX_TERMS):
        ratio = (a + k) * (b + k) / ((c + k) * (k + 1)) * z
        term *= ratio
        total += term
        if total > 1e250:  # rescale before the sum overflows
            log_scale += math.log(total)
            term /= total
            total = 1.0
        q = max(ratio, z)
        if q < 1 and term * q <= 1e-17 * (1 - q) * total:
            break
    return log_scale + math.log(total)


def bgnbd_bracket(r: float, a: float, b: float, z: float) -> float:
    """[c − c (1 − z)^r ₂F₁(r, b; c; z)] / (a − 1) with c = a + b − 1, finite at a = 1.

    The factor of the BG/NBD expected purchases (Fader, Hardie & Lee 2005, eq. 9 and 10, with
    r and b already shifted by x for the conditional one). Written as it stands it is 0/0 at
    a = 1 and loses every digit near it; the series of ₂F₁ (or of its Euler transform) also
    needs millions of terms, or overflows, when a and b are large — as they are when the
    data show no spread in the drop-out probability and the fit runs a and b out together.
    Since c − b = a − 1, (1 − z)^(−r) = ₂F₁(r, c; c; z), so 1 − (1 − z)^r ₂F₁(r, b; c; z) =
    Σ_{n ≥ 1} P(N = n) [1 − (b)_n / (c)_n] with N negative binomial, P(N = n) =
    (r)_n / n! zⁿ (1 − z)^r, and 1 − (b)_n / (c)_n = (a − 1) Σ_{k < n} (b)_k / (c)_(k+1).
    The bracket is therefore

        Σ_{n ≥ 1} P(N = n) E_n,   E_n = Σ_{k < n} (b)_k / (c + 1)_k,

    a sum of positive terms only (c + 1 = a + b > 0): no cancellation, no division by a − 1,
    and a number of terms set by N's distribution (r and z), not by a and b. The terms are
    kept relative to a running scale, so (1 − z)^r may underflow and (r)_n zⁿ / n! overflow.
    The sum stops when the rest, bounded with the ratio of successive P(N = n) (which tends
    to z monotonically) and E_n growing by at most (b)_n / (c + 1)_n a term, is below 1e-17.

    Examples:
        At a = 1 (c = b), r = b = 1, z = 1/2: E_n is the harmonic number H_n and
        P(N = n) = 2^(−n−1), so the bracket is Σ H_n / 2^(n+1) = ln 2:

        >>> round(bgnbd_bracket(1.0, 1.0, 1.0, 0.5), 12)
        0.69314718056
        >>> near = bgnbd_bracket(1.0, 1.0 + 1e-12, 1.0, 0.5)
        >>> abs(near - bgnbd_bracket(1.0, 1.0, 1.0, 0.5)) < 1e-12
        True

        Large a and b (the drop-out probability a/(a + b) without spread) take a few dozen
        terms; a 50-digit evaluation of the closed form gives 0.520465411337851573…, and
        r = 1000.5, where (1 − z)^r underflows a float, 3.989372061766248820…:

        >>> round(bgnbd_bracket(0.65, 8.8e6, 9.0e6, 0.54), 12)
        0.520465411338
        >>> round(bgnbd_bracket(1000.5, 2.0, 3.0, 0.53), 12)
        3.989372061766
    """
    if z == 0:
        return 0.0
    c = a + b - 1
    log_scale = r * math.log1p(-z)  # ln P(N = 0); `term` is P(N = n) / e^log_scale
    term = 1.0
    step = 1.0  # (b)_n / (c + 1)_n
    e = 0.0  # E_n
    total = 0.0
    n = 0
    while n < _MAX_TERMS:
        e += step
        step *= (b + n) / (c + 1 + n)
        ratio = (r + n) / (n + 1) * z
        term *= ratio
        n += 1
        total += term * e
        if term > 1e250:  # rescale before (r)_n zⁿ / n! overflows
            total /= term
            log_scale += math.log(term)
            term = 1.0
        q = ratio if ratio > z else z  # noqa: FURB136 - max(ratio, z) without a call: the hot loop
        if q < 1 and term * (e + step / (1 - q)) * q <= 1e-17 * (1 - q) * total:
            break
    return math.exp(log_scale + math.log(total))
