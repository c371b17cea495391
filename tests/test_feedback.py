import math
import re

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mteam.errors import InvalidInputError
from mteam.io import dumps, loads, unstructure
from mteam.performance.feedback import (
    FeedbackPolicy,
    FeedbackReport,
    Rating,
    Relation,
    SmallGroupRule,
    aggregate_feedback,
    ratings_from_rows,
)
from mteam.scales import RatingScale
from tests.strategies import rating_sets

M, P, D, C, S = (
    Relation.MANAGER,
    Relation.PEER,
    Relation.DIRECT_REPORT,
    Relation.CUSTOMER,
    Relation.SELF,
)


def team_ratings():
    """Ann: manager 4, peers 3 4 5, direct reports 2 3, customer 5, self 5, on 'comm'."""
    return [
        Rating("ann", "boss", M, "comm", 4),
        Rating("ann", "p1", P, "comm", 3),
        Rating("ann", "p2", P, "comm", 4),
        Rating("ann", "p3", P, "comm", 5),
        Rating("ann", "d1", D, "comm", 2),
        Rating("ann", "d2", D, "comm", 3),
        Rating("ann", "c1", C, "comm", 5),
        Rating("ann", "ann", S, "comm", 5),
    ]


def test_merge_by_hand():
    # direct reports (2) and the customer (1) are small; merged they are 3 raters, mean 10/3,
    # weighing 0.2 + 0.1 = 0.3. Others = (0.4*4 + 0.3*4 + 0.3*10/3) / 1.0 = 3.8.
    report = aggregate_feedback(team_ratings())["ann"]
    comp = report.competencies[0]
    assert [(g.group, g.raters) for g in comp.groups] == [
        ("manager", 1),
        ("peer", 3),
        ("others", 3),
    ]
    assert comp.groups[2].mean == pytest.approx(10 / 3)
    assert [g.weight for g in comp.groups] == pytest.approx([0.4, 0.3, 0.3])
    assert comp.others == pytest.approx(3.8)
    assert comp.self_score == 5
    assert comp.gap == pytest.approx(1.2)
    assert comp.flag == "blind_spot"
    assert report.blind_spots == ("comm",)
    assert report.hidden_strengths == ()
    assert [(s.group, s.action) for s in comp.suppressed] == [
        ("direct_report", "merged"),
        ("customer", "merged"),
    ]
    assert report.others_score == pytest.approx(3.8)
    assert report.self_score == 5


def test_drop_by_hand():
    # with DROP: others = (0.4*4 + 0.3*4) / 0.7 = 4.0
    policy = FeedbackPolicy(small_groups=SmallGroupRule.DROP)
    comp = aggregate_feedback(team_ratings(), policy=policy)["ann"].competencies[0]
    assert [g.group for g in comp.groups] == ["manager", "peer"]
    assert comp.others == pytest.approx(4.0)
    assert comp.flag == "blind_spot"
    assert all(s.action == "dropped" for s in comp.suppressed)
    assert "dropped by policy" in comp.suppressed[0].reason


def test_hidden_strength_and_no_flag():
    ratings = [
        Rating("bo", "boss", M, "lead", 5),
        Rating("bo", "bo", S, "lead", 3),
        Rating("bo", "boss", M, "comm", 4),
        Rating("bo", "bo", S, "comm", 4.5),
    ]
    report = aggregate_feedback(ratings)["bo"]
    assert report.hidden_strengths == ("lead",)
    assert report.competencies[0].flag is None
    assert report.competencies[0].gap == 0.5


def test_self_only_has_no_others_score():
    report = aggregate_feedback([Rating("cy", "cy", S, "comm", 4)])["cy"]
    assert report.others_score is None
    assert report.competencies[0].gap is None
    assert report.competencies[0].groups == ()


def test_group_with_zero_weight_is_shown_but_not_counted():
    policy = FeedbackPolicy(group_weights={"manager": 1.0, "customer": 0.0}, min_raters=1)
    ratings = [Rating("a", "m", M, "x", 2), Rating("a", "c", C, "x", 5)]
    comp = aggregate_feedback(ratings, policy=policy)["a"].competencies[0]
    assert [(g.group, g.weight) for g in comp.groups] == [("manager", 1.0), ("customer", 0.0)]
    assert comp.others == 2.0
    only_zero = aggregate_feedback([ratings[1]], policy=policy)["a"].competencies[0]
    assert only_zero.others is None


