import io
import itertools
import json
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from mteam.cli import main
from mteam.errors import InvalidInputError
from mteam.io import (
    analyse_sample,
    dumps,
    loads,
    members_csv,
    read_members,
    read_transactions,
    summarise_csv,
)
from mteam.membership.analysis import (
    SAMPLE_AS_OF,
    MemberAnalysis,
    MembershipPolicy,
    analyse,
    score_members,
)
from mteam.membership.cltv import cohort_cltv, geometric_cltv, sbg_cltv, simple_cltv
from mteam.membership.records import Member, Transaction
from mteam.membership.retention import CohortTable, cohort_table, period_retention
from mteam.membership.rfm import (
    RFMPolicy,
    SegmentRule,
    quintile_scores,
    rank_scores,
    rfm,
    rfm_cuts,
)
from mteam.membership.sbg import SBGModel, _nelder_mead, fit_sbg, fit_sbg_durations, hyp2f1
from mteam.membership.summary import add_months, months_between, summarise
from mteam.membership.survival import (
    duration_table,
    kaplan_meier,
    kaplan_meier_table,
)
from mteam.membership.tiers import PointsPolicy, Tier, TierPolicy, assign_tiers, points_balances
from mteam.membership.units import Duration, Rate
from mteam.money import TWD, USD, Money
from mteam.report import format_member_report

D = Decimal
AS_OF = date(2025, 12, 31)


@st.composite
def member_bases(draw, max_members=12):
    n = draw(st.integers(1, max_members))
    members, sales = [], []
    for i in range(n):
        joined = draw(st.dates(date(2023, 1, 1), AS_OF))
        left = draw(st.none() | st.dates(joined, AS_OF))
        members.append(Member(f"m{i:02d}", joined, left))
        for _ in range(draw(st.integers(0, 4))):
            day = draw(st.dates(joined, AS_OF))
            sales.append(Transaction(f"m{i:02d}", day, D(draw(st.integers(1, 5000)))))
    return members, sales


# --- summary ---------------------------------------------------------------------------------


def test_summary_by_hand():
    members = [Member("a", date(2025, 1, 31)), Member("b", date(2024, 6, 1), date(2025, 2, 1))]
    sales = [
        Transaction("a", date(2025, 2, 28), D(100)),  # month 1 for a (31 Jan + 1 month = 28 Feb)
        Transaction("a", date(2025, 12, 1), D(50)),
        Transaction("b", date(2024, 6, 15), D(70)),
        Transaction("b", date(2024, 12, 31), D(30)),  # within the trailing 12 months? no: Dec 31
    ]
    base = summarise(members, sales, AS_OF)
    a = base.stats["a"]
    assert (a.purchases, a.revenue, a.first_purchase, a.last_purchase) == (
        2,
        D(150),
        date(2025, 2, 28),
        date(2025, 12, 1),
    )
    assert a.active_months() == (1, 10)
    assert a.trailing_revenue == D(150)
    # the trailing window is (2024-12-31, 2025-12-31]: b's purchase on 2024-12-31 is outside
    assert base.stats["b"].trailing_revenue == D(0)
    assert base.revenue == {"2024-06": {0: D(70), 6: D(30)}, "2025-01": {1: D(100), 10: D(50)}}
    assert len(base) == 2
    assert months_between(date(2025, 1, 31), date(2025, 2, 28)) == 1


@pytest.mark.parametrize(
    ("members", "sales", "path"),
    [
        (
            [Member("a", date(2025, 1, 1))],
            [Transaction("z", date(2025, 2, 1), D(1))],
            "transactions[0].member_id",
        ),
        (
            [Member("a", date(2025, 1, 1))],
            [Transaction("a", date(2024, 2, 1), D(1))],
            "transactions[0].on",
        ),
        (
            [Member("a", date(2025, 1, 1))],
            [Transaction("a", date(2026, 2, 1), D(1))],
            "transactions[0].on",
        ),
        (
            [Member("a", date(2025, 1, 1))],
            [Transaction("a", date(2025, 2, 1), D(-1))],
            "transactions[0].amount",
        ),
        (
            [Member("a", date(2025, 1, 1))],
            [Transaction("a", date(2025, 2, 1), D(-1), line=7)],
            "line 7.amount",
        ),
        ([Member("a", date(2026, 1, 1))], [], "members[0].joined_on"),
        ([Member("a", date(2025, 1, 1), date(2026, 1, 1))], [], "members[0].left_on"),
        (
            [Member("a", date(2025, 1, 1)), Member("b", date(2025, 1, 1), date(2026, 1, 1))],
            [],
            "members[1].left_on",
        ),
        ([Member("a", date(2025, 1, 1))] * 2, [], "members[1].id"),
        (["a"], [], "members[0]"),
    ],
)
def test_summary_refuses_bad_rows(members, sales, path):
    with pytest.raises(InvalidInputError) as info:
        summarise(members, sales, AS_OF)
    assert info.value.path == path


def test_refunds_when_allowed():
    base = summarise(
        [Member("a", date(2025, 1, 1))],
        [Transaction("a", date(2025, 2, 1), D(100)), Transaction("a", date(2025, 2, 2), D(-40))],
        AS_OF,
        allow_refunds=True,
    )
    assert base.stats["a"].revenue == D(60)
    with pytest.raises(InvalidInputError, match="as_of"):
        summarise([], [], "2025-01-01")


