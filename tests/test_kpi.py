import pytest
from hypothesis import given
from hypothesis import strategies as st

from mteam.errors import InvalidInputError
from mteam.io import dumps, loads
from mteam.performance.kpi import KPI, Direction, KpiPolicy, attainment, score_scorecard
from tests.strategies import kpis

GROWTH = KPI("traffic_growth", "Traffic growth", unit="%", target=20, threshold=10, stretch=30)
RESPONSE = KPI(
    "response_time",
    "Complaint response time",
    unit="hours",
    target=24,
    threshold=48,
    stretch=12,
    direction=Direction.LOWER_IS_BETTER,
)
CPA = KPI("cpa", "Cost per acquisition", unit="TWD", target=200, direction="lower_is_better")
FANS = KPI("fans", "Follower growth", target=1000)


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (5, 0.0),  # below threshold
        (10, 0.5),  # at threshold
        (15, 0.75),  # 0.5 + 0.5 * (15 - 10) / (20 - 10)
        (20, 1.0),  # at target
        (24, 1.2),  # 1 + 0.5 * (24 - 20) / (30 - 20)
        (30, 1.5),  # at stretch
        (99, 1.5),  # capped
    ],
)
def test_higher_is_better_curve_by_hand(actual, expected):
    assert attainment(GROWTH, actual) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (60, 0.0),
        (48, 0.5),
        (36, 0.75),  # half-way from 48 to 24
        (24, 1.0),
        (18, 1.25),  # half-way from 24 to 12
        (12, 1.5),
        (1, 1.5),
    ],
)
def test_lower_is_better_curve_mirrors(actual, expected):
    assert attainment(RESPONSE, actual) == pytest.approx(expected, abs=1e-12)


def test_ratio_rule_by_hand():
    assert attainment(FANS, 800) == 0.8
    assert attainment(FANS, 1200) == 1.2
    assert attainment(FANS, 5000) == 1.5
    assert attainment(FANS, -50) == 0.0
    assert attainment(CPA, 250) == 0.8
    assert attainment(CPA, 160) == 1.25
    assert attainment(CPA, 0) == 1.5
    assert attainment(CPA, 100) == 1.5


def test_policy_changes_the_fixed_points():
    policy = KpiPolicy(threshold_score=0.4, stretch_score=2.0)
    assert attainment(GROWTH, 10, policy) == 0.4
    assert attainment(GROWTH, 30, policy) == 2.0
    assert attainment(FANS, 3000, policy) == 2.0
    assert policy.cap == 2.0


def test_threshold_only_and_stretch_only_use_the_ratio_on_the_other_side():
    floor_only = KPI("k", "K", target=100, threshold=50)
    assert attainment(floor_only, 150) == 1.5
    assert attainment(floor_only, 120) == 1.2
    assert attainment(floor_only, 75) == 0.75
    stretch_only = KPI("k", "K", target=100, stretch=200)
    assert attainment(stretch_only, 50) == 0.5
    assert attainment(stretch_only, 150) == 1.25


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"target": 20, "threshold": 20}, "threshold"),
        ({"target": 20, "stretch": 10}, "stretch"),
        ({"target": 20, "threshold": 10, "direction": "lower_is_better"}, "threshold"),
        ({"target": 0}, "target"),
        ({"target": -5, "threshold": -10}, "target"),
        ({"target": 5, "weight": 0}, "weight"),
        ({"target": float("nan")}, "target"),
        ({"target": 5, "direction": "up"}, "direction"),
    ],
)
def test_bad_kpis_name_the_field(kwargs, path):
    with pytest.raises(InvalidInputError) as info:
        KPI("k", "K", **kwargs)
    assert info.value.path == path


def test_a_full_curve_may_have_a_negative_target():
    kpi = KPI("margin", "Margin change", target=-1, threshold=-3, stretch=1)
    assert attainment(kpi, -2) == 0.75


def test_bad_actuals():
    with pytest.raises(InvalidInputError, match="actual"):
        attainment(GROWTH, float("inf"))
    with pytest.raises(InvalidInputError, match="actual: must be >= 0"):
        attainment(CPA, -1)


@given(kpis(), st.floats(-1e7, 1e7), st.floats(-1e7, 1e7))
def test_attainment_is_monotone_and_bounded(kpi, a, b):
    if kpi.direction is Direction.LOWER_IS_BETTER and (
        kpi.threshold is None or kpi.stretch is None
    ):
        a, b = abs(a), abs(b)
    low, high = sorted([a, b])
    at_low, at_high = attainment(kpi, low), attainment(kpi, high)
    assert 0 <= at_low <= 1.5
    assert 0 <= at_high <= 1.5
    if kpi.direction is Direction.HIGHER_IS_BETTER:
        assert at_low <= at_high
    else:
        assert at_low >= at_high


