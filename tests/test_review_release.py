"""The review cycle published again: the release guard through `run_review`.

A late rating between two runs of the same cycle must not be recoverable from anything the
second outcome holds, the composite score (and so the band and the bonus) included.
"""

import json
import math
import re

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mteam.errors import InvalidInputError
from mteam.io import dumps, load_sample_team, loads
from mteam.performance.feedback import (
    FeedbackPolicy,
    FeedbackRelease,
    Rating,
    Relation,
    SmallGroupRule,
)
from mteam.review import ReviewOutcome, ReviewPolicy, run_review
from tests.strategies import rating_sets

KEY = "the cycle's secret, kept apart from the release file"
TEAM = load_sample_team()
SCALE = TEAM.feedback_scale
FIRST = run_review(TEAM, key=KEY)
SECRETS = (1, 2, 3, 4, 5)
ANONYMOUS = (Relation.PEER, Relation.DIRECT_REPORT, Relation.CUSTOMER)


def with_ratings(document, *ratings):
    return attrs.evolve(document, ratings=(*document.ratings, *ratings))


def late(score, ratee="m02", competency="communication", relation=Relation.PEER):
    return Rating(ratee, "late-rater", relation, competency, score)


def competency(outcome, member_id, competency_id):
    report = outcome.member(member_id).feedback
    return next(c for c in report.competencies if c.competency_id == competency_id)


def group(outcome, member_id, competency_id, name):
    comp = competency(outcome, member_id, competency_id)
    return next((g for g in comp.groups if g.group == name), None)


def feedback_component(outcome, member_id):
    found = [c for c in outcome.member(member_id).composite.components if c.name == "feedback"]
    return found[0] if found else None


def peer_count(document, ratee, competency_id):
    return sum(
        1
        for r in document.ratings
        if (r.ratee_id, r.competency_id, r.relation) == (ratee, competency_id, Relation.PEER)
    )


# --- the differencing attack on two runs of the cycle ------------------------------------------


def composite_attacker(first, second, member_id="m02", competency_id="communication"):
    """The late peer's score from the composite score alone, as (n+1)·mean₂ − n·mean₁.

    The attacker reads the first outcome in full (its composite components, every competency's
    figures) and only the composite score of the second; the other components did not change.
    From the score back to the feedback component, the others-score, the competency's
    others-score and the peer mean, then the difference of the two peer sums.
    """
    old = first.member(member_id)
    fb = feedback_component(first, member_id)
    rest = math.fsum(c.contribution for c in old.composite.components if c is not fb)
    value = (second.member(member_id).composite.score - rest) / fb.share
    others_score = SCALE.minimum + value * (SCALE.maximum - SCALE.minimum)
    comps = old.feedback.competencies
    this = competency(first, member_id, competency_id)
    others = len(comps) * others_score - math.fsum(
        c.others for c in comps if c.competency_id != competency_id
    )
    manager, peer = (group(first, member_id, competency_id, g) for g in ("manager", "peer"))
    peer_mean = (others - manager.weight * manager.mean) / peer.weight
    assert this.others == pytest.approx(manager.weight * manager.mean + peer.weight * peer.mean)
    return (peer.raters + 1) * peer_mean - peer.raters * peer.mean


def test_without_the_guard_the_composite_score_gives_a_late_peer_away():
    assert peer_count(TEAM, "m02", "communication") == 4  # n = 4 peers, then n + 1
    first = run_review(TEAM)
    for secret in SECRETS:
        second = run_review(with_ratings(TEAM, late(secret)))
        # the peer figures: 5·mean₂ − 4·mean₁ is the late rater's score
        m1, m2 = (group(o, "m02", "communication", "peer").mean for o in (first, second))
        assert 5 * m2 - 4 * m1 == pytest.approx(secret)
        # and the composite score alone, with the first outcome, says the same
        assert composite_attacker(first, second) == pytest.approx(secret)


