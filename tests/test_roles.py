from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mteam.errors import InvalidInputError
from mteam.io import dumps, loads
from mteam.roles import (
    Candidate,
    CandidatePolicy,
    Role,
    Shortfall,
    SkillRequirement,
    SuggestedKpi,
    rank_candidates,
    required_skills,
    role_fit,
)
from mteam.scales import Direction, RatingScale
from tests.strategies import candidates, roles

ANALYST = Role(
    "data_analyst",
    "Data analyst",
    requirements=[
        SkillRequirement("data_analysis", 3, importance=3, must_have=True),
        SkillRequirement("statistics", 3, importance=2),
        SkillRequirement("communication", 2),
    ],
)


def test_role_fit_by_hand():
    # (3*min(2,3) + 2*min(4,3) + 1*min(1,2)) / (3*3 + 2*3 + 1*2) = (6 + 6 + 1) / 17
    result = role_fit({"data_analysis": 2, "statistics": 4, "communication": 1}, ANALYST)
    assert result.fit == pytest.approx(13 / 17, abs=1e-15)
    assert not result.eligible
    assert result.unmet == (
        Shortfall("communication", 2, 1, 1, importance=1.0, must_have=False),
        Shortfall("data_analysis", 3, 2, 1, importance=3, must_have=True),
    )
    assert result.missing_must_haves == ("data_analysis",)


def test_unlisted_skills_count_as_none_and_extra_skills_are_ignored():
    result = role_fit({"seo": 4}, ANALYST)
    assert result.fit == 0.0
    assert [s.actual for s in result.unmet] == [0, 0, 0]


def test_meeting_every_requirement_is_exactly_one_and_eligible():
    result = role_fit({"data_analysis": 4, "statistics": 3, "communication": 2}, ANALYST)
    assert result.fit == 1.0
    assert result.eligible
    assert result.unmet == ()


def test_a_role_without_requirements_fits_everyone():
    assert role_fit({}, Role("intern", "Intern")).fit == 1.0


def test_levels_count_from_the_bottom_of_the_scale():
    scale = RatingScale(1, 5, integral=True)
    role = Role("r", "R", requirements=[SkillRequirement("seo", 5)])
    # (3 - 1) / (5 - 1)
    assert role_fit({"seo": 3}, role, scale).fit == 0.5
    assert role_fit({}, role, scale).fit == 0.0


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: role_fit({"seo": 5}, ANALYST), "levels['seo']"),
        (lambda: role_fit({"seo": -1}, ANALYST), "levels['seo']"),
        (lambda: role_fit([("seo", 1)], ANALYST), "levels"),
        (
            lambda: role_fit({}, ANALYST, RatingScale(0, 2, integral=True)),
            "role.requirements[0].level",
        ),
        (lambda: SkillRequirement("seo", 0), "level"),
        (lambda: SkillRequirement("seo", 2, importance=0), "importance"),
        (lambda: SkillRequirement("seo", 2, must_have="yes"), "must_have"),
        (
            lambda: Role("r", "R", requirements=[SkillRequirement("a", 1)] * 2),
            "requirements[1].skill_id",
        ),
        (lambda: SuggestedKpi("k", "K", "%", "up"), "direction"),
        (lambda: CandidatePolicy(fit_weight=0, interview_weight=0), "fit_weight"),
        (lambda: CandidatePolicy(fit_weight=-1), "fit_weight"),
        (lambda: Candidate("c", [("seo", 3)]), "skill_tests"),
    ],
)
def test_bad_input_names_the_path(call, path):
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.path == path


def test_role_lookups_and_required_skills():
    assert ANALYST.requirement("statistics").level == 3
    assert ANALYST.requirement("seo") is None
    assert required_skills([ANALYST]) == ("communication", "data_analysis", "statistics")
    assert (
        SuggestedKpi("cpa", "CPA", "TWD", "lower_is_better").direction is Direction.LOWER_IS_BETTER
    )


@given(roles, st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 4)))
def test_fit_is_in_the_unit_interval(role, levels):
    assert 0 <= role_fit(levels, role).fit <= 1


@given(roles, st.data())
def test_fit_never_falls_when_a_level_rises(role, data):
    if not role.requirements:
        return
    levels = {r.skill_id: data.draw(st.integers(0, 4), label=r.skill_id) for r in role.requirements}
    skill = data.draw(st.sampled_from(sorted(levels)))
    raised = {**levels, skill: data.draw(st.integers(levels[skill], 4))}
    assert role_fit(raised, role).fit >= role_fit(levels, role).fit


