"""360-degree anonymity under attack: redacted errors, calibration, complementary suppression,
and the release guard against differencing two releases."""

import itertools
import json
import math
import re

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mteam.errors import InvalidInputError
from mteam.io import structure, unstructure
from mteam.performance.feedback import (
    FeedbackPolicy,
    FeedbackPublication,
    FeedbackRelease,
    Rating,
    Relation,
    ReleaseCell,
    SmallGroupRule,
    aggregate_feedback,
    publish_feedback,
)
from tests.strategies import rating_sets

M, P, D, C, S = (
    Relation.MANAGER,
    Relation.PEER,
    Relation.DIRECT_REPORT,
    Relation.CUSTOMER,
    Relation.SELF,
)
KEY = "a cycle secret, kept apart from the release"
ANONYMOUS = ("peer", "direct_report", "customer")


def figure(report, competency, group):
    comp = next(c for c in report.competencies if c.competency_id == competency)
    return next((g for g in comp.groups if g.group == group), None)


def error_text(err):
    return str(err) + repr(err) + "".join(str(p) + repr(p) for p in err.problems)


# --- errors name positions, never raters or scores --------------------------------------------


def test_a_numeric_rater_id_is_not_printed():
    with pytest.raises(InvalidInputError) as info:
        Rating("m01", 48213, P, "communication", 3.75)
    assert info.value.path == "rater_id"
    assert "48213" not in error_text(info.value)
    assert "3.75" not in error_text(info.value)


def test_a_rating_read_from_json_with_a_numeric_rater_id_is_not_printed():
    row = {"ratee_id": "m01", "rater_id": 48213, "relation": "peer", "competency_id": "c"}
    with pytest.raises(InvalidInputError) as info:
        structure(tuple[Rating, ...], [{**row, "score": 3.75}])
    assert [p.path for p in info.value.problems] == ["$[0].rater_id"]
    assert "48213" not in error_text(info.value)
    assert "3.75" not in error_text(info.value)


def test_fields_out_of_order_do_not_print_the_rater_in_the_relation_error():
    with pytest.raises(InvalidInputError) as info:
        Rating("m01", "peer", "zq-secret-rater", "communication", 3.75)
    assert info.value.path == "relation"
    assert "zq-secret-rater" not in error_text(info.value)


def test_a_rating_passed_as_one_object_is_not_echoed():
    row = {"ratee_id": "m01", "rater_id": "zq-secret-rater", "relation": "peer", "score": 3.75}
    with pytest.raises(InvalidInputError) as info:
        aggregate_feedback(row)
    assert info.value.path == "ratings"
    assert "zq-secret-rater" not in error_text(info.value)
    assert "3.75" not in error_text(info.value)


def test_a_duplicate_is_named_by_positions_only():
    ratings = [
        Rating("ann", "zq-secret-rater", P, "comm", 4),
        Rating("bob", "x", P, "comm", 2),
        Rating("ann", "zq-secret-rater", C, "comm", 2),
    ]
    with pytest.raises(InvalidInputError) as info:
        aggregate_feedback(ratings)
    assert info.value.path == "ratings[2]"
    assert "ratings[0]" in info.value.message
    text = error_text(info.value)
    assert "zq-secret-rater" not in text
    assert "'ann'" not in text
    assert "'comm'" not in text


secrets = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=6, max_size=12)


@given(
    secret=secrets,
    number=st.integers(10_000, 10**9),
    field=st.sampled_from(["rater_id", "relation", "score"]),
    bad=st.sampled_from(["number", "text", "list", "none"]),
)
def test_no_rating_error_repeats_a_value(secret, number, field, bad):
    values = {"number": number, "text": secret, "list": [secret, number], "none": None}
    args = {"ratee_id": "m01", "rater_id": secret, "relation": P, "competency_id": "c"}
    args["score"] = 3
    args[field] = values[bad]
    if (field, bad) in {("rater_id", "text"), ("score", "number")}:
        Rating(**args)  # valid: a text rater id, a numeric score (the scale is checked later)
        return
    with pytest.raises(InvalidInputError) as info:
        Rating(**args)
    assert info.value.path == field
    assert secret not in error_text(info.value)
    assert str(number) not in error_text(info.value)