def test_with_the_guard_the_second_outcome_is_the_same_whatever_the_late_peer_gave():
    seconds = [
        run_review(with_ratings(TEAM, late(s)), previous=FIRST.release, key=KEY) for s in SECRETS
    ]
    # everything in it: reports, composites, bands, bonuses, recognition, the new release
    assert all(o == seconds[0] for o in seconds)
    second = seconds[0]
    comp = competency(second, "m02", "communication")
    assert [g.group for g in comp.groups] == ["manager"]
    assert [(s.group, s.action) for s in comp.suppressed] == [("peer", "withheld")]
    # so the composite attacker's answer is one number, the late score at most once
    answers = [composite_attacker(FIRST, o) for o in seconds]
    assert sum(a == pytest.approx(s) for a, s in zip(answers, SECRETS, strict=True)) <= 1
    # the composite uses the figures shown: the communication others-score is the manager's
    manager = group(second, "m02", "communication", "manager")
    assert comp.others == manager.mean
    report = second.member("m02").feedback
    fb = feedback_component(second, "m02")
    assert fb.value == pytest.approx(SCALE.normalise(report.others_score))
    assert report.others_score == pytest.approx(
        math.fsum(c.others for c in report.competencies) / len(report.competencies)
    )
    # which moves m02's composite from the first release (documented: nothing withheld is used)
    assert second.member("m02").composite.score != FIRST.member("m02").composite.score
    # every other member's feedback is what the first release showed
    for m in second.members:
        if m.member_id != "m02":
            assert m.feedback == FIRST.member(m.member_id).feedback


def test_three_late_peers_in_all_show_the_peer_figure_again():
    raters = [Rating("m02", f"late-{i}", Relation.PEER, "communication", 2) for i in range(3)]
    one = run_review(with_ratings(TEAM, raters[0]), previous=FIRST.release, key=KEY)
    assert group(one, "m02", "communication", "peer") is None
    three = run_review(with_ratings(TEAM, *raters), previous=one.release, key=KEY)
    peer = group(three, "m02", "communication", "peer")
    assert peer.raters == 7
    # the three late scores come out only as one sum: 7·mean₃ − 4·mean₁ = 2 + 2 + 2
    first_peer = group(FIRST, "m02", "communication", "peer")
    assert 7 * peer.mean - 4 * first_peer.mean == pytest.approx(6)
    assert feedback_component(three, "m02").value == pytest.approx(
        SCALE.normalise(three.member("m02").feedback.others_score)
    )


def shown_alone():
    """(ratee, competency, relation) of every anonymous group the first run showed on its own."""
    return sorted(
        (m.member_id, c.competency_id, Relation(g.group))
        for m in FIRST.members
        if m.feedback is not None
        for c in m.feedback.competencies
        for g in c.groups
        if g.group in {r.value for r in ANONYMOUS}
    )


def test_the_sample_team_shows_many_peer_groups_on_their_own():
    assert {relation for _, _, relation in shown_alone()} == {Relation.PEER}
    assert len(shown_alone()) >= 30


@pytest.mark.parametrize("relation", [Relation.DIRECT_REPORT, Relation.CUSTOMER])
def test_a_late_direct_report_or_customer_is_withheld_the_same_way(relation):
    raters = [Rating("m05", f"x{i}", relation, "negotiation", s) for i, s in enumerate([2, 4, 5])]
    base = with_ratings(TEAM, *raters)
    first = run_review(base, key=KEY)
    assert group(first, "m05", "negotiation", relation.value).mean == pytest.approx(11 / 3)
    seconds = [
        run_review(
            with_ratings(base, late(s, "m05", "negotiation", relation)),
            previous=first.release,
            key=KEY,
        )
        for s in SECRETS
    ]
    assert all(o == seconds[0] for o in seconds)
    comp = competency(seconds[0], "m05", "negotiation")
    assert comp.groups == ()
    assert [(x.group, x.action) for x in comp.suppressed] == [(relation.value, "withheld")]
    assert seconds[0].member("m05").composite != first.member("m05").composite


