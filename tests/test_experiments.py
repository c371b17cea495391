"""A/B planning: the pooled sample size and power (R's power.prop.test), and tiny p-values.

Sources of the expected values:
- R's documentation of `stats::power.prop.test` (its Examples section, with the results it
  states in comments: power 0.740, n 76.7, p2 0.8026, sig.level 0.00131, n 10451937);
- R's formula itself (the `p.body` of `power.prop.test`, strict = FALSE), written out below
  as `r_n`, solved for n in closed form: R's `uniroot` finds the same root to 1e-4.
"""

import math
from statistics import NormalDist

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mteam.errors import InvalidInputError
from mteam.experiments import power, sample_size_per_arm, two_proportion_ztest

Z = NormalDist()


def r_n(p1, p2, sig_level=0.05, target=0.8, tside=2):
    """R's power.prop.test p.body solved for n:
    pnorm((sqrt(n)*abs(p1-p2) - qnorm(sig.level/tside, lower=FALSE)*sqrt((p1+p2)*(1-(p1+p2)/2)))
          / sqrt(p1*(1-p1) + p2*(1-p2))) = power
    """
    qa = Z.inv_cdf(1 - sig_level / tside)
    qb = Z.inv_cdf(target)
    top = qa * math.sqrt((p1 + p2) * (1 - (p1 + p2) / 2)) + qb * math.sqrt(
        p1 * (1 - p1) + p2 * (1 - p2)
    )
    return (top / abs(p1 - p2)) ** 2


# --- R's documented examples -----------------------------------------------------------------


def test_r_example_sample_size_50_to_75_percent():
    # power.prop.test(p1 = .50, p2 = .75, power = .90)  ## => n = 76.7
    assert round(r_n(0.50, 0.75, target=0.90), 1) == 76.7
    assert sample_size_per_arm(0.50, p2=0.75, power=0.90) == 77
    assert sample_size_per_arm(0.50, 0.25, power=0.90) == 77  # the same plan, as an mde
    assert sample_size_per_arm(0.50, 0.50, power=0.90, relative=True) == 77


def test_r_example_power_at_50_per_arm():
    # power.prop.test(n = 50, p1 = .50, p2 = .75)  ## => power = 0.740
    assert round(power(50, 0.50, 0.75), 3) == 0.740


def test_r_example_p2_for_90_percent_power():
    # power.prop.test(n = 50, p1 = .5, power = .90)  ## => p2 = 0.8026
    assert power(50, 0.5, 0.8026) == pytest.approx(0.90, abs=2e-4)


def test_r_example_level_for_90_percent_power():
    # power.prop.test(n = 50, p1 = .5, p2 = 0.9, power = .90, sig.level = NULL)
    ## => sig.level = 0.00131
    assert power(50, 0.5, 0.9, alpha=0.00131) == pytest.approx(0.90, abs=1e-3)


def test_r_example_a_tiny_difference():
    # power.prop.test(p1 = .5, p2 = 0.501, sig.level = .001, power = 0.90)  ## => n = 10451937
    assert sample_size_per_arm(0.5, p2=0.501, alpha=0.001, power=0.90) == 10451937


def test_the_old_plan_had_too_little_power():
    # the figures: the unpooled formula planned 74 per arm; the test's power there is
    # Φ((√74 × 0.25 − 1.95996 × 0.68465) / 0.66144) = Φ(1.2226) = 0.889
    assert sample_size_per_arm(0.50, p2=0.75, power=0.90, method="unpooled") == 74
    assert round(power(74, 0.50, 0.75), 3) == 0.889
    assert power(77, 0.50, 0.75) >= 0.90


# --- computed with R's formula (r_n above) ---------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        (0.10, 0.12, 0.05, 0.80, 2, 3841),  # r_n = 3,840.85
        (0.05, 0.055, 0.05, 0.80, 2, 31234),  # r_n = 31,233.44 (a 10 % lift on 5 %)
        (0.20, 0.30, 0.05, 0.80, 2, 294),  # r_n = 293.15
        (0.30, 0.40, 0.01, 0.90, 2, 675),  # r_n = 674.54
        (0.02, 0.025, 0.05, 0.80, 2, 13809),  # r_n = 13,808.92
        (0.60, 0.50, 0.05, 0.80, 2, 388),  # r_n = 387.34: a fall is planned like a rise
        (0.10, 0.12, 0.05, 0.80, 1, 3026),  # alternative = "one.sided": r_n = 3,025.32
    ],
)
def test_sample_sizes_equal_r_rounded_up(case):
    p1, p2, alpha, target, tside, expected = case
    assert math.ceil(r_n(p1, p2, alpha, target, tside)) == expected
    alternative = "two-sided" if tside == 2 else ("larger" if p2 > p1 else "smaller")
    assert (
        sample_size_per_arm(p1, p2=p2, alpha=alpha, power=target, alternative=alternative)
        == expected
    )


def test_unpooled_formula_by_name():
    # Chow, Shao & Wang §4.2: (z_{1-α/2} + z_{1-β})² (p1q1 + p2q2) / Δ²
    # (1.959964 + 0.841621)² × (0.09 + 0.1056) / 0.02² = 3,838.3 -> 3,839
    assert sample_size_per_arm(0.10, 0.02, method="unpooled") == 3839
    assert power(3839, 0.10, 0.12, method="unpooled") == pytest.approx(0.80, abs=1e-3)


