from datetime import date
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mteam.errors import InvalidInputError
from mteam.io import dumps, loads
from mteam.money import TWD, USD, Money
from mteam.periods import Period
from mteam.rewards.bonus import (
    BonusAllocation,
    BonusMember,
    BonusPolicy,
    allocate_bonus_pool,
    compute_bonuses,
    fairness_summary,
)
from tests.strategies import bonus_teams, periods

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
D = Decimal


def member(mid, band, target, hired=date(2020, 1, 1), **kw):
    return BonusMember(mid, band=band, hired_on=hired, target_bonus=D(target), **kw)


def test_twd_pool_with_caps_binding_by_hand():
    # Weights (target x multiplier): ann 60,000 x 1.5 = 90,000; bo 40,000 x 1.25 = 50,000;
    # cy 30,000 x 1 = 30,000; di 20,000 x 0.5 = 10,000; ed band 1 -> ineligible.
    # Caps at 1.2 x target: ann 72,000, bo 48,000, cy 36,000, di 24,000.
    # Pool 200,000: lambda = 200/180 would give ann 100,000 and bo 55,556 -> both capped.
    # The remaining 80,000 goes to cy and di 30 : 10 -> 60,000 and 20,000, but cy's cap is
    # 36,000, so cy is capped too and di gets 200,000 - 72,000 - 48,000 - 36,000 = 44,000...
    # which is above di's cap 24,000: everyone is capped, 20,000 stays unallocated.
    team = [
        member("ann", 5, 60000),
        member("bo", 4, 40000),
        member("cy", 3, 30000),
        member("di", 2, 20000),
        member("ed", 1, 25000),
    ]
    policy = BonusPolicy(cap_multiple=D("1.2"))
    result = allocate_bonus_pool(Money(D(200000), TWD), team, policy, YEAR)
    assert result.amounts() == {
        "ann": D(72000),
        "bo": D(48000),
        "cy": D(36000),
        "di": D(24000),
        "ed": D(0),
    }
    assert result.unallocated == D(20000)
    assert result.unallocated_reason == "every eligible member is at their cap"
    assert result.line("ed").reason == "band 1 is below the minimum band 2"
    assert all(result.line(m).capped for m in ["ann", "bo", "cy", "di"])
    # A smaller pool, 150,000: lambda = 150/180 gives ann 75,000 > her cap 72,000. The other
    # 78,000 goes to bo, cy, di in proportion 50 : 30 : 10 -> 43,333.3, 26,000, 8,666.7, all
    # under their caps; the odd dollar goes to the larger remainder (di's .67).
    smaller = allocate_bonus_pool(Money(D(150000), TWD), team, policy, YEAR)
    assert smaller.amounts() == {
        "ann": D(72000),
        "bo": D(43333),
        "cy": D(26000),
        "di": D(8667),
        "ed": D(0),
    }
    assert smaller.unallocated == 0
    assert smaller.unallocated_reason is None
    assert [m for m in ["ann", "bo", "cy", "di"] if smaller.line(m).capped] == ["ann"]


def test_usd_pool_with_prorated_new_hires_by_hand():
    # Target 10% of base salary. Kim: 80,000.00 salary, band 3, all year: weight 8,000.
    # Lee: 60,000.00, band 4, hired 2026-07-01 (184 of 365 days): 6,000 x 1.25 x 184/365.
    # Moe: 90,000.00, band 3, hired 2026-12-01 (31 days): 9,000 x 31/365.
    # Pool 12,000.00 split in proportion to 8,000 : 3,780.82... : 764.38... (total
    # 12,545.21...): 7,652.33, 3,616.51 and 731.16.
    team = [
        BonusMember("kim", band=3, hired_on=date(2019, 4, 1), base_salary=D("80000.00")),
        BonusMember("lee", band=4, hired_on=date(2026, 7, 1), base_salary=D("60000.00")),
        BonusMember("moe", band=3, hired_on=date(2026, 12, 1), base_salary=D("90000.00")),
    ]
    policy = BonusPolicy(target_percent=D(10))
    result = allocate_bonus_pool(Money(D("12000.00"), USD), team, policy, YEAR)
    weights = {
        "kim": Fraction(8000),
        "lee": Fraction(6000) * Fraction(5, 4) * Fraction(184, 365),
        "moe": Fraction(9000) * Fraction(31, 365),
    }
    total = sum(weights.values())
    for mid, w in weights.items():
        exact = Fraction(12000) * w / total
        assert abs(Fraction(result.line(mid).amount) - exact) < Fraction(1, 100)
    assert sum(result.amounts().values()) == D("12000.00")
    assert result.amounts() == {"kim": D("7652.33"), "lee": D("3616.51"), "moe": D("731.16")}
    assert result.line("lee").days_employed == 184
    assert result.line("moe").proration == pytest.approx(31 / 365)
    assert result.line("kim").target == D("8000.0000")