def test_calibration_removes_leniency_by_hand():
    # L rates X, Y, Z 5, 5, 4 and S rates them 3, 3, 2: the same opinion, one lenient and one
    # severe. All ratings: mean 11/3, population sd sqrt(11)/3. L: mean 14/3, sd sqrt(2)/3, so
    # L's 5 has z = 1/sqrt(2) and becomes 11/3 + sqrt(11)/3 / sqrt(2); S's 3 the same.
    ratings = []
    for ratee, lenient, severe in [("X", 5, 3), ("Y", 5, 3), ("Z", 4, 2)]:
        ratings.append(Rating(ratee, "L", P, "comm", lenient))
        ratings.append(Rating(ratee, "S", P, "comm", severe))
    policy = FeedbackPolicy(calibrate=True, min_raters=1)
    reports = aggregate_feedback(ratings, policy=policy)
    high = 11 / 3 + math.sqrt(11) / 3 / math.sqrt(2)
    low = 11 / 3 - math.sqrt(11) / 3 * math.sqrt(2)
    assert reports["X"].competencies[0].groups[0].mean == pytest.approx(high)
    assert reports["Z"].competencies[0].groups[0].mean == pytest.approx(low)
    assert reports["X"].calibrated
    uncalibrated = aggregate_feedback(ratings, policy=attrs.evolve(policy, calibrate=False))
    assert uncalibrated["X"].competencies[0].groups[0].mean == 4.0


def test_calibration_leaves_raters_of_too_few_people_and_self_ratings_alone():
    ratings = [
        Rating("X", "L", P, "comm", 5),
        Rating("Y", "L", P, "comm", 4),
        Rating("X", "X", S, "comm", 2),
    ]
    policy = FeedbackPolicy(calibrate=True, min_raters=1)
    reports = aggregate_feedback(ratings, policy=policy)
    assert reports["X"].competencies[0].groups[0].mean == 5.0
    assert reports["X"].competencies[0].self_score == 2.0
    # one non-self rating only: nothing to calibrate against
    single = aggregate_feedback(ratings[:1], policy=policy)
    assert single["X"].competencies[0].groups[0].mean == 5.0


def test_a_rater_who_gives_one_score_to_everyone_maps_to_the_overall_mean():
    ratings = [Rating(r, "flat", P, "comm", 4) for r in "XYZ"] + [
        Rating(r, "v", P, "comm", s) for r, s in zip("XYZ", [1, 3, 5], strict=True)
    ]
    policy = FeedbackPolicy(calibrate=True, min_raters=1)
    reports = aggregate_feedback(ratings, policy=policy)
    # all six ratings: mean 21/6 = 3.5, population sd sqrt(9.5/6). The flat rater's z is 0,
    # so their 4 becomes 3.5; v (mean 3, sd sqrt(8/3)) rated X 1: z = -2/sqrt(8/3).
    overall_sd = math.sqrt(9.5 / 6)
    v_on_x = 3.5 + overall_sd * (-2 / math.sqrt(8 / 3))
    group = reports["X"].competencies[0].groups[0]
    assert group.raters == 2
    assert group.mean == pytest.approx((3.5 + v_on_x) / 2)


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: Rating("a", "b", S, "x", 3), "rater_id"),
        (lambda: Rating("a", "a", P, "x", 3), "relation"),
        (lambda: Rating("a", "b", "friend", "x", 3), "relation"),
        (lambda: Rating("a", "b", P, "x", float("nan")), "score"),
        (lambda: FeedbackPolicy(group_weights={"self": 1}), "group_weights['self']"),
        (lambda: FeedbackPolicy(group_weights={"boss": 1}), "group_weights['boss']"),
        (lambda: FeedbackPolicy(group_weights={"peer": 0}), "group_weights"),
        (lambda: FeedbackPolicy(group_weights={"peer": -1}), "group_weights['peer']"),
        (lambda: FeedbackPolicy(group_weights=[1]), "group_weights"),
        (lambda: FeedbackPolicy(min_raters=0), "min_raters"),
        (lambda: FeedbackPolicy(gap=0), "gap"),
    ],
)
def test_bad_input_names_the_field(call, path):
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.path == path