def test_one_sided_power_and_the_level_under_no_difference():
    assert power(50, 0.50, 0.75, alternative="larger") == pytest.approx(
        Z.cdf((math.sqrt(50) * 0.25 - Z.inv_cdf(0.95) * math.sqrt(0.46875)) / math.sqrt(0.4375))
    )
    assert power(50, 0.75, 0.50, alternative="smaller") == power(
        50, 0.50, 0.75, alternative="larger"
    )
    assert power(100, 0.3, 0.3) == pytest.approx(0.05, abs=1e-12)
    assert power(100, 0.3, 0.3, alternative="larger") == pytest.approx(0.05, abs=1e-12)


# --- tiny p-values ---------------------------------------------------------------------------


def test_tiny_p_values_stay_positive():
    # 300/1000 against 700/1000: z = 0.4 / √(0.25 × 0.002) = 17.889; 2(1 − Φ(z)) is 0.0
    result = two_proportion_ztest(300, 1000, 700, 1000)
    assert 2 * (1 - Z.cdf(abs(result.z))) == 0.0
    assert 0 < result.p_value < 1e-70
    assert result.p_value == pytest.approx(math.erfc(result.z / math.sqrt(2)), rel=1e-15)
    larger = two_proportion_ztest(300, 1000, 700, 1000, alternative="larger")
    assert larger.p_value == pytest.approx(result.p_value / 2, rel=1e-12)
    assert two_proportion_ztest(700, 1000, 300, 1000, alternative="smaller").p_value > 0


@pytest.mark.parametrize("z_wanted", [8.3, 9.0, 12.0, 30.0])
def test_p_values_beyond_z_8_3_are_positive(z_wanted):
    # n per arm, A at 50 %, B k more: z ≈ (k/n) / √(0.25 × 2/n) = k / √(n/2)
    n = 100_000
    x_b = 50_000 + math.ceil(z_wanted * math.sqrt(n / 2))
    result = two_proportion_ztest(50_000, n, x_b, n)
    assert result.z >= z_wanted
    assert 0 < result.p_value == pytest.approx(math.erfc(result.z / math.sqrt(2)), rel=1e-15)


def test_moderate_p_values_are_unchanged():
    result = two_proportion_ztest(200, 2000, 250, 2000)
    assert result.p_value == pytest.approx(2 * (1 - Z.cdf(abs(result.z))), rel=1e-12)


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: sample_size_per_arm(0.5), "mde"),
        (lambda: sample_size_per_arm(0.5, 0.1, p2=0.6), "mde"),
        (lambda: sample_size_per_arm(0.5, p2=0.5), "p2"),
        (lambda: sample_size_per_arm(0.5, p2=1.0), "p2"),
        (lambda: sample_size_per_arm(0.5, p2=0.6, method="exact"), "method"),
        (lambda: sample_size_per_arm(0.5, p2=0.6, alternative="two.sided"), "alternative"),
        (lambda: sample_size_per_arm(0.5, p2=0.4, alternative="larger"), "alternative"),
        (lambda: sample_size_per_arm(0.5, p2=0.6, alternative="smaller"), "alternative"),
        (lambda: sample_size_per_arm(0.5, p2=0.6, alpha=0), "alpha"),
        (lambda: sample_size_per_arm(0.5, "0.1"), "mde"),
        (lambda: power(0, 0.5, 0.6), "n_per_arm"),
        (lambda: power(10, 0, 0.6), "p1"),
        (lambda: power(10, 0.5, math.nan), "p2"),
        (lambda: power(10, 0.5, 0.6, alpha=1), "alpha"),
        (lambda: power(10, 0.5, 0.6, alternative=None), "alternative"),
        (lambda: power(10, 0.5, 0.6, method="Fleiss"), "method"),
    ],
)
def test_bad_plans(call, path):
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.path == path


# --- properties ------------------------------------------------------------------------------

rates = st.floats(0.01, 0.99)
levels = st.sampled_from([0.001, 0.01, 0.05, 0.1])
powers = st.floats(0.5, 0.99)


@given(rates, rates, levels, powers, st.sampled_from(["pooled", "unpooled"]))
def test_the_planned_size_reaches_the_power_and_one_fewer_may_not(p1, p2, alpha, target, how):
    if abs(p1 - p2) < 0.01:
        return
    n = sample_size_per_arm(p1, p2=p2, alpha=alpha, power=target, method=how)
    assert power(n, p1, p2, alpha, method=how) >= target - 1e-9
    # R's default ignores the far rejection region, so one fewer falls short by at most it
    if n > 1:
        assert power(n - 1, p1, p2, alpha, method=how) < target + alpha / 2


@given(rates, rates, levels, st.floats(1, 10_000))
def test_power_is_a_probability_symmetric_in_the_arms(p1, p2, alpha, n):
    value = power(n, p1, p2, alpha)
    assert 0 <= value <= 1
    assert value == pytest.approx(power(n, p2, p1, alpha), abs=1e-12)


@given(rates, rates, levels, st.floats(1, 5_000), st.floats(1, 5_000))
def test_power_grows_with_the_sample(p1, p2, alpha, n1, n2):
    small, big = sorted([n1, n2])
    assert power(small, p1, p2, alpha) <= power(big, p1, p2, alpha) + 1e-12


@given(rates, rates)
def test_the_pooled_plan_is_never_smaller_than_the_unpooled(p1, p2):
    # σ₀ ≥ σ₁ always (2p̄q̄ − p1q1 − p2q2 = (p1 − p2)²/2), so the pooled n is never smaller
    if abs(p1 - p2) < 0.01:
        return
    pooled = sample_size_per_arm(p1, p2=p2)
    unpooled = sample_size_per_arm(p1, p2=p2, method="unpooled")
    assert pooled >= unpooled