@given(kpis(curve=True))
def test_attainment_is_continuous_at_target_and_stretch_and_right_continuous_at_threshold(kpi):
    sign = 1 if kpi.direction is Direction.HIGHER_IS_BETTER else -1
    # a step much shorter than either segment: the slope times the step is below 1e-6
    eps = 1e-6 * min(abs(kpi.stretch - kpi.target), abs(kpi.target - kpi.threshold))
    for point, expected in [(kpi.target, 1.0), (kpi.stretch, 1.5)]:
        assert attainment(kpi, point) == pytest.approx(expected, abs=1e-9)
        assert attainment(kpi, point - sign * eps) == pytest.approx(expected, abs=1e-5)
        assert attainment(kpi, point + sign * eps) == pytest.approx(expected, abs=1e-5)
    assert attainment(kpi, kpi.threshold) == pytest.approx(0.5, abs=1e-9)
    assert attainment(kpi, kpi.threshold + sign * eps) == pytest.approx(0.5, abs=1e-5)
    assert attainment(kpi, kpi.threshold - sign * eps) == 0.0


@given(kpis(curve=True), st.floats(-1e6, 1e6))
def test_lower_is_better_is_the_mirror_image(kpi, actual):
    mirrored = KPI(
        kpi.id,
        kpi.name,
        target=-kpi.target,
        threshold=-kpi.threshold,
        stretch=-kpi.stretch,
        direction=(
            Direction.LOWER_IS_BETTER
            if kpi.direction is Direction.HIGHER_IS_BETTER
            else Direction.HIGHER_IS_BETTER
        ),
    )
    assert attainment(mirrored, -actual) == pytest.approx(attainment(kpi, actual), abs=1e-9)


def test_scorecard_by_hand():
    # (60 * 1.25 + 40 * 0.9) / 100 = 1.11
    card = score_scorecard(
        [
            KPI("traffic_growth", "Traffic growth", target=20, threshold=10, stretch=30, weight=60),
            KPI("conversion_rate", "Conversion rate", target=3, weight=40),
        ],
        {"traffic_growth": 25, "conversion_rate": 2.7},
        KpiPolicy(weights_sum_to_100=True),
    )
    assert card.score == pytest.approx(1.11)
    assert card.line("conversion_rate").attainment == pytest.approx(0.9)
    assert sum(line.contribution for line in card.lines) == pytest.approx(card.score)
    assert card.to_records()[0]["kpi_id"] == "traffic_growth"


def test_relative_weights_are_normalised():
    card = score_scorecard([GROWTH, FANS], {"traffic_growth": 20, "fans": 500})
    assert card.score == pytest.approx(0.75)
    assert [line.share for line in card.lines] == [0.5, 0.5]


@pytest.mark.parametrize(
    ("kpi_list", "actuals", "policy", "path"),
    [
        ([], {}, None, "kpis"),
        ([GROWTH], [20], None, "actuals"),
        ([GROWTH, GROWTH], {"traffic_growth": 1}, None, "kpis[1].id"),
        ([GROWTH], {}, None, "actuals['traffic_growth']"),
        ([GROWTH], {"traffic_growth": 1, "x": 2}, None, "actuals['x']"),
        ([GROWTH], {"traffic_growth": "1"}, None, "actuals['traffic_growth']"),
        ([GROWTH], {"traffic_growth": 1}, KpiPolicy(weights_sum_to_100=True), "kpis"),
        (["k"], {}, None, "kpis[0]"),
    ],
)
def test_bad_scorecards_name_the_path(kpi_list, actuals, policy, path):
    with pytest.raises(InvalidInputError) as info:
        score_scorecard(kpi_list, actuals, policy)
    assert info.value.path == path


def test_kpi_line_lookup_of_an_unknown_kpi():
    card = score_scorecard([FANS], {"fans": 1})
    with pytest.raises(InvalidInputError, match="not on the scorecard"):
        card.line("golf")


@given(st.lists(kpis(), min_size=1, max_size=5, unique_by=lambda k: k.id), st.data())
def test_scorecard_score_is_within_the_attainments(kpi_list, data):
    actuals = {k.id: data.draw(st.floats(0, 1e6)) for k in kpi_list}
    card = score_scorecard(kpi_list, actuals)
    values = [line.attainment for line in card.lines]
    assert min(values) - 1e-9 <= card.score <= max(values) + 1e-9


@given(kpis())
def test_kpi_round_trips(kpi):
    assert loads(KPI, dumps(kpi)) == kpi


def test_policy_round_trips():
    policy = KpiPolicy(0.4, 2.0, weights_sum_to_100=True)
    assert loads(KpiPolicy, dumps(policy)) == policy