@given(member_bases(), st.randoms(use_true_random=False))
def test_partitions_add_up_to_the_whole(data, rnd):
    members, sales = data
    cut = rnd.randrange(len(members) + 1)
    left_ids = {m.id for m in members[:cut]}
    part_a = summarise(members[:cut], [t for t in sales if t.member_id in left_ids], AS_OF)
    part_b = summarise(members[cut:], [t for t in sales if t.member_id not in left_ids], AS_OF)
    whole = summarise(members, sales, AS_OF)
    assert part_a + part_b == whole
    assert cohort_table(part_a) + cohort_table(part_b) == cohort_table(whole)
    assert duration_table(part_a, "month") + duration_table(part_b, "month") == duration_table(
        whole, "month"
    )
    start = date(2025, 1, 1)
    assert period_retention(part_a, start, AS_OF) + period_retention(
        part_b, start, AS_OF
    ) == period_retention(whole, start, AS_OF)
    shuffled = list(sales)
    rnd.shuffle(shuffled)
    assert summarise(list(reversed(members)), shuffled, AS_OF) == whole


def test_adding_summaries_checks_dates_and_overlap():
    a = summarise([Member("a", date(2025, 1, 1))], [], AS_OF)
    with pytest.raises(InvalidInputError, match="as_of"):
        a + summarise([Member("b", date(2025, 1, 1))], [], date(2025, 11, 30))
    with pytest.raises(InvalidInputError, match="share members"):
        a + a
    assert a.__add__(3) is NotImplemented


# --- retention and cohorts -------------------------------------------------------------------


def test_period_retention_by_hand():
    members = [
        Member("a", date(2024, 3, 1)),  # there at the start and the end
        Member("b", date(2024, 3, 1), date(2025, 6, 30)),  # left during
        Member("c", date(2025, 3, 1)),  # joined during: not counted
        Member("d", date(2023, 1, 1), date(2024, 12, 31)),  # left before the start
    ]
    counts = period_retention(members, date(2025, 1, 1), AS_OF)
    assert (counts.at_start, counts.retained, counts.joined) == (2, 1, 1)
    assert counts.retention == 0.5
    assert counts.churn == 0.5
    empty = period_retention([], date(2025, 1, 1), AS_OF)
    assert empty.retention is None
    assert empty.churn is None
    with pytest.raises(InvalidInputError, match="end"):
        period_retention(members, AS_OF, date(2025, 1, 1))
    with pytest.raises(InvalidInputError, match="start"):
        period_retention(members, "2025-01-01", AS_OF)
    with pytest.raises(InvalidInputError, match="members"):
        period_retention(["x"], date(2025, 1, 1), AS_OF)
    with pytest.raises(InvalidInputError, match="period"):
        counts + period_retention(members, date(2025, 2, 1), AS_OF)
    assert counts.__add__(1) is NotImplemented


@given(member_bases(), st.dates(date(2023, 1, 1), AS_OF), st.integers(0, 400))
def test_retention_and_churn_are_in_the_unit_interval_and_add_to_one(data, start, length):
    members, _ = data
    counts = period_retention(members, start, min(AS_OF, start + timedelta(days=length)))
    if counts.retention is not None:
        assert 0 <= counts.retention <= 1
        assert counts.retention + counts.churn == 1


def test_cohort_table_by_hand():
    members = [
        Member("a", date(2025, 9, 10)),
        Member("b", date(2025, 9, 20), date(2025, 11, 5)),
        Member("c", date(2025, 10, 5)),
    ]
    sales = [
        Transaction("a", date(2025, 9, 15), D(10)),
        Transaction("b", date(2025, 10, 25), D(10)),
    ]
    table = cohort_table(summarise(members, sales, date(2025, 12, 15)))
    sept = table.cells["2025-09"]
    # ages 0..2 observed for both (10 Nov, 20 Nov, 10 Dec are on or before 15 Dec; 20 Dec is not)
    assert [(k, c.observed, c.alive, c.active) for k, c in sept.items()] == [
        (0, 2, 2, 1),
        (1, 2, 2, 1),
        (2, 2, 1, 0),
        (3, 1, 1, 0),
    ]
    assert table.survivors("2025-09") == (2, 2, 1)
    assert table.sizes() == {"2025-09": 2, "2025-10": 1}
    assert sept[1].retention == 1.0
    assert sept[1].activity == 0.5
    assert table.to_records()[0] == {
        "cohort": "2025-09",
        "age": 0,
        "observed": 2,
        "alive": 2,
        "active": 1,
        "retention": 1.0,
        "activity": 0.5,
    }
    with pytest.raises(InvalidInputError, match="unknown cohort"):
        table.survivors("2019-01")
    with pytest.raises(InvalidInputError, match="as_of"):
        table + CohortTable(date(2020, 1, 1), {})
    assert table.__add__(1) is NotImplemented
    with pytest.raises(InvalidInputError, match="MemberBase"):
        cohort_table(members)


# --- survival --------------------------------------------------------------------------------


