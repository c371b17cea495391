"""A/B tests of two conversion rates: the two-proportion z-test, its power and sample size.

**z-test.** With x successes of n in each arm, p̂ = x/n, the pooled rate p = (x_a + x_b) /
(n_a + n_b) and SE₀ = √(p(1 − p)(1/n_a + 1/n_b)), z = (p̂_b − p̂_a) / SE₀. The p-value is the
standard normal's tail, computed with the complementary error function so that a tiny one
stays positive (1 − Φ(z) would round to 0 beyond |z| ≈ 8.3): two-sided erfc(|z|/√2),
"larger" (B converts better) erfc(z/√2)/2, "smaller" erfc(−z/√2)/2. The confidence interval
of the difference uses the unpooled SE = √(p̂_a(1 − p̂_a)/n_a + p̂_b(1 − p̂_b)/n_b). When both
arms convert at 0 % or both at 100 %, there is no variation to test: z = 0 and p = 1, by
definition here.

**Power and sample size** of that pooled test, for true rates p₁ (A) and p₂ (B) with n in
each arm, Δ = p₂ − p₁, p̄ = (p₁ + p₂)/2, σ₀ = √(2p̄(1 − p̄)) (the spread the test assumes
under H₀) and σ₁ = √(p₁(1 − p₁) + p₂(1 − p₂)) (the spread under H₁), z_α = z₁₋α/₂ two-sided
or z₁₋α one-sided:

    power = Φ((√n·Δ − z_α·σ₀) / σ₁)                    ("larger"; "smaller" mirrors it)
    power = Φ((√n·|Δ| − z_α·σ₀) / σ₁) + Φ((−√n·|Δ| − z_α·σ₀) / σ₁)      (two-sided)
    n = ((z_α·σ₀ + z₁₋β·σ₁) / Δ)², rounded up

This is the normal-approximation formula of Fleiss, Levin & Paik, *Statistical Methods for
Rates and Proportions*, 3rd ed., 2003, §4.2 (without the continuity correction), the one R's
`power.prop.test` solves, and `sample_size_per_arm` equals R's n rounded up. The two-sided
power counts both rejection regions (R's `strict = TRUE`); the sample size, as R's default
does, counts only the region on the side of the effect (the other adds less than α/2).
`method="unpooled"` plans instead for a test whose SE is unpooled under H₀ too (σ₀ = σ₁:
Chow, Shao & Wang, *Sample Size Calculations in Clinical Research*, 2nd ed., 2008, §4.2); it
plans slightly too few visitors for the pooled test above.

Examples:
    A membership landing page: A converts 200 of 2,000 visitors (10 %), B 250 of 2,000
    (12.5 %). Pooled p = 0.1125, SE₀ = √(0.1125 × 0.8875 × 0.001) = 0.009992, z = 2.502:

    >>> from mteam.experiments import power, sample_size_per_arm, two_proportion_ztest
    >>> result = two_proportion_ztest(200, 2000, 250, 2000)
    >>> round(result.z, 3), round(result.p_value, 4), round(result.relative_lift, 3)
    (2.502, 0.0124, 0.25)
    >>> [round(x, 4) for x in result.confidence_interval]
    [0.0054, 0.0446]

    R's documented example, `power.prop.test(p1 = .50, p2 = .75, power = .90)`, n = 76.7:
    σ₀ = √(2 × 0.625 × 0.375) = 0.68465, σ₁ = √(0.25 + 0.1875) = 0.66144,
    n = ((1.95996 × 0.68465 + 1.28155 × 0.66144) / 0.25)² = 8.7582² = 76.71, so 77 per arm;
    the 74 the unpooled formula gives has a power of 0.889 only:

    >>> sample_size_per_arm(0.50, p2=0.75, power=0.90)
    77
    >>> sample_size_per_arm(0.50, p2=0.75, power=0.90, method="unpooled")
    74
    >>> round(power(74, 0.50, 0.75), 3), round(power(77, 0.50, 0.75), 3)
    (0.889, 0.901)
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Final

import attrs

from mteam._records import Records
from mteam._validate import as_count, as_number, check_range, show
from mteam.errors import InvalidInputError

__all__ = ["ZTestResult", "power", "sample_size_per_arm", "two_proportion_ztest"]

_ALTERNATIVES: Final = ("two-sided", "larger", "smaller")
_METHODS: Final = ("pooled", "unpooled")
_NORMAL: Final = NormalDist()
_SQRT2: Final = math.sqrt(2)


@attrs.frozen
class ZTestResult(Records):
    """The outcome of a two-proportion z-test (B against A).

    Attributes:
        rate_a: A's conversion rate.
        rate_b: B's conversion rate.
        difference: `rate_b − rate_a`.
        z: The z statistic (0 when neither arm varies).
        p_value: The p-value, in [0, 1].
        confidence_interval: The interval of the difference at `1 − alpha`.
        relative_lift: `difference / rate_a`, None when A converts at 0 %.
        alternative: `"two-sided"`, `"larger"` or `"smaller"`.
        alpha: The significance level.
        significant: `p_value < alpha`.

    Examples:
        Its record is one row, the interval as `confidence_interval_0` and `_1`. A: 50 of 500
        (10 %), B: 75 of 500 (15 %): difference 0.05, lift 0.05 / 0.10 = 0.5.

        >>> row = two_proportion_ztest(50, 500, 75, 500).to_records()[0]
        >>> round(row["difference"], 10), round(row["relative_lift"], 10), row["significant"]
        (0.05, 0.5, True)
    """

    rate_a: float
    rate_b: float
    difference: float
    z: float
    p_value: float
    confidence_interval: tuple[float, float]
    relative_lift: float | None
    alternative: str
    alpha: float
    significant: bool


def _counts(successes: int, n: int, arm: str) -> tuple[int, int]:
    n = as_count(f"n_{arm}", n, ge=1)
    successes = as_count(f"successes_{arm}", successes, ge=0)
    if successes > n:
        raise InvalidInputError(f"successes_{arm}", f"must be <= n_{arm} ({n}), got {successes}")
    return successes, n


def two_proportion_ztest(
    successes_a: int,
    n_a: int,
    successes_b: int,
    n_b: int,
    *,
    alternative: str = "two-sided",
    alpha: float = 0.05,
) -> ZTestResult:
    """Test whether B's conversion rate differs from A's (see the module docs).

    Args:
        successes_a: Conversions in A.
        n_a: Visitors in A (≥ 1).
        successes_b: Conversions in B.
        n_b: Visitors in B (≥ 1).
        alternative: `"two-sided"`, `"larger"` (B converts better) or `"smaller"`.
        alpha: The significance level, and 1 − the interval's level.

    Raises:
        InvalidInputError: n < 1, successes < 0 or > n, an unknown alternative, or alpha
            outside (0, 1).

    Examples:
        A far-out z keeps a positive p-value (2(1 − Φ(z)) would be 0.0 here): 300 of 1,000
        against 700 of 1,000 gives z = 0.4 / √(0.5 × 0.5 × 0.002) = 17.89 and
        p = erfc(17.89/√2) = 1.4e-71.

        >>> result = two_proportion_ztest(300, 1000, 700, 1000)
        >>> round(result.z, 2), f"{result.p_value:.2g}"
        (17.89, '1.4e-71')
    """
    successes_a, n_a = _counts(successes_a, n_a, "a")
    successes_b, n_b = _counts(successes_b, n_b, "b")
    if alternative not in _ALTERNATIVES:
        raise InvalidInputError(
            "alternative", f"must be one of {', '.join(_ALTERNATIVES)}, got {show(alternative)}"
        )
    alpha = as_number("alpha", alpha, gt=0, lt=1)
    pa, pb = successes_a / n_a, successes_b / n_b
    pooled = (successes_a + successes_b) / (n_a + n_b)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if se0 == 0:
        z, p_value = 0.0, 1.0
    else:
        z = (pb - pa) / se0
        # the normal's tails through erfc: 1 − Φ(z) = erfc(z/√2)/2 keeps its digits far out
        if alternative == "two-sided":
            p_value = math.erfc(abs(z) / _SQRT2)
        elif alternative == "larger":
            p_value = math.erfc(z / _SQRT2) / 2
        else:
            p_value = math.erfc(-z / _SQRT2) / 2
    se = math.sqrt(pa * (1 - pa) / n_a + pb * (1 - pb) / n_b)
    half = _NORMAL.inv_cdf(1 - alpha / 2) * se
    diff = pb - pa
    return ZTestResult(
        rate_a=pa,
        rate_b=pb,
        difference=diff,
        z=z,
        p_value=min(max(p_value, 0.0), 1.0),
        confidence_interval=(diff - half, diff + half),
        relative_lift=None if pa == 0 else diff / pa,
        alternative=alternative,
        alpha=alpha,
        significant=p_value < alpha,
    )


def _choice(path: str, value: object, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise InvalidInputError(path, f"must be one of {', '.join(allowed)}, got {show(value)}")
    return value


def _rate(path: str, value: object) -> float:
    check_range(path, value, gt=0, lt=1)
    return float(value)  # type: ignore[arg-type]


def _spreads(p1: float, p2: float, method: str) -> tuple[float, float]:
    """σ₀ (the spread the test assumes under H₀) and σ₁ (the spread under H₁)."""
    sigma1 = math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    if method == "unpooled":
        return sigma1, sigma1
    mean = (p1 + p2) / 2
    return math.sqrt(2 * mean * (1 - mean)), sigma1


def _critical(alpha: float, alternative: str) -> float:
    return _NORMAL.inv_cdf(1 - alpha / 2 if alternative == "two-sided" else 1 - alpha)


def power(
    n_per_arm: float,
    p1: float,
    p2: float,
    alpha: float = 0.05,
    *,
    alternative: str = "two-sided",
    method: str = "pooled",
) -> float:
    """The power of the pooled two-proportion z-test with `n_per_arm` visitors in each arm.

    The chance that `two_proportion_ztest` finds B different from A (at level `alpha`) when
    their true rates are `p1` and `p2` (normal approximation; formula in the module docs).
    Two-sided, it equals R's `power.prop.test(n, p1, p2, sig.level = alpha, strict = TRUE)`;
    one-sided, R's `alternative = "one.sided"` when the change is in the direction tested.

    Args:
        n_per_arm: Visitors in each arm (> 0; need not be whole, as in R).
        p1: A's true conversion rate, in (0, 1).
        p2: B's true conversion rate, in (0, 1).
        alpha: The significance level.
        alternative: `"two-sided"`, `"larger"` (B converts better) or `"smaller"`, as the
            test will be run.
        method: `"pooled"` (the test mteam runs) or `"unpooled"` (see the module docs).

    Raises:
        InvalidInputError: n ≤ 0, a rate outside (0, 1), alpha outside (0, 1), or an
            unknown alternative or method.

    Examples:
        R's documented `power.prop.test(n = 50, p1 = .50, p2 = .75)` gives 0.740:
        (√50 × 0.25 − 1.95996 × 0.68465) / 0.66144 = 0.6437 and Φ(0.6437) = 0.7401 (the
        other side adds Φ(−4.70) = 1e-6); one-sided, z₀.₉₅ = 1.64485 and
        Φ((1.76777 − 1.12615) / 0.66144) = Φ(0.9700) = 0.834:

        >>> round(power(50, 0.50, 0.75), 3)
        0.74
        >>> round(power(50, 0.50, 0.75, alternative="larger"), 3)
        0.834
        >>> round(power(1000, 0.10, 0.10), 3)  # no difference: the test's level
        0.05
    """
    check_range("n_per_arm", n_per_arm, gt=0)
    p1, p2 = _rate("p1", p1), _rate("p2", p2)
    check_range("alpha", alpha, gt=0, lt=1)
    alternative = _choice("alternative", alternative, _ALTERNATIVES)
    method = _choice("method", method, _METHODS)
    sigma0, sigma1 = _spreads(p1, p2, method)
    z = _critical(float(alpha), alternative)
    shift = math.sqrt(float(n_per_arm)) * (p2 - p1)
    towards_b = _NORMAL.cdf((shift - z * sigma0) / sigma1)
    towards_a = _NORMAL.cdf((-shift - z * sigma0) / sigma1)
    if alternative == "larger":
        return towards_b
    if alternative == "smaller":
        return towards_a
    return min(towards_b + towards_a, 1.0)


def sample_size_per_arm(
    baseline: float,
    mde: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    *,
    relative: bool = False,
    p2: float | None = None,
    alternative: str = "two-sided",
    method: str = "pooled",
) -> int:
    """Visitors needed in each arm for the z-test to detect B's rate with the given power.

    B's rate is stated directly (`p2`) or as a change from the baseline (`mde`, absolute, or
    relative when `relative`). The formula (Fleiss; R's `power.prop.test`) is in the module
    docs; the result is R's n rounded up.

    Args:
        baseline: A's (the current) conversion rate p₁, in (0, 1).
        mde: The minimum detectable effect: p₂ = baseline + mde, or baseline × (1 + mde)
            when `relative`. Give this or `p2`.
        alpha: The significance level.
        power: The power wanted, 1 − β.
        relative: Whether `mde` is relative (0.1 = a 10 % lift).
        p2: B's conversion rate, in (0, 1), instead of `mde`.
        alternative: `"two-sided"`, or `"larger"`/`"smaller"` for a one-sided test in the
            direction of the change.
        method: `"pooled"` (the test mteam runs) or `"unpooled"` (the formula for a test
            with the unpooled SE; see the module docs).

    Raises:
        InvalidInputError: rates outside (0, 1), neither or both of `mde` and `p2`, no
            change, alpha or power outside (0, 1), an unknown alternative or method, or a
            one-sided alternative against the direction of the change.

    Examples:
        From 10 % to 12 % (α 0.05 two-sided, 80 % power): σ₀ = √(2 × 0.11 × 0.89) =
        0.44249, σ₁ = √(0.09 + 0.1056) = 0.44227, n = ((1.95996 × 0.44249 + 0.84162 ×
        0.44227) / 0.02)² = 3,840.8, so 3,841 per arm:

        >>> sample_size_per_arm(0.10, 0.02)
        3841
        >>> sample_size_per_arm(0.10, 0.20, relative=True)  # the same change, as +20 %
        3841
        >>> sample_size_per_arm(0.10, p2=0.12)  # the two rates stated directly
        3841
        >>> sample_size_per_arm(0.10, p2=0.12, alternative="larger")
        3026
    """
    p1 = _rate("baseline", baseline)
    check_range("alpha", alpha, gt=0, lt=1)
    check_range("power", power, gt=0, lt=1)
    alternative = _choice("alternative", alternative, _ALTERNATIVES)
    method = _choice("method", method, _METHODS)
    if (mde is None) == (p2 is None):
        raise InvalidInputError("mde", "give either mde or p2 (B's rate), not both or neither")
    if p2 is None:
        check_range("mde", mde)
        change = float(mde)  # type: ignore[arg-type]
        rate_b = p1 * (1 + change) if relative else p1 + change
        if not 0 < rate_b < 1:
            raise InvalidInputError("mde", f"moves the rate outside (0, 1): {show(rate_b)}")
        if rate_b == p1:
            raise InvalidInputError("mde", "must not be 0")
    else:
        rate_b = _rate("p2", p2)
        if rate_b == p1:
            raise InvalidInputError("p2", f"must differ from the baseline ({show(p1)})")
    if (alternative == "larger" and rate_b < p1) or (alternative == "smaller" and rate_b > p1):
        raise InvalidInputError(
            "alternative",
            f"{alternative!r} cannot detect a change from {show(p1)} to {show(rate_b)}",
        )
    sigma0, sigma1 = _spreads(p1, rate_b, method)
    z = _critical(float(alpha), alternative) * sigma0 + _NORMAL.inv_cdf(float(power)) * sigma1
    n = (z / (rate_b - p1)) ** 2
    return math.ceil(n - 1e-9)