def test_floors_lift_low_weights():
    # floor 0.5 x target: di's proportional share would be 10,000 x 100,000 / 100,000 ...
    team = [member("a", 5, 10000), member("b", 2, 10000)]
    policy = BonusPolicy(floor_multiple=D("0.5"))
    # weights 15,000 and 5,000; pool 16,000 -> proportional 12,000 / 4,000, but b's floor is
    # 5,000: b gets 5,000 and a the other 11,000.
    result = allocate_bonus_pool(Money(D(16000), TWD), team, policy, YEAR)
    assert result.amounts() == {"a": D(11000), "b": D(5000)}
    assert result.line("b").floored
    assert not result.line("a").floored


def test_nobody_eligible_leaves_the_pool_unallocated():
    result = allocate_bonus_pool(Money(D(5000), TWD), [member("a", 1, 100)], None, YEAR)
    assert result.allocated == 0
    assert result.unallocated == D(5000)
    assert result.unallocated_reason == "nobody is eligible"


@pytest.mark.parametrize(
    ("m", "policy", "reason"),
    [
        (member("x", None, 100), BonusPolicy(), "no rating band"),
        (
            member("x", 3, 100, left_on=date(2025, 12, 31)),
            BonusPolicy(),
            "not employed during the period",
        ),
        (
            member("x", 3, 100, hired=date(2026, 11, 1)),
            BonusPolicy(min_tenure_days=90),
            "tenure of 61 days is below the minimum of 90",
        ),
        (member("x", 2, 100), BonusPolicy(multipliers={2: 0, 3: 1}), "band 2 has multiplier 0"),
        (member("x", 3, 0), BonusPolicy(), "target bonus is 0"),
    ],
)
def test_ineligible_members_get_exactly_zero_with_a_reason(m, policy, reason):
    result = allocate_bonus_pool(Money(D(1000), TWD), [m, member("y", 3, 100)], policy, YEAR)
    assert result.line("x").amount == 0
    assert not result.line("x").eligible
    assert result.line("x").reason == reason
    assert result.line("y").amount == D(1000)


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: allocate_bonus_pool(Money(D(-1), TWD), [], None, YEAR), "pool"),
        (lambda: Money(D("10.5"), TWD), "amount"),
        (lambda: allocate_bonus_pool(D(10), [], None, YEAR), "pool"),
        (lambda: allocate_bonus_pool(Money(D(10), TWD), [], None, None), "period"),
        (lambda: allocate_bonus_pool(Money(D(10), TWD), [], None, "2026"), "period"),
        (
            lambda: allocate_bonus_pool(
                Money(D(10), TWD), [member("a", 3, 100, currency="USD")], None, YEAR
            ),
            "members[0].currency",
        ),
        (
            lambda: allocate_bonus_pool(Money(D(10), TWD), [member("a", 3, "100.5")], None, YEAR),
            "members[0].target_bonus",
        ),
        (
            lambda: allocate_bonus_pool(
                Money(D(10), TWD),
                [BonusMember("a", band=3, hired_on=date(2020, 1, 1), base_salary=D(100))],
                None,
                YEAR,
            ),
            "members[0].target_bonus",
        ),
        (
            lambda: allocate_bonus_pool(
                Money(D(10), TWD),
                [BonusMember("a", band=3, hired_on=date(2020, 1, 1), base_salary=D("1.5"))],
                BonusPolicy(target_percent=D(10)),
                YEAR,
            ),
            "members[0].base_salary",
        ),
        (
            lambda: allocate_bonus_pool(
                Money(D(10), TWD), [member("a", 3, 100), member("a", 3, 100)], None, YEAR
            ),
            "members[1].id",
        ),
        (lambda: allocate_bonus_pool(Money(D(10), TWD), ["a"], None, YEAR), "members[0]"),
        (
            lambda: allocate_bonus_pool(
                Money(D(10), TWD), [member("a", 3, 100)], BonusPolicy(floor_multiple=1), YEAR
            ),
            "pool",
        ),
        (lambda: Period(date(2026, 12, 31), date(2026, 1, 1)), "end"),
        (lambda: member("a", 0, 100), "band"),
        (lambda: member("a", 3, -1), "target_bonus"),
        (lambda: member("a", 3, 100, left_on=date(2019, 1, 1)), "left_on"),
        (lambda: member("a", 3, 100, hired="2020-01-01"), "hired_on"),
        (lambda: BonusMember("a", band=3, hired_on=date(2020, 1, 1), left_on="x"), "left_on"),
        (lambda: BonusPolicy(multipliers={0: 1}), "multipliers[0]"),
        (lambda: BonusPolicy(multipliers={3: -1}), "multipliers[3]"),
        (lambda: BonusPolicy(multipliers={3: "x"}), "multipliers[3]"),
        (lambda: BonusPolicy(multipliers=[1]), "multipliers"),
        (lambda: BonusPolicy(cap_multiple=0), "cap_multiple"),
        (lambda: BonusPolicy(floor_multiple=-1), "floor_multiple"),
        (
            lambda: allocate_bonus_pool(
                Money(D(10), TWD),
                [BonusMember("a", band=3, hired_on=date(2020, 1, 1), target_bonus=1.5)],
                None,
                YEAR,
            ),
            "members[0].target_bonus",
        ),
        (
            lambda: BonusMember(
                "a", band=3, hired_on=date(2020, 1, 1), target_bonus=0.123, currency="USD"
            ),
            "target_bonus",
        ),
        (lambda: Money(D(1), "XXX"), "currency"),
        (lambda: Money(D(1), 5), "currency"),
        (lambda: loads(BonusPolicy, '{"multipliers": {"x": 1}}'), "$.multipliers['x']"),
        (lambda: BonusPolicy(cap_multiple="2"), "cap_multiple"),
        (lambda: BonusPolicy(cap_multiple=1, floor_multiple=2), "floor_multiple"),
        (lambda: compute_bonuses([], period=YEAR), "currency"),
        (lambda: compute_bonuses([], currency=TWD), "period"),
        (lambda: compute_bonuses([], period=YEAR, budget=D(1)), "budget"),
        (lambda: compute_bonuses([], period=YEAR, budget=Money(D(-1), TWD)), "budget"),
    ],
)
def test_bad_input_names_the_path(call, path):
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.path == path