def test_kaplan_meier_by_hand_with_ties_and_censoring():
    # Kaplan & Meier's product-limit: at 3, five at risk, one event (one censored at 3 stays
    # at risk at 3); S = 5/6 * 4/5 = 2/3; at 5: three at risk, S = 2/3 * 2/3 = 4/9
    curve = kaplan_meier([2, 3, 3, 5, 6, 8], [True, True, False, True, False, True], "month")
    assert curve.survival == pytest.approx((5 / 6, 2 / 3, 4 / 9, 0.0))
    assert curve.censored == (0, 1, 0, 0)
    assert curve.median == 5
    assert curve.at(0) == 1.0
    assert curve.at(4) == pytest.approx(2 / 3)
    assert curve.unit.value == "month"
    assert curve.to_records()[0] == {
        "time": 2,
        "at_risk": 6,
        "events": 1,
        "censored": 0,
        "survival": 5 / 6,
        "lower": curve.lower[0],
        "upper": curve.upper[0],
    }
    assert kaplan_meier([1, 2], [False, False]).median is None


@given(st.lists(st.integers(0, 50), min_size=1, max_size=40))
def test_without_censoring_km_is_the_empirical_survival_function(durations):
    curve = kaplan_meier(durations, [True] * len(durations))
    n = len(durations)
    for t, s in zip(curve.times, curve.survival, strict=True):
        assert s == pytest.approx(sum(1 for d in durations if d > t) / n, abs=1e-12)


@given(st.lists(st.tuples(st.integers(0, 50), st.booleans()), min_size=1, max_size=40))
def test_survival_is_non_increasing_in_the_unit_interval(rows):
    curve = kaplan_meier([d for d, _ in rows], [o for _, o in rows])
    values = [1.0, *curve.survival]
    assert all(0 <= b <= a <= 1 for a, b in itertools.pairwise(values))


def test_km_from_a_member_base_and_its_tables():
    members = [
        Member("a", date(2025, 1, 1), date(2025, 3, 15)),
        Member("b", date(2025, 2, 1)),
        Member("c", date(2024, 1, 1), date(2025, 1, 1)),
    ]
    base = summarise(members, [], AS_OF)
    assert duration_table(base, "week").counts == {10: (1, 0), 47: (0, 1), 52: (1, 0)}
    days = duration_table(base)
    assert days.counts == {73: (1, 0), 333: (0, 1), 366: (1, 0)}
    curve = kaplan_meier_table(days)
    assert curve == kaplan_meier([73, 333, 366], [True, False, True], "day")
    with pytest.raises(InvalidInputError, match="unit"):
        days + duration_table(base, "month")
    assert days.__add__(1) is NotImplemented
    with pytest.raises(InvalidInputError, match="DurationTable"):
        kaplan_meier_table([1])


@pytest.mark.parametrize(
    ("durations", "observed", "path"),
    [([1, 2], [True], "observed"), ([-1], [True], "durations[0]"), ([1], [2], "observed[0]")],
)
def test_bad_km_input(durations, observed, path):
    with pytest.raises(InvalidInputError) as info:
        kaplan_meier(durations, observed)
    assert info.value.path == path


def test_duration_years():
    base = summarise([Member("a", date(2023, 6, 1), date(2025, 7, 1))], [], AS_OF)
    assert duration_table(base, "year").counts == {2: (1, 0)}


# --- sBG -------------------------------------------------------------------------------------

# Fader & Hardie (2007), "How to Project Customer Retention", Journal of Interactive Marketing
# 21(1): customers alive at the start of years 1..8 of two segments, with the published MLEs.
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]


def test_fader_hardie_2007_estimates():
    high = fit_sbg(HIGH_END, unit="year")
    assert (round(high.alpha, 3), round(high.beta, 3)) == (0.668, 3.806)
    regular = fit_sbg(REGULAR, unit="year")
    assert (round(regular.alpha, 3), round(regular.beta, 3)) == (0.704, 1.182)
    assert high.converged
    assert regular.converged
    assert high.log_likelihood == pytest.approx(-1611.158, abs=1e-3)
    assert regular.log_likelihood == pytest.approx(-1680.265, abs=1e-3)
    assert high.members == 1000
    # r(t) = (beta + t - 1) / (alpha + beta + t - 1)
    assert high.retention(1) == pytest.approx(high.beta / (high.alpha + high.beta))
    assert high.churn_probability(1) == pytest.approx(high.alpha / (high.alpha + high.beta))
    assert high.survival(1) == pytest.approx(1 - high.churn_probability(1))


def simulate(alpha, beta, n, periods, seed):
    rng = random.Random(seed)  # noqa: S311 - a seeded simulation, not cryptography
    alive = [n] + [0] * periods
    durations, observed = [], []
    for _ in range(n):
        theta = rng.betavariate(alpha, beta)
        t = 1
        while t <= periods and rng.random() >= theta:
            t += 1
        left = t <= periods
        durations.append(t if left else periods)
        observed.append(left)
        for k in range(1, min(t, periods + 1)):
            alive[k] += 1
    return alive, durations, observed


