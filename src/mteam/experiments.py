"""A/B tests of two conversion rates: the two-proportion z-test and the sample size per arm.

**z-test.** With x successes of n in each arm, p̂ = x/n, the pooled rate p = (x_a + x_b) /
(n_a + n_b) and SE₀ = √(p(1 − p)(1/n_a + 1/n_b)), z = (p̂_b − p̂_a) / SE₀. The p-value comes
from the standard normal (`statistics.NormalDist`): two-sided 2(1 − Φ(|z|)), "larger" (B
converts better) 1 − Φ(z), "smaller" Φ(z). The confidence interval of the difference uses the
unpooled SE = √(p̂_a(1 − p̂_a)/n_a + p̂_b(1 − p̂_b)/n_b). When both arms convert at 0 % or both
at 100 %, there is no variation to test: z = 0 and p = 1, by definition here.

**Sample size per arm** to detect a difference of `mde` from a baseline rate p₁
(p₂ = p₁ + mde, or p₁ × (1 + mde) when relative):
n = (z_{1−α/2} + z_{1−β})² × (p₁(1 − p₁) + p₂(1 − p₂)) / (p₂ − p₁)², rounded up
(Chow, Shao & Wang, *Sample Size Calculations in Clinical Research*, 2nd ed., 2008, §4.2).

Examples:
    A membership landing page: A converts 200 of 2,000 visitors (10 %), B 250 of 2,000
    (12.5 %). Pooled p = 0.1125, SE₀ = √(0.1125 × 0.8875 × 0.001) = 0.009992, z = 2.502:

    >>> from mteam.experiments import sample_size_per_arm, two_proportion_ztest
    >>> result = two_proportion_ztest(200, 2000, 250, 2000)
    >>> round(result.z, 3), round(result.p_value, 4), round(result.relative_lift, 3)
    (2.502, 0.0124, 0.25)
    >>> [round(x, 4) for x in result.confidence_interval]
    [0.0054, 0.0446]
    >>> sample_size_per_arm(0.10, 0.02)
    3839
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Final

import attrs

from mteam._records import Records
from mteam._validate import as_count, as_number, check_range, show
from mteam.errors import InvalidInputError

__all__ = ["ZTestResult", "sample_size_per_arm", "two_proportion_ztest"]

_ALTERNATIVES: Final = ("two-sided", "larger", "smaller")
_NORMAL: Final = NormalDist()


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

    Raises:
        InvalidInputError: n < 1, successes < 0 or > n, an unknown alternative, or alpha
            outside (0, 1).
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
        if alternative == "two-sided":
            p_value = 2 * (1 - _NORMAL.cdf(abs(z)))
        elif alternative == "larger":
            p_value = 1 - _NORMAL.cdf(z)
        else:
            p_value = _NORMAL.cdf(z)
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


def sample_size_per_arm(
    baseline: float,
    mde: float,
    alpha: float = 0.05,
    power: float = 0.8,
    *,
    relative: bool = False,
) -> int:
    """Visitors needed in each arm to detect a change of `mde` (two-sided; see module docs).

    Args:
        baseline: The current conversion rate, in (0, 1).
        mde: The minimum detectable effect: an absolute difference, or relative to the
            baseline when `relative`.
        alpha: The significance level.
        power: The power, 1 − β.
        relative: Whether `mde` is relative (0.1 = a 10 % lift).

    Raises:
        InvalidInputError: rates outside (0, 1), an mde of 0, or alpha or power outside (0, 1).
    """
    check_range("baseline", baseline, gt=0, lt=1)
    check_range("alpha", alpha, gt=0, lt=1)
    check_range("power", power, gt=0, lt=1)
    check_range("mde", mde)
    p2 = baseline * (1 + mde) if relative else baseline + mde
    if not 0 < p2 < 1:
        raise InvalidInputError("mde", f"moves the rate outside (0, 1): {show(p2)}")
    if p2 == baseline:
        raise InvalidInputError("mde", "must not be 0")
    z = _NORMAL.inv_cdf(1 - alpha / 2) + _NORMAL.inv_cdf(power)
    n = z * z * (baseline * (1 - baseline) + p2 * (1 - p2)) / (p2 - baseline) ** 2
    return math.ceil(n - 1e-9)
