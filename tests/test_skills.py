import pytest
from hypothesis import given
from hypothesis import strategies as st

from mteam.errors import InvalidInputError
from mteam.io import dumps, loads
from mteam.labels import Label
from mteam.report import format_skill_matrix
from mteam.scales import FEEDBACK_SCALE, RatingScale
from mteam.skills import BusFactorFlag, Skill, SkillCategory, SkillMatrix
from tests.strategies import skill_matrices, skills

SKILLS = [
    Skill("seo", Label("SEO", "搜尋引擎優化"), SkillCategory.HARD),
    Skill("crm", "CRM", "hard"),
    Skill("communication", "Communication", "soft"),
]
TEAM = SkillMatrix(
    SKILLS,
    {
        "ann": {"seo": 4, "crm": 1, "communication": 3},
        "bob": {"seo": 2, "crm": 3},
        "cy": {"communication": 4},
    },
)


def test_levels_default_to_the_bottom_of_the_scale():
    assert TEAM.member_levels("cy") == {"seo": 0, "crm": 0, "communication": 4}
    assert TEAM.level("bob", "communication") == 0
    assert TEAM.members == ("ann", "bob", "cy")
    assert TEAM.skill_ids == ("seo", "crm", "communication")


def test_holders_coverage_and_bus_factor_by_hand():
    assert TEAM.holders("seo", 2) == ("ann", "bob")
    assert TEAM.holders("communication") == ("ann", "cy")
    assert TEAM.coverage() == {
        "seo": {0: 1, 1: 0, 2: 1, 3: 0, 4: 1},
        "crm": {0: 1, 1: 1, 2: 0, 3: 1, 4: 0},
        "communication": {0: 1, 1: 0, 2: 0, 3: 1, 4: 1},
    }
    assert TEAM.bus_factor("seo") == 1
    assert TEAM.bus_factor("communication") == 2
    assert TEAM.bus_factor("seo", proficient=2) == 2


def test_flagged_skills_are_required_skills_held_by_at_most_one():
    assert TEAM.flagged_skills(["seo", "crm", "communication"]) == (
        BusFactorFlag("crm", 1, ("bob",)),
        BusFactorFlag("seo", 1, ("ann",)),
    )
    assert TEAM.flagged_skills(["communication"]) == ()
    assert TEAM.flagged_skills(["communication"], max_bus_factor=2) == (
        BusFactorFlag("communication", 2, ("ann", "cy")),
    )


def test_text_table_and_records():
    assert format_skill_matrix(TEAM).splitlines() == [
        "member  seo  crm  communication",
        "ann       4    1              3",
        "bob       2    3              0",
        "cy        0    0              4",
    ]
    records = TEAM.to_records("zh-Hant")
    assert len(records) == 9
    assert records[0] == {
        "member_id": "ann",
        "skill_id": "seo",
        "skill": "搜尋引擎優化",
        "category": "hard",
        "level": 4,
        "label": "expert",
    }


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: TEAM.level("zed", "seo"), "member_id"),
        (lambda: TEAM.member_levels("zed"), "member_id"),
        (lambda: TEAM.level("ann", "golf"), "skill_id"),
        (lambda: TEAM.holders("seo", 5), "min_level"),
        (lambda: TEAM.flagged_skills(["seo", "golf"]), "required[0]"),
        (lambda: SkillMatrix(SKILLS, {"ann": {"golf": 1}}), "levels['ann']['golf']"),
        (lambda: SkillMatrix(SKILLS, {"ann": {"seo": 5}}), "levels['ann']['seo']"),
        (lambda: SkillMatrix(SKILLS, {"ann": {"seo": 2.5}}), "levels['ann']['seo']"),
        (lambda: SkillMatrix(SKILLS, {"ann": [1]}), "levels['ann']"),
        (lambda: SkillMatrix(SKILLS, [("ann", {})]), "levels"),
        (lambda: SkillMatrix(SKILLS, {"": {}}), "levels"),
        (lambda: SkillMatrix([*SKILLS, SKILLS[0]], {}), "skills[3].id"),
        (lambda: SkillMatrix(SKILLS, {}, scale=FEEDBACK_SCALE), "scale"),
        (lambda: Skill("x", "X", "technical"), "category"),
        (lambda: Skill("", "X", "hard"), "id"),
    ],
)
def test_bad_input_names_the_path(call, path):
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.path == path


def test_other_integral_scales_work():
    scale = RatingScale(1, 3, integral=True)
    matrix = SkillMatrix(SKILLS[:1], {"a": {"seo": 3}, "b": {}}, scale=scale)
    assert matrix.level("b", "seo") == 1
    assert matrix.coverage() == {"seo": {1: 1, 2: 0, 3: 1}}
    assert matrix.skill("seo").name.get("zh-Hant") == "搜尋引擎優化"


@given(skill_matrices())
def test_coverage_counts_add_up_to_the_team_size(matrix):
    for counts in matrix.coverage().values():
        assert sum(counts.values()) == len(matrix.members)


@given(skill_matrices(), st.data())
def test_bus_factor_flags_change_only_when_a_holder_is_added_or_removed(matrix, data):
    if not matrix.members:
        return
    member = data.draw(st.sampled_from(matrix.members))
    skill_id = data.draw(st.sampled_from(matrix.skill_ids))
    new_level = data.draw(st.integers(0, 4))
    before = matrix.flagged_skills(matrix.skill_ids)
    after = matrix.with_level(member, skill_id, new_level).flagged_skills(matrix.skill_ids)
    was_holder = matrix.level(member, skill_id) >= 3
    is_holder = new_level >= 3
    if was_holder == is_holder:
        assert after == before
    else:
        changed = matrix.bus_factor(skill_id) + (1 if is_holder else -1)
        flag = {f.skill_id: f for f in after}.get(skill_id)
        assert (flag is not None) == (changed <= 1)


@given(skill_matrices())
def test_skill_matrix_round_trips(matrix):
    assert loads(SkillMatrix, dumps(matrix)) == matrix


@given(skills)
def test_skill_round_trips(skill):
    assert loads(Skill, dumps(skill)) == skill


def test_a_label_may_be_a_plain_string_in_json():
    skill = loads(Skill, '{"id": "seo", "name": "SEO", "category": "hard"}')
    assert skill.name == Label("SEO")
    with pytest.raises(InvalidInputError) as info:
        loads(Skill, '{"id": "seo", "name": 3, "category": "hard"}')
    assert str(info.value) == "$.name: expected an object or a string, got 3"


def test_label_languages():
    label = Label("Data analyst", "數據分析師")
    assert label.get() == "Data analyst"
    assert label.get("zh-Hant") == "數據分析師"
    assert str(label) == "Data analyst"
    with pytest.raises(InvalidInputError, match="language"):
        label.get("fr")
    with pytest.raises(InvalidInputError, match="en"):
        Label("  ")