def test_compute_bonuses_without_and_with_a_budget():
    team = [member("a", 4, 1000), member("b", 3, 1000), member("c", 3, 1000)]
    # without a budget: 1,250 + 1,000 + 1,000
    free = compute_bonuses(team, period=YEAR, currency=TWD)
    assert free.amounts() == {"a": D(1250), "b": D(1000), "c": D(1000)}
    assert free.pool is None
    # a budget of 3,000 < 3,250 scales down in proportion: 1,153.8 / 923.1 / 923.1
    tight = compute_bonuses(team, period=YEAR, budget=Money(D(3000), TWD))
    assert tight.amounts() == {"a": D(1154), "b": D(923), "c": D(923)}
    assert tight.allocated == D(3000)
    assert tight.unallocated == 0
    # a budget that is not reached changes nothing and reports what is left
    loose = compute_bonuses(team, period=YEAR, budget=Money(D(5000), TWD))
    assert loose.amounts() == free.amounts()
    assert loose.unallocated == D(1750)
    capped = compute_bonuses(
        team, BonusPolicy(cap_multiple=D("1.1"), floor_multiple=D("1.05")), YEAR, currency=TWD
    )
    assert capped.amounts() == {"a": D(1100), "b": D(1050), "c": D(1050)}
    assert capped.line("a").capped
    assert capped.line("b").floored
    with_ineligible = compute_bonuses([*team, member("d", 1, 1000)], period=YEAR, currency=TWD)
    assert with_ineligible.line("d").amount == 0
    assert str(Money(D("1234.50"), USD)) == "1,234.50 USD"