def test_errors_about_a_rating_never_repeat_its_score_or_rater():
    with pytest.raises(InvalidInputError) as info:
        Rating("ann", "secret-peer", P, "comm", float("inf"))
    assert "inf" not in str(info.value)
    assert "secret-peer" not in str(info.value)
    with pytest.raises(InvalidInputError) as info:
        aggregate_feedback([Rating("ann", "secret-peer", P, "comm", 4.75)], RatingScale(1, 4))
    assert info.value.path == "ratings[0].score"
    assert "4.75" not in str(info.value)
    assert "secret-peer" not in str(info.value)
    with pytest.raises(InvalidInputError) as info:
        aggregate_feedback(
            [Rating("ann", "secret-peer", P, "comm", 4), Rating("ann", "secret-peer", C, "comm", 2)]
        )
    assert info.value.path == "ratings[1]"
    assert "secret-peer" not in str(info.value)
    assert "ratings[0]" in str(info.value)
    with pytest.raises(InvalidInputError, match="must be a Rating"):
        aggregate_feedback(["x"])


def test_rating_repr_hides_the_rater_and_the_score():
    text = repr(Rating("ann", "secret-peer", P, "comm", 4.75))
    assert "secret-peer" not in text
    assert "4.75" not in text
    assert "ann" in text


def all_numbers(value):
    """Every number anywhere in a report's JSON form."""
    if isinstance(value, dict):
        for v in value.values():
            yield from all_numbers(v)
    elif isinstance(value, list):
        for v in value:
            yield from all_numbers(v)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield value


@given(rating_sets())
def test_reports_never_contain_rater_ids(ratings):
    reports = aggregate_feedback(ratings)
    text = dumps(reports) + repr(reports)
    assert not re.search(r"\br\d+\b", text)


@given(
    rating_sets(), st.sampled_from([SmallGroupRule.MERGE, SmallGroupRule.DROP]), st.integers(1, 4)
)
def test_no_group_below_the_threshold_is_ever_shown(ratings, rule, min_raters):
    policy = FeedbackPolicy(min_raters=min_raters, small_groups=rule)
    for report in aggregate_feedback(ratings, policy=policy).values():
        for comp in report.competencies:
            for group in comp.groups:
                if group.group != "manager":
                    assert group.raters >= min_raters


@given(rating_sets(), st.sampled_from([SmallGroupRule.MERGE, SmallGroupRule.DROP]))
def test_the_others_score_is_derived_from_the_groups_shown_only(ratings, rule):
    # so no difference of figures can isolate a group that is not shown
    policy = FeedbackPolicy(small_groups=rule)
    for report in aggregate_feedback(ratings, policy=policy).values():
        for comp in report.competencies:
            weighted = [g for g in comp.groups if g.weight > 0]
            if not weighted:
                assert comp.others is None
                continue
            assert math.fsum(g.weight for g in comp.groups) == pytest.approx(1.0)
            assert comp.others == pytest.approx(math.fsum(g.weight * g.mean for g in comp.groups))


@given(rating_sets(), st.data())
def test_an_attacker_changing_a_small_group_raters_score_learns_nothing_under_drop(ratings, data):
    policy = FeedbackPolicy(small_groups=SmallGroupRule.DROP)
    base = aggregate_feedback(ratings, policy=policy)
    # find ratings in groups that were dropped and change them: the report must not move
    for i, r in enumerate(ratings):
        if not r.relation.anonymous:
            continue
        comp = next(c for c in base[r.ratee_id].competencies if c.competency_id == r.competency_id)
        if r.relation.value not in {s.group for s in comp.suppressed}:
            continue
        changed = list(ratings)
        changed[i] = attrs.evolve(r, score=data.draw(st.floats(1, 5)))
        assert aggregate_feedback(changed, policy=policy) == base


@given(rating_sets(), st.data())
def test_under_merge_a_small_group_rater_moves_only_merged_figures(ratings, data):
    base = aggregate_feedback(ratings)
    for i, r in enumerate(ratings):
        if not r.relation.anonymous:
            continue
        comp = next(c for c in base[r.ratee_id].competencies if c.competency_id == r.competency_id)
        if r.relation.value not in {s.group for s in comp.suppressed}:
            continue
        changed = list(ratings)
        changed[i] = attrs.evolve(r, score=data.draw(st.floats(1, 5)))
        new = aggregate_feedback(changed)[r.ratee_id]
        new_comp = next(c for c in new.competencies if c.competency_id == r.competency_id)
        for old_group, new_group in zip(comp.groups, new_comp.groups, strict=True):
            assert old_group.group == new_group.group
            if old_group.mean != new_group.mean:
                # only a merged group of at least min_raters raters can move
                assert old_group.group == "others"
                assert old_group.raters >= 3


