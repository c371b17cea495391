"""Every field of the team document's values and the policies is checked when built."""

from datetime import date
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mteam.errors import InvalidInputError
from mteam.membership.analysis import MembershipPolicy
from mteam.review import ProjectRecord, ReviewPolicy, TeamMember

MEMBER = TeamMember("m01", "Ann", "seo_specialist", date(2024, 3, 1))


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: TeamMember(5, None, [], "x"), "id"),
        (lambda: TeamMember("m", None, "r", date(2024, 1, 1)), "name"),
        (lambda: TeamMember("m", "n", "r", "2024-01-01"), "hired_on"),
        (lambda: attrs.evolve(MEMBER, skills=[("seo", 3)]), "skills"),
        (lambda: attrs.evolve(MEMBER, skills={"seo": 5}), "skills['seo']"),
        (lambda: attrs.evolve(MEMBER, kpis={"k": float("nan")}), "kpis['k']"),
        (lambda: attrs.evolve(MEMBER, base_salary=1000.0), "base_salary"),
        (lambda: attrs.evolve(MEMBER, training_planned_hours=-1), "training_planned_hours"),
        (lambda: attrs.evolve(MEMBER, reward_preferences=5), "reward_preferences"),
        (lambda: attrs.evolve(MEMBER, reward_preferences=["a", 3]), "reward_preferences[1]"),
        (lambda: ProjectRecord("m01", "p", 4, contribution=0), "contribution"),
        (lambda: ReviewPolicy(bands=None), "bands"),
        (lambda: ReviewPolicy(max_bus_factor="x"), "max_bus_factor"),
        (lambda: ReviewPolicy(kpi=None), "kpi"),
        (lambda: ReviewPolicy(forced_distribution={0: 0.5}), "forced_distribution[0]"),
        (lambda: MembershipPolicy(horizon=-5), "horizon"),
        (lambda: MembershipPolicy(discount_rate=0.01), "discount_rate"),
        (lambda: MembershipPolicy(gross_margin=2), "gross_margin"),
        (lambda: MembershipPolicy(allow_refunds="yes"), "allow_refunds"),
    ],
)
def test_a_wrong_field_fails_at_construction_naming_it(build, field):
    with pytest.raises(InvalidInputError) as info:
        build()
    assert info.value.path == field


def test_a_document_checks_its_lists_and_amounts():
    from mteam.io import load_sample_team  # noqa: PLC0415 - a test may use the edge

    doc = load_sample_team()
    for change, field in [
        ({"members": [*doc.members[:2], "m03"]}, "members[2]"),
        ({"ratings": [*doc.ratings[:1], ("a", "b")]}, "ratings[1]"),
        ({"bonus_pool": Decimal(-1)}, "bonus_pool"),
        ({"currency": "TWD"}, "currency"),
        ({"use_builtin_catalog": 1}, "use_builtin_catalog"),
    ]:
        with pytest.raises(InvalidInputError) as info:
            attrs.evolve(doc, **change)
        assert info.value.path == field


def test_a_rating_of_the_wrong_type_is_named_by_position_only():
    from mteam.io import load_sample_team  # noqa: PLC0415

    doc = load_sample_team()
    with pytest.raises(InvalidInputError) as info:
        attrs.evolve(doc, ratings=[*doc.ratings, ("ann", "secret-rater", 4)])
    assert "secret-rater" not in str(info.value)


WRONG = st.one_of(
    st.none(), st.integers(), st.floats(), st.lists(st.integers(), max_size=2), st.booleans()
)


@given(WRONG)
def test_any_wrong_type_for_a_text_field_is_an_input_error(value):
    for field in ("id", "name", "role"):
        with pytest.raises(InvalidInputError) as info:
            attrs.evolve(MEMBER, **{field: value})
        assert info.value.path == field


@given(st.one_of(st.none(), st.text(max_size=3), st.floats(), st.booleans()))
def test_any_wrong_type_for_a_policy_field_is_an_input_error(value):
    for field in ("kpi", "feedback", "composite", "bands", "bonus", "gaps", "training"):
        with pytest.raises(InvalidInputError) as info:
            ReviewPolicy(**{field: value})
        assert info.value.path == field
    with pytest.raises(InvalidInputError):
        ReviewPolicy(max_bus_factor=value)
