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
    a = 1 and loses every digit near it. Euler's transformation
    ₂F₁(r, b; c; z) = (1 − z)^(c − r − b) ₂F₁(c − r, c − b; c; z) with c − b = a − 1 gives
    (1 − z)^r ₂F₁(r, b; c; z) = (1 − z)^(a − 1) [1 + (a − 1) S], where
    S = Σ_{n ≥ 1} (c − r)_n (a)_(n−1) / ((c)_n n!) zⁿ, so that the bracket is

        c × [−expm1((a − 1) L) / (a − 1) − (1 − z)^(a − 1) S],   L = ln(1 − z),

    whose first term tends to −L as a → 1, and c S = Σ (c − r)_n (a)_(n−1) / ((c + 1)_(n−1) n!)
    zⁿ needs no division by c (c > −1 always, as a, b > 0).

    Examples:
        At a = 1 (c = b) the bracket is the limit b [−L − S]; for r = b = 1, z = 1/2 it is
        −ln(1/2) − Σ_{n≥1} (0)_n … = ln 2 (S vanishes as c − r = 0):

        >>> round(bgnbd_bracket(1.0, 1.0, 1.0, 0.5), 12)
        0.69314718056
        >>> near = bgnbd_bracket(1.0, 1.0 + 1e-12, 1.0, 0.5)
        >>> abs(near - bgnbd_bracket(1.0, 1.0, 1.0, 0.5)) < 1e-9
        True
    """
    c = a + b - 1
    if z == 0:
        return 0.0
    log_1mz = math.log1p(-z)
    d = a - 1
    first = -log_1mz if d == 0 else -math.expm1(d * log_1mz) / d
    p = c - r
    # c S, term by term: t_1 = p z, t_(n+1) = t_n (p + n)(a + n − 1) / ((c + n)(n + 1)) z
    term = p * z
    total = term
    n = 1
    while term != 0 and n < _MAX_TERMS:
        ratio = (p + n) * (a + n - 1) / ((c + n) * (n + 1)) * z
        term *= ratio
        total += term
        n += 1
        q = -ratio if ratio < 0 else ratio
        q = q if q > z else z  # noqa: FURB136 - max(|ratio|, z) without a call: the hot loop
        if q < 1 and abs(term) * q <= 1e-17 * (1 - q) * abs(total):
            break
    return c * first - math.exp(d * log_1mz) * total