# --- calibration uses shown ratings only --------------------------------------------------------


def calibration_case(secret_scores):
    """Bob, Cat and Dan are rated by three peers each (who rate all three); Ann only by one
    customer on four competencies, whose scores are the secret."""
    ratings = []
    for ratee, scores in [("bob", (5, 4, 3)), ("cat", (4, 2, 3)), ("dan", (3, 3, 5))]:
        for rater, score in zip(("x", "y", "z"), scores, strict=True):
            ratings.append(Rating(ratee, rater, P, "comm", score))
    ratings.append(Rating("ann", "boss", M, "comm", 4))
    for competency, score in zip(("c1", "c2", "c3", "c4"), secret_scores, strict=True):
        ratings.append(Rating("ann", "only-customer", C, competency, score))
    return ratings


def test_the_625_score_attacker_learns_nothing_from_a_calibrated_report():
    policy = FeedbackPolicy(calibrate=True, min_ratees=2)
    secret = (5, 1, 4, 2)
    published = aggregate_feedback(calibration_case(secret), policy=policy)
    assert figure(published["bob"], "comm", "peer") is not None  # a calibrated figure is shown
    consistent = [
        guess
        for guess in itertools.product(range(1, 6), repeat=4)
        if aggregate_feedback(calibration_case(guess), policy=policy) == published
    ]
    assert len(consistent) == 625  # every guess fits: the report does not depend on the secret


def hidden_positions(ratings, reports):
    """Ratings that no shown figure holds: their group was dropped or withheld."""
    out = []
    for i, r in enumerate(ratings):
        if not r.relation.anonymous:
            continue
        comp = next(
            c for c in reports[r.ratee_id].competencies if c.competency_id == r.competency_id
        )
        actions = {s.action for s in comp.suppressed if s.group == r.relation.value}
        if actions & {"dropped", "withheld"}:
            out.append(i)
    return out


@settings(max_examples=80)  # several aggregations per example; kept quick
@given(
    rating_sets(max_raters=6),
    st.sampled_from(SmallGroupRule),
    st.integers(1, 4),
    st.integers(2, 3),
    st.data(),
)
def test_a_hidden_rating_moves_no_figure_even_with_calibration(ratings, rule, n, ratees, data):
    policy = FeedbackPolicy(calibrate=True, min_ratees=ratees, min_raters=n, small_groups=rule)
    base = aggregate_feedback(ratings, policy=policy)
    for i in hidden_positions(ratings, base):
        changed = list(ratings)
        changed[i] = attrs.evolve(ratings[i], score=data.draw(st.floats(1, 5)))
        assert aggregate_feedback(changed, policy=policy) == base


# --- complementary suppression ------------------------------------------------------------------


def test_glint_rule_under_drop_one_small_group_takes_the_next_smallest_with_it():
    # manager 4; peers 3, 4, 5; one customer 1. Dropping the customer alone would let anyone
    # who knows the all-raters mean (4 + 3 + 4 + 5 + 1) / 5 = 3.4 subtract the peers' 12 and the
    # manager's 4 and read the customer's 1. So the peers (the smallest group shown) go too.
    ratings = [
        Rating("ann", "boss", M, "comm", 4),
        *[Rating("ann", f"p{i}", P, "comm", s) for i, s in enumerate([3, 4, 5])],
        Rating("ann", "c1", C, "comm", 1),
    ]
    policy = FeedbackPolicy(small_groups=SmallGroupRule.DROP)
    comp = aggregate_feedback(ratings, policy=policy)["ann"].competencies[0]
    assert [g.group for g in comp.groups] == ["manager"]
    assert comp.others == 4.0
    assert [(s.group, s.action) for s in comp.suppressed] == [
        ("peer", "dropped"),
        ("customer", "dropped"),
    ]
    assert "recovered by subtraction" in comp.suppressed[0].reason
    assert "fewer than 3 raters" in comp.suppressed[1].reason