def test_fairness_summary_flags_inversions():
    # a multiplier table that pays band 2 more than band 3 (1.2 against 1.0): weights 1,200,
    # 1,000 and 3,000; a pool of 5,200 pays them exactly, ratios 1.2, 1.0 and 1.0.
    team = [member("a", 2, 1000), member("b", 3, 1000), member("c", 3, 3000), member("z", 1, 9)]
    policy = BonusPolicy(multipliers={2: D("1.2"), 3: D(1)})
    result = allocate_bonus_pool(Money(D(5200), TWD), team, policy, YEAR)
    assert result.amounts() == {"a": D(1200), "b": D(1000), "c": D(3000), "z": D(0)}
    summary = fairness_summary(result)
    bands = {b.band: b for b in summary.bands}
    assert bands[2].mean_ratio > bands[3].mean_ratio
    assert summary.inversions == ((2, 3),)
    assert not summary.fair
    assert bands[3].spread == pytest.approx(0.0, abs=0.01)
    assert sum(b.pool_share for b in summary.bands) == pytest.approx(1.0)


def test_allocation_records_and_json():
    result = allocate_bonus_pool(Money(D(1000), TWD), [member("a", 3, 100)], None, YEAR)
    assert result.to_records()[0]["amount"] == D(1000)
    assert loads(BonusAllocation, dumps(result)) == result
    with pytest.raises(InvalidInputError):
        result.line("zz")
    policy = BonusPolicy(target_percent=D(12), cap_multiple=D(2))
    assert loads(BonusPolicy, dumps(policy)) == policy


# --- properties ------------------------------------------------------------------------------


policies = st.builds(
    BonusPolicy,
    min_band=st.integers(1, 3),
    cap_multiple=st.none() | st.sampled_from([D(1), D("1.5"), D(2)]),
    floor_multiple=st.sampled_from([D(0), D(0), D("0.25")]),
    min_tenure_days=st.sampled_from([0, 0, 90]),
)


def allocate(team, pool, policy, period):
    # only the floors can make a valid pool too small: that case is None
    try:
        return allocate_bonus_pool(Money(D(pool), TWD), team, policy, period)
    except InvalidInputError as err:
        if err.path != "pool":
            raise
        return None


@given(bonus_teams(), st.integers(0, 2_000_000), policies, periods())
def test_allocations_sum_exactly_or_report_the_rest(team, pool, policy, period):
    result = allocate(team, pool, policy, period)
    if result is None:
        return
    assert result.allocated + result.unallocated == D(pool)
    assert result.unallocated >= 0
    if result.unallocated:
        assert result.unallocated_reason is not None
    for line in result.lines:
        assert line.amount >= 0
        if line.cap is not None:
            assert line.amount <= line.cap
        if not line.eligible:
            assert line.amount == 0
        else:
            assert line.amount >= line.floor
        assert 0 <= line.proration <= 1


@given(bonus_teams(), st.integers(0, 2_000_000), policies, periods(), st.randoms())
def test_the_order_of_members_does_not_matter(team, pool, policy, period, rnd):
    shuffled = list(team)
    rnd.shuffle(shuffled)
    assert allocate(shuffled, pool, policy, period) == allocate(team, pool, policy, period)


@given(bonus_teams(), st.integers(0, 2_000_000), policies, periods())
def test_more_weight_never_means_less(team, pool, policy, period):
    result = allocate(team, pool, policy, period)
    if result is None:
        return
    lines = [line for line in result.lines if line.eligible]
    for a in lines:
        for b in lines:
            higher_weight = a.weight > b.weight  # equal weights may differ by the odd quantum
            # caps and floors are personal (multiples of the prorated target): compare members
            # whose cap and floor are at least as high
            bounds = a.floor >= b.floor and (
                a.cap is None or (b.cap is not None and a.cap >= b.cap)
            )
            if higher_weight and bounds:
                assert a.amount >= b.amount


