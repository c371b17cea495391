import pytest
from hypothesis import given
from hypothesis import strategies as st

from mteam.errors import InvalidInputError
from mteam.io import dumps, loads
from mteam.labels import Label
from mteam.performance.composite import (
    DEFAULT_BANDS,
    Band,
    CompositePolicy,
    ProjectEvaluation,
    RatingBands,
    assign_bands,
    composite_score,
    forced_distribution,
    learning_component,
    project_component,
)
from mteam.scales import RatingScale


def test_composite_by_hand_with_every_component():
    # 0.45*1.2 + 0.25*0.75 + 0.15*0.5 + 0.05*1.0 + 0.10*0.8 = 0.54+0.1875+0.075+0.05+0.08
    result = composite_score(
        kpi=1.2, feedback=0.75, projects=0.5, self_assessment=1.0, learning=0.8
    )
    assert result.score == pytest.approx(0.9325)
    assert result.missing == ()
    assert sum(c.contribution for c in result.components) == pytest.approx(result.score)
    assert [c.name for c in result.components] == [
        "kpi",
        "feedback",
        "projects",
        "self_assessment",
        "learning",
    ]


def test_missing_components_are_renormalised_away():
    # (0.45 * 1.0 + 0.25 * 0.6) / 0.7
    result = composite_score(kpi=1.0, feedback=0.6)
    assert result.score == pytest.approx(0.6 / 0.7)
    assert result.missing == ("projects", "self_assessment", "learning")
    assert result.components[0].share == pytest.approx(0.45 / 0.7)


def test_projects_from_evaluations():
    evaluations = [ProjectEvaluation("redesign", 4, 0.6), ProjectEvaluation("launch", 5, 0.2)]
    # (0.6 * 0.75 + 0.2 * 1.0) / 0.8 = 0.8125
    assert project_component(evaluations) == pytest.approx(0.8125)
    assert project_component([]) is None
    result = composite_score(projects=evaluations, policy=CompositePolicy({"projects": 1}))
    assert result.score == pytest.approx(0.8125)
    ten = ProjectEvaluation("audit", 7, scale=RatingScale(0, 10))
    assert project_component([ten]) == pytest.approx(0.7)


def test_learning_component():
    assert learning_component(12, 16) == 0.75
    assert learning_component(30, 16) == 1.0
    assert learning_component(0, 0) is None
    with pytest.raises(InvalidInputError, match="planned_hours"):
        learning_component(1, -1)


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: composite_score(kpi=1.6), "kpi"),
        (lambda: composite_score(feedback=1.2), "feedback"),
        (lambda: composite_score(learning=-0.1), "learning"),
        (composite_score, "components"),
        (lambda: composite_score(kpi=1, policy=CompositePolicy(require_all=True)), "feedback"),
        (lambda: CompositePolicy({"kpi": 1, "vibes": 1}), "weights['vibes']"),
        (lambda: CompositePolicy({"kpi": 0}), "weights"),
        (lambda: CompositePolicy({"kpi": -1, "feedback": 1}), "weights['kpi']"),
        (lambda: ProjectEvaluation("p", 6), "score"),
        (lambda: ProjectEvaluation("p", 3, 0), "contribution"),
        (lambda: project_component(["p"]), "evaluations[0]"),
        (lambda: RatingBands([]), "bands"),
        (lambda: RatingBands([Band(1, "low", 0.1)]), "bands[0].min_score"),
        (lambda: RatingBands([Band(2, "low", 0)]), "bands[0].level"),
        (lambda: RatingBands([Band(1, "a", 0), Band(2, "b", 0)]), "bands[1].min_score"),
        (lambda: DEFAULT_BANDS.level(6), "level"),
        (lambda: DEFAULT_BANDS.band(-1), "score"),
        (lambda: assign_bands({"a": float("nan")}), "scores['a']"),
        (lambda: assign_bands([0.5]), "scores"),
        (lambda: forced_distribution({"a": 1}, {}), "quotas"),
        (lambda: forced_distribution({"a": 1}, {0: 1}), "quotas[0]"),
        (lambda: forced_distribution({"a": 1}, {1: -1}), "quotas[1]"),
    ],
)
def test_bad_input_names_the_path(call, path):
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.path == path


def test_default_bands():
    assert [b.min_score for b in DEFAULT_BANDS.bands] == [0.0, 0.5, 0.7, 0.9, 1.05]
    assert DEFAULT_BANDS.band(0.49).level == 1
    assert DEFAULT_BANDS.band(0.5).level == 2
    assert DEFAULT_BANDS.band(1.4).name == Label("outstanding", "傑出")
    assert DEFAULT_BANDS.level(3).name.en == "meets expectations"
    assert assign_bands({"b": 0.95, "a": 0.2}) == {"a": 1, "b": 4}