def test_under_merge_the_smallest_shown_group_is_merged_with_the_small_one():
    # peers 3 raters, customers 4 raters, one direct report: the peers are the smaller, so they
    # join the direct report in "others" (4 raters, weight 0.3 + 0.2); the customers stay.
    ratings = [
        *[Rating("ann", f"p{i}", P, "comm", 4) for i in range(3)],
        *[Rating("ann", f"c{i}", C, "comm", 2) for i in range(4)],
        Rating("ann", "d1", D, "comm", 1),
    ]
    comp = aggregate_feedback(ratings)["ann"].competencies[0]
    assert [(g.group, g.raters) for g in comp.groups] == [("customer", 4), ("others", 4)]
    assert comp.groups[1].mean == pytest.approx(13 / 4)
    assert [g.weight for g in comp.groups] == pytest.approx([0.1 / 0.6, 0.5 / 0.6])
    # ties go to the earlier group in the order peer, direct report, customer
    tie = [*ratings, Rating("ann", "p3", P, "comm", 4)]
    comp = aggregate_feedback(tie)["ann"].competencies[0]
    assert [(g.group, g.raters) for g in comp.groups] == [("customer", 4), ("others", 5)]


@given(rating_sets(), st.sampled_from(SmallGroupRule), st.integers(1, 4))
def test_the_raters_set_aside_are_none_or_at_least_the_threshold(ratings, rule, n):
    policy = FeedbackPolicy(min_raters=n, small_groups=rule)
    reports = aggregate_feedback(ratings, policy=policy)
    for report in reports.values():
        for comp in report.competencies:
            total = sum(
                1
                for r in ratings
                if r.ratee_id == report.ratee_id
                and r.competency_id == comp.competency_id
                and r.relation.anonymous
            )
            shown = [g for g in comp.groups if g.group != "manager"]
            for g in shown:
                assert g.raters >= n  # the report never holds a group below the threshold
            aside = total - sum(g.raters for g in shown)
            if shown:
                assert aside == 0 or aside >= n


# --- the release guard --------------------------------------------------------------------------


def peers(scores, ratee="ann", competency="comm"):
    return [Rating(ratee, f"p{i}", P, competency, s) for i, s in enumerate(scores)]


def test_without_the_guard_two_releases_give_a_late_rater_away():
    first = aggregate_feedback(peers([3, 4, 5]))
    second = aggregate_feedback(peers([3, 4, 5, 2]))
    m1, m2 = (figure(r["ann"], "comm", "peer").mean for r in (first, second))
    assert 4 * m2 - 3 * m1 == pytest.approx(2)  # the late rater's exact score


def test_with_the_guard_the_late_rater_is_withheld_until_enough_join():
    one = publish_feedback(peers([3, 4, 5]), key=KEY)
    two = publish_feedback(peers([3, 4, 5, 2]), key=KEY, previous=one.release)
    assert figure(two.reports["ann"], "comm", "peer") is None
    comp = two.reports["ann"].competencies[0]
    assert comp.others is None
    assert [(s.group, s.action) for s in comp.suppressed] == [("peer", "withheld")]
    assert "since an earlier release" in comp.suppressed[0].reason
    # published again from the second release, the first release's figure still counts
    three = publish_feedback(peers([3, 4, 5, 2]), key=KEY, previous=two.release)
    assert figure(three.reports["ann"], "comm", "peer") is None
    # three late raters in all: their sum is no single rater's score
    four = publish_feedback(peers([3, 4, 5, 2, 1, 5]), key=KEY, previous=three.release)
    assert figure(four.reports["ann"], "comm", "peer").mean == pytest.approx(20 / 6)


def test_an_edited_score_counts_as_a_changed_rater():
    one = publish_feedback(peers([3, 4, 5]), key=KEY)
    two = publish_feedback(peers([3, 4, 1]), key=KEY, previous=one.release)
    assert figure(two.reports["ann"], "comm", "peer") is None
    same = publish_feedback(peers([5, 4, 3][::-1]), key=KEY, previous=one.release)
    assert same.reports == one.reports  # nothing changed: everything is shown again