def test_the_fit_recovers_simulated_parameters():
    alive, durations, observed = simulate(0.8, 2.5, 20000, 12, seed=11)
    model = fit_sbg(alive)
    assert model.alpha == pytest.approx(0.8, rel=0.1)
    assert model.beta == pytest.approx(2.5, rel=0.1)
    # the same people as individuals, censored at 12 periods: the same likelihood maximum
    individual = fit_sbg_durations(durations, observed)
    assert individual.alpha == pytest.approx(model.alpha, rel=1e-6)
    assert individual.beta == pytest.approx(model.beta, rel=1e-6)
    # the true values lie within three standard errors
    assert abs(model.alpha - 0.8) < 3 * model.se_alpha
    assert abs(model.beta - 2.5) < 3 * model.se_beta


def test_pooled_cohorts_of_different_ages():
    old, _, _ = simulate(1.2, 3.0, 3000, 10, seed=1)
    young, _, _ = simulate(1.2, 3.0, 3000, 3, seed=2)
    model = fit_sbg([old, young])
    assert model.members == 6000
    single = fit_sbg(old)
    assert model.log_likelihood < single.log_likelihood  # more data, lower total likelihood
    assert model.alpha == pytest.approx(1.2, rel=0.25)


def test_del_and_derl_equal_their_defining_sums():
    model = fit_sbg(HIGH_END, unit="year")
    d = 0.1
    direct_del = sum(model.survival(t) / (1 + d) ** t for t in range(3000))
    assert model.discounted_lifetime(Rate(d, "year")) == pytest.approx(direct_del, rel=1e-9)
    for renewals in (0, 1, 4):
        n = renewals + 1
        direct = sum(
            model.survival(t) / model.survival(n - 1) / (1 + d) ** (t - n) for t in range(n, 3000)
        )
        assert model.derl(Rate(d, "year"), renewals) == pytest.approx(direct, rel=1e-9)
    # a member who has renewed more is worth more (retention rises with tenure)
    assert model.derl(Rate(d, "year"), 4) > model.derl(Rate(d, "year"), 0)
    assert hyp2f1(1, 1, 2, 0) == 1.0


def test_projection_bands():
    model = fit_sbg(HIGH_END, unit="year")
    projection = model.project(12)
    assert projection[0].survival == 1.0
    for p in projection:
        assert 0 <= p.lower <= p.survival <= p.upper <= 1
    assert projection[12].upper - projection[12].lower > projection[1].upper - projection[1].lower
    no_cov = SBGModel(
        0.7, 1.2, -1.0, model.unit, None, None, None, 10, converged=True, iterations=1
    )
    assert no_cov.project(2)[2].lower == no_cov.project(2)[2].survival


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: fit_sbg([1000]), "survivors"),
        (lambda: fit_sbg([]), "survivors"),
        (lambda: fit_sbg([100, 120]), "survivors[1]"),
        (lambda: fit_sbg([100, 100, 100]), "survivors"),
        (lambda: fit_sbg([100, 0]), "survivors"),
        (lambda: fit_sbg([[100, 80], "abc"]), "survivors[1]"),
        (lambda: fit_sbg([100, 80], unit="fortnight"), "unit"),
        (lambda: fit_sbg_durations([1, 2], [True]), "observed"),
        (lambda: fit_sbg_durations([], []), "durations"),
        (lambda: fit_sbg_durations([0], [True]), "durations[0]"),
        (lambda: fit_sbg_durations([1], ["yes"]), "observed[0]"),
        (lambda: fit_sbg(HIGH_END, unit="year").derl(Rate(0.01, "month"), 0), "discount_rate"),
        (lambda: fit_sbg(HIGH_END, unit="year").derl(0.1, 0), "discount_rate"),
        (
            lambda: fit_sbg(HIGH_END, unit="year").discounted_lifetime(Rate(0, "year")),
            "discount_rate",
        ),
        (lambda: fit_sbg(HIGH_END, unit="year").derl(Rate(0.1, "year"), -1), "renewals"),
        (lambda: fit_sbg(HIGH_END, unit="year").project(3, level=1.5), "level"),
        (lambda: hyp2f1(1, 1, 2, 1.0), "z"),
    ],
)
def test_bad_sbg_input(call, path):
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.path == path


# --- CLTV ------------------------------------------------------------------------------------


def test_cltv_by_hand():
    margin = Money(D(300), TWD)
    # first payment counted: 300 * 1.01 / 0.11 = 2754.5 -> 2755
    assert geometric_cltv(
        margin, Rate(0.9, "month"), Rate(0.01, "month"), first_payment=True
    ).amount == D(2755)
    model = fit_sbg(HIGH_END, unit="year")
    value = sbg_cltv(model, Money(D("100.00"), USD), Rate(0.1, "year"), renewals=2)
    assert value.amount == (D(100) * D(repr(model.derl(Rate(0.1, "year"), 2)))).quantize(D("0.01"))
    assert simple_cltv(
        Money(D("25.00"), USD), Rate(2, "week"), 0.5, Duration(10, "week")
    ).amount == D("250.00")


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (
            lambda: simple_cltv(Money(D(1), TWD), Rate(1, "month"), 0.5, Duration(1, "year")),
            "lifetime",
        ),
        (
            lambda: simple_cltv(D(1), Rate(1, "month"), 0.5, Duration(1, "month")),
            "average_order_value",
        ),
        (
            lambda: simple_cltv(Money(D(1), TWD), Rate(1, "month"), 1.5, Duration(1, "month")),
            "gross_margin",
        ),
        (lambda: simple_cltv(Money(D(1), TWD), Rate(1, "month"), 0.5, 12), "lifetime"),
        (lambda: geometric_cltv(Money(D(1), TWD), 0.9, Rate(0.01, "month")), "retention"),
        (
            lambda: geometric_cltv(Money(D(1), TWD), Rate(0.9, "year"), Rate(0.01, "month")),
            "discount_rate",
        ),
        (
            lambda: geometric_cltv(Money(D(1), TWD), Rate(1.2, "month"), Rate(0.3, "month")),
            "retention",
        ),
        (
            lambda: geometric_cltv(Money(D(1), TWD), Rate(1, "month"), Rate(0, "month")),
            "discount_rate",
        ),
        (lambda: sbg_cltv("model", Money(D(1), TWD), Rate(0.1, "year")), "model"),
    ],
)
def test_bad_cltv_input(call, path):
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.path == path