@given(roles, st.data())
def test_fit_is_one_exactly_when_every_requirement_is_met(role, data):
    levels = {r.skill_id: data.draw(st.integers(0, 4), label=r.skill_id) for r in role.requirements}
    result = role_fit(levels, role)
    met = all(levels[r.skill_id] >= r.level for r in role.requirements)
    assert (result.fit == 1.0) == met
    assert (result.unmet == ()) == met


@given(roles, st.data())
def test_fit_does_not_depend_on_the_order_of_requirements(role, data):
    levels = {r.skill_id: data.draw(st.integers(0, 4)) for r in role.requirements}
    shuffled = data.draw(st.permutations(role.requirements))
    other = Role(role.id, role.title, requirements=shuffled)
    assert role_fit(levels, other) == role_fit(levels, role)


@given(roles, st.data())
def test_fit_matches_the_exact_rational_formula(role, data):
    levels = {r.skill_id: data.draw(st.integers(0, 4)) for r in role.requirements}
    num = sum(Fraction(r.importance) * min(levels[r.skill_id], r.level) for r in role.requirements)
    den = sum(Fraction(r.importance) * r.level for r in role.requirements)
    expected = float(num / den) if den else 1.0
    assert role_fit(levels, role).fit == pytest.approx(expected, rel=1e-12)


@given(roles)
def test_role_round_trips(role):
    assert loads(Role, dumps(role)) == role


@given(candidates)
def test_candidate_round_trips(candidate):
    assert loads(Candidate, dumps(candidate)) == candidate


SEO = Role(
    "seo_specialist",
    "SEO specialist",
    requirements=[
        SkillRequirement("seo", 3, importance=3, must_have=True),
        SkillRequirement("copywriting", 2),
    ],
)


def test_rank_candidates_by_hand():
    ranked = rank_candidates(
        [
            Candidate("wu", {"seo": 4, "copywriting": 2}, [3, 4]),
            Candidate("lee", {"seo": 2, "copywriting": 4}, [5]),
            Candidate("chen", {"seo": 3, "copywriting": 1}),
            Candidate("ahn", {"seo": 3, "copywriting": 2}, [2]),
        ],
        SEO,
    )
    # wu: fit 1, interview mean 3.5 -> 0.625: 0.6 + 0.25 = 0.85
    # chen: fit (9 + 1) / 11, no interview -> fit alone = 0.909...
    # ahn: fit 1, interview 2 -> 0.25: 0.6 + 0.1 = 0.7
    # lee: must-have seo 2 < 3 -> not ranked
    assert [(c.candidate_id, c.rank) for c in ranked] == [
        ("chen", 1),
        ("wu", 2),
        ("ahn", 3),
        ("lee", None),
    ]
    assert ranked[0].score == pytest.approx(10 / 11)
    assert ranked[0].interview is None
    assert ranked[1].score == pytest.approx(0.85)
    assert ranked[3].explanation.startswith("not eligible: must-have not met (seo 2 < 3)")


def test_ties_are_broken_by_id():
    ranked = rank_candidates(
        [
            Candidate("b", {"seo": 3, "copywriting": 2}),
            Candidate("a", {"seo": 4, "copywriting": 3}),
        ],
        SEO,
    )
    assert [c.candidate_id for c in ranked] == ["a", "b"]
    assert [c.rank for c in ranked] == [1, 2]


def test_interview_only_policy():
    policy = CandidatePolicy(fit_weight=0, interview_weight=1)
    ranked = rank_candidates(
        [Candidate("a", {"seo": 3}, [5]), Candidate("b", {"seo": 3}, [4])], SEO, policy
    )
    assert [c.score for c in ranked] == [1.0, 0.75]
    # without interview ratings there is only the fit to go on
    only_fit = rank_candidates([Candidate("c", {"seo": 3})], SEO, policy)
    assert only_fit[0].score == pytest.approx(9 / 11)


@pytest.mark.parametrize(
    ("pool", "path"),
    [
        ([Candidate("a"), Candidate("a")], "candidates[1].id"),
        ([Candidate("a", {"seo": 9})], "candidates[0].levels['seo']"),
        ([Candidate("a", {}, [6])], "candidates[0].interview_ratings[0]"),
        (["a"], "candidates[0]"),
    ],
)
def test_bad_candidates_name_the_path(pool, path):
    with pytest.raises(InvalidInputError) as info:
        rank_candidates(pool, SEO)
    assert info.value.path == path


@given(st.lists(candidates, max_size=6, unique_by=lambda c: c.id), roles, st.randoms())
def test_ranking_does_not_depend_on_the_order_of_candidates(pool, role, rnd):
    shuffled = list(pool)
    rnd.shuffle(shuffled)
    assert rank_candidates(shuffled, role) == rank_candidates(pool, role)
    ranks = [c.rank for c in rank_candidates(pool, role) if c.rank is not None]
    assert ranks == list(range(1, len(ranks) + 1))