@given(rating_sets(), st.randoms(use_true_random=False))
def test_order_of_the_ratings_does_not_matter(ratings, rnd):
    shuffled = list(ratings)
    rnd.shuffle(shuffled)
    assert aggregate_feedback(shuffled) == aggregate_feedback(ratings)
    calibrated = FeedbackPolicy(calibrate=True)
    assert aggregate_feedback(shuffled, policy=calibrated) == aggregate_feedback(
        ratings, policy=calibrated
    )


@given(rating_sets(), st.floats(-0.5, 0.5))
def test_a_uniform_shift_shifts_every_group_mean(ratings, shift):
    wide = RatingScale(0, 6)
    shifted = [attrs.evolve(r, score=r.score + shift) for r in ratings]
    before = aggregate_feedback(ratings, wide)
    after = aggregate_feedback(shifted, wide)
    for ratee, report in before.items():
        for old, new in zip(report.competencies, after[ratee].competencies, strict=True):
            for g_old, g_new in zip(old.groups, new.groups, strict=True):
                assert g_new.mean == pytest.approx(g_old.mean + shift, abs=1e-9)
            if old.others is not None:
                assert new.others == pytest.approx(old.others + shift, abs=1e-9)
            if old.gap is not None:
                assert new.gap == pytest.approx(old.gap, abs=1e-9)


@given(rating_sets(), st.data())
def test_a_rater_at_the_group_mean_leaves_it_unchanged(ratings, data):
    base = aggregate_feedback(ratings)
    if not base:
        return
    report = data.draw(st.sampled_from(sorted(base)))
    comps = [c for c in base[report].competencies if any(g.group == "peer" for g in c.groups)]
    if not comps:
        return
    comp = data.draw(st.sampled_from(comps))
    peer = next(g for g in comp.groups if g.group == "peer")
    extra = Rating(report, "newcomer", P, comp.competency_id, peer.mean)
    after = aggregate_feedback([*ratings, extra])[report]
    new_comp = next(c for c in after.competencies if c.competency_id == comp.competency_id)
    new_peer = next(g for g in new_comp.groups if g.group == "peer")
    assert new_peer.raters == peer.raters + 1
    assert new_peer.mean == pytest.approx(peer.mean, abs=1e-12)


def test_report_json_and_records():
    report = aggregate_feedback(team_ratings())["ann"]
    assert loads(FeedbackReport, dumps(report)) == report
    rows = report.to_records()
    assert [r["group"] for r in rows] == ["manager", "peer", "others"]
    assert unstructure(FeedbackPolicy())["group_weights"] == {
        "manager": 0.4,
        "peer": 0.3,
        "direct_report": 0.2,
        "customer": 0.1,
    }
    assert loads(FeedbackPolicy, dumps(FeedbackPolicy(calibrate=True))).calibrate


@given(rating_sets())
def test_rating_round_trips(ratings):
    for r in ratings:
        back = loads(Rating, dumps(r))
        assert back == r
        assert back.rater_id == r.rater_id


def test_an_integral_scale_refuses_half_points():
    with pytest.raises(InvalidInputError) as info:
        aggregate_feedback([Rating("a", "b", P, "x", 2.5)], RatingScale(1, 5, integral=True))
    assert info.value.path == "ratings[0].score"
    assert "2.5" not in str(info.value)


# --- the batch path of loading ratings ---------------------------------------------------------


def test_a_document_with_one_bad_rating_still_names_it():
    good = {"ratee_id": "a", "rater_id": "b", "relation": "peer", "competency_id": "c", "score": 3}
    assert ratings_from_rows([good, {**good, "score": math.nan}]) is None
    assert ratings_from_rows([good, ["not", "a", "dict"]]) is None
    assert ratings_from_rows([good]) == (Rating("a", "b", "peer", "c", 3),)
    assert ratings_from_rows([{**good, "rater_id": "a"}]) is None  # a peer rating of oneself
    assert ratings_from_rows([{**good, "extra": 1}]) is None


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"ratings": 5}, "ratings"),
        ({"ratings": [], "scale": 5}, "scale"),
        ({"ratings": [], "policy": "strict"}, "policy"),
    ],
)
def test_aggregate_feedback_names_a_wrong_argument(kwargs, path):
    with pytest.raises(InvalidInputError) as info:
        aggregate_feedback(**kwargs)
    assert info.value.path == path