@settings(max_examples=20)  # four review cycles per example; kept quick
@given(
    st.sampled_from(shown_alone()),
    st.sampled_from(SmallGroupRule),
    st.booleans(),
    st.integers(3, 4),
)
def test_a_late_rater_joining_a_published_group_changes_nothing_in_the_outcome(
    cell, rule, calibrate, min_raters
):
    ratee, competency_id, relation = cell
    feedback = FeedbackPolicy(small_groups=rule, calibrate=calibrate, min_raters=min_raters)
    policy = ReviewPolicy(feedback=feedback)
    first = run_review(TEAM, policy, key=KEY)
    shown = {
        (m.member_id, c.competency_id, g.group)
        for m in first.members
        if m.feedback is not None
        for c in m.feedback.competencies
        for g in c.groups
    }
    if (ratee, competency_id, relation.value) not in shown:
        return  # under this policy the group is not shown on its own: another case
    outcomes = [
        run_review(
            with_ratings(TEAM, late(s, ratee, competency_id, relation)),
            policy,
            previous=first.release,
            key=KEY,
        )
        for s in (1, 3, 5)
    ]
    assert all(o == outcomes[0] for o in outcomes)
    comp = competency(outcomes[0], ratee, competency_id)
    assert "withheld" in {s.action for s in comp.suppressed}


# --- the composite is made of what is shown ------------------------------------------------------

MEMBERS = {letter: f"m{i:02d}" for i, letter in enumerate("ABCDEF", start=1)}


def as_members(ratings):
    """Random ratings of ratees A…F as ratings of the sample team's m01…m06."""
    out = []
    for r in ratings:
        ratee = MEMBERS[r.ratee_id]
        rater = ratee if r.relation is Relation.SELF else r.rater_id
        out.append(Rating(ratee, rater, r.relation, r.competency_id, r.score))
    return out


@settings(max_examples=20)  # two review cycles per example; kept quick
@given(
    rating_sets(max_raters=6),
    rating_sets(max_raters=6),
    st.sampled_from(SmallGroupRule),
    st.booleans(),
)
def test_the_composite_uses_only_the_figures_the_guarded_reports_show(before, after, rule, cal):
    policy = ReviewPolicy(feedback=FeedbackPolicy(small_groups=rule, calibrate=cal))
    first = run_review(attrs.evolve(TEAM, ratings=as_members(before)), policy, key=KEY)
    second = run_review(
        attrs.evolve(TEAM, ratings=as_members(after)), policy, previous=first.release, key=KEY
    )
    for outcome in (first, second):
        for m in outcome.members:
            fb = feedback_component(outcome, m.member_id)
            report = m.feedback
            if report is None or report.others_score is None:
                assert fb is None
                continue
            assert fb.value == pytest.approx(SCALE.normalise(report.others_score))
            for c in report.competencies:
                if c.others is not None:
                    shown = math.fsum(g.weight * g.mean for g in c.groups)
                    assert c.others == pytest.approx(shown)


@settings(max_examples=20)  # three review cycles per example; kept quick
@given(rating_sets(max_raters=6), st.randoms(use_true_random=False))
def test_the_guarded_cycle_does_not_depend_on_the_order_of_the_ratings(ratings, rnd):
    document = attrs.evolve(TEAM, ratings=as_members(ratings))
    shuffled = list(document.ratings)
    rnd.shuffle(shuffled)
    one = run_review(document, key=KEY)
    two = run_review(attrs.evolve(document, ratings=shuffled), key=KEY)
    assert one == two
    again = run_review(document, previous=one.release, key=KEY)
    assert attrs.evolve(again, release=None) == attrs.evolve(one, release=None)
    assert again.release == one.release  # nothing new was published


# --- the release, and the arguments --------------------------------------------------------------


def test_without_a_key_there_is_no_release_and_the_outcome_is_unchanged():
    plain = run_review(TEAM)
    assert plain.release is None
    assert run_review(TEAM, ReviewPolicy()).release is None  # the policy stays positional
    assert attrs.evolve(FIRST, release=None) == plain  # a key alone withholds nothing
    assert isinstance(FIRST.release, FeedbackRelease)
    assert {c.ratee_id for c in FIRST.release.cells} == {
        m.member_id for m in FIRST.members if m.feedback is not None
    }