@given(
    st.floats(0, 0.99),
    st.floats(0, 0.99),
    st.floats(0.001, 0.5),
    st.floats(0.001, 0.5),
    st.integers(1, 10**6),
)
def test_cltv_is_monotone(r1, r2, d1, d2, m):
    lo_r, hi_r = sorted([r1, r2])
    lo_d, hi_d = sorted([d1, d2])
    margin = Money(D(m), TWD)

    def value(r, d, mm=margin):
        return geometric_cltv(mm, Rate(r, "month"), Rate(d, "month")).amount

    assert value(lo_r, lo_d) <= value(hi_r, lo_d)  # non-decreasing in retention
    assert value(lo_r, hi_d) <= value(lo_r, lo_d)  # non-increasing in the discount rate
    assert value(lo_r, lo_d) <= value(lo_r, lo_d, Money(D(m + 1), TWD))  # and in margin


@settings(max_examples=20)
@given(st.floats(0.2, 3), st.floats(0.2, 6), st.floats(0.01, 0.3), st.floats(0.01, 0.3))
def test_sbg_cltv_falls_with_the_discount_rate(alpha, beta, d1, d2):
    model = SBGModel(
        alpha, beta, 0.0, fit_sbg(HIGH_END).unit, None, None, None, 1, converged=True, iterations=1
    )
    lo, hi = sorted([d1, d2])
    margin = Money(D(1000), TWD)
    assert (
        sbg_cltv(model, margin, Rate(hi, "month")).amount
        <= sbg_cltv(model, margin, Rate(lo, "month")).amount
    )


def test_cohort_cltv_by_hand():
    members = [Member("a", date(2025, 1, 5)), Member("b", date(2025, 1, 9))]
    sales = [Transaction("a", date(2025, 1, 6), D(100)), Transaction("b", date(2025, 3, 10), D(60))]
    values = cohort_cltv(summarise(members, sales, AS_OF), 0.5)
    # month 0: 100 * 0.5 / 2 = 25; month 2 (b bought 1 day after 2 months): (100 + 60) * 0.5 / 2
    assert values[0].cumulative == {0: D(25), 1: D(25), 2: D(40)}
    assert values[0].members == 2


# --- RFM and tiers ---------------------------------------------------------------------------


@given(st.lists(st.integers(0, 20), min_size=1, max_size=60))
def test_quintile_scores_keep_ties_together_and_order(values):
    scores = quintile_scores(values)
    for v, s in zip(values, scores, strict=True):
        assert 1 <= s <= 5
        for w, t in zip(values, scores, strict=True):
            if v == w:
                assert s == t
            if v < w:
                assert s <= t


@given(st.lists(st.integers(0, 20), min_size=1, max_size=60))
def test_rank_scores_fill_every_quintile_and_keep_order(values):
    ids = [f"m{i:03d}" for i in range(len(values))]
    scores = rank_scores(values, ids)
    n = len(values)
    for k in range(1, 6):
        # score k holds the positions i with 1 + floor(5 i / n) = k
        assert scores.count(k) == sum(1 for i in range(n) if 1 + 5 * i // n == k)
    for v, i, s in zip(values, ids, scores, strict=True):
        for w, j, t in zip(values, ids, scores, strict=True):
            if (v, i) < (w, j):
                assert s <= t


def test_rank_scores_refuse_mismatched_ids():
    with pytest.raises(InvalidInputError, match="ids"):
        rank_scores([1, 2], ["a"])
    with pytest.raises(InvalidInputError, match="values"):
        rank_scores([1, "a"], ["a", "b"])
    with pytest.raises(InvalidInputError, match="ties"):
        RFMPolicy(ties="average")


def test_heavy_ties_fill_five_scores_by_rank_and_one_by_the_shared_rule():
    # 10 members, 6 bought once (as on CDNOW, most of the base): under the shared rule they
    # all get F = 1 and nobody F = 2 or 3; by rank the ten positions give 2 of each score
    members = [Member(f"m{i}", date(2025, 1, 1)) for i in range(10)]
    sales = [Transaction(f"m{i}", date(2025, 2, 1), D(10)) for i in range(10)]
    sales += [Transaction(f"m{i}", date(2025, 3, 1), D(10)) for i in range(6, 10)]
    base = summarise(members, sales, AS_OF)
    shared = [s.f for s in rfm(base, RFMPolicy(ties="shared")).scores]
    ranked = [s.f for s in rfm(base).scores]
    assert shared == [1] * 6 + [4] * 4  # 1 + floor(5 * 6 / 10) = 4
    assert ranked == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]  # ties by id: m0 < m1 < ... < m9