def test_the_manager_is_never_withheld_and_a_removed_rater_is_a_change():
    ratings = [Rating("ann", "boss", M, "comm", 4), *peers([3, 4, 5, 2])]
    one = publish_feedback(ratings, key=KEY)
    two = publish_feedback(ratings[:-1], key=KEY, previous=one.release)  # one peer withdrew
    groups = [g.group for g in two.reports["ann"].competencies[0].groups]
    assert groups == ["manager"]


def test_the_guard_covers_a_rater_moving_between_groups():
    # release 1: peers (3) shown, a direct report and two customers merged into others (3);
    # release 2: a third customer: customers (3) shown alone, the direct report is merged with
    # the peers. Customers {c0, c1, c2} differ from the old others {d, c0, c1} by two raters,
    # and others {p0, p1, p2, d} from the old peers by one: both are withheld.
    base = [*peers([4, 4, 4]), Rating("ann", "d", D, "comm", 2)]
    base += [Rating("ann", f"c{i}", C, "comm", 5) for i in range(2)]
    one = publish_feedback(base, key=KEY)
    assert [g.group for g in one.reports["ann"].competencies[0].groups] == ["peer", "others"]
    two = publish_feedback(
        [*base, Rating("ann", "c2", C, "comm", 1)], key=KEY, previous=one.release
    )
    comp = two.reports["ann"].competencies[0]
    assert comp.groups == ()
    assert {(s.group, s.action) for s in comp.suppressed} >= {
        ("customer", "withheld"),
        ("others", "withheld"),
    }


@st.composite
def late_ratings(draw):
    ratings = draw(rating_sets(max_raters=7))
    ratee = draw(st.sampled_from(sorted({r.ratee_id for r in ratings} | {"A"})))
    competency = draw(st.sampled_from(["comm", "collab", "lead"]))
    relation = draw(st.sampled_from([P, D, C]))
    return ratings, ratee, competency, relation


def differencing_guesses(before, after):
    """(n+1)·mean₂ − n·mean₁ for every pair of figures of a ratee's competency, by pair."""
    guesses = {}
    for ratee, report in after.items():
        if ratee not in before:
            continue
        old = {c.competency_id: c for c in before[ratee].competencies}
        for comp in report.competencies:
            if comp.competency_id not in old:
                continue
            for g2 in comp.groups:
                for g1 in old[comp.competency_id].groups:
                    if g2.raters == g1.raters + 1:
                        pair = (ratee, comp.competency_id, g1.group, g2.group)
                        guesses[pair] = g2.raters * g2.mean - g1.raters * g1.mean
    return guesses


def recovered(before, late_ratings, previous, make):
    """The pairs of figures whose difference is the late rater's score, whatever it is."""
    hits = None
    for secret in range(1, 6):
        two = make(late_ratings(secret), previous)
        found = {
            pair
            for pair, guess in differencing_guesses(before, two).items()
            if guess == pytest.approx(secret, abs=1e-9)
        }
        hits = found if hits is None else hits & found
    return hits


@given(late_ratings(), st.sampled_from(SmallGroupRule), st.booleans())
def test_a_differencing_attacker_learns_nothing_about_a_late_rater(case, rule, calibrate):
    ratings, ratee, competency, relation = case
    policy = FeedbackPolicy(small_groups=rule, calibrate=calibrate)
    one = publish_feedback(ratings, policy=policy, key=KEY)

    def late_ratings(secret):
        return [*ratings, Rating(ratee, "late-rater", relation, competency, secret)]

    def guarded(items, previous):
        return publish_feedback(items, policy=policy, key=KEY, previous=previous).reports

    # no pair of figures, one from each release, differs by exactly the late rater's score
    assert recovered(one.reports, late_ratings, one.release, guarded) == set()


def test_the_same_attacker_succeeds_without_the_guard():
    ratings = [Rating("ann", "boss", M, "comm", 4), *peers([3, 4, 5])]
    policy = FeedbackPolicy()
    before = aggregate_feedback(ratings)

    def late_ratings(secret):
        return [*ratings, Rating("ann", "late-rater", P, "comm", secret)]

    def unguarded(items, _previous):
        return aggregate_feedback(items, policy=policy)

    assert recovered(before, late_ratings, None, unguarded) == {("ann", "comm", "peer", "peer")}