def test_the_release_round_trips_through_the_converter_and_through_json():
    release = FIRST.release
    assert loads(FeedbackRelease, dumps(release)) == release
    assert FeedbackRelease.from_dict(json.loads(json.dumps(release.to_dict()))) == release
    assert loads(ReviewOutcome, dumps(FIRST)) == FIRST  # the outcome carries it through JSON
    # the release holds ratee and competency ids in clear, keyed tokens, and nothing else
    data = json.loads(dumps(release))
    assert set(data) == {"key_check", "cells"}
    assert re.fullmatch(r"[0-9a-f]{16}", data["key_check"])
    members = {m.id for m in TEAM.members}
    competencies = {r.competency_id for r in TEAM.ratings}
    for cell in data["cells"]:
        assert set(cell) == {"ratee_id", "competency_id", "figures"}
        assert cell["ratee_id"] in members
        assert cell["competency_id"] in competencies
        tokens = [t for f in cell["figures"] for t in f]
        assert all(re.fullmatch(r"[0-9a-f]{16}:[0-9a-f]{16}", t) for t in tokens)


def test_the_previous_release_may_be_its_plain_data():
    document = with_ratings(TEAM, late(4))
    from_value = run_review(document, previous=FIRST.release, key=KEY)
    from_data = run_review(document, previous=json.loads(dumps(FIRST.release)), key=KEY)
    from_dict = run_review(document, previous=FIRST.release.to_dict(), key=KEY.encode())
    assert from_value == from_data == from_dict


def test_the_new_release_carries_the_earlier_figures_forward():
    second = run_review(with_ratings(TEAM, late(1)), previous=FIRST.release, key=KEY)
    earlier = {(c.ratee_id, c.competency_id): set(c.figures) for c in FIRST.release.cells}
    now = {(c.ratee_id, c.competency_id): set(c.figures) for c in second.release.cells}
    assert all(figures <= now[cell] for cell, figures in earlier.items())
    assert second.release == FIRST.release  # the withheld figure was not recorded


@pytest.mark.parametrize(
    ("kwargs", "path", "words"),
    [
        ({"previous": "release"}, "key", "required"),
        ({"key": "short"}, "key", "16 bytes"),
        ({"key": 12345678901234567890}, "key", "bytes or text"),
        ({"key": KEY + "!", "previous": "release"}, "key", "not the key"),
        ({"key": KEY, "previous": 7}, "previous", "FeedbackRelease"),
        ({"key": KEY, "previous": {"key_check": "x", "cells": []}}, "previous.key_check", "hex"),
    ],
)
def test_bad_release_arguments_are_input_errors_at_their_own_path(kwargs, path, words):
    if kwargs.get("previous") == "release":
        kwargs = {**kwargs, "previous": FIRST.release}
    with pytest.raises(InvalidInputError) as info:
        run_review(TEAM, **kwargs)
    assert info.value.path == path
    assert words in info.value.message
    assert KEY not in str(info.value)


def test_a_bad_key_is_reported_before_the_document():
    broken = with_ratings(TEAM, Rating("nobody", "late-rater", Relation.PEER, "comm", 3))
    with pytest.raises(InvalidInputError) as info:
        run_review(broken, key="short")
    assert info.value.path == "key"
    with pytest.raises(InvalidInputError) as info:
        run_review(broken, key=KEY)
    assert info.value.path == f"$.ratings[{len(TEAM.ratings)}].ratee_id"


def test_a_rating_problem_keeps_its_document_path_under_the_guard():
    bad = with_ratings(TEAM, Rating("m02", "late-rater", Relation.PEER, "communication", 9))
    with pytest.raises(InvalidInputError) as info:
        run_review(bad, previous=FIRST.release, key=KEY)
    assert info.value.path == f"$.ratings[{len(TEAM.ratings)}].score"
    assert "9" not in info.value.message