@given(bonus_teams(), st.integers(0, 1_000_000), st.integers(2, 10), periods())
def test_scaling_the_pool_scales_every_share(team, pool, k, period):
    policy = BonusPolicy()
    base = allocate(team, pool, policy, period)
    scaled = allocate(team, pool * k, policy, period)
    if not any(line.eligible for line in base.lines):
        return
    for line in base.lines:
        assert abs(scaled.line(line.member_id).amount - k * line.amount) <= k


@given(bonus_teams(), st.integers(1, 2_000_000), policies, periods())
def test_linear_members_share_one_rate_and_capped_ones_would_have_had_more(
    team, pool, policy, period
):
    result = allocate(team, pool, policy, period)
    if result is None:
        return
    eligible = [line for line in result.lines if line.eligible and line.weight > 0]
    linear = [line for line in eligible if not line.capped and not line.floored]
    for a in linear:
        for b in linear:
            ra, rb = float(a.amount) / a.weight, float(b.amount) / b.weight
            assert abs(ra - rb) <= 1.0001 / a.weight + 1.0001 / b.weight
    for capped in (line for line in eligible if line.capped):
        for b in linear:
            # `capped` is read off the amount, which is within one unit of the exact share
            assert float(capped.cap - 1) / capped.weight <= float(b.amount + 1) / b.weight * 1.0001


def test_a_member_employed_the_whole_period_prorates_to_one():
    m = member("a", 3, 100, hired=date(2026, 1, 1), left_on=date(2026, 12, 31))
    result = allocate_bonus_pool(Money(D(100), TWD), [m], None, YEAR)
    assert result.line("a").proration == 1.0
    assert attrs.evolve(m, left_on=None).left_on is None


# --- nothing paid beyond the pool or budget; floors and caps never cross ----------------------

import decimal  # noqa: E402
import math  # noqa: E402
from datetime import timedelta  # noqa: E402

from mteam.money import JPY  # noqa: E402


def test_two_halves_rounded_up_no_longer_exceed_the_budget():
    # 20.01 x 0.5 = 10.005 each: rounding each half up paid 10.01 + 10.01 = 20.02 of 20.01.
    pair = [member("a", 2, "20.01"), member("b", 2, "20.01")]
    result = compute_bonuses(pair, period=YEAR, budget=Money(D("20.01"), USD))
    assert result.allocated == D("20.01")
    assert result.unallocated == 0
    assert result.amounts() == {"a": D("10.01"), "b": D("10.00")}
    free = compute_bonuses(pair, period=YEAR, currency="USD")
    assert free.allocated == D("20.01")


def test_a_prorated_floor_never_exceeds_the_prorated_cap():
    # floor = cap = 1 x a 100 TWD target, employed 1 day of 3: 33.33... is 34 rounded up and
    # 33 rounded down. It used to pay 33 against a floor of 34; the cap wins: floor 33.
    three_days = Period(date(2026, 1, 1), date(2026, 1, 3))
    late = member("a", 3, 100, hired=date(2026, 1, 3))
    policy = BonusPolicy(floor_multiple=1, cap_multiple=1, multipliers={3: 1})
    for result in (
        compute_bonuses([late], policy, three_days, currency=TWD),
        allocate_bonus_pool(Money(D(33), TWD), [late], policy, three_days),
    ):
        line = result.line("a")
        assert (line.floor, line.cap, line.amount) == (D(33), D(33), D(33))
        assert line.floor <= line.amount <= line.cap


def test_floors_above_the_budget_are_refused_not_scaled_below():
    # Two floors of 600 cannot both be met from 1,000: it used to scale them to 500 each.
    team = [member("a", 3, 1000), member("b", 3, 1000)]
    policy = BonusPolicy(floor_multiple=D("0.6"))
    with pytest.raises(InvalidInputError) as info:
        compute_bonuses(team, policy, YEAR, budget=Money(D(1000), TWD))
    assert info.value.path == "budget"
    # a budget that binds scales down above the floors: 650 / 650 would be 1,300 > 1,200
    fits = compute_bonuses(team, policy, YEAR, budget=Money(D(1200), TWD))
    assert fits.amounts() == {"a": D(600), "b": D(600)}