@given(member_bases(), st.data())
def test_scores_of_a_part_with_the_whole_cut_points_are_the_whole_scores(data, draw):
    members, sales = data
    as_of = AS_OF
    whole = summarise(members, sales, as_of)
    chosen = draw.draw(st.sets(st.sampled_from([m.id for m in members])))
    part = summarise(
        [m for m in members if m.id in chosen], [t for t in sales if t.member_id in chosen], as_of
    )
    for ties in ("rank", "shared"):
        policy = RFMPolicy(ties=ties)
        cuts = rfm_cuts(whole, policy)
        scores = {s.member_id: s for s in rfm(whole, policy).scores}
        for s in rfm(part, policy, cuts=cuts).scores:
            assert s == scores[s.member_id]
        records = cuts.to_records()
        assert all(2 <= row["score"] <= 5 for row in records)


def test_score_members_is_the_per_member_table():
    members = [Member("a", date(2025, 1, 1)), Member("b", date(2025, 1, 1), date(2025, 6, 1))]
    sales = [Transaction("a", date(2025, 6, 1), D(6000))]
    base = summarise(members, sales, AS_OF)
    scores = score_members(base)
    assert len(scores) == 2
    rows = scores.to_records()
    assert rows[0]["tier"] == "Silver"
    assert rows[1]["left_on"] == date(2025, 6, 1)
    assert rows[1]["segment"] == "Hibernating"
    with pytest.raises(InvalidInputError, match="cuts"):
        score_members(base, cuts="x")


def test_rfm_policy_must_cover_every_cell():
    with pytest.raises(InvalidInputError, match="no rule covers R=1, F=1"):
        RFMPolicy([SegmentRule("Top", 2, 5, 1, 5)])
    with pytest.raises(InvalidInputError, match="segments"):
        RFMPolicy(["x"])
    policy = RFMPolicy([SegmentRule("All", 1, 5, 1, 5)])
    base = summarise([Member("a", date(2025, 1, 1))], [], AS_OF)
    table = rfm(base, policy)
    assert table.segments == {"All": 1}
    assert table.to_records()[0]["segment"] == "All"


def test_tiers_and_points():
    with pytest.raises(InvalidInputError, match="tiers"):
        TierPolicy([])
    with pytest.raises(InvalidInputError, match=r"tiers\[0\].min_spend"):
        TierPolicy([Tier("Base", D(10))])
    with pytest.raises(InvalidInputError, match=r"tiers\[1\].min_spend"):
        TierPolicy([Tier("Base", D(0)), Tier("Zero", D(0))])
    with pytest.raises(InvalidInputError, match="min_spend"):
        Tier("Base", 10)
    with pytest.raises(InvalidInputError, match="earn_rate"):
        PointsPolicy(0.1, 12)
    with pytest.raises(InvalidInputError, match="policy"):
        points_balances([], AS_OF, None)
    with pytest.raises(InvalidInputError, match="after as_of"):
        points_balances(
            [Transaction("a", date(2026, 1, 1), D(1), line=4)], AS_OF, PointsPolicy(D(1), 12)
        )
    # a refund takes its points back, rounded toward zero: 99.9 -> 99, -50.5 -> -50
    sales = [
        Transaction("a", date(2025, 6, 1), D("99.9")),
        Transaction("a", date(2025, 7, 1), D("-50.5")),
    ]
    assert points_balances(sales, AS_OF, PointsPolicy(D(1), 12)) == {"a": 49}
    base = summarise(
        [Member("a", date(2025, 1, 1))], [Transaction("a", date(2025, 2, 1), D(60000))], AS_OF
    )
    assert assign_tiers(base).tiers == {"a": "Platinum"}


# --- the analysis and the command ------------------------------------------------------------

SAMPLE = analyse_sample()


def test_the_sample_analysis():
    assert SAMPLE.members == 3000
    assert SAMPLE.as_of == SAMPLE_AS_OF
    assert 0 < SAMPLE.retention.retention < 1
    assert SAMPLE.sbg.converged
    assert SAMPLE.cltv_sbg.currency == TWD
    assert sum(SAMPLE.segment_counts.values()) == 3000
    assert sum(SAMPLE.tier_counts.values()) == 3000
    # by rank, every RFM score holds a fifth of the members (3,000 / 5 = 600)
    assert len(SAMPLE.rfm_cuts.frequency) == 4
    assert repr(SAMPLE).startswith("MemberAnalysis(as_of=2026-10-31, members=3000")
    text = format_member_report(SAMPLE)
    for heading in (
        "RETENTION",
        "COHORTS",
        "SURVIVAL",
        "sBG MODEL",
        "CLTV",
        "RFM SEGMENTS",
        "TIERS",
    ):
        assert heading in text
    assert loads(MemberAnalysis, dumps(SAMPLE)) == SAMPLE