@settings(max_examples=80)  # several aggregations per example; kept quick
@given(rating_sets(), st.randoms(use_true_random=False))
def test_publishing_does_not_depend_on_the_order_of_the_ratings(ratings, rnd):
    shuffled = list(ratings)
    rnd.shuffle(shuffled)
    one, two = publish_feedback(ratings, key=KEY), publish_feedback(shuffled, key=KEY)
    assert one == two
    assert publish_feedback(ratings, key=KEY, previous=one.release).reports == one.reports
    assert aggregate_feedback(shuffled, key=KEY, previous=one.release) == one.reports


@settings(max_examples=80)  # several aggregations per example; kept quick
@given(rating_sets())
def test_the_release_round_trips_through_json_and_holds_no_rater_or_score(ratings):
    release = publish_feedback(ratings, key=KEY).release
    text = json.dumps(release.to_dict())
    assert FeedbackRelease.from_dict(json.loads(text)) == release
    assert structure(FeedbackRelease, unstructure(release)) == release  # the converter too
    assert not re.search(r"\br\d+\b", text)  # the strategy's rater ids are r0, r1, …
    assert all(len(c.figures) >= 1 for c in release.cells)
    # a release taken as previous works from its plain data as well
    assert aggregate_feedback(ratings, key=KEY, previous=json.loads(text)) == aggregate_feedback(
        ratings
    )


def test_the_tokens_of_one_rater_do_not_link_across_ratees():
    ratings = [*peers([3, 4, 5], ratee="ann"), *peers([3, 4, 5], ratee="bob")]
    cells = publish_feedback(ratings, key=KEY).release.cells
    ann, bob = (set(c.figures[0]) for c in cells)
    assert not {t[:16] for t in ann} & {t[:16] for t in bob}


def test_another_key_makes_other_tokens():
    one = publish_feedback(peers([3, 4, 5]), key=KEY).release
    two = publish_feedback(peers([3, 4, 5]), key=KEY + "!").release
    assert one.cells[0].figures != two.cells[0].figures
    assert one.key_check != two.key_check


@pytest.mark.parametrize(
    ("kwargs", "path", "words"),
    [
        ({"key": "short"}, "key", "at least 16 bytes"),
        ({"key": 12345678901234567890}, "key", "bytes or text"),
        ({"key": KEY + "?", "previous": "prev"}, "key", "not the key"),
        ({"key": None, "previous": "prev"}, "key", "required"),
        ({"key": KEY, "previous": 7}, "previous", "FeedbackRelease"),
        ({"key": KEY, "previous": {"key_check": "x", "cells": []}}, "previous.key_check", "hex"),
    ],
)
def test_bad_release_arguments_are_input_errors(kwargs, path, words):
    prev = publish_feedback(peers([3, 4, 5]), key=KEY).release
    if kwargs.get("previous") == "prev":
        kwargs = {**kwargs, "previous": prev}
    with pytest.raises(InvalidInputError) as info:
        aggregate_feedback(peers([3, 4, 5]), **kwargs)
    assert info.value.path == path
    assert words in info.value.message
    if isinstance(kwargs.get("key"), str):
        assert kwargs["key"] not in error_text(info.value)
    assert "12345678901234567890" not in error_text(info.value)


def test_a_key_given_as_bytes_is_the_same_key_as_its_text():
    one = publish_feedback(peers([3, 4, 5]), key=KEY)
    again = publish_feedback(peers([3, 4, 5]), key=KEY.encode(), previous=one.release)
    assert again.release == one.release
    assert isinstance(again, FeedbackPublication)