def test_huge_targets_and_pools_are_input_errors_not_invalid_operation():
    # a target of 10^28 JPY raised decimal.InvalidOperation; a pool of 10^28 + 1 JPY reported
    # allocated = 1.000...E+28 and unallocated 1.
    with pytest.raises(InvalidInputError) as info:
        allocate_bonus_pool(Money(D(100), JPY), [member("a", 3, 10**28)], None, YEAR)
    assert info.value.path == "target_bonus"
    with pytest.raises(InvalidInputError) as info:
        BonusMember("a", band=3, hired_on=date(2020, 1, 1), base_salary=D("1E+40"))
    assert info.value.path == "base_salary"
    with pytest.raises(InvalidInputError) as info:
        BonusPolicy(cap_multiple=10**31)
    assert info.value.path == "cap_multiple"
    top = Money(10**18, JPY)
    result = allocate_bonus_pool(top, [member("a", 3, 10**18), member("b", 3, 1)], None, YEAR)
    assert result.allocated == D(10**18)
    assert result.unallocated == 0
    assert sum(Fraction(v) for v in result.amounts().values()) == 10**18


def _team_run():
    team = [member("a", 4, "1234.57"), member("b", 3, "999.99"), member("c", 2, "0.03")]
    policy = BonusPolicy(cap_multiple=D("1.3"), floor_multiple=D("0.2"))
    return (
        allocate_bonus_pool(Money(D("1234567.89"), USD), team, policy, YEAR),
        compute_bonuses(team, policy, YEAR, budget=Money(D("2000.00"), USD)),
        compute_bonuses(team, policy, YEAR, currency=USD),
    )


@pytest.mark.parametrize(
    "context",
    [
        decimal.Context(prec=5),
        decimal.Context(traps=[decimal.Inexact, decimal.Rounded, decimal.InvalidOperation]),
    ],
)
def test_bonuses_do_not_depend_on_the_callers_decimal_context(context):
    expected = _team_run()
    with decimal.localcontext(context):
        assert _team_run() == expected


# --- every field of the policy and the member is checked when built ---------------------------


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"multipliers": {3: D("1E+40")}}, "multipliers[3]"),
        ({"multipliers": {3: float("nan")}}, "multipliers[3]"),
        ({"multipliers": {True: 1}}, "multipliers[True]"),
        ({"target_percent": -1}, "target_percent"),
        ({"target_percent": "10"}, "target_percent"),
        ({"target_percent": D("1E-40")}, "target_percent"),
        ({"min_band": 0}, "min_band"),
        ({"min_band": 2.0}, "min_band"),
        ({"min_tenure_days": -1}, "min_tenure_days"),
        ({"cap_multiple": 10**31}, "cap_multiple"),
        ({"cap_multiple": D("Infinity")}, "cap_multiple"),
        ({"floor_multiple": None}, "floor_multiple"),
        ({"prorate": "yes"}, "prorate"),
        ({"prorate": 1}, "prorate"),
    ],
)
def test_bonus_policy_names_each_wrong_field(kwargs, path):
    with pytest.raises(InvalidInputError) as info:
        BonusPolicy(**kwargs)
    assert info.value.path == path


_NOT_NUMBERS = st.none() | st.text(max_size=3) | st.lists(st.integers(), max_size=2) | st.booleans()


@given(
    st.sampled_from(["target_percent", "cap_multiple", "floor_multiple", "prorate", "min_band"]),
    _NOT_NUMBERS | st.just(object()),
)
def test_bonus_policy_refuses_wrong_types(field, value):
    if field in {"target_percent", "cap_multiple"} and value is None:
        return  # None means "not used" for these two
    if field == "prorate" and isinstance(value, bool):
        return
    with pytest.raises(InvalidInputError) as info:
        BonusPolicy(**{field: value})
    assert info.value.path == field


@given(
    st.sampled_from(["target_bonus", "base_salary", "currency"]),
    st.text(alphabet="xyz!", min_size=1, max_size=3) | st.booleans() | st.just(object()),
)
def test_bonus_member_refuses_wrong_types(field, value):
    with pytest.raises(InvalidInputError) as info:
        BonusMember("a", band=3, hired_on=date(2020, 1, 1), **{field: value})
    assert info.value.path == field