def test_an_analysis_with_points_and_too_little_data():
    members = [Member("a", date(2025, 1, 1), date(2025, 3, 1)), Member("b", date(2025, 1, 1))]
    sales = [
        Transaction("a", date(2025, 1, 5), D(800)),
        Transaction("b", date(2025, 12, 1), D(300)),
    ]
    result = analyse(members, sales, AS_OF, MembershipPolicy(points=PointsPolicy(D(1), 6)))
    assert (result.points_held, result.points_holders) == (300, 1)
    assert "POINTS: 300 unexpired points held by 1 members" in format_member_report(result)
    with pytest.raises(InvalidInputError, match="members"):
        analyse([], [], AS_OF)
    with pytest.raises(InvalidInputError, match="full month"):
        analyse(
            [Member("a", date(2025, 12, 20))], [], AS_OF, MembershipPolicy(models="contractual")
        )
    with pytest.raises(InvalidInputError, match="discount_rate"):
        MembershipPolicy(discount_rate=Rate(0.1, "year"))


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), stdout=out, stderr=err), out.getvalue(), err.getvalue()


def test_the_members_command(tmp_path):
    code, out, err = run("members")
    assert code == 0
    assert err == ""
    assert out == format_member_report(SAMPLE)
    code, out, _ = run("members", "--format", "json")
    assert json.loads(out)["members"] == 3000
    members = tmp_path / "members.csv"
    sales = tmp_path / "sales.csv"
    members.write_text("member_id,joined_on,left_on\na,2025-01-01,2025-05-01\nb,2025-01-01,\n")
    sales.write_text("member_id,on,amount\na,2025-01-02,100\nb,2025-02-02,200\n")
    code, out, err = run("members", str(members), str(sales), "--as-of", "2025-12-31")
    assert code == 0, err
    assert out.startswith("Member base as of 2025-12-31: 2 members, 1 current")
    sales.write_text("member_id,on,amount\na,2025-01-02,100\nzz,2025-02-02,200\nb,x,1\n")
    code, out, err = run("members", str(members), str(sales), "--as-of", "2025-12-31")
    assert code == 2
    assert out == ""
    assert "2 problems" in err
    assert "sales.csv:3.member_id: unknown member 'zz'" in err
    assert "sales.csv:4.on: invalid date 'x'" in err
    code, _, err = run("members", str(members))  # one file is the transactions
    assert code == 2
    assert "the header must be member_id,on,amount" in err
    code, _, err = run("members", "--as-of", "2020-01-01")
    assert code == 2
    assert "sample" in err
    assert run("members", "--as-of", "yesterday")[0] == 2


def test_unknown_members_in_a_file_name_the_line(tmp_path):
    members = tmp_path / "members.csv"
    sales = tmp_path / "sales.csv"
    members.write_text("member_id,joined_on,left_on\na,2025-01-01,\n")
    sales.write_text("member_id,on,amount\na,2025-01-02,100\nzz,2025-02-02,200\n")
    code, _, err = run("members", str(members), str(sales), "--as-of", "2025-12-31")
    assert code == 2
    assert "sales.csv:3.member_id: unknown member 'zz'" in err


def test_a_split_population_has_no_finite_maximum():
    # half leave at once and the rest never do: the likelihood grows as alpha and beta go to 0
    with pytest.raises(InvalidInputError, match="no finite sBG maximum"):
        fit_sbg([100, 50, 50, 50, 50])


def test_nelder_mead_reports_when_it_does_not_converge():
    _point, value, iterations, converged = _nelder_mead(lambda u, v: -(u * u + v * v), (0.0, 0.0))
    assert not converged
    assert iterations == 4000
    assert value < 0


@given(st.dates(date(1990, 1, 1), date(2040, 1, 1)), st.integers(0, 9000), st.integers(-600, 600))
def test_month_arithmetic_matches_relativedelta(start, days, months):
    day = start + timedelta(days=days)
    delta = relativedelta(day, start)
    assert months_between(start, day) == delta.years * 12 + delta.months
    back = relativedelta(start, day)  # not always the negation: month ends differ
    assert months_between(day, start) == back.years * 12 + back.months
    if date(1900, 1, 1) < start + relativedelta(months=months) < date(2200, 1, 1):
        assert add_months(start, months) == start + relativedelta(months=months)


@given(member_bases())
def test_cohort_table_equals_the_month_by_month_count(data):
    members, sales = data
    base = summarise(members, sales, AS_OF)
    expected: dict[str, dict[int, tuple[int, int, int]]] = {}
    for m in base.stats.values():
        row = expected.setdefault(f"{m.joined_on:%Y-%m}", {})
        age = 0
        while add_months(m.joined_on, age) <= AS_OF:
            day = add_months(m.joined_on, age)
            o, a, b = row.get(age, (0, 0, 0))
            alive = m.left_on is None or m.left_on >= day
            row[age] = (o + 1, a + alive, b + ((m.active_mask >> age) & 1))
            age += 1
    table = cohort_table(base)
    got = {
        c: {k: (v.observed, v.alive, v.active) for k, v in row.items()}
        for c, row in table.cells.items()
    }
    assert got == expected


# --- the bulk path from CSV files ------------------------------------------------------------