def test_forced_distribution_keeps_ties_together():
    # 10 members, 20/70/10: targets 2 / 7 / 1. m1 and m2 tie at 0.91 across the top
    # boundary, so both go to band 3 (three in band 3) and band 2 gets six.
    scores = {
        "m0": 0.95,
        "m1": 0.91,
        "m2": 0.91,
        "m3": 0.8,
        "m4": 0.8,
        "m5": 0.77,
        "m6": 0.72,
        "m7": 0.7,
        "m8": 0.66,
        "m9": 0.41,
    }
    result = forced_distribution(scores, {3: 0.2, 2: 0.7, 1: 0.1})
    assert result.targets == {1: 1, 2: 7, 3: 2}
    assert result.counts == {1: 1, 2: 6, 3: 3}
    assert [result.levels[f"m{i}"] for i in range(10)] == [3, 3, 3, 2, 2, 2, 2, 2, 2, 1]


def test_forced_distribution_quota_counts_use_the_largest_remainder():
    # 7 members at 20/70/10 %: exact 1.4 / 4.9 / 0.7 -> floors 1/4/0, two left: 0.9 and 0.7
    scores = {f"m{i}": 1 - i / 10 for i in range(7)}
    result = forced_distribution(scores, {3: 0.2, 2: 0.7, 1: 0.1})
    assert result.targets == {1: 1, 2: 5, 3: 1}
    assert result.counts == result.targets
    assert forced_distribution({}, {1: 1}).levels == {}


scores_maps = st.dictionaries(
    st.text("abcdefgh", min_size=1, max_size=3),
    st.sampled_from([0.2, 0.5, 0.7, 0.75, 0.9, 1.0, 1.2]) | st.floats(0, 1.5),
    max_size=25,
)
quota_maps = st.dictionaries(st.integers(1, 5), st.integers(0, 10), min_size=1).filter(
    lambda q: sum(q.values()) > 0
)


@given(scores_maps, quota_maps)
def test_forced_distribution_meets_quotas_up_to_ties(scores, quotas):
    result = forced_distribution(scores, quotas)
    assert sum(result.counts.values()) == len(scores)
    assert sum(result.targets.values()) == len(scores)
    # equal composites share a band, and a higher composite never gets a lower band
    for a in scores:
        for b in scores:
            if scores[a] == scores[b]:
                assert result.levels[a] == result.levels[b]
            if scores[a] > scores[b]:
                assert result.levels[a] >= result.levels[b]
    # with no ties at all, the quotas are met exactly
    if len(set(scores.values())) == len(scores):
        assert result.counts == result.targets
    # cumulative counts from the top never fall short, and exceed only by a tie group
    largest_tie = max([list(scores.values()).count(v) for v in scores.values()], default=0)
    running_target = running_count = 0
    for level in sorted(result.targets, reverse=True):
        running_target += result.targets[level]
        running_count += result.counts[level]
        assert running_target <= running_count <= running_target + max(largest_tie - 1, 0)


@given(scores_maps)
def test_bands_are_monotone_in_score(scores):
    levels = assign_bands(scores)
    for a in scores:
        for b in scores:
            if scores[a] >= scores[b]:
                assert levels[a] >= levels[b]


unit = st.floats(0, 1)


@given(
    st.none() | st.floats(0, 1.5),
    st.none() | unit,
    st.none() | unit,
    st.none() | unit,
    st.none() | unit,
)
def test_composite_lies_within_the_components(kpi, feedback, projects, self_assessment, learning):
    given_values = [
        v for v in (kpi, feedback, projects, self_assessment, learning) if v is not None
    ]
    if not given_values:
        return
    result = composite_score(
        kpi=kpi,
        feedback=feedback,
        projects=projects,
        self_assessment=self_assessment,
        learning=learning,
    )
    assert min(given_values) - 1e-12 <= result.score <= max(given_values) + 1e-12


def test_policies_and_bands_round_trip():
    policy = CompositePolicy({"kpi": 0.7, "feedback": 0.3}, require_all=True)
    assert loads(CompositePolicy, dumps(policy)) == policy
    assert loads(RatingBands, dumps(DEFAULT_BANDS)) == DEFAULT_BANDS
    evaluation = ProjectEvaluation("p", 3, 0.5)
    assert loads(ProjectEvaluation, dumps(evaluation)) == evaluation


def test_explain():
    text = composite_score(kpi=1.0, feedback=0.5).explain()
    assert text.startswith("kpi 1.000 × 0.643 + feedback 0.500 × 0.357 = 0.821")
    assert text.endswith("(missing: projects, self_assessment, learning)")
    assert "missing" not in composite_score(kpi=1, policy=CompositePolicy({"kpi": 1})).explain()