def test_bonus_member_takes_plain_amounts_and_a_currency():
    m = BonusMember(
        "a",
        band=3,
        hired_on=date(2020, 1, 1),
        target_bonus=1500,
        base_salary="100.5",
        currency=USD,
    )
    assert (m.target_bonus, m.base_salary, m.currency) == (D(1500), D("100.5"), "USD")
    result = allocate_bonus_pool(Money("10.00", "USD"), [m], None, YEAR)
    assert result.amounts() == {"a": D("10.00")}


# --- random teams against an exact Fraction oracle -------------------------------------------


def _fill_oracle(claims, total):
    """Exact water-filling: clamp(lam x w, floor, cap) summing to `total` (bisection-free)."""
    active = [c for c in claims if c[1] > 0]
    if not active:
        return {}, total
    caps = [c[3] for c in active]
    if all(cap is not None for cap in caps) and sum(caps) <= total:
        return {c[0]: Fraction(c[3]) for c in active}, total - sum(caps)

    def spend(lam):
        out = 0
        for _, w, f, cap in active:
            v = max(Fraction(f), lam * w)
            out += v if cap is None else min(v, Fraction(cap))
        return out

    points = sorted(
        {Fraction(f) / w for _, w, f, _ in active}
        | {Fraction(cap) / w for _, w, _, cap in active if cap is not None}
    )
    low = Fraction(0)
    for p in points:
        if spend(p) >= total:
            break
        low = p
    else:
        p = low + total  # beyond every bend: linear from `low`
    # spend is linear between low and p
    s0, s1 = spend(low), spend(p)
    lam = low + (p - low) * (total - s0) / (s1 - s0) if s1 != s0 else p
    shares = {}
    for key, w, f, cap in active:
        v = max(Fraction(f), lam * w)
        shares[key] = v if cap is None else min(v, Fraction(cap))
    return shares, Fraction(0)


def _oracle_claims(team, policy, period, quantum):
    """(id, weight in minor units, floor, cap) for the eligible members, from first principles."""
    out = []
    for m in team:
        first = max(m.hired_on, period.start)
        last = period.end if m.left_on is None else min(period.end, m.left_on)
        days = max(0, (last - first).days + 1)
        tenure = (last - m.hired_on).days + 1
        multiplier = Fraction(policy.multiplier(m.band)) if m.band is not None else 0
        target = Fraction(m.target_bonus) / quantum
        if (
            m.band is None
            or days == 0
            or m.band < policy.min_band
            or tenure < policy.min_tenure_days
            or multiplier == 0
            or target == 0
        ):
            continue
        prorated = target * Fraction(days, period.days)
        cap = None
        if policy.cap_multiple is not None:
            cap = math.floor(prorated * Fraction(policy.cap_multiple))
        floor = math.ceil(prorated * Fraction(policy.floor_multiple))
        floor = floor if cap is None else min(floor, cap)
        out.append((m.id, prorated * multiplier, floor, cap))
    return out


@st.composite
def _usd_teams(draw):
    period = draw(periods())
    team = []
    for i in range(draw(st.integers(1, 7))):
        hired = draw(st.dates(period.start - timedelta(days=900), period.end + timedelta(days=5)))
        left = draw(st.none() | st.dates(hired, hired + timedelta(days=900)))
        cents = draw(st.integers(0, 3_000_000) | st.sampled_from([1, 3, 2001, 100_001]))
        band = draw(st.none() | st.integers(1, 5))
        team.append(
            BonusMember(
                f"m{i}",
                band=band,
                hired_on=hired,
                left_on=left,
                target_bonus=D(cents).scaleb(-2),
            )
        )
    policy = BonusPolicy(
        min_band=draw(st.integers(1, 3)),
        min_tenure_days=draw(st.sampled_from([0, 0, 60])),
        cap_multiple=draw(st.none() | st.sampled_from([D(1), D("1.2"), D(2)])),
        floor_multiple=draw(st.sampled_from([D(0), D("0.25"), D(1)])),
    )
    if policy.cap_multiple is not None and policy.floor_multiple > policy.cap_multiple:
        policy = attrs.evolve(policy, floor_multiple=policy.cap_multiple)
    return team, policy, period