_CELLS = st.sampled_from(
    [
        ("m00", "2025-03-01", "10"),
        (" m01 ", " 2025-06-30 ", " 7.25 "),
        ("m00", "2025-02-30", "5"),  # no such day
        ("m00", "2026-01-05", "5"),  # after as_of
        ("m00", "2022-01-05", "5"),  # before anyone joined
        ("zz", "2025-03-01", "5"),  # unknown member
        ("", "2025-03-01", "5"),  # no member id
        ("m01", "2025-07-01", "-3"),  # a refund
        ("m01", "2025-07-01", "x"),
        ("m01", "2025-07-01", "NaN"),
        ("m01", "2025-07-01", "Infinity"),
        ("m01", "2025-07-01", "-Infinity"),
        ("m01", "2025-07-01"),  # too few cells
        ("m01", "2025-07-01", "1", "2"),  # too many
    ]
)


def _csv_text(header, rows):
    return header + "\n" + "".join(",".join(cells) + "\n" for cells in rows)


@given(member_bases(), st.lists(_CELLS, max_size=6), st.booleans(), st.randoms())
def test_the_csv_bulk_path_matches_the_records_path(data, extra, refunds, rnd):
    members, sales = data
    members = [Member(f"m{i:02d}", m.joined_on, m.left_on) for i, m in enumerate(members)]
    rows = [(t.member_id, t.on.isoformat(), str(t.amount)) for t in sales]
    for cells in extra:
        rows.insert(rnd.randrange(len(rows) + 1), cells)
    members_text = members_csv(members)
    sales_text = _csv_text("member_id,on,amount", rows)

    def by_records():
        return summarise(
            read_members(io.StringIO(members_text)),
            read_transactions(io.StringIO(sales_text)),
            AS_OF,
            allow_refunds=refunds,
        )

    def by_csv():
        return summarise_csv(
            io.StringIO(members_text), io.StringIO(sales_text), AS_OF, allow_refunds=refunds
        )

    def outcome(func):
        try:
            return func()
        except InvalidInputError as err:
            # the records path names a row it has parsed by "line N", the bulk path by "file:N"
            return sorted(str(p).replace("line ", "transactions:") for p in err.problems)

    assert outcome(by_csv) == outcome(by_records)


def test_the_csv_bulk_path_caps_its_problems(tmp_path):
    members = tmp_path / "members.csv"
    members.write_text("member_id,joined_on,left_on\na,2025-01-01,\n")
    sales = tmp_path / "sales.csv"
    sales.write_text(_csv_text("member_id,on,amount", [("zz", "2025-02-01", "1")] * 12))
    with pytest.raises(InvalidInputError) as info:
        summarise_csv(members, sales, AS_OF, max_problems=10)
    assert str(info.value.problems[0]) == "sales.csv:2.member_id: unknown member 'zz'"
    assert str(info.value.problems[-1]) == "... and 2 more bad rows"


def test_summarise_refuses_what_is_not_a_transaction():
    with pytest.raises(InvalidInputError) as info:
        summarise([Member("a", date(2025, 1, 1))], ["a,2025-02-01,1"], AS_OF)
    assert info.value.path == "transactions[0]"


def test_the_csv_bulk_path_checks_a_known_day_against_each_member():
    members = "member_id,joined_on,left_on\na,2025-01-01,\nb,2025-06-01,\n"
    rows = [("a", "2025-03-01", "1"), ("b", "2025-03-01", "1"), ("b", "2025-07-01", "-1")]
    with pytest.raises(InvalidInputError) as info:
        summarise_csv(
            io.StringIO(members), io.StringIO(_csv_text("member_id,on,amount", rows)), AS_OF
        )
    assert [str(p) for p in info.value.problems] == [
        "transactions:3.on: 2025-03-01 is before the member joined (2025-06-01)",
        "transactions:4.amount: must be >= 0 (refunds are not allowed), got -1",
    ]


def test_the_csv_bulk_path_remembers_a_bounded_number_of_amounts(monkeypatch):
    monkeypatch.setattr("mteam.membership.summary._AMOUNTS_KEPT", 2)
    members = "member_id,joined_on,left_on\na,2025-01-01,\n"
    rows = [("a", f"2025-02-{d:02d}", f"{d}.5") for d in range(1, 8)] * 2
    base = summarise_csv(
        io.StringIO(members), io.StringIO(_csv_text("member_id,on,amount", rows)), AS_OF
    )
    assert base.stats["a"].revenue == 2 * sum(D(f"{d}.5") for d in range(1, 8))
    assert base.stats["a"].purchases == 14


def test_the_csv_bulk_path_checks_as_of_before_reading(tmp_path):
    with pytest.raises(InvalidInputError, match="as_of: must be a date"):
        summarise_csv(tmp_path / "missing.csv", tmp_path / "missing.csv", "2025-12-31")


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: summarise(5, [], AS_OF), "members"),
        (lambda: summarise([Member("a", date(2024, 1, 1))], 5, AS_OF), "transactions"),
        (lambda: quintile_scores([1, "a"]), "values"),
        (lambda: quintile_scores([[1], [2]]), "values"),
    ],
)
def test_what_is_not_a_sequence_of_values_is_an_input_error(call, path):
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.path == path
