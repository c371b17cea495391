import pytest

from mteam.catalog import Catalog, load_catalog
from mteam.errors import InvalidInputError
from mteam.io import dumps, loads
from mteam.roles import Role, SkillRequirement
from mteam.skills import Skill, SkillCategory

SEED_ROLES = {
    "seo_specialist": "SEO專員",
    "social_media_marketer": "社群媒體行銷人員",
    "content_creator": "內容創作者",
    "data_analyst": "數據分析師",
    "paid_ads_specialist": "付費廣告專員",
    "member_operations_specialist": "會員運營專員",
    "project_manager": "專案經理",
    "ui_ux_designer": "UI/UX設計師",
    "customer_service_specialist": "客服人員",
}

# The glossary of the source articles: hard and soft skills with their zh-Hant wording.
SEED_SKILLS = {
    "seo": "搜尋引擎優化",
    "social_media": "社群媒體行銷",
    "content_marketing": "內容行銷",
    "data_analysis": "數據分析",
    "paid_ads": "付費廣告",
    "ai_tools": "AI工具應用",
    "communication": "溝通技巧",
    "collaboration": "協作能力",
    "leadership": "領導力",
    "creative_thinking": "創意思考",
    "time_management": "時間管理",
}


def test_the_catalog_has_every_seed_role_in_both_languages():
    catalog = load_catalog()
    assert {r.id: r.title.zh_hant for r in catalog.roles} == SEED_ROLES
    for role in catalog.roles:
        assert role.title.en
        assert role.responsibilities
        assert all(d.en and d.zh_hant for d in role.responsibilities)
        assert role.requirements
        assert any(r.must_have for r in role.requirements)
        assert role.kpis
        assert all(k.name.en and k.name.zh_hant for k in role.kpis)


def test_the_catalog_has_the_seed_skills_in_both_languages():
    catalog = load_catalog()
    for skill_id, zh in SEED_SKILLS.items():
        assert catalog.skill(skill_id).name.zh_hant == zh
    soft = {s.id for s in catalog.skills if s.category is SkillCategory.SOFT}
    assert {"communication", "collaboration", "leadership"} <= soft
    assert all(s.name.en and s.name.zh_hant for s in catalog.skills)


def test_the_catalog_round_trips_and_is_cached():
    catalog = load_catalog()
    assert loads(Catalog, dumps(catalog)) == catalog
    assert load_catalog() is catalog


def test_extend_adds_and_overrides_by_id():
    catalog = load_catalog()
    tiktok = Skill("tiktok", "TikTok video", "hard")
    seo = Role("seo_specialist", "SEO lead", requirements=[SkillRequirement("tiktok", 2)])
    bigger = catalog.extended(skills=[tiktok], roles=[seo])
    assert bigger.skills[-1] == tiktok
    assert bigger.role("seo_specialist").title.en == "SEO lead"
    assert [r.id for r in bigger.roles] == [r.id for r in catalog.roles]
    assert catalog.role("seo_specialist").title.en == "SEO specialist"


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda c: c.skill("golf"), "skill_id"),
        (lambda c: c.role("golfer"), "role_id"),
        (
            lambda c: c.extended(
                roles=[Role("x", "X", requirements=[SkillRequirement("golf", 1)])]
            ),
            "roles[9].requirements[0].skill_id",
        ),
        (lambda c: c.extended(skills=[Skill("a", "A", "hard")] * 2), "skills[1].id"),
        (lambda c: c.extended(roles=[Role("a", "A")] * 2), "roles[1].id"),
    ],
)
def test_bad_lookups_and_extensions_name_the_path(call, path):
    with pytest.raises(InvalidInputError) as info:
        call(load_catalog())
    assert info.value.path == path