def _check_against_oracle(result, team, policy, period, total):
    quantum = Fraction(1, 100)
    claims = _oracle_claims(team, policy, period, quantum)
    shares, left = _fill_oracle(claims, Fraction(total))
    units = {k: Fraction(v) / quantum for k, v in result.amounts().items()}
    assert sum(units.values()) == total - left  # conserved to the cent
    eligible = {c[0]: c for c in claims}
    for k, paid in units.items():
        assert paid >= 0
        if k not in eligible:
            assert paid == 0
            continue
        _, _, floor, cap = eligible[k]
        assert floor <= paid
        assert cap is None or paid <= cap
        assert abs(paid - shares[k]) < 1
    for a in claims:  # a higher weight with bounds at least as high never gets less
        for b in claims:
            higher_bounds = a[2] >= b[2] and (a[3] is None or (b[3] is not None and a[3] >= b[3]))
            if a[1] > b[1] and higher_bounds:
                assert units[a[0]] >= units[b[0]]


@given(_usd_teams(), st.integers(0, 10**9), st.randoms(use_true_random=False))
def test_pool_allocations_against_the_oracle(case, pool_cents, rnd):
    team, policy, period = case
    pool = Money(D(pool_cents).scaleb(-2), USD)
    floors = sum(c[2] for c in _oracle_claims(team, policy, period, Fraction(1, 100)))
    if floors > pool_cents:
        with pytest.raises(InvalidInputError) as info:
            allocate_bonus_pool(pool, team, policy, period)
        assert info.value.path == "pool"
        return
    result = allocate_bonus_pool(pool, team, policy, period)
    _check_against_oracle(result, team, policy, period, pool_cents)
    assert result.allocated + result.unallocated == pool.amount
    shuffled = list(team)
    rnd.shuffle(shuffled)
    assert allocate_bonus_pool(pool, shuffled, policy, period) == result


@given(_usd_teams(), st.none() | st.integers(0, 10**8), st.randoms(use_true_random=False))
def test_bonuses_without_a_pool_against_the_oracle(case, budget_cents, rnd):
    team, policy, period = case
    quantum = Fraction(1, 100)
    claims = _oracle_claims(team, policy, period, quantum)
    owed = sum(
        max(Fraction(f), w) if cap is None else min(max(Fraction(f), w), Fraction(cap))
        for _, w, f, cap in claims
    )
    total = math.floor(owed + Fraction(1, 2))
    budget = None if budget_cents is None else Money(D(budget_cents).scaleb(-2), USD)
    if budget_cents is not None:
        if sum(c[2] for c in claims) > budget_cents:
            with pytest.raises(InvalidInputError) as info:
                compute_bonuses(team, policy, period, budget=budget)
            assert info.value.path == "budget"
            return
        total = min(total, budget_cents)
    result = compute_bonuses(team, policy, period, budget=budget, currency=USD)
    _check_against_oracle(result, team, policy, period, total)
    if budget is not None:
        assert result.allocated <= budget.amount
        assert result.allocated + result.unallocated == budget.amount
    shuffled = list(team)
    rnd.shuffle(shuffled)
    assert compute_bonuses(shuffled, policy, period, budget=budget, currency=USD) == result


def test_bonus_results_check_their_fields_when_built():
    line = allocate_bonus_pool(Money(D(10), TWD), [member("a", 3, 100)], None, YEAR).lines[0]
    for field, value in (
        ("member_id", 5),
        ("eligible", "yes"),
        ("reason", 3),
        ("band", "3"),
        ("multiplier", 1.0),
        ("days_employed", -1),
        ("proration", 1.5),
        ("amount", 10),
        ("cap", "10"),
        ("capped", None),
    ):
        with pytest.raises(InvalidInputError) as info:
            attrs.evolve(line, **{field: value})
        assert info.value.path == field
    with pytest.raises(InvalidInputError) as info:
        BonusAllocation(TWD, None, ["x"], D(0), D(0), None)
    assert info.value.path == "lines[0]"
    with pytest.raises(InvalidInputError) as info:
        BonusAllocation("TWD", None, (), D(0), D(0), None)
    assert info.value.path == "currency"