TOKEN = "0123456789abcdef:fedcba9876543210"  # noqa: S105 - a rater token, not a password


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ([], ""),
        ({"key_check": "0123456789abcdef"}, "cells"),
        ({"key_check": "0123456789abcdef", "cells": [], "extra": 1}, ""),
        ({"key_check": "0123456789ABCDEF", "cells": []}, "key_check"),
        ({"key_check": "0123456789abcdef", "cells": [5]}, "cells[0]"),
        (
            {"key_check": "0123456789abcdef", "cells": [{"ratee_id": "a", "figures": []}]},
            "cells[0].competency_id",
        ),
        (
            {
                "key_check": "0123456789abcdef",
                "cells": [{"ratee_id": "a", "competency_id": "c", "figures": [["p1"]]}],
            },
            "cells[0].figures[0][0]",
        ),
        (
            {
                "key_check": "0123456789abcdef",
                "cells": [{"ratee_id": "a", "competency_id": "c", "figures": [[]]}],
            },
            "cells[0].figures[0]",
        ),
        (
            {
                "key_check": "0123456789abcdef",
                "cells": [{"ratee_id": "a", "competency_id": "c", "figures": [[TOKEN, TOKEN]]}],
            },
            "cells[0].figures[0]",
        ),
        (
            {
                "key_check": "0123456789abcdef",
                "cells": [{"ratee_id": " ", "competency_id": "c", "figures": [[TOKEN]]}],
            },
            "cells[0].ratee_id",
        ),
        (
            {
                "key_check": "0123456789abcdef",
                "cells": [{"ratee_id": "a", "competency_id": "c", "figures": [[TOKEN]]}] * 2,
            },
            "cells",
        ),
    ],
)
def test_a_bad_release_names_the_field(data, path):
    with pytest.raises(InvalidInputError) as info:
        FeedbackRelease.from_dict(data)
    assert info.value.path == path


def test_a_release_cell_keeps_figures_sorted_and_distinct():
    other = "1123456789abcdef:fedcba9876543210"
    cell = ReleaseCell("a", "c", [[other, TOKEN], [TOKEN, other]])
    assert cell.figures == ((TOKEN, other),)
    with pytest.raises(InvalidInputError) as info:
        FeedbackRelease("0123456789abcdef", [cell, "x"])
    assert info.value.path == "cells[1]"


# --- the policy validates every field -----------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"group_weights": "peer"}, "group_weights"),
        ({"group_weights": {"peer": "0.3"}}, "group_weights['peer']"),
        ({"group_weights": {"peer": math.nan}}, "group_weights['peer']"),
        ({"group_weights": {"peer": True}}, "group_weights['peer']"),
        ({"group_weights": {3: 1.0}}, "group_weights[3]"),
        ({"min_raters": 2.0}, "min_raters"),
        ({"min_raters": True}, "min_raters"),
        ({"min_raters": 0}, "min_raters"),
        ({"small_groups": "hide"}, "small_groups"),
        ({"small_groups": None}, "small_groups"),
        ({"calibrate": 1}, "calibrate"),
        ({"calibrate": None}, "calibrate"),
        ({"min_ratees": 1}, "min_ratees"),
        ({"min_ratees": "3"}, "min_ratees"),
        ({"gap": -1}, "gap"),
        ({"gap": math.inf}, "gap"),
        ({"gap": "1"}, "gap"),
    ],
)
def test_every_policy_field_is_checked(kwargs, path):
    with pytest.raises(InvalidInputError) as info:
        FeedbackPolicy(**kwargs)
    assert info.value.path == path


wrong = st.one_of(
    st.none(), st.text(max_size=5), st.lists(st.integers(), max_size=2), st.binary(max_size=3)
)


@given(st.sampled_from(["group_weights", "min_raters", "small_groups", "calibrate"]), wrong)
def test_a_policy_field_of_the_wrong_type_is_an_input_error(field, value):
    if field == "small_groups" and value in ("merge", "drop"):
        return
    with pytest.raises(InvalidInputError) as info:
        FeedbackPolicy(**{field: value})
    assert info.value.path.startswith(field)


@given(st.sampled_from(["min_ratees", "gap"]), wrong | st.booleans() | st.floats(-1e9, 0))
def test_a_number_field_of_the_wrong_kind_is_an_input_error(field, value):
    with pytest.raises(InvalidInputError) as info:
        FeedbackPolicy(**{field: value})
    assert info.value.path == field
